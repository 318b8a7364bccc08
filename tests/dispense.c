/*
 * The pharmacist's dispensing sheet (issue 4, items 4 and 6): its
 * arithmetic on both sides of every boundary (a dose that is and is not a
 * whole number of measured volumes; capsule combinations that make a dose
 * exactly or not at all, never more; a supply that ends on its beyond-use
 * date and one a day past it), and, over generated patients and every
 * preset and form, that each dispensed dose is the schedule's, never above
 * the ceiling, and that a do-not-start plan gets no sheet.  The pharmacist
 * sees the clinician's plan in every format, with the sheet in text, json
 * and html.
 *
 *   dispense SOURCE_ROOT [COUNT]    (COUNT patients: default 3000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

#include "base/date.h"
#include "dispense.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ULL;

static unsigned
pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
test_volume(void)
{
	int32_t ul = -1;

	ok(dispense_volume(1500, 1000, 10, &ul) && ul == 1500,
	    "1.5 mg at 1 mg/mL is 1.50 mL (got %d ul)", (int)ul);
	ok(dispense_volume(100, 5000, 10, &ul) && ul == 20,
	    "0.1 mg at 5 mg/mL is 0.02 mL, a whole 10 ul (got %d)", (int)ul);
	ok(dispense_volume(50, 5000, 10, &ul) && ul == 10,
	    "0.05 mg at 5 mg/mL is 0.01 mL, one measured step");
	ok(!dispense_volume(40, 5000, 10, &ul),
	    "0.04 mg at 5 mg/mL (0.008 mL) is below a measured step");
	ok(!dispense_volume(1000, 3000, 10, &ul),
	    "1 mg at 3 mg/mL (0.333... mL) is not a whole number of ul");
	ok(dispense_volume(1500, 3000, 10, &ul) && ul == 500,
	    "1.5 mg at 3 mg/mL is exactly 0.50 mL");
	ok(!dispense_volume(1010, 1000, 100, &ul),
	    "1.01 mL is not a whole number of 0.1 mL steps");
	ok(dispense_volume(1100, 1000, 100, &ul) && ul == 1100,
	    "1.10 mL is 11 steps of 0.1 mL");
	ok(!dispense_volume(1000, 0, 10, &ul), "no concentration, no volume");
}

static void
test_capsules(void)
{
	static const int32_t s[] = { 1000, 1500, 4500 };
	int32_t c[DISPENSE_MAX_STRENGTHS];

	ok(dispense_capsules(4500, s, 3, 3, c) && c[2] == 1 && c[0] == 0 &&
	        c[1] == 0,
	    "4.5 mg is one 4.5 mg capsule, not three of 1.5 mg");
	ok(dispense_capsules(3000, s, 3, 3, c) && c[1] == 2 && c[0] == 0,
	    "3 mg is two of 1.5 mg (fewest capsules)");
	ok(dispense_capsules(4000, s, 3, 3, c) && c[1] == 2 && c[0] == 1,
	    "4 mg is 1.5 + 1.5 + 1");
	ok(!dispense_capsules(500, s, 3, 3, c),
	    "0.5 mg cannot be made from 1, 1.5 and 4.5 mg capsules");
	ok(!dispense_capsules(4000, s, 3, 2, c),
	    "4 mg needs three capsules: refused with at most two");
	ok(dispense_capsules(3500, s, 3, 3, c) && c[1] == 1 && c[0] == 2,
	    "3.5 mg at the three-capsule limit is 1.5 + 1 + 1");
	ok(!dispense_capsules(3500, s, 3, 2, c),
	    "3.5 mg one capsule over the limit is refused");
	ok(!dispense_capsules(2600, s, 3, 8, c),
	    "2.6 mg is never rounded to 2.5 mg");
	/* every dose from 0.1 to 9 mg: made exactly or not at all */
	for (int32_t dose = 100; dose <= 9000; dose += 100) {
		int32_t sum = 0, n = 0;

		if (!dispense_capsules(dose, s, 3, 3, c))
			continue;
		for (int k = 0; k < 3; k++) {
			sum += c[k] * s[k];
			n += c[k];
		}
		if (sum != dose || n > 3)
			ok(false, "%d ug made as %d ug in %d capsules",
			    (int)dose, (int)sum, (int)n);
	}
	ok(true, "no combination differs from its dose or exceeds 3 capsules");
}

