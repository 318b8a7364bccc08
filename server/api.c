/*
 * The REST API v1 handlers: each reads a request, calls the library or the
 * store, and fills a response.  Errors are JSON everywhere: a status, the
 * field (where) and why.  Bad input is 4xx; 5xx only when the server
 * itself fails.
 */
#include "api.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldn/ask.h"
#include "ldn/cds.h"
#include "ldn/next.h"
#include "ldn/plan.h"
#include "ldn/store.h"

#include "base/jsonw.h"
#include "base/strbuf.h"
#include "metrics.h"
#include "review.h"

static const char JSON[] = "application/json";
static const char FHIR_JSON[] = "application/fhir+json";
static const char TEXT[] = "text/plain; charset=utf-8";
static const char HTML[] = "text/html; charset=utf-8";
static const char ICS[] = "text/calendar; charset=utf-8";
/* Documents the API writes (a plan as a page, a history chart) run no
 * script and fetch nothing, even opened straight from the API: inline
 * styles only, in a sandbox. */
static const char DOC_CSP[] =
    "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/* The HTTP status for a library failure: the caller's input or ours. */
static int
status_of(enum ldn_status rc)
{
	switch (rc) {
	case LDN_E_PARSE:
	case LDN_E_SCHEMA:
		return 400;
	case LDN_E_NOMEM:
		return 413; /* a size limit, almost always */
	default:
		return 500;
	}
}

static void
fail(struct resp *resp, enum ldn_status rc, const struct ldn_error *err)
{
	/* the store names an unknown patient at "patient" (or, for a new
	 * plan, at the intake's "/id") */
	bool unknown = rc == LDN_E_SCHEMA &&
	    (strcmp(err->where, "patient") == 0 ||
	        strcmp(err->where, "/id") == 0) &&
	    strstr(err->msg, "is not stored") != NULL;

	resp_error(resp, unknown ? 404 : status_of(rc), err->where, "%s",
	    err->msg);
}

static void
take(struct resp *resp, int status, const char *type, char *body, size_t len)
{
	resp->status = status;
	resp->type = type;
	resp->body = body;
	resp->len = len;
}

/* Take a strbuf's contents as the body, or answer 500 if it failed. */
static void
take_sb(struct resp *resp, int status, const char *type, struct strbuf *b)
{
	size_t len;
	char *s = sb_take(b, &len);

	if (s == NULL) {
		sb_free(b);
		resp_error(resp, 500, "", "out of memory");
		return;
	}
	take(resp, status, type, s, len);
}

static const char *
arg(const struct req *req, const char *key)
{
	return req->query ? req->query(req->ctx, key) : NULL;
}

/* ?as_of=, else the server's fixed date, else today (NULL). */
static const char *
as_of(const struct app *app, const struct req *req)
{
	const char *a = arg(req, "as_of");

	return a ? a : app->cfg->as_of;
}

static bool
audience(const struct req *req, struct resp *resp, enum ldn_audience *out)
{
	const char *a = arg(req, "audience");

	if (a == NULL || strcmp(a, "clinician") == 0)
		*out = LDN_AUDIENCE_CLINICIAN;
	else if (strcmp(a, "patient") == 0)
		*out = LDN_AUDIENCE_PATIENT;
	else if (strcmp(a, "pharmacist") == 0)
		*out = LDN_AUDIENCE_PHARMACIST;
	else {
		resp_error(resp, 400, "audience",
		    "\"%.64s\" is not clinician, patient or pharmacist", a);
		return false;
	}
	return true;
}

/* ?supply_days=: days from 1 to 366 into *out (0 when absent); false,
 * having answered 400 naming supply_days, for anything else. */
static bool
supply_days_arg(const struct req *req, struct resp *resp, long *out)
{
	const char *sd = arg(req, "supply_days");
	char *end = NULL;

	*out = sd ? strtol(sd, &end, 10) : 0;
	if (sd != NULL &&
	    (end == sd || *end != '\0' || *out < 1 || *out > 366)) {
		resp_error(resp, 400, "supply_days",
		    "\"%.32s\" is not a number of days from 1 to 366", sd);
		return false;
	}
	return true;
}

