/* Template expansion for the knowledge base's texts. */
#include "tmpl.h"

#include "../base/dose.h"

static void
unit_value(struct strbuf *b, enum unit u, int32_t v, bool with_unit)
{
	char mg[16];

	switch (u) {
	case U_UG:
		mg_string(v, mg);
		sb_puts(b, mg);
		if (with_unit)
			sb_puts(b, " mg");
		return;
	case U_UG_PER_KG:
		mg_string(v, mg);
		sb_puts(b, mg);
		if (with_unit)
			sb_puts(b, " mg/kg");
		return;
	case U_D:
		sb_int(b, v);
		if (with_unit)
			sb_puts(b, v == 1 ? " day" : " days");
		return;
	case U_Y:
		sb_int(b, v);
		if (with_unit)
			sb_puts(b, v == 1 ? " year" : " years");
		return;
	case U_KG:
		sb_int(b, v);
		if (with_unit)
			sb_puts(b, " kg");
		return;
	case U_EGFR:
		sb_int(b, v);
		if (with_unit)
			sb_puts(b, " mL/min/1.73 m²");
		return;
	case U_PCT:
		sb_int(b, v);
		if (with_unit)
			sb_puts(b, "%");
		return;
	case U_POINTS:
		sb_int(b, v);
		if (with_unit)
			sb_puts(b, v == 1 ? " point" : " points");
		return;
	case U_H:
		sb_int(b, v);
		if (with_unit)
			sb_puts(b, v == 1 ? " hour" : " hours");
		return;
	case U_COUNT:
		break;
	}
	sb_int(b, v);
}

void
tmpl_number(struct strbuf *b, const struct kb_number *nb, bool range)
{
	if (range && nb->has_range) {
		unit_value(b, nb->unit, nb->lo, false);
		sb_puts(b, "–");
		unit_value(b, nb->unit, nb->hi, true);
		return;
	}
	unit_value(b, nb->unit, nb->value, true);
}

void
tmpl_expand(struct strbuf *b, const struct ldn_kb *kb, const struct tmpl *t,
    const char *const *vars)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct seg *s = &t->segs[i];

		switch (s->kind) {
		case SEG_LIT:
			sb_add(b, s->lit, s->len);
			break;
		case SEG_VAR:
			sb_puts(b, vars && vars[s->idx] ? vars[s->idx] : "?");
			break;
		case SEG_NUM:
		case SEG_RANGE:
			tmpl_number(b, &kb->numbers[s->idx],
			    s->kind == SEG_RANGE);
			break;
		}
	}
}
