/*
 * Reading the fields of a knowledge-base YAML file that has a loader of
 * its own (regimens.yaml, formulations.yaml): each problem is reported
 * with the node it is about, and counted; what a field cannot give is
 * NULL or false, never a default.
 */
#ifndef LDN_KB_FIELDS_H
#define LDN_KB_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/tree.h"
#include "kb_impl.h"

typedef void (
    *kb_problem_fn)(void *ud, const struct jnode *at, const char *msg);

struct kb_fields {
	struct arena *a;
	const struct ldn_kb *kb;
	bool *ref_used; /* per reference, set when cited; may be NULL */
	kb_problem_fn report;
	void *ud;
	size_t problems;
};

void kf_problem(struct kb_fields *F, const struct jnode *at, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* A non-empty string without NUL; NULL (a problem if required) if not. */
const char *kf_str(struct kb_fields *F, const struct jnode *o, const char *key,
    bool required);

/* A problem for every member of o whose key is not in allowed (NULL-ended). */
void kf_keys(struct kb_fields *F, const struct jnode *o,
    const char *const *allowed);

/* o's "cites": one to 64 ids of references.yaml, none twice. */
struct cites kf_cites(struct kb_fields *F, const struct jnode *o);

/* The index in kb->numbers of the number whose id is id[0..n), or -1. */
int kf_number_index(const struct ldn_kb *kb, const char *id, size_t n);

/* Text into template segments: {variable} among allowed (a bit per enum
 * var), {n:ID} and {range:ID} naming numbers.yaml; at is where a problem
 * is reported. */
struct tmpl kf_tmpl(struct kb_fields *F, const struct jnode *at,
    const char *text, uint64_t allowed);

#endif
