/*
 * The pharmacist's dispensing sheet (lib/dispense.c computes it) in text,
 * json and html, inside the clinician's plan: the form and its sources,
 * per dated step the dose and what makes it, the quantity for the supply,
 * the fills each storage's beyond-use date needs, the warnings, what to
 * tell the patient, and the check boxes.  The words come from
 * kb/formulations.yaml; the headings here are interface words.  Those
 * words are not yet items of the editorial workflow, so the sheet says it
 * is pending review.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/date.h"
#include "../base/dose.h"
#include "../base/jsonw.h"
#include "../dispense.h"

static const char *const storage_words[] = { "room", "refrigerated",
	"room-dark" };
static const char *const storage_labels[] = { "At room temperature",
	"In the fridge", "At room temperature, away from light" };

static const char REVIEW_WORDS[] =
    "The words of this sheet are drafted by the engineering team from the "
    "sources cited and are pending clinical review (draft).";
static const char NO_SHEET[] =
    "No dispensing sheet: this plan says do not start LDN. The findings "
    "above say why; dispense nothing until a new plan allows a start.";
static const char INEXACT[] =
    "cannot be made exactly in this form: dispense the oral liquid for it "
    "(--formulation liquid); never round or split a dose";

static const char *
storage_label(const char *storage)
{
	for (size_t i = 0; i < sizeof(storage_words) / sizeof(*storage_words);
	     i++)
		if (strcmp(storage, storage_words[i]) == 0)
			return storage_labels[i];
	return storage;
}

/* A check box's words for this plan: those for an opioid kept under
 * opioid_co_use=relative when it keeps one and the check has them. */
static const char *
check_text(const struct fm_check *c, const struct ldn_plan *pl)
{
	return pl->co_use_cap_ug > 0 && c->co_use_text != NULL ? c->co_use_text
	                                                       : c->text;
}

/* ul as mL to 0.01 mL ("1.50"), or to 0.001 mL when finer. */
void
render_ml_string(int64_t ul, char buf[static 32])
{
	if (ul % 10 == 0)
		snprintf(buf, 32, "%lld.%02lld", (long long)(ul / 1000),
		    (long long)(ul % 1000 / 10));
	else
		snprintf(buf, 32, "%lld.%03lld", (long long)(ul / 1000),
		    (long long)(ul % 1000));
}

/* What one dose of step s is made of: "1.50 mL" or "1 x 1.5 mg + 1 x
 * 1 mg". */
static void
dose_make(struct strbuf *b, const struct dispense *d,
    const struct dispense_step *s)
{
	char buf[32];
	bool any = false;

	if (s->dose_ug == 0) {
		sb_puts(b, "none (held)");
		return;
	}
	if (!s->exact) {
		sb_puts(b, "cannot be made exactly");
		return;
	}
	if (d->form->kind == FK_LIQUID) {
		render_ml_string(s->volume_ul, buf);
		sb_printf(b, "%s mL", buf);
		return;
	}
	for (size_t k = d->form->n_strengths; k-- > 0;)
		if (s->count[k] > 0) {
			mg_string(d->form->strengths_ug[k], buf);
			sb_printf(b, "%s%d x %s mg", any ? " + " : "",
			    (int)s->count[k], buf);
			any = true;
		}
}

/* A quantity: "52.50 mL" or "21 x 1.5 mg, 7 x 1 mg" (capsules). */
static void
quantity(struct strbuf *b, const struct dispense *d, int64_t ul,
    const int64_t *caps)
{
	char buf[32];
	bool any = false;

	if (d->form->kind == FK_LIQUID) {
		render_ml_string(ul, buf);
		sb_printf(b, "%s mL", buf);
		return;
	}
	for (size_t k = d->form->n_strengths; k-- > 0;)
		if (caps[k] > 0) {
			mg_string(d->form->strengths_ug[k], buf);
			sb_printf(b, "%s%lld x %s mg capsules", any ? ", " : "",
			    (long long)caps[k], buf);
			any = true;
		}
	if (!any)
		sb_puts(b, "no capsules");
}

static void
form_title(struct strbuf *b, const struct dispense *d)
{
	char mg[16];

	sb_puts(b, d->form->label);
	if (d->form->kind == FK_LIQUID) {
		mg_string(d->conc_ug_per_ml, mg);
		sb_printf(b, ", %s mg/mL", mg);
	}
}

