/* Free text kept with a record and shown as one line (a reviewer's or a
 * clinician's reason): what it may hold. */
#ifndef LDN_BASE_LINE_H
#define LDN_BASE_LINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether s is one readable line of 1 to max bytes: not all blank, and no
 * control character (a newline could forge a line of a history as it is
 * printed, an escape recolour a terminal).  When not, *bad is the offset
 * of the first control character, or (size_t)-1 for a length or blank.
 */
bool line_ok(const char *s, size_t max, size_t *bad);

#endif
