/*
 * CDS Hooks over HTTP: discovery, the three services and their feedback.
 * The cards come from lib/cds; here are the bearer token (a JWT from a
 * trusted issuer, for this very service URL, not seen before), the FHIR
 * fetch of prefetch the EHR did not send (libcurl, http and https only,
 * no redirects, bounded in time and size), and the feedback kept in the
 * store.
 */
#include "api.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldn/cds.h"
#include "ldn/jwt.h"
#include "ldn/store.h"

#include "base/strbuf.h"

static const char JSON[] = "application/json";

/* The verifier for a service, by id; NULL if the id is unknown. */
static struct ldn_jwt_verifier *
verifier_of(struct app *app, const char *id)
{
	for (size_t i = 0; i < app->n_cds; i++)
		if (strcmp(app->cds[i].id, id) == 0)
			return app->cds[i].verifier;
	return NULL;
}

/* Check the CDS Hooks bearer token; on failure resp holds the 401. */
static bool
token_ok(struct app *app, struct req *req, struct resp *resp,
    struct ldn_jwt_claims *claims)
{
	const char *h =
	    req->header ? req->header(req->ctx, "Authorization") : NULL;
	struct ldn_jwt_verifier *v = verifier_of(app, req->param[0]);
	struct ldn_error err = { 0 };

	if (v == NULL || app->cfg->n_cds_issuers == 0) {
		resp_error(resp, 401, "Authorization",
		    "no issuer is trusted: start the server with "
		    "--cds-issuer ISS=JWKS");
	} else if (h == NULL || strncmp(h, "Bearer ", 7) != 0) {
		resp_error(resp, 401, "Authorization",
		    "send the CDS Hooks JWT as \"Authorization: Bearer JWT\"");
	} else if (ldn_jwt_verify(v, h + 7, strlen(h + 7), time(NULL), claims,
	               &err) != LDN_OK) {
		resp_error(resp, err.code == LDN_E_NOMEM ? 503 : 401, err.where,
		    "%s", err.msg);
	} else {
		return true;
	}
	resp->challenge = true;
	return false;
}

void
api_cds_discovery(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_error err = { 0 };
	char *out;
	size_t len;

	(void)req;
	if (ldn_cds_discovery(app->kb, &out, &len, &err) != LDN_OK) {
		resp_error(resp, 500, err.where, "%s", err.msg);
		return;
	}
	resp->status = 200;
	resp->type = JSON;
	resp->body = out;
	resp->len = len;
}

struct sink {
	struct strbuf b;
};

static size_t
on_data(char *data, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;

	sb_add(&s->b, data, size * n);
	return s->b.failed ? 0 : size * n;
}

/*
 * Whether calls from issuer iss may have us fetch from server: only from a
 * prefix the operator allowed for that issuer (--cds-fhir-server), ending
 * at a path boundary, so neither another host nor a longer host name
 * passes.  The request names fhirServer; without this, any trusted EHR
 * (or anyone holding a test key) could point the server anywhere.
 */
static bool
fetch_allowed(const struct server_config *cfg, const char *iss,
    const char *server)
{
	size_t il = strlen(iss);

	for (size_t i = 0; i < cfg->n_cds_fhir; i++) {
		const char *e = cfg->cds_fhir[i], *eq = strchr(e, '=');
		size_t pl;

		if (eq == NULL || (size_t)(eq - e) != il ||
		    strncmp(e, iss, il) != 0)
			continue;
		pl = strlen(eq + 1);
		while (pl > 0 && eq[1 + pl - 1] == '/')
			pl--;
		if (pl > 0 && strncmp(server, eq + 1, pl) == 0 &&
		    (server[pl] == '\0' || server[pl] == '/'))
			return true;
	}
	return false;
}

/* GET server/query as FHIR JSON within ms milliseconds; the body
 * (NUL-terminated) or NULL. */
static char *
fetch(const char *server, const char *query, const char *token, long ms,
    size_t *len)
{
	struct sink s = { .b = STRBUF_INIT(8u << 20) };
	struct curl_slist *h = NULL;
	char url[4096], auth[4200];
	long code = 0;
	CURL *c;
	CURLcode rc;

	if (snprintf(url, sizeof(url), "%s%s%s", server,
	        server[0] && server[strlen(server) - 1] == '/' ? "" : "/",
	        query) >= (int)sizeof(url) ||
	    (c = curl_easy_init()) == NULL)
		return NULL;
	h = curl_slist_append(h, "Accept: application/fhir+json");
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || code != 200) {
		sb_free(&s.b);
		return NULL;
	}
	char *out = sb_take(&s.b, len);

	if (out == NULL)
		sb_free(&s.b);
	return out;
}

