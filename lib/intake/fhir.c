/*
 * FHIR R4 intake: a Bundle (transaction, batch, collection, searchset, or
 * with no type) becomes the same struct patient as the native JSON.  Codes
 * win over display text, unknown elements are ignored, and a known element
 * of the wrong type is an error that names its path.  Every fact keeps the
 * resource it came from ("MedicationRequest/7c22..."), so findings can name
 * the resources that drove them.  Facts dated after as-of are outside the
 * plan's view and are left out: a plan as of a day sees that day's record.
 */
#include "intake.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/tree.h"
#include "codes.h"

static const char SYS_SNOMED[] = "http://snomed.info/sct";
static const char SYS_ICD10CM[] = "http://hl7.org/fhir/sid/icd-10-cm";
static const char SYS_ICD10[] = "http://hl7.org/fhir/sid/icd-10";
static const char SYS_RXNORM[] = "http://www.nlm.nih.gov/research/umls/rxnorm";
static const char SYS_LOINC[] = "http://loinc.org";
static const char SYS_RXNORM_OID[] = "urn:oid:2.16.840.1.113883.6.88";
static const char SYS_CLINICAL[] =
    "http://terminology.hl7.org/CodeSystem/condition-clinical";
static const char SYS_VERIFICATION[] =
    "http://terminology.hl7.org/CodeSystem/condition-ver-status";

/* One entry of the bundle, for resolving references. */
struct entry {
	const char *full_url; /* may be NULL */
	const char *type, *id;
	const struct jnode *res;
	size_t index;
};

struct fx {
	const struct ldn_kb *kb;
	struct arena *a;
	int32_t as_of;
	struct jpath path;
	struct ldn_error *err;
	struct entry *entries;
	size_t n_entries;
	struct patient *p;
	/* growable lists, copied into the patient at the end */
	size_t cap_cond, cap_med, cap_lab, cap_proc;
};

#define FAIL(x, ...) \
	ldn_fail((x)->err, LDN_E_SCHEMA, jpath_str(&(x)->path), __VA_ARGS__)

/* A string element, or NULL if absent; an error if present but not a
 * string (the caller checks x->err->code after a NULL with *bad set). */
static const char *
str_at(struct fx *x, const struct jnode *o, const char *key, bool *bad)
{
	const struct jnode *v = tree_get(o, key);
	size_t old;

	if (v == NULL || v->type == J_NULL)
		return NULL;
	if (v->type == J_STR && strlen(v->u.s) == v->n)
		return v->u.s;
	old = jpath_key(&x->path, key);
	FAIL(x, "must be a string, not %s", tree_type_name(v->type));
	jpath_pop(&x->path, old);
	*bad = true;
	return NULL;
}

/* The calendar day of a FHIR date or dateTime ("2015-07-03",
 * "2015-07-03T16:51:27+00:00"); partial dates ("2015", "2015-07") and
 * anything unreadable give DATE_NONE. */
static int32_t
day_of(const char *s)
{
	int32_t d;

	if (s == NULL || strlen(s) < 10 || (s[10] != '\0' && s[10] != 'T'))
		return DATE_NONE;
	return date_parse(s, 10, &d) ? d : DATE_NONE;
}

/* The first coding of a CodeableConcept with the given system. */
static const char *
code_in(const struct jnode *cc, const char *system)
{
	const struct jnode *codings = tree_get(cc, "coding");

	if (codings == NULL || codings->type != J_ARR)
		return NULL;
	for (size_t i = 0; i < codings->n; i++) {
		const struct jnode *sys =
		    tree_get(&codings->u.items[i], "system");
		const struct jnode *code =
		    tree_get(&codings->u.items[i], "code");

		if (sys && sys->type == J_STR &&
		    strcmp(sys->u.s, system) == 0 && code &&
		    code->type == J_STR && code->n > 0)
			return code->u.s;
	}
	return NULL;
}

/* Display text of a CodeableConcept: its text, else a coding's display. */
static const char *
text_of(const struct jnode *cc)
{
	const struct jnode *t = tree_get(cc, "text"), *codings;

	if (t && t->type == J_STR && t->n > 0)
		return t->u.s;
	codings = tree_get(cc, "coding");
	for (size_t i = 0; codings && codings->type == J_ARR && i < codings->n;
	     i++) {
		const struct jnode *d =
		    tree_get(&codings->u.items[i], "display");

		if (d && d->type == J_STR && d->n > 0)
			return d->u.s;
	}
	return NULL;
}

/* A status CodeableConcept's code in the given HL7 system, else its first
 * coding's code (some EHRs list a local code first). */
static const char *
status_code(const struct jnode *cc, const char *system)
{
	const char *c = code_in(cc, system);
	const struct jnode *codings = tree_get(cc, "coding"), *first;

	if (c != NULL || codings == NULL || codings->type != J_ARR ||
	    codings->n == 0)
		return c;
	first = tree_get(&codings->u.items[0], "code");
	return first && first->type == J_STR ? first->u.s : NULL;
}

static const char *
src_of(struct fx *x, const struct entry *e)
{
	const char *s = e->id
	    ? arena_printf(x->a, "%s/%s", e->type, e->id)
	    : arena_printf(x->a, "Bundle.entry[%zu]", e->index);

	return s ? s : "";
}

static void *
grow(struct fx *x, void **items, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *bigger = arena_calloc(x->a, ncap, size);

		if (bigger == NULL)
			return NULL;
		if (*n)
			memcpy(bigger, *items, *n * size);
		*items = bigger;
		*cap = ncap;
	}
	void *p = (char *)*items + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

/* A reference ("urn:uuid:...", "Medication/abc", or a full URL ending in
 * Type/id) resolved within the bundle, or NULL. */
static const struct entry *
resolve(const struct fx *x, const char *ref)
{
	const char *slash;

	if (ref == NULL)
		return NULL;
	for (size_t i = 0; i < x->n_entries; i++)
		if (x->entries[i].full_url &&
		    strcmp(x->entries[i].full_url, ref) == 0)
			return &x->entries[i];
	/* Type/id, possibly at the end of an absolute URL */
	slash = strrchr(ref, '/');
	if (slash == NULL)
		return NULL;
	const char *id = slash + 1, *type = slash;
	while (type > ref && type[-1] != '/')
		type--;
	size_t tlen = (size_t)(slash - type);
	for (size_t i = 0; i < x->n_entries; i++) {
		const struct entry *e = &x->entries[i];

		if (e->id && strcmp(e->id, id) == 0 &&
		    strlen(e->type) == tlen &&
		    strncmp(e->type, type, tlen) == 0)
			return e;
	}
	return NULL;
}

