/*
 * Loading kb/formulations.yaml and holding it to what a dispensing sheet
 * needs: known forms and storages, whole positive numbers within bounds,
 * strengths in ascending order, every warning a form names present, an
 * evidence type that one of the cited references has, and citations that
 * resolve.  The engine's own bounds below hold whatever the file says.
 */
#include "formulation_kb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/tree.h"
#include "fields.h"

const char *const fm_kind_names[FK_COUNT] = {
	[FK_LIQUID] = "liquid",
	[FK_CAPSULE] = "capsule",
};

const char *const fm_who_names[FW_COUNT] = {
	[FW_PRESCRIBER] = "prescriber",
	[FW_PHARMACIST] = "pharmacist",
	[FW_PATIENT] = "patient",
};

enum {
	/* No liquid above 50 mg/mL, no capsule above a low dose (5 mg, the
	 * definition of LDN; kb dose.ldn_max_ug is checked too), no more
	 * than 8 capsules or 8 strengths, no dating beyond 2 years, no
	 * volume step below 1 ul or above 1 mL. */
	FM_MAX_CONC_UG_PER_ML = 50000,
	FM_MAX_STRENGTHS = 8,
	FM_MAX_PER_DOSE = 8,
	FM_MAX_DAYS = 730,
	FM_MAX_MEASURE_UL = 1000,
	FM_MAX_SUPPLY_D = 366,
	FM_MAX_LIST = 64
};

static bool
int_node(struct kb_fields *L, const struct jnode *v, const char *what, long lo,
    long hi, int32_t *out)
{
	char *end;
	long x;

	if (v->type != J_STR) {
		kf_problem(L, v, "\"%s\" must be a whole number", what);
		return false;
	}
	errno = 0;
	x = strtol(v->u.s, &end, 10);
	if (errno != 0 || end == v->u.s || *end != '\0' || x < lo || x > hi) {
		kf_problem(L, v,
		    "\"%s\" must be a whole number from %ld to %ld", what, lo,
		    hi);
		return false;
	}
	*out = (int32_t)x;
	return true;
}

static bool
int_of(struct kb_fields *L, const struct jnode *o, const char *key, long lo,
    long hi, int32_t *out)
{
	const struct jnode *v = tree_get(o, key);

	if (v == NULL) {
		kf_problem(L, o, "missing field \"%s\"", key);
		return false;
	}
	return int_node(L, v, key, lo, hi, out);
}

/* "evidence": a known type that one of the cited references has. */
static enum evidence
evidence_of(struct kb_fields *L, const struct jnode *o, struct cites c)
{
	const char *s = kf_str(L, o, "evidence", true);

	if (s == NULL)
		return EV_EXPERT_OPINION;
	for (int e = 0; e < EV_COUNT; e++) {
		if (strcmp(evidence_names[e], s) != 0)
			continue;
		for (size_t i = 0; i < c.n; i++)
			if (L->kb->refs[c.ref[i]].evidence == (enum evidence)e)
				return (enum evidence)e;
		if (c.n > 0)
			kf_problem(L, tree_get(o, "evidence"),
			    "evidence \"%s\" is not that of any reference "
			    "cited",
			    s);
		return (enum evidence)e;
	}
	kf_problem(L, tree_get(o, "evidence"), "unknown evidence type \"%s\"",
	    s);
	return EV_EXPERT_OPINION;
}

/* A list of whole numbers at key, each from lo to hi, strictly ascending
 * when ascending. */
static const int32_t *
ints_of(struct kb_fields *L, const struct jnode *o, const char *key, long lo,
    long hi, bool ascending, size_t *n)
{
	const struct jnode *v = tree_get(o, key);
	int32_t *out;

	*n = 0;
	if (v == NULL || v->type != J_ARR || v->n == 0 ||
	    v->n > FM_MAX_STRENGTHS) {
		kf_problem(L, v ? v : o,
		    "\"%s\" must list 1 to %d whole numbers", key,
		    FM_MAX_STRENGTHS);
		return NULL;
	}
	if ((out = arena_calloc(L->a, v->n, sizeof(*out))) == NULL)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		if (!int_node(L, &v->u.items[i], key, lo, hi, &out[i]))
			return NULL;
		if (ascending && i > 0 && out[i] <= out[i - 1]) {
			kf_problem(L, &v->u.items[i],
			    "\"%s\" must be in ascending order, each once",
			    key);
			return NULL;
		}
	}
	*n = v->n;
	return out;
}