static struct ldn_plan *
plan_of(const struct ldn_kb *kb, const char *json, const char *as_of,
    const char *preset)
{
	struct ldn_plan *pl = NULL;
	struct ldn_error err = { 0 };

	if (ldn_plan_build_with(kb, json, strlen(json), false, as_of, preset,
	        NULL, 0, NULL, &pl, &err) != LDN_OK)
		return NULL;
	return pl;
}

/* A supply that ends on the beyond-use date needs one fill; a day more
 * needs a refill on the day after. */
static void
test_fills(const struct ldn_kb *kb)
{
	const char *json = "{\"id\":\"f\",\"birth_date\":\"1970-01-01\","
	                   "\"weight_kg\":70,\"medications\":[],"
	                   "\"conditions\":[]}";
	struct ldn_plan *pl = plan_of(kb, json, "2026-03-02", NULL);
	struct dispense_opts o;
	struct dispense d;
	struct dispense_fill f[DISPENSE_MAX_FILLS];
	struct ldn_error err = { 0 };
	const struct fm_storage *room = NULL, *fridge = NULL;

	if (!ok(pl != NULL, "a plan for a healthy adult"))
		return;
	ok(dispense_parse(kb, NULL, 0, &o, &err) == LDN_OK &&
	        strcmp(o.form->id, "liquid") == 0 && o.conc_ug_per_ml == 1000,
	    "the default form is the liquid at 1 mg/mL");
	for (size_t i = 0; i < o.form->n_beyond_use; i++) {
		if (strcmp(o.form->beyond_use[i].storage, "room") == 0)
			room = &o.form->beyond_use[i];
		if (strcmp(o.form->beyond_use[i].storage, "refrigerated") == 0)
			fridge = &o.form->beyond_use[i];
	}
	if (!ok(room && fridge, "the liquid is dated at room and fridge"))
		return;
	for (int extra = 0; extra <= 1; extra++) {
		o.supply_days = room->days + extra;
		dispense_compute(pl, &o, &d);
		size_t n = dispense_fills(&d, room, f, DISPENSE_MAX_FILLS);

		ok(n == (size_t)(1 + extra),
		    "a %d-day supply at room temperature (%d days) needs %d "
		    "fill(s) (got %zu)",
		    (int)o.supply_days, (int)room->days, 1 + extra, n);
		ok(f[0].last == d.first + room->days - 1,
		    "the first fill's last day of use is day %d",
		    (int)room->days);
		if (extra)
			ok(f[1].made == f[0].last + 1 &&
			        f[1].to - f[1].from == 1,
			    "the refill is made the day after and covers the "
			    "one day left");
		n = dispense_fills(&d, fridge, f, DISPENSE_MAX_FILLS);
		ok(n == 1, "refrigerated (%d days) one fill covers it",
		    (int)fridge->days);
		int64_t sum = 0;

		n = dispense_fills(&d, room, f, DISPENSE_MAX_FILLS);
		for (size_t k = 0; k < n; k++)
			sum += f[k].volume_ul;
		ok(sum == d.total_ul, "the fills add up to the total (%lld ul)",
		    (long long)d.total_ul);
		dispense_fini(&d);
	}
	o.supply_days = fridge->days;
	dispense_compute(pl, &o, &d);
	ok(dispense_fills(&d, fridge, f, DISPENSE_MAX_FILLS) == 1,
	    "a supply ending on the fridge dating needs no refill");
	dispense_fini(&d);
	o.supply_days = fridge->days + 1;
	dispense_compute(pl, &o, &d);
	ok(dispense_fills(&d, fridge, f, DISPENSE_MAX_FILLS) == 2,
	    "one day more needs a refill");
	dispense_fini(&d);
	/* the default supply: the titration to the ceiling and 30 days */
	o.supply_days = 0;
	dispense_compute(pl, &o, &d);
	ok(d.supply_default &&
	        d.supply_days == 42 + kb->formulations->supply_after_ceiling_d,
	    "the default seed supply is 6 weeks of titration and %d days "
	    "(got %d)",
	    (int)kb->formulations->supply_after_ceiling_d, (int)d.supply_days);
	ok(d.total_ul ==
	        7 * (1500 + 2000 + 2500 + 3000 + 3500 + 4000) +
	            (int64_t)kb->formulations->supply_after_ceiling_d * 4500,
	    "its volume is each step's dose times its days (%lld ul)",
	    (long long)d.total_ul);
	dispense_fini(&d);
	ldn_plan_free(pl);
}

