/*
 * CDS Hooks services: the nine sandbox-shaped requests of
 * tests/data/cds-hooks/requests (three Synthea patients, three hooks) and
 * variants built from them in memory.  Every response is held to the
 * CDS Hooks 2.0 card rules by this file's own validator: required fields,
 * indicator values, summary under 140 characters, uuid form, suggestion
 * and action shapes, no null or empty element, every citation of a detail
 * in its reference list; a suggested MedicationRequest is held to the
 * first LDN step.  Then what each card says for its patient, the reverse
 * check (an opioid ordered for a patient on naltrexone), missing prefetch
 * and the server's fetch, and bad requests, each refused with its place.
 *
 *   cds REQUESTS_DIR
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/cds.h"
#include "ldn/kb.h"

#include "tap.h"

static const struct ldn_kb *kb;
static const char *dir;
static const char AS_OF[] = "2026-11-25";

static const char *const patients[3] = { "Eliseo_Cummings", "Suzi_Bechtelar",
	"Jacki_Feil" };
static const char *const hooks[3] = { "patient-view", "order-select",
	"order-sign" };

static json_t *
load(const char *patient, const char *hook)
{
	char path[1024];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s__%s.json", dir, patient, hook);
	j = json_load_file(path, 0, &e);
	if (j == NULL)
		printf("Bail out! %s: %s\n", path, e.text);
	return j;
}

static const char *
service(const char *hook)
{
	static char s[64];

	snprintf(s, sizeof(s), "ldn-%s", hook);
	return s;
}

/* ---------------------------------------------------------------- rules */

static bool
is_uuid(const char *s)
{
	static const char form[] = "xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx";

	if (s == NULL || strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		char c = s[i];

		if (form[i] == '-' || form[i] == '4') {
			if (c != form[i])
				return false;
		} else if (form[i] == 'V') {
			if (c != '8' && c != '9' && c != 'a' && c != 'b')
				return false;
		} else if (!isxdigit((unsigned char)c) ||
		    isupper((unsigned char)c)) {
			return false;
		}
	}
	return true;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool
nonempty_str(json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0;
}

/* CDS Hooks: no element is null or empty ("", [], {}) unless the
 * specification says so; only the top-level cards array may be empty. */
static bool
no_empty(json_t *v, char *why, size_t n, const char *at)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_null(v) || (json_is_string(v) && !nonempty_str(v)) ||
	    (json_is_array(v) && json_array_size(v) == 0) ||
	    (json_is_object(v) && json_object_size(v) == 0)) {
		snprintf(why, n, "%s is null or empty", at);
		return false;
	}
	if (json_is_array(v))
		json_array_foreach(v, i,
		    x) if (!no_empty(x, why, n, at)) return false;
	if (json_is_object(v))
		json_object_foreach(v, key,
		    x) if (!no_empty(x, why, n, key)) return false;
	return true;
}

/* The first LDN step as a MedicationRequest. */
static bool
check_ldn_request(json_t *r, char *why, size_t n)
{
	json_t *di = json_array_get(json_object_get(r, "dosageInstruction"), 0);
	json_t *rep = json_object_get(json_object_get(di, "timing"), "repeat");
	json_t *dq =
	    json_object_get(json_array_get(json_object_get(di, "doseAndRate"),
	                        0),
	        "doseQuantity");
	const char *text = json_string_value(
	    json_object_get(json_object_get(r, "medicationCodeableConcept"),
	        "text"));
	json_t *when = json_object_get(rep, "when");

	if (!json_is_object(r) ||
	    strcmp(nz(json_string_value(json_object_get(r, "resourceType"))),
	        "MedicationRequest") != 0)
		return snprintf(why, n, "not a MedicationRequest"), false;
	if (!nonempty_str(json_object_get(r, "status")) ||
	    !nonempty_str(json_object_get(r, "intent")) ||
	    !nonempty_str(
	        json_object_get(json_object_get(r, "subject"), "reference")))
		return snprintf(why, n, "status, intent or subject missing"),
		       false;
	if (json_object_get(r, "medicationReference") != NULL || text == NULL ||
	    strstr(text, "Naltrexone (low dose) oral") != text)
		return snprintf(why, n, "medication is not the LDN text"),
		       false;
	const char *at = nz(json_string_value(json_array_get(when, 0)));
	const char *words = nz(json_string_value(json_object_get(di, "text")));

	if (json_integer_value(json_object_get(rep, "frequency")) != 1 ||
	    json_integer_value(json_object_get(rep, "period")) != 1 ||
	    strcmp(nz(json_string_value(json_object_get(rep, "periodUnit"))),
	        "d") != 0 ||
	    json_array_size(when) != 1 ||
	    (strcmp(at, "HS") != 0 && strcmp(at, "MORN") != 0))
		return snprintf(why, n,
		           "not once daily, at bedtime or in the "
		           "morning"),
		       false;
	/* the coded time and the words agree */
	if (strstr(words,
	        strcmp(at, "HS") == 0 ? "at bedtime" : "in the morning") ==
	    NULL)
		return snprintf(why, n, "when %s, but the text says \"%s\"", at,
		           words),
		       false;
	if (!json_is_number(json_object_get(dq, "value")) ||
	    strcmp(nz(json_string_value(json_object_get(dq, "system"))),
	        "http://unitsofmeasure.org") != 0 ||
	    strcmp(nz(json_string_value(json_object_get(dq, "code"))), "mg") !=
	        0)
		return snprintf(why, n, "dose not in UCUM mg"), false;
	return true;
}

/* Every "[1, 2]" in a detail names an entry of its numbered reference
 * list. */
static bool
citations_resolve(const char *d, char *why, size_t n)
{
	const char *refs = strstr(d, "**References**");
	int max = 0, listed = 0;

	if (refs == NULL)
		return snprintf(why, n, "no reference list"), false;
	for (const char *p = d; p < refs; p++) {
		if (*p != '[' || !isdigit((unsigned char)p[1]))
			continue;
		for (p++; *p && *p != ']'; p++)
			if (isdigit((unsigned char)*p)) {
				char *end;
				int v = (int)strtol(p, &end, 10);

				max = v > max ? v : max;
				p = end - 1;
			}
	}
	for (const char *p = refs; (p = strchr(p, '\n')) != NULL; p++)
		if (isdigit((unsigned char)p[1]) && atoi(p + 1) == listed + 1 &&
		    strstr(p, ". ") != NULL)
			listed++;
	if (max == 0 || max > listed)
		return snprintf(why, n, "cites [%d] of %d references", max,
		           listed),
		       false;
	return true;
}

static bool
check_action(json_t *a, char *why, size_t n)
{
	const char *type = json_string_value(json_object_get(a, "type"));

	if (type == NULL ||
	    (strcmp(type, "create") && strcmp(type, "update") &&
	        strcmp(type, "delete")))
		return snprintf(why, n, "action type \"%s\"", nz(type)), false;
	if (!nonempty_str(json_object_get(a, "description")))
		return snprintf(why, n, "action without a description"), false;
	if (strcmp(type, "delete") == 0)
		return nonempty_str(json_object_get(a, "resourceId")) ||
		    (snprintf(why, n, "delete without resourceId"), false);
	if (!json_is_object(json_object_get(a, "resource")) ||
	    !nonempty_str(json_object_get(json_object_get(a, "resource"),
	        "resourceType")))
		return snprintf(why, n, "%s without a resource", type), false;
	return true;
}

