/*
 * A standard-dose regimen's plan (lib/regimen.c) as text or JSON, in one
 * audience's words: the decision, what the regimen is for, the screen's
 * findings and questions, the dated schedule, the review, the line that
 * sets it apart from LDN, and the numbered references it cites.
 */
#include "../regimen.h"

#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../base/strbuf.h"
#include "../draft.h"
#include "render.h"

enum {
	RG_RENDER_LIMIT = 16u << 20
};

static const char *const tag[RA_COUNT] = {
	[RA_DO_NOT_START] = "BLOCK",
	[RA_WAIT] = "WAIT",
	[RA_CAUTION] = "CAUTION",
	[RA_ASK] = "ASK",
	[RA_NOT_APPLICABLE] = "",
};

static void
heading(struct strbuf *b, const char *s)
{
	size_t n = render_width(s, strlen(s));

	sb_printf(b, "\n%s\n", s);
	for (size_t i = 0; i < n; i++)
		sb_puts(b, "-");
	sb_puts(b, "\n");
}

static void
para(struct strbuf *b, const char *s)
{
	sb_puts(b, "  ");
	render_wrap(b, s, 2, 2);
}

static void
cite_numbers(struct strbuf *b, const struct kb_regimen *rg)
{
	sb_puts(b, "[");
	for (size_t i = 0; i < rg->cites.n; i++)
		sb_printf(b, "%s%zu", i ? ", " : "", i + 1);
	sb_puts(b, "]");
}

static enum ldn_status
text(const struct regimen_plan *rp, int aud, char **out, size_t *len,
    struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RG_RENDER_LIMIT),
	              t = STRBUF_INIT(RG_RENDER_LIMIT);
	const struct kb_regimen *rg = rp->rg;
	const char *pid = ldn_plan_patient_id(rp->ldn);
	char d[11];
	size_t n;

	n = render_width(rg->label, strlen(rg->label));
	sb_printf(&b, "%s\n", rg->label);
	for (size_t i = 0; i < n; i++)
		sb_puts(&b, "=");
	date_format(rp->as_of, d);
	sb_printf(&b, "\nPatient: %s    As of: %s    Regimen: %s\n\n",
	    pid ? pid : "(no identifier)", d, rg->id);
	if (rp->decision == LDN_DECISION_DO_NOT_START) {
		sb_puts(&b, "DO NOT START: see the findings below.\n");
	} else {
		date_format(rp->start, d);
		sb_printf(&b,
		    rp->decision == LDN_DECISION_WAIT
		        ? "WAIT: may start on %s, not before.\n"
		        : "START: may start on %s.\n",
		    d);
	}
	sb_puts(&b,
	    "\nPENDING REVIEW: no clinical reviewer has approved these "
	    "words yet; kb/regimens.yaml is not yet part of the "
	    "editorial workflow.\n");
	heading(&b, "What it is for");
	para(&b, rp->purpose[aud]);
	heading(&b, "Findings for this patient");
	if (rp->n_lines == 0)
		para(&b, "None.");
	for (size_t i = 0; i < rp->n_lines; i++) {
		const struct rg_line *l = &rp->lines[i];

		sb_printf(&b, "  [%s] ", tag[l->action]);
		render_wrap(&b, l->text[aud], 5 + strlen(tag[l->action]), 4);
	}
	if (rp->n_doses > 0) {
		heading(&b, "Schedule");
		for (size_t i = 0; i < rp->n_doses; i++)
			para(&b, rp->doses[i].text[aud]);
		if (rp->alt_from != DATE_NONE)
			para(&b, rp->alt_text[aud]);
		if (rp->review != DATE_NONE)
			para(&b, rp->review_text[aud]);
	}
	heading(&b, "Not LDN");
	para(&b, rp->compare[aud]);
	heading(&b, "Sources");
	sb_puts(&b, "  This plan rests on ");
	cite_numbers(&b, rg);
	sb_printf(&b, " (%s).\n", evidence_names[rg->evidence]);
	for (size_t i = 0; i < rg->cites.n; i++)
		render_reference(&b, &t, &rp->kb->refs[rg->cites.ref[i]],
		    i + 1);
	sb_printf(&b, "\nKnowledge base %s (%s)\n", ldn_kb_version(rp->kb),
	    ldn_kb_fingerprint(rp->kb));
	return render_finish(&b, &t, out, len, err);
}

static void
kdate(struct jw *w, const char *key, int32_t day)
{
	char d[11];

	jw_key(w, key);
	if (day == DATE_NONE) {
		jw_null(w);
		return;
	}
	date_format(day, d);
	jw_str(w, d);
}

