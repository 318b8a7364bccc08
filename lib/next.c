/*
 * The next step of a titration.  The rules, first match wins:
 *
 *   plan says do not start                   -> none
 *   no visit yet (or every dose 0)           -> start as planned
 *   serious effect at the latest visit       -> stop now
 *   a serious effect at any earlier visit    -> stop (no titration and no
 *                                               re-introduction without a
 *                                               clinician's review)
 *   doses while the plan still says wait     -> stop until it lifts
 *   not taking, after a full trial that
 *     ended without benefit                  -> stay stopped
 *   not taking, after earlier doses          -> re-introduce and titrate,
 *                                               below any intolerable dose,
 *                                               once effects reported off
 *                                               LDN have had settle_d days
 *   severe effect                            -> step back: halve
 *   sleep worse than baseline, not morning   -> same dose in the morning
 *   moderate effect, settling window open    -> hold until it closes
 *   moderate effect, window passed           -> step back: halve
 *   too few doses taken at the latest visit  -> hold, neither raised nor
 *                                               judged
 *   tolerated, benefit meaningful, last step
 *     added no minimal further benefit       -> hold (plateau)
 *   tolerated, at the highest open dose      -> hold, or the 8-12 week
 *     (ceiling, or below an intolerable one)    trial: review, then stop
 *                                               (no pain at the baseline:
 *                                               hold, judged otherwise; at
 *                                               the co-use cap: stop there)
 *   tolerated                                -> escalate one step, never
 *                                               sooner than the interval
 *
 * Then the plan's holds around procedures override the advice (holds()):
 * stop inside one, restart at the first dose after one, and no step up,
 * start or restart dated inside one.
 *
 * A dose is intolerable once a visit at it had severe or serious effects,
 * or moderate ones still there settle_d days on (effects at a visit off
 * LDN count against the last dose taken).  After one, steps come at
 * the slow interval, and no step, step back or restart reaches it again.
 * Pain is compared with the first visit (the baseline); sleep with the
 * first visit that recorded it.
 * Every threshold is a kb number: response.meaningful_pct,
 * response.minimal_pct, side_effects.settle_d, sleep.worse_points,
 * adherence.min_pct,
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
	int pain, sleep, adherence;
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
	n->day = day;
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
read_course(const struct ldn_course *c, int32_t today, int32_t planned,
    struct seen *s, struct ldn_error *err)
{
	char where[48];
	const char *timing = c->timing;

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
		if (v->mood < -1 || v->mood > 10 || v->energy < -1 ||
		    v->energy > 10 || v->clarity < -1 || v->clarity > 10)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "mood, energy and clarity must be from 0 to 10, "
			    "not %d, %d and %d",
			    v->mood, v->energy, v->clarity);
		if (v->adherence < -1 || v->adherence > 100)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "adherence must be from 0 to 100%%, not %d",
			    v->adherence);
		if (v->timing && strcmp(v->timing, "bedtime") != 0 &&
		    strcmp(v->timing, "morning") != 0)
			return ldn_fail(err, LDN_E_SCHEMA, where,
			    "timing \"%s\" is not bedtime or morning",
			    v->timing);
		/* a visit before the latest plan was under an earlier one,
		 * whose ceiling may have been higher */
		if (v->dose_ug < 0 ||
		    (v->dose_ug > c->ceiling_ug && s[i].day > planned))
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
		s[i].adherence = v->adherence;
		s[i].fx = (enum effect)k;
		/* a visit that did not record when: as the last one that
		 * did, else as the plan says */
		if (v->timing)
			timing = v->timing;
		s[i].morning = strcmp(timing, "morning") == 0;
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
	if (tolerated_below > 0)
		set_mg(n, V_MAX_DOSE, tolerated_below);
	set_int(n, V_INTERVAL_DAYS,
	    P->interval_sensitive_d > interval ? P->interval_sensitive_d
	                                       : interval);
	advise(n, LDN_NEXT_STEP_BACK,
	    tolerated_below > 0 ? E_NEXT_STEP_BACK : E_NEXT_STEP_BACK_FIRST,
	    half, today);
}

/* Whether one of the plan's holds ends between two visits' days: its
 * restart day after the first, on or before the second. */
static bool
hold_between(const struct ldn_next *n, int32_t a, int32_t b)
{
	for (size_t i = 0; i < n->n_holds; i++)
		if (a < n->huntil[i] && n->huntil[i] <= b)
			return true;
	return false;
}

