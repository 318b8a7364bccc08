/* `ldn ask`: a follow-up question answered from the knowledge base's
 * statements, for one patient when --patient names their record. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/ask.h"
#include "ldn/kb.h"
#include "ldn/review.h"

static int
exec_ask(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "patient", required_argument, NULL, 'p' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "audience", required_argument, NULL, 'u' },
		{ "kb", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *as_of = NULL, *kb_dir = NULL, *path = NULL, *question;
	const char *db = NULL;
	struct ldn_review *review = NULL;
	enum ldn_format format = LDN_FORMAT_TEXT;
	enum ldn_audience audience = LDN_AUDIENCE_CLINICIAN;
	struct ldn_error err = { 0 };
	struct ldn_kb *kb = NULL;
	struct ldn_ask *ask = NULL;
	struct ldn_plan *plan = NULL;
	char *input = NULL, *out = NULL;
	size_t len, out_len;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 'a':
			as_of = optarg;
			break;
		case 'f':
			if (!cli_format(optarg, false, &format))
				return EX_USAGE_;
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
		case 'h':
			cli_usage(&cmd_ask_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_ask_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind + 1 != argc) {
		cli_warn("one QUESTION is required (quote it)");
		cli_usage(&cmd_ask_entry, 1);
		return EX_USAGE_;
	}
	question = argv[optind];
	rc = ldn_kb_load(cli_kb_dir(kb_dir), &kb, &err);
	if (rc != LDN_OK) {
		cli_warn("knowledge base: %s: %s", err.where, err.msg);
		return rc == LDN_E_NOMEM ? EX_SOFTWARE_ : EX_CONFIG_;
	}
	if ((rc = cli_review_load(kb, db, &review)) != EX_OK_) {
		ldn_kb_free(kb);
		return rc;
	}
	if (path != NULL) {
		input = cli_read_file(path, &len);
		if (input == NULL) {
			cli_warn("%s: %s", path, strerror(errno));
			ldn_review_free(review);
			ldn_kb_free(kb);
			return EX_NOINPUT_;
		}
		rc = ldn_plan_build_with(kb, input, len, true, as_of, NULL,
		    NULL, 0, review, &plan, &err);
		if (rc != LDN_OK) {
			cli_warn("%s: %s%s%s",
			    strcmp(path, "-") ? path : "stdin", err.where,
			    *err.where ? ": " : "", err.msg);
			goto out;
		}
	}
	rc = ldn_ask_new(kb, &ask, &err);
	if (rc == LDN_OK)
		rc = ldn_ask_answer(ask, question, strlen(question), plan,
		    review, audience, format, &out, &out_len, &err);
	if (rc != LDN_OK) {
		/* the question is an argument, not a field of a file */
		cli_warn("%s: %s",
		    strcmp(err.where, "/question") == 0 ? "QUESTION"
		                                        : err.where,
		    err.msg);
	} else if (fwrite(out, 1, out_len, stdout) != out_len ||
	    fflush(stdout) != 0) {
		cli_warn("writing the answer: %s", strerror(errno));
		rc = LDN_E_IO;
	}
out:
	free(out);
	free(input);
	ldn_plan_free(plan);
	ldn_review_free(review);
	ldn_ask_free(ask);
	ldn_kb_free(kb);
	return cli_exit_code(rc);
}

const struct cmd_entry cmd_ask_entry = {
	.name = "ask",
	.usage = "\"QUESTION\" [--patient FILE] [--audience "
	         "clinician|patient|pharmacist] "
	         "[--format text|json] [--as-of YYYY-MM-DD] [--kb DIR] "
	         "[--db URL]",
	.summary = "Answer a follow-up question from the knowledge base's "
	           "statements, never with words of its own.",
	.help =
	    "options:\n"
	    "  --patient FILE the patient (native JSON or a FHIR R4\n"
	    "                 Bundle; \"-\" for standard input): their plan's\n"
	    "                 findings that bear on the answer are added\n"
	    "  --audience A   clinician (default), patient, or pharmacist\n"
	    "                 (labelled so, in the pharmacist's words\n"
	    "                 around the statements, which are in the\n"
	    "                 clinician's words as kb/ask.yaml decides,\n"
	    "                 and say so; never the patient's)\n"
	    "  --format F     text (default) or json\n"
	    "  --as-of DATE   the patient's plan as of this day (default:\n"
	    "                 today, UTC)\n"
	    "  --kb DIR       knowledge base directory (default: $LDN_KB,\n"
	    "                 else the one built in)\n"
	    "  --db URL       the store whose review log gives the review\n"
	    "                 states (default: $LDN_DB; with neither, every\n"
	    "                 statement is a draft, pending review)\n"
	    "\nThe answer is up to three statements of kb/statements.yaml,\n"
	    "found by full-text search (SQLite FTS5, BM25) with the synonyms\n"
	    "and drug classes of kb/ask.yaml (tramadol reads as an opioid,\n"
	    "Suboxone as buprenorphine; one slipped letter is forgiven),\n"
	    "each with its citations, evidence and review state. When no\n"
	    "statement is relevant enough, it says it does not know and\n"
	    "to ask the clinician (exit code 0: that is an answer too).\n"
	    "An empty or malformed QUESTION exits 65.\n",
	.exec = exec_ask,
};
