/*
 * The store on PostgreSQL through libpq (see db.h).  A write transaction
 * takes one transaction-scoped advisory lock, which serialises writers, and
 * so the audit chain, across every connection; a read is a REPEATABLE READ
 * snapshot.  The store's ? placeholders become $1..$n here.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../base/error_impl.h"

/* The advisory lock's key: "ldn" and the store's lock number 1. */
#define WRITE_LOCK "SELECT pg_advisory_xact_lock(7103598, 1)"

struct db {
	PGconn *conn;
	char msg[320];
};

/* Keep msg on one line: libpq's may hold several, and end with one. */
static void
remember(struct db *db, const char *msg)
{
	size_t j = 0;
	bool space = false;

	if (msg == NULL || *msg == '\0')
		msg = "unknown error";
	for (; *msg && j + 1 < sizeof(db->msg); msg++) {
		bool blank = *msg == '\n' || *msg == '\t' || *msg == ' ';

		if (blank && (space || j == 0))
			continue;
		db->msg[j++] = blank ? ' ' : *msg;
		space = blank;
	}
	while (j > 0 && db->msg[j - 1] == ' ')
		j--;
	db->msg[j] = '\0';
}

/* The outcome of a result (NULL when libpq ran out of memory or lost the
 * connection); it is cleared unless out takes it. */
static enum db_rc
outcome(struct db *db, PGresult *res, PGresult **out)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	enum db_rc rc = DB_OK;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		const char *state =
		    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		const char *primary = res
		    ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
		    : NULL;

		remember(db, primary ? primary : PQerrorMessage(db->conn));
		rc =
		    state && strcmp(state, "23505") == 0 ? DB_UNIQUE : DB_ERROR;
	}
	if (rc == DB_OK && out)
		*out = res;
	else
		PQclear(res);
	return rc;
}

static enum db_rc
pg_exec(struct db *db, const char *script)
{
	return outcome(db, PQexec(db->conn, script), NULL);
}

/* Notices ("relation ... already exists, skipping") are not for users. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void
pg_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	free(db);
}

static enum ldn_status
pg_open(const char *url, struct db **out, struct ldn_error *err)
{
	struct db *db = calloc(1, sizeof(*db));
	enum ldn_status rc = LDN_OK;

	if (db == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "db", "out of memory");
	db->conn = PQconnectdb(url);
	if (db->conn == NULL) {
		rc = ldn_fail(err, LDN_E_NOMEM, "db", "out of memory");
	} else if (PQstatus(db->conn) != CONNECTION_OK) {
		remember(db, PQerrorMessage(db->conn));
		rc = ldn_fail(err, LDN_E_IO, "store",
		    "cannot connect to PostgreSQL: %s", db->msg);
	} else {
		PQsetNoticeProcessor(db->conn, quiet, NULL);
		if (PQsetClientEncoding(db->conn, "UTF8") != 0) {
			remember(db, PQerrorMessage(db->conn));
			rc = ldn_fail(err, LDN_E_IO, "store", "%s", db->msg);
		}
	}
	if (rc != LDN_OK) {
		pg_close(db);
		return rc;
	}
	*out = db;
	return LDN_OK;
}

static enum db_rc
pg_begin_write(struct db *db)
{
	enum db_rc rc = pg_exec(db, "BEGIN");

	if (rc == DB_OK && (rc = pg_exec(db, WRITE_LOCK)) != DB_OK)
		pg_exec(db, "ROLLBACK");
	return rc;
}

static enum db_rc
pg_begin_read(struct db *db)
{
	return pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

static void
pg_rollback(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(db->conn);

	if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

/* COMMIT of a failed transaction "succeeds" as ROLLBACK: not a commit. */
static enum db_rc
pg_commit(struct db *db)
{
	PGresult *res = NULL;
	enum db_rc rc = outcome(db, PQexec(db->conn, "COMMIT"), &res);

	if (rc == DB_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		remember(db, "the transaction was rolled back");
		rc = DB_ERROR;
	}
	PQclear(res);
	return rc;
}

/*
 * sql with each ? outside quotes and comments as $1, $2, ...; NULL when out
 * of memory.  The caller frees it.
 */
static char *
numbered(const char *sql)
{
	size_t n = strlen(sql), marks = 0, j = 0;
	char *out, quote = 0;
	int k = 0;

	for (size_t i = 0; i < n; i++)
		marks += sql[i] == '?';
	if ((out = malloc(n + marks * 11 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = sql[i];

		if (quote) {
			/* a doubled quote inside stays inside */
			if (c == quote)
				quote = 0;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '-' && sql[i + 1] == '-') {
			const char *nl = strchr(sql + i, '\n');
			size_t end = nl ? (size_t)(nl - sql) : n;

			memcpy(out + j, sql + i, end - i);
			j += end - i;
			i = end - 1;
			continue;
		} else if (c == '?') {
			j += (size_t)sprintf(out + j, "$%d", ++k);
			continue;
		}
		out[j++] = c;
	}
	out[j] = '\0';
	return out;
}

static enum db_rc
pg_query(struct db *db, const char *sql, const struct db_arg *args,
    size_t n_args, struct db_res **out)
{
	char *text = numbered(sql), **vals = calloc(n_args + 1, sizeof(char *));
	PGresult *res = NULL;
	enum db_rc rc = DB_OK;
	bool good = text != NULL && vals != NULL && n_args < 65536;

	if (out)
		*out = NULL;
	/* every value travels as text, NUL-terminated; the server infers
	 * each parameter's type from where it stands */
	for (size_t i = 0; good && i < n_args; i++) {
		char num[24];

		if (args[i].kind == DB_INT) {
			snprintf(num, sizeof(num), "%lld", args[i].i);
			good = (vals[i] = strdup(num)) != NULL;
		} else if (args[i].kind == DB_TEXT) {
			good =
			    (vals[i] = strndup(args[i].s, args[i].len)) != NULL;
		}
	}
	if (!good) {
		remember(db, "out of memory");
		rc = DB_ERROR;
	} else {
		rc = outcome(db,
		    PQexecParams(db->conn, text, (int)n_args, NULL,
		        (const char *const *)vals, NULL, NULL, 0),
		    &res);
	}
	for (size_t i = 0; vals && i < n_args; i++)
		free(vals[i]);
	free(vals);
	free(text);
	if (rc != DB_OK || out == NULL) {
		PQclear(res);
		return rc;
	}
	int rows = PQntuples(res), cols = PQnfields(res);
	struct db_res *r = db_res_new((size_t)cols);

	good = r != NULL;
	for (int i = 0; good && i < rows; i++) {
		good = db_res_row(r);
		for (int c = 0; good && c < cols; c++)
			if (!PQgetisnull(res, i, c))
				good = db_res_set(r, (size_t)c,
				    PQgetvalue(res, i, c),
				    (size_t)PQgetlength(res, i, c));
	}
	PQclear(res);
	if (!good) {
		db_res_free(r);
		remember(db, "out of memory");
		return DB_ERROR;
	}
	*out = r;
	return DB_OK;
}

static const char *
pg_errmsg(struct db *db)
{
	return db->msg;
}

const struct db_ops db_pg_ops = {
	.name = "postgresql",
	.migrations_table = "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                    " name TEXT COLLATE \"C\" PRIMARY KEY,"
	                    " applied_at TEXT NOT NULL)",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.begin_write = pg_begin_write,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.query = pg_query,
	.errmsg = pg_errmsg,
};
