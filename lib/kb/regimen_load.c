/*
 * Loading kb/regimens.yaml and holding it to what lib/regimen.c needs:
 * known findings with only the variables the LDN screen supplies for
 * them, every blocking finding of the LDN screen listed in every regimen,
 * doses never above the regimen's own maximum, and citations that resolve.
 */
#include "regimen_kb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/tree.h"
#include "fields.h"
#include "words.h"

const char *const rg_action_names[RA_COUNT] = {
	[RA_DO_NOT_START] = "do-not-start",
	[RA_WAIT] = "wait",
	[RA_CAUTION] = "caution",
	[RA_ASK] = "ask",
	[RA_NOT_APPLICABLE] = "not-applicable",
};

const char *const rg_step_kind_names[RS_COUNT] = {
	[RS_TEST] = "test",
	[RS_DAILY] = "daily",
	[RS_ESCALATE] = "escalate",
	[RS_MAINTAIN] = "maintain",
};

static const char *const weekday_names[7] = { "sunday", "monday", "tuesday",
	"wednesday", "thursday", "friday", "saturday" };

enum {
	/* A regimen's daily naltrexone above this is refused whatever the
	 * file says: the label's highest single day (150 mg, the Friday of
	 * the supervised schedule). */
	RG_MAX_DAILY_UG = 150000,
	RG_MAX_DAY = 366
};

#define B(v) (UINT64_C(1) << (v))

static bool
int_of(struct kb_fields *L, const struct jnode *o, const char *key,
    bool required, long lo, long hi, int32_t *out)
{
	const struct jnode *v = tree_get(o, key);
	char *end;
	long x;

	if (v == NULL) {
		if (required)
			kf_problem(L, o, "missing field \"%s\"", key);
		return false;
	}
	if (v->type != J_STR) {
		kf_problem(L, v, "\"%s\" must be a whole number", key);
		return false;
	}
	errno = 0;
	x = strtol(v->u.s, &end, 10);
	if (errno != 0 || end == v->u.s || *end != '\0' || x < lo || x > hi) {
		kf_problem(L, v,
		    "\"%s\" must be a whole number from %ld to %ld", key, lo,
		    hi);
		return false;
	}
	*out = (int32_t)x;
	return true;
}

static bool
bool_of(struct kb_fields *L, const struct jnode *o, const char *key)
{
	const char *s = kf_str(L, o, key, false);

	if (s == NULL)
		return false;
	if (strcmp(s, "true") == 0)
		return true;
	if (strcmp(s, "false") != 0)
		kf_problem(L, tree_get(o, key), "\"%s\" must be true or false",
		    key);
	return false;
}

/* Clinician and patient words: at o's keys c and p (both required when
 * required; returns whether both were there). */
static bool
words_of(struct kb_fields *L, const struct jnode *o, const char *c,
    const char *p, struct tmpl *out, uint64_t allowed, bool required)
{
	const char *s[AUD_COUNT] = { kf_str(L, o, c, required),
		kf_str(L, o, p, required) };

	if (s[0] == NULL && s[1] == NULL)
		return false;
	if (s[0] == NULL || s[1] == NULL) {
		kf_problem(L, o, "\"%s\" and \"%s\" go together", c, p);
		return false;
	}
	for (int a = 0; a < AUD_COUNT; a++)
		out[a] = kf_tmpl(L, tree_get(o, a ? p : c), s[a], allowed);
	return true;
}

/* A {clinician, patient} object at key (required). */
static void
pair_of(struct kb_fields *L, const struct jnode *o, const char *key,
    struct tmpl *out, uint64_t allowed)
{
	const struct jnode *v = tree_get(o, key);

	if (v == NULL || v->type != J_OBJ) {
		kf_problem(L, v ? v : o,
		    "\"%s\" must hold clinician and patient words", key);
		return;
	}
	kf_keys(L, v, (const char *const[]){ "clinician", "patient", NULL });
	words_of(L, v, "clinician", "patient", out, allowed, true);
}

static enum entry_id
finding_of(const char *id)
{
	for (int e = 0; e < E_COUNT; e++)
		if (entry_specs[e].list == L_FINDING &&
		    strcmp(entry_specs[e].id, id) == 0)
			return (enum entry_id)e;
	return E_COUNT;
}

