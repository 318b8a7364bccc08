/*
 * Calendar dates as whole days since 1970-01-01 (proleptic Gregorian), so
 * that date arithmetic is integer arithmetic.  Times of day do not exist here:
 * every rule in the knowledge base counts whole days.
 */
#ifndef LDN_DATE_H
#define LDN_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATE_NONE INT32_MIN /* "no date" */

/* Parse exactly YYYY-MM-DD (years 1900 to 2199) into *out.  Returns false for
 * anything else, including impossible days such as 2026-02-30. */
bool date_parse(const char *s, size_t n, int32_t *out);
/* Write YYYY-MM-DD and a NUL into buf (at least 11 bytes). */
void date_format(int32_t day, char buf[static 11]);
int32_t date_from_ymd(int y, unsigned m, unsigned d);
void date_to_ymd(int32_t day, int *y, unsigned *m, unsigned *d);
/* Whole years from birth to day (an age). */
int date_years_between(int32_t birth, int32_t day);
/* The same calendar day n years earlier (29 February becomes 28). */
int32_t date_minus_years(int32_t day, int years);
/* Today in UTC, for callers that were given no --as-of. */
int32_t date_today(void);

#endif
