/* `ldn check-order`: a drug about to be ordered, checked against the
 * patient's record as the CDS order-sign service checks it. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/cds.h"
#include "ldn/kb.h"

static int
exec_check_order(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "patient", required_argument, NULL, 'p' },
		{ "order", required_argument, NULL, 'o' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "audience", required_argument, NULL, 'u' },
		{ "kb", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *as_of = NULL, *kb_dir = NULL, *path = NULL, *order = NULL;
	enum ldn_format format = LDN_FORMAT_TEXT;
	enum ldn_audience audience = LDN_AUDIENCE_CLINICIAN;
	struct ldn_error err = { 0 };
	struct ldn_kb *kb = NULL;
	char *input = NULL, *out = NULL;
	size_t len, out_len;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 'o':
			order = optarg;
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
		case 'h':
			cli_usage(&cmd_check_order_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_check_order_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc || path == NULL || order == NULL) {
		if (optind == argc)
			cli_warn("--patient FILE and --order CODE_OR_NAME are "
			         "both required");
		cli_usage(&cmd_check_order_entry, 1);
		return EX_USAGE_;
	}
	rc = ldn_kb_load(cli_kb_dir(kb_dir), &kb, &err);
	if (rc != LDN_OK) {
		cli_warn("knowledge base: %s: %s", err.where, err.msg);
		return rc == LDN_E_NOMEM ? EX_SOFTWARE_ : EX_CONFIG_;
	}
	input = cli_read_file(path, &len);
	if (input == NULL) {
		cli_warn("%s: %s", path, strerror(errno));
		ldn_kb_free(kb);
		return EX_NOINPUT_;
	}
	rc = ldn_check_order(kb, input, len, order, as_of, audience, format,
	    &out, &out_len, &err);
	if (rc != LDN_OK) {
		/* The order is an option, the rest is the file's. */
		if (strcmp(err.where, "order") == 0)
			cli_warn("--order: %s", err.msg);
		else
			cli_warn("%s: %s%s%s",
			    strcmp(path, "-") ? path : "stdin", err.where,
			    *err.where ? ": " : "", err.msg);
	} else if (fwrite(out, 1, out_len, stdout) != out_len ||
	    fflush(stdout) != 0) {
		cli_warn("writing the cards: %s", strerror(errno));
		rc = LDN_E_IO;
	}
	free(out);
	free(input);
	ldn_kb_free(kb);
	return cli_exit_code(rc);
}

const struct cmd_entry cmd_check_order_entry = {
	.name = "check-order",
	.usage =
	    "--patient FILE --order CODE_OR_NAME [--as-of YYYY-MM-DD] "
	    "[--format text|json] [--audience clinician|patient|pharmacist] "
	    "[--kb DIR]",
	.summary = "Check a drug about to be ordered (an opioid, or "
	           "naltrexone) against the patient in FILE.",
	.help =
	    "options:\n"
	    "  --patient FILE the patient: native JSON or a FHIR R4\n"
	    "                 Bundle (\"-\" for standard input)\n"
	    "  --order X      an RxNorm code (digits) or the drug as\n"
	    "                 written (\"tramadol 50 mg\", \"LDN 4.5 mg\")\n"
	    "  --as-of DATE   check as of this day (default: today, UTC)\n"
	    "  --format F     text (default) or json ({\"cards\": [...]}\n"
	    "                 as CDS Hooks has them)\n"
	    "  --audience A   clinician (default) or patient\n"
	    "                 (pharmacist: the clinician's)\n"
	    "  --kb DIR       knowledge base directory (default: $LDN_KB,\n"
	    "                 else the one built in)\n"
	    "\nThe answer is that of the CDS Hooks service ldn-order-sign\n"
	    "for a draft of the order: an opioid for a patient whose\n"
	    "medication list holds naltrexone gives a warning (critical\n"
	    "at a standard dose); a naltrexone order gives the cards of\n"
	    "the LDN screen. No card is an answer too: the exit code is\n"
	    "0. Bad input exits 65 with the field and why.\n",
	.exec = exec_check_order,
};
