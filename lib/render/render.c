/*
 * ldn_plan_render(): the one door to the renderers, choosing a form and an
 * audience.  It sits above them; the helpers they share are in common.c.
 * Here the patient's version of a plan is made: without the statements
 * not approved by a clinical reviewer (docs/editorial-policy.md), and with
 * only the references that what is left cites, numbered again in the
 * order a reader meets them.
 */
#include "render.h"

#include <stdlib.h>

#include "ldn/plan.h"

#include "../base/error_impl.h"
#include "../dispense.h"

/* The arrays a patient's view of a plan owns. */
struct view_mem {
	const struct kb_statement **statements;
	struct review_mark *marks;
	uint16_t *ref_order, *ref_number;
};

static void
view_free(struct view_mem *m)
{
	free(m->statements);
	free(m->marks);
	free(m->ref_order);
	free(m->ref_number);
}

static void
number(struct ldn_plan *v, struct cites c)
{
	for (size_t i = 0; i < c.n; i++)
		if (v->ref_number[c.ref[i]] == 0) {
			v->ref_order[v->n_refs++] = c.ref[i];
			v->ref_number[c.ref[i]] = (uint16_t)v->n_refs;
		}
}

/*
 * *v: pl as a patient sees it, a shallow copy whose statements are the
 * approved ones and whose references are those still cited, in the order
 * compose() numbers them (findings, before-first-dose and monitoring, the
 * schedule's words, statements, numbers), as the renderers cite them, then
 * the preset's own, which the JSON's preset cites.  False when out of
 * memory.
 */
static bool
patient_view(const struct ldn_plan *pl, struct ldn_plan *v, struct view_mem *m)
{
	const struct ldn_kb *kb = pl->kb;
	size_t nr = kb->n_refs ? kb->n_refs : 1;
	size_t ns = pl->n_statements ? pl->n_statements : 1;

	m->statements = calloc(ns, sizeof(*m->statements));
	m->marks = calloc(ns, sizeof(*m->marks));
	m->ref_order = calloc(nr, sizeof(*m->ref_order));
	m->ref_number = calloc(nr, sizeof(*m->ref_number));
	if (!m->statements || !m->marks || !m->ref_order || !m->ref_number)
		return false;
	*v = *pl;
	v->statements = m->statements;
	v->statement_review = m->marks;
	v->ref_order = m->ref_order;
	v->ref_number = m->ref_number;
	v->n_statements = 0;
	v->n_refs = 0;
	for (size_t i = 0; i < pl->n_statements; i++)
		if (pl->statement_review[i].state == RV_APPROVED) {
			m->marks[v->n_statements] = pl->statement_review[i];
			m->statements[v->n_statements++] = pl->statements[i];
		}
	for (size_t i = 0; i < pl->n_findings; i++)
		number(v, finding_cites(kb, &pl->findings[i]));
	for (size_t i = 0; i < pl->n_items; i++)
		number(v, kb->entries[pl->items[i].id].cites);
	/* each step's words as the schedule shows them, then the ceiling's */
	for (size_t i = 0; i < pl->n_steps; i++) {
		const char *vars[V_COUNT] = { 0 };
		char date[11], dose[24];

		number(v,
		    kb->entries[render_step_vars(pl, i, date, dose, vars)]
		        .cites);
	}
	if (pl->n_steps > 0)
		number(v, kb->entries[E_SCHEDULE_CEILING].cites);
	for (size_t i = 0; i < v->n_statements; i++)
		number(v, v->statements[i]->cites);
	/* the numbers as parameters and the numbers table cite them: a
	 * number the preset or plan sets cites the preset's sources */
	for (size_t i = 0; i < kb->n_numbers; i++) {
		int32_t value;

		number(v,
		    render_number(pl, &kb->numbers[i], &value) == NS_KB
		        ? kb->numbers[i].cites
		        : pl->preset->statement.cites);
	}
	number(v, pl->preset->statement.cites);
	return true;
}