static int
action_of(struct kb_fields *L, const struct jnode *o)
{
	const char *s = kf_str(L, o, "action", true);

	if (s == NULL)
		return -1;
	for (int a = 0; a < RA_COUNT; a++)
		if (strcmp(rg_action_names[a], s) == 0)
			return a;
	kf_problem(L, tree_get(o, "action"),
	    "\"action\" is \"%s\"; allowed: do-not-start, wait, caution, "
	    "ask, not-applicable",
	    s);
	return -1;
}

static void
rules_of(struct kb_fields *L, const struct jnode *list, struct kb_regimen *rg,
    bool tablets)
{
	static const char *const keys[] = { "finding", "action", "clinician",
		"patient", "why", "cap_tablets", NULL };

	if (list == NULL || rg->rules == NULL)
		return;
	if (list->type != J_ARR || list->n > E_COUNT) {
		kf_problem(L, list, "\"screen\" must be a list of findings");
		return;
	}
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		struct rg_rule *r = &rg->rules[rg->n_rules];
		const char *f;
		int act;

		if (o->type != J_OBJ) {
			kf_problem(L, o, "a screen rule must be a mapping");
			continue;
		}
		kf_keys(L, o, keys);
		if ((f = kf_str(L, o, "finding", true)) == NULL)
			continue;
		if ((r->finding = finding_of(f)) == E_COUNT) {
			kf_problem(L, tree_get(o, "finding"),
			    "\"%s\" is not a finding of the LDN screen "
			    "(findings.yaml)",
			    f);
			continue;
		}
		for (size_t k = 0; k < rg->n_rules; k++)
			if (rg->rules[k].finding == r->finding)
				kf_problem(L, o, "\"%s\" is listed twice", f);
		if ((act = action_of(L, o)) < 0)
			continue;
		r->action = (enum rg_action)act;
		if (r->action == RA_NOT_APPLICABLE) {
			if ((r->why = kf_str(L, o, "why", true)) == NULL)
				continue;
		} else if (!words_of(L, o, "clinician", "patient", r->text,
		               entry_specs[r->finding].vars, true)) {
			continue;
		}
		if (tree_get(o, "cap_tablets") != NULL) {
			if (!tablets)
				kf_problem(L, o,
				    "\"cap_tablets\" is for tablet regimens");
			int32_t cap = 0;

			int_of(L, o, "cap_tablets", true, 1, 8, &cap);
			r->cap_tablets = cap;
		}
		rg->n_rules++;
	}
}

static char *
icd_norm(struct arena *a, const char *s)
{
	char *o = arena_alloc(a, strlen(s) + 1), *p = o;

	if (o == NULL)
		return NULL;
	for (; *s; s++)
		if (*s != '.')
			*p++ = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
	*p = '\0';
	return o;
}

/* A list of strings at key: *out and *n (absent: none). */
static void
strings_of(struct kb_fields *L, const struct jnode *o, const char *key,
    const char ***out, size_t *n, bool icd)
{
	const struct jnode *v = tree_get(o, key);

	*n = 0;
	if (v == NULL)
		return;
	if (v->type != J_ARR || v->n == 0) {
		kf_problem(L, v, "\"%s\" must be a list of strings", key);
		return;
	}
	if ((*out = arena_calloc(L->a, v->n, sizeof(**out))) == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct jnode *e = &v->u.items[i];

		if (e->type != J_STR || e->n == 0) {
			kf_problem(L, e, "\"%s\" must be a list of strings",
			    key);
			continue;
		}
		(*out)[(*n)++] = icd ? icd_norm(L->a, e->u.s) : e->u.s;
	}
}

static void
phrases_of(struct kb_fields *L, const struct jnode *v, const char *key,
    struct phrase **out, size_t *n)
{
	*n = 0;
	if (v == NULL)
		return;
	if (v->type != J_ARR || v->n == 0) {
		kf_problem(L, v, "\"%s\" must be a list of words", key);
		return;
	}
	if ((*out = arena_calloc(L->a, v->n, sizeof(**out))) == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct jnode *e = &v->u.items[i];

		if (e->type != J_STR ||
		    words_phrase(L->a, e->u.s, 0, &(*out)[*n]) != 0) {
			kf_problem(L, e, "\"%s\" holds an empty or long phrase",
			    key);
			continue;
		}
		(*n)++;
	}
	words_sort(*out, *n);
}

