/*
 * Follow-up questions answered from the knowledge base, never invented.
 * An index over the statements (SQLite FTS5, BM25 ranking; words expanded
 * with the synonyms and drug classes of kb/ask.yaml, typos within one
 * edit forgiven) is built once per loaded KB; any number of threads may
 * query it.  An answer is the best statements, worded for the audience,
 * with their citations; with a patient's plan, the plan's own findings
 * that bear on them; when nothing relevant is found, it says so.
 */
#ifndef LDN_ASK_H
#define LDN_ASK_H

#include <stdbool.h>
#include <stddef.h>

#include "ldn/error.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

struct ldn_ask;

/* Longest question accepted, in bytes. */
#define LDN_ASK_MAX_QUESTION 1000

/*
 * Build the index for kb, which must outlive it.  On success *out owns a
 * new index, released with ldn_ask_free(); on failure *out is untouched
 * and err says why (LDN_E_NOMEM, or LDN_E_BUG if SQLite refuses).
 */
enum ldn_status ldn_ask_new(const struct ldn_kb *kb, struct ldn_ask **out,
    struct ldn_error *err);

void ldn_ask_free(struct ldn_ask *ask);

/* The statements found for a question, best first. */
struct ldn_ask_result {
	const char *ids[3]; /* statement ids, borrowed from the KB */
	double scores[3];   /* bm25: more negative is better */
	size_t n;           /* statements found (0 to 3) */
	bool answered;      /* false: declined, nothing relevant enough */
	int coverage_pct;   /* share of the question's words the index knows */
};

/*
 * Look up the question (len bytes of UTF-8, at most
 * LDN_ASK_MAX_QUESTION, not empty) and fill *out.  An empty, overlong or
 * malformed question is LDN_E_SCHEMA with err->where "/question".
 * Thread-safe.
 */
enum ldn_status ldn_ask_search(const struct ldn_ask *ask, const char *question,
    size_t len, struct ldn_ask_result *out, struct ldn_error *err);

/*
 * Answer the question for the audience in format (LDN_FORMAT_TEXT or
 * LDN_FORMAT_JSON) into a new buffer *out (*out_len bytes, NUL-terminated)
 * that the caller frees with free().  plan, unless NULL, is the patient's
 * plan (built from the same KB): its findings that bear on the statements
 * found are added, in their own words.  A pharmacist's answer is labelled
 * "pharmacist" with the pharmacist's words around it; its statements and
 * findings are the clinician's words, as kb/ask.yaml `pharmacist` decides
 * for each section, and say so ("wording", "wording_why", "note"); never
 * the patient's.  Errors as for ldn_ask_search().  Thread-safe.
 */
struct ldn_review;
enum ldn_status ldn_ask_answer(const struct ldn_ask *ask, const char *question,
    size_t len, const struct ldn_plan *plan, const struct ldn_review *review,
    enum ldn_audience audience, enum ldn_format format, char **out,
    size_t *out_len, struct ldn_error *err);

/*
 * As ldn_ask_answer(), for a request body {"question": "...", "patient":
 * <native JSON or a FHIR Bundle>, "audience":
 * "clinician"|"patient"|"pharmacist", "as_of": "YYYY-MM-DD"} (only the
 * question required; as_of, when the body has none, may be NULL for
 * today).  Errors name the member as a JSON
 * pointer: "/question", "/audience", "/as_of", "/patient/...", or a member
 * that is not one of these.  Thread-safe.
 */
enum ldn_status ldn_ask_request(const struct ldn_ask *ask, const char *body,
    size_t len, const char *as_of, const struct ldn_review *review,
    enum ldn_format format, char **out, size_t *out_len, struct ldn_error *err);

/* The follow-up questions of kb/ask.yaml, for tests and callers: their
 * number, and question i's id and words for the audience (a pharmacist's:
 * the clinician's, as kb/ask.yaml pharmacist.questions decides). */
size_t ldn_ask_n_questions(const struct ldn_kb *kb);
const char *ldn_ask_question(const struct ldn_kb *kb, size_t i,
    enum ldn_audience audience, const char **id);
/* Whether statement_id is one that answers question i. */
bool ldn_ask_question_answered_by(const struct ldn_kb *kb, size_t i,
    const char *statement_id);

/* The questions a plan suggests (3 to 5, from its findings): writes up to
 * max indices for ldn_ask_question() and returns how many. */
size_t ldn_plan_follow_up(const struct ldn_plan *plan, size_t *idx, size_t max);

#endif
