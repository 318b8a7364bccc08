/*
 * FHIR intake against real records: every Synthea bundle in
 * tests/data/synthea is planned, and its decision and opioid findings are
 * checked against what the record itself says, read here independently with
 * jansson and the opioid value sets (not with the library's own intake).
 * Then odd-but-real shapes (the files in tests/fhir/): no Bundle type, urn:uuid
 * and Type/id references, medicationReference, category as an object, a wrong
 * type, a deceased patient, a code that contradicts its display.
 *
 *   fhir SOURCE_ROOT SYNTHEA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

#include "tap.h"

/* RxNorm codes of the opioid value sets that need a washout. */
static char **opioid_codes;
static size_t n_opioid_codes;

static void
load_opioid_codes(const char *src)
{
	char path[1024], line[2048];
	FILE *fp;
	size_t cap = 0;

	snprintf(path, sizeof(path), "%s/kb/codes/opioid_rxnorm.tsv", src);
	fp = fopen(path, "r");
	while (fp && fgets(line, sizeof(line), fp)) {
		char *code = strtok(line, "\t"), *display = strtok(NULL, "\t");
		char *cat = strtok(NULL, "\t");

		(void)display;
		if (cat == NULL ||
		    (strncmp(cat, "opioid-", 7) != 0 &&
		        strncmp(cat, "mat-", 4) != 0))
			continue;
		if (n_opioid_codes == cap) {
			cap = cap ? cap * 2 : 512;
			opioid_codes =
			    realloc(opioid_codes, cap * sizeof(char *));
		}
		opioid_codes[n_opioid_codes++] = strdup(code);
	}
	if (fp)
		fclose(fp);
}

static bool
is_opioid_code(const char *code)
{
	for (size_t i = 0; i < n_opioid_codes; i++)
		if (strcmp(opioid_codes[i], code) == 0)
			return true;
	return false;
}

/* What the record says, by the test's own reading. */
struct truth {
	bool deceased;
	size_t active_opioid_orders; /* MedicationRequest status active */
	char active_ids[8][80];
	size_t stopped_opioid_codes; /* distinct codes, stopped only */
};

static void
read_truth(json_t *bundle, struct truth *t)
{
	json_t *entry;
	size_t i;
	char stopped[64][16];
	size_t ns = 0;

	memset(t, 0, sizeof(*t));
	json_array_foreach(json_object_get(bundle, "entry"), i, entry)
	{
		json_t *r = json_object_get(entry, "resource");
		const char *rt =
		    json_string_value(json_object_get(r, "resourceType"));
		const char *status =
		    json_string_value(json_object_get(r, "status"));
		json_t *coding;
		size_t k;

		if (rt && strcmp(rt, "Patient") == 0 &&
		    (json_object_get(r, "deceasedDateTime") ||
		        json_is_true(json_object_get(r, "deceasedBoolean"))))
			t->deceased = true;
		if (rt == NULL || strcmp(rt, "MedicationRequest") != 0 ||
		    !status)
			continue;
		json_array_foreach(
		    json_object_get(json_object_get(r,
		                        "medicationCodeableConcept"),
		        "coding"),
		    k, coding)
		{
			const char *code =
			    json_string_value(json_object_get(coding, "code"));

			if (code == NULL || !is_opioid_code(code))
				continue;
			if (strcmp(status, "active") == 0) {
				if (t->active_opioid_orders < 8)
					snprintf(t->active_ids
					             [t->active_opioid_orders],
					    80, "MedicationRequest/%s",
					    json_string_value(
					        json_object_get(r, "id")));
				t->active_opioid_orders++;
			} else {
				bool seen = false;

				for (size_t s = 0; s < ns; s++)
					seen |= strcmp(stopped[s], code) == 0;
				if (!seen && ns < 64)
					snprintf(stopped[ns++], 16, "%s", code);
			}
		}
	}
	t->stopped_opioid_codes = ns;
}

static size_t
count_findings(json_t *plan, const char *id, const char *with_source)
{
	json_t *f;
	size_t i, n = 0;

	json_array_foreach(json_object_get(plan, "findings"), i, f)
	{
		json_t *src;
		size_t k;
		bool has = with_source == NULL;

		if (strcmp(json_string_value(json_object_get(f, "id")), id) !=
		    0)
			continue;
		json_array_foreach(json_object_get(f, "sources"), k, src) has |=
		    with_source &&
		    strcmp(json_string_value(src), with_source) == 0;
		n += has;
	}
	return n;
}

