/*
 * The JSON edge: simdjson's DOM parser (full grammar and UTF-8 validation)
 * turned into the library's own tree.  This is the one C++ file; it exposes
 * only json_parse() from tree.h.  A rejected input is explained again by
 * jansson (json_explain), which knows lines and columns.
 */
#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include <simdjson.h>

extern "C" {
#include "tree.h"
}

namespace
{

struct builder {
	struct arena *a;
	unsigned max_depth;
	const char *const *keep_types; /* NULL: keep everything */
	struct jpath path;
	struct ldn_error *err;
	enum ldn_status rc;
	/* The span of simdjson's string buffer that the tree points into
	 * while it is built (lo == nullptr: nothing yet).  The buffer is the
	 * thread's parser's, reused by the next parse, so the span is copied
	 * into the arena at the end in one piece and the pointers moved
	 * there (relocate()): one copy instead of one allocation and copy
	 * per string and key, which cost a third of converting a 230 KB
	 * CDS Hooks prefetch. */
	const char *lo, *hi;
};

/* Point at a NUL-terminated string of simdjson's string buffer, keeping
 * the span to copy. */
const char *
borrow(struct builder *b, std::string_view sv)
{
	const char *s = sv.data(), *end = s + sv.size() + 1; /* its NUL */

	if (b->lo == nullptr || s < b->lo)
		b->lo = s;
	if (b->hi == nullptr || end > b->hi)
		b->hi = end;
	return s;
}

/* Move a pointer of the tree from the parser's span at lo to the copy. */
void
move_ptr(const char **p, const char *lo, const char *hi, char *copy)
{
	if (*p >= lo && *p < hi)
		*p = copy + (*p - lo);
}

void
relocate(struct jnode *n, const char *lo, const char *hi, char *copy)
{
	switch (n->type) {
	case J_STR:
		move_ptr(&n->u.s, lo, hi, copy);
		break;
	case J_ARR:
		for (size_t i = 0; i < n->n; i++)
			relocate(&n->u.items[i], lo, hi, copy);
		break;
	case J_OBJ:
		for (size_t i = 0; i < n->n; i++) {
			move_ptr(&n->u.members[i].key, lo, hi, copy);
			relocate(&n->u.members[i].val, lo, hi, copy);
		}
		break;
	default:
		break;
	}
}

/*
 * Duplicate keys are refused: two parsers could pick different values.
 * Small objects are compared pair by pair; large ones (a hostile input of
 * 40,000 keys) are sorted first, so the check stays O(n log n).
 */
bool
key_less(const struct jmember *a, const struct jmember *b)
{
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = std::memcmp(a->key, b->key, n);

	return c < 0 || (c == 0 && a->key_len < b->key_len);
}

bool
same_key(const struct jmember *a, const struct jmember *b)
{
	return a->key_len == b->key_len &&
	    std::memcmp(a->key, b->key, a->key_len) == 0;
}

bool
has_duplicate(const struct jmember *m, size_t n, size_t *dup)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (same_key(&m[i], &m[j])) {
					*dup = i;
					return true;
				}
		return false;
	}
	std::vector<const struct jmember *> order(n);
	for (size_t i = 0; i < n; i++)
		order[i] = &m[i];
	std::stable_sort(order.begin(), order.end(), key_less);
	for (size_t i = 1; i < n; i++)
		if (same_key(order[i], order[i - 1])) {
			/* report the later of the two, as the small case does
			 */
			*dup = (size_t)(std::max(order[i], order[i - 1]) - m);
			return true;
		}
	return false;
}

/* Whether an object is kept whole: it has no string resourceType, or one
 * on the keep list. */
bool
kept(const struct builder *b, simdjson::dom::object obj)
{
	std::string_view type;

	if (obj["resourceType"].get(type) != simdjson::SUCCESS)
		return true;
	for (const char *const *k = b->keep_types; *k != nullptr; k++)
		if (type == *k)
			return true;
	return false;
}

/* A resource nobody reads: its resourceType and id, and nothing else. */
bool
stub(struct builder *b, simdjson::dom::object obj, struct jnode *out)
{
	static const char *const keys[] = { "resourceType", "id" };
	std::string_view v;

	out->type = J_OBJ;
	out->n = 0;
	out->u.members = static_cast<struct jmember *>(
	    arena_calloc(b->a, 2, sizeof(struct jmember)));
	if (out->u.members == nullptr) {
		b->rc = ldn_fail(b->err, LDN_E_NOMEM, jpath_str(&b->path),
		    "the input is too large to hold in memory");
		return false;
	}
	for (const char *key : keys) {
		if (obj[key].get(v) != simdjson::SUCCESS)
			continue;
		struct jmember *m = &out->u.members[out->n];
		m->key = key;
		m->key_len = std::strlen(key);
		m->val.type = J_STR;
		m->val.line = m->val.col = 0;
		m->val.n = v.size();
		m->val.u.s = borrow(b, v);
		out->n++;
	}
	return true;
}

