/*
 * libFuzzer target for the FHIR intake: the input is taken as the inside of
 * a Bundle's entry array, so mutations land on resources, references and
 * dates rather than on the envelope.  Any input must give a refusal with a
 * reason or a plan that renders with every citation resolving.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ldn_kb *kb;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "{\"resourceType\":\"Bundle\",\"entry\":[";
	static const char tail[] = "]}";
	struct ldn_error err;
	struct ldn_plan *plan;
	char *buf, *out;
	size_t len, n;

	if (kb == NULL) {
		const char *dir = getenv("LDN_KB");

		if (ldn_kb_load(dir ? dir : LDN_KB_DIR, &kb, &err) != LDN_OK)
			abort();
	}
	if (size > (1u << 20))
		return 0;
	n = sizeof(head) - 1 + size + sizeof(tail) - 1;
	buf = malloc(n);
	if (buf == NULL)
		return 0;
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + sizeof(head) - 1, data, size);
	memcpy(buf + sizeof(head) - 1 + size, tail, sizeof(tail) - 1);
	memset(&err, 0, sizeof(err));
	/* Odd sizes plan under opioid_co_use=relative, which reads the
	 * medications' dosages. */
	static const char *const co_use[] = { "opioid_co_use=relative" };
	if (ldn_plan_build_with(kb, buf, n, false, "2026-11-25", NULL, co_use,
	        size & 1, NULL, &plan, &err) != LDN_OK) {
		free(buf);
		if (err.msg[0] == '\0')
			abort(); /* a refusal must say why */
		return 0;
	}
	free(buf);
	for (int a = 0; a < 2; a++)
		if (ldn_plan_render(plan, LDN_FORMAT_JSON, (enum ldn_audience)a,
		        &out, &len, &err) == LDN_OK)
			free(out);
		else
			abort();
	if (ldn_plan_unresolved_citations(plan) != 0)
		abort();
	ldn_plan_free(plan);
	return 0;
}
