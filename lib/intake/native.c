/*
 * The native patient JSON (README "Patient JSON").  Every field is checked
 * for type and for values that cannot be true (weight 0, a pain score of 11,
 * a last dose after --as-of).  Absent is not the same as false: a fact the
 * rules need and the input lacks becomes a finding later, never a default.
 */
#include "intake.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/tree.h"
#include "../kb/words.h"
#include "codes.h"

enum {
	MAX_ITEMS = 10000,
	MAX_STR = 1000,
	MAX_DEPTH = INTAKE_MAX_DEPTH
};

struct rd {
	const struct ldn_kb *kb;
	struct arena *a;
	int32_t as_of;
	struct jpath path;
	struct ldn_error *err;
};

#define FAIL(r, ...) \
	ldn_fail((r)->err, LDN_E_SCHEMA, jpath_str(&(r)->path), __VA_ARGS__)

/* Push key for the duration of one field check. */
#define WITH_KEY(r, key, stmt)                              \
	do {                                                \
		size_t old_ = jpath_key(&(r)->path, (key)); \
		enum ldn_status rc_ = (stmt);               \
		if (rc_ != LDN_OK)                          \
			return rc_;                         \
		jpath_pop(&(r)->path, old_);                \
	} while (0)

static enum ldn_status
check_keys(struct rd *r, const struct jnode *o, const char *const *allowed)
{
	for (size_t i = 0; i < o->n; i++) {
		const char *key = o->u.members[i].key, *near = NULL;
		bool ok = false;

		for (const char *const *k = allowed; *k && !ok; k++)
			ok = (*k)[0] == key[0] && strcmp(*k, key) == 0;
		if (!ok) {
			/* only now, on the error path, look for a near miss */
			for (const char *const *k = allowed; *k && !near; k++)
				if (words_distance(*k, key, 2) <= 2 ||
				    (strlen(key) >= 4 &&
				        strncmp(*k, key, strlen(key)) == 0))
					near = *k;
			jpath_key(&r->path, key);
			if (near != NULL)
				return FAIL(r,
				    "unknown field; did you mean "
				    "\"%s\"?",
				    near);
			return FAIL(r,
			    "unknown field; see the README for the "
			    "patient fields");
		}
	}
	return LDN_OK;
}

/* The member key of o, or an error at /.../key that says why it is needed. */
static enum ldn_status
require(struct rd *r, const struct jnode *o, const char *key, const char *why,
    const struct jnode **v)
{
	*v = tree_get(o, key);
	if (*v != NULL)
		return LDN_OK;
	jpath_key(&r->path, key);
	return FAIL(r, "%s", why);
}

static enum ldn_status
get_str(struct rd *r, const struct jnode *v, const char **out)
{
	if (v->type != J_STR)
		return FAIL(r, "must be a string, not %s",
		    tree_type_name(v->type));
	if (v->n == 0)
		return FAIL(r, "must not be empty");
	if (v->n > MAX_STR)
		return FAIL(r, "is longer than %d bytes", MAX_STR);
	for (size_t i = 0; i < v->n; i++)
		if ((unsigned char)v->u.s[i] < 0x20 || v->u.s[i] == 0x7f)
			return FAIL(r,
			    "must not contain control characters "
			    "(a line break, a tab, a NUL)");
	*out = v->u.s;
	return LDN_OK;
}

static enum ldn_status
get_enum(struct rd *r, const struct jnode *v, const char *const *names,
    int *out)
{
	const char *s = NULL;
	enum ldn_status rc = get_str(r, v, &s);
	char allowed[200];
	size_t o = 0;

	if (rc != LDN_OK)
		return rc;
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return LDN_OK;
		}
		o += (size_t)snprintf(allowed + o, sizeof(allowed) - o, "%s%s",
		    i ? ", " : "", names[i]);
		if (o >= sizeof(allowed))
			break;
	}
	return FAIL(r, "\"%s\" is not one of: %s", s, allowed);
}

static enum ldn_status
get_bool(struct rd *r, const struct jnode *v, enum tri *out)
{
	if (v->type != J_BOOL)
		return FAIL(r, "must be true or false, not %s",
		    tree_type_name(v->type));
	*out = v->u.b ? TRI_YES : TRI_NO;
	return LDN_OK;
}

