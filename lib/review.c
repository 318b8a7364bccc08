/*
 * The editorial workflow (include/ldn/review.h): the state of each item
 * read from the store's review log, the rules for acting on an item, and
 * the status, history and difference that reviewers read.
 */
#include "ldn/review.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_impl.h"
#include "base/jsonw.h"
#include "base/line.h"
#include "base/strbuf.h"
#include "ldn/store.h"
#include "review_impl.h"

enum {
	WHY_MAX = 2000,
	VERSION_MIN = 12, /* hex digits a reviewer must quote */
	OUT_LIMIT = 64u << 20,
};

static const char *const action_names[] = {
	[LDN_REVIEW_SUBMIT] = "submit",
	[LDN_REVIEW_REVIEW] = "review",
	[LDN_REVIEW_APPROVE] = "approve",
	[LDN_REVIEW_REQUEST_CHANGES] = "request-changes",
	[LDN_REVIEW_RETIRE] = "retire",
};

/* What each action needs, and what it leads to. */
static const struct rule {
	unsigned from; /* bit per review_state it may start from */
	enum review_state to;
	enum reviewer_role least; /* the lowest role that may take it */
} rules[] = {
	[LDN_REVIEW_SUBMIT] = { 1u << RV_DRAFT | 1u << RV_CHANGES_REQUESTED,
	    RV_SUBMITTED, RR_AUTHOR },
	[LDN_REVIEW_REVIEW] = { 1u << RV_SUBMITTED, RV_UNDER_REVIEW,
	    RR_REVIEWER },
	[LDN_REVIEW_APPROVE] = { 1u << RV_UNDER_REVIEW, RV_APPROVED,
	    RR_REVIEWER },
	[LDN_REVIEW_REQUEST_CHANGES] = { 1u << RV_SUBMITTED |
	        1u << RV_UNDER_REVIEW,
	    RV_CHANGES_REQUESTED, RR_REVIEWER },
	[LDN_REVIEW_RETIRE] = { ~(1u << RV_RETIRED), RV_RETIRED, RR_EDITOR },
};

long long
ldn_review_seq(const struct ldn_review *rv)
{
	return rv->seq;
}

bool
ldn_review_action_parse(const char *name, enum ldn_review_action *out)
{
	for (size_t i = 0;
	     name && i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(name, action_names[i]) == 0) {
			*out = (enum ldn_review_action)i;
			return true;
		}
	return false;
}

const char *
ldn_review_role(const struct ldn_kb *kb, const char *id)
{
	const struct kb_reviewer *r = kb_reviewer_find(kb, id);

	return r ? reviewer_role_names[r->role] : NULL;
}

/* ------------------------------------------------------------ loading */

static int
state_index(const char *name)
{
	for (int i = 0; name && i < RV_COUNT; i++)
		if (strcmp(name, review_names[i]) == 0)
			return i;
	return -1;
}

struct loading {
	struct ldn_review *rv;
	size_t cap;
	bool failed;
};

static char *
dup(const char *s)
{
	return strdup(s ? s : "");
}

static bool
take_row(void *ud, const struct ldn_review_row *in)
{
	struct loading *L = ud;
	struct ldn_review *rv = L->rv;
	struct review_row *r;
	int st = state_index(in->state);

	if (st < 0) {
		L->failed = true;
		return false;
	}
	if (rv->n_rows == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 64;
		struct review_row *n = realloc(rv->rows, cap * sizeof(*n));

		if (n == NULL) {
			L->failed = true;
			return false;
		}
		rv->rows = n;
		L->cap = cap;
	}
	r = &rv->rows[rv->n_rows++];
	memset(r, 0, sizeof(*r));
	r->seq = in->seq;
	r->state = (enum review_state)st;
	r->kind = dup(in->kind);
	r->id = dup(in->item);
	r->version = dup(in->version);
	r->actor = dup(in->actor);
	r->at = dup(in->at);
	r->why = dup(in->why);
	r->content = dup(in->content);
	if (!r->kind || !r->id || !r->version || !r->actor || !r->at ||
	    !r->why || !r->content) {
		L->failed = true;
		return false;
	}
	r->item = UINT32_MAX;
	for (size_t i = 0; i < rv->kb->n_items; i++) {
		const struct kb_item *k = &rv->kb->items[i];

		if (strcmp(item_kind_names[k->kind], r->kind) == 0 &&
		    strcmp(k->id, r->id) == 0) {
			r->item = (uint32_t)i;
			break;
		}
	}
	return true;
}