static void rules(struct ldn_next *n, const struct params *P,
    const struct ldn_course *c, const struct seen *s, size_t nv, int32_t today);

/* Whether the doses before visit z (one off LDN) ended in a trial without
 * benefit, under the latest plan (a plan issued since is a clinician's
 * new decision): then n says stay stopped. */
static bool
failed_before(struct ldn_next *n, const struct params *P,
    const struct ldn_course *c, const struct seen *s, size_t z, int32_t today)
{
	struct ldn_next then = { .kb = n->kb,
		.nested = true, /* one level: the earlier rules, not theirs */
		.planned = n->planned,
		.n_holds = n->n_holds,
		.hfrom = n->hfrom,
		.huntil = n->huntil };
	size_t k = z;

	while (k > 0 && s[k].dose_ug == 0)
		k--;
	if (s[k].dose_ug <= 0 || s[k].day <= n->planned)
		return false;
	rules(&then, P, c, s, k + 1, s[k].day);
	if (then.rule != E_NEXT_STOP_NO_BENEFIT &&
	    then.rule != E_NEXT_CO_USE_NO_BENEFIT)
		return false;
	memcpy(n->val, then.val, sizeof(n->val));
	for (int v = 0; v < V_COUNT; v++)
		n->vars[v] = then.vars[v] ? n->val[v] : NULL;
	advise(n, LDN_NEXT_STOP, E_NEXT_STOPPED_NO_BENEFIT, 0, today);
	return true;
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
	int32_t taken = 0; /* the last dose above 0, for a visit at 0 */

	for (size_t i = 0, from = 0; i < nv; i++) {
		/* a dose is intolerable once a visit at it had severe or
		 * serious effects, or moderate ones that had not settled
		 * settle_d days on (the same visits the step back uses) */
		if (i == 0 || s[i].dose_ug != s[i - 1].dose_ug ||
		    s[i - 1].fx != FX_MODERATE)
			from = i;
		bool unsettled = s[i].fx == FX_MODERATE &&
		    s[i].day - s[from].day >= P->settle_d;

		/* effects at a visit off LDN are the last dose's */
		int32_t at = s[i].dose_ug > 0 ? s[i].dose_ug : taken;

		if ((s[i].fx >= FX_SEVERE || unsettled) && at > 0 && at < bar)
			bar = at;
		if (s[i].dose_ug > 0)
			taken = s[i].dose_ug;
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
	/* any restart is at the first dose, but below any dose that was
	 * not tolerated */
	n->restart_ug =
	    c->start_ug < bar ? c->start_ug : halve(bar, P->granularity_ug);
	n->interval_d = interval;

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
	/* a course stopped after a trial without benefit (a visit off LDN
	 * after it) stays stopped, even if doses were taken again since,
	 * until a plan issued after it says otherwise */
	for (size_t z = nv; !n->nested && z-- > 1;)
		if (s[z].dose_ug == 0 && s[z - 1].dose_ug > 0 &&
		    failed_before(n, P, c, s, z, today))
			return;
	if (d > c->ceiling_ug) {
		/* a plan issued since lowered the ceiling below the dose: down
		 * to it, but below any dose not tolerated, and no higher than
		 * a step back when effects are reported */
		int32_t to = c->ceiling_ug < bar
		    ? c->ceiling_ug
		    : halve(bar, P->granularity_ug);
		int32_t half = halve(d < bar ? d : bar, P->granularity_ug);

		if (L->fx >= FX_MODERATE && half < to)
			to = half;
		set_mg(n, V_DOSE, d);
		set_mg(n, V_CEILING, c->ceiling_ug);
		set_mg(n, V_NEXT_DOSE, to);
		advise(n, LDN_NEXT_STEP_BACK, E_NEXT_ABOVE_CEILING, to, today);
		return;
	}
	if (d == 0) {
		/* restart once effects still reported off LDN have had
		 * their days to settle */
		int32_t start = n->restart_ug;
		int32_t when =
		    L->fx >= FX_MODERATE && L->day + P->settle_d > today
		    ? L->day + P->settle_d
		    : today;

		set_mg(n, V_START_DOSE, start);
		set_mg(n, V_MAX_DOSE, best_taken);
		set_int(n, V_INTERVAL_DAYS, interval);
		advise(n, LDN_NEXT_REINTRODUCE, E_NEXT_REINTRODUCE, start,
		    when);
		return;
	}

	/* the run: the latest visits at the current dose, since the last
	 * hold between them (days at a dose do not count across one) */
	for (r = nv - 1; r > 0 && s[r - 1].dose_ug == d &&
	     !hold_between(n, s[r - 1].day, s[r].day);
	     r--)
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

	/* too few doses taken: the dose can be neither raised nor judged */
	if (L->adherence >= 0 && L->adherence < P->adherence_min_pct) {
		set_int(n, V_ADHERENCE, L->adherence);
		advise(n, LDN_NEXT_HOLD, E_NEXT_ADHERENCE, d, today);
		return;
	}

	/* tolerated */
	bool meaningful = fell_by(b, L->pain, b, P->meaningful_pct);
	/* a restart after days off is not a step up */
	bool from_below = r > 0 && s[r - 1].dose_ug > 0 && s[r - 1].dose_ug < d;
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
		/* the lowest share of doses taken at this dose, in the
		 * longest trial period back from the latest visit */
		int low = -1;

		for (size_t i = r; i < nv; i++)
			if (s[i].adherence >= 0 &&
			    L->day - s[i].day < P->trial_max_d &&
			    (low < 0 || s[i].adherence < low))
				low = s[i].adherence;
		/* review days already past are due today */
		int32_t first = run_day + P->trial_min_d > today
		    ? run_day + P->trial_min_d
		    : today;
		int32_t longest = run_day + P->trial_max_d > today
		    ? run_day + P->trial_max_d
		    : today;

		if (meaningful)
			advise(n, LDN_NEXT_HOLD,
			    untolerated ? E_NEXT_HOLD_BEST_TOLERATED
			                : E_NEXT_HOLD_BEST,
			    d, today);
		else if (low >= 0 && low < P->adherence_min_pct) {
			/* too few doses taken during the trial to judge it */
			set_int(n, V_ADHERENCE, low);
			advise(n, LDN_NEXT_HOLD, E_NEXT_ADHERENCE, d, today);
		} else if (b == 0) {
			/* no pain at the baseline: pain cannot show a benefit
			 */
			advise(n, LDN_NEXT_HOLD, E_NEXT_HOLD_UNJUDGED, d,
			    first);
		} else if (days >= P->trial_max_d && c->opioid_kept)
			/* a trial at the co-use cap says nothing of the usual
			 * doses */
			advise(n, LDN_NEXT_STOP, E_NEXT_CO_USE_NO_BENEFIT, 0,
			    today);
		else if (days >= P->trial_max_d)
			advise(n, LDN_NEXT_STOP, E_NEXT_STOP_NO_BENEFIT, 0,
			    today);
		else if (days >= P->trial_min_d)
			advise(n, LDN_NEXT_HOLD, E_NEXT_REVIEW_NO_BENEFIT, d,
			    longest);
		else
			advise(n, LDN_NEXT_HOLD, E_NEXT_HOLD_TRIAL, d, first);
		return;
	}
	set_mg(n, V_NEXT_DOSE, up);
	set_int(n, V_INTERVAL_DAYS, interval);
	advise(n, LDN_NEXT_ESCALATE, E_NEXT_ESCALATE, up,
	    run_day + interval > today ? run_day + interval : today);
}

