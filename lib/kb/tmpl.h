/*
 * Expanding the knowledge base's templates: literal text, {variables} the
 * engine fills in, and {n:ID} / {range:ID} numbers from numbers.yaml.
 */
#ifndef LDN_TMPL_H
#define LDN_TMPL_H

#include <stdbool.h>

#include "../base/strbuf.h"
#include "kb_impl.h"

/* Expand t with the values in vars (NULL or a missing value prints "?"). */
void tmpl_expand(struct strbuf *b, const struct ldn_kb *kb,
    const struct tmpl *t, const char *const *vars);

/* A number as a reader sees it: "1.5 mg", "7 days", "1–1.5 mg". */
void tmpl_number(struct strbuf *b, const struct kb_number *nb, bool range);

#endif
