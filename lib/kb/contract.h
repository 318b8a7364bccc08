/*
 * What the engine asks of the knowledge base: the numbers it computes with
 * (filled into struct params at load, each checked for unit and bounds) and
 * the entries it can raise (findings, monitoring items, schedule lines), each
 * with its severity and the variables it fills in.  The loader holds kb/
 * to this contract, so a reviewer's edit cannot leave the engine asking for
 * something that is not there.
 */
#ifndef LDN_CONTRACT_H
#define LDN_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

enum unit {
	U_UG,
	U_D,
	U_Y,
	U_KG,
	U_UG_PER_KG,
	U_EGFR,
	U_PCT,    /* percent */
	U_POINTS, /* points on a 0-10 scale */
	U_H,      /* hours */
	U_COUNT
};

/* Every number a rule uses; values are from kb/numbers.yaml. */
struct params {
	int32_t start_ug;
	int32_t start_sensitive_ug;
	int32_t step_ug;
	int32_t interval_d;
	int32_t interval_sensitive_d;
	int32_t ceiling_ug;
	int32_t ldn_max_ug;
	int32_t granularity_ug;
	int32_t child_ug_per_kg;
	int32_t child_max_ug;
	int32_t washout_short_d;
	int32_t washout_long_d;
	int32_t washout_bup_methadone_d;
	int32_t periop_hold_d;
	int32_t trial_min_d;
	int32_t trial_max_d;
	int32_t adult_y;
	int32_t child_min_y;
	int32_t older_y;
	int32_t egfr_severe;
	int32_t egfr_failure;
	int32_t egfr_moderate;
	int32_t order_supply_d;
	int32_t meaningful_pct;
	int32_t minimal_pct;
	int32_t adherence_min_pct;
	int32_t settle_d;
	int32_t sleep_worse_points;
	int32_t final6_opioid_free_d;
	int32_t periop_restart_24h_d;
	/* policy opioid_co_use=relative: the daily opioid limits, the hours
	 * between LDN and the opioid, and the LDN ceiling meanwhile */
	int32_t co_use_morphine_ug;
	int32_t co_use_hydrocodone_ug;
	int32_t co_use_oxycodone_ug;
	int32_t co_use_tramadol_ug;
	int32_t co_use_separation_h;
	int32_t co_use_ceiling_ug;
};

struct number_spec {
	const char *id;
	enum unit unit;
	size_t offset;    /* into struct params */
	int32_t min, max; /* sane bounds; outside them the KB is refused */
};

/* Room for the engine's numbers (the tables sized by it are checked). */
#define MAX_NUMBER_SPECS 64

extern const struct number_spec number_specs[];
extern const size_t n_number_specs;

/* Variables a template may use, as {name}. */
enum var {
	V_DRUG,
	V_ACTING,
	V_LAST_DOSE,
	V_DAYS_SINCE,
	V_WASHOUT_DAYS,
	V_LIFT_DATE,
	V_CONDITION,
	V_CODE,
	V_CODE_DISPLAY,
	V_DETAIL,
	V_AGE,
	V_WEIGHT,
	V_CEILING,
	V_PROCEDURE,
	V_PROCEDURE_DATE,
	V_HOLD_START,
	V_HOLD_DAYS,
	V_RESTART_DATE,
	V_MAX_DOSE,
	V_START_DOSE,
	V_INTERVAL_DAYS,
	V_DATE,
	V_FROM_DATE,
	V_TO_DATE,
	V_DOSE,
	V_NEXT_DOSE,
	V_PAIN,
	V_BASELINE_PAIN,
	V_DAYS,
	V_SLEEP,
	V_BASELINE_SLEEP,
	V_PRESET,
	V_TIMING, /* "at bedtime" or "in the morning", as the plan doses */
	V_NOT_TOLERATED,     /* the lowest dose recorded as not tolerated */
	V_ADHERENCE,         /* percent of doses taken, at the latest visit */
	V_NOTE_HOLD_START,   /* next.periop_note: the hold to come */
	V_NOTE_RESTART_DATE, /* and its restart day */
	V_COUNT
};

extern const char *const var_names[V_COUNT];

enum severity {
	SEV_BLOCK,
	SEV_CAUTION,
	SEV_INFO,
	SEV_NONE
};
extern const char *const severity_names[3];

enum entry_list {
	L_FINDING,
	L_MONITOR,
	L_SCHEDULE,
	L_NEXT, /* next-step advice after a visit */
	L_CARD  /* CDS Hooks cards (lib/cds): a summary and a detail */
};

