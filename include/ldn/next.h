/*
 * The next step of a titration, from a course of visits: start, escalate,
 * hold, step back, move to morning dosing, stop or re-introduce, each with
 * the knowledge base's words and citations.  Pure: a course in, advice
 * out; the store is not involved.  The first visit of a course is its
 * baseline (pain and sleep are compared with it).
 */
#ifndef LDN_NEXT_H
#define LDN_NEXT_H

#include <stdint.h>

#include "ldn/course.h"
#include "ldn/error.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

enum ldn_next_action {
	LDN_NEXT_NONE,        /* the plan says do not start: nothing to dose */
	LDN_NEXT_START,       /* no visit yet: start as planned */
	LDN_NEXT_ESCALATE,    /* one step up, not before date */
	LDN_NEXT_HOLD,        /* stay at the current dose */
	LDN_NEXT_STEP_BACK,   /* halve the dose, then re-titrate */
	LDN_NEXT_MORNING,     /* same dose, taken in the morning */
	LDN_NEXT_STOP,        /* stop LDN */
	LDN_NEXT_REINTRODUCE, /* restart at the first dose and titrate */
};

struct ldn_next;

/*
 * Advise on course c as of as_of ("YYYY-MM-DD"; NULL: today, UTC).
 * Refused (LDN_E_SCHEMA, naming the field) for a course that cannot be
 * read: visits out of date order, a date after as_of, a score out of
 * range, a dose above the plan's ceiling.
 */
enum ldn_status ldn_next_advise(const struct ldn_kb *kb,
    const struct ldn_course *c, const char *as_of, struct ldn_next **out,
    struct ldn_error *err);
void ldn_next_free(struct ldn_next *n);

enum ldn_next_action ldn_next_action(const struct ldn_next *n);
/* "none", "start", "escalate", "hold", "step-back", "morning", "stop",
 * "reintroduce". */
const char *ldn_next_action_name(enum ldn_next_action a);
/* The rule that fired, e.g. "next.hold_plateau". */
const char *ldn_next_rule(const struct ldn_next *n);
/* The dose to take from date on (0 when stopping or not started). */
int32_t ldn_next_dose_ug(const struct ldn_next *n);
/* YYYY-MM-DD from which the advice applies (for a hold, the next review). */
const char *ldn_next_date(const struct ldn_next *n);

/* Text or JSON for one audience, as ldn_plan_render() (FHIR: refused). */
enum ldn_status ldn_next_render(const struct ldn_next *n,
    enum ldn_format format, enum ldn_audience audience, char **out, size_t *len,
    struct ldn_error *err);

/*
 * As ldn_next_render(), with the pharmacist's choices: formulation, a
 * dosage form of kb/formulations.yaml as ldn_plan_render_with() takes it
 * (NULL with supply_days 0: no form, the dose in mg only; NULL with a
 * supply: the kb's default form), and supply_days, days of the advised
 * dose to supply (0: none; else 1 to 366).  The pharmacist's advice is the
 * kb entry's pharmacist words; with a form it adds what one dose is in it
 * (never rounded: a dose the form cannot make is said so), the supply's
 * quantity, and the form's beyond-use dates with the fills a supply
 * needs.  Either choice for another audience, an unknown form or a bad
 * supply is LDN_E_SCHEMA naming "formulation" or "supply_days".
 */
enum ldn_status ldn_next_render_with(const struct ldn_next *n,
    enum ldn_format format, enum ldn_audience audience, const char *formulation,
    int32_t supply_days, char **out, size_t *len, struct ldn_error *err);

#endif
