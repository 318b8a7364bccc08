/* `ldn plan`: a patient in, a cited plan out. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/kb.h"
#include "ldn/plan.h"
#include "ldn/review.h"

/* `--regimen ID` other than ldn: a standard-dose regimen's plan
 * (kb/regimens.yaml), which has no preset or policy. */
static int
plan_regimen(const struct ldn_kb *kb, const char *input, size_t len,
    const char *path, const char *as_of, const char *regimen, bool ldn_only,
    enum ldn_audience audience, enum ldn_format format)
{
	struct ldn_error err = { 0 };
	char *out = NULL;
	size_t out_len;
	int rc;

	if (ldn_only) {
		cli_warn("--regimen: --preset and --policy are for LDN plans "
		         "only (--regimen ldn)");
		return EX_USAGE_;
	}
	rc = ldn_regimen_plan(kb, input, len, as_of, regimen, audience, format,
	    &out, &out_len, &err);
	if (rc == LDN_E_SCHEMA &&
	    (strcmp(err.where, "regimen") == 0 ||
	        strcmp(err.where, "format") == 0)) {
		cli_warn("--%s: %s", err.where, err.msg);
		return EX_USAGE_;
	}
	if (rc != LDN_OK)
		cli_warn("%s: %s%s%s", strcmp(path, "-") ? path : "stdin",
		    err.where, *err.where ? ": " : "", err.msg);
	else if (fwrite(out, 1, out_len, stdout) != out_len ||
	    fflush(stdout) != 0) {
		cli_warn("writing the plan: %s", strerror(errno));
		rc = LDN_E_IO;
	}
	free(out);
	return cli_exit_code(rc);
}