static enum ldn_status
read_patient(struct fx *x, const struct entry *e)
{
	const struct jnode *r = e->res, *dec;
	bool bad = false;
	const char *birth = str_at(x, r, "birthDate", &bad);
	const char *gender = str_at(x, r, "gender", &bad);
	struct patient *p = x->p;

	if (bad)
		return x->err->code;
	if (p->id == NULL && e->id != NULL && e->id[0] != '\0')
		p->id = e->id;
	if (birth != NULL) {
		int32_t d = day_of(birth);

		if (d != DATE_NONE && d <= x->as_of) {
			p->birth_date = d;
			p->age_years = date_years_between(d, x->as_of);
		}
	}
	if (gender != NULL) {
		p->sex = strcmp(gender, "female") == 0 ? SEX_FEMALE
		    : strcmp(gender, "male") == 0      ? SEX_MALE
		    : strcmp(gender, "other") == 0     ? SEX_OTHER
		                                       : SEX_UNKNOWN;
	}
	if ((dec = tree_get(r, "deceasedBoolean")) != NULL) {
		if (dec->type != J_BOOL) {
			jpath_key(&x->path, "deceasedBoolean");
			return FAIL(x, "must be true or false");
		}
		p->deceased |= dec->u.b;
	}
	const char *dd = str_at(x, r, "deceasedDateTime", &bad);
	if (bad)
		return x->err->code;
	if (dd != NULL && (day_of(dd) == DATE_NONE || day_of(dd) <= x->as_of))
		p->deceased = true;
	if (p->deceased)
		p->deceased_src = src_of(x, e);
	return LDN_OK;
}

static enum ldn_status
read_condition(struct fx *x, const struct entry *e)
{
	const struct jnode *r = e->res, *code = tree_get(r, "code");
	const char *clinical =
	    status_code(tree_get(r, "clinicalStatus"), SYS_CLINICAL);
	const char *verification =
	    status_code(tree_get(r, "verificationStatus"), SYS_VERIFICATION);
	bool bad = false;
	const char *onset = str_at(x, r, "onsetDateTime", &bad);
	const char *abated = str_at(x, r, "abatementDateTime", &bad);
	struct condition *c;
	const char *s;

	if (bad)
		return x->err->code;
	if (code == NULL || code->type != J_OBJ)
		return LDN_OK; /* nothing to map */
	if (verification &&
	    (strcmp(verification, "refuted") == 0 ||
	        strcmp(verification, "entered-in-error") == 0))
		return LDN_OK;
	if (onset && day_of(onset) != DATE_NONE && day_of(onset) > x->as_of)
		return LDN_OK; /* after the plan's day */
	c = grow(x, (void **)&x->p->conditions, &x->p->n_conditions,
	    &x->cap_cond, sizeof(*c));
	if (c == NULL)
		return ldn_fail(x->err, LDN_E_NOMEM, "",
		    "the bundle is too large");
	c->src = src_of(x, e);
	c->onset = day_of(onset);
	c->display = text_of(code);
	/* As of the plan's day: a condition with an abatement date was active
	 * until then, whatever its status today (a pregnancy that ended after
	 * as-of was a pregnancy on as-of).  Without one the status decides,
	 * and a status this code does not know counts as active. */
	c->active = clinical == NULL ||
	    (strcmp(clinical, "inactive") != 0 &&
	        strcmp(clinical, "remission") != 0 &&
	        strcmp(clinical, "resolved") != 0);
	if (abated && day_of(abated) != DATE_NONE)
		c->active = day_of(abated) > x->as_of;
	if ((s = code_in(code, SYS_SNOMED)) != NULL) {
		c->system = CS_SNOMED;
		c->code = s;
		c->concepts = codes_condition(x->kb, CS_SNOMED, s, NULL);
	}
	if ((s = code_in(code, SYS_ICD10CM)) != NULL ||
	    (s = code_in(code, SYS_ICD10)) != NULL) {
		uint64_t m = codes_condition(x->kb, CS_ICD10, s, NULL);

		if (c->code == NULL) {
			c->system = CS_ICD10;
			c->code = s;
		}
		c->concepts |= m;
	}
	if (c->code == NULL) {
		/* no code system the knowledge base knows: the words */
		c->system = CS_TEXT;
		c->concepts = codes_condition(x->kb, CS_TEXT, NULL, c->display);
	}
	if (c->display != NULL) {
		int32_t ug;

		c->names_opioid = med_class_is_opioid(
		    codes_name_class(x->kb, c->display, &ug));
	}
	return LDN_OK;
}

size_t
fhir_rxnorm_codes(const struct jnode *cc, const char **codes, size_t n,
    size_t max)
{
	const struct jnode *codings = tree_get(cc, "coding");

	for (size_t i = 0;
	     codings && codings->type == J_ARR && i < codings->n && n < max;
	     i++) {
		const struct jnode *sys =
		    tree_get(&codings->u.items[i], "system");
		const struct jnode *code =
		    tree_get(&codings->u.items[i], "code");

		if (sys && sys->type == J_STR && code && code->type == J_STR &&
		    code->n > 0 &&
		    (strcmp(sys->u.s, SYS_RXNORM) == 0 ||
		        strcmp(sys->u.s, SYS_RXNORM_OID) == 0))
			codes[n++] = code->u.s;
	}
	return n;
}

/* The Medication a medicationReference points at: "#id" in the resource's
 * contained list, or an entry of the bundle (a version suffix
 * "/_history/n" is ignored).  NULL when it cannot be found. */
static const struct jnode *
referenced_medication(struct fx *x, const struct jnode *r, const char *ref)
{
	if (ref[0] == '#') {
		const struct jnode *contained = tree_get(r, "contained");

		for (size_t i = 0;
		     contained && contained->type == J_ARR && i < contained->n;
		     i++) {
			const struct jnode *c = &contained->u.items[i];
			const struct jnode *id = tree_get(c, "id");

			if (id && id->type == J_STR &&
			    strcmp(id->u.s, ref + 1) == 0)
				return c;
		}
		return NULL;
	}
	const char *hist = strstr(ref, "/_history/");
	if (hist != NULL) {
		char *bare = arena_strndup(x->a, ref, (size_t)(hist - ref));

		if (bare == NULL)
			return NULL;
		ref = bare;
	}
	const struct entry *m = resolve(x, ref);
	return m && strcmp(m->type, "Medication") == 0 ? m->res : NULL;
}

