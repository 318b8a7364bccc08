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
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldn/cds.h"
#include "ldn/jwt.h"
#include "ldn/store.h"

#include "base/error_impl.h"
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

	if (v == NULL || app->cfg->n_cds_issuers + app->cfg->n_cds_jku == 0) {
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

/* GET url (Accept: accept; a bearer token if given) within ms
 * milliseconds, at most limit bytes; the body (NUL-terminated) or NULL. */
static char *
http_get(const char *url, const char *accept, const char *token, long ms,
    size_t limit, size_t *len)
{
	struct sink s = { .b = STRBUF_INIT(limit) };
	struct curl_slist *h = NULL;
	char head[4200];
	long code = 0;
	CURL *c;
	CURLcode rc;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	snprintf(head, sizeof(head), "Accept: %s", accept);
	h = curl_slist_append(h, head);
	if (token) {
		snprintf(head, sizeof(head), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, head);
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

/* GET server/query as FHIR JSON within ms milliseconds. */
static char *
fetch(const char *server, const char *query, const char *token, long ms,
    size_t *len)
{
	char url[4096];

	if (snprintf(url, sizeof(url), "%s%s%s", server,
	        server[0] && server[strlen(server) - 1] == '/' ? "" : "/",
	        query) >= (int)sizeof(url))
		return NULL;
	return http_get(url, "application/fhir+json", token, ms, 8u << 20, len);
}

/*
 * When a service's verifier last asked each allowed jku for its keys.  A
 * token's kid is chosen by whoever sent it, and a kid the set lacks makes
 * the verifier ask again, before any signature is checked: so each jku is
 * asked at most once in JKU_INTERVAL_S by each service, and a kid still
 * unknown in between is refused (401) without asking.
 */
enum {
	JKU_INTERVAL_S = 30
};

struct jku_asked {
	pthread_mutex_t mu;
	size_t n;
	struct {
		const char *url; /* the configuration's */
		bool asked;
		struct timespec at; /* CLOCK_MONOTONIC */
	} e[];
};

/* Whether url may be asked now (and it is noted as asked); else the
 * seconds left to wait. */
static bool
jku_may_ask(struct jku_asked *a, const char *url, long *wait)
{
	struct timespec now;
	bool may = true;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < a->n; i++) {
		long since;

		if (strcmp(a->e[i].url, url) != 0)
			continue;
		since = (long)(now.tv_sec - a->e[i].at.tv_sec);
		if (a->e[i].asked && since < JKU_INTERVAL_S) {
			*wait = JKU_INTERVAL_S - since;
			may = false;
		} else {
			a->e[i].asked = true;
			a->e[i].at = now;
		}
		break;
	}
	pthread_mutex_unlock(&a->mu);
	return may;
}

/* The verifier's hook for a jku it may use (allowed per issuer by
 * --cds-jku): the key set at url, 1 MiB at most, within 5 s, and not
 * twice within JKU_INTERVAL_S. */
static enum ldn_status
jku_fetch(void *ctx, const char *iss, const char *url, char **jwks, size_t *len,
    struct ldn_error *err)
{
	long wait = 0;

	*jwks = NULL;
	if (!jku_may_ask(ctx, url, &wait))
		return ldn_fail(err, LDN_E_SCHEMA, "jku",
		    "the key set of %.200s (issuer %.200s) was asked for "
		    "less than %d s ago and does not hold the token's key; "
		    "it is asked again in %ld s",
		    url, iss, JKU_INTERVAL_S, wait);
	*jwks = http_get(url, "application/json", NULL, 5000, 1u << 20, len);
	if (*jwks == NULL)
		return ldn_fail(err, LDN_E_IO, "jku",
		    "the key set of %.200s (issuer %.200s) could not be had",
		    url, iss);
	return LDN_OK;
}

/* What a call's fetches share: who asked, whether the server they named
 * was refused, and the one 10 s budget for all of them. */
struct fetching {
	const struct server_config *cfg;
	const char *iss;
	bool refused;
	struct timespec t0;
};

static char *
fetch_for_call(void *ctx, const char *server, const char *token,
    const char *query, size_t *len)
{
	struct fetching *f = ctx;
	struct timespec t;
	long left;

	if (!fetch_allowed(f->cfg, f->iss, server)) {
		f->refused = true;
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	left = 10000 -
	    (long)((t.tv_sec - f->t0.tv_sec) * 1000 +
	        (t.tv_nsec - f->t0.tv_nsec) / 1000000);
	return left > 0 ? fetch(server, query, token, left, len) : NULL;
}

void
api_cds_service(struct app *app, struct req *req, struct resp *resp)
{
	struct ldn_error err = { 0 };
	struct ldn_jwt_claims claims;
	struct fetching f = { .cfg = app->cfg };
	size_t len;
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
	f.iss = claims.iss;
	clock_gettime(CLOCK_MONOTONIC, &f.t0);
	/* the body is padded (http.c), so the parser reads it in place */
	rc = ldn_cds_call_fetching_padded(app->kb, req->param[0], req->body,
	    req->body_len, true, as_of, fetch_for_call, &f, &out, &len, &err);
	if (rc != LDN_OK && strcmp(err.where, "missing-prefetch") == 0 &&
	    f.refused) {
		resp_error(resp, 412, "fhirServer",
		    "prefetch is missing, and this server fetches only from "
		    "the FHIR servers allowed for issuer %.200s "
		    "(--cds-fhir-server): %s",
		    claims.iss, err.msg);
		return;
	}
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

/* A verifier per CDS service: its URL (and its feedback URL) as the
 * audience, every trusted issuer with the keys of its JWKS file. */
int
cds_setup(struct app *app)
{
	static const char *const ids[] = { "ldn-patient-view",
		"ldn-order-select", "ldn-order-sign" };
	const struct server_config *cfg = app->cfg;
	struct ldn_error err = { 0 };
	char url[2048];

	for (size_t i = 0; i < 3; i++) {
		struct cds_service *c = &app->cds[app->n_cds];

		c->id = ids[i];
		if (ldn_jwt_verifier_new(&c->verifier, &err) != LDN_OK)
			goto fail;
		app->n_cds++;
		snprintf(url, sizeof(url), "%s/cds-services/%s",
		    cfg->cds_url ? cfg->cds_url : "", ids[i]);
		if (ldn_jwt_add_audience(c->verifier, url, &err) != LDN_OK)
			goto fail;
		strncat(url, "/feedback", sizeof(url) - strlen(url) - 1);
		if (ldn_jwt_add_audience(c->verifier, url, &err) != LDN_OK)
			goto fail;
		for (size_t k = 0; k < cfg->n_cds_issuers; k++) {
			const char *eq = strchr(cfg->cds_issuers[k], '=');
			char iss[512];
			size_t len;
			char *jwks;

			if (eq == NULL || eq == cfg->cds_issuers[k] ||
			    (size_t)(eq - cfg->cds_issuers[k]) >= sizeof(iss)) {
				fprintf(stderr,
				    "ldn serve: --cds-issuer: \"%s\" is not "
				    "ISS=JWKS_FILE\n",
				    cfg->cds_issuers[k]);
				return 64;
			}
			snprintf(iss, sizeof(iss), "%.*s",
			    (int)(eq - cfg->cds_issuers[k]),
			    cfg->cds_issuers[k]);
			if ((jwks = app_read_file(eq + 1, &len)) == NULL) {
				fprintf(stderr, "ldn serve: %s: %s\n", eq + 1,
				    strerror(errno));
				return 66;
			}
			enum ldn_status rc = ldn_jwt_add_issuer(c->verifier,
			    iss, jwks, len, &err);

			free(jwks);
			if (rc != LDN_OK)
				goto fail;
		}
		c->asked = calloc(1,
		    sizeof(*c->asked) +
		        cfg->n_cds_jku * sizeof(c->asked->e[0]));
		if (c->asked == NULL) {
			ldn_fail(&err, LDN_E_NOMEM, NULL, "out of memory");
			goto fail;
		}
		pthread_mutex_init(&c->asked->mu, NULL);
		for (size_t k = 0; k < cfg->n_cds_jku; k++) {
			const char *eq = strchr(cfg->cds_jku[k], '=');
			char iss[512];

			if (eq == NULL || eq == cfg->cds_jku[k] ||
			    (size_t)(eq - cfg->cds_jku[k]) >= sizeof(iss)) {
				fprintf(stderr,
				    "ldn serve: --cds-jku: \"%s\" is not "
				    "ISS=URL\n",
				    cfg->cds_jku[k]);
				return 64;
			}
			snprintf(iss, sizeof(iss), "%.*s",
			    (int)(eq - cfg->cds_jku[k]), cfg->cds_jku[k]);
			c->asked->e[c->asked->n++].url = eq + 1;
			/* an issuer known only by its jku has no key file */
			if (ldn_jwt_allow_jku(c->verifier, iss, eq + 1, &err) !=
			        LDN_OK &&
			    (ldn_jwt_add_issuer(c->verifier, iss, NULL, 0,
			         &err) != LDN_OK ||
			        ldn_jwt_allow_jku(c->verifier, iss, eq + 1,
			            &err) != LDN_OK))
				goto fail;
		}
		ldn_jwt_set_jku_fetch(c->verifier, jku_fetch, c->asked);
	}
	return 0;
fail:
	fprintf(stderr, "ldn serve: CDS Hooks tokens: %s: %s\n", err.where,
	    err.msg);
	return err.code == LDN_E_SCHEMA || err.code == LDN_E_PARSE ? 64 : 70;
}

void
cds_teardown(struct app *app)
{
	for (size_t i = 0; i < app->n_cds; i++) {
		ldn_jwt_verifier_free(app->cds[i].verifier);
		if (app->cds[i].asked) {
			pthread_mutex_destroy(&app->cds[i].asked->mu);
			free(app->cds[i].asked);
		}
	}
	app->n_cds = 0;
}
