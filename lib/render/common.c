/* Pieces the renderers share: the words of a schedule line, citation lists. */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"
#include "../base/jsonw.h"

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
render_finish(struct strbuf *b, struct strbuf *tmp, char **out, size_t *len,
    struct ldn_error *err)
{
	bool failed = tmp->failed || b->failed;

	sb_free(tmp);
	if (failed) {
		sb_free(b);
		return ldn_fail(err, LDN_E_NOMEM, "", "the plan is too large");
	}
	*out = sb_take(b, len);
	if (*out == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	return LDN_OK;
}

void
render_text_json(struct jw *w, const struct ldn_plan *pl, struct strbuf *tmp,
    const struct tmpl *t, const char *const *vars)
{
	tmp->len = 0;
	tmpl_expand(tmp, pl->kb, t, vars);
	jw_strn(w, tmp->s ? tmp->s : "", tmp->len);
}