/* How much a class matters to the opioid screen, to pick the riskiest of
 * several codes for one medication. */
static int
class_rank(enum med_class c)
{
	switch (c) {
	case MC_BUPRENORPHINE_DEPOT:
		return 6;
	case MC_BUPRENORPHINE:
	case MC_METHADONE:
		return 5;
	case MC_OPIOID_LONG:
		return 4;
	case MC_OPIOID_SHORT:
	case MC_OPIOID_ANTITUSSIVE:
		return 3;
	case MC_NONE:
		return 0;
	default:
		return 1;
	}
}

/*
 * A medication for a Medication* resource, never dropped: its codes (every
 * RxNorm coding of its CodeableConcept, or of the Medication it references,
 * ingredients included) and its name.  Of several codes the riskiest
 * decides.  One that cannot be identified is kept without a code, so the
 * screen lists it as not recognised.  A medication element of the wrong
 * type is an error.
 */
static enum ldn_status
new_med(struct fx *x, const struct entry *e, struct medication **out)
{
	const struct jnode *r = e->res;
	const struct jnode *cc = tree_get(r, "medicationCodeableConcept");
	const struct jnode *ref = tree_get(r, "medicationReference");
	const struct jnode *med = NULL;
	const char *codes[16], *name = NULL;
	size_t n = 0;
	struct medication *m;

	if (cc != NULL && cc->type != J_OBJ) {
		jpath_key(&x->path, "medicationCodeableConcept");
		return FAIL(x, "must be an object, not %s",
		    tree_type_name(cc->type));
	}
	if (ref != NULL && ref->type != J_OBJ) {
		jpath_key(&x->path, "medicationReference");
		return FAIL(x, "must be an object, not %s",
		    tree_type_name(ref->type));
	}
	if (cc != NULL) {
		n = fhir_rxnorm_codes(cc, codes, n, 16);
		name = text_of(cc);
	} else if (ref != NULL) {
		const struct jnode *s = tree_get(ref, "reference");
		const struct jnode *d = tree_get(ref, "display");

		if (s && s->type == J_STR)
			med = referenced_medication(x, r, s->u.s);
		if (med != NULL) {
			const struct jnode *code = tree_get(med, "code");
			const struct jnode *ing = tree_get(med, "ingredient");

			if (code && code->type == J_OBJ) {
				n = fhir_rxnorm_codes(code, codes, n, 16);
				name = text_of(code);
			}
			for (size_t i = 0;
			     ing && ing->type == J_ARR && i < ing->n; i++) {
				const struct jnode *item =
				    tree_get(&ing->u.items[i],
				        "itemCodeableConcept");

				if (item && item->type == J_OBJ)
					n = fhir_rxnorm_codes(item, codes, n,
					    16);
			}
		}
		if (name == NULL && d && d->type == J_STR && d->n > 0)
			name = d->u.s;
	}
	m = grow(x, (void **)&x->p->medications, &x->p->n_medications,
	    &x->cap_med, sizeof(*m));
	if (m == NULL)
		return ldn_fail(x->err, LDN_E_NOMEM, "",
		    "the bundle is too large");
	m->src = src_of(x, e);
	m->started = m->last_dose = m->order_date = DATE_NONE;
	m->daily_ug = m->daily_units_milli = -1;
	m->name = name;
	codes_medication(x->kb, m); /* by name alone, if no code */
	for (size_t i = 1; i < n; i++)
		m->several_codes |= strcmp(codes[i], codes[0]) != 0;
	for (size_t i = 0; i < n; i++) {
		struct medication t = *m;

		t.rxnorm = codes[i];
		codes_medication(x->kb, &t);
		if (i == 0 || class_rank(t.cls) > class_rank(m->cls) ||
		    (t.conflict && !m->conflict))
			*m = t;
	}
	if (m->name == NULL && m->rxnorm == NULL)
		m->name = arena_printf(x->a,
		    "a medication the record does not "
		    "identify (%s)",
		    m->src);
	*out = m;
	return LDN_OK;
}

/* Latest date inside a Period's end, or a dateTime. */
static int32_t
end_of_period(const struct jnode *period)
{
	const struct jnode *end = tree_get(period, "end");

	return end && end->type == J_STR ? day_of(end->u.s) : DATE_NONE;
}

/* Days an order's supply lasts: expectedSupplyDuration in days when given
 * (0 when absent). */
static int32_t
supply_days(const struct jnode *disp)
{
	const struct jnode *d =
	    disp ? tree_get(disp, "expectedSupplyDuration") : NULL;
	const struct jnode *v = d ? tree_get(d, "value") : NULL;

	if (v == NULL || v->type != J_NUM || !(v->u.num.d > 0) ||
	    v->u.num.d > 3650)
		return 0;
	return (int32_t)ceil(v->u.num.d);
}

/* A positive number at o.key, or -1. */
static double
pos_num(const struct jnode *o, const char *key)
{
	const struct jnode *v = o != NULL ? tree_get(o, key) : NULL;

	return v != NULL && v->type == J_NUM && v->u.num.d > 0 &&
	        v->u.num.d < 1e6
	    ? v->u.num.d
	    : -1;
}

/* A Quantity's unit (its UCUM code, else its unit text), or "". */
static const char *
unit_of(const struct jnode *q)
{
	const struct jnode *c = q != NULL ? tree_get(q, "code") : NULL;

	if (c == NULL || c->type != J_STR)
		c = q != NULL ? tree_get(q, "unit") : NULL;
	return c != NULL && c->type == J_STR ? c->u.s : "";
}

/* Hours in a Quantity or timing period of n units ("h", "d"), or -1. */
static double
hours_of(double n, const char *unit)
{
	if (n <= 0)
		return -1;
	if (strcmp(unit, "h") == 0 || strcmp(unit, "hour") == 0 ||
	    strcmp(unit, "hours") == 0)
		return n;
	if (strcmp(unit, "d") == 0 || strcmp(unit, "day") == 0 ||
	    strcmp(unit, "days") == 0)
		return n * 24;
	return -1;
}

