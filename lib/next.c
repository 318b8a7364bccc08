/*
 * The next step of a titration.  The rules, first match wins:
 *
 *   plan says do not start                   -> none
 *   no visit yet (or every dose 0)           -> start as planned
 *   doses while the plan still says wait     -> stop until it lifts
 *   serious effect at the latest visit       -> stop now
 *   a serious effect at any earlier visit    -> stop (no titration and no
 *                                               re-introduction without a
 *                                               clinician's review)
 *   not taking, after earlier doses          -> re-introduce and titrate,
 *                                               below any intolerable dose
 *   severe effect                            -> step back: halve
 *   sleep worse than baseline, not morning   -> same dose in the morning
 *   moderate effect, settling window open    -> hold until it closes
 *   moderate effect, window passed           -> step back: halve
 *   tolerated, benefit meaningful, last step
 *     added no minimal further benefit       -> hold (plateau)
 *   tolerated, at the highest open dose      -> hold, or the 8-12 week
 *     (ceiling, or below an intolerable one)    trial: review, then stop
 *   tolerated                                -> escalate one step, never
 *                                               sooner than the interval
 *
 * A dose is intolerable once a visit at it had severe or serious effects,
 * or moderate ones still there settle_d days on.  After one, steps come at
 * the slow interval, and no step, step back or restart reaches it again.
 * Pain is compared with the first visit (the baseline); sleep with the
 * first visit that recorded it.
 * Every threshold is a kb number: response.meaningful_pct,
 * response.minimal_pct, side_effects.settle_d, sleep.worse_points,
 * trial.min_d, trial.max_d, dose.interval_sensitive_d, dose.granularity_ug.
 * Days at a dose count from the first visit that reports it, so a step can
 * come later than the interval, never sooner.
 */
#include "next.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/dose.h"
#include "base/error_impl.h"

static const char *const action_names[] = {
	[LDN_NEXT_NONE] = "none",
	[LDN_NEXT_START] = "start",
	[LDN_NEXT_ESCALATE] = "escalate",
	[LDN_NEXT_HOLD] = "hold",
	[LDN_NEXT_STEP_BACK] = "step-back",
	[LDN_NEXT_MORNING] = "morning",
	[LDN_NEXT_STOP] = "stop",
	[LDN_NEXT_REINTRODUCE] = "reintroduce",
};

enum effect {
	FX_NONE,
	FX_MILD,
	FX_MODERATE,
	FX_SEVERE,
	FX_SERIOUS,
	FX_COUNT
};

static const char *const effect_names[FX_COUNT] = { "none", "mild", "moderate",
	"severe", "serious" };

/* A visit as the rules read it. */
struct seen {
	int32_t day, dose_ug;
	int pain, sleep;
	enum effect fx;
	bool morning;
};

static void
set_mg(struct ldn_next *n, enum var v, int32_t ug)
{
	char mg[16];

	mg_string(ug, mg);
	snprintf(n->val[v], NEXT_VAR_LEN, "%s mg", mg);
	n->vars[v] = n->val[v];
}

static void
set_int(struct ldn_next *n, enum var v, long long x)
{
	snprintf(n->val[v], NEXT_VAR_LEN, "%lld", x);
	n->vars[v] = n->val[v];
}

static void
set_date(struct ldn_next *n, enum var v, int32_t day)
{
	date_format(day, n->val[v]);
	n->vars[v] = n->val[v];
}

static void
advise(struct ldn_next *n, enum ldn_next_action a, enum entry_id rule,
    int32_t dose_ug, int32_t day)
{
	n->action = a;
	n->rule = rule;
	n->dose_ug = dose_ug;
	date_format(day, n->date);
	set_date(n, V_DATE, day);
}

/* Half of ug, rounded down to the dose granularity; never 0 for a dose
 * above 1 ug, so a step back is always a smaller dose, not a stop. */
static int32_t
halve(int32_t ug, int32_t gran)
{
	int32_t h = ug / 2;
	int32_t r = gran > 0 ? h / gran * gran : h;

	return r > 0 ? r : (h > 0 ? h : ug);
}

/* Read and check the course: every visit dated and in order, no later
 * than today, its scores in range, its dose within the ceiling. */
static enum ldn_status
read_course(const struct ldn_course *c, int32_t today, struct seen *s,
    struct ldn_error *err)
{
	char where[48];

