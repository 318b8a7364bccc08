/*
 * The plan as one self-contained, printable HTML page that reads like the
 * seed article written for one patient: decision and dates first, the dose
 * schedule as a table, findings, monitoring and the article's sections with
 * numbered citations that jump to the reference list, whose entries link
 * their DOI and PubMed record.  Inline CSS only: no script, nothing fetched.
 * Everything from the input or the knowledge base is escaped.
 */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"
#include "../kb/ask_kb.h"

/* Words only this page needs (interface words, not claims). */
struct html_labels {
	const char *patient, *as_of, *date, *day, *dose, *what, *no_dose,
	    *updated, *version, *fingerprint, *numbers, *number, *value, *range,
	    *sources, *set_by, *from[NS_COUNT];
};

static const struct html_labels html_labels[AUD_COUNT] = {
	[AUD_CLINICIAN] = { .patient = "Patient",
	    .as_of = "As of",
	    .date = "Date",
	    .day = "Day",
	    .dose = "Dose",
	    .what = "Step",
	    .no_dose = "none",
	    .updated = "Last updated",
	    .version = "Version",
	    .fingerprint = "fingerprint",
	    .numbers = "Numbers this plan uses",
	    .number = "Number",
	    .value = "Value",
	    .range = "Range in the sources",
	    .sources = "Sources",
	    .set_by = "Set by",
	    .from = { "knowledge base default", "preset %s",
	        "this plan, for this patient (preset %s)" } },
	[AUD_PATIENT] = { .patient = "For",
	    .as_of = "Written on",
	    .date = "Date",
	    .day = "Day",
	    .dose = "Dose",
	    .what = "What to do",
	    .no_dose = "no dose",
	    .updated = "Last updated",
	    .version = "Version",
	    .fingerprint = "fingerprint",
	    .numbers = "The numbers behind your plan",
	    .number = "Number",
	    .value = "Value",
	    .range = "Range in the sources",
	    .sources = "Sources",
	    .set_by = "Where it comes from",
	    .from = { "the general default", "your titration plan (%s)",
	        "changed for you from your titration plan (%s)" } },
};

static const char css[] =
    "body{font-family:Georgia,'Times New Roman',serif;line-height:1.5;"
    "color:#1a1a1a;background:#fff;max-width:46rem;margin:0 auto;"
    "padding:1rem}\n"
    "h1{font-size:1.6rem;margin:.2rem 0}\n"
    "h2{font-size:1.2rem;border-bottom:1px solid #bbb;margin-top:1.6rem}\n"
    ".meta{color:#444;margin:.2rem 0}\n"
    ".decision{border:2px solid #333;padding:.6rem .9rem;margin:1rem 0}\n"
    ".decision p{margin:.3rem 0}\n"
    ".d-start{border-color:#1b6e20}\n"
    ".d-wait{border-color:#8a5a00}\n"
    ".d-do-not-start{border-color:#a11}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#eee}\n"
    "td.num{white-space:nowrap}\n"
    ".badge{display:inline-block;font:600 .75rem/1.4 sans-serif;"
    "border:1px solid #666;border-radius:.3rem;padding:0 .3rem;"
    "margin-left:.3rem;white-space:nowrap}\n"
    ".sev-block{background:#fde8e8;border-color:#a11}\n"
    ".sev-caution{background:#fff4dc;border-color:#8a5a00}\n"
    ".sev-info{background:#e8f0fd;border-color:#245}\n"
    ".ev{background:#f3f3f3}\n"
    ".pending{background:#fff4dc}\n"
    ".review{background:#e6f4e6}\n"
    ".since{color:#444;font-size:.85em}\n"
    "sup.cite{font-size:.75em}\n"
    "sup.cite a{text-decoration:none}\n"
    "ol.refs li{margin-bottom:.4rem}\n"
    ":target{background:#ffffb0}\n"
    "@media print{body{max-width:none;padding:0;font-size:11pt}"
    "a{color:inherit}a[href^=\"#\"]{text-decoration:none}"
    "tr,li{break-inside:avoid}h2{break-after:avoid}"
    ".badge{border-color:#000}}\n";

/* s (n bytes) with &, <, >, " and ' as character references, so it is
 * safe both as element content and inside a quoted attribute. */