/* 1 for milligrams, 2 for a count of tablets or capsules, else 0. */
static int
dose_kind(const char *unit)
{
	static const char *const counts[] = { "{tbl}", "{tablet}", "tablet",
		"tablets", "tab", "{cap}", "{capsule}", "capsule", "capsules",
		"cap", NULL };

	if (strcmp(unit, "mg") == 0)
		return 1;
	for (size_t i = 0; counts[i] != NULL; i++)
		if (strcmp(unit, counts[i]) == 0)
			return 2;
	return 0;
}

/* A schedule's doses a day from timing.repeat: the most it allows
 * (frequencyMax over frequency) per period in hours or days; -1 when it is
 * not that plain (times of day that disagree with the frequency, other
 * period units). */
static double
per_day(const struct jnode *rp)
{
	const struct jnode *pu = rp ? tree_get(rp, "periodUnit") : NULL;
	const struct jnode *when = rp ? tree_get(rp, "when") : NULL;
	const struct jnode *tod = rp ? tree_get(rp, "timeOfDay") : NULL;
	double freq = pos_num(rp, "frequency"),
	       most = pos_num(rp, "frequencyMax");
	double hours;

	if (most > freq)
		freq = most;
	if (freq <= 0 || pu == NULL || pu->type != J_STR)
		return -1;
	if ((when != NULL && (when->type != J_ARR || when->n > freq)) ||
	    (tod != NULL && (tod->type != J_ARR || tod->n > freq)))
		return -1;
	hours = hours_of(pos_num(rp, "period"), pu->u.s);
	return hours > 0 ? freq * 24 / hours : -1;
}

/*
 * The total a day one Dosage element allows, when it says so plainly: the
 * larger of maxDosePerPeriod (the most that may be taken, so also for
 * doses taken as needed) and a fixed doseQuantity times timing.repeat's
 * doses a day.  Milligrams give daily_ug; tablets or capsules give
 * daily_units_milli, whose strength the screen reads from the code's name.
 * Anything else (several Dosage elements, ranges, other units, units that
 * differ between the two, "as needed" with no maximum) leaves both
 * unknown; the screen says so.
 */
static void
read_daily(struct fx *x, struct medication *m, const struct jnode *r,
    const char *key)
{
	const struct jnode *list = tree_get(r, key), *d, *dr, *dar, *nb, *t;
	double amount = -1;
	int kind = 0;

	if (list == NULL || list->type != J_ARR || list->n != 1 ||
	    list->u.items[0].type != J_OBJ)
		return;
	d = &list->u.items[0];
	m->daily_src = arena_printf(x->a, "%s/%s/0", m->src, key);
	if ((dr = tree_get(d, "maxDosePerPeriod")) != NULL) {
		const struct jnode *num =
		    dr->type == J_OBJ ? tree_get(dr, "numerator") : NULL;
		const struct jnode *den =
		    dr->type == J_OBJ ? tree_get(dr, "denominator") : NULL;
		double hours = hours_of(pos_num(den, "value"), unit_of(den));

		kind = dose_kind(unit_of(num));
		if (kind == 0 || hours <= 0 || pos_num(num, "value") <= 0)
			return;
		amount = pos_num(num, "value") * 24 / hours;
	}
	nb = tree_get(d, "asNeededBoolean");
	t = tree_get(d, "timing");
	dar = tree_get(d, "doseAndRate");
	if (dar != NULL) {
		const struct jnode *q = dar->type == J_ARR && dar->n == 1
		    ? tree_get(&dar->u.items[0], "doseQuantity")
		    : NULL;
		double each = pos_num(q, "value");
		double n = per_day(t ? tree_get(t, "repeat") : NULL);
		int k = dose_kind(unit_of(q));

		if (each > 0 && n > 0 && k != 0 && (kind == 0 || kind == k)) {
			kind = k;
			if (each * n > amount)
				amount = each * n;
		} else if (dr == NULL || (k != 0 && k != kind)) {
			return; /* a schedule not read, and no maximum */
		}
	} else if (dr == NULL) {
		return;
	}
	if (dr == NULL &&
	    ((nb != NULL && nb->type == J_BOOL && nb->u.b) ||
	        tree_get(d, "asNeededCodeableConcept") != NULL ||
	        tree_get(d, "asNeeded") != NULL ||
	        tree_get(d, "asNeededFor") != NULL))
		return; /* as needed (R4 or R5), with no maximum */
	/* under 0.1 of a mg or of a tablet a day is no real schedule */
	if (amount < 0.1 || amount > 1e6)
		return;
	if (kind == 1)
		m->daily_ug = (int32_t)ceil(amount * 1000);
	else
		m->daily_units_milli = (int32_t)ceil(amount * 1000);
}

static enum ldn_status
read_med_request(struct fx *x, const struct entry *e)
{
	const struct jnode *r = e->res;
	bool bad = false;
	const char *status = str_at(x, r, "status", &bad);
	const char *authored = str_at(x, r, "authoredOn", &bad);
	const struct jnode *disp = tree_get(r, "dispenseRequest");
	struct medication *m;
	enum ldn_status rc;
	int32_t day, window = x->kb->params.order_supply_d;

	if (bad)
		return x->err->code;
	if (status == NULL || strcmp(status, "entered-in-error") == 0 ||
	    strcmp(status, "draft") == 0 || strcmp(status, "cancelled") == 0)
		return LDN_OK; /* never dispensed: no exposure */
	day = day_of(authored);
	if (day != DATE_NONE && day > x->as_of)
		return LDN_OK;
	if ((rc = new_med(x, e, &m)) != LDN_OK)
		return rc;
	m->started = day;
	m->order_date = day;
	read_daily(x, m, r, "dosageInstruction");
	if (strcmp(status, "active") == 0 || strcmp(status, "on-hold") == 0 ||
	    strcmp(status, "unknown") == 0) {
		/* An order is not proof of use, nor of disuse: a person must
		 * confirm. */
		m->active = true;
		m->order_only = true;
	} else if (day != DATE_NONE) {
		/* stopped or completed, with no date of the last dose: the
		 * latest it can be.  The validity period is the window for
		 * dispensing, so a fill on its last day still lasts a supply;
		 * refills add a supply each.  Never less than the supply
		 * window from the order date. */
		int32_t supply = supply_days(disp), last = day + window;
		int32_t vend = DATE_NONE;
		const struct jnode *rep =
		    disp ? tree_get(disp, "numberOfRepeatsAllowed") : NULL;

		if (disp && disp->type == J_OBJ)
			vend = end_of_period(tree_get(disp, "validityPeriod"));
		if (vend != DATE_NONE &&
		    vend + (supply ? supply : window) > last)
			last = vend + (supply ? supply : window);
		if (supply && rep && rep->type == J_NUM && rep->u.num.d >= 0 &&
		    rep->u.num.d < 100) {
			int32_t fills = (int32_t)rep->u.num.d + 1;

			if (day + fills * supply > last)
				last = day + fills * supply;
		}
		m->active = false;
		m->last_dose = last;
		m->last_dose_inferred = true;
	}
	return LDN_OK;
}

