/*
 * Patient words stay plain (issue 4, item 6).  Every patient-audience text
 * in the knowledge base (statements, presets, findings, schedule,
 * monitoring and next-step words, and the cards' patient words), with its
 * placeholders filled as a plan fills them, must read at or below US grade 8 by
 * the Flesch-Kincaid formula; the worst texts are reported either way.  And
 * every clinical term listed in kb/glossary.yaml that a patient text uses
 * must be explained where the reader meets it.  "Explained" means the same
 * text also holds one of the plain phrases the glossary gives for the term
 * (`explained_by`); or, for a text that only ever appears inside a plan
 * (statements, findings, schedule and monitoring words), the term's
 * `defined_by` statement is one every plan shows (`when: [always]`) and
 * that statement explains it, so the page that shows the text shows the
 * explanation too.  Next-step advice and cards stand alone: they must
 * explain their terms themselves.
 *
 * usage: readability SOURCE_ROOT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldn/kb.h"

#include "base/arena.h"
#include "base/strbuf.h"
#include "base/tree.h"
#include "kb/ask_kb.h"
#include "kb/formulation_kb.h"
#include "kb/kb_impl.h"
#include "kb/tmpl.h"
#include "tap.h"

enum {
	GRADE_MAX = 8, /* US school grade */
	MAX_WORD = 64,
	N_WORST = 8
};

/* Words the rules below get wrong, with their syllables. */
static const struct {
	const char *word;
	int n;
} exceptions[] = {
	{ "people", 2 },
	{ "diarrhea", 4 },
	{ "anxious", 2 },
	{ "create", 2 },
	{ "being", 2 },
	{ "quiet", 2 },
	{ "science", 2 },
	{ "fibromyalgia", 5 },
};

static bool
is_vowel(char c)
{
	return strchr("aeiouy", c) != NULL;
}

/*
 * Syllables in one word of letters (any case; other bytes are skipped).
 * Vowel groups (a e i o u, and y after the first letter), less a silent
 * final e (not after a vowel, and not the "-le" of "table"), less the
 * silent e of "-ed" (not after t or d) and of "-es" (not after s, x, z,
 * c, g, or "sh"/"ch"); "ia" and "io" are two syllables unless after
 * t, s, c or g ("nation", "special"), and "iu" always ("medium").  At least
 * one.
 */
