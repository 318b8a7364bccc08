/*
 * Standard-dose regimens (kb/regimens.yaml): the LDN pipeline reads and
 * screens the patient, this file judges that screen by the regimen's own
 * rules, adds what the record's conditions, medications and labs show,
 * and dates the regimen's schedule.  No number or word is here: the
 * washouts are the LDN screen's, the rest the regimen's in the kb.
 */
#include "regimen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/dose.h"
#include "base/error_impl.h"
#include "base/strbuf.h"
#include "draft.h"
#include "kb/tmpl.h"
#include "kb/words.h"

enum {
	RG_ARENA_LIMIT = 16u << 20
};

static const char *const weekday_title[7] = { "Sunday", "Monday", "Tuesday",
	"Wednesday", "Thursday", "Friday", "Saturday" };

/* Append one zeroed element to an arena vector; NULL on failure. */
static void *
push(struct arena *a, void **items, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *bigger = arena_calloc(a, ncap, size);

		if (bigger == NULL)
			return NULL;
		if (*n)
			memcpy(bigger, *items, *n * size);
		*items = bigger;
		*cap = ncap;
	}
	return memset((char *)*items + (*n)++ * size, 0, size);
}

/* t with vars, as a string in rp's arena. */
static const char *
expand(struct regimen_plan *rp, const struct tmpl *t, const char *const *vars)
{
	struct strbuf b = STRBUF_INIT(1u << 20);
	const char *s;

	tmpl_expand(&b, rp->kb, t, vars);
	s = b.failed ? NULL : arena_strdup(&rp->arena, sb_cstr(&b));
	sb_free(&b);
	return s != NULL ? s : "";
}

static const char *
date_str(struct regimen_plan *rp, int32_t day)
{
	char b[11];

	date_format(day, b);
	return arena_strdup(&rp->arena, b);
}

static const char *
mg_str(struct regimen_plan *rp, int32_t ug)
{
	char b[20];

	mg_string(ug, b);
	return arena_printf(&rp->arena, "%s mg", b);
}

static struct rg_line *
add_line(struct regimen_plan *rp, const char *id, enum rg_action action,
    const struct tmpl *text, const char *const *vars, const char *src,
    size_t *cap)
{
	struct rg_line *l = push(&rp->arena, (void **)&rp->lines, &rp->n_lines,
	    cap, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->id = id;
	l->action = action;
	l->lift = DATE_NONE;
	l->src = src;
	for (int a = 0; a < AUD_COUNT; a++)
		l->text[a] = expand(rp, &text[a], vars);
	return l;
}

/* The regimen's rule for finding id, or NULL. */
static const struct rg_rule *
rule_for(const struct kb_regimen *rg, enum entry_id id)
{
	for (size_t i = 0; i < rg->n_rules; i++)
		if (rg->rules[i].finding == id)
			return &rg->rules[i];
	return NULL;
}

/* The LDN screen's findings, judged by the regimen's rules. */
static void
judge_findings(struct regimen_plan *rp, size_t *cap)
{
	const struct ldn_plan *pl = rp->ldn;

	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];
		const struct rg_rule *r = rule_for(rp->rg, f->id);
		struct rg_line *l;

		if (r == NULL || r->action == RA_NOT_APPLICABLE)
			continue;
		l = add_line(rp, entry_specs[f->id].id, r->action, r->text,
		    f->vars, f->n_src ? f->src[0] : NULL, cap);
		if (l == NULL)
			return;
		if (r->action == RA_WAIT) {
			/* a wait with no date is a block without one */
			if (f->lift == DATE_NONE)
				l->action = RA_DO_NOT_START;
			else
				l->lift = f->lift;
		}
		if (r->cap_tablets > 0 &&
		    (rp->cap_tablets == 0 || r->cap_tablets < rp->cap_tablets))
			rp->cap_tablets = r->cap_tablets;
	}
}

static bool
icd_under(const char *code, const char *prefix)
{
	size_t n = strlen(prefix);
	char norm[32];
	size_t o = 0;

	for (; *code && o + 1 < sizeof(norm); code++)
		if (*code != '.')
			norm[o++] =
			    (char)(*code >= 'a' && *code <= 'z' ? *code - 32
			                                        : *code);
	norm[o] = '\0';
	return strncmp(norm, prefix, n) == 0;
}