/* The ids of the plan's blocking findings, as "a, b". */
static void
blocking(struct strbuf *b, const struct ldn_plan *pl)
{
	bool any = false;

	for (size_t i = 0; i < pl->n_findings; i++)
		if (entry_specs[pl->findings[i].id].severity == SEV_BLOCK) {
			sb_printf(b, "%s%s", any ? ", " : "",
			    entry_specs[pl->findings[i].id].id);
			any = true;
		}
}

static size_t
n_inexact(const struct dispense *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_steps; i++)
		n += !d->steps[i].exact && d->steps[i].days > 0;
	return n;
}

/* Fill k in words, into tmp: when it is made, its last day of use, the
 * days of doses it holds and its quantity (text and html alike). */
static void
fill_words(struct strbuf *tmp, const struct dispense *d,
    const struct dispense_fill *f, size_t k)
{
	char date[11], end[11];

	date_format(f->made, date);
	date_format(f->last, end);
	tmp->len = 0;
	sb_printf(tmp,
	    "%s %zu: make on %s, last day of use %s, %d day%s of doses: ",
	    k ? "refill" : "fill", k + 1, date, end, (int)(f->to - f->from),
	    f->to - f->from == 1 ? "" : "s");
	if (n_inexact(d) > 0)
		sb_puts(tmp, "quantity not given");
	else
		quantity(tmp, d, f->volume_ul, f->capsules);
}

/* ------------------------------------------------------------------ view */

static void
number(struct ldn_plan *v, struct cites c)
{
	for (size_t i = 0; i < c.n; i++)
		if (v->ref_number[c.ref[i]] == 0) {
			v->ref_order[v->n_refs++] = c.ref[i];
			v->ref_number[c.ref[i]] = (uint16_t)v->n_refs;
		}
}

bool
render_dispense_view(const struct ldn_plan *pl, const struct dispense *d,
    struct ldn_plan *v, uint16_t **order, uint16_t **num)
{
	const struct ldn_kb *kb = pl->kb;
	size_t nr = kb->n_refs ? kb->n_refs : 1;
	const struct fm_form *f = d->form;

	*order = calloc(nr, sizeof(**order));
	*num = calloc(nr, sizeof(**num));
	if (*order == NULL || *num == NULL)
		return false;
	*v = *pl;
	memcpy(*order, pl->ref_order, pl->n_refs * sizeof(**order));
	memcpy(*num, pl->ref_number, kb->n_refs * sizeof(**num));
	v->ref_order = *order;
	v->ref_number = *num;
	if (!d->available)
		return true;
	number(v, f->cites);
	if (d->supply_default)
		number(v, kb->formulations->supply_cites);
	for (size_t i = 0; i < f->n_beyond_use; i++)
		number(v, f->beyond_use[i].cites);
	for (size_t i = 0; i < f->n_warnings; i++)
		number(v, f->warnings[i]->cites);
	return true;
}

/* ------------------------------------------------------------------ text */

static void
cite_text(struct strbuf *b, const struct ldn_plan *pl, struct cites c)
{
	if (c.n == 0)
		return;
	sb_puts(b, " [");
	render_cite_list(b, pl, c);
	sb_puts(b, "]");
}

static void
para(struct strbuf *b, struct strbuf *tmp, const char *prefix, const char *text,
    const struct ldn_plan *pl, struct cites c)
{
	tmp->len = 0;
	sb_puts(tmp, text);
	cite_text(tmp, pl, c);
	sb_puts(b, prefix);
	render_wrap(b, sb_cstr(tmp), render_width(prefix, strlen(prefix)), 4);
}