/* The action that leads to state s. */
static enum ldn_review_action
action_to(enum review_state s)
{
	switch (s) {
	case RV_SUBMITTED:
		return LDN_REVIEW_SUBMIT;
	case RV_UNDER_REVIEW:
		return LDN_REVIEW_REVIEW;
	case RV_APPROVED:
		return LDN_REVIEW_APPROVE;
	case RV_CHANGES_REQUESTED:
		return LDN_REVIEW_REQUEST_CHANGES;
	default:
		return LDN_REVIEW_RETIRE;
	}
}

/* Whether who submitted this version of item i in a row before row r. */
static bool
submitted_by(const struct ldn_review *rv, size_t r, uint32_t i,
    const char *version, const char *who)
{
	for (size_t k = 0; k < r; k++) {
		const struct review_row *row = &rv->rows[k];

		if (!row->ignored && row->item == i &&
		    row->state == RV_SUBMITTED &&
		    strcmp(row->version, version) == 0 &&
		    strcmp(row->actor, who) == 0)
			return true;
	}
	return false;
}

/*
 * Replay the log: a row counts only if its action was allowed from the
 * state its version was in (the rules above; who held which role is not
 * replayed, as the board changes), and nobody reviewed or approved a
 * version they submitted.  A row that breaks them was not written by
 * ldn_review_act(): it is ignored, and counted.
 */
static void
replay(struct ldn_review *rv)
{
	for (size_t r = 0; r < rv->n_rows; r++) {
		struct review_row *row = &rv->rows[r];
		enum review_state before = RV_DRAFT;
		enum ldn_review_action a = action_to(row->state);

		if (row->item == UINT32_MAX)
			continue;
		for (size_t k = 0; k < r; k++) {
			const struct review_row *p = &rv->rows[k];

			if (p->ignored || p->item != row->item)
				continue;
			if (p->state == RV_RETIRED)
				before = RV_RETIRED;
			else if (before != RV_RETIRED &&
			    strcmp(p->version, row->version) == 0)
				before = p->state;
		}
		row->ignored = !(rules[a].from & (1u << before)) ||
		    ((a == LDN_REVIEW_REVIEW || a == LDN_REVIEW_APPROVE) &&
		        submitted_by(rv, r, row->item, row->version,
		            row->actor));
		rv->n_ignored += row->ignored;
	}
}

/* Each item's state: that of its current version's latest row; retired
 * once retired in any version; else a draft. */
static void
mark_all(struct ldn_review *rv)
{
	const struct ldn_kb *kb = rv->kb;

	replay(rv);
	for (size_t r = 0; r < rv->n_rows; r++) {
		const struct review_row *row = &rv->rows[r];
		struct review_mark *m;

		if (row->item == UINT32_MAX || row->ignored)
			continue;
		m = &rv->marks[row->item];
		if (m->state == RV_RETIRED)
			continue;
		if (row->state == RV_RETIRED ||
		    strcmp(row->version, kb->items[row->item].version) == 0) {
			m->state = row->state;
			snprintf(m->since, sizeof(m->since), "%.10s", row->at);
		}
	}
}

enum ldn_status
ldn_review_load(const struct ldn_kb *kb, struct ldn_store *st,
    struct ldn_review **out, struct ldn_error *err)
{
	struct ldn_review *rv = calloc(1, sizeof(*rv));
	struct loading L = { .rv = rv };
	enum ldn_status rc = LDN_OK;

	if (rv == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "review", "out of memory");
	rv->kb = kb;
	rv->marks = calloc(kb->n_items ? kb->n_items : 1, sizeof(*rv->marks));
	if (rv->marks == NULL) {
		ldn_review_free(rv);
		return ldn_fail(err, LDN_E_NOMEM, "review", "out of memory");
	}
	if (st != NULL)
		rc = ldn_store_review_log(st, 0, take_row, &L, &rv->n_unvouched,
		    &rv->seq, err);
	if (rc == LDN_OK && L.failed)
		rc = ldn_fail(err, LDN_E_NOMEM, "review",
		    "the review log could not be read into memory, or holds "
		    "a state that is not one of the six");
	if (rc != LDN_OK) {
		ldn_review_free(rv);
		return rc;
	}
	mark_all(rv);
	*out = rv;
	return LDN_OK;
}

