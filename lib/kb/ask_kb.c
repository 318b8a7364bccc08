/*
 * kb/ask.yaml: synonyms, drug-class words, the findings that apply a
 * statement to one patient, and the follow-up questions a plan suggests.
 * Loaded with the rest of kb/ and checked against its statements and
 * findings; the question index and its answers (lib/ask) read it.
 */
#include "ask_kb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/tree.h"
#include "words.h"

struct ld {
	struct arena *a;
	const struct ldn_kb *kb;
	ask_problem_fn problem;
	void *ud;
	size_t problems;
};

static void bad(struct ld *L, const struct jnode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bad(struct ld *L, const struct jnode *at, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	L->problems++;
	L->problem(L->ud, at, msg);
}

void
ask_norm(const char *w, char out[static ASK_WORD_MAX])
{
	size_t n = strlen(w);

	if (n >= ASK_WORD_MAX)
		n = ASK_WORD_MAX - 1;
	memcpy(out, w, n);
	out[n] = '\0';
	if (n > 4 && strcmp(out + n - 3, "ies") == 0) {
		strcpy(out + n - 3, "y");
		return;
	}
	if (n > 3 && out[n - 1] == 's' && out[n - 2] != 's' &&
	    out[n - 2] != 'u' && out[n - 2] != 'i')
		out[--n] = '\0';
	if (n > 5 && strcmp(out + n - 3, "ing") == 0)
		out[n -= 3] = '\0';
	else if (n > 4 && strcmp(out + n - 2, "ed") == 0)
		out[n -= 2] = '\0';
	if (n > 5 && out[n - 1] == 'e')
		out[--n] = '\0';
}

/* Sorted: English function words and question words, which every
 * statement or no statement holds alike. */
const char *const ask_stopwords[] = { "a", "about", "actually", "after", "all",
	"also", "am", "an", "and", "any", "anything", "are", "as", "at", "be",
	"been", "being", "but", "by", "can", "could", "d", "did", "do", "doe",
	"don", "for", "from", "get", "good", "had", "has", "have", "he",
	"hello", "her", "hi", "him", "his", "how", "i", "if", "im", "in",
	"into", "is", "it", "its", "just", "know", "like", "ll", "m", "me",
	"might", "more", "much", "must", "my", "need", "next", "no", "not",
	"now", "of", "ok", "okay", "on", "or", "our", "please", "re", "really",
	"s", "shall", "she", "should", "since", "so", "some", "t", "than",
	"thank", "thanks", "that", "the", "their", "them", "then", "there",
	"these", "they", "thi", "this", "those", "to", "u", "up", "us", "ve",
	"wa", "was", "way", "we", "were", "what", "whats", "when", "where",
	"whether", "which", "while", "who", "why", "will", "with", "would",
	"yes", "you", "your" };
const size_t ask_n_stopwords = sizeof(ask_stopwords) / sizeof(ask_stopwords[0]);

bool
ask_is_stopword(const char *w)
{
	size_t lo = 0, hi = ask_n_stopwords;

	if (w[0] >= '0' && w[0] <= '9')
		return true; /* numbers: doses and ages say nothing alone */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(w, ask_stopwords[mid]);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

static int
syn_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ask_syn *)a)->words[0],
	    ((const struct ask_syn *)b)->words[0]);
}

static int
phrase_cmp(const void *a, const void *b)
{
	const struct ask_syn *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->words[0], y->words[0]);
}

const struct ask_syn *
ask_syn_find(const struct ask_kb *ak, const char *w)
{
	struct ask_syn key = { .words = { w }, .n = 1, .canon = NULL };

	return bsearch(&key, ak->single, ak->n_single, sizeof(key), syn_cmp);
}

const struct ask_syn *
ask_phrase_at(const struct ask_kb *ak, char (*words)[ASK_WORD_MAX], size_t n,
    size_t i)
{
	for (size_t p = 0; p < ak->n_phrases; p++) {
		const struct ask_syn *s = &ak->phrases[p];
		size_t k;

		if (i + s->n > n)
			continue;
		for (k = 0; k < s->n; k++)
			if (strcmp(words[i + k], s->words[k]) != 0)
				break;
		if (k == s->n)
			return s;
	}
	return NULL;
}

