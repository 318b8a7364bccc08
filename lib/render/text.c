/*
 * The plan as text that reads like the seed article written for one
 * patient: the decision and dates first, then findings, the schedule,
 * monitoring and the article's sections, each statement with numbered
 * citations, and the reference list last.  Lines wrap at 78 columns.
 */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"
#include "../kb/ask_kb.h"

/* One bullet: "  - text [1, 2]" wrapped with a hanging indent; the text
 * is already expanded, or a template expanded here. */
static void
bullet_text(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    const char *prefix, struct cites c)
{
	if (c.n > 0) {
		sb_puts(tmp, " [");
		render_cite_list(tmp, pl, c);
		sb_puts(tmp, "]");
	}
	sb_puts(b, prefix);
	render_wrap(b, sb_cstr(tmp), render_width(prefix, strlen(prefix)), 4);
}

static void
bullet(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    const char *prefix, const struct tmpl *t, const char *const *vars,
    struct cites c)
{
	tmp->len = 0;
	tmpl_expand(tmp, pl->kb, t, vars);
	bullet_text(b, tmp, pl, prefix, c);
}

static void
schedule(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    enum audience aud)
{
	const struct render_labels *L = &render_labels[aud];
	const struct kb_entry *ceil = &pl->kb->entries[E_SCHEDULE_CEILING];
	const char *vars[V_COUNT] = { 0 };
	char mg[16], dose[24], d[11];

	render_heading(b, L->schedule);
	for (size_t i = 0; i < pl->n_steps; i++) {
		const struct step *s = &pl->steps[i];
		char prefix[64];

		enum entry_id e = render_step_vars(pl, i, d, dose, vars);

		/* the table says "none" for a hold */
		snprintf(prefix, sizeof(prefix), "  %s  day %3d  %-7s  ", d,
		    (int)(s->date - pl->steps[0].date + 1),
		    s->kind == STEP_HOLD ? "none" : dose);
		tmp->len = 0;
		tmpl_expand(tmp, pl->kb, &pl->kb->entries[e].text[aud], vars);
		sb_puts(b, prefix);
		render_wrap(b, sb_cstr(tmp), strlen(prefix), strlen(prefix));
	}
	mg_string(pl->ceiling_ug, mg);
	snprintf(dose, sizeof(dose), "%s mg", mg);
	vars[V_DOSE] = dose;
	bullet(b, tmp, pl, "  ", &ceil->text[aud], vars, ceil->cites);
}

/* Statement i as a bullet with its citations; for a clinician, then its
 * review state and last-updated date, and the pending mark unless it is
 * approved. */
static void
statement(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    size_t i, enum audience aud)
{
	const struct render_labels *L = &render_labels[aud];
	const struct kb_statement *st = pl->statements[i];
	const struct review_mark *m = &pl->statement_review[i];

	tmp->len = 0;
	sb_puts(tmp, st->plain[aud]);
	if (st->cites.n > 0) {
		sb_puts(tmp, " [");
		render_cite_list(tmp, pl, st->cites);
		sb_puts(tmp, "]");
	}
	if (aud == AUD_CLINICIAN) {
		sb_printf(tmp, " (%s", review_names[m->state]);
		if (m->since[0])
			sb_printf(tmp, ", %s %s", L->updated, m->since);
		if (m->state != RV_APPROVED)
			sb_printf(tmp, "; %s", L->pending_mark);
		sb_puts(tmp, ")");
		/* each side with its sources, as the kb gives them */
		for (size_t k = 0; k < st->n_sides; k++) {
			if (k == 0)
				sb_printf(tmp, ". %s: ", L->disagree);
			else
				sb_puts(tmp, "; ");
			sb_printf(tmp, "%s [", st->sides[k].position);
			render_cite_list(tmp, pl, st->sides[k].cites);
			sb_puts(tmp, "]");
		}
	}
	sb_puts(b, "  - ");
	render_wrap(b, sb_cstr(tmp), 4, 4);
}

/* What the patient's version leaves out: for a clinician, each statement
 * not approved with its state; for a patient, one line saying that some
 * information waits for review (kb/ask.yaml words.withheld). */
static void
withheld(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    enum audience aud, const struct render_review *rr)
{
	const struct ask_kb *ak = pl->kb->ask;

	if (rr->n_withheld == 0 || ak == NULL)
		return;
	if (aud == AUD_PATIENT) {
		sb_puts(b, "\n  ");
		render_wrap(b, ak->withheld[AUD_PATIENT], 2, 2);
		return;
	}
	render_heading(b, ak->withheld[AUD_CLINICIAN]);
	for (size_t i = 0; i < pl->n_statements; i++) {
		const struct review_mark *m = &pl->statement_review[i];

		if (m->state == RV_APPROVED)
			continue;
		tmp->len = 0;
		sb_printf(tmp, "%s: %s", pl->statements[i]->id,
		    review_names[m->state]);
		if (m->since[0])
			sb_printf(tmp, " since %s", m->since);
		sb_printf(tmp, " (%s)",
		    render_labels[AUD_CLINICIAN].why_withheld[m->state]);
		sb_puts(b, "  - ");
		render_wrap(b, sb_cstr(tmp), 4, 6);
	}
}