static void
test_parse(const struct ldn_kb *kb)
{
	struct dispense_opts o;
	struct ldn_error err = { 0 };

	ok(dispense_parse(kb, "liquid:1", 0, &o, &err) == LDN_OK &&
	        o.conc_ug_per_ml == 1000,
	    "liquid:1 is 1000 ug/mL");
	ok(dispense_parse(kb, "liquid:1.000", 0, &o, &err) == LDN_OK,
	    "liquid:1.000 is the same");
	ok(dispense_parse(kb, "liquid:5", 0, &o, &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "formulation") == 0,
	    "liquid:5 is refused: no source dates it");
	ok(dispense_parse(kb, "liquid:", 0, &o, &err) == LDN_E_SCHEMA,
	    "liquid: without a number is refused");
	ok(dispense_parse(kb, "liquid:1x", 0, &o, &err) == LDN_E_SCHEMA,
	    "liquid:1x is refused");
	ok(dispense_parse(kb, "capsule:1", 0, &o, &err) == LDN_E_SCHEMA,
	    "capsules take no concentration");
	ok(dispense_parse(kb, "capsule", 0, &o, &err) == LDN_OK &&
	        o.form->kind == FK_CAPSULE,
	    "capsule");
	ok(dispense_parse(kb, "sublingual", 366, &o, &err) == LDN_OK,
	    "sublingual, 366 days");
	ok(dispense_parse(kb, "sublingual", 367, &o, &err) == LDN_E_SCHEMA &&
	        strcmp(err.where, "supply_days") == 0,
	    "367 days is refused, naming supply_days");
}

/* Every format for the pharmacist: the clinician's plan, and the sheet in
 * text, json and html. */
/* A plan that keeps an opioid under opioid_co_use=relative: the
 * prescriber's check box says so, in every format, instead of "no
 * opioid is taken"; the same patient under the default gets no sheet. */
static void
test_co_use(const struct ldn_kb *kb)
{
	static const char patient[] =
	    "{\"id\":\"cu\",\"age_years\":50,\"sex\":\"female\","
	    "\"weight_kg\":70,\"pregnancy\":\"none\","
	    "\"opioid_analgesia_required\":false,\"medications\":[{"
	    "\"rxnorm\":\"835603\",\"name\":\"Tramadol 50 mg tablet\","
	    "\"status\":\"active\",\"daily_dose_mg\":200}]}";
	static const enum ldn_format fmts[] = { LDN_FORMAT_TEXT,
		LDN_FORMAT_JSON, LDN_FORMAT_HTML };
	const char *policy = "opioid_co_use=relative";
	struct ldn_plan *pl = NULL;
	struct ldn_error err = { 0 };

	if (!ok(ldn_plan_build_with(kb, patient, strlen(patient), false,
	            "2026-11-25", NULL, &policy, 1, NULL, &pl,
	            &err) == LDN_OK &&
	            ldn_plan_ceiling_ug(pl) == 500,
	        "co-use plan builds, capped at 0.5 mg"))
		return;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(*fmts); i++) {
		char *s = NULL;
		size_t n = 0, k = 0;

		if (ldn_plan_render(pl, fmts[i], LDN_AUDIENCE_PHARMACIST, &s,
		        &n, &err) == LDN_OK)
			/* words wrapped across lines read as one line */
			for (size_t j = 0; j < n; j++)
				if (!(s[j] == '\n' || s[j] == ' ') ||
				    (k > 0 && s[k - 1] != ' '))
					s[k++] = s[j] == '\n' ? ' ' : s[j];
		if (s != NULL)
			s[k] = '\0';
		ok(s != NULL && strstr(s, "No opioid is taken") == NULL &&
		        strstr(s, "keeps under the opioid_co_use policy") !=
		            NULL,
		    "format %zu: the prescriber's check names the kept opioid",
		    i);
		free(s);
	}
	ldn_plan_free(pl);
}

