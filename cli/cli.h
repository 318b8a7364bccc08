/* The `ldn` command: one entry per subcommand, dispatched by main.c. */
#ifndef LDN_CLI_H
#define LDN_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "ldn/plan.h"

/* sysexits(3) codes, so scripts can tell bad input from a broken tool. */
enum {
	EX_OK_ = 0,
	EX_USAGE_ = 64,
	EX_DATAERR_ = 65,
	EX_NOINPUT_ = 66,
	EX_SOFTWARE_ = 70,
	EX_IOERR_ = 74,
	EX_CONFIG_ = 78,
};

struct cmd_entry {
	const char *name;
	const char *usage;
	const char *summary;
	const char *help; /* the rest of --help */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry cmd_plan_entry;
extern const struct cmd_entry cmd_kb_entry;
extern const struct cmd_entry cmd_patient_entry;
extern const struct cmd_entry cmd_visit_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_next_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_token_entry;
extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_check_order_entry;
extern const struct cmd_entry cmd_ask_entry;

struct ldn_store;

/* The store URL: --db, else $LDN_DB, else sqlite:ldn.db. */
const char *cli_db_url(const char *opt);
/* Who is acting, for the audit log: --actor, else $USER, else "cli". */
const char *cli_actor(const char *opt);
/* Open the store at url, or say why not; returns an exit code. */
int cli_open_store(const char *url, struct ldn_store **out);

struct ldn_kb;
struct ldn_review;
/* The review states of kb's statements from the store of --db, else of
 * $LDN_DB; with neither, *out is NULL (none recorded: every statement a
 * draft), and so a plan works without a store.  Returns an exit code. */
int cli_review_load(const struct ldn_kb *kb, const char *db_opt,
    struct ldn_review **out);

/* The knowledge base directory: --kb, else $LDN_KB, else the built-in. */
const char *cli_kb_dir(const char *opt);
/* Read all of a file ("-" for stdin) into a malloc'd buffer, followed by
 * LDN_INPUT_PADDING zero bytes (not counted in *len). */
char *cli_read_file(const char *path, size_t *len);
/* --audience: "clinician", "patient" or "pharmacist" (a plan: the
 * clinician's words and a dispensing sheet; next and ask: the pharmacist's
 * own) into *out; false, having said why, for anything else. */
bool cli_audience(const char *s, enum ldn_audience *out);
/* --format: "text" or "json" (and "fhir" when fhir_ok) into *out; false,
 * having said why, for anything else. */
bool cli_format(const char *s, bool fhir_ok, enum ldn_format *out);

/* --supply-days: a whole number of days from 1 to 366 into *out; false,
 * having said why, for anything else. */
bool cli_supply_days(const char *s, long *out);

struct ldn_error;
/* A library refusal of the dispensing options (where "formulation" or
 * "supply_days"): said as a usage error naming --formulation or
 * --supply-days, and true; false for any other outcome. */
bool cli_sheet_usage(int status, const struct ldn_error *err);

/* Print "ldn: " and the message to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_usage(const struct cmd_entry *e, int to_stderr);
/* The exit code for a library status. */
int cli_exit_code(int status);

#endif