static int
exec_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "audience", required_argument, NULL, 'u' },
		{ "kb", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "preset", required_argument, NULL, 'p' },
		{ "policy", required_argument, NULL, 'P' },
		{ "regimen", required_argument, NULL, 'r' },
		{ "formulation", required_argument, NULL, 'F' },
		{ "supply-days", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *as_of = NULL, *kb_dir = NULL, *preset = NULL, *path;
	const char *db = NULL, *regimen = NULL, *formulation = NULL;
	long supply_days = 0;
	struct ldn_review *review = NULL;
	const char *policies[8];
	size_t n_policies = 0;
	enum ldn_format format = LDN_FORMAT_TEXT;
	enum ldn_audience audience = LDN_AUDIENCE_CLINICIAN;
	struct ldn_error err = { 0 };
	struct ldn_kb *kb = NULL;
	struct ldn_plan *plan = NULL;
	char *input = NULL, *out = NULL;
	size_t len, out_len;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			as_of = optarg;
			break;
		case 'f':
			/* html and ics are forms of a plan only */
			if (strcmp(optarg, "html") == 0)
				format = LDN_FORMAT_HTML;
			else if (strcmp(optarg, "ics") == 0)
				format = LDN_FORMAT_ICS;
			else if (!cli_format(optarg, true, &format)) {
				cli_warn(
				    "--format: plans are also html or ics");
				return EX_USAGE_;
			}
			break;
		case 'u':
			if (!cli_audience(optarg, &audience))
				return EX_USAGE_;
			break;
		case 'k':
			kb_dir = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'p':
			preset = optarg;
			break;
		case 'P':
			if (n_policies ==
			    sizeof(policies) / sizeof(*policies)) {
				cli_warn("--policy: at most %zu",
				    sizeof(policies) / sizeof(*policies));
				return EX_USAGE_;
			}
			policies[n_policies++] = optarg;
			break;
		case 'r':
			regimen = optarg;
			break;
		case 'F':
			formulation = optarg;
			break;
		case 'S':
			if (!cli_supply_days(optarg, &supply_days))
				return EX_USAGE_;
			break;
		case 'h':
			cli_usage(&cmd_plan_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_plan_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc - 1) {
		cli_usage(&cmd_plan_entry, 1);
		return EX_USAGE_;
	}
	if ((formulation != NULL || supply_days != 0) &&
	    (audience != LDN_AUDIENCE_PHARMACIST ||
	        (regimen != NULL && strcmp(regimen, "ldn") != 0))) {
		cli_warn("--%s: for the dispensing sheet of an LDN plan "
		         "(--audience pharmacist)",
		    formulation ? "formulation" : "supply-days");
		return EX_USAGE_;
	}
	path = argv[optind];
	rc = ldn_kb_load(cli_kb_dir(kb_dir), &kb, &err);
	if (rc != LDN_OK) {
		/* Missing or invalid, the knowledge base is configuration. */
		cli_warn("knowledge base: %s: %s", err.where, err.msg);
		return rc == LDN_E_NOMEM ? EX_SOFTWARE_ : EX_CONFIG_;
	}
	if ((rc = cli_review_load(kb, db, &review)) != EX_OK_) {
		ldn_kb_free(kb);
		return rc;
	}
	input = cli_read_file(path, &len);
	if (input == NULL) {
		cli_warn("%s: %s", path, strerror(errno));
		ldn_review_free(review);
		ldn_kb_free(kb);
		return EX_NOINPUT_;
	}
	if (regimen != NULL && strcmp(regimen, "ldn") != 0) {
		ldn_review_free(review);
		rc = plan_regimen(kb, input, len, path, as_of, regimen,
		    preset != NULL || n_policies > 0, audience, format);
		free(input);
		ldn_kb_free(kb);
		return rc;
	}
	rc = ldn_plan_build_with(kb, input, len, true, as_of, preset, policies,
	    n_policies, review, &plan, &err);
	ldn_review_free(review);
	if (rc == LDN_E_SCHEMA &&
	    (strcmp(err.where, "preset") == 0 ||
	        strcmp(err.where, "policy") == 0)) {
		/* The option, not the file, is wrong: say so as usage. */
		cli_warn("--%s: %s", err.where, err.msg);
		free(input);
		ldn_kb_free(kb);
		return EX_USAGE_;
	}
	if (rc == LDN_OK)
		rc = ldn_plan_render_with(plan, format, audience, formulation,
		    (int32_t)supply_days, &out, &out_len, &err);
	if (cli_sheet_usage(rc, &err)) {
		free(input);
		ldn_plan_free(plan);
		ldn_kb_free(kb);
		return EX_USAGE_;
	}
	if (rc != LDN_OK) {
		cli_warn("%s: %s%s%s", strcmp(path, "-") ? path : "stdin",
		    err.where, *err.where ? ": " : "", err.msg);
		/* Asked for FHIR, the caller gets the refusal in FHIR too. */
		if (format == LDN_FORMAT_FHIR &&
		    ldn_error_outcome(&err, &out, &out_len) == LDN_OK) {
			fwrite(out, 1, out_len, stdout);
			fputc('\n', stdout);
		}
	} else if (fwrite(out, 1, out_len, stdout) != out_len ||
	    (format != LDN_FORMAT_TEXT && format != LDN_FORMAT_HTML &&
	        format != LDN_FORMAT_ICS && fputc('\n', stdout) == EOF) ||
	    fflush(stdout) != 0) {
		cli_warn("writing the plan: %s", strerror(errno));
		rc = LDN_E_IO;
	}
	free(out);
	free(input);
	ldn_plan_free(plan);
	ldn_kb_free(kb);
	return cli_exit_code(rc);
}

