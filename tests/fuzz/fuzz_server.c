/*
 * libFuzzer target for the server's request handling, without a socket:
 * the input's first line is "METHOD PATH[?QUERY]", the rest is the body.
 * Every answer must be a status from 200 to 499 with a body (5xx would
 * mean the server blamed itself for the client's input), and a 4xx must be
 * a JSON error that says where.  Store routes write to a scratch SQLite
 * file; requests carry an admin's token unless the first line ends in
 * " noauth".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldn/ask.h"
#include "ldn/plan.h"
#include "ldn/store.h"

#include "../../server/app.h"
#include "../../server/metrics.h"
#include "../../server/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct app app;
static struct server_config cfg;
static char bearer[80]; /* an admin's, unless the input says "noauth" */

/* The query string of this input, for req.query. */
static const char *
query_of(void *ctx, const char *key)
{
	static char val[256];
	const char *q = ctx;
	size_t kl = strlen(key);

	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);

		if (len > kl && strncmp(q, key, kl) == 0 && q[kl] == '=') {
			snprintf(val, sizeof(val), "%.*s", (int)(len - kl - 1),
			    q + kl + 1);
			return val;
		}
		q = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static char db_path[96];

static void
remove_db(void)
{
	char p[128];

	unlink(db_path);
	snprintf(p, sizeof(p), "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db_path);
	unlink(p);
}

static bool with_token;

static const char *
header_of(void *ctx, const char *key)
{
	(void)ctx;
	return with_token && strcmp(key, "Authorization") == 0 ? bearer : NULL;
}

static void
setup(void)
{
	static char url[128];
	static char openapi[] = "{}";
	struct ldn_error err;
	const char *dir = getenv("LDN_KB");

	snprintf(db_path, sizeof(db_path), "/tmp/ldn-fuzz-server-%d.db",
	    (int)getpid());
	snprintf(url, sizeof(url), "sqlite:%s", db_path);
	atexit(remove_db);
	cfg = (struct server_config){ .max_body = 8u << 20,
		.db_url = url,
		.sql_dir = LDN_SQL_DIR,
		.as_of = "2026-11-25",
		.quiet = true };
	app.cfg = &cfg;
	if (ldn_kb_load(dir ? dir : LDN_KB_DIR, &app.kb, &err) != LDN_OK ||
	    ldn_ask_new(app.kb, &app.ask, &err) != LDN_OK ||
	    (app.metrics = metrics_new()) == NULL ||
	    pthread_key_create(&app.store_key, NULL) != 0 ||
	    web_load(&app, LDN_WEB_DIR) != 0)
		abort();
	app.openapi = openapi;
	app.openapi_len = 2;
	{
		struct ldn_store *st;
		char token[65];

		if (ldn_store_open(url, LDN_SQL_DIR, &st, &err) != LDN_OK ||
		    ldn_store_add_token(st, "fuzz", "fuzz", "admin", token,
		        &err) != LDN_OK)
			abort();
		ldn_store_close(st);
		snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[512], *sp, *qm, *body;
	const uint8_t *nl = memchr(data, '\n', size < 511 ? size : 511);
	struct req req = { 0 };
	struct resp resp = { 0 };
	size_t head;

	if (app.kb == NULL)
		setup();
	if (nl == NULL || size > (1u << 20))
		return 0;
	head = (size_t)(nl - data);
	memcpy(line, data, head);
	line[head] = '\0';
	if ((sp = strchr(line, ' ')) == NULL)
		return 0;
	*sp++ = '\0';
	/* "METHOD PATH noauth" sends no token */
	with_token = true;
	if (strchr(sp, ' ') != NULL) {
		with_token = strcmp(strchr(sp, ' '), " noauth") != 0;
		*strchr(sp, ' ') = '\0';
	}
	if ((qm = strchr(sp, '?')) != NULL)
		*qm++ = '\0';
	if ((body = calloc(1, size - head + LDN_INPUT_PADDING + 1)) == NULL)
		return 0;
	memcpy(body, nl + 1, size - head - 1);
	req.method = line;
	req.path = sp;
	req.body = body;
	req.body_len = size - head - 1;
	req.query = query_of;
	req.header = header_of;
	req.ctx = qm;
	req.actor = "fuzz";
	route_dispatch(&app, &req, &resp);
	if (resp.status < 200 || resp.status > 499 || resp.body == NULL)
		abort();
	if (resp.status >= 400 && strstr(resp.body, "\"where\"") == NULL &&
	    strstr(resp.body, "OperationOutcome") == NULL)
		abort();
	free(resp.body);
	free(body);
	return 0;
}
