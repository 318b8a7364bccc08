/* Renderers: one plan, several forms, two audiences (so far). */
#ifndef LDN_RENDER_H
#define LDN_RENDER_H

#include "../base/strbuf.h"
#include "../draft.h"
#include "../kb/tmpl.h"

struct jw;

enum {
	RENDER_LIMIT = 16u << 20,
	RENDER_WIDTH = 78 /* text wraps here */
};

/* Headings and labels for each audience (interface words, not claims),
 * for the renderers that write a whole page (text, html). */
struct render_labels {
	/* start_line: start dose, timing ("at bedtime", "in the
	 * morning"), step, interval in days, ceiling; start_fixed: the
	 * same when the start is the ceiling (dose, timing) */
	const char *title, *decision[3], *start_line, *start_fixed, *findings,
	    *sev[3], *before, *schedule, *monitoring, *references, *kb,
	    *pending;
	const char *section[S_COUNT];
	/* review: the mark on a statement not approved ("pending review"),
	 * what precedes its last-updated date, the count of the plan's
	 * statements by state, and the editorial policy's name */
	const char *pending_mark, *updated, *counts, *policy;
	/* before the sides of a statement whose sources disagree */
	const char *disagree;
	/* why a statement in this state is left out of the patient's
	 * version (clinician) */
	const char *why_withheld[RV_COUNT];
};

/* Where every plan links the editorial policy (docs/editorial-policy.md,
 * served by `ldn serve`). */
#define RENDER_POLICY_PATH "/docs/editorial-policy"

/* The review states of a plan's statements as ldn_plan_render() found
 * them: how many are in each state, and how many the patient's version
 * leaves out (every one not approved). */
struct render_review {
	size_t counts[RV_COUNT];
	size_t n_withheld;
	/* The pharmacist's version (NULL otherwise): the clinician's, with
	 * this dispensing sheet (lib/render/dispense.c) and "pharmacist" as
	 * its audience. */
	const struct dispense *dispense;
};

/* The dispensing sheet of a pharmacist's plan, in each form; pl's
 * reference list must number what the sheet cites
 * (render_dispense_view()). */
struct dispense;
/* ul as mL to 0.01 mL ("1.50"), or to 0.001 mL when finer: the dispensing
 * sheet's and the next step's measure (lib/render/dispense.c). */
void render_ml_string(int64_t ul, char buf[static 32]);
void render_dispense_text(struct strbuf *b, struct strbuf *tmp,
    const struct ldn_plan *pl, const struct dispense *d);
void render_dispense_json(struct jw *w, const struct ldn_plan *pl,
    const struct dispense *d);
void render_dispense_html(struct strbuf *b, struct strbuf *tmp,
    const struct ldn_plan *pl, const struct dispense *d);
/* *v: pl with the sheet's references numbered after its own, in the
 * arrays *order and *number (malloc'd; the caller frees both, even on
 * failure).  False when out of memory. */
bool render_dispense_view(const struct ldn_plan *pl, const struct dispense *d,
    struct ldn_plan *v, uint16_t **order, uint16_t **number);

/* s (n bytes) escaped for HTML text or a quoted attribute. */
void render_html_esc(struct strbuf *b, const char *s, size_t n);
/* Citations as superscript links to the plan's reference list (html). */
void render_html_cites(struct strbuf *b, const struct ldn_plan *pl,
    struct cites c);
/* Citations as the "citations" member: the plan's reference numbers. */
struct jw;
void render_json_cites(struct jw *w, const struct ldn_plan *pl, struct cites c);

/* "0 approved, 20 draft": the nonzero counts, in state order. */
void render_review_counts(struct strbuf *b, const struct render_review *rr);

extern const struct render_labels render_labels[AUD_COUNT];

/* A text heading: a blank line, the title, and a rule as wide. */
void render_heading(struct strbuf *b, const char *title);

/* The follow-up questions a plan suggests (kb/ask.yaml: those tied to
 * its findings, and those always asked), written into the plan. */
