/*
 * Next-step advice: golden visit sequences (the JSON files of tests/visits,
 * both sides of every threshold) and properties that hold for any course,
 * checked over many generated ones against this file's own reading of the
 * protocol's numbers:
 *
 *   - never a dose above the plan's ceiling, nor a negative one;
 *   - an escalation is one step (or up to the ceiling) and never sooner
 *     than the interval after the first visit at the current dose (14
 *     days once any effect was intolerable);
 *   - never an escalation, a step back or a restart to or past a dose
 *     that was intolerable (severe or serious effects, or moderate ones
 *     not settled 5 days on);
 *   - a step back is a smaller dose; a stop is no dose; a move to the
 *     morning keeps the dose;
 *   - a do-not-start plan never gets a dose; after a serious effect,
 *     whenever it was, the advice is to stop; before the plan's earliest
 *     start, doses already taken are stopped.
 *
 *   next VISITS_DIR [N_GENERATED]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/kb.h"
#include "ldn/next.h"

#include "../lib/base/date.h"
#include "tap.h"

static const struct ldn_kb *kb;

static int32_t
mg_to_ug(json_t *v)
{
	return (int32_t)(json_number_value(v) * 1000 + 0.5);
}

/* The micrograms a list of {strength_mg, count} capsules holds. */
static long long
capsules_ug(json_t *caps)
{
	long long ug = 0;
	size_t k;
	json_t *c;

	json_array_foreach(caps, k, c)
	{
		ug += (long long)mg_to_ug(json_object_get(c, "strength_mg")) *
		    json_integer_value(json_object_get(c, "count"));
	}
	return ug;
}

/* The string at index i of array a, or "". */
static const char *
str_of_arr(json_t *a, size_t i)
{
	const char *s = json_string_value(json_array_get(a, i));

	return s ? s : "";
}

/* Fill a course from a case's "plan" (with its "holds": [[from, until or
 * null]], and "opioid_kept") and "visits" ([date, dose_mg, pain, sleep or
 * null, side_effects, timing or null?, adherence_pct?]). */
static bool
course_from(json_t *cs, struct ldn_course *c)
{
	static struct ldn_hold holds[4]; /* the case's, until the next */
	json_t *plan = json_object_get(cs, "plan");
	json_t *hs = json_object_get(plan, "holds");
	json_t *visits = json_object_get(cs, "visits");
	const char *dec = json_string_value(json_object_get(plan, "decision"));
	const char *es =
	    json_string_value(json_object_get(plan, "earliest_start"));

	memset(c, 0, sizeof(*c));
	snprintf(c->patient_id, sizeof(c->patient_id), "case");
	snprintf(c->decision, sizeof(c->decision), "%s", dec ? dec : "start");
	snprintf(c->earliest_start, sizeof(c->earliest_start), "%s",
	    es ? es : "");
	/* the plan's as-of day: its "as_of", else its earliest start */
	const char *made = json_string_value(json_object_get(plan, "as_of"));

	snprintf(c->as_of, sizeof(c->as_of), "%s", made ? made : es ? es : "");
	c->start_ug = mg_to_ug(json_object_get(plan, "start_mg"));
	c->step_ug = mg_to_ug(json_object_get(plan, "step_mg"));
	c->interval_d =
	    (int)json_integer_value(json_object_get(plan, "interval_d"));
	c->ceiling_ug = mg_to_ug(json_object_get(plan, "ceiling_mg"));
	c->opioid_kept = json_is_true(json_object_get(plan, "opioid_kept"));
	if (json_array_size(hs) > 4)
		return false;
	for (size_t i = 0; i < json_array_size(hs); i++) {
		json_t *h = json_array_get(hs, i);
		const char *until = json_string_value(json_array_get(h, 1));

		snprintf(holds[i].from, sizeof(holds[i].from), "%s",
		    str_of_arr(h, 0));
		snprintf(holds[i].until, sizeof(holds[i].until), "%s",
		    until ? until : "");
		c->holds = holds;
		c->n_holds = i + 1;
	}
	snprintf(c->timing, sizeof(c->timing), "%s",
	    json_string_value(json_object_get(plan, "timing"))
	        ? json_string_value(json_object_get(plan, "timing"))
	        : "bedtime");
	c->n_visits = json_array_size(visits);
	c->visits = calloc(c->n_visits + 1, sizeof(*c->visits));
	for (size_t i = 0; i < c->n_visits; i++) {
		json_t *v = json_array_get(visits, i);
		struct ldn_visit *o = &c->visits[i];
		json_t *sleep = json_array_get(v, 3);

		if (json_array_size(v) < 5)
			return false;
		snprintf(o->date, sizeof(o->date), "%s",
		    json_string_value(json_array_get(v, 0)));
		o->dose_ug = mg_to_ug(json_array_get(v, 1));
		o->pain = (int)json_integer_value(json_array_get(v, 2));
		o->sleep = json_is_integer(sleep)
		    ? (int)json_integer_value(sleep)
		    : -1;
		o->mood = o->energy = o->clarity = -1;
		o->adherence = json_is_integer(json_array_get(v, 6))
		    ? (int)json_integer_value(json_array_get(v, 6))
		    : -1;
		o->side_effects = json_string_value(json_array_get(v, 4));
		o->timing = json_string_value(json_array_get(v, 5));
	}
	return true;
}

