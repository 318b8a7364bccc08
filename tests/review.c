/*
 * The editorial workflow (include/ldn/review.h) on a real SQLite store:
 * every action from every state (allowed or refused), the refusals by who
 * acts (an unknown person, an author reviewing, a reviewer retiring,
 * approving one's own submission), by what (an unknown item, a version
 * that is not the current one, a missing or overlong reason), a snapshot
 * that the log has moved past, how a changed item becomes a new version
 * (a draft again, with the difference shown), that retirement is final,
 * that the audit chain holds every action, and the status and item views.
 *
 *   review SQL_DIR KB_DIR REVIEWERS_YAML
 *
 * The knowledge base is copied to a temporary directory with the test's
 * fictional reviewers in it; one test edits the copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ldn/kb.h"
#include "ldn/plan.h"
#include "ldn/review.h"
#include "ldn/store.h"

#include "tap.h"

static const char *sql_dir;
static char tmpdir[64], kb_dir[128], url[160];

static const char *const state_names[] = { "draft", "submitted", "under-review",
	"changes-requested", "approved", "retired" };
static const char *const verbs[] = { "submit", "review", "approve",
	"request-changes", "retire" };

static struct ldn_kb *
load_kb(void)
{
	struct ldn_kb *kb;
	struct ldn_error err;

	if (ldn_kb_load(kb_dir, &kb, &err) != LDN_OK) {
		printf("# kb: %s: %s\n", err.where, err.msg);
		return NULL;
	}
	return kb;
}

static struct ldn_store *
fresh_store(const char *name)
{
	struct ldn_store *st;
	struct ldn_error err;

	snprintf(url, sizeof(url), "sqlite:%s/%s.db", tmpdir, name);
	if (ldn_store_open(url, sql_dir, &st, &err) != LDN_OK) {
		printf("# store: %s: %s\n", err.where, err.msg);
		return NULL;
	}
	return st;
}

/* Act on a fresh snapshot; the status, and err's where in where. */
static enum ldn_status
act(const struct ldn_kb *kb, struct ldn_store *st, const char *who,
    const char *item, enum ldn_review_action a, const char *why, char where[64])
{
	struct ldn_review *rv;
	struct ldn_error err = { 0 };
	enum ldn_status rc = ldn_review_load(kb, st, &rv, &err);

	if (rc == LDN_OK) {
		rc = ldn_review_act(rv, st, who, item, a, NULL, why, &err);
		ldn_review_free(rv);
	}
	if (where != NULL)
		snprintf(where, 64, "%.63s", rc == LDN_OK ? "" : err.where);
	if (rc != LDN_OK && getenv("REVIEW_VERBOSE"))
		printf("# %s %s: %s: %s\n", verbs[a], item, err.where, err.msg);
	return rc;
}

/* The state of item, read through the status JSON as a caller would. */
static char *
state_of(const struct ldn_kb *kb, struct ldn_store *st, const char *item)
{
	struct ldn_review *rv;
	struct ldn_error err;
	char *out = NULL, *state = NULL;
	size_t len;
	json_t *root, *it;

	if (ldn_review_load(kb, st, &rv, &err) != LDN_OK)
		return NULL;
	if (ldn_review_item(rv, item, LDN_FORMAT_JSON, &out, &len, &err) ==
	        LDN_OK &&
	    (root = json_loadb(out, len, 0, NULL)) != NULL) {
		it = json_object_get(root, "state");
		if (json_is_string(it))
			state = strdup(json_string_value(it));
		json_decref(root);
	}
	free(out);
	ldn_review_free(rv);
	return state;
}

static bool
is_state(const struct ldn_kb *kb, struct ldn_store *st, const char *item,
    const char *want)
{
	char *s = state_of(kb, st, item);
	bool same = s != NULL && strcmp(s, want) == 0;

	if (!same)
		printf("# %s is %s, not %s\n", item, s ? s : "(none)", want);
	free(s);
	return same;
}

/*
 * Put item (a fresh store each time) into state s by the shortest path,
 * with test-author submitting and test-reviewer-a reviewing.
 */