static int
syllables(const char *s, size_t len)
{
	char w[MAX_WORD];
	size_t n = 0;
	int count = 0;

	for (size_t i = 0; i < len && n + 1 < sizeof(w); i++)
		if (isalpha((unsigned char)s[i]))
			w[n++] = (char)tolower((unsigned char)s[i]);
	w[n] = '\0';
	if (n == 0)
		return 0;
	for (size_t i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (strcmp(w, exceptions[i].word) == 0)
			return exceptions[i].n;
	for (size_t i = 0; i < n; i++) {
		bool v = is_vowel(w[i]) && !(i == 0 && w[i] == 'y');
		bool prev =
		    i > 0 && is_vowel(w[i - 1]) && !(i - 1 == 0 && w[0] == 'y');

		if (v && !prev)
			count++;
		else if (v && prev && w[i - 1] == 'i' &&
		    (w[i] == 'u' ||
		        ((w[i] == 'a' || w[i] == 'o') &&
		            (i < 2 || !strchr("tscgx", w[i - 2])))))
			count++;
	}
	if (n > 2 && w[n - 1] == 'e' && !is_vowel(w[n - 2]) &&
	    !(w[n - 2] == 'l' && n > 3 && !is_vowel(w[n - 3])))
		count--;
	else if (n > 3 && w[n - 1] == 'd' && w[n - 2] == 'e' &&
	    !strchr("td", w[n - 3]) && !is_vowel(w[n - 3]))
		count--;
	else if (n > 3 && w[n - 1] == 's' && w[n - 2] == 'e' &&
	    !strchr("sxzcg", w[n - 3]) && !is_vowel(w[n - 3]) &&
	    !(w[n - 3] == 'h' && strchr("sc", w[n - 4])))
		count--;
	return count < 1 ? 1 : count;
}

/* A word is a run of letters, digits, apostrophes, and hyphens or dots
 * between two such characters ("long-acting", "1.5", "2026-11-27"). */
static bool
word_byte(const char *p)
{
	return isalnum((unsigned char)*p) || *p == '\'';
}

struct counts {
	int words, sentences, syllables;
};

/*
 * Count text.  A number counts as a word of one syllable per run of
 * digits ("1.5": two; a date: three).  A sentence ends at '.', '!' or '?'
 * before a space or the end; a text without one is one sentence.
 */
static struct counts
count(const char *t)
{
	struct counts c = { 0, 0, 0 };
	const char *p = t;

	while (*p) {
		if (!word_byte(p)) {
			if (strchr(".!?", *p) && (p[1] == ' ' || p[1] == '\0'))
				c.sentences++;
			p++;
			continue;
		}
		const char *w = p;
		int digit_runs = 0, syl = 0;

		while (word_byte(p) ||
		    ((*p == '-' || *p == '.' || *p == '/') && p > w &&
		        word_byte(p + 1))) {
			const char *q = p;

			if (isdigit((unsigned char)*p)) {
				digit_runs++;
				while (isdigit((unsigned char)*p))
					p++;
				continue;
			}
			if (isalpha((unsigned char)*p)) {
				while (isalpha((unsigned char)*p) || *p == '\'')
					p++;
				syl += syllables(q, (size_t)(p - q));
				continue;
			}
			p++;
		}
		c.words++;
		c.syllables += syl + digit_runs;
	}
	if (c.sentences == 0)
		c.sentences = 1;
	return c;
}

/* Flesch-Kincaid grade level. */
static double
grade(const char *t)
{
	struct counts c = count(t);

	if (c.words == 0)
		return 0;
	return 0.39 * c.words / c.sentences + 11.8 * c.syllables / c.words -
	    15.59;
}

/* Values as a plan fills them, by variable name; others read "X". */
static const struct {
	const char *name, *value;
} samples[] = {
	{ "drug", "Oxycodone 5 mg tablet" },
	{ "acting", "short-acting" },
	{ "last_dose", "2026-11-20" },
	{ "days_since", "5" },
	{ "washout_days", "7" },
	{ "lift_date", "2026-11-27" },
	{ "condition", "fibromyalgia" },
	{ "code", "M79.7" },
	{ "code_display", "Fibromyalgia" },
	{ "detail", "naltrexone 4.5 mg" },
	{ "age", "70" },
	{ "weight", "30 kg" },
	{ "ceiling", "3 mg" },
	{ "procedure", "knee surgery" },
	{ "procedure_date", "2026-12-15" },
	{ "hold_start", "2026-12-12" },
	{ "hold_days", "3" },
	{ "restart_date", "2026-12-22" },
	{ "max_dose", "4.5 mg" },
	{ "start_dose", "1.5 mg" },
	{ "interval_days", "7" },
	{ "date", "2026-11-27" },
	{ "from_date", "2027-01-22" },
	{ "to_date", "2027-02-19" },
	{ "dose", "1.5 mg" },
	{ "next_dose", "2 mg" },
	{ "pain", "4" },
	{ "baseline_pain", "7" },
	{ "days", "5" },
	{ "sleep", "5" },
	{ "baseline_sleep", "8" },
};

struct text {
	const char *id; /* the kb entry or statement */
	char *s;        /* malloc'd */
	double grade;
	bool in_plan; /* shown only inside a plan, beside the definitions */
};

static struct text *texts;
static size_t n_texts, cap_texts;

static void
add_text(const char *id, const char *s, bool in_plan)
{
	if (n_texts == cap_texts) {
		cap_texts = cap_texts ? 2 * cap_texts : 256;
		texts = realloc(texts, cap_texts * sizeof(*texts));
		if (texts == NULL)
			abort();
	}
	texts[n_texts].id = id;
	texts[n_texts].s = strdup(s);
	texts[n_texts].grade = grade(s);
	texts[n_texts].in_plan = in_plan;
	n_texts++;
}

static void
collect(const struct ldn_kb *kb)
{
	const char *vars[V_COUNT] = { 0 };
	struct strbuf b = STRBUF_INIT(1 << 20);

	for (int v = 0; v < V_COUNT; v++) {
		vars[v] = "X";
		for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]);
		     i++)
			if (var_names[v] &&
			    !strcmp(var_names[v], samples[i].name))
				vars[v] = samples[i].value;
	}
	for (size_t i = 0; i < kb->n_statements; i++)
		add_text(kb->statements[i].id,
		    kb->statements[i].plain[AUD_PATIENT], true);
	/* a preset's words open the protocol section of its plans */
	for (size_t i = 0; i < kb->n_presets; i++)
		add_text(kb->presets[i].id,
		    kb->presets[i].statement.plain[AUD_PATIENT], true);
	for (int e = 0; e < E_COUNT; e++) {
		const struct tmpl *t = &kb->entries[e].text[AUD_PATIENT];

		if (t->n == 0)
			continue;
		b.len = 0;
		tmpl_expand(&b, kb, t, vars);
		add_text(kb->entries[e].id, sb_cstr(&b),
		    entry_specs[e].list != L_NEXT &&
		        entry_specs[e].list != L_CARD);
	}
	/* kb/ask.yaml's sentences to a patient, each standing alone: no
	 * answer, or one held back until approved (in plans too) */
	add_text("ask.unknown", kb->ask->unknown[AUD_PATIENT], false);
	add_text("ask.withheld", kb->ask->withheld[AUD_PATIENT], false);
	add_text("ask.withheld_answer", kb->ask->withheld_answer[AUD_PATIENT],
	    false);
	/* kb/formulations.yaml: what the pharmacist's sheet tells the
	 * patient, each standing alone (a sheet shows no statements) */
	for (size_t i = 0; i < kb->formulations->n_forms; i++)
		add_text(kb->formulations->forms[i].id,
		    kb->formulations->forms[i].patient, false);
	for (size_t i = 0; i < kb->formulations->n_warnings; i++)
		if (kb->formulations->warnings[i].patient)
			add_text(kb->formulations->warnings[i].id,
			    kb->formulations->warnings[i].patient, false);
	for (size_t i = 0; i < kb->formulations->n_checks; i++)
		if (kb->formulations->checks[i].who == FW_PATIENT)
			add_text("formulations.check",
			    kb->formulations->checks[i].text, false);
	sb_free(&b);
}