enum entry_id {
	E_INTAKE_MEDICATIONS_UNKNOWN,
	E_INTAKE_AGE_UNKNOWN,
	E_OPIOID_REQUIRED,
	E_OPIOID_ACTIVE,
	E_OPIOID_LAST_DOSE_UNKNOWN,
	E_OPIOID_WASHOUT,
	E_OPIOID_WASHOUT_DONE,
	E_OPIOID_OCCULT,
	E_OPIOID_USE_DISORDER,
	E_OPIOID_NALOXONE_ON_FILE,
	E_OPIOID_ANTIDIARRHEAL,
	E_OPIOID_DEPOT,
	E_OPIOID_CURRENT_USE,
	E_MEDICATION_UNRECOGNISED,
	E_INTAKE_OPIOID_NEED_UNKNOWN,
	E_PATIENT_DECEASED,
	E_INTAKE_MEDICATIONS_PARTIAL,
	E_PERIOP_RECENT_UNKNOWN,
	E_OPIOID_ORDER_ON_FILE,
	E_OPIOID_LAST_DOSE_INFERRED,
	E_MEDICATION_CODE_NAME_CONFLICT,
	E_ANTAGONIST_STANDARD_DOSE,
	E_ANTAGONIST_NALTREXONE_BUPROPION,
	E_ANTAGONIST_ALREADY_LDN,
	E_HEPATIC_ACUTE,
	E_HEPATIC_DECOMPENSATED,
	E_HEPATIC_IMPAIRMENT,
	E_RENAL_SEVERE,
	E_RENAL_FAILURE,
	E_RENAL_MODERATE,
	E_AGE_CHILD,
	E_AGE_CHILD_WEIGHT_MISSING,
	E_AGE_BELOW_EVIDENCE,
	E_AGE_OLDER,
	E_PREGNANCY_PREGNANT,
	E_PREGNANCY_BREASTFEEDING,
	E_PREGNANCY_PLANNING,
	E_PREGNANCY_UNKNOWN,
	E_THYROID_AUTOIMMUNE,
	E_TRANSPLANT_IMMUNOSUPPRESSION,
	E_PERIOP_HOLD,
	E_PERIOP_OPIOIDS_UNKNOWN,
	E_PERIOP_RECENT,
	E_PERIOP_START_AFTER,
	E_PERIOP_NALTREXONE_HOLD,
	E_PERIOP_NALTREXONE_STOP_NOW,
	E_INDICATION_MATCH,
	E_INDICATION_NONE,
	E_PRIOR_FIXED_DOSE_FAILURE,
	E_PRIOR_TITRATED_FAILURE,
	E_PRIOR_SIDE_EFFECTS,
	E_PRIOR_BENEFIT,
	E_DOSE_SENSITIVE,
	E_MONITOR_BASELINE_PAIN,
	E_MONITOR_STEP_REVIEW,
	E_MONITOR_TRIAL_REVIEW,
	E_MONITOR_LFT,
	E_MONITOR_TSH,
	E_MONITOR_RENAL,
	E_SCHEDULE_START,
	E_SCHEDULE_INCREASE,
	E_SCHEDULE_HOLD,
	E_SCHEDULE_RESTART,
	E_SCHEDULE_CEILING,
	E_SCHEDULE_BEFORE_FIRST_DOSE,
	E_SCHEDULE_BEFORE_FIRST_DOSE_CO_USE,
	E_NEXT_NOT_STARTED,
	E_NEXT_STOP_PLAN,
	E_NEXT_RESTART_AFTER_WAIT,
	E_NEXT_WAIT_NEW_PLAN,
	E_NEXT_ABOVE_CEILING,
	E_NEXT_START,
	E_NEXT_ESCALATE,
	E_NEXT_HOLD_SETTLING,
	E_NEXT_STEP_BACK,
	E_NEXT_STEP_BACK_FIRST,
	E_NEXT_MORNING,
	E_NEXT_STOP_SERIOUS,
	E_NEXT_STOPPED_SERIOUS,
	E_NEXT_REINTRODUCE,
	E_NEXT_ADHERENCE,
	E_NEXT_HOLD_PLATEAU,
	E_NEXT_HOLD_BEST,
	E_NEXT_HOLD_BEST_TOLERATED,
	E_NEXT_HOLD_TRIAL,
	E_NEXT_REVIEW_NO_BENEFIT,
	E_NEXT_STOP_NO_BENEFIT,
	E_NEXT_CO_USE_NO_BENEFIT,
	E_NEXT_HOLD_UNJUDGED,
	E_NEXT_STOPPED_NO_BENEFIT,
	E_NEXT_BEFORE_START,
	E_NEXT_PERIOP_HOLD,
	E_NEXT_PERIOP_RESTART,
	E_NEXT_PERIOP_BEFORE,
	E_NEXT_PERIOP_NOTE, /* beside advice before a hold to come */
	E_NEXT_CO_USE_NOTE, /* beside any advice while an opioid is kept */
	E_CARD_VIEW_START,
	E_CARD_VIEW_WAIT,
	E_CARD_VIEW_DO_NOT_START,
	E_CARD_ORDER_OPIOID,
	E_CARD_ORDER_SURGERY,
	E_CARD_ORDER_BLOCKED,
	E_CARD_ORDER_STANDARD_DOSE,
	E_CARD_ORDER_FIRST_STEP,
	E_CARD_SUGGEST_FIRST_STEP,
	E_CARD_LDN_ORDER,
	E_CARD_OPIOID_ON_LDN,
	E_CARD_OPIOID_ON_NALTREXONE,
	E_CARD_NOT_SEEN,
	E_PRESET_SUGGESTED,
	E_PRESET_BEYOND_SEED,
	E_TIMING_MORNING,
	E_TIMING_WORDS_BEDTIME, /* the words {timing} holds */
	E_TIMING_WORDS_MORNING,
	E_SCHEDULE_START_MORNING,
	E_SCHEDULE_INCREASE_MORNING,
	E_SCHEDULE_HOLD_MORNING,
	E_DOSE_PRIOR_INTOLERANCE,
	E_POLICY_PERIOP_RESTART_24H,
	E_POLICY_OPIOID_CO_USE,
	E_POLICY_OPIOID_CO_USE_MET,
	E_CO_USE_NOT_SHORT, /* opioid_co_use=relative, and why not for {drug} */
	E_CO_USE_NO_LIMIT,
	E_CO_USE_NO_DAILY,
	E_CO_USE_ABOVE_LIMIT,
	E_CO_USE_SEVERAL,
	E_CO_USE_ORDER_ONLY,
	E_CO_USE_NO_CODE,
	E_CO_USE_OPIOID_RISK,
	E_CO_USE_CHILD,
	E_CO_USE_PREGNANCY,
	E_CO_USE_PROCEDURE,
	E_CO_USE_OTHER_BLOCK,
	E_CO_USE_NEED_UNKNOWN,
	E_CO_USE_ORGAN,
	E_COUNT
};

