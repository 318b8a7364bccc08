/*
 * The knowledge base as the engine reads it.  Everything is owned by the
 * KB's arena; after ldn_kb_load() nothing here changes.
 */
#ifndef LDN_KB_IMPL_H
#define LDN_KB_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "ldn/kb.h"

#include "../base/arena.h"
#include "contract.h"

enum evidence {
	EV_RANDOMISED_TRIAL,
	EV_SYSTEMATIC_REVIEW,
	EV_OBSERVATIONAL,
	EV_CASE_REPORT,
	EV_REVIEW,
	EV_LABEL,
	EV_GUIDELINE,
	EV_EXPERT_OPINION,
	EV_VENDOR_SUMMARY,
	EV_COUNT
};

extern const char *const evidence_names[EV_COUNT];

enum audience {
	AUD_CLINICIAN,
	AUD_PATIENT,
	AUD_COUNT
};

extern const char *const audience_names[AUD_COUNT];

struct kb_ref {
	const char *id;
	int seed_cite; /* 0: none */
	const char *kind;
	enum evidence evidence;
	const char *title, *authors, *source, *volume, *pages;
	const char *doi, *pmid, *url, *accessed, *resolution, *note;
	int year;
	uint32_t line, col;
	/* Its members as JSON, from ",\n      \"id\"" on: written once at load
	 * for an object at depth 3 whose first member is already out (the
	 * renderers' "n"); see kb_ref_json(). */
	const char *json_members;
	size_t json_members_len;
	const char *json_members_compact; /* the same, compact */
	size_t json_members_compact_len;
	uint32_t item; /* its index in kb->items */
};

/* A template is a list of segments: literal text, a variable, or a
 * number (its value or its range). */
enum seg_kind {
	SEG_LIT,
	SEG_VAR,
	SEG_NUM,
	SEG_RANGE
};

struct seg {
	enum seg_kind kind;
	const char *lit; /* SEG_LIT */
	size_t len;      /* SEG_LIT */
	int idx;         /* enum var, or index into kb->numbers */
};

struct tmpl {
	struct seg *segs;
	size_t n;
	uint64_t vars; /* variables used */
};

struct cites {
	const uint16_t *ref; /* indices into kb->refs */
	size_t n;
};

struct kb_number {
	const char *id;
	int32_t value;
	enum unit unit;
	bool has_range;
	int32_t lo, hi;
	struct cites cites;
	const char *why;
};

enum review_state {
	RV_DRAFT,
	RV_SUBMITTED,
	RV_UNDER_REVIEW,
	RV_CHANGES_REQUESTED,
	RV_APPROVED,
	RV_RETIRED,
	RV_COUNT
};

extern const char *const review_names[RV_COUNT];

/* One position where a statement's sources part ways: a few clinician
 * words for it, and the cited references that hold it. */
struct kb_side {
	const char *position;
	struct cites cites;
};

struct kb_statement {
	const char *id;
	enum section section;
	enum evidence evidence;
	struct cites cites;
	uint32_t when_flags;    /* bit per enum flag */
	uint64_t when_concepts; /* bit per concept index (indication.X) */
	struct tmpl text[AUD_COUNT];
	/* Statements have no variables, so their text is the same in every
	 * plan: expanded once at load, and once more as a JSON string. */
	const char *plain[AUD_COUNT];
	const char *json[AUD_COUNT]; /* with quotes, escaped */
	size_t plain_len[AUD_COUNT], json_len[AUD_COUNT];
	uint32_t item; /* its index in kb->items (review state, version) */
	/* Where its sources disagree (statements.yaml `disagree`): two or
	 * more sides, each citing some of the statement's references. */
	const struct kb_side *sides;
	size_t n_sides;
};

/* A finding, monitoring item or schedule line: words for an entry_id. */
struct kb_entry {
	const char *id;
	enum entry_list list;
	enum severity severity;
	enum evidence evidence;
	struct cites cites;
	struct tmpl text[AUD_COUNT];
	struct tmpl summary; /* L_CARD: a line under 140 characters */
	/* L_NEXT: the pharmacist's words (required: `ldn next --audience
	 * pharmacist` never falls back on another audience's) */
	struct tmpl pharmacist;
};

struct kb_concept {
	const char *id;
	enum concept_kind kind;
	const char *label;
};

struct code_map {
	const char *code; /* ICD-10-CM without dots, upper case; or SNOMED id */
	size_t len;
	uint16_t concept;
};

/* A phrase pre-split into words, for whole-word matching. */
struct phrase {
	const char **words;
	uint8_t n;
	uint16_t target;  /* concept index, or enum med_class */
	uint32_t letters; /* a-z present in the first word (words_letters) */
};

struct rx_entry {
	uint32_t code;
	enum med_class cls;
	const char *display;
};

/* One way a preset is suggested: a plan flag or a concept on file, and
 * the words that say why. */
struct preset_rule {
	uint32_t flags;    /* bit per enum flag */
	uint64_t concepts; /* bit per concept index */
	/* "when: opioid" (exclusions only): an opioid taken within this many
	 * days, taken now, or with no known last dose; 0 otherwise. */
	int32_t opioid_within_d;
	const char *reason;
};

