#include "fields.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
	KF_MAX_CITES = 64
};

void
kf_problem(struct kb_fields *F, const struct jnode *at, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	F->problems++;
	F->report(F->ud, at, msg);
}

const char *
kf_str(struct kb_fields *F, const struct jnode *o, const char *key,
    bool required)
{
	const struct jnode *v = tree_get(o, key);

	if (v == NULL || v->type == J_NULL) {
		if (required)
			kf_problem(F, o, "missing field \"%s\"", key);
		return NULL;
	}
	if (v->type != J_STR || v->n == 0 || strlen(v->u.s) != v->n) {
		kf_problem(F, v, "\"%s\" must be a non-empty string", key);
		return NULL;
	}
	return v->u.s;
}

void
kf_keys(struct kb_fields *F, const struct jnode *o, const char *const *allowed)
{
	for (size_t i = 0; i < o->n; i++) {
		bool ok = false;

		for (const char *const *k = allowed; *k && !ok; k++)
			ok = strcmp(*k, o->u.members[i].key) == 0;
		if (!ok)
			kf_problem(F, &o->u.members[i].val,
			    "unknown field \"%s\"", o->u.members[i].key);
	}
}

struct cites
kf_cites(struct kb_fields *F, const struct jnode *o)
{
	const struct jnode *v = tree_get(o, "cites");
	struct cites c = { NULL, 0 };
	uint16_t *idx;

	if (v == NULL || v->type != J_ARR || v->n == 0 || v->n > KF_MAX_CITES) {
		kf_problem(F, v ? v : o,
		    "\"cites\" must list one to %d reference ids",
		    KF_MAX_CITES);
		return c;
	}
	if ((idx = arena_calloc(F->a, v->n, sizeof(*idx))) == NULL)
		return c;
	for (size_t i = 0; i < v->n; i++) {
		const struct jnode *e = &v->u.items[i];
		int r = e->type == J_STR ? kb_ref_index(F->kb, e->u.s) : -1;

		if (r < 0) {
			kf_problem(F, e,
			    "a citation must be a reference id of "
			    "references.yaml");
			continue;
		}
		for (size_t k = 0; k < c.n; k++)
			if (idx[k] == r)
				kf_problem(F, e, "\"%s\" is cited twice",
				    e->u.s);
		if (F->ref_used != NULL)
			F->ref_used[r] = true;
		idx[c.n++] = (uint16_t)r;
	}
	c.ref = idx;
	return c;
}

int
kf_number_index(const struct ldn_kb *kb, const char *id, size_t n)
{
	for (size_t i = 0; i < kb->n_numbers; i++)
		if (strlen(kb->numbers[i].id) == n &&
		    memcmp(kb->numbers[i].id, id, n) == 0)
			return (int)i;
	return -1;
}

struct tmpl
kf_tmpl(struct kb_fields *F, const struct jnode *at, const char *text,
    uint64_t allowed_vars)
{
	struct tmpl t = { NULL, 0, 0 };
	size_t cap = 1, n = 0;
	struct seg *segs;

	for (const char *c = text; *c; c++)
		cap += *c == '{' ? 2 : 0;
	segs = arena_calloc(F->a, cap, sizeof(*segs));
	if (segs == NULL)
		return t;
	for (const char *p = text; *p;) {
		const char *open = strchr(p, '{'), *close;

		if (open == NULL) {
			segs[n++] = (struct seg){ SEG_LIT, p, strlen(p), 0 };
			break;
		}
		if (open > p)
			segs[n++] =
			    (struct seg){ SEG_LIT, p, (size_t)(open - p), 0 };
		close = strchr(open, '}');
		if (close == NULL) {
			kf_problem(F, at, "unclosed \"{\" in text");
			return t;
		}
		const char *name = open + 1;
		size_t len = (size_t)(close - name);
		if (len > 2 && strncmp(name, "n:", 2) == 0) {
			int k = kf_number_index(F->kb, name + 2, len - 2);

			if (k < 0)
				kf_problem(F, at, "{%.*s} names no number",
				    (int)len, name);
			segs[n++] = (struct seg){ SEG_NUM, NULL, 0, k };
		} else if (len > 6 && strncmp(name, "range:", 6) == 0) {
			int k = kf_number_index(F->kb, name + 6, len - 6);

			if (k < 0)
				kf_problem(F, at, "{%.*s} names no number",
				    (int)len, name);
			else if (!F->kb->numbers[k].has_range)
				kf_problem(F, at,
				    "{%.*s}: that number has no range",
				    (int)len, name);
			segs[n++] = (struct seg){ SEG_RANGE, NULL, 0, k };
		} else {
			int v = -1;

			for (int k = 0; k < V_COUNT; k++)
				if (strlen(var_names[k]) == len &&
				    memcmp(var_names[k], name, len) == 0)
					v = k;
			if (v < 0)
				kf_problem(F, at,
				    "{%.*s} is not a known variable", (int)len,
				    name);
			else if (!(allowed_vars & (UINT64_C(1) << v)))
				kf_problem(F, at,
				    "{%.*s} is not supplied for this entry",
				    (int)len, name);
			else
				t.vars |= UINT64_C(1) << v;
			segs[n++] = (struct seg){ SEG_VAR, NULL, 0, v };
		}
		p = close + 1;
	}
	t.segs = segs;
	t.n = n;
	return t;
}