void
render_html_esc(struct strbuf *b, const char *s, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		const char *r;

		switch (s[i]) {
		case '&':
			r = "&amp;";
			break;
		case '<':
			r = "&lt;";
			break;
		case '>':
			r = "&gt;";
			break;
		case '"':
			r = "&quot;";
			break;
		case '\'':
			r = "&#39;";
			break;
		default:
			continue;
		}
		sb_add(b, s + from, i - from);
		sb_puts(b, r);
		from = i + 1;
	}
	sb_add(b, s + from, n - from);
}

static void
esc(struct strbuf *b, const char *s)
{
	render_html_esc(b, s, strlen(s));
}

/* s percent-encoded for a URL path (a DOI may hold '<', '#', '?' or a
 * space); what is left is also safe in an attribute. */
static void
url_part(struct strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/:;()", *p))
			sb_add(b, (const char *)p, 1);
		else
			sb_printf(b, "%%%02X", *p);
	}
}

/* An evidence type as a badge: "randomised-trial" reads "randomised
 * trial". */
static void
evidence_badge(struct strbuf *b, enum evidence ev)
{
	sb_puts(b, "<span class=\"badge ev\">");
	for (const char *p = evidence_names[ev]; *p; p++)
		sb_add(b, *p == '-' ? " " : p, 1);
	sb_puts(b, "</span>");
}

void
render_html_cites(struct strbuf *b, const struct ldn_plan *pl, struct cites c)
{
	if (c.n == 0)
		return;
	sb_puts(b, " <sup class=\"cite\">[");
	for (size_t i = 0; i < c.n; i++) {
		unsigned n = pl->ref_number[c.ref[i]];

		sb_printf(b, "%s<a href=\"#ref-%u\">%u</a>", i ? ", " : "", n,
		    n);
	}
	sb_puts(b, "]</sup>");
}

/* Template t expanded for this plan, escaped into b. */
static void
text(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    const struct tmpl *t, const char *const *vars)
{
	tmp->len = 0;
	tmpl_expand(tmp, pl->kb, t, vars);
	render_html_esc(b, tmp->s ? tmp->s : "", tmp->len);
}

static void
heading(struct strbuf *b, const char *id, const char *title)
{
	sb_printf(b, "<section id=\"%s\">\n<h2>", id);
	esc(b, title);
	sb_puts(b, "</h2>\n");
}

static void
decision(struct strbuf *b, const struct ldn_plan *pl, enum audience aud)
{
	static const char *const cls[3] = { "d-start", "d-wait",
		"d-do-not-start" };
	const struct render_labels *L = &render_labels[aud];
	struct strbuf when = STRBUF_INIT(256);
	char line[256], mg[3][16];

	sb_printf(b,
	    "<section id=\"decision\" class=\"decision %s\">\n<p>"
	    "<strong>",
	    cls[pl->decision]);
	snprintf(line, sizeof(line), L->decision[pl->decision],
	    pl->earliest_str);
	esc(b, line);
	sb_puts(b, "</strong></p>\n");
	if (pl->decision != LDN_DECISION_DO_NOT_START) {
		mg_string(pl->start_ug, mg[0]);
		mg_string(pl->step_ug, mg[1]);
		mg_string(pl->ceiling_ug, mg[2]);
		snprintf(line, sizeof(line),
		    pl->start_ug >= pl->ceiling_ug ? L->start_fixed
		                                   : L->start_line,
		    mg[0], render_timing_words(pl->kb, pl->morning, aud, &when),
		    mg[1], (int)pl->interval_d, mg[2]);
		sb_puts(b, "<p>");
		esc(b, line);
		sb_puts(b, "</p>\n");
	}
	sb_puts(b, "</section>\n");
	sb_free(&when);
}

static void
schedule(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    enum audience aud)
{
	const struct html_labels *H = &html_labels[aud];
	const struct kb_entry *ceil = &pl->kb->entries[E_SCHEDULE_CEILING];
	const char *vars[V_COUNT] = { 0 };
	char mg[16], dose[24], d[11];

	heading(b, "schedule", render_labels[aud].schedule);
	sb_printf(b,
	    "<table>\n<thead><tr><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
	    H->date, H->day, H->dose, H->what);
	for (size_t i = 0; i < pl->n_steps; i++) {
		const struct step *s = &pl->steps[i];
		enum entry_id e = render_step_vars(pl, i, d, dose, vars);

		sb_printf(b,
		    "<tr class=\"step-%s\"><td class=\"num\">%s</td>"
		    "<td class=\"num\">%d</td><td class=\"num\">%s</td><td>",
		    step_kind_names[s->kind], d,
		    (int)(s->date - pl->steps[0].date + 1),
		    s->kind == STEP_HOLD ? H->no_dose : dose);
		text(b, tmp, pl, &pl->kb->entries[e].text[aud], vars);
		render_html_cites(b, pl, pl->kb->entries[e].cites);
		sb_puts(b, "</td></tr>\n");
	}
	sb_puts(b, "</tbody>\n</table>\n<p>");
	mg_string(pl->ceiling_ug, mg);
	snprintf(dose, sizeof(dose), "%s mg", mg);
	vars[V_DOSE] = dose;
	text(b, tmp, pl, &ceil->text[aud], vars);
	render_html_cites(b, pl, ceil->cites);
	sb_puts(b, "</p>\n</section>\n");
}

