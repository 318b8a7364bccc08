/*
 * Titration: the findings and the preset's numbers give the decision and a
 * dated schedule.  The first dose falls on the first day every washout has
 * passed and no perioperative hold is near; then the dose climbs by one step
 * every interval up to the ceiling, stopping for each hold and starting
 * again from the first dose after it.
 */
#include "draft.h"

#include "base/date.h"

static struct step *
push_step(struct ldn_plan *pl, int32_t date, int32_t dose_ug,
    enum step_kind kind, const char *procedure)
{
	struct step *s = plan_push(pl, (void **)&pl->steps, &pl->n_steps,
	    &pl->cap_steps, sizeof(*s));

	if (s != NULL) {
		s->date = date;
		s->dose_ug = dose_ug;
		s->kind = kind;
		s->procedure = procedure;
	}
	return s;
}

/* Record a window in which no dose may be taken. */
static void
blackout(struct ldn_plan *pl, int32_t from, int32_t to)
{
	if (from < to &&
	    pl->n_blackouts < pl->patient->n_medications +
	            pl->patient->n_procedures + pl->n_findings + 1)
		pl->blackouts[pl->n_blackouts++] =
		    (struct window){ from, to, NULL, 0, NULL };
}

/* Remove the hold findings of the procedures inside window w. */
static void
drop_holds_in(struct ldn_plan *pl, const struct window *w)
{
	size_t k = 0;

	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];

		if (f->id == E_PERIOP_HOLD && f->when >= w->from &&
		    f->when < w->to)
			continue;
		pl->findings[k++] = *f;
	}
	pl->n_findings = k;
}

/*
 * Move the start past any hold that would begin before the first step can
 * be judged: starting a day or two before a hold only to stop again helps
 * no one, and a start inside a hold is never allowed.
 */
static int32_t
clear_of_holds(struct ldn_plan *pl, int32_t start)
{
	bool moved;

	do {
		moved = false;
		for (size_t i = 0; i < pl->n_holds; i++) {
			const struct window *w = &pl->holds[i];

			if (start < w->to && start + pl->interval_d > w->from) {
				struct finding *f;

				/* No dose comes before this hold, so its
				 * "last dose" advice does not apply. */
				drop_holds_in(pl, w);
				f = plan_push(pl, (void **)&pl->findings,
				    &pl->n_findings, &pl->cap_findings,
				    sizeof(*f));
				start = w->to;
				moved = true;
				if (f == NULL)
					continue;
				f->id = E_PERIOP_START_AFTER;
				f->lift = w->to;
				f->src[f->n_src++] = w->src;
				f->vars[V_PROCEDURE] = w->procedure;
				f->vars[V_PROCEDURE_DATE] =
				    fmt_date(pl, w->procedure_date);
				f->vars[V_LIFT_DATE] = fmt_date(pl, w->to);
				/* the restart interval the policy chose */
				f->vars[V_WASHOUT_DAYS] =
				    fmt_int(pl, pl->periop_restart_d);
			}
		}
	} while (moved);
	return start;
}

static void
build_schedule(struct ldn_plan *pl, int32_t start)
{
	int32_t date = start, dose = pl->start_ug;
	size_t next_hold = 0;

	while (next_hold < pl->n_holds && pl->holds[next_hold].to <= start)
		next_hold++;
	push_step(pl, date, dose, STEP_START, NULL);
	for (;;) {
		const struct window *w =
		    next_hold < pl->n_holds ? &pl->holds[next_hold] : NULL;
		int32_t next = date + pl->interval_d;

		/* No climbing into a hold: a step needs a whole interval
		 * before the hold to be judged. */
		if (w != NULL &&
		    (dose >= pl->ceiling_ug ||
		        next + pl->interval_d > w->from)) {
			push_step(pl, w->from, 0, STEP_HOLD, w->procedure);
			date = w->to;
			dose = pl->start_ug;
			push_step(pl, date, dose, STEP_RESTART, w->procedure);
			next_hold++;
			continue;
		}
		if (dose >= pl->ceiling_ug)
			break;
		dose = dose + pl->step_ug > pl->ceiling_ug ? pl->ceiling_ug
		                                           : dose + pl->step_ug;
		date = next;
		push_step(pl, date, dose, STEP_INCREASE, NULL);
	}
}

void
titrate(struct ldn_plan *pl)
{
	int32_t earliest = pl->as_of;
	bool blocked = false;

	pl->blackouts = arena_calloc(&pl->arena,
	    pl->patient->n_medications + pl->patient->n_procedures +
	        pl->n_findings + 1,
	    sizeof(*pl->blackouts));
	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];

		if (entry_specs[f->id].severity != SEV_BLOCK)
			continue;
		if (f->lift == DATE_NONE) {
			blocked = true;
			continue;
		}
		if (f->lift > earliest)
			earliest = f->lift;
		if (pl->blackouts != NULL)
			blackout(pl, pl->as_of, f->lift);
	}
	if (blocked || pl->ceiling_ug <= 0 || pl->blackouts == NULL) {
		pl->decision = LDN_DECISION_DO_NOT_START;
		pl->earliest = DATE_NONE;
		return;
	}
	earliest = clear_of_holds(pl, earliest);
	for (size_t i = 0; i < pl->n_holds; i++)
		pl->blackouts[pl->n_blackouts++] =
		    (struct window){ pl->holds[i].from, pl->holds[i].to, NULL,
			    0, NULL };
	pl->earliest = earliest;
	pl->decision =
	    earliest == pl->as_of ? LDN_DECISION_START : LDN_DECISION_WAIT;
	build_schedule(pl, earliest);
}
