/* `ldn kb check`: validate the knowledge base and list every problem. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ldn/kb.h"

static void
report(void *ud, const char *where, const char *msg)
{
	(void)ud;
	fprintf(stderr, "%s: %s\n", where, msg);
}

static int
exec_kb(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kb_dir = NULL, *dir;
	struct ldn_error err;
	struct ldn_kb *kb;
	size_t problems;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kb_dir = optarg;
			break;
		case 'h':
			cli_usage(&cmd_kb_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_kb_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc - 1 || strcmp(argv[optind], "check") != 0) {
		cli_usage(&cmd_kb_entry, 1);
		return EX_USAGE_;
	}
	dir = cli_kb_dir(kb_dir);
	problems = ldn_kb_check(dir, report, NULL);
	if (problems > 0) {
		fprintf(stderr, "%s: %zu problem%s\n", dir, problems,
		    problems == 1 ? "" : "s");
		return EX_CONFIG_;
	}
	if (ldn_kb_load(dir, &kb, &err) != LDN_OK) {
		cli_warn("%s: %s", err.where, err.msg);
		return EX_CONFIG_;
	}
	printf("%s: ok: version %s (%s), %zu references, %zu numbers, "
	       "%zu statements, %zu findings and other entries, "
	       "%zu concepts, %zu RxNorm codes; fingerprint %s\n",
	    dir, ldn_kb_version(kb), ldn_kb_updated(kb),
	    ldn_kb_count(kb, "references"), ldn_kb_count(kb, "numbers"),
	    ldn_kb_count(kb, "statements"), ldn_kb_count(kb, "entries"),
	    ldn_kb_count(kb, "concepts"), ldn_kb_count(kb, "rxnorm"),
	    ldn_kb_fingerprint(kb));
	ldn_kb_free(kb);
	return EX_OK_;
}

const struct cmd_entry cmd_kb_entry = {
	.name = "kb",
	.usage = "check [--kb DIR]",
	.summary = "Validate the knowledge base and list every problem.",
	.help =
	    "Checks that every citation resolves, every number a rule uses\n"
	    "is present with its unit and citation, no reference is unused,\n"
	    "every placeholder resolves, and every finding the engine can\n"
	    "raise has words for each audience. Problems are printed as\n"
	    "FILE:LINE:COLUMN: message; the exit code is 78 if any.\n",
	.exec = exec_kb,
};
