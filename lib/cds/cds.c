/*
 * CDS Hooks services: the discovery document, the prefetch the server must
 * fetch, and a call answered.  A call's prefetch (a Patient and searchset
 * Bundles, or what the server fetched in their place) is assembled into
 * one Bundle in memory, without copying, and planned like any FHIR record;
 * cards.c then writes the cards.
 */
#include "cds_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/date.h"
#include "../base/jsonw.h"
#include "../base/strbuf.h"
#include "../intake/intake.h"

const struct cds_service cds_services[3] = {
	{ "ldn-patient-view", "patient-view", HOOK_PATIENT_VIEW,
	    "Low-dose naltrexone (LDN): may this patient start?",
	    "Screens the patient's record for low-dose naltrexone: whether "
	    "and when LDN may start, the first dose and titration, and the "
	    "blocks and cautions found, each with its sources." },
	{ "ldn-order-select", "order-select", HOOK_ORDER_SELECT,
	    "Low-dose naltrexone (LDN): check a selected order",
	    "For a selected naltrexone order: opioids or a procedure on file, "
	    "a standard dose ordered for pain, and the first LDN step as a "
	    "replacement; for a selected opioid order, naltrexone on the "
	    "medication list." },
	{ "ldn-order-sign", "order-sign", HOOK_ORDER_SIGN,
	    "Low-dose naltrexone (LDN): check orders before signing",
	    "For naltrexone orders about to be signed: opioids or a procedure "
	    "on file, a standard dose ordered for pain, and the first LDN step "
	    "as a replacement; for opioid orders, naltrexone on the "
	    "medication list." },
};

/* Observations intake reads: weight, eGFR, ALT, AST, TSH, pain score,
 * pregnancy status and breastfeeding (LOINC). */
#define OBS_CODES                                                             \
	"29463-7,33914-3,62238-1,98979-8,48642-3,48643-1,1742-6,1920-8,3016-" \
	"3,"                                                                  \
	"72514-3,82810-3,63895-7"

const struct cds_key cds_keys[N_KEYS] = {
	{ "patient", "Patient", "Patient/{{context.patientId}}", true },
	{ "conditions", "Condition", "Condition?patient={{context.patientId}}",
	    true },
	{ "medications", "MedicationRequest",
	    "MedicationRequest?patient={{context.patientId}}&status=active",
	    true },
	{ "medicationStatements", "MedicationStatement",
	    "MedicationStatement?patient={{context.patientId}}", false },
	{ "observations", "Observation",
	    "Observation?patient={{context.patientId}}&code=" OBS_CODES,
	    false },
	{ "procedures", "Procedure", "Procedure?patient={{context.patientId}}",
	    false },
	{ "serviceRequests", "ServiceRequest",
	    "ServiceRequest?patient={{context.patientId}}&status=active",
	    false },
	{ "appointments", "Appointment",
	    "Appointment?patient={{context.patientId}}&date=ge{{today()}}",
	    false },
};