static void
warnings_of(struct kb_fields *L, const struct jnode *list,
    struct formulation_kb *fk)
{
	static const char *const keys[] = { "id", "evidence", "cites",
		"pharmacist", "patient", NULL };
	struct fm_warning *w;

	if (list == NULL || list->type != J_ARR || list->n == 0 ||
	    list->n > FM_MAX_LIST) {
		kf_problem(L, list, "\"warnings\" must be a list of warnings");
		return;
	}
	if ((w = arena_calloc(L->a, list->n, sizeof(*w))) == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];

		if (o->type != J_OBJ) {
			kf_problem(L, o, "a warning must be a mapping");
			continue;
		}
		kf_keys(L, o, keys);
		w[i].id = kf_str(L, o, "id", true);
		w[i].cites = kf_cites(L, o);
		w[i].evidence = evidence_of(L, o, w[i].cites);
		w[i].pharmacist = kf_str(L, o, "pharmacist", true);
		w[i].patient = kf_str(L, o, "patient", false);
		for (size_t k = 0; w[i].id && k < i; k++)
			if (w[k].id && strcmp(w[k].id, w[i].id) == 0)
				kf_problem(L, o,
				    "warning \"%s\" is listed twice", w[i].id);
	}
	fk->warnings = w;
	fk->n_warnings = list->n;
}

static const struct fm_warning *
warning_find(const struct formulation_kb *fk, const char *id)
{
	for (size_t i = 0; i < fk->n_warnings; i++)
		if (fk->warnings[i].id && strcmp(fk->warnings[i].id, id) == 0)
			return &fk->warnings[i];
	return NULL;
}

static void
beyond_use_of(struct kb_fields *L, const struct jnode *o, struct fm_form *f)
{
	static const char *const keys[] = { "storage", "days", "cites", NULL };
	static const char *const storages[] = { "room", "refrigerated",
		"room-dark", NULL };
	const struct jnode *v = tree_get(o, "beyond_use");
	struct fm_storage *s;

	if (v == NULL || v->type != J_ARR || v->n == 0 || v->n > 3) {
		kf_problem(L, v ? v : o,
		    "\"beyond_use\" must list 1 to 3 storages");
		return;
	}
	if ((s = arena_calloc(L->a, v->n, sizeof(*s))) == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct jnode *e = &v->u.items[i];
		size_t k = 0;

		if (e->type != J_OBJ) {
			kf_problem(L, e, "a beyond-use date must be a mapping");
			return;
		}
		kf_keys(L, e, keys);
		s[i].storage = kf_str(L, e, "storage", true);
		while (s[i].storage && storages[k] &&
		    strcmp(storages[k], s[i].storage) != 0)
			k++;
		if (s[i].storage && storages[k] == NULL)
			kf_problem(L, tree_get(e, "storage"),
			    "storage \"%s\"; allowed: room, refrigerated, "
			    "room-dark",
			    s[i].storage);
		for (size_t j = 0; s[i].storage && j < i; j++)
			if (s[j].storage &&
			    strcmp(s[j].storage, s[i].storage) == 0)
				kf_problem(L, e,
				    "storage \"%s\" is listed twice",
				    s[i].storage);
		int_of(L, e, "days", 1, FM_MAX_DAYS, &s[i].days);
		s[i].cites = kf_cites(L, e);
	}
	f->beyond_use = s;
	f->n_beyond_use = v->n;
}