void
render_dispense_text(struct strbuf *b, struct strbuf *tmp,
    const struct ldn_plan *pl, const struct dispense *d)
{
	const struct fm_form *f = d->form;
	const struct formulation_kb *fk = pl->kb->formulations;
	struct dispense_fill fills[DISPENSE_MAX_FILLS];
	char date[11], end[11], mg[16];

	render_heading(b, "Dispensing sheet (pharmacist)");
	if (!d->available) {
		tmp->len = 0;
		sb_printf(tmp, "%s Blocking: ", NO_SHEET);
		blocking(tmp, pl);
		sb_puts(tmp, ".");
		sb_puts(b, "  ");
		render_wrap(b, sb_cstr(tmp), 2, 2);
		return;
	}
	tmp->len = 0;
	sb_puts(tmp, "Form: ");
	form_title(tmp, d);
	sb_printf(tmp, " (evidence: %s).", evidence_names[f->evidence]);
	cite_text(tmp, pl, f->cites);
	sb_puts(b, "  ");
	render_wrap(b, sb_cstr(tmp), 2, 4);
	para(b, tmp, "  ", f->pharmacist, pl, (struct cites){ NULL, 0 });
	date_format(d->first, date);
	date_format(d->end - 1, end);
	tmp->len = 0;
	sb_printf(tmp, "Supply: %d days, %s to %s", (int)d->supply_days, date,
	    end);
	if (d->supply_default) {
		sb_printf(tmp,
		    " (the titration to its highest dose and %d days more)",
		    (int)fk->supply_after_ceiling_d);
		cite_text(tmp, pl, fk->supply_cites);
	}
	sb_puts(tmp, ".");
	sb_puts(b, "  ");
	render_wrap(b, sb_cstr(tmp), 2, 4);

	render_heading(b, "Doses to dispense");
	sb_printf(b, "  %-10s  %4s  %-8s  %s\n", "from", "days", "dose",
	    f->kind == FK_LIQUID ? "one dose; all its days" : "one dose");
	for (size_t i = 0; i < d->n_steps; i++) {
		const struct dispense_step *s = &d->steps[i];

		date_format(s->date, date);
		mg_string(s->dose_ug, mg);
		tmp->len = 0;
		dose_make(tmp, d, s);
		if (s->exact && s->dose_ug > 0 && s->days > 0 &&
		    f->kind == FK_LIQUID) {
			char ml[32];

			render_ml_string(s->total_ul, ml);
			sb_printf(tmp, "; %s mL", ml);
		}
		sb_printf(b, "  %-10s  %4d  %-8s  %s%s\n", date, (int)s->days,
		    s->dose_ug ? strcat(mg, " mg") : "held", sb_cstr(tmp),
		    s->days == 0 ? " (after this supply)" : "");
		if (!s->exact && s->days > 0) {
			sb_puts(b, "    ");
			render_wrap(b, INEXACT, 4, 4);
		}
	}
	tmp->len = 0;
	sb_puts(tmp, "Total for the supply: ");
	if (n_inexact(d) > 0)
		sb_printf(tmp,
		    "not given: %zu step(s) cannot be made in this form.",
		    n_inexact(d));
	else {
		quantity(tmp, d, d->total_ul, d->total_capsules);
		sb_puts(tmp, ".");
	}
	sb_puts(b, "  ");
	render_wrap(b, sb_cstr(tmp), 2, 4);

	render_heading(b, "Beyond-use dates and fills");
	sb_puts(b, "  ");
	render_wrap(b,
	    "Counted from the day a fill is made and dispensed as day 1; the "
	    "date given is the last day of use.",
	    2, 2);
	for (size_t i = 0; i < f->n_beyond_use; i++) {
		const struct fm_storage *st = &f->beyond_use[i];
		size_t n = dispense_fills(d, st, fills, DISPENSE_MAX_FILLS);

		tmp->len = 0;
		sb_printf(tmp, "%s: %d days", storage_label(st->storage),
		    (int)st->days);
		cite_text(tmp, pl, st->cites);
		sb_printf(tmp,
		    n > 1 ? "; %zu fills (refills marked):"
		          : "; one fill covers the supply:",
		    n);
		sb_puts(b, "  ");
		render_wrap(b, sb_cstr(tmp), 2, 4);
		for (size_t k = 0; k < n; k++) {
			fill_words(tmp, d, &fills[k], k);
			sb_puts(b, "    - ");
			render_wrap(b, sb_cstr(tmp), 6, 8);
		}
	}

	render_heading(b, "Warnings");
	for (size_t i = 0; i < f->n_warnings; i++)
		para(b, tmp, "  - ", f->warnings[i]->pharmacist, pl,
		    f->warnings[i]->cites);

	render_heading(b, "Tell the patient");
	para(b, tmp, "  - ", f->patient, pl, (struct cites){ NULL, 0 });
	for (size_t i = 0; i < f->n_warnings; i++)
		if (f->warnings[i]->patient)
			para(b, tmp, "  - ", f->warnings[i]->patient, pl,
			    (struct cites){ NULL, 0 });

	render_heading(b, "Checks");
	for (int w = 0; w < FW_COUNT; w++) {
		sb_printf(b, "  %c%s:\n", fm_who_names[w][0] - 'a' + 'A',
		    fm_who_names[w] + 1);
		for (size_t i = 0; i < fk->n_checks; i++)
			if (fk->checks[i].who == (enum fm_who)w)
				para(b, tmp, "    [ ] ",
				    check_text(&fk->checks[i], pl), pl,
				    (struct cites){ NULL, 0 });
	}
	sb_puts(b, "  ");
	render_wrap(b, REVIEW_WORDS, 2, 2);
}