/* The plan's holds around procedures, read: days, and NONE_DAY for a
 * hold with no restart day (it lasts until a new plan). */
#define NONE_DAY INT32_MAX

static enum ldn_status
read_holds(const struct ldn_course *c, int32_t *from, int32_t *until,
    struct ldn_error *err)
{
	for (size_t i = 0; i < c->n_holds; i++) {
		const struct ldn_hold *h = &c->holds[i];

		if (!date_parse(h->from, strnlen(h->from, sizeof(h->from)),
		        &from[i]))
			return ldn_fail(err, LDN_E_SCHEMA, "holds",
			    "hold %zu: from \"%.10s\" is not YYYY-MM-DD", i,
			    h->from);
		if (i > 0 && from[i] < from[i - 1])
			return ldn_fail(err, LDN_E_SCHEMA, "holds",
			    "hold %zu: from %.10s is before the hold above it: "
			    "holds must be in date order",
			    i, h->from);
		if (h->until[0] == '\0')
			until[i] = NONE_DAY;
		else if (!date_parse(h->until,
		             strnlen(h->until, sizeof(h->until)), &until[i]) ||
		    until[i] < from[i])
			return ldn_fail(err, LDN_E_SCHEMA, "holds",
			    "hold %zu: until \"%.10s\" is not a date on or "
			    "after %.10s",
			    i, h->until, h->from);
	}
	return LDN_OK;
}

