/*
 * Safety properties over many generated patients (DESIGN.md "Safety
 * properties").  The generator knows the truth it wrote (each opioid's
 * class and last dose, each procedure's date), and the checks below use the
 * protocol's own numbers written out here, independently of the engine, so
 * a wrong rule or a wrong kb/ number both fail this test.  Half the
 * patients are planned under the default preset and half under a preset
 * named at random, each held to that preset's ceiling, step and interval
 * (children to 0.1 mg/kg and 4.5 mg under every preset; sensitive patients
 * to 0.5 mg steps; below a dose not tolerated before), and a beyond-seed
 * preset to the population of the trial behind it.  A third of the
 * patients are planned with a policy named: periop_restart (seed or 24h),
 * held to the restart day it gives, or opioid_co_use (seed or relative),
 * under which one short-acting opioid taken now within its daily limit
 * does not block and caps LDN at 0.5 mg, and anything else blocks as by
 * default.
 *
 *   property [COUNT] [SEED]     (default 100000 patients, seed 1)
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

#include "tap.h"

/* The seed protocol, as the oracle knows it (kb/numbers.yaml). */
enum {
	SHORT_D = 7,
	LONG_D = 10,
	BUP_METHADONE_D = 14,
	HOLD_D = 3,
	RESTART_D = 7,           /* opioid-free days after a procedure */
	RESTART_24H_D = 1,       /* the same under periop_restart=24h */
	CO_USE_CEILING_UG = 500, /* LDN's ceiling under opioid_co_use */
	CEILING_UG = 4500,
	STEP_UG = 500,
	INTERVAL_D = 7,
	INTERVAL_SENSITIVE_D = 14,
	CHILD_UG_PER_KG = 100,
	CHILD_MAX_UG = 4500, /* never above, whatever the preset */
	START_SENSITIVE_UG = 500,
	FINAL6_OPIOID_FREE_D = 28, /* preset.final6_opioid_free_d */
	ADULT_Y = 18,
	CHILD_MIN_Y = 8, /* no plan below the paediatric evidence */
};

/* Every titration preset (kb/presets.yaml), as the oracle knows it; id
 * NULL is the default, which must be the seed. */
static const struct {
	const char *id;
	int32_t start_ug, step_ug, ceiling_ug;
	int interval_d;
	bool child_only;  /* refused for an adult or an unknown age */
	bool by_weight;   /* starts at the dose by weight */
	bool beyond_seed; /* refused outside the FINAL trial's population */
} presets[] = {
	{ NULL, 1500, STEP_UG, CEILING_UG, INTERVAL_D, false, false, false },
	{ "seed", 1500, STEP_UG, CEILING_UG, INTERVAL_D, false, false, false },
	{ "ldnrt", 1000, 1000, 4500, 7, false, false, false },
	{ "slow", 500, 500, 4500, 14, false, false, false },
	{ "thyroid", 500, 500, 4500, 7, false, false, false },
	{ "child", 500, 500, 4500, 7, true, true, false },
	{ "final6", 1500, 1500, 6000, 7, false, false, true },
};

enum {
	N_PRESETS = sizeof(presets) / sizeof(presets[0])
};

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static int
pick(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static bool
chance(int percent)
{
	return pick(100) < percent;
}

struct buf {
	char s[16384];
	size_t n;
};

static void
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	b->n += (size_t)vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
}

/* Days since 1970-01-01 of y-m-d, and back (as the engine's date.c, but
 * written again so the oracle does not share code with it). */
