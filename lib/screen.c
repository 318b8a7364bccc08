/*
 * Screening: rules over the patient's facts give findings (block, caution,
 * info), each naming the input fields that drove it.  The rules' logic is
 * here; their numbers and words are in kb/.  A block with a lift date
 * (a washout) delays the start; a block without one prevents it.
 */
#include "draft.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "intake/codes.h"
#include "kb/words.h"

static struct finding *
raise(struct ldn_plan *pl, enum entry_id id, const char *src)
{
	struct finding *f = plan_push(pl, (void **)&pl->findings,
	    &pl->n_findings, &pl->cap_findings, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->id = id;
	f->lift = DATE_NONE;
	if (src != NULL)
		f->src[f->n_src++] = src;
	return f;
}

static void
add_src(struct finding *f, const char *src)
{
	if (f != NULL && src != NULL && f->n_src < MAX_SRC)
		f->src[f->n_src++] = src;
}

/* How a medication is named in findings: its recorded name, or the code's
 * display; both when the code says more than the name. */
static const char *
med_label(struct ldn_plan *pl, const struct medication *m)
{
	if (m->code_display && m->name && m->name_cls != m->cls)
		return arena_printf(&pl->arena, "%s (recorded as \"%s\")",
		    m->code_display, m->name);
	if (m->name)
		return m->name;
	if (m->code_display)
		return m->code_display;
	if (m->rxnorm)
		return arena_printf(&pl->arena, "RxNorm %s", m->rxnorm);
	return m->src;
}

static int32_t
washout_for(const struct params *p, enum med_class c)
{
	switch (c) {
	case MC_BUPRENORPHINE:
	case MC_METHADONE:
		return p->washout_bup_methadone_d;
	case MC_OPIOID_LONG:
		return p->washout_long_d;
	default:
		return p->washout_short_d;
	}
}

static const char *
acting_label(enum med_class c)
{
	switch (c) {
	case MC_BUPRENORPHINE:
		return "buprenorphine";
	case MC_METHADONE:
		return "methadone";
	case MC_OPIOID_LONG:
		return "long-acting opioid";
	case MC_OPIOID_ANTITUSSIVE:
		return "opioid cough medicine";
	default:
		return "short-acting opioid";
	}
}

/* An opioid taken on day (as_of: now or since a day not known). */
static void
opioid_seen(struct ldn_plan *pl, int32_t day)
{
	if (pl->opioid_last == DATE_NONE || day > pl->opioid_last)
		pl->opioid_last = day;
}

/* True if text has word as a whole word, in any case. */
static bool
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; text != NULL && *p; p++) {
		size_t k = 0;

		if (p > text &&
		    ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'))
			continue;
		while (k < n && (p[k] | 0x20) == word[k])
			k++;
		if (k == n && !((p[n] | 0x20) >= 'a' && (p[n] | 0x20) <= 'z'))
			return true;
	}
	return false;
}

/*
 * The daily limits of policy opioid_co_use=relative, by the ingredient its
 * source names (kb/numbers.yaml policy.co_use_*_ug).
 */
static const struct {
	const char *word;
	size_t offset; /* into struct params */
} co_use_limits[] = {
	{ "morphine", offsetof(struct params, co_use_morphine_ug) },
	{ "hydrocodone", offsetof(struct params, co_use_hydrocodone_ug) },
	{ "oxycodone", offsetof(struct params, co_use_oxycodone_ug) },
	{ "tramadol", offsetof(struct params, co_use_tramadol_ug) },
};

/*
 * Whether an RxNorm name is an oral tablet, capsule or solution with no
 * antagonist in it: a code with no dose form ("tramadol hydrochloride 300
 * MG") may be a slow-release strength, a "Pill" or an injection is not
 * what the policy's source describes, and naltrexone or naloxone in the
 * product is an antagonist of its own.
 */
static bool
oral_ir_form(const char *text)
{
	return has_word(text, "oral") &&
	    (has_word(text, "tablet") || has_word(text, "capsule") ||
	        has_word(text, "solution")) &&
	    !has_word(text, "naltrexone") && !has_word(text, "naloxone");
}

/* Opioids taken now (or ordered now), of any class. */
static size_t
opioids_now(const struct patient *pt)
{
	size_t n = 0;

	for (size_t i = 0; i < pt->n_medications; i++)
		n += pt->medications[i].active &&
		    med_class_is_opioid(pt->medications[i].cls);
	return n;
}

/*
 * Policy opioid_co_use=relative, for an opioid taken now, the terms about
 * the drug: an opioid taken (not only ordered), short-acting, the only one,
 * known by an RxNorm code whose name gives exactly one ingredient with a
 * limit (a name alone can hide a slow-release product or a second opioid,
 * and a recorded name naming another opioid is refused), and a daily dose
 * on record within that limit.  True, with the candidate kept for
 * co_use_decide(), when all hold; else a finding says which term failed
 * and the caller blocks as by default.
 */
static bool
co_use(struct ldn_plan *pl, const struct medication *m, const char *drug)
{
	const struct params *p = &pl->kb->params;
	const char *text = m->code_display;
	const char *word = NULL;
	int32_t limit = 0;
	int64_t daily = m->daily_ug;
	struct finding *f;

	if (m->order_only) {
		f = raise(pl, E_CO_USE_ORDER_ONLY, m->src);
	} else if (m->cls != MC_OPIOID_SHORT) {
		f = raise(pl, E_CO_USE_NOT_SHORT, m->src);
		if (f != NULL)
			f->vars[V_ACTING] = acting_label(m->cls);
	} else if (opioids_now(pl->patient) > 1) {
		f = raise(pl, E_CO_USE_SEVERAL, m->src);
	} else if (m->rxnorm == NULL || text == NULL || m->conflict ||
	    m->several_codes || !oral_ir_form(text)) {
		f = raise(pl, E_CO_USE_NO_CODE, m->src);
	} else {
		for (size_t i = 0;
		     i < sizeof(co_use_limits) / sizeof(co_use_limits[0]);
		     i++) {
			const char *w = co_use_limits[i].word;

			if (!has_word(text, w))
				continue;
			if (word != NULL) { /* two of them: not one alone */
				word = NULL;
				break;
			}
			word = w;
			limit =
			    *(const int32_t *)(const void *)((const char *)p +
			        co_use_limits[i].offset);
		}
		if (word == NULL || codes_other_opioid(pl->kb, text, word)) {
			f = raise(pl, E_CO_USE_NO_LIMIT, m->src);
			goto refused;
		}
		/* A recorded name must name the same product: the same
		 * ingredient, short-acting, no other opioid, no other
		 * strength (a brand it does not know may be slow-release). */
		if (m->name != NULL &&
		    (!has_word(m->name, word) ||
		        m->name_cls != MC_OPIOID_SHORT ||
		        codes_other_opioid(pl->kb, m->name, word) ||
		        (words_mg_after(m->name, word) > 0 &&
		            words_mg_after(m->name, word) !=
		                words_mg_after(text, word)))) {
			f = raise(pl, E_CO_USE_NO_CODE, m->src);
			goto refused;
		}
		if (daily < 0 && m->daily_units_milli >= 0 &&
		    !has_word(text, "ml")) {
			/* Tablets a day times the strength the code's name
			 * gives (never a strength per mL). */
			int32_t ug = words_mg_after(text, word);

			if (ug > 0)
				daily =
				    (int64_t)m->daily_units_milli * ug / 1000;
		}
		if (daily < 0) {
			f = raise(pl, E_CO_USE_NO_DAILY, m->src);
			goto refused;
		}
		if (daily > limit) {
			f = raise(pl, E_CO_USE_ABOVE_LIMIT, m->src);
			add_src(f, m->daily_src);
			if (f != NULL) {
				f->vars[V_DOSE] = fmt_mg(pl,
				    daily > INT32_MAX ? INT32_MAX
				                      : (int32_t)daily);
				f->vars[V_MAX_DOSE] = fmt_mg(pl, limit);
			}
			goto refused;
		}
		pl->co_use_med = m;
		pl->co_use_daily_ug = (int32_t)daily;
		pl->co_use_limit_ug = limit;
		return true;
	}
refused:
	if (f != NULL)
		f->vars[V_DRUG] = drug;
	return false;
}

