/*
 * The tables behind contract.h.  Adding a finding means adding it here (with
 * the variables the engine fills in) and in kb/findings.yaml; `ldn kb check`
 * reports whichever half is missing.
 */
#include "contract.h"

#include <assert.h>

#define P(field) offsetof(struct params, field)

const struct number_spec number_specs[] = {
	{ "dose.start_ug", U_UG, P(start_ug), 100, 5000 },
	{ "dose.start_sensitive_ug", U_UG, P(start_sensitive_ug), 100, 5000 },
	{ "dose.step_ug", U_UG, P(step_ug), 100, 2000 },
	{ "dose.interval_d", U_D, P(interval_d), 1, 60 },
	{ "dose.interval_sensitive_d", U_D, P(interval_sensitive_d), 1, 60 },
	{ "dose.ceiling_ug", U_UG, P(ceiling_ug), 500, 5000 },
	{ "dose.ldn_max_ug", U_UG, P(ldn_max_ug), 1000, 5000 },
	{ "dose.granularity_ug", U_UG, P(granularity_ug), 1, 500 },
	{ "dose.child_ug_per_kg", U_UG_PER_KG, P(child_ug_per_kg), 1, 200 },
	{ "dose.child_max_ug", U_UG, P(child_max_ug), 500, 5000 },
	{ "washout.short_acting_d", U_D, P(washout_short_d), 1, 60 },
	{ "washout.long_acting_d", U_D, P(washout_long_d), 1, 60 },
	{ "washout.bup_methadone_d", U_D, P(washout_bup_methadone_d), 1, 60 },
	{ "periop.hold_d", U_D, P(periop_hold_d), 1, 30 },
	{ "trial.min_d", U_D, P(trial_min_d), 7, 365 },
	{ "trial.max_d", U_D, P(trial_max_d), 7, 365 },
	{ "age.adult_y", U_Y, P(adult_y), 12, 21 },
	{ "age.child_min_y", U_Y, P(child_min_y), 0, 17 },
	{ "age.older_y", U_Y, P(older_y), 50, 90 },
	{ "renal.egfr_severe", U_EGFR, P(egfr_severe), 5, 60 },
	{ "renal.egfr_failure", U_EGFR, P(egfr_failure), 5, 30 },
	{ "renal.egfr_moderate", U_EGFR, P(egfr_moderate), 15, 90 },
	{ "fhir.order_supply_d", U_D, P(order_supply_d), 1, 365 },
	{ "response.meaningful_pct", U_PCT, P(meaningful_pct), 10, 90 },
	{ "response.minimal_pct", U_PCT, P(minimal_pct), 1, 50 },
	{ "adherence.min_pct", U_PCT, P(adherence_min_pct), 50, 100 },
	{ "side_effects.settle_d", U_D, P(settle_d), 1, 28 },
	{ "sleep.worse_points", U_POINTS, P(sleep_worse_points), 1, 10 },
	{ "preset.final6_opioid_free_d", U_D, P(final6_opioid_free_d), 1, 365 },
	{ "policy.periop_restart_24h_d", U_D, P(periop_restart_24h_d), 1, 60 },
	{ "policy.co_use_morphine_ug", U_UG, P(co_use_morphine_ug), 1000,
	    200000 },
	{ "policy.co_use_hydrocodone_ug", U_UG, P(co_use_hydrocodone_ug), 1000,
	    200000 },
	{ "policy.co_use_oxycodone_ug", U_UG, P(co_use_oxycodone_ug), 1000,
	    200000 },
	{ "policy.co_use_tramadol_ug", U_UG, P(co_use_tramadol_ug), 1000,
	    600000 },
	{ "policy.co_use_separation_h", U_H, P(co_use_separation_h), 1, 24 },
	{ "policy.co_use_ceiling_ug", U_UG, P(co_use_ceiling_ug), 100, 5000 },
};

const size_t n_number_specs = sizeof(number_specs) / sizeof(number_specs[0]);

static_assert(sizeof(number_specs) / sizeof(number_specs[0]) <=
        MAX_NUMBER_SPECS,
    "kb_impl.h and kb_load.c size their tables by MAX_NUMBER_SPECS");