static void
matches_of(struct kb_fields *L, const struct jnode *list, struct kb_regimen *rg)
{
	static const char *const keys[] = { "id", "action", "conditions",
		"medications", "labs", "within_d", "include_resolved",
		"clinician", "patient", "clinician_active", "patient_active",
		"clinician_unknown", "patient_unknown", "ask", NULL };
	static const char *const ckeys[] = { "icd10", "snomed", "text", NULL };
	const uint64_t vars = B(V_CONDITION) | B(V_DRUG) | B(V_DATE) |
	    B(V_LIFT_DATE) | B(V_DAYS) | B(V_DETAIL);

	if (list == NULL)
		return;
	if (list->type != J_ARR) {
		kf_problem(L, list, "\"match\" must be a list");
		return;
	}
	rg->matches =
	    arena_calloc(L->a, list->n ? list->n : 1, sizeof(*rg->matches));
	if (rg->matches == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i], *c, *ask;
		struct rg_match *m = &rg->matches[rg->n_matches];
		bool facts;
		int act;

		if (o->type != J_OBJ) {
			kf_problem(L, o, "a match rule must be a mapping");
			continue;
		}
		kf_keys(L, o, keys);
		m->id = kf_str(L, o, "id", true);
		if ((act = action_of(L, o)) < 0 || m->id == NULL)
			continue;
		m->action = (enum rg_action)act;
		m->include_resolved = bool_of(L, o, "include_resolved");
		if ((c = tree_get(o, "conditions")) != NULL) {
			if (c->type != J_OBJ) {
				kf_problem(L, c,
				    "\"conditions\" must be a "
				    "mapping of icd10, snomed, text");
				continue;
			}
			kf_keys(L, c, ckeys);
			strings_of(L, c, "icd10", &m->icd10, &m->n_icd10, true);
			strings_of(L, c, "snomed", &m->snomed, &m->n_snomed,
			    false);
			phrases_of(L, tree_get(c, "text"), "text",
			    &m->cond_text, &m->n_cond_text);
		}
		phrases_of(L, tree_get(o, "medications"), "medications",
		    &m->meds, &m->n_meds);
		strings_of(L, o, "labs", &m->loinc, &m->n_loinc, false);
		int_of(L, o, "within_d", false, 1, RG_MAX_DAY, &m->within_d);
		facts = m->n_icd10 + m->n_snomed + m->n_cond_text + m->n_meds +
		        m->n_loinc >
		    0;
		if (m->action == RA_NOT_APPLICABLE)
			kf_problem(L, o,
			    "a match rule cannot be not-applicable");
		if (m->action == RA_WAIT && (m->n_meds == 0 || !m->within_d))
			kf_problem(L, o,
			    "a wait needs medications and within_d: the "
			    "days after the last dose");
		if (facts) {
			words_of(L, o, "clinician", "patient", m->text, vars,
			    true);
			m->has_active = words_of(L, o, "clinician_active",
			    "patient_active", m->active, vars, false);
			m->has_unknown = words_of(L, o, "clinician_unknown",
			    "patient_unknown", m->unknown, vars, false);
			if ((ask = tree_get(o, "ask")) == NULL) {
				/* an absent diagnosis or medicine is not
				 * proof: the question must be there */
				kf_problem(L, o,
				    "a match rule needs \"ask\" words for "
				    "when the record does not show it");
				continue;
			}
			pair_of(L, o, "ask", m->ask, B(V_DAYS));
			m->has_ask = true;
		} else {
			/* nothing the record can show: always a question */
			if (m->action != RA_ASK)
				kf_problem(L, o,
				    "a rule over no conditions, medications "
				    "or labs can only ask");
			words_of(L, o, "clinician", "patient", m->text, 0,
			    true);
		}
		if (m->within_d && m->n_meds > 0 &&
		    (!m->has_active || !m->has_unknown))
			kf_problem(L, o,
			    "a medication wait needs clinician_active and "
			    "clinician_unknown words (with patient ones)");
		rg->n_matches++;
	}
}