/* A procedure where opioids may be given (not ruled out), planned or done
 * within the long-acting washout before as_of. */
static bool
procedure_near(const struct ldn_plan *pl)
{
	const struct patient *pt = pl->patient;

	for (size_t i = 0; i < pt->n_procedures; i++) {
		const struct procedure *pr = &pt->procedures[i];

		if (pr->opioids_expected == TRI_NO)
			continue;
		if (pr->status == PROC_PLANNED || pr->date == DATE_NONE ||
		    pr->date >= pl->as_of - pl->kb->params.washout_long_d)
			return true;
	}
	return false;
}

/* Whether the plan has a finding id. */
static bool
has_finding(const struct ldn_plan *pl, enum entry_id id)
{
	for (size_t i = 0; i < pl->n_findings; i++)
		if (pl->findings[i].id == id)
			return true;
	return false;
}

/*
 * The terms about the patient, once every screen has run: a candidate of
 * co_use() is kept (LDN capped, the override shown) unless LDN is not to
 * start for another reason, opioid use disorder or hidden use is on file,
 * the patient is a child (or of unknown age), pregnant or breastfeeding,
 * or a procedure with opioids is near.  Then it blocks as by default,
 * with the reason.
 */
static void
co_use_decide(struct ldn_plan *pl)
{
	const struct params *p = &pl->kb->params;
	const struct patient *pt = pl->patient;
	const struct medication *m = pl->co_use_med;
	const char *drug;
	enum entry_id why = E_COUNT;
	struct finding *f;

	if (m == NULL)
		return;
	drug = med_label(pl, m);
	for (size_t i = 0; i < pl->n_findings && why == E_COUNT; i++)
		if (entry_specs[pl->findings[i].id].severity == SEV_BLOCK &&
		    pl->findings[i].lift == DATE_NONE)
			why = E_CO_USE_OTHER_BLOCK;
	if (why != E_COUNT)
		;
	else if (pt->occult_opioid_use_suspected == TRI_YES ||
	    has_finding(pl, E_OPIOID_USE_DISORDER))
		why = E_CO_USE_OPIOID_RISK;
	else if (pt->age_years < 0 || pt->age_years < p->adult_y)
		why = E_CO_USE_CHILD;
	else if (pt->pregnancy == PREG_PREGNANT ||
	    pt->pregnancy == PREG_BREASTFEEDING)
		why = E_CO_USE_PREGNANCY;
	else if (pt->opioid_analgesia_required != TRI_NO)
		why = E_CO_USE_NEED_UNKNOWN;
	else if (has_finding(pl, E_RENAL_SEVERE) ||
	    has_finding(pl, E_RENAL_FAILURE) ||
	    (pl->flags & (1u << FL_HEPATIC)))
		why = E_CO_USE_ORGAN;
	else if (procedure_near(pl))
		why = E_CO_USE_PROCEDURE;
	if (why != E_COUNT) {
		pl->co_use_med = NULL;
		f = raise(pl, why, m->src);
		if (f != NULL)
			f->vars[V_DRUG] = drug;
		f = raise(pl, E_OPIOID_ACTIVE, m->src);
		if (f != NULL) {
			f->vars[V_DRUG] = drug;
			f->vars[V_WASHOUT_DAYS] =
			    fmt_int(pl, washout_for(p, m->cls));
		}
		return;
	}
	pl->co_use_cap_ug = p->co_use_ceiling_ug;
	(void)raise(pl, E_POLICY_OPIOID_CO_USE, NULL);
	f = raise(pl, E_POLICY_OPIOID_CO_USE_MET, m->src);
	add_src(f, m->daily_src);
	if (f != NULL) {
		f->vars[V_DRUG] = drug;
		f->vars[V_DOSE] = fmt_mg(pl, pl->co_use_daily_ug);
		f->vars[V_MAX_DOSE] = fmt_mg(pl, pl->co_use_limit_ug);
		f->vars[V_CEILING] = fmt_mg(pl, p->co_use_ceiling_ug);
	}
}

