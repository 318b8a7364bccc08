/*
 * CDS Hooks cards from a plan and the hook's draft orders.  Every word a
 * card says about the patient is the knowledge base's (kb/findings.yaml:
 * the `cards` list, and the findings, schedule lines and references of the
 * plan); this file decides which cards apply and lays them out: a summary
 * under 140 characters, an indicator, a markdown detail whose statements
 * carry numbered citations resolved in its reference list, the source, and
 * for a replaceable draft a suggestion with an update (or create) action.
 */
#include "cds_impl.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/date.h"
#include "../base/dose.h"
#include "../base/jsonw.h"
#include "../base/strbuf.h"
#include "../kb/tmpl.h"
#include "../render/render.h"

enum {
	CARDS_LIMIT = 16u << 20,
	SUMMARY_MAX = 139 /* characters: CDS Hooks wants under 140 */
};

/* Section headings of a card's detail (layout, like the text plan's). */
static const char H_BLOCKS[] = "Blocks";
static const char H_CAUTIONS[] = "Cautions";
static const char H_TITRATION[] = "Titration";
static const char H_BEFORE[] = "Before the first dose";
static const char H_REFERENCES[] = "References";

struct cw {
	struct cds_req *r;
	const struct ldn_plan *pl; /* NULL when no record was needed */
	const struct ldn_kb *kb;
	struct strbuf out, md, tmp;
	struct jw w;
	uint16_t *num;   /* per kb reference: its number in this card */
	uint16_t *order; /* references in order of first citation */
	size_t n_refs;
	const char *not_seen; /* resource types not seen, or NULL */
};

/* A suggestion that replaces draft d with the first LDN step. */
struct suggestion {
	const struct cds_draft *d;
	const char *const *vars; /* start dose, date, interval, ceiling */
};

static const char *
mg(struct cw *c, int32_t ug)
{
	char b[16];

	mg_string(ug, b);
	return arena_printf(&c->r->a, "%s mg", b);
}

static const char *
whole(struct cw *c, long v)
{
	return arena_printf(&c->r->a, "%ld", v);
}

/* Markdown is read as markup: escape what would be, so the record's
 * words and the knowledge base's read as written. */
static void
md_escape(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr("\\`*_[]<>#|~", s[i]) != NULL && s[i] != '\0')
			sb_add(b, "\\", 1);
		sb_add(b, &s[i], 1);
	}
}

static void
expand(struct cw *c, const struct tmpl *t, const char *const *vars)
{
	c->tmp.len = 0;
	tmpl_expand(&c->tmp, c->kb, t, vars);
}

/* " [1, 2]": the citations of an entry, numbered in this card. */
static void
cite(struct cw *c, struct cites cs)
{
	sb_puts(&c->md, " [");
	for (size_t i = 0; i < cs.n; i++) {
		uint16_t k = cs.ref[i];

		if (c->num[k] == 0) {
			c->order[c->n_refs++] = k;
			c->num[k] = (uint16_t)c->n_refs;
		}
		sb_printf(&c->md, "%s%u", i ? ", " : "", (unsigned)c->num[k]);
	}
	sb_puts(&c->md, "]");
}

/* An entry's words for the call's audience (a card without patient words
 * is for clinicians only). */
static const struct tmpl *
words(struct cw *c, const struct kb_entry *e)
{
	const struct tmpl *t = &e->text[c->r->aud];

	return t->n > 0 ? t : &e->text[AUD_CLINICIAN];
}

static void
para(struct cw *c, const struct tmpl *t, const char *const *vars,
    struct cites cs, const char *bullet)
{
	expand(c, t, vars);
	sb_puts(&c->md, bullet);
	md_escape(&c->md, c->tmp.s ? c->tmp.s : "", c->tmp.len);
	cite(c, cs);
	sb_puts(&c->md, *bullet ? "\n" : "\n\n");
}

static void
entry_para(struct cw *c, enum entry_id e, const char *const *vars)
{
	para(c, words(c, &c->kb->entries[e]), vars, c->kb->entries[e].cites,
	    "");
}

static void
heading(struct cw *c, const char *h)
{
	sb_printf(&c->md, "**%s**\n\n", h);
}

