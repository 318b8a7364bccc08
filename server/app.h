/*
 * The server's shared state and the shape of a request as the handlers see
 * it: no HTTP library in sight, so the routes can be called, tested and
 * fuzzed without a socket.  http.c turns libmicrohttpd's calls into these.
 */
#ifndef LDN_SERVER_APP_H
#define LDN_SERVER_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ldn/kb.h"

struct ldn_ask;
struct ldn_store;
struct metrics;
struct review_keeper;
struct web;

struct server_config {
	const char *bind;     /* address to listen on, e.g. 127.0.0.1 */
	unsigned port;        /* 0: any free port (printed) */
	size_t max_body;      /* bytes; larger bodies get 413 */
	unsigned timeout_s;   /* idle connection timeout */
	unsigned max_conns;   /* concurrent connections */
	unsigned threads;     /* worker threads */
	const char *kb_dir;   /* knowledge base */
	const char *db_url;   /* store URL */
	const char *sql_dir;  /* migrations */
	const char *docs_dir; /* openapi.json */
	const char *web_dir;  /* the web page's files (web.c) */
	const char *as_of;    /* fixed "today" for tests, or NULL */
	bool quiet;           /* no access log on stderr */
	const char *tls_cert; /* PEM files: both set, HTTPS only */
	const char *tls_key;
	/* CDS Hooks: this server's public base URL (the tokens' audience
	 * is it + "/cds-services/ID"), and the issuers trusted, each as
	 * "ISS=JWKS_FILE". */
	const char *cds_url;
	const char *cds_issuers[8];
	size_t n_cds_issuers;
	/* the FHIR servers each issuer's calls may have us fetch from, as
	 * "ISS=URL_PREFIX"; none: prefetch is never fetched */
	const char *cds_fhir[8];
	size_t n_cds_fhir;
	/* jku URLs each issuer may name, as "ISS=URL"; their key sets are
	 * fetched when a token names them */
	const char *cds_jku[8];
	size_t n_cds_jku;
	/* the directory of editorial-policy.md (review.c) */
	const char *policy_dir;
};

struct ldn_jwt_verifier;
struct jku_asked;

/* A CDS service's token verifier: its own audience and replay cache, and
 * when it last asked each allowed jku for its keys (cds.c). */
struct cds_service {
	const char *id;
	struct ldn_jwt_verifier *verifier;
	struct jku_asked *asked;
};

struct app {
	const struct server_config *cfg;
	struct ldn_kb *kb;
	struct ldn_ask *ask; /* the question index over kb (ldn/ask.h) */
	struct metrics *metrics;
	pthread_key_t store_key; /* one store handle per worker thread */
	struct cds_service cds[3];
	size_t n_cds;
	char *openapi; /* served as read at start */
	size_t openapi_len;
	struct web *web; /* the web page, as read at start */
	/* the current review snapshot of kb (review.h); NULL: none, every
	 * item a draft and the review routes 503 */
	struct review_keeper *review;
	char *policy; /* docs/editorial-policy.md as read at start, or NULL */
	size_t policy_len;
	int64_t started; /* unix seconds */
};

enum {
	MAX_PARAMS = 2
};

struct req {
	const char *method;            /* GET, POST, ... */
	const char *path;              /* without the query */
	const char *param[MAX_PARAMS]; /* {id} captures, NUL-terminated */
	char *body; /* LDN_INPUT_PADDING bytes readable after */
	size_t body_len;
	/* A query argument or a header, or NULL. */
	const char *(*query)(void *ctx, const char *key);
	const char *(*header)(void *ctx, const char *key);
	void *ctx;
	const char *actor; /* for the audit log */
	const char *role;  /* the token's role; NULL on open routes */
};

struct resp {
	int status;
	const char *type; /* Content-Type; a static string */
	char *body;       /* malloc'd, or NULL */
	size_t len;
	const char *allow; /* for 405: the methods allowed */
	bool challenge;    /* 401: ask for a bearer token */
	/* the web page's files: a validator, Cache-Control and
	 * Content-Security-Policy (NULL: none, no-store, none) */
	const char *etag, *cache, *csp;
};

/* Route req to its handler and fill resp; always fills resp. */
void route_dispatch(struct app *app, struct req *req, struct resp *resp);

/* Every route as "METHOD PATTERN" lines, for tests and --routes. */
void route_print(FILE *fp);

/* The route's name for metrics ("POST /api/v1/plan"), or "unmatched". */
const char *route_name(const struct req *req);

/* A JSON error body {"error": {"status", "where", "message"}}. */
void resp_error(struct resp *resp, int status, const char *where,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* All of a file, NUL-terminated (*len bytes before the NUL), or NULL
 * with errno set. */
char *app_read_file(const char *path, size_t *len);

/* The destructor of app->store_key: closes a thread's store. */
void app_store_close(void *st);

/* This worker thread's store handle, opened on first use; NULL with a 503
 * in resp when it cannot be opened. */
struct ldn_store *app_store(struct app *app, struct resp *resp);

#endif
