/*
 * A region with one lifetime: everything allocated from it is released by one
 * arena_free().  It never grows past its limit, so one input cannot exhaust
 * the process.  Failure is sticky, as in SQLite: after the first NULL every
 * later call returns NULL, so callers may allocate several things and test
 * a->failed once.
 */
#ifndef LDN_ARENA_H
#define LDN_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t limit; /* bytes the arena may take from malloc, in all */
	size_t used;  /* bytes taken from malloc so far */
	bool failed;
	long fail_after; /* test hook: fail the Nth allocation (0 = never) */
};

#define ARENA_INIT(max) ((struct arena){ .limit = (max) })

/* Memory aligned for any type, or NULL (sticky) on failure. */
void *arena_alloc(struct arena *a, size_t n);
/* As arena_alloc, zero-filled; n * size is checked for overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* A NUL-terminated copy of the n bytes at s. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Release every block; the arena may be used again afterwards. */
void arena_free(struct arena *a);
/* Keep the first block, drop the rest, and forget all allocations: a
 * cheaper arena_free for loops that build one thing after another. */
void arena_reset(struct arena *a);

#endif
