/*
 * The arena behind every request, plan and knowledge base.  Blocks double in
 * size up to a cap; big allocations get a block of their own.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes after the header */
	size_t off;  /* bytes handed out */
	alignas(max_align_t) unsigned char data[];
};

enum {
	FIRST_BLOCK = 4096,
	MAX_BLOCK = 1 << 20
};

static struct arena_block *
block_new(struct arena *a, size_t want)
{
	size_t size = a->head ? a->head->size * 2 : FIRST_BLOCK;
	struct arena_block *b;

	if (size > MAX_BLOCK)
		size = MAX_BLOCK;
	if (size < want)
		size = want;
	if (size > a->limit - a->used ||
	    sizeof(*b) + size < size) /* overflow */
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	b->off = 0;
	a->used += size;
	return b;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct arena_block *b;
	void *p;

	if (a->failed)
		return NULL;
	if (a->fail_after > 0 && --a->fail_after == 0)
		goto fail;
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - align)
		goto fail;
	n = (n + align - 1) & ~(align - 1);
	b = a->head;
	if (b == NULL || b->size - b->off < n) {
		b = block_new(a, n);
		if (b == NULL)
			goto fail;
		/* A block made for one big allocation goes second, so the
		 * current block keeps serving small ones. */
		if (a->head != NULL && n > a->head->size / 2 &&
		    a->head->size - a->head->off >= align) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + b->off;
	b->off += n;
	return p;
fail:
	a->failed = true;
	return NULL;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size) {
		a->failed = true;
		return NULL;
	}
	p = arena_alloc(a, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX) {
		a->failed = true;
		return NULL;
	}
	p = arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		a->failed = true;
		return NULL;
	}
	p = arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	while (b != NULL) {
		next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
	a->failed = false;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *keep = a->head, *b, *next;

	if (keep == NULL) {
		a->failed = false;
		return;
	}
	for (b = keep->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	keep->next = NULL;
	keep->off = 0;
	a->used = keep->size;
	a->failed = false;
}