/* A hold's days into the variables start and restart (the advice's, or
 * the note's: the advice beside a note may name another hold), with the
 * restart dose. */
static void
set_hold(struct ldn_next *n, enum var start, enum var restart, int32_t from,
    int32_t until)
{
	set_date(n, start, from);
	if (until == NONE_DAY) {
		snprintf(n->val[restart], NEXT_VAR_LEN, "a new plan says so");
		n->vars[restart] = n->val[restart];
	} else {
		set_date(n, restart, until);
	}
	set_mg(n, V_START_DOSE, n->restart_ug);
}

static void
hold_vars(struct ldn_next *n, int32_t from, int32_t until)
{
	set_hold(n, V_HOLD_START, V_RESTART_DATE, from, until);
}

static void
note_vars(struct ldn_next *n, int32_t from, int32_t until)
{
	set_hold(n, V_NOTE_HOLD_START, V_NOTE_RESTART_DATE, from, until);
}

/* The plan's holds around procedures, after the titration rules.  A stop
 * outranks them all.  Inside a hold: stop until its restart day (a first
 * dose still to come waits for that day).  After one, with no visit since
 * its restart day: restart at the first dose, once effects reported off
 * LDN have settled.  And before one still to come: nothing that raises or
 * gives a dose is dated on or after its first day (a step up becomes a
 * hold at the dose taken until then; a first dose or restart waits for
 * its restart day), and any other advice carries the hold's note. */
static void
holds(struct ldn_next *n, const struct params *P, const struct seen *s,
    size_t nv, size_t nh, const int32_t *from, const int32_t *until,
    int32_t today)
{
	int32_t last = nv > 0 ? s[nv - 1].day : INT32_MIN;
	bool dosed = false;

	if (n->action == LDN_NEXT_STOP || n->action == LDN_NEXT_NONE)
		return;
	for (size_t i = 0; i < nv; i++)
		dosed |= s[i].dose_ug > 0;
	/* the latest hold begun */
	for (size_t i = nh; i-- > 0;) {
		if (from[i] > today)
			continue;
		if (today < until[i] &&
		    (n->rule != E_NEXT_START || until[i] == NONE_DAY)) {
			hold_vars(n, from[i], until[i]);
			advise(n, LDN_NEXT_STOP, E_NEXT_PERIOP_HOLD, 0, today);
			return;
		}
		if (today < until[i]) {
			if (n->day < until[i])
				advise(n, n->action, n->rule, n->dose_ug,
				    until[i]);
		} else if (dosed && last < until[i] &&
		    n->rule != E_NEXT_START) {
			const struct seen *L = &s[nv - 1];
			int32_t when = today;

			if (L->fx >= FX_MODERATE && L->day + P->settle_d > when)
				when = L->day + P->settle_d;
			hold_vars(n, from[i], until[i]);
			set_int(n, V_INTERVAL_DAYS, n->interval_d);
			advise(n, LDN_NEXT_REINTRODUCE, E_NEXT_PERIOP_RESTART,
			    n->restart_ug, when);
		}
		break;
	}
	/* the holds still to come, in date order: a step up, first dose or
	 * restart is not made within an interval of one (as the plan's
	 * schedule keeps its steps clear of holds) */
	for (size_t i = 0; i < nh; i++) {
		bool doses = n->action == LDN_NEXT_ESCALATE ||
		    n->action == LDN_NEXT_START ||
		    n->action == LDN_NEXT_REINTRODUCE;

		if (from[i] <= today)
			continue;
		if (n->day < from[i] &&
		    !(doses && n->day + n->interval_d > from[i])) {
			/* the advice comes first: it carries the note */
			note_vars(n, from[i], until[i]);
			n->hold_note = true;
			n->hold_from = from[i];
			return;
		}
		if (n->action == LDN_NEXT_ESCALATE) {
			/* the dose taken now goes on until the hold */
			int32_t d = s[nv - 1].dose_ug;

			hold_vars(n, from[i], until[i]);
			set_mg(n, V_DOSE, d);
			n->hold_from = from[i];
			advise(n, LDN_NEXT_HOLD, E_NEXT_PERIOP_BEFORE, d,
			    today);
			return;
		}
		if ((n->action == LDN_NEXT_START ||
		        n->action == LDN_NEXT_REINTRODUCE) &&
		    until[i] == NONE_DAY) {
			hold_vars(n, from[i], until[i]);
			advise(n, LDN_NEXT_STOP, E_NEXT_PERIOP_HOLD, 0, today);
			return;
		}
		if (n->action == LDN_NEXT_START ||
		    n->action == LDN_NEXT_REINTRODUCE) {
			/* a first dose or restart waits for its end; then
			 * the holds after it are looked at */
			if (n->day < until[i])
				advise(n, n->action, n->rule, n->dose_ug,
				    until[i]);
			continue;
		}
		/* a hold, a move or a step back dated into it: its note */
		note_vars(n, from[i], until[i]);
		n->hold_note = true;
		n->hold_from = from[i];
		return;
	}
}

