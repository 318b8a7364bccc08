/*
 * The follow-up questions a plan suggests: kb/ask.yaml ties each question
 * to findings (or asks it always); a plan lists those its findings raise,
 * in file order, at most ASK_FOLLOW_UP_MAX.  `ldn ask` answers them.
 */
#include "render.h"

#include "ldn/ask.h"

#include "../base/jsonw.h"
#include "../kb/ask_kb.h"

static size_t
pick(const struct ldn_plan *pl, size_t *idx, size_t max)
{
	const struct ask_kb *ak = pl->kb->ask;
	size_t n = 0;

	if (ak == NULL)
		return 0;
	if (max > ASK_FOLLOW_UP_MAX)
		max = ASK_FOLLOW_UP_MAX;
	for (size_t i = 0; i < ak->n_questions && n < max; i++) {
		const struct ask_question *q = &ak->questions[i];
		bool hit = q->always;

		for (size_t k = 0; k < q->n_findings && !hit; k++)
			for (size_t f = 0; f < pl->n_findings && !hit; f++)
				hit = pl->findings[f].id == q->findings[k];
		if (hit)
			idx[n++] = i;
	}
	return n;
}

size_t
ldn_plan_follow_up(const struct ldn_plan *plan, size_t *idx, size_t max)
{
	return pick(plan, idx, max);
}

void
render_follow_up_json(struct jw *w, const struct ldn_plan *pl,
    enum audience aud)
{
	size_t idx[ASK_FOLLOW_UP_MAX];
	size_t n = pick(pl, idx, ASK_FOLLOW_UP_MAX);

	jw_key(w, "follow_up");
	jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		const struct ask_question *q = &pl->kb->ask->questions[idx[i]];

		jw_obj(w);
		jw_kstr(w, "id", q->id);
		jw_kstr(w, "question", q->text[aud]);
		jw_key(w, "answered_by");
		jw_arr(w);
		for (size_t k = 0; k < q->n_answers; k++)
			jw_str(w, pl->kb->statements[q->answers[k]].id);
		jw_end_arr(w);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

void
render_follow_up_text(struct strbuf *b, const struct ldn_plan *pl,
    enum audience aud)
{
	size_t idx[ASK_FOLLOW_UP_MAX];
	size_t n = pick(pl, idx, ASK_FOLLOW_UP_MAX);

	if (n == 0)
		return;
	render_heading(b, pl->kb->ask->follow_up[aud]);
	for (size_t i = 0; i < n; i++) {
		sb_puts(b, "  - ");
		render_wrap(b, pl->kb->ask->questions[idx[i]].text[aud], 4, 4);
	}
}
