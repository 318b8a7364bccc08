/*
 * The standard-dose regimens (kb/regimens.yaml, `ldn plan --regimen`):
 * each screening threshold on both sides (the washouts the LDN screen
 * gives, the MAOI window), the dated schedules and review, no dose above
 * a regimen's maximum and no schedule when it says do not start (over
 * many generated patients), both audiences' words, the refusals of an LDN
 * dose above the LDN maximum (a prior trial, an order called LDN), and
 * `ldn kb check` refusing a broken regimens.yaml.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/cds.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

#include "base/date.h"
#include "base/strbuf.h"
#include "draft.h"
#include "regimen.h"
#include "tap.h"

static const struct ldn_kb *kb;
static const char *const AS_OF = "2026-11-25";
static int32_t today;

/* A plan of regimen id for the patient JSON (printf-style); NULL (and a
 * failed check) when it cannot be built. */
static struct regimen_plan *plan(const char *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static struct regimen_plan *
plan(const char *id, const char *fmt, ...)
{
	char buf[8192];
	struct ldn_error err = { 0 };
	struct regimen_plan *rp = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (regimen_build(kb, buf, strlen(buf), AS_OF, id, &rp, &err) !=
	    LDN_OK) {
		ok(false, "%s: plan built: %s: %s", id, err.where, err.msg);
		return NULL;
	}
	return rp;
}

static const char *
date_of(int32_t day, char b[static 11])
{
	date_format(day, b);
	return b;
}

/* The line with this id, or NULL. */
static const struct rg_line *
line(const struct regimen_plan *rp, const char *id)
{
	for (size_t i = 0; rp && i < rp->n_lines; i++)
		if (strcmp(rp->lines[i].id, id) == 0)
			return &rp->lines[i];
	return NULL;
}

/* A medication whose last dose was days ago. */
static struct regimen_plan *
stopped(const char *id, const char *drug, int days)
{
	char d[11];

	return plan(id,
	    "{\"age_years\":40,\"sex\":\"male\","
	    "\"opioid_analgesia_required\":false,\"medications\":["
	    "{\"name\":\"%s\",\"status\":\"stopped\",\"last_dose\":\"%s\"}]}",
	    drug, date_of(today - days, d));
}

static const char *const plain =
    "{\"age_years\":40,\"sex\":\"male\",\"opioid_analgesia_required\":"
    "false,\"medications\":[]";

/* Both sides of an opioid washout the LDN screen gives (days). */
static void
washout_sides(const char *id, const char *drug, int32_t washout_d)
{
	struct regimen_plan *rp;

	rp = stopped(id, drug, washout_d - 1);
	ok(rp && rp->decision == LDN_DECISION_WAIT &&
	        rp->start == today - (washout_d - 1) + washout_d,
	    "%s: %s %d days ago waits until the %d-day washout ends", id, drug,
	    washout_d - 1, washout_d);
	ok(rp && line(rp, "opioid.washout") &&
	        line(rp, "opioid.washout")->action == RA_WAIT,
	    "%s: the wait is the LDN screen's opioid.washout", id);
	ok(rp && rp->n_doses > 0 && rp->doses[0].from == rp->start,
	    "%s: the first dose is on the day the wait lifts", id);
	regimen_free(rp);
	rp = stopped(id, drug, washout_d);
	ok(rp && rp->decision == LDN_DECISION_START && rp->start == today,
	    "%s: %s %d days ago starts today", id, drug, washout_d);
	regimen_free(rp);
}

static void
test_washouts(void)
{
	const struct params *p = &kb->params;

	for (int r = 0; r < 3; r++) {
		const char *id = (const char *[]){ "aud50", "oud", "nb" }[r];

		washout_sides(id, "oxycodone", p->washout_short_d);
		washout_sides(id, "methadone", p->washout_bup_methadone_d);
		washout_sides(id, "buprenorphine", p->washout_bup_methadone_d);
		washout_sides(id, "oxycodone extended release",
		    p->washout_long_d);
	}
}

static void
test_blocks(void)
{
	static const char *const ids[] = { "aud50", "oud", "nb" };

	for (int r = 0; r < 3; r++) {
		struct regimen_plan *rp;

		rp = plan(ids[r],
		    "{\"age_years\":40,\"medications\":[{\"name\":"
		    "\"oxycodone\",\"status\":\"active\"}]}");
		ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
		        rp->n_doses == 0 && rp->start == DATE_NONE &&
		        line(rp, "opioid.active"),
		    "%s: an opioid taken now: do not start, no schedule",
		    ids[r]);
		regimen_free(rp);
		rp = plan(ids[r], "{\"age_years\":40}");
		ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
		        line(rp, "intake.medications_unknown"),
		    "%s: no medication list: do not start", ids[r]);
		regimen_free(rp);
		rp = plan(ids[r],
		    "%s,\"conditions\":[{\"system\":\"icd10\",\"code\":"
		    "\"B17.9\",\"status\":\"active\"}]}",
		    plain);
		ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
		        line(rp, "hepatic.acute"),
		    "%s: acute hepatitis: do not start", ids[r]);
		regimen_free(rp);
		rp = plan(ids[r], "%s}", plain);
		ok(rp && rp->decision == LDN_DECISION_START,
		    "%s: nothing on file: start today", ids[r]);
		regimen_free(rp);
		rp = plan(ids[r],
		    "{\"age_years\":15,\"weight_kg\":50,"
		    "\"opioid_analgesia_required\":false,"
		    "\"medications\":[]}");
		ok(rp && rp->decision == LDN_DECISION_DO_NOT_START,
		    "%s: a 15-year-old: do not start", ids[r]);
		regimen_free(rp);
	}
}