static void
screen_opioid(struct ldn_plan *pl, const struct medication *m)
{
	const struct params *p = &pl->kb->params;
	int32_t wd = washout_for(p, m->cls);
	const char *drug = med_label(pl, m);
	struct finding *f;

	pl->flags |= 1u << FL_OPIOID_HISTORY;
	/* Taken now, or last taken on a day not known; else its last dose
	 * counts (below). */
	if (m->active || m->cls == MC_BUPRENORPHINE_DEPOT ||
	    m->last_dose == DATE_NONE)
		opioid_seen(pl, pl->as_of);
	if (m->cls == MC_BUPRENORPHINE_DEPOT) {
		/* Release goes on for weeks after the last injection or the
		 * implant's removal: no washout can be counted from the
		 * record, active or not. */
		f = raise(pl, E_OPIOID_DEPOT, m->src);
		if (f != NULL)
			f->vars[V_DRUG] = drug;
		return;
	}
	if (m->active && pl->opioid_co_use_relative && co_use(pl, m, drug))
		return;
	if (m->active && m->order_only) {
		/* An order on file, no evidence it is taken: a person must
		 * say whether it is, and since when it is not. */
		f = raise(pl, E_OPIOID_ORDER_ON_FILE, m->src);
		if (f == NULL)
			return;
		f->vars[V_DRUG] = drug;
		f->vars[V_DATE] = m->order_date != DATE_NONE
		    ? fmt_date(pl, m->order_date)
		    : "an unrecorded date";
		f->vars[V_WASHOUT_DAYS] = fmt_int(pl, wd);
		return;
	}
	if (m->active) {
		f = raise(pl, E_OPIOID_ACTIVE, m->src);
		if (f == NULL)
			return;
		f->vars[V_DRUG] = drug;
		f->vars[V_WASHOUT_DAYS] = fmt_int(pl, wd);
		return;
	}
	int32_t last = m->last_dose;
	if (m->last_dose_inferred && last != DATE_NONE) {
		/* The record gives no last dose, only what bounds it (an
		 * order's date, validity, refills, a dispense): intake took
		 * the latest it can be.  Say so; never later than today. */
		if (last > pl->as_of)
			last = pl->as_of;
		f = raise(pl, E_OPIOID_LAST_DOSE_INFERRED, m->src);
		if (f != NULL) {
			f->vars[V_DRUG] = drug;
			f->vars[V_DATE] = m->order_date != DATE_NONE
			    ? fmt_date(pl, m->order_date)
			    : "an unrecorded date";
			f->vars[V_LAST_DOSE] = fmt_date(pl, last);
		}
	}
	if (last == DATE_NONE) {
		f = raise(pl, E_OPIOID_LAST_DOSE_UNKNOWN, m->src);
		if (f == NULL)
			return;
		f->vars[V_DRUG] = drug;
		f->vars[V_WASHOUT_DAYS] = fmt_int(pl, wd);
		return;
	}
	opioid_seen(pl, last < pl->as_of ? last : pl->as_of);
	int32_t lift = last + wd;
	f = raise(pl,
	    lift > pl->as_of ? E_OPIOID_WASHOUT : E_OPIOID_WASHOUT_DONE,
	    m->src);
	if (f == NULL)
		return;
	if (lift > pl->as_of) {
		f->lift = lift;
		f->vars[V_LIFT_DATE] = fmt_date(pl, lift);
	}
	f->vars[V_DRUG] = drug;
	f->vars[V_ACTING] = acting_label(m->cls);
	f->vars[V_LAST_DOSE] = fmt_date(pl, last);
	f->vars[V_DAYS_SINCE] = fmt_int(pl, pl->as_of - last);
	f->vars[V_WASHOUT_DAYS] = fmt_int(pl, wd);
}

/* A medication as the not-recognised list names it. */
static const char *
unrecognised_label(struct ldn_plan *pl, const struct medication *m)
{
	if (m->name != NULL)
		return m->name;
	if (m->rxnorm != NULL)
		return arena_printf(&pl->arena, "RxNorm %s", m->rxnorm);
	return m->src;
}

/*
 * Every medication that neither its code nor its name tied to a class the
 * screen knows, in one caution: the clinician sees exactly what the opioid
 * screen could not vouch for (a brand it does not know, a local code).
 */
static void
unrecognised(struct ldn_plan *pl)
{
	const struct patient *pt = pl->patient;
	struct finding *f = NULL;
	size_t len = 0, n = 0;
	char *list, *o;

	/* Two passes, so a long list costs linear memory, not quadratic. */
	for (size_t i = 0; i < pt->n_medications; i++) {
		const struct medication *m = &pt->medications[i];

		if (m->cls == MC_NONE && !m->conflict) {
			len += strlen(unrecognised_label(pl, m)) + 2;
			n++;
		}
	}
	if (n == 0 || (list = arena_alloc(&pl->arena, len + 1)) == NULL)
		return;
	o = list;
	for (size_t i = 0; i < pt->n_medications; i++) {
		const struct medication *m = &pt->medications[i];
		const char *label;
		size_t l;

		if (m->cls != MC_NONE || m->conflict)
			continue;
		if (f == NULL)
			f = raise(pl, E_MEDICATION_UNRECOGNISED, m->src);
		else
			add_src(f, m->src);
		label = unrecognised_label(pl, m);
		l = strlen(label);
		if (o != list) {
			memcpy(o, "; ", 2);
			o += 2;
		}
		memcpy(o, label, l);
		o += l;
	}
	*o = '\0';
	if (f != NULL)
		f->vars[V_DETAIL] = list;
}

static void
screen_medications(struct ldn_plan *pl)
{
	const struct patient *pt = pl->patient;
	struct finding *f;

	if (!pt->medications_given)
		raise(pl, E_INTAKE_MEDICATIONS_UNKNOWN, NULL);
	else if (pt->medications_partial)
		raise(pl, E_INTAKE_MEDICATIONS_PARTIAL, NULL);
	unrecognised(pl);
	for (size_t i = 0; i < pt->n_medications; i++) {
		const struct medication *m = &pt->medications[i];
		enum entry_id id = E_COUNT;

		if (m->conflict) {
			f = raise(pl, E_MEDICATION_CODE_NAME_CONFLICT, m->src);
			if (f != NULL) {
				f->vars[V_DRUG] = m->name;
				f->vars[V_CODE] = m->rxnorm;
				f->vars[V_CODE_DISPLAY] = m->code_display
				    ? m->code_display
				    : "a product outside the opioid and "
				      "naltrexone code sets";
			}
			continue;
		}
		if (med_class_is_opioid(m->cls)) {
			screen_opioid(pl, m);
			continue;
		}
		if (!m->active)
			continue;
		switch (m->cls) {
		case MC_NALOXONE:
			id = E_OPIOID_NALOXONE_ON_FILE;
			pl->flags |= 1u << FL_OPIOID_HISTORY;
			break;
		case MC_OPIOID_ANTIDIARRHEAL:
			id = E_OPIOID_ANTIDIARRHEAL;
			break;
		case MC_NALTREXONE_STANDARD:
		case MC_NALTREXONE_UNKNOWN_DOSE:
			id = E_ANTAGONIST_STANDARD_DOSE;
			break;
		case MC_NALTREXONE_BUPROPION:
			id = E_ANTAGONIST_NALTREXONE_BUPROPION;
			break;
		case MC_NALTREXONE_LDN:
			id = E_ANTAGONIST_ALREADY_LDN;
			break;
		case MC_IMMUNOSUPPRESSANT:
			id = E_TRANSPLANT_IMMUNOSUPPRESSION;
			pl->flags |= 1u << FL_TRANSPLANT;
			break;
		default:
			break;
		}
		if (id == E_COUNT)
			continue;
		f = raise(pl, id, m->src);
		if (f == NULL)
			continue;
		if (id == E_TRANSPLANT_IMMUNOSUPPRESSION)
			f->vars[V_DETAIL] = med_label(pl, m);
		else
			f->vars[V_DRUG] = med_label(pl, m);
	}
}