static void
card_begin(struct cw *c)
{
	c->md.len = 0;
	for (size_t i = 0; i < c->n_refs; i++)
		c->num[c->order[i]] = 0;
	c->n_refs = 0;
}

/* Findings of the plan, as a bulleted list under a heading, those that
 * keep() accepts; returns how many. */
static size_t
findings(struct cw *c, const char *h, bool (*keep)(const struct finding *))
{
	const struct ldn_plan *pl = c->pl;
	size_t n = 0;

	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];
		const struct kb_entry *e = &c->kb->entries[f->id];

		if (!keep(f))
			continue;
		if (n++ == 0)
			heading(c, h);
		para(c, words(c, e), f->vars, e->cites, "- ");
	}
	if (n > 0)
		sb_puts(&c->md, "\n");
	return n;
}

/* One reference as a markdown list item (appends, not printf: a card
 * lists twenty references, and formatting them was a tenth of a call). */
static void
reference(struct cw *c, const struct kb_ref *r, size_t n)
{
	struct strbuf *t = &c->tmp;

	t->len = 0;
	if (r->authors) {
		sb_puts(t, r->authors);
		sb_puts(t, ". ");
	}
	sb_puts(t, r->title ? r->title : r->id);
	sb_puts(t, ". ");
	sb_puts(t, r->source ? r->source : "");
	if (r->year) {
		sb_puts(t, ", ");
		sb_int(t, r->year);
	}
	if (r->volume) {
		sb_puts(t, ";");
		sb_puts(t, r->volume);
	}
	if (r->pages) {
		sb_puts(t, ":");
		sb_puts(t, r->pages);
	}
	sb_puts(t, ".");
	if (r->doi) {
		sb_puts(t, " doi:");
		sb_puts(t, r->doi);
		sb_puts(t, ".");
	}
	if (r->pmid) {
		sb_puts(t, " PMID ");
		sb_puts(t, r->pmid);
		sb_puts(t, ".");
	}
	if (r->url && !r->doi) {
		sb_puts(t, " ");
		sb_puts(t, r->url);
	}
	sb_puts(t, " (");
	sb_puts(t, evidence_names[r->evidence]);
	if (strcmp(r->resolution, "resolved") != 0) {
		sb_puts(t, "; reference ");
		sb_puts(t, r->resolution);
	}
	sb_puts(t, ")");
	sb_int(&c->md, (long long)n);
	sb_puts(&c->md, ". ");
	md_escape(&c->md, t->s ? t->s : "", t->len);
	sb_puts(&c->md, "\n");
}

/* The end of every card's detail: what was not seen, the references, and
 * the knowledge base's release and review state. */
static void
card_tail(struct cw *c)
{
	const struct ldn_kb *kb = c->kb;

	if (c->not_seen != NULL) {
		const char *vars[V_COUNT] = { 0 };

		vars[V_DETAIL] = c->not_seen;
		entry_para(c, E_CARD_NOT_SEEN, vars);
	}
	heading(c, H_REFERENCES);
	for (size_t i = 0; i < c->n_refs; i++)
		reference(c, &kb->refs[c->order[i]], i + 1);
	sb_printf(&c->md,
	    "\nKnowledge base %s (%s), fingerprint %s, review state %s.",
	    kb->version ? kb->version : "", kb->updated ? kb->updated : "",
	    kb->fingerprint, review_names[kb->review]);
	if (kb->review != RV_APPROVED)
		sb_puts(&c->md,
		    " Content is pending clinical review: verify against the "
		    "cited sources before use.");
}

/* A version-4-shaped UUID from SHA-256 of the hook instance, the rule and
 * what the rule was about (a draft's id), so a repeated call gives the
 * same card the same uuid. */
static const char *
uuid(struct cw *c, const char *rule, const char *about)
{
	struct strbuf b = STRBUF_INIT(1u << 12);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char s[37];
	size_t o = 0;

	sb_printf(&b, "%s%c%s%c%s", c->r->hook_instance, 0x1f, rule, 0x1f,
	    about ? about : "");
	EVP_Digest(b.s ? b.s : "", b.len, md, &len, EVP_sha256(), NULL);
	sb_free(&b);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x40);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[o++] = '-';
		s[o++] = "0123456789abcdef"[md[i] >> 4];
		s[o++] = "0123456789abcdef"[md[i] & 15];
	}
	s[o] = '\0';
	return arena_strdup(&c->r->a, s);
}

