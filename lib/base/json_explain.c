/*
 * Explaining bad JSON.  The fast parser says only that the input is wrong;
 * jansson reads it again, on this rare path, for a line, a column and a
 * reason, and json_locate() turns the byte offset into a JSON pointer, so
 * the error names the field as well as the place.
 */
#include "tree.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

enum ldn_status
json_explain(const char *buf, size_t len, const char *fast_reason,
    struct ldn_error *err)
{
	json_error_t jerr;
	json_t *root;
	char where[160] = "";

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root != NULL) {
		/* jansson accepts what simdjson refused (a number beyond a
		 * double's range, say): keep simdjson's reason. */
		json_decref(root);
		return ldn_fail(err, LDN_E_PARSE, "", "invalid JSON: %s",
		    fast_reason);
	}
	if (jerr.position >= 0)
		json_locate(buf, len, (size_t)jerr.position, where,
		    sizeof(where));
	return ldn_fail(err, LDN_E_PARSE, where,
	    "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column,
	    jerr.text);
}

/*
 * A tolerant scanner: it tracks, for each open container, whether it is an
 * object (and the last key seen) or an array (and the index), up to off.
 * Malformed input after off does not matter; before off it can only make
 * the pointer less precise, never crash.
 */
enum {
	LOC_MAX_DEPTH = 32,
	LOC_KEY_MAX = 48
};

struct loc_frame {
	bool is_obj;
	bool have_key;
	size_t index;
	char key[LOC_KEY_MAX];
};

void
json_locate(const char *buf, size_t len, size_t off, char *out, size_t out_size)
{
	struct loc_frame st[LOC_MAX_DEPTH];
	struct jpath path, *p = &path;
	int depth = 0;
	bool expect_key = false;
	size_t i = 0;

	jpath_init(p);
	if (off > len)
		off = len;
	while (i < off) {
		char c = buf[i];

		if (c == '{' || c == '[') {
			if (depth < LOC_MAX_DEPTH) {
				st[depth].is_obj = c == '{';
				st[depth].have_key = false;
				st[depth].index = 0;
				st[depth].key[0] = '\0';
			}
			depth++;
			expect_key = c == '{';
			i++;
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
			expect_key = false;
			i++;
		} else if (c == ',') {
			if (depth > 0 && depth <= LOC_MAX_DEPTH) {
				struct loc_frame *f = &st[depth - 1];

				if (f->is_obj) {
					f->have_key = false;
					expect_key = true;
				} else {
					f->index++;
				}
			}
			i++;
		} else if (c == '"') {
			size_t start = ++i, n;

			while (i < len && buf[i] != '"') {
				if (buf[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
			n = i - start;
			if (expect_key && depth > 0 && depth <= LOC_MAX_DEPTH) {
				struct loc_frame *f = &st[depth - 1];

				if (n >= LOC_KEY_MAX)
					n = LOC_KEY_MAX - 1;
				memcpy(f->key, buf + start, n);
				f->key[n] = '\0';
				f->have_key = true;
				expect_key = false;
			}
			if (i < len)
				i++;
		} else {
			i++;
		}
	}
	for (int d = 0; d < depth && d < LOC_MAX_DEPTH; d++) {
		if (st[d].is_obj) {
			if (!st[d].have_key)
				break;
			jpath_key(p, st[d].key);
		} else {
			jpath_index(p, st[d].index);
		}
	}
	/* st[] dies with this call: render the pointer while it lives. */
	snprintf(out, out_size, "%s", jpath_str(p));
}