static bool
reach(const struct ldn_kb *kb, struct ldn_store *st, const char *item, int s)
{
	static const struct {
		const char *who;
		enum ldn_review_action a;
	} path[][3] = {
		[1] = { { "test-author", LDN_REVIEW_SUBMIT } },
		[2] = { { "test-author", LDN_REVIEW_SUBMIT },
		    { "test-reviewer-a", LDN_REVIEW_REVIEW } },
		[3] = { { "test-author", LDN_REVIEW_SUBMIT },
		    { "test-reviewer-a", LDN_REVIEW_REQUEST_CHANGES } },
		[4] = { { "test-author", LDN_REVIEW_SUBMIT },
		    { "test-reviewer-a", LDN_REVIEW_REVIEW },
		    { "test-reviewer-a", LDN_REVIEW_APPROVE } },
		[5] = { { "test-editor", LDN_REVIEW_RETIRE } },
	};
	for (int i = 0; i < 3 && path[s][i].who != NULL; i++)
		if (act(kb, st, path[s][i].who, item, path[s][i].a,
		        "setting up", NULL) != LDN_OK)
			return false;
	return is_state(kb, st, item, state_names[s]);
}

/*
 * Every action from every state, by someone allowed to take it (an
 * editor, who submitted nothing): allowed exactly where the table in
 * review.h says, and landing in the state it says.
 */
static void
transitions(const struct ldn_kb *kb)
{
	static const int to[5] = { 1, 2, 4, 3, 5 };
	static const unsigned from[5] = {
		1u << 0 | 1u << 3, 1u << 1, 1u << 2, 1u << 1 | 1u << 2,
		0x1f, /* all but retired */
	};
	int n = 0;

	for (int s = 0; s < 6; s++)
		for (int a = 0; a < 5; a++) {
			char name[32], where[64];
			struct ldn_store *st;
			enum ldn_status rc;
			bool allowed = (from[a] >> s) & 1;

			snprintf(name, sizeof(name), "t%d_%d", s, a);
			if ((st = fresh_store(name)) == NULL ||
			    !reach(kb, st, "protocol.start", s)) {
				ok(false, "could not reach %s", state_names[s]);
				ldn_store_close(st);
				continue;
			}
			rc = act(kb, st, "test-editor", "protocol.start",
			    (enum ldn_review_action)a, "the transition test",
			    where);
			if (allowed)
				ok(rc == LDN_OK &&
				        is_state(kb, st, "protocol.start",
				            state_names[to[a]]),
				    "%s from %s: allowed, to %s", verbs[a],
				    state_names[s], state_names[to[a]]);
			else
				ok(rc == LDN_E_SCHEMA &&
				        strcmp(where, "action") == 0 &&
				        is_state(kb, st, "protocol.start",
				            state_names[s]),
				    "%s from %s: refused (action), state kept",
				    verbs[a], state_names[s]);
			n++;
			ldn_store_close(st);
		}
	tap_diag("%d action x state pairs checked", n);
}

