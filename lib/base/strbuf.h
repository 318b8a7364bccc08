/*
 * A growable string with a ceiling (curl's dynbuf idea): appends past the
 * limit fail, and the failure is sticky, so a renderer appends freely and
 * checks once at the end.
 */
#ifndef LDN_STRBUF_H
#define LDN_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *s;
	size_t len, cap, limit;
	bool failed;
};

#define STRBUF_INIT(max) ((struct strbuf){ .limit = (max) })

/* Append n bytes: inline while they fit (renderers append tens of
 * thousands of short pieces per plan; the call cost a third of the
 * render), else through sb_add_grow(). */
void sb_add_grow(struct strbuf *b, const char *s, size_t n);
static inline void
sb_add(struct strbuf *b, const char *s, size_t n)
{
	/* a byte stays spare for the NUL that sb_cstr() and sb_take()
	 * write; cap is 0 until the first growth */
	if (n < b->cap - b->len) {
		memcpy(b->s + b->len, s, n);
		b->len += n;
	} else {
		sb_add_grow(b, s, n);
	}
}
/* Make room for n bytes in all, so appends need not grow the buffer. */
void sb_hint(struct strbuf *b, size_t n);
void sb_puts(struct strbuf *b, const char *s);
/* Append v in decimal (without printf, which costs ten times as much). */
void sb_int(struct strbuf *b, long long v);
void sb_printf(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The contents as a C string (NUL-terminated now); "" if empty or failed.
 * Valid until the next append. */
const char *sb_cstr(struct strbuf *b);
/* Take the string (NUL-terminated, caller frees); the buffer is reset. */
char *sb_take(struct strbuf *b, size_t *len);
void sb_free(struct strbuf *b);

#endif
