/*
 * Golden cases: tests/golden/NAME/ holds patient.json (the input), WHY (one
 * line: what the case proves), optionally AS_OF (default 2026-11-25) and
 * PRESET (the titration preset, as `--preset`; default the seed), POLICY
 * (one NAME=VALUE a line, as `--policy`; default none), DISPENSE
 * (`FORMULATION [SUPPLY_DAYS]`, as `--audience pharmacist --formulation
 * --supply-days`: plan.json then holds the dispensing sheet's numbers,
 * without its words), and
 * plan.json: the clinically decisive part of the plan (decision, dates,
 * ceiling, schedule, findings), or the error for refused input.  Wording
 * changes in kb/ do not touch these; rule changes do, and `golden --update`
 * rewrites them so the diff can be reviewed like code.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

#include "tap.h"

static json_t *
summary(const struct ldn_plan *plan)
{
	json_t *o = json_object(), *steps = json_array(), *fs = json_array();
	const char *es = ldn_plan_earliest_start(plan);

	json_object_set_new(o, "decision",
	    json_string(ldn_decision_name(ldn_plan_decision(plan))));
	json_object_set_new(o, "earliest_start",
	    *es ? json_string(es) : json_null());
	json_object_set_new(o, "ceiling_mg",
	    json_real(ldn_plan_ceiling_ug(plan) / 1000.0));
	/* Only where it is not the default, so the seed's cases stand. */
	if (strcmp(ldn_plan_preset(plan), "seed") != 0)
		json_object_set_new(o, "preset",
		    json_string(ldn_plan_preset(plan)));
	if (strcmp(ldn_plan_timing(plan), "bedtime") != 0)
		json_object_set_new(o, "timing",
		    json_string(ldn_plan_timing(plan)));
	for (size_t i = 0; i < ldn_plan_n_steps(plan); i++) {
		struct ldn_step s;
		char line[64];

		ldn_plan_step(plan, i, &s);
		snprintf(line, sizeof(line), "%s %s %g", s.date, s.kind,
		    s.dose_ug / 1000.0);
		json_array_append_new(steps, json_string(line));
	}
	json_object_set_new(o, "schedule", steps);
	for (size_t i = 0; i < ldn_plan_n_findings(plan); i++) {
		struct ldn_finding f;
		char line[128];

		ldn_plan_finding(plan, i, &f);
		snprintf(line, sizeof(line), "%s %s%s%s", f.severity, f.id,
		    *f.lifts ? " lifts " : "", f.lifts);
		json_array_append_new(fs, json_string(line));
	}
	json_object_set_new(o, "findings", fs);
	return o;
}

/* The numbers of the pharmacist's dispensing sheet for plan (form as
 * `--formulation`, supply_days as `--supply-days`), without its words:
 * the form, supply, each step's dose and what makes it, the total and
 * each storage's fills; for do-not-start, the blocking findings. */
static json_t *
dispensing(const struct ldn_plan *plan, const char *form, int supply_days)
{
	static const char *const drop[] = { "label", "pharmacist", "patient",
		"why", "warnings", "checks", "citations", "review", "inexact",
		NULL };
	char *out = NULL;
	size_t n;
	struct ldn_error err = { 0 };
	json_t *root, *d;

	if (ldn_plan_render_with(plan, LDN_FORMAT_JSON, LDN_AUDIENCE_PHARMACIST,
	        form, supply_days, &out, &n, &err) != LDN_OK)
		return json_pack("{s:s,s:s}", "error", err.where, "message",
		    err.msg);
	root = json_loadb(out, n, 0, NULL);
	free(out);
	d = json_incref(json_object_get(root, "dispensing"));
	json_decref(root);
	if (d == NULL)
		return json_null();
	for (const char *const *k = drop; *k; k++)
		json_object_del(d, *k);
	json_t *bu = json_object_get(d, "beyond_use"), *e;
	size_t i;

	json_array_foreach(bu, i, e) json_object_del(e, "citations");
	json_object_del(json_object_get(d, "supply"), "citations");
	return d;
}

/* Whether the compact JSON of plan holds what the indented JSON holds,
 * on one line. */
static bool
compact_is_pretty(const struct ldn_plan *plan, enum ldn_audience a)
{
	char *pretty = NULL, *compact = NULL;
	size_t pn, cn;
	struct ldn_error err = { 0 };
	json_t *p = NULL, *c = NULL;
	bool same = false;

	if (ldn_plan_render(plan, LDN_FORMAT_JSON, a, &pretty, &pn, &err) ==
	        LDN_OK &&
	    ldn_plan_render(plan, LDN_FORMAT_JSON_COMPACT, a, &compact, &cn,
	        &err) == LDN_OK) {
		p = json_loadb(pretty, pn, JSON_REJECT_DUPLICATES, NULL);
		c = json_loadb(compact, cn, JSON_REJECT_DUPLICATES, NULL);
		same = p && c && json_equal(p, c) && cn < pn &&
		    memchr(compact, '\n', cn) == NULL;
	}
	json_decref(p);
	json_decref(c);
	free(pretty);
	free(compact);
	return same;
}