static void
refusals(const struct ldn_kb *kb)
{
	struct ldn_store *st = fresh_store("refusals");
	struct ldn_review *rv = NULL;
	struct ldn_error err;
	char where[64], longwhy[2002];

	if (st == NULL) {
		ok(false, "store for refusals");
		return;
	}
	/* who */
	ok(act(kb, st, "nobody", "protocol.start", LDN_REVIEW_SUBMIT, "x",
	       where) == LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0,
	    "someone kb/reviewers.yaml does not name cannot act");
	ok(act(kb, st, NULL, "protocol.start", LDN_REVIEW_SUBMIT, "x", where) ==
	            LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0,
	    "nobody at all cannot act");
	ok(act(kb, st, "test-author", "protocol.start", LDN_REVIEW_SUBMIT,
	       "first", where) == LDN_OK,
	    "an author submits");
	ok(act(kb, st, "test-author", "protocol.start", LDN_REVIEW_REVIEW, "x",
	       where) == LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0,
	    "an author cannot start a review");
	/* a reviewer submits, and cannot review or approve it */
	ok(act(kb, st, "test-reviewer-a", "definition.mechanism",
	       LDN_REVIEW_SUBMIT, "mine", where) == LDN_OK,
	    "a reviewer submits");
	ok(act(kb, st, "test-reviewer-a", "definition.mechanism",
	       LDN_REVIEW_REVIEW, "x", where) == LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0,
	    "a reviewer cannot review their own submission");
	ok(act(kb, st, "test-reviewer-b", "definition.mechanism",
	       LDN_REVIEW_REVIEW, "checking", where) == LDN_OK,
	    "another reviewer starts the review");
	ok(act(kb, st, "test-reviewer-a", "definition.mechanism",
	       LDN_REVIEW_APPROVE, "x", where) == LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0 &&
	        is_state(kb, st, "definition.mechanism", "under-review"),
	    "a reviewer cannot approve their own submission");
	ok(act(kb, st, "test-editor", "definition.mechanism",
	       LDN_REVIEW_APPROVE, "matches the sources", where) == LDN_OK &&
	        is_state(kb, st, "definition.mechanism", "approved"),
	    "someone else can");
	/* a reviewer may not retire; an editor may; then nothing more */
	ok(act(kb, st, "test-reviewer-b", "definition.mechanism",
	       LDN_REVIEW_RETIRE, "x", where) == LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0,
	    "a reviewer cannot retire");
	ok(act(kb, st, "test-editor", "definition.mechanism", LDN_REVIEW_RETIRE,
	       "superseded", where) == LDN_OK,
	    "an editor retires");
	for (int a = 0; a < 5; a++)
		ok(act(kb, st, "test-editor", "definition.mechanism",
		       (enum ldn_review_action)a, "again",
		       where) == LDN_E_SCHEMA &&
		        strcmp(where, "action") == 0 &&
		        is_state(kb, st, "definition.mechanism", "retired"),
		    "a retired statement cannot be %s'd", verbs[a]);
	/* item, why */
	ok(act(kb, st, "test-editor", "no.such.statement", LDN_REVIEW_SUBMIT,
	       "x", where) == LDN_E_SCHEMA &&
	        strcmp(where, "item") == 0,
	    "an unknown item is refused");
	ok(act(kb, st, "test-editor", "reference/definition.mechanism",
	       LDN_REVIEW_SUBMIT, "x", where) == LDN_E_SCHEMA &&
	        strcmp(where, "item") == 0,
	    "a statement id under reference/ is not found");
	ok(act(kb, st, "test-editor", "reference/marcus2024", LDN_REVIEW_SUBMIT,
	       "checked the DOI", where) == LDN_OK &&
	        is_state(kb, st, "reference/marcus2024", "submitted"),
	    "references go through the workflow too");
	ok(act(kb, st, "test-editor", "protocol.escalation", LDN_REVIEW_SUBMIT,
	       "", where) == LDN_E_SCHEMA &&
	        strcmp(where, "why") == 0,
	    "an empty why is refused");
	ok(act(kb, st, "test-editor", "protocol.escalation", LDN_REVIEW_SUBMIT,
	       NULL, where) == LDN_E_SCHEMA &&
	        strcmp(where, "why") == 0,
	    "a missing why is refused");
	memset(longwhy, 'w', 2001);
	longwhy[2001] = '\0';
	ok(act(kb, st, "test-editor", "protocol.escalation", LDN_REVIEW_SUBMIT,
	       longwhy, where) == LDN_E_SCHEMA &&
	        strcmp(where, "why") == 0,
	    "a why of 2001 bytes is refused");
	longwhy[2000] = '\0';
	ok(act(kb, st, "test-editor", "protocol.escalation", LDN_REVIEW_SUBMIT,
	       longwhy, where) == LDN_OK,
	    "a why of 2000 bytes is taken");
	/* version: the one the actor saw must be the current one */
	if (ldn_review_load(kb, st, &rv, &err) == LDN_OK) {
		const char *v[] = { "0123456789a", "0123456789ab",
			"0123456789AB", "zzzzzzzzzzzz" };
		char cur[65] = "";
		char *out = NULL;
		size_t len;
		json_t *root;

		if (ldn_review_item(rv, "protocol.sensitive_plan",
		        LDN_FORMAT_JSON, &out, &len, &err) == LDN_OK &&
		    (root = json_loadb(out, len, 0, NULL)) != NULL) {
			snprintf(cur, sizeof(cur), "%s",
			    json_string_value(
			        json_object_get(root, "version")));
			json_decref(root);
		}
		free(out);
		for (size_t i = 0; i < 4; i++)
			ok(ldn_review_act(rv, st, "test-editor",
			       "protocol.sensitive_plan", LDN_REVIEW_SUBMIT,
			       v[i], "x", &err) == LDN_E_SCHEMA &&
			        strcmp(err.where, "version") == 0,
			    "version \"%s\" is refused", v[i]);
		cur[11] = '\0';
		ok(ldn_review_act(rv, st, "test-editor",
		       "protocol.sensitive_plan", LDN_REVIEW_SUBMIT, cur, "x",
		       &err) == LDN_E_SCHEMA &&
		        strcmp(err.where, "version") == 0,
		    "11 digits of the current version are too few");
		ldn_review_free(rv);
		rv = NULL;
	}
	/* A snapshot the log has moved past cannot act. */
	if (ldn_review_load(kb, st, &rv, &err) == LDN_OK) {
		struct ldn_review *other = NULL;

		ok(ldn_review_load(kb, st, &other, &err) == LDN_OK &&
		        ldn_review_act(other, st, "test-editor",
		            "protocol.hormesis", LDN_REVIEW_SUBMIT, NULL,
		            "first", &err) == LDN_OK,
		    "one reader acts");
		ok(ldn_review_act(rv, st, "test-editor",
		       "protocol.stop_climbing", LDN_REVIEW_SUBMIT, NULL,
		       "second", &err) == LDN_E_SCHEMA &&
		        strcmp(err.where, "version") == 0 &&
		        strstr(err.msg, "reload") != NULL,
		    "the other, reading before that, is told to reload");
		ldn_review_free(other);
		ldn_review_free(rv);
	}
	/* The audit chain holds every action. */
	size_t rows = 0;
	char last[65];

	enum ldn_status vrc = ldn_store_audit_verify(st, &rows, last, &err);

	if (vrc != LDN_OK)
		printf("# audit verify: %s: %s\n", err.where, err.msg);
	ok(vrc == LDN_OK && rows == 8,
	    "the audit chain verifies with every action in it (%zu rows)",
	    rows);
	ldn_store_close(st);
}

