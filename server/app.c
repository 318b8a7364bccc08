/*
 * What every part of the server shares: the JSON error body, and the store
 * handle of the worker thread that asks (one per thread, opened on first
 * use, closed when the thread ends).
 */
#include "app.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ldn/store.h"

#include "base/jsonw.h"
#include "base/strbuf.h"

void
resp_error(struct resp *resp, int status, const char *where, const char *fmt,
    ...)
{
	struct strbuf b = STRBUF_INIT(1u << 16);
	struct jw w;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_kint(&w, "status", status);
	jw_kstr(&w, "where", where);
	jw_kstr(&w, "message", msg);
	jw_end_obj(&w);
	jw_end_obj(&w);
	sb_puts(&b, "\n");
	free(resp->body);
	resp->status = status;
	resp->type = "application/json";
	resp->body = sb_take(&b, &resp->len);
	if (resp->body == NULL)
		sb_free(&b);
}

void
app_store_close(void *st)
{
	ldn_store_close(st);
}

struct ldn_store *
app_store(struct app *app, struct resp *resp)
{
	struct ldn_store *st = pthread_getspecific(app->store_key);
	struct ldn_error err = { 0 };

	if (st)
		return st;
	if (ldn_store_open(app->cfg->db_url, app->cfg->sql_dir, &st, &err) !=
	    LDN_OK) {
		resp_error(resp, 503, "store", "the store is unavailable");
		if (!app->cfg->quiet)
			fprintf(stderr, "ldn serve: store: %s: %s\n", err.where,
			    err.msg);
		return NULL;
	}
	pthread_setspecific(app->store_key, st);
	return st;
}

char *
app_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, fp) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}