bool
convert(struct builder *b, simdjson::dom::element el, struct jnode *out,
    unsigned depth)
{
	out->line = out->col = 0;
	out->n = 0;
	if (depth > b->max_depth) {
		b->rc = ldn_fail(b->err, LDN_E_SCHEMA, jpath_str(&b->path),
		    "nesting is deeper than %u levels", b->max_depth);
		return false;
	}
	switch (el.type()) {
	case simdjson::dom::element_type::NULL_VALUE:
		out->type = J_NULL;
		return true;
	case simdjson::dom::element_type::BOOL:
		out->type = J_BOOL;
		out->u.b = bool(el.get_bool());
		return true;
	case simdjson::dom::element_type::INT64:
		out->type = J_NUM;
		out->u.num.i = int64_t(el.get_int64());
		out->u.num.d = double(out->u.num.i);
		out->u.num.is_int = true;
		return true;
	case simdjson::dom::element_type::UINT64:
		/* Above INT64_MAX: far beyond any value the contract allows. */
		out->type = J_NUM;
		out->u.num.d = double(uint64_t(el.get_uint64()));
		out->u.num.i = INT64_MAX;
		out->u.num.is_int = false;
		return true;
	case simdjson::dom::element_type::DOUBLE:
		out->type = J_NUM;
		out->u.num.d = double(el.get_double());
		out->u.num.i = 0;
		out->u.num.is_int = false;
		return true;
	case simdjson::dom::element_type::STRING: {
		std::string_view sv = el.get_string().value_unsafe();

		out->type = J_STR;
		out->n = sv.size();
		out->u.s = borrow(b, sv);
		return true;
	}
	case simdjson::dom::element_type::ARRAY: {
		simdjson::dom::array arr = el.get_array().value_unsafe();
		size_t n = arr.size(), i = 0;

		out->type = J_ARR;
		out->u.items = static_cast<struct jnode *>(
		    arena_calloc(b->a, n ? n : 1, sizeof(struct jnode)));
		if (out->u.items == nullptr) {
			b->rc =
			    ldn_fail(b->err, LDN_E_NOMEM, jpath_str(&b->path),
			        "the input is too large to hold in memory");
			return false;
		}
		for (simdjson::dom::element child : arr) {
			size_t old = jpath_index(&b->path, i);

			if (!convert(b, child, &out->u.items[i], depth + 1))
				return false;
			jpath_pop(&b->path, old);
			i++;
		}
		out->n = i;
		return true;
	}
	case simdjson::dom::element_type::OBJECT: {
		simdjson::dom::object obj = el.get_object().value_unsafe();
		size_t n = obj.size(), i = 0, dup;

		if (b->keep_types != nullptr && !kept(b, obj))
			return stub(b, obj, out);

		out->type = J_OBJ;
		out->u.members = static_cast<struct jmember *>(
		    arena_calloc(b->a, n ? n : 1, sizeof(struct jmember)));
		if (out->u.members == nullptr) {
			b->rc =
			    ldn_fail(b->err, LDN_E_NOMEM, jpath_str(&b->path),
			        "the input is too large to hold in memory");
			return false;
		}
		for (simdjson::dom::key_value_pair kv : obj) {
			struct jmember *m = &out->u.members[i];
			const char *key = borrow(b, kv.key);

			m->key = key;
			m->key_len = kv.key.size();
			size_t old = jpath_key(&b->path, key);
			if (!convert(b, kv.value, &m->val, depth + 1))
				return false;
			jpath_pop(&b->path, old);
			i++;
		}
		out->n = i;
		if (has_duplicate(out->u.members, i, &dup)) {
			jpath_key(&b->path, out->u.members[dup].key);
			b->rc = ldn_fail(b->err, LDN_E_PARSE,
			    jpath_str(&b->path),
			    "duplicate key \"%s\": each key may appear once",
			    out->u.members[dup].key);
			return false;
		}
		return true;
	}
	}
	b->rc = ldn_fail(b->err, LDN_E_BUG, jpath_str(&b->path),
	    "unknown JSON element type");
	return false;
}

} // namespace

extern "C" enum ldn_status
json_parse_kept(struct arena *a, const char *buf, size_t len, bool padded,
    unsigned max_depth, const char *const *keep_types, struct jnode **out,
    struct ldn_error *err)
{
	try {
		/* One parser per thread: it keeps its buffers between calls,
		 * which is most of simdjson's speed on small documents. */
		thread_local simdjson::dom::parser parser;
		simdjson::dom::element root;
		static_assert(simdjson::SIMDJSON_PADDING <= JSON_INPUT_PADDING,
		    "JSON_INPUT_PADDING must cover simdjson's padding");
		/* Unpadded input is copied into a padded buffer first. */
		simdjson::error_code ec =
		    parser.parse(buf, len, !padded).get(root);
		struct builder b = { a, max_depth, keep_types, {}, err, LDN_OK,
			nullptr, nullptr };
		struct jnode *node;

		if (ec != simdjson::SUCCESS)
			return json_explain(buf, len,
			    simdjson::error_message(ec), err);
		node = static_cast<struct jnode *>(
		    arena_alloc(a, sizeof(struct jnode)));
		if (node == nullptr)
			return ldn_fail(err, LDN_E_NOMEM, "",
			    "the input is too large to hold in memory");
		jpath_init(&b.path);
		if (!convert(&b, root, node, 0))
			return b.rc;
		if (b.lo != nullptr) {
			size_t n = (size_t)(b.hi - b.lo);
			char *copy = static_cast<char *>(arena_alloc(a, n));

			if (copy == nullptr)
				return ldn_fail(err, LDN_E_NOMEM, "",
				    "the input is too large to hold in memory");
			std::memcpy(copy, b.lo, n);
			relocate(node, b.lo, b.hi, copy);
		}
		*out = node;
		return LDN_OK;
	} catch (const std::bad_alloc &) {
		return ldn_fail(err, LDN_E_NOMEM, "",
		    "the input is too large to hold in memory");
	} catch (...) {
		return ldn_fail(err, LDN_E_BUG, "",
		    "the JSON parser failed unexpectedly");
	}
}

extern "C" enum ldn_status
json_parse(struct arena *a, const char *buf, size_t len, unsigned max_depth,
    struct jnode **out, struct ldn_error *err)
{
	return json_parse_kept(a, buf, len, false, max_depth, nullptr, out,
	    err);
}