void
api_healthz(struct app *app, struct req *req, struct resp *resp)
{
	struct strbuf b = STRBUF_INIT(4096);
	struct jw w;

	(void)req;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "version", LDN_VERSION);
	jw_kstr(&w, "kb_version", ldn_kb_version(app->kb));
	jw_kstr(&w, "kb_fingerprint", ldn_kb_fingerprint(app->kb));
	jw_end_obj(&w);
	sb_puts(&b, "\n");
	take_sb(resp, 200, JSON, &b);
}

void
api_metrics(struct app *app, struct req *req, struct resp *resp)
{
	size_t len;
	char *s = metrics_render(app->metrics, app->started, &len);

	(void)req;
	if (s == NULL) {
		resp_error(resp, 500, "", "out of memory");
		return;
	}
	take(resp, 200, "text/plain; version=0.0.4; charset=utf-8", s, len);
}

void
api_openapi(struct app *app, struct req *req, struct resp *resp)
{
	char *s = malloc(app->openapi_len + 1);

	(void)req;
	if (s == NULL) {
		resp_error(resp, 500, "", "out of memory");
		return;
	}
	memcpy(s, app->openapi, app->openapi_len + 1);
	take(resp, 200, JSON, s, app->openapi_len);
}

void
api_kb(struct app *app, struct req *req, struct resp *resp)
{
	enum ldn_audience aud;
	char *s;
	size_t len;
	struct ldn_error err = { 0 };
	enum ldn_status rc;

	struct review_ref *ref;

	if (!audience(req, resp, &aud))
		return;
	ref = review_acquire(app);
	rc = ldn_kb_render_json(app->kb, review_of(ref), aud, &s, &len, &err);
	review_release(ref);
	if (rc != LDN_OK)
		fail(resp, rc, &err);
	else
		take(resp, 200, JSON, s, len);
}

/* ?policy=NAME:VALUE into the library's NAME=VALUE in pol (128 bytes):
 * *n is 1 with one, 0 without; false, having answered 400, if bad. */
static bool
policy_arg(const struct req *req, struct resp *resp, char *pol, size_t *n)
{
	const char *pq = arg(req, "policy");
	const char *colon = pq ? strchr(pq, ':') : NULL;

	*n = 0;
	if (pq == NULL)
		return true;
	if (colon == NULL || strlen(pq) >= 128) {
		resp_error(resp, 400, "policy",
		    "\"%.64s\" is not NAME:VALUE, such as periop_restart:24h",
		    pq);
		return false;
	}
	snprintf(pol, 128, "%.*s=%s", (int)(colon - pq), pq, colon + 1);
	*n = 1;
	return true;
}

void
api_plan(struct app *app, struct req *req, struct resp *resp)
{
	const char *f = arg(req, "format");
	enum ldn_format format = LDN_FORMAT_JSON;
	enum ldn_audience aud;
	struct ldn_error err = { 0 };
	struct ldn_plan *plan = NULL;
	enum ldn_status rc;
	char *out;
	size_t len;

	if (f == NULL || strcmp(f, "json") == 0)
		format = LDN_FORMAT_JSON_COMPACT; /* a machine reads it */
	else if (strcmp(f, "fhir") == 0)
		format = LDN_FORMAT_FHIR;
	else if (strcmp(f, "text") == 0)
		format = LDN_FORMAT_TEXT;
	else if (strcmp(f, "html") == 0)
		format = LDN_FORMAT_HTML;
	else if (strcmp(f, "ics") == 0)
		format = LDN_FORMAT_ICS;
	else {
		resp_error(resp, 400, "format",
		    "\"%.64s\" is not json, fhir, text, html or ics", f);
		return;
	}
	if (!audience(req, resp, &aud))
		return;
	/* ?supply_days=: the pharmacist's sheet (with ?formulation=) */
	long supply_days;

	if (!supply_days_arg(req, resp, &supply_days))
		return;
	char pol[128];
	const char *pols[1] = { pol };
	size_t n_pols;

	if (!policy_arg(req, resp, pol, &n_pols))
		return;
	struct review_ref *ref = review_acquire(app);

	rc = ldn_plan_build_with(app->kb, req->body, req->body_len, true,
	    as_of(app, req), arg(req, "preset"), pols, n_pols, review_of(ref),
	    &plan, &err);
	review_release(ref);
	if (rc == LDN_OK) {
		metrics_plan(app->metrics,
		    ldn_decision_name(ldn_plan_decision(plan)));
		rc = ldn_plan_render_with(plan, format, aud,
		    arg(req, "formulation"), (int32_t)supply_days, &out, &len,
		    &err);
		ldn_plan_free(plan);
	}
	if (rc == LDN_OK) {
		static const char *const types[] = {
			[LDN_FORMAT_TEXT] = TEXT,
			[LDN_FORMAT_JSON] = JSON,
			[LDN_FORMAT_FHIR] = FHIR_JSON,
			[LDN_FORMAT_HTML] = HTML,
			[LDN_FORMAT_ICS] = ICS,
			[LDN_FORMAT_JSON_COMPACT] = JSON,
		};

		take(resp, 200, types[format], out, len);
		if (format == LDN_FORMAT_HTML)
			resp->csp = DOC_CSP;
		return;
	}
	if (format == LDN_FORMAT_FHIR &&
	    ldn_error_outcome(&err, &out, &len) == LDN_OK) {
		take(resp, status_of(rc), FHIR_JSON, out, len);
		return;
	}
	fail(resp, rc, &err);
}

