/* Code-set lookups for intake (both native JSON and, later, FHIR). */
#include "codes.h"

#include <stdlib.h>
#include <string.h>

#include "../kb/words.h"

static uint64_t
lookup_snomed(const struct ldn_kb *kb, const char *code)
{
	size_t lo = 0, hi = kb->n_snomed;
	uint64_t mask = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(kb->snomed[mid].code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < kb->n_snomed && strcmp(kb->snomed[lo].code, code) == 0;
	     lo++)
	mask |= 1ULL << kb->snomed[lo].concept;
	return mask;
}

/* A listed ICD-10-CM code covers itself and every code below it, so the
 * lookup tries each prefix of the patient's code. */
static uint64_t
lookup_icd10(const struct ldn_kb *kb, const char *code)
{
	char norm[16];
	size_t n = 0;
	uint64_t mask = 0;

	for (const char *c = code; *c && n + 1 < sizeof(norm); c++)
		if (*c != '.')
			norm[n++] =
			    (char)(*c >= 'a' && *c <= 'z' ? *c - ('a' - 'A')
			                                  : *c);
	norm[n] = '\0';
	/* kb->icd10 is sorted by code: one binary search per prefix. */
	for (size_t len = 3; len <= n; len++) {
		char saved = norm[len];
		size_t lo = 0, hi = kb->n_icd10;

		norm[len] = '\0';
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(kb->icd10[mid].code, norm) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (;
		     lo < kb->n_icd10 && strcmp(kb->icd10[lo].code, norm) == 0;
		     lo++)
		mask |= 1ULL << kb->icd10[lo].concept;
		norm[len] = saved;
	}
	return mask;
}

static uint64_t
lookup_text(const struct ldn_kb *kb, const char *text)
{
	struct words w;
	uint16_t t[16];
	size_t n;
	uint64_t mask = 0;

	if (text == NULL)
		return 0;
	words_split(&w, text, strlen(text));
	n = words_match(kb->condition_text, kb->n_condition_text, &w, t, 16);
	for (size_t i = 0; i < n; i++)
		mask |= 1ULL << t[i];
	return mask;
}

uint64_t
codes_condition(const struct ldn_kb *kb, enum cond_system sys, const char *code,
    const char *display)
{
	switch (sys) {
	case CS_SNOMED:
		return lookup_snomed(kb, code);
	case CS_ICD10:
		return lookup_icd10(kb, code);
	case CS_TEXT:
		return lookup_text(kb, display);
	}
	return 0;
}

static const struct rx_entry *
lookup_rxnorm(const struct ldn_kb *kb, const char *code)
{
	char *end;
	unsigned long c = strtoul(code, &end, 10);
	size_t lo = 0, hi = kb->n_rxnorm;

	if (*end != '\0' || c > UINT32_MAX)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kb->rxnorm[mid].code < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kb->n_rxnorm && kb->rxnorm[lo].code == c ? &kb->rxnorm[lo]
	                                                     : NULL;
}

/*
 * Misspelt names ("oxycodon", "hydrocodon", "buprenorphin", "naltrexon")
 * still name their drugs: a word of six letters or more, with the same
 * first letter, within one edit of a one-word opioid or naltrexone name
 * (two edits from nine letters) counts as that name.  Only the classes
 * that need a washout, and naltrexone, are matched this way, so a near miss
 * errs towards waiting (and towards the reverse check); an opioid wins
 * over naltrexone.
 */
static enum med_class
fuzzy_name(const struct ldn_kb *kb, const struct words *w)
{
	enum med_class found = MC_NONE;

	for (size_t i = 0; i < w->n; i++) {
		size_t len = strlen(w->w[i]);
		int max = len >= 9 ? 2 : 1;

		if (len < 6)
			continue;
		unsigned char c0 = (unsigned char)w->w[i][0];
		uint32_t letters = words_letters(w->w[i]);

		/* Typing slips keep the first letter almost always, so only
		 * names with the same first byte are candidates. */
		for (size_t k = kb->fuzzy_start[c0];
		     k < kb->fuzzy_start[c0 + 1]; k++) {
			const struct phrase *p = kb->fuzzy[k];

			if (__builtin_popcount(letters ^ p->letters) > 2 * max)
				continue; /* too many letters differ */
			if (words_distance(w->w[i], p->words[0], max) > max)
				continue;
			if (med_class_is_opioid((enum med_class)p->target))
				return (enum med_class)p->target;
			found = (enum med_class)p->target;
		}
	}
	return found;
}

/* Naltrexone named in words: its strength when the words give one
 * (at most the LDN ceiling is LDN), else LDN when they say "low" or
 * "LDN", else a dose not known. */
static enum med_class
naltrexone_class(const struct ldn_kb *kb, const char *name,
    const struct words *w, int32_t *dose_ug)
{
	int32_t ug = words_mg_after(name, NULL);
	bool low = false;

	for (size_t k = 0; k < w->n; k++)
		low |=
		    strcmp(w->w[k], "ldn") == 0 || strcmp(w->w[k], "low") == 0;
	*dose_ug = ug;
	if (ug < 0)
		return low ? MC_NALTREXONE_LDN : MC_NALTREXONE_UNKNOWN_DOSE;
	return ug <= kb->params.ldn_max_ug ? MC_NALTREXONE_LDN
	                                   : MC_NALTREXONE_STANDARD;
}