static void
steps_of(struct kb_fields *L, const struct jnode *list, struct kb_regimen *rg)
{
	static const char *const keys[] = { "kind", "day", "dose_ug", "am",
		"pm", "clinician", "patient", NULL };
	const uint64_t vars =
	    B(V_FROM_DATE) | B(V_TO_DATE) | B(V_DOSE) | B(V_DETAIL);
	bool tablets = rg->tablet_ug > 0;

	if (list == NULL || list->type != J_ARR || list->n == 0) {
		kf_problem(L, list, "\"steps\" must list at least one step");
		return;
	}
	rg->steps = arena_calloc(L->a, list->n, sizeof(*rg->steps));
	if (rg->steps == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		struct rg_step *s = &rg->steps[rg->n_steps];
		const char *k;
		int32_t am = 0, pm = 0;

		if (o->type != J_OBJ) {
			kf_problem(L, o, "a step must be a mapping");
			continue;
		}
		kf_keys(L, o, keys);
		k = kf_str(L, o, "kind", true);
		s->kind = RS_COUNT;
		for (int j = 0; k != NULL && j < RS_COUNT; j++)
			if (strcmp(k, rg_step_kind_names[j]) == 0)
				s->kind = (enum rg_step_kind)j;
		if (s->kind == RS_COUNT) {
			kf_problem(L, o,
			    "\"kind\" must be test, daily, escalate "
			    "or maintain");
			continue;
		}
		if (!int_of(L, o, "day", true, 1, RG_MAX_DAY, &s->day))
			continue;
		if (i == 0 && s->day != 1)
			kf_problem(L, o, "the first step is on day 1");
		if (i > 0 && s->day <= rg->steps[rg->n_steps - 1].day)
			kf_problem(L, o, "steps must be in order of day");
		if (tablets) {
			if (!int_of(L, o, "am", true, 0, 8, &am) ||
			    !int_of(L, o, "pm", true, 0, 8, &pm))
				continue;
			s->am = am;
			s->pm = pm;
			s->dose_ug = (am + pm) * rg->tablet_ug;
			if (am + pm == 0)
				kf_problem(L, o,
				    "a step takes a tablet or more");
			if ((am + pm) * rg->tablet_bupropion_ug >
			    rg->bupropion_max_daily_ug)
				kf_problem(L, o,
				    "above bupropion_max_daily_ug");
		} else if (!int_of(L, o, "dose_ug", true, 1, RG_MAX_DAILY_UG,
		               &s->dose_ug)) {
			continue;
		}
		if (s->dose_ug > rg->max_daily_ug)
			kf_problem(L, o,
			    "%d ug of naltrexone a day is above this "
			    "regimen's max_daily_ug",
			    (int)s->dose_ug);
		if (i > 0 && s->dose_ug < rg->steps[rg->n_steps - 1].dose_ug)
			kf_problem(L, o, "a step never lowers the dose");
		if (tablets !=
		    (s->kind == RS_ESCALATE || s->kind == RS_MAINTAIN))
			kf_problem(L, o,
			    "escalate and maintain are tablet steps; test "
			    "and daily are not");
		if (s->kind == RS_MAINTAIN && i + 1 != list->n)
			kf_problem(L, o, "maintain is the last step");
		words_of(L, o, "clinician", "patient", s->text, vars, true);
		rg->n_steps++;
	}
}

static void
alternative_of(struct kb_fields *L, const struct jnode *o,
    struct kb_regimen *rg)
{
	static const char *const keys[] = { "supervised", "weekdays",
		"clinician", "patient", NULL };
	const struct jnode *wd;

	if (o == NULL)
		return;
	if (o->type != J_OBJ) {
		kf_problem(L, o, "\"alternative\" must be a mapping");
		return;
	}
	kf_keys(L, o, keys);
	rg->alt_supervised = bool_of(L, o, "supervised");
	wd = tree_get(o, "weekdays");
	if (wd == NULL || wd->type != J_ARR || wd->n == 0 || wd->n > 7) {
		kf_problem(L, wd ? wd : o,
		    "\"weekdays\" must list one to seven days");
		return;
	}
	rg->alt = arena_calloc(L->a, wd->n, sizeof(*rg->alt));
	if (rg->alt == NULL)
		return;
	for (size_t i = 0; i < wd->n; i++) {
		const struct jnode *e = &wd->u.items[i];
		struct rg_weekday *w = &rg->alt[rg->n_alt];
		const char *d =
		    e->type == J_OBJ ? kf_str(L, e, "day", true) : NULL;

		w->wday = -1;
		for (int k = 0; d != NULL && k < 7; k++)
			if (strcmp(d, weekday_names[k]) == 0)
				w->wday = k;
		if (w->wday < 0) {
			kf_problem(L, e,
			    "\"day\" must be a weekday, in lower "
			    "case");
			continue;
		}
		if (rg->n_alt > 0 && w->wday <= rg->alt[rg->n_alt - 1].wday)
			kf_problem(L, e, "weekdays must be in week order");
		if (!int_of(L, e, "dose_ug", true, 1, RG_MAX_DAILY_UG,
		        &w->dose_ug))
			continue;
		if (w->dose_ug > rg->max_daily_ug)
			kf_problem(L, e, "above this regimen's max_daily_ug");
		rg->n_alt++;
	}
	words_of(L, o, "clinician", "patient", rg->alt_text,
	    B(V_FROM_DATE) | B(V_DETAIL), true);
}