static enum ldn_status
get_num(struct rd *r, const struct jnode *v, double *out)
{
	if (v->type != J_NUM)
		return FAIL(r, "must be a number, not %s",
		    tree_type_name(v->type));
	if (!isfinite(v->u.num.d))
		return FAIL(r, "must be a finite number");
	*out = v->u.num.d;
	return LDN_OK;
}

static enum ldn_status
get_int(struct rd *r, const struct jnode *v, int lo, int hi, int *out)
{
	double d;

	if (v->type != J_NUM)
		return FAIL(r, "must be a whole number from %d to %d, not %s",
		    lo, hi, tree_type_name(v->type));
	d = v->u.num.d; /* 7.0 is as whole as 7 */
	if (!isfinite(d) || d != floor(d))
		return FAIL(r, "must be a whole number from %d to %d, not %g",
		    lo, hi, d);
	if (d < lo || d > hi)
		return FAIL(r, "must be from %d to %d, not %g", lo, hi, d);
	*out = (int)d;
	return LDN_OK;
}

/* Why a string is not an acceptable date: its shape, or its day. */
static enum ldn_status
bad_date(struct rd *r, const char *s, size_t n)
{
	bool shape = n == 10 && s[4] == '-' && s[7] == '-';

	for (size_t i = 0; shape && i < n; i++)
		shape = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
	if (shape)
		return FAIL(r,
		    "\"%s\" is not a real calendar day (or is "
		    "outside the years 1900 to 2199)",
		    s);
	return FAIL(r, "\"%s\" is not a date YYYY-MM-DD", s);
}

/* A date that cannot be after as_of (nothing recorded happens later). */
static enum ldn_status
get_past_date(struct rd *r, const struct jnode *v, int32_t *out)
{
	const char *s = NULL;
	char buf[11];
	enum ldn_status rc = get_str(r, v, &s);

	if (rc != LDN_OK)
		return rc;
	if (!date_parse(s, v->n, out))
		return bad_date(r, s, v->n);
	if (*out > r->as_of) {
		date_format(r->as_of, buf);
		return FAIL(r, "%s is after the as-of date %s", s, buf);
	}
	return LDN_OK;
}

static enum ldn_status
get_any_date(struct rd *r, const struct jnode *v, int32_t *out)
{
	const char *s = NULL;
	enum ldn_status rc = get_str(r, v, &s);

	if (rc != LDN_OK)
		return rc;
	if (!date_parse(s, v->n, out))
		return bad_date(r, s, v->n);
	return LDN_OK;
}

static enum ldn_status
get_array(struct rd *r, const struct jnode *v, size_t size, void **items)
{
	if (v->type != J_ARR)
		return FAIL(r, "must be an array, not %s",
		    tree_type_name(v->type));
	if (v->n > MAX_ITEMS)
		return FAIL(r, "has more than %d items", MAX_ITEMS);
	*items = arena_calloc(r->a, v->n ? v->n : 1, size);
	if (*items == NULL)
		return ldn_fail(r->err, LDN_E_NOMEM, jpath_str(&r->path),
		    "the input is too large");
	return LDN_OK;
}

static enum ldn_status
need_object(struct rd *r, const struct jnode *v)
{
	if (v->type != J_OBJ)
		return FAIL(r, "must be an object, not %s",
		    tree_type_name(v->type));
	return LDN_OK;
}

static const char *
src_here(struct rd *r)
{
	const char *s = arena_strdup(r->a, jpath_str(&r->path));

	return s ? s : "";
}

