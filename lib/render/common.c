/* Pieces every renderer needs: templates, numbers, citation lists. */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "../base/date.h"

#include "ldn/plan.h"

#include "../base/error_impl.h"

enum entry_id
render_step_vars(const struct ldn_plan *pl, size_t i, char date[static 11],
    char dose[static 24], const char **vars)
{
	static const enum entry_id entries[] = { E_SCHEDULE_START,
		E_SCHEDULE_INCREASE, E_SCHEDULE_HOLD, E_SCHEDULE_RESTART };
	const struct step *s = &pl->steps[i];
	char mg[16];

	date_format(s->date, date);
	mg_string(s->kind == STEP_HOLD && i > 0 ? pl->steps[i - 1].dose_ug
	                                        : s->dose_ug,
	    mg);
	snprintf(dose, 24, "%s mg", mg);
	vars[V_DATE] = date;
	vars[V_DOSE] = dose;
	vars[V_PROCEDURE] = s->procedure;
	return entries[s->kind];
}

void
render_cite_list(struct strbuf *b, const struct ldn_plan *pl, struct cites c)
{
	for (size_t i = 0; i < c.n; i++)
		sb_printf(b, "%s%u", i ? ", " : "",
		    (unsigned)pl->ref_number[c.ref[i]]);
}

enum ldn_status
ldn_plan_render(const struct ldn_plan *plan, enum ldn_format format,
    enum ldn_audience audience, char **out, size_t *len, struct ldn_error *err)
{
	enum audience aud =
	    audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT : AUD_CLINICIAN;

	switch (format) {
	case LDN_FORMAT_JSON:
		return render_json(plan, aud, out, len, err);
	case LDN_FORMAT_TEXT:
		return render_text(plan, aud, out, len, err);
	}
	return ldn_fail(err, LDN_E_BUG, "format", "unknown output format");
}
