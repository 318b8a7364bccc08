/*
 * The store, whatever the database: URLs, migrations, visit checks, the
 * hash-chained audit log and the content hash of each audited record,
 * history in text, JSON, CSV and SVG, the course read, and audit verify.
 * The databases themselves are behind db.h (sqlite.c, pg.c).
 */
#include "ldn/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../base/arena.h"
#include "../base/date.h"
#include "../base/dose.h"
#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../base/line.h"
#include "../base/sha256.h"
#include "../base/strbuf.h"
#include "../base/tree.h"
#include "db.h"

struct ldn_store {
	const struct db_ops *ops;
	struct db *db;
};

static const char GENESIS[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* The arguments of a query: DB_ARGS(db_text(id), db_int(n)). */
#define DB_ARGS(...)                                         \
	(const struct db_arg[]){ __VA_ARGS__ },              \
	    sizeof((const struct db_arg[]){ __VA_ARGS__ }) / \
	    sizeof(struct db_arg)

static enum db_rc
query(struct ldn_store *st, const char *sql, const struct db_arg *args,
    size_t n_args, struct db_res **out)
{
	return st->ops->query(st->db, sql, args, n_args, out);
}

static enum ldn_status
dbfail(struct ldn_store *st, struct ldn_error *err, const char *what)
{
	return ldn_fail(err, LDN_E_IO, "store", "%s: %s", what,
	    st->db ? st->ops->errmsg(st->db) : "no database");
}

static enum ldn_status
exec(struct ldn_store *st, const char *sql, struct ldn_error *err)
{
	if (st->ops->exec(st->db, sql) != DB_OK)
		return ldn_fail(err, LDN_E_IO, "store", "%s",
		    st->ops->errmsg(st->db));
	return LDN_OK;
}

static enum ldn_status
begin_write(struct ldn_store *st, struct ldn_error *err)
{
	return st->ops->begin_write(st->db) == DB_OK ? LDN_OK
	                                             : dbfail(st, err, "begin");
}

/* End the write transaction: commit on success, else roll back. */
static enum ldn_status
commit_or_rollback(struct ldn_store *st, enum ldn_status rc,
    struct ldn_error *err)
{
	if (rc == LDN_OK && st->ops->commit(st->db) == DB_OK)
		return LDN_OK;
	if (rc == LDN_OK)
		rc = dbfail(st, err, "commit");
	/* a failed COMMIT must not leave the transaction open */
	st->ops->rollback(st->db);
	return rc;
}

/* An integer column (0 when NULL). */
static long long
int_at(const struct db_res *r, size_t row, size_t c)
{
	const char *v = db_val(r, row, c);

	return v ? strtoll(v, NULL, 10) : 0;
}

/* A text column, or "" when NULL. */
static const char *
text_at(const struct db_res *r, size_t row, size_t c)
{
	const char *v = db_val(r, row, c);

	return v ? v : "";
}

struct db_res *
db_res_new(size_t n_cols)
{
	struct db_res *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->n_cols = n_cols;
	return r;
}

bool
db_res_row(struct db_res *r)
{
	if (r->n_rows == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		size_t cells = cap * (r->n_cols ? r->n_cols : 1);
		char **val = realloc(r->val, cells * sizeof(*val));

		if (val == NULL)
			return false;
		r->val = val;
		size_t *len = realloc(r->len, cells * sizeof(*len));
		if (len == NULL)
			return false;
		r->len = len;
		r->cap = cap;
	}
	for (size_t c = 0; c < r->n_cols; c++) {
		r->val[r->n_rows * r->n_cols + c] = NULL;
		r->len[r->n_rows * r->n_cols + c] = 0;
	}
	r->n_rows++;
	return true;
}

bool
db_res_set(struct db_res *r, size_t c, const char *s, size_t n)
{
	size_t at = (r->n_rows - 1) * r->n_cols + c;
	char *copy = malloc(n + 1);

	if (copy == NULL || c >= r->n_cols || r->n_rows == 0) {
		free(copy);
		return false;
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	free(r->val[at]);
	r->val[at] = copy;
	r->len[at] = n;
	return true;
}

void
db_res_free(struct db_res *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_rows * r->n_cols; i++)
		free(r->val[i]);
	free(r->val);
	free(r->len);
	free(r);
}

static void
now_utc(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
migration_applied(struct ldn_store *st, const char *name)
{
	struct db_res *r = NULL;
	bool done = query(st, "SELECT 1 FROM schema_migrations WHERE name = ?",
	                DB_ARGS(db_text(name)), &r) == DB_OK &&
	    r->n_rows > 0;

	db_res_free(r);
	return done;
}

/* Apply, in name order, every migration not yet recorded, each in its own
 * write transaction, so that stores opened at once apply each only once. */
static enum ldn_status
migrate(struct ldn_store *st, const char *dir, struct ldn_error *err)
{
	char path[1024], *names[256];
	size_t n = 0;
	DIR *d;
	struct dirent *e;
	enum ldn_status rc = LDN_OK;

	/* made under the lock: two CREATE TABLE IF NOT EXISTS at once can
	 * collide on PostgreSQL */
	if (query(st, "SELECT 1 FROM schema_migrations LIMIT 1", NULL, 0,
	        NULL) != DB_OK) {
		if ((rc = begin_write(st, err)) != LDN_OK)
			return rc;
		rc = commit_or_rollback(st,
		    exec(st, st->ops->migrations_table, err), err);
		if (rc != LDN_OK)
			return rc;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, st->ops->name);
	if ((d = opendir(path)) == NULL)
		return ldn_fail(err, LDN_E_IO, path, "no migrations here");
	while ((e = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(e->d_name);

		if (l > 4 && strcmp(e->d_name + l - 4, ".sql") == 0 &&
		    (names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n && rc == LDN_OK; i++) {
		char stamp[21];
		FILE *fp;
		struct strbuf sql = STRBUF_INIT(1u << 22);
		char buf[4096];
		size_t got;

		if (migration_applied(st, names[i]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", dir, st->ops->name,
		    names[i]);
		if ((fp = fopen(path, "r")) == NULL) {
			rc = ldn_fail(err, LDN_E_IO, path, "cannot read");
			break;
		}
		while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
			sb_add(&sql, buf, got);
		fclose(fp);
		now_utc(stamp);
		if ((rc = begin_write(st, err)) != LDN_OK) {
			sb_free(&sql);
			break;
		}
		/* another process may have applied it meanwhile */
		if (migration_applied(st, names[i])) {
			rc = commit_or_rollback(st, rc, err);
			sb_free(&sql);
			continue;
		}
		if (sql.failed)
			rc = ldn_fail(err, LDN_E_NOMEM, path,
			    "migration too large");
		else if ((rc = exec(st, sb_cstr(&sql), err)) != LDN_OK)
			rc = ldn_fail(err, LDN_E_IO, path, "%s",
			    st->ops->errmsg(st->db));
		if (rc == LDN_OK &&
		    query(st, "INSERT INTO schema_migrations VALUES (?, ?)",
		        DB_ARGS(db_text(names[i]), db_text(stamp)),
		        NULL) != DB_OK)
			rc = dbfail(st, err, names[i]);
		rc = commit_or_rollback(st, rc, err);
		sb_free(&sql);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

enum ldn_status
ldn_store_open(const char *url, const char *sql_dir, struct ldn_store **out,
    struct ldn_error *err)
{
	struct ldn_store *st;
	const struct db_ops *ops;
	const char *target;
	enum ldn_status rc;

	if (url != NULL && strncmp(url, "sqlite:", 7) == 0 && url[7] != '\0') {
		ops = &db_sqlite_ops;
		target = url + 7;
	} else if (url != NULL &&
	    (strncmp(url, "postgresql://", 13) == 0 ||
	        strncmp(url, "postgres://", 11) == 0)) {
		ops = &db_pg_ops;
		target = url; /* libpq reads the URL whole */
	} else {
		return ldn_fail(err, LDN_E_SCHEMA, "db",
		    "\"%s\" is not a store URL: use sqlite:PATH or "
		    "postgresql://[USER@]HOST[:PORT]/DATABASE (postgres:// "
		    "too)",
		    url ? url : "");
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "db", "out of memory");
	st->ops = ops;
	if ((rc = ops->open(target, &st->db, err)) != LDN_OK ||
	    (rc = migrate(st, sql_dir, err)) != LDN_OK) {
		ldn_store_close(st);
		return rc;
	}
	*out = st;
	return LDN_OK;
}

void
ldn_store_close(struct ldn_store *st)
{
	if (st == NULL)
		return;
	if (st->db)
		st->ops->close(st->db);
	free(st);
}

/*
 * SHA-256 over a sequence of fields, each written with its length and a
 * marker for NULL ("N;" or "S<len>:<bytes>;"), so that no field's text can
 * pass for another's and no buffer limits what is hashed.
 */
struct hasher {
	EVP_MD_CTX *ctx;
};

static bool
h_init(struct hasher *h)
{
	h->ctx = EVP_MD_CTX_new();
	return h->ctx && EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) == 1;
}

static void
h_field(struct hasher *h, const void *data, size_t n, bool is_null)
{
	char head[32];
	int l;

	if (h->ctx == NULL)
		return;
	if (is_null) {
		EVP_DigestUpdate(h->ctx, "N;", 2);
		return;
	}
	l = snprintf(head, sizeof(head), "S%zu:", n);
	EVP_DigestUpdate(h->ctx, head, (size_t)l);
	EVP_DigestUpdate(h->ctx, data, n);
	EVP_DigestUpdate(h->ctx, ";", 1);
}

static void
h_str(struct hasher *h, const char *s)
{
	h_field(h, s, s ? strlen(s) : 0, s == NULL);
}

static bool
h_final(struct hasher *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	static const char hex[] = "0123456789abcdef";
	bool good =
	    h->ctx && EVP_DigestFinal_ex(h->ctx, md, &len) == 1 && len == 32;

	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	for (unsigned int i = 0; good && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[good ? 64 : 0] = '\0';
	return good;
}

/* The hash of an audit row over the previous row's hash and its fields. */
static bool
audit_hash(const char *prev, long long seq, const char *at, const char *actor,
    const char *action, const char *record, const char *content, char out[65])
{
	struct hasher h;
	char num[24];

	if (!h_init(&h))
		return false;
	snprintf(num, sizeof(num), "%lld", seq);
	h_str(&h, prev);
	h_str(&h, num);
	h_str(&h, at);
	h_str(&h, actor);
	h_str(&h, action);
	h_str(&h, record);
	h_str(&h, content);
	return h_final(&h, out);
}

/* Append one audit row; the caller holds the write transaction. */
static enum ldn_status
audit_append(struct ldn_store *st, const char *actor, const char *action,
    const char *record, const char *content_hash, struct ldn_error *err)
{
	struct db_res *r = NULL;
	char prev[65], hash[65], at[21];
	long long seq = 1;

	snprintf(prev, sizeof(prev), "%s", GENESIS);
	if (query(st, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
	        NULL, 0, &r) != DB_OK)
		return dbfail(st, err, "audit");
	if (r->n_rows > 0) {
		seq = int_at(r, 0, 0) + 1;
		snprintf(prev, sizeof(prev), "%s", text_at(r, 0, 1));
	}
	db_res_free(r);
	now_utc(at);
	if (!audit_hash(prev, seq, at, actor, action, record, content_hash,
	        hash))
		return ldn_fail(err, LDN_E_NOMEM, "audit",
		    "cannot hash the row");
	if (query(st, "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	        DB_ARGS(db_int(seq), db_text(at), db_text(actor),
	            db_text(action), db_text(record), db_text(content_hash),
	            db_text(prev), db_text(hash)),
	        NULL) != DB_OK)
		return dbfail(st, err, "audit");
	return LDN_OK;
}

/* The tables whose rows the audit log vouches for, each with the action
 * that writes a row and its key column. */
static const struct audited {
	const char *table, *action, *key;
	bool int_key;
} audited[] = {
	{ "patients", "patient.add", "id", false },
	{ "plans", "plan.issue", "id", true },
	{ "visits", "visit.add", "id", true },
	{ "api_tokens", "token.add", "name", false },
	{ "cds_feedback", "feedback.add", "id", true },
	{ "kb_review", "kb.review", "seq", true },
	{ "policy_overrides", "override.record", "id", true },
};

enum {
	N_AUDITED = sizeof(audited) / sizeof(audited[0])
};

static const struct audited *
audited_table(const char *table)
{
	for (size_t i = 0; i < N_AUDITED; i++)
		if (strcmp(audited[i].table, table) == 0)
			return &audited[i];
	return NULL;
}

/* The row of a stored record, table/key, as SELECT * gives it; NULL if it
 * is not there (or the query fails). */
static struct db_res *
row_fetch(struct ldn_store *st, const char *table, const char *key)
{
	const struct audited *a = audited_table(table);
	struct db_res *r = NULL;
	char sql[96];
	enum db_rc rc;

	if (a == NULL)
		return NULL;
	snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE %s = ?", a->table,
	    a->key);
	if (!a->int_key) {
		rc = query(st, sql, DB_ARGS(db_text(key)), &r);
	} else {
		/* a key that is not a number names no row (and would be an
		 * error on PostgreSQL) */
		if (*key == '\0' || strspn(key, "0123456789") != strlen(key) ||
		    strlen(key) > 18)
			return NULL;
		rc =
		    query(st, sql, DB_ARGS(db_int(strtoll(key, NULL, 10))), &r);
	}
	if (rc != DB_OK || r->n_rows == 0) {
		db_res_free(r);
		return NULL;
	}
	return r;
}

/* The hash of the first n_cols columns of a row, NULLs marked. */
static bool
row_hash_at(const struct db_res *r, size_t row, size_t n_cols, char out[65])
{
	struct hasher h;

	if (!h_init(&h))
		return false;
	for (size_t c = 0; c < n_cols; c++)
		h_field(&h, db_val(r, row, c), r->len[row * r->n_cols + c],
		    db_val(r, row, c) == NULL);
	return h_final(&h, out);
}

static bool
row_hash(const struct db_res *r, size_t n_cols, char out[65])
{
	return row_hash_at(r, 0, n_cols, out);
}

/*
 * The content hash of a stored record, table/key: every column of its row,
 * in the table's order, as text, NULLs marked, so a change to any of them
 * is found.  false if the row is not there (or the query fails).
 */
static bool
row_content(struct ldn_store *st, const char *table, const char *key,
    char out[65])
{
	struct db_res *r = row_fetch(st, table, key);
	bool found = r && row_hash(r, r->n_cols, out);

	db_res_free(r);
	return found;
}

/*
 * Columns that migrations added to the end of a table after records had
 * been written in it, and the value they hold in such a record: a record
 * written before the migration was hashed without them, and still matches
 * that hash while they hold that value.
 */
static const struct {
	const char *table;
	size_t n;
	const char *value;
} added_later[] = {
	{ "plans", 3, "0" }, /* 002_plan_steps: start_ug, step_ug, interval_d */
	{ "visits", 1, NULL }, /* 003_visit_timing: timing (NULL) */
};

/* Whether the record's row matches content_hash, as written now or as
 * written before a migration added columns to it. */
static bool
row_matches(const struct db_res *r, const char *table, const char *chash)
{
	char hash[65];

	if (row_hash(r, r->n_cols, hash) && strcmp(hash, chash) == 0)
		return true;
	for (size_t i = 0; i < sizeof(added_later) / sizeof(*added_later);
	     i++) {
		size_t keep = r->n_cols - added_later[i].n;
		bool at_default = strcmp(table, added_later[i].table) == 0 &&
		    r->n_cols > added_later[i].n;

		for (size_t c = keep; at_default && c < r->n_cols; c++)
			at_default = added_later[i].value == NULL
			    ? db_val(r, 0, c) == NULL
			    : db_val(r, 0, c) &&
			        strcmp(db_val(r, 0, c), added_later[i].value) ==
			            0;
		if (at_default && row_hash(r, keep, hash) &&
		    strcmp(hash, chash) == 0)
			return true;
	}
	return false;
}

/*
 * The plan's departures from a default policy, each with who chose it and
 * why, under plan plan_id; why is required when there is one, and refused
 * when there is none (it would explain nothing and be lost).
 */
static enum ldn_status
insert_overrides(struct ldn_store *st, const char *actor,
    const struct ldn_plan *plan, const char *plan_id, const char *why,
    const char *stamp, struct ldn_error *err)
{
	const char *names[4], *values[4];
	size_t n = ldn_plan_overrides(plan, names, values, 4), bad;
	char content[65], record[64];
	struct db_res *r = NULL;
	enum ldn_status rc = LDN_OK;

	if (n == 0 && why != NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "why",
		    "explains a departure from a default policy, and this "
		    "plan has none");
	if (n > 0 && !line_ok(why, 2000, &bad))
		return ldn_fail(err, LDN_E_SCHEMA, "why",
		    "%s=%s departs from the default: say why, in one line of "
		    "1 to 2000 bytes (no control characters); it is kept with "
		    "who chose it",
		    names[0], values[0]);
	for (size_t i = 0; i < n && rc == LDN_OK; i++) {
		if (query(st,
		        "INSERT INTO policy_overrides (plan_id, policy, value, "
		        "actor, why, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING "
		        "id",
		        DB_ARGS(db_int(strtoll(plan_id, NULL, 10)),
		            db_text(names[i]), db_text(values[i]),
		            db_text(actor), db_text(why), db_text(stamp)),
		        &r) != DB_OK ||
		    r->n_rows != 1) {
			rc = dbfail(st, err, "override");
		} else {
			snprintf(record, sizeof(record), "policy_overrides/%s",
			    text_at(r, 0, 0));
			rc = row_content(st, "policy_overrides",
			         text_at(r, 0, 0), content)
			    ? audit_append(st, actor, "override.record", record,
			          content, err)
			    : dbfail(st, err, "override");
		}
		db_res_free(r);
		r = NULL;
	}
	return rc;
}

static enum ldn_status
insert_plan(struct ldn_store *st, const char *actor, const char *input,
    size_t len, const struct ldn_plan *plan, const char *why,
    struct ldn_error *err)
{
	const struct ldn_kb *kb = ldn_plan_kb(plan);
	char *json = NULL, stamp[21], input_hash[65], content[65], record[64];
	size_t json_len;
	struct db_res *r = NULL;
	struct ldn_step first = { .dose_ug = 0 };
	enum ldn_status rc;
	const char *es = ldn_plan_earliest_start(plan);

	if ((rc = ldn_plan_render(plan, LDN_FORMAT_JSON, LDN_AUDIENCE_CLINICIAN,
	         &json, &json_len, err)) != LDN_OK)
		return rc;
	sha256_hex(input, len, input_hash);
	now_utc(stamp);
	if (ldn_plan_n_steps(plan) > 0)
		ldn_plan_step(plan, 0, &first);
	struct db_arg json_arg = { .kind = DB_TEXT,
		.s = json,
		.len = json_len };
	if (query(st,
	        "INSERT INTO plans (patient_id, issued_at, as_of, kb_version, "
	        "kb_fingerprint, input_hash, preset, decision, earliest_start, "
	        "ceiling_ug, plan_json, start_ug, step_ug, interval_d) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	        "RETURNING id",
	        DB_ARGS(db_text(ldn_plan_patient_id(plan)), db_text(stamp),
	            db_text(ldn_plan_as_of(plan)), db_text(ldn_kb_version(kb)),
	            db_text(ldn_kb_fingerprint(kb)), db_text(input_hash),
	            db_text(ldn_plan_preset(plan)),
	            db_text(ldn_decision_name(ldn_plan_decision(plan))),
	            db_text(*es ? es : NULL), db_int(ldn_plan_ceiling_ug(plan)),
	            json_arg, db_int(first.dose_ug),
	            db_int(ldn_plan_step_ug(plan)),
	            db_int(ldn_plan_interval_d(plan))),
	        &r) != DB_OK ||
	    r->n_rows != 1) {
		rc = dbfail(st, err, "plan");
		db_res_free(r);
		free(json);
		return rc;
	}
	free(json);
	snprintf(record, sizeof(record), "plans/%s", text_at(r, 0, 0));
	if (!row_content(st, "plans", text_at(r, 0, 0), content))
		rc = dbfail(st, err, "plan");
	if (rc == LDN_OK)
		rc =
		    audit_append(st, actor, "plan.issue", record, content, err);
	if (rc == LDN_OK)
		rc = insert_overrides(st, actor, plan, text_at(r, 0, 0), why,
		    stamp, err);
	db_res_free(r);
	return rc;
}

enum ldn_status
ldn_store_add_patient(struct ldn_store *st, const char *actor,
    const char *input, size_t len, const struct ldn_plan *plan, const char *why,
    struct ldn_error *err)
{
	const char *id = ldn_plan_patient_id(plan);
	char stamp[21], content[65], record[300];
	enum ldn_status rc;
	enum db_rc step;
	char *snapshot;

	if (id == NULL || *id == '\0')
		return ldn_fail(err, LDN_E_SCHEMA, "/id",
		    "a patient needs an id to be stored");
	/* The id is a segment of the patient's address
	 * (/api/v1/patients/ID/...): one holding a slash could be stored
	 * but never opened again. */
	for (const char *c = id; *c; c++)
		if (*c == '/' || (unsigned char)*c < 0x20 || *c == 0x7f)
			return ldn_fail(err, LDN_E_SCHEMA, "/id",
			    "a stored patient's id may not hold \"/\" or a "
			    "control character");
	snapshot = strndup(input, len);
	if (snapshot == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	if ((rc = begin_write(st, err)) != LDN_OK) {
		free(snapshot);
		return rc;
	}
	now_utc(stamp);
	step = query(st,
	    "INSERT INTO patients (id, fhir_id, snapshot, created_at) "
	    "VALUES (?, ?, ?, ?)",
	    DB_ARGS(db_text(id), db_text(ldn_plan_is_fhir(plan) ? id : NULL),
	        db_text(snapshot), db_text(stamp)),
	    NULL);
	if (step == DB_UNIQUE)
		rc = ldn_fail(err, LDN_E_SCHEMA, "/id",
		    "patient \"%s\" is already stored; add a plan or visits "
		    "instead",
		    id);
	else if (step != DB_OK)
		rc = dbfail(st, err, "patient");
	if (rc == LDN_OK) {
		snprintf(record, sizeof(record), "patients/%s", id);
		rc = row_content(st, "patients", id, content)
		    ? audit_append(st, actor, "patient.add", record, content,
		          err)
		    : dbfail(st, err, "patient");
	}
	if (rc == LDN_OK)
		rc = insert_plan(st, actor, input, len, plan, why, err);
	free(snapshot);
	return commit_or_rollback(st, rc, err);
}

static bool
patient_exists(struct ldn_store *st, const char *id)
{
	struct db_res *r = NULL;
	bool found = query(st, "SELECT 1 FROM patients WHERE id = ?",
	                 DB_ARGS(db_text(id)), &r) == DB_OK &&
	    r->n_rows > 0;

	db_res_free(r);
	return found;
}

enum ldn_status
ldn_store_add_plan(struct ldn_store *st, const char *actor, const char *input,
    size_t len, const struct ldn_plan *plan, const char *why,
    struct ldn_error *err)
{
	const char *id = ldn_plan_patient_id(plan);
	const char *as_of = ldn_plan_as_of(plan);
	struct db_res *r = NULL;
	char today[11];
	enum ldn_status rc;

	if (id == NULL || !patient_exists(st, id))
		return ldn_fail(err, LDN_E_SCHEMA, "/id",
		    "patient \"%s\" is not stored", id ? id : "(no id)");
	/* a new plan follows the record: not dated before the latest plan
	 * or visit (the visits after it would be judged by it), nor after
	 * today (no visit could then be recorded) */
	date_format(date_today(), today);
	if (strcmp(as_of, today) > 0)
		return ldn_fail(err, LDN_E_SCHEMA, "as_of",
		    "%s is after today: a new plan is made as of today or "
		    "before",
		    as_of);
	if (query(st,
	        "SELECT (SELECT max(as_of) FROM plans WHERE patient_id = ?), "
	        "(SELECT max(date) FROM visits WHERE patient_id = ?)",
	        DB_ARGS(db_text(id), db_text(id)), &r) != DB_OK)
		return dbfail(st, err, "plan");
	for (size_t c = 0; c < 2; c++) {
		const char *last = db_val(r, 0, c);

		if (last != NULL && strcmp(as_of, last) < 0) {
			rc = ldn_fail(err, LDN_E_SCHEMA, "as_of",
			    "%s is before the patient's latest %s, %s: a new "
			    "plan follows the record",
			    as_of, c == 0 ? "plan" : "visit", last);
			db_res_free(r);
			return rc;
		}
	}
	db_res_free(r);
	if ((rc = begin_write(st, err)) != LDN_OK)
		return rc;
	rc = insert_plan(st, actor, input, len, plan, why, err);
	return commit_or_rollback(st, rc, err);
}

static const char *const side_effect_levels[] = { "none", "mild", "moderate",
	"severe", "serious", NULL };

static enum ldn_status
check_visit(struct ldn_store *st, const char *patient_id,
    const struct ldn_visit *v, struct ldn_error *err)
{
	const int *scores[] = { &v->sleep, &v->mood, &v->energy, &v->clarity };
	static const char *const names[] = { "sleep", "mood", "energy",
		"clarity" };
	int32_t day, as_of;
	bool known = false;

	if (!date_parse(v->date, strlen(v->date), &day))
		return ldn_fail(err, LDN_E_SCHEMA, "date",
		    "\"%s\" is not a date YYYY-MM-DD", v->date);
	if (day > date_today())
		return ldn_fail(err, LDN_E_SCHEMA, "date",
		    "%s is in the future: a visit is recorded after it happens",
		    v->date);
	if (v->pain < 0 || v->pain > 10)
		return ldn_fail(err, LDN_E_SCHEMA, "pain",
		    "must be from 0 to 10, not %d", v->pain);
	for (int i = 0; i < 4; i++)
		if (*scores[i] < -1 || *scores[i] > 10)
			return ldn_fail(err, LDN_E_SCHEMA, names[i],
			    "must be from 0 to 10, not %d", *scores[i]);
	if (v->adherence < -1 || v->adherence > 100)
		return ldn_fail(err, LDN_E_SCHEMA, "adherence",
		    "must be a percentage from 0 to 100, not %d", v->adherence);
	for (int i = 0; side_effect_levels[i] && !known; i++)
		known = v->side_effects &&
		    strcmp(side_effect_levels[i], v->side_effects) == 0;
	if (!known)
		return ldn_fail(err, LDN_E_SCHEMA, "side_effects",
		    "\"%s\" is not none, mild, moderate, severe or serious",
		    v->side_effects ? v->side_effects : "");
	if (v->dose_ug < 0)
		return ldn_fail(err, LDN_E_SCHEMA, "dose",
		    "must not be negative");
	if (v->timing && strcmp(v->timing, "bedtime") != 0 &&
	    strcmp(v->timing, "morning") != 0)
		return ldn_fail(err, LDN_E_SCHEMA, "timing",
		    "\"%s\" is not bedtime or morning", v->timing);
	struct db_res *r = NULL;

	if (query(st,
	        "SELECT as_of, ceiling_ug FROM plans WHERE patient_id = ? "
	        "ORDER BY id DESC LIMIT 1",
	        DB_ARGS(db_text(patient_id)), &r) != DB_OK)
		return dbfail(st, err, "visit");
	if (r->n_rows == 0) {
		db_res_free(r);
		return ldn_fail(err, LDN_E_SCHEMA, "patient",
		    "patient \"%s\" is not stored", patient_id);
	}
	const char *plan_as_of = text_at(r, 0, 0);
	int32_t ceiling = (int32_t)int_at(r, 0, 1);
	enum ldn_status rc = LDN_OK;

	if (date_parse(plan_as_of, strlen(plan_as_of), &as_of) && day < as_of)
		rc = ldn_fail(err, LDN_E_SCHEMA, "date",
		    "%s is before the plan of %s: a visit follows the plan",
		    v->date, plan_as_of);
	else if (v->dose_ug > ceiling) {
		char a[16], b[16];

		mg_string(v->dose_ug, a);
		mg_string(ceiling, b);
		rc = ldn_fail(err, LDN_E_SCHEMA, "dose",
		    "%s mg is above this patient's ceiling of %s mg", a, b);
	}
	db_res_free(r);
	return rc;
}

/* An optional score: NULL when not recorded (-1). */
static struct db_arg
opt_int(int v)
{
	return v < 0 ? (struct db_arg){ .kind = DB_NULL } : db_int(v);
}

enum ldn_status
ldn_store_add_visit(struct ldn_store *st, const char *actor,
    const char *patient_id, const struct ldn_visit *v, struct ldn_error *err)
{
	struct db_res *r = NULL;
	char stamp[21], content[65], record[64];
	enum ldn_status rc;

	if ((rc = begin_write(st, err)) != LDN_OK)
		return rc;
	if ((rc = check_visit(st, patient_id, v, err)) != LDN_OK)
		return commit_or_rollback(st, rc, err);
	now_utc(stamp);
	if (query(st,
	        "INSERT INTO visits (patient_id, date, dose_ug, pain, sleep, "
	        "mood, energy, clarity, side_effects, adherence, notes, "
	        "created_at, timing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	        "?, ?) RETURNING id",
	        DB_ARGS(db_text(patient_id), db_text(v->date),
	            db_int(v->dose_ug), db_int(v->pain), opt_int(v->sleep),
	            opt_int(v->mood), opt_int(v->energy), opt_int(v->clarity),
	            db_text(v->side_effects), opt_int(v->adherence),
	            db_text(v->notes), db_text(stamp), db_text(v->timing)),
	        &r) != DB_OK ||
	    r->n_rows != 1)
		rc = dbfail(st, err, "visit");
	if (rc == LDN_OK) {
		snprintf(record, sizeof(record), "visits/%s", text_at(r, 0, 0));
		rc = row_content(st, "visits", text_at(r, 0, 0), content)
		    ? audit_append(st, actor, "visit.add", record, content, err)
		    : dbfail(st, err, "visit");
	}
	db_res_free(r);
	return commit_or_rollback(st, rc, err);
}

/* Reads are audited: who looked at which patient's record, and when. */
static enum ldn_status
audit_read(struct ldn_store *st, const char *actor, const char *what,
    const char *record, struct ldn_error *err)
{
	char content[65];
	enum ldn_status rc;

	sha256_hex(record, strlen(record), content);
	if ((rc = begin_write(st, err)) != LDN_OK)
		return rc;
	rc = audit_append(st, actor, what, record, content, err);
	return commit_or_rollback(st, rc, err);
}

/* Run one query of a read in a snapshot of its own; *r gets the rows. */
static enum ldn_status
read_rows(struct ldn_store *st, const char *sql, const char *id,
    struct db_res **r, struct ldn_error *err)
{
	enum db_rc rc = id ? query(st, sql, DB_ARGS(db_text(id)), r)
	                   : query(st, sql, NULL, 0, r);

	return rc == DB_OK ? LDN_OK : dbfail(st, err, "read");
}

enum ldn_status
ldn_store_list_patients(struct ldn_store *st, const char *actor, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(1u << 26);
	struct db_res *r = NULL;
	enum ldn_status rc;

	if ((rc = audit_read(st, actor, "patient.list", "patients", err)) !=
	    LDN_OK)
		return rc;
	if ((rc = read_rows(st,
	         "SELECT p.id, pl.decision, pl.earliest_start, "
	         " (SELECT count(*) FROM visits v WHERE v.patient_id = p.id) "
	         "FROM patients p JOIN plans pl ON pl.id = "
	         " (SELECT max(id) FROM plans WHERE patient_id = p.id) "
	         "ORDER BY p.id",
	         NULL, &r, err)) != LDN_OK)
		return rc;
	for (size_t i = 0; i < r->n_rows; i++) {
		const char *es = db_val(r, i, 2);

		sb_printf(&b, "%s\t%s\t%s\t%d\n", text_at(r, i, 0),
		    text_at(r, i, 1), es ? es : "-", (int)int_at(r, i, 3));
	}
	db_res_free(r);
	*out = sb_take(&b, len);
	if (*out == NULL) {
		sb_free(&b);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	return LDN_OK;
}

static const char VISITS_SQL[] =
    "SELECT date, dose_ug, pain, sleep, mood, energy, clarity, "
    "side_effects, adherence, notes, timing FROM visits "
    "WHERE patient_id = ? ORDER BY date, id";

static void
history_json(const struct db_res *plans, const struct db_res *overrides,
    const struct db_res *visits, const char *id, struct strbuf *b)
{
	struct jw w;

	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "patient_id", id);
	jw_key(&w, "plans");
	jw_arr(&w);
	for (size_t i = 0; i < plans->n_rows; i++) {
		jw_obj(&w);
		jw_kstr(&w, "issued_at", db_val(plans, i, 0));
		jw_kstr(&w, "as_of", db_val(plans, i, 1));
		jw_kstr(&w, "decision", db_val(plans, i, 2));
		jw_kstr(&w, "earliest_start", db_val(plans, i, 3));
		jw_key(&w, "ceiling_mg");
		jw_mg(&w, (int32_t)int_at(plans, i, 4));
		jw_kstr(&w, "kb_version", db_val(plans, i, 5));
		jw_kstr(&w, "preset", db_val(plans, i, 7));
		/* where it departs from a default policy: who chose it, why */
		jw_key(&w, "overrides");
		jw_arr(&w);
		for (size_t k = 0; k < overrides->n_rows; k++) {
			if (strcmp(db_val(overrides, k, 0),
			        db_val(plans, i, 6)))
				continue;
			jw_obj(&w);
			jw_kstr(&w, "policy", db_val(overrides, k, 1));
			jw_kstr(&w, "value", db_val(overrides, k, 2));
			jw_kstr(&w, "by", db_val(overrides, k, 3));
			jw_kstr(&w, "why", db_val(overrides, k, 4));
			jw_kstr(&w, "at", db_val(overrides, k, 5));
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "visits");
	jw_arr(&w);
	for (size_t i = 0; i < visits->n_rows; i++) {
		static const char *const keys[] = { "sleep", "mood", "energy",
			"clarity" };

		jw_obj(&w);
		jw_kstr(&w, "date", db_val(visits, i, 0));
		jw_key(&w, "dose_mg");
		jw_mg(&w, (int32_t)int_at(visits, i, 1));
		jw_kint(&w, "pain", (int)int_at(visits, i, 2));
		for (size_t k = 0; k < 4; k++) {
			jw_key(&w, keys[k]);
			if (db_val(visits, i, 3 + k) == NULL)
				jw_null(&w);
			else
				jw_int(&w, (int)int_at(visits, i, 3 + k));
		}
		jw_kstr(&w, "side_effects", db_val(visits, i, 7));
		jw_key(&w, "adherence");
		if (db_val(visits, i, 8) == NULL)
			jw_null(&w);
		else
			jw_int(&w, (int)int_at(visits, i, 8));
		jw_kstr(&w, "notes", db_val(visits, i, 9));
		jw_kstr(&w, "timing", db_val(visits, i, 10));
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
}

/* A CSV field, quoted when it holds a comma, a quote or a line break; one
 * starting like a spreadsheet formula (= + - @) gets a leading ' so that
 * opening the file cannot run it. */
static void
csv_field(struct strbuf *b, const char *t)
{
	const char *s = t ? t : "";

	if (strchr("=+-@", s[0]) != NULL && s[0] != '\0')
		sb_puts(b, "'");
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sb_puts(b, s);
		return;
	}
	sb_puts(b, "\"");
	for (; *s; s++) {
		if (*s == '"')
			sb_puts(b, "\""); /* a quote is doubled */
		sb_add(b, s, 1);
	}
	sb_puts(b, "\"");
}

/* A value for the text table: "-" when not recorded. */
static const char *
or_dash(const struct db_res *r, size_t i, size_t c)
{
	return db_val(r, i, c) ? db_val(r, i, c) : "-";
}

static void
history_rows(const struct db_res *visits, const char *id, bool csv,
    struct strbuf *b)
{
	if (csv)
		sb_puts(b,
		    "date,dose_mg,pain,sleep,mood,energy,clarity,"
		    "side_effects,adherence,notes,timing\n");
	else
		sb_printf(b,
		    "Visits of %s\n%-10s  %7s  %4s  %5s  %4s  %6s  "
		    "%7s  %-9s  %9s  notes\n",
		    id, "date", "dose", "pain", "sleep", "mood", "energy",
		    "clarity", "effects", "adherence");
	for (size_t i = 0; i < visits->n_rows; i++) {
		char mg[16];

		mg_string((int32_t)int_at(visits, i, 1), mg);
		if (csv) {
			for (size_t c = 0; c < 11; c++) {
				if (c)
					sb_puts(b, ",");
				if (c == 1)
					sb_puts(b, mg);
				else
					csv_field(b, db_val(visits, i, c));
			}
			sb_puts(b, "\n");
			continue;
		}
		sb_printf(b,
		    "%-10s  %4s mg  %4d  %5s  %4s  %6s  %7s  %-9s  %9s  %s\n",
		    text_at(visits, i, 0), mg, (int)int_at(visits, i, 2),
		    or_dash(visits, i, 3), or_dash(visits, i, 4),
		    or_dash(visits, i, 5), or_dash(visits, i, 6),
		    text_at(visits, i, 7), or_dash(visits, i, 8),
		    text_at(visits, i, 9));
	}
}

/* Text for XML: the five characters that cannot stand as they are. */
static void
xml_text(struct strbuf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<':
			sb_puts(b, "&lt;");
			break;
		case '>':
			sb_puts(b, "&gt;");
			break;
		case '&':
			sb_puts(b, "&amp;");
			break;
		case '"':
			sb_puts(b, "&quot;");
			break;
		case '\'':
			sb_puts(b, "&apos;");
			break;
		default:
			sb_add(b, s, 1);
		}
}

/*
 * The chart: dose taken (a step line, left axis, mg) and pain (points
 * joined, right axis, 0-10) over the visit dates.  Plain SVG with a title
 * and description for screen readers, the same bytes for the same visits.
 */
static void
history_svg(const struct db_res *visits, const char *id, struct strbuf *b)
{
	enum {
		W = 720,
		H = 340,
		L = 64,
		R = 56,
		T = 48,
		BOT = 56
	};
	struct pt {
		int32_t day, dose_ug;
		int pain;
	} *pts = NULL;
	size_t n = 0, cap = 0;
	int32_t d0, d1, max_ug = 5000;

	for (size_t i = 0; i < visits->n_rows; i++) {
		const char *d = text_at(visits, i, 0);
		int32_t day;

		if (!date_parse(d, strlen(d), &day))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			struct pt *bigger = realloc(pts, cap * sizeof(*pts));
			if (bigger == NULL)
				break;
			pts = bigger;
		}
		pts[n].day = day;
		pts[n].dose_ug = (int32_t)int_at(visits, i, 1);
		pts[n].pain = (int)int_at(visits, i, 2);
		if (pts[n].dose_ug > max_ug)
			max_ug = pts[n].dose_ug;
		n++;
	}
	/* 5 mg, the top of low-dose naltrexone, puts a whole mg on every
	 * second pain line; larger doses round up to a multiple of 5 mg. */
	max_ug = (max_ug + 4999) / 5000 * 5000;
	sb_printf(b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-labelledby=\"t d\" font-family=\"sans-serif\" "
	    "font-size=\"12\">\n",
	    W, H, W, H);
	sb_puts(b, "<title id=\"t\">LDN dose and pain over time</title>\n");
	sb_puts(b, "<desc id=\"d\">Patient ");
	xml_text(b, id);
	sb_printf(b,
	    ": %zu visit%s. Dose in mg (blue steps, left axis) and pain 0 to "
	    "10 (orange points, right axis).</desc>\n",
	    n, n == 1 ? "" : "s");
	sb_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W,
	    H);
	sb_printf(b,
	    "<text x=\"%d\" y=\"24\" font-size=\"15\" "
	    "font-weight=\"bold\">Dose and pain, ",
	    L);
	xml_text(b, id);
	sb_puts(b, "</text>\n");
	/* axes and grid */
	int pw = W - L - R, ph = H - T - BOT;
	sb_printf(b, "<g stroke=\"#ccc\">\n");
	for (int k = 0; k <= 10; k += 2) {
		int y = T + ph - ph * k / 10;

		sb_printf(b,
		    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", L, y,
		    L + pw, y);
	}
	sb_puts(b, "</g>\n");
	for (int k = 0; k <= 10; k += 2) {
		int y = T + ph - ph * k / 10;
		char mg[16];

		mg_string(max_ug * k / 10, mg);
		sb_printf(b,
		    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
		    "fill=\"#1f4e9a\">%s</text>\n",
		    L - 6, y + 4, mg);
		sb_printf(b,
		    "<text x=\"%d\" y=\"%d\" fill=\"#a14d00\">%d</text>\n",
		    L + pw + 6, y + 4, k);
	}
	sb_printf(b,
	    "<text x=\"16\" y=\"%d\" fill=\"#1f4e9a\" "
	    "transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">dose "
	    "(mg)</text>\n",
	    T + ph / 2, T + ph / 2);
	sb_printf(b,
	    "<text x=\"%d\" y=\"%d\" fill=\"#a14d00\" "
	    "transform=\"rotate(90 %d %d)\" text-anchor=\"middle\">pain "
	    "(0-10)</text>\n",
	    W - 14, T + ph / 2, W - 14, T + ph / 2);
	if (n == 0) {
		sb_printf(b,
		    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">No "
		    "visits recorded yet.</text>\n",
		    L + pw / 2, T + ph / 2);
		sb_puts(b, "</svg>\n");
		free(pts);
		return;
	}
	d0 = pts[0].day;
	d1 = pts[n - 1].day > d0 ? pts[n - 1].day : d0 + 1;
#define X(day) (L + (int)((int64_t)pw * ((day)-d0) / (d1 - d0)))
#define YD(ug) (T + ph - (int)((int64_t)ph * (ug) / max_ug))
#define YP(p)  (T + ph - ph * (p) / 10)
	/* date labels: first, last, and the middle */
	for (int k = 0; k < 3; k++) {
		int32_t day = k == 0 ? d0 : k == 1 ? d0 + (d1 - d0) / 2 : d1;
		char ds[11];

		date_format(day, ds);
		sb_printf(b,
		    "<text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>\n",
		    X(day), T + ph + 20, ds);
	}
	/* dose: a step line, each dose held until the next visit */
	sb_puts(b,
	    "<polyline fill=\"none\" stroke=\"#1f4e9a\" "
	    "stroke-width=\"2.5\" points=\"");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_printf(b, "%d,%d ", X(pts[i].day),
			    YD(pts[i - 1].dose_ug));
		sb_printf(b, "%d,%d ", X(pts[i].day), YD(pts[i].dose_ug));
	}
	sb_puts(b, "\"/>\n");
	/* pain: points joined by a thin line */
	sb_puts(b,
	    "<polyline fill=\"none\" stroke=\"#a14d00\" "
	    "stroke-width=\"1.5\" stroke-dasharray=\"4 3\" points=\"");
	for (size_t i = 0; i < n; i++)
		sb_printf(b, "%d,%d ", X(pts[i].day), YP(pts[i].pain));
	sb_puts(b, "\"/>\n");
	for (size_t i = 0; i < n; i++) {
		char ds[11], mg[16];

		date_format(pts[i].day, ds);
		mg_string(pts[i].dose_ug, mg);
		sb_printf(b,
		    "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#a14d00\">"
		    "<title>%s: %s mg, pain %d</title></circle>\n",
		    X(pts[i].day), YP(pts[i].pain), ds, mg, pts[i].pain);
	}
#undef X
#undef YD
#undef YP
	sb_puts(b, "</svg>\n");
	free(pts);
}

enum ldn_status
ldn_store_history(struct ldn_store *st, const char *actor,
    const char *patient_id, enum ldn_history_format format, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(1u << 26);
	struct db_res *plans = NULL, *visits = NULL, *overrides = NULL;
	char record[300];
	enum ldn_status rc;

	if (!patient_exists(st, patient_id))
		return ldn_fail(err, LDN_E_SCHEMA, "patient",
		    "patient \"%s\" is not stored", patient_id);
	snprintf(record, sizeof(record), "patients/%s", patient_id);
	if ((rc = audit_read(st, actor, "history.read", record, err)) != LDN_OK)
		return rc;
	if (st->ops->begin_read(st->db) != DB_OK)
		return dbfail(st, err, "history");
	if (format == LDN_HISTORY_JSON)
		rc = read_rows(st,
		    "SELECT issued_at, as_of, decision, earliest_start, "
		    "ceiling_ug, kb_version, id, preset FROM plans WHERE "
		    "patient_id = ? ORDER BY id",
		    patient_id, &plans, err);
	if (rc == LDN_OK && format == LDN_HISTORY_JSON)
		rc = read_rows(st,
		    "SELECT o.plan_id, o.policy, o.value, o.actor, o.why, o.at "
		    "FROM policy_overrides o JOIN plans p ON p.id = o.plan_id "
		    "WHERE p.patient_id = ? ORDER BY o.id",
		    patient_id, &overrides, err);
	if (rc == LDN_OK)
		rc = read_rows(st, VISITS_SQL, patient_id, &visits, err);
	st->ops->rollback(st->db); /* nothing to keep: it only read */
	if (rc == LDN_OK && format == LDN_HISTORY_JSON)
		history_json(plans, overrides, visits, patient_id, &b);
	else if (rc == LDN_OK && format == LDN_HISTORY_SVG)
		history_svg(visits, patient_id, &b);
	else if (rc == LDN_OK)
		history_rows(visits, patient_id, format == LDN_HISTORY_CSV, &b);
	db_res_free(plans);
	db_res_free(overrides);
	db_res_free(visits);
	if (rc != LDN_OK) {
		sb_free(&b);
		return rc;
	}
	*out = sb_take(&b, len);
	if (*out == NULL) {
		sb_free(&b);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	return LDN_OK;
}

void
ldn_course_free(struct ldn_course *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_visits; i++) {
		free((char *)c->visits[i].side_effects);
		free((char *)c->visits[i].notes);
		free((char *)c->visits[i].timing);
	}
	free(c->visits);
	free(c->holds);
	free(c);
}

/* An optional score from its column: -1 when not recorded. */
static int
opt_at(const struct db_res *r, size_t i, size_t c)
{
	return db_val(r, i, c) ? (int)int_at(r, i, c) : -1;
}

/* A string member of a schedule step, or "". */
static const char *
step_str(const struct jnode *step, const char *key)
{
	const struct jnode *v = tree_get(step, key);

	return v && v->type == J_STR ? v->u.s : "";
}

/* What the course needs from the stored plan's JSON that its columns do
 * not hold: when it doses (/preset/timing; plans stored before plans knew
 * morning dosing have none, and dosed at bedtime), whether its findings
 * keep an opioid under the policy opioid_co_use=relative
 * (policy.opioid_co_use_met), and its holds around procedures (a "hold"
 * step and the "restart" step after it), added to c's.  For an earlier
 * plan (begun: the latest plan's as-of day), only its holds begun by then:
 * a procedure that took place still calls for its restart, one a new plan
 * dropped before it began does not.  A stored plan that does not read is
 * refused: its holds would be lost. */
static enum ldn_status
plan_extras(const char *plan_json, struct ldn_course *c, const char *begun,
    struct ldn_error *err)
{
	struct arena a = ARENA_INIT(1u << 26);
	struct jnode *root;
	bool good = true;
	enum ldn_status rc;

	if (begun == NULL)
		snprintf(c->timing, sizeof(c->timing), "bedtime");
	rc = json_parse(&a, plan_json, strlen(plan_json), 64, &root, err);
	if (rc != LDN_OK) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		arena_free(&a);
		return ldn_fail(err, rc == LDN_E_NOMEM ? rc : LDN_E_IO, "plan",
		    "the stored plan of %s does not read: %s", c->patient_id,
		    why);
	}
	const struct jnode *v = tree_get(tree_get(root, "preset"), "timing");
	const struct jnode *f = tree_get(root, "findings");
	const struct jnode *s = tree_get(root, "schedule");

	if (begun == NULL && v && v->type == J_STR &&
	    strcmp(v->u.s, "morning") == 0)
		snprintf(c->timing, sizeof(c->timing), "morning");
	/* an opioid kept under opioid_co_use=relative */
	for (size_t i = 0; begun == NULL && f && f->type == J_ARR && i < f->n;
	     i++) {
		const struct jnode *id = tree_get(&f->u.items[i], "id");

		c->opioid_kept |= id && id->type == J_STR &&
		    strcmp(id->u.s, "policy.opioid_co_use_met") == 0;
	}
	size_t n = s && s->type == J_ARR ? s->n : 0;
	struct ldn_hold *more =
	    n ? realloc(c->holds, (c->n_holds + n) * sizeof(*c->holds)) : NULL;
	bool open = false; /* the hold step just read is kept */

	if (n && more == NULL)
		good = false;
	else if (n)
		c->holds = more;
	for (size_t i = 0; good && i < n; i++) {
		const struct jnode *st = &s->u.items[i];
		const char *kind = step_str(st, "kind");
		const char *day = step_str(st, "date");
		struct ldn_hold *h;

		if (strcmp(kind, "hold") == 0 &&
		    (begun == NULL || strcmp(day, begun) <= 0)) {
			h = &c->holds[c->n_holds++];
			*h = (struct ldn_hold){ .from = "", .until = "" };
			snprintf(h->from, sizeof(h->from), "%.10s", day);
			open = true;
		} else if (strcmp(kind, "hold") == 0) {
			open = false;
		} else if (strcmp(kind, "restart") == 0 && open) {
			h = &c->holds[c->n_holds - 1];
			snprintf(h->until, sizeof(h->until), "%.10s", day);
			open = false;
		}
	}
	arena_free(&a);
	return good ? LDN_OK : ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
}

static int
hold_cmp(const void *a, const void *b)
{
	const struct ldn_hold *x = a, *y = b;
	int k = strcmp(x->from, y->from);

	return k ? k : strcmp(x->until, y->until);
}

/* The holds in date order, each overlap (the same procedure in several
 * plans, or two close together) made one hold over both; a hold with no
 * restart day ("") lasts until a new plan. */
static void
merge_holds(struct ldn_course *c)
{
	size_t n = 0;

	if (c->n_holds == 0)
		return;
	qsort(c->holds, c->n_holds, sizeof(*c->holds), hold_cmp);
	for (size_t i = 1; i < c->n_holds; i++) {
		struct ldn_hold *h = &c->holds[n], *o = &c->holds[i];
		bool open = h->until[0] == '\0';

		if (open || strcmp(o->from, h->until) < 0) {
			if (!open &&
			    (o->until[0] == '\0' ||
			        strcmp(o->until, h->until) > 0))
				memcpy(h->until, o->until, sizeof(h->until));
			continue;
		}
		c->holds[++n] = *o;
	}
	c->n_holds = n + 1;
}

/* The course from the plans' rows (the latest first) and the visits' rows,
 * or NULL with err set. */
static struct ldn_course *
course_of(const char *id, const struct db_res *plan,
    const struct db_res *visits, struct ldn_error *err)
{
	struct ldn_course *c = calloc(1, sizeof(*c));
	bool good = c != NULL;

	if (!good) {
		ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
		return NULL;
	}
	snprintf(c->patient_id, sizeof(c->patient_id), "%s", id);
	snprintf(c->as_of, sizeof(c->as_of), "%s", text_at(plan, 0, 0));
	snprintf(c->decision, sizeof(c->decision), "%s", text_at(plan, 0, 1));
	snprintf(c->earliest_start, sizeof(c->earliest_start), "%s",
	    text_at(plan, 0, 2));
	c->start_ug = (int32_t)int_at(plan, 0, 3);
	c->step_ug = (int32_t)int_at(plan, 0, 4);
	c->interval_d = (int)int_at(plan, 0, 5);
	c->ceiling_ug = (int32_t)int_at(plan, 0, 6);
	/* the latest plan (row 0), then the holds begun of earlier ones */
	for (size_t i = 0; i < plan->n_rows; i++)
		if (plan_extras(text_at(plan, i, 7), c, i ? c->as_of : NULL,
		        err) != LDN_OK) {
			ldn_course_free(c);
			return NULL;
		}
	merge_holds(c);
	if (visits->n_rows > 0) {
		c->visits = calloc(visits->n_rows, sizeof(*c->visits));
		good = c->visits != NULL;
	}
	for (size_t i = 0; good && i < visits->n_rows; i++) {
		struct ldn_visit *v = &c->visits[i];

		c->n_visits++;
		snprintf(v->date, sizeof(v->date), "%s", text_at(visits, i, 0));
		v->dose_ug = (int32_t)int_at(visits, i, 1);
		v->pain = (int)int_at(visits, i, 2);
		v->sleep = opt_at(visits, i, 3);
		v->mood = opt_at(visits, i, 4);
		v->energy = opt_at(visits, i, 5);
		v->clarity = opt_at(visits, i, 6);
		v->side_effects = strdup(text_at(visits, i, 7));
		v->adherence = opt_at(visits, i, 8);
		if (db_val(visits, i, 9))
			good =
			    (v->notes = strdup(db_val(visits, i, 9))) != NULL;
		if (good && db_val(visits, i, 10))
			good =
			    (v->timing = strdup(db_val(visits, i, 10))) != NULL;
		good = good && v->side_effects != NULL;
	}
	if (!good) {
		ldn_course_free(c);
		ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
		return NULL;
	}
	return c;
}

enum ldn_status
ldn_store_course(struct ldn_store *st, const char *actor,
    const char *patient_id, struct ldn_course **out, struct ldn_error *err)
{
	struct db_res *plan = NULL, *visits = NULL;
	char record[300];
	enum ldn_status rc;

	*out = NULL;
	if (patient_id == NULL || !patient_exists(st, patient_id))
		return ldn_fail(err, LDN_E_SCHEMA, "patient",
		    "patient \"%s\" is not stored",
		    patient_id ? patient_id : "");
	snprintf(record, sizeof(record), "patients/%s", patient_id);
	if ((rc = audit_read(st, actor, "course.read", record, err)) != LDN_OK)
		return rc;
	if (st->ops->begin_read(st->db) != DB_OK)
		return dbfail(st, err, "course");
	rc = read_rows(st,
	    "SELECT as_of, decision, earliest_start, start_ug, step_ug, "
	    "interval_d, ceiling_ug, plan_json FROM plans WHERE patient_id = ? "
	    "ORDER BY id DESC",
	    patient_id, &plan, err);
	if (rc == LDN_OK)
		rc = read_rows(st, VISITS_SQL, patient_id, &visits, err);
	st->ops->rollback(st->db); /* nothing to keep: it only read */
	if (rc == LDN_OK && plan->n_rows == 0)
		rc = ldn_fail(err, LDN_E_SCHEMA, "patient",
		    "patient \"%s\" has no plan", patient_id);
	if (rc == LDN_OK &&
	    (*out = course_of(patient_id, plan, visits, err)) == NULL)
		rc = err->code;
	db_res_free(plan);
	db_res_free(visits);
	return rc;
}

/* The first row of a's table with no audit row of its action, if any. */
static enum ldn_status
unaudited(struct ldn_store *st, const struct audited *a, struct ldn_error *err)
{
	char sql[256];
	struct db_res *r = NULL;
	enum ldn_status rc = LDN_OK;

	snprintf(sql, sizeof(sql),
	    "SELECT %s FROM %s WHERE '%s/' || %s NOT IN "
	    "(SELECT record FROM audit WHERE action = '%s') LIMIT 1",
	    a->key, a->table, a->table, a->key, a->action);
	if (query(st, sql, NULL, 0, &r) != DB_OK)
		return dbfail(st, err, "audit verify");
	if (r->n_rows > 0) {
		char where[300];

		snprintf(where, sizeof(where), "%s/%s", a->table,
		    text_at(r, 0, 0));
		rc = ldn_fail(err, LDN_E_BUG, where,
		    "is in the store but not in the audit log: it was added "
		    "behind the store's back, or its log rows are gone");
	}
	db_res_free(r);
	return rc;
}

/* Check one audit row (of the result r, row i) against the one before it
 * (prev) and against the record it audits. */
static enum ldn_status
verify_row(struct ldn_store *st, const struct db_res *r, size_t i,
    long long expect, const char *prev, struct ldn_error *err)
{
	long long seq = int_at(r, i, 0);
	const char *at = text_at(r, i, 1), *actor = text_at(r, i, 2);
	const char *action = text_at(r, i, 3), *record = text_at(r, i, 4);
	const char *chash = text_at(r, i, 5), *phash = text_at(r, i, 6);
	const char *h = text_at(r, i, 7), *slash = strchr(record, '/');
	char hash[65], where[64];

	snprintf(where, sizeof(where), "audit/%lld", seq);
	if (seq != expect)
		return ldn_fail(err, LDN_E_BUG, where,
		    "row %lld is missing: the log has a gap", expect);
	if (strcmp(phash, prev) != 0)
		return ldn_fail(err, LDN_E_BUG, where,
		    "does not chain to the row before it");
	if (!audit_hash(prev, seq, at, actor, action, record, chash, hash) ||
	    strcmp(hash, h) != 0)
		return ldn_fail(err, LDN_E_BUG, where,
		    "its hash does not match its contents: the row was "
		    "changed");
	char table[32];

	snprintf(table, sizeof(table), "%.*s",
	    slash ? (int)(slash - record) : 0, record);
	if (slash && audited_table(table) &&
	    strcmp(audited_table(table)->action, action) == 0) {
		struct db_res *row;
		bool same;

		if ((row = row_fetch(st, table, slash + 1)) == NULL)
			return ldn_fail(err, LDN_E_BUG, where,
			    "%s, which it audits, is missing", record);
		same = row_matches(row, table, chash);
		db_res_free(row);
		if (!same)
			return ldn_fail(err, LDN_E_BUG, where,
			    "%s was changed after it was written", record);
	}
	return LDN_OK;
}

enum ldn_status
ldn_store_audit_verify(struct ldn_store *st, size_t *n_rows, char last_hash[65],
    struct ldn_error *err)
{
	struct db_res *r = NULL;
	char prev[65];
	enum ldn_status rc = LDN_OK;

	*n_rows = 0;
	snprintf(prev, sizeof(prev), "%s", GENESIS);
	if (st->ops->begin_read(st->db) != DB_OK)
		return dbfail(st, err, "audit verify");
	if (query(st,
	        "SELECT seq, at, actor, action, record, content_hash, "
	        "prev_hash, hash FROM audit ORDER BY seq",
	        NULL, 0, &r) != DB_OK) {
		rc = dbfail(st, err, "audit verify");
		st->ops->rollback(st->db);
		snprintf(last_hash, 65, "%s", prev);
		return rc;
	}
	for (size_t i = 0; rc == LDN_OK && i < r->n_rows; i++) {
		rc = verify_row(st, r, i, (long long)i + 1, prev, err);
		snprintf(prev, sizeof(prev), "%s", text_at(r, i, 7));
		(*n_rows)++;
	}
	db_res_free(r);
	/* Every stored record must be in the log. */
	for (size_t i = 0; rc == LDN_OK && i < N_AUDITED; i++)
		rc = unaudited(st, &audited[i], err);
	st->ops->rollback(st->db); /* nothing to keep: it only read */
	snprintf(last_hash, 65, "%s", prev);
	return rc;
}

static const char *const roles[] = { "clinician", "pharmacist", "reviewer",
	"admin", NULL };

enum ldn_status
ldn_store_add_token(struct ldn_store *st, const char *actor, const char *name,
    const char *role, char token[65], struct ldn_error *err)
{
	unsigned char raw[32];
	static const char hex[] = "0123456789abcdef";
	char hash[65], stamp[21], content[65], record[300];
	bool known = false;
	enum ldn_status rc;
	enum db_rc q;

	for (int i = 0; roles[i] && !known; i++)
		known = role && strcmp(roles[i], role) == 0;
	if (!known)
		return ldn_fail(err, LDN_E_SCHEMA, "role",
		    "\"%s\" is not clinician, pharmacist, reviewer or admin",
		    role ? role : "");
	if (name == NULL || *name == '\0' || strlen(name) > 255 ||
	    strchr(name, '/') != NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "name",
		    "a token's name is 1 to 255 bytes without \"/\"");
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return ldn_fail(err, LDN_E_IO, "token",
		    "no random bytes for a token");
	for (int i = 0; i < 32; i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 15];
	}
	token[64] = '\0';
	sha256_hex(token, 64, hash);
	now_utc(stamp);
	if ((rc = begin_write(st, err)) != LDN_OK)
		return rc;
	q = query(st, "INSERT INTO api_tokens VALUES (?, ?, ?, ?)",
	    DB_ARGS(db_text(name), db_text(role), db_text(hash),
	        db_text(stamp)),
	    NULL);
	if (q == DB_UNIQUE)
		rc = ldn_fail(err, LDN_E_SCHEMA, "name",
		    "a token named \"%s\" exists already", name);
	else if (q != DB_OK)
		rc = dbfail(st, err, "token");
	if (rc == LDN_OK) {
		snprintf(record, sizeof(record), "api_tokens/%s", name);
		rc = row_content(st, "api_tokens", name, content)
		    ? audit_append(st, actor, "token.add", record, content, err)
		    : dbfail(st, err, "token");
	}
	if (rc != LDN_OK)
		memset(token, 0, 65);
	return commit_or_rollback(st, rc, err);
}

enum ldn_status
ldn_store_token(struct ldn_store *st, const char *token, char name[256],
    char role[16], struct ldn_error *err)
{
	struct db_res *r = NULL;
	char hash[65];
	enum ldn_status rc = LDN_OK;

	if (token == NULL || strlen(token) != 64)
		return ldn_fail(err, LDN_E_SCHEMA, "token",
		    "not a token this server issued");
	sha256_hex(token, 64, hash);
	if (query(st, "SELECT name, role FROM api_tokens WHERE token_hash = ?",
	        DB_ARGS(db_text(hash)), &r) != DB_OK)
		return dbfail(st, err, "token");
	if (r->n_rows != 1)
		rc = ldn_fail(err, LDN_E_SCHEMA, "token",
		    "not a token this server issued");
	else {
		snprintf(name, 256, "%s", text_at(r, 0, 0));
		snprintf(role, 16, "%s", text_at(r, 0, 1));
	}
	db_res_free(r);
	return rc;
}

enum ldn_status
ldn_store_add_feedback(struct ldn_store *st, const char *actor,
    const char *service, const char *card, const char *outcome,
    const char *outcome_timestamp, const char *detail, struct ldn_error *err)
{
	struct db_res *r = NULL;
	char stamp[21], content[65], record[64];
	enum ldn_status rc;

	if (outcome == NULL ||
	    (strcmp(outcome, "accepted") != 0 &&
	        strcmp(outcome, "overridden") != 0))
		return ldn_fail(err, LDN_E_SCHEMA, "outcome",
		    "\"%s\" is not accepted or overridden",
		    outcome ? outcome : "");
	if (card == NULL || *card == '\0' || strlen(card) > 255)
		return ldn_fail(err, LDN_E_SCHEMA, "card",
		    "a card's uuid is 1 to 255 bytes");
	if (outcome_timestamp == NULL || *outcome_timestamp == '\0' ||
	    strlen(outcome_timestamp) > 64)
		return ldn_fail(err, LDN_E_SCHEMA, "outcomeTimestamp",
		    "is required (an instant, at most 64 bytes)");
	now_utc(stamp);
	if ((rc = begin_write(st, err)) != LDN_OK)
		return rc;
	if (query(st,
	        "INSERT INTO cds_feedback (service, card, outcome, "
	        "outcome_timestamp, detail, received_at) VALUES (?, ?, ?, ?, "
	        "?, ?) RETURNING id",
	        DB_ARGS(db_text(service), db_text(card), db_text(outcome),
	            db_text(outcome_timestamp), db_text(detail),
	            db_text(stamp)),
	        &r) != DB_OK ||
	    r->n_rows != 1)
		rc = dbfail(st, err, "feedback");
	if (rc == LDN_OK) {
		snprintf(record, sizeof(record), "cds_feedback/%s",
		    text_at(r, 0, 0));
		rc = row_content(st, "cds_feedback", text_at(r, 0, 0), content)
		    ? audit_append(st, actor, "feedback.add", record, content,
		          err)
		    : dbfail(st, err, "feedback");
	}
	db_res_free(r);
	return commit_or_rollback(st, rc, err);
}

enum ldn_status
ldn_store_review_seq(struct ldn_store *st, long long *seq,
    struct ldn_error *err)
{
	struct db_res *r = NULL;

	if (query(st, "SELECT COALESCE(MAX(seq), 0) FROM kb_review", NULL, 0,
	        &r) != DB_OK)
		return dbfail(st, err, "review log");
	*seq = r->n_rows == 1 ? int_at(r, 0, 0) : 0;
	db_res_free(r);
	return LDN_OK;
}

enum ldn_status
ldn_store_review_append(struct ldn_store *st, const struct ldn_review_row *row,
    long long after_seq, long long *seq, struct ldn_error *err)
{
	struct db_res *r = NULL;
	char stamp[21], content[65], record[64];
	long long last = 0;
	enum ldn_status rc;

	now_utc(stamp);
	if ((rc = begin_write(st, err)) != LDN_OK)
		return rc;
	if (query(st, "SELECT COALESCE(MAX(seq), 0) FROM kb_review", NULL, 0,
	        &r) != DB_OK ||
	    r->n_rows != 1)
		rc = dbfail(st, err, "review log");
	else
		last = int_at(r, 0, 0);
	db_res_free(r);
	if (rc == LDN_OK && last != after_seq)
		rc = ldn_fail(err, LDN_E_SCHEMA, "version",
		    "the review log changed since this was read (row %lld, "
		    "not %lld): reload and decide again",
		    last, after_seq);
	if (rc == LDN_OK &&
	    query(st,
	        "INSERT INTO kb_review VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        DB_ARGS(db_int(last + 1), db_text(row->kind),
	            db_text(row->item), db_text(row->version),
	            db_text(row->state), db_text(row->actor), db_text(stamp),
	            db_text(row->why), db_text(row->content)),
	        NULL) != DB_OK)
		rc = dbfail(st, err, "review log");
	if (rc == LDN_OK) {
		snprintf(record, sizeof(record), "kb_review/%lld", last + 1);
		snprintf(stamp, sizeof(stamp), "%lld", last + 1);
		rc = row_content(st, "kb_review", stamp, content)
		    ? audit_append(st, row->actor, "kb.review", record, content,
		          err)
		    : dbfail(st, err, "review log");
	}
	rc = commit_or_rollback(st, rc, err);
	if (rc == LDN_OK && seq != NULL)
		*seq = last + 1;
	return rc;
}