static void
findings(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    enum audience aud)
{
	heading(b, "findings", render_labels[aud].findings);
	sb_puts(b, "<ul>\n");
	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];
		const struct kb_entry *e = &pl->kb->entries[f->id];
		enum severity sev = entry_specs[f->id].severity;

		sb_printf(b, "<li><span class=\"badge sev-%s\">%s</span> ",
		    severity_names[sev], render_labels[aud].sev[sev]);
		text(b, tmp, pl, &e->text[aud], f->vars);
		render_html_cites(b, pl, finding_cites(pl->kb, f));
		evidence_badge(b, e->evidence);
		sb_puts(b, "</li>\n");
	}
	sb_puts(b, "</ul>\n</section>\n");
}

static void
items(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    enum audience aud, const char *id, const char *title, enum entry_list list)
{
	heading(b, id, title);
	sb_puts(b, "<ul>\n");
	for (size_t i = 0; i < pl->n_items; i++) {
		const struct item *it = &pl->items[i];
		const struct kb_entry *e = &pl->kb->entries[it->id];

		if (entry_specs[it->id].list != list)
			continue;
		sb_puts(b, "<li>");
		text(b, tmp, pl, &e->text[aud], it->vars);
		render_html_cites(b, pl, e->cites);
		sb_puts(b, "</li>\n");
	}
	sb_puts(b, "</ul>\n</section>\n");
}

/* A statement's review state as a badge, "pending review" unless it is
 * approved, and its last-updated date (a clinician's page). */
static void
review_badge(struct strbuf *b, const struct review_mark *m)
{
	const struct render_labels *L = &render_labels[AUD_CLINICIAN];

	if (m->state == RV_APPROVED)
		sb_printf(b, "<span class=\"badge review\">%s</span>",
		    review_names[m->state]);
	else
		sb_printf(b, "<span class=\"badge pending\">%s: %s</span>",
		    L->pending_mark, review_names[m->state]);
	if (m->since[0])
		sb_printf(b, " <span class=\"since\">%s %s</span>", L->updated,
		    m->since);
}

/* What the patient's version leaves out until approved: for a
 * clinician, each statement with its state and why; for a patient, the
 * words saying that some information waits for review (kb/ask.yaml). */
static void
withheld(struct strbuf *b, const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr)
{
	const struct ask_kb *ak = pl->kb->ask;

	if (rr->n_withheld == 0 || ak == NULL)
		return;
	if (aud == AUD_PATIENT) {
		sb_puts(b, "<p id=\"withheld\" class=\"pending\">");
		esc(b, ak->withheld[AUD_PATIENT]);
		sb_puts(b, "</p>\n");
		return;
	}
	heading(b, "withheld", ak->withheld[AUD_CLINICIAN]);
	sb_puts(b, "<ul>\n");
	for (size_t i = 0; i < pl->n_statements; i++) {
		const struct review_mark *m = &pl->statement_review[i];

		if (m->state == RV_APPROVED)
			continue;
		sb_puts(b, "<li><code>");
		esc(b, pl->statements[i]->id);
		sb_printf(b, "</code>: %s", review_names[m->state]);
		if (m->since[0])
			sb_printf(b, " since %s", m->since);
		sb_printf(b, " (%s)</li>\n",
		    render_labels[AUD_CLINICIAN].why_withheld[m->state]);
	}
	sb_puts(b, "</ul>\n</section>\n");
}