/* A titration preset (kb/presets.yaml): its numbers, who it is for, and
 * its words, shown as a protocol statement in the plans that use it. */
struct kb_preset {
	const char *id, *label, *why;
	bool is_default;
	bool beyond_seed; /* ceiling above the seed's dose.ceiling_ug */
	bool child_only;  /* only for patients under age.adult_y */
	int32_t start_ug, step_ug, interval_d, ceiling_ug;
	int32_t start_ug_per_kg; /* 0: start_ug; else by weight */
	struct preset_rule *suggest;
	size_t n_suggest;
	/* Monitoring items every plan following it carries (monitor.*). */
	enum entry_id *monitor;
	size_t n_monitor;
	/* Who it is never for: a plan asking for it is refused. */
	struct preset_rule *exclude;
	size_t n_exclude;
	/* Statements about the seed's numbers ("this plan starts at ...")
	 * that a plan following this preset leaves out. */
	const struct kb_statement **replaces;
	size_t n_replaces;
	struct kb_statement statement;
	/* The same statement in words without the preset's numbers, shown
	 * when the plan changed them for the patient (sensitive, a child's
	 * weight, a dose not tolerated before). */
	struct kb_statement adjusted;
};

/* What the editorial workflow governs (include/ldn/review.h). */
enum item_kind {
	IK_STATEMENT,
	IK_REFERENCE
};

extern const char *const item_kind_names[2];

struct kb_item {
	enum item_kind kind;
	const char *id;
	const char *name; /* "statement/ID" or "reference/ID" */
	const struct kb_statement *statement; /* or NULL */
	const struct kb_ref *ref;             /* or NULL */
	/* Its content as plans use it, one "field: value" line each, and
	 * the SHA-256 of that: the version a reviewer approves. */
	const char *content;
	char version[65];
};

enum reviewer_role {
	RR_AUTHOR,
	RR_REVIEWER,
	RR_EDITOR,
	RR_COUNT
};

extern const char *const reviewer_role_names[RR_COUNT];

/* kb/reviewers.yaml: who may act on items, and as what. */
struct kb_reviewer {
	const char *id, *name, *credentials;
	enum reviewer_role role;
};

struct ask_kb;

struct ldn_kb {
	struct arena arena;
	const char *name, *version, *updated, *review_note;
	enum review_state review;
	char fingerprint[17];

	struct kb_ref *refs;
	size_t n_refs;
	struct kb_number *numbers;
	size_t n_numbers;
	struct params params;
	/* index into numbers per number_spec */
	int number_of_param[MAX_NUMBER_SPECS];
	struct kb_statement *statements; /* ordered by section */
	size_t n_statements;
	struct kb_entry entries[E_COUNT];
	struct kb_preset *presets; /* in file order */
	size_t n_presets;
	const struct kb_preset *default_preset;

	struct kb_concept *concepts;
	size_t n_concepts;
	struct code_map *icd10; /* sorted by code */
	size_t n_icd10;
	struct code_map *snomed; /* sorted by code */
	size_t n_snomed;
	struct phrase *condition_text; /* sorted by first word */
	size_t n_condition_text;
	struct phrase *med_names; /* sorted by first word */
	size_t n_med_names;
	/* Typo candidates: one-word names of opioid classes and of
	 * naltrexone, six letters or more, ordered by first byte;
	 * fuzzy_start[c] .. fuzzy_start[c + 1] are those starting with byte c.
	 */
	const struct phrase **fuzzy;
	size_t fuzzy_start[257];
	struct phrase *long_acting; /* sorted by first word */
	size_t n_long_acting;
	struct rx_entry *rxnorm; /* sorted by code */
	size_t n_rxnorm;
	/* kb/ask.yaml: follow-up questions (lib/ask/ask_impl.h) */
	const struct ask_kb *ask;
	/* kb/regimens.yaml: standard-dose regimens (lib/kb/regimen_kb.h) */
	const struct regimen_kb *regimens;
	/* kb/formulations.yaml: dosage forms (lib/kb/formulation_kb.h) */
	const struct formulation_kb *formulations;
	/* statements, then presets' words, then references */
	struct kb_item *items;
	size_t n_items;
	struct kb_reviewer *reviewers;
	size_t n_reviewers;
};

/* Give every statement and reference its item, content and version
 * (items.c); false when out of memory. */
bool kb_items_build(struct ldn_kb *kb);

/* The item named "ID", "statement/ID" or "reference/ID", or NULL. */
const struct kb_item *kb_item_find(const struct ldn_kb *kb, const char *name);

/* The reviewer with this id, or NULL. */
const struct kb_reviewer *kb_reviewer_find(const struct ldn_kb *kb,
    const char *id);

/* The preset with this id, or NULL. */
const struct kb_preset *kb_preset_find(const struct ldn_kb *kb, const char *id);

/* The index of a reference id, or -1. */
int kb_ref_index(const struct ldn_kb *kb, const char *id);

struct jw;
/* Reference r's members (id, type, evidence, title ... note) into the
 * JSON object w has open; the renderers use r->json_members instead
 * when their object sits at the depth it was written for. */
void kb_ref_json(struct jw *w, const struct kb_ref *r);

#endif
