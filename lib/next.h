/*
 * Next-step advice as the engine leaves it for the renderers: the action,
 * the kb entry whose words explain it, and that entry's variables.
 */
#ifndef LDN_NEXT_IMPL_H
#define LDN_NEXT_IMPL_H

#include "ldn/next.h"

#include "kb/kb_impl.h"

enum {
	NEXT_VAR_LEN = 32
};

struct ldn_next {
	const struct ldn_kb *kb;
	enum ldn_next_action action;
	enum entry_id rule;
	int32_t dose_ug;
	int32_t restart_ug; /* a restart's dose: the start, below any dose
	                       not tolerated */
	int interval_d;     /* days between steps now (slower after a dose
	                       not tolerated) */
	bool morning;       /* doses are taken in the morning, not at bedtime */
	bool opioid_kept;   /* the plan keeps an opioid: next.co_use_note */
	bool hold_note;     /* a hold to come: next.periop_note beside */
	bool nested;        /* rules() asked about an earlier point */
	int32_t hold_from;  /* the first day of the hold the advice comes
	                       before, or INT32_MAX: a supply stops there */
	int32_t day;        /* date, as a day number */
	int32_t today;      /* as_of, as a day number */
	int32_t planned;    /* the latest plan's as-of day, or INT32_MIN */
	/* the plan's holds, while the advice is made (day numbers) */
	size_t n_holds;
	const int32_t *hfrom, *huntil;
	char date[11], as_of[11];
	char patient_id[256];
	char val[V_COUNT][NEXT_VAR_LEN];
	const char *vars[V_COUNT]; /* into val, or NULL */
};

#endif
