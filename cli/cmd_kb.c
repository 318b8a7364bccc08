/*
 * `ldn kb`: validate the knowledge base (check), and the editorial
 * workflow on its statements and references (status, diff, and the
 * actions submit, review, approve, request-changes, retire), recorded in
 * the store.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/kb.h"
#include "ldn/review.h"
#include "ldn/store.h"

static void
report(void *ud, const char *where, const char *msg)
{
	(void)ud;
	fprintf(stderr, "%s: %s\n", where, msg);
}

static int
check(const char *dir)
{
	struct ldn_error err;
	struct ldn_kb *kb;
	size_t problems = ldn_kb_check(dir, report, NULL);

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
	       "%zu concepts, %zu RxNorm codes, %zu reviewers; "
	       "fingerprint %s\n",
	    dir, ldn_kb_version(kb), ldn_kb_updated(kb),
	    ldn_kb_count(kb, "references"), ldn_kb_count(kb, "numbers"),
	    ldn_kb_count(kb, "statements"), ldn_kb_count(kb, "entries"),
	    ldn_kb_count(kb, "concepts"), ldn_kb_count(kb, "rxnorm"),
	    ldn_kb_count(kb, "reviewers"), ldn_kb_fingerprint(kb));
	ldn_kb_free(kb);
	return EX_OK_;
}

struct opts {
	const char *kb, *db, *as, *why, *version, *state, *format;
	bool all;
};

static int
print_out(enum ldn_status rc, char *out, size_t len, struct ldn_error *err)
{
	if (rc != LDN_OK) {
		cli_warn("%s: %s", err->where, err->msg);
		return cli_exit_code(rc);
	}
	fwrite(out, 1, len, stdout);
	free(out);
	return EX_OK_;
}

/* The items an --all action applies to: those whose state it starts
 * from, read from the status JSON would be roundabout; the library
 * refuses the others, so --all tries each and counts. */
static int
act(const struct ldn_kb *kb, struct ldn_store *st, enum ldn_review_action a,
    const struct opts *o, char **items, int n_items)
{
	struct ldn_error err = { 0 };
	struct ldn_review *rv = NULL;
	size_t done = 0, skipped = 0;
	int rc = EX_OK_;

	if (o->as == NULL || o->why == NULL) {
		cli_warn("kb: an action needs --as REVIEWER and --why TEXT");
		return EX_USAGE_;
	}
	/* Reviewing and approving are judgements of one text: no batch,
	 * and an approval names the version that was read. */
	if (o->all && (a == LDN_REVIEW_REVIEW || a == LDN_REVIEW_APPROVE)) {
		cli_warn("kb: --all is for submit, request-changes and "
		         "retire; review and approve one item at a time");
		return EX_USAGE_;
	}
	if (a == LDN_REVIEW_APPROVE && o->version == NULL) {
		cli_warn("kb: approve needs --version HEX, the version you "
		         "read (ldn kb diff ITEM shows it)");
		return EX_USAGE_;
	}
	if (o->all && (n_items > 0 || o->version != NULL)) {
		cli_warn("kb: --all takes no ITEM and no --version");
		return EX_USAGE_;
	}
	if (!o->all && n_items == 0) {
		cli_warn("kb: name the items to act on, or --all");
		return EX_USAGE_;
	}
	if (o->version != NULL && n_items != 1) {
		cli_warn("kb: --version goes with exactly one ITEM");
		return EX_USAGE_;
	}
	size_t n = o->all ? ldn_kb_count(kb, "items") : (size_t)n_items;

	for (size_t i = 0; i < n && rc == EX_OK_; i++) {
		const char *item = o->all ? ldn_kb_item_name(kb, i) : items[i];
		enum ldn_status s;

		ldn_review_free(rv);
		rv = NULL;
		if ((s = ldn_review_load(kb, st, &rv, &err)) != LDN_OK ||
		    (s = ldn_review_act(rv, st, o->as, item, a, o->version,
		         o->why, &err)) != LDN_OK) {
			/* --all passes over items the action does not fit */
			if (o->all && s == LDN_E_SCHEMA &&
			    strcmp(err.where, "action") == 0) {
				skipped++;
				continue;
			}
			cli_warn("%s: %s: %s", item, err.where, err.msg);
			rc = cli_exit_code(s);
			break;
		}
		done++;
	}
	ldn_review_free(rv);
	if (o->all || done > 1)
		fprintf(stderr, "ldn: kb: %zu item%s acted on%s", done,
		    done == 1 ? "" : "s", skipped ? "" : ".\n");
	if (skipped)
		fprintf(stderr,
		    ", %zu passed over (not in a state this "
		    "action starts from).\n",
		    skipped);
	return rc;
}

