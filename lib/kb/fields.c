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
