/*
 * The store on a real database, the same tests on SQLite and on
 * PostgreSQL: patients, visits and their refusals, history, the course
 * read, the audit chain (recomputed here from the rows, and that a changed
 * record is found), and that nothing is lost: a writer killed with SIGKILL
 * in the middle of a loop of writes, many times, leaves a store that passes
 * its checks with every acknowledged write in it, and two processes
 * writing at once neither corrupt nor lose.  On SQLite also: a file made
 * before migration 002 migrates and still verifies.
 *
 *   store SQL_DIR [sqlite|postgresql]
 *
 * PostgreSQL needs a server: LDN_TEST_PG is the URL of one the test may
 * create its own databases on (scripts/pg.sh start prints one); without
 * it, that run is skipped.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "ldn/kb.h"
#include "ldn/plan.h"
#include "ldn/store.h"

#include "tap.h"

static const char PATIENT[] =
    "{\"id\":\"p-001\",\"age_years\":50,\"sex\":\"female\","
    "\"weight_kg\":70,\"opioid_analgesia_required\":false,"
    "\"medications\":[],\"conditions\":[{\"system\":\"icd10\","
    "\"code\":\"M79.7\",\"status\":\"active\"}]}";

static const char *sql_dir;
static bool pg;           /* the backend: PostgreSQL, else SQLite */
static char url[700];     /* the store under test */
static char path[512];    /* SQLite: its file */
static char pg_base[600]; /* PostgreSQL: LDN_TEST_PG */
static char pg_name[64];  /* PostgreSQL: this run's database */
static char tmpdir[64];

static struct ldn_store *
open_store(void)
{
	struct ldn_store *st;
	struct ldn_error err;

	if (ldn_store_open(url, sql_dir, &st, &err) != LDN_OK) {
		printf("# open: %s: %s\n", err.where, err.msg);
		return NULL;
	}
	return st;
}

/*
 * Direct access to the database, behind the store's back: to tamper, to
 * count, and to read rows as text the way the store hashes them.
 */
struct raw {
	sqlite3 *lite;
	PGconn *pg;
};

/* The URL of database name on the server of base (a postgresql:// URL). */
static void
pg_url(const char *base, const char *name, char *out, size_t n)
{
	const char *host = strstr(base, "://");
	const char *end, *q;

	host = host ? host + 3 : base;
	q = strchr(host, '?');
	end = strchr(host, '/');
	if (end == NULL || (q && q < end))
		end = q ? q : host + strlen(host);
	snprintf(out, n, "%.*s/%s%s", (int)(end - base), base, name,
	    q ? q : "");
}

static bool
raw_open_url(struct raw *r, const char *target)
{
	memset(r, 0, sizeof(*r));
	if (!pg)
		return sqlite3_open(target, &r->lite) == SQLITE_OK;
	r->pg = PQconnectdb(target);
	if (PQstatus(r->pg) != CONNECTION_OK) {
		printf("# raw: %s", PQerrorMessage(r->pg));
		PQfinish(r->pg);
		r->pg = NULL;
		return false;
	}
	PQclear(PQexec(r->pg, "SET client_min_messages = error"));
	return true;
}

static bool
raw_open(struct raw *r)
{
	return raw_open_url(r, pg ? url : path);
}

static void
raw_close(struct raw *r)
{
	sqlite3_close(r->lite);
	PQfinish(r->pg);
	r->lite = NULL;
	r->pg = NULL;
}