/*
 * What a review found: a resubmission does not let the first submitter
 * approve; a reason must be one readable line; a reference still cited
 * cannot be retired; rows that break the rules, written around
 * ldn_review_act(), are ignored when the log is read.
 */
static void
loopholes(const struct ldn_kb *kb)
{
	struct ldn_store *st = fresh_store("loopholes");
	struct ldn_review *rv = NULL;
	struct ldn_error err;
	char where[64], *out = NULL;
	size_t len;
	json_t *root = NULL;

	if (st == NULL) {
		ok(false, "store for loopholes");
		return;
	}
	ok(act(kb, st, "test-reviewer-a", "protocol.start", LDN_REVIEW_SUBMIT,
	       "mine", NULL) == LDN_OK &&
	        act(kb, st, "test-reviewer-b", "protocol.start",
	            LDN_REVIEW_REQUEST_CHANGES, "not yet", NULL) == LDN_OK &&
	        act(kb, st, "test-author", "protocol.start", LDN_REVIEW_SUBMIT,
	            "again, unchanged", NULL) == LDN_OK,
	    "submitted by a reviewer, sent back, resubmitted by an author");
	ok(act(kb, st, "test-reviewer-a", "protocol.start", LDN_REVIEW_REVIEW,
	       "x", where) == LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0,
	    "the first submitter still cannot review that version");
	ok(act(kb, st, "test-reviewer-b", "protocol.start", LDN_REVIEW_REVIEW,
	       "checking", NULL) == LDN_OK &&
	        act(kb, st, "test-reviewer-a", "protocol.start",
	            LDN_REVIEW_APPROVE, "x", where) == LDN_E_SCHEMA &&
	        strcmp(where, "who") == 0,
	    "nor approve it once another has started the review");
	static const char *const bad_why[] = { " ", "   ", "two\nlines",
		"tab\there", "esc\033[31m", "del\177" };
	for (size_t i = 0; i < sizeof(bad_why) / sizeof(*bad_why); i++)
		ok(act(kb, st, "test-editor", "protocol.escalation",
		       LDN_REVIEW_SUBMIT, bad_why[i], where) == LDN_E_SCHEMA &&
		        strcmp(where, "why") == 0,
		    "a reason that is blank or holds a control character "
		    "(case %zu) is refused",
		    i);
	ok(act(kb, st, "test-editor", "protocol.escalation", LDN_REVIEW_SUBMIT,
	       " a reason with spaces, and \"quotes\" ", where) == LDN_OK,
	    "a reason with spaces and quotes is taken");
	ok(act(kb, st, "test-editor", "reference/chan2004", LDN_REVIEW_RETIRE,
	       "withdrawn", where) == LDN_E_SCHEMA &&
	        strcmp(where, "action") == 0,
	    "a reference a statement cites cannot be retired");
	/* Rows appended around the rules: an approval from draft, and a
	 * submitter approving their own submission. */
	struct ldn_review_row row = { .kind = "statement",
		.item = "protocol.hormesis",
		.state = "approved",
		.actor = "test-reviewer-a",
		.why = "forged",
		.content = "x" };
	char version[65] = "";

	if (ldn_review_load(kb, st, &rv, &err) == LDN_OK &&
	    ldn_review_item(rv, "protocol.hormesis", LDN_FORMAT_JSON, &out,
	        &len, &err) == LDN_OK &&
	    (root = json_loadb(out, len, 0, NULL)) != NULL)
		snprintf(version, sizeof(version), "%s",
		    json_string_value(json_object_get(root, "version")));
	json_decref(root);
	root = NULL;
	free(out);
	out = NULL;
	row.version = version;
	ok(rv &&
	        ldn_store_review_append(st, &row, ldn_review_seq(rv), NULL,
	            &err) == LDN_OK,
	    "an approval straight from draft is written around the rules");
	ldn_review_free(rv);
	rv = NULL;
	ok(is_state(kb, st, "protocol.hormesis", "draft"),
	    "and ignored: the item is still a draft");
	if (ldn_review_load(kb, st, &rv, &err) == LDN_OK &&
	    ldn_review_status(rv, NULL, LDN_FORMAT_JSON, &out, &len, &err) ==
	        LDN_OK)
		root = json_loadb(out, len, 0, NULL);
	ok(root &&
	        json_integer_value(json_object_get(root, "rows_ignored")) == 1,
	    "the status counts the ignored row");
	json_decref(root);
	free(out);
	out = NULL;
	ok(rv &&
	        ldn_review_status(rv, NULL, LDN_FORMAT_TEXT, &out, &len,
	            &err) == LDN_OK &&
	        strstr(out, "WARNING: 1 log row passed over"),
	    "and says so in words");
	free(out);
	ldn_review_free(rv);
	ldn_store_close(st);
}