/* Where a statement's sources part ways: each side with its links. */
static void
disagreement(struct strbuf *b, const struct ldn_plan *pl,
    const struct kb_statement *st)
{
	for (size_t k = 0; k < st->n_sides; k++) {
		if (k == 0)
			sb_printf(b, "<br><span class=\"disagree\">%s: ",
			    render_labels[AUD_CLINICIAN].disagree);
		else
			sb_puts(b, "; ");
		render_html_esc(b, st->sides[k].position,
		    strlen(st->sides[k].position));
		render_html_cites(b, pl, st->sides[k].cites);
	}
	if (st->n_sides > 0)
		sb_puts(b, "</span>");
}

static void
sections(struct strbuf *b, const struct ldn_plan *pl, enum audience aud)
{
	size_t i = 0;

	/* pl->statements are ordered by section. */
	while (i < pl->n_statements) {
		enum section s = pl->statements[i]->section;
		char id[64];

		/* "about-": the plan's own monitoring list is "monitoring" */
		snprintf(id, sizeof(id), "about-%s", section_ids[s]);
		heading(b, id, render_labels[aud].section[s]);
		sb_puts(b, "<ul>\n");
		for (; i < pl->n_statements && pl->statements[i]->section == s;
		     i++) {
			const struct kb_statement *st = pl->statements[i];

			sb_puts(b, "<li>");
			render_html_esc(b, st->plain[aud], st->plain_len[aud]);
			render_html_cites(b, pl, st->cites);
			evidence_badge(b, st->evidence);
			if (aud == AUD_CLINICIAN)
				review_badge(b, &pl->statement_review[i]);
			if (aud == AUD_CLINICIAN)
				disagreement(b, pl, st);
			sb_puts(b, "</li>\n");
		}
		sb_puts(b, "</ul>\n</section>\n");
	}
}

/* Every number of the knowledge base the plan computed with, the value
 * this plan uses, what set it (the knowledge base's default, the preset,
 * or the plan for this patient), the range the sources give and its
 * citations (the preset's for the numbers it sets), as --format json's
 * parameters. */
static void
numbers(struct strbuf *b, struct strbuf *tmp, const struct ldn_plan *pl,
    enum audience aud)
{
	const struct html_labels *H = &html_labels[aud];

	heading(b, "numbers", H->numbers);
	sb_printf(b,
	    "<table>\n<thead><tr><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
	    "</thead>\n<tbody>\n",
	    H->number, H->value, H->set_by, H->range, H->sources);
	for (size_t i = 0; i < pl->kb->n_numbers; i++) {
		const struct kb_number *nb = &pl->kb->numbers[i];
		struct kb_number used = *nb;
		enum number_source from = render_number(pl, nb, &used.value);
		char line[160];

		sb_printf(b, "<tr class=\"set-by-%s\"><td><code>",
		    render_number_source_names[from]);
		esc(b, nb->id);
		sb_puts(b, "</code></td><td class=\"num\">");
		tmp->len = 0;
		tmpl_number(tmp, &used, false);
		render_html_esc(b, tmp->s ? tmp->s : "", tmp->len);
		sb_puts(b, "</td><td>");
		snprintf(line, sizeof(line), H->from[from], pl->preset->id);
		esc(b, line);
		sb_puts(b, "</td><td class=\"num\">");
		if (nb->has_range) {
			tmp->len = 0;
			tmpl_number(tmp, nb, true);
			render_html_esc(b, tmp->s ? tmp->s : "", tmp->len);
		}
		sb_puts(b, "</td><td>");
		render_html_cites(b, pl,
		    from == NS_KB ? nb->cites : pl->preset->statement.cites);
		sb_puts(b, "</td></tr>\n");
	}
	sb_puts(b, "</tbody>\n</table>\n</section>\n");
}

