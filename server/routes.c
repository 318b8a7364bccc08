/*
 * Every route the server answers, as one const table, and the dispatch
 * from a request to its handler: a path that matches no route is 404; one
 * that matches with another method is 405 with the methods it allows.
 */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include "ldn/store.h"

/* Who may call a route: a bit per role; 0 is open to anyone. */
enum {
	CLIN = 1 << 0,
	PHARM = 1 << 1,
	REVIEW = 1 << 2,
	ADMIN = 1 << 3,
	ANY_ROLE = CLIN | PHARM | REVIEW | ADMIN,
	READERS = CLIN | PHARM | ADMIN, /* of patients' records */
	WRITERS = CLIN | ADMIN          /* of patients' records */
};

static const char *const role_names[] = { "clinician", "pharmacist", "reviewer",
	"admin" };

struct route {
	const char *method;
	const char *pattern; /* segments; "{name}" captures one */
	const char *name;    /* for metrics and logs: never a patient id */
	handler_fn *fn;
	unsigned roles;
};

static const struct route routes[] = {
	{ "GET", "/healthz", "GET /healthz", api_healthz, 0 },
	{ "GET", "/metrics", "GET /metrics", api_metrics, 0 },
	{ "GET", "/api/v1/openapi.json", "GET /api/v1/openapi.json",
	    api_openapi, 0 },
	{ "GET", "/api/v1/kb", "GET /api/v1/kb", api_kb, ANY_ROLE },
	{ "POST", "/api/v1/plan", "POST /api/v1/plan", api_plan, READERS },
	{ "POST", "/api/v1/check-order", "POST /api/v1/check-order",
	    api_check_order, READERS },
	{ "POST", "/api/v1/ask", "POST /api/v1/ask", api_ask, READERS },
	{ "GET", "/api/v1/patients", "GET /api/v1/patients", api_patients,
	    READERS },
	{ "POST", "/api/v1/patients", "POST /api/v1/patients", api_patient_add,
	    WRITERS },
	{ "POST", "/api/v1/patients/{id}/plans",
	    "POST /api/v1/patients/{id}/plans", api_plan_add, WRITERS },
	{ "POST", "/api/v1/patients/{id}/visits",
	    "POST /api/v1/patients/{id}/visits", api_visit_add, WRITERS },
	{ "GET", "/api/v1/patients/{id}/next", "GET /api/v1/patients/{id}/next",
	    api_next, READERS },
	{ "GET", "/api/v1/patients/{id}/history",
	    "GET /api/v1/patients/{id}/history", api_history, READERS },
	/* the editorial workflow (review.c): anyone with a token reads the
	 * queue, a reviewer token only if its name is in reviewers.yaml;
	 * only reviewers act */
	{ "GET", "/api/v1/review", "GET /api/v1/review", api_review_status,
	    ANY_ROLE },
	{ "GET", "/api/v1/review/{kind}/{id}", "GET /api/v1/review/{kind}/{id}",
	    api_review_item, ANY_ROLE },
	{ "POST", "/api/v1/review/{kind}/{id}",
	    "POST /api/v1/review/{kind}/{id}", api_review_act, REVIEW },
	{ "GET", "/docs/editorial-policy", "GET /docs/editorial-policy",
	    api_editorial_policy, 0 },
	/* the web page: open, it holds no data (web.c) */
	{ "GET", "/", "GET /", api_web_index, 0 },
	{ "GET", "/web/{id}", "GET /web/{id}", api_web_file, 0 },
	/* CDS Hooks: the EHR's JWT is checked by the handlers (cds.c) */
	{ "GET", "/cds-services", "GET /cds-services", api_cds_discovery, 0 },
	{ "POST", "/cds-services/{id}", "POST /cds-services/{id}",
	    api_cds_service, 0 },
	{ "POST", "/cds-services/{id}/feedback",
	    "POST /cds-services/{id}/feedback", api_cds_feedback, 0 },
};

enum {
	N_ROUTES = sizeof(routes) / sizeof(routes[0]),
	MAX_SEGMENT = 256
};