/* Run statements; true if they all succeeded. */
static bool
raw_exec(struct raw *r, const char *sql)
{
	if (r->lite)
		return sqlite3_exec(r->lite, sql, NULL, NULL, NULL) ==
		    SQLITE_OK;
	if (r->pg == NULL)
		return false;
	PGresult *res = PQexec(r->pg, sql);
	ExecStatusType s = PQresultStatus(res);

	PQclear(res);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

typedef void row_fn(void *arg, int n, const char *const *vals,
    const size_t *lens);

/* Call fn on each row of a query, its values as text (NULL for NULL);
 * the number of rows, or -1 on failure. */
static long
raw_rows(struct raw *r, const char *sql, row_fn *fn, void *arg)
{
	const char *vals[32];
	size_t lens[32];
	long rows = 0;

	if (r->lite) {
		sqlite3_stmt *q;
		int step;

		if (sqlite3_prepare_v2(r->lite, sql, -1, &q, NULL) != SQLITE_OK)
			return -1;
		while ((step = sqlite3_step(q)) == SQLITE_ROW) {
			int n = sqlite3_column_count(q);

			for (int c = 0; c < n && c < 32; c++) {
				vals[c] =
				    (const char *)sqlite3_column_text(q, c);
				lens[c] = (size_t)sqlite3_column_bytes(q, c);
			}
			if (fn)
				fn(arg, n < 32 ? n : 32, vals, lens);
			rows++;
		}
		sqlite3_finalize(q);
		return step == SQLITE_DONE ? rows : -1;
	}
	if (r->pg == NULL)
		return -1;
	PGresult *res = PQexec(r->pg, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		printf("# raw: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		int n = PQnfields(res);

		for (int c = 0; c < n && c < 32; c++) {
			vals[c] = PQgetisnull(res, i, c)
			    ? NULL
			    : PQgetvalue(res, i, c);
			lens[c] = (size_t)PQgetlength(res, i, c);
		}
		if (fn)
			fn(arg, n < 32 ? n : 32, vals, lens);
	}
	PQclear(res);
	return rows;
}

static void
first_long(void *arg, int n, const char *const *vals, const size_t *lens)
{
	(void)lens;
	if (n > 0 && vals[0])
		*(long *)arg = atol(vals[0]);
}

/* The first column of the first row as a number; -1 on failure. */
static long
raw_long(struct raw *r, const char *sql)
{
	long v = -1;

	return raw_rows(r, sql, first_long, &v) > 0 ? v : -1;
}

/* One statement on a connection of its own. */
static bool
sql_do(const char *sql)
{
	struct raw r;
	bool good = raw_open(&r) && raw_exec(&r, sql);

	raw_close(&r);
	return good;
}

static long
sql_long(const char *sql)
{
	struct raw r;
	long v = raw_open(&r) ? raw_long(&r, sql) : -1;

	raw_close(&r);
	return v;
}

/*
 * The store's hashes, recomputed here from their definition: SHA-256 over
 * fields written "S<len>:<bytes>;" or "N;" for NULL.  A record's content
 * hash covers every column of its row as text; an audit row's covers the
 * previous row's hash, its seq, at, actor, action, record and content hash.
 */
struct hash {
	EVP_MD_CTX *ctx;
};

static void
hash_init(struct hash *h)
{
	h->ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

static void
hash_field(struct hash *h, const char *s, size_t n)
{
	char head[32];
	int l;

	if (s == NULL) {
		EVP_DigestUpdate(h->ctx, "N;", 2);
		return;
	}
	l = snprintf(head, sizeof(head), "S%zu:", n);
	EVP_DigestUpdate(h->ctx, head, (size_t)l);
	EVP_DigestUpdate(h->ctx, s, n);
	EVP_DigestUpdate(h->ctx, ";", 1);
}

static void
hash_str(struct hash *h, const char *s)
{
	hash_field(h, s, s ? strlen(s) : 0);
}

static void
hash_final(struct hash *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(h->ctx, md, &len);
	EVP_MD_CTX_free(h->ctx);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
row_hash_cb(void *arg, int n, const char *const *vals, const size_t *lens)
{
	struct hash h;

	hash_init(&h);
	for (int c = 0; c < n; c++)
		hash_field(&h, vals[c], lens[c]);
	hash_final(&h, arg);
}

/* The content hash of the one row sql selects, or "" if none. */
static void
raw_row_hash(struct raw *r, const char *sql, char out[65])
{
	out[0] = '\0';
	raw_rows(r, sql, row_hash_cb, out);
}

static void
audit_hash(const char *prev, const char *seq, const char *at, const char *actor,
    const char *action, const char *record, const char *content, char out[65])
{
	struct hash h;

	hash_init(&h);
	hash_str(&h, prev);
	hash_str(&h, seq);
	hash_str(&h, at);
	hash_str(&h, actor);
	hash_str(&h, action);
	hash_str(&h, record);
	hash_str(&h, content);
	hash_final(&h, out);
}

struct chain {
	char prev[65];
	long rows, good;
};

static void
chain_cb(void *arg, int n, const char *const *v, const size_t *lens)
{
	struct chain *c = arg;
	char h[65];

	(void)lens;
	if (n != 8)
		return;
	audit_hash(c->prev, v[0], v[1], v[2], v[3], v[4], v[5], h);
	c->good += strcmp(v[6], c->prev) == 0 && strcmp(h, v[7]) == 0;
	c->rows++;
	snprintf(c->prev, sizeof(c->prev), "%s", v[7]);
}

/* Recompute the whole chain from the rows; how many rows match. */
static void
recompute_chain(struct raw *r, struct chain *c)
{
	memset(c, 0, sizeof(*c));
	memset(c->prev, '0', 64);
	raw_rows(r, "SELECT * FROM audit ORDER BY seq", chain_cb, c);
}

static struct ldn_visit
visit(const char *notes)
{
	struct ldn_visit v = { .date = "2026-06-01",
		.dose_ug = 1500,
		.pain = 6,
		.sleep = -1,
		.mood = -1,
		.energy = -1,
		.clarity = -1,
		.side_effects = "none",
		.adherence = -1,
		.notes = notes };

	return v;
}

static void
first_text(void *arg, int n, const char *const *vals, const size_t *lens)
{
	(void)lens;
	if (n > 0 && vals[0])
		snprintf(arg, 65, "%s", vals[0]);
}

/* What a record's audit row says its content hash is. */
static void
audited_hash(struct raw *r, const char *record, char out[65])
{
	char sql[256];

	snprintf(sql, sizeof(sql),
	    "SELECT content_hash FROM audit WHERE record = '%s' AND action "
	    "IN ('patient.add', 'plan.issue', 'visit.add')",
	    record);
	out[0] = '\0';
	raw_rows(r, sql, first_text, out);
}

/* The hashes the store wrote are the ones their definition gives. */
static void
same_hashes(void)
{
	struct raw r;
	struct chain c;
	static const char *const records[][2] = {
		{ "patients/p-001",
		    "SELECT * FROM patients WHERE id = 'p-001'" },
		{ "plans/1", "SELECT * FROM plans WHERE id = 1" },
		{ "visits/1", "SELECT * FROM visits WHERE id = 1" },
		{ "visits/2", "SELECT * FROM visits WHERE id = 2" },
	};
	int same = 0;

	if (!raw_open(&r)) {
		ok(0, "the database opens directly");
		return;
	}
	for (size_t i = 0; i < 4; i++) {
		char want[65], got[65];

		audited_hash(&r, records[i][0], want);
		raw_row_hash(&r, records[i][1], got);
		same += *want && strcmp(want, got) == 0;
	}
	ok(same == 4,
	    "each record's audited hash is SHA-256 over every column as text, "
	    "NULLs marked (%d of 4)",
	    same);
	recompute_chain(&r, &c);
	ok(c.rows > 0 && c.good == c.rows,
	    "each audit row's hash, recomputed here, chains (%ld of %ld)",
	    c.good, c.rows);
	raw_close(&r);
}

static void
basics(const struct ldn_kb *kb)
{
	struct ldn_store *st = open_store();
	struct ldn_plan *plan;
	struct ldn_error err;
	struct ldn_visit v;
	char *out, last[65];
	size_t len, n;

	if (st == NULL) {
		ok(0, "store opens");
		return;
	}
	if (ldn_plan_build(kb, PATIENT, strlen(PATIENT), "2026-01-01", &plan,
	        &err) != LDN_OK) {
		ok(0, "plan builds: %s", err.msg);
		ldn_store_close(st);
		return;
	}
	ok(ldn_store_add_patient(st, "test", PATIENT, strlen(PATIENT), plan,
	       NULL, &err) == LDN_OK,
	    "a patient is added with their plan");
	ok(ldn_store_add_patient(st, "test", PATIENT, strlen(PATIENT), plan,
	       NULL, &err) == LDN_E_SCHEMA &&
	        strstr(err.msg, "already stored"),
	    "the same patient twice is refused (%s)", err.msg);
	for (size_t i = 0; i < 3; i++) {
		/* ids no address can name again: the store refuses a slash,
		 * the intake (or else the store) a control character */
		static const char *const bad[] = { "{\"id\":\"a/b\"}",
			"{\"id\":\"a\\nb\"}", "{\"id\":\"a\\u007fb\"}" };
		struct ldn_plan *p2 = NULL;
		bool built = ldn_plan_build(kb, bad[i], strlen(bad[i]),
		                 "2026-01-01", &p2, &err) == LDN_OK;

		ok((!built ||
		       ldn_store_add_patient(st, "test", bad[i], strlen(bad[i]),
		           p2, NULL, &err) == LDN_E_SCHEMA) &&
		        (i > 0 || built) && strcmp(err.where, "/id") == 0,
		    "an id %s is refused at /id (%s)", bad[i], err.msg);
		ldn_plan_free(p2);
	}
	v = visit("first");
	ok(ldn_store_add_visit(st, "test", "p-001", &v, &err) == LDN_OK,
	    "a visit is recorded");
	v.pain = 11;
	ok(ldn_store_add_visit(st, "test", "p-001", &v, &err) != LDN_OK &&
	        strcmp(err.where, "pain") == 0,
	    "pain 11 is refused (%s)", err.msg);
	v = visit(NULL);
	snprintf(v.date, sizeof(v.date), "2025-12-31");
	ok(ldn_store_add_visit(st, "test", "p-001", &v, &err) != LDN_OK &&
	        strcmp(err.where, "date") == 0,
	    "a date before the plan is refused (%s)", err.msg);
	v = visit(NULL);
	v.dose_ug = 4600;
	ok(ldn_store_add_visit(st, "test", "p-001", &v, &err) != LDN_OK &&
	        strcmp(err.where, "dose") == 0,
	    "a dose above the ceiling is refused (%s)", err.msg);
	v = visit(NULL);
	v.dose_ug = 4500;
	ok(ldn_store_add_visit(st, "test", "p-001", &v, &err) == LDN_OK,
	    "a dose at the ceiling is accepted");
	v = visit(NULL);
	ok(ldn_store_add_visit(st, "test", "nobody", &v, &err) != LDN_OK &&
	        strstr(err.msg, "not stored"),
	    "an unknown patient is refused (%s)", err.msg);
	v.side_effects = "awful";
	ok(ldn_store_add_visit(st, "test", "p-001", &v, &err) != LDN_OK &&
	        strcmp(err.where, "side_effects") == 0,
	    "an unknown side-effect level is refused");
	if (ldn_store_history(st, "test", "p-001", LDN_HISTORY_JSON, &out, &len,
	        &err) == LDN_OK) {
		json_t *j = json_loadb(out, len, 0, NULL);

		ok(j && json_array_size(json_object_get(j, "visits")) == 2 &&
		        json_array_size(json_object_get(j, "plans")) == 1,
		    "history holds the plan and the two accepted visits");
		json_decref(j);
		free(out);
	} else {
		ok(0, "history: %s", err.msg);
	}
	enum ldn_status vrc = ldn_store_audit_verify(st, &n, last, &err);
	ok(vrc == LDN_OK && n == 5,
	    "the audit chain is intact (%zu rows: add, plan, 2 visits, read)",
	    n);
	ldn_plan_free(plan);
	ldn_store_close(st);
	same_hashes();

	/* Change a visit behind the store's back: verify must find it. */
	struct raw r;
	bool upd = raw_open(&r) &&
	    raw_exec(&r, "UPDATE visits SET pain = 1 WHERE id = 1");
	bool del = raw_exec(&r, "DELETE FROM audit WHERE seq = 2");
	bool chg = raw_exec(&r, "UPDATE audit SET actor = 'x' WHERE seq = 2");
	bool trunc = pg && raw_exec(&r, "TRUNCATE audit");
	raw_close(&r);
	ok(upd && !del && !chg && !trunc,
	    "the audit log refuses deletion and change%s",
	    pg ? ", and TRUNCATE" : "");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "changed"),
	    "a visit changed after it was written is found (%s: %s)", err.where,
	    err.msg);
	ldn_store_close(st);
	sql_do("UPDATE visits SET pain = 6 WHERE id = 1");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK,
	    "restored, it verifies again");
	ldn_store_close(st);

	/* A NULL note changed to "-": NULL is hashed as NULL, not as text. */
	sql_do("UPDATE visits SET notes = '-' WHERE id = 2");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK,
	    "a NULL changed to \"-\" is found (%s)", err.msg);
	ldn_store_close(st);
	sql_do("UPDATE visits SET notes = NULL WHERE id = 2");
	/* A visit added behind the store's back. */
	sql_do("INSERT INTO visits (patient_id, date, dose_ug, pain, "
	       "side_effects, created_at) VALUES ('p-001', '2026-06-02', "
	       "4500, 0, 'none', 'x')");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "not in the audit log"),
	    "a visit added behind the store's back is found (%s: %s)",
	    err.where, err.msg);
	ldn_store_close(st);
	sql_do("DELETE FROM visits WHERE created_at = 'x'");
	/* The whole log emptied (its guard taken off first). */
	sql_do(pg ? "CREATE TABLE saved AS SELECT * FROM audit; "
	            "ALTER TABLE audit DISABLE TRIGGER audit_no_delete; "
	            "DELETE FROM audit; "
	            "ALTER TABLE audit ENABLE TRIGGER audit_no_delete"
	          : "CREATE TABLE saved AS SELECT * FROM audit; "
	            "DROP TRIGGER audit_no_delete; DELETE FROM audit");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "not in the audit log"),
	    "an emptied log is found through the records it no longer "
	    "covers (%s)",
	    err.msg);
	ldn_store_close(st);
	sql_do(pg ? "INSERT INTO audit SELECT * FROM saved; DROP TABLE saved"
	          : "INSERT INTO audit SELECT * FROM saved; DROP TABLE saved; "
	            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
	            "BEGIN SELECT RAISE(ABORT, 'the audit log is "
	            "append-only'); END");
	st = open_store();
	n = 0;
	bool again = st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK;
	ok(again, "restored, the log verifies again (%zu rows)", n);
	ldn_store_close(st);
}

