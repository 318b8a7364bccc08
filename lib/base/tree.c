/* Helpers shared by both edges of the document tree. */
#include "tree.h"

#include <stdio.h>
#include <string.h>

const struct jnode *
tree_get(const struct jnode *obj, const char *key)
{
	size_t klen;

	if (obj == NULL || obj->type != J_OBJ)
		return NULL;
	klen = strlen(key);
	for (size_t i = 0; i < obj->n; i++) {
		const struct jmember *m = &obj->u.members[i];

		if (m->key_len == klen && m->key[0] == key[0] &&
		    memcmp(m->key, key, klen) == 0)
			return &m->val;
	}
	return NULL;
}

const char *
tree_type_name(enum jtype t)
{
	switch (t) {
	case J_NULL:
		return "null";
	case J_BOOL:
		return "a boolean";
	case J_NUM:
		return "a number";
	case J_STR:
		return "a string";
	case J_ARR:
		return "an array";
	case J_OBJ:
		return "an object";
	}
	return "unknown";
}

void
jpath_init(struct jpath *p)
{
	p->depth = 0;
	p->buf[0] = '\0';
}

size_t
jpath_key(struct jpath *p, const char *key)
{
	size_t old = p->depth;

	if (p->depth < JPATH_DEPTH)
		p->seg[p->depth] = (struct jpath_seg){ key, 0 };
	p->depth++;
	return old;
}

size_t
jpath_index(struct jpath *p, size_t i)
{
	size_t old = p->depth;

	if (p->depth < JPATH_DEPTH)
		p->seg[p->depth] = (struct jpath_seg){ NULL, i };
	p->depth++;
	return old;
}

void
jpath_pop(struct jpath *p, size_t depth)
{
	if (depth <= p->depth)
		p->depth = depth;
}

/* Append c, keeping room for "..." and the NUL; false once full. */
static bool
put(struct jpath *p, size_t *len, char c)
{
	if (*len + 4 >= sizeof(p->buf)) {
		memcpy(p->buf + *len, "...", 4);
		*len += 3;
		return false;
	}
	p->buf[(*len)++] = c;
	return true;
}

const char *
jpath_str(struct jpath *p)
{
	size_t len = 0, n = p->depth < JPATH_DEPTH ? p->depth : JPATH_DEPTH;

	for (size_t i = 0; i < n; i++) {
		const struct jpath_seg *s = &p->seg[i];
		char num[24];
		const char *c = num;

		if (!put(p, &len, '/'))
			return p->buf;
		if (s->key == NULL) {
			char *e = num + sizeof(num);
			size_t v = s->index;

			*--e = '\0';
			do
				*--e = (char)('0' + v % 10);
			while ((v /= 10) != 0);
			c = e;
		} else {
			c = s->key;
		}
		for (; *c; c++) {
			bool fits = true;

			if (s->key != NULL && *c == '~')
				fits = put(p, &len, '~') && put(p, &len, '0');
			else if (s->key != NULL && *c == '/')
				fits = put(p, &len, '~') && put(p, &len, '1');
			else
				fits = put(p, &len, *c);
			if (!fits)
				return p->buf;
		}
	}
	p->buf[len] = '\0';
	return p->buf;
}