static bool
phrase_in(const struct phrase *list, size_t n, const char *text)
{
	struct words w;
	uint16_t t[1];

	if (n == 0 || text == NULL)
		return false;
	words_split(&w, text, strlen(text));
	return words_match(list, n, &w, t, 1) > 0;
}

static bool
condition_matches(const struct rg_match *m, const struct condition *c)
{
	if (!c->active && !m->include_resolved)
		return false;
	if (c->system == CS_ICD10 && c->code != NULL)
		for (size_t i = 0; i < m->n_icd10; i++)
			if (icd_under(c->code, m->icd10[i]))
				return true;
	if (c->system == CS_SNOMED && c->code != NULL)
		for (size_t i = 0; i < m->n_snomed; i++)
			if (strcmp(c->code, m->snomed[i]) == 0)
				return true;
	return phrase_in(m->cond_text, m->n_cond_text, c->display);
}

/* A medication rule: taken now, stopped within its days, or stopped on a
 * day not known; fires at most once per medication. */
static bool
judge_medication(struct regimen_plan *rp, const struct rg_match *m,
    const struct medication *med, size_t *cap)
{
	const char *vars[V_COUNT] = { 0 };
	const char *name = med->name ? med->name : med->code_display;
	struct rg_line *l;

	if (!phrase_in(m->meds, m->n_meds, med->name) &&
	    !phrase_in(m->meds, m->n_meds, med->code_display))
		return false;
	vars[V_DRUG] = name;
	vars[V_DAYS] = arena_printf(&rp->arena, "%d", (int)m->within_d);
	if (med->active) {
		add_line(rp, m->id,
		    m->action == RA_WAIT ? RA_DO_NOT_START : m->action,
		    m->has_active ? m->active : m->text, vars, med->src, cap);
		return true;
	}
	if (m->within_d == 0)
		return false; /* stopped, and only taking it now counts */
	if (med->last_dose == DATE_NONE) {
		add_line(rp, m->id, RA_DO_NOT_START,
		    m->has_unknown ? m->unknown : m->text, vars, med->src, cap);
		return true;
	}
	if (med->last_dose + m->within_d <= rp->as_of)
		return false;
	vars[V_DATE] = date_str(rp, med->last_dose);
	vars[V_LIFT_DATE] = date_str(rp, med->last_dose + m->within_d);
	l = add_line(rp, m->id, m->action, m->text, vars, med->src, cap);
	if (l != NULL && m->action == RA_WAIT)
		l->lift = med->last_dose + m->within_d;
	return true;
}

/* The latest lab of the rule's codes, or NULL. */
static const struct lab *
latest_lab(const struct patient *pt, const struct rg_match *m)
{
	const struct lab *best = NULL;

	for (size_t i = 0; i < pt->n_labs; i++)
		for (size_t k = 0; k < m->n_loinc; k++)
			if (strcmp(pt->labs[i].loinc, m->loinc[k]) == 0 &&
			    (best == NULL || pt->labs[i].date > best->date))
				best = &pt->labs[i];
	return best;
}

