/*
 * libFuzzer target for the patient parser and the whole plan pipeline:
 * any bytes in, and either a refusal with a field and a reason, or a plan
 * that renders in every form.  Built with clang -fsanitize=fuzzer (see
 * tests/fuzz/run.sh); replay.c runs the committed corpus in the normal
 * suite, so every input that once mattered keeps being tested.
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
	struct ldn_error err;
	struct ldn_plan *plan;
	char *out;
	size_t len;

	if (kb == NULL) {
		const char *dir = getenv("LDN_KB");

		if (ldn_kb_load(dir ? dir : LDN_KB_DIR, &kb, &err) != LDN_OK)
			abort();
	}
	memset(&err, 0, sizeof(err));
	/* Odd sizes take every policy's alternative (opioid co-use and its
	 * daily doses; the 24-hour restart), even sizes the defaults. */
	static const char *const alternatives[] = { "opioid_co_use=relative",
		"periop_restart=24h" };
	if (ldn_plan_build_with(kb, (const char *)data, size, false,
	        "2026-11-25", NULL, alternatives, (size & 1) ? 2 : 0, NULL,
	        &plan, &err) != LDN_OK) {
		/* A refusal must say why. */
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	static const enum ldn_format forms[] = { LDN_FORMAT_TEXT,
		LDN_FORMAT_JSON, LDN_FORMAT_HTML, LDN_FORMAT_ICS };
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		for (int a = 0; a < 2; a++)
			if (ldn_plan_render(plan, forms[f],
			        (enum ldn_audience)a, &out, &len,
			        &err) == LDN_OK)
				free(out);
			else
				abort();
	if (ldn_plan_unresolved_citations(plan) != 0)
		abort();
	ldn_plan_free(plan);
	return 0;
}
