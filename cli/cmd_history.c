/* `ldn history`: a stored patient's plans and visits. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/store.h"

static int
exec_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "actor", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum ldn_history_format format = LDN_HISTORY_TEXT;
	const char *db = NULL, *actor = NULL;
	struct ldn_error err = { 0 };
	struct ldn_store *st;
	char *out;
	size_t len;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") == 0)
				format = LDN_HISTORY_TEXT;
			else if (strcmp(optarg, "json") == 0)
				format = LDN_HISTORY_JSON;
			else if (strcmp(optarg, "csv") == 0)
				format = LDN_HISTORY_CSV;
			else if (strcmp(optarg, "svg") == 0)
				format = LDN_HISTORY_SVG;
			else {
				cli_warn("--format: \"%s\" is not text, json, "
				         "csv or svg",
				    optarg);
				return EX_USAGE_;
			}
			break;
		case 'd':
			db = optarg;
			break;
		case 'u':
			actor = optarg;
			break;
		case 'h':
			cli_usage(&cmd_history_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_history_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc - 1) {
		cli_usage(&cmd_history_entry, 1);
		return EX_USAGE_;
	}
	if ((rc = cli_open_store(cli_db_url(db), &st)) != EX_OK_)
		return rc;
	rc = ldn_store_history(st, cli_actor(actor), argv[optind], format, &out,
	    &len, &err);
	if (rc == LDN_OK) {
		fwrite(out, 1, len, stdout);
		if (format == LDN_HISTORY_JSON)
			fputc('\n', stdout);
		free(out);
	} else {
		cli_warn("history: %s: %s", err.where, err.msg);
	}
	ldn_store_close(st);
	return cli_exit_code(rc);
}

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.usage =
	    "PATIENT [--format text|json|csv|svg] [--db URL] [--actor NAME]",
	.summary = "Show a stored patient's plans and visits, oldest first.",
	.help = "Reading a record is written to the audit log.\n",
	.exec = exec_history,
};
