/*
 * Errors of the ldn library: a status code, plus a record that says where
 * (a JSON pointer, or file:line:column) and why, in one sentence for a person.
 * The library never prints or exits; callers decide what to do with these.
 */
#ifndef LDN_ERROR_H
#define LDN_ERROR_H

enum ldn_status {
	LDN_OK = 0,
	LDN_E_NOMEM,  /* an allocation failed, or a size limit was reached */
	LDN_E_IO,     /* a file could not be read */
	LDN_E_PARSE,  /* the input is not well-formed JSON or YAML */
	LDN_E_SCHEMA, /* well-formed, but not what the contract allows */
	LDN_E_KB,     /* the knowledge base is incomplete or inconsistent */
	LDN_E_BUG,    /* an invariant did not hold; nothing was produced */
};

struct ldn_error {
	enum ldn_status code;
	char where[160]; /* JSON pointer, or file:line:column */
	char msg[320];   /* one sentence, no trailing newline */
};

/* A short stable name for a status ("schema", "parse", ...). */
const char *ldn_status_name(enum ldn_status code);

/*
 * The error as a FHIR R4 OperationOutcome (JSON) in a new buffer *out
 * (*len bytes) that the caller frees with free(); the place becomes a
 * FHIRPath-style expression.  For callers that were sent a FHIR Bundle.
 */
#include <stddef.h>
enum ldn_status ldn_error_outcome(const struct ldn_error *e, char **out,
    size_t *len);

#endif