/* The record's own facts against one match rule. */
static void
judge_match(struct regimen_plan *rp, const struct rg_match *m, size_t *cap)
{
	const struct patient *pt = rp->ldn->patient;
	const char *vars[V_COUNT] = { 0 };
	struct strbuf detail = STRBUF_INIT(1u << 16);
	const struct condition *cond = NULL;
	const struct lab *lab;
	bool fired = false;

	vars[V_DAYS] = arena_printf(&rp->arena, "%d", (int)m->within_d);
	if (m->n_icd10 + m->n_snomed + m->n_cond_text + m->n_meds +
	        m->n_loinc ==
	    0) {
		add_line(rp, m->id, m->action, m->text, vars, NULL, cap);
		return;
	}
	for (size_t i = 0; i < pt->n_medications && m->n_meds > 0; i++)
		fired |= judge_medication(rp, m, &pt->medications[i], cap);
	for (size_t i = 0; i < pt->n_conditions && cond == NULL; i++)
		if (condition_matches(m, &pt->conditions[i]))
			cond = &pt->conditions[i];
	lab = m->n_loinc > 0 ? latest_lab(pt, m) : NULL;
	if (cond != NULL) {
		vars[V_CONDITION] = cond->display ? cond->display : cond->code;
		sb_puts(&detail, vars[V_CONDITION]);
	}
	if (lab != NULL) {
		char d[11] = "";

		if (lab->date != DATE_NONE)
			date_format(lab->date, d);
		sb_printf(&detail, "%sLOINC %s %g%s%s%s%s",
		    detail.len ? "; " : "", lab->loinc, lab->value,
		    lab->unit ? " " : "", lab->unit ? lab->unit : "",
		    *d ? " on " : "", d);
	}
	if (cond != NULL || lab != NULL) {
		vars[V_DETAIL] = arena_strdup(&rp->arena, sb_cstr(&detail));
		if (vars[V_CONDITION] == NULL)
			vars[V_CONDITION] = vars[V_DETAIL];
		add_line(rp, m->id,
		    m->action == RA_WAIT ? RA_DO_NOT_START : m->action, m->text,
		    vars, cond ? cond->src : lab->src, cap);
		fired = true;
	}
	sb_free(&detail);
	if (!fired && m->has_ask)
		add_line(rp, m->id, RA_ASK, m->ask, vars, NULL, cap);
}

/* "2 tablets in the morning and 1 in the evening", from the kb's words. */
static const char *
tablets_words(struct regimen_plan *rp, int am, int pm, int aud)
{
	const char *a = expand(rp, &rp->rg->am_words[aud], NULL);
	const char *p = expand(rp, &rp->rg->pm_words[aud], NULL);

	if (pm == 0)
		return arena_printf(&rp->arena, "%d tablet%s %s", am,
		    am == 1 ? "" : "s", a);
	if (am == 0)
		return arena_printf(&rp->arena, "%d tablet%s %s", pm,
		    pm == 1 ? "" : "s", p);
	return arena_printf(&rp->arena, "%d tablet%s %s and %d %s", am,
	    am == 1 ? "" : "s", a, pm, p);
}

/* Tablets at most cap a day: from the morning when it holds more, else
 * from the evening (one twice a day; one in the morning). */
static void
cap_step(int cap, int *am, int *pm)
{
	while (cap > 0 && *am + *pm > cap) {
		if (*am > *pm)
			(*am)--;
		else
			(*pm)--;
	}
}