static enum ldn_status
read_condition(struct rd *r, const struct jnode *o, struct condition *c)
{
	static const char *const keys[] = { "code", "system", "display",
		"status", "onset", NULL };
	static const char *const systems[] = { "icd10", "snomed", "text",
		NULL };
	static const char *const statuses[] = { "active", "resolved", NULL };
	const struct jnode *v;
	int e;
	enum ldn_status rc;

	if ((rc = need_object(r, o)) != LDN_OK ||
	    (rc = check_keys(r, o, keys)) != LDN_OK)
		return rc;
	c->src = src_here(r);
	c->onset = DATE_NONE;
	if ((rc = require(r, o, "system", "is required: icd10, snomed or text",
	         &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "system", get_enum(r, v, systems, &e));
	c->system = (enum cond_system)e;
	if ((v = tree_get(o, "code")) != NULL)
		WITH_KEY(r, "code", get_str(r, v, &c->code));
	if ((v = tree_get(o, "display")) != NULL)
		WITH_KEY(r, "display", get_str(r, v, &c->display));
	if (c->system != CS_TEXT && c->code == NULL) {
		jpath_key(&r->path, "code");
		return FAIL(r, "is required when system is %s",
		    systems[c->system]);
	}
	if (c->system == CS_TEXT && c->display == NULL) {
		jpath_key(&r->path, "display");
		return FAIL(r, "is required when system is text");
	}
	if (c->system == CS_SNOMED) {
		for (const char *d = c->code; *d; d++)
			if (*d < '0' || *d > '9') {
				jpath_key(&r->path, "code");
				return FAIL(r,
				    "\"%s\" is not a SNOMED CT id "
				    "(digits only)",
				    c->code);
			}
	}
	if ((rc = require(r, o, "status", "is required: active or resolved",
	         &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "status", get_enum(r, v, statuses, &e));
	c->active = e == 0;
	if ((v = tree_get(o, "onset")) != NULL)
		WITH_KEY(r, "onset", get_past_date(r, v, &c->onset));
	c->concepts = codes_condition(r->kb, c->system, c->code, c->display);
	if (c->display != NULL) {
		int32_t ug;

		c->names_opioid = med_class_is_opioid(
		    codes_name_class(r->kb, c->display, &ug));
	}
	return LDN_OK;
}

static enum ldn_status
read_medication(struct rd *r, const struct jnode *o, struct medication *m)
{
	static const char *const keys[] = { "rxnorm", "name", "status",
		"started", "last_dose", "daily_dose_mg", NULL };
	static const char *const statuses[] = { "active", "stopped", NULL };
	const struct jnode *v;
	int e;
	enum ldn_status rc;

	if ((rc = need_object(r, o)) != LDN_OK ||
	    (rc = check_keys(r, o, keys)) != LDN_OK)
		return rc;
	m->src = src_here(r);
	m->started = m->last_dose = DATE_NONE;
	m->daily_ug = m->daily_units_milli = -1;
	if ((v = tree_get(o, "rxnorm")) != NULL) {
		size_t old = jpath_key(&r->path, "rxnorm");

		if (v->type == J_NUM)
			return FAIL(r,
			    "must be a string of digits, e.g. "
			    "\"1049621\"");
		if ((rc = get_str(r, v, &m->rxnorm)) != LDN_OK)
			return rc;
		if (v->n > 10)
			return FAIL(r, "\"%s\" is not an RxNorm code",
			    m->rxnorm);
		for (const char *d = m->rxnorm; *d; d++)
			if (*d < '0' || *d > '9')
				return FAIL(r,
				    "\"%s\" is not an RxNorm code "
				    "(digits only)",
				    m->rxnorm);
		jpath_pop(&r->path, old);
	}
	if ((v = tree_get(o, "name")) != NULL)
		WITH_KEY(r, "name", get_str(r, v, &m->name));
	if (m->rxnorm == NULL && m->name == NULL)
		return FAIL(r, "needs an rxnorm code or a name");
	if ((rc = require(r, o, "status", "is required: active or stopped",
	         &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "status", get_enum(r, v, statuses, &e));
	m->active = e == 0;
	if ((v = tree_get(o, "started")) != NULL)
		WITH_KEY(r, "started", get_past_date(r, v, &m->started));
	if ((v = tree_get(o, "last_dose")) != NULL) {
		WITH_KEY(r, "last_dose", get_past_date(r, v, &m->last_dose));
		if (m->started != DATE_NONE && m->last_dose < m->started) {
			jpath_key(&r->path, "last_dose");
			return FAIL(r, "is before the start date");
		}
	}
	if ((v = tree_get(o, "daily_dose_mg")) != NULL) {
		double mg = 0;
		size_t old = jpath_key(&r->path, "daily_dose_mg");

		if ((rc = get_num(r, v, &mg)) != LDN_OK)
			return rc;
		if (!(mg > 0))
			return FAIL(r, "must be above 0 mg");
		if (mg < 0.1)
			return FAIL(r,
			    "%g mg is below 0.1 mg, not a daily opioid dose",
			    mg);
		if (mg > 100000)
			return FAIL(r, "%g mg is not a possible daily dose",
			    mg);
		m->daily_ug = (int32_t)ceil(mg * 1000);
		m->daily_src = src_here(r);
		jpath_pop(&r->path, old);
	}
	codes_medication(r->kb, m);
	return LDN_OK;
}

/* LOINC codes whose values have known bounds; a value outside is an
 * error in the record, not a fact about the patient. */
static const struct {
	const char *loinc;
	double lo, hi;
	bool whole;
} lab_bounds[] = {
	{ "33914-3", 0, 250, false },   /* eGFR (MDRD) */
	{ "62238-1", 0, 250, false },   /* eGFR (CKD-EPI) */
	{ "98979-8", 0, 250, false },   /* eGFR (CKD-EPI 2021) */
	{ "48642-3", 0, 250, false },   /* eGFR non-black */
	{ "48643-1", 0, 250, false },   /* eGFR black */
	{ "1742-6", 0, 100000, false }, /* ALT */
	{ "1920-8", 0, 100000, false }, /* AST */
	{ "3016-3", 0, 1000, false },   /* TSH */
	{ "72514-3", 0, 10, true },     /* pain severity 0-10 */
};

/*
 * A body-weight lab (LOINC 29463-7) in kg, g or pounds, as grams; any other
 * unit, or none, is refused rather than guessed.
 */
static enum ldn_status
lab_weight_g(struct rd *r, const struct lab *l, int32_t *grams)
{
	static const struct {
		const char *unit;
		double kg_per;
	} units[] = { { "kg", 1 }, { "g", 0.001 }, { "[lb_av]", 0.45359237 },
		{ "lb", 0.45359237 }, { "lbs", 0.45359237 } };
	double kg = -1;

	for (size_t i = 0; l->unit && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(l->unit, units[i].unit) == 0)
			kg = l->value * units[i].kg_per;
	if (kg < 0)
		return FAIL(r,
		    "a body weight needs its unit: kg, g or [lb_av]");
	if (kg < 1 || kg > 700)
		return FAIL(r,
		    "%g %s is not a body weight this tool can plan "
		    "for (1 to 700 kg)",
		    l->value, l->unit);
	*grams = (int32_t)lround(kg * 1000);
	return LDN_OK;
}

static enum ldn_status
read_lab(struct rd *r, const struct jnode *o, struct lab *l)
{
	static const char *const keys[] = { "loinc", "value", "unit", "date",
		NULL };
	const struct jnode *v;
	enum ldn_status rc;
	const char *c;
	int dash = 0;

	if ((rc = need_object(r, o)) != LDN_OK ||
	    (rc = check_keys(r, o, keys)) != LDN_OK)
		return rc;
	l->src = src_here(r);
	l->date = DATE_NONE;
	if ((rc = require(r, o, "loinc", "is required", &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "loinc", get_str(r, v, &l->loinc));
	for (c = l->loinc; *c; c++) {
		if (*c == '-')
			dash++;
		else if (*c < '0' || *c > '9')
			break;
	}
	if (*c || dash != 1 || l->loinc[0] == '-' || c[-1] == '-' ||
	    c[-2] != '-') {
		jpath_key(&r->path, "loinc");
		return FAIL(r, "\"%s\" is not a LOINC code such as 62238-1",
		    l->loinc);
	}
	if ((rc = require(r, o, "value", "is required", &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "value", get_num(r, v, &l->value));
	for (size_t i = 0; i < sizeof(lab_bounds) / sizeof(lab_bounds[0]); i++)
		if (strcmp(lab_bounds[i].loinc, l->loinc) == 0 &&
		    (l->value < lab_bounds[i].lo ||
		        l->value > lab_bounds[i].hi ||
		        (lab_bounds[i].whole && l->value != floor(l->value)))) {
			jpath_key(&r->path, "value");
			return FAIL(r,
			    "%g is impossible for LOINC %s (%s%g to "
			    "%g)",
			    l->value, l->loinc,
			    lab_bounds[i].whole ? "whole numbers " : "",
			    lab_bounds[i].lo, lab_bounds[i].hi);
		}
	if (l->value < 0) {
		jpath_key(&r->path, "value");
		return FAIL(r, "must not be negative");
	}
	if ((v = tree_get(o, "unit")) != NULL)
		WITH_KEY(r, "unit", get_str(r, v, &l->unit));
	if ((v = tree_get(o, "date")) != NULL)
		WITH_KEY(r, "date", get_past_date(r, v, &l->date));
	if (strcmp(l->loinc, "29463-7") == 0) {
		int32_t g = 0;

		WITH_KEY(r, "unit", lab_weight_g(r, l, &g));
		l->weight_g = g;
	}
	return LDN_OK;
}

static enum ldn_status
read_procedure(struct rd *r, const struct jnode *o, struct procedure *p)
{
	static const char *const keys[] = { "display", "date", "status",
		"opioids_expected", NULL };
	static const char *const statuses[] = { "planned", "completed", NULL };
	const struct jnode *v;
	enum ldn_status rc;
	char buf[11];
	int e;

	if ((rc = need_object(r, o)) != LDN_OK ||
	    (rc = check_keys(r, o, keys)) != LDN_OK)
		return rc;
	p->src = src_here(r);
	p->opioids_expected = TRI_UNKNOWN;
	if ((rc = require(r, o, "display", "is required: what the procedure is",
	         &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "display", get_str(r, v, &p->display));
	if ((rc = require(r, o, "status", "is required: planned or completed",
	         &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "status", get_enum(r, v, statuses, &e));
	p->status = (enum proc_status)e;
	if ((rc = require(r, o, "date", "is required", &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "date", get_any_date(r, v, &p->date));
	date_format(r->as_of, buf);
	if (p->status == PROC_PLANNED && p->date < r->as_of) {
		jpath_key(&r->path, "date");
		return FAIL(r,
		    "a planned procedure cannot be before the as-of "
		    "date %s; mark it completed or correct the date",
		    buf);
	}
	if (p->status == PROC_COMPLETED && p->date > r->as_of) {
		jpath_key(&r->path, "date");
		return FAIL(r,
		    "a completed procedure cannot be after the as-of "
		    "date %s",
		    buf);
	}
	if ((v = tree_get(o, "opioids_expected")) != NULL)
		WITH_KEY(r, "opioids_expected",
		    get_bool(r, v, &p->opioids_expected));
	return LDN_OK;
}

static enum ldn_status
read_prior(struct rd *r, const struct jnode *o, struct prior_ldn *p)
{
	static const char *const keys[] = { "max_dose_mg", "titrated",
		"outcome", "stopped", NULL };
	static const char *const outcomes[] = { "benefit", "no-benefit",
		"side-effects", "unknown", NULL };
	const struct jnode *v;
	enum ldn_status rc;
	double mg = 0;
	int e;

	if ((rc = need_object(r, o)) != LDN_OK ||
	    (rc = check_keys(r, o, keys)) != LDN_OK)
		return rc;
	p->src = src_here(r);
	p->titrated = TRI_UNKNOWN;
	p->stopped = DATE_NONE;
	p->max_dose_ug = -1;
	if ((v = tree_get(o, "max_dose_mg")) != NULL) {
		size_t old = jpath_key(&r->path, "max_dose_mg");

		if ((rc = get_num(r, v, &mg)) != LDN_OK)
			return rc;
		if (mg <= 0 || mg > 50)
			return FAIL(r, "must be above 0 and at most 50 mg");
		/* A trial above any LDN dose was not LDN: refused, not read
		 * as an intolerance or failure of LDN.  The bound is the
		 * LDN maximum, or a preset's higher trial ceiling (final6's
		 * 6 mg), so a trial participant's history still reads. */
		int32_t most = r->kb->params.ldn_max_ug;

		for (size_t k = 0; k < r->kb->n_presets; k++)
			if (r->kb->presets[k].ceiling_ug > most)
				most = r->kb->presets[k].ceiling_ug;
		if (lround(mg * 1000) > most)
			return FAIL(r,
			    "%g mg is above %g mg, the most any low-dose "
			    "naltrexone (LDN) plan here reaches "
			    "(dose.ldn_max_ug, or a preset's trial ceiling); "
			    "50 mg is standard-dose naltrexone (ldn plan "
			    "--regimen aud50|oud), not LDN",
			    mg, most / 1000.0);
		p->max_dose_ug = (int32_t)lround(mg * 1000);
		jpath_pop(&r->path, old);
	}
	if ((v = tree_get(o, "titrated")) != NULL)
		WITH_KEY(r, "titrated", get_bool(r, v, &p->titrated));
	if ((rc = require(r, o, "outcome",
	         "is required: benefit, no-benefit, side-effects "
	         "or unknown",
	         &v)) != LDN_OK)
		return rc;
	WITH_KEY(r, "outcome", get_enum(r, v, outcomes, &e));
	p->outcome = (enum outcome)e;
	if ((v = tree_get(o, "stopped")) != NULL)
		WITH_KEY(r, "stopped", get_past_date(r, v, &p->stopped));
	return LDN_OK;
}

typedef enum ldn_status (
    *item_reader)(struct rd *, const struct jnode *, void *);

static enum ldn_status
read_list(struct rd *r, const struct jnode *root, const char *key, size_t size,
    item_reader fn, void **items, size_t *n)
{
	const struct jnode *v = tree_get(root, key);
	size_t old;
	enum ldn_status rc;

	*n = 0;
	if (v == NULL)
		return LDN_OK;
	old = jpath_key(&r->path, key);
	if ((rc = get_array(r, v, size, items)) != LDN_OK)
		return rc;
	for (size_t i = 0; i < v->n; i++) {
		size_t o2 = jpath_index(&r->path, i);

		rc = fn(r, &v->u.items[i], (char *)*items + i * size);
		if (rc != LDN_OK)
			return rc;
		jpath_pop(&r->path, o2);
	}
	*n = v->n;
	jpath_pop(&r->path, old);
	return LDN_OK;
}

static enum ldn_status
read_root(struct rd *r, const struct jnode *root, struct patient *p)
{
	static const char *const keys[] = { "id", "birth_date", "age_years",
		"sex", "weight_kg", "pregnancy", "conditions", "medications",
		"labs", "procedures", "opioid_analgesia_required",
		"occult_opioid_use_suspected", "sensitive", "prior_ldn",
		"baseline_pain", NULL };
	static const char *const sexes[] = { "female", "male", "other",
		"unknown", NULL };
	static const char *const pregs[] = { "none", "pregnant",
		"breastfeeding", "planning", "unknown", NULL };
	const struct jnode *v;
	enum ldn_status rc;
	int e;

	if (root->type != J_OBJ)
		return FAIL(r, "the patient must be a JSON object, not %s",
		    tree_type_name(root->type));
	if ((rc = check_keys(r, root, keys)) != LDN_OK)
		return rc;
	if ((v = tree_get(root, "id")) != NULL)
		WITH_KEY(r, "id", get_str(r, v, &p->id));
	if ((v = tree_get(root, "birth_date")) != NULL) {
		WITH_KEY(r, "birth_date", get_past_date(r, v, &p->birth_date));
		p->age_years = date_years_between(p->birth_date, r->as_of);
		if (p->age_years > 130) {
			jpath_key(&r->path, "birth_date");
			return FAIL(r, "gives an age above 130 years");
		}
	}
	if ((v = tree_get(root, "age_years")) != NULL) {
		int age = 0;

		WITH_KEY(r, "age_years", get_int(r, v, 0, 130, &age));
		if (p->age_years >= 0 && age != p->age_years) {
			jpath_key(&r->path, "age_years");
			return FAIL(r,
			    "is %d but birth_date gives %d on the "
			    "as-of date",
			    age, p->age_years);
		}
		p->age_years = age;
	}
	if ((v = tree_get(root, "sex")) != NULL) {
		WITH_KEY(r, "sex", get_enum(r, v, sexes, &e));
		p->sex = (enum sex)(e + 1);
	}
	if ((v = tree_get(root, "weight_kg")) != NULL) {
		double kg = 0;
		size_t old = jpath_key(&r->path, "weight_kg");

		if ((rc = get_num(r, v, &kg)) != LDN_OK)
			return rc;
		if (kg <= 0)
			return FAIL(r, "must be above 0 kg");
		if (kg < 1)
			return FAIL(r,
			    "%g kg is below the 1 kg this tool "
			    "can plan for",
			    kg);
		if (kg > 700)
			return FAIL(r, "%g kg is not a possible body weight",
			    kg);
		p->weight_g = (int32_t)lround(kg * 1000);
		p->weight_src = "/weight_kg";
		jpath_pop(&r->path, old);
	}
	if ((v = tree_get(root, "pregnancy")) != NULL) {
		WITH_KEY(r, "pregnancy", get_enum(r, v, pregs, &e));
		p->pregnancy = (enum pregnancy)(e + 1);
	}
	if ((v = tree_get(root, "baseline_pain")) != NULL)
		WITH_KEY(r, "baseline_pain",
		    get_int(r, v, 0, 10, &p->baseline_pain));
	if ((v = tree_get(root, "opioid_analgesia_required")) != NULL)
		WITH_KEY(r, "opioid_analgesia_required",
		    get_bool(r, v, &p->opioid_analgesia_required));
	if ((v = tree_get(root, "occult_opioid_use_suspected")) != NULL)
		WITH_KEY(r, "occult_opioid_use_suspected",
		    get_bool(r, v, &p->occult_opioid_use_suspected));
	if ((v = tree_get(root, "sensitive")) != NULL)
		WITH_KEY(r, "sensitive", get_bool(r, v, &p->sensitive));
	p->medications_given = tree_get(root, "medications") != NULL;
	if ((rc = read_list(r, root, "conditions", sizeof(struct condition),
	         (item_reader)read_condition, (void **)&p->conditions,
	         &p->n_conditions)) != LDN_OK ||
	    (rc = read_list(r, root, "medications", sizeof(struct medication),
	         (item_reader)read_medication, (void **)&p->medications,
	         &p->n_medications)) != LDN_OK ||
	    (rc = read_list(r, root, "labs", sizeof(struct lab),
	         (item_reader)read_lab, (void **)&p->labs, &p->n_labs)) !=
	        LDN_OK ||
	    (rc = read_list(r, root, "procedures", sizeof(struct procedure),
	         (item_reader)read_procedure, (void **)&p->procedures,
	         &p->n_procedures)) != LDN_OK ||
	    (rc = read_list(r, root, "prior_ldn", sizeof(struct prior_ldn),
	         (item_reader)read_prior, (void **)&p->prior, &p->n_prior)) !=
	        LDN_OK)
		return rc;
	return LDN_OK;
}

enum ldn_status
intake_native(const struct ldn_kb *kb, struct arena *a,
    const struct jnode *root, int32_t as_of, struct patient *p,
    struct ldn_error *err)
{
	struct rd r = { .kb = kb, .a = a, .as_of = as_of, .err = err };

	jpath_init(&r.path);
	return read_root(&r, root, p);
}

void
intake_weight_from_labs(struct patient *p)
{
	const struct lab *best = NULL;

	if (p->weight_g != 0)
		return;
	for (size_t i = 0; i < p->n_labs; i++)
		if (p->labs[i].weight_g > 0 &&
		    (best == NULL || p->labs[i].date >= best->date))
			best = &p->labs[i];
	if (best != NULL) {
		p->weight_g = best->weight_g;
		p->weight_src = best->src;
	}
}

enum ldn_status
intake_parse(const struct ldn_kb *kb, struct arena *a, const char *buf,
    size_t len, bool padded, int32_t as_of, struct patient **out,
    struct ldn_error *err)
{
	struct jnode *root;
	enum ldn_status rc;

	rc = json_parse_kept(a, buf, len, padded, MAX_DEPTH, fhir_types_read,
	    &root, err);
	if (rc != LDN_OK)
		return rc;
	return intake_tree(kb, a, root, as_of, out, err);
}

enum ldn_status
intake_tree(const struct ldn_kb *kb, struct arena *a, const struct jnode *root,
    int32_t as_of, struct patient **out, struct ldn_error *err)
{
	struct patient *p;
	enum ldn_status rc;

	p = arena_calloc(a, 1, sizeof(*p));
	if (p == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "the input is too large");
	p->as_of = as_of;
	p->birth_date = DATE_NONE;
	p->age_years = -1;
	p->baseline_pain = -1;
	p->opioid_analgesia_required = TRI_UNKNOWN;
	p->occult_opioid_use_suspected = TRI_UNKNOWN;
	p->sensitive = TRI_UNKNOWN;
	const struct jnode *rt = tree_get(root, "resourceType");

	if (root->type == J_OBJ && intake_is_fhir(root))
		rc = intake_fhir(kb, a, root, as_of, p, err);
	else if (rt != NULL)
		/* A FHIR resource, but not a Bundle: say so plainly rather
		 * than refuse its fields one by one as native JSON. */
		rc = ldn_fail(err, LDN_E_SCHEMA, "/resourceType",
		    "a FHIR %s on its own: ldn reads a Bundle holding the "
		    "Patient and their records, or the native patient JSON",
		    rt->type == J_STR ? rt->u.s : "resource");
	else
		rc = intake_native(kb, a, root, as_of, p, err);
	if (rc != LDN_OK)
		return rc;
	intake_weight_from_labs(p);
	if (a->failed)
		return ldn_fail(err, LDN_E_NOMEM, "", "the input is too large");
	*out = p;
	return LDN_OK;
}
