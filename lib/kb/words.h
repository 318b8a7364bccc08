/*
 * Whole-word matching of names and free text against the phrase lists of
 * the code sets ("tylenol #3", "extended release", "fibromyalgia").  Text is
 * lower-cased and split on anything that is not a letter or digit, so
 * "Co-codamol 30/500" reads as co, codamol, 30, 500.
 */
#ifndef LDN_WORDS_H
#define LDN_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include "kb_impl.h"

/* Room for the longest string intake accepts (1,000 bytes): nothing a
 * record says is cut off before it is matched. */
enum {
	WORDS_MAX = 512,
	WORDS_BUF = 2048
};

struct words {
	char buf[WORDS_BUF];
	const char *w[WORDS_MAX];
	size_t n;
};

/* Split s (n bytes) into words; text past the buffers is ignored. */
void words_split(struct words *out, const char *s, size_t n);

/*
 * Find every phrase of list (sorted by first word) that occurs in text.
 * Writes up to max targets (without repeats) and returns how many.
 */
size_t words_match(const struct phrase *list, size_t n_list,
    const struct words *text, uint16_t *targets, size_t max);

/* Order phrases by first word, as words_match() needs. */
void words_sort(struct phrase *list, size_t n);

/* Build a phrase from a text; returns 0 on success, -1 if it has no word
 * or more than 8 words, or on allocation failure. */
int words_phrase(struct arena *a, const char *text, uint16_t target,
    struct phrase *out);

/* The set of letters a to z in a word, one bit each: an edit changes at
 * most two bits, so words d edits apart differ in at most 2d bits. */
uint32_t words_letters(const char *w);

/* Edit distance (insertions, deletions, substitutions) between two words
 * of under 40 bytes, or max + 1 as soon as it must exceed max. */
int words_distance(const char *a, const char *b, int max);

/*
 * The strength in micrograms of the first "<number> mg" in s that follows
 * the word "naltrexone" (or anywhere, if after_word is NULL), or -1.
 */
int32_t words_mg_after(const char *s, const char *after_word);

#endif
