/*
 * The dispensing sheet's arithmetic (dispense.h): integer micrograms,
 * microlitres and days, so that a volume or a capsule count is exact or
 * said not to be.
 */
#include "dispense.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_impl.h"

enum ldn_status
dispense_parse(const struct ldn_kb *kb, const char *formulation,
    int32_t supply_days, struct dispense_opts *out, struct ldn_error *err)
{
	const struct formulation_kb *fk = kb->formulations;
	const char *colon;
	size_t id_len;
	struct dispense_opts o = { NULL, 0, supply_days };

	if (fk == NULL || fk->default_form == NULL)
		return ldn_fail(err, LDN_E_BUG, "formulation",
		    "the knowledge base has no dosage forms");
	if (supply_days < 0 || supply_days > DISPENSE_MAX_SUPPLY_D)
		return ldn_fail(err, LDN_E_SCHEMA, "supply_days",
		    "%ld is not a number of days from 1 to %d",
		    (long)supply_days, DISPENSE_MAX_SUPPLY_D);
	if (formulation == NULL)
		formulation = fk->default_form->id;
	colon = strchr(formulation, ':');
	id_len = colon ? (size_t)(colon - formulation) : strlen(formulation);
	o.form = formulation_find(fk, formulation, id_len);
	if (o.form == NULL) {
		char ids[256] = "";

		for (size_t i = 0; i < fk->n_forms; i++) {
			size_t n = strlen(ids);

			snprintf(ids + n, sizeof(ids) - n, "%s%s",
			    i ? ", " : "", fk->forms[i].id);
		}
		return ldn_fail(err, LDN_E_SCHEMA, "formulation",
		    "\"%.*s\" is not a dosage form; the knowledge base has "
		    "%s",
		    (int)(id_len > 40 ? 40 : id_len), formulation, ids);
	}
	if (o.form->kind != FK_LIQUID) {
		if (colon != NULL)
			return ldn_fail(err, LDN_E_SCHEMA, "formulation",
			    "%s takes no concentration (only a liquid does)",
			    o.form->id);
		*out = o;
		return LDN_OK;
	}
	o.conc_ug_per_ml = o.form->conc_ug_per_ml[0];
	if (colon != NULL) {
		/* MG_PER_ML: digits, at most three decimals, as ug/mL */
		const char *p = colon + 1;
		long ug = 0, scale = 1000;
		bool digits = false, point = false;

		for (; *p && ug <= 1000000; p++) {
			if (*p >= '0' && *p <= '9' && (!point || scale > 1)) {
				digits = true;
				if (point) {
					scale /= 10;
					ug += (*p - '0') * scale;
				} else
					ug = ug * 10 + (*p - '0') * 1000;
			} else if (*p == '.' && !point)
				point = true;
			else
				break;
		}
		if (!digits || *p != '\0' || ug <= 0 || ug > 1000000)
			return ldn_fail(err, LDN_E_SCHEMA, "formulation",
			    "\"%.40s\": the concentration is mg per mL, such "
			    "as %s:1",
			    colon + 1, o.form->id);
		o.conc_ug_per_ml = 0;
		for (size_t i = 0; i < o.form->n_conc; i++)
			if (o.form->conc_ug_per_ml[i] == ug)
				o.conc_ug_per_ml = (int32_t)ug;
		if (o.conc_ug_per_ml == 0)
			return ldn_fail(err, LDN_E_SCHEMA, "formulation",
			    "no source read dates %s at %.40s mg/mL; the "
			    "knowledge base dates %s at %ld mg/mL%s",
			    o.form->id, colon + 1, o.form->id,
			    (long)o.form->conc_ug_per_ml[0] / 1000,
			    o.form->n_conc > 1 ? " and others" : "");
	}
	*out = o;
	return LDN_OK;
}

bool
dispense_volume(int32_t dose_ug, int32_t conc_ug_per_ml, int32_t measure_ul,
    int32_t *ul)
{
	int64_t num = (int64_t)dose_ug * 1000;

	if (conc_ug_per_ml <= 0 || measure_ul <= 0 || dose_ug < 0 ||
	    num % conc_ug_per_ml != 0)
		return false;
	num /= conc_ug_per_ml;
	if (num % measure_ul != 0 || num > INT32_MAX)
		return false;
	*ul = (int32_t)num;
	return true;
}

/* Depth-first over strengths from the largest down: the first exact
 * combination found with the fewest capsules wins; among equals, the
 * search order prefers the larger strengths. */
static void
search(int32_t left, const int32_t *s, int k, int32_t used, int32_t max_n,
    int32_t *cur, int32_t *best, int32_t *best_n)
{
	if (left == 0) {
		if (used < *best_n) {
			*best_n = used;
			memcpy(best, cur,
			    DISPENSE_MAX_STRENGTHS * sizeof(*cur));
		}
		return;
	}
	if (k < 0 || used >= max_n)
		return;
	for (int32_t c = left / s[k]; c >= 0; c--) {
		if (used + c > max_n || used + c >= *best_n)
			continue;
		cur[k] = c;
		search(left - c * s[k], s, k - 1, used + c, max_n, cur, best,
		    best_n);
		cur[k] = 0;
	}
}