static const char *
condition_label(const struct ldn_plan *pl, const struct condition *c,
    enum concept_kind kind)
{
	if (c->display)
		return c->display;
	for (size_t k = 0; k < pl->kb->n_concepts; k++)
		if ((c->concepts >> k & 1) && pl->kb->concepts[k].kind == kind)
			return pl->kb->concepts[k].label;
	return c->code;
}

/* The first active condition of a kind, or NULL. */
static const struct condition *
first_of_kind(const struct ldn_plan *pl, enum concept_kind kind)
{
	const struct patient *pt = pl->patient;

	for (size_t i = 0; i < pt->n_conditions; i++) {
		const struct condition *c = &pt->conditions[i];

		if (!c->active)
			continue;
		for (size_t k = 0; k < pl->kb->n_concepts; k++)
			if ((c->concepts >> k & 1) &&
			    pl->kb->concepts[k].kind == kind)
				return c;
	}
	return NULL;
}

static void
raise_condition(struct ldn_plan *pl, enum entry_id id,
    const struct condition *c, enum concept_kind kind)
{
	struct finding *f = raise(pl, id, c->src);

	if (f != NULL)
		f->vars[V_CONDITION] = condition_label(pl, c, kind);
}

static void
screen_conditions(struct ldn_plan *pl)
{
	const struct patient *pt = pl->patient;
	const struct condition *c, *cirr, *decomp;
	bool any_indication = false;

	for (size_t i = 0; i < pt->n_conditions; i++) {
		c = &pt->conditions[i];
		if (!c->active)
			continue;
		pl->concepts |= c->concepts;
		for (size_t k = 0; k < pl->kb->n_concepts; k++)
			if ((c->concepts >> k & 1) &&
			    pl->kb->concepts[k].kind == CK_INDICATION) {
				raise_condition(pl, E_INDICATION_MATCH, c,
				    CK_INDICATION);
				any_indication = true;
				break;
			}
	}
	if (!any_indication)
		raise(pl, E_INDICATION_NONE, NULL);

	if ((c = first_of_kind(pl, CK_HEPATIC_ACUTE)) != NULL) {
		raise_condition(pl, E_HEPATIC_ACUTE, c, CK_HEPATIC_ACUTE);
		pl->flags |= 1u << FL_HEPATIC;
	}
	cirr = first_of_kind(pl, CK_CIRRHOSIS);
	decomp = first_of_kind(pl, CK_LIVER_DECOMPENSATION);
	if ((c = first_of_kind(pl, CK_HEPATIC_FAILURE)) != NULL) {
		raise_condition(pl, E_HEPATIC_DECOMPENSATED, c,
		    CK_HEPATIC_FAILURE);
		pl->flags |= 1u << FL_HEPATIC;
	} else if (cirr != NULL && decomp != NULL) {
		/* Cirrhosis with a decompensating event on file. */
		struct finding *f =
		    raise(pl, E_HEPATIC_DECOMPENSATED, decomp->src);

		if (f != NULL) {
			f->vars[V_CONDITION] = condition_label(pl, decomp,
			    CK_LIVER_DECOMPENSATION);
			add_src(f, cirr->src);
		}
		pl->flags |= 1u << FL_HEPATIC;
	} else if ((c = cirr ? cirr
	                   : decomp
	                   ? decomp
	                   : first_of_kind(pl, CK_HEPATIC_CHRONIC)) != NULL) {
		raise_condition(pl, E_HEPATIC_IMPAIRMENT, c,
		    cirr         ? CK_CIRRHOSIS
		        : decomp ? CK_LIVER_DECOMPENSATION
		                 : CK_HEPATIC_CHRONIC);
		pl->flags |= 1u << FL_HEPATIC;
	}
	if ((c = first_of_kind(pl, CK_OPIOID_CURRENT_USE)) != NULL) {
		raise_condition(pl, E_OPIOID_CURRENT_USE, c,
		    CK_OPIOID_CURRENT_USE);
		pl->flags |= 1u << FL_OPIOID_HISTORY;
		opioid_seen(pl, pl->as_of);
	}
	for (size_t i = 0; i < pt->n_conditions; i++) {
		/* "OUD on Suboxone", "back pain on tramadol": a diagnosis
		 * that names an opioid says it is being taken. */
		c = &pt->conditions[i];
		if (c->active && c->names_opioid) {
			struct finding *f =
			    raise(pl, E_OPIOID_CURRENT_USE, c->src);

			if (f != NULL)
				f->vars[V_CONDITION] = c->display;
			pl->flags |= 1u << FL_OPIOID_HISTORY;
			opioid_seen(pl, pl->as_of);
		}
	}
	if ((c = first_of_kind(pl, CK_OPIOID_USE_DISORDER)) != NULL) {
		raise_condition(pl, E_OPIOID_USE_DISORDER, c,
		    CK_OPIOID_USE_DISORDER);
		pl->flags |= 1u << FL_OPIOID_HISTORY;
	}
	if ((c = first_of_kind(pl, CK_THYROID_AUTOIMMUNE)) != NULL) {
		raise_condition(pl, E_THYROID_AUTOIMMUNE, c,
		    CK_THYROID_AUTOIMMUNE);
		pl->flags |= 1u << FL_THYROID;
	}
	if ((c = first_of_kind(pl, CK_SLEEP_DISTURBANCE)) != NULL) {
		/* Bedtime doses can worsen sleep (vivid dreams, insomnia):
		 * with either on file, doses move to the morning. */
		raise_condition(pl, E_TIMING_MORNING, c, CK_SLEEP_DISTURBANCE);
		pl->morning = true;
	}
	if ((c = first_of_kind(pl, CK_TRANSPLANT)) != NULL) {
		struct finding *f =
		    raise(pl, E_TRANSPLANT_IMMUNOSUPPRESSION, c->src);

		if (f != NULL)
			f->vars[V_DETAIL] =
			    condition_label(pl, c, CK_TRANSPLANT);
		pl->flags |= 1u << FL_TRANSPLANT;
	}
}