/* The JSON member key of o as a string, or "". */
static const char *
str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A pharmacist's JSON advice: labelled "pharmacist", in words that are
 * not the clinician's nor the patient's, and with each form the advised
 * dose made exactly (or said not to be), its supply that dose times the
 * days. */
static void
pharmacist_json(const struct ldn_next *n, const char *base, const char *name)
{
	static const char *const forms[] = { "liquid", "capsule",
		"sublingual" };
	char *out[3] = { NULL, NULL, NULL };
	json_t *o[3] = { NULL, NULL, NULL };
	struct ldn_error err = { 0 };
	size_t len;
	int32_t dose = ldn_next_dose_ug(n);

	for (int a = 0; a < 3; a++) {
		if (ldn_next_render(n, LDN_FORMAT_JSON,
		        (enum ldn_audience[]){ LDN_AUDIENCE_CLINICIAN,
		            LDN_AUDIENCE_PATIENT, LDN_AUDIENCE_PHARMACIST }[a],
		        &out[a], &len, &err) == LDN_OK)
			o[a] = json_loads(out[a], 0, NULL);
		free(out[a]);
	}
	ok(o[0] && o[1] && o[2] &&
	        strcmp(str_of(o[0], "audience"), "clinician") == 0 &&
	        strcmp(str_of(o[1], "audience"), "patient") == 0 &&
	        strcmp(str_of(o[2], "audience"), "pharmacist") == 0,
	    "%s: %s: each audience's JSON names its reader", base, name);
	ok(o[2] && *str_of(o[2], "text") &&
	        strcmp(str_of(o[2], "text"), str_of(o[0], "text")) != 0 &&
	        strcmp(str_of(o[2], "text"), str_of(o[1], "text")) != 0 &&
	        json_is_null(json_object_get(o[2], "dispensing")),
	    "%s: %s: the pharmacist's words are their own (no form asked: "
	    "no dispensing)",
	    base, name);
	for (int a = 0; a < 3; a++)
		json_decref(o[a]);
	for (size_t f = 0; f < sizeof(forms) / sizeof(*forms); f++) {
		char *s = NULL;
		json_t *j = NULL, *d;
		bool good;

		if (ldn_next_render_with(n, LDN_FORMAT_JSON,
		        LDN_AUDIENCE_PHARMACIST, forms[f], 28, &s, &len,
		        &err) == LDN_OK)
			j = json_loads(s, 0, NULL);
		free(s);
		d = json_object_get(j, "dispensing");
		/* 28 days, or the days before a hold to come (fewer) */
		json_t *sup = json_object_get(d, "supply");
		long long days = json_is_object(sup)
		    ? json_integer_value(json_object_get(sup, "days"))
		    : 28;
		bool cut = json_is_true(json_object_get(sup, "before_hold"));

		good = d != NULL &&
		    json_is_true(json_object_get(d, "available")) ==
		        (dose > 0) &&
		    (cut ? days >= 1 && days < 28 &&
		                (!json_is_null(
		                     json_object_get(j, "hold_note")) ||
		                    strcmp(str_of(j, "rule"),
		                        "next.periop_before") == 0)
		         : days == 28);
		if (good && dose > 0 && strcmp(forms[f], "capsule") != 0) {
			/* at 1 mg/mL a microgram is a microlitre */
			good = json_integer_value(
			           json_object_get(d, "volume_ul")) == dose &&
			    (long long)(json_number_value(
			                    json_object_get(json_object_get(d,
			                                        "supply"),
			                        "volume_ml")) *
			            1000 +
			        0.5) == (long long)dose * days;
		} else if (good && dose > 0) {
			json_t *caps = json_object_get(d, "capsules");
			long long made = capsules_ug(caps),
			          supplied = capsules_ug(
			              json_object_get(json_object_get(d,
			                                  "supply"),
			                  "capsules"));

			good = json_is_true(json_object_get(d, "exact"))
			    ? made == dose && supplied == (long long)dose * days
			    : caps == NULL &&
			        json_object_get(d, "inexact") != NULL &&
			        json_is_null(json_object_get(d, "supply"));
		}
		ok(good,
		    "%s: %s: the pharmacist's %s makes %d ug a dose exactly "
		    "or says it cannot, and supplies 28 days of it (or the "
		    "days before a hold)",
		    base, name, forms[f], (int)dose);
		json_decref(j);
	}
}