void
api_check_order(struct app *app, struct req *req, struct resp *resp)
{
	enum ldn_audience aud;
	struct ldn_error err = { 0 };
	enum ldn_status rc;
	char *out;
	size_t len;

	if (!audience(req, resp, &aud))
		return;
	rc = ldn_check_order_request(app->kb, req->body, req->body_len,
	    as_of(app, req), aud, LDN_FORMAT_JSON, &out, &len, &err);
	if (rc != LDN_OK) {
		fail(resp, rc, &err);
		return;
	}
	take(resp, 200, JSON, out, len);
}

void
api_ask(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_error err = { 0 };
	enum ldn_status rc;
	char *out;
	size_t len;

	if (app->ask == NULL) {
		resp_error(resp, 503, "", "the question index is not loaded");
		return;
	}
	struct review_ref *ref = review_acquire(app);

	rc = ldn_ask_request(app->ask, req->body, req->body_len,
	    app->cfg->as_of, review_of(ref), LDN_FORMAT_JSON, &out, &len, &err);
	review_release(ref);
	if (rc != LDN_OK) {
		fail(resp, rc, &err);
		return;
	}
	take(resp, 200, JSON, out, len);
}

void
api_patients(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_store *st = app_store(app, resp);
	struct ldn_error err = { 0 };
	struct strbuf b = STRBUF_INIT(1u << 26);
	struct jw w;
	enum ldn_status rc;
	char *list;
	size_t len;

	if (st == NULL)
		return;
	rc = ldn_store_list_patients(st, req->actor, &list, &len, &err);
	if (rc != LDN_OK) {
		fail(resp, rc, &err);
		return;
	}
	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "patients");
	jw_arr(&w);
	for (char *line = list, *next; line && *line; line = next) {
		char *f[4] = { line, NULL, NULL, NULL };

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (int i = 1; i < 4 && f[i - 1]; i++)
			if ((f[i] = strchr(f[i - 1], '\t')) != NULL)
				*f[i]++ = '\0';
		if (f[3] == NULL)
			continue;
		jw_obj(&w);
		jw_kstr(&w, "id", f[0]);
		jw_kstr(&w, "decision", f[1]);
		jw_kstr(&w, "earliest_start", strcmp(f[2], "-") ? f[2] : NULL);
		jw_kint(&w, "visits", atoll(f[3]));
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
	sb_puts(&b, "\n");
	free(list);
	take_sb(resp, 200, JSON, &b);
}

/* Store the plan built from the request's intake: for a new patient, or
 * (id, from the address) as a new plan for a stored one, whose intake must
 * then name the same patient. */
