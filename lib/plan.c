/*
 * The public face of the pipeline: build a plan (intake, screen, titrate,
 * compose) and let callers look at it.  Rendering lives in render/.
 */
#include "draft.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/tree.h"
#include "intake/intake.h"

enum {
	PLAN_ARENA_LIMIT = 64u << 20
};

static const char *const decision_names[] = { "start", "wait", "do-not-start" };

const char *
ldn_decision_name(enum ldn_decision d)
{
	return (unsigned)d < 3 ? decision_names[d] : "unknown";
}

static_assert(LDN_INPUT_PADDING >= JSON_INPUT_PADDING,
    "the public padding must cover the JSON parser's");

static enum ldn_status build(const struct ldn_kb *kb, const char *buf,
    size_t len, bool padded, const char *as_of, const char *preset,
    const char *const *policies, size_t n_policies,
    const struct ldn_review *review, struct ldn_plan **out,
    struct ldn_error *err);

enum ldn_status
ldn_plan_build(const struct ldn_kb *kb, const char *buf, size_t len,
    const char *as_of, struct ldn_plan **out, struct ldn_error *err)
{
	return build(kb, buf, len, false, as_of, NULL, NULL, 0, NULL, out, err);
}

enum ldn_status
ldn_plan_build_padded(const struct ldn_kb *kb, const char *buf, size_t len,
    const char *as_of, struct ldn_plan **out, struct ldn_error *err)
{
	return build(kb, buf, len, true, as_of, NULL, NULL, 0, NULL, out, err);
}

enum ldn_status
ldn_plan_build_with(const struct ldn_kb *kb, const char *buf, size_t len,
    bool padded, const char *as_of, const char *preset,
    const char *const *policies, size_t n_policies,
    const struct ldn_review *review, struct ldn_plan **out,
    struct ldn_error *err)
{
	return build(kb, buf, len, padded, as_of, preset, policies, n_policies,
	    review, out, err);
}

/*
 * The policies where sources conflict (kb/README.md "Policies"): each
 * NAME with its default (the seed's) and its alternative, and the plan's
 * switch.
 */
#define POLICIES "periop_restart=seed|24h, opioid_co_use=seed|relative"

static const struct {
	const char *name, *seed, *alternative;
	size_t offset; /* of the plan's bool */
} policy_table[] = {
	{ "periop_restart", "seed", "24h",
	    offsetof(struct ldn_plan, periop_restart_24h) },
	{ "opioid_co_use", "seed", "relative",
	    offsetof(struct ldn_plan, opioid_co_use_relative) },
};

enum {
	N_POLICIES = sizeof(policy_table) / sizeof(policy_table[0])
};

static bool
policy_on(const struct ldn_plan *pl, size_t i)
{
	return *(const bool *)(const void *)((const char *)pl +
	    policy_table[i].offset);
}

static void
policy_set(struct ldn_plan *pl, size_t i, bool on)
{
	*(bool *)(void *)((char *)pl + policy_table[i].offset) = on;
}

/* One "NAME=VALUE" policy choice, or an error naming the field "policy". */
static enum ldn_status
set_policy(struct ldn_plan *pl, const char *choice, struct ldn_error *err)
{
	const char *eq = strchr(choice, '=');
	size_t n = eq != NULL ? (size_t)(eq - choice) : strlen(choice);

	if (eq == NULL)
		return ldn_fail(err, LDN_E_SCHEMA, "policy",
		    "\"%.64s\" is not NAME=VALUE; the policies are " POLICIES,
		    choice);
	for (size_t i = 0; i < N_POLICIES; i++) {
		if (n != strlen(policy_table[i].name) ||
		    strncmp(choice, policy_table[i].name, n) != 0)
			continue;
		if (strcmp(eq + 1, policy_table[i].seed) == 0)
			policy_set(pl, i, false);
		else if (strcmp(eq + 1, policy_table[i].alternative) == 0)
			policy_set(pl, i, true);
		else
			return ldn_fail(err, LDN_E_SCHEMA, "policy",
			    "\"%.64s\" is not a value of %s; it is %s (the "
			    "default) or %s",
			    eq + 1, policy_table[i].name, policy_table[i].seed,
			    policy_table[i].alternative);
		return LDN_OK;
	}
	return ldn_fail(err, LDN_E_SCHEMA, "policy",
	    "\"%.*s\" is not a policy; the policies are " POLICIES,
	    (int)(n > 64 ? 64 : n), choice);
}

/* The preset named id (NULL: the default), or an error naming the field
 * "preset" with the ones there are. */