	for (size_t i = 0; i < c->n_visits; i++) {
		const struct ldn_visit *v = &c->visits[i];
		int k;

		snprintf(where, sizeof(where), "visits/%zu", i);
		if (!date_parse(v->date, strnlen(v->date, sizeof(v->date)),
		        &s[i].day))
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "date \"%.10s\" is not YYYY-MM-DD", v->date);
		if (s[i].day > today)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "date %s is after the as-of date", v->date);
		if (i > 0 && s[i].day < s[i - 1].day)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "date %s is before the visit above it: visits "
			    "must be in date order",
			    v->date);
		if (v->pain < 0 || v->pain > 10)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "pain must be from 0 to 10, not %d", v->pain);
		if (v->sleep < -1 || v->sleep > 10)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "sleep must be from 0 to 10, not %d", v->sleep);
		if (v->dose_ug < 0 || v->dose_ug > c->ceiling_ug)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "dose of %d ug is outside 0 to the ceiling of "
			    "%d ug",
			    (int)v->dose_ug, (int)c->ceiling_ug);
		for (k = 0; k < FX_COUNT; k++)
			if (v->side_effects &&
			    strcmp(v->side_effects, effect_names[k]) == 0)
				break;
		if (k == FX_COUNT)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "side effects \"%s\" are not none, mild, "
			    "moderate, severe or serious",
			    v->side_effects ? v->side_effects : "");
		s[i].dose_ug = v->dose_ug;
		s[i].pain = v->pain;
		s[i].sleep = v->sleep;
		s[i].fx = (enum effect)k;
		/* a visit that did not record when: as the plan says */
		s[i].morning = v->timing ? strcmp(v->timing, "morning") == 0
		                         : strcmp(c->timing, "morning") == 0;
	}
	return LDN_OK;
}

/* Whether pain fell from `from` to `to` by at least pct percent of the
 * baseline b (integers, so no rounding decides a threshold). */
static bool
fell_by(int from, int to, int b, int pct)
{
	return b > 0 && (long)(from - to) * 100 >= (long)pct * b;
}

/* Halve the dose, and re-titrate at the slower of the two intervals. */
static void
step_back(struct ldn_next *n, const struct params *P, int32_t d,
    int32_t tolerated_below, int interval, int32_t today)
{
	int32_t half = halve(d, P->granularity_ug);

	set_mg(n, V_NEXT_DOSE, half);
	if (tolerated_below > 0) {
		set_mg(n, V_MAX_DOSE, tolerated_below);
	} else {
		snprintf(n->val[V_MAX_DOSE], NEXT_VAR_LEN, "not recorded");
		n->vars[V_MAX_DOSE] = n->val[V_MAX_DOSE];
	}
	set_int(n, V_INTERVAL_DAYS,
	    P->interval_sensitive_d > interval ? P->interval_sensitive_d
	                                       : interval);
	advise(n, LDN_NEXT_STEP_BACK, E_NEXT_STEP_BACK, half, today);
}