static void
golden_file(const char *path)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (!ok(json_is_array(root), "%s: a JSON array of cases (%s)", base,
	        je.text))
		return;
	for (size_t i = 0; i < json_array_size(root); i++) {
		json_t *cs = json_array_get(root, i);
		json_t *ex = json_object_get(cs, "expect");
		const char *name =
		    json_string_value(json_object_get(cs, "name"));
		struct ldn_course c;
		struct ldn_next *n = NULL;
		struct ldn_error err = { 0 };
		enum ldn_status rc;
		char *text = NULL;
		size_t len;

		if (!ok(course_from(cs, &c) && name && ex, "%s #%zu is a case",
		        base, i)) {
			free(c.visits);
			continue;
		}
		rc = ldn_next_advise(kb, &c,
		    json_string_value(json_object_get(cs, "as_of")), &n, &err);
		if (json_object_get(ex, "error")) {
			const char *where =
			    json_string_value(json_object_get(ex, "error"));

			ok(rc == LDN_E_SCHEMA && strcmp(err.where, where) == 0,
			    "%s: %s: refused at %s (got %d at %s: %s)", base,
			    name, where, rc, err.where, err.msg);
			free(c.visits);
			continue;
		}
		if (!ok(rc == LDN_OK, "%s: %s: advised (%s: %s)", base, name,
		        err.where, err.msg)) {
			free(c.visits);
			continue;
		}
		const char *action =
		    json_string_value(json_object_get(ex, "action"));
		const char *rule =
		    json_string_value(json_object_get(ex, "rule"));
		const char *date =
		    json_string_value(json_object_get(ex, "date"));
		int32_t dose = mg_to_ug(json_object_get(ex, "dose_mg"));
		bool same =
		    strcmp(action, ldn_next_action_name(ldn_next_action(n))) ==
		        0 &&
		    strcmp(rule, ldn_next_rule(n)) == 0 &&
		    dose == ldn_next_dose_ug(n) &&
		    (date == NULL || strcmp(date, ldn_next_date(n)) == 0);
		ok(same,
		    "%s: %s: %s %s %d ug from %s (got %s %s %d ug from %s)",
		    base, name, action, rule, (int)dose, date ? date : "-",
		    ldn_next_action_name(ldn_next_action(n)), ldn_next_rule(n),
		    (int)ldn_next_dose_ug(n), ldn_next_date(n));
		/* the words say what they must ("says": in every
		 * audience's text alike), and never what they must not */
		const char *says =
		    json_string_value(json_object_get(ex, "says"));
		const char *never =
		    json_string_value(json_object_get(ex, "never_says"));
		/* all three audiences render, with every variable filled
		 * in */
		static const enum ldn_audience auds[] = {
			LDN_AUDIENCE_CLINICIAN, LDN_AUDIENCE_PATIENT,
			LDN_AUDIENCE_PHARMACIST
		};
		static const char *const aud_names[] = { "clinician", "patient",
			"pharmacist" };
		for (int a = 0; a < 3; a++) {
			rc = ldn_next_render(n, LDN_FORMAT_TEXT, auds[a], &text,
			    &len, &err);
			/* a pharmacist's advice is in words of its own, and
			 * never calls its reader a clinician */
			if (a == 2)
				ok(rc == LDN_OK &&
				        strstr(text, "clinician") == NULL &&
				        strstr(text, "Clinician") == NULL,
				    "%s: %s: the pharmacist's text says "
				    "nothing of a clinician",
				    base, name);
			/* the reference list may hold a '?' of its own */
			char *refs =
			    rc == LDN_OK ? strstr(text, "\n\nRef") : NULL;
			if (refs == NULL && rc == LDN_OK)
				refs = strstr(text, "\nSources\n");
			if (refs)
				*refs = '\0';
			ok(rc == LDN_OK && strchr(text, '?') == NULL,
			    "%s: %s: %s text has no unfilled variable", base,
			    name, aud_names[a]);
			/* phrases are looked for across the text's wrapping */
			for (char *p = rc == LDN_OK ? text : NULL; p && *p; p++)
				if (*p == '\n')
					*p = ' ';
			if (says)
				ok(rc == LDN_OK && strstr(text, says) != NULL,
				    "%s: %s: the %s text says \"%s\"", base,
				    name, aud_names[a], says);
			if (never)
				ok(rc == LDN_OK && strstr(text, never) == NULL,
				    "%s: %s: the %s text never says \"%s\"",
				    base, name, aud_names[a], never);
			free(text);
		}
		pharmacist_json(n, base, name);
		ldn_next_free(n);
		free(c.visits);
	}
	json_decref(root);
}

