/* `ldn visit add`: record what a visit found. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/store.h"

/* A whole number within [lo, hi]; false with a message otherwise. */
static bool
number(const char *opt, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		cli_warn("--%s: \"%s\" must be a whole number from %d to %d",
		    opt, s, lo, hi);
		return false;
	}
	*out = (int)v;
	return true;
}

static int
exec_visit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, 't' },
		{ "dose", required_argument, NULL, 'o' },
		{ "pain", required_argument, NULL, 'p' },
		{ "sleep", required_argument, NULL, 's' },
		{ "mood", required_argument, NULL, 'm' },
		{ "energy", required_argument, NULL, 'e' },
		{ "clarity", required_argument, NULL, 'c' },
		{ "side-effects", required_argument, NULL, 'x' },
		{ "adherence", required_argument, NULL, 'a' },
		{ "notes", required_argument, NULL, 'n' },
		{ "timing", required_argument, NULL, 'i' },
		{ "db", required_argument, NULL, 'd' },
		{ "actor", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ldn_visit v = { .pain = -1,
		.sleep = -1,
		.mood = -1,
		.energy = -1,
		.clarity = -1,
		.adherence = -1,
		.side_effects = "none",
		.dose_ug = -1 };
	const char *db = NULL, *actor = NULL;
	struct ldn_error err = { 0 };
	struct ldn_store *st;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			snprintf(v.date, sizeof(v.date), "%s", optarg);
			if (strlen(optarg) != 10) {
				cli_warn("--date: \"%s\" is not YYYY-MM-DD",
				    optarg);
				return EX_USAGE_;
			}
			break;
		case 'o': {
			char *end;
			double mg = strtod(optarg, &end);

			if (*optarg == '\0' || *end != '\0' || !(mg >= 0) ||
			    mg > 1000) {
				cli_warn("--dose: \"%s\" is not a dose in mg",
				    optarg);
				return EX_USAGE_;
			}
			v.dose_ug = (int32_t)lround(mg * 1000);
			break;
		}
		case 'p':
			if (!number("pain", optarg, 0, 10, &v.pain))
				return EX_DATAERR_; /* a value, not the usage */
			break;
		case 's':
			if (!number("sleep", optarg, 0, 10, &v.sleep))
				return EX_DATAERR_; /* a value, not the usage */
			break;
		case 'm':
			if (!number("mood", optarg, 0, 10, &v.mood))
				return EX_DATAERR_; /* a value, not the usage */
			break;
		case 'e':
			if (!number("energy", optarg, 0, 10, &v.energy))
				return EX_DATAERR_; /* a value, not the usage */
			break;
		case 'c':
			if (!number("clarity", optarg, 0, 10, &v.clarity))
				return EX_DATAERR_; /* a value, not the usage */
			break;
		case 'x':
			v.side_effects = optarg;
			break;
		case 'a':
			if (!number("adherence", optarg, 0, 100, &v.adherence))
				return EX_DATAERR_; /* a value, not the usage */
			break;
		case 'n':
			v.notes = optarg;
			break;
		case 'i':
			v.timing = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'u':
			actor = optarg;
			break;
		case 'h':
			cli_usage(&cmd_visit_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_visit_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc - 2 || strcmp(argv[optind], "add") != 0 ||
	    v.date[0] == '\0' || v.dose_ug < 0 || v.pain == -1) {
		cli_warn("visit add needs PATIENT, --date, --dose and --pain");
		cli_usage(&cmd_visit_entry, 1);
		return EX_USAGE_;
	}
	if ((rc = cli_open_store(cli_db_url(db), &st)) != EX_OK_)
		return rc;
	rc = ldn_store_add_visit(st, cli_actor(actor), argv[optind + 1], &v,
	    &err);
	if (rc != LDN_OK)
		cli_warn("visit: %s: %s", err.where, err.msg);
	else
		printf("%s: visit of %s recorded\n", argv[optind + 1], v.date);
	ldn_store_close(st);
	return cli_exit_code(rc);
}

const struct cmd_entry cmd_visit_entry = {
	.name = "visit",
	.usage = "add PATIENT --date YYYY-MM-DD --dose MG --pain 0-10 "
	         "[--sleep|--mood|--energy|--clarity 0-10] "
	         "[--side-effects none|mild|moderate|severe|serious] "
	         "[--adherence PCT] [--timing bedtime|morning] [--notes TEXT] "
	         "[--db URL] [--actor NAME]",
	.summary = "Record a titration visit for a stored patient.",
	.help =
	    "Pain is 0-10 with 10 the worst; sleep, mood, energy and clarity\n"
	    "are 0-10 with 10 the best.  --timing says when the dose is taken\n"
	    "(so that `ldn next` knows whether it has moved to the morning).\n"
	    "The visit is refused, with why, for an unknown patient, a\n"
	    "score out of range, a date before the patient's latest plan or\n"
	    "after today, or a dose above that plan's ceiling.\n",
	.exec = exec_visit,
};