/* A patient like PATIENT with another id, and sensitive or not. */
static void
patient_json(char *out, size_t n, const char *id, bool sensitive)
{
	snprintf(out, n,
	    "{\"id\":\"%s\",\"age_years\":50,\"sex\":\"female\","
	    "\"weight_kg\":70,\"opioid_analgesia_required\":false,"
	    "\"sensitive\":%s,\"medications\":[],\"conditions\":[{"
	    "\"system\":\"icd10\",\"code\":\"M79.7\",\"status\":\"active\"}]}",
	    id, sensitive ? "true" : "false");
}

/* The course knows when its plan doses: a plan that moved dosing to the
 * morning (insomnia on file) reads as morning, any other as bedtime. */
static void
course_timing(const struct ldn_kb *kb)
{
	static const char *const ins =
	    "{\"id\":\"p-ins\",\"age_years\":50,\"sex\":\"female\","
	    "\"weight_kg\":70,\"opioid_analgesia_required\":false,"
	    "\"medications\":[],\"conditions\":[{\"system\":\"icd10\","
	    "\"code\":\"M79.7\",\"status\":\"active\"},{\"system\":"
	    "\"icd10\",\"code\":\"G47.00\",\"status\":\"active\"}]}";
	struct ldn_store *st = open_store();
	struct ldn_error err = { 0 };
	struct ldn_plan *plan = NULL;
	struct ldn_course *c = NULL, *d = NULL;

	bool good = st != NULL &&
	    ldn_plan_build(kb, ins, strlen(ins), "2026-01-01", &plan, &err) ==
	        LDN_OK &&
	    strcmp(ldn_plan_timing(plan), "morning") == 0 &&
	    ldn_store_add_patient(st, "test", ins, strlen(ins), plan, NULL,
	        &err) == LDN_OK &&
	    ldn_store_course(st, "test", "p-ins", &c, &err) == LDN_OK &&
	    ldn_store_course(st, "test", "p-001", &d, &err) == LDN_OK;
	ok(good && strcmp(c->timing, "morning") == 0 &&
	        strcmp(d->timing, "bedtime") == 0,
	    "a course reads when its plan doses: %s and %s (%s)",
	    c ? c->timing : "-", d ? d->timing : "-", err.msg);
	ldn_course_free(c);
	ldn_course_free(d);
	ldn_plan_free(plan);
	ldn_store_close(st);
}

/* A course reads the stored plan's holds around procedures, each with its
 * restart day, in date order; and a stored plan that does not read is
 * refused, never read without them. */