/* Doses under an earlier plan, then a latest plan that made LDN wait
 * (its earliest start after its as-of day), and no visit since the wait
 * ended: a restart, not the old dose. */
static void
restart_after_wait(struct ldn_next *n, const struct ldn_course *c,
    const struct seen *s, int32_t settle_d)
{
	int32_t planned = n->planned;
	size_t nv = c->n_visits;
	int32_t es;
	bool before = false;

	if (n->action == LDN_NEXT_STOP || nv == 0 ||
	    !date_parse(c->earliest_start,
	        strnlen(c->earliest_start, sizeof(c->earliest_start)), &es) ||
	    es <= planned || s[nv - 1].day >= es)
		return;
	for (size_t i = 0; i < nv; i++)
		before |= s[i].dose_ug > 0 && s[i].day <= planned;
	if (!before)
		return;
	/* effects reported off LDN have their days to settle first */
	int32_t when = n->today;
	const struct seen *L = &s[nv - 1];

	if (L->fx >= FX_MODERATE && L->day + settle_d > when)
		when = L->day + settle_d;
	set_date(n, V_FROM_DATE, es);
	set_mg(n, V_START_DOSE, n->restart_ug);
	set_int(n, V_INTERVAL_DAYS, n->interval_d);
	advise(n, LDN_NEXT_REINTRODUCE, E_NEXT_RESTART_AFTER_WAIT,
	    n->restart_ug, when);
}

/* Whether a visit recorded a serious adverse effect. */
static bool
any_serious(const struct seen *s, size_t nv)
{
	for (size_t i = 0; i < nv; i++)
		if (s[i].fx == FX_SERIOUS)
			return true;
	return false;
}