enum ldn_status
ldn_cds_discovery(const struct ldn_kb *kb, char **out, size_t *len,
    struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(1u << 20);
	struct jw w;

	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "services");
	jw_arr(&w);
	for (size_t i = 0; i < 3; i++) {
		const struct cds_service *s = &cds_services[i];

		jw_obj(&w);
		jw_kstr(&w, "hook", s->hook_name);
		jw_kstr(&w, "title", s->title);
		jw_kstr(&w, "description", s->description);
		jw_kstr(&w, "id", s->id);
		jw_key(&w, "prefetch");
		jw_obj(&w);
		for (size_t k = 0; k < N_KEYS; k++)
			jw_kstr(&w, cds_keys[k].key, cds_keys[k].tmpl);
		jw_end_obj(&w);
		jw_kstr(&w, "usageRequirements",
		    "Needs the prefetch keys patient, conditions and "
		    "medications, or a fhirServer (with fhirAuthorization) to "
		    "fetch them; reads the others when sent.");
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
	sb_puts(&b, "\n");
	(void)kb;
	if (b.failed) {
		sb_free(&b);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	*out = sb_take(&b, len);
	if (*out == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	return LDN_OK;
}

/* Percent-encode a token's value: it lands in a URL path or query. */
static void
add_encoded(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			sb_add(b, s, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			sb_add(b, e, 3);
		}
	}
}

/* The value of a prefetch token, or NULL when the request has none. */
static const char *
token_value(struct cds_req *r, const char *tok, size_t n, char buf[64])
{
	static const struct {
		const char *token, *type;
	} users[] = { { "userPractitionerId", "Practitioner/" },
		{ "userPractitionerRoleId", "PractitionerRole/" },
		{ "userPatientId", "Patient/" },
		{ "userRelatedPersonId", "RelatedPerson/" } };

	while (n > 0 && tok[0] == ' ')
		tok++, n--;
	while (n > 0 && tok[n - 1] == ' ')
		n--;
	if (n > 8 && strncmp(tok, "context.", 8) == 0) {
		char key[64];
		const struct jnode *v;

		if (n - 8 >= sizeof(key))
			return NULL;
		memcpy(key, tok + 8, n - 8);
		key[n - 8] = '\0';
		v = tree_get(r->context, key);
		if (v == NULL)
			return NULL;
		if (v->type == J_STR && strlen(v->u.s) == v->n)
			return v->u.s;
		if (v->type == J_NUM && v->u.num.is_int) {
			snprintf(buf, 64, "%lld", (long long)v->u.num.i);
			return buf;
		}
		if (v->type == J_BOOL)
			return v->u.b ? "true" : "false";
		return NULL;
	}
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		size_t tl = strlen(users[i].type);

		if (strlen(users[i].token) == n &&
		    strncmp(users[i].token, tok, n) == 0)
			return r->user_id &&
			        strncmp(r->user_id, users[i].type, tl) == 0 &&
			        r->user_id[tl] != '\0'
			    ? r->user_id + tl
			    : NULL;
	}
	if (n >= 7 && strncmp(tok, "today()", 7) == 0) {
		/* today(), or today() - N days / + N days */
		const char *p = tok + 7, *end = tok + n;
		int32_t day = r->as_of;
		long k;
		char *e;
		int sign;

		while (p < end && *p == ' ')
			p++;
		if (p < end) {
			if (*p != '-' && *p != '+')
				return NULL;
			sign = *p == '-' ? -1 : 1;
			p++;
			k = strtol(p, &e, 10);
			if (e == p || k < 0 || k > 36500)
				return NULL;
			p = e;
			while (p < end && *p == ' ')
				p++;
			if ((size_t)(end - p) == 4 &&
			    strncmp(p, "days", 4) == 0)
				day += sign * (int32_t)k;
			else if ((size_t)(end - p) == 3 &&
			    strncmp(p, "day", 3) == 0)
				day += sign * (int32_t)k;
			else
				return NULL;
		}
		date_format(day, buf);
		return buf;
	}
	return NULL;
}

char *
cds_query(struct cds_req *r, size_t k)
{
	const char *t = cds_keys[k].tmpl;
	struct strbuf b = STRBUF_INIT(1u << 14);
	char *s;

	while (*t) {
		const char *open = strstr(t, "{{"), *close;
		char buf[64];
		const char *v;

		if (open == NULL) {
			sb_puts(&b, t);
			break;
		}
		close = strstr(open + 2, "}}");
		if (close == NULL) {
			sb_free(&b);
			return NULL;
		}
		sb_add(&b, t, (size_t)(open - t));
		v = token_value(r, open + 2, (size_t)(close - open - 2), buf);
		if (v == NULL) {
			sb_free(&b);
			return NULL;
		}
		add_encoded(&b, v);
		t = close + 2;
	}
	s = arena_strdup(&r->a, sb_cstr(&b));
	sb_free(&b);
	return s;
}

/* The missing list, with the arena that owns it. */
struct missing {
	struct ldn_cds_missing pub; /* first: freed through it */
	struct arena a;
	struct ldn_cds_fetch items[N_KEYS];
};