/*
 * What a statement of use and a dose given share: the status (none, or one
 * of `skip`, is no exposure: *m is NULL), the medication, the end of
 * effectivePeriod and the day of effectiveDateTime (DATE_NONE if absent).
 */
static enum ldn_status
med_event(struct fx *x, const struct entry *e, const char *const *skip,
    const char **status, struct medication **m, int32_t *end, int32_t *eff)
{
	const struct jnode *r = e->res;
	bool bad = false;
	const char *when;

	*m = NULL;
	*status = str_at(x, r, "status", &bad);
	when = str_at(x, r, "effectiveDateTime", &bad);
	if (bad)
		return x->err->code;
	if (*status == NULL)
		return LDN_OK;
	for (size_t i = 0; skip[i] != NULL; i++)
		if (strcmp(*status, skip[i]) == 0)
			return LDN_OK;
	*end = end_of_period(tree_get(r, "effectivePeriod"));
	*eff = day_of(when);
	return new_med(x, e, m);
}

static enum ldn_status
read_med_statement(struct fx *x, const struct entry *e)
{
	static const char *const skip[] = { "entered-in-error", "not-taken",
		"intended", NULL };
	const char *status;
	struct medication *m;
	enum ldn_status rc;
	int32_t end, eff;

	rc = med_event(x, e, skip, &status, &m, &end, &eff);
	if (rc != LDN_OK || m == NULL)
		return rc;
	read_daily(x, m, e->res, "dosage");
	if (strcmp(status, "active") == 0 || strcmp(status, "on-hold") == 0 ||
	    strcmp(status, "unknown") == 0) {
		/* Taken now, unless its period ended by as-of; a single
		 * effectiveDateTime says when it was noted, not when it
		 * stopped. */
		if (end != DATE_NONE && end <= x->as_of)
			m->last_dose = end;
		else
			m->active = true;
	} else {
		/* completed or stopped: the end of its period, else its
		 * date; with neither, the last dose is unknown */
		if (end == DATE_NONE)
			end = eff;
		if (end != DATE_NONE && end <= x->as_of)
			m->last_dose = end;
	}
	return LDN_OK;
}

/*
 * A dose given (MedicationAdministration): in progress, it is taken now;
 * completed (or of unknown status), its last dose is the end of its
 * period or its date, and with neither the last dose is not known; not
 * done or entered in error, no exposure.
 */
static enum ldn_status
read_med_admin(struct fx *x, const struct entry *e)
{
	static const char *const skip[] = { "entered-in-error", "not-done",
		NULL };
	const char *status;
	struct medication *m;
	enum ldn_status rc;
	int32_t end, eff;

	rc = med_event(x, e, skip, &status, &m, &end, &eff);
	if (rc != LDN_OK || m == NULL)
		return rc;
	if (end == DATE_NONE)
		end = eff;
	if (strcmp(status, "in-progress") == 0 ||
	    strcmp(status, "on-hold") == 0)
		m->active = true;
	else if (end != DATE_NONE && end <= x->as_of)
		m->last_dose = end;
	else if (end != DATE_NONE)
		m->active = true; /* dated after as-of: it goes on */
	return LDN_OK;
}

static enum ldn_status
read_med_dispense(struct fx *x, const struct entry *e)
{
	const struct jnode *r = e->res;
	const struct jnode *ds = tree_get(r, "daysSupply");
	bool bad = false;
	const char *status = str_at(x, r, "status", &bad);
	const char *handed = str_at(x, r, "whenHandedOver", &bad);
	struct medication *m;
	enum ldn_status rc;
	int32_t day = day_of(handed), supply = -1;

	if (bad)
		return x->err->code;
	if (status &&
	    (strcmp(status, "entered-in-error") == 0 ||
	        strcmp(status, "cancelled") == 0 ||
	        strcmp(status, "declined") == 0 ||
	        strcmp(status, "stopped") == 0 ||
	        strcmp(status, "preparation") == 0))
		return LDN_OK; /* not handed over */
	if (day != DATE_NONE && day > x->as_of)
		return LDN_OK;
	if (ds && ds->type == J_OBJ) {
		const struct jnode *v = tree_get(ds, "value");

		if (v && v->type == J_NUM && v->u.num.d >= 0 &&
		    v->u.num.d < 3650)
			supply = (int32_t)ceil(v->u.num.d);
	}
	if ((rc = new_med(x, e, &m)) != LDN_OK)
		return rc;
	if (day == DATE_NONE) {
		return LDN_OK; /* handed over, when unknown: last dose unknown
		                */
	} else if (supply >= 0 && day + supply > x->as_of) {
		m->active = true; /* its supply is still running */
	} else if (supply >= 0) {
		m->last_dose = day + supply;
	} else {
		/* no days' supply: the latest it can have lasted */
		m->last_dose = day + x->kb->params.order_supply_d;
		m->order_date = day;
		m->last_dose_inferred = true;
	}
	return LDN_OK;
}

/* LOINC codes intake keeps (see the native lab bounds). */
static bool
wanted_loinc(const char *c)
{
	static const char *const codes[] = { "33914-3", "62238-1", "98979-8",
		"48642-3", "48643-1", "1742-6", "1920-8", "3016-3", "72514-3",
		"29463-7" };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i], c) == 0)
			return true;
	return false;
}

