/*
 * Next-step advice as text or JSON: the action, the dose and date first,
 * then the kb entry's words for the audience with numbered citations, and
 * the references they point to.  A pharmacist reads the entry's own
 * pharmacist words (findings.yaml requires them for every next.* entry)
 * and, when a dosage form is asked for, the advised dose in that form
 * (lib/dispense.c's arithmetic), a supply of it and its beyond-use dates.
 */
#include "../next.h"

#include <stdio.h>
#include <string.h>

#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../dispense.h"
#include "render.h"

enum {
	NEXT_MAX_REFS = 64
};

/* Who reads the advice and what it cites: aud is whose words the
 * interface uses (a pharmacist's advice text is always the entry's own
 * pharmacist words); form, when a pharmacist asked for one, the advised
 * dose in it; refs, the kb references in citation order. */
struct next_view {
	enum audience aud;
	bool pharmacist;
	const struct fm_form *form;
	int32_t conc_ug_per_ml;
	int32_t supply_days; /* 0: no supply asked for */
	bool before_hold;    /* supply_days cut to the days before a hold */
	bool exact;          /* the form makes the dose exactly */
	int32_t volume_ul;   /* liquids, when exact */
	int32_t count[DISPENSE_MAX_STRENGTHS]; /* capsules, when exact */
	uint16_t refs[NEXT_MAX_REFS];
	size_t n_refs;
};

static const char INEXACT[] =
    "cannot be made exactly in this form: dispense the oral liquid for it "
    "(--formulation liquid); never round or split a dose";
static const char REVIEW_WORDS[] =
    "These dispensing words are drafted by the engineering team from the "
    "sources cited and are pending clinical review (draft).";

/* Headlines per action (interface words, not claims). */
static const char *const headline[AUD_COUNT][8] = {
	[AUD_CLINICIAN] = {
		[LDN_NEXT_NONE] = "No dose: the plan says do not start",
		[LDN_NEXT_START] = "Start",
		[LDN_NEXT_ESCALATE] = "Escalate",
		[LDN_NEXT_HOLD] = "Hold the dose",
		[LDN_NEXT_STEP_BACK] = "Step back",
		[LDN_NEXT_MORNING] = "Move the dose to the morning",
		[LDN_NEXT_STOP] = "Stop LDN",
		[LDN_NEXT_REINTRODUCE] = "Re-introduce with titration",
	},
	[AUD_PATIENT] = {
		[LDN_NEXT_NONE] = "Do not take LDN for now",
		[LDN_NEXT_START] = "Start LDN",
		[LDN_NEXT_ESCALATE] = "Raise your dose",
		[LDN_NEXT_HOLD] = "Stay on the same dose",
		[LDN_NEXT_STEP_BACK] = "Lower your dose",
		[LDN_NEXT_MORNING] = "Take your dose in the morning",
		[LDN_NEXT_STOP] = "Stop taking LDN",
		[LDN_NEXT_REINTRODUCE] = "Start LDN again, slowly",
	},
};

/* The pharmacist's headlines: what to supply. */
static const char *const pharmacist_headline[8] = {
	[LDN_NEXT_NONE] = "Dispense none: the plan says do not start",
	[LDN_NEXT_START] = "First supply",
	[LDN_NEXT_ESCALATE] = "Supply the higher dose",
	[LDN_NEXT_HOLD] = "Same dose: no change at the counter",
	[LDN_NEXT_STEP_BACK] = "Supply the lower dose",
	[LDN_NEXT_MORNING] = "Same dose, directions changed to the morning",
	[LDN_NEXT_STOP] = "Supply no more LDN",
	[LDN_NEXT_REINTRODUCE] = "Supply the restart dose",
};

/* The citation number of kb reference r in v (1-based), adding it. */
static size_t
cite_no(struct next_view *v, uint16_t r)
{
	for (size_t i = 0; i < v->n_refs; i++)
		if (v->refs[i] == r)
			return i + 1;
	if (v->n_refs == NEXT_MAX_REFS)
		return 0;
	v->refs[v->n_refs++] = r;
	return v->n_refs;
}

static void
cite_text(struct strbuf *b, struct next_view *v, struct cites c)
{
	sb_puts(b, " [");
	for (size_t i = 0; i < c.n; i++)
		sb_printf(b, "%s%zu", i ? ", " : "", cite_no(v, c.ref[i]));
	sb_puts(b, "]");
}