void
ldn_review_free(struct ldn_review *rv)
{
	if (rv == NULL)
		return;
	for (size_t i = 0; i < rv->n_rows; i++) {
		struct review_row *r = &rv->rows[i];

		free(r->kind);
		free(r->id);
		free(r->version);
		free(r->actor);
		free(r->at);
		free(r->why);
		free(r->content);
	}
	free(rv->rows);
	free(rv->marks);
	free(rv);
}

/* ------------------------------------------------------------ acting */

static enum ldn_status
check_version(const struct kb_item *it, const char *version,
    struct ldn_error *err)
{
	size_t n;

	if (version == NULL)
		return LDN_OK;
	n = strlen(version);
	if (n < VERSION_MIN || n > 64 ||
	    strspn(version, "0123456789abcdef") != n)
		return ldn_fail(err, LDN_E_SCHEMA, "version",
		    "give the version as %d to 64 lower-case hex digits",
		    VERSION_MIN);
	if (strncmp(it->version, version, n) != 0)
		return ldn_fail(err, LDN_E_SCHEMA, "version",
		    "%.12s is not the current version of %s/%s (%.12s): "
		    "read it again (ldn kb diff %s) and act on what it says "
		    "now",
		    version, item_kind_names[it->kind], it->id, it->version,
		    it->id);
	return LDN_OK;
}

/* A reason is kept and shown as one line of text: something to read,
 * not blank, with no control characters (a newline or an escape could
 * forge a line of the history as a terminal prints it). */
static enum ldn_status
check_why(const char *why, struct ldn_error *err)
{
	size_t bad;

	if (line_ok(why, WHY_MAX, &bad))
		return LDN_OK;
	if (bad != (size_t)-1)
		return ldn_fail(err, LDN_E_SCHEMA, "why",
		    "one line of text, without control characters (byte %zu "
		    "is 0x%02x)",
		    bad, (unsigned char)why[bad]);
	return ldn_fail(err, LDN_E_SCHEMA, "why",
	    "say why, in 1 to %d bytes that are not all blank: it is kept "
	    "with the action",
	    WHY_MAX);
}

static bool
cites_ref(struct cites c, int r)
{
	for (size_t k = 0; k < c.n; k++)
		if (c.ref[k] == r)
			return true;
	return false;
}

/* What cites reference ref and would still show it: a statement not
 * retired (its item name), a number or a finding (their ids); NULL if
 * nothing does. */
static const char *
citing(const struct ldn_review *rv, const struct kb_ref *ref)
{
	const struct ldn_kb *kb = rv->kb;
	int r = (int)(ref - kb->refs);

	for (size_t i = 0; i < kb->n_numbers; i++)
		if (cites_ref(kb->numbers[i].cites, r))
			return kb->numbers[i].id;
	for (size_t e = 0; e < E_COUNT; e++)
		if (kb->entries[e].id && cites_ref(kb->entries[e].cites, r))
			return kb->entries[e].id;
	for (size_t i = 0; i < kb->n_items; i++) {
		const struct kb_item *it = &kb->items[i];

		if (it->statement != NULL &&
		    review_mark(rv, (uint32_t)i).state != RV_RETIRED &&
		    cites_ref(it->statement->cites, r))
			return it->name;
	}
	return NULL;
}

/* The first reference statement it cites that is retired, or NULL. */
static const struct kb_item *
retired_source(const struct ldn_review *rv, const struct kb_item *it)
{
	const struct ldn_kb *kb = rv->kb;

	for (size_t c = 0; it->statement && c < it->statement->cites.n; c++) {
		uint32_t ri = kb->refs[it->statement->cites.ref[c]].item;

		if (review_mark(rv, ri).state == RV_RETIRED)
			return &kb->items[ri];
	}
	return NULL;
}

