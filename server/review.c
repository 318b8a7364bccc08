/*
 * The editorial workflow through the server: the review snapshot every
 * plan, answer and kb listing reads (kept current here), the reviewer's
 * routes (queue, item, action) and the editorial policy document.
 *
 * Snapshots are immutable and reference-counted.  The keeper's pointer to
 * the current one is read and replaced only under its mutex, and a holder
 * takes its reference under the same mutex, so a snapshot's count cannot
 * reach zero while a thread is about to take it: the keeper holds one
 * reference of its own until it swaps the snapshot out.  Whoever drops the
 * last reference frees it.  The log is polled (one SELECT of its last row)
 * by one thread at a time, at most every interval_ms.
 */
#include "review.h"

#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldn/review.h"
#include "ldn/store.h"

#include "api.h"
#include "base/error_impl.h"
#include "base/jsonw.h"
#include "base/strbuf.h"

struct review_ref {
	struct ldn_review *rv;
	atomic_long refs;
};

struct review_keeper {
	pthread_mutex_t lock;
	struct review_ref *cur;     /* under lock */
	atomic_llong next_check_ms; /* monotonic clock */
	atomic_bool checking;       /* one poller at a time */
	unsigned interval_ms;
};

static long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void
review_release(struct review_ref *ref)
{
	if (ref != NULL && atomic_fetch_sub(&ref->refs, 1) == 1) {
		ldn_review_free(ref->rv);
		free(ref);
	}
}

const struct ldn_review *
review_of(const struct review_ref *ref)
{
	return ref ? ref->rv : NULL;
}

static struct review_ref *
take_current(struct review_keeper *k)
{
	struct review_ref *ref;

	pthread_mutex_lock(&k->lock);
	ref = k->cur;
	atomic_fetch_add(&ref->refs, 1);
	pthread_mutex_unlock(&k->lock);
	return ref;
}

/*
 * Make the snapshot current with the log of st: when the log's last row is
 * not the snapshot's, load the whole log again and swap it in, unless
 * another thread swapped in a newer one meanwhile.  On failure the old
 * snapshot stays (plans go on with states a few seconds old) and err says
 * why.
 */
static enum ldn_status
refresh(struct app *app, struct ldn_store *st, struct ldn_error *err)
{
	struct review_keeper *k = app->review;
	struct review_ref *old, *ref;
	struct ldn_review *rv;
	long long seq, have;
	enum ldn_status rc;

	if ((rc = ldn_store_review_seq(st, &seq, err)) != LDN_OK)
		return rc;
	old = take_current(k);
	have = ldn_review_seq(old->rv);
	review_release(old);
	if (seq == have)
		return LDN_OK;
	if ((rc = ldn_review_load(app->kb, st, &rv, err)) != LDN_OK)
		return rc;
	if ((ref = malloc(sizeof(*ref))) == NULL) {
		ldn_review_free(rv);
		return ldn_fail(err, LDN_E_NOMEM, "review", "out of memory");
	}
	ref->rv = rv;
	atomic_init(&ref->refs, 1); /* the keeper's */
	pthread_mutex_lock(&k->lock);
	if (ldn_review_seq(k->cur->rv) < ldn_review_seq(rv)) {
		old = k->cur;
		k->cur = ref;
		ref = NULL;
	} else {
		old = NULL;
	}
	pthread_mutex_unlock(&k->lock);
	review_release(old);
	review_release(ref);
	return LDN_OK;
}

int
review_keeper_new(struct app *app, struct ldn_store *st, unsigned interval_ms)
{
	struct review_keeper *k = calloc(1, sizeof(*k));
	struct ldn_error err = { 0 };
	struct ldn_review *rv = NULL;

	if (k == NULL || (k->cur = malloc(sizeof(*k->cur))) == NULL) {
		free(k);
		fprintf(stderr, "ldn serve: out of memory\n");
		return 70;
	}
	if (ldn_review_load(app->kb, st, &rv, &err) != LDN_OK) {
		fprintf(stderr, "ldn serve: review log: %s: %s\n", err.where,
		    err.msg);
		free(k->cur);
		free(k);
		return err.code == LDN_E_NOMEM ? 70 : 74;
	}
	pthread_mutex_init(&k->lock, NULL);
	k->cur->rv = rv;
	atomic_init(&k->cur->refs, 1);
	k->interval_ms = interval_ms;
	atomic_init(&k->next_check_ms, now_ms() + interval_ms);
	atomic_init(&k->checking, false);
	app->review = k;
	return 0;
}

