/* Intake: any accepted input becomes one struct patient. */
#ifndef LDN_INTAKE_H
#define LDN_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/error_impl.h"
#include "../kb/kb_impl.h"
#include "../patient.h"

/*
 * Read the native patient JSON in buf (len bytes) as of the given day.
 * Strict: unknown fields, wrong types, impossible values and dates after
 * as_of are refused, with err->where the JSON pointer of the field.  On
 * success *out is owned by a.
 */
enum ldn_status intake_native(const struct ldn_kb *kb, struct arena *a,
    const char *buf, size_t len, int32_t as_of, struct patient **out,
    struct ldn_error *err);

#endif