static size_t
count_prefix(json_t *plan, const char *prefix)
{
	json_t *f;
	size_t i, n = 0;

	json_array_foreach(json_object_get(plan, "findings"), i, f) n +=
	    strncmp(json_string_value(json_object_get(f, "id")), prefix,
	        strlen(prefix)) == 0;
	return n;
}

/* The clinician's JSON plan under the policy named (NULL: the defaults). */
static json_t *
plan_json_policy(const struct ldn_kb *kb, const char *buf, size_t len,
    const char *as_of, const char *policy, struct ldn_error *err)
{
	struct ldn_plan *plan;
	char *out;
	size_t n;
	json_t *j;

	if (ldn_plan_build_with(kb, buf, len, false, as_of, NULL, &policy,
	        policy != NULL, NULL, &plan, err) != LDN_OK)
		return NULL;
	if (ldn_plan_render(plan, LDN_FORMAT_JSON, LDN_AUDIENCE_CLINICIAN, &out,
	        &n, err) != LDN_OK) {
		ldn_plan_free(plan);
		return NULL;
	}
	ldn_plan_free(plan);
	j = json_loadb(out, n, 0, NULL);
	free(out);
	return j;
}

static json_t *
plan_json(const struct ldn_kb *kb, const char *buf, size_t len,
    const char *as_of, struct ldn_error *err)
{
	return plan_json_policy(kb, buf, len, as_of, NULL, err);
}

static void
synthea(const struct ldn_kb *kb, const char *dir)
{
	size_t n;
	char **names = tap_list_dir(dir, &n), path[2048];
	size_t checked = 0;

	for (size_t i = 0; names && i < n; i++) {
		struct ldn_error err = { 0 };
		struct truth t;
		size_t len;
		char *buf;
		json_t *bundle, *plan;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		buf = tap_slurp(path, &len);
		bundle = buf ? json_loadb(buf, len, 0, NULL) : NULL;
		if (bundle == NULL) {
			ok(0, "%s: readable", names[i]);
			free(buf);
			free(names[i]);
			continue;
		}
		read_truth(bundle, &t);
		plan = plan_json(kb, buf, len, "2026-11-25", &err);
		if (plan == NULL) {
			ok(0, "%s: planned (%s: %s)", names[i], err.where,
			    err.msg);
		} else {
			const char *dec = json_string_value(
			    json_object_get(plan, "decision"));
			bool good = true;

			for (size_t k = 0; k < t.active_opioid_orders && k < 8;
			     k++)
				good &=
				    count_findings(plan, "opioid.order_on_file",
				        t.active_ids[k]) == 1;
			if (t.active_opioid_orders || t.deceased)
				good &= strcmp(dec, "do-not-start") == 0;
			if (t.active_opioid_orders == 0)
				good &= count_findings(plan,
				            "opioid.order_on_file", NULL) == 0;
			good &=
			    count_findings(plan, "opioid.last_dose_inferred",
			        NULL) == t.stopped_opioid_codes;
			if (t.active_opioid_orders == 0 &&
			    t.stopped_opioid_codes == 0)
				good &= count_prefix(plan, "opioid.") == 0;
			ok(good,
			    "%s: %s; %zu active opioid order(s), %zu stopped "
			    "opioid code(s) in the record, and the plan says "
			    "so",
			    names[i], dec, t.active_opioid_orders,
			    t.stopped_opioid_codes);
			checked++;
			json_decref(plan);
		}
		json_decref(bundle);
		free(buf);
		free(names[i]);
	}
	free(names);
	ok(checked >= 10, "planned %zu Synthea bundles", checked);

	/* As of a day inside a pregnancy that ended later: the record's
	 * status today ("resolved") must not hide it. */
	snprintf(path, sizeof(path), "%s/%s", dir,
	    "Monserrate_Mayert_0883b933-72d2-4f78-b06e-1b8646c8183c.json");
	size_t len;
	char *buf = tap_slurp(path, &len);
	struct ldn_error err = { 0 };
	json_t *plan = buf ? plan_json(kb, buf, len, "2020-03-01", &err) : NULL;
	ok(plan && count_findings(plan, "pregnancy.pregnant", NULL) == 1,
	    "Monserrate_Mayert as of 2020-03-01, inside a pregnancy that "
	    "abated in June 2020: pregnant");
	json_decref(plan);
	free(buf);
}