static int
by_grade(const void *a, const void *b)
{
	double x = ((const struct text *)a)->grade;
	double y = ((const struct text *)b)->grade;

	return (x < y) - (x > y);
}

/* Whether word (lower case) occurs in s as a whole word, or with a
 * plural "s". */
static bool
has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; *p; p++) {
		if (strncasecmp(p, word, n) != 0)
			continue;
		if (p > s && isalpha((unsigned char)p[-1]))
			continue;
		const char *e = p + n;

		if (*e == 's')
			e++;
		if (!isalpha((unsigned char)*e))
			return true;
	}
	return false;
}

static bool
has_phrase(const char *s, const char *phrase)
{
	size_t n = strlen(phrase);

	for (const char *p = s; *p; p++)
		if (strncasecmp(p, phrase, n) == 0)
			return true;
	return false;
}

struct term {
	const char *term, *plain, *defined_by;
	const char *explained_by[8];
	size_t n_by;
	bool defined_in_every_plan; /* defined_by checked, see main() */
};

/* Whether text t explains the glossary term g it uses (see the file
 * head); true when it does not use it. */
static bool
explains(const char *t, const struct term *g)
{
	if (!has_word(t, g->term))
		return true;
	for (size_t k = 0; k < g->n_by; k++)
		if (has_phrase(t, g->explained_by[k]))
			return true;
	return false;
}

/* Whether term g's defined_by statement is in every plan and explains g;
 * the reason it is not, otherwise. */