/* The matching line of the item's JSON diff, or false. */
static bool
diff_has(json_t *root, const char *op, const char *needle)
{
	json_t *lines = json_object_get(json_object_get(root, "diff"), "lines");
	size_t i;
	json_t *l;

	json_array_foreach(lines, i, l)
	{
		const char *o = json_string_value(json_object_get(l, "op"));
		const char *s = json_string_value(json_object_get(l, "line"));

		if (o && s && strcmp(o, op) == 0 && strstr(s, needle))
			return true;
	}
	return false;
}

/*
 * A changed statement is a new version: a draft again, its earlier
 * approval kept in the history, the difference shown against it; a
 * changed number it quotes or a changed reference it cites does the same;
 * an unchanged one keeps its approval.
 */
static void
versions(void)
{
	struct ldn_kb *kb = load_kb(), *kb2 = NULL;
	struct ldn_store *st = fresh_store("versions");
	struct ldn_review *rv = NULL;
	struct ldn_error err;
	char cmd[512], *out = NULL;
	size_t len;
	json_t *root = NULL;

	if (kb == NULL || st == NULL) {
		ok(false, "kb and store for versions");
		goto done;
	}
	ok(reach(kb, st, "definition.mechanism", 4) &&
	        reach(kb, st, "protocol.start", 4) &&
	        reach(kb, st, "definition.tenth_of_standard", 4),
	    "three statements approved");
	/* Edit the copy: one statement's words, one number, one source. */
	snprintf(cmd, sizeof(cmd),
	    "sed -i 's/This is not fully proven./This is not proven yet./' "
	    "%s/statements.yaml && "
	    "sed -i '/id: dose.start_ug$/,/value:/ s/value: 1500/value: 1000/' "
	    "%s/numbers.yaml",
	    kb_dir, kb_dir);
	ok(system(cmd) == 0, "the copy edited");
	kb2 = load_kb();
	if (kb2 == NULL) {
		ok(false, "the edited copy loads");
		goto done;
	}
	ok(is_state(kb2, st, "definition.mechanism", "draft"),
	    "changed words: a new version, a draft");
	ok(is_state(kb2, st, "protocol.start", "draft"),
	    "a changed number it quotes: a draft too");
	ok(is_state(kb2, st, "definition.tenth_of_standard", "approved"),
	    "an unchanged statement keeps its approval");
	if (ldn_review_load(kb2, st, &rv, &err) == LDN_OK &&
	    ldn_review_item(rv, "definition.mechanism", LDN_FORMAT_JSON, &out,
	        &len, &err) == LDN_OK)
		root = json_loadb(out, len, 0, NULL);
	ok(root != NULL && diff_has(root, "removed", "not fully proven") &&
	        diff_has(root, "added", "not proven yet") &&
	        diff_has(root, "same", "clinician:") &&
	        strcmp(json_string_value(
	                   json_object_get(json_object_get(root, "diff"),
	                       "from_state")),
	            "approved") == 0 &&
	        json_array_size(json_object_get(root, "history")) == 3,
	    "the diff shows the changed line against the approved version, "
	    "and the history keeps the approval");
	json_decref(root);
	free(out);
	out = NULL;
	ok(ldn_review_item(rv, "definition.mechanism", LDN_FORMAT_TEXT, &out,
	       &len, &err) == LDN_OK &&
	        strstr(out, "  - patient: ") && strstr(out, "  + patient: "),
	    "the text diff marks removed and added lines with - and +");
	free(out);
	out = NULL;
	ldn_review_free(rv);
	rv = NULL;
	/* Retire, then change it: still retired. */
	ok(act(kb2, st, "test-editor", "definition.mechanism",
	       LDN_REVIEW_RETIRE, "withdrawn", NULL) == LDN_OK,
	    "the new version retired");
	snprintf(cmd, sizeof(cmd),
	    "sed -i 's/This is not proven yet./This is unproven./' "
	    "%s/statements.yaml",
	    kb_dir);
	ok(system(cmd) == 0, "edited again");
	ldn_kb_free(kb2);
	kb2 = load_kb();
	ok(kb2 && is_state(kb2, st, "definition.mechanism", "retired"),
	    "a retired item stays retired when its words change");
	/* The plan leaves a retired statement out; an approved one is
	 * marked approved. */
	if (kb2 && ldn_review_load(kb2, st, &rv, &err) == LDN_OK) {
		static const char patient[] =
		    "{\"id\":\"v1\",\"age_years\":50,\"sex\":\"female\","
		    "\"weight_kg\":70,\"opioid_analgesia_required\":false,"
		    "\"medications\":[],\"conditions\":[]}";
		struct ldn_plan *pl = NULL;

		if (ldn_plan_build_with(kb2, patient, sizeof(patient) - 1,
		        false, "2026-11-25", NULL, NULL, 0, rv, &pl,
		        &err) == LDN_OK &&
		    ldn_plan_render(pl, LDN_FORMAT_JSON, LDN_AUDIENCE_CLINICIAN,
		        &out, &len, &err) == LDN_OK) {
			ok(strstr(out, "\"definition.mechanism\"") == NULL,
			    "a plan leaves the retired statement out");
			ok(strstr(out, "\"definition.tenth_of_standard\"") !=
			        NULL,
			    "and keeps the approved one");
		} else {
			ok(false, "plan with review states: %s", err.msg);
		}
		free(out);
		ldn_plan_free(pl);
		ldn_review_free(rv);
	}
done:
	ldn_store_close(st);
	ldn_kb_free(kb);
	ldn_kb_free(kb2);
}

