/*
 * An error as a FHIR OperationOutcome, for integrators who sent a Bundle:
 * the issue's code follows the status, its diagnostics are the message, and
 * its expression is the JSON pointer turned into a FHIRPath-style path
 * ("/entry/2/resource/status" -> "Bundle.entry[2].resource.status").
 */
#include "ldn/error.h"

#include <string.h>

#include "../base/error_impl.h"
#include "../base/jsonw.h"
#include "../base/strbuf.h"

static const char *
issue_code(enum ldn_status s)
{
	switch (s) {
	case LDN_E_PARSE:
		return "structure";
	case LDN_E_SCHEMA:
		return "invalid";
	case LDN_E_NOMEM:
		return "too-costly";
	case LDN_E_IO:
	case LDN_E_KB:
	case LDN_E_BUG:
	case LDN_OK:
		break;
	}
	return "exception";
}

/* "/entry/2/resource/status" -> "Bundle.entry[2].resource.status"; other
 * places (a file:line:column) are returned as they are. */
static void
fhirpath(struct strbuf *b, const char *where)
{
	const char *p = where;

	if (*p != '/') {
		sb_puts(b, where);
		return;
	}
	sb_puts(b, "Bundle");
	while (*p == '/') {
		const char *seg = ++p;
		size_t n = strcspn(seg, "/");
		bool index = n > 0;

		for (size_t i = 0; i < n; i++)
			index &= seg[i] >= '0' && seg[i] <= '9';
		if (index) {
			sb_puts(b, "[");
			sb_add(b, seg, n);
			sb_puts(b, "]");
		} else {
			sb_puts(b, ".");
			sb_add(b, seg, n);
		}
		p = seg + n;
	}
}

enum ldn_status
ldn_error_outcome(const struct ldn_error *e, char **out, size_t *len)
{
	struct strbuf b = STRBUF_INIT(1u << 16), path = STRBUF_INIT(1u << 12);
	struct jw w;

	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "resourceType", "OperationOutcome");
	jw_key(&w, "issue");
	jw_arr(&w);
	jw_obj(&w);
	jw_kstr(&w, "severity", e->code == LDN_E_BUG ? "fatal" : "error");
	jw_kstr(&w, "code", issue_code(e->code));
	jw_kstr(&w, "diagnostics", e->msg);
	if (e->where[0] != '\0') {
		fhirpath(&path, e->where);
		jw_key(&w, "expression");
		jw_arr(&w);
		jw_str(&w, sb_cstr(&path));
		jw_end_arr(&w);
	}
	jw_end_obj(&w);
	jw_end_arr(&w);
	jw_end_obj(&w);
	sb_free(&path);
	*out = sb_take(&b, len);
	if (*out == NULL) {
		sb_free(&b);
		return LDN_E_NOMEM;
	}
	return LDN_OK;
}
