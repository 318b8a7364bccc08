/*
 * Filling error records.  Every fallible function in the library ends in
 * `return ldn_fail(err, CODE, where, fmt, ...)`, so there is one place that
 * formats and truncates messages.
 */
#include "error_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
	[LDN_OK] = "ok",
	[LDN_E_NOMEM] = "nomem",
	[LDN_E_IO] = "io",
	[LDN_E_PARSE] = "parse",
	[LDN_E_SCHEMA] = "schema",
	[LDN_E_KB] = "kb",
	[LDN_E_BUG] = "bug",
};

const char *
ldn_status_name(enum ldn_status code)
{
	if ((unsigned)code < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[code];
	return "unknown";
}

enum ldn_status
ldn_fail(struct ldn_error *err, enum ldn_status code, const char *where,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}