static bool
check_card(json_t *c, char *why, size_t n)
{
	static const char *const known[] = { "uuid", "summary", "detail",
		"indicator", "source", "suggestions", "selectionBehavior",
		"overrideReasons", "links", NULL };
	const char *key, *ind, *sel;
	json_t *v, *sugg, *src;
	size_t i;

	json_object_foreach(c, key, v)
	{
		bool ok = false;

		for (size_t k = 0; known[k]; k++)
			ok |= strcmp(known[k], key) == 0;
		if (!ok)
			return snprintf(why, n, "unknown member %s", key),
			       false;
	}
	if (!no_empty(c, why, n, "card"))
		return false;
	v = json_object_get(c, "summary");
	if (!nonempty_str(v) || chars(json_string_value(v)) >= 140)
		return snprintf(why, n, "summary missing or 140+ characters"),
		       false;
	ind = json_string_value(json_object_get(c, "indicator"));
	if (ind == NULL ||
	    (strcmp(ind, "info") && strcmp(ind, "warning") &&
	        strcmp(ind, "critical")))
		return snprintf(why, n, "indicator \"%s\"", nz(ind)), false;
	src = json_object_get(c, "source");
	if (!json_is_object(src) ||
	    !nonempty_str(json_object_get(src, "label")))
		return snprintf(why, n, "source.label missing"), false;
	v = json_object_get(c, "uuid");
	if (v != NULL && !is_uuid(json_string_value(v)))
		return snprintf(why, n, "uuid \"%s\"",
		           nz(json_string_value(v))),
		       false;
	v = json_object_get(c, "detail");
	if (v != NULL &&
	    (!nonempty_str(v) ||
	        !citations_resolve(json_string_value(v), why, n)))
		return false;
	sugg = json_object_get(c, "suggestions");
	sel = json_string_value(json_object_get(c, "selectionBehavior"));
	if (sugg != NULL) {
		json_t *s;

		if (!json_is_array(sugg) || sel == NULL ||
		    (strcmp(sel, "at-most-one") && strcmp(sel, "any")))
			return snprintf(why, n,
			           "suggestions without selectionBehavior"),
			       false;
		json_array_foreach(sugg, i, s)
		{
			json_t *acts = json_object_get(s, "actions"), *a;
			size_t k;

			if (!nonempty_str(json_object_get(s, "label")))
				return snprintf(why, n, "suggestion label"),
				       false;
			if (json_object_get(s, "uuid") &&
			    !is_uuid(
			        json_string_value(json_object_get(s, "uuid"))))
				return snprintf(why, n, "suggestion uuid"),
				       false;
			if (json_object_get(s, "isRecommended") &&
			    !json_is_boolean(
			        json_object_get(s, "isRecommended")))
				return snprintf(why, n, "isRecommended"), false;
			if (acts != NULL && !json_is_array(acts))
				return snprintf(why, n, "actions"), false;
			json_array_foreach(acts, k,
			    a) if (!check_action(a, why, n)) return false;
		}
	} else if (sel != NULL) {
		return snprintf(why, n,
		           "selectionBehavior without "
		           "suggestions"),
		       false;
	}
	return true;
}

/* The whole response: {"cards": [...]}, each card valid, uuids unique. */
static bool
check_response(json_t *r, char *why, size_t n)
{
	json_t *cards = json_object_get(r, "cards"), *c;
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_array(cards))
		return snprintf(why, n, "no cards array"), false;
	json_object_foreach(r, key, v) if (strcmp(key, "cards") &&
	    strcmp(key, "systemActions")) return snprintf(why, n,
	    "unknown member %s", key),
	    false;
	json_array_foreach(cards, i, c)
	{
		if (!check_card(c, why, n))
			return false;
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_object_get(c, "uuid"),
			        json_object_get(json_array_get(cards, k),
			            "uuid")))
				return snprintf(why, n, "uuid repeated"), false;
	}
	return true;
}

/* ---------------------------------------------------------------- calls */

static char *
body_of(json_t *req, size_t *len)
{
	char *s = json_dumps(req, JSON_COMPACT);

	*len = s ? strlen(s) : 0;
	return s;
}

/* Call the service; the response (parsed, checked against the rules) or
 * NULL with err filled. */