/* The other thresholds the LDN screen gives, both sides: a procedure
 * with opioids (the restart wait), age (adult_y), kidney function for
 * naltrexone-bupropion's cap (renal.egfr_moderate) and its refusal in the
 * kidney-failure range (renal.egfr_failure). */
static void
test_thresholds(void)
{
	const struct params *p = &kb->params;
	struct regimen_plan *rp;
	char d[11];

	for (int side = 0; side < 2; side++) {
		int32_t ago = p->washout_short_d - 1 + side;
		int age = (int)p->adult_y - 1 + side;
		int egfr = (int)p->egfr_moderate - 1 + side;
		int failure = (int)p->egfr_failure - 1 + side;

		rp = plan("aud50",
		    "%s,\"procedures\":[{\"display\":\"knee surgery\","
		    "\"date\":\"%s\",\"status\":\"completed\","
		    "\"opioids_expected\":true}]}",
		    plain, date_of(today - ago, d));
		ok(rp &&
		        rp->decision ==
		            (side ? LDN_DECISION_START : LDN_DECISION_WAIT),
		    "aud50: surgery with opioids %d days ago: %s", (int)ago,
		    side ? "start" : "wait");
		regimen_free(rp);
		rp = plan("oud",
		    "{\"age_years\":%d,\"weight_kg\":60,"
		    "\"opioid_analgesia_required\":false,\"medications\":[]}",
		    age);
		ok(rp &&
		        rp->decision ==
		            (side ? LDN_DECISION_START
		                  : LDN_DECISION_DO_NOT_START),
		    "oud: age %d: %s", age, side ? "start" : "do not start");
		regimen_free(rp);
		rp = plan("nb",
		    "%s,\"labs\":[{\"loinc\":\"62238-1\",\"value\":%d,"
		    "\"date\":\"2026-11-01\"}]}",
		    plain, egfr);
		ok(rp && rp->n_doses > 0 && rp->cap_tablets == (side ? 0 : 2) &&
		        rp->doses[rp->n_doses - 1].am +
		                rp->doses[rp->n_doses - 1].pm ==
		            (side ? 4 : 2),
		    "nb: eGFR %d: %s", egfr,
		    side ? "2 + 2 tablets" : "at most 1 tablet twice a day");
		regimen_free(rp);
		rp = plan("nb",
		    "%s,\"labs\":[{\"loinc\":\"62238-1\",\"value\":%d,"
		    "\"date\":\"2026-11-01\"}]}",
		    plain, failure);
		ok(rp &&
		        (side ? rp->decision != LDN_DECISION_DO_NOT_START &&
		                    rp->cap_tablets == 2
		              : rp->decision == LDN_DECISION_DO_NOT_START &&
		                    rp->n_doses == 0),
		    "nb: eGFR %d: %s", failure,
		    side ? "starts, at most 1 tablet twice a day"
		         : "do not start (kidney failure range)");
		regimen_free(rp);
	}
}