enum ldn_status
render_text(const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr, char **out, size_t *len,
    struct ldn_error *err)
{
	const struct render_labels *L = &render_labels[aud];
	const struct ldn_kb *kb = pl->kb;
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	char d[11], mg[4][16];

	sb_printf(&b, "%s\n", L->title);
	for (size_t i = 0; i < strlen(L->title); i++)
		sb_puts(&b, "=");
	sb_printf(&b, "\nPatient: %s    As of: %s\n\n",
	    pl->patient->id ? pl->patient->id : "(no id)", pl->as_of_str);
	if (pl->earliest != DATE_NONE)
		date_format(pl->earliest, d);
	sb_printf(&b, L->decision[pl->decision], d);
	sb_puts(&b, "\n");
	if (pl->decision != LDN_DECISION_DO_NOT_START) {
		mg_string(pl->start_ug, mg[0]);
		mg_string(pl->step_ug, mg[1]);
		mg_string(pl->ceiling_ug, mg[2]);
		/* extra arguments are ignored by a format that needs fewer */
		sb_printf(&b,
		    pl->start_ug >= pl->ceiling_ug ? L->start_fixed
		                                   : L->start_line,
		    mg[0], render_timing_words(pl->kb, pl->morning, aud, &tmp),
		    mg[1], (int)pl->interval_d, mg[2]);
		sb_puts(&b, "\n");
	}
	render_heading(&b, L->findings);
	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];
		const struct kb_entry *e = &kb->entries[f->id];
		char prefix[40];

		snprintf(prefix, sizeof(prefix), "  [%s] ",
		    L->sev[entry_specs[f->id].severity]);
		bullet(&b, &tmp, pl, prefix, &e->text[aud], f->vars,
		    finding_cites(kb, f));
	}
	render_heading(&b, L->before);
	for (size_t i = 0; i < pl->n_items; i++)
		if (entry_specs[pl->items[i].id].list == L_SCHEDULE)
			bullet(&b, &tmp, pl, "  - ",
			    &kb->entries[pl->items[i].id].text[aud],
			    pl->items[i].vars,
			    kb->entries[pl->items[i].id].cites);
	if (pl->n_steps > 0)
		schedule(&b, &tmp, pl, aud);
	if (pl->decision != LDN_DECISION_DO_NOT_START) {
		render_heading(&b, L->monitoring);
		for (size_t i = 0; i < pl->n_items; i++)
			if (entry_specs[pl->items[i].id].list == L_MONITOR)
				bullet(&b, &tmp, pl, "  - ",
				    &kb->entries[pl->items[i].id].text[aud],
				    pl->items[i].vars,
				    kb->entries[pl->items[i].id].cites);
	}
	for (int s = 0; s < S_COUNT; s++) {
		bool any = false;

		for (size_t i = 0; i < pl->n_statements; i++) {
			const struct kb_statement *st = pl->statements[i];

			if (st->section != (enum section)s)
				continue;
			if (!any)
				render_heading(&b, L->section[s]);
			any = true;
			statement(&b, &tmp, pl, i, aud);
		}
	}
	withheld(&b, &tmp, pl, aud, rr);
	render_follow_up_text(&b, pl, aud);
	if (rr->dispense != NULL)
		render_dispense_text(&b, &tmp, pl, rr->dispense);
	render_heading(&b, L->kb);
	tmp.len = 0;
	sb_printf(&tmp, "Version %s, updated %s, fingerprint %s. %s: ",
	    kb->version ? kb->version : "unknown",
	    kb->updated ? kb->updated : "unknown", kb->fingerprint, L->counts);
	render_review_counts(&tmp, rr);
	sb_puts(&tmp, ".");
	sb_puts(&b, "  ");
	render_wrap(&b, sb_cstr(&tmp), 2, 2);
	if (aud == AUD_CLINICIAN && rr->n_withheld > 0) {
		sb_puts(&b, "  ");
		render_wrap(&b, L->pending, 2, 2);
	}
	tmp.len = 0;
	sb_printf(&tmp, "%s: %s", L->policy, RENDER_POLICY_PATH);
	sb_puts(&b, "  ");
	render_wrap(&b, sb_cstr(&tmp), 2, 2);
	render_heading(&b, L->references);
	for (size_t i = 0; i < pl->n_refs; i++)
		render_reference(&b, &tmp, &kb->refs[pl->ref_order[i]], i + 1);
	/* also catches a failure in tmp, which a bullet's text went through */
	return render_finish(&b, &tmp, out, len, err);
}
