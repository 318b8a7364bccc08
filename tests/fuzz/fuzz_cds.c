/*
 * libFuzzer target for the CDS Hooks services: the first byte picks the
 * service (patient-view, order-select, order-sign, or one that does not
 * exist), the rest is the request body.  Any input must give a refusal
 * with a place and a reason, or a response that is a JSON object with a
 * cards array whose summaries are under 140 characters; the missing
 * prefetch list must agree with the call about the request's validity.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/cds.h"
#include "ldn/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ldn_kb *kb;

static void
check_response(const char *out, size_t len)
{
	json_t *r = json_loadb(out, len, 0, NULL), *cards, *c;
	size_t i;

	cards = json_object_get(r, "cards");
	if (!json_is_array(cards))
		abort();
	json_array_foreach(cards, i, c)
	{
		const char *s =
		    json_string_value(json_object_get(c, "summary"));
		size_t chars = 0;

		if (s == NULL || *s == '\0' ||
		    json_string_value(json_object_get(c, "indicator")) ==
		        NULL ||
		    json_object_get(json_object_get(c, "source"), "label") ==
		        NULL)
			abort();
		for (; *s; s++)
			chars += ((unsigned char)*s & 0xC0) != 0x80;
		if (chars >= 140)
			abort();
	}
	json_decref(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const services[] = { "ldn-patient-view",
		"ldn-order-select", "ldn-order-sign", "ldn-none" };
	struct ldn_error err, err2;
	struct ldn_cds_missing *m = NULL;
	const char *svc;
	enum ldn_status rc, rc2;
	char *out = NULL;
	size_t len;

	if (kb == NULL) {
		const char *dir = getenv("LDN_KB");

		if (ldn_kb_load(dir ? dir : LDN_KB_DIR, &kb, &err) != LDN_OK)
			abort();
	}
	if (size == 0 || size > (1u << 20))
		return 0;
	svc = services[data[0] & 3];
	memset(&err, 0, sizeof(err));
	rc = ldn_cds_call(kb, svc, (const char *)data + 1, size - 1,
	    "2026-11-25", &out, &len, &err);
	if (rc == LDN_OK) {
		check_response(out, len);
		free(out);
	} else if (err.msg[0] == '\0' ||
	    (rc == LDN_E_SCHEMA && err.where[0] == '\0') ||
	    ldn_cds_http_status(rc, &err) == 200) {
		abort(); /* a refusal must say where and why */
	}
	memset(&err2, 0, sizeof(err2));
	rc2 = ldn_cds_missing_prefetch(kb, svc, (const char *)data + 1,
	    size - 1, "2026-11-25", &m, &err2);
	/* A request the call read must be one the missing list reads. */
	if (rc2 == LDN_OK) {
		for (size_t i = 0; i < m->n; i++)
			if (m->items[i].key == NULL ||
			    m->items[i].query == NULL)
				abort();
		ldn_cds_missing_free(m);
	} else if (rc == LDN_OK) {
		abort();
	}
	return 0;
}
