/*
 * `--format fhir`: plans from the example and from golden cases (a wait, a
 * do-not-start, starts with perioperative holds, a child, a plan without a
 * patient id) rendered as a FHIR R4 Bundle, parsed back with jansson and
 * held to what the bundle promises: its shape, one request per dose step,
 * doses and dates that match the schedule and stay out of every hold,
 * references that resolve, one issue per block or caution, and the same
 * bytes for the same plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/date.h"
#include "draft.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

#include "tap.h"

enum {
	MAX_URLS = 256
};

struct urls {
	const char *url[MAX_URLS];
	size_t n;
};

static bool
has_url(const struct urls *u, const char *s)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->url[i], s) == 0)
			return true;
	return false;
}

/* "urn:uuid:" and 8-4-4-4-12 lower-case hex, version 4, RFC 4122 variant. */
static bool
is_uuid_urn(const char *s)
{
	static const char pfx[] = "urn:uuid:";

	if (strncmp(s, pfx, 9) != 0 || strlen(s) != 9 + 36)
		return false;
	s += 9;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-'
		         : strchr("0123456789abcdef", s[i]) == NULL)
			return false;
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

/* Every "reference" string anywhere under v names an entry's fullUrl. */
static size_t
unresolved(json_t *v, const struct urls *u, size_t *n_refs)
{
	size_t bad = 0;
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
		{
			if (strcmp(k, "reference") == 0 && json_is_string(x)) {
				(*n_refs)++;
				bad += !has_url(u, json_string_value(x));
			} else {
				bad += unresolved(x, u, n_refs);
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) bad += unresolved(x, u, n_refs);
	}
	return bad;
}

static const char *
str_at(json_t *v, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && v;
	     k = strtok_r(NULL, ".", &save)) {
		if (json_is_array(v))
			v = json_array_get(v, (size_t)atoi(k));
		else
			v = json_object_get(v, k);
	}
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int32_t
day_of(const char *s)
{
	int32_t d;

	return s && date_parse(s, strlen(s), &d) ? d : DATE_NONE;
}

static char *
render(const struct ldn_plan *plan, enum ldn_audience aud, size_t *len)
{
	struct ldn_error err = { 0 };
	char *out = NULL;

	if (ldn_plan_render(plan, LDN_FORMAT_FHIR, aud, &out, len, &err) !=
	    LDN_OK) {
		printf("# render: %s\n", err.msg);
		return NULL;
	}
	return out;
}

static size_t
n_issue_findings(const struct ldn_plan *plan)
{
	size_t n = 0;

	for (size_t i = 0; i < ldn_plan_n_findings(plan); i++) {
		struct ldn_finding f;

		ldn_plan_finding(plan, i, &f);
		n += strcmp(f.severity, "block") == 0 ||
		    strcmp(f.severity, "caution") == 0;
	}
	return n;
}

/* The MedicationRequests against the schedule: the k-th request is the
 * k-th step that is not a hold, with its dose and date; each ends the day
 * before the next step (only the last is open) and none meets a window in
 * which no dose may be taken. */
