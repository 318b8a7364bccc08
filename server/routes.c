/*
 * Every route the server answers, as one const table, and the dispatch
 * from a request to its handler: a path that matches no route is 404; one
 * that matches with another method is 405 with the methods it allows.
 */
#include "api.h"

#include <stdio.h>
#include <string.h>

struct route {
	const char *method;
	const char *pattern; /* segments; "{id}" captures one */
	const char *name;    /* for metrics and logs: never a patient id */
	handler_fn *fn;
};

static const struct route routes[] = {
	{ "GET", "/healthz", "GET /healthz", api_healthz },
	{ "GET", "/metrics", "GET /metrics", api_metrics },
	{ "GET", "/api/v1/openapi.json", "GET /api/v1/openapi.json",
	    api_openapi },
	{ "GET", "/api/v1/kb", "GET /api/v1/kb", api_kb },
	{ "POST", "/api/v1/plan", "POST /api/v1/plan", api_plan },
	{ "GET", "/api/v1/patients", "GET /api/v1/patients", api_patients },
	{ "POST", "/api/v1/patients", "POST /api/v1/patients",
	    api_patient_add },
	{ "POST", "/api/v1/patients/{id}/visits",
	    "POST /api/v1/patients/{id}/visits", api_visit_add },
	{ "GET", "/api/v1/patients/{id}/next", "GET /api/v1/patients/{id}/next",
	    api_next },
	{ "GET", "/api/v1/patients/{id}/history",
	    "GET /api/v1/patients/{id}/history", api_history },
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

		if (pl == 4 && memcmp(pattern, "{id}", 4) == 0) {
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
	for (size_t i = 0; i < N_ROUTES; i++)
		fprintf(fp, "%s %s\n", routes[i].method, routes[i].pattern);
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