/* plan for audience in format; d: the pharmacist's dispensing sheet, or
 * NULL. */
static enum ldn_status
render_for(const struct ldn_plan *plan, enum ldn_format format,
    enum ldn_audience audience, const struct dispense *d, char **out,
    size_t *len, struct ldn_error *err)
{
	enum audience aud =
	    audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT : AUD_CLINICIAN;
	struct render_review rr = { .n_withheld = 0, .dispense = d };
	struct view_mem mem = { NULL, NULL, NULL, NULL };
	struct ldn_plan view;
	const struct ldn_plan *pl = plan;
	enum ldn_status rc;

	for (size_t i = 0; plan->statement_review && i < plan->n_statements;
	     i++) {
		enum review_state s = plan->statement_review[i].state;

		rr.counts[s]++;
		rr.n_withheld += s != RV_APPROVED;
	}
	if (aud == AUD_PATIENT && rr.n_withheld > 0) {
		if (!patient_view(plan, &view, &mem)) {
			view_free(&mem);
			return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
		}
		pl = &view;
	}
	if (d != NULL) {
		/* the clinician's plan, its references and the sheet's */
		if (!render_dispense_view(plan, d, &view, &mem.ref_order,
		        &mem.ref_number)) {
			view_free(&mem);
			return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
		}
		pl = &view;
	}
	switch (format) {
	case LDN_FORMAT_JSON:
	case LDN_FORMAT_JSON_COMPACT:
		rc = render_json(pl, aud, &rr,
		    format == LDN_FORMAT_JSON_COMPACT, out, len, err);
		break;
	case LDN_FORMAT_TEXT:
		rc = render_text(pl, aud, &rr, out, len, err);
		break;
	case LDN_FORMAT_FHIR:
		rc = render_fhir(pl, aud, out, len, err);
		break;
	case LDN_FORMAT_HTML:
		rc = render_html(pl, aud, &rr, out, len, err);
		break;
	case LDN_FORMAT_ICS:
		rc = render_ics(pl, aud, out, len, err);
		break;
	default:
		rc =
		    ldn_fail(err, LDN_E_BUG, "format", "unknown output format");
	}
	view_free(&mem);
	return rc;
}

enum ldn_status
ldn_plan_render(const struct ldn_plan *plan, enum ldn_format format,
    enum ldn_audience audience, char **out, size_t *len, struct ldn_error *err)
{
	return ldn_plan_render_with(plan, format, audience, NULL, 0, out, len,
	    err);
}

enum ldn_status
ldn_plan_render_with(const struct ldn_plan *plan, enum ldn_format format,
    enum ldn_audience audience, const char *formulation, int32_t supply_days,
    char **out, size_t *len, struct ldn_error *err)
{
	bool sheet = audience == LDN_AUDIENCE_PHARMACIST &&
	    (format == LDN_FORMAT_TEXT || format == LDN_FORMAT_JSON ||
	        format == LDN_FORMAT_JSON_COMPACT || format == LDN_FORMAT_HTML);
	struct dispense_opts o;
	struct dispense d;
	enum ldn_status rc;

	if ((formulation != NULL || supply_days != 0) && !sheet)
		return ldn_fail(err, LDN_E_SCHEMA,
		    formulation ? "formulation" : "supply_days", "%s",
		    audience == LDN_AUDIENCE_PHARMACIST
		        ? "a dispensing sheet is text, json or html"
		        : "is for the pharmacist's dispensing sheet "
		          "(audience pharmacist)");
	if (!sheet)
		return render_for(plan, format, audience, NULL, out, len, err);
	rc = dispense_parse(plan->kb, formulation, supply_days, &o, err);
	if (rc != LDN_OK)
		return rc;
	if (!dispense_compute(plan, &o, &d)) {
		dispense_fini(&d);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	rc = render_for(plan, format, audience, &d, out, len, err);
	dispense_fini(&d);
	return rc;
}