static void
check_requests(const char *name, const struct ldn_plan *plan, json_t **mr,
    size_t n_mr)
{
	size_t k = 0, dose_bad = 0, date_bad = 0, over = 0, overlap = 0,
	       blackout = 0, shape = 0;
	int32_t prev_end = DATE_NONE;

	for (size_t i = 0; i < ldn_plan_n_steps(plan) && k < n_mr; i++) {
		struct ldn_step s;
		json_t *di, *q, *val, *rep;
		int32_t from, to;

		ldn_plan_step(plan, i, &s);
		if (strcmp(s.kind, "hold") == 0)
			continue;
		di = json_array_get(json_object_get(mr[k], "dosageInstruction"),
		    0);
		q = json_object_get(json_array_get(json_object_get(di,
		                                       "doseAndRate"),
		                        0),
		    "doseQuantity");
		val = json_object_get(q, "value");
		if (!json_is_number(val) ||
		    json_number_value(val) * 1000.0 + 0.5 < s.dose_ug ||
		    json_number_value(val) * 1000.0 - 0.5 > s.dose_ug)
			dose_bad++;
		if (!json_is_number(val) || json_number_value(val) > 4.5)
			over++;
		if (!str_at(q, "unit") || strcmp(str_at(q, "unit"), "mg") ||
		    !str_at(q, "system") ||
		    strcmp(str_at(q, "system"), "http://unitsofmeasure.org") ||
		    !str_at(q, "code") || strcmp(str_at(q, "code"), "mg"))
			shape++;
		rep = json_object_get(json_object_get(di, "timing"), "repeat");
		if (json_integer_value(json_object_get(rep, "frequency")) !=
		        1 ||
		    json_integer_value(json_object_get(rep, "period")) != 1 ||
		    !str_at(rep, "periodUnit") ||
		    strcmp(str_at(rep, "periodUnit"), "d") ||
		    !str_at(rep, "when.0") ||
		    strcmp(str_at(rep, "when.0"), "HS"))
			shape++;
		from = day_of(str_at(rep, "boundsPeriod.start"));
		to = day_of(str_at(rep, "boundsPeriod.end"));
		if (from == DATE_NONE ||
		    strcmp(str_at(rep, "boundsPeriod.start"), s.date) != 0)
			date_bad++;
		if (prev_end == DATE_NONE ? k > 0 : from <= prev_end)
			overlap++;
		if ((to == DATE_NONE) != (k + 1 == n_mr) ||
		    (to != DATE_NONE && to < from))
			overlap++;
		for (size_t b = 0; b < ldn_plan_n_blackouts(plan); b++) {
			int32_t bf, bt;

			ldn_plan_blackout(plan, b, &bf, &bt);
			/* [from, to] meets [bf, bt) */
			if ((to == DATE_NONE || to >= bf) && from < bt)
				blackout++;
		}
		prev_end = to;
		k++;
	}
	ok(k == n_mr && dose_bad == 0,
	    "%s: each request's doseQuantity is its step's dose", name);
	ok(over == 0, "%s: no request exceeds 4.5 mg", name);
	ok(shape == 0,
	    "%s: once daily at bedtime (HS), in UCUM mg, in every request",
	    name);
	ok(date_bad == 0 && overlap == 0,
	    "%s: boundsPeriods start on their steps and do not overlap; only "
	    "the last is open",
	    name);
	ok(blackout == 0,
	    "%s: no boundsPeriod meets a washout or hold window (%zu "
	    "windows)",
	    name, ldn_plan_n_blackouts(plan));
}

static void
check_issues(const char *name, const struct ldn_plan *plan, json_t **di,
    size_t n_di)
{
	size_t k = 0, bad = 0, ev_bad = 0;

	for (size_t i = 0; i < plan->n_findings && k < n_di; i++) {
		const struct finding *f = &plan->findings[i];
		const struct kb_entry *e = &plan->kb->entries[f->id];
		enum severity sev = entry_specs[f->id].severity;
		json_t *ev;

		if (sev != SEV_BLOCK && sev != SEV_CAUTION)
			continue;
		if (!str_at(di[k], "code.text") ||
		    strcmp(str_at(di[k], "code.text"), e->id) != 0 ||
		    !str_at(di[k], "severity") ||
		    strcmp(str_at(di[k], "severity"),
		        sev == SEV_BLOCK ? "high" : "moderate") != 0 ||
		    !str_at(di[k], "status") ||
		    strcmp(str_at(di[k], "status"), "final") != 0 ||
		    !str_at(di[k], "identifiedDateTime") ||
		    strcmp(str_at(di[k], "identifiedDateTime"),
		        ldn_plan_as_of(plan)) != 0 ||
		    !str_at(di[k], "detail") || !*str_at(di[k], "detail") ||
		    json_object_get(di[k], "implicated") != NULL)
			bad++;
		ev = json_object_get(di[k], "evidence");
		if (json_array_size(ev) != e->cites.n)
			ev_bad++;
		for (size_t c = 0; c < json_array_size(ev) && c < e->cites.n;
		     c++) {
			char want[16], path[64];
			const char *d;

			snprintf(want, sizeof(want), "%u. ",
			    (unsigned)plan->ref_number[e->cites.ref[c]]);
			snprintf(path, sizeof(path), "%zu.detail.0.display", c);
			d = str_at(ev, path);
			if (d == NULL || strncmp(d, want, strlen(want)) != 0)
				ev_bad++;
		}
		k++;
	}
	ok(k == n_di && bad == 0,
	    "%s: one DetectedIssue per block or caution, in order, with its "
	    "id, severity, status final, as_of and text",
	    name);
	ok(ev_bad == 0,
	    "%s: each issue's evidence lists its citations by plan number",
	    name);
}

