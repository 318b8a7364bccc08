/*
 * libFuzzer target for the server's request handling, without a socket:
 * the input's first line is "METHOD PATH[?QUERY]", the rest is the body.
 * Every answer must be a status from 200 to 499 with a body (5xx would
 * mean the server blamed itself for the client's input), and a 4xx must be
 * a JSON error that says where.  Store routes write to a scratch SQLite
 * file; requests carry an admin's token unless the first line ends in
 * " noauth", or a reviewer's (an editor in a copy of the knowledge base
 * whose reviewers.yaml names them) if it ends in " reviewer".
 */
#include <dirent.h>
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
#include "../../server/review.h"
#include "../../server/unescape.h"
#include "../../server/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct app app;
static struct server_config cfg;
static char bearer[80]; /* an admin's, unless the input says "noauth" */
/* an editor's, if the input says "reviewer" */
static char reviewer[80];

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

static bool with_token, as_reviewer;

static const char *
header_of(void *ctx, const char *key)
{
	(void)ctx;
	if (!with_token || strcmp(key, "Authorization") != 0)
		return NULL;
	return as_reviewer ? reviewer : bearer;
}

/* A copy of the knowledge base in dir (links to its files) whose
 * reviewers.yaml names the fuzzer's editor, so that review actions get
 * past the token check. */
static char kb_copy[96];

static void
remove_kb_copy(void)
{
	DIR *d = opendir(kb_copy);
	struct dirent *e;
	char p[512];

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", kb_copy, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(kb_copy);
}

static const char *
copy_kb(const char *src)
{
	DIR *d;
	struct dirent *e;
	char from[512], to[512];
	FILE *fp;

	snprintf(kb_copy, sizeof(kb_copy), "/tmp/ldn-fuzz-kb-XXXXXX");
	if (mkdtemp(kb_copy) == NULL || (d = opendir(src)) == NULL)
		abort();
	atexit(remove_kb_copy);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    strcmp(e->d_name, "reviewers.yaml") == 0)
			continue;
		snprintf(from, sizeof(from), "%s/%s", src, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", kb_copy, e->d_name);
		if (symlink(from, to) != 0)
			abort();
	}
	closedir(d);
	snprintf(to, sizeof(to), "%s/reviewers.yaml", kb_copy);
	if ((fp = fopen(to, "w")) == NULL)
		abort();
	fputs("reviewers:\n  - id: fuzz-editor\n    name: \"Fuzz Editor "
	      "(fictional)\"\n    role: editor\n    credentials: \"none\"\n",
	    fp);
	fclose(fp);
	return kb_copy;
}

static void
setup(void)
{
	static char url[128];
	static char openapi[] = "{}";
	static char policy[] = "# Editorial policy\n";
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
	if (ldn_kb_load(copy_kb(dir ? dir : LDN_KB_DIR), &app.kb, &err) !=
	        LDN_OK ||
	    ldn_ask_new(app.kb, &app.ask, &err) != LDN_OK ||
	    (app.metrics = metrics_new()) == NULL ||
	    pthread_key_create(&app.store_key, NULL) != 0 ||
	    web_load(&app, LDN_WEB_DIR) != 0)
		abort();
	app.openapi = openapi;
	app.openapi_len = 2;
	app.policy = policy;
	app.policy_len = sizeof(policy) - 1;
	{
		struct ldn_store *st;
		char token[65];

		if (ldn_store_open(url, LDN_SQL_DIR, &st, &err) != LDN_OK ||
		    ldn_store_add_token(st, "fuzz", "fuzz", "admin", token,
		        &err) != LDN_OK)
			abort();
		snprintf(bearer, sizeof(bearer), "Bearer %s", token);
		if (ldn_store_add_token(st, "fuzz", "fuzz-editor", "reviewer",
		        token, &err) != LDN_OK ||
		    review_keeper_new(&app, st, 0) != 0)
			abort();
		ldn_store_close(st);
		snprintf(reviewer, sizeof(reviewer), "Bearer %s", token);
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
	/* "METHOD PATH noauth" sends no token, "METHOD PATH reviewer" an
	 * editor's */
	with_token = true;
	as_reviewer = false;
	if (strchr(sp, ' ') != NULL) {
		with_token = strcmp(strchr(sp, ' '), " noauth") != 0;
		as_reviewer = strcmp(strchr(sp, ' '), " reviewer") == 0;
		*strchr(sp, ' ') = '\0';
	}
	if ((qm = strchr(sp, '?')) != NULL)
		*qm++ = '\0';
	/* as libmicrohttpd does with the server's decoder (http.c): never
	 * longer, and never a NUL inside */
	size_t before = strlen(sp), after = url_unescape(sp);

	if (after > before || strlen(sp) != after)
		__builtin_trap();
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