static enum ldn_status
read_observation(struct fx *x, const struct entry *e)
{
	const struct jnode *r = e->res, *code = tree_get(r, "code");
	const struct jnode *q = tree_get(r, "valueQuantity"), *v;
	bool bad = false;
	const char *status = str_at(x, r, "status", &bad);
	const char *when = str_at(x, r, "effectiveDateTime", &bad);
	const char *loinc = code ? code_in(code, SYS_LOINC) : NULL;
	struct lab *l;
	int32_t day = day_of(when);

	if (bad)
		return x->err->code;
	if (loinc == NULL || q == NULL || q->type != J_OBJ ||
	    (status &&
	        (strcmp(status, "entered-in-error") == 0 ||
	            strcmp(status, "cancelled") == 0)) ||
	    (day != DATE_NONE && day > x->as_of))
		return LDN_OK;
	if (strcmp(loinc, "82810-3") == 0 || strcmp(loinc, "63895-7") == 0)
		return LDN_OK; /* coded answers, read by read_status_obs */
	if (!wanted_loinc(loinc))
		return LDN_OK;
	v = tree_get(q, "value");
	if (v == NULL || v->type != J_NUM || !isfinite(v->u.num.d) ||
	    v->u.num.d < 0)
		return LDN_OK; /* not a usable measurement */
	l = grow(x, (void **)&x->p->labs, &x->p->n_labs, &x->cap_lab,
	    sizeof(*l));
	if (l == NULL)
		return ldn_fail(x->err, LDN_E_NOMEM, "",
		    "the bundle is too large");
	l->src = src_of(x, e);
	l->loinc = loinc;
	l->value = v->u.num.d;
	l->date = day;
	const struct jnode *u = tree_get(q, "code");
	if (u == NULL || u->type != J_STR)
		u = tree_get(q, "unit");
	l->unit = u && u->type == J_STR ? u->u.s : NULL;
	if (strcmp(loinc, "29463-7") == 0 && l->unit) {
		double kg = strcmp(l->unit, "kg") == 0 ? l->value
		    : strcmp(l->unit, "g") == 0        ? l->value / 1000
		    : strcmp(l->unit, "[lb_av]") == 0  ? l->value * 0.45359237
		                                       : -1;

		if (kg >= 1 && kg <= 700)
			l->weight_g = (int32_t)lround(kg * 1000);
	}
	return LDN_OK;
}

/* Pregnancy status (LOINC 82810-3) and breastfeeding (63895-7), coded in
 * SNOMED CT or as LOINC answers; the latest valid one wins. */
static void
read_status_obs(struct fx *x, const struct entry *e, int32_t *latest)
{
	const struct jnode *r = e->res, *code = tree_get(r, "code");
	const char *loinc = code ? code_in(code, SYS_LOINC) : NULL;
	const struct jnode *vc = tree_get(r, "valueCodeableConcept");
	bool bad = false;
	const char *status = str_at(x, r, "status", &bad);
	int32_t day = day_of(str_at(x, r, "effectiveDateTime", &bad));
	const char *sct, *la;

	if (bad || loinc == NULL || vc == NULL || vc->type != J_OBJ ||
	    (status &&
	        (strcmp(status, "entered-in-error") == 0 ||
	            strcmp(status, "cancelled") == 0)) ||
	    (day != DATE_NONE && day > x->as_of) ||
	    (day != DATE_NONE && *latest != DATE_NONE && day < *latest))
		return;
	sct = code_in(vc, SYS_SNOMED);
	la = code_in(vc, SYS_LOINC);
	if (strcmp(loinc, "82810-3") == 0) {
		/* pregnant: SNOMED 77386006 or LOINC answer LA15173-0;
		 * not pregnant: SNOMED 60001007 */
		if ((sct && strcmp(sct, "77386006") == 0) ||
		    (la && strcmp(la, "LA15173-0") == 0))
			x->p->pregnancy = PREG_PREGNANT;
		else if (sct && strcmp(sct, "60001007") == 0 &&
		    x->p->pregnancy != PREG_BREASTFEEDING)
			x->p->pregnancy = PREG_NONE;
		else
			return;
		*latest = day;
	} else if (strcmp(loinc, "63895-7") == 0 && sct &&
	    strcmp(sct, "373066001") == 0 && /* yes */
	    x->p->pregnancy != PREG_PREGNANT) {
		x->p->pregnancy = PREG_BREASTFEEDING;
	}
}

/* Start and end days of a dateTime element or a Period element. */
static void
when_of(struct fx *x, const struct jnode *r, const char *date_key,
    const char *period_key, int32_t *start, int32_t *end)
{
	bool bad = false;
	const char *d = str_at(x, r, date_key, &bad);
	const struct jnode *per = tree_get(r, period_key);

	*start = *end = day_of(d);
	if (*start == DATE_NONE && per && per->type == J_OBJ) {
		const struct jnode *st = tree_get(per, "start");

		*start = st && st->type == J_STR ? day_of(st->u.s) : DATE_NONE;
		*end = end_of_period(per);
		if (*end == DATE_NONE && *start != DATE_NONE)
			*end = INT32_MAX; /* no end yet: still going on */
		if (*start == DATE_NONE)
			*start = *end;
	}
}

/* Whether a text names surgery: for Appointments, which are mostly visits
 * (a GP follow-up must not hold LDN), and completed Procedures, which are
 * mostly screenings and tests. */
static bool
sounds_surgical(const char *text)
{
	static const char *const words[] = { "surg", "operat", "anesth",
		"anaesth", "theatre", "pre-op", "preop", "arthroscop",
		"laparoscop", "thoracoscop", "endoscop", "colonoscop", "ectomy",
		"otomy", "plasty", "replacement", "repair", "fusion",
		"fixation", "resection", "excision", "amputation", "caesarean",
		"cesarean", "extraction", "transplant", "bypass" };
	char low[512];
	size_t n = 0;

	if (text == NULL)
		return false;
	for (; text[n] && n + 1 < sizeof(low); n++)
		low[n] = (char)(text[n] >= 'A' && text[n] <= 'Z'
		        ? text[n] + ('a' - 'A')
		        : text[n]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]) != NULL)
			return true;
	return false;
}

static bool
concept_list_surgical(const struct jnode *v)
{
	if (v == NULL)
		return false;
	if (v->type == J_OBJ)
		return sounds_surgical(text_of(v));
	for (size_t i = 0; v->type == J_ARR && i < v->n; i++)
		if (sounds_surgical(text_of(&v->u.items[i])))
			return true;
	return false;
}