int
ask_statement_index(const struct ldn_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_statements; i++)
		if (strcmp(kb->statements[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int
finding_index(const struct ldn_kb *kb, const char *id)
{
	for (int e = 0; e < E_COUNT; e++)
		if (entry_specs[e].list == L_FINDING && kb->entries[e].id &&
		    strcmp(kb->entries[e].id, id) == 0)
			return e;
	return -1;
}

/* A string member; NULL (and a problem) when absent or not a string. */
static const char *
str_of(struct ld *L, const struct jnode *o, const char *key)
{
	const struct jnode *v = tree_get(o, key);

	if (v == NULL || v->type != J_STR || v->n == 0) {
		bad(L, o, "\"%s\" must be a non-empty string", key);
		return NULL;
	}
	return v->u.s;
}

static const struct jnode *
list_of(struct ld *L, const struct jnode *o, const char *key)
{
	const struct jnode *v = tree_get(o, key);

	if (v == NULL || v->type != J_ARR || v->n == 0) {
		bad(L, o, "\"%s\" must be a non-empty list", key);
		return NULL;
	}
	return v;
}

static void
only_keys(struct ld *L, const struct jnode *o, const char *const *keys)
{
	for (size_t i = 0; i < o->n; i++) {
		size_t k = 0;

		while (keys[k] && strcmp(keys[k], o->u.members[i].key) != 0)
			k++;
		if (keys[k] == NULL)
			bad(L, &o->u.members[i].val, "unknown key \"%s\"",
			    o->u.members[i].key);
	}
}

/* Per-audience words: {clinician: ..., patient: ...}, and pharmacist:
 * when pharm is not NULL (required then; refused otherwise). */
static void
aud_words(struct ld *L, const struct jnode *words, const char *key,
    const char **out, const char **pharm)
{
	static const char *const keys[] = { "clinician", "patient", NULL };
	static const char *const pharm_keys[] = { "clinician", "patient",
		"pharmacist", NULL };
	const struct jnode *o = tree_get(words, key);

	if (o == NULL || o->type != J_OBJ) {
		bad(L, words, "\"words\" needs \"%s\" for each audience", key);
		return;
	}
	only_keys(L, o, pharm ? pharm_keys : keys);
	for (int a = 0; a < AUD_COUNT; a++)
		out[a] = str_of(L, o, audience_names[a]);
	if (pharm != NULL)
		*pharm = str_of(L, o, "pharmacist");
}

/* ask.yaml `pharmacist`: for each section of statements, and for the
 * plan's findings, whose words a pharmacist reads and why.  The only
 * choice so far is the clinician's: a patient's plain words are never
 * shown to a pharmacist as professional text, and no statement has
 * pharmacist words of its own. */
static const char *
pharm_choice(struct ld *L, const struct jnode *o)
{
	static const char *const keys[] = { "section", "words", "why", NULL };
	const char *w;

	if (o->type != J_OBJ) {
		bad(L, o, "expected a mapping {words, why}");
		return NULL;
	}
	only_keys(L, o, keys);
	w = str_of(L, o, "words");
	if (w != NULL && strcmp(w, "clinician") != 0)
		bad(L, tree_get(o, "words"),
		    "\"%s\": a pharmacist reads the clinician's words "
		    "(words: clinician) until statements have pharmacist "
		    "words of their own; never a patient's",
		    w);
	return str_of(L, o, "why");
}

static void
load_pharmacist(struct ld *L, struct ask_kb *ak, const struct jnode *o)
{
	static const char *const keys[] = { "note", "sections", "findings",
		"questions", NULL };
	const struct jnode *list, *f;

	if (o == NULL || o->type != J_OBJ) {
		bad(L, o, "expected a mapping \"pharmacist\"");
		return;
	}
	only_keys(L, o, keys);
	ak->pharm_note = str_of(L, o, "note");
	if ((list = list_of(L, o, "sections")) != NULL) {
		for (size_t i = 0; i < list->n; i++) {
			const struct jnode *e = &list->u.items[i];
			const char *id =
			    e->type == J_OBJ ? str_of(L, e, "section") : NULL;
			int k = 0;

			while (id && k < S_COUNT && strcmp(section_ids[k], id))
				k++;
			if (id != NULL && k == S_COUNT) {
				bad(L, e, "\"%s\" is not a section", id);
				continue;
			}
			if (id != NULL && ak->pharm_section_why[k] != NULL) {
				bad(L, e, "section \"%s\" is decided twice",
				    id);
				continue;
			}
			const char *why = pharm_choice(L, e);

			if (id != NULL)
				ak->pharm_section_why[k] = why;
		}
		for (int k = 0; k < S_COUNT; k++)
			if (ak->pharm_section_why[k] == NULL)
				bad(L, list,
				    "section \"%s\" has no decision: say "
				    "whose words a pharmacist reads there, and "
				    "why",
				    section_ids[k]);
	}
	if ((f = tree_get(o, "findings")) == NULL)
		bad(L, o, "\"pharmacist\" needs \"findings\" {words, why}");
	else
		ak->pharm_findings_why = pharm_choice(L, f);
	if ((f = tree_get(o, "questions")) == NULL)
		bad(L, o, "\"pharmacist\" needs \"questions\" {words, why}");
	else
		ak->pharm_questions_why = pharm_choice(L, f);
}

/* Split and normalise text into an ask_syn's words; false if it has no
 * word or too many. */
static bool
syn_words(struct ld *L, const char *text, struct ask_syn *s)
{
	struct words w;
	char norm[ASK_WORD_MAX];

	words_split(&w, text, strlen(text));
	if (w.n == 0 || w.n > ASK_PHRASE_MAX)
		return false;
	s->n = (uint8_t)w.n;
	for (size_t i = 0; i < w.n; i++) {
		ask_norm(w.w[i], norm);
		s->words[i] = arena_strdup(L->a, norm);
	}
	return true;
}

static void
load_synonyms(struct ld *L, struct ask_kb *ak, const struct jnode *groups)
{
	size_t total = 0, ns = 0, np = 0;

	for (size_t g = 0; g < groups->n; g++)
		total +=
		    groups->u.items[g].type == J_ARR ? groups->u.items[g].n : 0;
	ak->single = arena_calloc(L->a, total + 1, sizeof(*ak->single));
	ak->phrases = arena_calloc(L->a, total + 1, sizeof(*ak->phrases));
	if (ak->single == NULL || ak->phrases == NULL)
		return;
	for (size_t g = 0; g < groups->n; g++) {
		const struct jnode *grp = &groups->u.items[g];
		const char *canon = NULL;

		if (grp->type != J_ARR || grp->n < 2) {
			bad(L, grp,
			    "a synonym group is a list of two or more "
			    "words");
			continue;
		}
		for (size_t i = 0; i < grp->n; i++) {
			const struct jnode *e = &grp->u.items[i];
			struct ask_syn s = { .n = 0 };

			if (e->type != J_STR || !syn_words(L, e->u.s, &s)) {
				bad(L, e, "a synonym must be 1 to %d words",
				    ASK_PHRASE_MAX);
				continue;
			}
			if (i == 0) {
				if (s.n != 1) {
					bad(L, e,
					    "a group's first entry must "
					    "be one word");
					break;
				}
				canon = s.words[0];
			}
			s.canon = canon;
			if (s.n == 1)
				ak->single[ns++] = s;
			else
				ak->phrases[np++] = s;
		}
	}
	qsort(ak->single, ns, sizeof(*ak->single), syn_cmp);
	for (size_t i = 1; i < ns; i++)
		if (strcmp(ak->single[i].words[0],
		        ak->single[i - 1].words[0]) == 0 &&
		    strcmp(ak->single[i].canon, ak->single[i - 1].canon) != 0)
			bad(L, groups,
			    "\"%s\" is in two synonym groups (%s, %s)",
			    ak->single[i].words[0], ak->single[i - 1].canon,
			    ak->single[i].canon);
	qsort(ak->phrases, np, sizeof(*ak->phrases), phrase_cmp);
	ak->n_single = ns;
	ak->n_phrases = np;
}

static void
load_classes(struct ld *L, struct ask_kb *ak, const struct jnode *list)
{
	static const char *const keys[] = { "class", "words", NULL };

	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i], *w;
		const char *cls;
		int c = -1;

		if (o->type != J_OBJ) {
			bad(L, o, "a drug class is a mapping");
			continue;
		}
		only_keys(L, o, keys);
		cls = str_of(L, o, "class");
		w = list_of(L, o, "words");
		if (cls == NULL || w == NULL)
			continue;
		for (int k = 1; k < MC_COUNT; k++)
			if (strcmp(med_class_names[k], cls) == 0)
				c = k;
		if (c < 0) {
			bad(L, o, "unknown medication class \"%s\"", cls);
			continue;
		}
		ak->class_words[c] = arena_calloc(L->a, w->n, sizeof(char *));
		if (ak->class_words[c] == NULL)
			return;
		for (size_t k = 0; k < w->n; k++) {
			char norm[ASK_WORD_MAX];
			const struct ask_syn *s;

			if (w->u.items[k].type != J_STR) {
				bad(L, &w->u.items[k],
				    "a word must be a string");
				continue;
			}
			ask_norm(w->u.items[k].u.s, norm);
			s = ask_syn_find(ak, norm);
			ak->class_words[c][ak->n_class_words[c]++] =
			    s ? s->canon : arena_strdup(L->a, norm);
		}
	}
}

/* A list of finding ids into entry ids; *always for the word "always". */
static const uint16_t *
finding_list(struct ld *L, const struct jnode *v, size_t *n, bool *always)
{
	uint16_t *out = arena_calloc(L->a, v->n + 1, sizeof(*out));

	*n = 0;
	if (out == NULL)
		return NULL;
	for (size_t k = 0; k < v->n; k++) {
		const struct jnode *e = &v->u.items[k];
		int f;

		if (e->type != J_STR) {
			bad(L, e, "a finding id must be a string");
			continue;
		}
		if (always != NULL && strcmp(e->u.s, "always") == 0) {
			*always = true;
			continue;
		}
		f = finding_index(L->kb, e->u.s);
		if (f < 0)
			bad(L, e, "no finding \"%s\" in findings.yaml", e->u.s);
		else
			out[(*n)++] = (uint16_t)f;
	}
	return out;
}

static const uint16_t *
statement_list(struct ld *L, const struct jnode *v, size_t *n)
{
	uint16_t *out = arena_calloc(L->a, v->n + 1, sizeof(*out));

	*n = 0;
	if (out == NULL)
		return NULL;
	for (size_t k = 0; k < v->n; k++) {
		const struct jnode *e = &v->u.items[k];
		int s =
		    e->type == J_STR ? ask_statement_index(L->kb, e->u.s) : -1;

		if (s < 0)
			bad(L, e, "no statement \"%s\" in statements.yaml",
			    e->type == J_STR ? e->u.s : "?");
		else
			out[(*n)++] = (uint16_t)s;
	}
	return out;
}

static void
load_apply(struct ld *L, struct ask_kb *ak, const struct jnode *list)
{
	static const char *const keys[] = { "statement", "findings", NULL };

	ak->apply = arena_calloc(L->a, list->n + 1, sizeof(*ak->apply));
	if (ak->apply == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i], *f;
		struct ask_apply *ap = &ak->apply[ak->n_apply];
		const char *id;
		int s;

		if (o->type != J_OBJ) {
			bad(L, o, "an apply entry is a mapping");
			continue;
		}
		only_keys(L, o, keys);
		id = str_of(L, o, "statement");
		f = list_of(L, o, "findings");
		if (id == NULL || f == NULL)
			continue;
		s = ask_statement_index(L->kb, id);
		if (s < 0) {
			bad(L, o, "no statement \"%s\" in statements.yaml", id);
			continue;
		}
		ap->statement = (uint16_t)s;
		ap->findings = finding_list(L, f, &ap->n, NULL);
		ak->n_apply++;
	}
}