static bool
is_egfr(const char *loinc)
{
	static const char *const codes[] = { "33914-3", "62238-1", "98979-8",
		"48642-3", "48643-1" };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i], loinc) == 0)
			return true;
	return false;
}

/* The latest lab of a kind: dated results beat undated ones, and among
 * undated ones the last listed wins. */
static const struct lab *
latest_lab(const struct patient *pt, bool (*match)(const char *))
{
	const struct lab *best = NULL;

	for (size_t i = 0; i < pt->n_labs; i++) {
		const struct lab *l = &pt->labs[i];

		if (!match(l->loinc))
			continue;
		if (best == NULL || l->date >= best->date)
			best = l;
	}
	return best;
}

static void
screen_renal(struct ldn_plan *pl)
{
	const struct params *p = &pl->kb->params;
	const struct lab *egfr = latest_lab(pl->patient, is_egfr);
	const struct condition *ckd = first_of_kind(pl, CK_RENAL_SEVERE);
	struct finding *f = NULL;

	if (egfr != NULL) {
		const char *detail = arena_printf(&pl->arena,
		    "eGFR %g mL/min/1.73 m²%s%s", egfr->value,
		    egfr->date != DATE_NONE ? " on " : "",
		    egfr->date != DATE_NONE ? fmt_date(pl, egfr->date) : "");

		if (egfr->value < p->egfr_failure)
			f = raise(pl, E_RENAL_FAILURE, egfr->src);
		else if (egfr->value < p->egfr_severe)
			f = raise(pl, E_RENAL_SEVERE, egfr->src);
		else if (egfr->value < p->egfr_moderate && ckd == NULL)
			f = raise(pl, E_RENAL_MODERATE, egfr->src);
		if (f != NULL)
			f->vars[V_DETAIL] = detail;
	}
	if (ckd != NULL && (f == NULL || f->id == E_RENAL_MODERATE)) {
		if (f != NULL && f->id == E_RENAL_MODERATE)
			f->id = E_RENAL_SEVERE; /* the diagnosis outranks */
		else
			f = raise(pl, E_RENAL_SEVERE, NULL);
		if (f != NULL) {
			add_src(f, ckd->src);
			f->vars[V_DETAIL] =
			    condition_label(pl, ckd, CK_RENAL_SEVERE);
		}
	} else if (ckd != NULL) {
		add_src(f, ckd->src);
	}
	if (f != NULL)
		pl->flags |= 1u << FL_RENAL;
}

static void
screen_age(struct ldn_plan *pl)
{
	const struct params *p = &pl->kb->params;
	const struct patient *pt = pl->patient;
	struct finding *f;

	if (pt->age_years < 0) {
		raise(pl, E_INTAKE_AGE_UNKNOWN, NULL);
		return;
	}
	if (pt->age_years < p->adult_y) {
		pl->flags |= 1u << FL_CHILD;
		if (pt->weight_g == 0) {
			f = raise(pl, E_AGE_CHILD_WEIGHT_MISSING, NULL);
			if (f != NULL)
				f->vars[V_AGE] = fmt_int(pl, pt->age_years);
			return;
		}
		/* 0.1 mg/kg, rounded down to what can be measured; set
		 * before any block, so no plan for a child states an adult
		 * ceiling. */
		int64_t ug = (int64_t)pt->weight_g * p->child_ug_per_kg / 1000;
		ug -= ug % p->granularity_ug;
		if (ug > p->child_max_ug)
			ug = p->child_max_ug;
		if (ug < pl->ceiling_ug) {
			pl->ceiling_ug = (int32_t)ug;
			/* The children's preset's words say it. */
			if (!pl->preset->child_only)
				pl->adjusted = true;
		}
		if (pl->preset->start_ug_per_kg > 0) {
			/* The paediatric trial's dose by weight from the
			 * first day, within the ceiling just set; a
			 * sensitive child still starts low. */
			int64_t st = (int64_t)pt->weight_g *
			    pl->preset->start_ug_per_kg / 1000;
			st -= st % p->granularity_ug;
			pl->start_ug =
			    st < pl->ceiling_ug ? (int32_t)st : pl->ceiling_ug;
			if (pl->sensitive &&
			    pl->start_ug > p->start_sensitive_ug)
				pl->start_ug = p->start_sensitive_ug;
		}
		if (pt->age_years < p->child_min_y) {
			/* The only paediatric dosing evidence is from older
			 * children: no plan below its age range. */
			f = raise(pl, E_AGE_BELOW_EVIDENCE, NULL);
			if (f != NULL)
				f->vars[V_AGE] = fmt_int(pl, pt->age_years);
			return;
		}
		f = raise(pl, E_AGE_CHILD, pt->weight_src);
		if (f != NULL) {
			f->vars[V_AGE] = fmt_int(pl, pt->age_years);
			f->vars[V_WEIGHT] = arena_printf(&pl->arena, "%g kg",
			    pt->weight_g / 1000.0);
			f->vars[V_CEILING] = fmt_mg(pl, pl->ceiling_ug);
		}
		return;
	}
	if (pt->age_years >= p->older_y) {
		pl->flags |= 1u << FL_OLDER;
		f = raise(pl, E_AGE_OLDER, NULL);
		if (f != NULL)
			f->vars[V_AGE] = fmt_int(pl, pt->age_years);
	}
}

static void
screen_pregnancy(struct ldn_plan *pl)
{
	const struct patient *pt = pl->patient;
	const struct condition *c = first_of_kind(pl, CK_PREGNANCY);
	enum pregnancy st = pt->pregnancy;

	/* An active pregnancy on file is a pregnancy, whatever the field
	 * says; breastfeeding recorded beside it is raised too. */
	if (c != NULL && st != PREG_PREGNANT) {
		struct finding *f = raise(pl, E_PREGNANCY_PREGNANT, c->src);

		pl->flags |= 1u << FL_PREGNANT;
		if (st != PREG_BREASTFEEDING)
			return;
		(void)f;
	}
	switch (st) {
	case PREG_PREGNANT: {
		struct finding *f =
		    raise(pl, E_PREGNANCY_PREGNANT, c ? c->src : "/pregnancy");

		if (c != NULL && pt->pregnancy == PREG_PREGNANT)
			add_src(f, "/pregnancy");
		pl->flags |= 1u << FL_PREGNANT;
		break;
	}
	case PREG_BREASTFEEDING:
		raise(pl, E_PREGNANCY_BREASTFEEDING, "/pregnancy");
		pl->flags |= 1u << FL_BREASTFEEDING;
		break;
	case PREG_PLANNING:
		raise(pl, E_PREGNANCY_PLANNING, "/pregnancy");
		pl->flags |= 1u << FL_PLANNING_PREGNANCY;
		break;
	case PREG_NONE:
		break;
	case PREG_NOT_GIVEN:
	case PREG_UNKNOWN:
		if (pt->sex != SEX_MALE)
			raise(pl, E_PREGNANCY_UNKNOWN, NULL);
		break;
	}
}