static json_t *
call(const char *svc, json_t *req, struct ldn_error *err, const char *what)
{
	size_t len, out_len;
	char *body = body_of(req, &len), *out = NULL, why[256] = "";
	enum ldn_status rc;
	json_t *r;

	rc = ldn_cds_call(kb, svc, body, len, AS_OF, &out, &out_len, err);
	free(body);
	if (rc != LDN_OK)
		return NULL;
	r = json_loadb(out, out_len, 0, NULL);
	free(out);
	if (!ok(r != NULL && check_response(r, why, sizeof(why)),
	        "%s: a valid CDS Hooks response%s%s", what, *why ? ": " : "",
	        why)) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static json_t *
card(json_t *r, size_t i)
{
	return json_array_get(json_object_get(r, "cards"), i);
}

static size_t
n_cards(json_t *r)
{
	return json_array_size(json_object_get(r, "cards"));
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The card whose summary starts with prefix, or NULL. */
static json_t *
find(json_t *r, const char *prefix)
{
	for (size_t i = 0; i < n_cards(r); i++)
		if (strncmp(str(card(r, i), "summary"), prefix,
		        strlen(prefix)) == 0)
			return card(r, i);
	return NULL;
}

static json_t *
suggested_resource(json_t *c)
{
	return json_object_get(
	    json_array_get(json_object_get(json_array_get(json_object_get(c,
	                                                      "suggestions"),
	                                       0),
	                       "actions"),
	        0),
	    "resource");
}

static double
suggested_mg(json_t *c)
{
	json_t *r = suggested_resource(c);
	json_t *di = json_array_get(json_object_get(r, "dosageInstruction"), 0);

	return json_number_value(
	    json_object_get(json_object_get(json_array_get(json_object_get(di,
	                                                       "doseAndRate"),
	                                        0),
	                        "doseQuantity"),
	        "value"));
}

/* The draft order's resource (entry i). */
static json_t *
draft(json_t *req, size_t i)
{
	return json_object_get(
	    json_array_get(json_object_get(json_object_get(json_object_get(req,
	                                                       "context"),
	                                       "draftOrders"),
	                       "entry"),
	        i),
	    "resource");
}

/* Replace the draft's medication: text, an RxNorm code or none, and a
 * dose in mg (or 0 to keep the draft's pill count). */
static void
set_draft(json_t *req, const char *text, const char *rxnorm, double dose_mg)
{
	json_t *d = draft(req, 0);
	json_t *cc = json_pack("{s:s}", "text", text);

	if (rxnorm != NULL)
		json_object_set_new(cc, "coding",
		    json_pack("[{s:s,s:s,s:s}]", "system",
		        "http://www.nlm.nih.gov/research/umls/rxnorm", "code",
		        rxnorm, "display", text));
	json_object_set_new(d, "medicationCodeableConcept", cc);
	if (dose_mg > 0)
		json_object_set_new(d, "dosageInstruction",
		    json_pack("[{s:[{s:{s:f,s:s,s:s,s:s}}]}]", "doseAndRate",
		        "doseQuantity", "value", dose_mg, "unit", "mg",
		        "system", "http://unitsofmeasure.org", "code", "mg"));
}

static const char *
patient_id(json_t *req)
{
	return str(json_object_get(req, "context"), "patientId");
}

/* Add a resource to the prefetch value under key (a searchset made if
 * the key has none). */
static void
add_prefetch(json_t *req, const char *key, json_t *res)
{
	json_t *pf = json_object_get(req, "prefetch");
	json_t *b = json_object_get(pf, key);
	char url[256];

	if (b == NULL || json_is_null(b)) {
		b = json_pack("{s:s,s:s,s:[]}", "resourceType", "Bundle",
		    "type", "searchset", "entry");
		json_object_set_new(pf, key, b);
	}
	json_object_set_new(res, "subject",
	    json_pack("{s:s}", "reference", "Patient/x"));
	snprintf(url, sizeof(url), "Patient/%s", patient_id(req));
	json_object_set_new(json_object_get(res, "subject"), "reference",
	    json_string(url));
	snprintf(url, sizeof(url), "%s/%s", str(res, "resourceType"),
	    str(res, "id"));
	json_array_append_new(json_object_get(b, "entry"),
	    json_pack("{s:s,s:o}", "fullUrl", url, "resource", res));
}

/* A medication on the patient's list: an active order, or (statement)
 * an active MedicationStatement. */
static void
add_medication(json_t *req, const char *text, const char *rxnorm,
    bool statement)
{
	json_t *cc = json_pack("{s:s}", "text", text);
	json_t *res;

	if (rxnorm != NULL)
		json_object_set_new(cc, "coding",
		    json_pack("[{s:s,s:s}]", "system",
		        "http://www.nlm.nih.gov/research/umls/rxnorm", "code",
		        rxnorm));
	res = json_pack("{s:s,s:s,s:s,s:s,s:o}", "resourceType",
	    statement ? "MedicationStatement" : "MedicationRequest", "id",
	    statement ? "ldn-statement" : "ldn-order", "status", "active",
	    "intent", "order", "medicationCodeableConcept", cc);
	if (statement)
		json_object_del(res, "intent");
	else
		json_object_set_new(res, "authoredOn",
		    json_string("2026-09-01"));
	add_prefetch(req, statement ? "medicationStatements" : "medications",
	    res);
}

/* ---------------------------------------------------------------- tests */

static void
discovery(void)
{
	struct ldn_error err;
	char *out;
	size_t len;
	json_t *d, *s;
	size_t i;
	bool good = true;

	ok(ldn_cds_discovery(kb, &out, &len, &err) == LDN_OK,
	    "discovery document");
	d = json_loadb(out, len, 0, NULL);
	free(out);
	ok(json_array_size(json_object_get(d, "services")) == 3,
	    "three services");
	json_array_foreach(json_object_get(d, "services"), i, s)
	{
		json_t *pf = json_object_get(s, "prefetch"), *t;
		const char *key;

		good &= strcmp(str(s, "hook"), hooks[i]) == 0 &&
		    strcmp(str(s, "id"), service(hooks[i])) == 0 &&
		    nonempty_str(json_object_get(s, "title")) &&
		    nonempty_str(json_object_get(s, "description")) &&
		    strcmp(str(pf, "patient"),
		        "Patient/{{context.patientId}}") == 0 &&
		    strstr(str(pf, "medications"), "MedicationRequest?") &&
		    strstr(str(pf, "medicationStatements"),
		        "MedicationStatement?") &&
		    strstr(str(pf, "observations"), "29463-7") &&
		    strstr(str(pf, "serviceRequests"), "ServiceRequest?");
		json_object_foreach(pf, key, t) good &=
		    strstr(json_string_value(t), "{{context.patientId}}") !=
		    NULL;
	}
	ok(good,
	    "ids ldn-patient-view, ldn-order-select, ldn-order-sign; hooks, "
	    "titles, descriptions; prefetch templates with the spec's tokens");
	ok(ldn_cds_service_exists("ldn-order-sign") &&
	        !ldn_cds_service_exists("ldn-order") &&
	        !ldn_cds_service_exists(NULL),
	    "service ids known, others not");
	json_decref(d);
}

/* The nine requests as they are. */
static void
nine(void)
{
	for (size_t p = 0; p < 3; p++)
		for (size_t h = 0; h < 3; h++) {
			json_t *req = load(patients[p], hooks[h]), *r, *c;
			struct ldn_error err;
			char what[128];

			snprintf(what, sizeof(what), "%s %s", patients[p],
			    hooks[h]);
			r = call(service(hooks[h]), req, &err, what);
			if (!ok(r != NULL, "%s: answered (%s)", what,
			        r ? "ok" : err.msg)) {
				json_decref(req);
				continue;
			}
			for (size_t i = 0; i < n_cards(r); i++)
				tap_diag("%s: %s | %s", what,
				    str(card(r, i), "indicator"),
				    str(card(r, i), "summary"));
			c = card(r, 0);
			if (h == 0 && p == 0)
				ok(n_cards(r) == 1 &&
				        strcmp(str(c, "indicator"),
				            "critical") == 0 &&
				        strstr(str(c, "summary"),
				            "Do not start LDN") &&
				        strstr(str(c, "detail"),
				            "Hydrocodone") &&
				        strstr(str(c, "detail"),
				            "an active order on file"),
				    "%s: one critical card, the hydrocodone "
				    "order blocks LDN",
				    what);
			else if (h == 0)
				ok(n_cards(r) == 1 &&
				        strcmp(str(c, "indicator"),
				            "warning") == 0 &&
				        strstr(str(c, "summary"),
				            "LDN may start today (2026-11-25): "
				            "1.5 mg") &&
				        strstr(str(c, "detail"),
				            "**Titration**") &&
				        strstr(str(c, "detail"),
				            "increase to 4.5 mg") &&
				        !strstr(str(c, "detail"),
				            "**Blocks**") &&
				        !strstr(str(c, "detail"),
				            "opioid-free days have passed"),
				    "%s: may start today, with the titration, "
				    "no "
				    "block (no opioid contraindication)",
				    what);
			else if (p == 0)
				ok(n_cards(r) == 2 &&
				        find(r, "Opioid exposure on file") &&
				        strcmp(str(find(r,
				                       "Opioid exposure on "
				                       "file"),
				                   "indicator"),
				            "critical") == 0 &&
				        find(r,
				            "50 mg naltrexone is a standard") &&
				        !json_object_get(
				            find(r,
				                "50 mg naltrexone is a "
				                "standard"),
				            "suggestions"),
				    "%s: critical opioid card; 50 mg is not "
				    "LDN, "
				    "and no LDN suggested while opioids block "
				    "it",
				    what);
			else {
				char why[256] = "";

				ok(n_cards(r) == 1 &&
				        strcmp(str(c, "indicator"),
				            "warning") == 0 &&
				        strstr(str(c, "summary"),
				            "50 mg naltrexone is a standard "
				            "dose, "
				            "not LDN") &&
				        strcmp(str(suggested_resource(c), "id"),
				            "request-123") == 0 &&
				        suggested_mg(c) == 1.5 &&
				        check_ldn_request(suggested_resource(c),
				            why, sizeof(why)),
				    "%s: 50 mg is not LDN; the suggestion "
				    "replaces the draft with 1.5 mg at "
				    "bedtime%s%s",
				    what, *why ? ": " : "", why);
			}
			json_decref(r);
			json_decref(req);
		}
}

/* A plan that doses in the morning (insomnia on file) suggests the first
 * step in the morning, coded MORN, in words and code alike; without
 * insomnia, at bedtime (HS). */
static void
morning(void)
{
	static const char base[] =
	    "{\"id\":\"m\",\"birth_date\":\"1981-06-15\",\"sex\":"
	    "\"female\",\"weight_kg\":70,\"opioid_analgesia_required\":"
	    "false,\"medications\":[],\"conditions\":[{\"code\":\"M79.7\","
	    "\"system\":\"icd10\",\"status\":\"active\"}%s]}";
	static const char insomnia[] =
	    ",{\"code\":\"G47.00\",\"system\":\"icd10\",\"status\":"
	    "\"active\"}";

	for (int m = 0; m < 2; m++) {
		char patient[1024], why[256] = "";
		struct ldn_error err = { 0 };
		char *out = NULL;
		size_t len;
		json_t *r = NULL, *c;

		snprintf(patient, sizeof(patient), base, m ? insomnia : "");
		if (ldn_check_order(kb, patient, strlen(patient),
		        "naltrexone 50 mg", AS_OF, LDN_AUDIENCE_CLINICIAN,
		        LDN_FORMAT_JSON, &out, &len, &err) == LDN_OK)
			r = json_loadb(out, len, 0, NULL);
		c = find(r, "50 mg naltrexone is a standard");
		const char *at = nz(json_string_value(json_array_get(
		    json_object_get(
		        json_object_get(
		            json_object_get(
		                json_array_get(
		                    json_object_get(suggested_resource(c),
		                        "dosageInst"
		                        "ruction"),
		                    0),
		                "timing"),
		            "repeat"),
		        "when"),
		    0)));

		ok(c &&
		        check_ldn_request(suggested_resource(c), why,
		            sizeof(why)) &&
		        strcmp(at, m ? "MORN" : "HS") == 0 &&
		        strstr(str(c, "detail"),
		            m ? "in the morning" : "at bedtime") != NULL,
		    "%s: the suggested first step is %s (%s)%s%s",
		    m ? "insomnia on file" : "no insomnia",
		    m ? "in the morning" : "at bedtime", at, *why ? ": " : "",
		    why);
		json_decref(r);
		free(out);
	}
}

/* The same request and date give the same bytes; the uuids follow the
 * hookInstance. */
static void
stable(void)
{
	json_t *req = load("Suzi_Bechtelar", "order-sign");
	size_t len, n1, n2;
	char *body = body_of(req, &len), *o1 = NULL, *o2 = NULL;
	struct ldn_error err;
	json_t *a, *b;

	ldn_cds_call(kb, "ldn-order-sign", body, len, AS_OF, &o1, &n1, &err);
	ldn_cds_call(kb, "ldn-order-sign", body, len, AS_OF, &o2, &n2, &err);
	ok(o1 && o2 && n1 == n2 && memcmp(o1, o2, n1) == 0,
	    "same request, same bytes");
	free(body);
	json_object_set_new(req, "hookInstance",
	    json_string("0b0d6a1c-6a3c-4b8e-9a55-2f3c3c1d9e01"));
	a = json_loadb(o1, n1, 0, NULL);
	b = call("ldn-order-sign", req, &err, "another hookInstance");
	ok(a && b &&
	        strcmp(str(card(a, 0), "uuid"), str(card(b, 0), "uuid")) != 0 &&
	        strcmp(str(card(a, 0), "summary"),
	            str(card(b, 0), "summary")) == 0,
	    "another hookInstance: the same card under another uuid");
	json_decref(a);
	json_decref(b);
	free(o1);
	free(o2);
	json_decref(req);
}

/* Order hooks with the draft replaced. */
static void
drafts(void)
{
	for (size_t p = 0; p < 3; p++)
		for (size_t h = 1; h < 3; h++) {
			struct ldn_error err;
			char what[160];
			json_t *req, *r, *c;

			/* naltrexone 4.5 mg: LDN, but not the first step */
			req = load(patients[p], hooks[h]);
			set_draft(req,
			    "Naltrexone 4.5 mg capsule (low dose, "
			    "compounded)",
			    NULL, 0);
			snprintf(what, sizeof(what), "%s %s, naltrexone 4.5 mg",
			    patients[p], hooks[h]);
			r = call(service(hooks[h]), req, &err, what);
			c = r ? find(r, "Start LDN at 1.5 mg") : NULL;
			if (p == 0)
				ok(r && n_cards(r) == 1 &&
				        find(r, "Opioid exposure") && c == NULL,
				    "%s: the opioid card only; no start while "
				    "it blocks",
				    what);
			else
				ok(r && n_cards(r) == 1 && c &&
				        strcmp(str(c, "indicator"), "info") ==
				            0 &&
				        suggested_mg(c) == 1.5 &&
				        strstr(str(c, "detail"),
				            "does not start at the first step"),
				    "%s: start at 1.5 mg and titrate, with the "
				    "suggestion",
				    what);
			json_decref(r);
			json_decref(req);

			/* "LDN" at 1.5 mg: the first step already */
			req = load(patients[p], hooks[h]);
			set_draft(req, "LDN", NULL, 1.5);
			snprintf(what, sizeof(what), "%s %s, LDN 1.5 mg",
			    patients[p], hooks[h]);
			r = call(service(hooks[h]), req, &err, what);
			ok(r && n_cards(r) == (p == 0 ? 1u : 0u), "%s: %s",
			    what,
			    p == 0 ? "the opioid card only"
			           : "the first step: no card");
			json_decref(r);
			json_decref(req);

			/* naltrexone of no known strength */
			req = load(patients[p], hooks[h]);
			set_draft(req, "Naltrexone Pill", "1156983", 0);
			snprintf(what, sizeof(what), "%s %s, naltrexone pill",
			    patients[p], hooks[h]);
			r = call(service(hooks[h]), req, &err, what);
			ok(r &&
			        (p == 0 ? n_cards(r) == 1
			                : find(r, "Start LDN at 1.5 mg") !=
			                    NULL),
			    "%s: %s", what,
			    p == 0 ? "the opioid card only"
			           : "strength unknown: the first step "
			             "suggested");
			json_decref(r);
			json_decref(req);

			/* no naltrexone: no card, and nothing to fetch */
			req = load(patients[p], hooks[h]);
			set_draft(req, "Amoxicillin 500 MG Oral Capsule",
			    "308191", 0);
			snprintf(what, sizeof(what), "%s %s, amoxicillin",
			    patients[p], hooks[h]);
			r = call(service(hooks[h]), req, &err, what);
			ok(r && n_cards(r) == 0, "%s: no card", what);
			json_decref(r);
			json_object_del(req, "prefetch");
			json_object_del(req, "fhirServer");
			r = call(service(hooks[h]), req, &err, what);
			ok(r && n_cards(r) == 0,
			    "%s, no prefetch, no fhirServer: still no card "
			    "(no data needed)",
			    what);
			json_decref(r);
			json_decref(req);
		}
	/* order-select: only the selected drafts count */
	json_t *req = load("Suzi_Bechtelar", "order-select"), *r;
	struct ldn_error err;
	json_t *entries =
	    json_object_get(json_object_get(json_object_get(req, "context"),
	                        "draftOrders"),
	        "entry");
	json_array_append_new(entries,
	    json_pack("{s:{s:s,s:s,s:s,s:s,s:{s:s}}}", "resource",
	        "resourceType", "MedicationRequest", "id", "amox-1", "status",
	        "draft", "intent", "order", "medicationCodeableConcept", "text",
	        "Amoxicillin 500 MG Oral Capsule"));
	json_object_set_new(json_object_get(req, "context"), "selections",
	    json_pack("[s]", "MedicationRequest/amox-1"));
	r = call("ldn-order-select", req, &err, "order-select, amoxicillin");
	ok(r && n_cards(r) == 0,
	    "order-select: a naltrexone draft not among the selections gives "
	    "no card");
	json_decref(r);
	r = call("ldn-order-sign",
	    (json_object_set_new(req, "hook", json_string("order-sign")), req),
	    &err, "order-sign, two drafts");
	ok(r && n_cards(r) == 1,
	    "order-sign: the same drafts, all signed: the naltrexone card");
	json_decref(r);
	json_decref(req);
}

/* An opioid ordered for a patient on naltrexone. */
static void
reverse(void)
{
	static const struct {
		const char *text, *rxnorm, *days;
	} opioids[] = {
		{ "tramadol hydrochloride 50 MG Oral Tablet", "835603", "7" },
		{ "codeine phosphate 2 MG/ML / promethazine hydrochloride 1.25 "
		  "MG/ML Oral Solution (cough syrup)",
		    "991486", "7" },
		{ "buprenorphine 8 MG Sublingual Tablet", "351265", "14" },
		{ "72 HR fentanyl 0.05 MG/HR Transdermal System", "245135",
		    "10" },
		{ "Norco 5/325 (free text, no code)", NULL, "7" },
	};

	for (size_t p = 0; p < 3; p++)
		for (size_t h = 1; h < 3; h++)
			for (size_t o = 0; o < 5; o++) {
				struct ldn_error err;
				char what[256], days[64];
				json_t *req, *r, *c;

				snprintf(what, sizeof(what), "%s %s, %s",
				    patients[p], hooks[h], opioids[o].text);
				snprintf(days, sizeof(days),
				    "after %s opioid-free days",
				    opioids[o].days);
				req = load(patients[p], hooks[h]);
				set_draft(req, opioids[o].text,
				    opioids[o].rxnorm, 0);
				r = call(service(hooks[h]), req, &err, what);
				ok(r && n_cards(r) == 0,
				    "%s, no naltrexone on file: no card", what);
				json_decref(r);
				add_medication(req,
				    "Naltrexone 4.5 mg capsule (LDN, "
				    "compounded)",
				    NULL, false);
				r = call(service(hooks[h]), req, &err, what);
				c = r ? card(r, 0) : NULL;
				ok(r && n_cards(r) == 1 &&
				        strcmp(str(c, "indicator"),
				            "warning") == 0 &&
				        strstr(str(c, "summary"),
				            "Patient takes naltrexone") &&
				        strstr(str(c, "detail"), days) &&
				        strstr(str(c, "detail"),
				            "non-opioid") &&
				        strstr(str(c, "detail"), "withdrawal"),
				    "%s, LDN on file: a warning, non-opioid "
				    "analgesia, restart %s",
				    what, days);
				json_decref(r);
				json_decref(req);
			}
	/* standard dose on file: critical; LDN as a statement, or as words */
	struct {
		const char *text, *rxnorm, *indicator;
		bool statement;
	} onfile[] = {
		{ "Naltrexone hydrochloride 50 MG Oral Tablet", "1483744",
		    "critical", false },
		{ "Vivitrol 380 mg injection", NULL, "critical", false },
		{ "LDN 3 mg at bedtime", NULL, "warning", true },
		{ "low dose naltrexone", NULL, "warning", false },
	};
	for (size_t i = 0; i < 4; i++) {
		json_t *req = load("Jacki_Feil", "order-sign"), *r;
		struct ldn_error err;
		char what[256];

		snprintf(what, sizeof(what),
		    "order-sign, tramadol, on file: %s", onfile[i].text);
		set_draft(req, opioids[0].text, opioids[0].rxnorm, 0);
		add_medication(req, onfile[i].text, onfile[i].rxnorm,
		    onfile[i].statement);
		r = call("ldn-order-sign", req, &err, what);
		ok(r && n_cards(r) == 1 &&
		        strcmp(str(card(r, 0), "indicator"),
		            onfile[i].indicator) == 0,
		    "%s: %s", what, onfile[i].indicator);
		json_decref(r);
		json_decref(req);
	}
	/* a stopped LDN order is not on the list now */
	json_t *req = load("Suzi_Bechtelar", "order-sign"), *r;
	struct ldn_error err;
	set_draft(req, opioids[0].text, opioids[0].rxnorm, 0);
	add_medication(req, "LDN 4.5 mg", NULL, false);
	json_t *entries =
	    json_object_get(json_object_get(json_object_get(req, "prefetch"),
	                        "medications"),
	        "entry");
	json_object_set_new(json_object_get(json_array_get(entries,
	                                        json_array_size(entries) - 1),
	                        "resource"),
	    "status", json_string("stopped"));
	r = call("ldn-order-sign", req, &err, "stopped LDN");
	ok(r && n_cards(r) == 0, "LDN stopped: no card for tramadol");
	json_decref(r);
	json_decref(req);
}

/* The nine requests for a patient who already takes LDN: free-text
 * opioid drafts of every kind against the ways medication lists write LDN
 * (typos included), standard-dose naltrexone, and the patient-view card
 * with a planned operation on both sides of the hold's start. */
static void
on_ldn(void)
{
	static const char *const drafts_text[] = { "tramadol 50 mg",
		"Tylenol #3", "codeine cough syrup", "fentanyl patch",
		"buprenorphine" };
	static const struct {
		const char *text, *indicator;
	} lists[] = {
		{ "low dose naltrexon", "warning" },
		{ "LDN 4.5mg caps", "warning" },
		{ "naltrexone 4.5 mg compounded", "warning" },
		{ "low-dose naltrexone 1.5 mg", "warning" },
		{ "naltrexone 5 mg", "warning" },    /* the top of LDN */
		{ "naltrexone 5.5 mg", "critical" }, /* above it */
		{ "naltrexone 50 mg", "critical" },
	};

	for (size_t p = 0; p < 3; p++)
		for (size_t h = 1; h < 3; h++)
			for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]);
			     l++) {
				size_t good = 0;

				for (size_t o = 0; o < 5; o++) {
					struct ldn_error err;
					char what[256];
					json_t *req =
					    load(patients[p], hooks[h]);
					json_t *r;

					snprintf(what, sizeof(what),
					    "%s %s, %s on file, %s drafted",
					    patients[p], hooks[h],
					    lists[l].text, drafts_text[o]);
					set_draft(req, drafts_text[o], NULL, 0);
					add_medication(req, lists[l].text, NULL,
					    o % 2 == 1);
					r = call(service(hooks[h]), req, &err,
					    what);
					good += r && n_cards(r) == 1 &&
					    strcmp(str(card(r, 0), "indicator"),
					        lists[l].indicator) == 0;
					if (!(r && n_cards(r) == 1))
						tap_diag("%s: %zu cards", what,
						    r ? n_cards(r) : 0);
					json_decref(r);
					json_decref(req);
				}
				ok(good == 5,
				    "%s %s, \"%s\" on file: every free-text "
				    "opioid draft gets one %s card (%zu of 5)",
				    patients[p], hooks[h], lists[l].text,
				    lists[l].indicator, good);
			}
	for (size_t p = 0; p < 3; p++) {
		static const struct {
			const char *date, *says;
		} ops[] = {
			{ "2026-11-28", "began on 2026-11-25: give no more" },
			{ "2026-11-29",
			    "the last dose on the day before 2026-11-26" },
		};
		struct ldn_error err;
		json_t *req = load(patients[p], "patient-view"), *r, *c;

		add_medication(req, "LDN 4.5 mg capsule (compounded)", NULL,
		    false);
		r = call("ldn-patient-view", req, &err, "patient-view, LDN");
		c = r ? card(r, 0) : NULL;
		ok(r && n_cards(r) == 1 &&
		        strcmp(str(c, "indicator"), "critical") == 0 &&
		        strstr(str(c, "detail"), "already takes LDN"),
		    "%s patient-view, LDN on file: do not start a new "
		    "titration (critical)",
		    patients[p]);
		json_decref(r);
		for (size_t i = 0; i < 2; i++) {
			json_t *q = json_deep_copy(req);
			char what[128];

			add_prefetch(q, "serviceRequests",
			    json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:s}",
			        "resourceType", "ServiceRequest", "id", "op-1",
			        "status", "active", "intent", "order", "code",
			        "text", "Total knee replacement",
			        "occurrenceDateTime", ops[i].date));
			snprintf(what, sizeof(what),
			    "%s patient-view, LDN on file, surgery on %s",
			    patients[p], ops[i].date);
			r = call("ldn-patient-view", q, &err, what);
			c = r ? card(r, 0) : NULL;
			ok(c && strstr(str(c, "detail"), ops[i].says) &&
			        strstr(str(c, "detail"), "already takes LDN"),
			    "%s: the hold for the LDN taken now (\"%s\")", what,
			    ops[i].says);
			json_decref(r);
			json_decref(q);
		}
		json_decref(req);
	}
}