static void
store_plan(struct app *app, struct req *req, struct resp *resp, const char *id)
{
	struct ldn_store *st = app_store(app, resp);
	struct ldn_error err = { 0 };
	struct ldn_plan *plan = NULL;
	enum ldn_status rc;
	struct strbuf b = STRBUF_INIT(1u << 16);
	struct jw w;

	if (st == NULL)
		return;
	/* a stored plan is dated by the server: a client may not backdate
	 * it (a server started with --as-of, for tests, lets it) */
	if (arg(req, "as_of") && app->cfg->as_of == NULL) {
		resp_error(resp, 400, "as_of",
		    "a stored plan is made as of today; as_of is for "
		    "POST /api/v1/plan");
		return;
	}
	/* a departure from a default policy is stored with ?why= */
	char pol[128];
	const char *pols[1] = { pol };
	size_t n_pols;

	if (!policy_arg(req, resp, pol, &n_pols))
		return;
	struct review_ref *ref = review_acquire(app);

	rc = ldn_plan_build_with(app->kb, req->body, req->body_len, true,
	    as_of(app, req), arg(req, "preset"), pols, n_pols, review_of(ref),
	    &plan, &err);
	review_release(ref);
	const char *pid = rc == LDN_OK && ldn_plan_patient_id(plan)
	    ? ldn_plan_patient_id(plan)
	    : "";

	if (rc == LDN_OK && id != NULL && strcmp(pid, id) != 0) {
		resp_error(resp, status_of(LDN_E_SCHEMA), "/id",
		    "the intake is patient \"%s\", not \"%s\" of the address",
		    pid, id);
		ldn_plan_free(plan);
		return;
	}
	if (rc == LDN_OK && id != NULL)
		rc = ldn_store_add_plan(st, req->actor, req->body,
		    req->body_len, plan, arg(req, "why"), &err);
	else if (rc == LDN_OK)
		rc = ldn_store_add_patient(st, req->actor, req->body,
		    req->body_len, plan, arg(req, "why"), &err);
	if (rc != LDN_OK) {
		ldn_plan_free(plan);
		fail(resp, rc, &err);
		return;
	}
	metrics_plan(app->metrics, ldn_decision_name(ldn_plan_decision(plan)));
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "id", ldn_plan_patient_id(plan));
	jw_kstr(&w, "decision", ldn_decision_name(ldn_plan_decision(plan)));
	jw_kstr(&w, "earliest_start",
	    *ldn_plan_earliest_start(plan) ? ldn_plan_earliest_start(plan)
	                                   : NULL);
	jw_end_obj(&w);
	sb_puts(&b, "\n");
	ldn_plan_free(plan);
	take_sb(resp, 201, JSON, &b);
}

void
api_patient_add(struct app *app, struct req *req, struct resp *resp)
{
	store_plan(app, req, resp, NULL);
}

void
api_plan_add(struct app *app, struct req *req, struct resp *resp)
{
	store_plan(app, req, resp, req->param[0]);
}

/* A visit from its JSON body: known keys only, each of its type. */
static bool
visit_from(json_t *o, struct ldn_visit *v, struct resp *resp)
{
	static const char *const ints[] = { "pain", "sleep", "mood", "energy",
		"clarity", "adherence" };
	int *dst[] = { &v->pain, &v->sleep, &v->mood, &v->energy, &v->clarity,
		&v->adherence };
	const char *key;
	json_t *val;

	*v = (struct ldn_visit){ .pain = -1,
		.sleep = -1,
		.mood = -1,
		.energy = -1,
		.clarity = -1,
		.adherence = -1,
		.side_effects = "none",
		.dose_ug = -1 };
	if (!json_is_object(o)) {
		resp_error(resp, 400, "", "a visit is a JSON object");
		return false;
	}
	json_object_foreach(o, key, val)
	{
		size_t i;

		for (i = 0; i < 6 && strcmp(key, ints[i]) != 0; i++)
			;
		if (i < 6) {
			if (!json_is_integer(val) ||
			    json_integer_value(val) < 0 ||
			    json_integer_value(val) > 100) {
				resp_error(resp, 400, key,
				    "must be a whole number");
				return false;
			}
			*dst[i] = (int)json_integer_value(val);
		} else if (strcmp(key, "dose_mg") == 0) {
			double mg = json_number_value(val);

			if (!json_is_number(val) || !(mg >= 0) || mg > 1000) {
				resp_error(resp, 400, key,
				    "must be a dose in mg from 0 to 1000");
				return false;
			}
			v->dose_ug = (int32_t)(mg * 1000 + 0.5);
		} else if (strcmp(key, "date") == 0 ||
		    strcmp(key, "side_effects") == 0 ||
		    strcmp(key, "notes") == 0 || strcmp(key, "timing") == 0) {
			if (!json_is_string(val)) {
				resp_error(resp, 400, key, "must be a string");
				return false;
			}
			if (strcmp(key, "date") == 0) {
				if (json_string_length(val) != 10) {
					resp_error(resp, 400, key,
					    "must be YYYY-MM-DD");
					return false;
				}
				memcpy(v->date, json_string_value(val), 11);
			} else if (strcmp(key, "side_effects") == 0) {
				v->side_effects = json_string_value(val);
			} else if (strcmp(key, "notes") == 0) {
				v->notes = json_string_value(val);
			} else {
				v->timing = json_string_value(val);
			}
		} else {
			resp_error(resp, 400, key,
			    "is not a visit field (date, dose_mg, pain, sleep, "
			    "mood, energy, clarity, side_effects, adherence, "
			    "timing, notes)");
			return false;
		}
	}
	if (v->date[0] == '\0' || v->dose_ug < 0 || v->pain < 0) {
		resp_error(resp, 400,
		    v->date[0] == '\0'   ? "date"
		        : v->dose_ug < 0 ? "dose_mg"
		                         : "pain",
		    "is required");
		return false;
	}
	return true;
}