static void
course_holds(const struct ldn_kb *kb)
{
	static const char *const two =
	    "{\"id\":\"p-ops\",\"age_years\":50,\"sex\":\"female\","
	    "\"weight_kg\":70,\"pregnancy\":\"none\","
	    "\"opioid_analgesia_required\":false,\"medications\":[],"
	    "\"conditions\":[{\"system\":\"icd10\",\"code\":\"M79.7\","
	    "\"status\":\"active\"}],\"procedures\":[{\"display\":\"Knee\","
	    "\"date\":\"2026-02-15\",\"status\":\"planned\","
	    "\"opioids_expected\":true},{\"display\":\"Hip\",\"date\":"
	    "\"2026-04-20\",\"status\":\"planned\","
	    "\"opioids_expected\":true}]}";
	struct ldn_store *st = open_store();
	struct ldn_error err = { 0 };
	struct ldn_plan *plan = NULL;
	struct ldn_course *c = NULL;
	struct raw r;

	bool good = st != NULL &&
	    ldn_plan_build(kb, two, strlen(two), "2026-01-01", &plan, &err) ==
	        LDN_OK &&
	    ldn_store_add_patient(st, "test", two, strlen(two), plan, NULL,
	        &err) == LDN_OK &&
	    ldn_store_course(st, "test", "p-ops", &c, &err) == LDN_OK;
	ok(good && c->n_holds == 2 &&
	        strcmp(c->holds[0].from, "2026-02-12") == 0 &&
	        strcmp(c->holds[0].until, "2026-02-22") == 0 &&
	        strcmp(c->holds[1].from, "2026-04-17") == 0 &&
	        strcmp(c->holds[1].until, "2026-04-27") == 0,
	    "a course reads its plan's two holds and their restart days "
	    "(%zu: %s to %s, %s to %s) (%s)",
	    c ? c->n_holds : 0, c && c->n_holds ? c->holds[0].from : "-",
	    c && c->n_holds ? c->holds[0].until : "-",
	    c && c->n_holds > 1 ? c->holds[1].from : "-",
	    c && c->n_holds > 1 ? c->holds[1].until : "-", err.msg);
	ldn_course_free(c);
	c = NULL;
	ldn_store_close(st);
	if (!raw_open(&r)) {
		ok(0, "the database opens behind the store's back");
		ldn_plan_free(plan);
		return;
	}
	/* broken behind the store's back, and mended after */
	bool broken = raw_exec(&r,
	    "CREATE TABLE kept AS SELECT id, plan_json FROM plans WHERE "
	    "patient_id = 'p-ops'; UPDATE plans SET plan_json = "
	    "'{\"schedule\": [' WHERE patient_id = 'p-ops'");
	raw_close(&r);
	st = open_store();
	ok(broken && st != NULL &&
	        ldn_store_course(st, "test", "p-ops", &c, &err) != LDN_OK &&
	        c == NULL && strcmp(err.where, "plan") == 0 &&
	        strstr(err.msg, "does not read") != NULL,
	    "a stored plan that does not read is refused, not read without "
	    "its holds (%s: %s)",
	    err.where, err.msg);
	ldn_store_close(st);
	ldn_plan_free(plan);
	ok(raw_open(&r) &&
	        raw_exec(&r,
	            "UPDATE plans SET plan_json = (SELECT plan_json FROM kept "
	            "WHERE kept.id = plans.id) WHERE patient_id = 'p-ops'; "
	            "DROP TABLE kept"),
	    "and mended");
	raw_close(&r);
}

/* The course read: the latest plan's numbers, the visits oldest first. */
static void
course(const struct ldn_kb *kb)
{
	struct ldn_store *st = open_store();
	struct ldn_plan *plan = NULL, *plan2 = NULL;
	struct ldn_course *c = NULL;
	struct ldn_error err;
	struct ldn_step first = { .dose_ug = 0 };
	char in[512], in2[512];
	static const char *const dates[] = { "2026-03-01", "2026-02-01",
		"2026-02-01" };

	patient_json(in, sizeof(in), "p-002", false);
	patient_json(in2, sizeof(in2), "p-002", true);
	if (st == NULL ||
	    ldn_plan_build(kb, in, strlen(in), "2026-01-01", &plan, &err) !=
	        LDN_OK ||
	    /* the new plan follows the visits: dated on the last one */
	    ldn_plan_build(kb, in2, strlen(in2), "2026-03-01", &plan2, &err) !=
	        LDN_OK ||
	    ldn_store_add_patient(st, "test", in, strlen(in), plan, NULL,
	        &err) != LDN_OK) {
		ok(0, "a second patient is stored: %s", err.msg);
		ldn_plan_free(plan);
		ldn_plan_free(plan2);
		ldn_store_close(st);
		return;
	}
	/* visits recorded out of date order, two on one day */
	int added = 0;
	for (int i = 0; i < 3; i++) {
		struct ldn_visit v = visit(i == 0 ? "march" : NULL);

		snprintf(v.date, sizeof(v.date), "%s", dates[i]);
		v.pain = 5 + i;
		v.sleep = i == 0 ? 7 : -1;
		v.adherence = i == 1 ? 90 : -1;
		added += ldn_store_add_visit(st, "test", "p-002", &v, &err) ==
		    LDN_OK;
	}
	if (ldn_plan_n_steps(plan) > 0)
		ldn_plan_step(plan, 0, &first);
	bool read = added == 3 &&
	    ldn_store_course(st, "test", "p-002", &c, &err) == LDN_OK &&
	    c != NULL;
	ok(read, "the course of a stored patient is read%s%s", read ? "" : ": ",
	    read ? "" : err.msg);
	if (c == NULL) {
		ldn_plan_free(plan);
		ldn_plan_free(plan2);
		ldn_store_close(st);
		return;
	}
	ok(strcmp(c->patient_id, "p-002") == 0 &&
	        strcmp(c->as_of, "2026-01-01") == 0 &&
	        strcmp(c->decision,
	            ldn_decision_name(ldn_plan_decision(plan))) == 0 &&
	        strcmp(c->earliest_start, ldn_plan_earliest_start(plan)) == 0 &&
	        first.dose_ug > 0 && c->start_ug == first.dose_ug &&
	        c->step_ug == ldn_plan_step_ug(plan) &&
	        c->interval_d == ldn_plan_interval_d(plan) &&
	        c->ceiling_ug == ldn_plan_ceiling_ug(plan),
	    "it holds the plan's numbers (%s from %s: %d ug, +%d ug every %d "
	    "days, ceiling %d ug)",
	    c->decision, c->earliest_start, c->start_ug, c->step_ug,
	    c->interval_d, c->ceiling_ug);
	ok(c->n_visits == 3 && strcmp(c->visits[0].date, "2026-02-01") == 0 &&
	        c->visits[0].pain == 6 && c->visits[1].pain == 7 &&
	        strcmp(c->visits[2].date, "2026-03-01") == 0 &&
	        c->visits[2].pain == 5,
	    "its visits are in date order, then as recorded");
	ok(c->n_visits == 3 && c->visits[2].sleep == 7 &&
	        c->visits[0].sleep == -1 && c->visits[0].adherence == 90 &&
	        c->visits[1].adherence == -1 && c->visits[0].notes == NULL &&
	        c->visits[2].notes &&
	        strcmp(c->visits[2].notes, "march") == 0 &&
	        strcmp(c->visits[1].side_effects, "none") == 0 &&
	        c->visits[1].dose_ug == 1500,
	    "each visit reads back as recorded, unrecorded scores as -1");
	ldn_course_free(c);
	c = NULL;
	/* a new plan: the course follows the latest */
	read = ldn_store_add_plan(st, "test", in2, strlen(in2), plan2, NULL,
	           &err) == LDN_OK &&
	    ldn_store_course(st, "test", "p-002", &c, &err) == LDN_OK &&
	    c->interval_d == ldn_plan_interval_d(plan2) &&
	    c->interval_d != ldn_plan_interval_d(plan) && c->n_visits == 3;
	ok(read,
	    "after a new plan, the course has the latest plan's numbers "
	    "(%d ug, every %d days)",
	    c ? c->start_ug : -1, c ? c->interval_d : -1);
	ldn_course_free(c);
	c = NULL;
	/* when the dose is taken: kept, read back, and checked */
	struct ldn_visit tv = visit("timed");
	tv.timing = "morning";
	snprintf(tv.date, sizeof(tv.date), "2026-03-08");
	read = ldn_store_add_visit(st, "test", "p-002", &tv, &err) == LDN_OK &&
	    ldn_store_course(st, "test", "p-002", &c, &err) == LDN_OK &&
	    c->n_visits == 4 && c->visits[3].timing &&
	    strcmp(c->visits[3].timing, "morning") == 0 &&
	    c->visits[0].timing == NULL;
	ok(read, "a visit's dosing time is kept and read back (%s)",
	    read ? "morning" : err.msg);
	ldn_course_free(c);
	c = NULL;
	tv.timing = "noon";
	ok(ldn_store_add_visit(st, "test", "p-002", &tv, &err) ==
	            LDN_E_SCHEMA &&
	        strcmp(err.where, "timing") == 0,
	    "a dosing time other than bedtime or morning is refused (%s)",
	    err.msg);
	ok(ldn_store_course(st, "test", "nobody", &c, &err) == LDN_E_SCHEMA &&
	        c == NULL && strcmp(err.where, "patient") == 0 &&
	        strstr(err.msg, "\"nobody\" is not stored"),
	    "the course of an unknown patient is refused (%s)", err.msg);
	ldn_store_close(st);
	ok(sql_long("SELECT count(*) FROM audit WHERE action = 'course.read' "
	            "AND record = 'patients/p-002'") == 3,
	    "each course read is in the audit log");
	size_t n = 0;
	char last[65];
	st = open_store();
	read = st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK;
	ok(read, "and the log verifies (%zu rows)", n);
	ldn_store_close(st);
	ldn_plan_free(plan);
	ldn_plan_free(plan2);
}