void
review_keeper_free(struct app *app)
{
	struct review_keeper *k = app->review;

	if (k == NULL)
		return;
	review_release(k->cur);
	pthread_mutex_destroy(&k->lock);
	free(k);
	app->review = NULL;
}

struct review_ref *
review_acquire(struct app *app)
{
	struct review_keeper *k = app->review;
	long long now;

	if (k == NULL)
		return NULL;
	now = now_ms();
	if (now >=
	        atomic_load_explicit(&k->next_check_ms, memory_order_relaxed) &&
	    !atomic_exchange(&k->checking, true)) {
		struct resp scratch = { 0 };
		struct ldn_error err = { 0 };
		struct ldn_store *st = app_store(app, &scratch);

		free(scratch.body);
		if (st != NULL && refresh(app, st, &err) != LDN_OK &&
		    !app->cfg->quiet)
			fprintf(stderr,
			    "ldn serve: review log: %s: %s (the states "
			    "read before stay in use)\n",
			    err.where, err.msg);
		atomic_store(&k->next_check_ms, now + k->interval_ms);
		atomic_store(&k->checking, false);
	}
	return take_current(k);
}

/* ------------------------------------------------------------ routes */

static const char JSON[] = "application/json";

static void
take(struct resp *resp, int status, const char *type, char *body, size_t len)
{
	resp->status = status;
	resp->type = type;
	resp->body = body;
	resp->len = len;
}

/*
 * Whether the caller may use a review route at all: a reviewer token
 * must name a reviewer of this knowledge base (its name is their id).
 * Other roles may read the queue, which is the knowledge base's own
 * content and who acted on it; the route table lets only reviewers act.
 */
static bool
allowed(struct app *app, const struct req *req, struct resp *resp)
{
	if (req->role == NULL || strcmp(req->role, "reviewer") != 0)
		return true;
	if (ldn_review_role(app->kb, req->actor) != NULL)
		return true;
	resp_error(resp, 403, "Authorization",
	    "this reviewer token's name, \"%.64s\", is not a reviewer id "
	    "in the knowledge base's reviewers.yaml, so it may not read or "
	    "act on the review queue",
	    req->actor ? req->actor : "");
	return false;
}

/* "kind/id" from the path's two captures, or false with a 404. */
static bool
item_of(const struct req *req, struct resp *resp, char *out, size_t n)
{
	const char *kind = req->param[0], *id = req->param[1];

	if (strcmp(kind, "statement") != 0 && strcmp(kind, "reference") != 0) {
		resp_error(resp, 404, "kind",
		    "\"%.64s\" is not statement or reference", kind);
		return false;
	}
	if ((size_t)snprintf(out, n, "%s/%s", kind, id) >= n) {
		resp_error(resp, 404, "item", "no such item");
		return false;
	}
	return true;
}

static void
library_error(struct resp *resp, enum ldn_status rc,
    const struct ldn_error *err, int schema_status)
{
	int status = rc == LDN_E_SCHEMA ? schema_status
	    : rc == LDN_E_NOMEM         ? 500
	                                : 503;

	resp_error(resp, status, err->where, "%s", err->msg);
}

static void
answer_item(const struct ldn_review *rv, const char *item, int status,
    struct resp *resp)
{
	struct ldn_error err = { 0 };
	enum ldn_status rc;
	char *out;
	size_t len;

	rc = ldn_review_item(rv, item, LDN_FORMAT_JSON_COMPACT, &out, &len,
	    &err);
	if (rc == LDN_OK)
		take(resp, status, JSON, out, len);
	else if (rc == LDN_E_SCHEMA && strcmp(err.where, "item") == 0)
		resp_error(resp, 404, "item", "%s", err.msg);
	else
		library_error(resp, rc, &err, 400);
}

/*
 * The queue (out, a JSON object) with the caller first, as "you": the
 * token's name and role, and their role in reviewers.yaml (null: they
 * may read, not act), so that a page offers only what they may do.
 */
