/*
 * A streaming JSON writer into a strbuf: the plan is written once, in
 * order, with no tree of small heap objects (jansson's tree cost 20 to 30
 * times the time of this writer for a whole plan; bench/README.md).  Output
 * is indented by two spaces, like jansson's JSON_INDENT(2), or compact.  The
 * caller keeps the nesting right; the writer keeps the commas right.  Strings
 * must be valid UTF-8 (everything the library holds has been validated).
 */
#ifndef LDN_JSONW_H
#define LDN_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

enum {
	JW_DEPTH = 16
};

struct jw {
	struct strbuf *b;
	int depth;
	bool first[JW_DEPTH]; /* no element written yet at this depth */
	bool after_key;       /* the next value completes a member */
	bool compact;         /* no line breaks or indentation */
};

void jw_init(struct jw *w, struct strbuf *b);
/* The same JSON on one line, without spaces: for machines. */
void jw_init_compact(struct jw *w, struct strbuf *b);
void jw_obj(struct jw *w); /* { */
void jw_arr(struct jw *w); /* [ */
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
/* A dose in micrograms written as milligrams: 1500 -> 1.5. */
void jw_mg(struct jw *w, int32_t ug);
void jw_bool(struct jw *w, bool v);
/* A value already written as JSON (n bytes), such as a cached string. */
void jw_raw(struct jw *w, const char *json, size_t n);
void jw_null(struct jw *w);
/*
 * Members written earlier by this writer at the same depth, after at
 * least one member of the same object (so the text starts with its
 * comma): appended as they are.  For text that is the same in every
 * document, written once and kept.
 */
void jw_raw_members(struct jw *w, const char *text, size_t n);
/* Shorthands for a member: key and value. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, long long v);

#endif