static void
schedule(struct regimen_plan *rp)
{
	const struct kb_regimen *rg = rp->rg;
	size_t cap = 0;

	for (size_t i = 0; i < rg->n_steps; i++) {
		const struct rg_step *s = &rg->steps[i];
		int am = s->am, pm = s->pm;
		const char *vars[V_COUNT] = { 0 };
		struct rg_dose *d,
		    *prev = rp->n_doses ? &rp->doses[rp->n_doses - 1] : NULL;
		bool capped;

		cap_step(rp->cap_tablets, &am, &pm);
		capped = am != s->am || pm != s->pm;
		if (capped && prev != NULL && prev->am == am &&
		    prev->pm == pm) {
			/* the cap made it the same as the line before */
			prev->to = i + 1 < rg->n_steps
			    ? rp->start + rg->steps[i + 1].day - 2
			    : DATE_NONE;
			prev->capped = true;
			continue;
		}
		d = push(&rp->arena, (void **)&rp->doses, &rp->n_doses, &cap,
		    sizeof(*d));
		if (d == NULL)
			return;
		d->kind = s->kind;
		d->from = rp->start + s->day - 1;
		d->to = i + 1 < rg->n_steps
		    ? rp->start + rg->steps[i + 1].day - 2
		    : DATE_NONE;
		d->am = am;
		d->pm = pm;
		d->capped = capped;
		d->dose_ug =
		    rg->tablet_ug > 0 ? (am + pm) * rg->tablet_ug : s->dose_ug;
		/* Never above the regimen's own maximum, whatever a cap or
		 * the kb did (the loader refuses such a kb). */
		if (d->dose_ug > rg->max_daily_ug)
			d->dose_ug = rg->max_daily_ug;
		vars[V_FROM_DATE] = date_str(rp, d->from);
		vars[V_TO_DATE] =
		    d->to != DATE_NONE ? date_str(rp, d->to) : NULL;
		vars[V_DOSE] = mg_str(rp, d->dose_ug);
		for (int a = 0; a < AUD_COUNT; a++) {
			if (rg->tablet_ug > 0)
				vars[V_DETAIL] = tablets_words(rp, am, pm, a);
			d->text[a] = expand(rp,
			    capped ? &rg->capped[a] : &s->text[a], vars);
		}
	}
	/* a capped line that now runs on to the end says "from" only */
	for (size_t i = 0; i < rp->n_doses; i++)
		if (rp->doses[i].capped && rp->doses[i].to == DATE_NONE) {
			const char *vars[V_COUNT] = { 0 };

			vars[V_FROM_DATE] = date_str(rp, rp->doses[i].from);
			vars[V_DOSE] = mg_str(rp, rp->doses[i].dose_ug);
			for (int a = 0; a < AUD_COUNT; a++) {
				vars[V_DETAIL] = tablets_words(rp,
				    rp->doses[i].am, rp->doses[i].pm, a);
				rp->doses[i].text[a] =
				    expand(rp, &rg->capped[a], vars);
			}
		}
}

static void
alternative(struct regimen_plan *rp)
{
	const struct kb_regimen *rg = rp->rg;
	const char *vars[V_COUNT] = { 0 };
	struct strbuf b = STRBUF_INIT(1u << 12);
	int32_t after, day;
	char mg[20];

	if (rg->n_alt == 0)
		return;
	/* from the first of its weekdays after the last step began (the
	 * test dose and one day on the daily dose come first) */
	after = rp->start + rg->steps[rg->n_steps - 1].day - 1;
	day = after + 1;
	while ((((day % 7) + 7 + 4) % 7) != rg->alt[0].wday)
		day++; /* 1970-01-01 was a Thursday */
	rp->alt_from = day;
	for (size_t i = 0; i < rg->n_alt; i++) {
		mg_string(rg->alt[i].dose_ug, mg);
		sb_printf(&b, "%s%s mg on %s", i ? ", " : "", mg,
		    weekday_title[rg->alt[i].wday]);
	}
	vars[V_FROM_DATE] = date_str(rp, day);
	vars[V_DETAIL] = arena_strdup(&rp->arena, sb_cstr(&b));
	sb_free(&b);
	for (int a = 0; a < AUD_COUNT; a++)
		rp->alt_text[a] = expand(rp, &rg->alt_text[a], vars);
}

static void
review(struct regimen_plan *rp)
{
	const struct kb_regimen *rg = rp->rg;
	const char *vars[V_COUNT] = { 0 };

	if (rg->review_after_d == 0)
		return;
	rp->review =
	    rp->start + rg->steps[rg->n_steps - 1].day - 1 + rg->review_after_d;
	vars[V_DATE] = date_str(rp, rp->review);
	vars[V_DAYS] = arena_printf(&rp->arena, "%d", (int)rg->review_after_d);
	vars[V_DETAIL] =
	    arena_printf(&rp->arena, "%d%%", (int)rg->review_stop_pct);
	for (int a = 0; a < AUD_COUNT; a++)
		rp->review_text[a] = expand(rp, &rg->review[a], vars);
}

static enum ldn_status
find(const struct ldn_kb *kb, const char *id, const struct kb_regimen **out,
    struct ldn_error *err)
{
	char known[256] = "ldn";
	size_t o = 3;

	if ((*out = regimen_kb_find(kb->regimens, id)) != NULL)
		return LDN_OK;
	for (size_t i = 0;
	     kb->regimens && i < kb->regimens->n && o < sizeof(known) - 40; i++)
		o += (size_t)snprintf(known + o, sizeof(known) - o, ", %s",
		    kb->regimens->regimens[i].id);
	return ldn_fail(err, LDN_E_SCHEMA, "regimen",
	    "\"%.64s\" is not a regimen; the regimens are %s", id, known);
}