static void
review_of(struct kb_fields *L, const struct jnode *o, struct kb_regimen *rg)
{
	static const char *const keys[] = { "after_d", "stop_below_pct",
		"clinician", "patient", NULL };

	if (o == NULL)
		return;
	if (o->type != J_OBJ) {
		kf_problem(L, o, "\"review\" must be a mapping");
		return;
	}
	kf_keys(L, o, keys);
	int_of(L, o, "after_d", true, 1, RG_MAX_DAY, &rg->review_after_d);
	int_of(L, o, "stop_below_pct", true, 1, 100, &rg->review_stop_pct);
	words_of(L, o, "clinician", "patient", rg->review,
	    B(V_DATE) | B(V_DAYS) | B(V_DETAIL), true);
	if (rg->n_steps > 0 && rg->steps[rg->n_steps - 1].kind != RS_MAINTAIN)
		kf_problem(L, o, "a review counts from a maintain step");
}

static void
tablets_of(struct kb_fields *L, const struct jnode *o, struct kb_regimen *rg)
{
	const struct jnode *t = tree_get(o, "tablet"), *w;

	if (t == NULL)
		return;
	if (t->type != J_OBJ) {
		kf_problem(L, t, "\"tablet\" must be a mapping");
		return;
	}
	kf_keys(L, t,
	    (const char *const[]){ "naltrexone_ug", "bupropion_ug", NULL });
	int_of(L, t, "naltrexone_ug", true, 1, RG_MAX_DAILY_UG, &rg->tablet_ug);
	int_of(L, t, "bupropion_ug", true, 1, 1000000,
	    &rg->tablet_bupropion_ug);
	int_of(L, o, "bupropion_max_daily_ug", true, 1, 1000000,
	    &rg->bupropion_max_daily_ug);
	pair_of(L, o, "capped", rg->capped,
	    B(V_FROM_DATE) | B(V_DETAIL) | B(V_DOSE));
	w = tree_get(o, "tablet_words");
	if (w == NULL || w->type != J_OBJ) {
		kf_problem(L, w ? w : o,
		    "\"tablet_words\" must give am and pm");
		return;
	}
	kf_keys(L, w, (const char *const[]){ "am", "pm", NULL });
	pair_of(L, w, "am", rg->am_words, 0);
	pair_of(L, w, "pm", rg->pm_words, 0);
}

/* Its screen_from regimen's rules it does not list itself. */
static void
inherit(struct kb_regimen *rg, const struct kb_regimen *from)
{
	for (size_t i = 0; i < from->n_rules; i++) {
		bool own = false;

		for (size_t k = 0; k < rg->n_rules && !own; k++)
			own = rg->rules[k].finding == from->rules[i].finding;
		if (!own && rg->rules != NULL)
			rg->rules[rg->n_rules++] = from->rules[i];
	}
}