static const struct {
	const char *file, *as_of, *decision, *finding, *error_where;
} shapes[] = {
	{ "no-type-urn-reference.json", "2026-11-25", "do-not-start",
	    "opioid.order_on_file", NULL },
	{ "searchset-type-id-reference.json", "2026-11-25", "wait",
	    "opioid.washout", NULL },
	{ "wrong-type-status.json", "2026-11-25", NULL, NULL,
	    "/entry/2/resource/status" },
	{ "deceased.json", "2026-11-25", "do-not-start", "patient.deceased",
	    NULL },
	{ "code-wins-over-display.json", "2026-11-25", "wait",
	    "opioid.last_dose_inferred", NULL },
	{ "dispense-supply-running.json", "2026-11-25", "do-not-start",
	    "opioid.active", NULL },
	{ "service-request-and-egfr.json", "2026-11-25", "start", "periop.hold",
	    NULL },
	{ "service-request-and-egfr.json", "2026-11-25", "start",
	    "renal.severe", NULL },
	{ "entry-not-array.json", "2026-11-25", NULL, NULL, "/entry" },
	{ "contained-medication.json", "2026-11-25", "do-not-start",
	    "opioid.order_on_file", NULL },
	{ "versioned-reference.json", "2026-11-25", "do-not-start",
	    "opioid.order_on_file", NULL },
	{ "ingredient-only-medication.json", "2026-11-25", "do-not-start",
	    "opioid.order_on_file", NULL },
	{ "unresolvable-medication.json", "2026-11-25", "start",
	    "medication.unrecognised", NULL },
	{ "medication-concept-array.json", "2026-11-25", NULL, NULL,
	    "/entry/2/resource/medicationCodeableConcept" },
	{ "two-rxnorm-codings.json", "2026-11-25", "do-not-start",
	    "opioid.order_on_file", NULL },
	{ "statement-active-dated.json", "2026-11-25", "do-not-start",
	    "opioid.active", NULL },
	{ "order-validity-and-supply.json", "2026-11-25", "wait",
	    "opioid.last_dose_inferred", NULL },
	{ "order-refills.json", "2026-11-25", "wait",
	    "opioid.last_dose_inferred", NULL },
	{ "dispense-without-supply.json", "2026-11-25", "wait",
	    "opioid.last_dose_inferred", NULL },
	{ "merge-unknown-beats-dated.json", "2026-11-25", "do-not-start",
	    "opioid.last_dose_unknown", NULL },
	{ "procedure-in-progress.json", "2026-11-25", "wait",
	    "periop.start_after", NULL },
	{ "procedure-completed-period.json", "2026-11-25", "start",
	    "periop.recent_unknown", NULL },
	{ "service-request-lab-not-surgery.json", "2026-11-25", "start",
	    "indication.match", NULL },
	{ "appointment-visit-not-surgery.json", "2026-11-25", "start",
	    "indication.match", NULL },
	{ "appointment-surgery.json", "2026-11-25", "start", "periop.hold",
	    NULL },
	{ "pregnancy-loinc-answer.json", "2026-11-25", "start",
	    "pregnancy.pregnant", NULL },
	{ "clinical-status-local-first.json", "2026-11-25", "do-not-start",
	    "opioid.current_use", NULL },
	{ "searchset-active-orders.json", "2026-11-25", "start",
	    "intake.medications_partial", NULL },
	{ "two-patients.json", "2026-11-25", NULL, NULL, "/entry" },
};

/* The refusal as an OperationOutcome: valid JSON, the FHIR shape, and the
 * place as a FHIRPath expression starting at Bundle. */
static void
outcome(const struct ldn_error *err, const char *file)
{
	char *out;
	size_t len;
	json_t *o, *issue;
	const char *expr;

	if (ldn_error_outcome(err, &out, &len) != LDN_OK) {
		ok(0, "%s: OperationOutcome written", file);
		return;
	}
	o = json_loadb(out, len, 0, NULL);
	issue = json_array_get(json_object_get(o, "issue"), 0);
	expr = json_string_value(
	    json_array_get(json_object_get(issue, "expression"), 0));
	ok(o &&
	        strcmp(json_string_value(json_object_get(o, "resourceType")),
	            "OperationOutcome") == 0 &&
	        json_string_value(json_object_get(issue, "code")) && expr &&
	        strncmp(expr, "Bundle", 6) == 0 &&
	        strcmp(json_string_value(json_object_get(issue, "diagnostics")),
	            err->msg) == 0,
	    "%s: OperationOutcome with expression %s", file, expr ? expr : "?");
	json_decref(o);
	free(out);
}