static enum ldn_status
find_preset(const struct ldn_kb *kb, const char *id,
    const struct kb_preset **out, struct ldn_error *err)
{
	char known[256];
	size_t o = 0;

	if (id == NULL) {
		*out = kb->default_preset;
		return LDN_OK;
	}
	if ((*out = kb_preset_find(kb, id)) != NULL)
		return LDN_OK;
	known[0] = '\0';
	for (size_t i = 0; i < kb->n_presets && o < sizeof(known) - 40; i++)
		o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
		    i ? ", " : "", kb->presets[i].id);
	return ldn_fail(err, LDN_E_SCHEMA, "preset",
	    "\"%.64s\" is not a preset; the presets are %s", id, known);
}

/* A preset for children only, asked for an adult (or an unknown age):
 * refused, since its dose by weight would be a fixed full dose. */
static enum ldn_status
preset_fits(const struct ldn_plan *pl, struct ldn_error *err)
{
	int age = pl->patient->age_years;

	if (!pl->preset->child_only ||
	    (age >= 0 && age < pl->kb->params.adult_y))
		return LDN_OK;
	if (age < 0)
		return ldn_fail(err, LDN_E_SCHEMA, "preset",
		    "the %s preset is for patients under %d; this patient's "
		    "age is not recorded",
		    pl->preset->id, (int)pl->kb->params.adult_y);
	return ldn_fail(err, LDN_E_SCHEMA, "preset",
	    "the %s preset is for patients under %d; this patient is %d",
	    pl->preset->id, (int)pl->kb->params.adult_y, age);
}

/* The steps after intake, shared by both ways in. */
static enum ldn_status build_rest(struct ldn_plan *pl, struct ldn_plan **out,
    struct ldn_error *err);

static enum ldn_status
build(const struct ldn_kb *kb, const char *buf, size_t len, bool padded,
    const char *as_of, const char *preset, const char *const *policies,
    size_t n_policies, const struct ldn_review *review, struct ldn_plan **out,
    struct ldn_error *err)
{
	const struct kb_preset *pr;
	struct ldn_plan *pl;
	int32_t day;
	enum ldn_status rc;

	if ((rc = find_preset(kb, preset, &pr, err)) != LDN_OK)
		return rc;
	if (review != NULL && review->kb != kb)
		return ldn_fail(err, LDN_E_BUG, "review",
		    "the review states are of another knowledge base");
	if (as_of == NULL)
		day = date_today();
	else if (!date_parse(as_of, strlen(as_of), &day))
		return ldn_fail(err, LDN_E_SCHEMA, "as_of",
		    "\"%s\" is not a date YYYY-MM-DD", as_of);
	pl = calloc(1, sizeof(*pl));
	if (pl == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	pl->arena = ARENA_INIT(PLAN_ARENA_LIMIT);
	pl->kb = kb;
	pl->as_of = day;
	pl->preset = pr;
	pl->review = review;
	rc = LDN_OK;
	for (size_t i = 0; i < n_policies && rc == LDN_OK; i++)
		rc = set_policy(pl, policies[i], err);
	if (rc == LDN_OK)
		rc = intake_parse(kb, &pl->arena, buf, len, padded, day,
		    &pl->patient, err);
	if (rc == LDN_OK)
		rc = preset_fits(pl, err);
	if (rc != LDN_OK) {
		ldn_plan_free(pl);
		return rc;
	}
	return build_rest(pl, out, err);
}

enum ldn_status
plan_build_tree(const struct ldn_kb *kb, const struct jnode *root,
    int32_t as_of, void (*amend)(struct patient *, void *), void *ud,
    struct ldn_plan **out, struct ldn_error *err)
{
	struct ldn_plan *pl = calloc(1, sizeof(*pl));
	enum ldn_status rc;