static void
form_of(struct kb_fields *L, const struct jnode *o, struct fm_form *f,
    const struct formulation_kb *fk)
{
	static const char *const keys[] = { "id", "kind", "label", "evidence",
		"cites", "concentrations_ug_per_ml", "measure_ul",
		"strengths_ug", "max_per_dose", "why", "beyond_use", "warnings",
		"pharmacist", "patient", NULL };
	const char *kind;
	const struct jnode *wl;
	const struct fm_warning **w;
	int32_t ldn_max = L->kb->params.ldn_max_ug;

	kf_keys(L, o, keys);
	f->id = kf_str(L, o, "id", true);
	f->label = kf_str(L, o, "label", true);
	f->why = kf_str(L, o, "why", true);
	f->pharmacist = kf_str(L, o, "pharmacist", true);
	f->patient = kf_str(L, o, "patient", true);
	f->cites = kf_cites(L, o);
	f->evidence = evidence_of(L, o, f->cites);
	kind = kf_str(L, o, "kind", true);
	if (kind != NULL && strcmp(kind, "liquid") == 0)
		f->kind = FK_LIQUID;
	else if (kind != NULL && strcmp(kind, "capsule") == 0)
		f->kind = FK_CAPSULE;
	else if (kind != NULL)
		kf_problem(L, tree_get(o, "kind"),
		    "kind \"%s\"; allowed: liquid, capsule", kind);
	if (f->kind == FK_LIQUID) {
		f->conc_ug_per_ml = ints_of(L, o, "concentrations_ug_per_ml", 1,
		    FM_MAX_CONC_UG_PER_ML, false, &f->n_conc);
		int_of(L, o, "measure_ul", 1, FM_MAX_MEASURE_UL,
		    &f->measure_ul);
		if (tree_get(o, "strengths_ug") || tree_get(o, "max_per_dose"))
			kf_problem(L, o,
			    "a liquid has concentrations, not strengths");
	} else {
		f->strengths_ug = ints_of(L, o, "strengths_ug", 1,
		    ldn_max > 0 ? ldn_max : 1, true, &f->n_strengths);
		int_of(L, o, "max_per_dose", 1, FM_MAX_PER_DOSE,
		    &f->max_per_dose);
		if (tree_get(o, "concentrations_ug_per_ml") ||
		    tree_get(o, "measure_ul"))
			kf_problem(L, o,
			    "capsules have strengths, not concentrations");
	}
	beyond_use_of(L, o, f);
	wl = tree_get(o, "warnings");
	if (wl == NULL || wl->type != J_ARR || wl->n == 0 ||
	    wl->n > FM_MAX_LIST) {
		kf_problem(L, wl ? wl : o,
		    "\"warnings\" must list the warnings a sheet of this form "
		    "shows");
		return;
	}
	if ((w = arena_calloc(L->a, wl->n, sizeof(*w))) == NULL)
		return;
	for (size_t i = 0; i < wl->n; i++) {
		const struct jnode *e = &wl->u.items[i];

		w[i] = e->type == J_STR ? warning_find(fk, e->u.s) : NULL;
		if (w[i] == NULL)
			kf_problem(L, e, "names no warning of \"warnings\"");
	}
	f->warnings = w;
	f->n_warnings = wl->n;
}

static void
checks_of(struct kb_fields *L, const struct jnode *list,
    struct formulation_kb *fk)
{
	static const char *const keys[] = { "who", "text", "co_use_text",
		NULL };
	struct fm_check *c;
	bool seen[FW_COUNT] = { false };