void render_follow_up_json(struct jw *w, const struct ldn_plan *pl,
    enum audience aud);
void render_follow_up_text(struct strbuf *b, const struct ldn_plan *pl,
    enum audience aud);

/* When doses are taken (morning or not), in aud's words from the kb ("at
 * bedtime", "in the morning"), expanded into b (emptied first). */
const char *render_timing_words(const struct ldn_kb *kb, bool morning,
    enum audience aud, struct strbuf *b);

/* Citation numbers of c in this plan, as "1, 4". */
void render_cite_list(struct strbuf *b, const struct ldn_plan *pl,
    struct cites c);

/* The words of schedule step i: its date, its dose ("1.5 mg"; a hold names
 * the dose being stopped) and its procedure, in vars, backed by the
 * caller's buffers.  Returns the kb entry whose text describes the step. */
enum entry_id render_step_vars(const struct ldn_plan *pl, size_t i,
    char date[static 11], char dose[static 24], const char **vars);

/* Template t for this plan, expanded into tmp (emptied first), written to
 * w as one JSON string. */
void render_text_json(struct jw *w, const struct ldn_plan *pl,
    struct strbuf *tmp, const struct tmpl *t, const char *const *vars);

/* Display width of n bytes of UTF-8 (one column per code point). */
size_t render_width(const char *s, size_t n);

/* Append text wrapped to RENDER_WIDTH: the first line after a prefix of
 * width first_w already written, the rest indented by indent spaces. */
void render_wrap(struct strbuf *b, const char *text, size_t first_w,
    size_t indent);

/* Reference r as entry n of a numbered list, wrapped, with its evidence
 * type and, unless resolved, how far it was resolved. */
void render_reference(struct strbuf *b, struct strbuf *tmp,
    const struct kb_ref *r, size_t n);

/* Member key: v, unless v is NULL (then nothing). */
void render_opt(struct jw *w, const char *key, const char *v);

/* Reference r's members (id, type, evidence, title ... note) into the
 * JSON object w has open. */
void render_reference_json(struct jw *w, const struct kb_ref *r);

/* Units as JSON output names them ("mg", "days", "mL/min/1.73m2"). */
extern const char *const render_unit_json[U_COUNT];

/* Where a number the plan uses comes from: the knowledge base's default,
 * the titration preset the plan follows, or the plan itself, which
 * changed the preset's number for this patient (sensitive, a child's
 * weight, a dose not tolerated before).  render_number_source_names:
 * "kb", "preset", "plan" (--format json parameters[].set_by). */
enum number_source {
	NS_KB,
	NS_PRESET,
	NS_PLAN,
	NS_COUNT
};
extern const char *const render_number_source_names[NS_COUNT];

/* Number nb as plan pl uses it, into *value: the four a preset sets
 * (dose.start_ug, dose.step_ug, dose.interval_d, dose.ceiling_ug) are the
 * plan's own, the others the knowledge base's; and where it came from. */
enum number_source render_number(const struct ldn_plan *pl,
    const struct kb_number *nb, int32_t *value);

/* Hand the rendering in b to the caller (*out, *len) and free tmp; a
 * failure in either buffer is LDN_E_NOMEM. */
enum ldn_status render_finish(struct strbuf *b, struct strbuf *tmp, char **out,
    size_t *len, struct ldn_error *err);

/* pl is what aud sees: for a patient, the plan without the statements
 * not approved and with its references numbered again (render.c); rr
 * counts the whole plan's. */
enum ldn_status render_json(const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr, bool compact, char **out, size_t *len,
    struct ldn_error *err);
enum ldn_status render_text(const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr, char **out, size_t *len,
    struct ldn_error *err);
enum ldn_status render_html(const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr, char **out, size_t *len,
    struct ldn_error *err);
enum ldn_status render_ics(const struct ldn_plan *pl, enum audience aud,
    char **out, size_t *len, struct ldn_error *err);
enum ldn_status render_fhir(const struct ldn_plan *pl, enum audience aud,
    char **out, size_t *len, struct ldn_error *err);

#endif
