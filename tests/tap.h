/*
 * A tiny TAP harness: each ok() prints one "ok N - ..." line; tap_done()
 * prints the plan line and returns the exit status.  Meson and prove read it.
 */
#ifndef LDN_TAP_H
#define LDN_TAP_H

#include <stdbool.h>

int tap_ok(bool pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A note in the TAP stream ("# ..."), for figures the suite reports. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);

/* Helpers the test programs share. */
#include <stddef.h>
/* The whole file, NUL-terminated, in a malloc'd buffer (*len bytes), or
 * NULL.  len may be NULL. */
char *tap_slurp(const char *path, size_t *len);
/* The names in dir, sorted, without dot files; the caller frees each name
 * and the array.  NULL if dir cannot be read. */
char **tap_list_dir(const char *dir, size_t *n);

#define ok(cond, ...) tap_ok((cond), __FILE__, __LINE__, __VA_ARGS__)

#endif