/* A planned operation: the hold dates. */
static void
surgery(void)
{
	struct ldn_error err;
	json_t *req = load("Suzi_Bechtelar", "order-sign"), *r, *c;

	add_prefetch(req, "serviceRequests",
	    json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:s}", "resourceType",
	        "ServiceRequest", "id", "op-1", "status", "active", "intent",
	        "order", "code", "text", "Laparoscopic cholecystectomy",
	        "occurrenceDateTime", "2026-12-20"));
	r = call("ldn-order-sign", req, &err, "Suzi, surgery planned");
	c = r ? find(r, "Procedure on 2026-12-20") : NULL;
	ok(c && strcmp(str(c, "indicator"), "warning") == 0 &&
	        strstr(str(c, "detail"), "Laparoscopic cholecystectomy") &&
	        strstr(str(c, "detail"), "2026-12-17") &&
	        find(r, "50 mg naltrexone"),
	    "order-sign with a planned operation: a surgery card with the "
	    "hold from 2026-12-17, beside the 50 mg card");
	if (c)
		tap_diag("surgery: %s", str(c, "summary"));
	json_decref(r);
	json_object_set_new(req, "hook", json_string("patient-view"));
	json_object_del(json_object_get(req, "context"), "draftOrders");
	r = call("ldn-patient-view", req, &err, "Suzi patient-view, surgery");
	ok(r &&
	        strstr(str(card(r, 0), "detail"),
	            "Laparoscopic cholecystectomy"),
	    "patient-view names the planned operation");
	json_decref(r);
	json_decref(req);
}