/* Store URLs that are not one are refused, naming the field. */
static void
bad_urls(void)
{
	static const char *const urls[] = { "mysql://x", "sqlite:", "ldn.db",
		"postgresql:/x", "" };
	struct ldn_store *st;
	struct ldn_error err;
	int refused = 0;

	for (size_t i = 0; i < sizeof(urls) / sizeof(*urls); i++)
		refused += ldn_store_open(urls[i], sql_dir, &st, &err) ==
		        LDN_E_SCHEMA &&
		    strcmp(err.where, "db") == 0 &&
		    strstr(err.msg, "sqlite:PATH") &&
		    strstr(err.msg, "postgresql://");
	ok(refused == 5, "5 URLs of no known kind are refused at \"db\" (%s)",
	    err.msg);
	ok(ldn_store_open("postgresql://postgres@127.0.0.1:1/none", sql_dir,
	       &st, &err) == LDN_E_IO &&
	        strstr(err.msg, "PostgreSQL") && !strchr(err.msg, '\n'),
	    "a PostgreSQL server that is not there is an I/O error, in "
	    "libpq's words (%s)",
	    err.msg);
}

/* PostgreSQL: a connection the server ends under the store is an I/O
 * error with the server's words, on a write and on a read, not a crash. */
static void
dropped_connection(void)
{
	struct ldn_store *st = open_store();
	struct ldn_error err = { 0 }, err2 = { 0 };
	struct ldn_visit v = visit("lost");
	size_t n;
	char last[65];

	if (st == NULL) {
		ok(0, "store opens");
		return;
	}
	sql_do("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	       "WHERE datname = current_database() AND pid <> "
	       "pg_backend_pid()");
	bool failed =
	    ldn_store_add_visit(st, "test", "p-001", &v, &err) == LDN_E_IO &&
	    *err.msg &&
	    ldn_store_audit_verify(st, &n, last, &err2) == LDN_E_IO &&
	    *err2.msg;
	ok(failed, "a connection the server ended is an I/O error (%s; %s)",
	    err.msg, err2.msg);
	ldn_store_close(st);
}

/* API tokens: made at random, kept as a hash, looked up by the token,
 * names unique, roles checked, each in the audit log. */
static void
tokens(void)
{
	struct ldn_store *st = open_store();
	struct ldn_error err = { 0 };
	char t1[65], t2[65], name[256], role[16], last[65];
	size_t n = 0;

	if (!ok(st != NULL, "tokens: the store opens"))
		return;
	ok(ldn_store_add_token(st, "test", "alice", "clinician", t1, &err) ==
	            LDN_OK &&
	        strlen(t1) == 64 && strspn(t1, "0123456789abcdef") == 64,
	    "a token is 64 hex digits (%s)", err.msg);
	ok(ldn_store_add_token(st, "test", "bob", "pharmacist", t2, &err) ==
	            LDN_OK &&
	        strcmp(t1, t2) != 0,
	    "two tokens differ");
	ok(ldn_store_token(st, t1, name, role, &err) == LDN_OK &&
	        strcmp(name, "alice") == 0 && strcmp(role, "clinician") == 0,
	    "a token finds its holder and role");
	t2[0] = t2[0] == 'a' ? 'b' : 'a';
	ok(ldn_store_token(st, t2, name, role, &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "token") == 0,
	    "a token one digit off is unknown (%s)", err.msg);
	ok(ldn_store_token(st, "short", name, role, &err) == LDN_E_SCHEMA,
	    "a short token is unknown");
	ok(ldn_store_add_token(st, "test", "alice", "admin", t2, &err) ==
	            LDN_E_SCHEMA &&
	        strcmp(err.where, "name") == 0,
	    "a name is used once (%s)", err.msg);
	ok(ldn_store_add_token(st, "test", "carol", "root", t2, &err) ==
	            LDN_E_SCHEMA &&
	        strcmp(err.where, "role") == 0,
	    "an unknown role is refused (%s)", err.msg);
	ok(sql_long("SELECT count(*) FROM api_tokens WHERE token_hash = "
	            "'' OR length(token_hash) <> 64") == 0 &&
	        sql_long("SELECT count(*) FROM audit WHERE action = "
	                 "'token.add'") == 2,
	    "the store keeps 64-digit hashes, and each token is audited");
	ok(ldn_store_audit_verify(st, &n, last, &err) == LDN_OK,
	    "the log verifies with tokens in it (%s)", err.msg);
	ldn_store_close(st);
	sql_do("UPDATE api_tokens SET role = 'admin' WHERE name = 'bob'");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "api_tokens/bob was changed"),
	    "a role raised behind the store's back is found (%s)", err.msg);
	ldn_store_close(st);
	sql_do("UPDATE api_tokens SET role = 'pharmacist' WHERE name = "
	       "'bob'");
}

/*
 * A plan that departs from a default policy is stored with who chose it
 * and why (issue 4): refused without a reason, and a reason without a
 * departure is refused too; the override row is audited, and the history
 * names it with the plan's preset.
 */
static void
overrides(const struct ldn_kb *kb)
{
	static const char in[] = "{\"id\":\"p-ovr\",\"age_years\":50,"
	                         "\"sex\":\"female\",\"weight_kg\":70,"
	                         "\"opioid_analgesia_required\":false,"
	                         "\"medications\":[],\"conditions\":[]}";
	const char *pol = "periop_restart=24h";
	struct ldn_store *st = open_store();
	struct ldn_plan *plan = NULL, *plain = NULL;
	struct ldn_error err = { 0 };
	char *out = NULL, hash[65];
	size_t len, rows;

	if (!ok(st != NULL &&
	            ldn_plan_build_with(kb, in, strlen(in), false, "2026-01-01",
	                "slow", &pol, 1, NULL, &plan, &err) == LDN_OK &&
	            ldn_plan_build(kb, in, strlen(in), "2026-01-01", &plain,
	                &err) == LDN_OK,
	        "overrides: plans build (%s)", err.msg))
		goto done;
	ok(ldn_store_add_patient(st, "dr-lee", in, strlen(in), plan, NULL,
	       &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "why") == 0,
	    "an override without a reason is refused (%s)", err.msg);
	ok(ldn_store_add_patient(st, "dr-lee", in, strlen(in), plan, "  ",
	       &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "why") == 0,
	    "and with a blank one");
	ok(ldn_store_add_patient(st, "dr-lee", in, strlen(in), plain, "because",
	       &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "why") == 0,
	    "a reason with nothing to explain is refused (%s)", err.msg);
	ok(sql_long("SELECT count(*) FROM patients WHERE id = 'p-ovr'") == 0,
	    "and a refusal stores nothing");
	ok(ldn_store_add_patient(st, "dr-lee", in, strlen(in), plan,
	       "anaesthetist's protocol restarts after 24 h", &err) == LDN_OK,
	    "with a reason it is stored (%s)", err.msg);
	ok(sql_long("SELECT count(*) FROM audit WHERE action = "
	            "'override.record' AND actor = 'dr-lee'") == 1,
	    "the override is in the audit log, by who chose it");
	ok(ldn_store_history(st, "t", "p-ovr", LDN_HISTORY_JSON, &out, &len,
	       &err) == LDN_OK &&
	        strstr(out, "\"preset\": \"slow\"") &&
	        strstr(out, "\"policy\": \"periop_restart\"") &&
	        strstr(out, "\"value\": \"24h\"") &&
	        strstr(out, "\"by\": \"dr-lee\"") &&
	        strstr(out, "\"why\": \"anaesthetist's protocol"),
	    "the history shows the plan's preset and the override: what, "
	    "who, why");
	free(out);
	ok(ldn_store_audit_verify(st, &rows, hash, &err) == LDN_OK,
	    "the log verifies (%s)", err.msg);
	ldn_store_close(st);
	st = NULL;
	sql_do("UPDATE policy_overrides SET why = 'no reason' WHERE 1 = 1");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &rows, hash, &err) != LDN_OK &&
	        strstr(err.msg, "policy_overrides/"),
	    "a reason changed afterwards is found (%s)", err.msg);
	sql_do("UPDATE policy_overrides SET why = 'anaesthetist''s protocol "
	       "restarts after 24 h' WHERE 1 = 1");
