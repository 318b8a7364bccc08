/*
 * The plan as JSON (README "Plan JSON"), written in one pass with the
 * streaming writer.  Keys come in a fixed order, so the same plan gives the
 * same bytes.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../kb/ask_kb.h"

void
render_json_cites(struct jw *w, const struct ldn_plan *pl, struct cites c)
{
	jw_key(w, "citations");
	jw_arr(w);
	for (size_t i = 0; i < c.n; i++)
		jw_int(w, pl->ref_number[c.ref[i]]);
	jw_end_arr(w);
}

static void
date_member(struct jw *w, const char *key, int32_t day)
{
	char b[11];

	jw_key(w, key);
	if (day == DATE_NONE) {
		jw_null(w);
		return;
	}
	date_format(day, b);
	jw_str(w, b);
}

static void
schedule(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	jw_key(w, "schedule");
	jw_arr(w);
	for (size_t i = 0; i < pl->n_steps; i++) {
		const struct step *s = &pl->steps[i];
		const char *vars[V_COUNT] = { 0 };
		char d[11], dose[24];
		enum entry_id e = render_step_vars(pl, i, d, dose, vars);

		jw_obj(w);
		jw_kstr(w, "date", d);
		jw_kint(w, "day", s->date - pl->steps[0].date + 1);
		jw_key(w, "dose_mg");
		jw_mg(w, s->dose_ug);
		jw_kstr(w, "timing",
		    s->dose_ug == 0   ? "none"
		        : pl->morning ? "morning"
		                      : "bedtime");
		jw_kstr(w, "kind", step_kind_names[s->kind]);
		jw_key(w, "text");
		render_text_json(w, pl, tmp, &pl->kb->entries[e].text[aud],
		    vars);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void
findings(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	jw_key(w, "findings");
	jw_arr(w);
	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];
		const struct kb_entry *e = &pl->kb->entries[f->id];

		jw_obj(w);
		jw_kstr(w, "id", e->id);
		jw_kstr(w, "severity",
		    severity_names[entry_specs[f->id].severity]);
		jw_key(w, "summary");
		render_text_json(w, pl, tmp, &e->text[aud], f->vars);
		if (f->lift != DATE_NONE)
			date_member(w, "lifts", f->lift);
		jw_kstr(w, "evidence", evidence_names[e->evidence]);
		render_json_cites(w, pl, finding_cites(pl->kb, f));
		jw_key(w, "sources");
		jw_arr(w);
		for (size_t k = 0; k < f->n_src; k++)
			jw_str(w, f->src[k]);
		jw_end_arr(w);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void
items(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp, const char *key, enum entry_list list)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < pl->n_items; i++) {
		const struct item *it = &pl->items[i];
		const struct kb_entry *e = &pl->kb->entries[it->id];

		if ((entry_specs[it->id].list == L_MONITOR) !=
		    (list == L_MONITOR))
			continue;
		jw_obj(w);
		jw_kstr(w, "id", e->id);
		if (it->date != DATE_NONE)
			date_member(w, "date", it->date);
		jw_key(w, "text");
		render_text_json(w, pl, tmp, &e->text[aud], it->vars);
		render_json_cites(w, pl, e->cites);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void
sections(struct jw *w, const struct ldn_plan *pl, enum audience aud)
{
	size_t i = 0;

	/* pl->statements are ordered by section. */
	jw_key(w, "sections");
	jw_arr(w);
	while (i < pl->n_statements) {
		enum section s = pl->statements[i]->section;

		jw_obj(w);
		jw_kstr(w, "id", section_ids[s]);
		jw_kstr(w, "title", render_labels[aud].section[s]);
		jw_key(w, "statements");
		jw_arr(w);
		for (; i < pl->n_statements && pl->statements[i]->section == s;
		     i++) {
			const struct kb_statement *st = pl->statements[i];

			jw_obj(w);
			jw_kstr(w, "id", st->id);
			jw_key(w, "text");
			jw_raw(w, st->json[aud], st->json_len[aud]);
			jw_kstr(w, "evidence", evidence_names[st->evidence]);
			jw_kstr(w, "review",
			    review_names[pl->statement_review[i].state]);
			jw_key(w, "review_since");
			jw_str(w,
			    pl->statement_review[i].since[0]
			        ? pl->statement_review[i].since
			        : NULL);
			render_json_cites(w, pl, st->cites);
			/* where its sources part ways: not for a patient */
			if (aud != AUD_PATIENT && st->n_sides > 0) {
				jw_key(w, "disagreement");
				jw_arr(w);
				for (size_t k = 0; k < st->n_sides; k++) {
					jw_obj(w);
					jw_kstr(w, "position",
					    st->sides[k].position);
					render_json_cites(w, pl,
					    st->sides[k].cites);
					jw_end_obj(w);
				}
				jw_end_arr(w);
			}
			jw_end_obj(w);
		}
		jw_end_arr(w);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

/* What the patient's version leaves out until approved: for a
 * clinician, the ids; for a patient, the words saying so (kb/ask.yaml
 * words.withheld), or null when nothing is left out. */
static void
withheld(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr)
{
	const struct ask_kb *ak = pl->kb->ask;

	if (aud == AUD_PATIENT) {
		jw_key(w, "withheld_notice");
		jw_str(w,
		    rr->n_withheld > 0 && ak ? ak->withheld[AUD_PATIENT]
		                             : NULL);
		return;
	}
	jw_key(w, "withheld_from_patient");
	jw_arr(w);
	for (size_t i = 0; i < pl->n_statements; i++)
		if (pl->statement_review[i].state != RV_APPROVED)
			jw_str(w, pl->statements[i]->id);
	jw_end_arr(w);
}

static void
number_value(struct jw *w, const struct kb_number *nb, int32_t v)
{
	if (nb->unit == U_UG || nb->unit == U_UG_PER_KG)
		jw_mg(w, v);
	else
		jw_int(w, v);
}

static void
parameters(struct jw *w, const struct ldn_plan *pl)
{
	jw_key(w, "parameters");
	jw_arr(w);
	for (size_t i = 0; i < pl->kb->n_numbers; i++) {
		const struct kb_number *nb = &pl->kb->numbers[i];
		int32_t v;
		enum number_source from = render_number(pl, nb, &v);

		jw_obj(w);
		jw_kstr(w, "id", nb->id);
		jw_key(w, "value");
		number_value(w, nb, v);
		/* the value this plan uses; a preset's or the plan's own
		 * number names the preset and cites its sources, and keeps
		 * the knowledge base's default beside it */
		jw_kstr(w, "set_by", render_number_source_names[from]);
		if (from != NS_KB) {
			jw_kstr(w, "preset", pl->preset->id);
			jw_key(w, "kb_value");
			number_value(w, nb, nb->value);
		}
		if (nb->has_range) {
			jw_key(w, "range");
			jw_arr(w);
			number_value(w, nb, nb->lo);
			number_value(w, nb, nb->hi);
			jw_end_arr(w);
		}
		jw_kstr(w, "unit", render_unit_json[nb->unit]);
		render_json_cites(w, pl,
		    from == NS_KB ? nb->cites : pl->preset->statement.cites);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

/* The knowledge base's number with this id (the contract holds it). */
static const struct kb_number *
number_by_id(const struct ldn_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_numbers; i++)
		if (strcmp(kb->numbers[i].id, id) == 0)
			return &kb->numbers[i];
	return NULL;
}

/* One choice of a policy: its value, the number it applies, and that
 * number's citations. */
static void
policy_choice(struct jw *w, const struct ldn_plan *pl, const char *value,
    const char *number)
{
	const struct kb_number *nb = number_by_id(pl->kb, number);

	if (nb == NULL)
		return;
	jw_obj(w);
	jw_kstr(w, "value", value);
	jw_kstr(w, "number", nb->id);
	jw_key(w, "days");
	number_value(w, nb, nb->value);
	render_json_cites(w, pl, nb->cites);
	jw_end_obj(w);
}

/* A policy's object opened with its name, the value applied (alt when
 * chosen, else the seed's), the default and whether it is overridden. */
static void
policy_head(struct jw *w, const char *name, const char *alt, bool chosen)
{
	jw_obj(w);
	jw_kstr(w, "name", name);
	jw_kstr(w, "value", chosen ? alt : "seed");
	jw_kstr(w, "default", "seed");
	jw_key(w, "override");
	jw_bool(w, chosen);
}

/*
 * Policy opioid_co_use: under seed (the default) any opioid taken now
 * blocks; under relative, one short-acting opioid within its daily limit
 * does not, and LDN is capped (ceiling_mg, null when no opioid was kept).
 * The relative choice lists the numbers it applies.
 */
static void
co_use_policy(struct jw *w, const struct ldn_plan *pl)
{
	static const char *const numbers[] = { "policy.co_use_morphine_ug",
		"policy.co_use_hydrocodone_ug", "policy.co_use_oxycodone_ug",
		"policy.co_use_tramadol_ug", "policy.co_use_separation_h",
		"policy.co_use_ceiling_ug" };

	policy_head(w, "opioid_co_use", "relative", pl->opioid_co_use_relative);
	jw_key(w, "ceiling_mg");
	if (pl->co_use_cap_ug > 0)
		jw_mg(w, pl->co_use_cap_ug);
	else
		jw_null(w);
	jw_key(w, "choices");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "value", "seed");
	jw_end_obj(w);
	jw_obj(w);
	jw_kstr(w, "value", "relative");
	jw_key(w, "numbers");
	jw_arr(w);
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		const struct kb_number *nb = number_by_id(pl->kb, numbers[i]);

		if (nb == NULL)
			continue;
		jw_obj(w);
		jw_kstr(w, "number", nb->id);
		jw_key(w, "value");
		number_value(w, nb, nb->value);
		jw_kstr(w, "unit", render_unit_json[nb->unit]);
		render_json_cites(w, pl, nb->cites);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_end_obj(w);
	jw_end_arr(w);
	jw_end_obj(w);
}

/*
 * The policies where sources conflict: the value this plan applied, the
 * default (the seed's), whether the choice overrides it, and every choice
 * with its number and citations (kb/README.md "Policies").
 */
static void
policies(struct jw *w, const struct ldn_plan *pl)
{
	jw_key(w, "policies");
	jw_arr(w);
	policy_head(w, "periop_restart", "24h", pl->periop_restart_24h);
	jw_kint(w, "restart_days", pl->periop_restart_d);
	jw_key(w, "choices");
	jw_arr(w);
	policy_choice(w, pl, "seed", "washout.short_acting_d");
	policy_choice(w, pl, "24h", "policy.periop_restart_24h_d");
	jw_end_arr(w);
	jw_end_obj(w);
	co_use_policy(w, pl);
	jw_end_arr(w);
}

static void
references(struct jw *w, const struct ldn_plan *pl)
{
	jw_key(w, "references");
	jw_arr(w);
	for (size_t i = 0; i < pl->n_refs; i++) {
		const struct kb_ref *r = &pl->kb->refs[pl->ref_order[i]];

		jw_obj(w);
		jw_kint(w, "n", (long long)i + 1);
		render_reference_json(w, r);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

enum ldn_status
render_json(const struct ldn_plan *pl, enum audience aud,
    const struct render_review *rr, bool compact, char **out, size_t *len,
    struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	const struct ldn_kb *k = pl->kb;
	struct jw w;

	sb_hint(&b, 128u << 10); /* a whole plan is about 65 KB */
	if (compact)
		jw_init_compact(&w, &b);
	else
		jw_init(&w, &b);
	jw_obj(&w);
	render_opt(&w, "patient_id", pl->patient->id);
	date_member(&w, "as_of", pl->as_of);
	jw_kstr(&w, "audience",
	    rr->dispense ? "pharmacist" : audience_names[aud]);
	jw_kstr(&w, "decision", ldn_decision_name(pl->decision));
	date_member(&w, "earliest_start", pl->earliest);
	jw_key(&w, "preset");
	jw_obj(&w);
	jw_kstr(&w, "id", pl->preset->id);
	jw_kstr(&w, "name", pl->preset->label);
	jw_kstr(&w, "evidence", evidence_names[pl->preset->statement.evidence]);
	render_json_cites(&w, pl, pl->preset->statement.cites);
	jw_key(&w, "start_mg");
	jw_mg(&w, pl->start_ug);
	jw_key(&w, "step_mg");
	jw_mg(&w, pl->step_ug);
	jw_kint(&w, "interval_days", pl->interval_d);
	jw_key(&w, "sensitive");
	jw_bool(&w, pl->sensitive);
	jw_kstr(&w, "timing", pl->morning ? "morning" : "bedtime");
	jw_end_obj(&w);
	policies(&w, pl);
	jw_key(&w, "ceiling_mg");
	jw_mg(&w, pl->ceiling_ug);
	schedule(&w, pl, aud, &tmp);
	findings(&w, pl, aud, &tmp);
	items(&w, pl, aud, &tmp, "before_first_dose", L_SCHEDULE);
	items(&w, pl, aud, &tmp, "monitoring", L_MONITOR);
	sections(&w, pl, aud);
	withheld(&w, pl, aud, rr);
	render_follow_up_json(&w, pl, aud);
	if (rr->dispense != NULL)
		render_dispense_json(&w, pl, rr->dispense);
	parameters(&w, pl);
	references(&w, pl);
	jw_key(&w, "kb");
	jw_obj(&w);
	render_opt(&w, "version", k->version);
	render_opt(&w, "updated", k->updated);
	jw_kstr(&w, "fingerprint", k->fingerprint);
	/* the plan's statements by review state (before the patient's
	 * version left out those not approved) */
	jw_key(&w, "statements_by_review");
	jw_obj(&w);
	for (int s = 0; s < RV_COUNT; s++)
		jw_kint(&w, review_names[s], (long long)rr->counts[s]);
	jw_end_obj(&w);
	jw_end_obj(&w);
	jw_kstr(&w, "editorial_policy", RENDER_POLICY_PATH);
	jw_end_obj(&w);
	return render_finish(&b, &tmp, out, len, err);
}
