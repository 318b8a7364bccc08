/*
 * The plan as the pipeline drafts it, and what the steps share to do so:
 * screen fills findings and flags, titrate the decision and schedule,
 * compose the monitoring, the sections and the numbered reference list;
 * the renderers then read it.  Everything is owned by plan->arena.
 * plan.c drives the steps; this file sits below them.
 */
#ifndef LDN_DRAFT_H
#define LDN_DRAFT_H

#include <stdbool.h>
#include <stdint.h>

#include "ldn/plan.h"

#include "base/arena.h"
#include "base/dose.h"
#include "kb/kb_impl.h"
#include "patient.h"
#include "review_impl.h"

enum {
	MAX_SRC = 4
};

struct finding {
	enum entry_id id;
	int32_t lift; /* DATE_NONE: no date on which it lifts */
	int32_t when; /* the procedure's date, for perioperative findings */
	const char *vars[V_COUNT];
	const char *src[MAX_SRC];
	size_t n_src;
	/* When n > 0, its references instead of the entry's (a suggested
	 * preset cites that preset's sources). */
	struct cites cites;
};

/* The references a finding cites. */
static inline struct cites
finding_cites(const struct ldn_kb *kb, const struct finding *f)
{
	return f->cites.n > 0 ? f->cites : kb->entries[f->id].cites;
}

struct item {
	enum entry_id id;
	int32_t date; /* DATE_NONE when not dated */
	const char *vars[V_COUNT];
};

enum step_kind {
	STEP_START,
	STEP_INCREASE,
	STEP_HOLD,
	STEP_RESTART
};

/* "start", "increase", "hold", "restart": the words in plans and the API. */
extern const char *const step_kind_names[4];

struct step {
	int32_t date;
	int32_t dose_ug;
	enum step_kind kind;
	const char *procedure;
};

struct window {
	int32_t from, to; /* [from, to) */
	const char *procedure;
	int32_t procedure_date;
	const char *src;
};

struct ldn_plan {
	struct arena arena;
	const struct ldn_kb *kb;
	struct patient *patient;
	int32_t as_of;
	const struct kb_preset *preset; /* the titration preset in use */
	/* Opioid-free days before LDN restarts after a procedure: the
	 * short-acting washout (policy periop_restart=seed, the default) or
	 * policy.periop_restart_24h_d (periop_restart=24h). */
	int32_t periop_restart_d;
	bool periop_restart_24h;
	/* Policy opioid_co_use=relative (the default, seed, blocks any opioid
	 * taken now): a short-acting opioid within its daily limit does not
	 * block, and while one is taken LDN is capped at co_use_cap_ug (0:
	 * no such opioid). */
	bool opioid_co_use_relative;
	int32_t co_use_cap_ug;
	/* screen: the opioid that met the policy's terms about the drug,
	 * its daily dose and its limit, until the terms about the patient
	 * are judged (lib/screen.c co_use_decide) */
	const struct medication *co_use_med;
	int32_t co_use_daily_ug, co_use_limit_ug;

	/* screen */
	struct finding *findings;
	size_t n_findings, cap_findings;
	uint32_t flags;    /* bit per enum flag */
	uint64_t concepts; /* bit per concept on file (active) */
	bool sensitive;
	bool morning; /* doses in the morning, not at bedtime */
	int32_t ceiling_ug, start_ug, step_ug, interval_d;
	/* The plan changed the preset's own numbers for this patient
	 * (sensitive, a child's weight, a dose not tolerated before): its
	 * words without numbers are shown (kb_preset.adjusted). */
	bool adjusted;
	/* The lowest dose not tolerated on LDN before (0 when none), and
	 * where the record gives it. */
	int32_t intolerant_ug;
	const char *intolerant_src;
	/* The latest day an opioid was taken as far as the record shows;
	 * as_of when taken now or its last dose is not known; DATE_NONE
	 * when no opioid is on file. */
	int32_t opioid_last;
	struct window *holds; /* perioperative holds, sorted, merged */
	size_t n_holds;

	/* titrate */
	enum ldn_decision decision;
	int32_t earliest; /* DATE_NONE for do-not-start */
	struct step *steps;
	size_t n_steps, cap_steps;
	struct window *blackouts; /* for the safety properties */
	size_t n_blackouts;

	/* compose */
	struct item *items; /* monitoring and before-first-dose */
	size_t n_items, cap_items;
	const struct kb_statement **statements;
	/* statement_review[i]: the review state of statements[i] when the
	 * plan was built, from review (NULL: no store, all draft), which
	 * the plan does not keep */
	struct review_mark *statement_review;
	const struct ldn_review *review;
	size_t n_statements;
	uint16_t *ref_order; /* kb ref indices in order of first citation */
	size_t n_refs;
	uint16_t *ref_number; /* per kb ref: its number in this plan, 0 none */

	char as_of_str[11], earliest_str[11];
};

/*
 * Build a plan from a FHIR Bundle already parsed (root; it and its strings
 * must outlive the plan), as of a day; amend, unless NULL, may correct what
 * intake read before screening.  For callers inside the library that
 * assemble a Bundle themselves (lib/cds from CDS Hooks prefetch).
 */
struct jnode;
enum ldn_status plan_build_tree(const struct ldn_kb *kb,
    const struct jnode *root, int32_t as_of,
    void (*amend)(struct patient *, void *), void *ud, struct ldn_plan **out,
    struct ldn_error *err);

/* Append one zeroed element to an arena vector; NULL on failure. */
void *plan_push(struct ldn_plan *pl, void **items, size_t *n, size_t *cap,
    size_t size);

/* The pipeline's steps, in the order data flows (screen.c, titrate.c,
 * compose.c); plan.c calls them. */
void screen(struct ldn_plan *pl);
/* The exclusion of preset pr (kb/presets.yaml "exclude") that the
 * screened patient meets, or NULL. */
const struct preset_rule *preset_exclusion(const struct ldn_plan *pl,
    const struct kb_preset *pr);
void titrate(struct ldn_plan *pl);
void compose(struct ldn_plan *pl);

/* Formatting shared by the steps and the renderers. */
const char *fmt_date(struct ldn_plan *pl, int32_t day);
/* v in decimal, in the plan's arena (for a finding's variables). */
const char *fmt_int(struct ldn_plan *pl, long v);
const char *fmt_mg(struct ldn_plan *pl, int32_t ug);

#endif
