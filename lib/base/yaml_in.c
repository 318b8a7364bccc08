/*
 * The YAML edge: libfyaml builds a document, which is copied into the
 * library's tree with line and column on every node, then destroyed.  Only
 * the plain subset reviewers need is allowed: no anchors, aliases or tags,
 * one document per file.  Scalars stay strings; the reader of each field
 * decides what number or word it must be.
 */
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libfyaml.h>

struct ybuild {
	struct arena *a;
	const char *path;
	struct ldn_error *err;
	enum ldn_status rc;
};

static void
mark_of(struct fy_node *fyn, uint32_t *line, uint32_t *col)
{
	struct fy_token *t = fy_node_get_scalar_token(fyn);
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

	*line = m ? (uint32_t)m->line + 1 : 0;
	*col = m ? (uint32_t)m->column + 1 : 0;
}

static bool
yfail(struct ybuild *b, uint32_t line, uint32_t col, const char *msg)
{
	char where[160];

	snprintf(where, sizeof(where), "%s:%u:%u", b->path, line, col);
	b->rc = ldn_fail(b->err, LDN_E_PARSE, where, "%s", msg);
	return false;
}

static bool
ybuild_node(struct ybuild *b, struct fy_node *fyn, struct jnode *out,
    unsigned depth)
{
	void *iter = NULL;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	if (fyn == NULL) {
		out->type = J_NULL;
		return true;
	}
	mark_of(fyn, &out->line, &out->col);
	if (depth > 32)
		return yfail(b, out->line, out->col, "nesting is too deep");
	if (fy_node_get_tag_token(fyn) != NULL)
		return yfail(b, out->line, out->col,
		    "YAML tags are not allowed");
	switch (fy_node_get_type(fyn)) {
	case FYNT_SCALAR: {
		size_t n;
		const char *s;

		if (fy_node_is_alias(fyn))
			return yfail(b, out->line, out->col,
			    "YAML aliases are not allowed");
		s = fy_node_get_scalar(fyn, &n);
		if (s == NULL)
			s = "";
		out->type = J_STR;
		out->n = n;
		out->u.s = arena_strndup(b->a, s, n);
		if (out->u.s == NULL)
			return yfail(b, out->line, out->col, "out of memory");
		/* An unquoted empty or ~ scalar is YAML's null. */
		if (fy_node_get_style(fyn) == FYNS_PLAIN &&
		    (n == 0 || (n == 1 && s[0] == '~') ||
		        (n == 4 && memcmp(s, "null", 4) == 0)))
			out->type = J_NULL;
		return true;
	}
	case FYNT_SEQUENCE: {
		int n = fy_node_sequence_item_count(fyn);
		struct fy_node *item;

		out->type = J_ARR;
		out->u.items = arena_calloc(b->a, n > 0 ? (size_t)n : 1,
		    sizeof(struct jnode));
		if (out->u.items == NULL)
			return yfail(b, out->line, out->col, "out of memory");
		while ((item = fy_node_sequence_iterate(fyn, &iter)) != NULL &&
		    i < (size_t)n) {
			if (!ybuild_node(b, item, &out->u.items[i], depth + 1))
				return false;
			i++;
		}
		out->n = i;
		if (i > 0 && out->line == 0) {
			out->line = out->u.items[0].line;
			out->col = out->u.items[0].col;
		}
		return true;
	}
	case FYNT_MAPPING: {
		int n = fy_node_mapping_item_count(fyn);
		struct fy_node_pair *pair;

		out->type = J_OBJ;
		out->u.members = arena_calloc(b->a, n > 0 ? (size_t)n : 1,
		    sizeof(struct jmember));
		if (out->u.members == NULL)
			return yfail(b, out->line, out->col, "out of memory");
		while ((pair = fy_node_mapping_iterate(fyn, &iter)) != NULL &&
		    i < (size_t)n) {
			struct fy_node *k = fy_node_pair_key(pair);
			struct jmember *m = &out->u.members[i];
			uint32_t kl, kc;
			size_t klen;
			const char *ks;

			mark_of(k, &kl, &kc);
			if (k == NULL || fy_node_get_type(k) != FYNT_SCALAR)
				return yfail(b, kl, kc,
				    "mapping keys must be plain words");
			ks = fy_node_get_scalar(k, &klen);
			m->key =
			    arena_strndup(b->a, ks ? ks : "", ks ? klen : 0);
			m->key_len = ks ? klen : 0;
			if (m->key == NULL)
				return yfail(b, kl, kc, "out of memory");
			for (size_t j = 0; j < i; j++)
				if (out->u.members[j].key_len == m->key_len &&
				    memcmp(out->u.members[j].key, m->key,
				        m->key_len) == 0)
					return yfail(b, kl, kc,
					    "duplicate key in mapping");
			if (!ybuild_node(b, fy_node_pair_value(pair), &m->val,
			        depth + 1))
				return false;
			if (m->val.line == 0) {
				m->val.line = kl;
				m->val.col = kc;
			}
			if (i == 0) {
				out->line = kl;
				out->col = kc;
			}
			i++;
		}
		out->n = i;
		return true;
	}
	}
	return yfail(b, out->line, out->col, "unknown YAML node");
}

enum ldn_status
yaml_parse_file(struct arena *a, const char *path, struct jnode **out,
    struct ldn_error *err)
{
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag;
	struct fy_parse_cfg cfg;
	struct fy_document *doc;
	struct ybuild b = { a, path, err, LDN_OK };
	struct jnode *root;
	FILE *fp;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return ldn_fail(err, LDN_E_IO, path, "cannot open: %s",
		    strerror(errno));
	fclose(fp);
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.level = FYET_ERROR;
	diag = fy_diag_create(&dcfg);
	if (diag == NULL)
		return ldn_fail(err, LDN_E_NOMEM, path, "out of memory");
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	cfg.diag = diag;
	doc = fy_document_build_from_file(&cfg, path);
	if (doc == NULL || fy_diag_got_error(diag)) {
		void *it = NULL;
		struct fy_diag_error *e = fy_diag_errors_iterate(diag, &it);
		char where[160];

		snprintf(where, sizeof(where), "%s:%d:%d", path,
		    e ? e->line + 1 : 0, e ? e->column + 1 : 0);
		ldn_fail(err, LDN_E_PARSE, where, "invalid YAML: %s",
		    e && e->msg ? e->msg : "syntax error");
		if (doc != NULL)
			fy_document_destroy(doc);
		fy_diag_unref(diag);
		return LDN_E_PARSE;
	}
	root = arena_alloc(a, sizeof(*root));
	if (root == NULL) {
		fy_document_destroy(doc);
		fy_diag_unref(diag);
		return ldn_fail(err, LDN_E_NOMEM, path, "out of memory");
	}
	if (!ybuild_node(&b, fy_document_root(doc), root, 0)) {
		fy_document_destroy(doc);
		fy_diag_unref(diag);
		return b.rc;
	}
	fy_document_destroy(doc);
	fy_diag_unref(diag);
	*out = root;
	return LDN_OK;
}