const struct cmd_entry cmd_plan_entry = {
	.name = "plan",
	.usage = "[--as-of YYYY-MM-DD] [--format text|json|fhir|html|ics] "
	         "[--audience clinician|patient|pharmacist] [--preset NAME] "
	         "[--policy NAME=VALUE]... [--regimen ldn|aud50|oud|nb] "
	         "[--formulation liquid[:MG_PER_ML]|capsule|sublingual] "
	         "[--supply-days N] "
	         "[--kb DIR] [--db URL] FILE|-",
	.summary = "Write an LDN plan for the patient in FILE (native JSON or "
	           "a FHIR R4 Bundle).",
	.help =
	    "options:\n"
	    "  --as-of DATE   plan as of this day (default: today, UTC);\n"
	    "                 the same input and date give the same plan\n"
	    "  --format F     text (default), json, fhir (a FHIR R4\n"
	    "                 Bundle: CarePlan, MedicationRequests,\n"
	    "                 DetectedIssues), html (one printable page,\n"
	    "                 no scripts, links only to doi.org and\n"
	    "                 PubMed) or ics (an RFC 5545 calendar: an\n"
	    "                 all-day event per dose change and hold, and\n"
	    "                 per dated monitoring item; a do-not-start\n"
	    "                 plan gives one event on the as-of date that\n"
	    "                 says so and why)\n"
	    "  --audience A   clinician (default), patient, or pharmacist:\n"
	    "                 the clinician's plan with a dispensing sheet\n"
	    "                 (text, json, html; fhir and ics: the\n"
	    "                 clinician's plan): per dated step the dose\n"
	    "                 and what makes it, the quantity for the\n"
	    "                 supply, beyond-use dates and refills per\n"
	    "                 storage, warnings, what to tell the patient\n"
	    "                 and check boxes; none for do-not-start\n"
	    "  --formulation F  with --audience pharmacist, the dosage\n"
	    "                 form (kb/formulations.yaml): liquid\n"
	    "                 (default, 1 mg/mL), liquid:MG_PER_ML at a\n"
	    "                 concentration the kb dates, capsule (whole\n"
	    "                 capsules of stocked strengths; a dose none\n"
	    "                 makes is said so, never split) or sublingual\n"
	    "  --supply-days N  with --audience pharmacist, days the supply\n"
	    "                 covers from the first dose, 1 to 366\n"
	    "                 (default: the titration to the ceiling and\n"
	    "                 kb/formulations.yaml supply.after_ceiling_d\n"
	    "                 days more)\n"
	    "  --preset NAME  seed (default), ldnrt, slow, thyroid, child\n"
	    "                 or final6 (kb/presets.yaml, README); those\n"
	    "                 that fit are suggested, never applied; one\n"
	    "                 a patient is excluded from (child for an\n"
	    "                 adult, final6 outside the FINAL trial's\n"
	    "                 population) exits 64 saying why\n"
	    "  --policy N=V   where sources conflict, a named choice\n"
	    "                 (repeatable): periop_restart=seed (default:\n"
	    "                 the full short-acting washout before LDN\n"
	    "                 restarts after a procedure) or\n"
	    "                 periop_restart=24h (one day; the plan shows\n"
	    "                 the override and both sources);\n"
	    "                 opioid_co_use=seed (default: any opioid\n"
	    "                 taken now blocks) or opioid_co_use=relative\n"
	    "                 (one short-acting opioid within its daily\n"
	    "                 limit does not block; LDN capped at 0.5 mg);\n"
	    "                 an unknown name or value exits 64 saying why\n"
	    "  --regimen R    ldn (default: the LDN plan) or a standard-\n"
	    "                 dose regimen, which is not LDN\n"
	    "                 (kb/regimens.yaml): aud50 (naltrexone 50 mg\n"
	    "                 a day, alcohol use disorder), oud (opioid\n"
	    "                 use disorder: 25 mg test dose, then 50 mg a\n"
	    "                 day, or 100/100/150 mg Mon/Wed/Fri\n"
	    "                 supervised) or nb (naltrexone-bupropion\n"
	    "                 8/90 mg, weekly steps to 2 tablets twice a\n"
	    "                 day, review at 12 weeks); each has its own\n"
	    "                 screen; text or json only; no --preset or\n"
	    "                 --policy; an unknown one exits 64\n"
	    "  --kb DIR       knowledge base directory (default: $LDN_KB,\n"
	    "                 else the one built in)\n"
	    "  --db URL       the store whose review log gives each\n"
	    "                 statement's review state (default: $LDN_DB;\n"
	    "                 with neither, none is recorded: every\n"
	    "                 statement is a draft, marked pending review,\n"
	    "                 and left out of the patient's version)\n"
	    "\nFILE is the native patient JSON or a FHIR R4 Bundle (told\n"
	    "apart by its resourceType); the fields are in the README.\n"
	    "A decision of do-not-start is an answer, not an error: the\n"
	    "exit code is 0. Bad input exits 65 with the field (a JSON\n"
	    "pointer) and why; with --format fhir, also a FHIR\n"
	    "OperationOutcome on standard output.\n",
	.exec = exec_plan,
};
