/* Helpers every step of the pipeline uses on the plan it drafts. */
#include "draft.h"

#include <string.h>

#include "base/date.h"

const char *const step_kind_names[4] = { "start", "increase", "hold",
	"restart" };

void *
plan_push(struct ldn_plan *pl, void **items, size_t *n, size_t *cap,
    size_t size)
{
	char *p;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *bigger = arena_calloc(&pl->arena, ncap, size);

		if (bigger == NULL)
			return NULL;
		if (*n)
			memcpy(bigger, *items, *n * size);
		*items = bigger;
		*cap = ncap;
	}
	p = (char *)*items + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

const char *
fmt_mg(struct ldn_plan *pl, int32_t ug)
{
	char b[20];

	mg_string(ug, b);
	strcat(b, " mg");
	return arena_strdup(&pl->arena, b);
}

const char *
fmt_int(struct ldn_plan *pl, long v)
{
	char b[24], *p = b + sizeof(b);
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return arena_strdup(&pl->arena, p);
}

const char *
fmt_date(struct ldn_plan *pl, int32_t day)
{
	char b[11];

	date_format(day, b);
	return arena_strdup(&pl->arena, b);
}
