/* `ldn next`: what to do after the latest visit of a stored patient. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/next.h"
#include "ldn/store.h"

static int
exec_next(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "audience", required_argument, NULL, 'p' },
		{ "kb", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "actor", required_argument, NULL, 'u' },
		{ "formulation", required_argument, NULL, 'F' },
		{ "supply-days", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum ldn_format format = LDN_FORMAT_TEXT;
	enum ldn_audience audience = LDN_AUDIENCE_CLINICIAN;
	const char *db = NULL, *actor = NULL, *kb_dir = NULL, *as_of = NULL;
	const char *formulation = NULL;
	long supply_days = 0;
	struct ldn_error err = { 0 };
	struct ldn_store *st;
	struct ldn_kb *kb;
	struct ldn_course *course = NULL;
	struct ldn_next *next = NULL;
	char *out = NULL;
	size_t len;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			as_of = optarg;
			break;
		case 'f':
			if (!cli_format(optarg, false, &format))
				return EX_USAGE_;
			break;
		case 'p':
			if (!cli_audience(optarg, &audience))
				return EX_USAGE_;
			break;
		case 'k':
			kb_dir = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'u':
			actor = optarg;
			break;
		case 'F':
			formulation = optarg;
			break;
		case 'S':
			if (!cli_supply_days(optarg, &supply_days))
				return EX_USAGE_;
			break;
		case 'h':
			cli_usage(&cmd_next_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_next_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc - 1) {
		cli_usage(&cmd_next_entry, 1);
		return EX_USAGE_;
	}
	if ((formulation != NULL || supply_days != 0) &&
	    audience != LDN_AUDIENCE_PHARMACIST) {
		cli_warn("--%s: for the pharmacist (--audience pharmacist)",
		    formulation ? "formulation" : "supply-days");
		return EX_USAGE_;
	}
	if ((rc = ldn_kb_load(cli_kb_dir(kb_dir), &kb, &err)) != LDN_OK) {
		cli_warn("knowledge base: %s: %s", err.where, err.msg);
		return rc == LDN_E_NOMEM ? EX_SOFTWARE_ : EX_CONFIG_;
	}
	if ((rc = cli_open_store(cli_db_url(db), &st)) != EX_OK_) {
		ldn_kb_free(kb);
		return rc;
	}
	rc =
	    ldn_store_course(st, cli_actor(actor), argv[optind], &course, &err);
	if (rc == LDN_OK)
		rc = ldn_next_advise(kb, course, as_of, &next, &err);
	if (rc == LDN_OK)
		rc = ldn_next_render_with(next, format, audience, formulation,
		    (int32_t)supply_days, &out, &len, &err);
	if (cli_sheet_usage(rc, &err)) {
		free(out);
		ldn_next_free(next);
		ldn_course_free(course);
		ldn_store_close(st);
		ldn_kb_free(kb);
		return EX_USAGE_;
	}
	if (rc == LDN_OK) {
		fwrite(out, 1, len, stdout);
		if (format == LDN_FORMAT_JSON)
			fputc('\n', stdout);
	} else {
		cli_warn("next: %s: %s", err.where, err.msg);
	}
	free(out);
	ldn_next_free(next);
	ldn_course_free(course);
	ldn_store_close(st);
	ldn_kb_free(kb);
	return cli_exit_code(rc);
}

const struct cmd_entry cmd_next_entry = {
	.name = "next",
	.usage = "PATIENT [--as-of YYYY-MM-DD] [--format text|json] "
	         "[--audience clinician|patient|pharmacist] "
	         "[--formulation liquid[:MG_PER_ML]|capsule|sublingual] "
	         "[--supply-days N] [--kb DIR] [--db URL] [--actor NAME]",
	.summary = "Advise the next titration step from a patient's visits.",
	.help =
	    "Reads the patient's latest plan and every visit, and says what\n"
	    "to do next: start, escalate, hold, step back, move the dose to\n"
	    "the morning, stop, or re-introduce, with the rule, its words for\n"
	    "the audience and its references.  The first visit is the\n"
	    "baseline: record it on the day of the first dose.  Pain is 0-10\n"
	    "(10 worst), sleep 0-10 (10 best).  Never above the plan's\n"
	    "ceiling; never a step sooner than its interval.  Reading the\n"
	    "record is written to the audit log.\n"
	    "options:\n"
	    "  --audience A   clinician (default), patient, or pharmacist:\n"
	    "                 what to supply, in the pharmacist's own words\n"
	    "                 (kb/findings.yaml next.* pharmacist): the\n"
	    "                 dose from its date, what to check at the\n"
	    "                 counter, when to refer to the prescriber\n"
	    "  --formulation F  with --audience pharmacist, the dosage\n"
	    "                 form (kb/formulations.yaml): liquid (1 mg/mL),\n"
	    "                 liquid:MG_PER_ML, capsule or sublingual; adds\n"
	    "                 one dose in that form (a dose it cannot make\n"
	    "                 is said so, never rounded) and its beyond-use\n"
	    "                 dates\n"
	    "  --supply-days N  with --audience pharmacist, the quantity\n"
	    "                 for N days (1 to 366) of the advised dose and\n"
	    "                 the fills each storage needs (form: liquid\n"
	    "                 unless --formulation names one)\n",
	.exec = exec_next,
};
