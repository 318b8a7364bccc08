/* Pieces the renderers share: the words of a schedule line, citation
 * lists, wrapped text and reference lines. */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"
#include "../base/jsonw.h"

enum entry_id
render_step_vars(const struct ldn_plan *pl, size_t i, char date[static 11],
    char dose[static 24], const char **vars)
{
	static const enum entry_id entries[] = { E_SCHEDULE_START,
		E_SCHEDULE_INCREASE, E_SCHEDULE_HOLD, E_SCHEDULE_RESTART };
	/* Morning dosing (timing.morning) has its own words. */
	static const enum entry_id morning[] = { E_SCHEDULE_START_MORNING,
		E_SCHEDULE_INCREASE_MORNING, E_SCHEDULE_HOLD_MORNING,
		E_SCHEDULE_RESTART };
	const struct step *s = &pl->steps[i];
	char mg[16];

	date_format(s->date, date);
	mg_string(s->kind == STEP_HOLD && i > 0 ? pl->steps[i - 1].dose_ug
	                                        : s->dose_ug,
	    mg);
	snprintf(dose, 24, "%s mg", mg);
	vars[V_DATE] = date;
	vars[V_DOSE] = dose;
	vars[V_PROCEDURE] = s->procedure;
	return pl->morning ? morning[s->kind] : entries[s->kind];
}

void
render_heading(struct strbuf *b, const char *title)
{
	size_t n = render_width(title, strlen(title));

	sb_printf(b, "\n%s\n", title);
	for (size_t i = 0; i < n; i++)
		sb_puts(b, "-");
	sb_puts(b, "\n");
}

const char *
render_timing_words(const struct ldn_kb *kb, bool morning, enum audience aud,
    struct strbuf *b)
{
	const struct kb_entry *e =
	    &kb->entries[morning ? E_TIMING_WORDS_MORNING
	                         : E_TIMING_WORDS_BEDTIME];

	b->len = 0;
	tmpl_expand(b, kb, &e->text[aud], NULL);
	return sb_cstr(b);
}

void
render_cite_list(struct strbuf *b, const struct ldn_plan *pl, struct cites c)
{
	for (size_t i = 0; i < c.n; i++)
		sb_printf(b, "%s%u", i ? ", " : "",
		    (unsigned)pl->ref_number[c.ref[i]]);
}

enum ldn_status
render_finish(struct strbuf *b, struct strbuf *tmp, char **out, size_t *len,
    struct ldn_error *err)
{
	bool failed = tmp->failed || b->failed;

