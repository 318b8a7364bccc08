/*
 * kb/ask.yaml once loaded (owned by the KB's arena, immutable after
 * ldn_kb_load()): synonyms, drug-class words, the findings that apply a
 * statement to a patient and the follow-up questions; and the word
 * handling that the index (lib/ask) and the questions share, so a
 * statement and a question are read the same way.
 */
#ifndef LDN_KB_ASK_KB_H
#define LDN_KB_ASK_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "kb_impl.h"

struct jnode;
struct ldn_plan;

enum {
	ASK_WORD_MAX = 40,  /* longer words are cut here */
	ASK_PHRASE_MAX = 5, /* words in a synonym phrase */
	ASK_TOP = 3,        /* statements in an answer */
	ASK_FOLLOW_UP_MIN = 3,
	ASK_FOLLOW_UP_MAX = 5
};

/* One word of a synonym group, or a phrase of several, and the group's
 * first word that stands for it.  Words are normalised (ask_norm). */
struct ask_syn {
	const char *words[ASK_PHRASE_MAX];
	uint8_t n;
	const char *canon;
};

struct ask_apply {
	uint16_t statement;       /* index into kb->statements */
	const uint16_t *findings; /* enum entry_id */
	size_t n;
};

struct ask_question {
	const char *id;
	const char *text[AUD_COUNT];
	bool always;
	const uint16_t *findings; /* enum entry_id */
	size_t n_findings;
	const uint16_t *answers; /* indices into kb->statements */
	size_t n_answers;
};

struct ask_kb {
	const char *unknown[AUD_COUNT];
	const char *for_patient[AUD_COUNT];
	const char *follow_up[AUD_COUNT];
	/* before a statement that holds only for some patients, when it is
	 * not known to hold for this one ("If this applies to you:") */
	const char *applies_if[AUD_COUNT];
	/* statements left out of a patient's plan or answer until approved:
	 * a plan's words (clinician: the heading of what was left out) and
	 * an answer's */
	const char *withheld[AUD_COUNT];
	const char *withheld_answer[AUD_COUNT];
	/* The pharmacist's words of an answer (ask.yaml words.*.pharmacist,
	 * required for these four; plans show a pharmacist the clinician's
	 * follow_up and withheld) */
	const char *pharm_unknown, *pharm_for_patient, *pharm_applies_if,
	    *pharm_withheld_answer;
	/* What a pharmacist reads of the statements of each section and of
	 * the plan's findings (ask.yaml `pharmacist`): no statement or finding
	 * has pharmacist words yet, so each is the editors' decision that the
	 * clinician's words are right for a pharmacist, with why (never
	 * NULL once loaded: an undecided section is a load error); and the
	 * note an answer in such words carries. */
	const char *pharm_section_why[S_COUNT];
	const char *pharm_findings_why;
	const char *pharm_questions_why; /* the follow-up questions' */
	const char *pharm_note;
	struct ask_syn *single; /* one-word entries, sorted by word */
	size_t n_single;
	struct ask_syn *phrases; /* several words, longest first */
	size_t n_phrases;
	const char **class_words[MC_COUNT]; /* normalised canonical words */
	size_t n_class_words[MC_COUNT];
	struct ask_apply *apply;
	size_t n_apply;
	struct ask_question *questions;
	size_t n_questions;
	int min_coverage_pct; /* share of a question's words the index knows */
	int max_score_centi;  /* bm25 of the best hit, times 100, at most */
};

typedef void (
    *ask_problem_fn)(void *ud, const struct jnode *at, const char *msg);

/*
 * Read the tree of kb/ask.yaml into a new struct ask_kb owned by a, after
 * the statements and findings of kb are loaded.  Every problem goes to
 * problem(); returns NULL if there was any.
 */
struct ask_kb *ask_kb_load(struct arena *a, const struct ldn_kb *kb,
    const struct jnode *root, ask_problem_fn problem, void *ud);

/* Normalise one lower-case word into out (ASK_WORD_MAX bytes): a light
 * suffix strip (plural s, -ing, -ed, a final e) so that "doses",
 * "titrated" and "titrating" meet "dose" and "titrate". */
void ask_norm(const char *w, char out[static ASK_WORD_MAX]);

/* The stopwords, sorted. */
extern const char *const ask_stopwords[];
extern const size_t ask_n_stopwords;

/* Whether a normalised word carries no meaning for retrieval ("the",
 * "can", numbers). */
bool ask_is_stopword(const char *w);

/* The single-word synonym entry for a normalised word, or NULL. */
const struct ask_syn *ask_syn_find(const struct ask_kb *ak, const char *w);

/* The phrase entry that starts at words[i] (of n), longest first, or
 * NULL. */
const struct ask_syn *ask_phrase_at(const struct ask_kb *ak,
    char (*words)[ASK_WORD_MAX], size_t n, size_t i);

/* The statement index of an id, or -1. */
int ask_statement_index(const struct ldn_kb *kb, const char *id);

#endif