static void
cite_json(struct jw *w, struct next_view *v, struct cites c)
{
	jw_key(w, "citations");
	jw_arr(w);
	for (size_t i = 0; i < c.n; i++)
		jw_int(w, (long long)cite_no(v, c.ref[i]));
	jw_end_arr(w);
}

/* The fills a supply of supply_days needs in a storage dated bud_days:
 * each fill covers bud_days dose days (the day it is made is day 1), and
 * the next is made on the day after the one before is last usable, as
 * the dispensing sheet counts them (dispense_fills()). */
static int32_t
fills_for(int32_t supply_days, int32_t bud_days)
{
	return bud_days > 0 ? (supply_days + bud_days - 1) / bud_days : 0;
}

/* The advised dose in v's form: exact or not, and what makes it. */
static void
make_dose(const struct ldn_next *n, struct next_view *v)
{
	const struct fm_form *f = v->form;

	v->exact = false;
	if (f == NULL || n->dose_ug <= 0)
		return;
	if (f->kind == FK_LIQUID)
		v->exact = dispense_volume(n->dose_ug, v->conc_ug_per_ml,
		    f->measure_ul, &v->volume_ul);
	else
		v->exact = dispense_capsules(n->dose_ug, f->strengths_ug,
		    f->n_strengths, f->max_per_dose, v->count);
}

