/*
 * One in-memory document tree for both edges: JSON (parsed by simdjson) and
 * YAML (parsed by libfyaml) land here, owned by an arena, so the code that
 * reads patients and knowledge walks one kind of tree and never sees a
 * third-party type.  Object members keep their input order; duplicate keys
 * are refused when the tree is built.
 */
#ifndef LDN_TREE_H
#define LDN_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "error_impl.h"

enum jtype {
	J_NULL,
	J_BOOL,
	J_NUM,
	J_STR,
	J_ARR,
	J_OBJ
};

struct jmember;

struct jnode {
	enum jtype type;
	uint32_t line, col; /* 1-based position in a YAML file; 0 for JSON */
	size_t n;           /* bytes of a string; members or items otherwise */
	union {
		bool b;
		struct {
			double d;
			int64_t i;
			bool
			    is_int; /* the number had no fraction or exponent */
		} num;
		const char
		    *s; /* NUL-terminated; may contain NUL if n says so */
		struct jnode *items;
		struct jmember *members;
	} u;
};

struct jmember {
	const char *key;
	size_t key_len;
	struct jnode val;
};

/* The member named key of an object, or NULL. */
const struct jnode *tree_get(const struct jnode *obj, const char *key);
const char *tree_type_name(enum jtype t);

/*
 * A JSON pointer (RFC 6901) kept while walking, for error messages.  Pushes
 * and pops only record the segment (the key is borrowed, and must outlive
 * the pointer); the string is built when jpath_str() asks for it, which is
 * on the error path.  Paths longer than the buffer are cut with "...".
 */
enum {
	JPATH_DEPTH = 64
};

struct jpath_seg {
	const char *key; /* NULL for an array index */
	size_t index;
};

struct jpath {
	struct jpath_seg seg[JPATH_DEPTH];
	size_t depth; /* may exceed JPATH_DEPTH; deeper segments are dropped */
	char buf[160];
};
void jpath_init(struct jpath *p);
/* Push a key or an index; returns the old depth for jpath_pop(). */
size_t jpath_key(struct jpath *p, const char *key);
size_t jpath_index(struct jpath *p, size_t i);
void jpath_pop(struct jpath *p, size_t depth);
/* The pointer, "" for the root; valid until the next change to p. */
const char *jpath_str(struct jpath *p);

/*
 * Parse len bytes of JSON into a tree owned by a.  Refuses malformed JSON,
 * invalid UTF-8, duplicate keys and nesting deeper than max_depth, with err
 * naming the line, column and (where it can) the JSON pointer of the fault.
 */
enum ldn_status json_parse(struct arena *a, const char *buf, size_t len,
    unsigned max_depth, struct jnode **out, struct ldn_error *err);

/*
 * As json_parse(), but an object whose "resourceType" member is a string
 * not in keep_types (a NULL-terminated list) is kept as only its
 * resourceType and id: a FHIR Bundle's Claims and Encounters cost no
 * conversion when nothing reads them, and references to them still
 * resolve.  The whole input is still validated (grammar and UTF-8).
 * padded: 64 readable bytes follow buf[len], so the parser need not copy
 * the input to pad it (simdjson's requirement).
 */
/* Readable bytes a padded input has after its end (simdjson's need). */
#define JSON_INPUT_PADDING 64

enum ldn_status json_parse_kept(struct arena *a, const char *buf, size_t len,
    bool padded, unsigned max_depth, const char *const *keep_types,
    struct jnode **out, struct ldn_error *err);

/*
 * Explain why buf is not acceptable JSON, with line and column from jansson
 * and the JSON pointer of the place; used after the fast parser refused it.
 */
enum ldn_status json_explain(const char *buf, size_t len,
    const char *fast_reason, struct ldn_error *err);

/* The JSON pointer of the value that contains byte offset off of buf, found
 * by a tolerant scan (buf may be malformed after off), written into out. */
void json_locate(const char *buf, size_t len, size_t off, char *out,
    size_t out_size);

/*
 * Parse the YAML file at path into a tree owned by a.  Every node carries its
 * line and column.  Refuses duplicate keys, anchors and aliases, tags, and
 * more than one document.
 */
enum ldn_status yaml_parse_file(struct arena *a, const char *path,
    struct jnode **out, struct ldn_error *err);

#endif