/* ---------------------------------------------------------- properties */

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const fx[] = { "none", "mild", "moderate", "severe",
	"serious" };

/* A course a titration could produce, and some it should not: doses move
 * up and down in plan steps, visits 1 to 21 days apart; now and then one
 * or two holds around procedures (h), 3 to 16 days long or with no
 * restart day, which the visits may or may not respect. */
static void
generate(struct ldn_course *c, struct ldn_visit *v, size_t max,
    struct ldn_hold h[2])
{
	/* The presets' numbers (kb/presets.yaml): ceilings up to final6's
	 * 6 mg, steps of 0.5 (seed, slow, thyroid, child), 1 (ldnrt) and
	 * 1.5 mg (final6), intervals of 7 and 14 days; a child's ceiling by
	 * weight below them. */
	static const int32_t ceilings[] = { 4500, 4500, 4500, 2300, 1800,
		6000 };
	static const int32_t steps[] = { 500, 500, 1000, 1500 };
	int32_t day = date_from_ymd(2026, 1, 1) + (int32_t)rnd(200), dose;

	memset(c, 0, sizeof(*c));
	snprintf(c->patient_id, sizeof(c->patient_id), "gen");
	snprintf(c->decision, sizeof(c->decision), "%s",
	    rnd(20) == 0 ? "do-not-start"
	        : rnd(2) ? "start"
	                 : "wait");
	date_format(day, c->earliest_start);
	c->ceiling_ug = ceilings[rnd(6)];
	c->start_ug = rnd(4) ? 1500 : 500;
	if (c->start_ug > c->ceiling_ug)
		c->start_ug = c->ceiling_ug;
	c->step_ug = steps[rnd(4)];
	c->interval_d = rnd(3) ? 7 : 14;
	c->n_visits = rnd((uint32_t)max + 1);
	/* now and then the doses begin before the plan allows */
	if (rnd(10) == 0)
		date_format(day + 1 + (int32_t)rnd(40), c->earliest_start);
	if (rnd(4) == 0) {
		int32_t from = day + (int32_t)rnd(120);

		c->holds = h;
		c->n_holds = rnd(3) == 0 ? 2 : 1;
		for (size_t i = 0; i < c->n_holds; i++) {
			int32_t until = from + 3 + (int32_t)rnd(14);

			date_format(from, h[i].from);
			if (i + 1 == c->n_holds && rnd(10) == 0)
				h[i].until[0] = '\0';
			else
				date_format(until, h[i].until);
			from = until + (int32_t)rnd(60);
		}
	}
	dose = rnd(8) ? c->start_ug : 0;
	for (size_t i = 0; i < c->n_visits; i++) {
		date_format(day, v[i].date);
		v[i].dose_ug = dose;
		v[i].pain = (int)rnd(11);
		v[i].sleep = rnd(4) ? (int)rnd(11) : -1;
		v[i].mood = v[i].energy = v[i].clarity = -1;
		v[i].adherence = rnd(6) == 0 ? (int)rnd(101) : -1;
		uint32_t f = rnd(40);
		v[i].side_effects = fx[f < 24 ? 0
		        : f < 32              ? 1
		        : f < 36              ? 2
		        : f < 39              ? 3
		                              : 4];
		v[i].timing = rnd(3) == 0 ? "morning" : NULL;
		v[i].notes = NULL;
		day += 1 + (int32_t)rnd(21);
		switch (rnd(6)) {
		case 0:
		case 1:
			dose += c->step_ug;
			break;
		case 2:
			dose /= 2;
			break;
		case 3:
			dose = rnd(10) ? dose : 0;
			break;
		}
		if (dose > c->ceiling_ug)
			dose = c->ceiling_ug;
	}
	c->visits = v;
}