enum ldn_status
ldn_store_review_log(struct ldn_store *st, long long after,
    bool (*cb)(void *ud, const struct ldn_review_row *row), void *ud,
    size_t *unvouched, long long *last, struct ldn_error *err)
{
	struct db_res *r = NULL;
	char hash[65];

	/* The columns in the table's order, then the content hash its
	 * audit row vouches for: a row written behind the store's back has
	 * none, or one that does not match, and is not passed on. */
	if (query(st,
	        "SELECT r.seq, r.kind, r.item, r.version, r.state, r.actor, "
	        "r.at, r.why, r.content, a.content_hash FROM kb_review r "
	        "LEFT JOIN audit a ON a.action = 'kb.review' AND a.record = "
	        "'kb_review/' || CAST(r.seq AS TEXT) WHERE r.seq > ? "
	        "ORDER BY r.seq",
	        DB_ARGS(db_int(after)), &r) != DB_OK)
		return dbfail(st, err, "review log");
	*unvouched = 0;
	*last = after;
	for (size_t i = 0; i < r->n_rows; i++) {
		const char *vouched = db_val(r, i, 9);

		*last = int_at(r, i, 0);
		if (vouched == NULL || !row_hash_at(r, i, 9, hash) ||
		    strcmp(hash, vouched) != 0) {
			(*unvouched)++;
			continue;
		}
		struct ldn_review_row row = {
			.seq = int_at(r, i, 0),
			.kind = text_at(r, i, 1),
			.item = text_at(r, i, 2),
			.version = text_at(r, i, 3),
			.state = text_at(r, i, 4),
			.actor = text_at(r, i, 5),
			.at = text_at(r, i, 6),
			.why = text_at(r, i, 7),
			.content = text_at(r, i, 8),
		};

		if (!cb(ud, &row))
			break;
	}
	db_res_free(r);
	return LDN_OK;
}