static void
rules(struct ldn_next *n, const struct params *P, const struct ldn_course *c,
    const struct seen *s, size_t nv, int32_t today)
{
	const struct seen *L = &s[nv - 1];
	int32_t d = L->dose_ug, bar = INT32_MAX, best_taken = 0;
	int32_t tolerated_below = 0;
	size_t r, last_serious = SIZE_MAX;
	int interval = c->interval_d;
	int base_sleep = -1;

	for (size_t i = 0, from = 0; i < nv; i++) {
		/* a dose is intolerable once a visit at it had severe or
		 * serious effects, or moderate ones that had not settled
		 * settle_d days on (the same visits the step back uses) */
		if (i == 0 || s[i].dose_ug != s[i - 1].dose_ug ||
		    s[i - 1].fx != FX_MODERATE)
			from = i;
		bool unsettled = s[i].fx == FX_MODERATE &&
		    s[i].day - s[from].day >= P->settle_d;

		if ((s[i].fx >= FX_SEVERE || unsettled) && s[i].dose_ug > 0 &&
		    s[i].dose_ug < bar)
			bar = s[i].dose_ug;
		if (s[i].fx == FX_SERIOUS)
			last_serious = i;
		if (s[i].dose_ug > best_taken)
			best_taken = s[i].dose_ug;
		if (base_sleep < 0)
			base_sleep = s[i].sleep;
	}
	for (size_t i = 0; i < nv; i++)
		if (s[i].fx <= FX_MILD && s[i].dose_ug < d &&
		    s[i].dose_ug < bar && s[i].dose_ug > tolerated_below)
			tolerated_below = s[i].dose_ug;
	/* after an intolerable effect, re-titrate at the slow interval */
	if (bar != INT32_MAX && P->interval_sensitive_d > interval)
		interval = P->interval_sensitive_d;

	if (L->fx == FX_SERIOUS) {
		set_mg(n, V_DOSE, d);
		advise(n, LDN_NEXT_STOP, E_NEXT_STOP_SERIOUS, 0, today);
		return;
	}
	/* after a serious effect, whatever is taken now: no dose advice
	 * until a clinician has reviewed the event */
	if (last_serious != SIZE_MAX) {
		set_date(n, V_FROM_DATE, s[last_serious].day);
		set_mg(n, V_DOSE, s[last_serious].dose_ug);
		advise(n, LDN_NEXT_STOP, E_NEXT_STOPPED_SERIOUS, 0, today);
		return;
	}
	if (d == 0) {
		/* restart at the first dose, but below any dose that was
		 * not tolerated */
		int32_t start = c->start_ug < bar
		    ? c->start_ug
		    : halve(bar, P->granularity_ug);

		set_mg(n, V_START_DOSE, start);
		set_mg(n, V_MAX_DOSE, best_taken);
		set_int(n, V_INTERVAL_DAYS, interval);
		advise(n, LDN_NEXT_REINTRODUCE, E_NEXT_REINTRODUCE, start,
		    today);
		return;
	}

	/* the run: the latest visits at the current dose */
	for (r = nv - 1; r > 0 && s[r - 1].dose_ug == d; r--)
		;
	int32_t run_day = s[r].day;
	int b = s[0].pain;

	set_mg(n, V_DOSE, d);
	set_int(n, V_PAIN, L->pain);
	set_int(n, V_BASELINE_PAIN, b);
	/* a step back halves the current dose, or the lowest dose that
	 * was not tolerated if that is lower: never back above it */
	int32_t back_from = d < bar ? d : bar;

	if (L->fx == FX_SEVERE) {
		step_back(n, P, back_from, tolerated_below, interval, today);
		return;
	}
	if (base_sleep >= 0 && L->sleep >= 0 &&
	    base_sleep - L->sleep >= P->sleep_worse_points && !L->morning) {
		set_int(n, V_SLEEP, L->sleep);
		set_int(n, V_BASELINE_SLEEP, base_sleep);
		advise(n, LDN_NEXT_MORNING, E_NEXT_MORNING, d, today);
		return;
	}
	if (L->fx == FX_MODERATE) {
		size_t f = nv - 1;

		while (f > r && s[f - 1].fx == FX_MODERATE)
			f--;
		if (L->day - s[f].day >= P->settle_d) {
			step_back(n, P, back_from, tolerated_below, interval,
			    today);
			return;
		}
		set_date(n, V_FROM_DATE, s[f].day);
		set_mg(n, V_NEXT_DOSE, halve(back_from, P->granularity_ug));
		advise(n, LDN_NEXT_HOLD, E_NEXT_HOLD_SETTLING, d,
		    s[f].day + P->settle_d > today ? s[f].day + P->settle_d
		                                   : today);
		return;
	}

	/* tolerated */
	bool meaningful = fell_by(b, L->pain, b, P->meaningful_pct);
	bool from_below = r > 0 && s[r - 1].dose_ug < d;
	bool growing =
	    !from_below || fell_by(s[r - 1].pain, L->pain, b, P->minimal_pct);
	int32_t up =
	    d + c->step_ug < c->ceiling_ug ? d + c->step_ug : c->ceiling_ug;

	if (meaningful && !growing) {
		set_mg(n, V_MAX_DOSE, s[r - 1].dose_ug);
		advise(n, LDN_NEXT_HOLD, E_NEXT_HOLD_PLATEAU, d,
		    run_day + P->trial_min_d > today ? run_day + P->trial_min_d
		                                     : today);
		return;
	}
	if (d >= c->ceiling_ug || up >= bar || c->step_ug <= 0) {
		int32_t days = L->day - run_day;
		/* below the ceiling, the climb stops under a dose that was
		 * not tolerated: that dose is named, never as the ceiling */
		bool untolerated = d < c->ceiling_ug && up >= bar;

		set_mg(n, V_CEILING, d >= c->ceiling_ug ? c->ceiling_ug : d);
		if (untolerated)
			set_mg(n, V_NOT_TOLERATED, bar);
		set_date(n, V_FROM_DATE, run_day);
		set_int(n, V_DAYS, days);
		if (meaningful)
			advise(n, LDN_NEXT_HOLD,
			    untolerated ? E_NEXT_HOLD_BEST_TOLERATED
			                : E_NEXT_HOLD_BEST,
			    d, today);
		else if (days >= P->trial_max_d)
			advise(n, LDN_NEXT_STOP, E_NEXT_STOP_NO_BENEFIT, 0,
			    today);
		else if (days >= P->trial_min_d)
			advise(n, LDN_NEXT_HOLD, E_NEXT_REVIEW_NO_BENEFIT, d,
			    run_day + P->trial_max_d);
		else
			advise(n, LDN_NEXT_HOLD, E_NEXT_HOLD_TRIAL, d,
			    run_day + P->trial_min_d);
		return;
	}
	set_mg(n, V_NEXT_DOSE, up);
	set_int(n, V_INTERVAL_DAYS, interval);
	advise(n, LDN_NEXT_ESCALATE, E_NEXT_ESCALATE, up,
	    run_day + interval > today ? run_day + interval : today);
}