/* An entry's summary line, clipped (at a character) below 140. */
static void
summary(struct cw *c, enum entry_id e, const char *const *vars)
{
	size_t chars = 0, cut = 0;

	expand(c, &c->kb->entries[e].summary, vars);
	for (size_t i = 0; i < c->tmp.len; i++)
		if (((unsigned char)c->tmp.s[i] & 0xC0) != 0x80 &&
		    chars++ == SUMMARY_MAX - 1)
			cut = i; /* where the last character that fits starts */
	if (chars > SUMMARY_MAX) {
		c->tmp.len = cut;
		sb_puts(&c->tmp, "\xe2\x80\xa6"); /* an ellipsis */
	}
	jw_key(&c->w, "summary");
	jw_strn(&c->w, c->tmp.s ? c->tmp.s : "", c->tmp.len);
}

/* One JSON value as it came, for members of a draft copied into the
 * suggested resource. */
static void
node_json(struct jw *w, const struct jnode *v)
{
	char num[40];

	switch (v->type) {
	case J_NULL:
		jw_null(w);
		return;
	case J_BOOL:
		jw_bool(w, v->u.b);
		return;
	case J_NUM:
		if (v->u.num.is_int) {
			jw_int(w, v->u.num.i);
			return;
		}
		/* the shortest form that reads back the same */
		snprintf(num, sizeof(num), "%.15g", v->u.num.d);
		if (strtod(num, NULL) != v->u.num.d)
			snprintf(num, sizeof(num), "%.17g", v->u.num.d);
		jw_raw(w, num, strlen(num));
		return;
	case J_STR:
		jw_strn(w, v->u.s, v->n);
		return;
	case J_ARR:
		jw_arr(w);
		for (size_t i = 0; i < v->n; i++)
			node_json(w, &v->u.items[i]);
		jw_end_arr(w);
		return;
	case J_OBJ:
		jw_obj(w);
		for (size_t i = 0; i < v->n; i++) {
			jw_key(w, v->u.members[i].key);
			node_json(w, &v->u.members[i].val);
		}
		jw_end_obj(w);
		return;
	}
}

/* A draft's member, written whole (its own writer keeps the nesting
 * within bounds). */
static void
copy_member(struct cw *c, const struct jmember *m)
{
	struct strbuf b = STRBUF_INIT(CARDS_LIMIT);
	struct jw w;

	jw_init(&w, &b);
	node_json(&w, &m->val);
	jw_key(&c->w, m->key);
	if (b.failed)
		c->out.failed = true;
	jw_raw(&c->w, b.s ? b.s : "null", b.s ? b.len : 4);
	sb_free(&b);
}

static void
write_medication(struct cw *c, const char *const *vars)
{
	jw_key(&c->w, "medicationCodeableConcept");
	jw_obj(&c->w);
	expand(c, &c->kb->entries[E_CARD_LDN_ORDER].summary, vars);
	jw_key(&c->w, "text");
	jw_strn(&c->w, c->tmp.s ? c->tmp.s : "", c->tmp.len);
	jw_end_obj(&c->w);
}

/* The first step: once daily at bedtime from the start date, by mouth,
 * the dose in UCUM mg. */
