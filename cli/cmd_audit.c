/* `ldn audit verify`: check the hash-chained audit log and what it audits. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ldn/store.h"

static int
exec_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	struct ldn_error err = { 0 };
	struct ldn_store *st;
	size_t n;
	char last[65];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			cli_usage(&cmd_audit_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_audit_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind != argc - 1 || strcmp(argv[optind], "verify") != 0) {
		cli_usage(&cmd_audit_entry, 1);
		return EX_USAGE_;
	}
	if ((rc = cli_open_store(cli_db_url(db), &st)) != EX_OK_)
		return rc;
	rc = ldn_store_audit_verify(st, &n, last, &err);
	if (rc == LDN_OK)
		printf("audit: %zu rows, chain and records intact; last row's "
		       "hash %s (keep it elsewhere to detect a log cut short "
		       "or rewritten)\n",
		    n, last);
	else
		cli_warn("audit: %s: %s", err.where, err.msg);
	ldn_store_close(st);
	return rc == LDN_OK ? EX_OK_ : EX_DATAERR_;
}

const struct cmd_entry cmd_audit_entry = {
	.name = "audit",
	.usage = "verify [--db URL]",
	.summary =
	    "Verify the audit log's hash chain and the records it audits.",
	.help =
	    "Exit 0 when intact; 65 with the first row or record that fails.\n"
	    "It finds any changed log row or record, any record added behind\n"
	    "the store's back, and any gap. A log cut short or rewritten\n"
	    "whole is found only by comparing the last hash it prints with a\n"
	    "copy kept elsewhere.\n",
	.exec = exec_audit,
};
