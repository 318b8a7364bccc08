/*
 * A review snapshot as the engine reads it (include/ldn/review.h): the
 * state of each item of one knowledge base, by item index, and the log
 * rows it was made from.
 */
#ifndef LDN_REVIEW_IMPL_H
#define LDN_REVIEW_IMPL_H

#include "ldn/review.h"

#include "kb/kb_impl.h"

/* What a plan says of one item: its state, and since when. */
struct review_mark {
	enum review_state state;
	char since[11]; /* YYYY-MM-DD, or "" when never acted on */
};

struct review_row {
	long long seq;
	uint32_t item; /* kb item index; UINT32_MAX: not in this kb */
	enum review_state state;
	bool ignored; /* not a legal step from the state before it */
	char *kind, *id, *version, *actor, *at, *why, *content;
};

struct ldn_review {
	const struct ldn_kb *kb;
	long long seq;
	struct review_mark *marks; /* kb->n_items */
	struct review_row *rows;   /* the log, oldest first */
	size_t n_rows;
	/* Rows passed over: not vouched for by the audit log (the store
	 * skips them), or not a legal step (ignored). */
	size_t n_unvouched, n_ignored;
};

/* The mark of item i; every item is a draft when rv is NULL. */
static inline struct review_mark
review_mark(const struct ldn_review *rv, uint32_t i)
{
	if (rv == NULL || i >= rv->kb->n_items)
		return (struct review_mark){ .state = RV_DRAFT };
	return rv->marks[i];
}

#endif