enum ldn_status
ldn_next_advise(const struct ldn_kb *kb, const struct ldn_course *c,
    const char *as_of, struct ldn_next **out, struct ldn_error *err)
{
	const struct params *P = &kb->params;
	struct ldn_next *n;
	struct seen *s = NULL;
	int32_t today, es, planned, *hfrom = NULL, *huntil = NULL;
	bool any_dose = false, stopping = true;
	enum ldn_status rc;

	if (as_of == NULL)
		today = date_today();
	else if (!date_parse(as_of, strlen(as_of), &today))
		return ldn_fail(err, LDN_E_SCHEMA, "as_of",
		    "\"%s\" is not a date YYYY-MM-DD", as_of);
	if (!date_parse(c->as_of, strnlen(c->as_of, sizeof(c->as_of)),
	        &planned))
		planned = INT32_MIN;
	if (strcmp(c->decision, "do-not-start") != 0) {
		/* a plan with a schedule has its numbers (plans stored
		 * before migration 002 have none, and are refused) */
		if (c->ceiling_ug <= 0)
			return ldn_fail(err, LDN_E_SCHEMA, "ceiling",
			    "the plan has no ceiling dose");
		if (c->start_ug <= 0 || c->start_ug > c->ceiling_ug)
			return ldn_fail(err, LDN_E_SCHEMA, "start",
			    "the plan's start dose of %d ug is not above 0 "
			    "and within its ceiling of %d ug: make a new plan",
			    (int)c->start_ug, (int)c->ceiling_ug);
		if (c->step_ug < 0 || c->interval_d < 1)
			return ldn_fail(err, LDN_E_SCHEMA, "interval",
			    "the plan's step (%d ug) and interval (%d days) "
			    "are not a titration: make a new plan",
			    (int)c->step_ug, c->interval_d);
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	if ((c->n_visits > 0 &&
	        (s = calloc(c->n_visits, sizeof(*s))) == NULL) ||
	    (c->n_holds > 0 &&
	        ((hfrom = calloc(c->n_holds, sizeof(*hfrom))) == NULL ||
	            (huntil = calloc(c->n_holds, sizeof(*huntil))) == NULL))) {
		free(s);
		free(hfrom);
		free(huntil);
		free(n);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	n->kb = kb;
	n->today = today;
	n->planned = planned;
	n->restart_ug = c->start_ug;
	n->interval_d = c->interval_d;
	n->hold_from = INT32_MAX;
	n->n_holds = c->n_holds;
	n->hfrom = hfrom;
	n->huntil = huntil;
	snprintf(n->patient_id, sizeof(n->patient_id), "%s", c->patient_id);
	date_format(today, n->as_of);
	if (strcmp(c->decision, "do-not-start") != 0 &&
	    ((rc = read_course(c, today, planned, s, err)) != LDN_OK ||
	        (rc = read_holds(c, hfrom, huntil, err)) != LDN_OK)) {
		free(s);
		free(hfrom);
		free(huntil);
		free(n);
		return rc;
	}
	for (size_t i = 0; i < c->n_visits && s; i++)
		any_dose |= s[i].dose_ug > 0 || s[i].fx == FX_SERIOUS;
	n->morning = c->n_visits > 0 && s ? s[c->n_visits - 1].morning
	                                  : strcmp(c->timing, "morning") == 0;
	n->opioid_kept = c->opioid_kept;
	size_t serious = SIZE_MAX; /* the last visit with a serious effect */
	int32_t serious_day;

	for (size_t i = 0; i < c->n_visits; i++)
		if (c->visits[i].side_effects &&
		    strcmp(c->visits[i].side_effects, "serious") == 0)
			serious = i;
	if (strcmp(c->decision, "do-not-start") == 0 && serious != SIZE_MAX &&
	    date_parse(c->visits[serious].date,
	        strnlen(c->visits[serious].date, 11), &serious_day)) {
		/* a serious effect outranks the plan: a clinician's review */
		set_date(n, V_FROM_DATE, serious_day);
		set_mg(n, V_DOSE, c->visits[serious].dose_ug);
		advise(n, LDN_NEXT_STOP, E_NEXT_STOPPED_SERIOUS, 0, today);
	} else if (strcmp(c->decision, "do-not-start") == 0 &&
	    c->n_visits > 0 && c->visits[c->n_visits - 1].dose_ug > 0) {
		/* a plan issued since says do not start: stop what is taken */
		set_mg(n, V_DOSE, c->visits[c->n_visits - 1].dose_ug);
		advise(n, LDN_NEXT_STOP, E_NEXT_STOP_PLAN, 0, today);
	} else if (strcmp(c->decision, "do-not-start") == 0) {
		advise(n, LDN_NEXT_NONE, E_NEXT_NOT_STARTED, 0, today);
	} else if (!any_dose) {
		if (!date_parse(c->earliest_start, strlen(c->earliest_start),
		        &es) ||
		    es < today)
			es = today;
		set_mg(n, V_DOSE, c->start_ug);
		advise(n, LDN_NEXT_START, E_NEXT_START, c->start_ug, es);
	} else if (any_serious(s, c->n_visits)) {
		/* a serious effect outranks every date the plan sets */
		rules(n, P, c, s, c->n_visits, today);
	} else if (date_parse(c->earliest_start, strlen(c->earliest_start),
	               &es) &&
	    today < es) {
		/* doses recorded while the plan still says wait (a washout
		 * or a hold): none until it lifts.  Doses only up to the
		 * plan's day were taken under an earlier plan: this one
		 * pauses them, it does not find them wrong. */
		bool since = false;

		for (size_t i = 0; i < c->n_visits; i++)
			since |= s[i].dose_ug > 0 && s[i].day > planned;
		set_date(n, V_FROM_DATE, es);
		set_mg(n, V_START_DOSE, c->start_ug);
		advise(n, LDN_NEXT_STOP,
		    since ? E_NEXT_BEFORE_START : E_NEXT_WAIT_NEW_PLAN, 0,
		    today);
	} else {
		rules(n, P, c, s, c->n_visits, today);
		stopping = false;
		restart_after_wait(n, c, s, P->settle_d);
	}
	if (!stopping || n->rule == E_NEXT_START)
		holds(n, P, s, c->n_visits, c->n_holds, hfrom, huntil, today);
	n->n_holds = 0;
	n->hfrom = n->huntil = NULL;
	free(s);
	free(hfrom);
	free(huntil);
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
