/*
 * Answers: the statements the index found, in the audience's words with
 * their citations and review state, then (for a patient) the plan's own
 * findings that apply them; or, when nothing relevant was found, the
 * knowledge base's words for "I do not know".  Nothing here writes a
 * sentence of its own: every sentence is a statement or a finding.  Also
 * the follow-up questions a plan suggests.
 */
#include "ldn/ask.h"

#include <stdlib.h>
#include <string.h>

#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../base/strbuf.h"
#include "../draft.h"
#include "../kb/tmpl.h"
#include "../render/render.h"
#include "ask_impl.h"

enum {
	MAX_APPLIED = 8
};

/* Who reads an answer: the name it is labelled with, whose words its
 * statements and findings are in (aud; a pharmacist reads the clinician's,
 * as ask.yaml `pharmacist` decides for every section), and the words
 * around them in the reader's own terms. */
struct reader {
	const char *name;
	enum audience aud;
	bool pharmacist;
	const char *unknown, *for_patient, *applies_if, *withheld_answer;
};

static struct reader
reader_of(const struct ask_kb *ak, enum ldn_audience audience)
{
	enum audience aud =
	    audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT : AUD_CLINICIAN;

	if (audience == LDN_AUDIENCE_PHARMACIST)
		return (struct reader){ "pharmacist", aud, true,
			ak->pharm_unknown, ak->pharm_for_patient,
			ak->pharm_applies_if, ak->pharm_withheld_answer };
	return (struct reader){ audience_names[aud], aud, false,
		ak->unknown[aud], ak->for_patient[aud], ak->applies_if[aud],
		ak->withheld_answer[aud] };
}

struct applied {
	const struct finding *f;
	const struct kb_statement *st;
};

/* The statements found that this audience may read: never a retired one,
 * and for a patient only approved ones (docs/editorial-policy.md); how
 * many a patient may not read yet, and how many shown are not approved. */
struct shown {
	const struct kb_statement *st[3];
	struct review_mark mark[3];
	size_t n, n_withheld, n_pending;
};

static void
pick_shown(const struct ldn_kb *kb, const struct ldn_review *review,
    enum audience aud, const struct ldn_ask_result *r, struct shown *out)
{
	out->n = out->n_withheld = out->n_pending = 0;
	for (size_t i = 0; r->answered && i < r->n && out->n < 3; i++) {
		const struct kb_statement *st =
		    &kb->statements[ask_statement_index(kb, r->ids[i])];
		struct review_mark m = review_mark(review, st->item);

		if (m.state == RV_RETIRED)
			continue;
		if (aud == AUD_PATIENT && m.state != RV_APPROVED) {
			out->n_withheld++;
			continue;
		}
		out->n_pending += m.state != RV_APPROVED;
		out->mark[out->n] = m;
		out->st[out->n++] = st;
	}
}

/* The words that stand for the answer when none is shown, or with those
 * shown when some are held back or pending; NULL when none is needed. */
static const char *
message(const struct reader *rd, const struct ldn_ask_result *r,
    const struct shown *sh)
{
	if (!r->answered)
		return rd->unknown;
	if (sh->n_withheld > 0 || sh->n_pending > 0)
		return rd->withheld_answer;
	if (sh->n == 0)
		return rd->unknown;
	return NULL;
}

/* Whose words an answer's statement is in, for this reader: the
 * pharmacist's note when it is in the clinician's words for them (the
 * decision of ask.yaml, never a silent fallback), else NULL. */
static const char *
pharmacist_note(const struct ask_kb *ak, const struct reader *rd,
    const struct shown *sh, size_t n_ap)
{
	return rd->pharmacist && (sh->n > 0 || n_ap > 0) ? ak->pharm_note
	                                                 : NULL;
}

/* The reference numbers of one answer: kb refs in order of first
 * citation. */
struct numbering {
	uint16_t *order;  /* kb ref indices */
	uint16_t *number; /* per kb ref: 1-based, 0 when not cited */
	size_t n;
};

static void
number_cites(struct numbering *nb, struct cites c)
{
	for (size_t i = 0; i < c.n; i++)
		if (nb->number[c.ref[i]] == 0) {
			nb->order[nb->n++] = c.ref[i];
			nb->number[c.ref[i]] = (uint16_t)nb->n;
		}
}