done:
	ldn_plan_free(plan);
	ldn_plan_free(plain);
	ldn_store_close(st);
}

/* The editorial log (issue 9) on this backend: rows in order with their
 * audit rows, a writer that read before another's row is refused, and an
 * approval forged behind the store's back is found by the audit check.
 * The workflow's rules are tested in tests/review.c. */
static bool
count_row(void *ud, const struct ldn_review_row *row)
{
	size_t *n = ud;

	(*n)++;
	return row->seq > 0 && strcmp(row->kind, "statement") == 0;
}

static void
review_log(void)
{
	struct ldn_store *st = open_store();
	struct ldn_error err = { 0 };
	struct ldn_review_row row = { .kind = "statement",
		.item = "protocol.start",
		.version =
		    "00112233445566778899aabbccddeeff00112233445566778899"
		    "aabbccddeeff",
		.state = "submitted",
		.actor = "test-author",
		.why = "first draft",
		.content = "statement protocol.start\n" };
	long long seq = -1, last = -1;
	size_t n = 0, rows = 0, skipped = 0;
	char hash[65];

	if (!ok(st != NULL, "review log: the store opens"))
		return;
	ok(ldn_store_review_seq(st, &last, &err) == LDN_OK && last == 0,
	    "an empty log is at row 0");
	ok(ldn_store_review_append(st, &row, 0, &seq, &err) == LDN_OK &&
	        seq == 1,
	    "the first row is row 1 (%s)", err.msg);
	row.state = "under-review";
	row.actor = "test-reviewer-a";
	ok(ldn_store_review_append(st, &row, 0, &seq, &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "version") == 0,
	    "a writer who read before row 1 is refused (%s)", err.msg);
	ok(ldn_store_review_append(st, &row, 1, &seq, &err) == LDN_OK &&
	        seq == 2,
	    "one who read row 1 writes row 2");
	ok(ldn_store_review_log(st, 0, count_row, &n, &skipped, &last, &err) ==
	            LDN_OK &&
	        n == 2 && skipped == 0 && last == 2,
	    "the log reads back both rows in order");
	n = 0;
	ok(ldn_store_review_log(st, 1, count_row, &n, &skipped, &last, &err) ==
	            LDN_OK &&
	        n == 1 && last == 2,
	    "and from a row on");
	ok(sql_long("SELECT count(*) FROM audit WHERE action = 'kb.review'") ==
	            2 &&
	        ldn_store_audit_verify(st, &rows, hash, &err) == LDN_OK,
	    "each row is in the audit chain, which verifies (%s)", err.msg);
	ldn_store_close(st);
	sql_do("UPDATE kb_review SET state = 'approved' WHERE seq = 2");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &rows, hash, &err) != LDN_OK &&
	        strstr(err.msg, "kb_review/2 was changed"),
	    "an approval forged in the table is found (%s)", err.msg);
	n = 0;
	ok(st &&
	        ldn_store_review_log(st, 0, count_row, &n, &skipped, &last,
	            &err) == LDN_OK &&
	        n == 1 && skipped == 1 && last == 2,
	    "and the log does not pass it on: its audit row does not vouch "
	    "for it");
	ldn_store_close(st);
	sql_do("UPDATE kb_review SET state = 'under-review' WHERE seq = 2");
	sql_do("INSERT INTO kb_review VALUES (3, 'statement', "
	       "'protocol.start', 'v', 'approved', 'x', 'now', 'y', 'z')");
	st = open_store();
	n = 0;
	ok(st &&
	        ldn_store_review_log(st, 0, count_row, &n, &skipped, &last,
	            &err) == LDN_OK &&
	        n == 2 && skipped == 1 && last == 3,
	    "a row added behind the store's back, with no audit row, is "
	    "skipped and counted, and the log's end is still its last row");
	ldn_store_close(st);
	sql_do("DELETE FROM kb_review WHERE seq = 3");
}

/* Four processes opening a new store at once must all succeed: the
 * migrations are applied once, inside the lock. */
static void
racing_opens(void)
{
	int failures = 0, rounds = pg ? 4 : 10;

	for (int round = 0; round < rounds; round++) {
		char u2[700], name[96];
		pid_t pid[4];

		if (pg) {
			struct raw r;

			char sql[160];

			snprintf(name, sizeof(name), "%s_race%d", pg_name,
			    round);
			pg_url(pg_base, name, u2, sizeof(u2));
			snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
			if (!raw_open_url(&r, pg_base) || !raw_exec(&r, sql))
				failures++;
			raw_close(&r);
		} else {
			snprintf(u2, sizeof(u2), "sqlite:%s.race%d", path,
			    round);
		}
		for (int k = 0; k < 4; k++) {
			pid[k] = fork();
			if (pid[k] == 0) {
				struct ldn_store *st;
				struct ldn_error err;

				_exit(ldn_store_open(u2, sql_dir, &st, &err) ==
				            LDN_OK
				        ? (ldn_store_close(st), 0)
				        : (fprintf(stderr, "# open: %s: %s\n",
				               err.where, err.msg),
				              1));
			}
		}
		for (int k = 0; k < 4; k++) {
			int status;

			waitpid(pid[k], &status, 0);
			failures +=
			    !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
	}
	ok(failures == 0,
	    "%d processes opening %d new stores four at a time: %d failed",
	    rounds * 4, rounds, failures);
}

/* A writer: add visits with notes "<tag><i>" from i = from, writing i to
 * the pipe after each commit; runs until killed or count written. */
static void
writer(int fd, const char *tag, long from, long count)
{
	struct ldn_store *st = open_store();
	struct ldn_error err;
	char notes[32], line[32];

	if (st == NULL)
		_exit(2);
	for (long i = from; i < from + count; i++) {
		struct ldn_visit v;

		snprintf(notes, sizeof(notes), "%s%ld", tag, i);
		v = visit(notes);
		if (ldn_store_add_visit(st, "writer", "p-001", &v, &err) !=
		    LDN_OK) {
			printf("# writer: %s\n", err.msg);
			_exit(3);
		}
		int n = snprintf(line, sizeof(line), "%ld\n", i);
		if (write(fd, line, (size_t)n) != n)
			_exit(4);
	}
	ldn_store_close(st);
	_exit(0);
}

static bool
has_note(struct raw *r, const char *tag, long i)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM visits WHERE notes = '%s%ld'", tag, i);
	return raw_long(r, sql) > 0;
}