static int32_t
day_of(const char *s)
{
	int32_t d = 0;

	date_parse(s, strlen(s), &d);
	return d;
}

/* The property failed by this course and advice, or NULL.  This file's
 * own reading of the protocol: intolerable = severe or serious, or
 * moderate 5 days on at one dose (effects at a visit off LDN are the last
 * dose's); the slow interval is 14 days. */
static const char *
violated(const struct ldn_course *c, const struct ldn_next *n, int32_t today)
{
	enum ldn_next_action a = ldn_next_action(n);
	int32_t dose = ldn_next_dose_ug(n), d = 0, bar = INT32_MAX, last = 0;
	size_t nv = c->n_visits, r, from = 0;
	bool serious_ever = false, dosed = false;

	if (dose < 0 || dose > c->ceiling_ug)
		return "dose outside 0 to the ceiling";
	if (strcmp(c->decision, "do-not-start") == 0)
		return (a == LDN_NEXT_NONE || a == LDN_NEXT_STOP) && dose == 0
		    ? NULL
		    : "a dose for a do-not-start plan";
	if (a == LDN_NEXT_NONE)
		return "no advice for a plan that may start";
	for (size_t i = 0; i < nv; i++) {
		const char *e = c->visits[i].side_effects;

		if (i == 0 ||
		    c->visits[i].dose_ug != c->visits[i - 1].dose_ug ||
		    strcmp(c->visits[i - 1].side_effects, "moderate") != 0)
			from = i;
		bool unsettled = strcmp(e, "moderate") == 0 &&
		    day_of(c->visits[i].date) - day_of(c->visits[from].date) >=
		        5;

		serious_ever |= strcmp(e, "serious") == 0;
		dosed |= c->visits[i].dose_ug > 0 || strcmp(e, "serious") == 0;
		int32_t at =
		    c->visits[i].dose_ug > 0 ? c->visits[i].dose_ug : last;

		if ((strcmp(e, "severe") == 0 || strcmp(e, "serious") == 0 ||
		        unsettled) &&
		    at > 0 && at < bar)
			bar = at;
		if (c->visits[i].dose_ug > 0)
			last = c->visits[i].dose_ug;
	}
	/* the plan's holds: no dose dated inside one, nothing but stop (or
	 * a start after it) while one lasts, and after one, with no visit
	 * since its restart day, a restart at no more than the start dose */
	for (size_t h = 0; h < c->n_holds; h++) {
		int32_t hf = day_of(c->holds[h].from);
		int32_t hu = c->holds[h].until[0] ? day_of(c->holds[h].until)
		                                  : INT32_MAX;
		int32_t on = day_of(ldn_next_date(n));
		int32_t seen = nv ? day_of(c->visits[nv - 1].date) : INT32_MIN;

		if ((a == LDN_NEXT_ESCALATE || a == LDN_NEXT_START ||
		        a == LDN_NEXT_REINTRODUCE) &&
		    on >= hf && on < hu)
			return "a dose dated inside a hold";
		if ((a == LDN_NEXT_ESCALATE || a == LDN_NEXT_START ||
		        a == LDN_NEXT_REINTRODUCE) &&
		    hf > today && on < hf && on + c->interval_d > hf)
			return "a dose within an interval before a hold to "
			       "come";
		if (a == LDN_NEXT_ESCALATE && hf > today && on >= hf)
			return "a step up dated on or after a hold to come";
		/* a step up after a hold counts its interval from the
		 * restart day at the earliest */
		if (a == LDN_NEXT_ESCALATE && hu <= today &&
		    on < hu + c->interval_d)
			return "a step up sooner than the interval after a "
			       "hold";
		if (today >= hf && today < hu && a != LDN_NEXT_STOP &&
		    a != LDN_NEXT_START)
			return "advice other than stop inside a hold";
		if (hu != INT32_MAX && today >= hu && seen < hu && dosed &&
		    !serious_ever && a != LDN_NEXT_STOP &&
		    !(a == LDN_NEXT_REINTRODUCE && dose <= c->start_ug))
			return "no restart at the start dose after a hold";
	}
	if (dosed && today < day_of(c->earliest_start))
		return a == LDN_NEXT_STOP && dose == 0
		    ? NULL
		    : "a dose before the plan's earliest start";
	if (serious_ever)
		return a == LDN_NEXT_STOP && dose == 0
		    ? NULL
		    : "anything but stop after a serious effect";
	if (a == LDN_NEXT_STOP)
		return dose == 0 ? NULL : "a stop with a dose";
	if (a == LDN_NEXT_START)
		return dose == c->start_ug ? NULL
		                           : "a start not at the start dose";
	if (a == LDN_NEXT_REINTRODUCE)
		return dose > 0 && dose < bar &&
		        (dose == c->start_ug || c->start_ug >= bar)
		    ? NULL
		    : "a restart at or above an intolerable dose";
	if (day_of(ldn_next_date(n)) < day_of(c->earliest_start))
		return "advice dated before the plan's earliest start";
	d = c->visits[nv - 1].dose_ug;
	for (r = nv - 1; r > 0 && c->visits[r - 1].dose_ug == d; r--)
		;
	switch (a) {
	case LDN_NEXT_ESCALATE: {
		int interval = c->interval_d;

		if (bar != INT32_MAX && interval < 14)
			interval = 14;
		if (dose <= d || dose > d + c->step_ug)
			return "an escalation that is not one step up";
		if (c->visits[nv - 1].adherence >= 0 &&
		    c->visits[nv - 1].adherence < 80)
			return "an escalation when under 80% of doses were "
			       "taken";
		if (dose >= bar)
			return "an escalation into an intolerable dose";
		if (day_of(ldn_next_date(n)) <
		    day_of(c->visits[r].date) + interval)
			return "an escalation sooner than the interval";
		if (day_of(ldn_next_date(n)) < today)
			return "an escalation dated in the past";
		return NULL;
	}
	case LDN_NEXT_STEP_BACK:
		return dose < d && dose < bar && dose > 0
		    ? NULL
		    : "a step back not below the dose and any intolerable one";
	case LDN_NEXT_MORNING:
	case LDN_NEXT_HOLD:
		return dose == d ? NULL
		                 : "a hold or move that changes the dose";
	default:
		return "an unexpected action";
	}
}

