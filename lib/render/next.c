/*
 * Next-step advice as text or JSON: the action, the dose and date first,
 * then the kb entry's words for the audience with numbered citations, and
 * the references they point to.
 */
#include "../next.h"

#include <stdio.h>
#include <string.h>

#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "render.h"

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

/* The advice's words for aud into tmp: the engine's variables, and when
 * doses are taken in this audience's words. */
static void
expand_advice(struct strbuf *tmp, const struct ldn_next *n,
    const struct kb_entry *e, enum audience aud)
{
	struct strbuf when = STRBUF_INIT(256);
	const char *vars[V_COUNT];

	memcpy(vars, n->vars, sizeof(vars));
	vars[V_TIMING] = render_timing_words(n->kb, n->morning, aud, &when);
	tmpl_expand(tmp, n->kb, &e->text[aud], vars);
	sb_free(&when);
}

static enum ldn_status
render_next_text(const struct ldn_next *n, enum audience aud, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	const struct kb_entry *e = &n->kb->entries[n->rule];
	char dose[32];

	sb_printf(&b, "%s %s (as of %s)\n\n",
	    aud == AUD_PATIENT ? "Your next step," : "Next step for",
	    n->patient_id, n->as_of);
	sb_printf(&b, "%s: %s from %s\n\n", headline[aud][n->action],
	    dose_words(n, dose), n->date);
	expand_advice(&tmp, n, e, aud);
	sb_puts(&tmp, " [");
	for (size_t i = 0; i < e->cites.n; i++)
		sb_printf(&tmp, "%s%zu", i ? ", " : "", i + 1);
	sb_puts(&tmp, "]");
	render_wrap(&b, sb_cstr(&tmp), 0, 0);
	if (aud == AUD_CLINICIAN)
		sb_printf(&b, "\nRule %s; evidence: %s.\n", e->id,
		    evidence_names[e->evidence]);
	sb_puts(&b, aud == AUD_PATIENT ? "\nSources\n" : "\nReferences\n");
	for (size_t i = 0; i < e->cites.n; i++) {
		render_reference(&b, &tmp, &n->kb->refs[e->cites.ref[i]],
		    i + 1);
	}
	return render_finish(&b, &tmp, out, len, err);
}

static enum ldn_status
render_next_json(const struct ldn_next *n, enum audience aud, bool compact,
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
	jw_kstr(&w, "audience", audience_names[aud]);
	jw_kstr(&w, "action", ldn_next_action_name(n->action));
	jw_kstr(&w, "rule", e->id);
	jw_key(&w, "dose_mg");
	jw_mg(&w, n->dose_ug);
	jw_kstr(&w, "date", n->date);
	jw_kstr(&w, "evidence", evidence_names[e->evidence]);
	jw_key(&w, "text");
	expand_advice(&tmp, n, e, aud);
	jw_strn(&w, tmp.s ? tmp.s : "", tmp.len);
	jw_key(&w, "references");
	jw_arr(&w);
	for (size_t i = 0; i < e->cites.n; i++) {
		const struct kb_ref *r = &n->kb->refs[e->cites.ref[i]];

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
ldn_next_render(const struct ldn_next *n, enum ldn_format format,
    enum ldn_audience audience, char **out, size_t *len, struct ldn_error *err)
{
	enum audience aud =
	    audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT : AUD_CLINICIAN;

	switch (format) {
	case LDN_FORMAT_TEXT:
		return render_next_text(n, aud, out, len, err);
	case LDN_FORMAT_JSON:
	case LDN_FORMAT_JSON_COMPACT:
		return render_next_json(n, aud,
		    format == LDN_FORMAT_JSON_COMPACT, out, len, err);
	case LDN_FORMAT_FHIR:
	case LDN_FORMAT_HTML:
	case LDN_FORMAT_ICS:
		break;
	}
	return ldn_fail(err, LDN_E_SCHEMA, "format",
	    "next-step advice is text or json");
}