enum ldn_status
ldn_review_act(const struct ldn_review *rv, struct ldn_store *st,
    const char *who, const char *item, enum ldn_review_action action,
    const char *version, const char *why, struct ldn_error *err)
{
	const struct ldn_kb *kb = rv->kb;
	const struct kb_reviewer *r = kb_reviewer_find(kb, who);
	const struct kb_item *it = kb_item_find(kb, item);
	const struct rule *rule;
	struct review_mark m;
	enum ldn_status rc;
	uint32_t i;

	if ((unsigned)action >= sizeof(rules) / sizeof(rules[0]))
		return ldn_fail(err, LDN_E_SCHEMA, "action",
		    "is submit, review, approve, request-changes or retire");
	rule = &rules[action];
	if (r == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "who",
		    "\"%.64s\" is not a reviewer named in kb/reviewers.yaml",
		    who ? who : "");
	if (it == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "item",
		    "\"%.128s\" is not a statement or reference of this "
		    "knowledge base",
		    item ? item : "");
	if ((rc = check_why(why, err)) != LDN_OK)
		return rc;
	if ((rc = check_version(it, version, err)) != LDN_OK)
		return rc;
	i = (uint32_t)(it - kb->items);
	m = review_mark(rv, i);
	if (r->role < rule->least)
		return ldn_fail(err, LDN_E_SCHEMA, "who",
		    "%s is %s %s; to %s takes %s %s", r->id,
		    r->role == RR_AUTHOR ? "an" : "a",
		    reviewer_role_names[r->role], action_names[action],
		    rule->least == RR_EDITOR ? "an" : "a",
		    reviewer_role_names[rule->least]);
	if (!(rule->from & (1u << m.state))) {
		if (m.state == RV_RETIRED)
			return ldn_fail(err, LDN_E_SCHEMA, "action",
			    "%s/%s is retired, and retired items stay "
			    "retired: write a new one with a new id",
			    item_kind_names[it->kind], it->id);
		return ldn_fail(err, LDN_E_SCHEMA, "action",
		    "cannot %s %s/%s: it is %s", action_names[action],
		    item_kind_names[it->kind], it->id, review_names[m.state]);
	}
	/* Any submission of this version, not only the last: a
	 * resubmission by someone else does not make it another's work. */
	if ((action == LDN_REVIEW_REVIEW || action == LDN_REVIEW_APPROVE) &&
	    submitted_by(rv, rv->n_rows, i, it->version, r->id))
		return ldn_fail(err, LDN_E_SCHEMA, "who",
		    "%s submitted this version of %s/%s, and cannot %s "
		    "their own submission",
		    r->id, item_kind_names[it->kind], it->id,
		    action_names[action]);
	/* A retired source is withdrawn evidence: nothing resting on it
	 * is approved, and it is not retired while something rests on it. */
	const struct kb_item *dep;
	const char *user;

	if (action == LDN_REVIEW_APPROVE &&
	    (dep = retired_source(rv, it)) != NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "action",
		    "%s/%s cites %s, which is retired: change its citations "
		    "first",
		    item_kind_names[it->kind], it->id, dep->name);
	if (action == LDN_REVIEW_RETIRE && it->ref != NULL &&
	    (user = citing(rv, it->ref)) != NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "action",
		    "%s is cited by %s: change or retire what cites it first "
		    "(a changed statement is reviewed again)",
		    it->name, user);
	struct ldn_review_row row = {
		.kind = item_kind_names[it->kind],
		.item = it->id,
		.version = it->version,
		.state = review_names[rule->to],
		.actor = r->id,
		.why = why,
		.content = it->content,
	};
	return ldn_store_review_append(st, &row, rv->seq, NULL, err);
}

/* ------------------------------------------------------------ reading */

static bool
is_json(enum ldn_format f)
{
	return f == LDN_FORMAT_JSON || f == LDN_FORMAT_JSON_COMPACT;
}

static void
jw_start(struct jw *w, struct strbuf *b, enum ldn_format f)
{
	if (f == LDN_FORMAT_JSON_COMPACT)
		jw_init_compact(w, b);
	else
		jw_init(w, b);
}

static enum ldn_status
finish(struct strbuf *b, char **out, size_t *len, struct ldn_error *err)
{
	if (b->failed) {
		sb_free(b);
		return ldn_fail(err, LDN_E_NOMEM, "review", "out of memory");
	}
	*out = sb_take(b, len);
	if (*out == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "review", "out of memory");
	return LDN_OK;
}

