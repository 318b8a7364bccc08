/*
 * A course of LDN as it is lived: the plan's numbers and the visits that
 * follow it.  The store fills a course from what it keeps; the next-step
 * advice reads one.  Neither needs the other.
 */
#ifndef LDN_COURSE_H
#define LDN_COURSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One visit.  Pain is 0-10 with 10 the worst; sleep, mood, energy and
 * clarity are 0-10 with 10 the best, or -1 when not recorded.
 */
struct ldn_visit {
	char date[11];                    /* YYYY-MM-DD */
	int32_t dose_ug;                  /* the dose taken; 0: not taking */
	int pain;                         /* 0-10, required */
	int sleep, mood, energy, clarity; /* 0-10 or -1 */
	const char *side_effects; /* none, mild, moderate, severe, serious */
	int adherence;            /* percent of doses taken, 0-100 or -1 */
	const char *notes;        /* may be NULL */
	const char *timing;       /* "bedtime", "morning", or NULL: unknown */
};

/* A hold the plan makes around a procedure: no dose from `from` until
 * `until`, the day LDN restarts at the start dose ("" when the plan gives
 * no restart day). */
struct ldn_hold {
	char from[11], until[11]; /* YYYY-MM-DD */
};

/* A patient's latest plan, in numbers, and every visit, oldest first. */
struct ldn_course {
	char patient_id[256];
	char as_of[11];          /* the plan's as-of date */
	char decision[16];       /* start, wait, do-not-start */
	char earliest_start[11]; /* "" for do-not-start */
	int32_t start_ug;        /* first dose; 0 when no schedule */
	int32_t step_ug;         /* increment per step */
	int interval_d;          /* days between steps */
	int32_t ceiling_ug;      /* never above */
	char timing[8];          /* the plan's: "bedtime" or "morning" */
	/* the plan keeps an opioid (policy opioid_co_use=relative) */
	bool opioid_kept;
	size_t n_holds;
	struct ldn_hold *holds; /* the plan's holds, in date order */
	size_t n_visits;
	struct ldn_visit *visits; /* strings owned by the course */
};

#endif