static bool
has_key(const struct ldn_cds_missing *m, const char *key, const char *query)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].key, key) == 0)
			return query == NULL ||
			    strcmp(m->items[i].query, query) == 0;
	return false;
}

/* Prefetch missing: what to fetch, the 412, and the fetched data used. */
static void
missing(void)
{
	json_t *req = load("Suzi_Bechtelar", "patient-view"), *meds;
	struct ldn_cds_missing *m = NULL;
	struct ldn_error err;
	size_t len, n0, n1;
	char *body, *o0 = NULL, *o1 = NULL, *mj;
	enum ldn_status rc;

	body = body_of(req, &len);
	ldn_cds_call(kb, "ldn-patient-view", body, len, AS_OF, &o0, &n0, &err);
	free(body);
	meds = json_incref(
	    json_object_get(json_object_get(req, "prefetch"), "medications"));
	json_object_del(json_object_get(req, "prefetch"), "medications");
	body = body_of(req, &len);
	rc = ldn_cds_missing_prefetch(kb, "ldn-patient-view", body, len, AS_OF,
	    &m, &err);
	ok(rc == LDN_OK && m &&
	        has_key(m, "medications",
	            "MedicationRequest?patient=95efed54-0648-"
	            "4faf-a179-9a2b3c45e92d&status=active") &&
	        !has_key(m, "patient", NULL) &&
	        has_key(m, "appointments",
	            "Appointment?patient=95efed54-0648-4faf-a179-"
	            "9a2b3c45e92d&date=ge2026-11-25") &&
	        m->fhir_server &&
	        strcmp(m->fhir_server, "http://127.0.0.1:8080/fhir") == 0 &&
	        m->access_token == NULL,
	    "missing prefetch: the keys with their queries (tokens "
	    "substituted, today() included) and the fhirServer");
	ldn_cds_missing_free(m);
	rc = ldn_cds_call(kb, "ldn-patient-view", body, len, AS_OF, &o1, &n1,
	    &err);
	ok(rc == LDN_E_SCHEMA && strcmp(err.where, "missing-prefetch") == 0 &&
	        strstr(err.msg, "\"medications\"") &&
	        ldn_cds_http_status(rc, &err) == 412,
	    "a required key missing and not fetched: 412 naming it (%s)",
	    err.msg);
	mj = json_dumps(meds, JSON_COMPACT);
	struct ldn_cds_fetched f = { "medications", mj, strlen(mj) };
	rc = ldn_cds_call_fetched(kb, "ldn-patient-view", body, len, &f, 1,
	    AS_OF, &o1, &n1, &err);
	ok(rc == LDN_OK && n0 == n1 && memcmp(o0, o1, n0) == 0,
	    "the same data fetched by the server: the same response");
	free(o1);
	free(body);
	struct ldn_cds_fetched bad[] = {
		{ "medications", "{\"resourceType\":", 16 },
		{ "medications",
		    "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{"
		    "\"resourceType\":\"MedicationRequest\",\"subject\":{"
		    "\"reference\":\"Patient/someone-else\"}}}]}",
		    0 },
		{ "medications", "{\"resourceType\":\"Condition\"}", 0 },
	};
	body = body_of(req, &len);
	for (size_t i = 0; i < 3; i++) {
		if (bad[i].len == 0)
			bad[i].len = strlen(bad[i].json);
		rc = ldn_cds_call_fetched(kb, "ldn-patient-view", body, len,
		    &bad[i], 1, AS_OF, &o1, &n1, &err);
		ok(rc == LDN_E_SCHEMA &&
		        strncmp(err.where, "fetched/medications", 19) == 0 &&
		        ldn_cds_http_status(rc, &err) == 412,
		    "fetched data unusable: 412 at %s (%s)", err.where,
		    err.msg);
	}
	free(body);
	/* no fhirServer either: the message says so */
	json_object_del(req, "fhirServer");
	body = body_of(req, &len);
	rc = ldn_cds_call(kb, "ldn-patient-view", body, len, AS_OF, &o1, &n1,
	    &err);
	ok(rc == LDN_E_SCHEMA && strstr(err.msg, "no fhirServer"),
	    "no prefetch and no fhirServer: says which data is missing (%s)",
	    err.msg);
	free(body);
	/* null: the client has no data, an answer */
	json_object_set_new(json_object_get(req, "prefetch"), "medications",
	    json_null());
	json_t *r = call("ldn-patient-view", req, &err, "medications null");
	ok(r && n_cards(r) == 1, "a null prefetch value is no data, not a gap");
	json_decref(r);
	/* an OperationOutcome: the client could not fetch it, a gap */
	json_object_set_new(json_object_get(req, "prefetch"), "medications",
	    json_pack("{s:s,s:[{s:s,s:s}]}", "resourceType", "OperationOutcome",
	        "issue", "severity", "error", "code", "timeout"));
	body = body_of(req, &len);
	rc = ldn_cds_call(kb, "ldn-patient-view", body, len, AS_OF, &o1, &n1,
	    &err);
	ok(rc == LDN_E_SCHEMA && ldn_cds_http_status(rc, &err) == 412,
	    "an OperationOutcome in prefetch is a gap: 412");
	free(body);
	/* everything missing, with an access token and an odd patient id */
	json_object_del(req, "prefetch");
	json_object_set_new(req, "fhirServer",
	    json_string("https://ehr.example.org/fhir"));
	json_object_set_new(req, "fhirAuthorization",
	    json_pack("{s:s,s:s,s:i,s:s,s:s}", "access_token", "opaque-token",
	        "token_type", "Bearer", "expires_in", 300, "scope",
	        "user/Patient.read", "subject", "cds-service"));
	json_object_set_new(json_object_get(req, "context"), "patientId",
	    json_string("a b/c"));
	body = body_of(req, &len);
	rc = ldn_cds_missing_prefetch(kb, "ldn-patient-view", body, len, AS_OF,
	    &m, &err);
	ok(rc == LDN_OK && m->n == 8 &&
	        has_key(m, "patient", "Patient/a%20b%2Fc") &&
	        strcmp(m->access_token, "opaque-token") == 0,
	    "no prefetch: all eight keys, values percent-encoded, the access "
	    "token passed on");
	ldn_cds_missing_free(m);
	free(body);
	free(o0);
	free(mj);
	json_decref(meds);
	json_decref(req);
}