static const char *
check_defined_by(const struct ldn_kb *kb, const struct term *g)
{
	for (size_t i = 0; i < kb->n_statements; i++) {
		const struct kb_statement *st = &kb->statements[i];

		if (strcmp(st->id, g->defined_by) != 0)
			continue;
		if (st->when_flags != (1u << FL_ALWAYS) || st->when_concepts)
			return "is not shown in every plan";
		if (!has_word(st->plain[AUD_PATIENT], g->term) ||
		    !explains(st->plain[AUD_PATIENT], g))
			return "does not use and explain the term";
		return NULL;
	}
	return "is not a statement";
}

static size_t
load_glossary(struct arena *a, const char *path, struct term *out, size_t max)
{
	struct ldn_error err = { 0 };
	struct jnode *root;
	const struct jnode *terms;
	size_t n = 0;

	if (!ok(yaml_parse_file(a, path, &root, &err) == LDN_OK,
	        "glossary parses: %s %s", err.where, err.msg))
		return 0;
	terms = tree_get(root, "terms");
	if (!ok(terms && terms->type == J_ARR, "glossary has terms: [...]"))
		return 0;
	for (size_t i = 0; i < terms->n && n < max; i++) {
		const struct jnode *t = &terms->u.items[i];
		const struct jnode *term = tree_get(t, "term");
		const struct jnode *plain = tree_get(t, "plain");
		const struct jnode *by = tree_get(t, "explained_by");
		const struct jnode *def = tree_get(t, "defined_by");
		struct term *g = &out[n];

		if (!ok(term && term->type == J_STR && plain &&
		            plain->type == J_STR && by && by->type == J_ARR &&
		            by->n > 0 && by->n <= 8,
		        "glossary entry %zu (line %u) has term, plain and 1 to "
		        "8 "
		        "explained_by phrases",
		        i, t->line))
			continue;
		g->term = term->u.s;
		g->plain = plain->u.s;
		g->defined_by = def && def->type == J_STR ? def->u.s : NULL;
		g->defined_in_every_plan = false;
		g->n_by = 0;
		for (size_t k = 0; k < by->n; k++)
			if (by->u.items[k].type == J_STR)
				g->explained_by[g->n_by++] = by->u.items[k].u.s;
		n++;
	}
	return n;
}

static void
test_syllables(void)
{
	static const struct {
		const char *w;
		int n;
	} known[] = {
		{ "the", 1 },
		{ "cat", 1 },
		{ "dose", 1 },
		{ "doses", 2 },
		{ "takes", 1 },
		{ "taken", 2 },
		{ "table", 2 },
		{ "little", 2 },
		{ "stopped", 1 },
		{ "needed", 2 },
		{ "started", 2 },
		{ "goes", 1 },
		{ "free", 1 },
		{ "times", 1 },
		{ "you", 1 },
		{ "yes", 1 },
		{ "naltrexone", 3 },
		{ "medicine", 3 },
		{ "opioid", 3 },
		{ "opioids", 3 },
		{ "every", 3 },
		{ "serious", 3 },
		{ "period", 3 },
		{ "medium", 3 },
		{ "nation", 2 },
		{ "special", 2 },
		{ "continue", 3 },
		{ "surgery", 3 },
		{ "liver", 2 },
		{ "people", 2 },
		{ "breastfeeding", 3 },
		{ "hepatitis", 4 },
		{ "withdrawal", 3 },
		{ "pharmacist", 3 },
		{ "immune", 2 },
		{ "pregnant", 2 },
		{ "clinician", 3 },
		{ "fibromyalgia", 5 },
	};
	int right = 0, n = (int)(sizeof(known) / sizeof(known[0]));

	for (int i = 0; i < n; i++) {
		int got = syllables(known[i].w, strlen(known[i].w));

		right += got == known[i].n;
		ok(got == known[i].n, "syllables(%s) = %d (want %d)",
		    known[i].w, got, known[i].n);
	}
	tap_diag("syllable counter: %d of %d known words right", right, n);

	struct counts c = count("Take 1.5 mg on 2026-11-27. Then stop!");
	ok(c.words == 7 && c.sentences == 2 && c.syllables == 10,
	    "counts: 7 words, 2 sentences, 10 syllables (got %d, %d, %d)",
	    c.words, c.sentences, c.syllables);
	ok(grade("The cat sat on the mat. It was a good day.") < 2,
	    "a first-reader text grades below 2");
	ok(grade("Concomitant administration of opioid analgesics is "
	         "contraindicated in individuals with demonstrated "
	         "physiological dependence.") > 12,
	    "a clinical sentence grades above 12");
}