/* ------------------------------------------------------------------ json */

static void
date_json(struct jw *w, const char *key, int32_t day)
{
	char buf[11];

	date_format(day, buf);
	jw_kstr(w, key, buf);
}

static void
ml_json(struct jw *w, const char *key, int64_t ul)
{
	char buf[32];

	render_ml_string(ul, buf);
	jw_key(w, key);
	jw_raw(w, buf, strlen(buf));
}

static void
capsules_json(struct jw *w, const struct dispense *d, const char *key,
    const int32_t *count32, const int64_t *count64)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t k = d->form->n_strengths; k-- > 0;) {
		long long n = count32 ? count32[k] : count64[k];

		if (n == 0)
			continue;
		jw_obj(w);
		jw_key(w, "strength_mg");
		jw_mg(w, d->form->strengths_ug[k]);
		jw_kint(w, "count", n);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

void
render_dispense_json(struct jw *w, const struct ldn_plan *pl,
    const struct dispense *d)
{
	const struct fm_form *f = d->form;
	const struct formulation_kb *fk = pl->kb->formulations;
	struct dispense_fill fills[DISPENSE_MAX_FILLS];
	bool exact = n_inexact(d) == 0;

	jw_key(w, "dispensing");
	jw_obj(w);
	jw_key(w, "available");
	jw_bool(w, d->available);
	if (!d->available) {
		jw_kstr(w, "why", NO_SHEET);
		jw_key(w, "blocking");
		jw_arr(w);
		for (size_t i = 0; i < pl->n_findings; i++)
			if (entry_specs[pl->findings[i].id].severity ==
			    SEV_BLOCK)
				jw_str(w, entry_specs[pl->findings[i].id].id);
		jw_end_arr(w);
		jw_end_obj(w);
		return;
	}
	jw_kstr(w, "form", f->id);
	jw_kstr(w, "kind", fm_kind_names[f->kind]);
	jw_kstr(w, "label", f->label);
	jw_kstr(w, "evidence", evidence_names[f->evidence]);
	render_json_cites(w, pl, f->cites);
	if (f->kind == FK_LIQUID) {
		jw_key(w, "concentration_mg_per_ml");
		jw_mg(w, d->conc_ug_per_ml);
		jw_kint(w, "measure_ul", f->measure_ul);
	} else
		jw_kint(w, "max_capsules_per_dose", f->max_per_dose);
	jw_kstr(w, "pharmacist", f->pharmacist);
	jw_kstr(w, "patient", f->patient);
	jw_key(w, "supply");
	jw_obj(w);
	jw_kint(w, "days", d->supply_days);
	jw_key(w, "default");
	jw_bool(w, d->supply_default);
	date_json(w, "first_dose", d->first);
	date_json(w, "last_dose", d->end - 1);
	if (d->supply_default)
		render_json_cites(w, pl, fk->supply_cites);
	jw_end_obj(w);
	jw_key(w, "exact");
	jw_bool(w, exact);
	jw_key(w, "steps");
	jw_arr(w);
	for (size_t i = 0; i < d->n_steps; i++) {
		const struct dispense_step *s = &d->steps[i];

		jw_obj(w);
		date_json(w, "date", s->date);
		jw_kint(w, "days", s->days);
		jw_kstr(w, "kind", step_kind_names[s->kind]);
		jw_key(w, "dose_mg");
		jw_mg(w, s->dose_ug);
		jw_key(w, "exact");
		jw_bool(w, s->exact);
		if (s->exact && s->dose_ug > 0 && f->kind == FK_LIQUID) {
			jw_kint(w, "volume_ul", s->volume_ul);
			ml_json(w, "volume_ml", s->volume_ul);
			ml_json(w, "step_volume_ml", s->total_ul);
		} else if (s->exact && s->dose_ug > 0) {
			capsules_json(w, d, "capsules", s->count, NULL);
			jw_kint(w, "capsules_per_dose", s->n_capsules);
		}
		jw_end_obj(w);
	}
	jw_end_arr(w);
	if (exact) {
		jw_key(w, "total");
		jw_obj(w);
		if (f->kind == FK_LIQUID)
			ml_json(w, "volume_ml", d->total_ul);
		else
			capsules_json(w, d, "capsules", NULL,
			    d->total_capsules);
		jw_end_obj(w);
	} else
		jw_kstr(w, "inexact", INEXACT);
	jw_key(w, "beyond_use");
	jw_arr(w);
	for (size_t i = 0; i < f->n_beyond_use; i++) {
		const struct fm_storage *st = &f->beyond_use[i];
		size_t n = dispense_fills(d, st, fills, DISPENSE_MAX_FILLS);

		jw_obj(w);
		jw_kstr(w, "storage", st->storage);
		jw_kint(w, "days", st->days);
		render_json_cites(w, pl, st->cites);
		jw_key(w, "fills");
		jw_arr(w);
		for (size_t k = 0; k < n; k++) {
			jw_obj(w);
			jw_key(w, "refill");
			jw_bool(w, k > 0);
			date_json(w, "made", fills[k].made);
			date_json(w, "last_day_of_use", fills[k].last);
			jw_kint(w, "dose_days", fills[k].to - fills[k].from);
			if (exact && f->kind == FK_LIQUID)
				ml_json(w, "volume_ml", fills[k].volume_ul);
			else if (exact)
				capsules_json(w, d, "capsules", NULL,
				    fills[k].capsules);
			jw_end_obj(w);
		}
		jw_end_arr(w);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_key(w, "warnings");
	jw_arr(w);
	for (size_t i = 0; i < f->n_warnings; i++) {
		const struct fm_warning *x = f->warnings[i];

		jw_obj(w);
		jw_kstr(w, "id", x->id);
		jw_kstr(w, "evidence", evidence_names[x->evidence]);
		render_json_cites(w, pl, x->cites);
		jw_kstr(w, "pharmacist", x->pharmacist);
		render_opt(w, "patient", x->patient);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_key(w, "checks");
	jw_arr(w);
	for (size_t i = 0; i < fk->n_checks; i++) {
		jw_obj(w);
		jw_kstr(w, "who", fm_who_names[fk->checks[i].who]);
		jw_kstr(w, "text", check_text(&fk->checks[i], pl));
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_kstr(w, "review", "draft");
	jw_end_obj(w);
}

/* ------------------------------------------------------------------ html */

static void
esc(struct strbuf *b, const char *s)
{
	render_html_esc(b, s, strlen(s));
}

/* tmp's text, escaped, in an element */
static void
tmp_html(struct strbuf *b, struct strbuf *tmp)
{
	esc(b, sb_cstr(tmp));
}

void
render_dispense_html(struct strbuf *b, struct strbuf *tmp,
    const struct ldn_plan *pl, const struct dispense *d)
{
	const struct fm_form *f = d->form;
	const struct formulation_kb *fk = pl->kb->formulations;
	struct dispense_fill fills[DISPENSE_MAX_FILLS];
	char date[11], end[11], mg[16];

	sb_puts(b,
	    "<section id=\"dispensing\">\n<h2>Dispensing sheet "
	    "(pharmacist)</h2>\n");
	if (!d->available) {
		tmp->len = 0;
		sb_printf(tmp, "%s Blocking: ", NO_SHEET);
		blocking(tmp, pl);
		sb_puts(tmp, ".");
		sb_puts(b, "<p>");
		tmp_html(b, tmp);
		sb_puts(b, "</p>\n</section>\n");
		return;
	}
	tmp->len = 0;
	form_title(tmp, d);
	sb_puts(b, "<p><strong>");
	tmp_html(b, tmp);
	sb_printf(b, "</strong> <span class=\"badge ev\">%s</span>",
	    evidence_names[f->evidence]);
	render_html_cites(b, pl, f->cites);
	sb_puts(b, "</p>\n<p>");
	esc(b, f->pharmacist);
	date_format(d->first, date);
	date_format(d->end - 1, end);
	sb_printf(b, "</p>\n<p>Supply: %d days, %s to %s", (int)d->supply_days,
	    date, end);
	if (d->supply_default) {
		sb_printf(b,
		    " (the titration to its highest dose and %d days more)",
		    (int)fk->supply_after_ceiling_d);
		render_html_cites(b, pl, fk->supply_cites);
	}
	sb_puts(b,
	    ".</p>\n<table>\n<thead><tr><th scope=\"col\">From</th>"
	    "<th scope=\"col\">Days</th><th scope=\"col\">Dose</th>"
	    "<th scope=\"col\">One dose</th>");
	if (f->kind == FK_LIQUID)
		sb_puts(b, "<th scope=\"col\">All its days</th>");
	sb_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < d->n_steps; i++) {
		const struct dispense_step *s = &d->steps[i];

		date_format(s->date, date);
		mg_string(s->dose_ug, mg);
		sb_printf(b, "<tr><td>%s</td><td>%d</td><td>%s%s</td><td>",
		    date, (int)s->days, s->dose_ug ? mg : "held",
		    s->dose_ug ? " mg" : "");
		tmp->len = 0;
		dose_make(tmp, d, s);
		if (!s->exact && s->dose_ug > 0) {
			sb_puts(tmp, ": ");
			sb_puts(tmp, INEXACT);
		}
		tmp_html(b, tmp);
		sb_puts(b, "</td>");
		if (f->kind == FK_LIQUID) {
			char ml[32];

			render_ml_string(s->total_ul, ml);
			sb_printf(b, "<td>%s</td>",
			    s->exact && s->dose_ug && s->days
			        ? strcat(ml, " mL")
			        : "");
		}
		sb_puts(b, "</tr>\n");
	}
	sb_puts(b, "</tbody>\n</table>\n<p>Total for the supply: ");
	tmp->len = 0;
	if (n_inexact(d) > 0)
		sb_printf(tmp,
		    "not given: %zu step(s) cannot be made in "
		    "this form",
		    n_inexact(d));
	else
		quantity(tmp, d, d->total_ul, d->total_capsules);
	tmp_html(b, tmp);
	sb_puts(b,
	    ".</p>\n<h3>Beyond-use dates and fills</h3>\n<p>Counted "
	    "from the day a fill is made and dispensed as day 1; the "
	    "date given is the last day of use.</p>\n<ul>\n");
	for (size_t i = 0; i < f->n_beyond_use; i++) {
		const struct fm_storage *st = &f->beyond_use[i];
		size_t n = dispense_fills(d, st, fills, DISPENSE_MAX_FILLS);

		sb_puts(b, "<li>");
		esc(b, storage_label(st->storage));
		sb_printf(b, ": %d days", (int)st->days);
		render_html_cites(b, pl, st->cites);
		sb_puts(b, "<ul>\n");
		for (size_t k = 0; k < n; k++) {
			fill_words(tmp, d, &fills[k], k);
			sb_puts(b, "<li>");
			tmp_html(b, tmp);
			sb_puts(b, "</li>\n");
		}
		sb_puts(b, "</ul></li>\n");
	}
	sb_puts(b, "</ul>\n<h3>Warnings</h3>\n<ul>\n");
	for (size_t i = 0; i < f->n_warnings; i++) {
		sb_puts(b, "<li>");
		esc(b, f->warnings[i]->pharmacist);
		render_html_cites(b, pl, f->warnings[i]->cites);
		sb_puts(b, "</li>\n");
	}
	sb_puts(b, "</ul>\n<h3>Tell the patient</h3>\n<ul>\n<li>");
	esc(b, f->patient);
	sb_puts(b, "</li>\n");
	for (size_t i = 0; i < f->n_warnings; i++)
		if (f->warnings[i]->patient) {
			sb_puts(b, "<li>");
			esc(b, f->warnings[i]->patient);
			sb_puts(b, "</li>\n");
		}
	sb_puts(b, "</ul>\n<h3>Checks</h3>\n");
	for (int w = 0; w < FW_COUNT; w++) {
		sb_printf(b, "<p>%c%s:</p>\n<ul class=\"checks\">\n",
		    fm_who_names[w][0] - 'a' + 'A', fm_who_names[w] + 1);
		for (size_t i = 0; i < fk->n_checks; i++)
			if (fk->checks[i].who == (enum fm_who)w) {
				sb_puts(b, "<li>&#9744; ");
				esc(b, check_text(&fk->checks[i], pl));
				sb_puts(b, "</li>\n");
			}
		sb_puts(b, "</ul>\n");
	}
	sb_puts(b, "<p class=\"pending\">");
	esc(b, REVIEW_WORDS);
	sb_puts(b, "</p>\n</section>\n");
}
