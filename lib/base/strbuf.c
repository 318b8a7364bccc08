/* Growable strings for the renderers. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
reserve(struct strbuf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (b->failed)
		return false;
	if (extra > b->limit || b->len > b->limit - extra - 1) {
		b->failed = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 1024;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->limit + 1)
		ncap = b->limit + 1;
	p = realloc(b->s, ncap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->s = p;
	b->cap = ncap;
	return true;
}

void
sb_add_grow(struct strbuf *b, const char *s, size_t n)
{
	/* reserve() keeps a byte spare for the NUL that sb_cstr() and
	 * sb_take() write; appends do not write it. */
	if (!reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
}

const char *
sb_cstr(struct strbuf *b)
{
	if (b->s == NULL && !reserve(b, 0))
		return "";
	if (b->s == NULL)
		return "";
	b->s[b->len] = '\0';
	return b->s;
}

void
sb_hint(struct strbuf *b, size_t n)
{
	if (n > b->len)
		(void)reserve(b, n - b->len);
}

void
sb_puts(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void
sb_int(struct strbuf *b, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u =
	    v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	sb_add(b, p, (size_t)(d + sizeof(d) - p));
}

void
sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n)) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
sb_take(struct strbuf *b, size_t *len)
{
	char *s;

	if (b->failed || !reserve(b, 0))
		return NULL;
	b->s[b->len] = '\0';
	s = b->s;
	if (len != NULL)
		*len = b->len;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
sb_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