int
main(int argc, char **argv)
{
	struct ldn_kb *kb = NULL;
	struct ldn_error err = { 0 };
	struct arena a = ARENA_INIT(1 << 22);
	struct term glossary[256];
	char path[4096];
	size_t n_terms, over = 0, unexplained = 0;
	double sum = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: readability SOURCE_ROOT\n");
		return 2;
	}
	test_syllables();
	snprintf(path, sizeof(path), "%s/kb", argv[1]);
	if (!ok(ldn_kb_load(path, &kb, &err) == LDN_OK, "kb loads: %s %s",
	        err.where, err.msg))
		return tap_done();
	collect(kb);
	ok(n_texts > 150, "%zu patient texts found", n_texts);
	qsort(texts, n_texts, sizeof(*texts), by_grade);
	for (size_t i = 0; i < n_texts; i++) {
		sum += texts[i].grade;
		if (texts[i].grade > GRADE_MAX) {
			over++;
			ok(false, "%s: grade %.1f > %d: %s", texts[i].id,
			    texts[i].grade, GRADE_MAX, texts[i].s);
		}
	}
	ok(over == 0, "every patient text at or below grade %d (%zu above)",
	    GRADE_MAX, over);
	tap_diag("patient texts: %zu, mean grade %.1f", n_texts,
	    n_texts ? sum / (double)n_texts : 0.0);
	for (size_t i = 0; i < n_texts && i < N_WORST; i++)
		tap_diag("worst %zu: grade %.1f %s: %s", i + 1, texts[i].grade,
		    texts[i].id, texts[i].s);

	snprintf(path, sizeof(path), "%s/kb/glossary.yaml", argv[1]);
	n_terms = load_glossary(&a, path, glossary, 256);
	ok(n_terms >= 10, "glossary lists %zu terms", n_terms);
	for (size_t g = 0; g < n_terms; g++) {
		size_t uses = 0;

		ok(grade(glossary[g].plain) <= GRADE_MAX,
		    "glossary: %s explained at grade %.1f", glossary[g].term,
		    grade(glossary[g].plain));
		if (glossary[g].defined_by != NULL) {
			const char *why = check_defined_by(kb, &glossary[g]);

			glossary[g].defined_in_every_plan = why == NULL;
			ok(why == NULL,
			    "glossary: %s is defined by %s, which %s",
			    glossary[g].term, glossary[g].defined_by,
			    why ? why : "every plan shows");
		}
		for (size_t i = 0; i < n_texts; i++) {
			uses += has_word(texts[i].s, glossary[g].term);
			if (texts[i].in_plan &&
			    glossary[g].defined_in_every_plan)
				continue;
			if (!explains(texts[i].s, &glossary[g])) {
				unexplained++;
				ok(false,
				    "%s uses \"%s\" without explaining it: %s",
				    texts[i].id, glossary[g].term, texts[i].s);
			}
		}
		tap_diag("glossary: %s used in %zu texts", glossary[g].term,
		    uses);
	}
	ok(unexplained == 0,
	    "every glossary term a text uses is explained "
	    "there (%zu not)",
	    unexplained);
	if (n_terms > 0) {
		/* the check itself: a bare use fails, an explained one passes
		 */
		char bare[256], told[512];

		snprintf(bare, sizeof(bare), "Ask about %ss today.",
		    glossary[0].term);
		snprintf(told, sizeof(told), "Ask about %ss (%s) today.",
		    glossary[0].term, glossary[0].explained_by[0]);
		ok(!explains(bare, &glossary[0]) &&
		        explains(told, &glossary[0]),
		    "the check catches an unexplained term and passes an "
		    "explained one");
	}
	for (size_t i = 0; i < n_texts; i++)
		free(texts[i].s);
	free(texts);
	arena_free(&a);
	ldn_kb_free(kb);
	return tap_done();
}