static void
cite_list(struct strbuf *b, const struct numbering *nb, struct cites c)
{
	sb_puts(b, " [");
	for (size_t i = 0; i < c.n; i++)
		sb_printf(b, "%s%u", i ? ", " : "",
		    (unsigned)nb->number[c.ref[i]]);
	sb_puts(b, "]");
}

static void
cite_json(struct jw *w, const struct numbering *nb, struct cites c)
{
	jw_key(w, "citations");
	jw_arr(w);
	for (size_t i = 0; i < c.n; i++)
		jw_int(w, nb->number[c.ref[i]]);
	jw_end_arr(w);
}

/* The plan's findings that bear on the statements found, once each. */
static size_t
apply(const struct ask_kb *ak, const struct ldn_kb *kb,
    const struct ldn_plan *pl, const struct ldn_ask_result *r,
    struct applied *out)
{
	size_t n = 0;

	if (pl == NULL)
		return 0;
	for (size_t h = 0; h < r->n; h++) {
		int s = ask_statement_index(kb, r->ids[h]);

		for (size_t a = 0; a < ak->n_apply; a++) {
			const struct ask_apply *ap = &ak->apply[a];

			if ((int)ap->statement != s)
				continue;
			for (size_t i = 0; i < pl->n_findings; i++) {
				const struct finding *f = &pl->findings[i];
				bool linked = false, seen = false;

				for (size_t k = 0; k < ap->n; k++)
					linked |= ap->findings[k] == f->id;
				for (size_t k = 0; k < n; k++)
					seen |= out[k].f == f;
				if (!linked)
					continue;
				if (!seen && n < MAX_APPLIED) {
					out[n].f = f;
					out[n++].st = &kb->statements[s];
				}
			}
		}
	}
	return n;
}

/* Whether st holds only for some patients (its `when` is not always),
 * and whether it is known to hold for pl's patient. */
static bool
conditional(const struct kb_statement *st)
{
	return !(st->when_flags & (1u << FL_ALWAYS));
}

static bool
holds_for(const struct kb_statement *st, const struct ldn_plan *pl)
{
	return pl != NULL &&
	    ((st->when_flags & pl->flags) ||
	        (st->when_concepts & pl->concepts));
}

/* Where an answer's statement applies: "always", "this patient", or
 * "some patients" (then its words open with ak->applies_if). */
static const char *
applies(const struct kb_statement *st, const struct ldn_plan *pl)
{
	if (!conditional(st))
		return "always";
	return holds_for(st, pl) ? "this patient" : "some patients";
}

