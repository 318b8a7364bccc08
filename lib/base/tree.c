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

		if (m->key_len == klen && memcmp(m->key, key, klen) == 0)
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
	p->buf[0] = '\0';
	p->len = 0;
}

static void
jpath_put(struct jpath *p, char c)
{
	if (p->len + 4 >= sizeof(p->buf)) {
		if (p->len + 4 == sizeof(p->buf)) {
			memcpy(p->buf + p->len, "...", 4);
			p->len += 3;
		}
		return;
	}
	p->buf[p->len++] = c;
	p->buf[p->len] = '\0';
}

size_t
jpath_key(struct jpath *p, const char *key)
{
	size_t old = p->len;

	jpath_put(p, '/');
	for (; *key; key++) {
		if (*key == '~') {
			jpath_put(p, '~');
			jpath_put(p, '0');
		} else if (*key == '/') {
			jpath_put(p, '~');
			jpath_put(p, '1');
		} else {
			jpath_put(p, *key);
		}
	}
	return old;
}

size_t
jpath_index(struct jpath *p, size_t i)
{
	char num[24];
	size_t old = p->len;

	snprintf(num, sizeof(num), "%zu", i);
	jpath_put(p, '/');
	for (const char *c = num; *c; c++)
		jpath_put(p, *c);
	return old;
}

void
jpath_pop(struct jpath *p, size_t len)
{
	if (len <= p->len) {
		p->len = len;
		p->buf[len] = '\0';
	}
}

const char *
jpath_str(const struct jpath *p)
{
	return p->buf;
}
