/* `ldn token add`: a bearer token for the REST API, with its role. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ldn/store.h"

static int
exec_token(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "db", required_argument, NULL, 'd' },
		{ "actor", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *role = NULL, *db = NULL, *actor = NULL;
	struct ldn_error err = { 0 };
	struct ldn_store *st;
	char token[65];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			role = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'u':
			actor = optarg;
			break;
		case 'h':
			cli_usage(&cmd_token_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_token_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc - 2 || strcmp(argv[optind], "add") != 0 ||
	    role == NULL) {
		cli_usage(&cmd_token_entry, 1);
		return EX_USAGE_;
	}
	if ((rc = cli_open_store(cli_db_url(db), &st)) != EX_OK_)
		return rc;
	rc = ldn_store_add_token(st, cli_actor(actor), argv[optind + 1], role,
	    token, &err);
	if (rc == LDN_OK)
		printf("%s\n", token);
	else
		cli_warn("token: %s: %s", err.where, err.msg);
	ldn_store_close(st);
	return cli_exit_code(rc);
}

const struct cmd_entry cmd_token_entry = {
	.name = "token",
	.usage = "add NAME --role clinician|pharmacist|reviewer|admin "
	         "[--db URL] [--actor NAME]",
	.summary = "Make a bearer token for the REST API.",
	.help = "Prints the token once; the store keeps only its SHA-256.\n"
	        "Send it as \"Authorization: Bearer TOKEN\".  Adding a token\n"
	        "is written to the audit log.\n",
	.exec = exec_token,
};
