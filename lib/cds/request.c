/*
 * A CDS Hooks request, read and held to the specification: the envelope
 * (hookInstance, hook, fhirServer, fhirAuthorization), the hook's context
 * (patientId, userId, selections, draftOrders) and the prefetch values.
 * Every refusal names the JSON pointer of the field at fault.  Draft
 * MedicationRequests are classified here with the knowledge base's code
 * sets: naltrexone at any strength, and opioids.
 */
#include "cds_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../intake/codes.h"
#include "../intake/intake.h"
#include "../kb/words.h"

#define BAD(r, where, ...) ldn_fail((r)->err, LDN_E_SCHEMA, where, __VA_ARGS__)

static const char *path(struct cds_req *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A JSON pointer (or any place) built in the arena. */
static const char *
path(struct cds_req *r, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	const char *s = arena_strdup(&r->a, buf);
	return s ? s : "";
}

static bool
is_str(const struct jnode *v)
{
	return v != NULL && v->type == J_STR && strlen(v->u.s) == v->n;
}

/*
 * A string member: NULL when absent (an error if required), an error when
 * present and not a non-empty string.  *bad tells the two NULLs apart.
 */
static const char *
member_str(struct cds_req *r, const struct jnode *o, const char *key,
    const char *at, bool required, bool *bad)
{
	const struct jnode *v = tree_get(o, key);

	if (v == NULL) {
		if (required) {
			BAD(r, path(r, "%s/%s", at, key), "\"%s\" is required",
			    key);
			*bad = true;
		}
		return NULL;
	}
	if (!is_str(v) || v->n == 0) {
		BAD(r, path(r, "%s/%s", at, key),
		    "must be a non-empty string, not %s",
		    v->type == J_STR ? "an empty or NUL-holding string"
		                     : tree_type_name(v->type));
		*bad = true;
		return NULL;
	}
	return v->u.s;
}

static const struct cds_service *
find_service(const char *id)
{
	for (size_t i = 0; id != NULL && i < 3; i++)
		if (strcmp(cds_services[i].id, id) == 0)
			return &cds_services[i];
	return NULL;
}

int
ldn_cds_service_exists(const char *service_id)
{
	return find_service(service_id) != NULL;
}

bool
cds_is_naltrexone(enum med_class c)
{
	return c == MC_NALTREXONE_LDN || c == MC_NALTREXONE_STANDARD ||
	    c == MC_NALTREXONE_UNKNOWN_DOSE || c == MC_NALTREXONE_BUPROPION;
}

int32_t
cds_washout_d(const struct ldn_kb *kb, enum med_class c)
{
	switch (c) {
	case MC_BUPRENORPHINE:
	case MC_BUPRENORPHINE_DEPOT:
	case MC_METHADONE:
		return kb->params.washout_bup_methadone_d;
	case MC_OPIOID_LONG:
		return kb->params.washout_long_d;
	default:
		return kb->params.washout_short_d;
	}
}

static enum ldn_status
check_authorization(struct cds_req *r, const struct jnode *fa)
{
	static const char *const strs[] = { "access_token", "token_type",
		"scope", "subject" };
	const struct jnode *exp;
	bool bad = false;

	if (fa->type != J_OBJ)
		return BAD(r, "/fhirAuthorization", "must be an object, not %s",
		    tree_type_name(fa->type));
	for (size_t i = 0; i < 4; i++) {
		const char *s = member_str(r, fa, strs[i], "/fhirAuthorization",
		    true, &bad);

		if (bad)
			return LDN_E_SCHEMA;
		if (i == 0)
			r->access_token = s;
		if (i == 1 && strcmp(s, "Bearer") != 0)
			return BAD(r, "/fhirAuthorization/token_type",
			    "must be \"Bearer\", not \"%s\"", s);
	}
	exp = tree_get(fa, "expires_in");
	if (exp == NULL)
		return BAD(r, "/fhirAuthorization/expires_in",
		    "\"expires_in\" is required");
	if (exp->type != J_NUM || !(exp->u.num.d >= 0))
		return BAD(r, "/fhirAuthorization/expires_in",
		    "must be a number of seconds");
	if (r->fhir_server == NULL)
		return BAD(r, "/fhirServer",
		    "is required when fhirAuthorization is given");
	return LDN_OK;
}

/* A CodeableConcept's words: its text, else a coding's display. */
static const char *
concept_text(const struct jnode *cc)
{
	const struct jnode *t = tree_get(cc, "text"), *codings;

	if (is_str(t) && t->n > 0)
		return t->u.s;
	codings = tree_get(cc, "coding");
	for (size_t i = 0; codings && codings->type == J_ARR && i < codings->n;
	     i++) {
		const struct jnode *d =
		    tree_get(&codings->u.items[i], "display");

		if (is_str(d) && d->n > 0)
			return d->u.s;
	}
	return NULL;
}

/* The Medication a draft's medicationReference names: "#id" among its
 * contained resources, or another entry of draftOrders (Type/id, the end
 * of a URL, or a fullUrl). */
static const struct jnode *
draft_medication(const struct jnode *res, const struct jnode *entries,
    const char *ref)
{
	if (ref[0] == '#') {
		const struct jnode *c = tree_get(res, "contained");

		for (size_t i = 0; c && c->type == J_ARR && i < c->n; i++) {
			const struct jnode *id = tree_get(&c->u.items[i], "id");

			if (is_str(id) && strcmp(id->u.s, ref + 1) == 0)
				return &c->u.items[i];
		}
		return NULL;
	}
	for (size_t i = 0; entries && i < entries->n; i++) {
		const struct jnode *e = &entries->u.items[i];
		const struct jnode *m = tree_get(e, "resource");
		const struct jnode *fu = tree_get(e, "fullUrl");
		const struct jnode *id = tree_get(m, "id");
		const struct jnode *rt = tree_get(m, "resourceType");
		size_t rl = strlen(ref), il;

		if (!is_str(rt) || strcmp(rt->u.s, "Medication") != 0)
			continue;
		if (is_str(fu) && strcmp(fu->u.s, ref) == 0)
			return m;
		if (!is_str(id))
			continue;
		il = id->n;
		/* ".../Medication/ID" */
		if (rl >= il + 11 && strcmp(ref + rl - il, id->u.s) == 0 &&
		    strncmp(ref + rl - il - 11, "Medication/", 11) == 0 &&
		    (rl == il + 11 || ref[rl - il - 12] == '/'))
			return m;
	}
	return NULL;
}

/* Opioid classes by the length of their washout. */
static int
opioid_rank(enum med_class c)
{
	switch (c) {
	case MC_BUPRENORPHINE_DEPOT:
		return 4;
	case MC_BUPRENORPHINE:
	case MC_METHADONE:
		return 3;
	case MC_OPIOID_LONG:
		return 2;
	default:
		return 1;
	}
}

/* The dose of one administration in micrograms from the first dosage
 * instruction's doseQuantity when it is in mg, else -1. */
static int32_t
dose_quantity_ug(const struct jnode *res)
{
	const struct jnode *di = tree_get(res, "dosageInstruction"), *dr, *q,
	                   *v, *u;

	if (di == NULL || di->type != J_ARR || di->n == 0)
		return -1;
	dr = tree_get(&di->u.items[0], "doseAndRate");
	if (dr == NULL || dr->type != J_ARR || dr->n == 0)
		return -1;
	q = tree_get(&dr->u.items[0], "doseQuantity");
	v = tree_get(q, "value");
	u = tree_get(q, "code");
	if (!is_str(u))
		u = tree_get(q, "unit");
	if (v == NULL || v->type != J_NUM || !is_str(u) ||
	    strcmp(u->u.s, "mg") != 0 || !(v->u.num.d > 0) ||
	    v->u.num.d > 100000)
		return -1;
	return (int32_t)lround(v->u.num.d * 1000);
}

/* Classify a draft MedicationRequest: its codes (of its concept or of the
 * Medication it references), then its words. */
static enum ldn_status
classify(struct cds_req *r, struct cds_draft *d, const struct jnode *entries,
    const char *at)
{
	const struct jnode *res = d->res;
	const struct jnode *cc = tree_get(res, "medicationCodeableConcept");
	const struct jnode *ref = tree_get(res, "medicationReference");
	const char *codes[16], *name = NULL;
	size_t n = 0;
	struct medication m;
	int32_t qty;

	if (cc != NULL && cc->type != J_OBJ)
		return BAD(r, path(r, "%s/medicationCodeableConcept", at),
		    "must be an object, not %s", tree_type_name(cc->type));
	if (ref != NULL && ref->type != J_OBJ)
		return BAD(r, path(r, "%s/medicationReference", at),
		    "must be an object, not %s", tree_type_name(ref->type));
	if (cc != NULL) {
		n = fhir_rxnorm_codes(cc, codes, 0, 16);
		name = concept_text(cc);
	} else if (ref != NULL) {
		const struct jnode *s = tree_get(ref, "reference");
		const struct jnode *disp = tree_get(ref, "display");
		const struct jnode *med =
		    is_str(s) ? draft_medication(res, entries, s->u.s) : NULL;
		const struct jnode *code = tree_get(med, "code");
		const struct jnode *ing = tree_get(med, "ingredient");

		if (code != NULL && code->type == J_OBJ) {
			n = fhir_rxnorm_codes(code, codes, 0, 16);
			name = concept_text(code);
		}
		for (size_t i = 0; ing && ing->type == J_ARR && i < ing->n;
		     i++) {
			const struct jnode *item =
			    tree_get(&ing->u.items[i], "itemCodeableConcept");

			if (item != NULL && item->type == J_OBJ)
				n = fhir_rxnorm_codes(item, codes, n, 16);
		}
		if (name == NULL && is_str(disp) && disp->n > 0)
			name = disp->u.s;
	}
	d->name = name;
	d->dose_ug = -1;
	d->ncls = MC_NONE;
	d->ocls = MC_NONE;
	/* Each code, then the words: naltrexone if any says so, an opioid
	 * if any says so (the longest washout decides); a code's strength
	 * wins over the words'. */
	for (size_t i = 0; i <= n; i++) {
		memset(&m, 0, sizeof(m));
		m.name = name;
		m.rxnorm = i < n ? codes[i] : NULL;
		codes_medication(r->kb, &m);
		enum med_class cs[2] = { m.cls, m.name_cls };
		for (int k = 0; k < 2; k++) {
			if (cds_is_naltrexone(cs[k]) && !d->naltrexone) {
				d->naltrexone = true;
				d->ncls = cs[k];
			}
			if (med_class_is_opioid(cs[k]) &&
			    (!d->opioid ||
			        opioid_rank(cs[k]) > opioid_rank(d->ocls))) {
				d->opioid = true;
				d->ocls = cs[k];
			}
		}
		if (cds_is_naltrexone(m.cls) && m.dose_ug > 0 && d->dose_ug < 0)
			d->dose_ug = m.dose_ug;
	}
	if (!d->naltrexone)
		return LDN_OK;
	if (d->dose_ug < 0) {
		int32_t ug = -1;

		codes_name_class(r->kb, name, &ug);
		d->dose_ug = ug;
	}
	/* A dose in mg says what one administration is, whatever the
	 * product's strength (LDN is often ordered as text and a dose). */
	if ((qty = dose_quantity_ug(res)) > 0)
		d->dose_ug = qty;
	if (d->ncls != MC_NALTREXONE_BUPROPION && d->dose_ug > 0)
		d->ncls = d->dose_ug <= r->kb->params.ldn_max_ug
		    ? MC_NALTREXONE_LDN
		    : MC_NALTREXONE_STANDARD;
	return LDN_OK;
}

/* Whether selection s ("MedicationRequest/123", or a URL ending so)
 * names the entry with resource type rt and id. */
static bool
selects(const char *s, const char *rt, const char *id)
{
	size_t sl = strlen(s), tl = strlen(rt), il = strlen(id);

	if (sl < tl + 1 + il || strcmp(s + sl - il, id) != 0 ||
	    s[sl - il - 1] != '/' || strncmp(s + sl - il - 1 - tl, rt, tl) != 0)
		return false;
	return sl == tl + 1 + il || s[sl - il - 2 - tl] == '/';
}

static enum ldn_status
read_drafts(struct cds_req *r)
{
	const struct jnode *ctx = r->context;
	const struct jnode *dro = tree_get(ctx, "draftOrders"), *entries, *rt;
	const struct jnode *sel = tree_get(ctx, "selections");
	bool select = r->svc->hook == HOOK_ORDER_SELECT;
	bool *chosen = NULL;

	if (dro == NULL)
		return BAD(r, "/context/draftOrders",
		    "\"draftOrders\" is required for %s", r->svc->hook_name);
	if (dro->type != J_OBJ)
		return BAD(r, "/context/draftOrders",
		    "must be a FHIR Bundle (an object), not %s",
		    tree_type_name(dro->type));
	rt = tree_get(dro, "resourceType");
	if (!is_str(rt) || strcmp(rt->u.s, "Bundle") != 0)
		return BAD(r, "/context/draftOrders/resourceType",
		    "must be \"Bundle\"");
	entries = tree_get(dro, "entry");
	if (entries != NULL && entries->type != J_ARR)
		return BAD(r, "/context/draftOrders/entry",
		    "must be an array, not %s", tree_type_name(entries->type));
	size_t n = entries ? entries->n : 0;
	if (select) {
		if (sel == NULL)
			return BAD(r, "/context/selections",
			    "\"selections\" is required for order-select");
		if (sel->type != J_ARR || sel->n == 0)
			return BAD(r, "/context/selections",
			    "must be a non-empty array of references");
		chosen = arena_calloc(&r->a, n ? n : 1, sizeof(*chosen));
		if (chosen == NULL)
			return ldn_fail(r->err, LDN_E_NOMEM, "",
			    "the request is too large");
	}
	r->drafts = arena_calloc(&r->a, n ? n : 1, sizeof(*r->drafts));
	if (r->drafts == NULL)
		return ldn_fail(r->err, LDN_E_NOMEM, "",
		    "the request is too large");
	for (size_t i = 0; i < n; i++) {
		const struct jnode *e = &entries->u.items[i], *res, *t, *id;
		const char *at = path(r, "/context/draftOrders/entry/%zu", i);

		if (e->type != J_OBJ)
			return BAD(r, at, "an entry must be an object, not %s",
			    tree_type_name(e->type));
		res = tree_get(e, "resource");
		if (res == NULL || res->type != J_OBJ)
			return BAD(r, path(r, "%s/resource", at),
			    "every draft order needs a resource object");
		t = tree_get(res, "resourceType");
		if (!is_str(t))
			return BAD(r, path(r, "%s/resource/resourceType", at),
			    "every resource needs a resourceType string");
		id = tree_get(res, "id");
		if (id != NULL && !is_str(id))
			return BAD(r, path(r, "%s/resource/id", at),
			    "must be a string");
		for (size_t k = 0; select && id != NULL && k < sel->n; k++)
			if (is_str(&sel->u.items[k]) &&
			    selects(sel->u.items[k].u.s, t->u.s, id->u.s))
				chosen[i] = true;
	}
	for (size_t k = 0; select && k < sel->n; k++) {
		const struct jnode *s = &sel->u.items[k];
		bool found = false;

		if (!is_str(s) || s->n == 0)
			return BAD(r, path(r, "/context/selections/%zu", k),
			    "must be a reference such as "
			    "\"MedicationRequest/123\"");
		for (size_t i = 0; i < n && !found; i++) {
			const struct jnode *res =
			    tree_get(&entries->u.items[i], "resource");
			const struct jnode *id = tree_get(res, "id");

			found = id != NULL &&
			    selects(s->u.s, tree_get(res, "resourceType")->u.s,
			        id->u.s);
		}
		if (!found)
			return BAD(r, path(r, "/context/selections/%zu", k),
			    "\"%s\" names no resource in draftOrders", s->u.s);
	}
	for (size_t i = 0; i < n; i++) {
		const struct jnode *res =
		    tree_get(&entries->u.items[i], "resource");
		const struct jnode *id = tree_get(res, "id");
		struct cds_draft *d = &r->drafts[r->n_drafts];
		enum ldn_status rc;

		if (strcmp(tree_get(res, "resourceType")->u.s,
		        "MedicationRequest") != 0 ||
		    (select && !chosen[i]))
			continue;
		d->res = res;
		d->id = id ? id->u.s : NULL;
		d->index = i;
		rc = classify(r, d, entries,
		    path(r, "/context/draftOrders/entry/%zu/resource", i));
		if (rc != LDN_OK)
			return rc;
		if (!d->naltrexone && !d->opioid)
			continue;
		r->any_naltrexone |= d->naltrexone;
		r->any_opioid |= d->opioid;
		r->n_drafts++;
	}
	return LDN_OK;
}

/* The id of the patient a reference names ("Patient/ID", a URL ending so,
 * perhaps with /_history/N), or NULL when it names none that way. */
static bool
names_other_patient(const char *ref, const char *patient_id)
{
	const char *p = strstr(ref, "Patient/");
	size_t il = strlen(patient_id);

	if (p == NULL || (p > ref && p[-1] != '/'))
		return false;
	p += 8;
	return !(
	    strncmp(p, patient_id, il) == 0 && (p[il] == '\0' || p[il] == '/'));
}

#define NO_ENTRY SIZE_MAX

/* Where a resource lies: at itself, or its Bundle's entry (at is then the
 * Bundle's place), then suffix.  Formatted only for an error: a prefetch
 * Bundle has hundreds of entries. */
static const char *
res_path(struct cds_req *r, const char *at, size_t entry, const char *suffix)
{
	if (entry == NO_ENTRY)
		return path(r, "%s%s", at, suffix);
	return path(r, "%s/entry/%zu/resource%s", at, entry, suffix);
}

/* A resource of prefetch: its resourceType, and that it is about this
 * patient. */
static enum ldn_status
check_resource(struct cds_req *r, const struct jnode *res, const char *at,
    size_t entry)
{
	static const char *const refs[][2] = {
		{ "subject", "/subject/reference" },
		{ "patient", "/patient/reference" },
	};
	const struct jnode *rt = tree_get(res, "resourceType");

	if (!is_str(rt))
		return BAD(r, res_path(r, at, entry, "/resourceType"),
		    "every resource needs a resourceType string");
	if (strcmp(rt->u.s, "Patient") == 0) {
		const struct jnode *id = tree_get(res, "id");

		if (is_str(id) && strcmp(id->u.s, r->patient_id) != 0)
			return BAD(r, res_path(r, at, entry, "/id"),
			    "the Patient \"%s\" is not context.patientId "
			    "\"%s\"",
			    id->u.s, r->patient_id);
		return LDN_OK;
	}
	for (size_t i = 0; i < 2; i++) {
		const struct jnode *rf =
		    tree_get(tree_get(res, refs[i][0]), "reference");

		if (is_str(rf) && names_other_patient(rf->u.s, r->patient_id))
			return BAD(r, res_path(r, at, entry, refs[i][1]),
			    "\"%s\" is not context.patientId \"%s\"", rf->u.s,
			    r->patient_id);
	}
	return LDN_OK;
}

enum ldn_status
cds_req_set_value(struct cds_req *r, size_t k, const struct jnode *v,
    enum origin origin, const char *at)
{
	const struct jnode *rt, *entries;

	r->origin[k] = ORIGIN_NONE;
	r->value[k] = NULL;
	if (v->type == J_NULL) {
		/* the client has no data for it: an answer, not a gap */
		r->origin[k] = origin;
		return LDN_OK;
	}
	if (v->type != J_OBJ)
		return BAD(r, at, "must be a FHIR resource or Bundle, not %s",
		    tree_type_name(v->type));
	rt = tree_get(v, "resourceType");
	if (!is_str(rt))
		return BAD(r, path(r, "%s/resourceType", at),
		    "must name a FHIR resource type");
	if (strcmp(rt->u.s, "OperationOutcome") == 0)
		return LDN_OK; /* the client could not fetch it: a gap */
	if (strcmp(rt->u.s, "Bundle") != 0) {
		if (strcmp(rt->u.s, cds_keys[k].type) != 0)
			return BAD(r, path(r, "%s/resourceType", at),
			    "must be %s or a Bundle, not \"%s\"",
			    cds_keys[k].type, rt->u.s);
		enum ldn_status rc = check_resource(r, v, at, NO_ENTRY);
		if (rc != LDN_OK)
			return rc;
	} else {
		entries = tree_get(v, "entry");
		if (entries != NULL && entries->type != J_ARR)
			return BAD(r, path(r, "%s/entry", at),
			    "must be an array, not %s",
			    tree_type_name(entries->type));
		for (size_t i = 0; entries && i < entries->n; i++) {
			const struct jnode *e = &entries->u.items[i], *res, *fu;

			if (e->type != J_OBJ)
				return BAD(r, path(r, "%s/entry/%zu", at, i),
				    "an entry must be an object, not %s",
				    tree_type_name(e->type));
			fu = tree_get(e, "fullUrl");
			if (fu != NULL && !is_str(fu))
				return BAD(r,
				    path(r, "%s/entry/%zu/fullUrl", at, i),
				    "must be a string");
			res = tree_get(e, "resource");
			if (res == NULL)
				continue;
			if (res->type != J_OBJ)
				return BAD(r, res_path(r, at, i, ""),
				    "must be an object, not %s",
				    tree_type_name(res->type));
			enum ldn_status rc = check_resource(r, res, at, i);
			if (rc != LDN_OK)
				return rc;
		}
	}
	r->origin[k] = origin;
	r->value[k] = v;
	return LDN_OK;
}

bool
cds_req_needs_record(const struct cds_req *r)
{
	return r->svc->hook == HOOK_PATIENT_VIEW || r->any_naltrexone ||
	    r->any_opioid;
}

static enum ldn_status
read_context(struct cds_req *r)
{
	static const char *const opt[] = { "userId", "encounterId" };
	const struct jnode *ctx = tree_get(r->root, "context");
	bool bad = false;

	if (ctx == NULL)
		return BAD(r, "/context", "\"context\" is required");
	if (ctx->type != J_OBJ)
		return BAD(r, "/context", "must be an object, not %s",
		    tree_type_name(ctx->type));
	r->context = ctx;
	r->patient_id = member_str(r, ctx, "patientId", "/context", true, &bad);
	for (size_t i = 0; i < 2 && !bad; i++) {
		const char *s =
		    member_str(r, ctx, opt[i], "/context", false, &bad);

		if (i == 0)
			r->user_id = s;
	}
	if (bad)
		return LDN_E_SCHEMA;
	if (r->svc->hook == HOOK_PATIENT_VIEW)
		return LDN_OK;
	return read_drafts(r);
}

static enum ldn_status
read_prefetch(struct cds_req *r)
{
	const struct jnode *pf = tree_get(r->root, "prefetch");

	if (pf == NULL)
		return LDN_OK;
	if (pf->type != J_OBJ)
		return BAD(r, "/prefetch", "must be an object, not %s",
		    tree_type_name(pf->type));
	for (size_t k = 0; k < N_KEYS; k++) {
		const struct jnode *v = tree_get(pf, cds_keys[k].key);
		enum ldn_status rc;

		if (v == NULL)
			continue;
		rc = cds_req_set_value(r, k, v, ORIGIN_PREFETCH,
		    path(r, "/prefetch/%s", cds_keys[k].key));
		if (rc != LDN_OK)
			return rc;
	}
	/* Keys this service did not ask for are not its business. */
	return LDN_OK;
}

enum ldn_status
cds_req_open(struct cds_req *r, const struct ldn_kb *kb, const char *service_id,
    const char *body, size_t len, const char *as_of, struct ldn_error *err)
{
	return cds_req_open_padded(r, kb, service_id, body, len, false, as_of,
	    err);
}

enum ldn_status
cds_req_open_padded(struct cds_req *r, const struct ldn_kb *kb,
    const char *service_id, const char *body, size_t len, bool padded,
    const char *as_of, struct ldn_error *err)
{
	struct jnode *root;
	const struct jnode *fa;
	enum ldn_status rc;
	bool bad = false;

	memset(r, 0, sizeof(*r));
	r->a = ARENA_INIT(CDS_ARENA_LIMIT);
	r->kb = kb;
	r->err = err;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	r->svc = find_service(service_id);
	if (r->svc == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "service",
		    "no CDS service \"%.60s\" here; the services are "
		    "ldn-patient-view, ldn-order-select and ldn-order-sign",
		    service_id ? service_id : "");
	if (as_of == NULL)
		r->as_of = date_today();
	else if (!date_parse(as_of, strlen(as_of), &r->as_of))
		return ldn_fail(err, LDN_E_SCHEMA, "as_of",
		    "\"%.40s\" is not a date YYYY-MM-DD", as_of);
	date_format(r->as_of, r->as_of_str);
	if (body == NULL)
		return BAD(r, "body", "the request has no body");
	/* Kept whole (no resource type left out): a draft is copied into
	 * the suggestion that replaces it. */
	rc = json_parse_kept(&r->a, body, len, padded, CDS_MAX_DEPTH, NULL,
	    &root, err);
	if (rc == LDN_E_NOMEM || rc == LDN_E_BUG)
		return rc;
	if (rc != LDN_OK) {
		/* Not JSON, or too deep: a bad request, at its place. */
		if (err != NULL) {
			err->code = LDN_E_SCHEMA;
			if (err->where[0] == '\0')
				snprintf(err->where, sizeof(err->where),
				    "body");
		}
		return LDN_E_SCHEMA;
	}
	r->root = root;
	if (root->type != J_OBJ)
		return BAD(r, "body",
		    "a CDS Hooks request is a JSON object, not %s",
		    tree_type_name(root->type));
	r->hook_instance = member_str(r, root, "hookInstance", "", true, &bad);
	if (bad)
		return LDN_E_SCHEMA;
	const char *hook = member_str(r, root, "hook", "", true, &bad);
	if (bad)
		return LDN_E_SCHEMA;
	if (strcmp(hook, r->svc->hook_name) != 0)
		return BAD(r, "/hook",
		    "the service %s answers the hook \"%s\", not \"%.60s\"",
		    r->svc->id, r->svc->hook_name, hook);
	r->fhir_server = member_str(r, root, "fhirServer", "", false, &bad);
	if (bad)
		return LDN_E_SCHEMA;
	if (r->fhir_server != NULL &&
	    strncmp(r->fhir_server, "https://", 8) != 0 &&
	    strncmp(r->fhir_server, "http://", 7) != 0)
		return BAD(r, "/fhirServer", "must be an http(s) URL");
	fa = tree_get(root, "fhirAuthorization");
	if (fa != NULL && (rc = check_authorization(r, fa)) != LDN_OK)
		return rc;
	if ((rc = read_context(r)) != LDN_OK)
		return rc;
	if ((rc = read_prefetch(r)) != LDN_OK)
		return rc;
	if (r->a.failed)
		return ldn_fail(err, LDN_E_NOMEM, "",
		    "the request is too large");
	return LDN_OK;
}

void
cds_req_free(struct cds_req *r)
{
	arena_free(&r->a);
}