const char *const var_names[V_COUNT] = {
	[V_DRUG] = "drug",
	[V_ACTING] = "acting",
	[V_LAST_DOSE] = "last_dose",
	[V_DAYS_SINCE] = "days_since",
	[V_WASHOUT_DAYS] = "washout_days",
	[V_LIFT_DATE] = "lift_date",
	[V_CONDITION] = "condition",
	[V_CODE] = "code",
	[V_CODE_DISPLAY] = "code_display",
	[V_DETAIL] = "detail",
	[V_AGE] = "age",
	[V_WEIGHT] = "weight",
	[V_CEILING] = "ceiling",
	[V_PROCEDURE] = "procedure",
	[V_PROCEDURE_DATE] = "procedure_date",
	[V_HOLD_START] = "hold_start",
	[V_HOLD_DAYS] = "hold_days",
	[V_RESTART_DATE] = "restart_date",
	[V_MAX_DOSE] = "max_dose",
	[V_START_DOSE] = "start_dose",
	[V_INTERVAL_DAYS] = "interval_days",
	[V_DATE] = "date",
	[V_FROM_DATE] = "from_date",
	[V_TO_DATE] = "to_date",
	[V_DOSE] = "dose",
	[V_NEXT_DOSE] = "next_dose",
	[V_PAIN] = "pain",
	[V_BASELINE_PAIN] = "baseline_pain",
	[V_DAYS] = "days",
	[V_SLEEP] = "sleep",
	[V_BASELINE_SLEEP] = "baseline_sleep",
	[V_PRESET] = "preset",
	[V_TIMING] = "timing",
	[V_NOT_TOLERATED] = "not_tolerated",
	[V_ADHERENCE] = "adherence",
	[V_NOTE_HOLD_START] = "note_hold_start",
	[V_NOTE_RESTART_DATE] = "note_restart_date",
};

const char *const severity_names[3] = { "block", "caution", "info" };

#define B(v) (UINT64_C(1) << (v))
#define F(id, sev, vars)                       \
	{                                      \
		id, L_FINDING, sev, vars, 0, 0 \
	}
#define M(id, vars)                                 \
	{                                           \
		id, L_MONITOR, SEV_NONE, vars, 0, 0 \
	}
#define S(id, vars)                                  \
	{                                            \
		id, L_SCHEDULE, SEV_NONE, vars, 0, 0 \
	}
#define N(id, vars)                              \
	{                                        \
		id, L_NEXT, SEV_NONE, vars, 0, 0 \
	}
/* A card's words: summary is 1 when the engine shows a summary line. */
#define C(id, vars, summary)                           \
	{                                              \
		id, L_CARD, SEV_NONE, vars, summary, 0 \
	}
/* A card `ldn check-order` can give: patient words as well. */
#define CP(id, vars)                             \
	{                                        \
		id, L_CARD, SEV_NONE, vars, 1, 1 \
	}

