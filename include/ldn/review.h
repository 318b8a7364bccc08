/*
 * The editorial workflow.  Every statement (kb/statements.yaml and the
 * words of each preset) and every reference is an item with a version: the
 * SHA-256 of its content as a plan would use it.  A statement's content
 * takes in its expanded words and the versions of the references it cites,
 * so a changed number or source is a new version that needs review.
 *
 * Items move through states by actions of the people named in
 * kb/reviewers.yaml (role author, reviewer or editor):
 *
 *   submit           draft, changes-requested -> submitted     any role
 *   review           submitted -> under-review         reviewer, editor
 *   approve          under-review -> approved          reviewer, editor
 *   request-changes  submitted, under-review -> changes-requested
 *                                                      reviewer, editor
 *   retire           any but retired -> retired        editor
 *
 * Nobody reviews or approves a version they submitted.  Each action is a
 * row of the store's review log, with who, when, which version, why and
 * the content, and a row of the hash-chained audit.  An item's state is
 * that of the latest row for its current version; with none it is draft,
 * or retired if it was ever retired (retirement is final).
 */
#ifndef LDN_REVIEW_H
#define LDN_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "ldn/error.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

struct ldn_store;

enum ldn_review_action {
	LDN_REVIEW_SUBMIT,
	LDN_REVIEW_REVIEW,
	LDN_REVIEW_APPROVE,
	LDN_REVIEW_REQUEST_CHANGES,
	LDN_REVIEW_RETIRE,
};

/* The state of every item of one knowledge base as of one point in the
 * log.  Immutable once loaded: any number of threads may read it. */
struct ldn_review;

/*
 * Read the review log of st (NULL: no store, every item draft) for kb.
 * *out borrows kb, which must outlive it; free it with ldn_review_free().
 */
enum ldn_status ldn_review_load(const struct ldn_kb *kb, struct ldn_store *st,
    struct ldn_review **out, struct ldn_error *err);
void ldn_review_free(struct ldn_review *rv);

/* The number of the last log row rv has read (0: none). */
long long ldn_review_seq(const struct ldn_review *rv);

/* "submit", "review", "approve", "request-changes" or "retire". */
bool ldn_review_action_parse(const char *name, enum ldn_review_action *out);

/*
 * Act on item ("ID", "statement/ID" or "reference/ID") as who (an id in
 * kb/reviewers.yaml), on the version the actor saw (its first 12 to 64 hex
 * digits; NULL: the current one), for the reason why (1 to 2000 bytes).
 * Recorded in st with its audit row, unless the log has moved on since rv
 * was loaded.  Refusals are LDN_E_SCHEMA with where "who", "item",
 * "version", "why" or "action" and the reason.  rv is unchanged: load a
 * new one to see the action.
 */
enum ldn_status ldn_review_act(const struct ldn_review *rv,
    struct ldn_store *st, const char *who, const char *item,
    enum ldn_review_action action, const char *version, const char *why,
    struct ldn_error *err);

/*
 * The items, with their state, version, since when and by whom, as text
 * (one line each) or JSON (LDN_FORMAT_JSON or _COMPACT: {"items": [...],
 * "counts": {...}, "reviewers": [...]}); state, unless NULL, keeps only
 * the items in that state.  *out is NUL-terminated; free() it.
 */
enum ldn_status ldn_review_status(const struct ldn_review *rv,
    const char *state, enum ldn_format format, char **out, size_t *len,
    struct ldn_error *err);

/*
 * One item: its current content and state, every action on it, and the
 * difference between its current content and the last approved version
 * (or, never approved, the last version acted on), as text or JSON.
 */
enum ldn_status ldn_review_item(const struct ldn_review *rv, const char *item,
    enum ldn_format format, char **out, size_t *len, struct ldn_error *err);

/* The role ("author", "reviewer" or "editor") of reviewer id in kb, or
 * NULL when kb/reviewers.yaml does not name them. */
const char *ldn_review_role(const struct ldn_kb *kb, const char *id);

#endif