/* Kill a writer after a while; a PostgreSQL writer takes longer to
 * connect and to commit, so it gets longer. */
static long
pause_ns(int spread)
{
	long ms = (pg ? 60 : 10) + rand() % (pg ? spread * 3 : spread);

	return ms * 1000000L;
}

static void
killed_writers(void)
{
	long next = 0, acked_total = 0;
	int rounds = 25;

	srand(7);
	/* at least 25 rounds, and more on a loaded machine, where a writer
	 * gets fewer commits in before its SIGKILL */
	int r;

	for (r = 0; r < rounds || (acked_total <= 100 && r < 400); r++) {
		int fds[2];
		pid_t pid;
		struct timespec pause = { 0, pause_ns(40) };
		char buf[4096];
		long acked = next - 1;

		fflush(stdout);
		if (pipe(fds) != 0)
			break;
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			writer(fds[1], "k", next, 1000000);
		}
		close(fds[1]);
		nanosleep(&pause, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		/* every number the writer wrote was committed first */
		ssize_t got;
		size_t used = 0;
		while ((got = read(fds[0], buf + used,
		            sizeof(buf) - 1 - used)) > 0) {
			used += (size_t)got;
			buf[used] = '\0';
			char *nl;
			while ((nl = strchr(buf, '\n')) != NULL) {
				*nl = '\0';
				acked = atol(buf);
				memmove(buf, nl + 1, strlen(nl + 1) + 1);
				used = strlen(buf);
			}
		}
		close(fds[0]);
		acked_total += acked - next + 1 > 0 ? acked - next + 1 : 0;
		/* the next writer continues after the last acknowledged */
		next = acked + 1 > next ? acked + 1 : next;
		next += 1; /* an unacknowledged write may or may not be there */
	}
	struct raw raw;
	char *integrity = NULL;
	long stored = -1;

	if (raw_open(&raw)) {
		if (raw.lite) {
			sqlite3_stmt *q;

			sqlite3_prepare_v2(raw.lite, "PRAGMA integrity_check",
			    -1, &q, NULL);
			if (sqlite3_step(q) == SQLITE_ROW)
				integrity = strdup(
				    (const char *)sqlite3_column_text(q, 0));
			sqlite3_finalize(q);
		} else {
			/* no transaction of a killed writer is left open,
			 * once the server has seen its socket close (a
			 * backend learns of it at its next read: allow up to
			 * five seconds, as a loaded CI machine needed) */
			long open = -1;

			for (int tries = 0; tries < 50; tries++) {
				struct timespec pause = { 0,
					100 * 1000 * 1000 };

				open = raw_long(&raw,
				    "SELECT count(*) FROM pg_stat_activity "
				    "WHERE datname = current_database() AND "
				    "state LIKE 'idle in transaction%'");
				if (open == 0)
					break;
				nanosleep(&pause, NULL);
			}
			integrity = open == 0 ? strdup("ok") : NULL;
		}
		stored = raw_long(&raw,
		    "SELECT count(*) FROM visits WHERE notes LIKE 'k%'");
	}
	raw_close(&raw);
	ok(integrity && strcmp(integrity, "ok") == 0,
	    "after %d SIGKILLs mid-write the database %s", r,
	    pg ? "holds no transaction of theirs open"
	       : "passes its integrity check");
	ok(stored >= acked_total && acked_total > 100,
	    "every acknowledged write is there (%ld acknowledged, %ld stored)",
	    acked_total, stored);
	free(integrity);

	struct ldn_store *st = open_store();
	struct ldn_error err;
	size_t n = 0;
	char last[65];
	bool intact =
	    st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK;
	ok(intact, "and the audit chain is intact (%zu rows)", n);
	ldn_store_close(st);
}