const struct entry_spec entry_specs[E_COUNT] = {
	[E_INTAKE_MEDICATIONS_UNKNOWN] =
	    F("intake.medications_unknown", SEV_BLOCK, 0),
	[E_INTAKE_AGE_UNKNOWN] = F("intake.age_unknown", SEV_BLOCK, 0),
	[E_OPIOID_REQUIRED] = F("opioid.required", SEV_BLOCK, 0),
	[E_OPIOID_ACTIVE] =
	    F("opioid.active", SEV_BLOCK, B(V_DRUG) | B(V_WASHOUT_DAYS)),
	[E_OPIOID_LAST_DOSE_UNKNOWN] = F("opioid.last_dose_unknown", SEV_BLOCK,
	    B(V_DRUG) | B(V_WASHOUT_DAYS)),
	[E_OPIOID_WASHOUT] = F("opioid.washout", SEV_BLOCK,
	    B(V_DRUG) | B(V_ACTING) | B(V_LAST_DOSE) | B(V_DAYS_SINCE) |
	        B(V_WASHOUT_DAYS) | B(V_LIFT_DATE)),
	[E_OPIOID_WASHOUT_DONE] = F("opioid.washout_done", SEV_INFO,
	    B(V_DRUG) | B(V_ACTING) | B(V_LAST_DOSE) | B(V_DAYS_SINCE) |
	        B(V_WASHOUT_DAYS)),
	[E_OPIOID_OCCULT] = F("opioid.occult", SEV_CAUTION, 0),
	[E_OPIOID_USE_DISORDER] =
	    F("opioid.use_disorder", SEV_CAUTION, B(V_CONDITION)),
	[E_OPIOID_NALOXONE_ON_FILE] =
	    F("opioid.naloxone_on_file", SEV_CAUTION, B(V_DRUG)),
	[E_OPIOID_ANTIDIARRHEAL] =
	    F("opioid.antidiarrheal", SEV_CAUTION, B(V_DRUG)),
	[E_OPIOID_DEPOT] = F("opioid.depot", SEV_BLOCK, B(V_DRUG)),
	[E_OPIOID_CURRENT_USE] =
	    F("opioid.current_use", SEV_BLOCK, B(V_CONDITION)),
	[E_MEDICATION_UNRECOGNISED] =
	    F("medication.unrecognised", SEV_CAUTION, B(V_DETAIL)),
	[E_PATIENT_DECEASED] = F("patient.deceased", SEV_BLOCK, 0),
	[E_INTAKE_MEDICATIONS_PARTIAL] =
	    F("intake.medications_partial", SEV_CAUTION, 0),
	[E_PERIOP_RECENT_UNKNOWN] = F("periop.recent_unknown", SEV_CAUTION,
	    B(V_PROCEDURE) | B(V_PROCEDURE_DATE) | B(V_LIFT_DATE)),
	[E_OPIOID_ORDER_ON_FILE] = F("opioid.order_on_file", SEV_BLOCK,
	    B(V_DRUG) | B(V_DATE) | B(V_WASHOUT_DAYS)),
	[E_OPIOID_LAST_DOSE_INFERRED] = F("opioid.last_dose_inferred",
	    SEV_CAUTION, B(V_DRUG) | B(V_DATE) | B(V_LAST_DOSE)),
	[E_INTAKE_OPIOID_NEED_UNKNOWN] =
	    F("intake.opioid_need_unknown", SEV_CAUTION, 0),
	[E_MEDICATION_CODE_NAME_CONFLICT] = F("medication.code_name_conflict",
	    SEV_BLOCK, B(V_DRUG) | B(V_CODE) | B(V_CODE_DISPLAY)),
	[E_ANTAGONIST_STANDARD_DOSE] =
	    F("antagonist.standard_dose", SEV_BLOCK, B(V_DRUG)),
	[E_ANTAGONIST_NALTREXONE_BUPROPION] =
	    F("antagonist.naltrexone_bupropion", SEV_BLOCK, B(V_DRUG)),
	/* A start plan for someone already on LDN would restart them at the
	 * first dose: refused, and the follow-up workflow named instead. */
	[E_ANTAGONIST_ALREADY_LDN] =
	    F("antagonist.already_ldn", SEV_BLOCK, B(V_DRUG)),
	[E_HEPATIC_ACUTE] = F("hepatic.acute", SEV_BLOCK, B(V_CONDITION)),
	[E_HEPATIC_DECOMPENSATED] =
	    F("hepatic.decompensated", SEV_BLOCK, B(V_CONDITION)),
	[E_HEPATIC_IMPAIRMENT] =
	    F("hepatic.impairment", SEV_CAUTION, B(V_CONDITION)),
	[E_RENAL_SEVERE] = F("renal.severe", SEV_CAUTION, B(V_DETAIL)),
	/* eGFR below renal.egfr_failure: kidney failure (stage 5) */
	[E_RENAL_FAILURE] = F("renal.failure", SEV_CAUTION, B(V_DETAIL)),
	[E_RENAL_MODERATE] = F("renal.moderate", SEV_INFO, B(V_DETAIL)),
	[E_AGE_CHILD] =
	    F("age.child", SEV_CAUTION, B(V_AGE) | B(V_WEIGHT) | B(V_CEILING)),
	[E_AGE_CHILD_WEIGHT_MISSING] =
	    F("age.child_weight_missing", SEV_BLOCK, B(V_AGE)),
	[E_AGE_BELOW_EVIDENCE] = F("age.below_evidence", SEV_BLOCK, B(V_AGE)),
	[E_AGE_OLDER] = F("age.older", SEV_CAUTION, B(V_AGE)),
	[E_PREGNANCY_PREGNANT] = F("pregnancy.pregnant", SEV_CAUTION, 0),
	[E_PREGNANCY_BREASTFEEDING] =
	    F("pregnancy.breastfeeding", SEV_CAUTION, 0),
	[E_PREGNANCY_PLANNING] = F("pregnancy.planning", SEV_CAUTION, 0),
	[E_PREGNANCY_UNKNOWN] = F("pregnancy.unknown", SEV_INFO, 0),
	[E_THYROID_AUTOIMMUNE] =
	    F("thyroid.autoimmune", SEV_CAUTION, B(V_CONDITION)),
	[E_TRANSPLANT_IMMUNOSUPPRESSION] =
	    F("transplant.immunosuppression", SEV_CAUTION, B(V_DETAIL)),
	[E_PERIOP_HOLD] = F("periop.hold", SEV_CAUTION,
	    B(V_PROCEDURE) | B(V_PROCEDURE_DATE) | B(V_HOLD_START) |
	        B(V_HOLD_DAYS) | B(V_RESTART_DATE) | B(V_WASHOUT_DAYS)),
	[E_PERIOP_OPIOIDS_UNKNOWN] = F("periop.opioids_unknown", SEV_CAUTION,
	    B(V_PROCEDURE) | B(V_PROCEDURE_DATE)),
	[E_PERIOP_RECENT] = F("periop.recent", SEV_BLOCK,
	    B(V_PROCEDURE) | B(V_PROCEDURE_DATE) | B(V_WASHOUT_DAYS) |
	        B(V_LIFT_DATE)),
	[E_PERIOP_START_AFTER] = F("periop.start_after", SEV_BLOCK,
	    B(V_PROCEDURE) | B(V_PROCEDURE_DATE) | B(V_LIFT_DATE) |
	        B(V_WASHOUT_DAYS)),
	/* A planned procedure for a patient who already takes naltrexone
	 * ({drug}): the hold is still ahead, or has begun. */
	[E_PERIOP_NALTREXONE_HOLD] = F("periop.naltrexone_hold", SEV_CAUTION,
	    B(V_DRUG) | B(V_PROCEDURE) | B(V_PROCEDURE_DATE) | B(V_HOLD_START) |
	        B(V_HOLD_DAYS) | B(V_RESTART_DATE) | B(V_WASHOUT_DAYS)),
	[E_PERIOP_NALTREXONE_STOP_NOW] = F("periop.naltrexone_stop_now",
	    SEV_CAUTION,
	    B(V_DRUG) | B(V_PROCEDURE) | B(V_PROCEDURE_DATE) | B(V_HOLD_START) |
	        B(V_HOLD_DAYS) | B(V_RESTART_DATE) | B(V_WASHOUT_DAYS)),
	[E_INDICATION_MATCH] = F("indication.match", SEV_INFO, B(V_CONDITION)),
	[E_INDICATION_NONE] = F("indication.none", SEV_CAUTION, 0),
	[E_PRIOR_FIXED_DOSE_FAILURE] =
	    F("prior.fixed_dose_failure", SEV_INFO, B(V_MAX_DOSE)),
	[E_PRIOR_TITRATED_FAILURE] =
	    F("prior.titrated_failure", SEV_CAUTION, B(V_MAX_DOSE)),
	[E_PRIOR_SIDE_EFFECTS] =
	    F("prior.side_effects", SEV_CAUTION, B(V_MAX_DOSE)),
	[E_PRIOR_BENEFIT] = F("prior.benefit", SEV_INFO, B(V_MAX_DOSE)),
	[E_DOSE_SENSITIVE] =
	    F("dose.sensitive", SEV_INFO, B(V_START_DOSE) | B(V_INTERVAL_DAYS)),
	[E_MONITOR_BASELINE_PAIN] = M("monitor.baseline_pain", B(V_DATE)),
	[E_MONITOR_STEP_REVIEW] = M("monitor.step_review", 0),
	[E_MONITOR_TRIAL_REVIEW] =
	    M("monitor.trial_review", B(V_FROM_DATE) | B(V_TO_DATE)),
	[E_MONITOR_LFT] = M("monitor.lft", 0),
	[E_MONITOR_TSH] = M("monitor.tsh", 0),
	[E_MONITOR_RENAL] = M("monitor.renal", 0),
	[E_SCHEDULE_START] = S("schedule.start", B(V_DOSE) | B(V_DATE)),
	[E_SCHEDULE_INCREASE] = S("schedule.increase", B(V_DOSE) | B(V_DATE)),
	[E_SCHEDULE_HOLD] =
	    S("schedule.hold", B(V_DOSE) | B(V_DATE) | B(V_PROCEDURE)),
	[E_SCHEDULE_RESTART] =
	    S("schedule.restart", B(V_DOSE) | B(V_DATE) | B(V_PROCEDURE)),
	[E_SCHEDULE_CEILING] = S("schedule.ceiling", B(V_DOSE)),
	[E_SCHEDULE_BEFORE_FIRST_DOSE] = S("schedule.before_first_dose", 0),
	/* the same, for an opioid kept under opioid_co_use=relative */
	[E_SCHEDULE_BEFORE_FIRST_DOSE_CO_USE] =
	    S("schedule.before_first_dose_co_use", 0),
	[E_NEXT_NOT_STARTED] = N("next.not_started", 0),
	/* the latest plan says do not start, yet a dose is recorded */
	[E_NEXT_STOP_PLAN] = N("next.stop_plan", B(V_DOSE) | B(V_DATE)),
	/* doses under an earlier plan, then a plan that waits: restart */
	[E_NEXT_RESTART_AFTER_WAIT] = N("next.restart_after_wait",
	    B(V_FROM_DATE) | B(V_START_DOSE) | B(V_TIMING) | B(V_DATE) |
	        B(V_INTERVAL_DAYS)),
	/* doses under an earlier plan, and a plan that waits: pause */
	[E_NEXT_WAIT_NEW_PLAN] = N("next.wait_new_plan",
	    B(V_FROM_DATE) | B(V_START_DOSE) | B(V_TIMING) | B(V_DATE)),
	/* a dose above the latest plan's ceiling: down to it */
	[E_NEXT_ABOVE_CEILING] = N("next.above_ceiling",
	    B(V_DOSE) | B(V_CEILING) | B(V_NEXT_DOSE) | B(V_DATE)),
	[E_NEXT_START] = N("next.start", B(V_DOSE) | B(V_DATE) | B(V_TIMING)),
	[E_NEXT_ESCALATE] = N("next.escalate",
	    B(V_DOSE) | B(V_NEXT_DOSE) | B(V_DATE) | B(V_PAIN) |
	        B(V_BASELINE_PAIN) | B(V_INTERVAL_DAYS) | B(V_TIMING)),
	[E_NEXT_HOLD_SETTLING] = N("next.hold_settling",
	    B(V_DOSE) | B(V_FROM_DATE) | B(V_DATE) | B(V_NEXT_DOSE)),
	[E_NEXT_STEP_BACK] = N("next.step_back",
	    B(V_DOSE) | B(V_NEXT_DOSE) | B(V_DATE) | B(V_MAX_DOSE) |
	        B(V_INTERVAL_DAYS)),
	/* the same with no tolerated dose below to return to */
	[E_NEXT_STEP_BACK_FIRST] = N("next.step_back_first",
	    B(V_DOSE) | B(V_NEXT_DOSE) | B(V_DATE) | B(V_INTERVAL_DAYS)),
	[E_NEXT_MORNING] = N("next.morning",
	    B(V_DOSE) | B(V_DATE) | B(V_SLEEP) | B(V_BASELINE_SLEEP)),
	[E_NEXT_STOP_SERIOUS] = N("next.stop_serious", B(V_DOSE) | B(V_DATE)),
	[E_NEXT_STOPPED_SERIOUS] =
	    N("next.stopped_serious", B(V_FROM_DATE) | B(V_DOSE)),
	[E_NEXT_REINTRODUCE] = N("next.reintroduce",
	    B(V_START_DOSE) | B(V_DATE) | B(V_MAX_DOSE) | B(V_INTERVAL_DAYS) |
	        B(V_TIMING)),
	/* too few doses taken to raise or judge the dose */
	[E_NEXT_ADHERENCE] =
	    N("next.adherence", B(V_DOSE) | B(V_ADHERENCE) | B(V_DATE)),
	[E_NEXT_HOLD_PLATEAU] = N("next.hold_plateau",
	    B(V_DOSE) | B(V_PAIN) | B(V_BASELINE_PAIN) | B(V_MAX_DOSE)),
	[E_NEXT_HOLD_BEST] = N("next.hold_best",
	    B(V_DOSE) | B(V_PAIN) | B(V_BASELINE_PAIN) | B(V_CEILING)),
	/* the same, below the ceiling: the next step up was not tolerated */
	[E_NEXT_HOLD_BEST_TOLERATED] = N("next.hold_best_tolerated",
	    B(V_DOSE) | B(V_PAIN) | B(V_BASELINE_PAIN) | B(V_NOT_TOLERATED)),
	[E_NEXT_HOLD_TRIAL] = N("next.hold_trial",
	    B(V_DOSE) | B(V_FROM_DATE) | B(V_DATE) | B(V_PAIN) |
	        B(V_BASELINE_PAIN)),
	[E_NEXT_REVIEW_NO_BENEFIT] = N("next.review_no_benefit",
	    B(V_DOSE) | B(V_FROM_DATE) | B(V_DAYS) | B(V_DATE) | B(V_PAIN) |
	        B(V_BASELINE_PAIN)),
	[E_NEXT_STOP_NO_BENEFIT] = N("next.stop_no_benefit",
	    B(V_DOSE) | B(V_FROM_DATE) | B(V_DAYS) | B(V_PAIN) |
	        B(V_BASELINE_PAIN)),
	/* the same under opioid_co_use=relative: a trial at its cap */
	[E_NEXT_CO_USE_NO_BENEFIT] = N("next.co_use_no_benefit",
	    B(V_DOSE) | B(V_FROM_DATE) | B(V_DAYS) | B(V_PAIN) |
	        B(V_BASELINE_PAIN)),
	/* at the highest dose with no pain at the baseline */
	[E_NEXT_HOLD_UNJUDGED] = N("next.hold_unjudged",
	    B(V_DOSE) | B(V_FROM_DATE) | B(V_DATE) | B(V_BASELINE_PAIN)),
	/* off LDN after a course that ended in a failed trial */
	[E_NEXT_STOPPED_NO_BENEFIT] = N("next.stopped_no_benefit",
	    B(V_DOSE) | B(V_FROM_DATE) | B(V_DAYS)),
	[E_NEXT_BEFORE_START] =
	    N("next.before_start", B(V_DATE) | B(V_FROM_DATE)),
	/* the plan's hold around a procedure: inside it, after it (no
	 * visit since the restart day), and a step that would fall in it */
	[E_NEXT_PERIOP_HOLD] = N("next.periop_hold",
	    B(V_HOLD_START) | B(V_RESTART_DATE) | B(V_START_DOSE) |
	        B(V_TIMING) | B(V_DATE)),
	[E_NEXT_PERIOP_RESTART] = N("next.periop_restart",
	    B(V_RESTART_DATE) | B(V_START_DOSE) | B(V_TIMING) | B(V_DATE) |
	        B(V_INTERVAL_DAYS)),
	[E_NEXT_PERIOP_BEFORE] = N("next.periop_before",
	    B(V_DOSE) | B(V_HOLD_START) | B(V_RESTART_DATE) | B(V_START_DOSE) |
	        B(V_TIMING) | B(V_DATE)),
	/* Not a rule: beside any advice that comes before a hold */
	[E_NEXT_PERIOP_NOTE] = N("next.periop_note",
	    B(V_NOTE_HOLD_START) | B(V_NOTE_RESTART_DATE) | B(V_START_DOSE) |
	        B(V_TIMING)),
	/* Not a rule: a note beside any advice for a plan that keeps an
	 * opioid under opioid_co_use=relative. */
	[E_NEXT_CO_USE_NOTE] = N("next.co_use_note", 0),
	/* CDS Hooks cards (lib/cds/cards.c).  patient-view: the decision. */
	[E_CARD_VIEW_START] = C("cds.view_start",
	    B(V_DATE) | B(V_START_DOSE) | B(V_INTERVAL_DAYS) | B(V_CEILING) |
	        B(V_TIMING),
	    1),
	[E_CARD_VIEW_WAIT] = C("cds.view_wait",
	    B(V_LIFT_DATE) | B(V_START_DOSE) | B(V_INTERVAL_DAYS) |
	        B(V_CEILING) | B(V_TIMING),
	    1),
	[E_CARD_VIEW_DO_NOT_START] = C("cds.view_do_not_start", 0, 1),
	/* order-select, order-sign: a naltrexone draft ({drug}). */
	[E_CARD_ORDER_OPIOID] = CP("cds.order_opioid", B(V_DRUG)),
	[E_CARD_ORDER_SURGERY] = CP("cds.order_surgery",
	    B(V_DRUG) | B(V_PROCEDURE) | B(V_PROCEDURE_DATE)),
	[E_CARD_ORDER_BLOCKED] = CP("cds.order_blocked", B(V_DRUG)),
	[E_CARD_ORDER_STANDARD_DOSE] = CP("cds.order_standard_dose",
	    B(V_DRUG) | B(V_DOSE) | B(V_CONDITION) | B(V_START_DOSE) |
	        B(V_TIMING)),
	[E_CARD_ORDER_FIRST_STEP] = CP("cds.order_first_step",
	    B(V_DRUG) | B(V_START_DOSE) | B(V_DATE) | B(V_INTERVAL_DAYS) |
	        B(V_CEILING) | B(V_TIMING)),
	/* The suggestion (summary: its label; text: the action's
	 * description) and the MedicationRequest it proposes (summary: the
	 * medication's text; text: the dosage instruction). */
	[E_CARD_SUGGEST_FIRST_STEP] = C("cds.suggest_first_step",
	    B(V_START_DOSE) | B(V_DATE) | B(V_TIMING), 1),
	[E_CARD_LDN_ORDER] = C("cds.ldn_order",
	    B(V_START_DOSE) | B(V_DATE) | B(V_INTERVAL_DAYS) | B(V_CEILING) |
	        B(V_TIMING),
	    1),
	/* An opioid draft ({drug}) for a patient on naltrexone ({detail}),
	 * restart after {washout_days}. */
	[E_CARD_OPIOID_ON_LDN] = CP("cds.opioid_on_ldn",
	    B(V_DRUG) | B(V_DETAIL) | B(V_WASHOUT_DAYS)),
	[E_CARD_OPIOID_ON_NALTREXONE] = CP("cds.opioid_on_naltrexone",
	    B(V_DRUG) | B(V_DETAIL) | B(V_WASHOUT_DAYS)),
	/* Prefetch the card could not see ({detail}: resource types). */
	[E_CARD_NOT_SEEN] = C("cds.not_seen", B(V_DETAIL), 0),
	[E_PRESET_SUGGESTED] = F("preset.suggested", SEV_INFO,
	    B(V_PRESET) | B(V_CODE) | B(V_DETAIL)),
	[E_PRESET_BEYOND_SEED] =
	    F("preset.beyond_seed", SEV_CAUTION, B(V_PRESET) | B(V_CEILING)),
	[E_TIMING_MORNING] = F("timing.morning", SEV_INFO, B(V_CONDITION)),
	[E_SCHEDULE_START_MORNING] =
	    S("schedule.start_morning", B(V_DOSE) | B(V_DATE)),
	[E_SCHEDULE_INCREASE_MORNING] =
	    S("schedule.increase_morning", B(V_DOSE) | B(V_DATE)),
	[E_TIMING_WORDS_BEDTIME] = S("timing.words_bedtime", 0),
	[E_TIMING_WORDS_MORNING] = S("timing.words_morning", 0),
	[E_SCHEDULE_HOLD_MORNING] =
	    S("schedule.hold_morning", B(V_DOSE) | B(V_DATE) | B(V_PROCEDURE)),
	/* A dose not tolerated before ({max_dose}) caps the ceiling. */
	[E_DOSE_PRIOR_INTOLERANCE] = F("dose.prior_intolerance", SEV_CAUTION,
	    B(V_MAX_DOSE) | B(V_CEILING)),
	/* The periop_restart policy set to its alternative (an override). */
	[E_POLICY_PERIOP_RESTART_24H] =
	    F("policy.periop_restart_24h", SEV_CAUTION, 0),
	/* The opioid_co_use policy set to relative (an override), and for
	 * each opioid taken now whether it meets the policy's terms: met
	 * ({dose} a day within the {max_dose} limit; LDN capped at
	 * {ceiling}), or why not (the opioid still blocks). */
	[E_POLICY_OPIOID_CO_USE] = F("policy.opioid_co_use", SEV_CAUTION, 0),
	[E_POLICY_OPIOID_CO_USE_MET] = F("policy.opioid_co_use_met",
	    SEV_CAUTION, B(V_DRUG) | B(V_DOSE) | B(V_MAX_DOSE) | B(V_CEILING)),
	[E_CO_USE_NOT_SHORT] =
	    F("policy.co_use_not_short", SEV_CAUTION, B(V_DRUG) | B(V_ACTING)),
	[E_CO_USE_NO_LIMIT] =
	    F("policy.co_use_no_limit", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_NO_DAILY] =
	    F("policy.co_use_no_daily", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_ABOVE_LIMIT] = F("policy.co_use_above_limit", SEV_CAUTION,
	    B(V_DRUG) | B(V_DOSE) | B(V_MAX_DOSE)),
	[E_CO_USE_SEVERAL] = F("policy.co_use_several", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_ORDER_ONLY] =
	    F("policy.co_use_order_only", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_NO_CODE] = F("policy.co_use_no_code", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_OPIOID_RISK] =
	    F("policy.co_use_opioid_risk", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_CHILD] = F("policy.co_use_child", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_PREGNANCY] =
	    F("policy.co_use_pregnancy", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_PROCEDURE] =
	    F("policy.co_use_procedure", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_OTHER_BLOCK] =
	    F("policy.co_use_other_block", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_NEED_UNKNOWN] =
	    F("policy.co_use_need_unknown", SEV_CAUTION, B(V_DRUG)),
	[E_CO_USE_ORGAN] = F("policy.co_use_organ", SEV_CAUTION, B(V_DRUG)),
};