void
api_visit_add(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_store *st = app_store(app, resp);
	struct ldn_error err = { 0 };
	json_error_t je;
	json_t *o;
	struct ldn_visit v;
	enum ldn_status rc;

	if (st == NULL)
		return;
	o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		resp_error(resp, 400, "", "not JSON: %s (line %d, column %d)",
		    je.text, je.line, je.column);
		return;
	}
	if (visit_from(o, &v, resp)) {
		rc = ldn_store_add_visit(st, req->actor, req->param[0], &v,
		    &err);
		if (rc != LDN_OK) {
			fail(resp, rc, &err);
		} else {
			struct strbuf b = STRBUF_INIT(4096);
			struct jw w;

			jw_init(&w, &b);
			jw_obj(&w);
			jw_kstr(&w, "patient_id", req->param[0]);
			jw_kstr(&w, "date", v.date);
			jw_kstr(&w, "status", "recorded");
			jw_end_obj(&w);
			sb_puts(&b, "\n");
			take_sb(resp, 201, JSON, &b);
		}
	}
	json_decref(o);
}

void
api_next(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_store *st = app_store(app, resp);
	struct ldn_error err = { 0 };
	struct ldn_course *c = NULL;
	struct ldn_next *n = NULL;
	enum ldn_audience aud;
	enum ldn_status rc;
	char *out;
	size_t len;

	if (st == NULL || !audience(req, resp, &aud))
		return;
	/* ?formulation= and ?supply_days=: the pharmacist's dispensing of
	 * the advised dose (checked again, with the form, by the library) */
	long supply_days;

	if (!supply_days_arg(req, resp, &supply_days))
		return;
	rc = ldn_store_course(st, req->actor, req->param[0], &c, &err);
	if (rc == LDN_OK)
		rc = ldn_next_advise(app->kb, c, as_of(app, req), &n, &err);
	if (rc == LDN_OK)
		rc = ldn_next_render_with(n, LDN_FORMAT_JSON_COMPACT, aud,
		    arg(req, "formulation"), (int32_t)supply_days, &out, &len,
		    &err);
	if (rc == LDN_OK)
		take(resp, 200, JSON, out, len);
	else
		fail(resp, rc, &err);
	ldn_next_free(n);
	ldn_course_free(c);
}

void
api_history(struct app *app, struct req *req, struct resp *resp)
{
	static const struct {
		const char *name, *type;
		enum ldn_history_format f;
	} formats[] = {
		{ "json", JSON, LDN_HISTORY_JSON },
		{ "csv", "text/csv; charset=utf-8", LDN_HISTORY_CSV },
		{ "svg", "image/svg+xml", LDN_HISTORY_SVG },
		{ "text", TEXT, LDN_HISTORY_TEXT },
	};
	struct ldn_store *st = app_store(app, resp);
	const char *f = arg(req, "format");
	struct ldn_error err = { 0 };
	enum ldn_status rc;
	size_t i = 0, len;
	char *out;

	if (st == NULL)
		return;
	while (f && i < 4 && strcmp(formats[i].name, f) != 0)
		i++;
	if (i == 4) {
		resp_error(resp, 400, "format",
		    "\"%.64s\" is not json, csv, svg or text", f);
		return;
	}
	rc = ldn_store_history(st, req->actor, req->param[0], formats[i].f,
	    &out, &len, &err);
	if (rc == LDN_OK) {
		take(resp, 200, formats[i].type, out, len);
		if (formats[i].f == LDN_HISTORY_SVG)
			resp->csp = DOC_CSP;
	} else
		fail(resp, rc, &err);
}
