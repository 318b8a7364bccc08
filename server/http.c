/*
 * libmicrohttpd glue: a thread pool on epoll, each request's body gathered
 * (up to the configured limit) into a buffer padded for the JSON parser,
 * then handed to route_dispatch() and the answer queued.  Limits, the
 * access log (the route's template, never a path with an id in it) and a
 * graceful stop on SIGTERM live here; nothing else knows about HTTP.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "ldn/ask.h"
#include "ldn/plan.h"
#include "ldn/store.h"

#include "api.h"
#include "base/error_impl.h"
#include "metrics.h"
#include "review.h"
#include "unescape.h"
#include "web.h"

/* What one request gathers between libmicrohttpd's calls. */
struct exchange {
	char *body;
	size_t len, cap;
	bool too_large, answered;
	struct timespec t0;
};

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *
query_of(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static const char *
header_of(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, key);
}

/* Append n bytes, keeping LDN_INPUT_PADDING zero bytes after the data. */
static bool
gather(struct exchange *x, const char *data, size_t n, size_t limit)
{
	if (x->too_large || n > limit - x->len) {
		x->too_large = true;
		return false;
	}
	if (x->len + n + LDN_INPUT_PADDING + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		char *bigger;

		while (cap < x->len + n + LDN_INPUT_PADDING + 1)
			cap *= 2;
		if ((bigger = realloc(x->body, cap)) == NULL) {
			x->too_large = true;
			return false;
		}
		x->body = bigger;
		x->cap = cap;
	}
	memcpy(x->body + x->len, data, n);
	x->len += n;
	memset(x->body + x->len, 0, LDN_INPUT_PADDING + 1);
	return true;
}

/* Paths and arguments decoded by url_unescape(), which leaves an encoded
 * control character (a NUL above all) as written. */
static size_t
on_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return url_unescape(s);
}