static void
test_schedules(void)
{
	struct regimen_plan *rp;
	char d[11];

	rp = plan("aud50", "%s}", plain);
	ok(rp && rp->n_doses == 1 && rp->doses[0].dose_ug == 50000 &&
	        rp->doses[0].from == today && rp->doses[0].to == DATE_NONE &&
	        rp->review == DATE_NONE && rp->alt_from == DATE_NONE,
	    "aud50: 50 mg a day from today, ongoing");
	regimen_free(rp);

	rp = plan("oud", "%s}", plain);
	ok(rp && rp->n_doses == 2 && rp->doses[0].kind == RS_TEST &&
	        rp->doses[0].dose_ug == 25000 && rp->doses[0].from == today &&
	        rp->doses[0].to == today && rp->doses[1].dose_ug == 50000 &&
	        rp->doses[1].from == today + 1,
	    "oud: 25 mg test dose today, 50 mg a day from tomorrow");
	/* 2026-11-25 is a Wednesday: the first Monday after day 2 */
	ok(rp && rp->alt_from != DATE_NONE &&
	        strcmp(date_of(rp->alt_from, d), "2026-11-30") == 0,
	    "oud: the Monday/Wednesday/Friday alternative from Monday "
	    "2026-11-30 (%s)",
	    rp && rp->alt_from != DATE_NONE ? d : "none");
	ok(rp && strstr(rp->alt_text[AUD_CLINICIAN], "100 mg on Monday") &&
	        strstr(rp->alt_text[AUD_CLINICIAN], "150 mg on Friday"),
	    "oud: the alternative names 100/100/150 mg Mon/Wed/Fri");
	regimen_free(rp);

	rp = plan("nb", "%s}", plain);
	{
		static const int am[] = { 1, 1, 2, 2 }, pm[] = { 0, 1, 1, 2 };
		bool right = rp && rp->n_doses == 4;

		for (int i = 0; right && i < 4; i++)
			right = rp->doses[i].am == am[i] &&
			    rp->doses[i].pm == pm[i] &&
			    rp->doses[i].from == today + 7 * i &&
			    rp->doses[i].dose_ug == (am[i] + pm[i]) * 8000 &&
			    (i == 3 ? rp->doses[i].to == DATE_NONE
			            : rp->doses[i].to == today + 7 * i + 6);
		ok(right, "nb: weekly steps 1+0, 1+1, 2+1, 2+2 tablets");
	}
	ok(rp && rp->review == today + 21 + 84,
	    "nb: review 84 days after the full dose began (%s)",
	    rp && rp->review != DATE_NONE ? date_of(rp->review, d) : "none");
	ok(rp && strstr(rp->review_text[AUD_CLINICIAN], "5%"),
	    "nb: the review names the label's 5%% stopping rule");
	regimen_free(rp);
}

