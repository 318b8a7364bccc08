/*
 * The plan as JSON (README "Plan JSON"), written with jansson.  Ownership
 * rule for this file: every json_*_set_new / append_new call steals the
 * value it is given, so nothing built here is decref'd except the root.
 * Key order is insertion order, so the same plan gives the same bytes.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../base/date.h"
#include "../base/error_impl.h"

static json_t *
text_of(const struct ldn_plan *pl, struct strbuf *tmp, const struct tmpl *t,
    const char *const *vars)
{
	tmp->len = 0;
	if (tmp->s)
		tmp->s[0] = '\0';
	render_tmpl(tmp, pl->kb, t, vars);
	return json_stringn(tmp->s ? tmp->s : "", tmp->len);
}

static json_t *
cites_of(const struct ldn_plan *pl, struct cites c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c.n; i++)
		json_array_append_new(a,
		    json_integer(pl->ref_number[c.ref[i]]));
	return a;
}

static json_t *
mg_of(int32_t ug)
{
	/* Exact for any whole number of micrograms under 2^53. */
	return json_real(ug / 1000.0);
}

static json_t *
date_or_null(int32_t day)
{
	char b[11];

	if (day == DATE_NONE)
		return json_null();
	date_format(day, b);
	return json_string(b);
}

static const char *const step_kinds[] = { "start", "increase", "hold",
	"restart" };
static const enum entry_id step_entries[] = { E_SCHEDULE_START,
	E_SCHEDULE_INCREASE, E_SCHEDULE_HOLD, E_SCHEDULE_RESTART };

