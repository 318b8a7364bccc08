/*
 * The plan as text that reads like the seed article written for one
 * patient: the decision and dates first, then findings, the schedule,
 * monitoring and the article's sections, each statement with numbered
 * citations, and the reference list last.  Lines wrap at 78 columns.
 */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "../ask/ask_impl.h"
#include "../base/date.h"
#include "../base/error_impl.h"

/* Headings and labels for each audience (interface words, not claims). */
struct labels {
	const char *title, *decision[3], *findings, *sev[3], *before, *schedule,
	    *monitoring, *references, *kb, *pending;
	const char *section[S_COUNT];
};

static const struct labels labels[AUD_COUNT] = {
	[AUD_CLINICIAN] = {
	    .title = "Low-dose naltrexone (LDN) plan",
	    .decision = { "START: may start on %s.",
		"WAIT: may start on %s, not before.",
		"DO NOT START: the blocks below must be resolved first." },
	    .findings = "Findings for this patient",
	    .sev = { "BLOCK", "CAUTION", "INFO" },
	    .before = "Before the first dose",
	    .schedule = "Titration schedule",
	    .monitoring = "Monitoring",
	    .references = "References",
	    .kb = "Knowledge base",
	    .pending = "Content is pending clinical review: verify against "
		       "the cited sources before use.",
	    .section = { "Definition and mechanism", "Titration protocol",
		"Clinical indications", "Duration and monitoring",
		"Safety and adverse effects",
		"Contraindications and precautions", "Special populations",
		"Perioperative management",
		"Comparison with standard-dose naltrexone", "Pitfalls to avoid",
		"Place in the treatment algorithm" },
	},
	[AUD_PATIENT] = {
	    .title = "Your low-dose naltrexone (LDN) plan",
	    .decision = { "You may start on %s.",
		"Please wait: you may start on %s, not before.",
		"Do not start LDN yet. Your clinician needs to sort out the "
		"points below first." },
	    .findings = "What we checked for you",
	    .sev = { "STOP", "TAKE CARE", "GOOD TO KNOW" },
	    .before = "Before your first dose",
	    .schedule = "Your dose calendar",
	    .monitoring = "What to track and tell your clinician",
	    .references = "Where this comes from",
	    .kb = "About this information",
	    .pending = "This information has not yet been approved by a "
		       "clinical reviewer. Talk with your clinician before "
		       "acting on it.",
	    .section = { "What LDN is", "How the dose goes up",
		"What LDN is used for", "How long, and what to watch",
		"Side effects", "When LDN is not safe", "If this applies to you",
		"If you have surgery or a procedure",
		"How LDN differs from other naltrexone", "Things to avoid",
		"When LDN is tried" },
	},
};

static void
heading(struct strbuf *b, const char *title)
{
	size_t n = render_width(title, strlen(title));

	sb_printf(b, "\n%s\n", title);
	for (size_t i = 0; i < n; i++)
		sb_puts(b, "-");
	sb_puts(b, "\n");
}

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
bullet_plain(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    const char *prefix, const char *text, struct cites c)
{
	tmp->len = 0;
	sb_puts(tmp, text);
	bullet_text(b, tmp, pl, prefix, c);
}

static void
schedule(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    enum audience aud)
{
	const struct labels *L = &labels[aud];
	const struct kb_entry *ceil = &pl->kb->entries[E_SCHEDULE_CEILING];
	const char *vars[V_COUNT] = { 0 };
	char mg[16], dose[24], d[11];

	heading(b, L->schedule);
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

enum ldn_status
render_text(const struct ldn_plan *pl, enum audience aud, char **out,
    size_t *len, struct ldn_error *err)
{
	const struct labels *L = &labels[aud];
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
		sb_printf(&b,
		    aud == AUD_CLINICIAN
		        ? "Start %s mg %s; +%s mg every %d days; "
		          "ceiling %s mg.\n"
		        : "First dose %s mg %s; it goes up by %s mg "
		          "every %d days, to at most %s mg.\n",
		    mg[0], pl->morning ? "in the morning" : "at bedtime", mg[1],
		    (int)pl->interval_d, mg[2]);
	}
	heading(&b, L->findings);
	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];
		const struct kb_entry *e = &kb->entries[f->id];
		char prefix[40];

		snprintf(prefix, sizeof(prefix), "  [%s] ",
		    L->sev[entry_specs[f->id].severity]);
		bullet(&b, &tmp, pl, prefix, &e->text[aud], f->vars,
		    finding_cites(kb, f));
	}
	heading(&b, L->before);
	for (size_t i = 0; i < pl->n_items; i++)
		if (entry_specs[pl->items[i].id].list == L_SCHEDULE)
			bullet(&b, &tmp, pl, "  - ",
			    &kb->entries[pl->items[i].id].text[aud],
			    pl->items[i].vars,
			    kb->entries[pl->items[i].id].cites);
	if (pl->n_steps > 0)
		schedule(&b, &tmp, pl, aud);
	if (pl->decision != LDN_DECISION_DO_NOT_START) {
		heading(&b, L->monitoring);
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
				heading(&b, L->section[s]);
			any = true;
			bullet_plain(&b, &tmp, pl, "  - ", st->plain[aud],
			    st->cites);
		}
	}
	ask_follow_up_text(&b, pl, aud);
	heading(&b, L->kb);
	sb_printf(&b,
	    "  Version %s, updated %s, fingerprint %s; review "
	    "state: %s.\n",
	    kb->version, kb->updated, kb->fingerprint,
	    review_names[kb->review]);
	if (kb->review != RV_APPROVED) {
		sb_puts(&b, "  ");
		render_wrap(&b, L->pending, 2, 2);
	}
	heading(&b, L->references);
	for (size_t i = 0; i < pl->n_refs; i++)
		render_reference(&b, &tmp, &kb->refs[pl->ref_order[i]], i + 1);
	/* also catches a failure in tmp, which a bullet's text went through */
	return render_finish(&b, &tmp, out, len, err);
}
