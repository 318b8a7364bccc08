/* `ldn patient add|replan|list`: patients in the store, each with its plan. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/kb.h"
#include "ldn/plan.h"
#include "ldn/review.h"
#include "ldn/store.h"

struct add_opts {
	const char *as_of, *preset, *kb, *why;
	const char *policies[8];
	size_t n_policies;
	bool replan; /* a new plan for a stored patient, not a new patient */
};

static int
patient_add(const char *path, const struct add_opts *o, const char *db,
    const char *actor)
{
	const char *as_of = o->as_of, *preset = o->preset, *kb_dir = o->kb;
	const char *why = o->why;
	struct ldn_error err = { 0 };
	struct ldn_kb *kb = NULL;
	struct ldn_plan *plan = NULL;
	struct ldn_store *st = NULL;
	struct ldn_review *review = NULL;
	char *input;
	size_t len;
	int rc;

	if (ldn_kb_load(cli_kb_dir(kb_dir), &kb, &err) != LDN_OK) {
		cli_warn("knowledge base: %s: %s", err.where, err.msg);
		return EX_CONFIG_;
	}
	if ((input = cli_read_file(path, &len)) == NULL) {
		cli_warn("%s: %s", path, strerror(errno));
		ldn_kb_free(kb);
		return EX_NOINPUT_;
	}
	/* The stored plan shows the review states of its day. */
	if ((rc = cli_open_store(db, &st)) != EX_OK_)
		goto out;
	if (ldn_review_load(kb, st, &review, &err) != LDN_OK) {
		cli_warn("review states: %s: %s", err.where, err.msg);
		rc = EX_IOERR_;
		goto out;
	}
	rc = ldn_plan_build_with(kb, input, len, true, as_of, preset,
	    o->policies, o->n_policies, review, &plan, &err);
	if (rc == LDN_E_SCHEMA &&
	    (strcmp(err.where, "preset") == 0 ||
	        strcmp(err.where, "policy") == 0)) {
		cli_warn("--%s: %s", err.where, err.msg);
		rc = EX_USAGE_;
		goto out;
	}
	if (rc == LDN_OK && o->replan)
		rc = ldn_store_add_plan(st, actor, input, len, plan, why, &err);
	else if (rc == LDN_OK)
		rc = ldn_store_add_patient(st, actor, input, len, plan, why,
		    &err);
	if (rc == LDN_E_SCHEMA && strcmp(err.where, "why") == 0) {
		cli_warn("--why: %s", err.msg);
		rc = EX_USAGE_;
		goto out;
	}
	if (rc != LDN_OK) {
		cli_warn("%s: %s%s%s", path, err.where, *err.where ? ": " : "",
		    err.msg);
		rc = cli_exit_code(rc);
		goto out;
	}
	printf("%s: %s; %s%s%s\n", ldn_plan_patient_id(plan),
	    o->replan ? "new plan" : "added",
	    ldn_decision_name(ldn_plan_decision(plan)),
	    *ldn_plan_earliest_start(plan) ? " from " : "",
	    ldn_plan_earliest_start(plan));
out:
	ldn_review_free(review);
	ldn_store_close(st);
	ldn_plan_free(plan);
	free(input);
	ldn_kb_free(kb);
	return rc;
}

static int
patient_list(const char *db, const char *actor)
{
	struct ldn_error err = { 0 };
	struct ldn_store *st;
	char *out;
	size_t len;
	int rc;

	if ((rc = cli_open_store(db, &st)) != EX_OK_)
		return rc;
	rc = ldn_store_list_patients(st, actor, &out, &len, &err);
	if (rc == LDN_OK) {
		fwrite(out, 1, len, stdout);
		free(out);
	} else {
		cli_warn("%s", err.msg);
	}
	ldn_store_close(st);
	return cli_exit_code(rc);
}

static int
exec_patient(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "kb", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "actor", required_argument, NULL, 'u' },
		{ "preset", required_argument, NULL, 'p' },
		{ "policy", required_argument, NULL, 'P' },
		{ "why", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *actor = NULL;
	struct add_opts o = { .as_of = NULL };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o.as_of = optarg;
			break;
		case 'k':
			o.kb = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'u':
			actor = optarg;
			break;
		case 'p':
			o.preset = optarg;
			break;
		case 'P':
			if (o.n_policies == 8) {
				cli_warn("--policy: at most 8");
				return EX_USAGE_;
			}
			o.policies[o.n_policies++] = optarg;
			break;
		case 'w':
			o.why = optarg;
			break;
		case 'h':
			cli_usage(&cmd_patient_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_patient_entry, 1);
			return EX_USAGE_;
		}
	}
	o.replan = optind == argc - 2 && strcmp(argv[optind], "replan") == 0;
	if (optind == argc - 2 &&
	    (strcmp(argv[optind], "add") == 0 || o.replan))
		return patient_add(argv[optind + 1], &o, cli_db_url(db),
		    cli_actor(actor));
	if (optind == argc - 1 && strcmp(argv[optind], "list") == 0)
		return patient_list(cli_db_url(db), cli_actor(actor));
	cli_usage(&cmd_patient_entry, 1);
	return EX_USAGE_;
}

const struct cmd_entry cmd_patient_entry = {
	.name = "patient",
	.usage = "add|replan FILE [--as-of DATE] [--preset NAME] "
	         "[--policy NAME=VALUE --why TEXT] [--db URL] [--actor NAME] | "
	         "list [--db URL]",
	.summary = "Store a patient with the plan built for them; re-plan; "
	           "list them.",
	.help =
	    "  add FILE   the patient (native JSON or a FHIR Bundle, with an\n"
	    "             id) and the plan built now are stored; the input\n"
	    "             is kept as the intake snapshot\n"
	    "  replan FILE  a new plan for a stored patient (FILE, their\n"
	    "             updated intake, names them by its id): it becomes\n"
	    "             the latest, which `ldn next` follows; the visits\n"
	    "             stay.  For a record that changed: an opioid\n"
	    "             stopped, a procedure booked, another preset\n"
	    "  --preset N the titration preset of the stored plan (see\n"
	    "             `ldn plan --help`); `ldn next` then follows its\n"
	    "             start, step, interval and ceiling\n"
	    "  --policy N=V  a departure from a default policy (see `ldn\n"
	    "             plan --help`); the stored plan follows it, and it\n"
	    "             is recorded with who (--actor) and --why TEXT, one\n"
	    "             line, required with it and refused without it\n"
	    "  list       id, latest decision, earliest start, visits\n"
	    "  --db URL   the store (default: $LDN_DB, else sqlite:ldn.db)\n"
	    "  --actor N  who acts, for the audit log (default: $USER)\n",
	.exec = exec_patient,
};
