/*
 * The store on SQLite (see db.h): WAL, synchronous=FULL, foreign keys, a
 * busy timeout for several writers.  A write transaction is BEGIN
 * IMMEDIATE, which serialises writers, and so the audit chain, between
 * processes.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "../base/error_impl.h"

enum {
	N_CACHED = 32 /* prepared statements kept per connection */
};

/*
 * Statements are kept prepared: a server checks a bearer token on every
 * request, and preparing that one SELECT cost more than running it.  An
 * entry is found by the SQL's address and confirmed by its text, so a
 * caller's reused buffer with new SQL prepares anew.
 */
struct cached {
	const char *key; /* the caller's pointer */
	char *sql;       /* a copy of its text */
	sqlite3_stmt *q;
};

struct db {
	sqlite3 *h;
	struct cached cache[N_CACHED];
	size_t next_evict;
	char msg[320];
};

static void
remember(struct db *db, const char *msg)
{
	snprintf(db->msg, sizeof(db->msg), "%s", msg ? msg : "unknown error");
}

/* The outcome of a failed call, by the connection's extended code. */
static enum db_rc
failed(struct db *db, const char *msg)
{
	int code = sqlite3_extended_errcode(db->h);

	remember(db, msg ? msg : sqlite3_errmsg(db->h));
	return code == SQLITE_CONSTRAINT_PRIMARYKEY ||
	        code == SQLITE_CONSTRAINT_UNIQUE
	    ? DB_UNIQUE
	    : DB_ERROR;
}

static enum db_rc
sl_exec(struct db *db, const char *script)
{
	char *msg = NULL;
	enum db_rc rc = DB_OK;

	if (sqlite3_exec(db->h, script, NULL, NULL, &msg) != SQLITE_OK)
		rc = failed(db, msg);
	sqlite3_free(msg);
	return rc;
}

static void
sl_close(struct db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < N_CACHED; i++) {
		sqlite3_finalize(db->cache[i].q);
		free(db->cache[i].sql);
	}
	sqlite3_close(db->h);
	free(db);
}

/*
 * Run a pragma.  Switching a new database to WAL while another process
 * does the same can fail with SQLITE_BUSY at once, without the busy
 * handler: retry for as long as the busy timeout would have waited.
 */
static enum db_rc
sl_pragma(struct db *db, const char *pragma)
{
	enum db_rc rc;

	for (int tries = 0;; tries++) {
		struct timespec pause = { 0, 10 * 1000 * 1000 };

		if ((rc = sl_exec(db, pragma)) == DB_OK ||
		    (sqlite3_errcode(db->h) & 0xff) != SQLITE_BUSY ||
		    tries == 1000)
			return rc;
		nanosleep(&pause, NULL);
	}
}

static enum ldn_status
sl_open(const char *path, struct db **out, struct ldn_error *err)
{
	struct db *db = calloc(1, sizeof(*db));
	static const char *const pragmas[] = { "PRAGMA journal_mode=WAL",
		"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON" };

	if (db == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "db", "out of memory");
	if (sqlite3_open_v2(path, &db->h,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	            SQLITE_OPEN_NOMUTEX, /* a connection per thread (store.h) */
	        NULL) != SQLITE_OK) {
		enum ldn_status rc = ldn_fail(err, LDN_E_IO, "store", "%s: %s",
		    path, db->h ? sqlite3_errmsg(db->h) : "out of memory");

		sl_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db->h, 10000);
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(*pragmas); i++)
		if (sl_pragma(db, pragmas[i]) != DB_OK) {
			enum ldn_status rc = ldn_fail(err, LDN_E_IO, "store",
			    "%s: %s", pragmas[i], db->msg);

			sl_close(db);
			return rc;
		}
	*out = db;
	return LDN_OK;
}

static enum db_rc
sl_begin_write(struct db *db)
{
	return sl_exec(db, "BEGIN IMMEDIATE");
}

/* A deferred transaction reads one WAL snapshot from its first read on. */
static enum db_rc
sl_begin_read(struct db *db)
{
	return sl_exec(db, "BEGIN");
}

static void
sl_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

static enum db_rc
sl_commit(struct db *db)
{
	return sl_exec(db, "COMMIT");
}

/* The prepared statement for sql, from the cache or new (then cached,
 * evicting round-robin); NULL with db->msg set on failure. */
static sqlite3_stmt *
prepared(struct db *db, const char *sql)
{
	struct cached *c;
	sqlite3_stmt *q;
	char *copy;

	for (size_t i = 0; i < N_CACHED; i++) {
		c = &db->cache[i];
		if (c->key == sql && strcmp(c->sql, sql) == 0)
			return c->q;
	}
	if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) != SQLITE_OK) {
		failed(db, NULL);
		return NULL;
	}
	if ((copy = strdup(sql)) == NULL) {
		sqlite3_finalize(q);
		remember(db, "out of memory");
		return NULL;
	}
	c = &db->cache[db->next_evict++ % N_CACHED];
	sqlite3_finalize(c->q);
	free(c->sql);
	*c = (struct cached){ sql, copy, q };
	return q;
}

static enum db_rc
sl_query(struct db *db, const char *sql, const struct db_arg *args,
    size_t n_args, struct db_res **out)
{
	sqlite3_stmt *q;
	struct db_res *res = NULL;
	enum db_rc rc = DB_OK;
	int step, cols;

	if (out)
		*out = NULL;
	if ((q = prepared(db, sql)) == NULL)
		return DB_ERROR;
	for (size_t i = 0; i < n_args; i++) {
		int col = (int)i + 1;

		if (args[i].kind == DB_INT)
			sqlite3_bind_int64(q, col, args[i].i);
		else if (args[i].kind == DB_TEXT)
			sqlite3_bind_text64(q, col, args[i].s, args[i].len,
			    SQLITE_STATIC, SQLITE_UTF8);
		else
			sqlite3_bind_null(q, col);
	}
	cols = sqlite3_column_count(q);
	if (out && (res = db_res_new((size_t)cols)) == NULL) {
		sqlite3_clear_bindings(q);
		remember(db, "out of memory");
		return DB_ERROR;
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (res == NULL)
			continue;
		bool good = db_res_row(res);

		for (int c = 0; good && c < cols; c++) {
			const char *t = (const char *)sqlite3_column_text(q, c);

			if (t != NULL)
				good = db_res_set(res, (size_t)c, t,
				    (size_t)sqlite3_column_bytes(q, c));
		}
		if (!good) {
			remember(db, "out of memory");
			rc = DB_ERROR;
			break;
		}
	}
	if (rc == DB_OK && step != SQLITE_DONE)
		rc = failed(db, NULL);
	/* back to the start, holding no lock and no pointer to args */
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != DB_OK || out == NULL)
		db_res_free(res);
	else
		*out = res;
	return rc;
}

static const char *
sl_errmsg(struct db *db)
{
	return db->msg;
}

const struct db_ops db_sqlite_ops = {
	.name = "sqlite",
	.migrations_table = "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                    " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
	                    " STRICT",
	.open = sl_open,
	.close = sl_close,
	.exec = sl_exec,
	.begin_write = sl_begin_write,
	.begin_read = sl_begin_read,
	.commit = sl_commit,
	.rollback = sl_rollback,
	.query = sl_query,
	.errmsg = sl_errmsg,
};