static void
run_case(const struct ldn_kb *kb, const char *root, const char *name,
    int update)
{
	char path[1024], as_of[16] = "2026-11-25", preset[64] = "";
	char *input, *expect, *got, *why, *aof, *out, *pre, *pol, *disp;
	const char *policies[8];
	size_t n_policies = 0;
	size_t len, out_len;
	struct ldn_plan *plan = NULL;
	struct ldn_error err = { 0 };
	enum ldn_status rc;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s/patient.json", root, name);
	input = tap_slurp(path, &len);
	snprintf(path, sizeof(path), "%s/%s/WHY", root, name);
	why = tap_slurp(path, NULL);
	snprintf(path, sizeof(path), "%s/%s/AS_OF", root, name);
	if ((aof = tap_slurp(path, NULL)) != NULL) {
		snprintf(as_of, sizeof(as_of), "%.10s", aof);
		free(aof);
	}
	/* PRESET, when present, names the titration preset (--preset). */
	snprintf(path, sizeof(path), "%s/%s/PRESET", root, name);
	if ((pre = tap_slurp(path, NULL)) != NULL) {
		snprintf(preset, sizeof(preset), "%.*s",
		    (int)strcspn(pre, "\n"), pre);
		free(pre);
	}
	/* POLICY, when present, gives policy choices (--policy), a line
	 * each; pol holds them until the plan is built. */
	snprintf(path, sizeof(path), "%s/%s/POLICY", root, name);
	if ((pol = tap_slurp(path, NULL)) != NULL)
		for (char *line = strtok(pol, "\n");
		     line != NULL && n_policies < 8; line = strtok(NULL, "\n"))
			policies[n_policies++] = line;
	/* DISPENSE, when present: the pharmacist's sheet, "FORMULATION
	 * [SUPPLY_DAYS]" */
	snprintf(path, sizeof(path), "%s/%s/DISPENSE", root, name);
	disp = tap_slurp(path, NULL);
	if (input == NULL || why == NULL) {
		ok(0, "%s: patient.json and WHY present", name);
		free(disp);
		free(pol);
		free(input);
		free(why);
		return;
	}
	why[strcspn(why, "\n")] = '\0';
	rc = ldn_plan_build_with(kb, input, len, false, as_of,
	    *preset ? preset : NULL, policies, n_policies, NULL, &plan, &err);
	free(pol);
	if (rc == LDN_OK) {
		j = summary(plan);
		if (disp != NULL) {
			char form[64] = "";
			int days = 0;

			sscanf(disp, "%63s %d", form, &days);
			json_object_set_new(j, "dispensing",
			    dispensing(plan, form, days));
		}
		/* Every plan must render in every form for every audience,
		 * with every citation resolving. */
		for (int f = 0; f < 2; f++)
			for (int a = 0; a < 3; a++) {
				if (ldn_plan_render(plan, (enum ldn_format)f,
				        (enum ldn_audience)a, &out, &out_len,
				        &err) != LDN_OK) {
					ok(0, "%s: renders (%s)", name,
					    err.msg);
					continue;
				}
				free(out);
			}
		for (int a = 0; a < 3; a++)
			if (!compact_is_pretty(plan, (enum ldn_audience)a))
				ok(0, "%s: compact JSON is the JSON, on a line",
				    name);
		if (ldn_plan_unresolved_citations(plan) != 0)
			ok(0, "%s: every citation resolves", name);
		ldn_plan_free(plan);
	} else {
		j = json_pack("{s:{s:s,s:s,s:s}}", "error", "code",
		    ldn_status_name(rc), "where", err.where, "message",
		    err.msg);
	}
	got = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(j);
	snprintf(path, sizeof(path), "%s/%s/plan.json", root, name);
	if (update) {
		FILE *fp = fopen(path, "w");

		if (fp) {
			fprintf(fp, "%s\n", got);
			fclose(fp);
		}
		ok(fp != NULL, "%s: updated", name);
	} else {
		/* plan.json is the summary and a final newline */
		size_t n = strlen(got);
		bool same;

		expect = tap_slurp(path, NULL);
		same = expect && strncmp(expect, got, n) == 0 &&
		    strcmp(expect + n, "\n") == 0;
		ok(same, "%s: %s", name, why);
		if (!same)
			printf("# got:\n%s\n", got);
		free(expect);
	}
	free(got);
	free(input);
	free(why);
	free(disp);
}

int
main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "tests/golden";
	int update = argc > 2 && strcmp(argv[2], "--update") == 0;
	struct ldn_kb *kb;
	struct ldn_error err;
	char **names;
	size_t n = 0;

	if (ldn_kb_load(getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR, &kb,
	        &err) != LDN_OK) {
		printf("Bail out! knowledge base: %s: %s\n", err.where,
		    err.msg);
		return 1;
	}
	names = tap_list_dir(root, &n);
	if (names == NULL) {
		printf("Bail out! %s: %s\n", root, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		run_case(kb, root, names[i], update);
		free(names[i]);
	}
	free(names);
	ok(n >= 1, "found %zu golden cases", n);
	ldn_kb_free(kb);
	return tap_done();
}
