/*
 * What each audience sees of the editorial workflow (issue 9, items 3 and
 * 4): a knowledge base with the fictional reviewers of
 * tests/data/reviewers.yaml and a scratch SQLite store in which some
 * statements are approved, one only submitted, one sent back, one retired
 * and the rest left as drafts.  Then, for the example patient: the
 * clinician's plan shows every statement with its state and date, marks
 * each one not approved and lists those the patient's version leaves out;
 * the patient's plan holds only the approved ones, says that some
 * information waits for review, and lists only the references it cites,
 * numbered 1..n; the findings are the same for both; a retired statement
 * is shown to nobody; every plan links the editorial policy; and `ldn ask`
 * answers a patient only from approved statements.
 *
 * usage: review_plan SOURCE_ROOT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ldn/ask.h"
#include "ldn/kb.h"
#include "ldn/plan.h"
#include "ldn/review.h"
#include "ldn/store.h"

#include "kb/ask_kb.h"
#include "tap.h"

#define POLICY "/docs/editorial-policy"

static const char *root;
static char tmp[64];
static struct ldn_kb *kb;
static struct ldn_store *st;

/* Statements of the example patient's plan, by what the test does to
 * them. */
static const char *const approved[] = { "definition.low_dose_range",
	"protocol.hormesis", "contraindications.opioid_free" };
static const char *const submitted = "protocol.start";
static const char *const sent_back = "protocol.escalation";
static const char *const retired = "definition.tenth_of_standard";

static bool
run(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0;
}

/* One action on the log as it is now; false (with a note) if refused. */
static bool
act(const char *who, const char *item, enum ldn_review_action a)
{
	struct ldn_review *rv = NULL;
	struct ldn_error err = { 0 };
	enum ldn_status rc = ldn_review_load(kb, st, &rv, &err);

	if (rc == LDN_OK)
		rc = ldn_review_act(rv, st, who, item, a, NULL,
		    "a test of what each audience sees", &err);
	if (rc != LDN_OK)
		printf("# %s %s: %s: %s\n", who, item, err.where, err.msg);
	ldn_review_free(rv);
	return rc == LDN_OK;
}

static bool
is_in(const char *id, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(id, list[i]) == 0)
			return true;
	return false;
}

static bool
is_approved(const char *id)
{
	return is_in(id, approved, sizeof(approved) / sizeof(approved[0]));
}

static char *
render(const struct ldn_plan *pl, enum ldn_format f, enum ldn_audience a)
{
	char *out = NULL;
	size_t len;
	struct ldn_error err = { 0 };

	if (ldn_plan_render(pl, f, a, &out, &len, &err) != LDN_OK) {
		printf("# render: %s: %s\n", err.where, err.msg);
		return NULL;
	}
	return out;
}

static json_t *
render_json(const struct ldn_plan *pl, enum ldn_audience a)
{
	char *s = render(pl, LDN_FORMAT_JSON, a);
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;

	free(s);
	return j;
}

/* s with runs of white space made one space, in place (text output
 * wraps lines). */
