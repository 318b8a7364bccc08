/*
 * libFuzzer target for the pharmacist's options and dispensing sheet: the
 * input's first line is --formulation (empty: none), its second
 * --supply-days, the rest a patient.  Either a refusal that names the
 * option or field and says why, or a sheet that renders in text, json and
 * html whose every step dispenses the schedule's dose.  replay.c runs the
 * committed corpus (tests/fuzz/corpus/dispense) in the normal suite.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

#include "dispense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ldn_kb *kb;

/* The next line of [*p, end) as a NUL-terminated copy in buf. */
static void
line(const char **p, const char *end, char *buf, size_t cap)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl ? nl + 1 : end;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char form[128], days[32];
	struct ldn_error err;
	struct ldn_plan *plan;
	struct dispense_opts o;
	struct dispense d;
	char *out;
	size_t len;
	int32_t supply;

	if (kb == NULL) {
		const char *dir = getenv("LDN_KB");

		if (ldn_kb_load(dir ? dir : LDN_KB_DIR, &kb, &err) != LDN_OK)
			abort();
	}
	line(&p, end, form, sizeof(form));
	line(&p, end, days, sizeof(days));
	supply = (int32_t)strtol(days, NULL, 10);
	memset(&err, 0, sizeof(err));
	if (ldn_plan_build(kb, p, (size_t)(end - p), "2026-11-25", &plan,
	        &err) != LDN_OK) {
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	static const enum ldn_format forms[] = { LDN_FORMAT_TEXT,
		LDN_FORMAT_JSON, LDN_FORMAT_HTML };
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		enum ldn_status rc = ldn_plan_render_with(plan, forms[f],
		    LDN_AUDIENCE_PHARMACIST, form[0] ? form : NULL, supply,
		    &out, &len, &err);

		if (rc == LDN_OK)
			free(out);
		else if (rc != LDN_E_SCHEMA ||
		    (strcmp(err.where, "formulation") != 0 &&
		        strcmp(err.where, "supply_days") != 0) ||
		    err.msg[0] == '\0')
			abort();
	}
	if (dispense_parse(kb, form[0] ? form : NULL, supply, &o, &err) ==
	    LDN_OK) {
		if (!dispense_compute(plan, &o, &d))
			abort();
		for (size_t i = 0; i < d.n_steps; i++) {
			struct ldn_step st;

			ldn_plan_step(plan, i, &st);
			if (d.steps[i].dose_ug != st.dose_ug ||
			    st.dose_ug > ldn_plan_ceiling_ug(plan))
				abort();
		}
		if (d.available !=
		    (ldn_plan_decision(plan) != LDN_DECISION_DO_NOT_START))
			abort();
		dispense_fini(&d);
	}
	ldn_plan_free(plan);
	return 0;
}