/* The most specific class named in a text: naltrexone-bupropion before
 * naltrexone, buprenorphine and methadone before other opioids. */
static enum med_class
class_of_name(const struct ldn_kb *kb, const char *name, int32_t *dose_ug)
{
	/* A product that names an opioid agonist is an opioid whatever else
	 * it contains (morphine/naltrexone, tilidine/naloxone), except
	 * naltrexone-bupropion, which names none. */
	static const enum med_class order[] = { MC_NALTREXONE_BUPROPION,
		MC_BUPRENORPHINE_DEPOT, MC_BUPRENORPHINE, MC_METHADONE,
		MC_OPIOID_ANTITUSSIVE, MC_OPIOID_SHORT,
		MC_NALTREXONE_UNKNOWN_DOSE, MC_OPIOID_ANTIDIARRHEAL,
		MC_NALOXONE, MC_IMMUNOSUPPRESSANT };
	struct words w;
	uint16_t t[8];
	size_t n;

	*dose_ug = -1;
	if (name == NULL)
		return MC_NONE;
	words_split(&w, name, strlen(name));
	n = words_match(kb->med_names, kb->n_med_names, &w, t, 8);
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (size_t i = 0; i < n; i++) {
			if (t[i] != order[o])
				continue;
			if (order[o] == MC_OPIOID_SHORT ||
			    order[o] == MC_OPIOID_ANTITUSSIVE) {
				uint16_t la[2];

				if (words_match(kb->long_acting,
				        kb->n_long_acting, &w, la, 2))
					return MC_OPIOID_LONG;
				return order[o];
			}
			if (order[o] == MC_NALTREXONE_UNKNOWN_DOSE)
				return naltrexone_class(kb, name, &w, dose_ug);
			return order[o];
		}
	enum med_class f = fuzzy_name(kb, &w);
	if (f == MC_NALTREXONE_UNKNOWN_DOSE)
		return naltrexone_class(kb, name, &w, dose_ug);
	return f;
}

enum med_class
codes_name_class(const struct ldn_kb *kb, const char *text, int32_t *dose_ug)
{
	return class_of_name(kb, text, dose_ug);
}

bool
codes_other_opioid(const struct ldn_kb *kb, const char *text, const char *word)
{
	struct words w;
	uint16_t t[8];
	size_t n, k = 0;

	if (text == NULL)
		return false;
	words_split(&w, text, strlen(text));
	for (size_t i = 0; i < w.n; i++)
		if (strcmp(w.w[i], word) != 0)
			w.w[k++] = w.w[i];
	w.n = k;
	n = words_match(kb->med_names, kb->n_med_names, &w, t, 8);
	for (size_t i = 0; i < n; i++)
		if (med_class_is_opioid((enum med_class)t[i]))
			return true;
	return med_class_is_opioid(fuzzy_name(kb, &w));
}

/* Opioid classes by the length of their washout, shortest first; a depot
 * has none that can be counted. */
static int
washout_rank(enum med_class c)
{
	switch (c) {
	case MC_BUPRENORPHINE_DEPOT:
		return 4;
	case MC_BUPRENORPHINE:
	case MC_METHADONE:
		return 3;
	case MC_OPIOID_LONG:
		return 2;
	default:
		return 1;
	}
}

/* Classes that matter for safety: anything but none. */
static bool
relevant(enum med_class c)
{
	return c != MC_NONE;
}

void
codes_medication(const struct ldn_kb *kb, struct medication *m)
{
	const struct rx_entry *rx =
	    m->rxnorm ? lookup_rxnorm(kb, m->rxnorm) : NULL;
	int32_t name_dose;

	m->name_cls = class_of_name(kb, m->name, &name_dose);
	m->code_display = rx ? rx->display : NULL;
	m->conflict = false;
	if (rx != NULL) {
		m->cls = rx->cls;
		m->dose_ug = words_mg_after(rx->display, "naltrexone");
		/* The code wins, except that a name naming an opioid the
		 * code does not is a conflict a person must resolve, and
		 * where both name opioids the longer-acting one decides the
		 * washout ("OxyContin" recorded with an immediate-release
		 * code). */
		m->conflict = med_class_is_opioid(m->name_cls) &&
		    !med_class_is_opioid(m->cls);
		if (med_class_is_opioid(m->name_cls) &&
		    med_class_is_opioid(m->cls) &&
		    washout_rank(m->name_cls) > washout_rank(m->cls))
			m->cls = m->name_cls;
		return;
	}
	if (m->rxnorm != NULL) {
		/* A code outside the opioid value sets says "not an opioid";
		 * a name that says otherwise is a conflict a person must
		 * resolve, since it is about opioid exposure. */
		m->cls = MC_NONE;
		m->dose_ug = -1;
		m->conflict = relevant(m->name_cls) &&
		    m->name_cls != MC_IMMUNOSUPPRESSANT;
		if (m->name_cls == MC_IMMUNOSUPPRESSANT)
			m->cls = MC_IMMUNOSUPPRESSANT;
		return;
	}
	m->cls = m->name_cls;
	m->dose_ug = name_dose;
}