/*
 * Policy opioid_co_use=relative reads an opioid's daily dose from FHIR: a
 * MedicationStatement's one Dosage (tablets a day times the strength its
 * RxNorm display gives, milligrams a day, or a maximum per period), and
 * keeps it below its limit (oxycodone 30 mg a day) or blocks as by
 * default, saying why.  An order is not a statement that it is taken.
 */
static const struct {
	const char *what, *resource, *key, *dosage, *decision, *finding;
	const char *code;  /* RxNorm (NULL: 1049621, oxycodone 5 mg tablets) */
	const char *extra; /* another entry for the same code, or NULL */
} dosages[] = {
	{ "1 tablet 6 times a day: 30 mg, at the limit", "MedicationStatement",
	    "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":6,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":1,\"unit\":\"tablet\"}}]}]",
	    "do-not-start", "policy.co_use_need_unknown", NULL, NULL },
	{ "1 tablet 7 times a day: 35 mg, over", "MedicationStatement",
	    "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":7,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":1,\"code\":\"{tbl}\"}}]}]",
	    "do-not-start", "policy.co_use_above_limit", NULL, NULL },
	{ "5 mg every 4 hours: 30 mg, at the limit", "MedicationStatement",
	    "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":1,\"period\":4,"
	    "\"periodUnit\":\"h\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":5,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_need_unknown", NULL, NULL },
	{ "5.1 mg every 4 hours: 30.6 mg, over", "MedicationStatement",
	    "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":1,\"period\":4,"
	    "\"periodUnit\":\"h\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":5.1,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_above_limit", NULL, NULL },
	{ "as needed, at most 30 mg a day", "MedicationStatement", "dosage",
	    "[{\"asNeededBoolean\":true,\"maxDosePerPeriod\":{\"numerator\":"
	    "{\"value\":30,\"code\":\"mg\"},\"denominator\":{\"value\":1,"
	    "\"code\":\"d\"}}}]",
	    "do-not-start", "policy.co_use_need_unknown", NULL, NULL },
	{ "as needed, at most 10 mg in 6 hours: 40 mg a day, over",
	    "MedicationStatement", "dosage",
	    "[{\"asNeededBoolean\":true,\"maxDosePerPeriod\":{\"numerator\":"
	    "{\"value\":10,\"code\":\"mg\"},\"denominator\":{\"value\":6,"
	    "\"code\":\"h\"}}}]",
	    "do-not-start", "policy.co_use_above_limit", NULL, NULL },
	{ "as needed with no maximum: no daily dose", "MedicationStatement",
	    "dosage",
	    "[{\"asNeededBoolean\":true,\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":5,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_no_daily", NULL, NULL },
	{ "two Dosage elements: no daily dose", "MedicationStatement", "dosage",
	    "[{\"text\":\"a\"},{\"text\":\"b\"}]", "do-not-start",
	    "policy.co_use_no_daily", NULL, NULL },
	{ "millilitres: no daily dose", "MedicationStatement", "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":1,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":5,\"code\":\"mL\"}}]}]",
	    "do-not-start", "policy.co_use_no_daily", NULL, NULL },
	{ "an active order, within the limit", "MedicationRequest",
	    "dosageInstruction",
	    "[{\"timing\":{\"repeat\":{\"frequency\":2,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":5,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_order_only", NULL, NULL },
	{ "1 to 8 tablets a day (frequencyMax): 40 mg, over",
	    "MedicationStatement", "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":1,\"frequencyMax\":8,"
	    "\"period\":1,\"periodUnit\":\"d\"}},\"doseAndRate\":[{"
	    "\"doseQuantity\":{\"value\":1,\"unit\":\"tablet\"}}]}]",
	    "do-not-start", "policy.co_use_above_limit", NULL, NULL },
	{ "once a day but at four times of day: not read",
	    "MedicationStatement", "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":1,\"period\":1,"
	    "\"periodUnit\":\"d\",\"when\":[\"MORN\",\"AFT\",\"EVE\","
	    "\"NIGHT\"]}},\"doseAndRate\":[{\"doseQuantity\":{\"value\":10,"
	    "\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_no_daily", NULL, NULL },
	{ "a 20 mg maximum beside 10 mg six times a day: 60 mg, over",
	    "MedicationStatement", "dosage",
	    "[{\"maxDosePerPeriod\":{\"numerator\":{\"value\":20,\"code\":"
	    "\"mg\"},\"denominator\":{\"value\":1,\"code\":\"d\"}},"
	    "\"timing\":{\"repeat\":{\"frequency\":6,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":10,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_above_limit", NULL, NULL },
	{ "two statements, 20 then 60 mg a day: the larger counts",
	    "MedicationStatement", "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":2,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":10,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_above_limit", NULL,
	    "{\"resource\":{\"resourceType\":\"MedicationStatement\",\"id\":"
	    "\"m2\",\"status\":\"active\",\"medicationCodeableConcept\":{"
	    "\"coding\":[{\"system\":\"http://www.nlm.nih.gov/research/umls/"
	    "rxnorm\",\"code\":\"1049621\"}]},\"dosage\":[{\"timing\":{"
	    "\"repeat\":{\"frequency\":6,\"period\":1,\"periodUnit\":"
	    "\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{\"value\":10,"
	    "\"code\":\"mg\"}}]}]}}" },
	{ "a morphine 20 mg/mL solution counted in tablets: not read",
	    "MedicationStatement", "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":1,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":1,\"unit\":\"tablet\"}}]}]",
	    "do-not-start", "policy.co_use_no_daily", "892625", NULL },
	{ "R5 asNeeded with no maximum: no daily dose", "MedicationStatement",
	    "dosage",
	    "[{\"asNeeded\":true,\"timing\":{\"repeat\":{\"frequency\":4,"
	    "\"period\":1,\"periodUnit\":\"d\"}},\"doseAndRate\":[{"
	    "\"doseQuantity\":{\"value\":5,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_no_daily", NULL, NULL },
	{ "two codings (oxycodone and tramadol): not kept",
	    "MedicationStatement", "dosage",
	    "[{\"timing\":{\"repeat\":{\"frequency\":2,\"period\":1,"
	    "\"periodUnit\":\"d\"}},\"doseAndRate\":[{\"doseQuantity\":{"
	    "\"value\":5,\"code\":\"mg\"}}]}]",
	    "do-not-start", "policy.co_use_no_code",
	    "1049621\"},{\"system\":"
	    "\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":"
	    "\"835603",
	    NULL },
};

static void
co_use_dosages(const struct ldn_kb *kb)
{
	for (size_t i = 0; i < sizeof(dosages) / sizeof(dosages[0]); i++) {
		char buf[4096];
		struct ldn_error err = { 0 };
		json_t *plan, *cap;
		int n = snprintf(buf, sizeof(buf),
		    "{\"resourceType\":\"Bundle\",\"type\":\"collection\","
		    "\"entry\":[{\"resource\":{\"resourceType\":\"Patient\","
		    "\"id\":\"p1\",\"birthDate\":\"1970-04-02\","
		    "\"gender\":\"female\"}},{\"resource\":{"
		    "\"resourceType\":\"%s\",\"id\":\"m1\",\"status\":"
		    "\"active\",\"authoredOn\":\"2026-11-01\","
		    "\"medicationCodeableConcept\":{\"coding\":[{\"system\":"
		    "\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":"
		    "\"%s\"}]},\"%s\":%s}}%s%s]}",
		    dosages[i].resource,
		    dosages[i].code ? dosages[i].code : "1049621",
		    dosages[i].key, dosages[i].dosage,
		    dosages[i].extra ? "," : "",
		    dosages[i].extra ? dosages[i].extra : "");
		const char *dec;

		plan = plan_json_policy(kb, buf, (size_t)n, "2026-11-25",
		    "opioid_co_use=relative", &err);
		dec = plan
		    ? json_string_value(json_object_get(plan, "decision"))
		    : "(refused)";
		ok(plan && strcmp(dec, dosages[i].decision) == 0 &&
		        count_findings(plan, dosages[i].finding, NULL) == 1,
		    "opioid_co_use=relative, RxNorm %s, %s: %s with %s",
		    dosages[i].code ? dosages[i].code : "1049621",
		    dosages[i].what, dec, dosages[i].finding);
		/* never kept from FHIR: a Bundle cannot record that opioid
		 * pain relief is not needed, so the ceiling stays */
		cap = plan ? json_object_get(plan, "ceiling_mg") : NULL;
		ok(plan && json_number_value(cap) == 4.5,
		    "  and nothing is kept: ceiling 4.5 mg (%g)",
		    plan ? json_number_value(cap) : 0.0);
		if (plan == NULL)
			printf("#   %s: %s\n", err.where, err.msg);
		json_decref(plan);
	}
}

/*
 * A MedicationAdministration is a dose given: completed yesterday, the
 * short-acting washout runs from it; in progress, it is taken now; not
 * done, no exposure.
 */
static void
administrations(const struct ldn_kb *kb)
{
	static const struct {
		const char *status, *when, *decision, *finding;
	} cases[] = {
		{ "completed", "2026-11-24", "wait", "opioid.washout" },
		{ "in-progress", "2026-11-25", "do-not-start",
		    "opioid.active" },
		{ "not-done", "2026-11-24", "start", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[1024];
		struct ldn_error err = { 0 };
		int n = snprintf(buf, sizeof(buf),
		    "{\"resourceType\":\"Bundle\",\"type\":\"collection\","
		    "\"entry\":[{\"resource\":{\"resourceType\":\"Patient\","
		    "\"id\":\"p1\",\"birthDate\":\"1970-04-02\","
		    "\"gender\":\"female\"}},{\"resource\":{"
		    "\"resourceType\":\"MedicationAdministration\",\"id\":"
		    "\"a1\",\"status\":\"%s\",\"effectiveDateTime\":\"%s\","
		    "\"medicationCodeableConcept\":{\"coding\":[{\"system\":"
		    "\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":"
		    "\"1049621\"}]}}}]}",
		    cases[i].status, cases[i].when);
		json_t *plan =
		    plan_json(kb, buf, (size_t)n, "2026-11-25", &err);
		const char *dec = plan
		    ? json_string_value(json_object_get(plan, "decision"))
		    : "(refused)";

		ok(plan && strcmp(dec, cases[i].decision) == 0 &&
		        (cases[i].finding == NULL ||
		            count_findings(plan, cases[i].finding, NULL) == 1),
		    "MedicationAdministration of oxycodone, %s on %s: %s",
		    cases[i].status, cases[i].when, dec);
		json_decref(plan);
	}
}

static void
odd_shapes(const struct ldn_kb *kb, const char *src)
{
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		char path[1024];
		size_t len;
		char *buf;
		struct ldn_error err = { 0 };
		json_t *plan;

		snprintf(path, sizeof(path), "%s/tests/fhir/%s", src,
		    shapes[i].file);
		buf = tap_slurp(path, &len);
		if (buf == NULL) {
			ok(0, "%s: readable", shapes[i].file);
			continue;
		}
		plan = plan_json(kb, buf, len, shapes[i].as_of, &err);
		if (shapes[i].error_where != NULL) {
			ok(plan == NULL &&
			        strcmp(err.where, shapes[i].error_where) == 0 &&
			        err.msg[0] != '\0',
			    "%s: refused at %s (%s)", shapes[i].file, err.where,
			    err.msg);
			outcome(&err, shapes[i].file);
		} else {
			const char *dec = plan
			    ? json_string_value(
			          json_object_get(plan, "decision"))
			    : "(refused)";

			ok(plan && strcmp(dec, shapes[i].decision) == 0 &&
			        count_findings(plan, shapes[i].finding, NULL) >=
			            1,
			    "%s: %s with %s", shapes[i].file, dec,
			    shapes[i].finding);
			if (plan == NULL)
				printf("#   %s: %s\n", err.where, err.msg);
		}
		json_decref(plan);
		free(buf);
	}
}

int
main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : ".";
	const char *dir = argc > 2 ? argv[2] : "tests/data/synthea";
	struct ldn_kb *kb;
	struct ldn_error err;

	if (ldn_kb_load(LDN_KB_DIR, &kb, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	load_opioid_codes(src);
	ok(n_opioid_codes > 1500, "read %zu opioid codes for the oracle",
	    n_opioid_codes);
	synthea(kb, dir);
	odd_shapes(kb, src);
	co_use_dosages(kb);
	administrations(kb);
	for (size_t i = 0; i < n_opioid_codes; i++)
		free(opioid_codes[i]);
	free(opioid_codes);
	ldn_kb_free(kb);
	return tap_done();
}