static int32_t
days(int y, int m, int d)
{
	y -= m <= 2;
	int era = y / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void
ymd(int32_t z, char out[16])
{
	z += 719468;
	int era = z / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;

	snprintf(out, 16, "%04d-%02d-%02d",
	    (yoe + era * 400 + (m <= 2)) % 10000, m % 100, d % 100);
}

static int32_t
parse(const char *s)
{
	return days(atoi(s), atoi(s + 5), atoi(s + 8));
}

/* Medications the generator draws from, with what the oracle knows. */
static const struct {
	const char *rxnorm, *name;
	int washout_d;           /* 0: not an opioid */
	bool blocks_when_active; /* an antagonist already on board */
	/* opioid_co_use=relative's daily limit (0: none; a long-acting
	 * opioid, or an ingredient the name does not give, has none) */
	int32_t co_use_limit_ug;
} meds[] = {
	{ "1049621", "Oxycodone 5 mg tablet", SHORT_D, false, 30000 },
	{ "141950", NULL, BUP_METHADONE_D, false, 0 },
	{ "1010601", "Suboxone", BUP_METHADONE_D, false, 0 },
	{ "197696", "Fentanyl patch", LONG_D, false, 0 },
	{ "250646", NULL, SHORT_D, false, 0 },
	{ "835603", "Tramadol 50 mg", SHORT_D, false, 300000 },
	{ NULL, "Tramadol 50 mg", SHORT_D, false, 0 }, /* no code: not kept */
	{ "892582", "Morphine sulfate 15 mg tablet", SHORT_D, false, 40000 },
	{ NULL, "MS Contin 15 mg", LONG_D, false, 0 },
	{ NULL, "Tylenol #3", SHORT_D, false, 0 },
	{ NULL, "Norco 5/325", SHORT_D, false, 0 },
	{ NULL, "Lisinopril 10 mg", 0, false, 0 },
	{ "197361", "Amlodipine 5 mg", 0, false, 0 },
	{ "1483744", NULL, 0, true, 0 },
	{ NULL, "Contrave", 0, true, 0 },
	{ NULL, "LDN 4.5 mg", 0, true, 0 }, /* already on LDN: blocks */
	{ "7242", NULL, 0, false, 0 },
	{ NULL, "Imodium", 0, false, 0 },
	{ NULL, "Tacrolimus 1 mg", 0, false, 0 },
};

static const struct {
	const char *system, *code;
	bool blocks;          /* when active */
	bool final6_excluded; /* when active: liver, kidney, pregnancy */
} conds[] = {
	{ "icd10", "M79.7", false, false }, { "icd10", "G35", false, false },
	{ "snomed", "95417003", false, false },
	{ "icd10", "B17.1", true, true }, { "icd10", "K74.60", false, true },
	{ "icd10", "R18.8", false, true }, { "icd10", "N18.4", false, true },
	{ "icd10", "Z33.1", false, true }, { "icd10", "E06.3", false, false },
	{ "icd10", "F11.20", true, false }, { "icd10", "Z94.0", false, false },
	{ "icd10", "K72.10", true, true },
	{ "icd10", "G47.00", false, false }, /* insomnia: morning doses */
	{ "icd10", "U09.9", false, false },  /* long COVID: slow suggested */
	{ "icd10", "G93.32", false, false }, /* ME/CFS: slow suggested */
};

struct truth {
	int32_t as_of;
	bool must_not_start;
	bool age_known;
	bool child;
	int32_t weight_g; /* 0 unknown */
	bool sensitive;
	/* A FINAL-trial exclusion surely on file (a child, pregnancy,
	 * breastfeeding, liver or kidney disease, an opioid within
	 * FINAL6_OPIOID_FREE_D days or now), or perhaps (a low eGFR lab, an
	 * opioid use disorder): a beyond-seed preset is refused for the
	 * first, may be for the second, and for no one else. */
	bool excluded, maybe_excluded;
	int32_t intolerant_ug; /* a dose with side effects before; 0 none */
	/* no dose may be taken before this day (washouts) */
	int32_t not_before;
	/* hold windows [from, to) */
	int32_t hold_from[4], hold_to[4];
	int n_holds;
	/* the --policy named (NULL: none) and the restart days it gives */
	const char *policy;
	int32_t restart_d;
	/* opioid_co_use=relative named, and an opioid kept under it (or
	 * perhaps: co_use_maybe, either outcome right) */
	bool co_use_relative, co_use, co_use_maybe;
};

static void
gen(struct buf *b, struct truth *t)
{
	char d[16];
	int n;
	bool cirrhosis = false, decomp = false;

	memset(t, 0, sizeof(*t));
	b->n = 0;
	t->as_of = days(2026, 1, 1) + pick(730);
	t->not_before = t->as_of;
	t->policy = NULL;
	t->restart_d = RESTART_D;
	if (chance(33)) {
		int k = pick(4);

		t->policy = (const char *[]){ "periop_restart=seed",
			"periop_restart=24h", "opioid_co_use=seed",
			"opioid_co_use=relative" }[k];
		t->restart_d = k == 1 ? RESTART_24H_D : RESTART_D;
		t->co_use_relative = k == 3;
	}
	int n_opioids_now = 0;
	bool kept_alone = false; /* the last opioid taken now is within
	                            its limit */
	bool pregnant_or_feeding = false, occult = false,
	     procedure_near = false;
	bool no_analgesia = false, organ = false, organ_maybe = false;
	put(b, "{\"id\":\"gen\"");
	if (chance(97)) {
		int age = pick(100);

		ymd(t->as_of - age * 366 - pick(300), d);
		put(b, ",\"birth_date\":\"%s\"", d);
		t->child = age < ADULT_Y; /* age*366 keeps the age exact */
		t->age_known = true;
		t->excluded |= t->child;
		if (age < CHILD_MIN_Y)
			t->must_not_start = true;
	} else {
		t->must_not_start = true;
	}
	put(b, ",\"sex\":\"%s\"",
	    (const char *[]){ "female", "male", "other", "unknown" }[pick(4)]);
	if (chance(85)) {
		int kg10 = 30 + pick(1500);

		put(b, ",\"weight_kg\":%d.%d", kg10 / 10, kg10 % 10);
		t->weight_g = kg10 * 100;
	} else if (t->child) {
		t->must_not_start = true;
	}
	if (chance(60)) {
		int pg = pick(5);

		put(b, ",\"pregnancy\":\"%s\"",
		    (const char *[]){ "none", "pregnant", "breastfeeding",
		        "planning", "unknown" }[pg]);
		t->excluded |= pg == 1 || pg == 2;
		pregnant_or_feeding = pg == 1 || pg == 2;
	}
	if (chance(96)) {
		put(b, ",\"medications\":[");
		/* under opioid_co_use=relative, half the time an opioid the
		 * policy has a limit for is the first, taken now */
		bool candidate = t->co_use_relative && chance(50);

		n = pick(5) + candidate;
		for (int i = 0; i < n; i++) {
			int k = pick(sizeof(meds) / sizeof(meds[0]));
			bool active = chance(30);

			if (i == 0 && candidate) {
				while (meds[k].co_use_limit_ug == 0)
					k = pick(
					    sizeof(meds) / sizeof(meds[0]));
				active = true;
			}

			put(b, "%s{", i ? "," : "");
			if (meds[k].rxnorm)
				put(b, "\"rxnorm\":\"%s\",", meds[k].rxnorm);
			if (meds[k].name)
				put(b, "\"name\":\"%s\",", meds[k].name);
			put(b, "\"status\":\"%s\"",
			    active ? "active" : "stopped");
			if (active && meds[k].blocks_when_active)
				t->must_not_start = true;
			if (active && meds[k].washout_d) {
				/* a daily dose from half to one and a half
				 * times the limit (or 1-100 mg), in 0.1 mg */
				int32_t lim = meds[k].co_use_limit_ug;
				int32_t ug = lim
				    ? lim / 2 + pick(lim / 100 + 1) * 100
				    : 100 * (10 + pick(991));
				bool given = chance(80);

				if (given)
					put(b, ",\"daily_dose_mg\":%d.%d",
					    ug / 1000, ug % 1000 / 100);
				n_opioids_now++;
				kept_alone = given && lim > 0 && ug <= lim;
			}
			t->excluded |= meds[k].washout_d && active;
			if (!active && chance(85)) {
				int32_t last = t->as_of - pick(40);

				ymd(last, d);
				put(b, ",\"last_dose\":\"%s\"", d);
				t->excluded |= meds[k].washout_d &&
				    t->as_of - last < FINAL6_OPIOID_FREE_D;
				if (meds[k].washout_d &&
				    last + meds[k].washout_d > t->not_before)
					t->not_before =
					    last + meds[k].washout_d;
			} else if (!active && meds[k].washout_d) {
				t->must_not_start = true;
				t->excluded = true;
			}
			put(b, "}");
		}
		put(b, "]");
	} else {
		t->must_not_start = true;
	}
	if (chance(70)) {
		put(b, ",\"conditions\":[");
		n = 1 + pick(3);
		for (int i = 0; i < n; i++) {
			int k = pick(sizeof(conds) / sizeof(conds[0]));
			bool active = chance(70);

			put(b,
			    "%s{\"system\":\"%s\",\"code\":\"%s\",\"status\":"
			    "\"%s\"}",
			    i ? "," : "", conds[k].system, conds[k].code,
			    active ? "active" : "resolved");
			if (active && conds[k].blocks)
				t->must_not_start = true;
			if (active)
				t->excluded |= conds[k].final6_excluded;
			if (active && strcmp(conds[k].code, "F11.20") == 0)
				t->maybe_excluded = true;
			if (active && strcmp(conds[k].code, "K74.60") == 0)
				cirrhosis = true;
			/* kidney (CKD 4) or liver disease: the co-use
			 * policy is not for them (liver codes: perhaps) */
			if (active && strcmp(conds[k].code, "N18.4") == 0)
				organ = true;
			if (active &&
			    (strcmp(conds[k].code, "K74.60") == 0 ||
			        strcmp(conds[k].code, "R18.8") == 0 ||
			        strcmp(conds[k].code, "B17.1") == 0 ||
			        strcmp(conds[k].code, "K72.10") == 0))
				organ_maybe = true;
			if (active && strcmp(conds[k].code, "R18.8") == 0)
				decomp = true;
		}
		put(b, "]");
	}
	if (cirrhosis && decomp)
		t->must_not_start = true;
	if (chance(40)) {
		int egfr = 5 + pick(110);

		put(b, ",\"labs\":[{\"loinc\":\"62238-1\",\"value\":%d}]",
		    egfr);
		t->maybe_excluded |= egfr < 60;
		organ |= egfr < 30; /* renal.severe or renal.failure */
	}
	if (chance(45)) {
		put(b, ",\"procedures\":[");
		n = 1 + pick(2);
		for (int i = 0; i < n; i++) {
			bool planned = chance(70);
			int32_t date = planned ? t->as_of + pick(200)
			                       : t->as_of - pick(30);
			int opi = pick(3); /* 0 false, 1 true, 2 absent */

			ymd(date, d);
			put(b,
			    "%s{\"display\":\"Procedure %d\",\"date\":\"%s\","
			    "\"status\":\"%s\"",
			    i ? "," : "", i, d,
			    planned ? "planned" : "completed");
			if (opi < 2)
				put(b, ",\"opioids_expected\":%s",
				    opi ? "true" : "false");
			put(b, "}");
			if (opi == 0)
				continue;
			procedure_near |= planned || date >= t->as_of - LONG_D;
			if (planned) {
				t->hold_from[t->n_holds] = date - HOLD_D;
				t->hold_to[t->n_holds++] = date + t->restart_d;
			} else if (date + t->restart_d > t->not_before) {
				t->not_before = date + t->restart_d;
			}
		}
		put(b, "]");
	}
	if (chance(5)) {
		put(b, ",\"opioid_analgesia_required\":true");
		t->must_not_start = true;
		t->excluded = true;
	} else if (chance(60)) {
		put(b, ",\"opioid_analgesia_required\":false");
		no_analgesia = true;
	}
	if (chance(10)) {
		put(b, ",\"occult_opioid_use_suspected\":true");
		t->excluded = true;
		occult = true;
	}
	if (chance(15)) {
		put(b, ",\"sensitive\":true");
		t->sensitive = true;
	}
	if (chance(20)) {
		int outcome = pick(4);
		int32_t max_ug = (int32_t[]){ 4500, 6000, 3000, 500 }[pick(4)];

		put(b,
		    ",\"prior_ldn\":[{\"max_dose_mg\":%g,\"titrated\":%s,"
		    "\"outcome\":\"%s\"}]",
		    max_ug / 1000.0, chance(50) ? "true" : "false",
		    (const char *[]){ "benefit", "no-benefit", "side-effects",
		        "unknown" }[outcome]);
		if (outcome == 2) {
			t->sensitive = true;
			t->intolerant_ug = max_ug;
		}
	}
	/* Any opioid taken now blocks, but under opioid_co_use=relative one
	 * alone, known by its code, within its limit, for an adult who is
	 * neither pregnant nor breastfeeding, with no other standing block,
	 * no hidden use suspected and no procedure with opioids near. */
	if (t->co_use_relative && n_opioids_now == 1 && kept_alone &&
	    !t->must_not_start && !occult && t->age_known && !t->child &&
	    !pregnant_or_feeding && !procedure_near && no_analgesia && !organ) {
		/* kept, unless a liver code the screen counts as liver
		 * disease stops it: then either outcome is right */
		t->co_use = !organ_maybe;
		t->co_use_maybe = organ_maybe;
	} else if (n_opioids_now > 0) {
		t->must_not_start = true;
	}
	put(b, "}");
}

struct tally {
	long plans, refused, failures, start, wait, dns, steps;
	long co_use_kept, co_use_blocked; /* under opioid_co_use=relative */
	long by_preset[N_PRESETS];
};

static bool
fail(struct tally *ty, const struct buf *b, const char *what)
{
	if (ty->failures++ < 10)
		printf("# property failed: %s\n#   patient: %s\n", what, b->s);
	return false;
}

/* The dose in effect on a day, from the schedule's step function. */
static int32_t
dose_on(const struct ldn_step *s, size_t n, int32_t day)
{
	int32_t dose = 0;

	for (size_t i = 0; i < n && parse(s[i].date) <= day; i++)
		dose = s[i].dose_ug;
	return dose;
}

static bool
check(const struct ldn_kb *kb, const struct buf *b, const struct truth *t,
    int pi, struct tally *ty, bool deep)
{
	struct ldn_plan *plan;
	struct ldn_error err;
	struct ldn_step s[64];
	char as_of[16];
	size_t n;
	enum ldn_decision dec;
	bool refuse = presets[pi].child_only && !(t->age_known && t->child);
	bool beyond = presets[pi].beyond_seed;

	ymd(t->as_of, as_of);
	if (ldn_plan_build_with(kb, b->s, b->n, false, as_of, presets[pi].id,
	        &t->policy, t->policy != NULL, NULL, &plan, &err) != LDN_OK) {
		char msg[600];

		if ((refuse ||
		        (beyond && (t->excluded || t->maybe_excluded))) &&
		    strcmp(err.where, "preset") == 0) {
			ty->refused++;
			return true;
		}
		snprintf(msg, sizeof(msg),
		    "valid input refused (preset %s): %s: %s",
		    presets[pi].id ? presets[pi].id : "default", err.where,
		    err.msg);
		return fail(ty, b, msg);
	}
	if (refuse) {
		ldn_plan_free(plan);
		return fail(ty, b, "a children's preset for an adult");
	}
	if (beyond && t->excluded) {
		ldn_plan_free(plan);
		return fail(ty, b,
		    "a beyond-seed preset outside the FINAL trial's "
		    "population");
	}
	ty->plans++;
	ty->by_preset[pi]++;
	if (strcmp(ldn_plan_preset(plan),
	        presets[pi].id ? presets[pi].id : "seed") != 0)
		fail(ty, b, "the plan names another preset");
	dec = ldn_plan_decision(plan);
	n = ldn_plan_n_steps(plan);
	if (n > 64) {
		ldn_plan_free(plan);
		return fail(ty, b, "schedule longer than 64 steps");
	}
	for (size_t i = 0; i < n; i++)
		ldn_plan_step(plan, i, &s[i]);
	ty->steps += (long)n;
	bool good = true;
	const char *es = ldn_plan_earliest_start(plan);

	if (ldn_plan_unresolved_citations(plan) != 0)
		good = fail(ty, b, "a citation does not resolve");
	if (dec == LDN_DECISION_DO_NOT_START) {
		ty->dns++;
		if (n != 0 || *es)
			good = fail(ty, b, "do-not-start with a schedule");
	} else {
		dec == LDN_DECISION_START ? ty->start++ : ty->wait++;
		if (t->must_not_start)
			good = fail(ty, b, "a start despite a standing block");
		if (n == 0 || strcmp(s[0].date, es) != 0)
			good = fail(ty, b,
			    "the first dose is not on "
			    "earliest_start");
		if (dec == LDN_DECISION_START && parse(es) != t->as_of)
			good = fail(ty, b, "start but earliest_start != as_of");
		if (dec == LDN_DECISION_WAIT && parse(es) <= t->as_of)
			good = fail(ty, b, "wait but earliest_start <= as_of");
		if (parse(es) < t->not_before)
			good = fail(ty, b, "a dose inside an opioid washout");
	}
	int32_t ceiling = ldn_plan_ceiling_ug(plan);
	int32_t cap = presets[pi].ceiling_ug;
	if (t->child && t->weight_g) {
		int32_t by_weight =
		    (int32_t)((int64_t)t->weight_g * CHILD_UG_PER_KG / 1000);

		if (cap > by_weight)
			cap = by_weight;
		if (cap > CHILD_MAX_UG)
			cap = CHILD_MAX_UG;
	}
	/* One step below a dose not tolerated before (always a sensitive
	 * step); half of it when no step fits. */
	if (t->intolerant_ug > 0) {
		int32_t below = t->intolerant_ug - STEP_UG;

		if (below <= 0)
			below = t->intolerant_ug / 2;
		if (cap > below)
			cap = below;
	}
	if (t->co_use && cap > CO_USE_CEILING_UG)
		cap = CO_USE_CEILING_UG; /* kept: 0.5 mg at most */
	if (ceiling > cap)
		good = fail(ty, b, "ceiling above the preset's limit");
	/* The beyond-seed caution exactly when the ceiling is beyond the
	 * seed's; no suggestion in a plan that says do not start; the
	 * override shown exactly when periop_restart=24h was chosen. */
	bool override = false, co_use_shown = false, kept = false;
	for (size_t i = 0; i < ldn_plan_n_findings(plan); i++) {
		struct ldn_finding f;

		ldn_plan_finding(plan, i, &f);
		override |= strcmp(f.id, "policy.periop_restart_24h") == 0;
		co_use_shown |= strcmp(f.id, "policy.opioid_co_use") == 0;
		kept |= strcmp(f.id, "policy.opioid_co_use_met") == 0;
		if (strcmp(f.id, "preset.beyond_seed") == 0 &&
		    ceiling <= CEILING_UG)
			good = fail(ty, b,
			    "beyond-seed caution with the seed's ceiling");
		if (strcmp(f.id, "preset.suggested") == 0 &&
		    dec == LDN_DECISION_DO_NOT_START)
			good = fail(ty, b, "a preset suggested, do not start");
	}
	if (override != (t->restart_d == RESTART_24H_D))
		good = fail(ty, b, "the periop_restart override shown wrongly");
	if (co_use_shown != kept)
		good = fail(ty, b, "the opioid_co_use override shown wrongly");
	if (kept ? !(t->co_use || t->co_use_maybe) : t->co_use)
		good = fail(ty, b, "an opioid kept (or not) against its terms");
	if (kept && ceiling > CO_USE_CEILING_UG)
		good = fail(ty, b, "an opioid kept with LDN above 0.5 mg");
	if (t->co_use)
		ty->co_use_kept++;
	else if (t->co_use_relative && t->must_not_start)
		ty->co_use_blocked++;
	int interval = presets[pi].interval_d;
	int32_t step = presets[pi].step_ug;
	if (t->sensitive && interval < INTERVAL_SENSITIVE_D)
		interval = INTERVAL_SENSITIVE_D;
	if (t->sensitive && step > STEP_UG)
		step = STEP_UG;
	int32_t start_max = presets[pi].by_weight ? cap : presets[pi].start_ug;
	if (t->sensitive && start_max > START_SENSITIVE_UG)
		start_max = START_SENSITIVE_UG;
	for (size_t i = 0; i < n; i++)
		if ((strcmp(s[i].kind, "start") == 0 ||
		        strcmp(s[i].kind, "restart") == 0) &&
		    s[i].dose_ug > start_max)
			good = fail(ty, b, "a first dose above the preset's");
	int32_t last_change = 0;
	for (size_t i = 0; i < n; i++) {
		int32_t day = parse(s[i].date);

		if (s[i].dose_ug > ceiling)
			good = fail(ty, b, "a dose above the ceiling");
		if (strcmp(s[i].kind, "hold") != 0 && s[i].dose_ug <= 0)
			good = fail(ty, b, "a zero dose outside a hold");
		if (strcmp(s[i].kind, "increase") == 0) {
			if (i == 0 || s[i].dose_ug - s[i - 1].dose_ug > step ||
			    s[i].dose_ug <= s[i - 1].dose_ug)
				good = fail(ty, b,
				    "an increase larger than "
				    "one step");
			if (day - last_change < interval)
				good = fail(ty, b,
				    "two changes closer than "
				    "the interval");
		}
		if (i > 0 && day < parse(s[i - 1].date))
			good = fail(ty, b, "steps out of order");
		last_change = day;
	}
	if (n > 0) {
		for (int h = 0; h < t->n_holds; h++)
			for (int32_t d = t->hold_from[h]; d < t->hold_to[h];
			     d++)
				if (dose_on(s, n, d) != 0) {
					good = fail(ty, b,
					    "a dose inside a "
					    "perioperative hold");
					h = t->n_holds;
					break;
				}
	}
	if (deep) {
		char *a, *c;
		size_t la, lc;

		if (ldn_plan_render(plan, LDN_FORMAT_JSON,
		        LDN_AUDIENCE_CLINICIAN, &a, &la, &err) != LDN_OK) {
			good = fail(ty, b, "JSON rendering failed");
		} else {
			struct ldn_plan *again;

			if (ldn_plan_build_with(kb, b->s, b->n, false, as_of,
			        presets[pi].id, &t->policy, t->policy != NULL,
			        NULL, &again, &err) != LDN_OK ||
			    ldn_plan_render(again, LDN_FORMAT_JSON,
			        LDN_AUDIENCE_CLINICIAN, &c, &lc,
			        &err) != LDN_OK) {
				good = fail(ty, b, "second build failed");
			} else {
				if (la != lc || memcmp(a, c, la) != 0)
					good = fail(ty, b,
					    "the same input gave "
					    "different bytes");
				free(c);
			}
			ldn_plan_free(again);
			free(a);
		}
		for (int aud = 0; aud < 2; aud++)
			if (ldn_plan_render(plan, LDN_FORMAT_TEXT,
			        (enum ldn_audience)aud, &a, &la,
			        &err) == LDN_OK)
				free(a);
			else
				good = fail(ty, b, "text rendering failed");
	}
	ldn_plan_free(plan);
	return good;
}

int
main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 100000;
	struct ldn_kb *kb;
	struct ldn_error err;
	struct tally ty = { 0 };
	struct truth t;
	static struct buf b;

	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	if (rng_state == 0)
		rng_state = 1;
	if (ldn_kb_load(getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR, &kb,
	        &err) != LDN_OK) {
		printf("Bail out! knowledge base: %s: %s\n", err.where,
		    err.msg);
		return 1;
	}
	for (long i = 0; i < count; i++) {
		gen(&b, &t);
		/* Half under the default, half under a preset named. */
		check(kb, &b, &t, chance(50) ? 0 : 1 + pick(N_PRESETS - 1), &ty,
		    i % 50 == 0);
	}
	tap_diag("%ld patients: %ld start, %ld wait, %ld do-not-start; "
	         "%ld schedule steps checked; %ld refused a preset they are "
	         "not for",
	    ty.plans, ty.start, ty.wait, ty.dns, ty.steps, ty.refused);
	ok(ty.plans + ty.refused == count,
	    "every generated patient was accepted, or refused only a "
	    "children's preset as an adult or a beyond-seed preset outside "
	    "its trial's population (%ld+%ld/%ld)",
	    ty.plans, ty.refused, count);
	for (int i = 1; i < N_PRESETS; i++)
		ok(ty.by_preset[i] > count / (4 * N_PRESETS) /
		            (presets[i].child_only || presets[i].beyond_seed
		                    ? 8
		                    : 1),
		    "preset %s planned for %ld patients", presets[i].id,
		    ty.by_preset[i]);
	ok(ty.failures == 0,
	    "no start inside a washout or hold, no dose above the ceiling, "
	    "no schedule for do-not-start, every citation resolves, "
	    "same input same bytes (%ld failures)",
	    ty.failures);
	ok(ty.start > count / 20 && ty.wait > count / 50 && ty.dns > count / 20,
	    "the generator reaches every decision");
	ok(ty.co_use_kept > count / 5000 && ty.co_use_blocked > count / 1000,
	    "opioid_co_use=relative kept an opioid in %ld plans and blocked "
	    "in %ld",
	    ty.co_use_kept, ty.co_use_blocked);
	ldn_kb_free(kb);
	return tap_done();
}
