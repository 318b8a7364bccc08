/* The streaming JSON writer behind jsonw.h. */
#include "jsonw.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dose.h"

void
jw_init(struct jw *w, struct strbuf *b)
{
	w->b = b;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
	w->compact = false;
}

void
jw_init_compact(struct jw *w, struct strbuf *b)
{
	jw_init(w, b);
	w->compact = true;
}

static void
newline(struct jw *w)
{
	/* a line break and two spaces a level, in one append */
	static const char indent[] = "\n                                ";
	size_t n = 1 + 2 * (size_t)w->depth;

	if (w->compact)
		return;

	sb_add(w->b, indent, n < sizeof(indent) - 1 ? n : sizeof(indent) - 1);
}

/* Before any value: a comma and a new line inside arrays; nothing after
 * a key, which wrote its own. */
static void
before_value(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		sb_add(w->b, ",", 1);
	w->first[w->depth] = false;
	newline(w);
}

static void
container_open(struct jw *w, char c)
{
	before_value(w);
	sb_add(w->b, &c, 1);
	if (w->depth + 1 < JW_DEPTH)
		w->depth++;
	else
		w->b->failed = true; /* deeper than any plan */
	w->first[w->depth] = true;
}

static void
container_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		newline(w);
	sb_add(w->b, &c, 1);
}

void
jw_obj(struct jw *w)
{
	container_open(w, '{');
}

void
jw_arr(struct jw *w)
{
	container_open(w, '[');
}

void
jw_end_obj(struct jw *w)
{
	container_close(w, '}');
}

void
jw_end_arr(struct jw *w)
{
	container_close(w, ']');
}

/* Bytes that JSON strings cannot hold as they are. */
static bool
needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* The escape sequence of byte c, which needs_escape(). */
static void
escape_byte(struct strbuf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':
		sb_add(b, "\\\"", 2);
		break;
	case '\\':
		sb_add(b, "\\\\", 2);
		break;
	case '\n':
		sb_add(b, "\\n", 2);
		break;
	case '\t':
		sb_add(b, "\\t", 2);
		break;
	case '\r':
		sb_add(b, "\\r", 2);
		break;
	default:
		sb_add(b, u, sizeof(u));
	}
}

/*
 * Whether any of the eight bytes in x needs escaping (SWAR: a byte below
 * 0x20, or equal to '"' or '\\', sets its top bit in the result; bytes
 * from 0x80 up never do).  Plans are mostly long runs of plain text.
 */
static bool
word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');

	return (((x - ones * 0x20) | (q - ones) | (bs - ones)) & ~x & high) !=
	    0;
}

/* The index of the first byte of s[0..n) that needs escaping, or n. */
static size_t
first_escape(const char *s, size_t n)
{
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, 8); /* one load */
		if (word_needs_escape(x))
			break;
	}
	while (i < n && !needs_escape((unsigned char)s[i]))
		i++;
	return i;
}

static void
escaped(struct jw *w, const char *s, size_t n)
{
	struct strbuf *b = w->b;
	size_t run = 0, i = 0;

	/* Nearly every string needs no escape: with room for it and its
	 * quotes, write it in one piece without the appends' checks
	 * (escaping, three appends a string, was half of writing a plan). */
	if (n + 2 < b->cap - b->len && first_escape(s, n) == n) {
		char *d = b->s + b->len;

		d[0] = '"';
		memcpy(d + 1, s, n);
		d[n + 1] = '"';
		b->len += n + 2;
		return;
	}
	sb_add(w->b, "\"", 1);
	while (i < n) {
		/* eight bytes at a time; a short tail is padded with 'a',
		 * which needs no escape, so it takes one test too */
		uint64_t x = 0x6161616161616161u;
		size_t k = n - i < 8 ? n - i : 8;

		if (k == 8)
			memcpy(&x, s + i, 8); /* one load */
		else
			memcpy(&x, s + i, k);
		if (!word_needs_escape(x)) {
			i += k;
			continue;
		}
		for (size_t end = i + k; i < end; i++) {
			unsigned char c = (unsigned char)s[i];

			if (!needs_escape(c))
				continue;
			sb_add(w->b, s + run, i - run);
			run = i + 1;
			escape_byte(w->b, c);
		}
	}
	sb_add(w->b, s + run, n - run);
	sb_add(w->b, "\"", 1);
}

/* Bytes that JSON strings cannot hold as they are, and NUL: 1. */
static const unsigned char key_stop[256] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, ['"'] = 1, ['\\'] = 1 };

void
jw_key(struct jw *w, const char *key)
{
	struct strbuf *b = w->b;
	const unsigned char *p = (const unsigned char *)key;

	before_value(w);
	/* Keys are short words: copied while scanned, in one pass, when
	 * there is room for a long one (the general path, with its strlen
	 * and appends, was a fifth of writing a plan). */
	if (b->cap - b->len > 64) {
		char *d = b->s + b->len, *end = d + 60;

		*d++ = '"';
		while (!key_stop[*p] && d < end)
			*d++ = (char)*p++;
		if (*p == '\0' && d < end) {
			*d++ = '"';
			*d++ = ':';
			if (!w->compact)
				*d++ = ' ';
			b->len = (size_t)(d - b->s);
			w->after_key = true;
			return;
		}
	}
	escaped(w, key, strlen(key));
	sb_add(w->b, ": ", w->compact ? 1 : 2);
	w->after_key = true;
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
	before_value(w);
	escaped(w, s, n);
}

void
jw_str(struct jw *w, const char *s)
{
	if (s == NULL)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void
jw_int(struct jw *w, long long v)
{
	before_value(w);
	sb_int(w->b, v);
}

void
jw_mg(struct jw *w, int32_t ug)
{
	char b[16];

	before_value(w);
	if (ug < 0) {
		sb_add(w->b, "null", 4);
		return;
	}
	mg_string(ug, b);
	sb_puts(w->b, b);
}

void
jw_bool(struct jw *w, bool v)
{
	before_value(w);
	sb_puts(w->b, v ? "true" : "false");
}

void
jw_raw(struct jw *w, const char *json, size_t n)
{
	before_value(w);
	sb_add(w->b, json, n);
}

void
jw_null(struct jw *w)
{
	before_value(w);
	sb_add(w->b, "null", 4);
}

void
jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void
jw_kint(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_raw_members(struct jw *w, const char *text, size_t n)
{
	sb_add(w->b, text, n);
	w->first[w->depth] = false;
}