static void
check_case(const struct ldn_kb *kb, const char *name, const char *path,
    const char *as_of, const char *want_decision)
{
	size_t len, out_len, out2_len;
	char *input = tap_slurp(path, &len), *out, *out2;
	struct ldn_plan *plan = NULL, *again = NULL;
	struct ldn_error err = { 0 };
	json_error_t jerr;
	json_t *root, *entries, *e, *cp = NULL;
	json_t *mr[MAX_URLS], *di[MAX_URLS];
	size_t n_cp = 0, n_mr = 0, n_di = 0, n_other = 0, i, n_refs = 0;
	size_t n_steps = 0, n_holds = 0, bad_urls = 0, no_subject = 0;
	struct urls urls = { .n = 0 };
	bool dns;

	if (input == NULL ||
	    ldn_plan_build(kb, input, len, as_of, &plan, &err) != LDN_OK) {
		ok(0, "%s: plan built (%s)", name, err.msg);
		free(input);
		return;
	}
	ok(strcmp(ldn_decision_name(ldn_plan_decision(plan)), want_decision) ==
	        0,
	    "%s: the case is a %s", name, want_decision);
	dns = ldn_plan_decision(plan) == LDN_DECISION_DO_NOT_START;
	out = render(plan, LDN_AUDIENCE_CLINICIAN, &out_len);
	if (out == NULL) {
		ok(0, "%s: rendered", name);
		goto done;
	}
	root = json_loadb(out, out_len, JSON_REJECT_DUPLICATES, &jerr);
	ok(root != NULL, "%s: the bundle is valid JSON%s%s", name,
	    root ? "" : ": ", root ? "" : jerr.text);
	if (root == NULL) {
		free(out);
		goto done;
	}
	ok(str_at(root, "resourceType") &&
	        strcmp(str_at(root, "resourceType"), "Bundle") == 0 &&
	        str_at(root, "type") &&
	        strcmp(str_at(root, "type"), "collection") == 0,
	    "%s: a Bundle of type collection", name);

	entries = json_object_get(root, "entry");
	json_array_foreach(entries, i, e)
	{
		json_t *r = json_object_get(e, "resource");
		const char *t = str_at(r, "resourceType");
		const char *url = str_at(e, "fullUrl");

		if (url == NULL || !is_uuid_urn(url) || has_url(&urls, url) ||
		    urls.n == MAX_URLS)
			bad_urls++;
		else
			urls.url[urls.n++] = url;
		if (t && strcmp(t, "CarePlan") == 0) {
			cp = r;
			n_cp++;
		} else if (t && strcmp(t, "MedicationRequest") == 0 &&
		    n_mr < MAX_URLS) {
			mr[n_mr++] = r;
			no_subject += str_at(r, "subject.display") == NULL;
		} else if (t && strcmp(t, "DetectedIssue") == 0 &&
		    n_di < MAX_URLS) {
			di[n_di++] = r;
		} else {
			n_other++;
		}
	}
	ok(bad_urls == 0 && urls.n == json_array_size(entries),
	    "%s: every fullUrl is a distinct version-4-shaped urn:uuid", name);
	ok(n_cp == 1 && n_other == 0,
	    "%s: exactly one CarePlan, and nothing but the three kinds", name);
	for (i = 0; i < ldn_plan_n_steps(plan); i++) {
		struct ldn_step s;

		ldn_plan_step(plan, i, &s);
		n_steps++;
		n_holds += strcmp(s.kind, "hold") == 0;
	}
	ok(n_mr == n_steps - n_holds,
	    "%s: %zu MedicationRequests for %zu steps less %zu holds", name,
	    n_mr, n_steps, n_holds);
	check_requests(name, plan, mr, n_mr);
	ok(n_di == n_issue_findings(plan),
	    "%s: %zu DetectedIssues for the block and caution findings", name,
	    n_di);
	check_issues(name, plan, di, n_di);

	json_t *act = json_object_get(cp, "activity");
	size_t act_bad = 0;

	json_array_foreach(act, i, e)
	{
		const char *ref = str_at(e, "reference.reference");

		act_bad += ref == NULL || !has_url(&urls, ref) || i >= n_mr ||
		    !json_is_object(mr[i]);
	}
	ok(json_array_size(act) == n_mr && act_bad == 0,
	    "%s: each CarePlan activity references one request in the bundle",
	    name);
	ok(unresolved(root, &urls, &n_refs) == 0 && n_refs > 0,
	    "%s: all %zu references resolve to fullUrls in the bundle", name,
	    n_refs);
	ok(str_at(cp, "subject.display") != NULL && no_subject == 0,
	    "%s: the CarePlan and every request name their subject (1..1)",
	    name);
	if (dns) {
		ok(n_mr == 0 && str_at(cp, "status") &&
		        strcmp(str_at(cp, "status"), "draft") == 0 &&
		        json_object_get(cp, "period") == NULL &&
		        json_object_get(cp, "activity") == NULL,
		    "%s: do-not-start is a draft CarePlan with no requests",
		    name);
	} else {
		ok(str_at(cp, "status") &&
		        strcmp(str_at(cp, "status"), "active") == 0 &&
		        str_at(cp, "period.start") &&
		        strcmp(str_at(cp, "period.start"),
		            ldn_plan_earliest_start(plan)) == 0,
		    "%s: an active CarePlan from the earliest start", name);
	}
	ok(str_at(cp, "intent") && strcmp(str_at(cp, "intent"), "plan") == 0 &&
	        str_at(cp, "description") && str_at(cp, "title"),
	    "%s: intent plan, with a title and a description", name);

	/* The same plan, and the same input built again, give the same
	 * bytes. */
	out2 = render(plan, LDN_AUDIENCE_CLINICIAN, &out2_len);
	bool same =
	    out2 && out2_len == out_len && memcmp(out, out2, out_len) == 0;
	free(out2);
	out2 = NULL;
	if (ldn_plan_build(kb, input, len, as_of, &again, &err) == LDN_OK)
		out2 = render(again, LDN_AUDIENCE_CLINICIAN, &out2_len);
	same &= out2 && out2_len == out_len && memcmp(out, out2, out_len) == 0;
	ok(same, "%s: the same input gives the same bytes", name);
	free(out2);
	ldn_plan_free(again);

	/* The patient's words fill the same structure. */
	out2 = render(plan, LDN_AUDIENCE_PATIENT, &out2_len);
	json_t *proot = out2 ? json_loadb(out2, out2_len, 0, &jerr) : NULL;
	json_t *pent = json_object_get(proot, "entry");

	ok(proot && json_array_size(pent) == json_array_size(entries) &&
	        strcmp(str_at(pent, "0.resource.title"),
	            str_at(entries, "0.resource.title")) != 0 &&
	        strcmp(str_at(pent, "0.fullUrl"),
	            str_at(entries, "0.fullUrl")) == 0,
	    "%s: the patient's bundle has the same entries in other words",
	    name);
	json_decref(proot);
	free(out2);

	json_decref(root);
	free(out);
done:
	ldn_plan_free(plan);
	free(input);
}