static void
regimen_of(struct kb_fields *L, const struct jnode *o, struct regimen_kb *rk)
{
	static const char *const keys[] = { "id", "label", "evidence", "cites",
		"why", "max_daily_ug", "purpose", "steps", "alternative",
		"compare_ldn", "screen", "screen_from", "match", "tablet",
		"bupropion_max_daily_ug", "capped", "tablet_words", "review",
		NULL };
	struct kb_regimen *rg = &rk->regimens[rk->n];
	const char *ev, *from;
	bool cited = false;

	kf_keys(L, o, keys);
	rg->id = kf_str(L, o, "id", true);
	rg->label = kf_str(L, o, "label", true);
	rg->why = kf_str(L, o, "why", true);
	if (rg->id == NULL)
		return;
	if (strcmp(rg->id, "ldn") == 0)
		kf_problem(L, tree_get(o, "id"),
		    "\"ldn\" is the LDN plan itself, not a regimen here");
	for (size_t k = 0; k < rk->n; k++)
		if (strcmp(rk->regimens[k].id, rg->id) == 0)
			kf_problem(L, o, "regimen \"%s\" is defined twice",
			    rg->id);
	rg->cites = kf_cites(L, o);
	rg->evidence = EV_COUNT;
	if ((ev = kf_str(L, o, "evidence", true)) != NULL)
		for (int e = 0; e < EV_COUNT; e++)
			if (strcmp(ev, evidence_names[e]) == 0)
				rg->evidence = (enum evidence)e;
	for (size_t i = 0; i < rg->cites.n; i++)
		cited |= L->kb->refs[rg->cites.ref[i]].evidence == rg->evidence;
	if (ev != NULL && !cited)
		kf_problem(L, tree_get(o, "evidence"),
		    "\"evidence\" must be that of a cited reference");
	int_of(L, o, "max_daily_ug", true, 1, RG_MAX_DAILY_UG,
	    &rg->max_daily_ug);
	if (rg->max_daily_ug > 0 &&
	    rg->max_daily_ug <= L->kb->params.ldn_max_ug)
		kf_problem(L, tree_get(o, "max_daily_ug"),
		    "a regimen here is above the LDN range (dose.ldn_max_ug): "
		    "LDN is planned by the presets");
	tablets_of(L, o, rg);
	pair_of(L, o, "purpose", rg->purpose, 0);
	pair_of(L, o, "compare_ldn", rg->compare, B(V_DOSE));
	steps_of(L, tree_get(o, "steps"), rg);
	alternative_of(L, tree_get(o, "alternative"), rg);
	review_of(L, tree_get(o, "review"), rg);
	/* room for every finding: its own rules and those it inherits */
	rg->rules = arena_calloc(L->a, 2 * E_COUNT, sizeof(*rg->rules));
	rules_of(L, tree_get(o, "screen"), rg, rg->tablet_ug > 0);
	matches_of(L, tree_get(o, "match"), rg);
	if ((from = kf_str(L, o, "screen_from", false)) != NULL) {
		const struct kb_regimen *f = regimen_kb_find(rk, from);

		if (f == NULL)
			kf_problem(L, tree_get(o, "screen_from"),
			    "\"%s\" is not a regimen defined above", from);
		else
			inherit(rg, f);
	}
	/* Nothing that stops LDN may pass unlisted. */
	for (int e = 0; e < E_COUNT; e++) {
		bool listed = false;

		if (entry_specs[e].list != L_FINDING ||
		    entry_specs[e].severity != SEV_BLOCK)
			continue;
		for (size_t k = 0; k < rg->n_rules && !listed; k++)
			listed = rg->rules[k].finding == (enum entry_id)e;
		if (!listed)
			kf_problem(L, o,
			    "regimen \"%s\" does not list the blocking "
			    "finding \"%s\" in \"screen\"",
			    rg->id, entry_specs[e].id);
	}
	rk->n++;
}

const struct regimen_kb *
regimen_kb_load(struct arena *a, const struct ldn_kb *kb,
    const struct jnode *root, regimen_problem_fn problem, void *ud)
{
	struct kb_fields L = { a, kb, NULL, problem, ud, 0 };
	const struct jnode *list = tree_get(root, "regimens");
	struct regimen_kb *rk;

	if (list == NULL || list->type != J_ARR || list->n == 0) {
		kf_problem(&L, root,
		    "expected a top-level list named "
		    "\"regimens\"");
		return NULL;
	}
	kf_keys(&L, root, (const char *const[]){ "regimens", NULL });
	rk = arena_calloc(a, 1, sizeof(*rk));
	if (rk == NULL ||
	    (rk->regimens = arena_calloc(a, list->n, sizeof(*rk->regimens))) ==
	        NULL)
		return NULL;
	for (size_t i = 0; i < list->n; i++) {
		if (list->u.items[i].type != J_OBJ) {
			kf_problem(&L, &list->u.items[i],
			    "a regimen must be a mapping");
			continue;
		}
		regimen_of(&L, &list->u.items[i], rk);
	}
	return L.problems == 0 ? rk : NULL;
}

const struct kb_regimen *
regimen_kb_find(const struct regimen_kb *rk, const char *id)
{
	for (size_t i = 0; rk != NULL && i < rk->n; i++)
		if (rk->regimens[i].id != NULL &&
		    strcmp(rk->regimens[i].id, id) == 0)
			return &rk->regimens[i];
	return NULL;
}