bool
dispense_capsules(int32_t dose_ug, const int32_t *strengths, size_t n,
    int32_t max_n, int32_t count[static DISPENSE_MAX_STRENGTHS])
{
	int32_t cur[DISPENSE_MAX_STRENGTHS] = { 0 };
	int32_t best[DISPENSE_MAX_STRENGTHS] = { 0 };
	int32_t best_n = max_n + 1;

	if (dose_ug <= 0 || n == 0 || n > DISPENSE_MAX_STRENGTHS)
		return false;
	for (size_t k = 0; k < n; k++)
		if (strengths[k] <= 0)
			return false;
	search(dose_ug, strengths, (int)n - 1, 0, max_n, cur, best, &best_n);
	if (best_n > max_n)
		return false;
	memcpy(count, best, sizeof(best));
	return true;
}

/* The step in force on day, or NULL before the first. */
static const struct dispense_step *
step_on(const struct dispense *d, int32_t day)
{
	const struct dispense_step *st = NULL;

	for (size_t i = 0; i < d->n_steps && d->steps[i].date <= day; i++)
		st = &d->steps[i];
	return st;
}

bool
dispense_compute(const struct ldn_plan *pl, const struct dispense_opts *o,
    struct dispense *d)
{
	const struct fm_form *f = o->form;
	int32_t ceiling_day;

	memset(d, 0, sizeof(*d));
	d->pl = pl;
	d->form = f;
	d->conc_ug_per_ml = o->conc_ug_per_ml;
	d->all_exact = true;
	if (pl->decision == LDN_DECISION_DO_NOT_START || pl->n_steps == 0)
		return true;
	d->available = true;
	d->steps = calloc(pl->n_steps, sizeof(*d->steps));
	if (d->steps == NULL)
		return false;
	d->n_steps = pl->n_steps;
	d->first = pl->steps[0].date;
	/* the titration reaches its highest dose on the first step at it */
	ceiling_day = d->first;
	for (size_t i = 0, hi = 0; i < pl->n_steps; i++)
		if (pl->steps[i].dose_ug > pl->steps[hi].dose_ug || i == 0) {
			hi = i;
			ceiling_day = pl->steps[i].date;
		}
	d->supply_default = o->supply_days == 0;
	d->supply_days = o->supply_days ? o->supply_days
	                                : ceiling_day - d->first +
	        pl->kb->formulations->supply_after_ceiling_d;
	if (d->supply_days > DISPENSE_MAX_SUPPLY_D)
		d->supply_days = DISPENSE_MAX_SUPPLY_D;
	d->end = d->first + d->supply_days;
	for (size_t i = 0; i < pl->n_steps; i++) {
		struct dispense_step *s = &d->steps[i];
		int32_t from = pl->steps[i].date;
		int32_t to =
		    i + 1 < pl->n_steps ? pl->steps[i + 1].date : d->end;

		s->date = from;
		s->dose_ug = pl->steps[i].dose_ug;
		s->kind = pl->steps[i].kind;
		if (to > d->end)
			to = d->end;
		s->days = to > from ? to - from : 0;
		if (s->dose_ug == 0)
			s->exact = true;
		else if (f->kind == FK_LIQUID)
			s->exact = dispense_volume(s->dose_ug,
			    d->conc_ug_per_ml, f->measure_ul, &s->volume_ul);
		else {
			s->exact =
			    dispense_capsules(s->dose_ug, f->strengths_ug,
			        f->n_strengths, f->max_per_dose, s->count);
			for (size_t k = 0; s->exact && k < f->n_strengths; k++)
				s->n_capsules += s->count[k];
		}
		if (!s->exact) {
			d->all_exact = false;
			continue;
		}
		s->total_ul = (int64_t)s->volume_ul * s->days;
		d->total_ul += s->total_ul;
		for (size_t k = 0; k < f->n_strengths; k++)
			d->total_capsules[k] += (int64_t)s->count[k] * s->days;
	}
	return true;
}

void
dispense_fini(struct dispense *d)
{
	free(d->steps);
	d->steps = NULL;
	d->n_steps = 0;
}

size_t
dispense_fills(const struct dispense *d, const struct fm_storage *s,
    struct dispense_fill *out, size_t max)
{
	size_t n = 0;

	if (!d->available || s->days <= 0)
		return 0;
	for (int32_t made = d->first; made < d->end && n < max;
	     made += s->days) {
		struct dispense_fill *fl = &out[n++];

		memset(fl, 0, sizeof(*fl));
		fl->made = made;
		fl->last = made + s->days - 1;
		fl->from = made;
		fl->to = made + s->days < d->end ? made + s->days : d->end;
		for (int32_t day = fl->from; day < fl->to; day++) {
			const struct dispense_step *st = step_on(d, day);

			if (st == NULL || !st->exact || st->dose_ug == 0)
				continue;
			fl->volume_ul += st->volume_ul;
			for (size_t k = 0; k < DISPENSE_MAX_STRENGTHS; k++)
				fl->capsules[k] += st->count[k];
		}
	}
	return n;
}
