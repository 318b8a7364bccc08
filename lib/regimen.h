/*
 * A standard-dose naltrexone regimen planned for one patient
 * (kb/regimens.yaml; `ldn plan --regimen`): the LDN pipeline reads and
 * screens the record, the regimen's own rules judge that screen and the
 * record's conditions, medications and labs, and a dated schedule follows
 * unless something says do not start.  Owned by its arena; render with
 * regimen_render() (render/regimen.c).
 */
#ifndef LDN_REGIMEN_H
#define LDN_REGIMEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ldn/plan.h"

#include "base/arena.h"
#include "kb/regimen_kb.h"

/* One thing the regimen's screen says about this patient. */
struct rg_line {
	const char *id; /* the finding's or the match rule's id */
	enum rg_action action;
	int32_t lift; /* RA_WAIT: the first day it allows; else DATE_NONE */
	const char *text[AUD_COUNT];
	const char *src; /* the input field behind it, or NULL */
};

/* One line of the dated schedule. */
struct rg_dose {
	enum rg_step_kind kind;
	int32_t from, to; /* days, inclusive; to is DATE_NONE: ongoing */
	int32_t dose_ug;  /* naltrexone a day */
	int am, pm;       /* tablets, for a tablet regimen */
	bool capped;      /* fewer tablets than the step, for this patient */
	const char *text[AUD_COUNT];
};

struct regimen_plan {
	struct arena arena;
	const struct ldn_kb *kb;
	const struct kb_regimen *rg;
	struct ldn_plan *ldn; /* the LDN pipeline's read and screen */
	int32_t as_of;
	enum ldn_decision decision;
	int32_t start;   /* DATE_NONE when do-not-start */
	int cap_tablets; /* 0: none */
	struct rg_line *lines;
	size_t n_lines;
	struct rg_dose *doses; /* empty when do-not-start */
	size_t n_doses;
	int32_t alt_from; /* the alternative's first day, or DATE_NONE */
	const char *alt_text[AUD_COUNT];
	int32_t review; /* the review visit, or DATE_NONE */
	const char *review_text[AUD_COUNT];
	const char *purpose[AUD_COUNT], *compare[AUD_COUNT];
};

/*
 * Plan regimen id (kb/regimens.yaml; "ldn" is not one: that is the LDN
 * plan) for the patient in buf (native JSON or a FHIR Bundle, as
 * ldn_plan_build() reads it) as of as_of (NULL: today).  On success *out
 * owns a new plan, freed with regimen_free().  An unknown id is
 * LDN_E_SCHEMA with where "regimen"; the patient's errors are as
 * ldn_plan_build() gives them.
 */
enum ldn_status regimen_build(const struct ldn_kb *kb, const char *buf,
    size_t len, const char *as_of, const char *id, struct regimen_plan **out,
    struct ldn_error *err);

void regimen_free(struct regimen_plan *rp);

/* The plan as text, JSON or compact JSON for one audience, into a new
 * buffer *out (*len bytes) the caller frees with free(). */
enum ldn_status regimen_render(const struct regimen_plan *rp,
    enum ldn_format format, enum ldn_audience audience, char **out, size_t *len,
    struct ldn_error *err);

#endif