static void
test_audience(const struct ldn_kb *kb, const char *root)
{
	char path[4096];
	FILE *fp;
	char buf[1 << 16];
	size_t n;
	struct ldn_plan *pl;
	static const enum ldn_format fmts[] = { LDN_FORMAT_TEXT,
		LDN_FORMAT_JSON, LDN_FORMAT_HTML, LDN_FORMAT_FHIR,
		LDN_FORMAT_ICS };
	static const char *const marks[] = { "Dispensing sheet (pharmacist)",
		"\"dispensing\"", "id=\"dispensing\"", NULL, NULL };

	snprintf(path, sizeof(path), "%s/examples/fibromyalgia.json", root);
	fp = fopen(path, "rb");
	if (!ok(fp != NULL, "example patient opens"))
		return;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	pl = plan_of(kb, buf, "2026-11-25", NULL);
	if (!ok(pl != NULL, "example plan builds"))
		return;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(*fmts); i++) {
		char *ph = NULL, *cl = NULL;
		size_t phn = 0, cln = 0;
		struct ldn_error err = { 0 };

		ok(ldn_plan_render(pl, fmts[i], LDN_AUDIENCE_PHARMACIST, &ph,
		       &phn, &err) == LDN_OK &&
		        ldn_plan_render(pl, fmts[i], LDN_AUDIENCE_CLINICIAN,
		            &cl, &cln, &err) == LDN_OK,
		    "format %zu renders for the pharmacist and the clinician",
		    i);
		if (ph == NULL || cl == NULL) {
			free(ph);
			free(cl);
			continue;
		}
		if (marks[i] == NULL)
			ok(phn == cln && memcmp(ph, cl, cln) == 0,
			    "format %zu: the pharmacist's is the clinician's",
			    i);
		else {
			ok(strstr(ph, marks[i]) != NULL &&
			        strstr(cl, marks[i]) == NULL,
			    "format %zu: the sheet is the pharmacist's only",
			    i);
			/* the clinician's findings and pending marks, the same
			 * up to where the sheet begins (json: after its
			 * audience member) */
			const char *k =
			    fmts[i] == LDN_FORMAT_JSON ? "\"decision\"" : "";
			const char *p0 = strstr(ph, k), *c0 = strstr(cl, k);
			const char *end = strstr(ph, marks[i]);
			size_t len = p0 && end ? (size_t)(end - p0) : 0;

			ok(p0 && c0 && len > 1000 && strlen(c0) > len &&
			        memcmp(p0, c0, len) == 0,
			    "format %zu: the clinician's plan up to the sheet "
			    "(%zu bytes), pending marks and all",
			    i, len);
		}
		free(ph);
		free(cl);
	}
	ldn_plan_free(pl);
}

/* Patients made up at random, planned under every preset and dispensed
 * in every form for a random supply. */
