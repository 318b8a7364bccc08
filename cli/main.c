/*
 * `ldn`: the command-line front end of the library.  main() only finds the
 * subcommand in the table below and hands it argv; each subcommand parses
 * its own options, calls the library and decides what to print.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/error.h"
#include "ldn/plan.h"
#include "ldn/review.h"
#include "ldn/store.h"

static const struct cmd_entry *const commands[] = {
	&cmd_plan_entry,
	&cmd_check_order_entry,
	&cmd_ask_entry,
	&cmd_kb_entry,
	&cmd_patient_entry,
	&cmd_visit_entry,
	&cmd_history_entry,
	&cmd_next_entry,
	&cmd_serve_entry,
	&cmd_token_entry,
	&cmd_audit_entry,
};

enum {
	N_COMMANDS = sizeof(commands) / sizeof(commands[0])
};

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("ldn: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_usage(const struct cmd_entry *e, int to_stderr)
{
	FILE *fp = to_stderr ? stderr : stdout;

	fprintf(fp, "usage: ldn %s %s\n\n%s\n", e->name, e->usage, e->summary);
	if (!to_stderr && e->help)
		fprintf(fp, "\n%s", e->help);
}

const char *
cli_kb_dir(const char *opt)
{
	const char *env = getenv("LDN_KB");

	if (opt != NULL)
		return opt;
	if (env != NULL && *env)
		return env;
	return LDN_KB_DIR;
}

const char *
cli_db_url(const char *opt)
{
	const char *env = getenv("LDN_DB");

	if (opt != NULL)
		return opt;
	return env && *env ? env : "sqlite:ldn.db";
}

int
cli_review_load(const struct ldn_kb *kb, const char *db_opt,
    struct ldn_review **out)
{
	const char *env = getenv("LDN_DB");
	struct ldn_error err = { 0 };
	struct ldn_store *st;
	int rc;

	*out = NULL;
	if (db_opt == NULL && (env == NULL || *env == '\0'))
		return EX_OK_;
	if ((rc = cli_open_store(cli_db_url(db_opt), &st)) != EX_OK_)
		return rc;
	if (ldn_review_load(kb, st, out, &err) != LDN_OK) {
		cli_warn("review states: %s: %s", err.where, err.msg);
		rc = EX_IOERR_;
	}
	ldn_store_close(st);
	return rc;
}

const char *
cli_actor(const char *opt)
{
	const char *env = getenv("USER");

	if (opt != NULL)
		return opt;
	return env && *env ? env : "cli";
}

int
cli_open_store(const char *url, struct ldn_store **out)
{
	struct ldn_error err = { 0 };
	const char *sql = getenv("LDN_SQL");

	if (ldn_store_open(url, sql && *sql ? sql : LDN_SQL_DIR, out, &err) !=
	    LDN_OK) {
		cli_warn("store %s: %s: %s", url, err.where, err.msg);
		return err.code == LDN_E_SCHEMA ? EX_USAGE_ : EX_IOERR_;
	}
	return EX_OK_;
}

char *
cli_read_file(const char *path, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf, *bigger;

	if (fp == NULL)
		return NULL;
	buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, fp);

		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			if (cap >= (size_t)256 << 20) { /* 256 MB: refuse */
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			bigger = realloc(buf, cap * 2);
			if (bigger == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (buf != NULL && ferror(fp)) {
		free(buf);
		buf = NULL;
	}
	/* room for the parser's padding (ldn_plan_build_padded) */
	if (buf != NULL && cap - n < LDN_INPUT_PADDING) {
		bigger = realloc(buf, n + LDN_INPUT_PADDING);
		if (bigger == NULL)
			free(buf);
		buf = bigger;
	}
	if (buf != NULL)
		memset(buf + n, 0, LDN_INPUT_PADDING);
	if (fp != stdin)
		fclose(fp);
	*len = n;
	return buf;
}

int
cli_exit_code(int status)
{
	switch ((enum ldn_status)status) {
	case LDN_OK:
		return EX_OK_;
	case LDN_E_PARSE:
	case LDN_E_SCHEMA:
		return EX_DATAERR_;
	case LDN_E_IO:
		return EX_IOERR_;
	case LDN_E_KB:
		return EX_CONFIG_;
	case LDN_E_NOMEM:
	case LDN_E_BUG:
		break;
	}
	return EX_SOFTWARE_;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: ldn COMMAND [OPTIONS]\n\n"
	    "Clinical decision support for low-dose naltrexone.\n\n"
	    "commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(fp, "  %-11s %s\n", commands[i]->name,
		    commands[i]->summary);
	fprintf(fp,
	    "\n`ldn COMMAND --help` tells more.\n"
	    "exit codes: 0 done, 64 usage, 65 bad input, 66 no input,\n"
	    "            70 internal error, 74 I/O error, 78 bad "
	    "knowledge base\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EX_OK_;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ldn %s\n", LDN_VERSION);
		return EX_OK_;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->exec(argc - 1, argv + 1);
	cli_warn("unknown command \"%s\"", argv[1]);
	usage(stderr);
	return EX_USAGE_;
}

bool
cli_audience(const char *s, enum ldn_audience *out)
{
	if (strcmp(s, "clinician") == 0)
		*out = LDN_AUDIENCE_CLINICIAN;
	else if (strcmp(s, "patient") == 0)
		*out = LDN_AUDIENCE_PATIENT;
	else if (strcmp(s, "pharmacist") == 0)
		*out = LDN_AUDIENCE_PHARMACIST;
	else {
		cli_warn("--audience: \"%s\" is not clinician, patient or "
		         "pharmacist",
		    s);
		return false;
	}
	return true;
}

bool
cli_format(const char *s, bool fhir_ok, enum ldn_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = LDN_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = LDN_FORMAT_JSON;
	else if (fhir_ok && strcmp(s, "fhir") == 0)
		*out = LDN_FORMAT_FHIR;
	else {
		cli_warn("--format: \"%s\" is not text%s json", s,
		    fhir_ok ? ", fhir or" : " or");
		return false;
	}
	return true;
}

bool
cli_supply_days(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < 1 || *out > 366) {
		cli_warn("--supply-days: \"%s\" is not a number of days from "
		         "1 to 366",
		    s);
		return false;
	}
	return true;
}

bool
cli_sheet_usage(int status, const struct ldn_error *err)
{
	if (status != LDN_E_SCHEMA ||
	    (strcmp(err->where, "formulation") != 0 &&
	        strcmp(err->where, "supply_days") != 0))
		return false;
	/* The option, not the input, is wrong: say so as usage. */
	cli_warn("--%s: %s",
	    err->where[0] == 's' ? "supply-days" : "formulation", err->msg);
	return true;
}