static void
properties(long count)
{
	struct ldn_visit v[24];
	struct ldn_hold hold[2];
	long failures = 0, by_action[8] = { 0 };

	for (long i = 0; i < count; i++) {
		struct ldn_course c;
		struct ldn_next *n = NULL;
		struct ldn_error err = { 0 };
		const char *why;
		char as_of[11];
		int32_t today;

		generate(&c, v, 24, hold);
		today = c.n_visits
		    ? day_of(v[c.n_visits - 1].date) + (int32_t)rnd(30)
		    : day_of(c.earliest_start) + (int32_t)rnd(30);
		date_format(today, as_of);
		if (ldn_next_advise(kb, &c, as_of, &n, &err) != LDN_OK) {
			if (failures++ < 5)
				tap_diag("course %ld refused: %s: %s", i,
				    err.where, err.msg);
			continue;
		}
		by_action[ldn_next_action(n)]++;
		if ((why = violated(&c, n, today)) != NULL && failures++ < 5)
			tap_diag("course %ld (%zu visits, as of %s): %s; got "
			         "%s %s %d ug",
			    i, c.n_visits, as_of, why,
			    ldn_next_action_name(ldn_next_action(n)),
			    ldn_next_rule(n), (int)ldn_next_dose_ug(n));
		ldn_next_free(n);
	}
	ok(failures == 0,
	    "%ld generated courses: every property holds (%ld "
	    "failures)",
	    count, failures);
	for (int a = 0; a < 8; a++) {
		tap_diag("%-12s %ld", ldn_next_action_name(a), by_action[a]);
		ok(by_action[a] > 0, "generated courses reach \"%s\"",
		    ldn_next_action_name(a));
	}
}

