/*
 * Doses are whole micrograms inside the library, so that steps, ceilings and
 * per-kilogram limits are exact integer arithmetic; people read milligrams.
 */
#ifndef LDN_DOSE_H
#define LDN_DOSE_H

#include <stdint.h>

/* Write ug as milligrams with no trailing zeros ("1.5", "0.25", "4"). */
void mg_string(int32_t ug, char buf[static 16]);

#endif
