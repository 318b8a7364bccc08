/*
 * kb/regimens.yaml as the engine reads it: the standard-dose naltrexone
 * regimens (`ldn plan --regimen`), each with its schedule, its words and
 * its screening, written over the LDN screen's findings and the patient's
 * own conditions, medications and labs.  Loaded with the rest of the
 * knowledge base and owned by its arena; lib/regimen.c plans with it.
 */
#ifndef LDN_REGIMEN_KB_H
#define LDN_REGIMEN_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_impl.h"

struct jnode;

/* What a screening rule does when it fires. */
enum rg_action {
	RA_DO_NOT_START, /* a block without a date */
	RA_WAIT,         /* a block until the finding's own date */
	RA_CAUTION,
	RA_ASK,            /* a question to settle before the first dose */
	RA_NOT_APPLICABLE, /* listed, so it is not a silent pass; not shown */
	RA_COUNT
};

extern const char *const rg_action_names[RA_COUNT];

enum rg_step_kind {
	RS_TEST,     /* a test dose, watched */
	RS_DAILY,    /* once a day from its day on */
	RS_ESCALATE, /* tablets morning and evening, until the next step */
	RS_MAINTAIN, /* the full dose, from its day on */
	RS_COUNT
};

extern const char *const rg_step_kind_names[RS_COUNT];

/* A rule over one finding of the LDN screen (findings.yaml). */
struct rg_rule {
	enum entry_id finding;
	enum rg_action action;
	int cap_tablets;             /* 0: no cap; else tablets a day at most */
	struct tmpl text[AUD_COUNT]; /* not for RA_NOT_APPLICABLE */
	const char *why;             /* RA_NOT_APPLICABLE only */
};

/* A rule over the record itself: conditions, medications or labs. */
struct rg_match {
	const char *id;
	enum rg_action action;
	bool include_resolved; /* resolved conditions count too */
	const char **icd10;    /* normalised: upper case, no dot */
	size_t n_icd10;
	const char **snomed;
	size_t n_snomed;
	struct phrase *cond_text; /* sorted by first word */
	size_t n_cond_text;
	struct phrase *meds; /* sorted by first word */
	size_t n_meds;
	const char **loinc;
	size_t n_loinc;
	/* Medications: stopped within this many days is a wait (0: a
	 * stopped one does not count). */
	int32_t within_d;
	struct tmpl text[AUD_COUNT];
	bool has_active, has_unknown, has_ask;
	struct tmpl active[AUD_COUNT];  /* the medicine is taken now */
	struct tmpl unknown[AUD_COUNT]; /* stopped, no last dose */
	struct tmpl ask[AUD_COUNT];     /* shown when the rule did not fire */
};

struct rg_step {
	enum rg_step_kind kind;
	int32_t day;     /* 1: the first dose */
	int32_t dose_ug; /* naltrexone a day (tablets: from am, pm) */
	int am, pm;      /* tablets, for a tablet regimen; else 0 */
	struct tmpl text[AUD_COUNT];
};

struct rg_weekday {
	int wday; /* 0 Sunday .. 6 Saturday */
	int32_t dose_ug;
};

struct kb_regimen {
	const char *id, *label, *why;
	enum evidence evidence;
	struct cites cites;
	int32_t max_daily_ug; /* naltrexone */
	/* Tablet regimens: the strengths of one tablet, and bupropion's
	 * daily maximum; all 0 otherwise. */
	int32_t tablet_ug, tablet_bupropion_ug, bupropion_max_daily_ug;
	struct tmpl purpose[AUD_COUNT], compare[AUD_COUNT];
	struct rg_step *steps; /* ordered by day; steps[0].day == 1 */
	size_t n_steps;
	/* A supervised alternative on fixed weekdays (from the first such
	 * week after the first step) */
	struct rg_weekday *alt;
	size_t n_alt;
	bool alt_supervised;
	struct tmpl alt_text[AUD_COUNT];
	/* Tablet regimens: words of a capped step and of "in the morning",
	 * "in the evening". */
	struct tmpl capped[AUD_COUNT], am_words[AUD_COUNT], pm_words[AUD_COUNT];
	/* The review visit after_d days after the maintenance step began
	 * (0: none); stop_below_pct is the label's stopping rule. */
	int32_t review_after_d, review_stop_pct;
	struct tmpl review[AUD_COUNT];
	/* Its own rules first, then those of its screen_from regimen that
	 * it does not override. */
	struct rg_rule *rules;
	size_t n_rules;
	struct rg_match *matches;
	size_t n_matches;
};

struct regimen_kb {
	struct kb_regimen *regimens; /* in file order */
	size_t n;
};

typedef void (
    *regimen_problem_fn)(void *ud, const struct jnode *at, const char *msg);

/*
 * Read kb/regimens.yaml (root, its parsed tree) after the references,
 * numbers and findings of kb are loaded.  Every problem goes to problem();
 * returns NULL if there was any.  Owned by the arena a.
 */
const struct regimen_kb *regimen_kb_load(struct arena *a,
    const struct ldn_kb *kb, const struct jnode *root,
    regimen_problem_fn problem, void *ud);

/* The regimen with this id, or NULL. */
const struct kb_regimen *regimen_kb_find(const struct regimen_kb *rk,
    const char *id);

#endif
