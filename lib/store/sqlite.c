/*
 * The store on SQLite: WAL, synchronous=FULL, a busy timeout for several
 * writers, migrations from sql/sqlite/ applied in name order.  Each write
 * and its audit row are one BEGIN IMMEDIATE transaction, which also
 * serialises the audit chain between processes.
 */
#include "ldn/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "../base/date.h"
#include "../base/dose.h"
#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../base/strbuf.h"

struct ldn_store {
	sqlite3 *db;
};

static const char GENESIS[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static enum ldn_status
dbfail(struct ldn_store *st, struct ldn_error *err, const char *what)
{
	return ldn_fail(err, LDN_E_IO, "store", "%s: %s", what,
	    st->db ? sqlite3_errmsg(st->db) : "no database");
}

/* SHA-256 of n bytes as 64 hex digits and a NUL. */
static void
sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	static const char hex[] = "0123456789abcdef";

	EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

static void
now_utc(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static enum ldn_status
exec(struct ldn_store *st, const char *sql, struct ldn_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		enum ldn_status rc = ldn_fail(err, LDN_E_IO, "store", "%s",
		    msg ? msg : "statement failed");

		sqlite3_free(msg);
		return rc;
	}
	return LDN_OK;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Apply, in name order, every migration not yet recorded. */
static enum ldn_status
migrate(struct ldn_store *st, const char *dir, struct ldn_error *err)
{
	char path[1024], *names[256];
	size_t n = 0;
	DIR *d;
	struct dirent *e;
	enum ldn_status rc = LDN_OK;

	if ((rc = exec(st,
	         "CREATE TABLE IF NOT EXISTS schema_migrations ("
	         " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT",
	         err)) != LDN_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/sqlite", dir);
	if ((d = opendir(path)) == NULL)
		return ldn_fail(err, LDN_E_IO, path, "no migrations here");
	while ((e = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(e->d_name);

		if (l > 4 && strcmp(e->d_name + l - 4, ".sql") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n && rc == LDN_OK; i++) {
		sqlite3_stmt *q;
		bool done;
		char stamp[21];
		FILE *fp;
		struct strbuf sql = STRBUF_INIT(1u << 22);
		char buf[4096];
		size_t got;

		sqlite3_prepare_v2(st->db,
		    "SELECT 1 FROM schema_migrations WHERE name = ?", -1, &q,
		    NULL);
		sqlite3_bind_text(q, 1, names[i], -1, SQLITE_STATIC);
		done = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
		if (done)
			continue;
		snprintf(path, sizeof(path), "%s/sqlite/%s", dir, names[i]);
		if ((fp = fopen(path, "r")) == NULL) {
			rc = ldn_fail(err, LDN_E_IO, path, "cannot read");
			break;
		}
		while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
			sb_add(&sql, buf, got);
		fclose(fp);
		now_utc(stamp);
		if ((rc = exec(st, "BEGIN IMMEDIATE", err)) == LDN_OK) {
			/* another process may have applied it meanwhile */
			sqlite3_prepare_v2(st->db,
			    "SELECT 1 FROM schema_migrations WHERE name = ?",
			    -1, &q, NULL);
			sqlite3_bind_text(q, 1, names[i], -1, SQLITE_STATIC);
			done = sqlite3_step(q) == SQLITE_ROW;
			sqlite3_finalize(q);
			if (done) {
				rc = exec(st, "COMMIT", err);
				sb_free(&sql);
				continue;
			}
			if (sql.failed)
				rc = ldn_fail(err, LDN_E_NOMEM, path,
				    "migration too large");
			else
				rc = exec(st, sb_cstr(&sql), err);
		}
		if (rc == LDN_OK) {
			sqlite3_prepare_v2(st->db,
			    "INSERT INTO schema_migrations VALUES (?, ?)", -1,
			    &q, NULL);
			sqlite3_bind_text(q, 1, names[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 2, stamp, -1, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_DONE)
				rc = dbfail(st, err, names[i]);
			sqlite3_finalize(q);
		}
		rc = rc == LDN_OK ? exec(st, "COMMIT", err)
		                  : (exec(st, "ROLLBACK", NULL), rc);
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
	enum ldn_status rc;

	if (strncmp(url, "sqlite:", 7) != 0 || url[7] == '\0')
		return ldn_fail(err, LDN_E_SCHEMA, "db",
		    "\"%s\" is not a store URL: use sqlite:PATH", url);
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "db", "out of memory");
	if (sqlite3_open_v2(url + 7, &st->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	            SQLITE_OPEN_FULLMUTEX,
	        NULL) != SQLITE_OK) {
		rc = dbfail(st, err, url + 7);
		ldn_store_close(st);
		return rc;
	}
	sqlite3_busy_timeout(st->db, 10000);
	if ((rc = exec(st, "PRAGMA journal_mode=WAL", err)) != LDN_OK ||
	    (rc = exec(st, "PRAGMA synchronous=FULL", err)) != LDN_OK ||
	    (rc = exec(st, "PRAGMA foreign_keys=ON", err)) != LDN_OK ||
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
	sqlite3_close(st->db);
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
	sqlite3_stmt *q;
	char prev[65], hash[65], at[21];
	long long seq = 1;

	snprintf(prev, sizeof(prev), "%s", GENESIS);
	sqlite3_prepare_v2(st->db,
	    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1, &q,
	    NULL);
	if (sqlite3_step(q) == SQLITE_ROW) {
		seq = sqlite3_column_int64(q, 0) + 1;
		snprintf(prev, sizeof(prev), "%s",
		    (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	now_utc(at);
	if (!audit_hash(prev, seq, at, actor, action, record, content_hash,
	        hash))
		return ldn_fail(err, LDN_E_NOMEM, "audit",
		    "cannot hash the row");
	sqlite3_prepare_v2(st->db,
	    "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &q, NULL);
	sqlite3_bind_int64(q, 1, seq);
	sqlite3_bind_text(q, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, record, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, content_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, hash, -1, SQLITE_STATIC);
	enum ldn_status rc =
	    sqlite3_step(q) == SQLITE_DONE ? LDN_OK : dbfail(st, err, "audit");
	sqlite3_finalize(q);
	return rc;
}

/*
 * The content hash of a stored record, table/key: every column of its row,
 * in the table's order, NULLs marked, so a change to any of them is found.
 * false if the row is not there (or the query fails).
 */
static bool
row_content(struct ldn_store *st, const char *table, const char *key,
    char out[65])
{
	char sql[128];
	sqlite3_stmt *q;
	struct hasher h;
	bool found;

	if (strcmp(table, "patients") == 0)
		snprintf(sql, sizeof(sql),
		    "SELECT * FROM patients WHERE id = ?");
	else if (strcmp(table, "plans") == 0 || strcmp(table, "visits") == 0)
		snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE id = ?",
		    table);
	else
		return false;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW && h_init(&h);
	if (found) {
		for (int c = 0; c < sqlite3_column_count(q); c++) {
			const unsigned char *t = sqlite3_column_text(q, c);

			h_field(&h, t, (size_t)sqlite3_column_bytes(q, c),
			    sqlite3_column_type(q, c) == SQLITE_NULL);
		}
		found = h_final(&h, out);
	}
	sqlite3_finalize(q);
	return found;
}

static enum ldn_status
insert_plan(struct ldn_store *st, const char *actor, const char *input,
    size_t len, const struct ldn_plan *plan, struct ldn_error *err)
{
	const struct ldn_kb *kb = ldn_plan_kb(plan);
	char *json = NULL, stamp[21], input_hash[65], content[65], record[64];
	size_t json_len;
	sqlite3_stmt *q;
	enum ldn_status rc;
	const char *es = ldn_plan_earliest_start(plan);

	if ((rc = ldn_plan_render(plan, LDN_FORMAT_JSON, LDN_AUDIENCE_CLINICIAN,
	         &json, &json_len, err)) != LDN_OK)
		return rc;
	sha256_hex(input, len, input_hash);
	now_utc(stamp);
	sqlite3_prepare_v2(st->db,
	    "INSERT INTO plans (patient_id, issued_at, as_of, kb_version, "
	    "kb_fingerprint, input_hash, preset, decision, earliest_start, "
	    "ceiling_ug, plan_json) VALUES (?, ?, ?, ?, ?, ?, 'seed', ?, ?, "
	    "?, ?)",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, ldn_plan_patient_id(plan), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, stamp, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, ldn_plan_as_of(plan), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, ldn_kb_version(kb), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, ldn_kb_fingerprint(kb), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, input_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, ldn_decision_name(ldn_plan_decision(plan)), -1,
	    SQLITE_STATIC);
	if (*es)
		sqlite3_bind_text(q, 8, es, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 8);
	sqlite3_bind_int(q, 9, ldn_plan_ceiling_ug(plan));
	sqlite3_bind_text(q, 10, json, (int)json_len, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? LDN_OK : dbfail(st, err, "plan");
	sqlite3_finalize(q);
	free(json);
	if (rc != LDN_OK)
		return rc;
	char key[24];

	snprintf(key, sizeof(key), "%lld",
	    (long long)sqlite3_last_insert_rowid(st->db));
	snprintf(record, sizeof(record), "plans/%s", key);
	if (!row_content(st, "plans", key, content))
		return dbfail(st, err, "plan");
	return audit_append(st, actor, "plan.issue", record, content, err);
}

/* End the write transaction: commit on success, else roll back. */
static enum ldn_status
commit_or_rollback(struct ldn_store *st, enum ldn_status rc,
    struct ldn_error *err)
{
	if (rc == LDN_OK && (rc = exec(st, "COMMIT", err)) == LDN_OK)
		return LDN_OK;
	/* a failed COMMIT must not leave the transaction open */
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK", NULL);
	return rc;
}

enum ldn_status
ldn_store_add_patient(struct ldn_store *st, const char *actor,
    const char *input, size_t len, const struct ldn_plan *plan,
    struct ldn_error *err)
{
	const char *id = ldn_plan_patient_id(plan);
	sqlite3_stmt *q;
	char stamp[21], content[65], record[300];
	enum ldn_status rc;
	char *snapshot;

	if (id == NULL || *id == '\0')
		return ldn_fail(err, LDN_E_SCHEMA, "/id",
		    "a patient needs an id to be stored");
	if ((rc = exec(st, "BEGIN IMMEDIATE", err)) != LDN_OK)
		return rc;
	snapshot = strndup(input, len);
	if (snapshot == NULL) {
		exec(st, "ROLLBACK", NULL);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	now_utc(stamp);
	sqlite3_prepare_v2(st->db,
	    "INSERT INTO patients (id, fhir_id, snapshot, created_at) "
	    "VALUES (?, ?, ?, ?)",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (ldn_plan_is_fhir(plan))
		sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 2);
	sqlite3_bind_text(q, 3, snapshot, (int)strlen(snapshot), SQLITE_STATIC);
	sqlite3_bind_text(q, 4, stamp, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step == SQLITE_CONSTRAINT)
		rc = ldn_fail(err, LDN_E_SCHEMA, "/id",
		    "patient \"%s\" is already stored; add a plan or visits "
		    "instead",
		    id);
	else if (step != SQLITE_DONE)
		rc = dbfail(st, err, "patient");
	if (rc == LDN_OK) {
		snprintf(record, sizeof(record), "patients/%s", id);
		rc = row_content(st, "patients", id, content)
		    ? audit_append(st, actor, "patient.add", record, content,
		          err)
		    : dbfail(st, err, "patient");
	}
	if (rc == LDN_OK)
		rc = insert_plan(st, actor, input, len, plan, err);
	free(snapshot);
	return commit_or_rollback(st, rc, err);
}

static bool
patient_exists(struct ldn_store *st, const char *id)
{
	sqlite3_stmt *q;
	bool found;

	sqlite3_prepare_v2(st->db, "SELECT 1 FROM patients WHERE id = ?", -1,
	    &q, NULL);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found;
}

enum ldn_status
ldn_store_add_plan(struct ldn_store *st, const char *actor, const char *input,
    size_t len, const struct ldn_plan *plan, struct ldn_error *err)
{
	const char *id = ldn_plan_patient_id(plan);
	enum ldn_status rc;

	if (id == NULL || !patient_exists(st, id))
		return ldn_fail(err, LDN_E_SCHEMA, "/id",
		    "patient \"%s\" is not stored", id ? id : "(no id)");
	if ((rc = exec(st, "BEGIN IMMEDIATE", err)) != LDN_OK)
		return rc;
	rc = insert_plan(st, actor, input, len, plan, err);
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
	sqlite3_stmt *q;

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
	sqlite3_prepare_v2(st->db,
	    "SELECT as_of, ceiling_ug FROM plans WHERE patient_id = ? "
	    "ORDER BY id DESC LIMIT 1",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, patient_id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return ldn_fail(err, LDN_E_SCHEMA, "patient",
		    "patient \"%s\" is not stored", patient_id);
	}
	const char *plan_as_of = (const char *)sqlite3_column_text(q, 0);
	int32_t ceiling = sqlite3_column_int(q, 1);
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
	sqlite3_finalize(q);
	return rc;
}

static void
bind_opt(sqlite3_stmt *q, int col, int v)
{
	if (v < 0)
		sqlite3_bind_null(q, col);
	else
		sqlite3_bind_int(q, col, v);
}

enum ldn_status
ldn_store_add_visit(struct ldn_store *st, const char *actor,
    const char *patient_id, const struct ldn_visit *v, struct ldn_error *err)
{
	sqlite3_stmt *q;
	char stamp[21], content[65], record[64];
	enum ldn_status rc;

	if ((rc = exec(st, "BEGIN IMMEDIATE", err)) != LDN_OK)
		return rc;
	if ((rc = check_visit(st, patient_id, v, err)) != LDN_OK)
		return commit_or_rollback(st, rc, err);
	now_utc(stamp);
	sqlite3_prepare_v2(st->db,
	    "INSERT INTO visits (patient_id, date, dose_ug, pain, sleep, mood, "
	    "energy, clarity, side_effects, adherence, notes, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, patient_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, v->date, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, v->dose_ug);
	sqlite3_bind_int(q, 4, v->pain);
	bind_opt(q, 5, v->sleep);
	bind_opt(q, 6, v->mood);
	bind_opt(q, 7, v->energy);
	bind_opt(q, 8, v->clarity);
	sqlite3_bind_text(q, 9, v->side_effects, -1, SQLITE_STATIC);
	bind_opt(q, 10, v->adherence);
	if (v->notes)
		sqlite3_bind_text(q, 11, v->notes, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 11);
	sqlite3_bind_text(q, 12, stamp, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? LDN_OK : dbfail(st, err, "visit");
	sqlite3_finalize(q);
	if (rc == LDN_OK) {
		char key[24];

		snprintf(key, sizeof(key), "%lld",
		    (long long)sqlite3_last_insert_rowid(st->db));
		snprintf(record, sizeof(record), "visits/%s", key);
		rc = row_content(st, "visits", key, content)
		    ? audit_append(st, actor, "visit.add", record, content, err)
		    : dbfail(st, err, "visit");
	}
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
	if ((rc = exec(st, "BEGIN IMMEDIATE", err)) != LDN_OK)
		return rc;
	rc = audit_append(st, actor, what, record, content, err);
	return commit_or_rollback(st, rc, err);
}

enum ldn_status
ldn_store_list_patients(struct ldn_store *st, const char *actor, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(1u << 26);
	sqlite3_stmt *q;
	enum ldn_status rc;

	if ((rc = audit_read(st, actor, "patient.list", "patients", err)) !=
	    LDN_OK)
		return rc;
	sqlite3_prepare_v2(st->db,
	    "SELECT p.id, pl.decision, pl.earliest_start, "
	    " (SELECT count(*) FROM visits v WHERE v.patient_id = p.id) "
	    "FROM patients p JOIN plans pl ON pl.id = "
	    " (SELECT max(id) FROM plans WHERE patient_id = p.id) "
	    "ORDER BY p.id",
	    -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const unsigned char *es = sqlite3_column_text(q, 2);

		sb_printf(&b, "%s\t%s\t%s\t%d\n", sqlite3_column_text(q, 0),
		    sqlite3_column_text(q, 1), es ? (const char *)es : "-",
		    sqlite3_column_int(q, 3));
	}
	sqlite3_finalize(q);
	*out = sb_take(&b, len);
	if (*out == NULL) {
		sb_free(&b);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	return LDN_OK;
}

static void
history_json(struct ldn_store *st, const char *id, struct strbuf *b)
{
	struct jw w;
	sqlite3_stmt *q;

	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "patient_id", id);
	jw_key(&w, "plans");
	jw_arr(&w);
	sqlite3_prepare_v2(st->db,
	    "SELECT issued_at, as_of, decision, earliest_start, ceiling_ug, "
	    "kb_version FROM plans WHERE patient_id = ? ORDER BY id",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		jw_obj(&w);
		jw_kstr(&w, "issued_at",
		    (const char *)sqlite3_column_text(q, 0));
		jw_kstr(&w, "as_of", (const char *)sqlite3_column_text(q, 1));
		jw_kstr(&w, "decision",
		    (const char *)sqlite3_column_text(q, 2));
		jw_kstr(&w, "earliest_start",
		    (const char *)sqlite3_column_text(q, 3));
		jw_key(&w, "ceiling_mg");
		jw_mg(&w, sqlite3_column_int(q, 4));
		jw_kstr(&w, "kb_version",
		    (const char *)sqlite3_column_text(q, 5));
		jw_end_obj(&w);
	}
	sqlite3_finalize(q);
	jw_end_arr(&w);
	jw_key(&w, "visits");
	jw_arr(&w);
	sqlite3_prepare_v2(st->db,
	    "SELECT date, dose_ug, pain, sleep, mood, energy, clarity, "
	    "side_effects, adherence, notes FROM visits WHERE patient_id = ? "
	    "ORDER BY date, id",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		static const char *const keys[] = { "sleep", "mood", "energy",
			"clarity" };

		jw_obj(&w);
		jw_kstr(&w, "date", (const char *)sqlite3_column_text(q, 0));
		jw_key(&w, "dose_mg");
		jw_mg(&w, sqlite3_column_int(q, 1));
		jw_kint(&w, "pain", sqlite3_column_int(q, 2));
		for (int i = 0; i < 4; i++) {
			jw_key(&w, keys[i]);
			if (sqlite3_column_type(q, 3 + i) == SQLITE_NULL)
				jw_null(&w);
			else
				jw_int(&w, sqlite3_column_int(q, 3 + i));
		}
		jw_kstr(&w, "side_effects",
		    (const char *)sqlite3_column_text(q, 7));
		jw_key(&w, "adherence");
		if (sqlite3_column_type(q, 8) == SQLITE_NULL)
			jw_null(&w);
		else
			jw_int(&w, sqlite3_column_int(q, 8));
		jw_kstr(&w, "notes", (const char *)sqlite3_column_text(q, 9));
		jw_end_obj(&w);
	}
	sqlite3_finalize(q);
	jw_end_arr(&w);
	jw_end_obj(&w);
}

/* A CSV field, quoted when it holds a comma, a quote or a line break; one
 * starting like a spreadsheet formula (= + - @) gets a leading ' so that
 * opening the file cannot run it. */
static void
csv_field(struct strbuf *b, const unsigned char *t)
{
	const char *s = t ? (const char *)t : "";

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

static void
history_rows(struct ldn_store *st, const char *id, bool csv, struct strbuf *b)
{
	sqlite3_stmt *q;

	if (csv)
		sb_puts(b,
		    "date,dose_mg,pain,sleep,mood,energy,clarity,"
		    "side_effects,adherence,notes\n");
	else
		sb_printf(b,
		    "Visits of %s\n%-10s  %7s  %4s  %5s  %4s  %6s  "
		    "%7s  %-9s  %9s  notes\n",
		    id, "date", "dose", "pain", "sleep", "mood", "energy",
		    "clarity", "effects", "adherence");
	sqlite3_prepare_v2(st->db,
	    "SELECT date, dose_ug, pain, sleep, mood, energy, clarity, "
	    "side_effects, adherence, notes FROM visits WHERE patient_id = ? "
	    "ORDER BY date, id",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		char mg[16];

		mg_string(sqlite3_column_int(q, 1), mg);
		if (csv) {
			for (int c = 0; c < 10; c++) {
				if (c)
					sb_puts(b, ",");
				if (c == 1)
					sb_puts(b, mg);
				else
					csv_field(b, sqlite3_column_text(q, c));
			}
			sb_puts(b, "\n");
			continue;
		}
		sb_printf(b,
		    "%-10s  %4s mg  %4d  %5s  %4s  %6s  %7s  %-9s  %9s  %s\n",
		    sqlite3_column_text(q, 0), mg, sqlite3_column_int(q, 2),
		    sqlite3_column_text(q, 3)
		        ? (const char *)sqlite3_column_text(q, 3)
		        : "-",
		    sqlite3_column_text(q, 4)
		        ? (const char *)sqlite3_column_text(q, 4)
		        : "-",
		    sqlite3_column_text(q, 5)
		        ? (const char *)sqlite3_column_text(q, 5)
		        : "-",
		    sqlite3_column_text(q, 6)
		        ? (const char *)sqlite3_column_text(q, 6)
		        : "-",
		    sqlite3_column_text(q, 7),
		    sqlite3_column_text(q, 8)
		        ? (const char *)sqlite3_column_text(q, 8)
		        : "-",
		    sqlite3_column_text(q, 9)
		        ? (const char *)sqlite3_column_text(q, 9)
		        : "");
	}
	sqlite3_finalize(q);
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
history_svg(struct ldn_store *st, const char *id, struct strbuf *b)
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
	sqlite3_stmt *q;

	sqlite3_prepare_v2(st->db,
	    "SELECT date, dose_ug, pain FROM visits WHERE patient_id = ? "
	    "ORDER BY date, id",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(q, 0);
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
		pts[n].dose_ug = sqlite3_column_int(q, 1);
		pts[n].pain = sqlite3_column_int(q, 2);
		if (pts[n].dose_ug > max_ug)
			max_ug = pts[n].dose_ug;
		n++;
	}
	sqlite3_finalize(q);
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
	char record[300];
	enum ldn_status rc;

	if (!patient_exists(st, patient_id))
		return ldn_fail(err, LDN_E_SCHEMA, "patient",
		    "patient \"%s\" is not stored", patient_id);
	snprintf(record, sizeof(record), "patients/%s", patient_id);
	if ((rc = audit_read(st, actor, "history.read", record, err)) != LDN_OK)
		return rc;
	if (format == LDN_HISTORY_JSON)
		history_json(st, patient_id, &b);
	else if (format == LDN_HISTORY_SVG)
		history_svg(st, patient_id, &b);
	else
		history_rows(st, patient_id, format == LDN_HISTORY_CSV, &b);
	*out = sb_take(&b, len);
	if (*out == NULL) {
		sb_free(&b);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	return LDN_OK;
}

/* The first row of table with no audit row of action for it, if any. */
static enum ldn_status
unaudited(struct ldn_store *st, const char *table, const char *action,
    struct ldn_error *err)
{
	char sql[256];
	sqlite3_stmt *q;
	int step;

	snprintf(sql, sizeof(sql),
	    "SELECT id FROM %s WHERE '%s/' || id NOT IN "
	    "(SELECT record FROM audit WHERE action = '%s') LIMIT 1",
	    table, table, action);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return dbfail(st, err, "audit verify");
	step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		char where[300];

		snprintf(where, sizeof(where), "%s/%s", table,
		    (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		return ldn_fail(err, LDN_E_BUG, where,
		    "is in the store but not in the audit log: it was added "
		    "behind the store's back, or its log rows are gone");
	}
	sqlite3_finalize(q);
	return step == SQLITE_DONE ? LDN_OK : dbfail(st, err, "audit verify");
}

enum ldn_status
ldn_store_audit_verify(struct ldn_store *st, size_t *n_rows, char last_hash[65],
    struct ldn_error *err)
{
	sqlite3_stmt *q;
	char prev[65], hash[65], content[65], where[64];
	long long expect = 1;
	enum ldn_status rc = LDN_OK;
	int step = SQLITE_DONE;

	*n_rows = 0;
	snprintf(prev, sizeof(prev), "%s", GENESIS);
	if ((rc = exec(st, "BEGIN", err)) != LDN_OK)
		return rc;
	if (sqlite3_prepare_v2(st->db,
	        "SELECT seq, at, actor, action, record, content_hash, "
	        "prev_hash, hash FROM audit ORDER BY seq",
	        -1, &q, NULL) != SQLITE_OK) {
		rc = dbfail(st, err, "audit verify");
		exec(st, "ROLLBACK", NULL);
		return rc;
	}
	while (rc == LDN_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(q, 0);
		const char *at = (const char *)sqlite3_column_text(q, 1);
		const char *actor = (const char *)sqlite3_column_text(q, 2);
		const char *action = (const char *)sqlite3_column_text(q, 3);
		const char *record = (const char *)sqlite3_column_text(q, 4);
		const char *chash = (const char *)sqlite3_column_text(q, 5);
		const char *phash = (const char *)sqlite3_column_text(q, 6);
		const char *h = (const char *)sqlite3_column_text(q, 7);

		snprintf(where, sizeof(where), "audit/%lld", seq);
		if (seq != expect)
			rc = ldn_fail(err, LDN_E_BUG, where,
			    "row %lld is missing: the log has a gap", expect);
		else if (strcmp(phash, prev) != 0)
			rc = ldn_fail(err, LDN_E_BUG, where,
			    "does not chain to the row before it");
		else if (!audit_hash(prev, seq, at, actor, action, record,
		             chash, hash) ||
		    strcmp(hash, h) != 0)
			rc = ldn_fail(err, LDN_E_BUG, where,
			    "its hash does not match its contents: the row "
			    "was changed");
		const char *slash = strchr(record, '/');
		if (rc == LDN_OK && slash &&
		    (strcmp(action, "patient.add") == 0 ||
		        strcmp(action, "plan.issue") == 0 ||
		        strcmp(action, "visit.add") == 0)) {
			char table[32];

			snprintf(table, sizeof(table), "%.*s",
			    (int)(slash - record), record);
			if (!row_content(st, table, slash + 1, content))
				rc = ldn_fail(err, LDN_E_BUG, where,
				    "%s, which it audits, is missing", record);
			else if (strcmp(content, chash) != 0)
				rc = ldn_fail(err, LDN_E_BUG, where,
				    "%s was changed after it was written",
				    record);
		}
		snprintf(prev, sizeof(prev), "%s", h);
		expect++;
		(*n_rows)++;
	}
	if (rc == LDN_OK && step != SQLITE_DONE)
		rc = dbfail(st, err, "audit verify");
	sqlite3_finalize(q);
	/* Every stored record must be in the log. */
	if (rc == LDN_OK)
		rc = unaudited(st, "patients", "patient.add", err);
	if (rc == LDN_OK)
		rc = unaudited(st, "plans", "plan.issue", err);
	if (rc == LDN_OK)
		rc = unaudited(st, "visits", "visit.add", err);
	exec(st, "COMMIT", NULL);
	snprintf(last_hash, 65, "%s", prev);
	return rc;
}