/* Status: counts add up, the filter keeps one state, reviewers listed;
 * with no store every item is a draft. */
static void
status(const struct ldn_kb *kb)
{
	struct ldn_store *st = fresh_store("status");
	struct ldn_review *rv = NULL;
	struct ldn_error err;
	char *out = NULL;
	size_t len, n_items = ldn_kb_count(kb, "items");
	json_t *root = NULL;

	ok(n_items ==
	        ldn_kb_count(kb, "statements") + 2 * 6 +
	            ldn_kb_count(kb, "references"),
	    "items: every statement, each preset's two, every reference "
	    "(%zu)",
	    n_items);
	ok(ldn_review_load(kb, NULL, &rv, &err) == LDN_OK &&
	        ldn_review_status(rv, "draft", LDN_FORMAT_JSON, &out, &len,
	            &err) == LDN_OK &&
	        (root = json_loadb(out, len, 0, NULL)) != NULL &&
	        json_array_size(json_object_get(root, "items")) == n_items,
	    "with no store, every item is a draft");
	json_decref(root);
	root = NULL;
	free(out);
	out = NULL;
	ldn_review_free(rv);
	rv = NULL;
	if (st == NULL)
		return;
	reach(kb, st, "protocol.start", 4);
	reach(kb, st, "protocol.escalation", 1);
	if (ldn_review_load(kb, st, &rv, &err) == LDN_OK &&
	    ldn_review_status(rv, NULL, LDN_FORMAT_JSON, &out, &len, &err) ==
	        LDN_OK)
		root = json_loadb(out, len, 0, NULL);
	json_t *c = json_object_get(root, "counts");
	long long sum = 0;
	for (int s = 0; s < 6; s++)
		sum += json_integer_value(json_object_get(c, state_names[s]));
	ok(root && sum == (long long)n_items &&
	        json_integer_value(json_object_get(c, "approved")) == 1 &&
	        json_integer_value(json_object_get(c, "submitted")) == 1 &&
	        json_array_size(json_object_get(root, "reviewers")) == 4,
	    "status counts every item once, and names the reviewers");
	json_decref(root);
	free(out);
	out = NULL;
	ok(ldn_review_status(rv, "approved", LDN_FORMAT_TEXT, &out, &len,
	       &err) == LDN_OK &&
	        strstr(out, "statement/protocol.start") &&
	        !strstr(out, "statement/protocol.escalation"),
	    "the state filter keeps only that state");
	free(out);
	out = NULL;
	ok(ldn_review_status(rv, "approvd", LDN_FORMAT_TEXT, &out, &len,
	       &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "state") == 0,
	    "an unknown state filter is refused");
	ldn_review_free(rv);
	ldn_store_close(st);
}

int
main(int argc, char **argv)
{
	char cmd[700];
	struct ldn_kb *kb;

	if (argc != 4) {
		printf("Bail out! usage: review SQL_DIR KB_DIR REVIEWERS\n");
		return 1;
	}
	sql_dir = argv[1];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ldn-review-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(kb_dir, sizeof(kb_dir), "%s/kb", tmpdir);
	snprintf(cmd, sizeof(cmd),
	    "cp -r '%s' '%s' && cp '%s' '%s/reviewers.yaml'", argv[2], kb_dir,
	    argv[3], kb_dir);
	if (system(cmd) != 0 || (kb = load_kb()) == NULL) {
		printf("Bail out! cannot copy the knowledge base\n");
		return 1;
	}
	transitions(kb);
	refusals(kb);
	loopholes(kb);
	status(kb);
	ldn_kb_free(kb);
	versions(); /* last: it edits the copy */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