static void
write_dosage(struct cw *c, const char *const *vars)
{
	struct jw *w = &c->w;

	jw_key(w, "dosageInstruction");
	jw_arr(w);
	jw_obj(w);
	expand(c, &c->kb->entries[E_CARD_LDN_ORDER].text[AUD_CLINICIAN], vars);
	jw_key(w, "text");
	jw_strn(w, c->tmp.s ? c->tmp.s : "", c->tmp.len);
	jw_key(w, "timing");
	jw_obj(w);
	jw_key(w, "repeat");
	jw_obj(w);
	jw_key(w, "boundsPeriod");
	jw_obj(w);
	jw_kstr(w, "start", vars[V_DATE]);
	jw_end_obj(w);
	jw_kint(w, "frequency", 1);
	jw_kint(w, "period", 1);
	jw_kstr(w, "periodUnit", "d");
	jw_key(w, "when");
	jw_arr(w);
	jw_str(w, c->pl->morning ? "MORN" : "HS"); /* FHIR EventTiming */
	jw_end_arr(w);
	jw_end_obj(w);
	jw_end_obj(w);
	jw_key(w, "route");
	jw_obj(w);
	jw_key(w, "coding");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "system", "http://snomed.info/sct");
	jw_kstr(w, "code", "26643006");
	jw_kstr(w, "display", "Oral route");
	jw_end_obj(w);
	jw_end_arr(w);
	jw_end_obj(w);
	jw_key(w, "doseAndRate");
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "doseQuantity");
	jw_obj(w);
	jw_key(w, "value");
	jw_mg(w, c->pl->start_ug);
	jw_kstr(w, "unit", "mg");
	jw_kstr(w, "system", "http://unitsofmeasure.org");
	jw_kstr(w, "code", "mg");
	jw_end_obj(w);
	jw_end_obj(w);
	jw_end_arr(w);
	jw_end_obj(w);
	jw_end_arr(w);
}

static bool
is_medication(const struct jnode *v)
{
	const struct jnode *rt = tree_get(v, "resourceType");

	return rt && rt->type == J_STR && strcmp(rt->u.s, "Medication") == 0;
}

/*
 * The draft as it would be after the suggestion: its own members kept
 * (the order's requester, encounter, intent ...), its medication, dosage
 * and dispensing replaced, a contained Medication dropped with the
 * reference to it, and what R4 requires added when the draft lacked it.
 */
static void
write_resource(struct cw *c, const struct suggestion *s)
{
	const struct jnode *res = s->d->res;
	bool med = false, dosage = false, subject = false, status = false,
	     intent = false;
	struct jw *w = &c->w;

	jw_obj(w);
	if (tree_get(res, "resourceType") == NULL)
		jw_kstr(w, "resourceType", "MedicationRequest");
	for (size_t i = 0; i < res->n; i++) {
		const struct jmember *m = &res->u.members[i];

		if (strcmp(m->key, "medicationCodeableConcept") == 0 ||
		    strcmp(m->key, "medicationReference") == 0) {
			if (!med)
				write_medication(c, s->vars);
			med = true;
		} else if (strcmp(m->key, "dosageInstruction") == 0) {
			write_dosage(c, s->vars);
			dosage = true;
		} else if (strcmp(m->key, "contained") == 0 &&
		    m->val.type == J_ARR) {
			size_t kept = 0;

			for (size_t k = 0; k < m->val.n; k++)
				kept += !is_medication(&m->val.u.items[k]);
			if (kept == 0)
				continue;
			jw_key(w, "contained");
			jw_arr(w);
			for (size_t k = 0; k < m->val.n; k++) {
				struct jmember one = { "x", 1,
					m->val.u.items[k] };
				struct strbuf b = STRBUF_INIT(CARDS_LIMIT);
				struct jw w2;

				if (is_medication(&one.val))
					continue;
				jw_init(&w2, &b);
				node_json(&w2, &one.val);
				jw_raw(w, b.s ? b.s : "null", b.s ? b.len : 4);
				c->out.failed |= b.failed;
				sb_free(&b);
			}
			jw_end_arr(w);
		} else if (strcmp(m->key, "dispenseRequest") != 0 &&
		    strcmp(m->key, "text") != 0 &&
		    strcmp(m->key, "meta") != 0) {
			subject |= strcmp(m->key, "subject") == 0;
			status |= strcmp(m->key, "status") == 0;
			intent |= strcmp(m->key, "intent") == 0;
			copy_member(c, m);
		}
	}
	if (!status)
		jw_kstr(w, "status", "draft");
	if (!intent)
		jw_kstr(w, "intent", "order");
	if (!med)
		write_medication(c, s->vars);
	if (!subject) {
		jw_key(w, "subject");
		jw_obj(w);
		jw_key(w, "reference");
		jw_str(w,
		    arena_printf(&c->r->a, "Patient/%s", c->r->patient_id));
		jw_end_obj(w);
	}
	if (!dosage)
		write_dosage(c, s->vars);
	jw_end_obj(w);
}

