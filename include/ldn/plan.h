/*
 * Plans: a patient in, a cited LDN plan out.  ldn_plan_build() runs the
 * whole pipeline (intake, screen, titrate, compose); ldn_plan_render() writes
 * the plan for one audience in one format.  A plan is immutable once built
 * and owns all its memory; free it with ldn_plan_free().  Plans borrow the
 * KB they were built from, which must outlive them.
 */
#ifndef LDN_PLAN_H
#define LDN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ldn/error.h"
#include "ldn/kb.h"

struct ldn_plan;

enum ldn_decision {
	LDN_DECISION_START,        /* may start on as_of */
	LDN_DECISION_WAIT,         /* may start on earliest_start, later */
	LDN_DECISION_DO_NOT_START, /* not now; findings say why */
};

enum ldn_format {
	LDN_FORMAT_TEXT,
	LDN_FORMAT_JSON,
	LDN_FORMAT_FHIR,        /* a FHIR R4 Bundle (collection) */
	LDN_FORMAT_HTML,        /* one self-contained, printable HTML page */
	LDN_FORMAT_ICS,         /* an RFC 5545 calendar of the dated steps */
	LDN_FORMAT_JSON_COMPACT /* LDN_FORMAT_JSON on one line: for machines */
};

enum ldn_audience {
	LDN_AUDIENCE_CLINICIAN,
	LDN_AUDIENCE_PATIENT,
	/* A plan: the clinician's words and review marks, and a dispensing
	 * sheet (ldn_plan_render_with()); next-step advice and answers: the
	 * pharmacist's own (ldn_next_render_with(), ldn_ask_answer()) */
	LDN_AUDIENCE_PHARMACIST
};

/*
 * Build a plan from native patient JSON or a FHIR R4 Bundle (len bytes at
 * buf; told apart by the Bundle's resourceType) as of the date
 * as_of ("YYYY-MM-DD"; NULL means today, UTC).  On success *out owns a new
 * plan.  On failure *out is untouched and err names the field (a JSON
 * pointer) and says why.  Thread-safe for distinct plans on a shared KB.
 */
enum ldn_status ldn_plan_build(const struct ldn_kb *kb, const char *buf,
    size_t len, const char *as_of, struct ldn_plan **out,
    struct ldn_error *err);

/*
 * As ldn_plan_build(), for callers that own their buffer: the
 * LDN_INPUT_PADDING bytes after buf[len] must be readable (their values do
 * not matter).  The JSON parser then reads the input where it lies instead
 * of copying it first, which is a tenth of the time for a large FHIR
 * Bundle.
 */
#define LDN_INPUT_PADDING 64
enum ldn_status ldn_plan_build_padded(const struct ldn_kb *kb, const char *buf,
    size_t len, const char *as_of, struct ldn_plan **out,
    struct ldn_error *err);

/*
 * As ldn_plan_build() (padded false) or ldn_plan_build_padded() (true),
 * with the clinician's choices.  preset: the titration preset's id
 * (kb/presets.yaml; NULL: the default, the seed protocol); an unknown
 * preset, or one that excludes this patient, is LDN_E_SCHEMA with where
 * "preset".  policies: n_policies choices, each "NAME=VALUE" (later ones
 * win; none: every default).  The one policy is periop_restart: seed
 * (the default: the short-acting washout before LDN restarts after a
 * procedure) or 24h (kb policy.periop_restart_24h_d; the plan then shows
 * the override).  An unknown name or value is LDN_E_SCHEMA with where
 * "policy".  review: the review states of the knowledge base's statements
 * (include/ldn/review.h; NULL: none recorded, every statement a draft),
 * which the plan copies: those it uses are shown with their state, and
 * the patient's version leaves out any not approved.
 */
struct ldn_review;
enum ldn_status ldn_plan_build_with(const struct ldn_kb *kb, const char *buf,
    size_t len, bool padded, const char *as_of, const char *preset,
    const char *const *policies, size_t n_policies,
    const struct ldn_review *review, struct ldn_plan **out,
    struct ldn_error *err);

/* The knowledge base's presets, in file order (for usage text). */
size_t ldn_kb_n_presets(const struct ldn_kb *kb);
const char *ldn_kb_preset_id(const struct ldn_kb *kb, size_t i);

void ldn_plan_free(struct ldn_plan *plan);

/*
 * Render plan into a new NUL-terminated buffer *out (*len bytes, not
 * counting the NUL) that the caller frees with free().  The same plan and
 * arguments give the same bytes.
 */
enum ldn_status ldn_plan_render(const struct ldn_plan *plan,
    enum ldn_format format, enum ldn_audience audience, char **out, size_t *len,
    struct ldn_error *err);

/*
 * As ldn_plan_render(), with the pharmacist's choices for the dispensing
 * sheet that LDN_AUDIENCE_PHARMACIST adds to a text, json or html plan
 * (fhir and ics carry none): formulation, a dosage form of
 * kb/formulations.yaml ("liquid", "liquid:MG_PER_ML" at a concentration
 * the kb dates, "capsule", "sublingual"; NULL: the kb's default, the
 * liquid at 1 mg/mL), and supply_days, the days the supply covers from
 * the first dose (0: the titration to the ceiling and the kb's
 * supply.after_ceiling_d more; else 1 to 366).  A plan that says do not
 * start gets no sheet, only why.  A bad formulation or supply_days, or
 * either given for another audience or for fhir or ics, is LDN_E_SCHEMA
 * with where "formulation" or "supply_days".
 */