static char *
squash(char *s)
{
	char *w = s;
	bool space = false;

	for (char *r = s; r && *r; r++) {
		if (*r == ' ' || *r == '\n') {
			space = true;
			continue;
		}
		if (space && w != s)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	if (w)
		*w = '\0';
	return s;
}

/* Every "citations" number anywhere in j, into seen[n] (n < max); false
 * if one is out of 1..n_refs. */
static bool
citations(json_t *j, size_t n_refs, bool *seen, size_t max)
{
	bool good = true;

	if (json_is_object(j)) {
		const char *k;
		json_t *v;

		json_object_foreach(j, k, v)
		{
			if (strcmp(k, "citations") == 0 && json_is_array(v)) {
				size_t i;
				json_t *c;

				json_array_foreach(v, i, c)
				{
					json_int_t n = json_integer_value(c);

					if (n < 1 || (size_t)n > n_refs ||
					    (size_t)n >= max)
						good = false;
					else
						seen[n] = true;
				}
			} else {
				good &= citations(v, n_refs, seen, max);
			}
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;

		json_array_foreach(j, i, v) good &=
		    citations(v, n_refs, seen, max);
	}
	return good;
}

/* Whether the patient's version of pl numbers its references 1..n in
 * JSON and html alike, every citation resolves, and every reference is
 * cited: in the html, which shows every citation (the JSON's schedule
 * carries none). */
static bool
refs_ok(const struct ldn_plan *pl)
{
	json_t *j = render_json(pl, LDN_AUDIENCE_PATIENT), *r;
	char *html = render(pl, LDN_FORMAT_HTML, LDN_AUDIENCE_PATIENT);
	json_t *refs = json_object_get(j, "references");
	size_t n = json_array_size(refs), i;
	bool seen[512] = { false }, good = html && n > 0 && n < 512;
	char want[64];

	json_array_foreach(refs, i, r) good &=
	    json_integer_value(json_object_get(r, "n")) == (json_int_t)i + 1;
	good &= citations(j, n, seen, 512);
	for (size_t k = 1; good && k <= n + 1; k++) {
		snprintf(want, sizeof(want), "<li id=\"ref-%zu\">", k);
		good = (strstr(html, want) != NULL) == (k <= n);
		snprintf(want, sizeof(want), "href=\"#ref-%zu\"", k);
		good &= (strstr(html, want) != NULL) == (k <= n);
	}
	json_decref(j);
	free(html);
	return good;
}

/* The plan's statements, as (id, review, review_since) in order. */
static size_t
statements(json_t *plan, json_t **out, size_t max)
{
	size_t n = 0, i, k;
	json_t *sec, *s;

	json_array_foreach(json_object_get(plan, "sections"), i, sec)
	    json_array_foreach(json_object_get(sec, "statements"), k,
	        s) if (n < max) out[n++] = s;
	return n;
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The words of statement id for the audience, from the knowledge base's
 * JSON. */
static const char *
words(json_t *kbj, const char *id)
{
	size_t i;
	json_t *s;

	json_array_foreach(json_object_get(kbj, "statements"), i,
	    s) if (strcmp(str(s, "id"), id) == 0) return str(s, "text");
	return NULL;
}

static void
test_plans(struct ldn_review *rv, const char *notice)
{
	char path[1024], *input, *kbs = NULL;
	size_t len, kblen;
	struct ldn_plan *pl = NULL;
	struct ldn_error err = { 0 };
	json_t *cj, *pj, *kbj, *cs[256], *ps[256];
	size_t nc, np, n_pending = 0, n_withheld_refs = 0;
	bool good;

	snprintf(path, sizeof(path), "%s/examples/fibromyalgia.json", root);
	input = tap_slurp(path, &len);
	if (!ok(input &&
	            ldn_plan_build_with(kb, input, len, false, "2026-11-25",
	                NULL, NULL, 0, rv, &pl, &err) == LDN_OK,
	        "a plan for the example patient with the review log"))
		return;
	free(input);
	cj = render_json(pl, LDN_AUDIENCE_CLINICIAN);
	pj = render_json(pl, LDN_AUDIENCE_PATIENT);
	ldn_kb_render_json(kb, rv, LDN_AUDIENCE_PATIENT, &kbs, &kblen, &err);
	kbj = kbs ? json_loads(kbs, 0, NULL) : NULL;
	free(kbs);
	if (!ok(cj && pj && kbj, "both audiences' JSON and the KB's parse"))
		return;
	nc = statements(cj, cs, 256);
	np = statements(pj, ps, 256);

	/* the clinician: every statement, its state and date, marks */
	good = nc > 10;
	for (size_t i = 0; i < nc; i++) {
		const char *id = str(cs[i], "id"),
		           *state = str(cs[i], "review");
		const char *since = str(cs[i], "review_since");
		bool want_date = is_approved(id) ||
		    strcmp(id, submitted) == 0 || strcmp(id, sent_back) == 0;

		n_pending += strcmp(state, "approved") != 0;
		good &= strcmp(id, retired) != 0;
		good &=
		    strcmp(state,
		        is_approved(id)                  ? "approved"
		            : strcmp(id, submitted) == 0 ? "submitted"
		            : strcmp(id, sent_back) == 0 ? "changes-requested"
		                                         : "draft") == 0;
		good &= want_date
		    ? since && strlen(since) == 10 && since[4] == '-'
		    : json_is_null(json_object_get(cs[i], "review_since"));
	}
	ok(good,
	    "clinician: all %zu statements, each with its state (approved, "
	    "submitted, changes-requested, draft) and the date of its last "
	    "action (null for a draft); the retired one is not there",
	    nc);
	{
		json_t *w = json_object_get(cj, "withheld_from_patient"), *v;
		size_t i, n = 0;

		good = json_array_size(w) == n_pending && n_pending > 0;
		json_array_foreach(w, i, v)
		{
			good &= !is_approved(json_string_value(v)) &&
			    strcmp(json_string_value(v), retired) != 0;
			n++;
		}
		ok(good && n == nc - 3,
		    "clinician: withheld_from_patient lists the %zu statements "
		    "not approved, and no approved or retired one",
		    n_pending);
	}
	{
		json_t *c = json_object_get(json_object_get(cj, "kb"),
		    "statements_by_review");

		ok(json_integer_value(json_object_get(c, "approved")) == 3 &&
		        json_integer_value(json_object_get(c, "submitted")) ==
		            1 &&
		        json_integer_value(
		            json_object_get(c, "changes-requested")) == 1 &&
		        json_integer_value(json_object_get(c, "draft")) ==
		            (json_int_t)nc - 5 &&
		        json_object_get(json_object_get(cj, "kb"), "review") ==
		            NULL,
		    "kb.statements_by_review counts the plan's statements by "
		    "state, in place of the release's review state");
	}
	ok(str(cj, "editorial_policy") &&
	        strcmp(str(cj, "editorial_policy"), POLICY) == 0 &&
	        str(pj, "editorial_policy") &&
	        strcmp(str(pj, "editorial_policy"), POLICY) == 0,
	    "both audiences' JSON link the editorial policy");
	{
		static const enum ldn_format fs[] = { LDN_FORMAT_ICS,
			LDN_FORMAT_FHIR };

		good = true;
		for (size_t f = 0; f < 2; f++)
			for (int a = 0; a < 2; a++) {
				char *s =
				    render(pl, fs[f], (enum ldn_audience)a);

				good &= s != NULL && strstr(s, POLICY) != NULL;
				free(s);
			}
		ok(good,
		    "the ics and FHIR plans name the editorial policy, "
		    "for both audiences");
	}

	/* the patient: only what is approved */
	good = np == 3;
	for (size_t i = 0; i < np; i++)
		good &= is_approved(str(ps[i], "id")) &&
		    strcmp(str(ps[i], "review"), "approved") == 0;
	ok(good, "patient: only the %zu approved statements (got %zu)",
	    sizeof(approved) / sizeof(approved[0]), np);
	ok(str(pj, "withheld_notice") &&
	        strcmp(str(pj, "withheld_notice"), notice) == 0 &&
	        json_object_get(pj, "withheld_from_patient") == NULL,
	    "patient: withheld_notice holds the kb's words, and no list of "
	    "ids");
	{
		json_t *cf = json_object_get(cj, "findings");
		json_t *pf = json_object_get(pj, "findings");

		good = json_array_size(cf) > 0 &&
		    json_array_size(cf) == json_array_size(pf) &&
		    json_array_size(json_object_get(cj, "schedule")) > 0 &&
		    json_array_size(json_object_get(cj, "schedule")) ==
		        json_array_size(json_object_get(pj, "schedule"));
		for (size_t i = 0; good && i < json_array_size(cf); i++)
			good = strcmp(str(json_array_get(cf, i), "id"),
			           str(json_array_get(pf, i), "id")) == 0;
		ok(good,
		    "findings and schedule are never withheld: the patient "
		    "has all %zu findings",
		    json_array_size(cf));
	}
	ok(refs_ok(pl),
	    "patient: references numbered 1..%zu, every citation resolves "
	    "and every reference is cited",
	    json_array_size(json_object_get(pj, "references")));
	{
		/* references the clinician's plan cites only from statements
		 * the patient does not see are not in the patient's list */
		json_t *crefs = json_object_get(cj, "references"), *r;
		size_t i;

		good = true;
		json_array_foreach(crefs, i, r)
		{
			json_t *copy = json_deep_copy(cj), *sec, *s;
			bool seen[512] = { false };
			size_t k, m;

			/* the clinician's plan without the withheld
			 * statements: does anything else cite it? */
			json_array_foreach(json_object_get(copy, "sections"), k,
			    sec)
			{
				json_t *sts =
				    json_object_get(sec, "statements");

				for (m = json_array_size(sts); m-- > 0;) {
					s = json_array_get(sts, m);
					if (strcmp(str(s, "review"),
					        "approved") != 0)
						json_array_remove(sts, m);
				}
			}
			citations(copy, json_array_size(crefs), seen, 512);
			json_decref(copy);
			if (seen[i + 1])
				continue;
			n_withheld_refs++;
			{
				json_t *pr;
				size_t q;

				json_array_foreach(json_object_get(pj,
				                       "references"),
				    q, pr) good &=
				    strcmp(str(pr, "id"), str(r, "id")) != 0;
			}
		}
		ok(good && n_withheld_refs > 0,
		    "patient: the %zu references cited only by withheld "
		    "statements are left out",
		    n_withheld_refs);
	}

	/* text and html */
	{
		char *ct = render(pl, LDN_FORMAT_TEXT, LDN_AUDIENCE_CLINICIAN);
		char *pt = render(pl, LDN_FORMAT_TEXT, LDN_AUDIENCE_PATIENT);
		char *ch = render(pl, LDN_FORMAT_HTML, LDN_AUDIENCE_CLINICIAN);
		char *ph = render(pl, LDN_FORMAT_HTML, LDN_AUDIENCE_PATIENT);
		char *nt = strdup(notice);
		size_t marks = 0, badges = 0;
		bool shows = true, hides = true;

		squash(ct); /* a mark may wrap */
		for (const char *p = ct; p && (p = strstr(p, "PENDING REVIEW"));
		     p++)
			marks++;
		for (const char *p = ch;
		     p && (p = strstr(p, "PENDING REVIEW: ")); p++)
			badges++;
		ok(marks == n_pending && badges == n_pending,
		    "clinician text and html: a pending-review mark on each "
		    "of the %zu statements not approved (%zu, %zu)",
		    n_pending, marks, badges);
		ok(ct &&
		        strstr(ct,
		            "Not in the patient's version until "
		            "approved") &&
		        strstr(ct, sent_back) && strstr(ct, POLICY) && ch &&
		        strstr(ch, "id=\"withheld\"") &&
		        strstr(ch, "<a href=\"" POLICY "\">"),
		    "clinician text and html: what the patient's version "
		    "leaves out, by id, and the editorial policy");
		squash(pt);
		squash(nt);
		for (size_t i = 0; i < nc; i++) {
			const char *id = str(cs[i], "id");
			char *w;

			if (words(kbj, id) == NULL) /* a preset's words */
				continue;
			w = squash(strdup(words(kbj, id)));
			if (is_approved(id))
				shows &= pt && *w && strstr(pt, w) != NULL;
			else
				hides &= pt && *w && strstr(pt, w) == NULL;
			free(w);
		}
		ok(shows && hides,
		    "patient text: the approved statements' words, and none "
		    "of the others'");
		ok(pt && strstr(pt, nt) && strstr(pt, POLICY) &&
		        !strstr(pt, "PENDING REVIEW") && ph &&
		        strstr(ph, "id=\"withheld\"") &&
		        strstr(ph, "<a href=\"" POLICY "\">") &&
		        !strstr(ph, "PENDING REVIEW"),
		    "patient text and html: the line that some information "
		    "waits for review, the policy, no pending marks");
		free(nt);
		free(ct);
		free(pt);
		free(ch);
		free(ph);
	}
	json_decref(cj);
	json_decref(pj);
	json_decref(kbj);
	ldn_plan_free(pl);
}

static json_t *
ask_json(struct ldn_ask *ask, const char *q, const struct ldn_review *rv,
    enum ldn_audience a)
{
	char *o = NULL;
	size_t len;
	struct ldn_error err = { 0 };
	json_t *j;

	if (ldn_ask_answer(ask, q, strlen(q), NULL, rv, a, LDN_FORMAT_JSON, &o,
	        &len, &err) != LDN_OK)
		return NULL;
	j = json_loadb(o, len, 0, NULL);
	free(o);
	return j;
}

static void
test_ask(struct ldn_review *rv, const char *withheld_answer)
{
	struct ldn_ask *ask = NULL;
	struct ldn_error err = { 0 };
	struct ldn_ask_result r;
	json_t *j, *a;
	size_t i;
	bool good, found;
	static const char tylenol[] = "Can I take Tylenol #3 with LDN?";
	static const char pregnant[] = "Can I take LDN if I am pregnant?";
	static const char tenth[] =
	    "Is LDN a tenth of the normal naltrexone dose?";

	if (!ok(ldn_ask_new(kb, &ask, &err) == LDN_OK, "the question index"))
		return;
	/* the questions' best statements, whatever their state */
	ok(ldn_ask_search(ask, tylenol, strlen(tylenol), &r, &err) == LDN_OK &&
	        r.n == 3 &&
	        (strcmp(r.ids[0], approved[2]) == 0 ||
	            strcmp(r.ids[1], approved[2]) == 0 ||
	            strcmp(r.ids[2], approved[2]) == 0),
	    "\"%s\" finds %s among others", tylenol, approved[2]);
	j = ask_json(ask, tylenol, rv, LDN_AUDIENCE_PATIENT);
	good = json_is_true(json_object_get(j, "answered")) &&
	    json_array_size(json_object_get(j, "answers")) == 1 &&
	    json_integer_value(json_object_get(j, "withheld")) == 2 &&
	    str(j, "message") &&
	    strcmp(str(j, "message"), withheld_answer) == 0;
	json_array_foreach(json_object_get(j, "answers"), i, a) good &=
	    is_approved(str(a, "id"));
	ok(good,
	    "patient: only the approved statement answers, and the two "
	    "held back are said to wait for review");
	json_decref(j);
	j = ask_json(ask, tylenol, rv, LDN_AUDIENCE_CLINICIAN);
	good = json_array_size(json_object_get(j, "answers")) == 3;
	json_array_foreach(json_object_get(j, "answers"), i, a) good &=
	    json_is_boolean(json_object_get(a, "pending_review")) &&
	    json_is_true(json_object_get(a, "pending_review")) ==
	        !is_approved(str(a, "id")) &&
	    strcmp(str(a, "review"),
	        is_approved(str(a, "id")) ? "approved" : "draft") == 0;
	ok(good && str(j, "editorial_policy") &&
	        json_integer_value(json_object_get(j, "withheld")) == 0,
	    "clinician: all three, each with its state and a pending mark "
	    "unless approved");
	json_decref(j);
	j = ask_json(ask, pregnant, rv, LDN_AUDIENCE_PATIENT);
	ok(json_is_false(json_object_get(j, "answered")) &&
	        json_array_size(json_object_get(j, "answers")) == 0 &&
	        json_integer_value(json_object_get(j, "withheld")) == 3 &&
	        str(j, "message") &&
	        strcmp(str(j, "message"), withheld_answer) == 0,
	    "patient: none approved, so no answer, and the words that it "
	    "waits for review and to ask the clinician");
	json_decref(j);
	{
		char *o = NULL;
		size_t len;

		ok(ldn_ask_answer(ask, pregnant, strlen(pregnant), NULL, rv,
		       LDN_AUDIENCE_CLINICIAN, LDN_FORMAT_TEXT, &o, &len,
		       &err) == LDN_OK &&
		        strstr(o, "review state: draft; PENDING REVIEW"),
		    "clinician text: the state and the pending mark");
		free(o);
	}
	found = ldn_ask_search(ask, tenth, strlen(tenth), &r, &err) == LDN_OK;
	for (size_t k = 0; found && k < r.n; k++)
		found = k + 1 < r.n || strcmp(r.ids[k], retired) == 0 ||
		    strcmp(r.ids[0], retired) == 0;
	for (int aud = 0; aud < 2; aud++) {
		j = ask_json(ask, tenth, rv, (enum ldn_audience)aud);
		good = j != NULL;
		json_array_foreach(json_object_get(j, "answers"), i, a) good &=
		    strcmp(str(a, "id"), retired) != 0;
		ok(found && good,
		    "a retired statement answers nobody (%s), though the "
		    "search finds it",
		    aud ? "patient" : "clinician");
		json_decref(j);
	}
	/* no review log: nothing is approved, a patient is told so */
	j = ask_json(ask, tylenol, NULL, LDN_AUDIENCE_PATIENT);
	ok(json_is_false(json_object_get(j, "answered")) &&
	        json_integer_value(json_object_get(j, "withheld")) == 3,
	    "without a review log a patient is answered from nothing");
	json_decref(j);
	ldn_ask_free(ask);
}

/* Every golden case's patient version, without a review log and with
 * rv: only approved statements, references 1..n each cited (numbers a
 * preset sets cite the preset's sources, and nothing else may). */
static void
test_golden(const struct ldn_review *rv)
{
	char dir[1024], path[1200], **names;
	size_t n = 0, planned = 0, bad = 0;

	snprintf(dir, sizeof(dir), "%s/tests/golden", root);
	names = tap_list_dir(dir, &n);
	for (size_t i = 0; names && i < n; i++) {
		char *input, *pre, *aof, preset[64] = "",
		                         as_of[16] = "2026-11-25";
		size_t len;

		snprintf(path, sizeof(path), "%s/%s/patient.json", dir,
		    names[i]);
		input = tap_slurp(path, &len);
		snprintf(path, sizeof(path), "%s/%s/PRESET", dir, names[i]);
		if ((pre = tap_slurp(path, NULL)) != NULL)
			snprintf(preset, sizeof(preset), "%.*s",
			    (int)strcspn(pre, "\n"), pre);
		snprintf(path, sizeof(path), "%s/%s/AS_OF", dir, names[i]);
		if ((aof = tap_slurp(path, NULL)) != NULL)
			snprintf(as_of, sizeof(as_of), "%.10s", aof);
		for (int with = 0; input && with < 2; with++) {
			struct ldn_plan *pl = NULL;
			struct ldn_error err = { 0 };
			json_t *pj, *sts[256];
			size_t ns;
			bool good;

			if (ldn_plan_build_with(kb, input, len, false, as_of,
			        *preset ? preset : NULL, NULL, 0,
			        with ? rv : NULL, &pl, &err) != LDN_OK)
				continue;
			planned++;
			pj = render_json(pl, LDN_AUDIENCE_PATIENT);
			good = pj && refs_ok(pl);
			ns = statements(pj, sts, 256);
			for (size_t k = 0; k < ns; k++)
				good &= with && is_approved(str(sts[k], "id"));
			if (!good) {
				bad++;
				printf("# %s (%s): patient references or "
				       "statements wrong\n",
				    names[i], with ? "review log" : "none");
			}
			json_decref(pj);
			ldn_plan_free(pl);
		}
		free(input);
		free(pre);
		free(aof);
		free(names[i]);
	}
	free(names);
	ok(planned > 300 && bad == 0,
	    "every golden case's patient version (%zu plans): only approved "
	    "statements; references 1..n, each cited",
	    planned);
}

/* With no review log (NULL), every statement is a draft: the patient's
 * version has none, but its findings and schedule. */
static void
test_no_log(void)
{
	char path[1024], *input;
	size_t len;
	struct ldn_plan *pl = NULL;
	struct ldn_error err = { 0 };
	json_t *pj;

	snprintf(path, sizeof(path), "%s/examples/fibromyalgia.json", root);
	input = tap_slurp(path, &len);
	if (!ok(input &&
	            ldn_plan_build_with(kb, input, len, false, "2026-11-25",
	                NULL, NULL, 0, NULL, &pl, &err) == LDN_OK,
	        "a plan with no review log"))
		return;
	free(input);
	pj = render_json(pl, LDN_AUDIENCE_PATIENT);
	ok(pj && json_array_size(json_object_get(pj, "sections")) == 0 &&
	        json_array_size(json_object_get(pj, "findings")) > 0 &&
	        json_array_size(json_object_get(pj, "schedule")) > 0 &&
	        str(pj, "withheld_notice") != NULL,
	    "no review log: the patient's plan has no statement, all its "
	    "findings and schedule, and the notice");
	json_decref(pj);
	ldn_plan_free(pl);
}

int
main(int argc, char **argv)
{
	char cmd[2048], kbdir[128], url[160], sql[1024];
	struct ldn_error err = { 0 };
	struct ldn_review *rv = NULL;
	bool good = true;

	if (argc != 2) {
		fprintf(stderr, "usage: review_plan SOURCE_ROOT\n");
		return 2;
	}
	root = argv[1];
	snprintf(tmp, sizeof(tmp), "/tmp/ldn-review-plan-XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(kbdir, sizeof(kbdir), "%s/kb", tmp);
	snprintf(cmd, sizeof(cmd),
	    "cp -R '%s/kb' '%s' && cp '%s/tests/data/reviewers.yaml' "
	    "'%s/reviewers.yaml'",
	    root, tmp, root, kbdir);
	snprintf(url, sizeof(url), "sqlite:%s/store.db", tmp);
	snprintf(sql, sizeof(sql), "%s/sql", root);
	if (!run(cmd) || ldn_kb_load(kbdir, &kb, &err) != LDN_OK ||
	    ldn_store_open(url, sql, &st, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	for (size_t i = 0; i < sizeof(approved) / sizeof(approved[0]); i++)
		good &= act("test-author", approved[i], LDN_REVIEW_SUBMIT) &&
		    act("test-reviewer-a", approved[i], LDN_REVIEW_REVIEW) &&
		    act("test-reviewer-a", approved[i], LDN_REVIEW_APPROVE);
	good &= act("test-author", submitted, LDN_REVIEW_SUBMIT);
	good &= act("test-author", sent_back, LDN_REVIEW_SUBMIT) &&
	    act("test-reviewer-b", sent_back, LDN_REVIEW_REQUEST_CHANGES);
	good &= act("test-editor", retired, LDN_REVIEW_RETIRE);
	ok(good,
	    "three statements approved, one submitted, one sent back, "
	    "one retired");
	if (ldn_review_load(kb, st, &rv, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	/* the patient's words for what is held back (kb/ask.yaml) */
	test_plans(rv, kb->ask->withheld[AUD_PATIENT]);
	test_ask(rv, kb->ask->withheld_answer[AUD_PATIENT]);
	test_no_log();
	test_golden(rv);
	ldn_review_free(rv);
	ldn_store_close(st);
	ldn_kb_free(kb);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	run(cmd);
	return tap_done();
}
