/*
 * The knowledge base itself as JSON, for the API: its version and review
 * state, every reference, every number with its range and sources, and
 * every statement in one audience's words, citing references by id, the
 * titration presets, and the dosage forms a pharmacist may dispense.
 */
#include "render.h"

#include <stdlib.h>

#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../kb/formulation_kb.h"

static void cite_ids(struct jw *w, const struct ldn_kb *kb, struct cites c);

/*
 * The dosage forms of kb/formulations.yaml (the web page's formulation
 * picker): each form's id (what ?formulation= takes), kind, label,
 * evidence, whether it is the default, its sources by reference id, and a
 * liquid's concentrations (the first its default; another is
 * ID:MG_PER_ML) and measure, or the capsules' stocked strengths and the
 * most a dose may take.
 */
static void
formulations(struct jw *w, const struct ldn_kb *kb)
{
	const struct formulation_kb *fk = kb->formulations;

	jw_key(w, "formulations");
	jw_arr(w);
	for (size_t i = 0; fk != NULL && i < fk->n_forms; i++) {
		const struct fm_form *f = &fk->forms[i];
		bool liquid = f->kind == FK_LIQUID;

		jw_obj(w);
		jw_kstr(w, "id", f->id);
		jw_kstr(w, "kind", fm_kind_names[f->kind]);
		jw_kstr(w, "label", f->label);
		jw_kstr(w, "evidence", evidence_names[f->evidence]);
		jw_key(w, "default");
		jw_bool(w, f == fk->default_form);
		cite_ids(w, kb, f->cites);
		jw_key(w, liquid ? "concentrations_mg_per_ml" : "strengths_mg");
		jw_arr(w);
		for (size_t k = 0; k < (liquid ? f->n_conc : f->n_strengths);
		     k++)
			jw_mg(w,
			    liquid ? f->conc_ug_per_ml[k] : f->strengths_ug[k]);
		jw_end_arr(w);
		if (liquid)
			jw_kint(w, "measure_ul", f->measure_ul);
		else
			jw_kint(w, "max_capsules_per_dose", f->max_per_dose);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void
cite_ids(struct jw *w, const struct ldn_kb *kb, struct cites c)
{
	jw_key(w, "cites");
	jw_arr(w);
	for (size_t i = 0; i < c.n; i++)
		jw_str(w, kb->refs[c.ref[i]].id);
	jw_end_arr(w);
}

static void
number(struct jw *w, const struct kb_number *nb, int32_t v)
{
	if (nb->unit == U_UG || nb->unit == U_UG_PER_KG)
		jw_mg(w, v);
	else
		jw_int(w, v);
}

/* An item's review state and since when (null: never acted on). */
static void
review_members(struct jw *w, const struct ldn_review *review, uint32_t item)
{
	struct review_mark m = review_mark(review, item);

	jw_kstr(w, "review", review_names[m.state]);
	jw_key(w, "review_since");
	jw_str(w, m.since[0] ? m.since : NULL);
}

enum ldn_status
ldn_kb_render_json(const struct ldn_kb *kb, const struct ldn_review *review,
    enum ldn_audience audience, char **out, size_t *len, struct ldn_error *err)
{
	enum audience aud =
	    audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT : AUD_CLINICIAN;
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	struct jw w;

	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "version", kb->version);
	jw_kstr(&w, "updated", kb->updated);
	jw_kstr(&w, "fingerprint", kb->fingerprint);
	/* The release's review is the sum of its items' states. */
	size_t counts[RV_COUNT] = { 0 }, withheld = 0;

	for (size_t i = 0; i < kb->n_items; i++)
		counts[review_mark(review, (uint32_t)i).state]++;
	jw_key(&w, "items_by_review");
	jw_obj(&w);
	for (int s = 0; s < RV_COUNT; s++)
		jw_kint(&w, review_names[s], (long long)counts[s]);
	jw_end_obj(&w);
	jw_kstr(&w, "audience", audience_names[aud]);
	jw_kstr(&w, "editorial_policy", RENDER_POLICY_PATH);
	jw_key(&w, "references");
	jw_arr(&w);
	for (size_t i = 0; i < kb->n_refs; i++) {
		jw_obj(&w);
		render_reference_json(&w, &kb->refs[i]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "numbers");
	jw_arr(&w);
	for (size_t i = 0; i < kb->n_numbers; i++) {
		const struct kb_number *nb = &kb->numbers[i];

		jw_obj(&w);
		jw_kstr(&w, "id", nb->id);
		jw_key(&w, "value");
		number(&w, nb, nb->value);
		if (nb->has_range) {
			jw_key(&w, "range");
			jw_arr(&w);
			number(&w, nb, nb->lo);
			number(&w, nb, nb->hi);
			jw_end_arr(&w);
		}
		jw_kstr(&w, "unit", render_unit_json[nb->unit]);
		cite_ids(&w, kb, nb->cites);
		jw_kstr(&w, "why", nb->why);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "statements");
	jw_arr(&w);
	for (size_t i = 0; i < kb->n_statements; i++) {
		const struct kb_statement *st = &kb->statements[i];
		enum review_state rs = review_mark(review, st->item).state;

		/* as in plans: retired for nobody, approved only for a
		 * patient */
		if (rs == RV_RETIRED ||
		    (aud == AUD_PATIENT && rs != RV_APPROVED)) {
			withheld += rs != RV_RETIRED;
			continue;
		}
		jw_obj(&w);
		jw_kstr(&w, "id", st->id);
		jw_kstr(&w, "section", section_ids[st->section]);
		jw_kstr(&w, "evidence", evidence_names[st->evidence]);
		review_members(&w, review, st->item);
		cite_ids(&w, kb, st->cites);
		jw_key(&w, "text");
		jw_raw(&w, st->json[aud], st->json_len[aud]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	if (aud == AUD_PATIENT)
		jw_kint(&w, "statements_withheld", (long long)withheld);
	jw_key(&w, "presets");
	jw_arr(&w);
	for (size_t i = 0; i < kb->n_presets; i++) {
		const struct kb_preset *pr = &kb->presets[i];

		jw_obj(&w);
		jw_kstr(&w, "id", pr->id);
		jw_kstr(&w, "name", pr->label);
		jw_key(&w, "default");
		jw_bool(&w, pr->is_default);
		jw_key(&w, "beyond_seed");
		jw_bool(&w, pr->beyond_seed);
		if (pr->child_only)
			jw_kstr(&w, "population", "child");
		jw_key(&w, "start_mg");
		jw_mg(&w, pr->start_ug);
		if (pr->start_ug_per_kg > 0) {
			jw_key(&w, "start_mg_per_kg");
			jw_mg(&w, pr->start_ug_per_kg);
		}
		jw_key(&w, "step_mg");
		jw_mg(&w, pr->step_ug);
		jw_kint(&w, "interval_days", pr->interval_d);
		jw_key(&w, "ceiling_mg");
		jw_mg(&w, pr->ceiling_ug);
		jw_kstr(&w, "evidence", evidence_names[pr->statement.evidence]);
		review_members(&w, review, pr->statement.item);
		cite_ids(&w, kb, pr->statement.cites);
		/* Its numbers stand; its words (the reason too, which the
		 * version holds) wait for approval before a patient reads
		 * them, and once retired nobody does. */
		enum review_state prs =
		    review_mark(review, pr->statement.item).state;
		bool shown = prs != RV_RETIRED &&
		    (aud != AUD_PATIENT || prs == RV_APPROVED);

		jw_key(&w, "why");
		jw_str(&w, shown ? pr->why : NULL);
		jw_key(&w, "text");
		if (!shown)
			jw_null(&w);
		else
			jw_raw(&w, pr->statement.json[aud],
			    pr->statement.json_len[aud]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	formulations(&w, kb);
	jw_end_obj(&w);
	sb_puts(&b, "\n");
	return render_finish(&b, &tmp, out, len, err);
}