static void
test_nb_screen(void)
{
	struct regimen_plan *rp;
	char d[11];

	/* the MAOI window, both sides */
	rp = stopped("nb", "phenelzine", 13);
	ok(rp && rp->decision == LDN_DECISION_WAIT && rp->start == today + 1 &&
	        line(rp, "nb.maoi") && line(rp, "nb.maoi")->action == RA_WAIT,
	    "nb: an MAOI stopped 13 days ago waits a day (%s)",
	    rp && rp->start != DATE_NONE ? date_of(rp->start, d) : "none");
	regimen_free(rp);
	rp = stopped("nb", "phenelzine", 14);
	ok(rp && rp->decision == LDN_DECISION_START && line(rp, "nb.maoi") &&
	        line(rp, "nb.maoi")->action == RA_ASK,
	    "nb: an MAOI stopped 14 days ago: start today");
	regimen_free(rp);
	rp = stopped("aud50", "phenelzine", 3);
	ok(rp && rp->decision == LDN_DECISION_START,
	    "aud50: an MAOI is no bar to naltrexone alone");
	regimen_free(rp);
	rp = plan("nb",
	    "{\"age_years\":40,\"opioid_analgesia_required\":"
	    "false,\"medications\":[{\"name\":\"Nardil 15 mg\","
	    "\"status\":\"active\"}]}");
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
	        line(rp, "nb.maoi"),
	    "nb: an MAOI taken now: do not start");
	regimen_free(rp);
	rp = plan("nb",
	    "{\"age_years\":40,\"opioid_analgesia_required\":"
	    "false,\"medications\":[{\"name\":\"selegiline\","
	    "\"status\":\"stopped\"}]}");
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START,
	    "nb: an MAOI stopped on a day not known: do not start");
	regimen_free(rp);
	rp = plan("nb",
	    "{\"age_years\":40,\"opioid_analgesia_required\":"
	    "false,\"medications\":[{\"name\":\"Wellbutrin XL\","
	    "\"status\":\"active\"}]}");
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
	        line(rp, "nb.bupropion"),
	    "nb: bupropion already taken: do not start");
	regimen_free(rp);

	/* seizures: shown, or asked */
	rp = plan("nb",
	    "%s,\"conditions\":[{\"system\":\"icd10\",\"code\":\"G40.909\","
	    "\"status\":\"active\"}]}",
	    plain);
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
	        line(rp, "nb.seizure") &&
	        line(rp, "nb.seizure")->action == RA_DO_NOT_START,
	    "nb: epilepsy on file: do not start");
	regimen_free(rp);
	rp = plan("nb",
	    "%s,\"conditions\":[{\"system\":\"icd10\",\"code\":\"G40.909\","
	    "\"status\":\"resolved\"}]}",
	    plain);
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
	        line(rp, "nb.seizure") &&
	        line(rp, "nb.seizure")->action == RA_DO_NOT_START,
	    "nb: a seizure disorder in the past: do not start too");
	regimen_free(rp);
	/* end-stage kidney disease: not recommended; stage 5 short of
	 * dialysis (N18.5) is capped by the eGFR rules instead */
	rp = plan("nb",
	    "%s,\"conditions\":[{\"system\":\"icd10\",\"code\":\"N18.6\","
	    "\"status\":\"active\"}]}",
	    plain);
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
	        line(rp, "nb.esrd") &&
	        line(rp, "nb.esrd")->action == RA_DO_NOT_START,
	    "nb: end-stage kidney disease (N18.6): do not start");
	regimen_free(rp);
	rp = plan("nb",
	    "%s,\"conditions\":[{\"system\":\"icd10\",\"code\":\"N18.4\","
	    "\"status\":\"active\"}]}",
	    plain);
	ok(rp && line(rp, "nb.esrd") && line(rp, "nb.esrd")->action == RA_ASK,
	    "nb: chronic kidney disease stage 4 (N18.4) is not end-stage: "
	    "asked, not blocked by this rule");
	regimen_free(rp);
	rp = plan("nb", "%s}", plain);
	ok(rp && line(rp, "nb.seizure") &&
	        line(rp, "nb.seizure")->action == RA_ASK &&
	        line(rp, "nb.eating")->action == RA_ASK &&
	        line(rp, "nb.maoi")->action == RA_ASK &&
	        line(rp, "nb.stopping_other")->action == RA_ASK,
	    "nb: what the record does not show is asked, not passed");
	ok(rp && line(rp, "nb.hypertension") &&
	        line(rp, "nb.hypertension")->action == RA_ASK,
	    "nb: no blood pressure on file: asked");
	regimen_free(rp);
	rp = plan("aud50", "%s}", plain);
	ok(rp && line(rp, "nb.seizure") == NULL,
	    "aud50: no bupropion questions");
	regimen_free(rp);
	rp = plan("nb",
	    "%s,\"conditions\":[{\"system\":\"icd10\",\"code\":\"F50.2\","
	    "\"status\":\"resolved\"}]}",
	    plain);
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START &&
	        line(rp, "nb.eating"),
	    "nb: bulimia in the past: do not start");
	regimen_free(rp);
	rp = plan("nb",
	    "%s,\"labs\":[{\"loinc\":\"8480-6\",\"value\":150,\"unit\":"
	    "\"mm[Hg]\",\"date\":\"2026-11-01\"}]}",
	    plain);
	ok(rp && line(rp, "nb.hypertension") &&
	        line(rp, "nb.hypertension")->action == RA_CAUTION &&
	        strstr(line(rp, "nb.hypertension")->text[AUD_CLINICIAN], "150"),
	    "nb: a blood pressure on file is shown, to confirm control");
	regimen_free(rp);

	/* pregnancy */
	rp = plan("nb",
	    "{\"age_years\":30,\"sex\":\"female\",\"pregnancy\":"
	    "\"pregnant\",\"opioid_analgesia_required\":false,"
	    "\"medications\":[]}");
	ok(rp && rp->decision == LDN_DECISION_DO_NOT_START,
	    "nb: pregnancy: do not start");
	regimen_free(rp);
	rp = plan("aud50",
	    "{\"age_years\":30,\"sex\":\"female\",\"pregnancy\":"
	    "\"pregnant\",\"opioid_analgesia_required\":false,"
	    "\"medications\":[]}");
	ok(rp && rp->decision == LDN_DECISION_START &&
	        line(rp, "pregnancy.pregnant") &&
	        line(rp, "pregnancy.pregnant")->action == RA_CAUTION,
	    "aud50: pregnancy is a caution");
	regimen_free(rp);

	/* kidney and liver caps */
	rp = plan("nb",
	    "%s,\"labs\":[{\"loinc\":\"62238-1\",\"value\":40,\"date\":"
	    "\"2026-11-01\"}]}",
	    plain);
	ok(rp && rp->cap_tablets == 2 && rp->n_doses == 2 &&
	        rp->doses[1].am == 1 && rp->doses[1].pm == 1 &&
	        rp->doses[1].dose_ug == 16000 && rp->doses[1].to == DATE_NONE,
	    "nb: moderate kidney impairment: at most 1 tablet twice a day");
	regimen_free(rp);
	rp = plan("nb",
	    "%s,\"conditions\":[{\"system\":\"icd10\",\"code\":\"K74.60\","
	    "\"status\":\"active\"}]}",
	    plain);
	ok(rp && rp->decision == LDN_DECISION_START && rp->n_doses == 1 &&
	        rp->doses[0].am == 1 && rp->doses[0].pm == 0 &&
	        rp->doses[0].to == DATE_NONE && rp->doses[0].capped,
	    "nb: liver impairment: at most 1 tablet in the morning");
	regimen_free(rp);
}

static uint64_t rng = 88172645463325252ULL;

static int
pick(int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (int)(rng % (uint64_t)n);
}

/*
 * Many generated patients, each regimen: do-not-start has no schedule;
 * otherwise no dose is above the regimen's maximum, none comes before
 * as_of, any wait's date or the end of an opioid's washout, and a tablet
 * regimen never gives more tablets than a cap allows.
 */
