/*
 * The store on a real SQLite file: patients, visits and their refusals,
 * history, the audit chain (and that a changed record is found), and that
 * nothing is lost: a writer killed with SIGKILL in the middle of a loop of
 * writes, many times, leaves a database that passes its integrity check
 * with every acknowledged write in it, and two processes writing at once
 * neither corrupt nor lose.
 *
 *   store SQL_DIR
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
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
static char url[600], path[512];

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
	       &err) == LDN_OK,
	    "a patient is added with their plan");
	ok(ldn_store_add_patient(st, "test", PATIENT, strlen(PATIENT), plan,
	       &err) == LDN_E_SCHEMA &&
	        strstr(err.msg, "already stored"),
	    "the same patient twice is refused (%s)", err.msg);
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

	/* Change a visit behind the store's back: verify must find it. */
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "UPDATE visits SET pain = 1 WHERE id = 1", NULL, NULL,
	    NULL);
	int del = sqlite3_exec(db, "DELETE FROM audit WHERE seq = 2", NULL,
	    NULL, NULL);
	sqlite3_close(db);
	ok(del != SQLITE_OK, "the audit log refuses deletion");
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "changed"),
	    "a visit changed after it was written is found (%s: %s)", err.where,
	    err.msg);
	ldn_store_close(st);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "UPDATE visits SET pain = 6 WHERE id = 1", NULL, NULL,
	    NULL);
	sqlite3_close(db);
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK,
	    "restored, it verifies again");
	ldn_store_close(st);

	/* A NULL note changed to "-": NULL is hashed as NULL, not as text. */
	sqlite3_open(path, &db);
	sqlite3_exec(db, "UPDATE visits SET notes = '-' WHERE id = 2", NULL,
	    NULL, NULL);
	sqlite3_close(db);
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK,
	    "a NULL changed to \"-\" is found (%s)", err.msg);
	ldn_store_close(st);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "UPDATE visits SET notes = NULL WHERE id = 2", NULL,
	    NULL, NULL);
	/* A visit added behind the store's back. */
	sqlite3_exec(db,
	    "INSERT INTO visits (patient_id, date, dose_ug, pain, "
	    "side_effects, created_at) VALUES ('p-001', '2026-06-02', 4500, 0, "
	    "'none', 'x')",
	    NULL, NULL, NULL);
	sqlite3_close(db);
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "not in the audit log"),
	    "a visit added behind the store's back is found (%s: %s)",
	    err.where, err.msg);
	ldn_store_close(st);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "DELETE FROM visits WHERE created_at = 'x'", NULL,
	    NULL, NULL);
	/* The whole log emptied (its triggers dropped first). */
	sqlite3_exec(db,
	    "CREATE TABLE saved AS SELECT * FROM audit; "
	    "DROP TRIGGER audit_no_delete; DELETE FROM audit",
	    NULL, NULL, NULL);
	sqlite3_close(db);
	st = open_store();
	ok(st && ldn_store_audit_verify(st, &n, last, &err) != LDN_OK &&
	        strstr(err.msg, "not in the audit log"),
	    "an emptied log is found through the records it no longer "
	    "covers (%s)",
	    err.msg);
	ldn_store_close(st);
	sqlite3_open(path, &db);
	sqlite3_exec(db,
	    "INSERT INTO audit SELECT * FROM saved; DROP TABLE saved; "
	    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
	    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
	    NULL, NULL, NULL);
	sqlite3_close(db);
	st = open_store();
	n = 0;
	bool again = st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK;
	ok(again, "restored, the log verifies again (%zu rows)", n);
	ldn_store_close(st);
}

/* Four processes opening a new store at once must all succeed: the
 * migrations are applied once, inside the lock. */
static void
racing_opens(void)
{
	int failures = 0;

	for (int round = 0; round < 10; round++) {
		char p2[600], u2[700];
		pid_t pid[4];

		snprintf(p2, sizeof(p2), "%s.race%d", path, round);
		snprintf(u2, sizeof(u2), "sqlite:%s", p2);
		for (int k = 0; k < 4; k++) {
			pid[k] = fork();
			if (pid[k] == 0) {
				struct ldn_store *st;
				struct ldn_error err;

				_exit(ldn_store_open(u2, sql_dir, &st, &err) ==
				            LDN_OK
				        ? (ldn_store_close(st), 0)
				        : 1);
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
	    "40 processes opening 10 new stores four at a time: %d failed",
	    failures);
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
		    LDN_OK)
			_exit(3);
		int n = snprintf(line, sizeof(line), "%ld\n", i);
		if (write(fd, line, (size_t)n) != n)
			_exit(4);
	}
	ldn_store_close(st);
	_exit(0);
}

static bool
has_note(sqlite3 *db, const char *tag, long i)
{
	char notes[32];
	sqlite3_stmt *q;
	bool found;

	snprintf(notes, sizeof(notes), "%s%ld", tag, i);
	sqlite3_prepare_v2(db, "SELECT 1 FROM visits WHERE notes = ?", -1, &q,
	    NULL);
	sqlite3_bind_text(q, 1, notes, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found;
}

static void
killed_writers(void)
{
	long next = 0, acked_total = 0;
	int rounds = 25;

	srand(7);
	for (int r = 0; r < rounds; r++) {
		int fds[2];
		pid_t pid;
		struct timespec pause = { 0, (10 + rand() % 40) * 1000000L };
		char buf[4096];
		long acked = next - 1;

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
	sqlite3 *db;
	sqlite3_stmt *q;
	char *integrity = NULL;

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL);
	if (sqlite3_step(q) == SQLITE_ROW)
		integrity = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM visits WHERE notes LIKE 'k%'", -1, &q, NULL);
	sqlite3_step(q);
	long stored = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	ok(integrity && strcmp(integrity, "ok") == 0,
	    "after %d SIGKILLs mid-write the database passes its integrity "
	    "check",
	    rounds);
	ok(stored >= acked_total && acked_total > 100,
	    "every acknowledged write is there (%ld acknowledged, %ld stored)",
	    acked_total, stored);
	free(integrity);
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
	struct timespec pause = { 0, 80 * 1000000L };

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
	sqlite3 *db;
	sqlite3_open(path, &db);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		acked++;
		if (!has_note(db, "a", atol(line)))
			missing++;
	}
	sqlite3_close(db);
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
	sqlite3 *db;
	sqlite3_stmt *q;

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "SELECT count(*) FROM visits", -1, &q, NULL);
	sqlite3_step(q);
	before = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
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
	sqlite3_prepare_v2(db, "SELECT count(*) FROM visits", -1, &q, NULL);
	sqlite3_step(q);
	after = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	ok(ok_exits == 2 && after - before == 600,
	    "two processes writing at once: %ld of 600 visits stored",
	    after - before);
	st = open_store();
	n = 0;
	bool intact =
	    st && ldn_store_audit_verify(st, &n, last, &err) == LDN_OK;
	ok(intact, "and the audit chain is intact after it all (%zu rows)", n);
	ldn_store_close(st);
}

int
main(int argc, char **argv)
{
	struct ldn_kb *kb;
	struct ldn_error err;
	char dir[] = "/tmp/ldn-store-XXXXXX";

	sql_dir = argc > 1 ? argv[1] : "sql";
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/t.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (ldn_kb_load(LDN_KB_DIR, &kb, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	basics(kb);
	racing_opens();
	killed_writers();
	acked_are_present();
	two_writers();
	ldn_kb_free(kb);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
