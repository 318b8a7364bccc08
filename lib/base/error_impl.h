/* Library-private helpers for struct ldn_error. */
#ifndef LDN_ERROR_IMPL_H
#define LDN_ERROR_IMPL_H

#include "ldn/error.h"

/*
 * Fill err (which may be NULL) and return code, so that callers can write
 * `return ldn_fail(err, LDN_E_SCHEMA, "/weight_kg", "must be above 0");`.
 * where may be NULL.  Messages longer than the record are truncated.
 */
enum ldn_status ldn_fail(struct ldn_error *err, enum ldn_status code,
    const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