static enum ldn_status
json(const struct regimen_plan *rp, int aud, bool compact, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RG_RENDER_LIMIT),
	              t = STRBUF_INIT(RG_RENDER_LIMIT);
	const struct kb_regimen *rg = rp->rg;
	struct jw w;

	if (compact)
		jw_init_compact(&w, &b);
	else
		jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "regimen");
	jw_obj(&w);
	jw_kstr(&w, "id", rg->id);
	jw_kstr(&w, "label", rg->label);
	jw_kstr(&w, "evidence", evidence_names[rg->evidence]);
	jw_key(&w, "cites");
	jw_arr(&w);
	for (size_t i = 0; i < rg->cites.n; i++)
		jw_int(&w, (long long)i + 1);
	jw_end_arr(&w);
	jw_key(&w, "max_daily_mg");
	jw_mg(&w, rg->max_daily_ug);
	jw_end_obj(&w);
	jw_kstr(&w, "patient", ldn_plan_patient_id(rp->ldn));
	kdate(&w, "as_of", rp->as_of);
	jw_kstr(&w, "audience", audience_names[aud]);
	jw_kstr(&w, "decision", ldn_decision_name(rp->decision));
	kdate(&w, "earliest_start", rp->start);
	/* kb/regimens.yaml is outside the editorial workflow so far:
	 * nothing here has been approved */
	jw_kstr(&w, "review", "draft");
	jw_kstr(&w, "purpose", rp->purpose[aud]);
	jw_key(&w, "findings");
	jw_arr(&w);
	for (size_t i = 0; i < rp->n_lines; i++) {
		const struct rg_line *l = &rp->lines[i];

		jw_obj(&w);
		jw_kstr(&w, "id", l->id);
		jw_kstr(&w, "action", rg_action_names[l->action]);
		if (l->lift != DATE_NONE)
			kdate(&w, "lifts", l->lift);
		jw_kstr(&w, "text", l->text[aud]);
		render_opt(&w, "source", l->src);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "schedule");
	jw_arr(&w);
	for (size_t i = 0; i < rp->n_doses; i++) {
		const struct rg_dose *d = &rp->doses[i];

		jw_obj(&w);
		jw_kstr(&w, "kind", rg_step_kind_names[d->kind]);
		kdate(&w, "from", d->from);
		kdate(&w, "to", d->to);
		jw_key(&w, "dose_mg");
		jw_mg(&w, d->dose_ug);
		if (rg->tablet_ug > 0) {
			jw_kint(&w, "tablets_am", d->am);
			jw_kint(&w, "tablets_pm", d->pm);
			jw_key(&w, "bupropion_mg");
			jw_mg(&w, (d->am + d->pm) * rg->tablet_bupropion_ug);
			jw_key(&w, "capped");
			jw_bool(&w, d->capped);
		}
		jw_kstr(&w, "text", d->text[aud]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "alternative");
	if (rp->alt_from == DATE_NONE) {
		jw_null(&w);
	} else {
		jw_obj(&w);
		kdate(&w, "from", rp->alt_from);
		jw_key(&w, "supervised");
		jw_bool(&w, rg->alt_supervised);
		jw_key(&w, "weekdays");
		jw_arr(&w);
		for (size_t i = 0; i < rg->n_alt; i++) {
			static const char *const wd[7] = { "sunday", "monday",
				"tuesday", "wednesday", "thursday", "friday",
				"saturday" };

			jw_obj(&w);
			jw_kstr(&w, "day", wd[rg->alt[i].wday]);
			jw_key(&w, "dose_mg");
			jw_mg(&w, rg->alt[i].dose_ug);
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_kstr(&w, "text", rp->alt_text[aud]);
		jw_end_obj(&w);
	}
	jw_key(&w, "review");
	if (rp->review == DATE_NONE) {
		jw_null(&w);
	} else {
		jw_obj(&w);
		kdate(&w, "date", rp->review);
		jw_kint(&w, "stop_below_pct", rg->review_stop_pct);
		jw_kstr(&w, "text", rp->review_text[aud]);
		jw_end_obj(&w);
	}
	jw_kstr(&w, "compare_ldn", rp->compare[aud]);
	jw_key(&w, "references");
	jw_arr(&w);
	for (size_t i = 0; i < rg->cites.n; i++) {
		jw_obj(&w);
		jw_kint(&w, "n", (long long)i + 1);
		render_reference_json(&w, &rp->kb->refs[rg->cites.ref[i]]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_key(&w, "kb");
	jw_obj(&w);
	jw_kstr(&w, "version", ldn_kb_version(rp->kb));
	jw_kstr(&w, "fingerprint", ldn_kb_fingerprint(rp->kb));
	jw_end_obj(&w);
	jw_end_obj(&w);
	if (!compact)
		sb_puts(&b, "\n");
	return render_finish(&b, &t, out, len, err);
}

enum ldn_status
regimen_render(const struct regimen_plan *rp, enum ldn_format format,
    enum ldn_audience audience, char **out, size_t *len, struct ldn_error *err)
{
	int aud =
	    audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT : AUD_CLINICIAN;

	switch (format) {
	case LDN_FORMAT_TEXT:
		return text(rp, aud, out, len, err);
	case LDN_FORMAT_JSON:
		return json(rp, aud, false, out, len, err);
	case LDN_FORMAT_JSON_COMPACT:
		return json(rp, aud, true, out, len, err);
	default:
		return ldn_fail(err, LDN_E_SCHEMA, "format",
		    "a regimen's plan is text or json");
	}
}