/* By hold start, then by procedure date, then by input order (src), so
 * the order never depends on the C library's sort. */
static int
window_cmp(const void *a, const void *b)
{
	const struct window *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->procedure_date != y->procedure_date)
		return x->procedure_date < y->procedure_date ? -1 : 1;
	return strcmp(x->src, y->src);
}

static bool
is_naltrexone(enum med_class c)
{
	return c == MC_NALTREXONE_LDN || c == MC_NALTREXONE_STANDARD ||
	    c == MC_NALTREXONE_UNKNOWN_DOSE || c == MC_NALTREXONE_BUPROPION;
}

/* The naltrexone the patient takes now (LDN or any other strength), as
 * findings name it, or NULL. */
static const char *
naltrexone_taken(struct ldn_plan *pl)
{
	const struct patient *pt = pl->patient;

	for (size_t i = 0; i < pt->n_medications; i++) {
		const struct medication *m = &pt->medications[i];

		if (m->active &&
		    (is_naltrexone(m->cls) || is_naltrexone(m->name_cls)))
			return med_label(pl, m);
	}
	return NULL;
}

static bool
is_hold(enum entry_id id)
{
	return id == E_PERIOP_HOLD || id == E_PERIOP_NALTREXONE_HOLD ||
	    id == E_PERIOP_NALTREXONE_STOP_NOW;
}

/*
 * Procedures: a planned one with opioids expected (or not recorded, which
 * is then assumed) gives a hold window from the hold start to the first day
 * LDN may restart; a recent completed one delays the start like a washout.
 * For a patient who already takes naltrexone the hold is about the dose
 * taken now: still ahead, or begun (the hold start is today or past).
 */
static void
screen_procedures(struct ldn_plan *pl)
{
	const struct params *p = &pl->kb->params;
	const struct patient *pt = pl->patient;
	const char *taken = naltrexone_taken(pl);
	size_t n = 0;

	/* A policy chosen against its default is shown as an override. */
	if (pl->periop_restart_24h)
		(void)raise(pl, E_POLICY_PERIOP_RESTART_24H, NULL);
	pl->holds = arena_calloc(&pl->arena,
	    pt->n_procedures ? pt->n_procedures : 1, sizeof(*pl->holds));
	if (pl->holds == NULL)
		return;
	for (size_t i = 0; i < pt->n_procedures; i++) {
		const struct procedure *pr = &pt->procedures[i];
		struct finding *f;

		if (pr->opioids_expected == TRI_NO)
			continue;
		if (pr->status == PROC_COMPLETED) {
			int32_t lift = pr->date + pl->periop_restart_d;

			if (lift <= pl->as_of)
				continue;
			if (pr->opioids_expected == TRI_UNKNOWN &&
			    pr->ask_opioids) {
				/* From a record: opioids given would be on
				 * file as orders; ask, and say what follows. */
				f = raise(pl, E_PERIOP_RECENT_UNKNOWN, pr->src);
				if (f) {
					f->vars[V_PROCEDURE] = pr->display;
					f->vars[V_PROCEDURE_DATE] =
					    fmt_date(pl, pr->date);
					f->vars[V_LIFT_DATE] =
					    fmt_date(pl, lift);
				}
				continue;
			}
			if (pr->opioids_expected == TRI_UNKNOWN) {
				f = raise(pl, E_PERIOP_OPIOIDS_UNKNOWN,
				    pr->src);
				if (f) {
					f->vars[V_PROCEDURE] = pr->display;
					f->vars[V_PROCEDURE_DATE] =
					    fmt_date(pl, pr->date);
				}
			}
			f = raise(pl, E_PERIOP_RECENT, pr->src);
			if (f == NULL)
				continue;
			f->lift = lift;
			f->vars[V_PROCEDURE] = pr->display;
			f->vars[V_PROCEDURE_DATE] = fmt_date(pl, pr->date);
			f->vars[V_WASHOUT_DAYS] =
			    fmt_int(pl, pl->periop_restart_d);
			f->vars[V_LIFT_DATE] = fmt_date(pl, lift);
			continue;
		}
		pl->flags |= 1u << FL_PERIOP;
		if (pr->opioids_expected == TRI_UNKNOWN) {
			f = raise(pl, E_PERIOP_OPIOIDS_UNKNOWN, pr->src);
			if (f) {
				f->vars[V_PROCEDURE] = pr->display;
				f->vars[V_PROCEDURE_DATE] =
				    fmt_date(pl, pr->date);
			}
		}
		struct window *w = &pl->holds[n++];
		w->from = pr->date - p->periop_hold_d;
		w->to = pr->date + pl->periop_restart_d;
		w->procedure = pr->display;
		w->procedure_date = pr->date;
		w->src = pr->src;
		f = raise(pl,
		    taken != NULL ? E_PERIOP_NALTREXONE_HOLD : E_PERIOP_HOLD,
		    pr->src);
		if (f == NULL)
			continue;
		f->when = pr->date;
		f->vars[V_DRUG] = taken;
		f->vars[V_PROCEDURE] = pr->display;
		f->vars[V_PROCEDURE_DATE] = fmt_date(pl, pr->date);
		f->vars[V_HOLD_START] = fmt_date(pl, w->from);
		f->vars[V_HOLD_DAYS] = fmt_int(pl, p->periop_hold_d);
		f->vars[V_RESTART_DATE] = fmt_date(pl, w->to);
		f->vars[V_WASHOUT_DAYS] = fmt_int(pl, pl->periop_restart_d);
	}
	/* Overlapping holds become one, named after every procedure in it;
	 * each procedure's finding then gives the merged restart date, so
	 * the findings and the schedule agree. */
	if (n > 1)
		qsort(pl->holds, n, sizeof(*pl->holds), window_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && pl->holds[i].from <= pl->holds[m - 1].to) {
			struct window *w = &pl->holds[m - 1];

			if (pl->holds[i].to > w->to)
				w->to = pl->holds[i].to;
			w->procedure = arena_printf(&pl->arena, "%s and %s",
			    w->procedure, pl->holds[i].procedure);
			continue;
		}
		pl->holds[m++] = pl->holds[i];
	}
	pl->n_holds = m;
	for (size_t i = 0; i < pl->n_findings; i++) {
		struct finding *f = &pl->findings[i];

		if (!is_hold(f->id))
			continue;
		for (size_t k = 0; k < m; k++)
			if (f->when >= pl->holds[k].from &&
			    f->when < pl->holds[k].to) {
				f->vars[V_HOLD_START] =
				    fmt_date(pl, pl->holds[k].from);
				f->vars[V_RESTART_DATE] =
				    fmt_date(pl, pl->holds[k].to);
				/* No dose tonight once the hold has begun. */
				if (f->id == E_PERIOP_NALTREXONE_HOLD &&
				    pl->holds[k].from <= pl->as_of)
					f->id = E_PERIOP_NALTREXONE_STOP_NOW;
			}
	}
}