static void
with_caller(struct app *app, const struct req *req, struct resp *resp,
    char *out, size_t len)
{
	struct strbuf b = STRBUF_INIT(len + 4096);
	const char *board = req->role && strcmp(req->role, "reviewer") == 0
	    ? ldn_review_role(app->kb, req->actor)
	    : NULL;
	struct jw w;
	char *s;
	size_t n;

	jw_init_compact(&w, &b);
	jw_obj(&w);
	jw_key(&w, "you");
	jw_obj(&w);
	jw_kstr(&w, "name", req->actor);
	jw_kstr(&w, "role", req->role);
	jw_key(&w, "reviewer_role");
	jw_str(&w, board);
	jw_end_obj(&w);
	if (len > 2 && out[0] == '{') {
		sb_add(&b, ",", 1);
		sb_add(&b, out + 1, len - 1);
	} else {
		jw_end_obj(&w);
	}
	free(out);
	if ((s = sb_take(&b, &n)) == NULL) {
		sb_free(&b);
		resp_error(resp, 500, "", "out of memory");
		return;
	}
	take(resp, 200, JSON, s, n);
}

void
api_review_status(struct app *app, struct req *req, struct resp *resp)
{
	const char *state = req->query ? req->query(req->ctx, "state") : NULL;
	struct review_ref *ref;
	struct ldn_error err = { 0 };
	enum ldn_status rc;
	char *out;
	size_t len;

	if (!allowed(app, req, resp))
		return;
	if (app->review == NULL) {
		resp_error(resp, 503, "review", "the review log is not loaded");
		return;
	}
	ref = review_acquire(app);
	rc = ldn_review_status(review_of(ref), state, LDN_FORMAT_JSON_COMPACT,
	    &out, &len, &err);
	review_release(ref);
	if (rc == LDN_OK)
		with_caller(app, req, resp, out, len);
	else
		library_error(resp, rc, &err, 400);
}

void
api_review_item(struct app *app, struct req *req, struct resp *resp)
{
	char item[600];
	struct review_ref *ref;

	if (!allowed(app, req, resp) || !item_of(req, resp, item, sizeof(item)))
		return;
	if (app->review == NULL) {
		resp_error(resp, 503, "review", "the review log is not loaded");
		return;
	}
	ref = review_acquire(app);
	answer_item(review_of(ref), item, 200, resp);
	review_release(ref);
}

/* An action's body: {"action", "version", "why"}, all strings, nothing
 * else.  Pointers name the member at fault. */
struct act_body {
	enum ldn_review_action action;
	char version[65];
	char *why; /* owned by the json_t */
};

static bool
parse_act(const struct req *req, json_t **root, struct act_body *b,
    struct resp *resp)
{
	static const char *const members[] = { "action", "version", "why" };
	const char *s[3] = { NULL, NULL, NULL };
	json_error_t je;
	const char *key;
	json_t *val;
	size_t n;

	*root =
	    json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (*root == NULL) {
		resp_error(resp, 400, "", "not JSON: %s (line %d, column %d)",
		    je.text, je.line, je.column);
		return false;
	}
	if (!json_is_object(*root)) {
		resp_error(resp, 400, "",
		    "an action is a JSON object: {\"action\": ..., "
		    "\"version\": ..., \"why\": ...}");
		return false;
	}
	json_object_foreach(*root, key, val)
	{
		size_t i = 0;

		while (i < 3 && strcmp(key, members[i]) != 0)
			i++;
		if (i == 3) {
			resp_error(resp, 400, "/",
			    "\"%.64s\" is not a member of an action (action, "
			    "version, why)",
			    key);
			return false;
		}
		if (!json_is_string(val) ||
		    strlen(json_string_value(val)) != json_string_length(val)) {
			resp_error(resp, 400,
			    i == 0       ? "/action"
			        : i == 1 ? "/version"
			                 : "/why",
			    "must be a string without NUL characters");
			return false;
		}
		s[i] = json_string_value(val);
	}
	if (s[0] == NULL || !ldn_review_action_parse(s[0], &b->action)) {
		resp_error(resp, 400, "/action",
		    "%s: submit, review, approve, request-changes or retire",
		    s[0] ? "is not an action" : "is required");
		return false;
	}
	n = s[1] ? strlen(s[1]) : 0;
	if (s[1] == NULL || n < 12 || n > 64 ||
	    strspn(s[1], "0123456789abcdef") != n) {
		resp_error(resp, 400, "/version",
		    "%s: the version you read, as 12 to 64 lower-case hex "
		    "digits (GET this item gives it)",
		    s[1] ? "is not a version" : "is required");
		return false;
	}
	memcpy(b->version, s[1], n + 1);
	if (s[2] == NULL) {
		resp_error(resp, 400, "/why",
		    "is required: say why, in 1 to 2000 bytes; it is kept "
		    "with the action");
		return false;
	}
	b->why = (char *)s[2];
	return true;
}