static void
item_json(struct jw *w, const struct ldn_review *rv, uint32_t i)
{
	const struct kb_item *it = &rv->kb->items[i];
	struct review_mark m = review_mark(rv, i);
	const struct review_row *last = NULL;

	for (size_t r = rv->n_rows; r-- > 0 && last == NULL;)
		if (rv->rows[r].item == i && !rv->rows[r].ignored)
			last = &rv->rows[r];
	jw_kstr(w, "kind", item_kind_names[it->kind]);
	jw_kstr(w, "id", it->id);
	jw_kstr(w, "version", it->version);
	jw_kstr(w, "state", review_names[m.state]);
	jw_key(w, "since");
	jw_str(w, m.since[0] ? m.since : NULL);
	jw_key(w, "last_action");
	if (last == NULL) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kint(w, "seq", last->seq);
	jw_kstr(w, "state", review_names[last->state]);
	jw_kstr(w, "version", last->version);
	jw_kstr(w, "by", last->actor);
	jw_kstr(w, "at", last->at);
	jw_kstr(w, "why", last->why);
	jw_end_obj(w);
}

enum ldn_status
ldn_review_status(const struct ldn_review *rv, const char *state,
    enum ldn_format format, char **out, size_t *len, struct ldn_error *err)
{
	const struct ldn_kb *kb = rv->kb;
	struct strbuf b = STRBUF_INIT(OUT_LIMIT);
	size_t counts[RV_COUNT] = { 0 };
	int want = -1;
	struct jw w;

