/*
 * The plan as a FHIR R4 Bundle of type collection (README "The plan in
 * FHIR"): one CarePlan, one MedicationRequest per dose step (holds are the
 * gaps between them) and one DetectedIssue per blocking or caution finding.
 * Entries are named by urn:uuid fullUrls derived from the plan, and keys
 * follow the order of the FHIR element definitions, so the same plan gives
 * the same bytes.
 */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"
#include "../base/jsonw.h"

/* The kinds of entry, as named in the fullUrl hash. */
enum fhir_kind {
	FK_CAREPLAN,
	FK_REQUEST,
	FK_ISSUE
};

static const char *const kind_names[] = { "CarePlan", "MedicationRequest",
	"DetectedIssue" };

enum {
	URN_LEN = 9 + 36 /* "urn:uuid:" and the UUID */
};

/* Words of the CarePlan for each audience (interface words, not claims). */
struct fhir_labels {
	/* dose_fixed: dose when the start is the ceiling (no increase) */
	const char *title, *start, *wait, *no_start, *blocks, *dose,
	    *dose_fixed;
};

/* CarePlan.subject and MedicationRequest.subject are 1..1 in R4. */
static const char no_id[] = "Patient (no identifier in the input)";

static const struct fhir_labels labels[AUD_COUNT] = {
	[AUD_CLINICIAN] = {
	    .title = "Low-dose naltrexone (LDN) plan",
	    .start = "Start: LDN may start on %s.",
	    .wait = "Wait: LDN may start on %s, not before; the detected "
		    "issues say why.",
	    .no_start = "Do not start: the blocking findings must be resolved "
			"first, so this plan is a draft with no medication "
			"requests; the detected issues say why.",
	    .blocks = " Blocking: %s.",
	    .dose = " First dose %s mg %s; +%s mg every %d days; "
		    "ceiling %s mg.",
	    .dose_fixed = " First dose %s mg %s; no increase: that is the "
			  "ceiling.",
	},
	[AUD_PATIENT] = {
	    .title = "Your low-dose naltrexone (LDN) plan",
	    .start = "You may start on %s.",
	    .wait = "Please wait: you may start on %s, not before.",
	    .no_start = "Do not start LDN yet. Your clinician needs to sort "
			"out the problems listed with this plan first.",
	    .dose = " First dose %s mg %s; it goes up by %s mg every "
		    "%d days, to at most %s mg.",
	    .dose_fixed = " Take %s mg %s. Your dose stays the same.",
	},
};

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

/* MurmurHash3's finaliser: FNV-1a alone leaves hashes of inputs that differ
 * in their last byte alike in most bits, which makes neighbouring UUIDs look
 * related. */
static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return h;
}

/* A NUL ends each field, so that ("ab", "c") and ("a", "bc") differ. */
static uint64_t
fnv1a_field(uint64_t h, const char *s)
{
	return fnv1a(h, s, strlen(s) + 1);
}

/*
 * "urn:uuid:" and a UUID shaped as version 4 (random), but derived from the
 * KB fingerprint, the patient id, as_of, the entry's kind and its index:
 * the same plan names its entries the same way every time.  Two FNV-1a
 * 64-bit hashes (the second continues the first by one byte), each through
 * a finaliser, give the 128 bits.
 */
static void
entry_urn(const struct ldn_plan *pl, enum fhir_kind kind, size_t index,
    char out[static URN_LEN + 1])
{
	const char *id = pl->patient->id;
	unsigned char u[16];
	char idx[24];
	uint64_t h = 0xcbf29ce484222325u, h2;

	snprintf(idx, sizeof(idx), "%zu", index);
	h = fnv1a_field(h, pl->kb->fingerprint);
	/* A missing id differs from an empty one. */
	h = fnv1a(h, id ? "+" : "-", 1);
	h = fnv1a_field(h, id ? id : "");
	h = fnv1a_field(h, pl->as_of_str);
	h = fnv1a_field(h, kind_names[kind]);
	h = fnv1a_field(h, idx);
	h2 = mix64(fnv1a(h, "\xff", 1));
	h = mix64(h);
	for (int i = 0; i < 8; i++) {
		u[i] = (unsigned char)(h >> (56 - 8 * i));
		u[8 + i] = (unsigned char)(h2 >> (56 - 8 * i));
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, URN_LEN + 1,
	    "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
	    u[11], u[12], u[13], u[14], u[15]);
}