	if (pl == NULL)
		return ldn_fail(err, LDN_E_NOMEM, "", "out of memory");
	pl->arena = ARENA_INIT(PLAN_ARENA_LIMIT);
	pl->kb = kb;
	pl->as_of = as_of;
	pl->preset = kb->default_preset;
	rc = intake_tree(kb, &pl->arena, root, as_of, &pl->patient, err);
	if (rc != LDN_OK) {
		ldn_plan_free(pl);
		return rc;
	}
	if (amend != NULL)
		amend(pl->patient, ud);
	return build_rest(pl, out, err);
}

/* A preset asked for a patient it excludes (kb/presets.yaml "exclude":
 * the population of the trial it rests on), known once screened:
 * refused, naming the first reason. */
static enum ldn_status
preset_excluded(const struct ldn_plan *pl, struct ldn_error *err)
{
	const struct preset_rule *r = preset_exclusion(pl, pl->preset);

	if (r == NULL)
		return LDN_OK;
	return ldn_fail(err, LDN_E_SCHEMA, "preset",
	    "the %s preset is not for this patient: %s", pl->preset->id,
	    r->reason);
}

static enum ldn_status
build_rest(struct ldn_plan *pl, struct ldn_plan **out, struct ldn_error *err)
{
	enum ldn_status rc;

	pl->periop_restart_d = pl->periop_restart_24h
	    ? pl->kb->params.periop_restart_24h_d
	    : pl->kb->params.washout_short_d;
	screen(pl);
	if ((rc = preset_excluded(pl, err)) != LDN_OK) {
		ldn_plan_free(pl);
		return rc;
	}
	titrate(pl);
	compose(pl);
	if (pl->arena.failed) {
		ldn_plan_free(pl);
		return ldn_fail(err, LDN_E_NOMEM, "",
		    "the plan is too large to build");
	}
	date_format(pl->as_of, pl->as_of_str);
	if (pl->earliest != DATE_NONE)
		date_format(pl->earliest, pl->earliest_str);
	*out = pl;
	return LDN_OK;
}

void
ldn_plan_free(struct ldn_plan *plan)
{
	if (plan == NULL)
		return;
	arena_free(&plan->arena);
	free(plan);
}

enum ldn_decision
ldn_plan_decision(const struct ldn_plan *plan)
{
	return plan->decision;
}

const char *
ldn_plan_earliest_start(const struct ldn_plan *plan)
{
	return plan->earliest_str;
}

const char *
ldn_plan_as_of(const struct ldn_plan *plan)
{
	return plan->as_of_str;
}

const char *
ldn_plan_patient_id(const struct ldn_plan *plan)
{
	return plan->patient->id;
}

bool
ldn_plan_is_fhir(const struct ldn_plan *plan)
{
	return plan->patient->from_fhir;
}

const struct ldn_kb *
ldn_plan_kb(const struct ldn_plan *plan)
{
	return plan->kb;
}

const char *
ldn_plan_preset(const struct ldn_plan *plan)
{
	return plan->preset->id;
}

size_t
ldn_plan_overrides(const struct ldn_plan *plan, const char **names,
    const char **values, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < N_POLICIES && n < max; i++)
		if (policy_on(plan, i)) {
			names[n] = policy_table[i].name;
			values[n++] = policy_table[i].alternative;
		}
	return n;
}

size_t
ldn_kb_n_presets(const struct ldn_kb *kb)
{
	return kb->n_presets;
}

const char *
ldn_kb_preset_id(const struct ldn_kb *kb, size_t i)
{
	return kb->presets[i].id;
}

const char *
ldn_plan_timing(const struct ldn_plan *plan)
{
	return plan->morning ? "morning" : "bedtime";
}

int32_t
ldn_plan_ceiling_ug(const struct ldn_plan *plan)
{
	return plan->ceiling_ug;
}

int32_t
ldn_plan_step_ug(const struct ldn_plan *plan)
{
	return plan->step_ug;
}

int
ldn_plan_interval_d(const struct ldn_plan *plan)
{
	return plan->interval_d;
}

size_t
ldn_plan_n_steps(const struct ldn_plan *plan)
{
	return plan->n_steps;
}

void
ldn_plan_step(const struct ldn_plan *plan, size_t i, struct ldn_step *out)
{
	const struct step *s = &plan->steps[i];

	date_format(s->date, out->date);
	out->day = (int)(s->date - plan->steps[0].date) + 1;
	out->dose_ug = s->dose_ug;
	out->kind = step_kind_names[s->kind];
}

size_t
ldn_plan_n_findings(const struct ldn_plan *plan)
{
	return plan->n_findings;
}

void
ldn_plan_finding(const struct ldn_plan *plan, size_t i, struct ldn_finding *out)
{
	const struct finding *f = &plan->findings[i];

	out->id = entry_specs[f->id].id;
	out->severity = severity_names[entry_specs[f->id].severity];
	out->lifts[0] = '\0';
	if (f->lift != DATE_NONE)
		date_format(f->lift, out->lifts);
}

size_t
ldn_plan_n_blackouts(const struct ldn_plan *plan)
{
	return plan->n_blackouts;
}

void
ldn_plan_blackout(const struct ldn_plan *plan, size_t i, int32_t *from,
    int32_t *to)
{
	*from = plan->blackouts[i].from;
	*to = plan->blackouts[i].to;
}

static size_t
unresolved(const struct ldn_plan *pl, struct cites c)
{
	size_t n = 0;

	for (size_t i = 0; i < c.n; i++)
		n +=
		    c.ref[i] >= pl->kb->n_refs || pl->ref_number[c.ref[i]] == 0;
	return n + (c.n == 0);
}

size_t
ldn_plan_unresolved_citations(const struct ldn_plan *plan)
{
	const struct ldn_kb *kb = plan->kb;
	size_t n = 0;

	for (size_t i = 0; i < plan->n_findings; i++)
		n += unresolved(plan, finding_cites(kb, &plan->findings[i]));
	for (size_t i = 0; i < plan->n_items; i++)
		n += unresolved(plan, kb->entries[plan->items[i].id].cites);
	for (size_t i = 0; i < plan->n_statements; i++)
		n += unresolved(plan, plan->statements[i]->cites);
	return n;
}