static void
load_questions(struct ld *L, struct ask_kb *ak, const struct jnode *list)
{
	static const char *const keys[] = { "id", "findings", "answers",
		"clinician", "patient", NULL };

	ak->questions = arena_calloc(L->a, list->n + 1, sizeof(*ak->questions));
	if (ak->questions == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i], *f, *an;
		struct ask_question *q = &ak->questions[ak->n_questions];

		if (o->type != J_OBJ) {
			bad(L, o, "a question is a mapping");
			continue;
		}
		only_keys(L, o, keys);
		q->id = str_of(L, o, "id");
		for (int a = 0; a < AUD_COUNT; a++)
			q->text[a] = str_of(L, o, audience_names[a]);
		f = list_of(L, o, "findings");
		an = list_of(L, o, "answers");
		if (q->id == NULL || f == NULL || an == NULL)
			continue;
		for (size_t k = 0; k < ak->n_questions; k++)
			if (strcmp(ak->questions[k].id, q->id) == 0)
				bad(L, o, "question \"%s\" is listed twice",
				    q->id);
		q->findings = finding_list(L, f, &q->n_findings, &q->always);
		q->answers = statement_list(L, an, &q->n_answers);
		ak->n_questions++;
	}
}

/* A YAML scalar as a number in [lo, hi], or false. */
static bool
num_of(const struct jnode *v, double lo, double hi, double *out)
{
	char *end;
	double x;

	if (v == NULL || v->type != J_STR)
		return false;
	x = strtod(v->u.s, &end);
	if (end == v->u.s || *end != '\0' || !(x >= lo && x <= hi))
		return false;
	*out = x;
	return true;
}