static char *
dup_to(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

enum ldn_status
ldn_cds_missing_prefetch(const struct ldn_kb *kb, const char *service_id,
    const char *body, size_t len, const char *as_of,
    struct ldn_cds_missing **out, struct ldn_error *err)
{
	struct cds_req r;
	struct ldn_error local;
	enum ldn_status rc;
	struct missing *m;

	if (err == NULL)
		err = &local;
	m = calloc(1, sizeof(*m));

	if (m == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	m->a = ARENA_INIT(1u << 20);
	rc = cds_req_open(&r, kb, service_id, body, len, as_of, err);
	if (rc != LDN_OK) {
		cds_req_free(&r);
		free(m);
		return rc;
	}
	m->pub.items = m->items;
	m->pub.fhir_server = dup_to(&m->a, r.fhir_server);
	m->pub.access_token = dup_to(&m->a, r.access_token);
	for (size_t k = 0; k < N_KEYS && cds_req_needs_record(&r); k++) {
		char *q;

		if (r.origin[k] != ORIGIN_NONE ||
		    (q = cds_query(&r, k)) == NULL)
			continue;
		m->items[m->pub.n].key = cds_keys[k].key;
		m->items[m->pub.n].query = dup_to(&m->a, q);
		m->pub.n++;
	}
	cds_req_free(&r);
	if (m->a.failed) {
		ldn_cds_missing_free(&m->pub);
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	}
	*out = &m->pub;
	return LDN_OK;
}

void
ldn_cds_missing_free(struct ldn_cds_missing *pub)
{
	struct missing *m = (struct missing *)pub;

	if (m == NULL)
		return;
	arena_free(&m->a);
	free(m);
}

/* Where each entry of the assembled Bundle came from, to name it in an
 * error. */
struct origin_map {
	const char *prefix; /* the key's path: "/prefetch/conditions" */
	size_t entry;       /* the entry's index in the key's searchset */
	bool bare;          /* a resource sent bare: no entry */
};

static const char *
key_path(struct cds_req *r, size_t k)
{
	const char *s = arena_printf(&r->a, "%s/%s",
	    r->origin[k] == ORIGIN_FETCHED ? "fetched" : "/prefetch",
	    cds_keys[k].key);

	return s ? s : "";
}

/* A set of "Type/id" (FNV-1a, open addressing), to keep one copy of a
 * resource sent under two keys. */
struct seen {
	const struct jnode **slot;
	size_t cap; /* a power of two, at least twice the entries */
};

static bool
seen_add(struct seen *s, const struct jnode *res)
{
	const struct jnode *t = tree_get(res, "resourceType");
	const struct jnode *id = tree_get(res, "id");
	uint64_t h = 0xcbf29ce484222325ULL;

	if (id == NULL || id->type != J_STR)
		return true; /* no id: nothing to compare */
	for (const char *p = t->u.s; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ '/') * 0x100000001b3ULL;
	for (size_t i = 0; i < id->n; i++)
		h = (h ^ (unsigned char)id->u.s[i]) * 0x100000001b3ULL;
	for (size_t i = (size_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		const struct jnode *o = s->slot[i];

		if (o == NULL) {
			s->slot[i] = res;
			return true;
		}
		const struct jnode *ot = tree_get(o, "resourceType");
		const struct jnode *oi = tree_get(o, "id");
		if (oi->n == id->n && memcmp(oi->u.s, id->u.s, id->n) == 0 &&
		    strcmp(ot->u.s, t->u.s) == 0)
			return false;
	}
}

/*
 * One Bundle of every prefetch value: the entries of each searchset and
 * each resource sent bare, once each (the Patient may come back with a
 * search's _include).  The nodes are the request's own; nothing is
 * copied.
 */
static enum ldn_status
assemble(struct cds_req *r, struct jnode **out, struct origin_map **map)
{
	size_t cap = 0, n = 0;
	struct jnode *root, *items;
	struct jmember *mem;
	struct seen seen = { NULL, 1 };

	for (size_t k = 0; k < N_KEYS; k++) {
		const struct jnode *v = r->value[k];
		const struct jnode *rt = tree_get(v, "resourceType");
		const struct jnode *e = tree_get(v, "entry");

		if (v == NULL)
			continue;
		cap += strcmp(rt->u.s, "Bundle") == 0 ? (e ? e->n : 0) : 1;
	}
	root = arena_calloc(&r->a, 1, sizeof(*root));
	mem = arena_calloc(&r->a, 3, sizeof(*mem));
	items = arena_calloc(&r->a, cap ? cap : 1, sizeof(*items));
	*map = arena_calloc(&r->a, cap ? cap : 1, sizeof(**map));
	while (seen.cap < 2 * cap + 2)
		seen.cap *= 2;
	seen.slot = arena_calloc(&r->a, seen.cap, sizeof(*seen.slot));
	if (root == NULL || mem == NULL || items == NULL || *map == NULL ||
	    seen.slot == NULL)
		return ldn_fail(r->err, LDN_E_NOMEM, "",
		    "the request is too large");
	for (size_t k = 0; k < N_KEYS; k++) {
		const struct jnode *v = r->value[k];
		const char *at;

		if (v == NULL)
			continue;
		at = key_path(r, k);
		if (strcmp(tree_get(v, "resourceType")->u.s, "Bundle") != 0) {
			struct jmember *one =
			    arena_calloc(&r->a, 1, sizeof(*one));

			if (one == NULL)
				return ldn_fail(r->err, LDN_E_NOMEM, "",
				    "the request is too large");
			if (!seen_add(&seen, v))
				continue;
			*one = (struct jmember){ "resource", 8, *v };
			items[n] = (struct jnode){ .type = J_OBJ, .n = 1 };
			items[n].u.members = one;
			(*map)[n++] = (struct origin_map){ at, 0, true };
			continue;
		}
		const struct jnode *e = tree_get(v, "entry");
		for (size_t i = 0; e && i < e->n; i++) {
			const struct jnode *res =
			    tree_get(&e->u.items[i], "resource");
			const struct jnode *rt = tree_get(res, "resourceType");

			if (res == NULL ||
			    strcmp(rt->u.s, "OperationOutcome") == 0 ||
			    !seen_add(&seen, res))
				continue;
			items[n] = e->u.items[i];
			/* the path is written only for an error (remap_where):
			 * printing one per entry cost a tenth of a call */
			(*map)[n++] = (struct origin_map){ at, i, false };
		}
	}
	mem[0] = (struct jmember){ "resourceType", 12,
		{ .type = J_STR, .n = 6, .u.s = "Bundle" } };
	mem[1] = (struct jmember){ "type", 4,
		{ .type = J_STR, .n = 10, .u.s = "collection" } };
	mem[2] = (struct jmember){ "entry", 5,
		{ .type = J_ARR, .n = n, .u.items = items } };
	*root = (struct jnode){ .type = J_OBJ, .n = 3, .u.members = mem };
	*out = root;
	return r->a.failed
	    ? ldn_fail(r->err, LDN_E_NOMEM, "", "the request is too large")
	    : LDN_OK;
}

/* Rename an intake error's place in the assembled Bundle
 * ("/entry/4/resource/status") as the request's
 * ("/prefetch/medications/entry/2/resource/status"). */
static void
remap_where(struct ldn_error *err, const struct origin_map *map, size_t n)
{
	char rest[160], *end;
	unsigned long i;
	size_t k;

	if (err == NULL)
		return;
	if (strcmp(err->where, "/entry") == 0)
		snprintf(err->where, sizeof(err->where), "/prefetch");
	if (strncmp(err->where, "/entry/", 7) != 0)
		return;
	i = strtoul(err->where + 7, &end, 10);
	if (end == err->where + 7 || i >= n || map[i].prefix == NULL)
		return;
	snprintf(rest, sizeof(rest), "%s", end);
	if (map[i].bare && strncmp(rest, "/resource", 9) == 0)
		memmove(rest, rest + 9, strlen(rest + 9) + 1);
	if (map[i].bare)
		snprintf(err->where, sizeof(err->where), "%s", map[i].prefix);
	else
		snprintf(err->where, sizeof(err->where), "%s/entry/%zu",
		    map[i].prefix, map[i].entry);
	k = strlen(err->where);
	snprintf(err->where + k, sizeof(err->where) - k, "%s", rest);
}

/* What intake cannot tell from an assembled Bundle: the medication list
 * was asked for (the key is required), and only active orders were. */
static void
amend(struct patient *p, void *ud)
{
	(void)ud;
	p->medications_given = true;
	p->medications_partial = true;
}

static enum ldn_status
apply_fetched(struct cds_req *r, const struct ldn_cds_fetched *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		struct jnode *v;
		enum ldn_status rc;
		const char *at;

		while (k < N_KEYS &&
		    (f[i].key == NULL ||
		        strcmp(cds_keys[k].key, f[i].key) != 0))
			k++;
		if (k == N_KEYS)
			return ldn_fail(r->err, LDN_E_BUG, "fetched",
			    "\"%.60s\" is not a prefetch key of this service",
			    f[i].key ? f[i].key : "(null)");
		at = arena_printf(&r->a, "fetched/%s", cds_keys[k].key);
		if (at == NULL)
			return ldn_fail(r->err, LDN_E_NOMEM, "",
			    "the request is too large");
		rc = json_parse_kept(&r->a, f[i].json ? f[i].json : "",
		    f[i].json ? f[i].len : 0, false, CDS_MAX_DEPTH,
		    fhir_types_read, &v, r->err);
		if (rc == LDN_E_NOMEM || rc == LDN_E_BUG)
			return rc;
		if (rc != LDN_OK) {
			char inner[160];

			snprintf(inner, sizeof(inner), "%s", r->err->where);
			snprintf(r->err->where, sizeof(r->err->where), "%s%s",
			    at, inner);
			r->err->code = LDN_E_SCHEMA;
			return LDN_E_SCHEMA;
		}
		rc = cds_req_set_value(r, k, v, ORIGIN_FETCHED, at);
		if (rc != LDN_OK)
			return rc;
	}
	return LDN_OK;
}

/* Required keys still missing: refuse, naming them and their queries. */
static enum ldn_status
check_missing(struct cds_req *r)
{
	struct strbuf b = STRBUF_INIT(1u << 12);
	size_t n = 0;

	for (size_t k = 0; k < N_KEYS; k++) {
		if (!cds_keys[k].required || r->origin[k] != ORIGIN_NONE)
			continue;
		const char *q = cds_query(r, k);
		sb_printf(&b, "%s\"%s\" (%s)", n++ ? ", " : "", cds_keys[k].key,
		    q ? q : cds_keys[k].tmpl);
	}
	if (n == 0) {
		sb_free(&b);
		return LDN_OK;
	}
	ldn_fail(r->err, LDN_E_SCHEMA, "missing-prefetch",
	    "the request lacks prefetch %s, and none was fetched%s",
	    sb_cstr(&b),
	    r->fhir_server ? "" : " (the request names no fhirServer)");
	sb_free(&b);
	return LDN_E_SCHEMA;
}

/* After the request is open and its prefetch complete: the plan, if the
 * service needs the record, and the cards. */
static enum ldn_status
answer(struct cds_req *r, const struct ldn_kb *kb, char **out, size_t *out_len,
    struct ldn_error *err)
{
	struct ldn_plan *pl = NULL;
	struct origin_map *map = NULL;
	struct jnode *bundle = NULL;
	enum ldn_status rc = LDN_OK;

	if (cds_req_needs_record(r)) {
		rc = check_missing(r);
		if (rc == LDN_OK)
			rc = assemble(r, &bundle, &map);
		if (rc == LDN_OK) {
			rc = plan_build_tree(kb, bundle, r->as_of, amend, NULL,
			    &pl, err);
			if (rc != LDN_OK)
				remap_where(err, map,
				    tree_get(bundle, "entry")->n);
			if (rc == LDN_E_PARSE)
				rc = err->code = LDN_E_SCHEMA;
		}
	}
	if (rc == LDN_OK)
		rc = cds_cards(r, pl, out, out_len);
	ldn_plan_free(pl);
	return rc;
}

enum ldn_status
ldn_cds_call_fetched(const struct ldn_kb *kb, const char *service_id,
    const char *body, size_t len, const struct ldn_cds_fetched *fetched,
    size_t n_fetched, const char *as_of, char **out, size_t *out_len,
    struct ldn_error *err)
{
	struct cds_req r;
	struct ldn_error local;
	enum ldn_status rc;

	if (err == NULL)
		err = &local;
	rc = cds_req_open(&r, kb, service_id, body, len, as_of, err);
	if (rc == LDN_OK)
		rc = apply_fetched(&r, fetched, n_fetched);
	if (rc == LDN_OK)
		rc = answer(&r, kb, out, out_len, err);
	cds_req_free(&r);
	return rc;
}

enum ldn_status
ldn_cds_call_fetching(const struct ldn_kb *kb, const char *service_id,
    const char *body, size_t len, const char *as_of, ldn_cds_fetch_fn fetch,
    void *ctx, char **out, size_t *out_len, struct ldn_error *err)
{
	return ldn_cds_call_fetching_padded(kb, service_id, body, len, false,
	    as_of, fetch, ctx, out, out_len, err);
}

enum ldn_status
ldn_cds_call_fetching_padded(const struct ldn_kb *kb, const char *service_id,
    const char *body, size_t len, bool padded, const char *as_of,
    ldn_cds_fetch_fn fetch, void *ctx, char **out, size_t *out_len,
    struct ldn_error *err)
{
	struct ldn_cds_fetched got[N_KEYS] = { { 0 } };
	size_t n = 0;
	struct cds_req r;
	struct ldn_error local;
	enum ldn_status rc;

	if (err == NULL)
		err = &local;
	rc = cds_req_open_padded(&r, kb, service_id, body, len, padded, as_of,
	    err);
	for (size_t k = 0; rc == LDN_OK && fetch && r.fhir_server &&
	     cds_req_needs_record(&r) && k < N_KEYS;
	     k++) {
		char *q, *json;
		size_t jl = 0;

		if (r.origin[k] != ORIGIN_NONE ||
		    (q = cds_query(&r, k)) == NULL)
			continue;
		json = fetch(ctx, r.fhir_server, r.access_token, q, &jl);
		if (json)
			got[n++] =
			    (struct ldn_cds_fetched){ .key = cds_keys[k].key,
				    .json = json,
				    .len = jl };
	}
	if (rc == LDN_OK)
		rc = apply_fetched(&r, got, n);
	for (size_t i = 0; i < n; i++)
		free((char *)got[i].json);
	if (rc == LDN_OK)
		rc = answer(&r, kb, out, out_len, err);
	cds_req_free(&r);
	return rc;
}

enum ldn_status
ldn_cds_call(const struct ldn_kb *kb, const char *service_id, const char *body,
    size_t len, const char *as_of, char **out, size_t *out_len,
    struct ldn_error *err)
{
	return ldn_cds_call_fetched(kb, service_id, body, len, NULL, 0, as_of,
	    out, out_len, err);
}

int
ldn_cds_http_status(enum ldn_status rc, const struct ldn_error *err)
{
	const char *w = err ? err->where : "";

	if (rc == LDN_OK)
		return 200;
	if (rc != LDN_E_SCHEMA && rc != LDN_E_PARSE)
		return 500;
	if (strcmp(w, "service") == 0)
		return 404;
	if (strcmp(w, "missing-prefetch") == 0 ||
	    strncmp(w, "fetched/", 8) == 0)
		return 412;
	if (strcmp(w, "as_of") == 0)
		return 500; /* the server's date, not the request */
	return 400;
}