	if (list == NULL || list->type != J_ARR || list->n == 0 ||
	    list->n > FM_MAX_LIST) {
		kf_problem(L, list ? list : NULL,
		    "\"checks\" must list the sheet's check boxes");
		return;
	}
	if ((c = arena_calloc(L->a, list->n, sizeof(*c))) == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		const char *who;
		int k = 0;

		if (o->type != J_OBJ) {
			kf_problem(L, o, "a check must be a mapping");
			continue;
		}
		kf_keys(L, o, keys);
		c[i].text = kf_str(L, o, "text", true);
		c[i].co_use_text = kf_str(L, o, "co_use_text", false);
		who = kf_str(L, o, "who", true);
		while (who && k < FW_COUNT && strcmp(fm_who_names[k], who))
			k++;
		if (who && k == FW_COUNT)
			kf_problem(L, tree_get(o, "who"),
			    "who \"%s\"; allowed: prescriber, pharmacist, "
			    "patient",
			    who);
		else if (who) {
			c[i].who = (enum fm_who)k;
			seen[k] = true;
		}
	}
	for (int k = 0; k < FW_COUNT; k++)
		if (!seen[k])
			kf_problem(L, list, "no check box for the %s",
			    fm_who_names[k]);
	fk->checks = c;
	fk->n_checks = list->n;
}

const struct formulation_kb *
formulation_kb_load(struct arena *a, const struct ldn_kb *kb,
    const struct jnode *root, bool *ref_used, formulation_problem_fn problem,
    void *ud)
{
	static const char *const keys[] = { "default", "supply", "forms",
		"warnings", "checks", NULL };
	struct kb_fields L = { a, kb, ref_used, problem, ud, 0 };
	struct formulation_kb *fk = arena_calloc(a, 1, sizeof(*fk));
	const struct jnode *forms, *supply;
	struct fm_form *f;
	const char *def;

	if (fk == NULL)
		return NULL;
	if (root->type != J_OBJ) {
		kf_problem(&L, root,
		    "expected default, supply, forms, warnings "
		    "and checks");
		return NULL;
	}
	kf_keys(&L, root, keys);
	warnings_of(&L, tree_get(root, "warnings"), fk);
	supply = tree_get(root, "supply");
	if (supply == NULL || supply->type != J_OBJ)
		kf_problem(&L, supply ? supply : root,
		    "\"supply\" must hold after_ceiling_d, cites and why");
	else {
		kf_keys(&L, supply,
		    (const char *const[]){ "after_ceiling_d", "cites", "why",
		        NULL });
		int_of(&L, supply, "after_ceiling_d", 1, FM_MAX_SUPPLY_D,
		    &fk->supply_after_ceiling_d);
		fk->supply_cites = kf_cites(&L, supply);
		fk->supply_why = kf_str(&L, supply, "why", true);
	}
	forms = tree_get(root, "forms");
	if (forms == NULL || forms->type != J_ARR || forms->n == 0 ||
	    forms->n > FM_MAX_LIST) {
		kf_problem(&L, forms ? forms : root,
		    "\"forms\" must list the dosage forms");
		return NULL;
	}
	if ((f = arena_calloc(a, forms->n, sizeof(*f))) == NULL)
		return NULL;
	fk->forms = f;
	fk->n_forms = forms->n;
	for (size_t i = 0; i < forms->n; i++) {
		if (forms->u.items[i].type != J_OBJ) {
			kf_problem(&L, &forms->u.items[i],
			    "a form must be a mapping");
			continue;
		}
		form_of(&L, &forms->u.items[i], &f[i], fk);
		for (size_t k = 0; f[i].id && k < i; k++)
			if (f[k].id && strcmp(f[k].id, f[i].id) == 0)
				kf_problem(&L, &forms->u.items[i],
				    "form \"%s\" is listed twice", f[i].id);
	}
	def = kf_str(&L, root, "default", true);
	if (def != NULL &&
	    (fk->default_form = formulation_find(fk, def, strlen(def))) == NULL)
		kf_problem(&L, tree_get(root, "default"),
		    "default \"%s\" names no form", def);
	checks_of(&L, tree_get(root, "checks"), fk);
	return L.problems == 0 ? fk : NULL;
}

const struct fm_form *
formulation_find(const struct formulation_kb *fk, const char *id, size_t len)
{
	for (size_t i = 0; fk != NULL && i < fk->n_forms; i++)
		if (fk->forms[i].id && strlen(fk->forms[i].id) == len &&
		    memcmp(fk->forms[i].id, id, len) == 0)
			return &fk->forms[i];
	return NULL;
}