static const char *
about(struct cw *c, const struct cds_draft *d)
{
	return d->id ? d->id : whole(c, (long)d->index);
}

static void
write_suggestion(struct cw *c, const struct suggestion *s)
{
	const struct kb_entry *e = &c->kb->entries[E_CARD_SUGGEST_FIRST_STEP];
	struct jw *w = &c->w;

	jw_key(w, "suggestions");
	jw_arr(w);
	jw_obj(w);
	expand(c, &e->summary, s->vars);
	jw_key(w, "label");
	jw_strn(w, c->tmp.s ? c->tmp.s : "", c->tmp.len);
	jw_kstr(w, "uuid", uuid(c, e->id, about(c, s->d)));
	jw_key(w, "actions");
	jw_arr(w);
	jw_obj(w);
	/* With an id the client can replace the draft in place; without
	 * one it can only add the new order (the description says to
	 * remove the old). */
	jw_kstr(w, "type", s->d->id ? "update" : "create");
	expand(c, &e->text[AUD_CLINICIAN], s->vars);
	jw_key(w, "description");
	jw_strn(w, c->tmp.s ? c->tmp.s : "", c->tmp.len);
	jw_key(w, "resource");
	write_resource(c, s);
	jw_end_obj(w);
	jw_end_arr(w);
	jw_end_obj(w);
	jw_end_arr(w);
	jw_kstr(w, "selectionBehavior", "at-most-one");
}

/* Write the card whose detail is in c->md (the tail is added here). */
static void
card_end(struct cw *c, enum entry_id e, const char *const *vars,
    const char *indicator, const char *about_what, const struct suggestion *s)
{
	struct jw *w = &c->w;

	card_tail(c);
	jw_obj(w);
	jw_kstr(w, "uuid", uuid(c, c->kb->entries[e].id, about_what));
	summary(c, e, vars);
	jw_kstr(w, "indicator", indicator);
	jw_key(w, "detail");
	jw_strn(w, c->md.s ? c->md.s : "", c->md.len);
	jw_key(w, "source");
	jw_obj(w);
	jw_kstr(w, "label", c->kb->name ? c->kb->name : "ldn");
	jw_end_obj(w);
	if (s != NULL && c->r->aud == AUD_CLINICIAN)
		write_suggestion(c, s);
	jw_end_obj(w);
}

static bool
is_block(const struct finding *f)
{
	return entry_specs[f->id].severity == SEV_BLOCK;
}

static bool
is_caution(const struct finding *f)
{
	return entry_specs[f->id].severity == SEV_CAUTION;
}

static bool
any(const struct ldn_plan *pl, bool (*keep)(const struct finding *))
{
	for (size_t i = 0; i < pl->n_findings; i++)
		if (keep(&pl->findings[i]))
			return true;
	return false;
}

/* When doses are taken, in the card's words ("at bedtime"; "in the
 * morning" when the plan moved dosing to the morning). */
static const char *
timing_words(struct cw *c)
{
	struct strbuf b = STRBUF_INIT(256);
	const char *s = arena_strdup(&c->r->a,
	    render_timing_words(c->kb, c->pl->morning, c->r->aud, &b));

	sb_free(&b);
	return s ? s : "";
}

static void
dose_vars(struct cw *c, const char **vars)
{
	const struct ldn_plan *pl = c->pl;

	vars[V_TIMING] = timing_words(c);
	vars[V_START_DOSE] = mg(c, pl->start_ug);
	vars[V_INTERVAL_DAYS] = whole(c, pl->interval_d);
	vars[V_CEILING] = mg(c, pl->ceiling_ug);
	/* the first dose's day: as of today, or when the wait ends */
	vars[V_DATE] = pl->earliest_str[0] ? pl->earliest_str : c->r->as_of_str;
}