/*
 * A plan that keeps an opioid under opioid_co_use=relative: every
 * audience's advice, in text and JSON, carries the note that 0.5 mg is the
 * policy's cap and the opioid is expected; without it, none does.
 */
static void
co_use_note(void)
{
	static const enum ldn_audience auds[] = { LDN_AUDIENCE_CLINICIAN,
		LDN_AUDIENCE_PATIENT, LDN_AUDIENCE_PHARMACIST };
	struct ldn_visit v = { .date = "2026-11-25",
		.dose_ug = 500,
		.pain = 6,
		.sleep = -1,
		.mood = -1,
		.energy = -1,
		.clarity = -1,
		.side_effects = "none",
		.adherence = -1,
		.notes = NULL,
		.timing = NULL };
	struct ldn_course c = { .patient_id = "cu",
		.as_of = "2026-11-25",
		.decision = "start",
		.earliest_start = "2026-11-25",
		.start_ug = 500,
		.step_ug = 500,
		.interval_d = 7,
		.ceiling_ug = 500,
		.timing = "bedtime",
		.opioid_kept = false,
		.n_visits = 1,
		.visits = &v };

	for (int kept = 0; kept < 2; kept++) {
		struct ldn_next *n = NULL;
		struct ldn_error err = { 0 };
		bool good;

		c.opioid_kept = kept;
		good =
		    ldn_next_advise(kb, &c, "2026-12-09", &n, &err) == LDN_OK;
		for (size_t a = 0; good && a < 3; a++) {
			char *t = NULL, *j = NULL;
			size_t tl, jl;
			json_t *o;

			good = ldn_next_render(n, LDN_FORMAT_TEXT, auds[a], &t,
			           &tl, &err) == LDN_OK &&
			    ldn_next_render(n, LDN_FORMAT_JSON, auds[a], &j,
			        &jl, &err) == LDN_OK;
			o = good ? json_loadb(j, jl, 0, NULL) : NULL;
			const char *note = json_string_value(
			    json_object_get(o, "co_use_note"));

			good = o != NULL &&
			    json_is_true(json_object_get(o, "opioid_kept")) ==
			        (bool)kept &&
			    (note != NULL) == (bool)kept;
			if (good && kept) {
				/* the text holds the same words, wrapped */
				for (char *p = t; *p; p++)
					if (*p == '\n')
						*p = ' ';
				good = strstr(note, "0.5 mg") != NULL &&
				    strstr(t, note) != NULL;
			}
			json_decref(o);
			free(t);
			free(j);
		}
		ok(good,
		    "next %s the opioid_co_use note, for all three "
		    "audiences, in text and JSON",
		    kept ? "carries" : "leaves out");
		ldn_next_free(n);
	}
}

int
main(int argc, char **argv)
{
	struct ldn_error err = { 0 };
	struct ldn_kb *k;
	size_t n_files;
	char **files, path[1024];

	if (argc < 2) {
		fprintf(stderr, "usage: next VISITS_DIR [N_GENERATED]\n");
		return 2;
	}
	if (ldn_kb_load(getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR, &k,
	        &err) != LDN_OK) {
		printf("Bail out! kb: %s: %s\n", err.where, err.msg);
		return 1;
	}
	kb = k;
	files = tap_list_dir(argv[1], &n_files);
	ok(files != NULL && n_files > 0, "golden visit sequences in %s",
	    argv[1]);
	for (size_t i = 0; files && i < n_files; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], files[i]);
		golden_file(path);
		free(files[i]);
	}
	free(files);
	properties(argc > 2 ? atol(argv[2]) : 100000);
	co_use_note();
	ldn_kb_free(k);
	return tap_done();
}