static_assert(V_COUNT <= 64, "template variables must fit a 64-bit mask");

const char *const flag_names[FL_COUNT] = {
	[FL_ALWAYS] = "always",
	[FL_OPIOID_HISTORY] = "opioid_history",
	[FL_OPIOID_DEFAULT_POLICY] = "opioid_default_policy",
	[FL_NO_OPIOID_KEPT] = "no_opioid_kept",
	[FL_PERIOP] = "periop",
	[FL_CHILD] = "child",
	[FL_OLDER] = "older",
	[FL_PREGNANT] = "pregnant",
	[FL_BREASTFEEDING] = "breastfeeding",
	[FL_PLANNING_PREGNANCY] = "planning_pregnancy",
	[FL_HEPATIC] = "hepatic",
	[FL_RENAL] = "renal",
	[FL_THYROID] = "thyroid",
	[FL_TRANSPLANT] = "transplant",
	[FL_PRIOR_LDN] = "prior_ldn",
	[FL_SENSITIVE] = "sensitive",
};

const char *const section_ids[S_COUNT] = {
	[S_DEFINITION] = "definition",
	[S_PROTOCOL] = "protocol",
	[S_INDICATIONS] = "indications",
	[S_MONITORING] = "monitoring",
	[S_SAFETY] = "safety",
	[S_CONTRAINDICATIONS] = "contraindications",
	[S_POPULATIONS] = "populations",
	[S_PERIOPERATIVE] = "perioperative",
	[S_COMPARISON] = "comparison",
	[S_PITFALLS] = "pitfalls",
	[S_ALGORITHM] = "algorithm",
};

