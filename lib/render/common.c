/* Pieces every renderer needs: templates, numbers, citation lists. */
#include "render.h"

#include <string.h>

#include "ldn/plan.h"

#include "../base/error_impl.h"

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