/* A Reference to another entry of the bundle, by its fullUrl. */
static void
reference(struct jw *w, const struct ldn_plan *pl, enum fhir_kind kind,
    size_t index)
{
	char urn[URN_LEN + 1];

	entry_urn(pl, kind, index, urn);
	jw_obj(w);
	jw_kstr(w, "reference", urn);
	jw_end_obj(w);
}

/* The patient as the plan knows it: a display, never an invented
 * reference. */
static void
subject(struct jw *w, const struct ldn_plan *pl)
{
	jw_key(w, "subject");
	jw_obj(w);
	jw_kstr(w, "display", pl->patient->id ? pl->patient->id : no_id);
	jw_end_obj(w);
}

/* Opens an entry: its fullUrl and the resource's type; the caller writes
 * the resource's elements and calls entry_end(). */
static void
entry_begin(struct jw *w, const struct ldn_plan *pl, enum fhir_kind kind,
    size_t index)
{
	char urn[URN_LEN + 1];

	entry_urn(pl, kind, index, urn);
	jw_obj(w);
	jw_kstr(w, "fullUrl", urn);
	jw_key(w, "resource");
	jw_obj(w);
	jw_kstr(w, "resourceType", kind_names[kind]);
}

static void
entry_end(struct jw *w)
{
	jw_end_obj(w);
	jw_end_obj(w);
}

static bool
is_issue(const struct finding *f)
{
	enum severity s = entry_specs[f->id].severity;

	return s == SEV_BLOCK || s == SEV_CAUTION;
}

static void
description(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	const struct fhir_labels *L = &labels[aud];
	char mg[3][16];

	tmp->len = 0;
	if (pl->decision == LDN_DECISION_DO_NOT_START) {
		struct strbuf ids = STRBUF_INIT(RENDER_LIMIT);

		sb_puts(tmp, L->no_start);
		for (size_t i = 0; i < pl->n_findings; i++)
			if (entry_specs[pl->findings[i].id].severity ==
			    SEV_BLOCK)
				sb_printf(&ids, "%s%s", ids.len ? ", " : "",
				    pl->kb->entries[pl->findings[i].id].id);
		if (L->blocks != NULL && ids.len > 0)
			sb_printf(tmp, L->blocks, sb_cstr(&ids));
		tmp->failed |= ids.failed;
		sb_free(&ids);
	} else {
		sb_printf(tmp,
		    pl->decision == LDN_DECISION_START ? L->start : L->wait,
		    pl->earliest_str);
		mg_string(pl->start_ug, mg[0]);
		mg_string(pl->step_ug, mg[1]);
		mg_string(pl->ceiling_ug, mg[2]);
		sb_printf(tmp,
		    pl->start_ug >= pl->ceiling_ug ? L->dose_fixed : L->dose,
		    mg[0], pl->morning ? "in the morning" : "at bedtime", mg[1],
		    (int)pl->interval_d, mg[2]);
	}
	jw_key(w, "description");
	jw_strn(w, tmp->s ? tmp->s : "", tmp->len);
}

static void
note(struct jw *w, const struct ldn_plan *pl, struct strbuf *tmp,
    const struct tmpl *t, const char *const *vars)
{
	jw_obj(w);
	jw_key(w, "text");
	render_text_json(w, pl, tmp, t, vars);
	jw_end_obj(w);
}

/* What to confirm before the first dose, the holds (which no request
 * carries) and the monitoring, as CarePlan.note. */
static void
notes(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	jw_key(w, "note");
	jw_arr(w);
	/* first, how the words are sourced and checked (never empty, as
	 * FHIR JSON wants of an array) */
	tmp->len = 0;
	sb_printf(tmp, "%s: %s", render_labels[aud].policy, RENDER_POLICY_PATH);
	jw_obj(w);
	jw_key(w, "text");
	jw_strn(w, tmp->s ? tmp->s : "", tmp->len);
	jw_end_obj(w);
	for (size_t i = 0; i < pl->n_items; i++)
		if (entry_specs[pl->items[i].id].list != L_MONITOR)
			note(w, pl, tmp,
			    &pl->kb->entries[pl->items[i].id].text[aud],
			    pl->items[i].vars);
	for (size_t i = 0; i < pl->n_steps; i++) {
		const char *vars[V_COUNT] = { 0 };
		char d[11], dose[24];
		enum entry_id e;

		if (pl->steps[i].kind != STEP_HOLD)
			continue;
		e = render_step_vars(pl, i, d, dose, vars);
		note(w, pl, tmp, &pl->kb->entries[e].text[aud], vars);
	}
	for (size_t i = 0; i < pl->n_items; i++)
		if (entry_specs[pl->items[i].id].list == L_MONITOR)
			note(w, pl, tmp,
			    &pl->kb->entries[pl->items[i].id].text[aud],
			    pl->items[i].vars);
	jw_end_arr(w);
}