/* patient-view: may this patient start LDN, and when. */
static void
view_card(struct cw *c)
{
	const struct ldn_plan *pl = c->pl;
	const char *vars[V_COUNT] = { 0 };
	enum entry_id e = E_CARD_VIEW_DO_NOT_START;
	const char *indicator = "critical";

	dose_vars(c, vars);
	if (pl->decision == LDN_DECISION_START) {
		e = E_CARD_VIEW_START;
		indicator = any(pl, is_caution) ? "warning" : "info";
	} else if (pl->decision == LDN_DECISION_WAIT) {
		e = E_CARD_VIEW_WAIT;
		vars[V_LIFT_DATE] = pl->earliest_str;
		indicator = "warning";
	}
	card_begin(c);
	entry_para(c, e, vars);
	findings(c, H_BLOCKS, is_block);
	findings(c, H_CAUTIONS, is_caution);
	if (pl->n_steps > 0) {
		const struct kb_entry *ceil =
		    &c->kb->entries[E_SCHEDULE_CEILING];
		const char *sv[V_COUNT] = { 0 };
		char date[11], dose[24];

		heading(c, H_TITRATION);
		for (size_t i = 0; i < pl->n_steps; i++) {
			enum entry_id se =
			    render_step_vars(pl, i, date, dose, sv);

			para(c, &c->kb->entries[se].text[AUD_CLINICIAN], sv,
			    c->kb->entries[se].cites, "- ");
		}
		memset(sv, 0, sizeof(sv));
		sv[V_DOSE] = mg(c, pl->ceiling_ug);
		para(c, &ceil->text[AUD_CLINICIAN], sv, ceil->cites, "- ");
		sb_puts(&c->md, "\n");
	}
	size_t n = 0;
	for (size_t i = 0; i < pl->n_items; i++) {
		const struct item *it = &pl->items[i];

		if (entry_specs[it->id].list != L_SCHEDULE)
			continue;
		if (n++ == 0)
			heading(c, H_BEFORE);
		para(c, &c->kb->entries[it->id].text[AUD_CLINICIAN], it->vars,
		    c->kb->entries[it->id].cites, "- ");
	}
	if (n > 0)
		sb_puts(&c->md, "\n");
	card_end(c, e, vars, indicator, "", NULL);
}

static bool
in(enum entry_id id, const enum entry_id *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == id)
			return true;
	return false;
}

#define IN(id, set) in((id), (set), sizeof(set) / sizeof((set)[0]))

/* Findings that say opioids are (or may be) on board: they fire the
 * opioid card; the related cautions go with it. */
static const enum entry_id opioid_blocks[] = { E_OPIOID_REQUIRED,
	E_OPIOID_ACTIVE, E_OPIOID_LAST_DOSE_UNKNOWN, E_OPIOID_WASHOUT,
	E_OPIOID_DEPOT, E_OPIOID_CURRENT_USE, E_OPIOID_ORDER_ON_FILE,
	E_MEDICATION_CODE_NAME_CONFLICT };
static const enum entry_id opioid_related[] = { E_OPIOID_LAST_DOSE_INFERRED,
	E_OPIOID_USE_DISORDER, E_OPIOID_OCCULT, E_INTAKE_MEDICATIONS_PARTIAL };
/* Procedures that fire the surgery card, and its companion. */
static const enum entry_id periop_fire[] = { E_PERIOP_HOLD,
	E_PERIOP_START_AFTER, E_PERIOP_RECENT, E_PERIOP_RECENT_UNKNOWN,
	E_PERIOP_NALTREXONE_HOLD, E_PERIOP_NALTREXONE_STOP_NOW };
static const enum entry_id periop_related[] = { E_PERIOP_OPIOIDS_UNKNOWN };

static bool
opioid_fire(const struct finding *f)
{
	return IN(f->id, opioid_blocks);
}

static bool
opioid_caution(const struct finding *f)
{
	return IN(f->id, opioid_related);
}

/* A procedure's findings: holds and waits, then what to confirm. */
static bool
periop_block(const struct finding *f)
{
	return IN(f->id, periop_fire) && is_block(f);
}

static bool
periop_caution(const struct finding *f)
{
	return (IN(f->id, periop_fire) || IN(f->id, periop_related)) &&
	    !is_block(f);
}

static bool
other_block(const struct finding *f)
{
	return is_block(f) && !IN(f->id, opioid_blocks) &&
	    !IN(f->id, periop_fire);
}

static const char *
draft_name(struct cw *c, const struct cds_draft *d)
{
	if (d->name != NULL)
		return d->name;
	return d->id
	    ? arena_printf(&c->r->a, "MedicationRequest/%s", d->id)
	    : arena_printf(&c->r->a, "draftOrders entry %zu", d->index);
}