/* ServiceRequest categories that are not procedures on the patient:
 * laboratory, imaging, counselling, education, evaluation (SNOMED CT). */
static bool
not_a_procedure(const struct jnode *category)
{
	static const char *const codes[] = { "108252007", "363679005",
		"409063005", "409073007", "386053000" };

	for (size_t i = 0;
	     category && category->type == J_ARR && i < category->n; i++) {
		const char *c = code_in(&category->u.items[i], SYS_SNOMED);

		for (size_t k = 0; c && k < sizeof(codes) / sizeof(codes[0]);
		     k++)
			if (strcmp(c, codes[k]) == 0)
				return true;
	}
	return false;
}

/*
 * A planned or recent procedure from ServiceRequest (an active order or
 * plan, not a lab or imaging test), Appointment (booked or pending, for
 * surgery), or Procedure (in preparation or in progress; completed in the
 * last days).  A period reaching as-of counts as happening now.  Whether
 * opioids are expected is not in FHIR: for planned ones it is assumed and
 * said; for completed ones the clinician is asked.
 */
static enum ldn_status
read_procedure(struct fx *x, const struct entry *e)
{
	const struct jnode *r = e->res, *what;
	bool bad = false;
	const char *status = str_at(x, r, "status", &bad);
	const char *type = e->type;
	struct procedure *p;
	enum proc_status ps;
	int32_t start, end, day;

	if (bad)
		return x->err->code;
	if (status == NULL)
		return LDN_OK;
	if (strcmp(type, "ServiceRequest") == 0) {
		const char *intent = str_at(x, r, "intent", &bad);

		if (bad)
			return x->err->code;
		if (strcmp(status, "active") != 0 || intent == NULL ||
		    (strcmp(intent, "order") != 0 &&
		        strcmp(intent, "plan") != 0 &&
		        strcmp(intent, "original-order") != 0) ||
		    not_a_procedure(tree_get(r, "category")))
			return LDN_OK;
		when_of(x, r, "occurrenceDateTime", "occurrencePeriod", &start,
		    &end);
		what = tree_get(r, "code");
		ps = PROC_PLANNED;
	} else if (strcmp(type, "Appointment") == 0) {
		if ((strcmp(status, "booked") != 0 &&
		        strcmp(status, "pending") != 0) ||
		    !(concept_list_surgical(tree_get(r, "serviceType")) ||
		        concept_list_surgical(tree_get(r, "serviceCategory")) ||
		        concept_list_surgical(tree_get(r, "appointmentType")) ||
		        concept_list_surgical(tree_get(r, "reasonCode")) ||
		        sounds_surgical(str_at(x, r, "description", &bad))))
			return bad ? x->err->code : LDN_OK;
		when_of(x, r, "start", "-", &start, &end);
		what = tree_get(r, "serviceType");
		if (what && what->type == J_ARR && what->n > 0)
			what = &what->u.items[0];
		ps = PROC_PLANNED;
	} else {
		bool planned = strcmp(status, "preparation") == 0 ||
		    strcmp(status, "in-progress") == 0;

		if (!planned && strcmp(status, "completed") != 0)
			return LDN_OK;
		when_of(x, r, "performedDateTime", "performedPeriod", &start,
		    &end);
		what = tree_get(r, "code");
		ps = planned ? PROC_PLANNED : PROC_COMPLETED;
	}
	if (bad)
		return x->err->code;
	if (start == DATE_NONE)
		return LDN_OK; /* undated: nothing to plan around */
	/* Planned: from as-of on; one under way on as-of counts as today.
	 * Completed: by its end, and only if recent enough to matter. */
	if (ps == PROC_PLANNED) {
		if (end < x->as_of && start < x->as_of)
			return LDN_OK;
		day = start < x->as_of ? x->as_of : start;
	} else {
		day = end;
		if (day > x->as_of)
			day = x->as_of; /* completed: it ended by as-of */
		if (day + x->kb->params.washout_short_d <= x->as_of)
			return LDN_OK;
		/* Recent ones matter only if opioids may have been given:
		 * surgery, not the screenings, tests and counselling that
		 * fill most records (checked after the date, which rules
		 * out nearly all of them more cheaply). */
		if (!concept_list_surgical(tree_get(r, "code")))
			return LDN_OK;
	}
	p = grow(x, (void **)&x->p->procedures, &x->p->n_procedures,
	    &x->cap_proc, sizeof(*p));
	if (p == NULL)
		return ldn_fail(x->err, LDN_E_NOMEM, "",
		    "the bundle is too large");
	p->src = src_of(x, e);
	p->display = what && what->type == J_OBJ ? text_of(what) : NULL;
	if (p->display == NULL)
		p->display = type;
	p->date = day;
	p->status = ps;
	p->opioids_expected = TRI_UNKNOWN;
	p->ask_opioids = ps == PROC_COMPLETED;
	return LDN_OK;
}

/* How cautious a medication's evidence is, for merging: current use,
 * then an order to confirm, then an unknown last dose, then the latest
 * last dose. */
static int64_t
caution_key(const struct medication *m)
{
	if (m->active && !m->order_only)
		return INT64_MAX;
	if (m->active)
		return INT64_MAX - 1;
	if (m->last_dose == DATE_NONE)
		return INT64_MAX - 2;
	return m->last_dose;
}

/*
 * The same medication is often on file many times (a repeat order every few
 * weeks, a dispense beside its order).  Keep one per code or name: the one
 * whose evidence is most cautious, so the findings speak of the latest
 * possible exposure and no record can make another look safer.
 */
static void
merge_medications(struct patient *p)
{
	size_t k = 0;

	for (size_t i = 0; i < p->n_medications; i++) {
		struct medication *m = &p->medications[i];
		bool merged = false;

		for (size_t j = 0; j < k && !merged; j++) {
			struct medication *o = &p->medications[j];
			bool same = m->rxnorm && o->rxnorm
			    ? strcmp(m->rxnorm, o->rxnorm) == 0
			    : (!m->rxnorm && !o->rxnorm && m->name && o->name &&
			          strcmp(m->name, o->name) == 0);

			if (!same || m->conflict != o->conflict)
				continue;
			merged = true;
			int32_t ug = m->daily_ug > o->daily_ug ? m->daily_ug
			                                       : o->daily_ug;
			int32_t un = m->daily_units_milli > o->daily_units_milli
			    ? m->daily_units_milli
			    : o->daily_units_milli;

			/* the most either record says is taken a day; not
			 * known if either does not say */
			if ((m->daily_ug < 0 && m->daily_units_milli < 0) ||
			    (o->daily_ug < 0 && o->daily_units_milli < 0) ||
			    (ug >= 0 && un >= 0))
				ug = un = -1;
			if (caution_key(m) > caution_key(o))
				*o = *m;
			o->daily_ug = ug;
			o->daily_units_milli = un;
		}
		if (!merged)
			p->medications[k++] = *m;
	}
	p->n_medications = k;
}