enum ldn_status
regimen_build(const struct ldn_kb *kb, const char *buf, size_t len,
    const char *as_of, const char *id, struct regimen_plan **out,
    struct ldn_error *err)
{
	const struct kb_regimen *rg;
	struct regimen_plan *rp;
	const char *vars[V_COUNT] = { 0 };
	size_t cap = 0;
	enum ldn_status rc;

	if ((rc = find(kb, id, &rg, err)) != LDN_OK)
		return rc;
	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	rp->arena = ARENA_INIT(RG_ARENA_LIMIT);
	rp->kb = kb;
	rp->rg = rg;
	rc = ldn_plan_build(kb, buf, len, as_of, &rp->ldn, err);
	if (rc != LDN_OK) {
		regimen_free(rp);
		return rc;
	}
	rp->as_of = rp->ldn->as_of;
	rp->start = rp->as_of;
	rp->alt_from = rp->review = DATE_NONE;
	judge_findings(rp, &cap);
	for (size_t i = 0; i < rg->n_matches; i++)
		judge_match(rp, &rg->matches[i], &cap);
	rp->decision = LDN_DECISION_START;
	for (size_t i = 0; i < rp->n_lines; i++) {
		const struct rg_line *l = &rp->lines[i];

		if (l->action == RA_DO_NOT_START)
			rp->decision = LDN_DECISION_DO_NOT_START;
		else if (l->action == RA_WAIT && l->lift > rp->start &&
		    rp->decision != LDN_DECISION_DO_NOT_START) {
			rp->decision = LDN_DECISION_WAIT;
			rp->start = l->lift;
		} else if (l->action == RA_WAIT && l->lift > rp->start) {
			rp->start = l->lift;
		}
	}
	if (rp->decision == LDN_DECISION_DO_NOT_START) {
		rp->start = DATE_NONE;
	} else {
		schedule(rp);
		alternative(rp);
		review(rp);
	}
	vars[V_DOSE] = mg_str(rp, rg->steps[rg->n_steps - 1].dose_ug);
	for (int a = 0; a < AUD_COUNT; a++) {
		rp->purpose[a] = expand(rp, &rg->purpose[a], NULL);
		rp->compare[a] = expand(rp, &rg->compare[a], vars);
	}
	if (rp->arena.failed) {
		regimen_free(rp);
		return ldn_fail(err, LDN_E_NOMEM, "",
		    "the plan is too large to build");
	}
	*out = rp;
	return LDN_OK;
}

void
regimen_free(struct regimen_plan *rp)
{
	if (rp == NULL)
		return;
	ldn_plan_free(rp->ldn);
	arena_free(&rp->arena);
	free(rp);
}

enum ldn_status
ldn_regimen_plan(const struct ldn_kb *kb, const char *buf, size_t len,
    const char *as_of, const char *regimen, enum ldn_audience audience,
    enum ldn_format format, char **out, size_t *out_len, struct ldn_error *err)
{
	struct regimen_plan *rp;
	enum ldn_status rc;

	if (regimen == NULL || strcmp(regimen, "ldn") == 0) {
		struct ldn_plan *pl;

		if ((rc = ldn_plan_build(kb, buf, len, as_of, &pl, err)) !=
		    LDN_OK)
			return rc;
		rc = ldn_plan_render(pl, format, audience, out, out_len, err);
		ldn_plan_free(pl);
		return rc;
	}
	if (format != LDN_FORMAT_TEXT && format != LDN_FORMAT_JSON &&
	    format != LDN_FORMAT_JSON_COMPACT)
		return ldn_fail(err, LDN_E_SCHEMA, "format",
		    "a regimen's plan is text or json");
	if ((rc = regimen_build(kb, buf, len, as_of, regimen, &rp, err)) !=
	    LDN_OK)
		return rc;
	rc = regimen_render(rp, format, audience, out, out_len, err);
	regimen_free(rp);
	return rc;
}