static int
workflow(const char *verb, const struct opts *o, char **args, int n_args)
{
	struct ldn_error err = { 0 };
	struct ldn_kb *kb;
	struct ldn_store *st;
	struct ldn_review *rv = NULL;
	enum ldn_review_action a;
	enum ldn_format fmt = LDN_FORMAT_TEXT;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (o->format != NULL && !cli_format(o->format, false, &fmt))
		return EX_USAGE_;
	if (ldn_kb_load(cli_kb_dir(o->kb), &kb, &err) != LDN_OK) {
		cli_warn("%s: %s", err.where, err.msg);
		return EX_CONFIG_;
	}
	if ((rc = cli_open_store(cli_db_url(o->db), &st)) != EX_OK_) {
		ldn_kb_free(kb);
		return rc;
	}
	if (ldn_review_action_parse(verb, &a)) {
		rc = act(kb, st, a, o, args, n_args);
	} else if (ldn_review_load(kb, st, &rv, &err) != LDN_OK) {
		cli_warn("%s: %s", err.where, err.msg);
		rc = EX_IOERR_;
	} else if (strcmp(verb, "status") == 0 && n_args == 0) {
		enum ldn_status s =
		    ldn_review_status(rv, o->state, fmt, &out, &len, &err);

		rc = print_out(s, out, len, &err);
	} else if (strcmp(verb, "diff") == 0 && n_args == 1) {
		enum ldn_status s =
		    ldn_review_item(rv, args[0], fmt, &out, &len, &err);

		rc = print_out(s, out, len, &err);
	} else {
		cli_usage(&cmd_kb_entry, 1);
		rc = EX_USAGE_;
	}
	ldn_review_free(rv);
	ldn_store_close(st);
	ldn_kb_free(kb);
	return rc;
}

static int
exec_kb(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "as", required_argument, NULL, 'a' },
		{ "why", required_argument, NULL, 'w' },
		{ "version", required_argument, NULL, 'v' },
		{ "state", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o.kb = optarg;
			break;
		case 'd':
			o.db = optarg;
			break;
		case 'a':
			o.as = optarg;
			break;
		case 'w':
			o.why = optarg;
			break;
		case 'v':
			o.version = optarg;
			break;
		case 's':
			o.state = optarg;
			break;
		case 'f':
			o.format = optarg;
			break;
		case 'A':
			o.all = true;
			break;
		case 'h':
			cli_usage(&cmd_kb_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_kb_entry, 1);
			return EX_USAGE_;
		}
	}
	if (optind >= argc) {
		cli_usage(&cmd_kb_entry, 1);
		return EX_USAGE_;
	}
	if (strcmp(argv[optind], "check") == 0) {
		if (optind != argc - 1) {
			cli_usage(&cmd_kb_entry, 1);
			return EX_USAGE_;
		}
		return check(cli_kb_dir(o.kb));
	}
	return workflow(argv[optind], &o, argv + optind + 1, argc - optind - 1);
}

const struct cmd_entry cmd_kb_entry = {
	.name = "kb",
	.usage = "check | status [--state S] | diff ITEM | "
	         "submit|review|approve|request-changes|retire "
	         "(ITEM... | --all) --as REVIEWER --why TEXT [--version HEX] "
	         "[--kb DIR] [--db URL] [--format text|json]",
	.summary = "Validate the knowledge base; review its statements.",
	.help =
	    "check: checks that every citation resolves, every number a\n"
	    "rule uses is present with its unit and citation, no reference\n"
	    "is unused, every placeholder resolves, and every finding the\n"
	    "engine can raise has words for each audience. Problems are\n"
	    "printed as FILE:LINE:COLUMN: message; the exit code is 78 if\n"
	    "any.\n"
	    "\n"
	    "The editorial workflow (docs/editorial-policy.md), kept in the\n"
	    "store (--db, else $LDN_DB, else sqlite:ldn.db) and its audit\n"
	    "log. An ITEM is a statement or reference id, or statement/ID,\n"
	    "reference/ID. Its version is the SHA-256 of its content.\n"
	    "  status      every item's state, version and since when\n"
	    "              (--state draft|submitted|under-review|\n"
	    "              changes-requested|approved|retired keeps one)\n"
	    "  diff ITEM   its content, history, and what changed since the\n"
	    "              last approved version\n"
	    "  submit, review, approve, request-changes, retire ITEM...\n"
	    "              act as REVIEWER (an id in kb/reviewers.yaml) for\n"
	    "              the reason TEXT, on the current version (or\n"
	    "              refuse if --version, 12+ hex digits, is not it);\n"
	    "              --all acts on every item in a state the action\n"
	    "              starts from (not for review or approve, which\n"
	    "              take one item; approve needs --version). Nobody\n"
	    "              reviews or approves their own submission; only\n"
	    "              an editor retires.\n",
	.exec = exec_kb,
};
