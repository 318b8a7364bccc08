/*
 * The server's current review snapshot (include/ldn/review.h) of its
 * knowledge base, shared by the worker threads (review.c).  A snapshot is
 * immutable; a new one replaces it after a review action through the API,
 * or when the store's review log has grown (checked at most every two
 * seconds), so that plans follow the log within that time whoever wrote it.
 */
#ifndef LDN_SERVER_REVIEW_H
#define LDN_SERVER_REVIEW_H

#include "app.h"

struct ldn_review;
struct review_keeper;

/* One holder's reference to a snapshot: release it with review_release(). */
struct review_ref;

/*
 * Read the review log of st into a new keeper for app->kb: 0, or an exit
 * code (74: the log cannot be read; 70: out of memory) after saying why
 * on stderr.  interval_ms: how long a snapshot is trusted before the log
 * is checked again (2000 in the server).
 */
int review_keeper_new(struct app *app, struct ldn_store *st,
    unsigned interval_ms);
void review_keeper_free(struct app *app);

/*
 * The current snapshot, held until review_release(); first, if the last
 * check is interval_ms old, one caller compares the log's last row with
 * the snapshot's and loads a newer one.  Never fails: without a keeper
 * (app->review NULL) the reference is NULL and review_of() gives NULL,
 * which the library reads as "every item a draft".  Thread-safe.
 */
struct review_ref *review_acquire(struct app *app);
const struct ldn_review *review_of(const struct review_ref *ref);
void review_release(struct review_ref *ref);

/*
 * Read DIR/editorial-policy.md into app->policy, served from memory at
 * GET /docs/editorial-policy: 0, or 70 when out of memory.  A missing
 * file is a warning on stderr, and the route answers 503.
 */
int policy_load(struct app *app, const char *dir);

#endif
