/* Renderers: one plan, several forms, two audiences (so far). */
#ifndef LDN_RENDER_H
#define LDN_RENDER_H

#include "../base/strbuf.h"
#include "../kb/tmpl.h"
#include "../plan_impl.h"

enum {
	RENDER_LIMIT = 16u << 20
};

/* Citation numbers of c in this plan, as "1, 4". */
void render_cite_list(struct strbuf *b, const struct ldn_plan *pl,
    struct cites c);

enum ldn_status render_json(const struct ldn_plan *pl, enum audience aud,
    char **out, size_t *len, struct ldn_error *err);
enum ldn_status render_text(const struct ldn_plan *pl, enum audience aud,
    char **out, size_t *len, struct ldn_error *err);

#endif