static void
test_property(int n)
{
	static const char *const ids[] = { "aud50", "oud", "nb" };
	static const char *const drugs[] = { "oxycodone", "methadone",
		"buprenorphine", "morphine extended release", "tramadol",
		"phenelzine", "bupropion", "ibuprofen" };
	static const char *const conds[] = { "G40.909", "F50.2", "I10", "B17.9",
		"K74.60", "M79.7", "F11.20" };
	const struct params *p = &kb->params;
	size_t bad = 0, runs = 0, dns = 0;

	for (int i = 0; i < n; i++) {
		struct strbuf b = STRBUF_INIT(1u << 16);
		int di = pick(8), ago = pick(30), ci = pick(8);
		int32_t washout = di == 1 || di == 2
		    ? p->washout_bup_methadone_d
		    : di == 3 ? p->washout_long_d
		              : p->washout_short_d;
		bool opioid = di < 5, active = pick(5) == 0;
		char d[11];

		sb_printf(&b,
		    "{\"age_years\":%d,\"sex\":\"female\",\"pregnancy\":\"%s\","
		    "\"opioid_analgesia_required\":false,\"medications\":[",
		    pick(10) == 0 ? 16 : 20 + pick(60),
		    pick(6) == 0 ? "pregnant" : "none");
		if (active)
			sb_printf(&b, "{\"name\":\"%s\",\"status\":\"active\"}",
			    drugs[di]);
		else
			sb_printf(&b,
			    "{\"name\":\"%s\",\"status\":\"stopped\","
			    "\"last_dose\":\"%s\"}",
			    drugs[di], date_of(today - ago, d));
		sb_puts(&b, "]");
		if (ci < 7)
			sb_printf(&b,
			    ",\"conditions\":[{\"system\":\"icd10\",\"code\":"
			    "\"%s\",\"status\":\"%s\"}]",
			    conds[ci], pick(3) ? "active" : "resolved");
		if (pick(3) == 0)
			sb_printf(&b,
			    ",\"labs\":[{\"loinc\":\"62238-1\",\"value\":%d,"
			    "\"date\":\"2026-11-01\"}]",
			    10 + pick(90));
		sb_puts(&b, "}");
		for (int r = 0; r < 3; r++) {
			struct regimen_plan *rp = NULL;
			struct ldn_error err = { 0 };
			const struct kb_regimen *rg;
			bool good = true;

			if (regimen_build(kb, sb_cstr(&b), b.len, AS_OF, ids[r],
			        &rp, &err) != LDN_OK) {
				bad++;
				tap_diag("%s: %s: %s", sb_cstr(&b), err.where,
				    err.msg);
				continue;
			}
			runs++;
			rg = rp->rg;
			if (rp->decision == LDN_DECISION_DO_NOT_START) {
				dns++;
				good = rp->n_doses == 0 &&
				    rp->start == DATE_NONE &&
				    rp->review == DATE_NONE &&
				    rp->alt_from == DATE_NONE;
				if (opioid && active)
					good = good && true;
			} else {
				good = rp->n_doses > 0 &&
				    rp->start >= rp->as_of &&
				    rp->doses[0].from == rp->start &&
				    !(opioid && active);
				if (opioid && !active)
					good = good &&
					    rp->start >= today - ago + washout;
				for (size_t k = 0; k < rp->n_lines; k++)
					if (rp->lines[k].action == RA_WAIT)
						good = good &&
						    rp->start >=
						        rp->lines[k].lift;
				for (size_t k = 0; k < rp->n_doses; k++) {
					const struct rg_dose *x = &rp->doses[k];

					good = good &&
					    x->dose_ug <= rg->max_daily_ug &&
					    x->dose_ug > 0 &&
					    x->from >= rp->start &&
					    (rp->cap_tablets == 0 ||
					        x->am + x->pm <=
					            rp->cap_tablets);
				}
			}
			if (!good) {
				bad++;
				if (bad < 5)
					tap_diag("%s %s: decision %s", ids[r],
					    sb_cstr(&b),
					    ldn_decision_name(rp->decision));
			}
			regimen_free(rp);
		}
		sb_free(&b);
	}
	ok(bad == 0 && dns > 0 && dns < runs,
	    "%zu generated plans (%zu do not start): every schedule within "
	    "its regimen's maximum, after every wait, none when do not "
	    "start (%zu wrong)",
	    runs, dns, bad);
}