static enum MHD_Result
answer(struct MHD_Connection *c, struct resp *r)
{
	struct MHD_Response *mr = MHD_create_response_from_buffer(r->len,
	    r->body ? r->body : (char *)"",
	    r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (mr == NULL) {
		free(r->body);
		return MHD_NO;
	}
	r->body = NULL; /* the response owns it now */
	MHD_add_response_header(mr, "Content-Type",
	    r->type ? r->type : "application/json");
	MHD_add_response_header(mr, "Cache-Control",
	    r->cache ? r->cache : "no-store");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	if (r->etag)
		MHD_add_response_header(mr, "ETag", r->etag);
	if (r->csp) {
		MHD_add_response_header(mr, "Content-Security-Policy", r->csp);
		MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
	}
	if (r->allow)
		MHD_add_response_header(mr, "Allow", r->allow);
	if (r->challenge)
		MHD_add_response_header(mr, "WWW-Authenticate",
		    "Bearer realm=\"ldn\"");
	ok = MHD_queue_response(c, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	return ok;
}

/* Refuse a body over the limit as soon as it shows, rather than read it
 * all: libmicrohttpd then closes the connection after the answer. */
static enum MHD_Result
refuse_large(struct app *app, struct MHD_Connection *c, struct exchange *x)
{
	struct resp resp = { 0 };

	x->answered = true;
	resp_error(&resp, 413, "body",
	    "the request body is larger than the limit of %zu bytes",
	    app->cfg->max_body);
	metrics_request(app->metrics, "body too large", 413, since(&x->t0));
	return answer(c, &resp);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **con_cls)
{
	struct app *app = cls;
	struct exchange *x = *con_cls;
	struct resp resp = { 0 };
	struct req req = { 0 };
	const char *route;

	(void)version;
	if (x == NULL) {
		/* First call: headers only.  Answering now would cost the
		 * keep-alive connection, so only note what is coming. */
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);

		if ((x = calloc(1, sizeof(*x))) == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &x->t0);
		*con_cls = x;
		if (cl && strtoull(cl, NULL, 10) > app->cfg->max_body) {
			x->too_large = true;
			return refuse_large(app, c, x);
		}
		return MHD_YES;
	}
	if (x->answered) {
		*upload_len = 0;
		return MHD_YES;
	}
	if (*upload_len > 0) {
		bool fits = gather(x, upload, *upload_len, app->cfg->max_body);

		*upload_len = 0;
		return fits ? MHD_YES : refuse_large(app, c, x);
	}
	req.method = method;
	req.path = url;
	if (x->body == NULL && !gather(x, "", 0, app->cfg->max_body)) {
		resp_error(&resp, 500, "", "out of memory");
	} else {
		req.body = x->body;
		req.body_len = x->len;
		req.query = query_of;
		req.header = header_of;
		req.ctx = c;
		req.actor = "api";
		route_dispatch(app, &req, &resp);
	}
	route = route_name(&req);
	metrics_request(app->metrics, route, resp.status, since(&x->t0));
	if (!app->cfg->quiet)
		fprintf(stderr, "%s %d %.0fus\n", route, resp.status,
		    since(&x->t0) * 1e6);
	return answer(c, &resp);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct exchange *x = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (x) {
		free(x->body);
		free(x);
		*con_cls = NULL;
	}
}

/*
 * One daemon per worker thread, each with its own listening socket on the
 * same port (SO_REUSEPORT), so that the kernel spreads connections over
 * the workers.  With one daemon and a thread pool, the first worker to
 * wake took every connection of a small client, and the second core
 * idled (seen: 4 connections, one worker at 100%, the other at 0).
 */
enum {
	MAX_WORKERS = 256
};

struct workers {
	struct MHD_Daemon *d[MAX_WORKERS];
	size_t n;
};

static unsigned
open_connections(const struct workers *w)
{
	unsigned n = 0;

	for (size_t i = 0; i < w->n; i++) {
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(w->d[i],
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		n += info ? info->num_connections : 0;
	}
	return n;
}

/* Stop accepting, let requests in flight finish (up to ten seconds),
 * then stop every worker. */
static void
stop_workers(struct workers *w)
{
	for (size_t i = 0; i < w->n; i++) {
		MHD_socket lsock = MHD_quiesce_daemon(w->d[i]);

		if (lsock != MHD_INVALID_SOCKET)
			close(lsock);
	}
	for (int i = 0; i < 100 && open_connections(w) > 0; i++) {
		struct timespec pause = { 0, 100 * 1000 * 1000 };

		nanosleep(&pause, NULL);
	}
	for (size_t i = 0; i < w->n; i++)
		MHD_stop_daemon(w->d[i]);
	w->n = 0;
}

/*
 * Keep freed memory for the next request.  A hook's 230 KB body, the
 * parser's buffers and the arena blocks behind them are above glibc's
 * first mmap threshold, and a worker thread's heap is trimmed back as soon
 * as a request frees them: each request mapped fresh pages and returned
 * them, and the page faults were most of a hook's time in the kernel.
 * With large blocks on the heap and trimming out of reach, one request's
 * memory serves the next; what stays is each worker's largest request.
 */
static void
keep_heap(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int
server_run(const struct server_config *cfg)
{
	struct app app = { .cfg = cfg, .started = (int64_t)time(NULL) };
	struct ldn_error err = { 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)cfg->port) };
	static struct workers w;
	const union MHD_DaemonInfo *info = NULL;
	unsigned per_worker;
	sigset_t stop;
	char path[1024], *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	int sig = 0, rc = 1;

	keep_heap();
	if (inet_pton(AF_INET, cfg->bind, &sa.sin_addr) != 1) {
		fprintf(stderr,
		    "ldn serve: --bind: \"%s\" is not an IPv4 "
		    "address\n",
		    cfg->bind);
		return 64;
	}
	if (ldn_kb_load(cfg->kb_dir, &app.kb, &err) != LDN_OK) {
		fprintf(stderr, "ldn serve: knowledge base: %s: %s\n",
		    err.where, err.msg);
		return 78;
	}
	if (ldn_ask_new(app.kb, &app.ask, &err) != LDN_OK) {
		fprintf(stderr, "ldn serve: the question index: %s: %s\n",
		    err.where, err.msg);
		ldn_kb_free(app.kb);
		return 78;
	}
	snprintf(path, sizeof(path), "%s/openapi.json", cfg->docs_dir);
	if ((app.openapi = app_read_file(path, &app.openapi_len)) == NULL) {
		fprintf(stderr, "ldn serve: %s: %s\n", path, strerror(errno));
		ldn_ask_free(app.ask);
		ldn_kb_free(app.kb);
		return 78;
	}
	if ((rc = web_load(&app, cfg->web_dir)) != 0 ||
	    (rc = policy_load(&app, cfg->policy_dir)) != 0 ||
	    (rc = cds_setup(&app)) != 0)
		goto out;
	rc = 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((app.metrics = metrics_new()) == NULL ||
	    pthread_key_create(&app.store_key, app_store_close) != 0) {
		fprintf(stderr, "ldn serve: out of memory\n");
		goto out;
	}
	/* The store must open before we listen: a wrong URL is a usage
	 * error now, not a 503 later. */
	{
		struct ldn_store *st;

		if (ldn_store_open(cfg->db_url, cfg->sql_dir, &st, &err) !=
		    LDN_OK) {
			fprintf(stderr, "ldn serve: store: %s: %s\n", err.where,
			    err.msg);
			rc = err.code == LDN_E_SCHEMA ? 64 : 74;
			goto out;
		}
		/* the review states every plan shows, re-read when the
		 * log grows (checked every 2 s) */
		rc = review_keeper_new(&app, st, 2000);
		ldn_store_close(st);
		if (rc != 0)
			goto out;
		rc = 1;
	}
	/* SIGTERM and SIGINT are taken by sigwait() below; the worker
	 * threads inherit the mask, so none of them is interrupted. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cfg->tls_cert &&
	    ((cert = app_read_file(cfg->tls_cert, &cert_len)) == NULL ||
	        (key = app_read_file(cfg->tls_key, &key_len)) == NULL)) {
		fprintf(stderr, "ldn serve: cannot read %s: %s\n",
		    cert ? cfg->tls_key : cfg->tls_cert, strerror(errno));
		rc = 66;
		goto out;
	}
	per_worker = (cfg->max_conns + cfg->threads - 1) / cfg->threads;
	for (w.n = 0; w.n < cfg->threads && w.n < MAX_WORKERS; w.n++) {
		struct MHD_Daemon *d =
		    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		            MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
		            (cert ? MHD_USE_TLS : 0),
		        0, NULL, NULL, on_request, &app, MHD_OPTION_SOCK_ADDR,
		        &sa, MHD_OPTION_HTTPS_MEM_CERT, cert ? cert : "",
		        MHD_OPTION_HTTPS_MEM_KEY, key ? key : "",
		        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s,
		        MHD_OPTION_CONNECTION_LIMIT, per_worker,
		        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &app,
		        MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL,
		        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);

		if (d == NULL) {
			fprintf(stderr, "ldn serve: cannot listen on %s:%u\n",
			    cfg->bind, (unsigned)ntohs(sa.sin_port));
			stop_workers(&w);
			rc = 74;
			goto out;
		}
		w.d[w.n] = d;
		/* --port 0: the first worker's port is every worker's */
		if (w.n == 0 &&
		    (info = MHD_get_daemon_info(d,
		         MHD_DAEMON_INFO_BIND_PORT)) != NULL)
			sa.sin_port = htons(info->port);
	}
	printf("ldn serve: listening on %s://%s:%u/ (kb %s, store %s)\n",
	    cert ? "https" : "http", cfg->bind, (unsigned)ntohs(sa.sin_port),
	    ldn_kb_version(app.kb),
	    strncmp(cfg->db_url, "sqlite:", 7) == 0 ? "sqlite" : "postgresql");
	fflush(stdout);
	sigwait(&stop, &sig);
	stop_workers(&w);
	pthread_key_delete(app.store_key);
	printf("ldn serve: stopped (signal %d)\n", sig);
	rc = 0;
out:
	if (key)
		OPENSSL_cleanse(key, key_len);
	free(key);
	free(cert);
	metrics_free(app.metrics);
	cds_teardown(&app);
	web_free(&app);
	review_keeper_free(&app);
	free(app.policy);
	free(app.openapi);
	ldn_ask_free(app.ask);
	ldn_kb_free(app.kb);
	return rc;
}
