/*
 * libFuzzer target for follow-up questions: the input is the question's
 * bytes, answered for both audiences in both formats, then wrapped as the
 * body of POST /api/v1/ask.  Any input must give an answer (JSON that
 * parses, statements that exist, a decline with its message) or a refusal
 * that names /question; FTS5 query syntax must never reach SQLite as such
 * (a query error would be LDN_E_BUG).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/ask.h"
#include "ldn/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ldn_kb *kb;
static struct ldn_ask *ask;

static void
check_json(const char *out, size_t len)
{
	json_t *r = json_loadb(out, len, 0, NULL), *answers;
	int answered;

	if (r == NULL)
		abort();
	answers = json_object_get(r, "answers");
	answered = json_is_true(json_object_get(r, "answered"));
	if (!json_is_array(answers) ||
	    (answered && json_array_size(answers) == 0) ||
	    (!answered &&
	        (json_array_size(answers) != 0 ||
	            !json_is_string(json_object_get(r, "message")))))
		abort();
	json_decref(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *q = (const char *)data;
	struct ldn_ask_result r;
	struct ldn_error err;
	enum ldn_status rc;

	if (kb == NULL) {
		const char *dir = getenv("LDN_KB");

		if (ldn_kb_load(dir ? dir : LDN_KB_DIR, &kb, &err) != LDN_OK ||
		    ldn_ask_new(kb, &ask, &err) != LDN_OK)
			abort();
	}
	if (size > 4096)
		return 0;
	memset(&err, 0, sizeof(err));
	rc = ldn_ask_search(ask, q, size, &r, &err);
	if (rc != LDN_OK) {
		if (rc != LDN_E_SCHEMA || strcmp(err.where, "/question") != 0 ||
		    err.msg[0] == '\0')
			abort();
	} else {
		if (r.n > 3 || (r.answered && r.n == 0))
			abort();
		for (size_t i = 0; i < r.n; i++)
			if (r.ids[i] == NULL)
				abort();
	}
	for (int a = 0; a < 2; a++)
		for (int f = 0; f < 2; f++) {
			char *out = NULL;
			size_t len;
			enum ldn_status rc2 = ldn_ask_answer(ask, q, size, NULL,
			    NULL,
			    a ? LDN_AUDIENCE_PATIENT : LDN_AUDIENCE_CLINICIAN,
			    f ? LDN_FORMAT_JSON : LDN_FORMAT_TEXT, &out, &len,
			    &err);

			if (rc2 != rc)
				abort(); /* answering refuses what search does
				          */
			if (rc2 == LDN_OK && f)
				check_json(out, len);
			if (rc2 == LDN_OK && strlen(out) != len)
				abort();
			free(out);
		}
	/* The same bytes as a request body: refused with a place, or
	 * answered. */
	{
		char *out = NULL;
		size_t len;

		memset(&err, 0, sizeof(err));
		rc = ldn_ask_request(ask, q, size, "2026-11-25", NULL,
		    LDN_FORMAT_JSON, &out, &len, &err);
		if (rc == LDN_OK)
			check_json(out, len);
		else if (rc != LDN_E_SCHEMA || err.msg[0] == '\0')
			abort();
		free(out);
	}
	return 0;
}