static void
test_property(const struct ldn_kb *kb, long count)
{
	static const char *const presets[] = { NULL, "seed", "ldnrt", "slow",
		"thyroid", "child", "final6" };
	static const char *const forms[] = { "liquid", "capsule",
		"sublingual" };
	long plans = 0, dns = 0, steps = 0, inexact = 0, bad = 0;

	for (long i = 0; i < count; i++) {
		char json[1024], as_of[11], born[11], last[11];
		int32_t today = date_from_ymd(2026, 1, 1) + (int32_t)pick(700);
		int age = 8 + (int)pick(80);
		int opioid =
		    (int)pick(4); /* none, stopped, stopped long, now */
		struct ldn_plan *pl;
		struct ldn_step st;

		date_format(today, as_of);
		date_format(today - age * 366 - (int32_t)pick(300), born);
		date_format(today - 1 - (int32_t)pick(20), last);
		snprintf(json, sizeof(json),
		    "{\"id\":\"g%ld\",\"birth_date\":\"%s\",\"weight_kg\":%d,"
		    "\"sensitive\":%s,\"conditions\":[],\"medications\":[%s%s%"
		    "s%s]}",
		    i, born, 20 + (int)pick(90), pick(4) ? "false" : "true",
		    opioid == 0
		        ? ""
		        : "{\"name\":\"Oxycodone 5 mg tablet\",\"status\":",
		    opioid == 0       ? ""
		        : opioid == 3 ? "\"active\""
		                      : "\"stopped\",\"last_dose\":\"",
		    opioid == 1 || opioid == 2 ? last : "",
		    opioid == 0       ? ""
		        : opioid == 3 ? "}"
		                      : "\"}");
		pl = plan_of(kb, json, as_of, presets[pick(7)]);
		if (pl == NULL)
			continue; /* a preset this patient is excluded from */
		plans++;
		for (size_t f = 0; f < 3; f++) {
			struct dispense_opts o;
			struct dispense d;
			struct ldn_error err = { 0 };
			int32_t days = 0;

			if (dispense_parse(kb, forms[f],
			        pick(3) ? 0 : 1 + (int32_t)pick(366), &o,
			        &err) != LDN_OK ||
			    !dispense_compute(pl, &o, &d)) {
				bad++;
				continue;
			}
			if (ldn_plan_decision(pl) ==
			    LDN_DECISION_DO_NOT_START) {
				dns += f == 0;
				if (d.available || d.n_steps != 0 ||
				    d.total_ul != 0)
					bad++,
					    ok(false,
					        "%s: a sheet for do-not-start",
					        json);
				dispense_fini(&d);
				continue;
			}
			if (d.n_steps != ldn_plan_n_steps(pl))
				bad++,
				    ok(false, "%s: %zu steps, plan has %zu",
				        json, d.n_steps, ldn_plan_n_steps(pl));
			for (size_t k = 0; k < d.n_steps; k++) {
				const struct dispense_step *s = &d.steps[k];
				int32_t made = 0;

				ldn_plan_step(pl, k, &st);
				steps++;
				days += s->days;
				if (s->dose_ug != st.dose_ug ||
				    s->dose_ug > ldn_plan_ceiling_ug(pl))
					bad++,
					    ok(false, "%s: step %zu dose %d",
					        json, k, (int)s->dose_ug);
				if (!s->exact) {
					inexact++;
					continue;
				}
				if (o.form->kind == FK_LIQUID)
					made = (int32_t)((int64_t)s->volume_ul *
					    d.conc_ug_per_ml / 1000);
				else
					for (size_t c = 0;
					     c < o.form->n_strengths; c++)
						made += s->count[c] *
						    o.form->strengths_ug[c];
				if (made != s->dose_ug ||
				    (o.form->kind == FK_CAPSULE &&
				        s->n_capsules > o.form->max_per_dose))
					bad++,
					    ok(false,
					        "%s: %s step %zu makes %d ug "
					        "for %d",
					        json, forms[f], k, (int)made,
					        (int)s->dose_ug);
			}
			if (days != d.supply_days)
				bad++,
				    ok(false, "%s: steps cover %d of %d days",
				        json, (int)days, (int)d.supply_days);
			dispense_fini(&d);
		}
		ldn_plan_free(pl);
	}
	ok(bad == 0,
	    "%ld plans (%ld do-not-start), %ld dispensed steps (%ld not "
	    "exact in their form): every dose the schedule's, never above the "
	    "ceiling, nothing for do-not-start (%ld failures)",
	    plans, dns, steps, inexact, bad);
	ok(plans > count / 2 && dns > 0 && inexact > 0,
	    "the generator reaches plans, do-not-start and inexact doses");
}

int
main(int argc, char **argv)
{
	struct ldn_kb *kb = NULL;
	struct ldn_error err = { 0 };
	char path[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: dispense SOURCE_ROOT [COUNT]\n");
		return 2;
	}
	test_volume();
	test_capsules();
	snprintf(path, sizeof(path), "%s/kb", argv[1]);
	if (!ok(ldn_kb_load(path, &kb, &err) == LDN_OK, "kb loads: %s %s",
	        err.where, err.msg))
		return tap_done();
	test_parse(kb);
	test_fills(kb);
	test_audience(kb, argv[1]);
	test_co_use(kb);
	test_property(kb, argc > 2 ? atol(argv[2]) : 3000);
	ldn_kb_free(kb);
	return tap_done();
}