static void
load_decline(struct ld *L, struct ask_kb *ak, const struct jnode *o)
{
	static const char *const keys[] = { "min_coverage_pct", "max_bm25",
		NULL };
	double cov, sc;

	only_keys(L, o, keys);
	if (!num_of(tree_get(o, "min_coverage_pct"), 0, 100, &cov) ||
	    cov != (int)cov)
		bad(L, o, "\"min_coverage_pct\" must be a whole number 0-100");
	else
		ak->min_coverage_pct = (int)cov;
	if (!num_of(tree_get(o, "max_bm25"), -100, 0, &sc))
		bad(L, o, "\"max_bm25\" must be a number from -100 to 0");
	else
		ak->max_score_centi = (int)(sc * 100 - 0.5);
}

struct ask_kb *
ask_kb_load(struct arena *a, const struct ldn_kb *kb, const struct jnode *root,
    ask_problem_fn problem, void *ud)
{
	static const char *const keys[] = { "words", "synonyms", "drug_classes",
		"apply", "questions", "decline", "pharmacist", NULL };
	struct ld L = { .a = a, .kb = kb, .problem = problem, .ud = ud };
	struct ask_kb *ak = arena_calloc(a, 1, sizeof(*ak));
	const struct jnode *v;

	if (ak == NULL)
		return NULL;
	if (root->type != J_OBJ) {
		bad(&L, root, "expected a mapping");
		return NULL;
	}
	only_keys(&L, root, keys);
	if ((v = tree_get(root, "words")) == NULL || v->type != J_OBJ) {
		bad(&L, root, "expected a mapping \"words\"");
	} else {
		aud_words(&L, v, "unknown", ak->unknown, &ak->pharm_unknown);
		aud_words(&L, v, "for_patient", ak->for_patient,
		    &ak->pharm_for_patient);
		aud_words(&L, v, "follow_up", ak->follow_up, NULL);
		aud_words(&L, v, "applies_if", ak->applies_if,
		    &ak->pharm_applies_if);
		aud_words(&L, v, "withheld", ak->withheld, NULL);
		aud_words(&L, v, "withheld_answer", ak->withheld_answer,
		    &ak->pharm_withheld_answer);
	}
	load_pharmacist(&L, ak, tree_get(root, "pharmacist"));
	if ((v = list_of(&L, root, "synonyms")) != NULL)
		load_synonyms(&L, ak, v);
	if ((v = list_of(&L, root, "drug_classes")) != NULL)
		load_classes(&L, ak, v);
	if ((v = list_of(&L, root, "apply")) != NULL)
		load_apply(&L, ak, v);
	if ((v = list_of(&L, root, "questions")) != NULL)
		load_questions(&L, ak, v);
	if ((v = tree_get(root, "decline")) == NULL || v->type != J_OBJ)
		bad(&L, root, "expected a mapping \"decline\"");
	else
		load_decline(&L, ak, v);
	if (a->failed)
		return NULL;
	return L.problems ? NULL : ak;
}