struct entry_spec {
	const char *id;
	enum entry_list list;
	enum severity severity; /* SEV_NONE outside L_FINDING */
	uint64_t vars;          /* bit (1 << enum var) per variable it fills */
	int summary;            /* L_CARD: 1 if it needs a summary line */
	int patient;            /* L_CARD: 1 if it needs patient words too
	                           (the cards `ldn check-order` can give) */
};

extern const struct entry_spec entry_specs[E_COUNT];

/* Flags a statement's `when` may name; computed from the patient. */
enum flag {
	FL_ALWAYS,
	FL_OPIOID_HISTORY,
	FL_PERIOP,
	FL_CHILD,
	FL_OLDER,
	FL_PREGNANT,
	FL_BREASTFEEDING,
	FL_PLANNING_PREGNANCY,
	FL_HEPATIC,
	FL_RENAL,
	FL_THYROID,
	FL_TRANSPLANT,
	FL_PRIOR_LDN,
	FL_SENSITIVE,
	/* opioid history under the default opioid_co_use policy */
	FL_OPIOID_DEFAULT_POLICY,
	/* no opioid kept under opioid_co_use=relative (nearly every plan) */
	FL_NO_OPIOID_KEPT,
	FL_COUNT
};

extern const char *const flag_names[FL_COUNT];

/* Sections of a plan, in the order they are shown. */
enum section {
	S_DEFINITION,
	S_PROTOCOL,
	S_INDICATIONS,
	S_MONITORING,
	S_SAFETY,
	S_CONTRAINDICATIONS,
	S_POPULATIONS,
	S_PERIOPERATIVE,
	S_COMPARISON,
	S_PITFALLS,
	S_ALGORITHM,
	S_COUNT
};

extern const char *const section_ids[S_COUNT];

/* Kinds of condition concept (codes/conditions.yaml). */
enum concept_kind {
	CK_INDICATION,
	CK_HEPATIC_ACUTE,
	CK_HEPATIC_FAILURE,
	CK_CIRRHOSIS,
	CK_LIVER_DECOMPENSATION,
	CK_HEPATIC_CHRONIC,
	CK_RENAL_SEVERE,
	CK_PREGNANCY,
	CK_TRANSPLANT,
	CK_THYROID_AUTOIMMUNE,
	CK_OPIOID_USE_DISORDER,
	CK_OPIOID_CURRENT_USE,
	CK_SLOW_TITRATION,
	CK_SLEEP_DISTURBANCE,
	CK_COUNT
};

extern const char *const concept_kind_names[CK_COUNT];

/* Medication classes (codes/medications.yaml, opioid_rxnorm.tsv). */
enum med_class {
	MC_NONE,
	MC_OPIOID_SHORT,
	MC_OPIOID_LONG,
	MC_OPIOID_ANTITUSSIVE,
	MC_BUPRENORPHINE,
	MC_BUPRENORPHINE_DEPOT,
	MC_METHADONE,
	MC_NALOXONE,
	MC_NALTREXONE_LDN,
	MC_NALTREXONE_STANDARD,
	MC_NALTREXONE_UNKNOWN_DOSE,
	MC_NALTREXONE_BUPROPION,
	MC_IMMUNOSUPPRESSANT,
	MC_OPIOID_ANTIDIARRHEAL,
	MC_COUNT
};

extern const char *const med_class_names[MC_COUNT];

/* True for classes that need an opioid-free interval before LDN. */
static inline int
med_class_is_opioid(enum med_class c)
{
	return c == MC_OPIOID_SHORT || c == MC_OPIOID_LONG ||
	    c == MC_OPIOID_ANTITUSSIVE || c == MC_BUPRENORPHINE ||
	    c == MC_BUPRENORPHINE_DEPOT || c == MC_METHADONE;
}

#endif