/* The plan's first recorded LDN indication, or NULL. */
static const char *
indication(const struct ldn_plan *pl)
{
	for (size_t i = 0; i < pl->n_findings; i++)
		if (pl->findings[i].id == E_INDICATION_MATCH)
			return pl->findings[i].vars[V_CONDITION];
	return NULL;
}

/* The naltrexone drafts: the patient's opioids, procedures and other
 * blocks once, then each draft's dose. */
static void
naltrexone_cards(struct cw *c, const struct cds_draft *first)
{
	const struct ldn_plan *pl = c->pl;
	const char *vars[V_COUNT] = { 0 };
	const char *pain = indication(pl);
	bool dns = pl->decision == LDN_DECISION_DO_NOT_START, ldn = false;

	dose_vars(c, vars);
	vars[V_DRUG] = draft_name(c, first);
	for (size_t i = 0; i < c->r->n_drafts; i++) {
		const struct cds_draft *d = &c->r->drafts[i];

		ldn |= d->naltrexone &&
		    (d->ncls == MC_NALTREXONE_LDN ||
		        d->ncls == MC_NALTREXONE_UNKNOWN_DOSE ||
		        (d->ncls == MC_NALTREXONE_STANDARD && pain != NULL));
	}
	if (any(pl, opioid_fire)) {
		card_begin(c);
		entry_para(c, E_CARD_ORDER_OPIOID, vars);
		findings(c, H_BLOCKS, opioid_fire);
		findings(c, H_CAUTIONS, opioid_caution);
		card_end(c, E_CARD_ORDER_OPIOID, vars,
		    dns ? "critical" : "warning", about(c, first), NULL);
	}
	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];

		if (!IN(f->id, periop_fire))
			continue;
		vars[V_PROCEDURE] = f->vars[V_PROCEDURE];
		vars[V_PROCEDURE_DATE] = f->vars[V_PROCEDURE_DATE];
		card_begin(c);
		entry_para(c, E_CARD_ORDER_SURGERY, vars);
		findings(c, H_BLOCKS, periop_block);
		findings(c, H_CAUTIONS, periop_caution);
		card_end(c, E_CARD_ORDER_SURGERY, vars, "warning",
		    about(c, first), NULL);
		break;
	}
	if (ldn && any(pl, other_block)) {
		card_begin(c);
		entry_para(c, E_CARD_ORDER_BLOCKED, vars);
		findings(c, H_BLOCKS, other_block);
		card_end(c, E_CARD_ORDER_BLOCKED, vars,
		    dns ? "critical" : "warning", about(c, first), NULL);
	}
	for (size_t i = 0; i < c->r->n_drafts; i++) {
		const struct cds_draft *d = &c->r->drafts[i];
		struct suggestion s = { d, vars };

		if (!d->naltrexone)
			continue;
		vars[V_DRUG] = draft_name(c, d);
		if (d->ncls == MC_NALTREXONE_STANDARD && d->dose_ug > 0 &&
		    pain != NULL) {
			vars[V_DOSE] = mg(c, d->dose_ug);
			vars[V_CONDITION] = pain;
			card_begin(c);
			entry_para(c, E_CARD_ORDER_STANDARD_DOSE, vars);
			card_end(c, E_CARD_ORDER_STANDARD_DOSE, vars, "warning",
			    about(c, d), dns ? NULL : &s);
		} else if (!dns &&
		    (d->ncls == MC_NALTREXONE_UNKNOWN_DOSE ||
		        (d->ncls == MC_NALTREXONE_LDN &&
		            (d->dose_ug < 0 || d->dose_ug > pl->start_ug)))) {
			card_begin(c);
			entry_para(c, E_CARD_ORDER_FIRST_STEP, vars);
			card_end(c, E_CARD_ORDER_FIRST_STEP, vars, "info",
			    about(c, d), &s);
		}
	}
}

static const char *
med_name(struct cw *c, const struct medication *m)
{
	if (m->name != NULL)
		return m->name;
	if (m->code_display != NULL)
		return m->code_display;
	return arena_printf(&c->r->a, "RxNorm %s", m->rxnorm ? m->rxnorm : "?");
}