	sb_free(tmp);
	if (failed) {
		sb_free(b);
		return ldn_fail(err, LDN_E_NOMEM, "", "the plan is too large");
	}
	*out = sb_take(b, len);
	if (*out == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	return LDN_OK;
}

void
render_text_json(struct jw *w, const struct ldn_plan *pl, struct strbuf *tmp,
    const struct tmpl *t, const char *const *vars)
{
	tmp->len = 0;
	tmpl_expand(tmp, pl->kb, t, vars);
	jw_strn(w, tmp->s ? tmp->s : "", tmp->len);
}

size_t
render_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* Append text wrapped to RENDER_WIDTH: the first line after a prefix of width
 * first_w already written, the rest indented by indent spaces. */
void
render_wrap(struct strbuf *b, const char *text, size_t first_w, size_t indent)
{
	size_t col = first_w;
	const char *p = text;
	bool line_start = true;

	while (*p) {
		const char *w = p;
		size_t n, wd;

		while (*p && *p != ' ')
			p++;
		n = (size_t)(p - w);
		wd = render_width(w, n);
		if (!line_start && col + 1 + wd > RENDER_WIDTH) {
			sb_puts(b, "\n");
			for (size_t i = 0; i < indent; i++)
				sb_puts(b, " ");
			col = indent;
			line_start = true;
		}
		if (!line_start) {
			sb_puts(b, " ");
			col++;
		}
		sb_add(b, w, n);
		col += wd;
		line_start = false;
		while (*p == ' ')
			p++;
	}
	sb_puts(b, "\n");
}

void
render_reference(struct strbuf *b, struct strbuf *tmp, const struct kb_ref *r,
    size_t n)
{
	char prefix[32];

	tmp->len = 0;
	if (r->authors)
		sb_printf(tmp, "%s. ", r->authors);
	sb_printf(tmp, "%s. %s", r->title ? r->title : r->id,
	    r->source ? r->source : "");
	if (r->year)
		sb_printf(tmp, ", %d", r->year);
	if (r->volume)
		sb_printf(tmp, ";%s", r->volume);
	if (r->pages)
		sb_printf(tmp, ":%s", r->pages);
	sb_puts(tmp, ".");
	if (r->doi)
		sb_printf(tmp, " doi:%s.", r->doi);
	if (r->pmid)
		sb_printf(tmp, " PMID %s.", r->pmid);
	if (r->url && !r->doi)
		sb_printf(tmp, " %s", r->url);
	sb_printf(tmp, " [%s", evidence_names[r->evidence]);
	if (strcmp(r->resolution, "resolved") != 0)
		sb_printf(tmp, "; reference %s", r->resolution);
	sb_puts(tmp, "]");
	snprintf(prefix, sizeof(prefix), "%3zu. ", n);
	sb_puts(b, prefix);
	render_wrap(b, sb_cstr(tmp), strlen(prefix), 5);
}

void
render_opt(struct jw *w, const char *key, const char *v)
{
	if (v != NULL)
		jw_kstr(w, key, v);
}

void
render_reference_json(struct jw *w, const struct kb_ref *r)
{
	const char *m = w->compact ? r->json_members_compact : r->json_members;

	if (m && w->depth == 3 && !w->first[3])
		jw_raw_members(w, m,
		    w->compact ? r->json_members_compact_len
		               : r->json_members_len);
	else
		kb_ref_json(w, r);
}

void
render_review_counts(struct strbuf *b, const struct render_review *rr)
{
	bool any = false;

	for (int s = 0; s < RV_COUNT; s++) {
		if (rr->counts[s] == 0)
			continue;
		sb_printf(b, "%s%zu %s", any ? ", " : "", rr->counts[s],
		    review_names[s]);
		any = true;
	}
	if (!any)
		sb_puts(b, "none");
}

/* by name, so that a unit added to enum unit and left out here is seen
 * (tests/unit.c checks every one has a name) */
const char *const render_unit_json[U_COUNT] = {
	[U_UG] = "mg",
	[U_D] = "days",
	[U_Y] = "years",
	[U_KG] = "kg",
	[U_UG_PER_KG] = "mg/kg",
	[U_EGFR] = "mL/min/1.73m2",
	[U_PCT] = "%",
	[U_POINTS] = "points",
	[U_H] = "h",
};

const char *const render_number_source_names[NS_COUNT] = { "kb", "preset",
	"plan" };

enum number_source
render_number(const struct ldn_plan *pl, const struct kb_number *nb,
    int32_t *value)
{
	/* The numbers a titration preset sets, as the plan and its preset
	 * hold them. */
	static const char *const ids[] = { "dose.start_ug", "dose.step_ug",
		"dose.interval_d", "dose.ceiling_ug" };
	const struct kb_preset *pr = pl->preset;
	const int32_t mine[] = { pl->start_ug, pl->step_ug, pl->interval_d,
		pl->ceiling_ug };
	const int32_t preset[] = { pr->start_ug, pr->step_ug, pr->interval_d,
		pr->ceiling_ug };

	*value = nb->value;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (strcmp(nb->id, ids[i]) != 0)
			continue;
		*value = mine[i];
		/* a start by weight is the plan's, never the preset's */
		if (mine[i] == preset[i] && !(i == 0 && pr->start_ug_per_kg))
			return NS_PRESET;
		return NS_PLAN;
	}
	return NS_KB;
}

const struct render_labels render_labels[AUD_COUNT] = {
	[AUD_CLINICIAN] = {
	    .title = "Low-dose naltrexone (LDN) plan",
	    .decision = { "START: may start on %s.",
		"WAIT: may start on %s, not before.",
		"DO NOT START: the blocks below must be resolved first." },
	    .start_line = "Start %s mg %s; +%s mg every %d days; "
			  "ceiling %s mg.",
	    .start_fixed = "Start %s mg %s; no increase: that is the "
			   "ceiling.",
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
	    .pending_mark = "PENDING REVIEW",
	    .updated = "updated",
	    .disagree = "Sources disagree",
	    .counts = "Statements in this plan by review state",
	    .policy = "Editorial policy (how content is sourced, graded, "
		      "reviewed and corrected)",
	    .why_withheld = { [RV_DRAFT] = "not yet submitted for review",
		[RV_SUBMITTED] = "submitted, waiting for a reviewer",
		[RV_UNDER_REVIEW] = "a reviewer is reviewing it",
		[RV_CHANGES_REQUESTED] = "a reviewer asked for changes",
		[RV_APPROVED] = "approved",
		[RV_RETIRED] = "retired" },
	},
	[AUD_PATIENT] = {
	    .title = "Your low-dose naltrexone (LDN) plan",
	    .decision = { "You may start on %s.",
		"Please wait: you may start on %s, not before.",
		"Do not start LDN yet. Your clinician needs to sort out the "
		"points below first." },
	    .start_line = "First dose %s mg %s; it goes up by %s mg "
			  "every %d days, to at most %s mg.",
	    .start_fixed = "Take %s mg %s. Your dose stays the same.",
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
	    .pending_mark = "pending review",
	    .updated = "updated",
	    .disagree = "Sources disagree",
	    .counts = "Review of this plan's information",
	    .policy = "How we check this information",
	    .why_withheld = { [RV_DRAFT] = "not yet submitted for review",
		[RV_SUBMITTED] = "submitted, waiting for a reviewer",
		[RV_UNDER_REVIEW] = "a reviewer is reviewing it",
		[RV_CHANGES_REQUESTED] = "a reviewer asked for changes",
		[RV_APPROVED] = "approved",
		[RV_RETIRED] = "retired" },
	},
};