static void
reference(struct strbuf *b, const struct kb_ref *r, size_t n)
{
	sb_printf(b, "<li id=\"ref-%zu\">", n);
	if (r->authors) {
		esc(b, r->authors);
		sb_puts(b, ". ");
	}
	sb_puts(b, "<cite>");
	esc(b, r->title ? r->title : r->id);
	sb_puts(b, "</cite>. ");
	if (r->source)
		esc(b, r->source);
	if (r->year)
		sb_printf(b, ", %d", r->year);
	if (r->volume) {
		sb_puts(b, ";");
		esc(b, r->volume);
	}
	if (r->pages) {
		sb_puts(b, ":");
		esc(b, r->pages);
	}
	sb_puts(b, ".");
	if (r->doi) {
		sb_puts(b, " <a href=\"https://doi.org/");
		url_part(b, r->doi);
		sb_puts(b, "\">doi:");
		esc(b, r->doi);
		sb_puts(b, "</a>");
	}
	if (r->pmid) {
		sb_puts(b, " <a href=\"https://pubmed.ncbi.nlm.nih.gov/");
		url_part(b, r->pmid);
		sb_puts(b, "/\">PubMed ");
		esc(b, r->pmid);
		sb_puts(b, "</a>");
	}
	/* Other addresses are shown, not linked: the page links out only to
	 * the two registries readers can trust to resolve a citation. */
	if (r->url && !r->doi && !r->pmid) {
		sb_puts(b, " <span class=\"url\">");
		esc(b, r->url);
		sb_puts(b, "</span>");
	}
	evidence_badge(b, r->evidence);
	if (strcmp(r->resolution, "resolved") != 0) {
		sb_puts(b, "<span class=\"badge pending\">reference ");
		esc(b, r->resolution);
		sb_puts(b, "</span>");
	}
	sb_puts(b, "</li>\n");
}

enum ldn_status
render_html(const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr, char **out, size_t *len,
    struct ldn_error *err)
{
	const struct render_labels *L = &render_labels[aud];
	const struct html_labels *H = &html_labels[aud];
	const struct ldn_kb *kb = pl->kb;
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	const char *id = pl->patient->id ? pl->patient->id : "(no id)";

	sb_hint(&b, 96u << 10);
	sb_puts(&b,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	esc(&b, L->title);
	sb_puts(&b, ": ");
	esc(&b, id);
	sb_printf(&b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	sb_puts(&b, "<header>\n<h1>");
	esc(&b, L->title);
	sb_printf(&b, "</h1>\n<p class=\"meta\">%s: <strong>", H->patient);
	esc(&b, id);
	sb_printf(&b,
	    "</strong>. %s: %s.</p>\n<p class=\"meta\">%s: ", H->as_of,
	    pl->as_of_str, L->counts);
	sb_printf(&b, "<span class=\"badge%s\">",
	    rr->n_withheld == 0 ? "" : " pending");
	tmp.len = 0;
	render_review_counts(&tmp, rr);
	render_html_esc(&b, tmp.s ? tmp.s : "", tmp.len);
	sb_printf(&b, "</span>. %s: ", H->updated);
	esc(&b, kb->updated ? kb->updated : "unknown");
	sb_puts(&b, ".</p>\n</header>\n<main>\n");
	decision(&b, pl, aud);
	if (pl->n_steps > 0)
		schedule(&b, &tmp, pl, aud);
	findings(&b, &tmp, pl, aud);
	items(&b, &tmp, pl, aud, "before", L->before, L_SCHEDULE);
	if (pl->decision != LDN_DECISION_DO_NOT_START)
		items(&b, &tmp, pl, aud, "monitoring", L->monitoring,
		    L_MONITOR);
	sections(&b, pl, aud);
	withheld(&b, pl, aud, rr);
	numbers(&b, &tmp, pl, aud);
	if (rr->dispense != NULL)
		render_dispense_html(&b, &tmp, pl, rr->dispense);
	heading(&b, "kb", L->kb);
	sb_printf(&b, "<p>%s ", H->version);
	esc(&b, kb->version ? kb->version : "unknown");
	sb_printf(&b, ", %s %s. %s: ", H->fingerprint, kb->fingerprint,
	    H->updated);
	esc(&b, kb->updated ? kb->updated : "unknown");
	sb_printf(&b, ". %s: ", L->counts);
	tmp.len = 0;
	render_review_counts(&tmp, rr);
	render_html_esc(&b, tmp.s ? tmp.s : "", tmp.len);
	sb_puts(&b, ".</p>\n");
	if (aud == AUD_CLINICIAN && rr->n_withheld > 0) {
		sb_puts(&b, "<p class=\"pending\">");
		esc(&b, L->pending);
		sb_puts(&b, "</p>\n");
	}
	sb_printf(&b, "<p><a href=\"%s\">", RENDER_POLICY_PATH);
	esc(&b, L->policy);
	sb_puts(&b, "</a></p>\n</section>\n");
	heading(&b, "references", L->references);
	sb_puts(&b, "<ol class=\"refs\">\n");
	for (size_t i = 0; i < pl->n_refs; i++)
		reference(&b, &kb->refs[pl->ref_order[i]], i + 1);
	sb_puts(&b, "</ol>\n</section>\n</main>\n</body>\n</html>\n");
	return render_finish(&b, &tmp, out, len, err);
}