/* "capsules": each strength used and its count, times doses. */
static void
capsules_json(struct jw *w, const struct next_view *v, int64_t doses)
{
	jw_key(w, "capsules");
	jw_arr(w);
	for (size_t k = v->form->n_strengths; k-- > 0;) {
		if (v->count[k] == 0)
			continue;
		jw_obj(w);
		jw_key(w, "strength_mg");
		jw_mg(w, v->form->strengths_ug[k]);
		jw_kint(w, "count", (long long)v->count[k] * doses);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

/* "1.50 mL" or "1 x 1.5 mg + 1 x 1 mg capsules", times doses. */
static void
quantity_text(struct strbuf *b, const struct next_view *v, int64_t doses)
{
	char buf[32];
	bool any = false;

	if (v->form->kind == FK_LIQUID) {
		render_ml_string((int64_t)v->volume_ul * doses, buf);
		sb_printf(b, "%s mL", buf);
		return;
	}
	for (size_t k = v->form->n_strengths; k-- > 0;)
		if (v->count[k] > 0) {
			mg_string(v->form->strengths_ug[k], buf);
			sb_printf(b, "%s%lld x %s mg", any ? " + " : "",
			    (long long)v->count[k] * doses, buf);
			any = true;
		}
	sb_puts(b, " capsules");
}

static void
dispense_text(struct strbuf *b, struct strbuf *tmp, const struct ldn_next *n,
    struct next_view *v)
{
	const struct fm_form *f = v->form;
	char mg[16];

	tmp->len = 0;
	sb_printf(tmp, "Dispensing: %s", f->label);
	if (f->kind == FK_LIQUID) {
		mg_string(v->conc_ug_per_ml, mg);
		sb_printf(tmp, ", %s mg/mL", mg);
	}
	cite_text(tmp, v, f->cites);
	sb_puts(tmp, ". ");
	if (n->dose_ug <= 0) {
		sb_puts(tmp, "No dose to dispense at this step.");
	} else {
		mg_string(n->dose_ug, mg);
		sb_printf(tmp, "One dose of %s mg: ", mg);
		if (!v->exact) {
			sb_printf(tmp, "%s.", INEXACT);
		} else {
			quantity_text(tmp, v, 1);
			sb_puts(tmp, ".");
			if (v->supply_days > 0) {
				sb_printf(tmp,
				    " A supply of %d day%s at this dose%s: ",
				    (int)v->supply_days,
				    v->supply_days == 1 ? "" : "s",
				    v->before_hold
				        ? " (to the night before the hold)"
				        : "");
				quantity_text(tmp, v, v->supply_days);
				sb_puts(tmp, ".");
			}
		}
		sb_puts(tmp, " Beyond-use:");
		for (size_t i = 0; i < f->n_beyond_use; i++) {
			const struct fm_storage *s = &f->beyond_use[i];

			sb_printf(tmp, "%s %s %d days", i ? ";" : "",
			    s->storage, (int)s->days);
			if (v->supply_days > 0)
				sb_printf(tmp, " (%d fill%s for the supply)",
				    (int)fills_for(v->supply_days, s->days),
				    fills_for(v->supply_days, s->days) == 1
				        ? ""
				        : "s");
			cite_text(tmp, v, s->cites);
		}
		sb_puts(tmp, ".");
	}
	sb_puts(b, "\n");
	render_wrap(b, sb_cstr(tmp), 0, 0);
	if (n->dose_ug > 0 && f->pharmacist != NULL) {
		tmp->len = 0;
		sb_puts(tmp, f->pharmacist);
		sb_puts(b, "\n");
		render_wrap(b, sb_cstr(tmp), 0, 0);
	}
	for (size_t i = 0; n->dose_ug > 0 && i < f->n_warnings; i++) {
		tmp->len = 0;
		sb_puts(tmp, f->warnings[i]->pharmacist);
		cite_text(tmp, v, f->warnings[i]->cites);
		sb_puts(b, "  - ");
		render_wrap(b, sb_cstr(tmp), 4, 4);
	}
	sb_puts(b, "\n");
	render_wrap(b, REVIEW_WORDS, 0, 0);
}

static void
dispense_json(struct jw *w, const struct ldn_next *n, struct next_view *v)
{
	const struct fm_form *f = v->form;
	char buf[32];

	jw_key(w, "dispensing");
	if (f == NULL) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kstr(w, "form", f->id);
	jw_kstr(w, "kind", fm_kind_names[f->kind]);
	jw_kstr(w, "label", f->label);
	jw_kstr(w, "evidence", evidence_names[f->evidence]);
	cite_json(w, v, f->cites);
	if (f->kind == FK_LIQUID) {
		jw_key(w, "concentration_mg_per_ml");
		jw_mg(w, v->conc_ug_per_ml);
	}
	jw_key(w, "dose_mg");
	jw_mg(w, n->dose_ug);
	jw_key(w, "available");
	jw_bool(w, n->dose_ug > 0);
	if (n->dose_ug > 0) {
		jw_key(w, "exact");
		jw_bool(w, v->exact);
	}
	if (n->dose_ug > 0 && !v->exact)
		jw_kstr(w, "inexact", INEXACT);
	if (n->dose_ug > 0 && v->exact && f->kind == FK_LIQUID) {
		jw_kint(w, "volume_ul", v->volume_ul);
		render_ml_string(v->volume_ul, buf);
		jw_key(w, "volume_ml");
		jw_raw(w, buf, strlen(buf));
	} else if (n->dose_ug > 0 && v->exact) {
		capsules_json(w, v, 1);
	}
	jw_key(w, "supply");
	if (v->supply_days > 0 && n->dose_ug > 0 && v->exact) {
		jw_obj(w);
		jw_kint(w, "days", v->supply_days);
		/* cut to the days before a hold to come */
		jw_key(w, "before_hold");
		jw_bool(w, v->before_hold);
		if (f->kind == FK_LIQUID) {
			render_ml_string((int64_t)v->volume_ul * v->supply_days,
			    buf);
			jw_key(w, "volume_ml");
			jw_raw(w, buf, strlen(buf));
		} else {
			capsules_json(w, v, v->supply_days);
		}
		jw_end_obj(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "beyond_use");
	jw_arr(w);
	for (size_t i = 0; n->dose_ug > 0 && i < f->n_beyond_use; i++) {
		const struct fm_storage *s = &f->beyond_use[i];

		jw_obj(w);
		jw_kstr(w, "storage", s->storage);
		jw_kint(w, "days", s->days);
		if (v->supply_days > 0)
			jw_kint(w, "fills", fills_for(v->supply_days, s->days));
		cite_json(w, v, s->cites);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_kstr(w, "pharmacist", f->pharmacist);
	jw_key(w, "warnings");
	jw_arr(w);
	for (size_t i = 0; n->dose_ug > 0 && i < f->n_warnings; i++) {
		jw_obj(w);
		jw_kstr(w, "id", f->warnings[i]->id);
		jw_kstr(w, "evidence",
		    evidence_names[f->warnings[i]->evidence]);
		cite_json(w, v, f->warnings[i]->cites);
		jw_kstr(w, "pharmacist", f->warnings[i]->pharmacist);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_kstr(w, "review", "draft");
	jw_end_obj(w);
}

static const char *
dose_words(const struct ldn_next *n, char buf[static 32])
{
	char mg[16];

	if (n->dose_ug == 0)
		return "no dose";
	mg_string(n->dose_ug, mg);
	snprintf(buf, 32, "%s mg", mg);
	return buf;
}

/* The advice's words for v's reader into tmp: the engine's variables, and
 * when doses are taken in the interface audience's words.  A pharmacist
 * reads the entry's pharmacist words. */
static void
expand_advice(struct strbuf *tmp, const struct ldn_next *n,
    const struct kb_entry *e, const struct next_view *v)
{
	struct strbuf when = STRBUF_INIT(256);
	const char *vars[V_COUNT];

	memcpy(vars, n->vars, sizeof(vars));
	vars[V_TIMING] = render_timing_words(n->kb, n->morning, v->aud, &when);
	tmpl_expand(tmp, n->kb,
	    v->pharmacist ? &e->pharmacist : &e->text[v->aud], vars);
	sb_free(&when);
}

static const char *
reader_name(const struct next_view *v)
{
	return v->pharmacist ? "pharmacist" : audience_names[v->aud];
}

static enum ldn_status
render_next_text(const struct ldn_next *n, struct next_view *v, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	const struct kb_entry *e = &n->kb->entries[n->rule];
	enum audience aud = v->aud;
	char dose[32];

	if (v->pharmacist)
		sb_printf(&b,
		    "Next step for %s, for the pharmacist (as of %s)\n\n",
		    n->patient_id, n->as_of);
	else
		sb_printf(&b, "%s %s (as of %s)\n\n",
		    aud == AUD_PATIENT ? "Your next step," : "Next step for",
		    n->patient_id, n->as_of);
	sb_printf(&b, "%s: %s from %s\n\n",
	    v->pharmacist ? pharmacist_headline[n->action]
	                  : headline[aud][n->action],
	    dose_words(n, dose), n->date);
	expand_advice(&tmp, n, e, v);
	cite_text(&tmp, v, e->cites);
	render_wrap(&b, sb_cstr(&tmp), 0, 0);
	for (int i = 0; i < 2; i++) {
		/* the notes beside the advice: the co-use policy's, a hold's */
		if (!(i == 0 ? n->opioid_kept : n->hold_note))
			continue;
		const struct kb_entry *k =
		    &n->kb->entries[i == 0 ? E_NEXT_CO_USE_NOTE
		                           : E_NEXT_PERIOP_NOTE];

		tmp.len = 0;
		expand_advice(&tmp, n, k, v);
		cite_text(&tmp, v, k->cites);
		sb_puts(&b, "\n");
		render_wrap(&b, sb_cstr(&tmp), 0, 0);
	}
	if (v->form != NULL)
		dispense_text(&b, &tmp, n, v);
	if (aud == AUD_CLINICIAN)
		sb_printf(&b, "\nRule %s; evidence: %s.\n", e->id,
		    evidence_names[e->evidence]);
	sb_puts(&b, aud == AUD_PATIENT ? "\nSources\n" : "\nReferences\n");
	for (size_t i = 0; i < v->n_refs; i++)
		render_reference(&b, &tmp, &n->kb->refs[v->refs[i]], i + 1);
	return render_finish(&b, &tmp, out, len, err);
}

/* A note beside the advice as JSON key: its words and citations when
 * shown, else null. */
static void
note_json(struct jw *w, struct strbuf *tmp, const struct ldn_next *n,
    struct next_view *v, const char *key, bool shown, enum entry_id id)
{
	const struct kb_entry *k = &n->kb->entries[id];

	jw_key(w, key);
	if (!shown) {
		jw_null(w);
		return;
	}
	tmp->len = 0;
	expand_advice(tmp, n, k, v);
	jw_strn(w, tmp->s ? tmp->s : "", tmp->len);
	for (size_t i = 0; i < k->cites.n; i++)
		cite_no(v, k->cites.ref[i]);
}

static enum ldn_status
render_next_json(const struct ldn_next *n, struct next_view *v, bool compact,
    char **out, size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	const struct kb_entry *e = &n->kb->entries[n->rule];
	struct jw w;

	if (compact)
		jw_init_compact(&w, &b);
	else
		jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "patient_id", n->patient_id);
	jw_kstr(&w, "as_of", n->as_of);
	jw_kstr(&w, "audience", reader_name(v));
	jw_kstr(&w, "action", ldn_next_action_name(n->action));
	jw_kstr(&w, "rule", e->id);
	jw_key(&w, "dose_mg");
	jw_mg(&w, n->dose_ug);
	jw_kstr(&w, "date", n->date);
	jw_kstr(&w, "evidence", evidence_names[e->evidence]);
	jw_key(&w, "text");
	expand_advice(&tmp, n, e, v);
	jw_strn(&w, tmp.s ? tmp.s : "", tmp.len);
	for (size_t i = 0; i < e->cites.n; i++)
		cite_no(v, e->cites.ref[i]);
	/* while the plan keeps an opioid (opioid_co_use=relative): what
	 * that means for any advice, else null */
	jw_key(&w, "opioid_kept");
	jw_bool(&w, n->opioid_kept);
	note_json(&w, &tmp, n, v, "co_use_note", n->opioid_kept,
	    E_NEXT_CO_USE_NOTE);
	/* before a hold around a procedure still to come: its days */
	note_json(&w, &tmp, n, v, "hold_note", n->hold_note,
	    E_NEXT_PERIOP_NOTE);
	if (v->pharmacist) {
		jw_kstr(&w, "headline", pharmacist_headline[n->action]);
		dispense_json(&w, n, v);
	}
	jw_key(&w, "references");
	jw_arr(&w);
	for (size_t i = 0; i < v->n_refs; i++) {
		const struct kb_ref *r = &n->kb->refs[v->refs[i]];

		jw_obj(&w);
		jw_kint(&w, "n", (long long)(i + 1));
		render_reference_json(&w, r);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
	return render_finish(&b, &tmp, out, len, err);
}

enum ldn_status
ldn_next_render_with(const struct ldn_next *n, enum ldn_format format,
    enum ldn_audience audience, const char *formulation, int32_t supply_days,
    char **out, size_t *len, struct ldn_error *err)
{
	struct next_view v = {
		.aud = audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT
		                                        : AUD_CLINICIAN,
		.pharmacist = audience == LDN_AUDIENCE_PHARMACIST,
		.form = NULL,
		.conc_ug_per_ml = 0,
		.supply_days = 0,
		.before_hold = false,
		.exact = false,
		.volume_ul = 0,
		.count = { 0 },
		.refs = { 0 },
		.n_refs = 0,
	};

	if ((formulation != NULL || supply_days != 0) && !v.pharmacist)
		return ldn_fail(err, LDN_E_SCHEMA,
		    formulation != NULL ? "formulation" : "supply_days",
		    "is for the pharmacist (audience pharmacist)");
	if (formulation != NULL || supply_days != 0) {
		struct dispense_opts o;
		enum ldn_status rc =
		    dispense_parse(n->kb, formulation, supply_days, &o, err);

		if (rc != LDN_OK)
			return rc;
		v.form = o.form;
		v.conc_ug_per_ml = o.conc_ug_per_ml;
		v.supply_days = o.supply_days;
		/* a supply stops at the day before a hold to come: from the
		 * step's day for a new dose, else from today */
		bool stepping = n->action == LDN_NEXT_ESCALATE ||
		    n->action == LDN_NEXT_START ||
		    n->action == LDN_NEXT_REINTRODUCE;
		int32_t left = n->hold_from -
		    (stepping && n->day > n->today ? n->day : n->today);

		if (n->hold_from != INT32_MAX && n->dose_ug > 0 &&
		    v.supply_days > left) {
			v.supply_days = left > 1 ? left : 1;
			v.before_hold = true;
		}
		make_dose(n, &v);
	}
	switch (format) {
	case LDN_FORMAT_TEXT:
		return render_next_text(n, &v, out, len, err);
	case LDN_FORMAT_JSON:
	case LDN_FORMAT_JSON_COMPACT:
		return render_next_json(n, &v,
		    format == LDN_FORMAT_JSON_COMPACT, out, len, err);
	case LDN_FORMAT_FHIR:
	case LDN_FORMAT_HTML:
	case LDN_FORMAT_ICS:
		break;
	}
	return ldn_fail(err, LDN_E_SCHEMA, "format",
	    "next-step advice is text or json");
}

enum ldn_status
ldn_next_render(const struct ldn_next *n, enum ldn_format format,
    enum ldn_audience audience, char **out, size_t *len, struct ldn_error *err)
{
	return ldn_next_render_with(n, format, audience, NULL, 0, out, len,
	    err);
}