static json_t *
schedule_json(const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	json_t *a = json_array();

	for (size_t i = 0; i < pl->n_steps; i++) {
		const struct step *s = &pl->steps[i];
		const char *vars[V_COUNT] = { 0 };
		char d[11], mg[16], dose[24];
		json_t *o = json_object();

		date_format(s->date, d);
		/* A hold names the dose being stopped. */
		mg_string(s->kind == STEP_HOLD && i > 0 ? pl->steps[i - 1].dose_ug :
							  s->dose_ug,
		    mg);
		snprintf(dose, sizeof(dose), "%s mg", mg);
		vars[V_DATE] = d;
		vars[V_DOSE] = dose;
		vars[V_PROCEDURE] = s->procedure;
		json_object_set_new(o, "date", json_string(d));
		json_object_set_new(o, "day",
		    json_integer(s->date - pl->steps[0].date + 1));
		json_object_set_new(o, "dose_mg", mg_of(s->dose_ug));
		json_object_set_new(o, "timing",
		    json_string(s->dose_ug ? "bedtime" : "none"));
		json_object_set_new(o, "kind", json_string(step_kinds[s->kind]));
		json_object_set_new(o, "text",
		    text_of(pl, tmp, &pl->kb->entries[step_entries[s->kind]].text[aud],
			vars));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
findings_json(const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	json_t *a = json_array();

	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];
		const struct kb_entry *e = &pl->kb->entries[f->id];
		json_t *o = json_object(), *src = json_array();

		for (size_t k = 0; k < f->n_src; k++)
			json_array_append_new(src, json_string(f->src[k]));
		json_object_set_new(o, "id", json_string(e->id));
		json_object_set_new(o, "severity",
		    json_string(severity_names[entry_specs[f->id].severity]));
		json_object_set_new(o, "summary",
		    text_of(pl, tmp, &e->text[aud], f->vars));
		if (f->lift != DATE_NONE)
			json_object_set_new(o, "lifts", date_or_null(f->lift));
		json_object_set_new(o, "evidence",
		    json_string(evidence_names[e->evidence]));
		json_object_set_new(o, "citations", cites_of(pl, e->cites));
		json_object_set_new(o, "sources", src);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
items_json(const struct ldn_plan *pl, enum audience aud, struct strbuf *tmp,
    enum entry_list list)
{
	json_t *a = json_array();

	for (size_t i = 0; i < pl->n_items; i++) {
		const struct item *it = &pl->items[i];
		const struct kb_entry *e = &pl->kb->entries[it->id];
		json_t *o;

		if ((entry_specs[it->id].list == L_MONITOR) !=
		    (list == L_MONITOR))
			continue;
		o = json_object();
		json_object_set_new(o, "id", json_string(e->id));
		if (it->date != DATE_NONE)
			json_object_set_new(o, "date", date_or_null(it->date));
		json_object_set_new(o, "text",
		    text_of(pl, tmp, &e->text[aud], it->vars));
		json_object_set_new(o, "citations", cites_of(pl, e->cites));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
sections_json(const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	json_t *a = json_array();

	for (int s = 0; s < S_COUNT; s++) {
		json_t *sec = NULL, *list = NULL;

		for (size_t i = 0; i < pl->n_statements; i++) {
			const struct kb_statement *st = pl->statements[i];
			json_t *o;

			if (st->section != (enum section)s)
				continue;
			if (sec == NULL) {
				sec = json_object();
				list = json_array();
				json_object_set_new(sec, "id",
				    json_string(section_ids[s]));
			}
			o = json_object();
			json_object_set_new(o, "id", json_string(st->id));
			json_object_set_new(o, "text",
			    text_of(pl, tmp, &st->text[aud], NULL));
			json_object_set_new(o, "evidence",
			    json_string(evidence_names[st->evidence]));
			json_object_set_new(o, "review",
			    json_string(review_names[st->review]));
			json_object_set_new(o, "citations",
			    cites_of(pl, st->cites));
			json_array_append_new(list, o);
		}
		if (sec != NULL) {
			json_object_set_new(sec, "statements", list);
			json_array_append_new(a, sec);
		}
	}
	return a;
}

static const char *const unit_json[U_COUNT] = { "mg", "days", "years", "kg",
	"mg/kg", "mL/min/1.73m2" };

static json_t *
parameters_json(const struct ldn_plan *pl)
{
	json_t *a = json_array();

	for (size_t i = 0; i < pl->kb->n_numbers; i++) {
		const struct kb_number *nb = &pl->kb->numbers[i];
		json_t *o = json_object();
		bool mg = nb->unit == U_UG || nb->unit == U_UG_PER_KG;

		json_object_set_new(o, "id", json_string(nb->id));
		json_object_set_new(o, "value",
		    mg ? mg_of(nb->value) : json_integer(nb->value));
		if (nb->has_range)
			json_object_set_new(o, "range",
			    json_pack("[o, o]",
				mg ? mg_of(nb->lo) : json_integer(nb->lo),
				mg ? mg_of(nb->hi) : json_integer(nb->hi)));
		json_object_set_new(o, "unit", json_string(unit_json[nb->unit]));
		json_object_set_new(o, "citations", cites_of(pl, nb->cites));
		json_array_append_new(a, o);
	}
	return a;
}

static void
set_opt(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

static json_t *
references_json(const struct ldn_plan *pl)
{
	json_t *a = json_array();

	for (size_t i = 0; i < pl->n_refs; i++) {
		const struct kb_ref *r = &pl->kb->refs[pl->ref_order[i]];
		json_t *o = json_object();

		json_object_set_new(o, "n", json_integer((json_int_t)i + 1));
		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "type", json_string(r->kind));
		json_object_set_new(o, "evidence",
		    json_string(evidence_names[r->evidence]));
		set_opt(o, "title", r->title);
		set_opt(o, "authors", r->authors);
		set_opt(o, "source", r->source);
		if (r->year)
			json_object_set_new(o, "year", json_integer(r->year));
		set_opt(o, "volume", r->volume);
		set_opt(o, "pages", r->pages);
		set_opt(o, "doi", r->doi);
		set_opt(o, "pmid", r->pmid);
		set_opt(o, "url", r->url);
		set_opt(o, "accessed", r->accessed);
		json_object_set_new(o, "resolution",
		    json_string(r->resolution));
		set_opt(o, "note", r->note);
		if (r->seed_cite)
			json_object_set_new(o, "seed_citation",
			    json_integer(r->seed_cite));
		json_array_append_new(a, o);
	}
	return a;
}

enum ldn_status
render_json(const struct ldn_plan *pl, enum audience aud, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	json_t *root = json_object(), *preset, *kb;
	const struct ldn_kb *k = pl->kb;
	char *s;

	if (root == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	set_opt(root, "patient_id", pl->patient->id);
	json_object_set_new(root, "as_of", date_or_null(pl->as_of));
	json_object_set_new(root, "audience", json_string(audience_names[aud]));
	json_object_set_new(root, "decision",
	    json_string(ldn_decision_name(pl->decision)));
	json_object_set_new(root, "earliest_start", date_or_null(pl->earliest));
	preset = json_object();
	json_object_set_new(preset, "id", json_string("seed"));
	json_object_set_new(preset, "name",
	    json_string("Seed protocol: slow titration to the individual "
			"best dose"));
	json_object_set_new(preset, "start_mg", mg_of(pl->start_ug));
	json_object_set_new(preset, "step_mg", mg_of(pl->step_ug));
	json_object_set_new(preset, "interval_days",
	    json_integer(pl->interval_d));
	json_object_set_new(preset, "sensitive", json_boolean(pl->sensitive));
	json_object_set_new(root, "preset", preset);
	json_object_set_new(root, "ceiling_mg", mg_of(pl->ceiling_ug));
	json_object_set_new(root, "schedule", schedule_json(pl, aud, &tmp));
	json_object_set_new(root, "findings", findings_json(pl, aud, &tmp));
	json_object_set_new(root, "before_first_dose",
	    items_json(pl, aud, &tmp, L_SCHEDULE));
	json_object_set_new(root, "monitoring",
	    items_json(pl, aud, &tmp, L_MONITOR));
	json_object_set_new(root, "sections", sections_json(pl, aud, &tmp));
	json_object_set_new(root, "parameters", parameters_json(pl));
	json_object_set_new(root, "references", references_json(pl));
	kb = json_object();
	set_opt(kb, "version", k->version);
	set_opt(kb, "updated", k->updated);
	json_object_set_new(kb, "fingerprint", json_string(k->fingerprint));
	json_object_set_new(kb, "review", json_string(review_names[k->review]));
	set_opt(kb, "review_note", k->review_note);
	json_object_set_new(root, "kb", kb);
	if (tmp.failed) {
		sb_free(&tmp);
		json_decref(root);
		return ldn_fail(err, LDN_E_NOMEM, "", "the plan is too large");
	}
	sb_free(&tmp);
	s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (s == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	*len = strlen(s);
	*out = s;
	return LDN_OK;
}