static void
careplan(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp)
{
	size_t n_issues = 0, n_requests = 0;

	for (size_t i = 0; i < pl->n_findings; i++)
		n_issues += is_issue(&pl->findings[i]);
	for (size_t i = 0; i < pl->n_steps; i++)
		n_requests += pl->steps[i].kind != STEP_HOLD;

	entry_begin(w, pl, FK_CAREPLAN, 0);
	jw_kstr(w, "status",
	    pl->decision == LDN_DECISION_DO_NOT_START ? "draft" : "active");
	jw_kstr(w, "intent", "plan");
	jw_kstr(w, "title", labels[aud].title);
	description(w, pl, aud, tmp);
	subject(w, pl);
	if (pl->earliest != DATE_NONE) {
		jw_key(w, "period");
		jw_obj(w);
		jw_kstr(w, "start", pl->earliest_str);
		jw_end_obj(w);
	}
	if (n_issues > 0) {
		jw_key(w, "supportingInfo");
		jw_arr(w);
		for (size_t i = 0; i < pl->n_findings; i++)
			if (is_issue(&pl->findings[i]))
				reference(w, pl, FK_ISSUE, i);
		jw_end_arr(w);
	}
	if (n_requests > 0) {
		jw_key(w, "activity");
		jw_arr(w);
		for (size_t i = 0; i < pl->n_steps; i++) {
			if (pl->steps[i].kind == STEP_HOLD)
				continue;
			/* CarePlan.activity.reference is a Reference in a
			 * BackboneElement. */
			jw_obj(w);
			jw_key(w, "reference");
			reference(w, pl, FK_REQUEST, i);
			jw_end_obj(w);
		}
		jw_end_arr(w);
	}
	notes(w, pl, aud, tmp);
	entry_end(w);
}

/* The day before the next dose change after step i (a new dose or a hold),
 * or DATE_NONE when step i is the last. */
static int32_t
bound_end(const struct ldn_plan *pl, size_t i)
{
	return i + 1 < pl->n_steps ? pl->steps[i + 1].date - 1 : DATE_NONE;
}

static void
request(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp, size_t i)
{
	const struct step *s = &pl->steps[i];
	const char *vars[V_COUNT] = { 0 };
	char d[11], dose[24], mg[16], end[11];
	enum entry_id e = render_step_vars(pl, i, d, dose, vars);
	int32_t last = bound_end(pl, i);

	mg_string(s->dose_ug, mg);
	entry_begin(w, pl, FK_REQUEST, i);
	jw_kstr(w, "status", "draft");
	jw_kstr(w, "intent", "proposal");
	jw_key(w, "medicationCodeableConcept");
	jw_obj(w);
	/* Text only: RxNorm has no code for compounded LDN strengths, and
	 * kb/codes holds no ingredient code to vouch for. */
	tmp->len = 0;
	sb_printf(tmp, "Naltrexone (low-dose, compounded) %s mg", mg);
	jw_key(w, "text");
	jw_strn(w, tmp->s ? tmp->s : "", tmp->len);
	jw_end_obj(w);
	subject(w, pl);
	jw_key(w, "basedOn");
	jw_arr(w);
	reference(w, pl, FK_CAREPLAN, 0);
	jw_end_arr(w);

	jw_key(w, "dosageInstruction");
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "text");
	render_text_json(w, pl, tmp, &pl->kb->entries[e].text[aud], vars);
	jw_key(w, "timing");
	jw_obj(w);
	jw_key(w, "repeat");
	jw_obj(w);
	jw_key(w, "boundsPeriod");
	jw_obj(w);
	jw_kstr(w, "start", d);
	if (last != DATE_NONE) {
		date_format(last, end);
		jw_kstr(w, "end", end);
	}
	jw_end_obj(w);
	jw_kint(w, "frequency", 1);
	jw_kint(w, "period", 1);
	jw_kstr(w, "periodUnit", "d");
	jw_key(w, "when");
	jw_arr(w);
	/* EventTiming: before sleep, or morning (timing.morning) */
	jw_str(w, pl->morning ? "MORN" : "HS");
	jw_end_arr(w);
	jw_end_obj(w);
	jw_end_obj(w);
	jw_key(w, "doseAndRate");
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "doseQuantity");
	jw_obj(w);
	jw_key(w, "value");
	jw_mg(w, s->dose_ug);
	jw_kstr(w, "unit", "mg");
	jw_kstr(w, "system", "http://unitsofmeasure.org");
	jw_kstr(w, "code", "mg");
	jw_end_obj(w);
	jw_end_obj(w);
	jw_end_arr(w);
	jw_end_obj(w);
	jw_end_arr(w);
	entry_end(w);
}