enum ldn_status ldn_plan_render_with(const struct ldn_plan *plan,
    enum ldn_format format, enum ldn_audience audience, const char *formulation,
    int32_t supply_days, char **out, size_t *len, struct ldn_error *err);

/*
 * The knowledge base as JSON: version, review state, every reference,
 * number and statement (in the audience's words), citing references by
 * id.  *out as for ldn_plan_render().
 */
enum ldn_status ldn_kb_render_json(const struct ldn_kb *kb,
    const struct ldn_review *review, enum ldn_audience audience, char **out,
    size_t *len, struct ldn_error *err);

/* What tests and callers inspect without parsing a rendering. */
struct ldn_step {
	char date[11];    /* YYYY-MM-DD */
	int day;          /* 1 on the first dose */
	int32_t dose_ug;  /* 0 while held */
	const char *kind; /* "start", "increase", "hold", "restart" */
};

struct ldn_finding {
	const char *id;       /* e.g. "opioid.washout" */
	const char *severity; /* "block", "caution", "info" */
	char lifts[11];       /* date a block lifts, or "" */
};

enum ldn_decision ldn_plan_decision(const struct ldn_plan *plan);
const char *ldn_decision_name(enum ldn_decision d);
/* YYYY-MM-DD, or "" for do-not-start. */
const char *ldn_plan_earliest_start(const struct ldn_plan *plan);
const char *ldn_plan_as_of(const struct ldn_plan *plan);
/* The patient's id (native "id" or the FHIR Patient's), or NULL. */
const char *ldn_plan_patient_id(const struct ldn_plan *plan);
/* Whether the input was a FHIR Bundle. */
bool ldn_plan_is_fhir(const struct ldn_plan *plan);
/* The knowledge base the plan was built from. */
const struct ldn_kb *ldn_plan_kb(const struct ldn_plan *plan);
/* The id of the titration preset the plan follows. */
const char *ldn_plan_preset(const struct ldn_plan *plan);
/* The policies (ldn_plan_build_with()) on which the plan departs from the
 * default side: up to max names and values; returns how many. */
size_t ldn_plan_overrides(const struct ldn_plan *plan, const char **names,
    const char **values, size_t max);
/* When doses are taken: "bedtime", or "morning" when the record shows
 * insomnia or vivid dreams. */
const char *ldn_plan_timing(const struct ldn_plan *plan);
int32_t ldn_plan_ceiling_ug(const struct ldn_plan *plan);
int32_t ldn_plan_step_ug(const struct ldn_plan *plan);
int ldn_plan_interval_d(const struct ldn_plan *plan);
size_t ldn_plan_n_steps(const struct ldn_plan *plan);
void ldn_plan_step(const struct ldn_plan *plan, size_t i, struct ldn_step *out);
size_t ldn_plan_n_findings(const struct ldn_plan *plan);
void ldn_plan_finding(const struct ldn_plan *plan, size_t i,
    struct ldn_finding *out);
/* Windows [from, to) in which no dose may be taken: washouts before the
 * start and perioperative holds.  Dates are days since 1970-01-01. */
size_t ldn_plan_n_blackouts(const struct ldn_plan *plan);
void ldn_plan_blackout(const struct ldn_plan *plan, size_t i, int32_t *from,
    int32_t *to);
/* Count of citations in the plan that do not resolve to its reference
 * list (always 0 unless the engine is wrong; for tests). */
size_t ldn_plan_unresolved_citations(const struct ldn_plan *plan);

/*
 * A plan for one of the standard-dose regimens of kb/regimens.yaml, which
 * are not LDN: "aud50" (naltrexone 50 mg a day for alcohol use disorder),
 * "oud" (opioid use disorder: a 25 mg test dose, then 50 mg a day, or
 * 100/100/150 mg Monday/Wednesday/Friday supervised) or "nb"
 * (naltrexone-bupropion 8/90 mg, weekly steps to 2 tablets twice a day,
 * reviewed after 12 weeks on the full dose).  regimen NULL or "ldn" is
 * the LDN plan, as ldn_plan_build() and ldn_plan_render() give it.  The
 * patient (buf, len; native JSON or a FHIR Bundle) is read and screened
 * as for LDN; the regimen's own rules (kb/regimens.yaml) judge that
 * screen and the record's conditions, medications and labs, and what the
 * record cannot show is listed as a question.  The plan is dated as of
 * as_of (NULL: today): a schedule, or do-not-start with the reasons.
 * format: text or json (compact too; a regimen has no other format);
 * *out as for ldn_plan_render().  An unknown regimen is LDN_E_SCHEMA
 * with where "regimen", another format LDN_E_SCHEMA with where
 * "format"; the patient's errors are as ldn_plan_build() gives them.
 * Thread-safe on a shared KB.
 */
enum ldn_status ldn_regimen_plan(const struct ldn_kb *kb, const char *buf,
    size_t len, const char *as_of, const char *regimen,
    enum ldn_audience audience, enum ldn_format format, char **out,
    size_t *out_len, struct ldn_error *err);

#endif
