/*
 * ldn_plan_render(): the one door to the renderers, choosing a form and an
 * audience.  It sits above them; the helpers they share are in common.c.
 */
#include "render.h"

#include "ldn/plan.h"

#include "../base/error_impl.h"

enum ldn_status
ldn_plan_render(const struct ldn_plan *plan, enum ldn_format format,
    enum ldn_audience audience, char **out, size_t *len, struct ldn_error *err)
{
	enum audience aud =
	    audience == LDN_AUDIENCE_PATIENT ? AUD_PATIENT : AUD_CLINICIAN;

	switch (format) {
	case LDN_FORMAT_JSON:
	case LDN_FORMAT_JSON_COMPACT:
		return render_json(plan, aud, format == LDN_FORMAT_JSON_COMPACT,
		    out, len, err);
	case LDN_FORMAT_TEXT:
		return render_text(plan, aud, out, len, err);
	case LDN_FORMAT_FHIR:
		return render_fhir(plan, aud, out, len, err);
	case LDN_FORMAT_HTML:
		return render_html(plan, aud, out, len, err);
	case LDN_FORMAT_ICS:
		return render_ics(plan, aud, out, len, err);
	}
	return ldn_fail(err, LDN_E_BUG, "format", "unknown output format");
}