static enum ldn_status
index_entries(struct fx *x, const struct jnode *bundle)
{
	const struct jnode *entries = tree_get(bundle, "entry");
	size_t old;

	if (entries == NULL)
		return FAIL(x, "the Bundle has no entry: nothing to plan from");
	old = jpath_key(&x->path, "entry");
	if (entries->type != J_ARR)
		return FAIL(x, "must be an array, not %s",
		    tree_type_name(entries->type));
	x->entries = arena_calloc(x->a, entries->n ? entries->n : 1,
	    sizeof(*x->entries));
	if (x->entries == NULL)
		return ldn_fail(x->err, LDN_E_NOMEM, "",
		    "the bundle is too large");
	for (size_t i = 0; i < entries->n; i++) {
		const struct jnode *en = &entries->u.items[i], *res, *rt;
		struct entry *e = &x->entries[x->n_entries];
		bool bad = false;
		size_t o2 = jpath_index(&x->path, i);

		if (en->type != J_OBJ)
			return FAIL(x, "an entry must be an object, not %s",
			    tree_type_name(en->type));
		res = tree_get(en, "resource");
		if (res == NULL) {
			jpath_pop(&x->path, o2);
			continue; /* a request-only entry (batch delete...) */
		}
		jpath_key(&x->path, "resource");
		if (res->type != J_OBJ)
			return FAIL(x, "must be an object, not %s",
			    tree_type_name(res->type));
		rt = tree_get(res, "resourceType");
		if (rt == NULL || rt->type != J_STR) {
			jpath_key(&x->path, "resourceType");
			return FAIL(x,
			    "every resource needs a resourceType string");
		}
		e->type = rt->u.s;
		e->id = str_at(x, res, "id", &bad);
		jpath_pop(&x->path, o2);
		e->full_url = str_at(x, en, "fullUrl", &bad);
		if (bad)
			return x->err->code;
		e->res = res;
		e->index = i;
		x->n_entries++;
	}
	jpath_pop(&x->path, old);
	return LDN_OK;
}

/* The resource types intake reads (readers[] below, the Bundle itself and
 * the Medication that medicationReference points at); json_parse_kept()
 * keeps only type and id of the others. */
const char *const fhir_types_read[] = { "Bundle", "Patient", "Condition",
	"Medication", "MedicationRequest", "MedicationStatement",
	"MedicationDispense", "MedicationAdministration", "Observation",
	"ServiceRequest", "Appointment", "Procedure", NULL };

typedef enum ldn_status (*reader)(struct fx *, const struct entry *);

static const struct {
	const char *type;
	reader fn;
} readers[] = {
	{ "Patient", read_patient },
	{ "Condition", read_condition },
	{ "MedicationRequest", read_med_request },
	{ "MedicationStatement", read_med_statement },
	{ "MedicationDispense", read_med_dispense },
	{ "MedicationAdministration", read_med_admin },
	{ "Observation", read_observation },
	{ "ServiceRequest", read_procedure },
	{ "Appointment", read_procedure },
	{ "Procedure", read_procedure },
};

bool
intake_is_fhir(const struct jnode *root)
{
	const struct jnode *rt = tree_get(root, "resourceType");

	return rt != NULL && rt->type == J_STR &&
	    strcmp(rt->u.s, "Bundle") == 0;
}

enum ldn_status
intake_fhir(const struct ldn_kb *kb, struct arena *a, const struct jnode *root,
    int32_t as_of, struct patient *p, struct ldn_error *err)
{
	struct fx x = { .kb = kb, .a = a, .as_of = as_of, .err = err, .p = p };
	enum ldn_status rc;
	int32_t preg_day = DATE_NONE;
	size_t patients = 0;

	jpath_init(&x.path);
	p->from_fhir = true;
	if ((rc = index_entries(&x, root)) != LDN_OK)
		return rc;
	for (size_t i = 0; i < x.n_entries; i++) {
		const struct entry *e = &x.entries[i];

		patients += strcmp(e->type, "Patient") == 0;
		for (size_t k = 0; k < sizeof(readers) / sizeof(readers[0]);
		     k++) {
			if (strcmp(readers[k].type, e->type) != 0)
				continue;
			size_t o1 = jpath_key(&x.path, "entry");
			jpath_index(&x.path, e->index);
			jpath_key(&x.path, "resource");
			rc = readers[k].fn(&x, e);
			if (rc == LDN_OK && strcmp(e->type, "Observation") == 0)
				read_status_obs(&x, e, &preg_day);
			if (rc != LDN_OK)
				return rc;
			jpath_pop(&x.path, o1);
		}
	}
	if (patients > 1)
		return ldn_fail(err, LDN_E_SCHEMA, "/entry",
		    "the Bundle holds %zu patients; a plan is for one",
		    patients);
	/* A medication list is on file when the bundle carries medication
	 * resources, or is a whole record (a Patient in a transaction, batch
	 * or collection, as an EHR export is) where none means none.  A
	 * search result without them says nothing: the engine then asks. */
	const struct jnode *bt = tree_get(root, "type");
	bool whole = patients == 1 &&
	    (bt == NULL || bt->type != J_STR ||
	        strcmp(bt->u.s, "searchset") != 0);
	for (size_t i = 0; i < x.n_entries && !p->medications_given; i++)
		p->medications_given =
		    strncmp(x.entries[i].type, "Medication", 10) == 0;
	p->medications_given |= whole;
	p->medications_partial = bt != NULL && bt->type == J_STR &&
	    strcmp(bt->u.s, "searchset") == 0;
	merge_medications(p);
	if (a->failed)
		return ldn_fail(err, LDN_E_NOMEM, "",
		    "the bundle is too large");
	return LDN_OK;
}