/* Bad requests: LDN_E_SCHEMA with the place, never a crash. */
static void
bad(void)
{
	static const struct {
		const char *service, *body, *where;
	} raw[] = {
		{ "ldn-patient-view", "not json", "body" },
		{ "ldn-patient-view", "", "body" },
		{ "ldn-patient-view", "[]", "body" },
		{ "ldn-patient-view", "{\"hookInstance\":", "/hookInstance" },
		{ "ldn-patient-view",
		    "{\"hook\":\"patient-view\",\"context\":{\"patientId\":"
		    "\"1\"}}",
		    "/hookInstance" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":7,\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"}}",
		    "/hookInstance" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-sign\","
		    "\"context\":{\"patientId\":\"1\"}}",
		    "/hook" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\"}",
		    "/context" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":[]}",
		    "/context" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":12}}",
		    "/context/patientId" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"userId\":\"Practitioner/1\"}}",
		    "/context/patientId" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":[]}",
		    "/prefetch" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"patient\":\"Patient/1\"}}",
		    "/prefetch/patient" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"patient\":{\"resourceType\":\"Patient\",\"id\":\"2\"}}}",
		    "/prefetch/patient/id" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Bundle\",\"entry\":{}}}"
		    "}",
		    "/prefetch/conditions/entry" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"fhirAuthorization\":{"
		    "\"access_token\":\"t\",\"token_type\":\"Bearer\","
		    "\"expires_in\":300,\"scope\":\"s\",\"subject\":\"x\"}}",
		    "/fhirServer" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"fhirServer\":\"https://e/fhir\",\"context\":{"
		    "\"patientId\":\"1\"},\"fhirAuthorization\":{"
		    "\"access_token\":\"t\",\"token_type\":\"MAC\","
		    "\"expires_in\":300,\"scope\":\"s\",\"subject\":\"x\"}}",
		    "/fhirAuthorization/token_type" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"fhirServer\":42,\"context\":{\"patientId\":\"1\"}}",
		    "/fhirServer" },
		{ "ldn-order-sign",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-sign\","
		    "\"context\":{\"patientId\":\"1\"}}",
		    "/context/draftOrders" },
		{ "ldn-order-sign",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-sign\","
		    "\"context\":{\"patientId\":\"1\",\"draftOrders\":[]}}",
		    "/context/draftOrders" },
		{ "ldn-order-sign",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-sign\","
		    "\"context\":{\"patientId\":\"1\",\"draftOrders\":{"
		    "\"resourceType\":\"Patient\"}}}",
		    "/context/draftOrders/resourceType" },
		{ "ldn-order-sign",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-sign\","
		    "\"context\":{\"patientId\":\"1\",\"draftOrders\":{"
		    "\"resourceType\":\"Bundle\",\"entry\":{}}}}",
		    "/context/draftOrders/entry" },
		{ "ldn-order-sign",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-sign\","
		    "\"context\":{\"patientId\":\"1\",\"draftOrders\":{"
		    "\"resourceType\":\"Bundle\",\"entry\":[{\"fullUrl\":"
		    "\"x\"}]}}}",
		    "/context/draftOrders/entry/0/resource" },
		{ "ldn-order-sign",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-sign\","
		    "\"context\":{\"patientId\":\"1\",\"draftOrders\":{"
		    "\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{"
		    "\"resourceType\":\"MedicationRequest\","
		    "\"medicationCodeableConcept\":[]}}]}}}",
		    "/context/draftOrders/entry/0/resource/"
		    "medicationCodeableConcept" },
		{ "ldn-order-select",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-select\","
		    "\"context\":{\"patientId\":\"1\",\"draftOrders\":{"
		    "\"resourceType\":\"Bundle\",\"entry\":[]}}}",
		    "/context/selections" },
		{ "ldn-order-select",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-select\","
		    "\"context\":{\"patientId\":\"1\",\"selections\":["
		    "\"MedicationRequest/9\"],\"draftOrders\":{"
		    "\"resourceType\":\"Bundle\",\"entry\":[]}}}",
		    "/context/selections/0" },
		{ "ldn-order-select",
		    "{\"hookInstance\":\"x\",\"hook\":\"order-select\","
		    "\"context\":{\"patientId\":\"1\",\"selections\":[3],"
		    "\"draftOrders\":{\"resourceType\":\"Bundle\"}}}",
		    "/context/selections/0" },
		/* where a prefetch resource is wrong, named exactly */
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Bundle\",\"entry\":[{},"
		    "7]}}}",
		    "/prefetch/conditions/entry/1" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Bundle\",\"entry\":[{},"
		    "{\"fullUrl\":5}]}}}",
		    "/prefetch/conditions/entry/1/fullUrl" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Bundle\",\"entry\":[{},"
		    "{},{\"resource\":[]}]}}}",
		    "/prefetch/conditions/entry/2/resource" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Bundle\",\"entry\":[{},"
		    "{\"resource\":{}}]}}}",
		    "/prefetch/conditions/entry/1/resource/resourceType" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Bundle\",\"entry\":[{"
		    "\"resource\":{\"resourceType\":\"Patient\",\"id\":\"2\"}}]"
		    "}}}",
		    "/prefetch/conditions/entry/0/resource/id" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Bundle\",\"entry\":[{},"
		    "{},{},{\"resource\":{\"resourceType\":\"Condition\","
		    "\"patient\":{\"reference\":\"Patient/2\"}}}]}}}",
		    "/prefetch/conditions/entry/3/resource/patient/reference" },
		{ "ldn-patient-view",
		    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\","
		    "\"context\":{\"patientId\":\"1\"},\"prefetch\":{"
		    "\"conditions\":{\"resourceType\":\"Condition\","
		    "\"subject\":{\"reference\":\"Patient/2\"}}}}",
		    "/prefetch/conditions/subject/reference" },
	};
	struct ldn_error err;
	char *out = NULL, deep[4096];
	size_t n;
	enum ldn_status rc;

	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		memset(&err, 0, sizeof(err));
		rc = ldn_cds_call(kb, raw[i].service, raw[i].body,
		    strlen(raw[i].body), AS_OF, &out, &n, &err);
		ok(rc == LDN_E_SCHEMA && strcmp(err.where, raw[i].where) == 0 &&
		        err.msg[0] != '\0' &&
		        ldn_cds_http_status(rc, &err) == 400,
		    "bad request %zu refused at %s (got %s: %s)", i,
		    raw[i].where, err.where, err.msg);
	}
	/* nesting deeper than any request needs */
	n = (size_t)snprintf(deep, sizeof(deep),
	    "{\"hookInstance\":\"x\",\"hook\":\"patient-view\",\"context\":{"
	    "\"patientId\":\"1\",\"x\":");
	for (int i = 0; i < 1000; i++)
		deep[n++] = '[';
	for (int i = 0; i < 1000; i++)
		deep[n++] = ']';
	memcpy(deep + n, "}}", 3);
	n += 2;
	rc = ldn_cds_call(kb, "ldn-patient-view", deep, n, AS_OF, &out, &n,
	    &err);
	ok(rc == LDN_E_SCHEMA && err.where[0] != '\0' &&
	        ldn_cds_http_status(rc, &err) == 400,
	    "deep nesting refused at %s (%s)", err.where, err.msg);
	rc = ldn_cds_call(kb, "ldn-nothing", "{}", 2, AS_OF, &out, &n, &err);
	ok(rc == LDN_E_SCHEMA && strcmp(err.where, "service") == 0 &&
	        ldn_cds_http_status(rc, &err) == 404,
	    "an unknown service: where \"service\", 404");
	/* a prefetch resource of another patient, in a real request */
	json_t *req = load("Jacki_Feil", "patient-view");
	json_t *e0 =
	    json_array_get(json_object_get(json_object_get(json_object_get(req,
	                                                       "prefetch"),
	                                       "conditions"),
	                       "entry"),
	        0);
	json_object_set_new(json_object_get(json_object_get(e0, "resource"),
	                        "subject"),
	    "reference", json_string("Patient/someone-else"));
	json_t *r = call("ldn-patient-view", req, &err, "another patient");
	ok(r == NULL &&
	        strcmp(err.where,
	            "/prefetch/conditions/entry/0/resource/subject/"
	            "reference") == 0,
	    "a condition of another patient refused at %s", err.where);
	/* a wrong type deep in prefetch, named where the request has it */
	json_object_set_new(json_object_get(e0, "resource"), "subject",
	    json_pack("{s:s}", "reference",
	        "Patient/98671a34-1c6e-4569-a1bc-"
	        "6ee40c8d03a5"));
	json_object_set_new(json_object_get(e0, "resource"), "onsetDateTime",
	    json_integer(2011));
	r = call("ldn-patient-view", req, &err, "onset a number");
	ok(r == NULL && err.code == LDN_E_SCHEMA &&
	        strcmp(err.where,
	            "/prefetch/conditions/entry/0/resource/onsetDateTime") == 0,
	    "a wrong type inside prefetch named at %s (%s)", err.where,
	    err.msg);
	json_decref(req);
}