/* Check acknowledged writes one by one, on a dedicated run. */
static void
acked_are_present(void)
{
	int fds[2];
	pid_t pid;
	char buf[1 << 16];
	size_t used = 0;
	ssize_t got;
	long missing = 0, acked = 0;
	struct timespec pause = { 0, (pg ? 300 : 80) * 1000000L };

	fflush(stdout);
	if (pipe(fds) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		writer(fds[1], "a", 0, 1000000);
	}
	close(fds[1]);
	nanosleep(&pause, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	while ((got = read(fds[0], buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)got;
	buf[used] = '\0';
	close(fds[0]);
	struct raw r;
	if (!raw_open(&r))
		missing = -1;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		acked++;
		if (!has_note(&r, "a", atol(line)))
			missing++;
	}
	raw_close(&r);
	ok(acked > 0 && missing == 0,
	    "each of %ld writes acknowledged before a SIGKILL is stored "
	    "(%ld missing)",
	    acked, missing);
}

static void
two_writers(void)
{
	struct ldn_store *st;
	struct ldn_error err;
	int fds[2][2];
	pid_t pid[2];
	size_t n;
	char last[65];
	long before, after;

	before = sql_long("SELECT count(*) FROM visits");
	fflush(stdout);
	for (int w = 0; w < 2; w++) {
		if (pipe(fds[w]) != 0)
			return;
		pid[w] = fork();
		if (pid[w] == 0) {
			close(fds[w][0]);
			/* drain nothing: the pipe buffer holds 300 lines */
			writer(fds[w][1], w ? "b" : "c", 0, 300);
		}
		close(fds[w][1]);
	}
	int ok_exits = 0;
	for (int w = 0; w < 2; w++) {
		int status;

		waitpid(pid[w], &status, 0);
		ok_exits += WIFEXITED(status) && WEXITSTATUS(status) == 0;
		close(fds[w][0]);
	}
	after = sql_long("SELECT count(*) FROM visits");
	ok(ok_exits == 2 && before >= 0 && after - before == 600,
	    "two processes writing at once: %ld of 600 visits stored",
	    after - before);
	st = open_store();
	n = 0;
	bool intact =
	    st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK;
	ok(intact, "and the audit chain is intact after it all (%zu rows)", n);
	ldn_store_close(st);
	struct raw r;
	struct chain c = { .rows = -1 };
	if (raw_open(&r))
		recompute_chain(&r, &c);
	raw_close(&r);
	ok(c.rows == (long)n && c.good == c.rows,
	    "and every row's hash, recomputed here, chains (%ld of %ld)",
	    c.good, c.rows);
}

/* Copy a file; false if it cannot be read or written. */
static bool
copy_file(const char *from, const char *to)
{
	size_t len;
	char *text = tap_slurp(from, &len);
	FILE *fp = text ? fopen(to, "w") : NULL;
	bool good = fp && fwrite(text, 1, len, fp) == len;

	if (fp && fclose(fp) != 0)
		good = false;
	free(text);
	return good;
}

/* Add rows and their audit rows as the store did before migration 002:
 * the plan's content hash covers the 12 columns it had then. */
static bool
write_old_rows(struct raw *r)
{
	static const char *const rows[][3] = {
		{ "INSERT INTO patients VALUES ('old-1', NULL, '{}', "
		  "'2026-01-01T00:00:00Z')",
		    "SELECT * FROM patients WHERE id = 'old-1'",
		    "patients/old-1" },
		{ "INSERT INTO plans (patient_id, issued_at, as_of, "
		  "kb_version, "
		  "kb_fingerprint, input_hash, preset, decision, "
		  "earliest_start, ceiling_ug, plan_json) VALUES ('old-1', "
		  "'2026-01-01T00:00:00Z', '2026-01-01', '1.0.0', 'f', 'h', "
		  "'seed', 'start', '2026-01-01', 4500, '{}')",
		    "SELECT * FROM plans WHERE id = 1", "plans/1" },
		{ "INSERT INTO visits (patient_id, date, dose_ug, pain, "
		  "side_effects, notes, created_at) VALUES ('old-1', "
		  "'2026-02-01', 1500, 4, 'none', NULL, "
		  "'2026-02-01T00:00:00Z')",
		    "SELECT * FROM visits WHERE id = 1", "visits/1" },
	};
	static const char *const actions[] = { "patient.add", "plan.issue",
		"visit.add" };
	char prev[65], content[65], hash[65], seq[8], sql[600];

	memset(prev, '0', 64);
	prev[64] = '\0';
	for (int i = 0; i < 3; i++) {
		if (!raw_exec(r, rows[i][0]))
			return false;
		raw_row_hash(r, rows[i][1], content);
		snprintf(seq, sizeof(seq), "%d", i + 1);
		audit_hash(prev, seq, "2026-02-01T00:00:00Z", "old", actions[i],
		    rows[i][2], content, hash);
		snprintf(sql, sizeof(sql),
		    "INSERT INTO audit VALUES (%d, '2026-02-01T00:00:00Z', "
		    "'old', '%s', '%s', '%s', '%s', '%s')",
		    i + 1, actions[i], rows[i][2], content, prev, hash);
		if (!raw_exec(r, sql))
			return false;
		snprintf(prev, sizeof(prev), "%s", hash);
	}
	return true;
}

/* A SQLite file made before migrations 002 and 003 (plans without
 * start_ug, step_ug, interval_d; visits without timing) migrates, and its
 * old records still verify. */
static void
before_002(void)
{
	char dir[600], file[700], old_url[800];
	struct ldn_store *st;
	struct ldn_error err;
	struct ldn_course *c = NULL;
	struct raw r;
	size_t n = 0;
	char last[65];

	snprintf(dir, sizeof(dir), "%s/old", tmpdir);
	snprintf(file, sizeof(file), "%s/sqlite", dir);
	mkdir(dir, 0700);
	mkdir(file, 0700);
	snprintf(file, sizeof(file), "%s/sqlite/001_init.sql", sql_dir);
	snprintf(old_url, sizeof(old_url), "%s/sqlite/001_init.sql", dir);
	bool made = copy_file(file, old_url);
	snprintf(file, sizeof(file), "%s/old.db", tmpdir);
	snprintf(old_url, sizeof(old_url), "sqlite:%s", file);
	made = made && ldn_store_open(old_url, dir, &st, &err) == LDN_OK;
	if (made)
		ldn_store_close(st);
	made = made && raw_open_url(&r, file) && write_old_rows(&r) &&
	    raw_long(&r, "SELECT count(*) FROM schema_migrations") == 1;
	raw_close(&r);
	ok(made,
	    "a store of migration 001 only is made, with a patient, plan "
	    "and visit written the old way");
	st = NULL;
	bool good = ldn_store_open(old_url, sql_dir, &st, &err) == LDN_OK &&
	    ldn_store_audit_verify(st, &n, last, &err) == LDN_OK && n == 3;
	ok(good,
	    "opened with today's migrations it migrates, and verifies (%zu "
	    "rows)",
	    n);
	struct ldn_visit v = visit("after");
	good = st &&
	    ldn_store_add_visit(st, "test", "old-1", &v, &err) == LDN_OK &&
	    ldn_store_course(st, "test", "old-1", &c, &err) == LDN_OK &&
	    c->start_ug == 0 && c->interval_d == 0 && c->ceiling_ug == 4500 &&
	    c->n_visits == 2 &&
	    ldn_store_audit_verify(st, &n, last, &err) == LDN_OK && n == 5;
	ok(good,
	    "it takes new visits, reads the old plan's course (its steps 0), "
	    "and verifies (%zu rows)",
	    n);
	ldn_course_free(c);
	ldn_store_close(st);
	raw_open_url(&r, file);
	raw_exec(&r, "UPDATE plans SET start_ug = 1500 WHERE id = 1");
	raw_close(&r);
	st = NULL;
	ok(ldn_store_open(old_url, sql_dir, &st, &err) == LDN_OK &&
	        ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "plans/1 was changed"),
	    "a column 002 added, changed in an old plan, is found (%s)",
	    err.msg);
	ldn_store_close(st);
	raw_open_url(&r, file);
	raw_exec(&r, "UPDATE plans SET start_ug = 0 WHERE id = 1");
	raw_exec(&r, "UPDATE visits SET timing = 'morning' WHERE id = 1");
	raw_close(&r);
	st = NULL;
	ok(ldn_store_open(old_url, sql_dir, &st, &err) == LDN_OK &&
	        ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "visits/1 was changed"),
	    "a column 003 added, set in an old visit, is found (%s)", err.msg);
	ldn_store_close(st);
}

/* PostgreSQL: this run's database, made on the server of LDN_TEST_PG. */
static bool
pg_create(void)
{
	struct raw r;
	char sql[128];
	bool made;

	snprintf(pg_name, sizeof(pg_name), "ldn_test_%ld_%ld", (long)getpid(),
	    (long)time(NULL));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg_name);
	made = raw_open_url(&r, pg_base) && raw_exec(&r, sql);
	if (!made && r.pg)
		printf("# %s", PQerrorMessage(r.pg));
	raw_close(&r);
	pg_url(pg_base, pg_name, url, sizeof(url));
	return made;
}

static void
pg_drop(void)
{
	struct raw r;
	char sql[160];

	if (!raw_open_url(&r, pg_base))
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    pg_name);
	if (!raw_exec(&r, sql))
		printf("# could not drop %s\n", pg_name);
	for (int i = 0; i < 10; i++) {
		snprintf(sql, sizeof(sql),
		    "DROP DATABASE IF EXISTS %s_race%d WITH (FORCE)", pg_name,
		    i);
		raw_exec(&r, sql);
	}
	raw_close(&r);
}

int
main(int argc, char **argv)
{
	struct ldn_kb *kb;
	struct ldn_error err;
	const char *env = getenv("LDN_TEST_PG");

	sql_dir = argc > 1 ? argv[1] : "sql";
	pg = argc > 2 && strcmp(argv[2], "postgresql") == 0;
	if (pg && (env == NULL || *env == '\0')) {
		printf("1..0 # SKIP LDN_TEST_PG is not set: no PostgreSQL "
		       "server to test on (scripts/pg.sh start prints a URL "
		       "for it)\n");
		return 0;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ldn-store-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/t.db", tmpdir);
	if (pg) {
		snprintf(pg_base, sizeof(pg_base), "%s", env);
		if (!pg_create()) {
			printf("Bail out! cannot create a database on "
			       "LDN_TEST_PG\n");
			return 1;
		}
		tap_diag("on PostgreSQL, database %s", pg_name);
	} else {
		snprintf(url, sizeof(url), "sqlite:%s", path);
	}
	if (ldn_kb_load(LDN_KB_DIR, &kb, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	basics(kb);
	course(kb);
	course_timing(kb);
	course_holds(kb);
	bad_urls();
	tokens();
	overrides(kb);
	review_log();
	if (pg)
		dropped_connection();
	racing_opens();
	killed_writers();
	acked_are_present();
	two_writers();
	if (!pg)
		before_002();
	ldn_kb_free(kb);
	if (pg)
		pg_drop();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