void
api_cds_service(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_error err = { 0 };
	struct ldn_jwt_claims claims;
	struct ldn_cds_missing *m = NULL;
	struct ldn_cds_fetched got[16];
	size_t n_got = 0, len;
	enum ldn_status rc;
	char *out = NULL;
	const char *as_of = req->query ? req->query(req->ctx, "as_of") : NULL;

	if (!ldn_cds_service_exists(req->param[0])) {
		resp_error(resp, 404, "service", "no CDS service \"%.64s\"",
		    req->param[0]);
		return;
	}
	if (!token_ok(app, req, resp, &claims))
		return;
	if (as_of == NULL)
		as_of = app->cfg->as_of;
	rc = ldn_cds_missing_prefetch(app->kb, req->param[0], req->body,
	    req->body_len, as_of, &m, &err);
	bool allowed = rc == LDN_OK && m->fhir_server &&
	    fetch_allowed(app->cfg, claims.iss, m->fhir_server);

	if (rc == LDN_OK && m->n > 0 && allowed) {
		/* one budget of 10 s for all the fetches of a call */
		struct timespec t0, t;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (size_t i = 0; i < m->n && n_got < 16; i++) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			long left = 10000 -
			    (long)((t.tv_sec - t0.tv_sec) * 1000 +
			        (t.tv_nsec - t0.tv_nsec) / 1000000);

			if (left <= 0)
				break;
			char *body = fetch(m->fhir_server, m->items[i].query,
			    m->access_token, left, &len);

			if (body)
				got[n_got++] = (struct ldn_cds_fetched){
					.key = m->items[i].key,
					.json = body,
					.len = len
				};
		}
	}
	if (rc == LDN_OK)
		rc = ldn_cds_call_fetched(app->kb, req->param[0], req->body,
		    req->body_len, got, n_got, as_of, &out, &len, &err);
	for (size_t i = 0; i < n_got; i++)
		free((char *)got[i].json);
	if (rc != LDN_OK && strcmp(err.where, "missing-prefetch") == 0 && m &&
	    m->fhir_server && !allowed) {
		ldn_cds_missing_free(m);
		resp_error(resp, 412, "fhirServer",
		    "prefetch is missing, and this server fetches only from "
		    "the FHIR servers allowed for issuer %.200s "
		    "(--cds-fhir-server): %s",
		    claims.iss, err.msg);
		return;
	}
	ldn_cds_missing_free(m);
	if (rc != LDN_OK) {
		resp_error(resp, ldn_cds_http_status(rc, &err), err.where, "%s",
		    err.msg);
		return;
	}
	resp->status = 200;
	resp->type = JSON;
	resp->body = out;
	resp->len = len;
}

void
api_cds_feedback(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_error err = { 0 };
	struct ldn_jwt_claims claims;
	struct ldn_store *st;
	json_error_t je;
	json_t *o, *items;
	size_t n = 0;

	if (!ldn_cds_service_exists(req->param[0])) {
		resp_error(resp, 404, "service", "no CDS service \"%.64s\"",
		    req->param[0]);
		return;
	}
	if (!token_ok(app, req, resp, &claims) ||
	    (st = app_store(app, resp)) == NULL)
		return;
	o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	items = json_object_get(o, "feedback");
	if (!json_is_array(items) || json_array_size(items) == 0 ||
	    json_array_size(items) > 100) {
		resp_error(resp, 400, "/feedback",
		    "expected {\"feedback\": [1 to 100 items]}%s%s",
		    o ? "" : ": ", o ? "" : je.text);
		json_decref(o);
		return;
	}
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		char *detail = json_dumps(it, JSON_COMPACT | JSON_SORT_KEYS);
		char where[200];
		enum ldn_status rc = ldn_store_add_feedback(st,
		    claims.iss[0] ? claims.iss : "cds", req->param[0],
		    json_string_value(json_object_get(it, "card")),
		    json_string_value(json_object_get(it, "outcome")),
		    json_string_value(json_object_get(it, "outcomeTimestamp")),
		    detail, &err);

		free(detail);
		if (rc != LDN_OK) {
			snprintf(where, sizeof(where), "/feedback/%zu/%s", i,
			    err.where);
			resp_error(resp, rc == LDN_E_SCHEMA ? 400 : 503, where,
			    "%s", err.msg);
			json_decref(o);
			return;
		}
		n++;
	}
	json_decref(o);
	char *body = malloc(64);

	if (body == NULL) {
		resp_error(resp, 500, "", "out of memory");
		return;
	}
	resp->len = (size_t)snprintf(body, 64, "{\"stored\": %zu}\n", n);
	resp->status = 200;
	resp->type = JSON;
	resp->body = body;
}
