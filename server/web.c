/*
 * The web page (web/ in the source tree): a few fixed files read once at
 * start-up and served from memory at / and /web/NAME, with a strict
 * Content-Security-Policy and an ETag so a browser revalidates cheaply.
 * The page holds no data: what it shows comes from the API, called with
 * the user's bearer token, so these routes are open to anyone.
 */
#include "web.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* Only these names are served: a request never reaches the file system. */
static const struct {
	const char *name, *type;
} web_names[] = {
	{ "index.html", "text/html; charset=utf-8" },
	{ "app.css", "text/css; charset=utf-8" },
	{ "app.js", "text/javascript; charset=utf-8" },
	{ "icon.svg", "image/svg+xml" },
};

enum {
	N_WEB = sizeof(web_names) / sizeof(web_names[0])
};

struct web_file {
	char *body;
	size_t len;
	char etag[20]; /* "\"" + 16 hex digits + "\"" */
};

struct web {
	struct web_file files[N_WEB];
};

/* No inline script or style, nothing from another origin, no framing. */
static const char CSP[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/* FNV-1a, 64 bits: a validator for a cache, not a security check. */
static void
etag_of(const char *s, size_t n, char out[20])
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	snprintf(out, 20, "\"%016llx\"", (unsigned long long)h);
}

/* A missing file is warned about on stderr and leaves the page unserved
 * (app->web NULL): 0 unless out of memory (70). */
int
web_load(struct app *app, const char *dir)
{
	struct web *w = calloc(1, sizeof(*w));
	char path[1024];

	if (w == NULL) {
		fprintf(stderr, "ldn serve: out of memory\n");
		return 70;
	}
	for (size_t i = 0; i < N_WEB; i++) {
		struct web_file *f = &w->files[i];

		snprintf(path, sizeof(path), "%s/%s", dir, web_names[i].name);
		if ((f->body = app_read_file(path, &f->len)) == NULL) {
			/* The API does not need the page: serve it without
			 * (GET / is then 503 naming "web"). */
			fprintf(stderr,
			    "ldn serve: warning: the web page is not served: "
			    "%s: %s (--web DIR or $LDN_WEB names its "
			    "directory); the API is\n",
			    path, strerror(errno));
			app->web = w;
			web_free(app);
			return 0;
		}
		etag_of(f->body, f->len, f->etag);
	}
	app->web = w;
	return 0;
}

void
web_free(struct app *app)
{
	if (app->web == NULL)
		return;
	for (size_t i = 0; i < N_WEB; i++)
		free(app->web->files[i].body);
	free(app->web);
	app->web = NULL;
}

/* Answer with file i, or 304 when the browser's copy is current. */
static void
serve(struct app *app, struct req *req, struct resp *resp, size_t i)
{
	const struct web_file *f = &app->web->files[i];
	const char *inm =
	    req->header ? req->header(req->ctx, "If-None-Match") : NULL;

	resp->type = web_names[i].type;
	resp->etag = f->etag;
	resp->cache = "no-cache";
	resp->csp = CSP;
	if (inm && strcmp(inm, f->etag) == 0) {
		resp->status = 304;
		return;
	}
	if ((resp->body = malloc(f->len + 1)) == NULL) {
		resp_error(resp, 500, "", "out of memory");
		return;
	}
	memcpy(resp->body, f->body, f->len + 1);
	resp->len = f->len;
	resp->status = 200;
}

void
api_web_index(struct app *app, struct req *req, struct resp *resp)
{
	if (app->web == NULL) {
		resp_error(resp, 503, "web",
		    "the web page is not served: its files were not found "
		    "when the server started (--web DIR); the API is");
		return;
	}
	serve(app, req, resp, 0);
}

void
api_web_file(struct app *app, struct req *req, struct resp *resp)
{
	size_t i = 0;

	while (i < N_WEB && strcmp(web_names[i].name, req->param[0]) != 0)
		i++;
	if (i == N_WEB) {
		resp_error(resp, 404, "path", "no such file of the web page");
		return;
	}
	if (app->web == NULL) {
		resp_error(resp, 503, "web",
		    "the web page is not served: its files were not found "
		    "when the server started (--web DIR); the API is");
		return;
	}
	serve(app, req, resp, i);
}
