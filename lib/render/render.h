/* Renderers: one plan, several forms, two audiences (so far). */
#ifndef LDN_RENDER_H
#define LDN_RENDER_H

#include "../base/strbuf.h"
#include "../plan_impl.h"

enum { RENDER_LIMIT = 16u << 20 };

/* Expand a template with the values in vars (NULL prints "?"). */
void render_tmpl(struct strbuf *b, const struct ldn_kb *kb,
    const struct tmpl *t, const char *const *vars);

/* A number from numbers.yaml as a reader sees it: "1.5 mg", "7 days". */
void render_number(struct strbuf *b, const struct kb_number *nb, bool range);

/* Citation numbers of c in this plan, as "1, 4". */
void render_cite_list(struct strbuf *b, const struct ldn_plan *pl,
    struct cites c);

enum ldn_status render_json(const struct ldn_plan *pl, enum audience aud,
    char **out, size_t *len, struct ldn_error *err);
enum ldn_status render_text(const struct ldn_plan *pl, enum audience aud,
    char **out, size_t *len, struct ldn_error *err);

#endif