/* Entries are named by plan: another patient or day renames them. */
static void
check_names_differ(const struct ldn_kb *kb, const char *a, const char *b)
{
	size_t la, lb, na, nb;
	char *ia = tap_slurp(a, &la), *ib = tap_slurp(b, &lb);
	struct ldn_plan *pa = NULL, *pb = NULL, *pc = NULL;
	struct ldn_error err;
	char *oa = NULL, *ob = NULL, *oc = NULL;
	json_t *ja = NULL, *jb = NULL, *jc = NULL;

	if (ia && ib &&
	    ldn_plan_build(kb, ia, la, "2026-11-25", &pa, &err) == LDN_OK &&
	    ldn_plan_build(kb, ib, lb, "2026-11-25", &pb, &err) == LDN_OK &&
	    ldn_plan_build(kb, ia, la, "2026-11-26", &pc, &err) == LDN_OK) {
		oa = render(pa, LDN_AUDIENCE_CLINICIAN, &na);
		ob = render(pb, LDN_AUDIENCE_CLINICIAN, &nb);
		oc = render(pc, LDN_AUDIENCE_CLINICIAN, &nb);
		ja = oa ? json_loads(oa, 0, NULL) : NULL;
		jb = ob ? json_loads(ob, 0, NULL) : NULL;
		jc = oc ? json_loads(oc, 0, NULL) : NULL;
	}
	const char *ua = str_at(ja, "entry.0.fullUrl"),
	           *ub = str_at(jb, "entry.0.fullUrl"),
	           *uc = str_at(jc, "entry.0.fullUrl");
	ok(ua && ub && uc && strcmp(ua, ub) != 0 && strcmp(ua, uc) != 0,
	    "another patient, or another as_of, gives other fullUrls");
	json_decref(ja);
	json_decref(jb);
	json_decref(jc);
	free(oa);
	free(ob);
	free(oc);
	ldn_plan_free(pa);
	ldn_plan_free(pb);
	ldn_plan_free(pc);
	free(ia);
	free(ib);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name, *path, *decision;
	} cases[] = {
		/* wait for a washout, then a perioperative hold */
		{ "fibromyalgia", "examples/fibromyalgia.json", "wait" },
		{ "washout-short-6d", "tests/golden/washout-short-6d", "wait" },
		{ "opioid-active", "tests/golden/opioid-active",
		    "do-not-start" },
		{ "periop-hold-one-interval-kept",
		    "tests/golden/periop-hold-one-interval-kept", "start" },
		{ "periop-after-ceiling", "tests/golden/periop-after-ceiling",
		    "start" },
		{ "periop-overlapping-merged",
		    "tests/golden/periop-overlapping-merged", "start" },
		{ "periop-washout-then-hold",
		    "tests/golden/periop-washout-then-hold", "wait" },
		{ "sensitive", "tests/golden/sensitive", "start" },
		/* no patient id */
		{ "age-8-child-plan", "tests/golden/age-8-child-plan",
		    "start" },
	};
	const char *src = argc > 1 ? argv[1] : ".";
	char path[1024], path2[1024];
	struct ldn_kb *kb;
	struct ldn_error err;

	if (ldn_kb_load(LDN_KB_DIR, &kb, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char as_of[16] = "2026-11-25";
		const char *p = cases[i].path;

		if (strstr(p, "tests/golden/") == p) {
			char *aof;

			snprintf(path, sizeof(path), "%s/%s/AS_OF", src, p);
			if ((aof = tap_slurp(path, NULL)) != NULL) {
				snprintf(as_of, sizeof(as_of), "%.10s", aof);
				free(aof);
			}
			snprintf(path, sizeof(path), "%s/%s/patient.json", src,
			    p);
		} else {
			snprintf(path, sizeof(path), "%s/%s", src, p);
		}
		check_case(kb, cases[i].name, path, as_of, cases[i].decision);
	}
	snprintf(path, sizeof(path), "%s/examples/fibromyalgia.json", src);
	snprintf(path2, sizeof(path2), "%s/tests/golden/sensitive/patient.json",
	    src);
	check_names_differ(kb, path, path2);
	ldn_kb_free(kb);
	return tap_done();
}