	if (state != NULL && (want = state_index(state)) < 0)
		return ldn_fail(err, LDN_E_SCHEMA, "state",
		    "\"%.32s\" is not draft, submitted, under-review, "
		    "changes-requested, approved or retired",
		    state);
	for (uint32_t i = 0; i < kb->n_items; i++)
		counts[review_mark(rv, i).state]++;
	if (is_json(format)) {
		jw_start(&w, &b, format);
		jw_obj(&w);
		jw_kint(&w, "log_seq", rv->seq);
		/* rows passed over: a sign the store was written around */
		jw_kint(&w, "rows_unvouched", (long long)rv->n_unvouched);
		jw_kint(&w, "rows_ignored", (long long)rv->n_ignored);
		jw_key(&w, "counts");
		jw_obj(&w);
		for (int s = 0; s < RV_COUNT; s++)
			jw_kint(&w, review_names[s], (long long)counts[s]);
		jw_end_obj(&w);
		jw_key(&w, "reviewers");
		jw_arr(&w);
		for (size_t r = 0; r < kb->n_reviewers; r++) {
			jw_obj(&w);
			jw_kstr(&w, "id", kb->reviewers[r].id);
			jw_kstr(&w, "name", kb->reviewers[r].name);
			jw_kstr(&w, "role",
			    reviewer_role_names[kb->reviewers[r].role]);
			jw_kstr(&w, "credentials",
			    kb->reviewers[r].credentials);
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_key(&w, "items");
		jw_arr(&w);
		for (uint32_t i = 0; i < kb->n_items; i++) {
			if (want >= 0 && (int)review_mark(rv, i).state != want)
				continue;
			jw_obj(&w);
			item_json(&w, rv, i);
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_end_obj(&w);
		sb_add(&b, "\n", 1);
		return finish(&b, out, len, err);
	}
	sb_printf(&b, "%-17s  %-12s  %-10s  %s\n", "STATE", "VERSION", "SINCE",
	    "ITEM");
	for (uint32_t i = 0; i < kb->n_items; i++) {
		const struct kb_item *it = &kb->items[i];
		struct review_mark m = review_mark(rv, i);

		if (want >= 0 && (int)m.state != want)
			continue;
		sb_printf(&b, "%-17s  %.12s  %-10s  %s/%s\n",
		    review_names[m.state], it->version,
		    m.since[0] ? m.since : "-", item_kind_names[it->kind],
		    it->id);
	}
	sb_printf(&b, "\n%zu items:", (size_t)kb->n_items);
	for (int s = 0; s < RV_COUNT; s++)
		sb_printf(&b, " %zu %s%s", counts[s], review_names[s],
		    s + 1 < RV_COUNT ? "," : "");
	sb_printf(&b, ".\n%zu reviewer%s named in kb/reviewers.yaml.\n",
	    kb->n_reviewers, kb->n_reviewers == 1 ? "" : "s");
	if (rv->n_unvouched + rv->n_ignored > 0)
		sb_printf(&b,
		    "WARNING: %zu log row%s passed over: %zu not vouched for "
		    "by the audit log, %zu not a legal step. Run `ldn audit "
		    "verify`.\n",
		    rv->n_unvouched + rv->n_ignored,
		    rv->n_unvouched + rv->n_ignored == 1 ? "" : "s",
		    rv->n_unvouched, rv->n_ignored);
	return finish(&b, out, len, err);
}

/* ------------------------------------------------------------ difference */

struct lines {
	const char **s;
	size_t *n;
	size_t count;
};

static bool
split(const char *text, struct lines *l)
{
	size_t cap = 1;

	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	l->s = calloc(cap, sizeof(*l->s));
	l->n = calloc(cap, sizeof(*l->n));
	l->count = 0;
	if (l->s == NULL || l->n == NULL)
		return false;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		l->s[l->count] = text;
		l->n[l->count++] = n;
		text += n + (nl != NULL);
	}
	return true;
}

static bool
same_line(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->n[i] == b->n[j] && memcmp(a->s[i], b->s[j], a->n[i]) == 0;
}

/*
 * The lines of old and new, each marked ' ' (in both), '-' (only in old)
 * or '+' (only in new), by the longest common subsequence: items are a
 * dozen lines, so the quadratic table is small.  Calls emit per line.
 */
static bool
diff_lines(const char *old, const char *new,
    void (*emit)(void *ud, char mark, const char *s, size_t n), void *ud)
{
	struct lines a = { 0 }, b = { 0 };
	size_t *t = NULL;
	bool good = split(old, &a) && split(new, &b);

	if (good) {
		size_t w = b.count + 1;

		t = calloc((a.count + 1) * w, sizeof(*t));
		good = t != NULL;
		for (size_t i = a.count; good && i-- > 0;)
			for (size_t j = b.count; j-- > 0;)
				t[i * w + j] = same_line(&a, i, &b, j)
				    ? t[(i + 1) * w + j + 1] + 1
				    : (t[(i + 1) * w + j] > t[i * w + j + 1]
				              ? t[(i + 1) * w + j]
				              : t[i * w + j + 1]);
		size_t i = 0, j = 0;

		while (good && (i < a.count || j < b.count)) {
			if (i < a.count && j < b.count &&
			    same_line(&a, i, &b, j)) {
				emit(ud, ' ', a.s[i], a.n[i]);
				i++, j++;
			} else if (i < a.count &&
			    (j == b.count ||
			        t[(i + 1) * w + j] >= t[i * w + j + 1])) {
				emit(ud, '-', a.s[i], a.n[i]);
				i++;
			} else {
				emit(ud, '+', b.s[j], b.n[j]);
				j++;
			}
		}
	}
	free(t);
	free(a.s);
	free(a.n);
	free(b.s);
	free(b.n);
	return good;
}

struct emit_ctx {
	struct strbuf *b;
	struct jw *w; /* NULL: text */
	bool changed;
};

static void
emit_line(void *ud, char mark, const char *s, size_t n)
{
	struct emit_ctx *e = ud;

	e->changed = e->changed || mark != ' ';
	if (e->w != NULL) {
		jw_obj(e->w);
		jw_kstr(e->w, "op",
		    mark == '+'       ? "added"
		        : mark == '-' ? "removed"
		                      : "same");
		jw_key(e->w, "line");
		jw_strn(e->w, s, n);
		jw_end_obj(e->w);
		return;
	}
	sb_printf(e->b, "  %c %.*s\n", mark, (int)n, s);
}

/* The version to compare the current content with: the last approved
 * other than the current; never approved, the last other version acted
 * on; NULL when there is none. */
static const struct review_row *
base_of(const struct ldn_review *rv, uint32_t i)
{
	const char *cur = rv->kb->items[i].version;
	const struct review_row *other = NULL;

	for (size_t r = rv->n_rows; r-- > 0;) {
		const struct review_row *row = &rv->rows[r];

		if (row->item != i || row->ignored ||
		    strcmp(row->version, cur) == 0)
			continue;
		if (row->state == RV_APPROVED)
			return row;
		if (other == NULL)
			other = row;
	}
	return other;
}

enum ldn_status
ldn_review_item(const struct ldn_review *rv, const char *item,
    enum ldn_format format, char **out, size_t *len, struct ldn_error *err)
{
	const struct ldn_kb *kb = rv->kb;
	const struct kb_item *it = kb_item_find(kb, item);
	struct strbuf b = STRBUF_INIT(OUT_LIMIT);
	const struct review_row *base;
	struct review_mark m;
	struct emit_ctx e = { .b = &b };
	struct jw w;
	uint32_t i;
	bool good;