/* Shapes a client may send: a resource under two keys, the spec's own
 * example with a prefetch key of another service. */
static void
shapes(void)
{
	static const char spec[] =
	    "{\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\","
	    "\"fhirServer\":\"http://hooks.smarthealthit.org:9080\","
	    "\"hook\":\"patient-view\",\"fhirAuthorization\":{"
	    "\"access_token\":\"some-opaque-fhir-access-token\","
	    "\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":"
	    "\"user/Patient.read user/Observation.read\",\"subject\":"
	    "\"cds-service4\"},\"context\":{\"userId\":"
	    "\"Practitioner/example\",\"patientId\":\"1288992\","
	    "\"encounterId\":\"89284\"},\"prefetch\":{\"patientToGreet\":{"
	    "\"resourceType\":\"Patient\",\"gender\":\"male\",\"birthDate\":"
	    "\"1925-12-23\",\"id\":\"1288992\",\"active\":true}}}";
	json_t *req = load("Jacki_Feil", "patient-view"), *pf, *a, *b;
	struct ldn_cds_missing *m = NULL;
	struct ldn_error err;
	enum ldn_status rc;
	char *out;
	size_t n;

	a = call("ldn-patient-view", req, &err, "Jacki");
	pf = json_object_get(req, "prefetch");
	json_array_append_new(json_object_get(json_object_get(pf, "conditions"),
	                          "entry"),
	    json_pack("{s:s,s:O}", "fullUrl", "Patient/x", "resource",
	        json_object_get(pf, "patient")));
	b = call("ldn-patient-view", req, &err, "Jacki, Patient twice");
	ok(a && b && json_equal(a, b),
	    "the Patient sent under two keys counts once: the same card");
	json_decref(a);
	json_decref(b);
	json_decref(req);
	rc = ldn_cds_missing_prefetch(kb, "ldn-patient-view", spec,
	    strlen(spec), AS_OF, &m, &err);
	ok(rc == LDN_OK && m->n == 8 &&
	        has_key(m, "patient", "Patient/1288992") &&
	        strcmp(m->access_token, "some-opaque-fhir-access-token") == 0,
	    "the specification's example request: a key of another service "
	    "ignored, all eight of ours to fetch, with its token");
	ldn_cds_missing_free(m);
	rc = ldn_cds_call(kb, "ldn-patient-view", spec, strlen(spec), AS_OF,
	    &out, &n, &err);
	ok(rc == LDN_E_SCHEMA && ldn_cds_http_status(rc, &err) == 412,
	    "and without the fetch: 412");
}

int
main(int argc, char **argv)
{
	struct ldn_error err = { 0 };
	struct ldn_kb *k;

	if (argc < 2) {
		fprintf(stderr, "usage: cds REQUESTS_DIR\n");
		return 2;
	}
	dir = argv[1];
	if (ldn_kb_load(getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR, &k,
	        &err) != LDN_OK) {
		printf("Bail out! kb: %s: %s\n", err.where, err.msg);
		return 1;
	}
	kb = k;
	discovery();
	nine();
	stable();
	morning();
	drafts();
	reverse();
	on_ldn();
	surgery();
	missing();
	shapes();
	bad();
	ldn_kb_free(k);
	return tap_done();
}
