/*
 * The knowledge base: references, numbers, statements, findings and code sets
 * read from a kb/ directory of YAML and TSV files.  A loaded KB is immutable;
 * any number of threads may read it at once.
 */
#ifndef LDN_KB_H
#define LDN_KB_H

#include <stddef.h>

#include "ldn/error.h"

struct ldn_kb;

/*
 * Load and validate the knowledge base in directory dir.  On success *out
 * owns a new KB, released with ldn_kb_free().  On failure *out is untouched
 * and err holds the first problem as file:line:column and a message.
 */
enum ldn_status ldn_kb_load(const char *dir, struct ldn_kb **out,
    struct ldn_error *err);

void ldn_kb_free(struct ldn_kb *kb);

/* Called once per problem found by ldn_kb_check(). */
typedef void (*ldn_kb_report_fn)(void *ud, const char *where, const char *msg);

/*
 * Validate the knowledge base in dir and report every problem, not only the
 * first: unresolved citations, numbers without citations, unused
 * references, placeholders that do not resolve, findings the engine raises
 * that kb/ lacks.  Returns the number of problems (0: valid).
 */
size_t ldn_kb_check(const char *dir, ldn_kb_report_fn report, void *ud);

/* The release (kb.yaml `version`), its date, and a fingerprint of the
 * content (16 hex digits), borrowed from kb. */
const char *ldn_kb_version(const struct ldn_kb *kb);
const char *ldn_kb_updated(const struct ldn_kb *kb);
const char *ldn_kb_fingerprint(const struct ldn_kb *kb);

/* Counts, for `ldn kb check` to report what it validated: "references",
 * "numbers", "statements", "entries", "concepts", "rxnorm", "items"
 * (what the editorial workflow governs) or "reviewers". */
size_t ldn_kb_count(const struct ldn_kb *kb, const char *what);

/* Item i (0 <= i < ldn_kb_count(kb, "items")) as "statement/ID" or
 * "reference/ID" (include/ldn/review.h); NULL past the end. */
const char *ldn_kb_item_name(const struct ldn_kb *kb, size_t i);

#endif
