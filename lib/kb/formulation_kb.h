/*
 * kb/formulations.yaml as the engine reads it: the dosage forms LDN is
 * compounded in (liquid, capsules, sublingual drops), each with its
 * strengths, its beyond-use dating by storage, its sources and its words;
 * the dispensing warnings; and the check boxes of a dispensing sheet.
 * Loaded with the rest of the knowledge base and owned by its arena;
 * lib/dispense.c computes a sheet with it, lib/render/dispense.c writes it.
 */
#ifndef LDN_FORMULATION_KB_H
#define LDN_FORMULATION_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_impl.h"

struct jnode;

enum fm_kind {
	FK_LIQUID,  /* measured by volume at a concentration */
	FK_CAPSULE, /* whole capsules of stocked strengths */
	FK_COUNT
};

extern const char *const fm_kind_names[FK_COUNT];

enum fm_who {
	FW_PRESCRIBER,
	FW_PHARMACIST,
	FW_PATIENT,
	FW_COUNT
};

extern const char *const fm_who_names[FW_COUNT];

struct fm_warning {
	const char *id;
	enum evidence evidence;
	struct cites cites;
	const char *pharmacist;
	const char *patient; /* or NULL: nothing to tell the patient */
};

/* A beyond-use date: days from the day of dispensing (day 1) in this
 * storage. */
struct fm_storage {
	const char *storage; /* "room", "refrigerated", "room-dark" */
	int32_t days;
	struct cites cites;
};

struct fm_form {
	const char *id, *label, *why;
	enum fm_kind kind;
	enum evidence evidence;
	struct cites cites;
	/* FK_LIQUID: the concentrations the sources date, the first the
	 * default, and the volume a dose is measured to */
	const int32_t *conc_ug_per_ml;
	size_t n_conc;
	int32_t measure_ul;
	/* FK_CAPSULE: the stocked strengths, ascending, and the most
	 * capsules one dose may take */
	const int32_t *strengths_ug;
	size_t n_strengths;
	int32_t max_per_dose;
	const struct fm_storage *beyond_use;
	size_t n_beyond_use;
	const struct fm_warning *const *warnings;
	size_t n_warnings;
	const char *pharmacist, *patient;
};

struct fm_check {
	enum fm_who who;
	const char *text; /* a patient's are patient words */
	/* the words instead when the plan keeps an opioid under policy
	 * opioid_co_use=relative (NULL: text holds then too) */
	const char *co_use_text;
};

struct formulation_kb {
	const struct fm_form *forms; /* in file order */
	size_t n_forms;
	const struct fm_form *default_form;
	const struct fm_warning *warnings;
	size_t n_warnings;
	const struct fm_check *checks;
	size_t n_checks;
	/* A default supply: the titration to the ceiling and this many days
	 * more. */
	int32_t supply_after_ceiling_d;
	struct cites supply_cites;
	const char *supply_why;
};

typedef void (
    *formulation_problem_fn)(void *ud, const struct jnode *at, const char *msg);

/*
 * Read kb/formulations.yaml (root, its parsed tree) after the references
 * of kb are loaded, marking in ref_used (one per reference) those it
 * cites.  Every problem goes to problem(); returns NULL if there was any.
 * Owned by the arena a.
 */
const struct formulation_kb *formulation_kb_load(struct arena *a,
    const struct ldn_kb *kb, const struct jnode *root, bool *ref_used,
    formulation_problem_fn problem, void *ud);

/* The form with this id, or NULL. */
const struct fm_form *formulation_find(const struct formulation_kb *fk,
    const char *id, size_t len);

#endif