static void
screen_history(struct ldn_plan *pl)
{
	const struct params *p = &pl->kb->params;
	const struct patient *pt = pl->patient;
	struct finding *f;

	if (pt->opioid_analgesia_required == TRI_YES) {
		raise(pl, E_OPIOID_REQUIRED, "/opioid_analgesia_required");
		opioid_seen(pl, pl->as_of);
	} else if (pt->opioid_analgesia_required == TRI_UNKNOWN)
		raise(pl, E_INTAKE_OPIOID_NEED_UNKNOWN, NULL);
	if (pt->occult_opioid_use_suspected == TRI_YES) {
		raise(pl, E_OPIOID_OCCULT, "/occult_opioid_use_suspected");
		pl->flags |= 1u << FL_OPIOID_HISTORY;
		opioid_seen(pl, pl->as_of);
	}
	if (pt->sensitive == TRI_YES)
		pl->sensitive = true;
	for (size_t i = 0; i < pt->n_prior; i++) {
		const struct prior_ldn *pr = &pt->prior[i];
		enum entry_id id;

		pl->flags |= 1u << FL_PRIOR_LDN;
		switch (pr->outcome) {
		case OUT_BENEFIT:
			id = E_PRIOR_BENEFIT;
			break;
		case OUT_NO_BENEFIT:
			id = pr->titrated == TRI_YES
			    ? E_PRIOR_TITRATED_FAILURE
			    : E_PRIOR_FIXED_DOSE_FAILURE;
			break;
		case OUT_SIDE_EFFECTS:
			id = E_PRIOR_SIDE_EFFECTS;
			pl->sensitive = true;
			if (pr->max_dose_ug > 0 &&
			    (pl->intolerant_ug == 0 ||
			        pr->max_dose_ug < pl->intolerant_ug)) {
				pl->intolerant_ug = pr->max_dose_ug;
				pl->intolerant_src = pr->src;
			}
			break;
		default:
			continue;
		}
		f = raise(pl, id, pr->src);
		if (f != NULL)
			f->vars[V_MAX_DOSE] = pr->max_dose_ug > 0
			    ? fmt_mg(pl, pr->max_dose_ug)
			    : "a dose not recorded";
	}
	if (pl->sensitive) {
		/* Whatever the preset: no faster than the slow start and
		 * interval (for the seed, exactly them). */
		pl->flags |= 1u << FL_SENSITIVE;
		if (pl->start_ug > p->start_sensitive_ug)
			pl->start_ug = p->start_sensitive_ug;
		if (pl->interval_d < p->interval_sensitive_d)
			pl->interval_d = p->interval_sensitive_d;
		if (pl->step_ug > p->step_ug)
			pl->step_ug = p->step_ug;
		/* The seed's own words give its sensitive arm. */
		if (!pl->preset->is_default &&
		    (pl->start_ug != pl->preset->start_ug ||
		        pl->step_ug != pl->preset->step_ug ||
		        pl->interval_d != pl->preset->interval_d))
			pl->adjusted = true;
		f = raise(pl, E_DOSE_SENSITIVE,
		    pt->sensitive == TRI_YES ? "/sensitive" : NULL);
		if (f != NULL) {
			f->vars[V_START_DOSE] = fmt_mg(pl, pl->start_ug);
			f->vars[V_INTERVAL_DAYS] = fmt_int(pl, pl->interval_d);
		}
	}
}

/* The ceiling a dose not tolerated before allows: one step below it (half
 * the dose when no step fits), in measurable doses. */
static int32_t
intolerance_cap(const struct params *p, int32_t intolerant_ug, int32_t step)
{
	int32_t g = p->granularity_ug > 0 ? p->granularity_ug : 1;
	int32_t cap = intolerant_ug - step;

	if (cap < g)
		cap = intolerant_ug / 2;
	cap -= cap % g;
	return cap < g ? g : cap;
}

/*
 * A dose that caused side effects before caps the ceiling below it, so the
 * plan never climbs back to it.
 */
static void
screen_intolerance(struct ldn_plan *pl)
{
	int32_t cap;
	struct finding *f;

	if (pl->intolerant_ug <= 0)
		return;
	cap = intolerance_cap(&pl->kb->params, pl->intolerant_ug, pl->step_ug);
	if (cap >= pl->ceiling_ug)
		return;
	pl->ceiling_ug = cap;
	pl->adjusted = true;
	f = raise(pl, E_DOSE_PRIOR_INTOLERANCE, pl->intolerant_src);
	if (f != NULL) {
		f->vars[V_MAX_DOSE] = fmt_mg(pl, pl->intolerant_ug);
		f->vars[V_CEILING] = fmt_mg(pl, pl->ceiling_ug);
	}
}

struct dose_numbers {
	int32_t start, step, interval, ceiling;
};

/*
 * The numbers a plan for this patient titrates by under preset pr: the
 * preset's, changed as the screens above change them (sensitive, a child's
 * weight, a dose not tolerated before).  screen() sets the plan's own from
 * it, and a preset is suggested only when its numbers differ.
 */
