/* The streaming JSON writer behind jsonw.h. */
#include "jsonw.h"

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
}

static void
newline(struct jw *w)
{
	static const char spaces[] = "                                ";
	int n = 2 * w->depth;

	sb_add(w->b, "\n", 1);
	while (n > 0) {
		int k = n < 32 ? n : 32;

		sb_add(w->b, spaces, (size_t)k);
		n -= k;
	}
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

static void
escaped(struct jw *w, const char *s, size_t n)
{
	size_t run = 0;

	sb_add(w->b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (!needs_escape(c))
			continue;
		sb_add(w->b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			sb_add(w->b, "\\\"", 2);
			break;
		case '\\':
			sb_add(w->b, "\\\\", 2);
			break;
		case '\n':
			sb_add(w->b, "\\n", 2);
			break;
		case '\t':
			sb_add(w->b, "\\t", 2);
			break;
		case '\r':
			sb_add(w->b, "\\r", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_add(w->b, esc, 6);
		}
	}
	sb_add(w->b, s + run, n - run);
	sb_add(w->b, "\"", 1);
}

void
jw_key(struct jw *w, const char *key)
{
	before_value(w);
	escaped(w, key, strlen(key));
	sb_add(w->b, ": ", 2);
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
	/* digits from the end, without printf: plans write hundreds of
	 * citation numbers, and snprintf was a tenth of the time */
	char b[24], *p = b + sizeof(b);
	unsigned long long u =
	    v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	before_value(w);
	sb_add(w->b, p, (size_t)(b + sizeof(b) - p));
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