	if (it == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "item",
		    "\"%.128s\" is not a statement or reference of this "
		    "knowledge base",
		    item ? item : "");
	i = (uint32_t)(it - kb->items);
	m = review_mark(rv, i);
	base = base_of(rv, i);
	if (is_json(format)) {
		jw_start(&w, &b, format);
		jw_obj(&w);
		item_json(&w, rv, i);
		jw_kstr(&w, "content", it->content);
		jw_key(&w, "history");
		jw_arr(&w);
		for (size_t r = 0; r < rv->n_rows; r++) {
			const struct review_row *row = &rv->rows[r];

			if (row->item != i)
				continue;
			jw_obj(&w);
			jw_kint(&w, "seq", row->seq);
			jw_kstr(&w, "state", review_names[row->state]);
			jw_kstr(&w, "version", row->version);
			jw_kstr(&w, "by", row->actor);
			jw_kstr(&w, "at", row->at);
			jw_kstr(&w, "why", row->why);
			jw_key(&w, "current");
			jw_bool(&w, strcmp(row->version, it->version) == 0);
			jw_key(&w, "ignored");
			jw_bool(&w, row->ignored);
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_key(&w, "diff");
		if (base == NULL) {
			jw_null(&w);
			good = true;
		} else {
			jw_obj(&w);
			jw_kstr(&w, "from_version", base->version);
			jw_kstr(&w, "from_state", review_names[base->state]);
			jw_key(&w, "lines");
			jw_arr(&w);
			e.w = &w;
			good = diff_lines(base->content, it->content, emit_line,
			    &e);
			jw_end_arr(&w);
			jw_end_obj(&w);
		}
		jw_end_obj(&w);
		sb_add(&b, "\n", 1);
	} else {
		sb_printf(&b, "%s/%s\nversion %s\nstate %s%s%s\n\n",
		    item_kind_names[it->kind], it->id, it->version,
		    review_names[m.state], m.since[0] ? " since " : "",
		    m.since);
		sb_puts(&b, it->content);
		sb_puts(&b, "\nHistory:\n");
		size_t acted = 0;

		for (size_t r = 0; r < rv->n_rows; r++) {
			const struct review_row *row = &rv->rows[r];

			if (row->item != i)
				continue;
			acted++;
			sb_printf(&b, "  %s  %-17s  %.12s%s  %s: %s%s\n",
			    row->at, review_names[row->state], row->version,
			    strcmp(row->version, it->version) == 0
			        ? " (current)"
			        : "          ",
			    row->actor, row->why,
			    row->ignored ? "  [IGNORED: not a legal step]"
			                 : "");
		}
		if (acted == 0)
			sb_puts(&b, "  (no action yet)\n");
		if (base == NULL) {
			sb_puts(&b,
			    "\nNo earlier version was acted on: "
			    "all of it is new to reviewers.\n");
			good = true;
		} else {
			sb_printf(&b,
			    "\nChanged since version %.12s (%s), - then, + "
			    "now:\n",
			    base->version, review_names[base->state]);
			good = diff_lines(base->content, it->content, emit_line,
			    &e);
			if (!e.changed)
				sb_puts(&b, "  (no change)\n");
		}
	}
	if (!good) {
		sb_free(&b);
		return ldn_fail(err, LDN_E_NOMEM, "review", "out of memory");
	}
	return finish(&b, out, len, err);
}