/* An opioid draft for a patient whose medication list holds naltrexone. */
static void
opioid_cards(struct cw *c)
{
	const struct patient *p = c->pl->patient;
	struct strbuf names = STRBUF_INIT(1u << 16);
	bool standard = false;
	size_t n = 0;

	for (size_t i = 0; i < p->n_medications; i++) {
		const struct medication *m = &p->medications[i];

		if (!m->active ||
		    !(cds_is_naltrexone(m->cls) ||
		        cds_is_naltrexone(m->name_cls)))
			continue;
		sb_printf(&names, "%s%s", n++ ? "; " : "", med_name(c, m));
		/* above the LDN range, by its strength or its class */
		standard |= m->dose_ug > c->kb->params.ldn_max_ug ||
		    m->cls == MC_NALTREXONE_STANDARD;
	}
	for (size_t i = 0; n > 0 && i < c->r->n_drafts; i++) {
		const struct cds_draft *d = &c->r->drafts[i];
		const char *vars[V_COUNT] = { 0 };
		enum entry_id e = standard ? E_CARD_OPIOID_ON_NALTREXONE
		                           : E_CARD_OPIOID_ON_LDN;

		if (!d->opioid)
			continue;
		vars[V_DRUG] = draft_name(c, d);
		vars[V_DETAIL] = arena_strdup(&c->r->a, sb_cstr(&names));
		vars[V_WASHOUT_DAYS] = whole(c, cds_washout_d(c->kb, d->ocls));
		card_begin(c);
		entry_para(c, e, vars);
		card_end(c, e, vars, standard ? "critical" : "warning",
		    about(c, d), NULL);
	}
	c->out.failed |= names.failed;
	sb_free(&names);
}

/* The resource types of the optional keys nobody sent. */
static const char *
not_seen(struct cds_req *r)
{
	struct strbuf b = STRBUF_INIT(1u << 12);
	const char *s;

	for (size_t k = 0; k < N_KEYS; k++)
		if (!cds_keys[k].required && r->origin[k] == ORIGIN_NONE)
			sb_printf(&b, "%s%s", b.len ? ", " : "",
			    cds_keys[k].type);
	s = b.len ? arena_strdup(&r->a, sb_cstr(&b)) : NULL;
	sb_free(&b);
	return s;
}

enum ldn_status
cds_cards(struct cds_req *r, const struct ldn_plan *pl, char **out, size_t *len)
{
	struct cw c = { .r = r, .pl = pl, .kb = r->kb };
	size_t nr = r->kb->n_refs ? r->kb->n_refs : 1;

	c.out = STRBUF_INIT(CARDS_LIMIT);
	c.md = STRBUF_INIT(CARDS_LIMIT);
	c.tmp = STRBUF_INIT(CARDS_LIMIT);
	c.num = arena_calloc(&r->a, nr, sizeof(*c.num));
	c.order = arena_calloc(&r->a, nr, sizeof(*c.order));
	c.not_seen = not_seen(r);
	jw_init(&c.w, &c.out);
	jw_obj(&c.w);
	jw_key(&c.w, "cards");
	jw_arr(&c.w);
	if (c.num != NULL && c.order != NULL && pl != NULL) {
		if (r->svc->hook == HOOK_PATIENT_VIEW) {
			view_card(&c);
		} else {
			for (size_t i = 0; i < r->n_drafts; i++)
				if (r->drafts[i].naltrexone) {
					naltrexone_cards(&c, &r->drafts[i]);
					break;
				}
			if (r->any_opioid)
				opioid_cards(&c);
		}
	}
	jw_end_arr(&c.w);
	jw_end_obj(&c.w);
	sb_puts(&c.out, "\n");
	sb_free(&c.md);
	sb_free(&c.tmp);
	if (c.out.failed || r->a.failed || c.num == NULL || c.order == NULL) {
		sb_free(&c.out);
		return ldn_fail(r->err, LDN_E_NOMEM, "",
		    "the response is too large");
	}
	*out = sb_take(&c.out, len);
	if (*out == NULL)
		return ldn_fail(r->err, LDN_E_NOMEM, "", "out of memory");
	return LDN_OK;
}