enum ldn_status
ldn_next_advise(const struct ldn_kb *kb, const struct ldn_course *c,
    const char *as_of, struct ldn_next **out, struct ldn_error *err)
{
	const struct params *P = &kb->params;
	struct ldn_next *n;
	struct seen *s = NULL;
	int32_t today, es;
	bool any_dose = false;
	enum ldn_status rc;

	if (as_of == NULL)
		today = date_today();
	else if (!date_parse(as_of, strlen(as_of), &today))
		return ldn_fail(err, LDN_E_SCHEMA, "as_of",
		    "\"%s\" is not a date YYYY-MM-DD", as_of);
	if (c->ceiling_ug <= 0 && strcmp(c->decision, "do-not-start") != 0)
		return ldn_fail(err, LDN_E_SCHEMA, "ceiling",
		    "the plan has no ceiling dose");
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	if (c->n_visits > 0 && (s = calloc(c->n_visits, sizeof(*s))) == NULL) {
		free(n);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	n->kb = kb;
	snprintf(n->patient_id, sizeof(n->patient_id), "%s", c->patient_id);
	date_format(today, n->as_of);
	if (strcmp(c->decision, "do-not-start") != 0 &&
	    (rc = read_course(c, today, s, err)) != LDN_OK) {
		free(s);
		free(n);
		return rc;
	}
	for (size_t i = 0; i < c->n_visits && s; i++)
		any_dose |= s[i].dose_ug > 0 || s[i].fx == FX_SERIOUS;
	n->morning = c->n_visits > 0 && s ? s[c->n_visits - 1].morning
	                                  : strcmp(c->timing, "morning") == 0;
	n->opioid_kept = c->opioid_kept;
	if (strcmp(c->decision, "do-not-start") == 0) {
		advise(n, LDN_NEXT_NONE, E_NEXT_NOT_STARTED, 0, today);
	} else if (!any_dose) {
		if (!date_parse(c->earliest_start, strlen(c->earliest_start),
		        &es) ||
		    es < today)
			es = today;
		set_mg(n, V_DOSE, c->start_ug);
		advise(n, LDN_NEXT_START, E_NEXT_START, c->start_ug, es);
	} else if (date_parse(c->earliest_start, strlen(c->earliest_start),
	               &es) &&
	    today < es) {
		/* doses recorded while the plan still says wait (a washout
		 * or a hold): none until it lifts */
		set_date(n, V_FROM_DATE, es);
		advise(n, LDN_NEXT_STOP, E_NEXT_BEFORE_START, 0, today);
	} else {
		rules(n, P, c, s, c->n_visits, today);
	}
	free(s);
	*out = n;
	return LDN_OK;
}

void
ldn_next_free(struct ldn_next *n)
{
	free(n);
}

enum ldn_next_action
ldn_next_action(const struct ldn_next *n)
{
	return n->action;
}

const char *
ldn_next_action_name(enum ldn_next_action a)
{
	return (unsigned)a < sizeof(action_names) / sizeof(action_names[0])
	    ? action_names[a]
	    : "?";
}

const char *
ldn_next_rule(const struct ldn_next *n)
{
	return n->kb->entries[n->rule].id;
}

int32_t
ldn_next_dose_ug(const struct ldn_next *n)
{
	return n->dose_ug;
}

const char *
ldn_next_date(const struct ldn_next *n)
{
	return n->date;
}