/* "4. Title (Source 2019) doi:10.x/y", leaving out what the KB lacks. */
static void
evidence_display(struct strbuf *b, const struct kb_ref *r, unsigned n)
{
	sb_printf(b, "%u. %s", n, r->title ? r->title : r->id);
	if (r->source && r->year)
		sb_printf(b, " (%s %d)", r->source, r->year);
	else if (r->source)
		sb_printf(b, " (%s)", r->source);
	else if (r->year)
		sb_printf(b, " (%d)", r->year);
	if (r->doi)
		sb_printf(b, " doi:%s", r->doi);
}

static void
issue(struct jw *w, const struct ldn_plan *pl, enum audience aud,
    struct strbuf *tmp, size_t i)
{
	const struct finding *f = &pl->findings[i];
	const struct kb_entry *e = &pl->kb->entries[f->id];
	const struct cites fc = finding_cites(pl->kb, f);

	entry_begin(w, pl, FK_ISSUE, i);
	jw_kstr(w, "status", "final");
	jw_key(w, "code");
	jw_obj(w);
	jw_kstr(w, "text", e->id);
	jw_end_obj(w);
	jw_kstr(w, "severity",
	    entry_specs[f->id].severity == SEV_BLOCK ? "high" : "moderate");
	if (pl->patient->id) {
		jw_key(w, "patient");
		jw_obj(w);
		jw_kstr(w, "display", pl->patient->id);
		jw_end_obj(w);
	}
	jw_kstr(w, "identifiedDateTime", pl->as_of_str);
	if (fc.n > 0) {
		jw_key(w, "evidence");
		jw_arr(w);
		for (size_t k = 0; k < fc.n; k++) {
			uint16_t r = fc.ref[k];

			tmp->len = 0;
			evidence_display(tmp, &pl->kb->refs[r],
			    pl->ref_number[r]);
			jw_obj(w);
			jw_key(w, "detail");
			jw_arr(w);
			jw_obj(w);
			jw_key(w, "display");
			jw_strn(w, tmp->s ? tmp->s : "", tmp->len);
			jw_end_obj(w);
			jw_end_arr(w);
			jw_end_obj(w);
		}
		jw_end_arr(w);
	}
	jw_key(w, "detail");
	render_text_json(w, pl, tmp, &e->text[aud], f->vars);
	entry_end(w);
}

enum ldn_status
render_fhir(const struct ldn_plan *pl, enum audience aud, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf tmp = STRBUF_INIT(RENDER_LIMIT);
	struct jw w;

	sb_hint(&b, 64u << 10);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "resourceType", "Bundle");
	jw_kstr(&w, "type", "collection");
	jw_key(&w, "entry");
	jw_arr(&w);
	careplan(&w, pl, aud, &tmp);
	for (size_t i = 0; i < pl->n_steps; i++)
		if (pl->steps[i].kind != STEP_HOLD)
			request(&w, pl, aud, &tmp, i);
	for (size_t i = 0; i < pl->n_findings; i++)
		if (is_issue(&pl->findings[i]))
			issue(&w, pl, aud, &tmp, i);
	jw_end_arr(&w);
	jw_end_obj(&w);
	return render_finish(&b, &tmp, out, len, err);
}
