/*
 * The question index and its answers (lib/ask), over what kb/ask.yaml
 * holds (lib/kb/ask_kb.h).
 */
#ifndef LDN_ASK_IMPL_H
#define LDN_ASK_IMPL_H

#include "../kb/ask_kb.h"

struct ldn_ask;
/* The KB an index was built from. */
const struct ldn_kb *ask_index_kb(const struct ldn_ask *ask);

#endif
