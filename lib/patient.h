/*
 * The patient model: what intake produces and screening reads.  Every fact
 * keeps where it came from (src: a JSON pointer into the input), so each
 * finding can name the fields that drove it.  Owned by an arena.
 */
#ifndef LDN_PATIENT_H
#define LDN_PATIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "kb/contract.h"

enum tri {
	TRI_UNKNOWN = -1,
	TRI_NO = 0,
	TRI_YES = 1
};

enum sex {
	SEX_NOT_GIVEN,
	SEX_FEMALE,
	SEX_MALE,
	SEX_OTHER,
	SEX_UNKNOWN
};

enum pregnancy {
	PREG_NOT_GIVEN,
	PREG_NONE,
	PREG_PREGNANT,
	PREG_BREASTFEEDING,
	PREG_PLANNING,
	PREG_UNKNOWN
};

enum cond_system {
	CS_ICD10,
	CS_SNOMED,
	CS_TEXT
};

struct condition {
	const char *code, *display;
	enum cond_system system;
	bool active;
	int32_t onset;     /* DATE_NONE if not given */
	uint64_t concepts; /* bit per kb concept it maps to */
	bool names_opioid; /* the display names an opioid ("OUD on Suboxone") */
	const char *src;
};

struct medication {
	const char *rxnorm, *name;
	bool active;
	int32_t started, last_dose; /* DATE_NONE if not given */
	enum med_class cls;
	int32_t dose_ug;          /* naltrexone strength when known, else -1 */
	const char *code_display; /* RxNorm display when the code is known */
	bool conflict;            /* name names an opioid or antagonist the
	                             code does not */
	enum med_class name_cls;
	/* FHIR: an active order with no evidence that it is taken */
	bool order_only;
	/* FHIR: last_dose is the latest it can be (order date plus the
	 * supply window), not a recorded dose; order_date says from what */
	bool last_dose_inferred;
	int32_t order_date;
	/* The total taken a day, when the record says: daily_ug in ug, or
	 * else daily_units_milli, thousandths of a tablet or capsule a day
	 * (FHIR doses counted in units, whose strength the name gives);
	 * -1 when not known.  daily_src points at where it was read. */
	int32_t daily_ug;
	int32_t daily_units_milli;
	const char *daily_src;
	/* FHIR: more than one RxNorm code named it (codings, a Medication's
	 * code and ingredients): which product it is can be in doubt */
	bool several_codes;
	const char *src;
};

struct lab {
	const char *loinc, *unit;
	double value;
	int32_t date;
	int32_t weight_g; /* for a body-weight lab: the value in grams */
	const char *src;
};

enum proc_status {
	PROC_PLANNED,
	PROC_COMPLETED
};

struct procedure {
	const char *display;
	int32_t date;
	enum proc_status status;
	enum tri opioids_expected;
	/* Unknown opioids are asked about, not assumed (a completed procedure
	 * from a record, where any opioids given would be on file). */
	bool ask_opioids;
	const char *src;
};

enum outcome {
	OUT_BENEFIT,
	OUT_NO_BENEFIT,
	OUT_SIDE_EFFECTS,
	OUT_UNKNOWN
};

struct prior_ldn {
	int32_t max_dose_ug;
	enum tri titrated;
	enum outcome outcome;
	int32_t stopped;
	const char *src;
};

struct patient {
	const char *id;
	int32_t as_of;
	bool from_fhir; /* read from a FHIR Bundle */
	bool deceased;
	const char *deceased_src;
	int32_t birth_date; /* DATE_NONE if not given */
	int age_years;      /* -1 if unknown; from birth_date when given */
	enum sex sex;
	int32_t weight_g; /* 0 if unknown */
	const char *weight_src;
	enum pregnancy pregnancy;
	int baseline_pain; /* 0..10, or -1 */
	enum tri opioid_analgesia_required;
	enum tri occult_opioid_use_suspected;
	enum tri sensitive;
	bool medications_given;
	/* the list came from a search, which may have covered only current
	 * orders: opioids stopped days ago may be missing */
	bool medications_partial;

	struct condition *conditions;
	size_t n_conditions;
	struct medication *medications;
	size_t n_medications;
	struct lab *labs;
	size_t n_labs;
	struct procedure *procedures;
	size_t n_procedures;
	struct prior_ldn *prior;
	size_t n_prior;
};

#endif