/* Flesch-Kincaid grade of a text: vowel groups as syllables. */
static double
fk_grade(const char *s)
{
	size_t words = 0, sentences = 0, syll = 0;

	for (const char *p = s; *p;) {
		size_t v = 0, letters = 0;
		bool prev = false;
		const char *w = p;

		while (*p &&
		    (*p == ' ' || *p == '.' || *p == ',' || *p == ':' ||
		        *p == ';' || *p == '?' || *p == '!' || *p == '(' ||
		        *p == ')')) {
			sentences += *p == '.' || *p == '?' || *p == '!';
			p++;
		}
		w = p;
		while (*p && *p != ' ' && *p != '.' && *p != ',' && *p != ':' &&
		    *p != ';' && *p != '?' && *p != '!' && *p != '(' &&
		    *p != ')') {
			bool vow = strchr("aeiouyAEIOUY", *p) != NULL;

			letters += (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z');
			v += vow && !prev;
			prev = vow;
			p++;
		}
		if (p > w && letters > 0) {
			words++;
			if (v > 1 && (p[-1] == 'e' || p[-1] == 'E'))
				v--;
			syll += v ? v : 1;
		}
	}
	if (words == 0)
		return 0;
	if (sentences == 0)
		sentences = 1;
	return 0.39 * (double)words / (double)sentences +
	    11.8 * (double)syll / (double)words - 15.59;
}

/* Both audiences: different words, filled in, and the patient's easy to
 * read; the JSON and text renderings carry the comparison with LDN. */
static void
test_words(void)
{
	static const char *const ids[] = { "aud50", "oud", "nb" };
	double worst = 0;
	char worst_text[600] = "";

	/* every rule's patient words, as plans fill them */
	static const char *const patients[] = {
		"{\"age_years\":40,\"medications\":[{\"name\":"
		"\"oxycodone\",\"status\":\"active\"},{\"name\":"
		"\"Nardil\",\"status\":\"active\"},{\"name\":\"zyban\","
		"\"status\":\"active\"},{\"name\":\"methadone\","
		"\"status\":\"stopped\"},{\"name\":\"xyzzy\","
		"\"status\":\"active\"}],\"occult_opioid_use_suspected\":"
		"true}",
		"{\"age_years\":30,\"sex\":\"female\",\"pregnancy\":"
		"\"pregnant\",\"opioid_analgesia_required\":true,"
		"\"medications\":[],\"conditions\":[{\"system\":\"icd10\","
		"\"code\":\"G40.909\",\"display\":\"epilepsy\",\"status\":"
		"\"active\"},{\"system\":\"icd10\",\"code\":\"F50.2\","
		"\"display\":\"bulimia\",\"status\":\"resolved\"},"
		"{\"system\":\"icd10\",\"code\":\"B17.9\",\"display\":"
		"\"hepatitis\",\"status\":\"active\"},{\"system\":\"icd10\","
		"\"code\":\"I10\",\"display\":\"hypertension\",\"status\":"
		"\"active\"},{\"system\":\"icd10\",\"code\":\"F11.20\","
		"\"display\":\"opioid use disorder\",\"status\":\"active\"}"
		"],\"labs\":[{\"loinc\":\"62238-1\",\"value\":40,"
		"\"date\":\"2026-11-01\"}]}",
		"{\"medications\":[],\"pregnancy\":\"breastfeeding\","
		"\"procedures\":[{\"display\":\"knee surgery\",\"date\":"
		"\"2026-11-20\",\"status\":\"completed\",\"opioids_expected\":"
		"true},{\"display\":\"hip surgery\",\"date\":\"2027-01-20\","
		"\"status\":\"planned\",\"opioids_expected\":true}]}",
	};

	for (size_t k = 0; k < 3 * sizeof(patients) / sizeof(*patients); k++) {
		struct regimen_plan *rp = NULL;
		struct ldn_error e;
		const char *pt = patients[k / 3];

		if (regimen_build(kb, pt, strlen(pt), AS_OF, ids[k % 3], &rp,
		        &e) != LDN_OK) {
			ok(false, "%s: %s: %s", ids[k % 3], e.where, e.msg);
			continue;
		}
		for (size_t i = 0; i < rp->n_lines; i++) {
			double g = fk_grade(rp->lines[i].text[AUD_PATIENT]);

			if (g > worst) {
				worst = g;
				snprintf(worst_text, sizeof(worst_text), "%s",
				    rp->lines[i].text[AUD_PATIENT]);
			}
		}
		regimen_free(rp);
	}
	for (int r = 0; r < 3; r++) {
		struct regimen_plan *rp = stopped(ids[r], "oxycodone", 3);
		char *out[2] = { NULL, NULL }, *js = NULL;
		size_t len;
		struct ldn_error err;
		bool filled = true;

		if (rp == NULL)
			continue;
		for (int a = 0; a < 2; a++)
			regimen_render(rp, LDN_FORMAT_TEXT,
			    a ? LDN_AUDIENCE_PATIENT : LDN_AUDIENCE_CLINICIAN,
			    &out[a], &len, &err);
		ok(out[0] && out[1] && strcmp(out[0], out[1]) != 0 &&
		        strstr(out[0], "Not LDN") &&
		        strstr(out[1], "This is not LDN"),
		    "%s: clinician and patient texts differ; both set it "
		    "apart from LDN",
		    ids[r]);
		ok(out[0] && out[1] && strstr(out[0], "PENDING REVIEW") &&
		        strstr(out[1], "PENDING REVIEW"),
		    "%s: both say the words are pending review", ids[r]);
		for (int a = 0; a < 2; a++)
			filled = filled && out[a] && !strchr(out[a], '{') &&
			    !strstr(out[a], "?.");
		ok(filled, "%s: every placeholder filled", ids[r]);
		ok(out[0] && strstr(out[0], "REVIA") == NULL
		        ? strcmp(ids[r], "nb") == 0
		        : strcmp(ids[r], "nb") != 0,
		    "%s: the references are the regimen's own", ids[r]);
		regimen_render(rp, LDN_FORMAT_JSON, LDN_AUDIENCE_PATIENT, &js,
		    &len, &err);
		ok(js && strstr(js, "\"decision\": \"wait\"") &&
		        strstr(js, "\"audience\": \"patient\"") &&
		        strstr(js, "\"compare_ldn\""),
		    "%s: JSON with the decision, audience and comparison",
		    ids[r]);
		for (size_t i = 0; i < rp->n_lines; i++) {
			double g = fk_grade(rp->lines[i].text[AUD_PATIENT]);

			if (g > worst) {
				worst = g;
				snprintf(worst_text, sizeof(worst_text), "%s",
				    rp->lines[i].text[AUD_PATIENT]);
			}
		}
		for (size_t i = 0; i < rp->n_doses; i++) {
			double g = fk_grade(rp->doses[i].text[AUD_PATIENT]);

			if (g > worst) {
				worst = g;
				snprintf(worst_text, sizeof(worst_text), "%s",
				    rp->doses[i].text[AUD_PATIENT]);
			}
		}
		for (int k = 0; k < 2; k++) {
			const char *t = k ? rp->compare[AUD_PATIENT]
			                  : rp->purpose[AUD_PATIENT];
			double g = fk_grade(t);

			if (g > worst) {
				worst = g;
				snprintf(worst_text, sizeof(worst_text), "%s",
				    t);
			}
		}
		free(out[0]);
		free(out[1]);
		free(js);
		regimen_free(rp);
	}
	ok(worst <= 8.0, "patient words at or below grade 8 (worst %.1f: %s)",
	    worst, worst_text);
}

/* An LDN dose above the LDN maximum, each way one can be asked for. */
static void
test_refusals(void)
{
	const int32_t max = kb->params.ldn_max_ug;
	char buf[512], *out = NULL;
	size_t len;
	struct ldn_error err = { 0 };
	struct ldn_plan *pl = NULL;
	static const char pt[] = "{\"age_years\":40,\"medications\":[]}";

	/* A prior trial may have followed a preset's trial ceiling above
	 * the LDN maximum (final6: 6 mg), and still reads. */
	int32_t prior_max = max;

	for (size_t k = 0; k < kb->n_presets; k++)
		if (kb->presets[k].ceiling_ug > prior_max)
			prior_max = kb->presets[k].ceiling_ug;
	ok(prior_max == 6000, "the highest LDN dose here is final6's 6 mg");
	for (int above = 0; above < 2; above++) {
		double mg = (max + (above ? 500 : 0)) / 1000.0;
		double prior_mg = (prior_max + (above ? 500 : 0)) / 1000.0;
		enum ldn_status rc;

		snprintf(buf, sizeof(buf),
		    "{\"age_years\":40,\"medications\":[],\"prior_ldn\":[{"
		    "\"max_dose_mg\":%g,\"outcome\":\"no-benefit\"}]}",
		    prior_mg);
		memset(&err, 0, sizeof(err));
		rc = ldn_plan_build(kb, buf, strlen(buf), AS_OF, &pl, &err);
		if (!above)
			ok(rc == LDN_OK, "a prior LDN trial at %g mg is read",
			    prior_mg);
		else
			ok(rc == LDN_E_SCHEMA &&
			        strcmp(err.where, "/prior_ldn/0/max_dose_mg") ==
			            0 &&
			        strstr(err.msg, "--regimen aud50|oud") &&
			        strstr(err.msg, "not LDN"),
			    "a prior LDN trial at %g mg is refused, naming the "
			    "field and the standard-dose regimens: %s",
			    prior_mg, err.msg);
		ldn_plan_free(pl);
		pl = NULL;

		snprintf(buf, sizeof(buf), "LDN %g mg", mg);
		memset(&err, 0, sizeof(err));
		rc = ldn_check_order(kb, pt, strlen(pt), buf, AS_OF,
		    LDN_AUDIENCE_CLINICIAN, LDN_FORMAT_JSON, &out, &len, &err);
		if (!above)
			ok(rc == LDN_OK, "check-order \"%s\" is checked", buf);
		else
			ok(rc == LDN_E_SCHEMA &&
			        strcmp(err.where, "order") == 0 &&
			        strstr(err.msg, "standard-dose naltrexone"),
			    "check-order \"%s\" is refused, naming the order: "
			    "%s",
			    buf, err.msg);
		free(out);
		out = NULL;
	}
	memset(&err, 0, sizeof(err));
	ok(ldn_check_order(kb, pt, strlen(pt), "naltrexone 50 mg", AS_OF,
	       LDN_AUDIENCE_CLINICIAN, LDN_FORMAT_JSON, &out, &len,
	       &err) == LDN_OK,
	    "check-order \"naltrexone 50 mg\" (not called LDN) is checked");
	free(out);
	out = NULL;
	memset(&err, 0, sizeof(err));
	ok(ldn_regimen_plan(kb, pt, strlen(pt), AS_OF, "ldn50",
	       LDN_AUDIENCE_CLINICIAN, LDN_FORMAT_TEXT, &out, &len,
	       &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "regimen") == 0,
	    "an unknown regimen is refused naming \"regimen\": %s", err.msg);
	free(out);
	out = NULL;
	ok(ldn_regimen_plan(kb, pt, strlen(pt), AS_OF, "ldn",
	       LDN_AUDIENCE_CLINICIAN, LDN_FORMAT_TEXT, &out, &len,
	       &err) == LDN_OK &&
	        strstr(out, "Low-dose naltrexone (LDN) plan"),
	    "regimen ldn is the LDN plan");
	free(out);
}

static void
count_problem(void *ud, const char *where, const char *msg)
{
	(void)where;
	(void)msg;
	++*(size_t *)ud;
}

/* kb check refuses a broken regimens.yaml (sed script s on a copy). */
static void
broken(const char *kb_dir, const char *what, const char *from, const char *to)
{
	char dir[] = "/tmp/ldn-regimen-kbXXXXXX", cmd[2048], path[600];
	size_t problems = 0, len;
	char *text, *at;
	FILE *fp;

	if (mkdtemp(dir) == NULL) {
		ok(false, "temporary directory");
		return;
	}
	snprintf(cmd, sizeof(cmd), "cp -r '%s/.' '%s'", kb_dir, dir);
	snprintf(path, sizeof(path), "%s/regimens.yaml", dir);
	if (system(cmd) != 0 || (text = tap_slurp(path, &len)) == NULL) {
		ok(false, "copy of the knowledge base");
		return;
	}
	at = strstr(text, from);
	if ((fp = fopen(path, "w")) != NULL && at != NULL) {
		fwrite(text, 1, (size_t)(at - text), fp);
		fputs(to, fp);
		fputs(at + strlen(from), fp);
	}
	if (fp != NULL)
		fclose(fp);
	ldn_kb_check(dir, count_problem, &problems);
	ok(at != NULL && problems > 0, "kb check refuses %s (%zu problems)",
	    what, problems);
	free(text);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

static void
test_kb_check(const char *kb_dir)
{
	size_t problems = 0;

	ldn_kb_check(kb_dir, count_problem, &problems);
	ok(problems == 0, "the knowledge base passes kb check");
	broken(kb_dir, "a blocking finding left unlisted",
	    "      - finding: opioid.active\n",
	    "      - finding: opioid.occult\n");
	broken(kb_dir, "a dose above the regimen's maximum",
	    "        dose_ug: 50000\n        clinician: \"From",
	    "        dose_ug: 60000\n        clinician: \"From");
	broken(kb_dir, "nb above 2 + 2 tablets", "        am: 2\n        pm: 2",
	    "        am: 3\n        pm: 2");
	broken(kb_dir, "a variable the finding does not supply",
	    "Do not start before {lift_date}.\"",
	    "Do not start before {ceiling}.\"");
	broken(kb_dir, "a match rule without ask words",
	    "        ask:\n          clinician: \"Ask about any seizure",
	    "        asked:\n          clinician: \"Ask about any seizure");
	broken(kb_dir, "an unknown citation", "cites: [contrave_pi,",
	    "cites: [contrave,");
	broken(kb_dir, "a regimen inside the LDN range",
	    "    max_daily_ug: 50000\n", "    max_daily_ug: 5000\n");
}

int
main(int argc, char **argv)
{
	struct ldn_error err = { 0 };
	struct ldn_kb *k = NULL;
	const char *dir = getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR;

	if (ldn_kb_load(dir, &k, &err) != LDN_OK) {
		fprintf(stderr, "kb: %s: %s\n", err.where, err.msg);
		return 1;
	}
	kb = k;
	date_parse(AS_OF, strlen(AS_OF), &today);
	test_washouts();
	test_blocks();
	test_thresholds();
	test_schedules();
	test_nb_screen();
	test_property(argc > 1 ? atoi(argv[1]) : 2000);
	test_words();
	test_refusals();
	test_kb_check(dir);
	ldn_kb_free(k);
	return tap_done();
}