static struct dose_numbers
numbers_under(const struct ldn_plan *pl, const struct kb_preset *pr)
{
	const struct params *p = &pl->kb->params;
	const struct patient *pt = pl->patient;
	int32_t g = p->granularity_ug > 0 ? p->granularity_ug : 1;
	struct dose_numbers n = { pr->start_ug, pr->step_ug, pr->interval_d,
		pr->ceiling_ug };

	if (pl->sensitive) {
		if (n.start > p->start_sensitive_ug)
			n.start = p->start_sensitive_ug;
		if (n.interval < p->interval_sensitive_d)
			n.interval = p->interval_sensitive_d;
		if (n.step > p->step_ug)
			n.step = p->step_ug;
	}
	if ((pl->flags & (1u << FL_CHILD)) && pt->weight_g > 0) {
		int64_t ug = (int64_t)pt->weight_g * p->child_ug_per_kg / 1000;

		ug -= ug % g;
		if (ug > p->child_max_ug)
			ug = p->child_max_ug;
		if (ug < n.ceiling)
			n.ceiling = (int32_t)ug;
		if (pr->start_ug_per_kg > 0) {
			int64_t st =
			    (int64_t)pt->weight_g * pr->start_ug_per_kg / 1000;

			st -= st % g;
			n.start = st < n.ceiling ? (int32_t)st : n.ceiling;
			if (pl->sensitive && n.start > p->start_sensitive_ug)
				n.start = p->start_sensitive_ug;
		}
	}
	if (pl->intolerant_ug > 0) {
		int32_t cap = intolerance_cap(p, pl->intolerant_ug, n.step);

		if (cap < n.ceiling)
			n.ceiling = cap;
	}
	/* An opioid kept under policy opioid_co_use=relative: ultra-low. */
	if (pl->co_use_cap_ug > 0 && pl->co_use_cap_ug < n.ceiling)
		n.ceiling = pl->co_use_cap_ug;
	if (n.start > n.ceiling)
		n.start = n.ceiling;
	return n;
}

/* The exclusion of preset pr that this patient meets, or NULL. */
const struct preset_rule *
preset_exclusion(const struct ldn_plan *pl, const struct kb_preset *pr)
{
	for (size_t i = 0; i < pr->n_exclude; i++) {
		const struct preset_rule *r = &pr->exclude[i];

		if ((r->flags & pl->flags) || (r->concepts & pl->concepts) ||
		    (r->opioid_within_d > 0 && pl->opioid_last != DATE_NONE &&
		        pl->as_of - pl->opioid_last < r->opioid_within_d))
			return r;
	}
	return NULL;
}

/* Whether the plan will say do not start (titrate's rule): a block that
 * never lifts, or no dose at all. */
static bool
never_starts(const struct ldn_plan *pl)
{
	for (size_t i = 0; i < pl->n_findings; i++)
		if (entry_specs[pl->findings[i].id].severity == SEV_BLOCK &&
		    pl->findings[i].lift == DATE_NONE)
			return true;
	return pl->ceiling_ug <= 0;
}

/*
 * Presets: one whose ceiling is beyond the seed's says so in every plan;
 * every other preset whose rules match the patient's facts is suggested,
 * with the reasons, but not applied: the plan follows the preset asked for
 * (the seed by default), so a suggestion never changes a dose unseen.
 */
static void
screen_presets(struct ldn_plan *pl)
{
	const struct ldn_kb *kb = pl->kb;
	struct finding *f;

	/* Only while the plan's ceiling is above the seed's: a child's or
	 * a capped ceiling is not. */
	if (pl->preset->beyond_seed &&
	    pl->ceiling_ug > pl->kb->params.ceiling_ug) {
		f = raise(pl, E_PRESET_BEYOND_SEED, NULL);
		if (f != NULL) {
			f->vars[V_PRESET] = pl->preset->label;
			f->vars[V_CEILING] = fmt_mg(pl, pl->ceiling_ug);
		}
	}
	/* A plan that says do not start titrates by no preset. */
	if (never_starts(pl))
		return;
	for (size_t i = 0; i < kb->n_presets; i++) {
		const struct kb_preset *pr = &kb->presets[i];
		const char *why = NULL;

		struct dose_numbers n;

		/* Nothing to suggest when following it would titrate this
		 * patient by the plan's numbers (the seed's sensitive arm is
		 * the slow preset), or when it excludes the patient. */
		if (pr == pl->preset || preset_exclusion(pl, pr) != NULL)
			continue;
		n = numbers_under(pl, pr);
		if (n.start == pl->start_ug && n.step == pl->step_ug &&
		    n.interval == pl->interval_d && n.ceiling == pl->ceiling_ug)
			continue;
		for (size_t k = 0; k < pr->n_suggest; k++) {
			const struct preset_rule *r = &pr->suggest[k];

			if (!(r->flags & pl->flags) &&
			    !(r->concepts & pl->concepts))
				continue;
			why = why == NULL ? r->reason
			                  : arena_printf(&pl->arena, "%s; %s",
			                        why, r->reason);
		}
		if (why == NULL)
			continue;
		f = raise(pl, E_PRESET_SUGGESTED, NULL);
		if (f != NULL) {
			f->vars[V_PRESET] = pr->label;
			f->vars[V_CODE] = pr->id;
			f->vars[V_DETAIL] = why;
			f->cites = pr->statement.cites;
		}
	}
}

void
screen(struct ldn_plan *pl)
{
	const struct kb_preset *pr = pl->preset;
	struct dose_numbers n;

	if (pl->patient->deceased)
		raise(pl, E_PATIENT_DECEASED, pl->patient->deceased_src);

	pl->flags = 1u << FL_ALWAYS;
	pl->start_ug = pr->start_ug;
	pl->step_ug = pr->step_ug;
	pl->interval_d = pr->interval_d;
	pl->ceiling_ug = pr->ceiling_ug;
	pl->opioid_last = DATE_NONE;
	pl->co_use_cap_ug = 0;
	pl->co_use_med = NULL;
	screen_history(pl);
	screen_medications(pl);
	screen_conditions(pl);
	screen_renal(pl);
	screen_age(pl);
	screen_pregnancy(pl);
	screen_procedures(pl);
	screen_intolerance(pl);
	co_use_decide(pl);
	if (pl->co_use_cap_ug == 0)
		pl->flags |= 1u << FL_NO_OPIOID_KEPT;
	if ((pl->flags & (1u << FL_OPIOID_HISTORY)) &&
	    !pl->opioid_co_use_relative)
		pl->flags |= 1u << FL_OPIOID_DEFAULT_POLICY;
	if (pl->co_use_cap_ug > 0 && pl->co_use_cap_ug < pl->ceiling_ug) {
		pl->ceiling_ug = pl->co_use_cap_ug;
		pl->adjusted = true;
	}
	if (pl->start_ug > pl->ceiling_ug) {
		pl->start_ug = pl->ceiling_ug;
		pl->adjusted = true;
	}
	/* The numbers the screens above set, as numbers_under() gives them
	 * for any preset (so a suggestion compares like with like). */
	n = numbers_under(pl, pr);
	pl->start_ug = n.start;
	pl->step_ug = n.step;
	pl->interval_d = n.interval;
	pl->ceiling_ug = n.ceiling;
	/* The sensitive schedule as it stands after every cap. */
	for (size_t i = 0; i < pl->n_findings; i++)
		if (pl->findings[i].id == E_DOSE_SENSITIVE)
			pl->findings[i].vars[V_START_DOSE] =
			    fmt_mg(pl, pl->start_ug);
	screen_presets(pl);
}
