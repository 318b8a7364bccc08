/* Word splitting and phrase matching for the code sets. */
#include "words.h"

#include <stdlib.h>
#include <string.h>

static int
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

void
words_split(struct words *out, const char *s, size_t n)
{
	size_t o = 0, i = 0;

	out->n = 0;
	while (i < n && out->n < WORDS_MAX) {
		while (i < n && !is_word_byte((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		if (o + 2 > sizeof(out->buf))
			break;
		out->w[out->n++] = out->buf + o;
		while (i < n && is_word_byte((unsigned char)s[i]) &&
		    o + 1 < sizeof(out->buf)) {
			unsigned char c = (unsigned char)s[i++];

			out->buf[o++] =
			    (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
		}
		out->buf[o++] = '\0';
		/* a word cut by the buffer end: skip the rest of it */
		while (i < n && is_word_byte((unsigned char)s[i]))
			i++;
	}
}

static int
phrase_cmp(const void *a, const void *b)
{
	const struct phrase *x = a, *y = b;
	int c = strcmp(x->words[0], y->words[0]);

	if (c != 0)
		return c;
	return (int)x->target - (int)y->target;
}

void
words_sort(struct phrase *list, size_t n)
{
	if (n > 1)
		qsort(list, n, sizeof(*list), phrase_cmp);
}

int
words_phrase(struct arena *a, const char *text, uint16_t target,
    struct phrase *out)
{
	struct words w;
	const char **v;

	words_split(&w, text, strlen(text));
	if (w.n == 0 || w.n > 8)
		return -1;
	v = arena_alloc(a, w.n * sizeof(*v));
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < w.n; i++)
		if ((v[i] = arena_strdup(a, w.w[i])) == NULL)
			return -1;
	out->words = v;
	out->n = (uint8_t)w.n;
	out->target = target;
	out->letters = words_letters(v[0]);
	return 0;
}

uint32_t
words_letters(const char *w)
{
	uint32_t m = 0;

	for (; *w; w++)
		if (*w >= 'a' && *w <= 'z')
			m |= 1u << (*w - 'a');
	return m;
}

/* The first phrase whose first word is not less than word. */
static size_t
lower_bound(const struct phrase *list, size_t n, const char *word)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(list[mid].words[0], word) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
words_match(const struct phrase *list, size_t n_list, const struct words *text,
    uint16_t *targets, size_t max)
{
	size_t found = 0;

	for (size_t i = 0; i < text->n; i++) {
		size_t k = lower_bound(list, n_list, text->w[i]);

		for (; k < n_list && strcmp(list[k].words[0], text->w[i]) == 0;
		     k++) {
			const struct phrase *p = &list[k];
			size_t j;
			bool seen = false;

			if (i + p->n > text->n)
				continue;
			for (j = 1; j < p->n; j++)
				if (strcmp(p->words[j], text->w[i + j]) != 0)
					break;
			if (j < p->n)
				continue;
			for (size_t t = 0; t < found; t++)
				seen |= targets[t] == p->target;
			if (!seen && found < max)
				targets[found++] = p->target;
		}
	}
	return found;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "mg", "mgs", "milligram" or "milligrams", as a whole word. */
static bool
is_unit_mg(const char *q)
{
	static const char *const units[] = { "milligrams", "milligram", "mgs",
		"mg" };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t k = 0;

		while (units[i][k] && lower(q[k]) == units[i][k])
			k++;
		if (units[i][k] == '\0' && !is_letter(q[k]))
			return true;
	}
	return false;
}

int32_t
words_mg_after(const char *s, const char *after_word)
{
	const char *p = s;
	size_t wl = after_word ? strlen(after_word) : 0;

	if (after_word != NULL) {
		p = NULL;
		for (const char *q = s; *q; q++) {
			size_t k = 0;

			while (k < wl && q[k] && lower(q[k]) == after_word[k])
				k++;
			if (k == wl) {
				p = q + wl;
				break;
			}
		}
		if (p == NULL)
			return -1;
	}
	for (; *p; p++) {
		int64_t whole = 0, frac = 0, scale = 1;
		const char *q = p;

		if (*q < '0' || *q > '9')
			continue;
		/* Not the middle of a number: "4.5" is not "5". */
		if (p > s && is_digit(p[-1]))
			continue;
		if (p > s + 1 && (p[-1] == '.' || p[-1] == ',') &&
		    is_digit(p[-2]))
			continue;
		while (is_digit(*q) && whole < 100000)
			whole = whole * 10 + (*q++ - '0');
		/* A decimal point, or a decimal comma ("4,5 mg") when one or
		 * two digits follow it (three are thousands: "1,000 mg"). */
		if ((*q == '.' && is_digit(q[1])) ||
		    (*q == ',' && is_digit(q[1]) &&
		        !(is_digit(q[2]) && is_digit(q[3])))) {
			q++;
			while (is_digit(*q)) {
				if (scale < 1000) {
					frac = frac * 10 + (*q - '0');
					scale *= 10;
				}
				q++;
			}
		} else if (*q == ',' && is_digit(q[1])) {
			continue;
		}
		while (*q == ' ')
			q++;
		if (is_unit_mg(q))
			return (int32_t)(whole * 1000 + frac * (1000 / scale));
	}
	return -1;
}

int
words_distance(const char *a, const char *b, int max)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[40];

	if (la >= 40 || lb >= 40 || (la > lb ? la - lb : lb - la) > (size_t)max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0], best_in_row;

		row[0] = best_in_row = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j], v = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best_in_row)
				best_in_row = v;
		}
		if (best_in_row > max)
			return max + 1;
	}
	return row[lb];
}