static void
write_json(struct strbuf *b, struct strbuf *tmp, const struct ldn_kb *kb,
    const struct ask_kb *ak, const char *question, size_t len,
    const struct ldn_plan *pl, const struct reader *rd,
    const struct ldn_ask_result *r, const struct shown *sh,
    const struct applied *ap, size_t n_ap, const struct numbering *nb)
{
	const char *msg = message(rd, r, sh);
	const char *note = pharmacist_note(ak, rd, sh, n_ap);
	enum audience aud = rd->aud;
	struct jw w;

	jw_init(&w, b);
	jw_obj(&w);
	jw_key(&w, "question");
	jw_strn(&w, question, len);
	jw_kstr(&w, "audience", rd->name);
	if (pl != NULL) {
		jw_kstr(&w, "as_of", pl->as_of_str);
		jw_kstr(&w, "patient", pl->patient->id);
	}
	jw_key(&w, "answered");
	jw_bool(&w, sh->n > 0);
	if (msg != NULL)
		jw_kstr(&w, "message", msg);
	if (note != NULL)
		jw_kstr(&w, "note", note);
	jw_kint(&w, "withheld", (long long)sh->n_withheld);
	jw_key(&w, "answers");
	jw_arr(&w);
	for (size_t i = 0; i < sh->n; i++) {
		const struct kb_statement *st = sh->st[i];

		jw_obj(&w);
		jw_kstr(&w, "id", st->id);
		jw_kstr(&w, "section", section_ids[st->section]);
		jw_kstr(&w, "applies", applies(st, pl));
		jw_key(&w, "text");
		if (conditional(st) && !holds_for(st, pl)) {
			tmp->len = 0;
			sb_puts(tmp, rd->applies_if);
			sb_puts(tmp, " ");
			sb_puts(tmp, st->plain[aud]);
			jw_strn(&w, tmp->s ? tmp->s : "", tmp->len);
		} else {
			jw_raw(&w, st->json[aud], st->json_len[aud]);
		}
		if (rd->pharmacist) {
			jw_kstr(&w, "wording", audience_names[aud]);
			jw_kstr(&w, "wording_why",
			    ak->pharm_section_why[st->section]);
		}
		jw_kstr(&w, "evidence", evidence_names[st->evidence]);
		jw_kstr(&w, "review", review_names[sh->mark[i].state]);
		jw_key(&w, "review_since");
		jw_str(&w, sh->mark[i].since[0] ? sh->mark[i].since : NULL);
		jw_key(&w, "pending_review");
		jw_bool(&w, sh->mark[i].state != RV_APPROVED);
		cite_json(&w, nb, st->cites);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "for_patient");
	jw_arr(&w);
	for (size_t i = 0; i < n_ap; i++) {
		const struct kb_entry *e = &kb->entries[ap[i].f->id];

		jw_obj(&w);
		jw_kstr(&w, "finding", e->id);
		jw_kstr(&w, "severity",
		    severity_names[entry_specs[ap[i].f->id].severity]);
		jw_kstr(&w, "statement", ap[i].st->id);
		tmp->len = 0;
		tmpl_expand(tmp, kb, &e->text[aud], ap[i].f->vars);
		jw_key(&w, "text");
		jw_strn(&w, tmp->s ? tmp->s : "", tmp->len);
		if (rd->pharmacist) {
			jw_kstr(&w, "wording", audience_names[aud]);
			jw_kstr(&w, "wording_why", ak->pharm_findings_why);
		}
		cite_json(&w, nb, e->cites);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "references");
	jw_arr(&w);
	for (size_t i = 0; i < nb->n; i++) {
		jw_obj(&w);
		jw_kint(&w, "n", (long long)i + 1);
		render_reference_json(&w, &kb->refs[nb->order[i]]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "kb");
	jw_obj(&w);
	render_opt(&w, "version", kb->version);
	render_opt(&w, "updated", kb->updated);
	jw_kstr(&w, "fingerprint", kb->fingerprint);
	jw_end_obj(&w);
	jw_kstr(&w, "editorial_policy", RENDER_POLICY_PATH);
	jw_end_obj(&w);
	sb_puts(b, "\n");
}

static void
write_text(struct strbuf *b, struct strbuf *tmp, const struct ldn_kb *kb,
    const struct ask_kb *ak, const struct ldn_plan *pl, const struct reader *rd,
    const struct ldn_ask_result *r, const struct shown *sh,
    const struct applied *ap, size_t n_ap, const struct numbering *nb)
{
	const char *msg = message(rd, r, sh);
	const char *note = pharmacist_note(ak, rd, sh, n_ap);
	enum audience aud = rd->aud;

	if (!r->answered) {
		render_wrap(b, rd->unknown, 0, 0);
		return;
	}
	if (msg != NULL)
		render_wrap(b, msg, 0, 0);
	for (size_t i = 0; i < sh->n; i++) {
		const struct kb_statement *st = sh->st[i];
		const struct review_mark *m = &sh->mark[i];

		tmp->len = 0;
		if (conditional(st) && !holds_for(st, pl)) {
			sb_puts(tmp, rd->applies_if);
			sb_puts(tmp, " ");
		}
		sb_puts(tmp, st->plain[aud]);
		cite_list(tmp, nb, st->cites);
		sb_printf(tmp, " (evidence: %s; review state: %s",
		    evidence_names[st->evidence], review_names[m->state]);
		if (m->since[0])
			sb_printf(tmp, ", %s %s", render_labels[aud].updated,
			    m->since);
		if (m->state != RV_APPROVED)
			sb_printf(tmp, "; %s", render_labels[aud].pending_mark);
		sb_puts(tmp, ")");
		sb_puts(b, "  - ");
		render_wrap(b, sb_cstr(tmp), 4, 4);
	}
	if (n_ap > 0) {
		render_heading(b, rd->for_patient);
		for (size_t i = 0; i < n_ap; i++) {
			const struct kb_entry *e = &kb->entries[ap[i].f->id];

			tmp->len = 0;
			tmpl_expand(tmp, kb, &e->text[aud], ap[i].f->vars);
			cite_list(tmp, nb, e->cites);
			sb_printf(b, "  [%s] ",
			    severity_names[entry_specs[ap[i].f->id].severity]);
			render_wrap(b, sb_cstr(tmp),
			    5 +
			        strlen(severity_names[entry_specs[ap[i].f->id]
			                                  .severity]),
			    4);
		}
	}
	if (note != NULL) {
		sb_puts(b, "\n");
		render_wrap(b, note, 0, 0);
	}
	if (nb->n > 0)
		render_heading(b,
		    aud == AUD_CLINICIAN ? "References" : "Sources");
	for (size_t i = 0; i < nb->n; i++)
		render_reference(b, tmp, &kb->refs[nb->order[i]], i + 1);
	tmp->len = 0;
	sb_printf(tmp, "Knowledge base %s (%s). %s: %s",
	    kb->version ? kb->version : "", kb->fingerprint,
	    render_labels[aud].policy, RENDER_POLICY_PATH);
	sb_puts(b, "\n");
	render_wrap(b, sb_cstr(tmp), 0, 0);
}

enum ldn_status
ldn_ask_answer(const struct ldn_ask *ask, const char *question, size_t len,
    const struct ldn_plan *plan, const struct ldn_review *review,
    enum ldn_audience audience, enum ldn_format format, char **out,
    size_t *out_len, struct ldn_error *err)
{
	const struct ldn_kb *kb = ask_index_kb(ask);
	const struct ask_kb *ak = kb->ask;
	const struct reader rd = reader_of(ak, audience);
	struct ldn_ask_result r;
	struct shown sh;
	struct applied ap[MAX_APPLIED];
	size_t n_ap;
	struct numbering nb = { .n = 0 };
	struct strbuf b = STRBUF_INIT(1u << 20), tmp = STRBUF_INIT(1u << 20);
	enum ldn_status rc;

	if (format != LDN_FORMAT_TEXT && format != LDN_FORMAT_JSON)
		return ldn_fail(err, LDN_E_SCHEMA, "/format",
		    "must be text or json");
	if (review != NULL && review->kb != kb)
		return ldn_fail(err, LDN_E_BUG, "review",
		    "the review states are of another knowledge base");
	if (plan != NULL && plan->kb != kb)
		return ldn_fail(err, LDN_E_BUG, "/patient",
		    "the plan was built from another knowledge base");
	rc = ldn_ask_search(ask, question, len, &r, err);
	if (rc != LDN_OK)
		return rc;
	pick_shown(kb, review, rd.aud, &r, &sh);
	/* the plan's own findings are never held back */
	n_ap = r.answered ? apply(ak, kb, plan, &r, ap) : 0;
	nb.order = calloc(kb->n_refs + 1, sizeof(*nb.order));
	nb.number = calloc(kb->n_refs + 1, sizeof(*nb.number));
	if (nb.order == NULL || nb.number == NULL) {
		free(nb.order);
		free(nb.number);
		return ldn_fail(err, LDN_E_NOMEM, "/question", "out of memory");
	}
	for (size_t i = 0; i < sh.n; i++)
		number_cites(&nb, sh.st[i]->cites);
	for (size_t i = 0; i < n_ap; i++)
		number_cites(&nb, kb->entries[ap[i].f->id].cites);
	if (format == LDN_FORMAT_JSON)
		write_json(&b, &tmp, kb, ak, question, len, plan, &rd, &r, &sh,
		    ap, n_ap, &nb);
	else
		write_text(&b, &tmp, kb, ak, plan, &rd, &r, &sh, ap, n_ap, &nb);
	free(nb.order);
	free(nb.number);
	return render_finish(&b, &tmp, out, out_len, err);
}

size_t
ldn_ask_n_questions(const struct ldn_kb *kb)
{
	return kb->ask ? kb->ask->n_questions : 0;
}

const char *
ldn_ask_question(const struct ldn_kb *kb, size_t i, enum ldn_audience audience,
    const char **id)
{
	const struct ask_question *q = &kb->ask->questions[i];

	/* a pharmacist's: the clinician's, as kb/ask.yaml pharmacist.questions
	 * decides */
	if (id != NULL)
		*id = q->id;
	return q->text[audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT
	                                                : AUD_CLINICIAN];
}

bool
ldn_ask_question_answered_by(const struct ldn_kb *kb, size_t i,
    const char *statement_id)
{
	const struct ask_question *q = &kb->ask->questions[i];

	for (size_t k = 0; k < q->n_answers; k++)
		if (strcmp(kb->statements[q->answers[k]].id, statement_id) == 0)
			return true;
	return false;
}
