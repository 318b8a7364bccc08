/*
 * Composing: the monitoring plan, the before-first-dose checks, and the
 * article's sections filtered for this patient.  References are numbered in
 * the order a reader meets them: findings, then monitoring, then sections,
 * then the numbers the plan used.
 */
#include "draft.h"

#include <string.h>

#include "base/date.h"

static struct item *
push_item(struct ldn_plan *pl, enum entry_id id, int32_t date)
{
	struct item *it = plan_push(pl, (void **)&pl->items, &pl->n_items,
	    &pl->cap_items, sizeof(*it));

	if (it != NULL) {
		it->id = id;
		it->date = date;
	}
	return it;
}

static void
monitoring(struct ldn_plan *pl)
{
	const struct params *p = &pl->kb->params;
	struct item *it;

	push_item(pl,
	    pl->co_use_cap_ug > 0 ? E_SCHEDULE_BEFORE_FIRST_DOSE_CO_USE
	                          : E_SCHEDULE_BEFORE_FIRST_DOSE,
	    DATE_NONE);
	if (pl->decision == LDN_DECISION_DO_NOT_START)
		return;
	it = push_item(pl, E_MONITOR_BASELINE_PAIN, pl->earliest);
	if (it != NULL)
		it->vars[V_DATE] = fmt_date(pl, pl->earliest);
	push_item(pl, E_MONITOR_STEP_REVIEW, DATE_NONE);
	/* The trial is judged 8 to 12 weeks after the top step is last
	 * reached (after any perioperative restart); if the best dose is
	 * lower, the clock starts there instead, as the text says. */
	int32_t top = pl->earliest;
	for (size_t i = 0; i < pl->n_steps; i++)
		if (pl->steps[i].dose_ug == pl->ceiling_ug)
			top = pl->steps[i].date;
	it = push_item(pl, E_MONITOR_TRIAL_REVIEW, top + p->trial_min_d);
	if (it != NULL) {
		it->vars[V_FROM_DATE] = fmt_date(pl, top + p->trial_min_d);
		it->vars[V_TO_DATE] = fmt_date(pl, top + p->trial_max_d);
	}
	if (pl->flags & (1u << FL_HEPATIC))
		push_item(pl, E_MONITOR_LFT, DATE_NONE);
	if (pl->flags & (1u << FL_THYROID))
		push_item(pl, E_MONITOR_TSH, DATE_NONE);
	if (pl->flags & (1u << FL_RENAL))
		push_item(pl, E_MONITOR_RENAL, DATE_NONE);
	/* The preset's own checks (TSH for the thyroid preset), once. */
	for (size_t k = 0; k < pl->preset->n_monitor; k++) {
		bool have = false;

		for (size_t i = 0; i < pl->n_items; i++)
			have |= pl->items[i].id == pl->preset->monitor[k];
		if (!have)
			push_item(pl, pl->preset->monitor[k], DATE_NONE);
	}
}

static void
cite(struct ldn_plan *pl, struct cites c)
{
	for (size_t i = 0; i < c.n; i++)
		if (pl->ref_number[c.ref[i]] == 0) {
			pl->ref_order[pl->n_refs++] = c.ref[i];
			pl->ref_number[c.ref[i]] = (uint16_t)pl->n_refs;
		}
}

/* Findings are shown blocks first, then cautions, then information; the
 * sort is stable so rules keep their order within a severity. */
static void
order_findings(struct ldn_plan *pl)
{
	for (size_t i = 1; i < pl->n_findings; i++) {
		struct finding f = pl->findings[i];
		size_t j = i;

		while (j > 0 &&
		    entry_specs[pl->findings[j - 1].id].severity >
		        entry_specs[f.id].severity) {
			pl->findings[j] = pl->findings[j - 1];
			j--;
		}
		pl->findings[j] = f;
	}
}

/* Whether the plan's preset leaves this statement out: it states the
 * seed's numbers as this plan's. */
static bool
replaced(const struct ldn_plan *pl, const struct kb_statement *st)
{
	for (size_t i = 0; i < pl->preset->n_replaces; i++)
		if (pl->preset->replaces[i] == st)
			return true;
	return false;
}

void
compose(struct ldn_plan *pl)
{
	const struct ldn_kb *kb = pl->kb;
	/* Its words with its own numbers only when the plan kept them. */
	const struct kb_statement *pst =
	    pl->adjusted ? &pl->preset->adjusted : &pl->preset->statement;
	bool preset_shown =
	    review_mark(pl->review, pst->item).state == RV_RETIRED;

	order_findings(pl);
	monitoring(pl);
	pl->statements = arena_calloc(&pl->arena, kb->n_statements + 1,
	    sizeof(*pl->statements));
	pl->ref_order = arena_calloc(&pl->arena, kb->n_refs ? kb->n_refs : 1,
	    sizeof(*pl->ref_order));
	pl->ref_number = arena_calloc(&pl->arena, kb->n_refs ? kb->n_refs : 1,
	    sizeof(*pl->ref_number));
	if (!pl->statements || !pl->ref_order || !pl->ref_number)
		return;
	for (size_t i = 0; i < pl->n_findings; i++)
		cite(pl, finding_cites(kb, &pl->findings[i]));
	for (size_t i = 0; i < pl->n_items; i++)
		cite(pl, kb->entries[pl->items[i].id].cites);
	if (pl->n_steps > 0)
		for (int e = E_SCHEDULE_START; e <= E_SCHEDULE_CEILING; e++)
			cite(pl, kb->entries[e].cites);
	if (pl->n_steps > 0 && pl->morning)
		for (int e = E_SCHEDULE_START_MORNING;
		     e <= E_SCHEDULE_HOLD_MORNING; e++)
			cite(pl, kb->entries[e].cites);
	/* kb->statements are ordered by section already. */
	for (size_t i = 0; i < kb->n_statements; i++) {
		const struct kb_statement *st = &kb->statements[i];

		if (review_mark(pl->review, st->item).state == RV_RETIRED ||
		    replaced(pl, st))
			continue;
		if (!(st->when_flags & pl->flags) &&
		    !(st->when_concepts & pl->concepts))
			continue;
		/* The preset's own words open the protocol section. */
		if (st->section >= S_PROTOCOL && !preset_shown) {
			pl->statements[pl->n_statements++] = pst;
			cite(pl, pst->cites);
			preset_shown = true;
		}
		pl->statements[pl->n_statements++] = st;
		cite(pl, st->cites);
	}
	if (!preset_shown) {
		pl->statements[pl->n_statements++] = pst;
		cite(pl, pst->cites);
	}
	for (size_t i = 0; i < kb->n_numbers; i++)
		cite(pl, kb->numbers[i].cites);
	/* The plan keeps the states it was built with, not the snapshot. */
	pl->statement_review =
	    arena_calloc(&pl->arena, pl->n_statements ? pl->n_statements : 1,
	        sizeof(*pl->statement_review));
	for (size_t i = 0; pl->statement_review && i < pl->n_statements; i++)
		pl->statement_review[i] =
		    review_mark(pl->review, pl->statements[i]->item);
	pl->review = NULL;
}