/* Whether path matches pattern; captures go to caps (each MAX_SEGMENT). */
static bool
match(const char *pattern, const char *path, char caps[][MAX_SEGMENT])
{
	size_t n_caps = 0;

	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++, path++;
		const char *pe = strchr(pattern, '/'), *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
		size_t sl = se ? (size_t)(se - path) : strlen(path);

		if (pl >= 3 && pattern[0] == '{' && pattern[pl - 1] == '}') {
			if (sl == 0 || sl >= MAX_SEGMENT ||
			    n_caps == MAX_PARAMS)
				return false;
			for (size_t i = 0; i < sl; i++)
				if ((unsigned char)path[i] < 0x20 ||
				    path[i] == 0x7f)
					return false;
			memcpy(caps[n_caps], path, sl);
			caps[n_caps++][sl] = '\0';
		} else if (pl != sl || memcmp(pattern, path, pl) != 0) {
			return false;
		}
		pattern += pl, path += sl;
	}
	return *pattern == '\0' && *path == '\0';
}

void
route_print(FILE *fp)
{
	for (size_t i = 0; i < N_ROUTES; i++) {
		fprintf(fp, "%s %s", routes[i].method, routes[i].pattern);
		for (int r = 0; r < 4; r++)
			if (routes[i].roles & (1u << r))
				fprintf(fp, " %s", role_names[r]);
		fprintf(fp, "\n");
	}
}

/*
 * Whether the request's bearer token may call route r; if not, resp has
 * 401 (no or unknown token) or 403 (a role without the right).  The
 * token's name becomes the actor in the audit log.
 */
static bool
authorised(struct app *app, const struct route *r, struct req *req,
    struct resp *resp)
{
	static __thread char name[256];
	static __thread char role[16];
	const char *h =
	    req->header ? req->header(req->ctx, "Authorization") : NULL;
	struct ldn_error err = { 0 };
	struct ldn_store *st;

	if (r->roles == 0)
		return true;
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0) {
		resp_error(resp, 401, "Authorization",
		    "send \"Authorization: Bearer TOKEN\" (see ldn token)");
		resp->challenge = true;
		return false;
	}
	if ((st = app_store(app, resp)) == NULL)
		return false;
	if (ldn_store_token(st, h + 7, name, role, &err) != LDN_OK) {
		resp_error(resp, err.code == LDN_E_SCHEMA ? 401 : 503,
		    "Authorization", "%s", err.msg);
		resp->challenge = true;
		return false;
	}
	for (int i = 0; i < 4; i++)
		if ((r->roles & (1u << i)) &&
		    strcmp(role, role_names[i]) == 0) {
			req->actor = name;
			req->role = role;
			return true;
		}
	resp_error(resp, 403, "Authorization", "the %s role may not call %s",
	    role, r->name);
	return false;
}

const char *
route_name(const struct req *req)
{
	char caps[MAX_PARAMS][MAX_SEGMENT];

	for (size_t i = 0; i < N_ROUTES; i++)
		if (strcmp(routes[i].method, req->method) == 0 &&
		    match(routes[i].pattern, req->path, caps))
			return routes[i].name;
	return "unmatched";
}

void
route_dispatch(struct app *app, struct req *req, struct resp *resp)
{
	static __thread char caps[MAX_PARAMS][MAX_SEGMENT];
	static __thread char allow[64];
	bool path_known = false;

	memset(resp, 0, sizeof(*resp));
	allow[0] = '\0';
	for (size_t i = 0; i < N_ROUTES; i++) {
		if (!match(routes[i].pattern, req->path, caps))
			continue;
		if (strcmp(routes[i].method, req->method) == 0) {
			for (size_t k = 0; k < MAX_PARAMS; k++)
				req->param[k] = caps[k];
			if (authorised(app, &routes[i], req, resp))
				routes[i].fn(app, req, resp);
			return;
		}
		path_known = true;
		if (strstr(allow, routes[i].method) == NULL)
			snprintf(allow + strlen(allow),
			    sizeof(allow) - strlen(allow), "%s%s",
			    allow[0] ? ", " : "", routes[i].method);
	}
	if (path_known) {
		resp_error(resp, 405, "method",
		    "%s is not allowed here; use %s", req->method, allow);
		resp->allow = allow;
		return;
	}
	resp_error(resp, 404, "path", "no such resource");
}