const char *const concept_kind_names[CK_COUNT] = {
	[CK_INDICATION] = "indication",
	[CK_HEPATIC_ACUTE] = "hepatic-acute",
	[CK_HEPATIC_FAILURE] = "hepatic-failure",
	[CK_CIRRHOSIS] = "cirrhosis",
	[CK_LIVER_DECOMPENSATION] = "liver-decompensation",
	[CK_HEPATIC_CHRONIC] = "hepatic-chronic",
	[CK_RENAL_SEVERE] = "renal-severe",
	[CK_PREGNANCY] = "pregnancy",
	[CK_TRANSPLANT] = "transplant",
	[CK_THYROID_AUTOIMMUNE] = "thyroid-autoimmune",
	[CK_OPIOID_USE_DISORDER] = "opioid-use-disorder",
	[CK_OPIOID_CURRENT_USE] = "opioid-current-use",
	[CK_SLOW_TITRATION] = "slow-titration",
	[CK_SLEEP_DISTURBANCE] = "sleep-disturbance",
};

const char *const med_class_names[MC_COUNT] = {
	[MC_NONE] = "none",
	[MC_OPIOID_SHORT] = "opioid-short",
	[MC_OPIOID_LONG] = "opioid-long",
	[MC_OPIOID_ANTITUSSIVE] = "opioid-antitussive",
	[MC_BUPRENORPHINE] = "buprenorphine",
	[MC_BUPRENORPHINE_DEPOT] = "buprenorphine-depot",
	[MC_METHADONE] = "methadone",
	[MC_NALOXONE] = "naloxone",
	[MC_NALTREXONE_LDN] = "naltrexone-ldn",
	[MC_NALTREXONE_STANDARD] = "naltrexone-standard",
	[MC_NALTREXONE_UNKNOWN_DOSE] = "naltrexone-unknown-dose",
	[MC_NALTREXONE_BUPROPION] = "naltrexone-bupropion",
	[MC_IMMUNOSUPPRESSANT] = "immunosuppressant",
	[MC_OPIOID_ANTIDIARRHEAL] = "opioid-antidiarrheal",
};
