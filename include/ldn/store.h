/*
 * The store: patients with the plans issued for them, their visits, and an
 * append-only, hash-chained audit log of who did what to which record.
 * Chosen by URL: "sqlite:PATH" (the embedded default, WAL) or
 * "postgresql://..." / "postgres://..." (libpq), with the same schema.
 * Every write is one transaction with its audit row; a write that returns
 * LDN_OK survives a crash of the process that made it.  One store handle
 * per thread.
 */
#ifndef LDN_STORE_H
#define LDN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ldn/course.h"
#include "ldn/error.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

struct ldn_store;

/* Open (creating and migrating as needed) the store at url; migrations are
 * the files of sql_dir/sqlite/ or sql_dir/postgresql/ applied in name
 * order.  Another kind of URL is LDN_E_SCHEMA at "db"; a database that
 * cannot be reached, LDN_E_IO with its words. */
enum ldn_status ldn_store_open(const char *url, const char *sql_dir,
    struct ldn_store **out, struct ldn_error *err);
void ldn_store_close(struct ldn_store *st);

/*
 * Add a patient: the input (len bytes, native JSON or a FHIR Bundle) is
 * kept as the intake snapshot, with the plan built from it.  The patient's
 * id is the plan's (native "id", or the FHIR Patient's); a patient without
 * one, or one already stored, is refused.  A plan that departs from a
 * default policy (ldn_plan_overrides()) is stored with actor and why, one
 * line of 1 to 2000 bytes, audited; without why it is refused (LDN_E_SCHEMA
 * at "why"), as is a why with no departure to explain.
 */
enum ldn_status ldn_store_add_patient(struct ldn_store *st, const char *actor,
    const char *input, size_t len, const struct ldn_plan *plan, const char *why,
    struct ldn_error *err);

/* Issue a new plan for a stored patient (the input is its new snapshot);
 * why as for ldn_store_add_patient(). */
enum ldn_status ldn_store_add_plan(struct ldn_store *st, const char *actor,
    const char *input, size_t len, const struct ldn_plan *plan, const char *why,
    struct ldn_error *err);

/*
 * Record a visit for a stored patient.  Refused with a reason: an unknown
 * patient, a score out of range, a date before the latest plan's as-of date
 * or after today, a dose above that plan's ceiling.
 */
enum ldn_status ldn_store_add_visit(struct ldn_store *st, const char *actor,
    const char *patient_id, const struct ldn_visit *v, struct ldn_error *err);

/* Patients in id order, with their latest decision, as text lines
 * "id<TAB>decision<TAB>earliest_start<TAB>visits" in *out (free()). */
enum ldn_status ldn_store_list_patients(struct ldn_store *st, const char *actor,
    char **out, size_t *len, struct ldn_error *err);

/*
 * What the next-step advice needs of a stored patient: the latest plan's
 * numbers and every visit, oldest first (by date, then as recorded).
 * Audited as a read.  *out is the caller's; free it with ldn_course_free().
 */
enum ldn_status ldn_store_course(struct ldn_store *st, const char *actor,
    const char *patient_id, struct ldn_course **out, struct ldn_error *err);
void ldn_course_free(struct ldn_course *c);

/*
 * API bearer tokens.  Roles: clinician, pharmacist, reviewer, admin.
 * ldn_store_add_token() makes a random token (64 hex digits, in token) for
 * name and keeps only its SHA-256; adding is audited.  A name already
 * used, or an unknown role, is refused.
 */
enum ldn_status ldn_store_add_token(struct ldn_store *st, const char *actor,
    const char *name, const char *role, char token[65], struct ldn_error *err);

/* Who holds token: its name (up to 255 bytes) and role, or LDN_E_SCHEMA
 * at "token" when no stored token matches.  Not audited (every API call
 * asks; the calls themselves are). */
enum ldn_status ldn_store_token(struct ldn_store *st, const char *token,
    char name[256], char role[16], struct ldn_error *err);

/* One CDS Hooks feedback item: what was done with a card (outcome
 * "accepted" or "overridden"), when, and the item as sent (detail, JSON).
 * Audited. */
enum ldn_status ldn_store_add_feedback(struct ldn_store *st, const char *actor,
    const char *service, const char *card, const char *outcome,
    const char *outcome_timestamp, const char *detail, struct ldn_error *err);

enum ldn_history_format {
	LDN_HISTORY_TEXT,
	LDN_HISTORY_JSON,
	LDN_HISTORY_CSV,
	LDN_HISTORY_SVG, /* a chart of dose steps and pain over time */
};

/* A patient's plans and visits, oldest first, in *out (free()).  Reading a
 * patient's record is audited too. */
enum ldn_status ldn_store_history(struct ldn_store *st, const char *actor,
    const char *patient_id, enum ldn_history_format format, char **out,
    size_t *len, struct ldn_error *err);

/*
 * The editorial log (include/ldn/review.h): one row per action on a
 * knowledge-base item, in the order taken.  Rows are added, never changed.
 */
struct ldn_review_row {
	long long seq; /* 1, 2, ... */
	const char *kind, *item, *version, *state, *actor, *at, *why, *content;
};

/* The last row's seq (0: none yet). */
enum ldn_status ldn_store_review_seq(struct ldn_store *st, long long *seq,
    struct ldn_error *err);

/*
 * Add row (its seq and at are set here; actor is the reviewer) with its
 * audit row (action "kb.review"), as row after_seq + 1: if the log has
 * grown past after_seq since the caller read it, nothing is written and
 * the error (LDN_E_SCHEMA at "version") says to reload.  *seq, unless
 * NULL, gets the new row's seq.  The caller checks the row is allowed.
 */
enum ldn_status ldn_store_review_append(struct ldn_store *st,
    const struct ldn_review_row *row, long long after_seq, long long *seq,
    struct ldn_error *err);

/* Call cb with every row after seq after, oldest first, until it returns
 * false; the row's strings live until cb returns.  Only rows that their
 * audit row vouches for (the content hash matches) are passed on; the
 * others, written behind the store's back, are counted in *unvouched
 * (`ldn audit verify` says which).  *last gets the last row's seq,
 * vouched for or not (after, when there is none): the after_seq for the
 * next ldn_store_review_append(). */
enum ldn_status ldn_store_review_log(struct ldn_store *st, long long after,
    bool (*cb)(void *ud, const struct ldn_review_row *row), void *ud,
    size_t *unvouched, long long *last, struct ldn_error *err);

/*
 * Walk the audit chain and every audited record, and check that every
 * stored record is in the log; *n_rows gets the rows checked and
 * last_hash the last row's hash.  LDN_OK if intact, else err says which row
 * or record first fails.
 *
 * What it proves: any change to a log row or to a record, any record added
 * behind the store's back, and any gap, are found.  What it cannot prove on
 * its own: that the log was not cut short or rewritten whole by someone able
 * to write the file and recompute the chain.  Keep last_hash (and n_rows)
 * somewhere else from time to time and compare: that anchor closes the gap.
 */
enum ldn_status ldn_store_audit_verify(struct ldn_store *st, size_t *n_rows,
    char last_hash[65], struct ldn_error *err);

#endif
