/*
 * The dispensing sheet's arithmetic: a plan's dated steps turned into a
 * dosage form of kb/formulations.yaml (liquid at a concentration,
 * capsules of stocked strengths, sublingual drops), with the quantity for
 * a supply and the fills its beyond-use dating needs.  Exact integer
 * arithmetic (micrograms, microlitres, days); a dose the form cannot make
 * exactly is marked so, never rounded, and a capsule is never split.
 * lib/render/dispense.c writes the result for the pharmacist.
 */
#ifndef LDN_DISPENSE_H
#define LDN_DISPENSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "draft.h"
#include "kb/formulation_kb.h"

enum {
	DISPENSE_MAX_STRENGTHS = 8, /* = the loader's bound */
	DISPENSE_MAX_SUPPLY_D = 366,
	DISPENSE_MAX_FILLS = 400
};

/* What the pharmacist asked for: a form, a concentration (liquids) and a
 * supply in days (0: the default). */
struct dispense_opts {
	const struct fm_form *form;
	int32_t conc_ug_per_ml; /* liquids; 0 for capsules */
	int32_t supply_days;    /* 0: titration to the ceiling + the kb's */
};

struct dispense_step {
	int32_t date;    /* its first day */
	int32_t days;    /* its dose days within the supply (0: after it) */
	int32_t dose_ug; /* the schedule's dose; 0 while held */
	enum step_kind kind;
	bool exact;        /* the form makes the dose exactly */
	int32_t volume_ul; /* liquids: one dose, when exact */
	int64_t total_ul;  /* liquids: all its days */
	/* capsules: per dose, count[k] of strengths_ug[k], when exact */
	int32_t count[DISPENSE_MAX_STRENGTHS];
	int32_t n_capsules;
};

/* One fill: made and dispensed on `made`, usable through `last` (the
 * beyond-use date, day `made` counted as day 1), covering dose days
 * [from, to). */
struct dispense_fill {
	int32_t made, last, from, to;
	int64_t volume_ul;                        /* liquids */
	int64_t capsules[DISPENSE_MAX_STRENGTHS]; /* capsules */
};

struct dispense {
	const struct ldn_plan *pl;
	const struct fm_form *form;
	int32_t conc_ug_per_ml;
	/* false when the plan says do not start: no sheet, only why */
	bool available;
	int32_t first, end; /* dose days [first, end) */
	int32_t supply_days;
	bool supply_default;
	struct dispense_step *steps;
	size_t n_steps;
	bool all_exact;
	int64_t total_ul;
	int64_t total_capsules[DISPENSE_MAX_STRENGTHS];
};

/*
 * Parse --formulation (NULL: the kb's default form at its first
 * concentration; "liquid", "liquid:MG_PER_ML" with a concentration the kb
 * dates, "capsule", "sublingual") and --supply-days (0: default; else 1
 * to DISPENSE_MAX_SUPPLY_D) into *out.  LDN_E_SCHEMA with where
 * "formulation" or "supply_days" says why.
 */
enum ldn_status dispense_parse(const struct ldn_kb *kb, const char *formulation,
    int32_t supply_days, struct dispense_opts *out, struct ldn_error *err);

/* One dose of dose_ug at conc_ug_per_ml as microlitres into *ul; false
 * when it is not a whole number of measure_ul (it cannot be measured). */
bool dispense_volume(int32_t dose_ug, int32_t conc_ug_per_ml,
    int32_t measure_ul, int32_t *ul);

/* The fewest whole capsules (at most max_n; ties: the larger strengths)
 * of the n ascending strengths that make dose_ug exactly, as count[k] of
 * strengths[k]; false when none does. */
bool dispense_capsules(int32_t dose_ug, const int32_t *strengths, size_t n,
    int32_t max_n, int32_t count[static DISPENSE_MAX_STRENGTHS]);

/* The sheet for plan pl with o into *d, which borrows pl and whose steps
 * are malloc'd (the plan is immutable): release with dispense_fini().
 * False when out of memory. */
bool dispense_compute(const struct ldn_plan *pl, const struct dispense_opts *o,
    struct dispense *d);
void dispense_fini(struct dispense *d);

/* The fills storage s needs for d's supply, into out (at most max); the
 * count.  The first is made on d->first; each next on the day after the
 * one before it is last usable. */
size_t dispense_fills(const struct dispense *d, const struct fm_storage *s,
    struct dispense_fill *out, size_t max);

#endif