/* A refusal's status, by what the library names (the body's shape was
 * checked before): the version read is not the current one (or the log
 * moved on) is a conflict; who may not, or the state does not allow,
 * is 422; a bad why is 400. */
static int
refusal_status(const char *where)
{
	if (strcmp(where, "version") == 0)
		return 409;
	if (strcmp(where, "item") == 0)
		return 404;
	if (strcmp(where, "why") == 0)
		return 400;
	return 422;
}

/* The library's names for the body's members, as pointers into it. */
static const char *
pointer_of(const char *where)
{
	static const char *const names[] = { "action", "version", "why" };
	static const char *const pointers[] = { "/action", "/version", "/why" };

	for (size_t i = 0; i < 3; i++)
		if (strcmp(where, names[i]) == 0)
			return pointers[i];
	return where;
}

void
api_review_act(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_error err = { 0 };
	struct act_body b = { 0 };
	struct ldn_store *st;
	struct review_ref *ref = NULL;
	enum ldn_status rc = LDN_OK;
	json_t *root = NULL;
	char item[600];

	if (!allowed(app, req, resp) ||
	    !item_of(req, resp, item, sizeof(item)) ||
	    !parse_act(req, &root, &b, resp)) {
		json_decref(root);
		return;
	}
	if (app->review == NULL) {
		json_decref(root);
		resp_error(resp, 503, "review", "the review log is not loaded");
		return;
	}
	if ((st = app_store(app, resp)) == NULL) {
		json_decref(root);
		return;
	}
	/* Decide on the log as it is now; if another writer adds a row
	 * between the check and the append, the append refuses at
	 * "version" and the snapshot moves on: decide again on that (the
	 * rules are checked afresh), a few times at most.  The same
	 * refusal on an unmoved snapshot is a stale version: 409. */
	for (int tries = 0; tries < 4; tries++) {
		long long seen;

		if ((rc = refresh(app, st, &err)) != LDN_OK)
			break;
		ref = review_acquire(app);
		seen = ldn_review_seq(review_of(ref));
		rc = ldn_review_act(review_of(ref), st, req->actor, item,
		    b.action, b.version, b.why, &err);
		review_release(ref);
		ref = NULL;
		if (rc != LDN_E_SCHEMA || strcmp(err.where, "version") != 0)
			break;
		struct ldn_error err2 = { 0 };
		long long now;

		if (ldn_store_review_seq(st, &now, &err2) != LDN_OK ||
		    now == seen)
			break;
	}
	json_decref(root);
	if (rc == LDN_E_SCHEMA) {
		resp_error(resp, refusal_status(err.where),
		    pointer_of(err.where), "%s", err.msg);
		return;
	}
	if (rc != LDN_OK) {
		library_error(resp, rc, &err, 400);
		return;
	}
	/* the action is in the log: every request from now on sees it */
	if ((rc = refresh(app, st, &err)) != LDN_OK) {
		library_error(resp, rc, &err, 503);
		return;
	}
	ref = review_acquire(app);
	answer_item(review_of(ref), item, 200, resp);
	review_release(ref);
}

/* ------------------------------------------------------------ policy */

int
policy_load(struct app *app, const char *dir)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/editorial-policy.md", dir);
	app->policy = app_read_file(path, &app->policy_len);
	if (app->policy == NULL) {
		if (errno == ENOMEM) {
			fprintf(stderr, "ldn serve: out of memory\n");
			return 70;
		}
		fprintf(stderr,
		    "ldn serve: warning: the editorial policy is not served "
		    "(GET /docs/editorial-policy is 503): %s: %s\n",
		    path, strerror(errno));
	}
	return 0;
}

void
api_editorial_policy(struct app *app, struct req *req, struct resp *resp)
{
	char *s;

	(void)req;
	if (app->policy == NULL) {
		resp_error(resp, 503, "docs",
		    "the editorial policy (docs/editorial-policy.md) was not "
		    "found when the server started; see ldn serve --docs");
		return;
	}
	if ((s = malloc(app->policy_len + 1)) == NULL) {
		resp_error(resp, 500, "", "out of memory");
		return;
	}
	memcpy(s, app->policy, app->policy_len + 1);
	take(resp, 200, "text/plain; charset=utf-8", s, app->policy_len);
	resp->cache = "no-cache";
}
