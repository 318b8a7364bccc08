/*
 * Loading kb/ and holding it to the contract.  The loader keeps going after a
 * problem, so `ldn kb check` can list them all; ldn_kb_load() refuses a KB
 * with any problem and reports the first.
 */
#include "kb_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/date.h"
#include "../base/jsonw.h"
#include "../base/tree.h"
#include "ask_kb.h"
#include "fields.h"
#include "formulation_kb.h"
#include "regimen_kb.h"
#include "tmpl.h"
#include "words.h"

const char *const evidence_names[EV_COUNT] = {
	[EV_RANDOMISED_TRIAL] = "randomised-trial",
	[EV_SYSTEMATIC_REVIEW] = "systematic-review",
	[EV_OBSERVATIONAL] = "observational",
	[EV_CASE_REPORT] = "case-report",
	[EV_REVIEW] = "review",
	[EV_LABEL] = "label",
	[EV_GUIDELINE] = "guideline",
	[EV_EXPERT_OPINION] = "expert-opinion",
	[EV_VENDOR_SUMMARY] = "vendor-summary",
};

const char *const audience_names[AUD_COUNT] = { "clinician", "patient" };

const char *const review_names[RV_COUNT] = {
	[RV_DRAFT] = "draft",
	[RV_SUBMITTED] = "submitted",
	[RV_UNDER_REVIEW] = "under-review",
	[RV_CHANGES_REQUESTED] = "changes-requested",
	[RV_APPROVED] = "approved",
	[RV_RETIRED] = "retired",
};

static const char *const unit_names[U_COUNT] = {
	[U_UG] = "ug",
	[U_D] = "d",
	[U_Y] = "y",
	[U_KG] = "kg",
	[U_UG_PER_KG] = "ug_per_kg",
	[U_EGFR] = "egfr",
	[U_PCT] = "pct",
	[U_POINTS] = "points",
	[U_H] = "h",
};

static const char *const ref_kinds[] = { "article", "label",
	"guideline-summary", "book-chapter", "web", "press-release", "registry",
	NULL };

enum {
	MAX_REFS = 60000
};

/* The engine's safe bound on a preset's ceiling, as number_specs bound
 * the numbers: the highest daily dose an LDN trial gave (kb/presets.yaml
 * cites it); a preset above it is refused, whatever the KB says. */
enum {
	PRESET_CEILING_MAX_UG = 6000
};

struct loader {
	struct ldn_kb *kb;
	struct arena *a;
	const char *dir;
	char file[512]; /* the file being read, as dir/name */
	ldn_kb_report_fn report;
	void *ud;
	size_t problems;
	struct ldn_error *err;
	uint64_t hash;
	bool *ref_used;
};

static void problem(struct loader *L, const struct jnode *at, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
problem(struct loader *L, const struct jnode *at, const char *fmt, ...)
{
	char where[600], msg[320];
	va_list ap;

	snprintf(where, sizeof(where), "%s:%u:%u", L->file, at ? at->line : 0,
	    at ? at->col : 0);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (L->problems++ == 0 && L->err != NULL)
		ldn_fail(L->err, LDN_E_KB, where, "%s", msg);
	if (L->report != NULL)
		L->report(L->ud, where, msg);
}

static void
problem_at_file(struct loader *L, const struct ldn_error *e)
{
	if (L->problems++ == 0 && L->err != NULL)
		*L->err = *e;
	if (L->report != NULL)
		L->report(L->ud, e->where, e->msg);
}

/* FNV-1a over every byte of every file, in load order: the fingerprint. */
static void
hash_file(struct loader *L, const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char buf[1 << 14];
	size_t n;

	if (fp == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		for (size_t i = 0; i < n; i++) {
			L->hash ^= buf[i];
			L->hash *= 0x100000001b3ULL;
		}
	fclose(fp);
}

static const struct jnode *
open_yaml(struct loader *L, const char *name, const char *top)
{
	struct ldn_error e;
	struct jnode *root;
	const struct jnode *list;

	snprintf(L->file, sizeof(L->file), "%s/%s", L->dir, name);
	if (yaml_parse_file(L->a, L->file, &root, &e) != LDN_OK) {
		problem_at_file(L, &e);
		return NULL;
	}
	hash_file(L, L->file);
	if (top == NULL)
		return root;
	list = tree_get(root, top);
	if (list == NULL || list->type != J_ARR) {
		problem(L, root, "expected a top-level list named \"%s\"", top);
		return NULL;
	}
	return list;
}

/* A string field; NULL (and a problem if required) when absent. */
static const char *
str_field(struct loader *L, const struct jnode *obj, const char *key,
    bool required)
{
	const struct jnode *v = tree_get(obj, key);

	if (v == NULL || v->type == J_NULL) {
		if (required)
			problem(L, obj, "missing field \"%s\"", key);
		return NULL;
	}
	if (v->type != J_STR || v->n == 0) {
		problem(L, v, "\"%s\" must be a non-empty string", key);
		return NULL;
	}
	if (strlen(v->u.s) != v->n) {
		problem(L, v, "\"%s\" contains a NUL byte", key);
		return NULL;
	}
	return v->u.s;
}

static bool
int_field(struct loader *L, const struct jnode *obj, const char *key,
    bool required, long lo, long hi, long *out)
{
	const struct jnode *v = tree_get(obj, key);
	char *end;
	long x;

	if (v == NULL || v->type == J_NULL) {
		if (required)
			problem(L, obj, "missing field \"%s\"", key);
		return false;
	}
	if (v->type != J_STR) {
		problem(L, v, "\"%s\" must be a whole number", key);
		return false;
	}
	errno = 0;
	x = strtol(v->u.s, &end, 10);
	if (errno != 0 || end == v->u.s || *end != '\0') {
		problem(L, v, "\"%s\" must be a whole number, not \"%s\"", key,
		    v->u.s);
		return false;
	}
	if (x < lo || x > hi) {
		problem(L, v, "\"%s\" must be between %ld and %ld", key, lo,
		    hi);
		return false;
	}
	*out = x;
	return true;
}

/* The index of s in a NULL-free name table of n entries, or -1. */
static int
name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static int
enum_field(struct loader *L, const struct jnode *obj, const char *key,
    const char *const *names, size_t n, bool required)
{
	const char *s = str_field(L, obj, key, required);
	int i;

	if (s == NULL)
		return -1;
	i = name_index(names, n, s);
	if (i < 0) {
		char allowed[300];
		size_t o = 0;

		allowed[0] = '\0';
		for (size_t k = 0; k < n && o < sizeof(allowed) - 40; k++)
			if (names[k] != NULL)
				o += (size_t)snprintf(allowed + o,
				    sizeof(allowed) - o, "%s%s", o ? ", " : "",
				    names[k]);
		problem(L, tree_get(obj, key), "\"%s\" is \"%s\"; allowed: %s",
		    key, s, allowed);
	}
	return i;
}

static void
check_keys(struct loader *L, const struct jnode *obj,
    const char *const *allowed)
{
	for (size_t i = 0; i < obj->n; i++) {
		bool ok = false;

		for (const char *const *k = allowed; *k && !ok; k++)
			ok = strcmp(*k, obj->u.members[i].key) == 0;
		if (!ok)
			problem(L, &obj->u.members[i].val,
			    "unknown field \"%s\"", obj->u.members[i].key);
	}
}

int
kb_ref_index(const struct ldn_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_refs; i++)
		if (strcmp(kb->refs[i].id, id) == 0)
			return (int)i;
	return -1;
}

static bool
valid_id(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		        *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static struct cites
cites_field(struct loader *L, const struct jnode *obj)
{
	const struct jnode *v = tree_get(obj, "cites");
	struct cites c = { NULL, 0 };
	uint16_t *idx;

	if (v == NULL || v->type != J_ARR || v->n == 0) {
		problem(L, v ? v : obj,
		    "\"cites\" must list at least one reference id");
		return c;
	}
	idx = arena_calloc(L->a, v->n, sizeof(*idx));
	if (idx == NULL)
		return c;
	for (size_t i = 0; i < v->n; i++) {
		const struct jnode *e = &v->u.items[i];
		int r;

		if (e->type != J_STR) {
			problem(L, e, "a citation must be a reference id");
			continue;
		}
		r = kb_ref_index(L->kb, e->u.s);
		if (r < 0) {
			problem(L, e,
			    "citation \"%s\" does not resolve to a reference",
			    e->u.s);
			continue;
		}
		for (size_t k = 0; k < c.n; k++)
			if (idx[k] == r)
				problem(L, e, "\"%s\" is cited twice", e->u.s);
		L->ref_used[r] = true;
		idx[c.n++] = (uint16_t)r;
	}
	c.ref = idx;
	return c;
}

static void
load_manifest(struct loader *L)
{
	static const char *const keys[] = { "name", "version", "updated",
		"review", NULL };
	const struct jnode *root = open_yaml(L, "kb.yaml", NULL);
	const struct jnode *rv;
	const char *updated;
	int32_t day;

	if (root == NULL)
		return;
	if (root->type != J_OBJ) {
		problem(L, root, "kb.yaml must be a mapping");
		return;
	}
	check_keys(L, root, keys);
	L->kb->name = str_field(L, root, "name", true);
	L->kb->version = str_field(L, root, "version", true);
	updated = str_field(L, root, "updated", true);
	if (updated && !date_parse(updated, strlen(updated), &day))
		problem(L, tree_get(root, "updated"),
		    "\"updated\" must be a date YYYY-MM-DD");
	L->kb->updated = updated;
	rv = tree_get(root, "review");
	if (rv == NULL || rv->type != J_OBJ) {
		problem(L, root, "\"review\" must be a mapping with a state");
		return;
	}
	int st = enum_field(L, rv, "state", review_names, RV_COUNT, true);
	L->kb->review = st < 0 ? RV_DRAFT : (enum review_state)st;
	if (st > RV_SUBMITTED)
		problem(L, rv,
		    "a release is draft or submitted here: what is approved "
		    "is recorded item by item (`ldn kb status`)");
	L->kb->review_note = str_field(L, rv, "note", false);
}

static void
load_references(struct loader *L)
{
	static const char *const keys[] = { "id", "seed_cite", "kind",
		"evidence", "title", "authors", "source", "year", "volume",
		"pages", "doi", "pmid", "url", "accessed", "resolution", "note",
		NULL };
	static const char *const resolutions[] = { "resolved", "partial",
		"unresolved" };
	const struct jnode *list =
	    open_yaml(L, "references.yaml", "references");
	struct ldn_kb *kb = L->kb;

	if (list == NULL)
		return;
	if (list->n > MAX_REFS) {
		problem(L, list, "too many references");
		return;
	}
	kb->refs = arena_calloc(L->a, list->n ? list->n : 1, sizeof(*kb->refs));
	L->ref_used = arena_calloc(L->a, list->n ? list->n : 1, sizeof(bool));
	if (kb->refs == NULL || L->ref_used == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		struct kb_ref *r = &kb->refs[kb->n_refs];
		int32_t day;
		long v;
		int e;

		if (o->type != J_OBJ) {
			problem(L, o, "a reference must be a mapping");
			continue;
		}
		check_keys(L, o, keys);
		r->id = str_field(L, o, "id", true);
		if (r->id == NULL)
			continue;
		if (!valid_id(r->id))
			problem(L, tree_get(o, "id"),
			    "reference id \"%s\" must be lower-case letters, "
			    "digits and _",
			    r->id);
		if (kb_ref_index(kb, r->id) >= 0)
			problem(L, tree_get(o, "id"),
			    "duplicate reference id "
			    "\"%s\"",
			    r->id);
		r->line = o->line;
		r->col = o->col;
		r->seed_cite =
		    int_field(L, o, "seed_cite", false, 1, 99, &v) ? (int)v : 0;
		e = enum_field(L, o, "kind", ref_kinds, 7, true);
		r->kind = e >= 0 ? ref_kinds[e] : "article";
		e = enum_field(L, o, "evidence", evidence_names, EV_COUNT,
		    true);
		r->evidence = e >= 0 ? (enum evidence)e : EV_EXPERT_OPINION;
		r->title = str_field(L, o, "title", true);
		r->authors = str_field(L, o, "authors", false);
		r->source = str_field(L, o, "source", true);
		/* No year rather than an invented one: labels and web pages
		 * often have none, and the note says why. */
		r->year =
		    int_field(L, o, "year", false, 1900, 2100, &v) ? (int)v : 0;
		r->accessed = str_field(L, o, "accessed", false);
		if (r->accessed &&
		    !date_parse(r->accessed, strlen(r->accessed), &day))
			problem(L, tree_get(o, "accessed"),
			    "\"accessed\" must be a date YYYY-MM-DD");
		if (r->year == 0 && tree_get(o, "note") == NULL)
			problem(L, o,
			    "a reference without a year needs a "
			    "note that says why");
		r->volume = str_field(L, o, "volume", false);
		r->pages = str_field(L, o, "pages", false);
		r->doi = str_field(L, o, "doi", false);
		if (r->doi && strncmp(r->doi, "10.", 3) != 0)
			problem(L, tree_get(o, "doi"),
			    "a DOI starts with \"10.\"");
		r->pmid = str_field(L, o, "pmid", false);
		if (r->pmid)
			for (const char *c = r->pmid; *c; c++)
				if (*c < '0' || *c > '9') {
					problem(L, tree_get(o, "pmid"),
					    "a PMID is digits only");
					break;
				}
		r->url = str_field(L, o, "url", false);
		/* pages and the web page link it: web addresses only */
		if (r->url && strncmp(r->url, "https://", 8) != 0 &&
		    strncmp(r->url, "http://", 7) != 0)
			problem(L, tree_get(o, "url"),
			    "a url starts with \"https://\" or \"http://\"");
		e = enum_field(L, o, "resolution", resolutions, 3, true);
		r->resolution = e >= 0 ? resolutions[e] : "unresolved";
		r->note = str_field(L, o, "note", e > 0);
		kb->n_refs++;
	}
}

static enum unit
unit_of_spec(const char *id, int *spec)
{
	for (size_t i = 0; i < n_number_specs; i++)
		if (strcmp(number_specs[i].id, id) == 0) {
			*spec = (int)i;
			return number_specs[i].unit;
		}
	*spec = -1;
	return U_COUNT;
}

static void
load_numbers(struct loader *L)
{
	static const char *const keys[] = { "id", "value", "unit", "range",
		"cites", "why", NULL };
	const struct jnode *list = open_yaml(L, "numbers.yaml", "numbers");
	struct ldn_kb *kb = L->kb;
	bool seen[MAX_NUMBER_SPECS] = { false };

	for (size_t i = 0; i < n_number_specs; i++)
		kb->number_of_param[i] = -1;
	if (list == NULL)
		return;
	kb->numbers =
	    arena_calloc(L->a, list->n ? list->n : 1, sizeof(*kb->numbers));
	if (kb->numbers == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i], *rg;
		struct kb_number *nb = &kb->numbers[kb->n_numbers];
		long v;
		int u, spec;

		if (o->type != J_OBJ) {
			problem(L, o, "a number must be a mapping");
			continue;
		}
		check_keys(L, o, keys);
		nb->id = str_field(L, o, "id", true);
		if (nb->id == NULL)
			continue;
		for (size_t k = 0; k < kb->n_numbers; k++)
			if (strcmp(kb->numbers[k].id, nb->id) == 0)
				problem(L, o, "duplicate number \"%s\"",
				    nb->id);
		if (!int_field(L, o, "value", true, 0, 1000000, &v))
			continue;
		nb->value = (int32_t)v;
		u = enum_field(L, o, "unit", unit_names, U_COUNT, true);
		if (u < 0)
			continue;
		nb->unit = (enum unit)u;
		rg = tree_get(o, "range");
		if (rg != NULL) {
			char *e1, *e2;
			long lo, hi;

			if (rg->type != J_ARR || rg->n != 2 ||
			    rg->u.items[0].type != J_STR ||
			    rg->u.items[1].type != J_STR) {
				problem(L, rg, "\"range\" must be [low, high]");
			} else {
				lo = strtol(rg->u.items[0].u.s, &e1, 10);
				hi = strtol(rg->u.items[1].u.s, &e2, 10);
				if (*e1 || *e2 || lo > hi || v < lo || v > hi)
					problem(L, rg,
					    "\"range\" must be two whole "
					    "numbers "
					    "low <= value <= high");
				else {
					nb->has_range = true;
					nb->lo = (int32_t)lo;
					nb->hi = (int32_t)hi;
				}
			}
		}
		nb->cites = cites_field(L, o);
		nb->why = str_field(L, o, "why", true);
		if (unit_of_spec(nb->id, &spec) != U_COUNT) {
			const struct number_spec *s = &number_specs[spec];

			if (s->unit != nb->unit)
				problem(L, tree_get(o, "unit"),
				    "\"%s\" must be in %s", nb->id,
				    unit_names[s->unit]);
			else if (nb->value < s->min || nb->value > s->max)
				problem(L, tree_get(o, "value"),
				    "\"%s\" = %d is outside the engine's safe "
				    "bounds %d to %d",
				    nb->id, nb->value, s->min, s->max);
			else {
				*(int32_t *)((char *)&kb->params + s->offset) =
				    nb->value;
				kb->number_of_param[spec] = (int)kb->n_numbers;
				seen[spec] = true;
			}
		} else {
			problem(L, o, "number \"%s\" is not used by the engine",
			    nb->id);
		}
		kb->n_numbers++;
	}
	for (size_t s = 0; s < n_number_specs; s++)
		if (!seen[s])
			problem(L, list, "missing number \"%s\" (%s)",
			    number_specs[s].id,
			    unit_names[number_specs[s].unit]);
}

/* Cross-checks between numbers that each look fine alone. */
static void
check_params(struct loader *L)
{
	const struct params *p = &L->kb->params;
	const struct jnode *none = NULL;

	snprintf(L->file, sizeof(L->file), "%s/numbers.yaml", L->dir);
	if (p->ceiling_ug > p->ldn_max_ug)
		problem(L, none,
		    "dose.ceiling_ug is above dose.ldn_max_ug: "
		    "that would not be low-dose naltrexone");
	if (p->start_ug > p->ceiling_ug || p->start_sensitive_ug > p->start_ug)
		problem(L, none,
		    "doses must satisfy start_sensitive <= start "
		    "<= ceiling");
	if (p->granularity_ug > 0 &&
	    (p->start_ug % p->granularity_ug ||
	        p->step_ug % p->granularity_ug ||
	        p->ceiling_ug % p->granularity_ug ||
	        p->start_sensitive_ug % p->granularity_ug))
		problem(L, none,
		    "doses must be multiples of "
		    "dose.granularity_ug");
	if (p->trial_min_d > p->trial_max_d)
		problem(L, none, "trial.min_d is above trial.max_d");
	if (p->egfr_severe >= p->egfr_moderate)
		problem(L, none,
		    "renal.egfr_severe must be below "
		    "renal.egfr_moderate");
	if (p->washout_short_d > p->washout_long_d ||
	    p->washout_long_d > p->washout_bup_methadone_d)
		problem(L, none,
		    "washouts must satisfy short <= long <= "
		    "buprenorphine/methadone");
}

static void ask_problem(void *ud, const struct jnode *at, const char *msg);

/* Split text into segments; variables must be among allowed_vars. */
static struct tmpl
parse_tmpl(struct loader *L, const struct jnode *at, const char *text,
    uint64_t allowed_vars)
{
	struct kb_fields F = { L->a, L->kb, L->ref_used, ask_problem, L, 0 };

	return kf_tmpl(&F, at, text, allowed_vars);
}

static void
texts_field(struct loader *L, const struct jnode *o, struct tmpl *text,
    uint64_t allowed_vars)
{
	for (int a = 0; a < AUD_COUNT; a++) {
		const char *s = str_field(L, o, audience_names[a], true);

		if (s != NULL)
			text[a] = parse_tmpl(L, tree_get(o, audience_names[a]),
			    s, allowed_vars);
	}
}

static void
evidence_matches(struct loader *L, const struct jnode *o, enum evidence ev,
    struct cites c)
{
	bool ok = c.n == 0;

	for (size_t i = 0; i < c.n; i++)
		ok |= L->kb->refs[c.ref[i]].evidence == ev;
	if (!ok)
		problem(L, tree_get(o, "evidence"),
		    "evidence \"%s\" matches none of the cited references",
		    evidence_names[ev]);
}

static int
concept_index(const struct ldn_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_concepts; i++)
		if (strcmp(kb->concepts[i].id, id) == 0)
			return (int)i;
	return -1;
}

static void
opt_member(struct jw *w, const char *key, const char *v)
{
	if (v != NULL)
		jw_kstr(w, key, v);
}

void
kb_ref_json(struct jw *w, const struct kb_ref *r)
{
	jw_kstr(w, "id", r->id);
	jw_kstr(w, "type", r->kind);
	jw_kstr(w, "evidence", evidence_names[r->evidence]);
	opt_member(w, "title", r->title);
	opt_member(w, "authors", r->authors);
	opt_member(w, "source", r->source);
	if (r->year)
		jw_kint(w, "year", r->year);
	opt_member(w, "volume", r->volume);
	opt_member(w, "pages", r->pages);
	opt_member(w, "doi", r->doi);
	opt_member(w, "pmid", r->pmid);
	opt_member(w, "url", r->url);
	opt_member(w, "accessed", r->accessed);
	jw_kstr(w, "resolution", r->resolution);
	opt_member(w, "note", r->note);
	if (r->seed_cite)
		jw_kint(w, "seed_citation", r->seed_cite);
}

/* Write every reference's members once, as the renderers' reference lists
 * will hold them (an object at depth 3 after its "n"). */
static void
prerender_refs(struct loader *L)
{
	for (size_t i = 0; i < L->kb->n_refs; i++) {
		struct kb_ref *r = &L->kb->refs[i];

		for (int compact = 0; compact < 2; compact++) {
			struct strbuf b = STRBUF_INIT(1u << 20);
			struct jw w;
			const char *s;

			if (compact)
				jw_init_compact(&w, &b);
			else
				jw_init(&w, &b);
			w.depth = 3;
			w.first[3] = false;
			kb_ref_json(&w, r);
			s = !b.failed && b.s ? arena_strndup(L->a, b.s, b.len)
			                     : NULL;
			if (compact) {
				r->json_members_compact = s;
				r->json_members_compact_len = s ? b.len : 0;
			} else {
				r->json_members = s;
				r->json_members_len = s ? b.len : 0;
			}
			sb_free(&b);
		}
	}
}

/* Expand a statement's text once, as plain text and as a JSON string. */
static void
prerender(struct loader *L, struct kb_statement *s, int a)
{
	struct strbuf b = STRBUF_INIT(1u << 20), j = STRBUF_INIT(1u << 21);
	struct jw w;

	tmpl_expand(&b, L->kb, &s->text[a], NULL);
	jw_init(&w, &j);
	jw_strn(&w, b.s ? b.s : "", b.len);
	s->plain[a] = arena_strndup(L->a, b.s ? b.s : "", b.len);
	s->plain_len[a] = b.len;
	s->json[a] = arena_strndup(L->a, j.s ? j.s : "\"\"", j.s ? j.len : 2);
	s->json_len[a] = j.s ? j.len : 2;
	sb_free(&b);
	sb_free(&j);
}

/*
 * `disagree`: where a statement's sources part ways, two or more sides,
 * each a short position in clinician words and the statement's own
 * citations that hold it, so a plan can show each side with its sources.
 */
static void
disagree_field(struct loader *L, const struct jnode *o, struct kb_statement *s)
{
	static const char *const keys[] = { "position", "cites", NULL };
	const struct jnode *d = tree_get(o, "disagree");
	struct kb_side *sides;

	if (d == NULL)
		return;
	if (d->type != J_ARR || d->n < 2) {
		problem(L, d,
		    "\"disagree\" lists two or more sides, each with a "
		    "position and its cites");
		return;
	}
	sides = arena_calloc(L->a, d->n, sizeof(*sides));
	if (sides == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		const struct jnode *e = &d->u.items[i];

		if (e->type != J_OBJ) {
			problem(L, e, "a side must be a mapping");
			return;
		}
		check_keys(L, e, keys);
		sides[i].position = str_field(L, e, "position", true);
		sides[i].cites = cites_field(L, e);
		for (size_t k = 0; k < sides[i].cites.n; k++) {
			bool cited = false;

			for (size_t c = 0; c < s->cites.n; c++)
				cited |=
				    s->cites.ref[c] == sides[i].cites.ref[k];
			if (!cited)
				problem(L, e,
				    "side \"%s\" cites \"%s\", which the "
				    "statement does not",
				    sides[i].position ? sides[i].position : "",
				    L->kb->refs[sides[i].cites.ref[k]].id);
		}
	}
	s->sides = sides;
	s->n_sides = d->n;
}

/* Review states are kept by the editorial workflow, not written in YAML,
 * so that nothing reads as approved that no named reviewer approved. */
static void
no_review_field(struct loader *L, const struct jnode *o)
{
	const struct jnode *rv = tree_get(o, "review");

	if (rv != NULL)
		problem(L, rv,
		    "\"review\" is not written here: review states are "
		    "recorded by `ldn kb submit|review|approve|"
		    "request-changes|retire` (docs/editorial-policy.md)");
}

/* Whether two names are the same ignoring case, spaces and punctuation. */
static bool
same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a && !isalnum((unsigned char)*a))
			a++;
		while (*b && !isalnum((unsigned char)*b))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++, b++;
	}
}

/* kb/reviewers.yaml: the people who may act on items.  An empty list is
 * valid: then nothing can be approved. */
static void
load_reviewers(struct loader *L)
{
	static const char *const keys[] = { "id", "name", "role", "credentials",
		NULL };
	const struct jnode *list = open_yaml(L, "reviewers.yaml", "reviewers");
	struct ldn_kb *kb = L->kb;

	if (list == NULL)
		return;
	kb->reviewers =
	    arena_calloc(L->a, list->n ? list->n : 1, sizeof(*kb->reviewers));
	if (kb->reviewers == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		struct kb_reviewer *r = &kb->reviewers[kb->n_reviewers];
		int e;

		if (o->type != J_OBJ) {
			problem(L, o, "a reviewer must be a mapping");
			continue;
		}
		check_keys(L, o, keys);
		r->id = str_field(L, o, "id", true);
		r->name = str_field(L, o, "name", true);
		r->credentials = str_field(L, o, "credentials", true);
		e = enum_field(L, o, "role", reviewer_role_names, RR_COUNT,
		    true);
		if (r->id == NULL || r->name == NULL || e < 0)
			continue;
		r->role = (enum reviewer_role)e;
		if (strlen(r->id) > 64 ||
		    strspn(r->id, "abcdefghijklmnopqrstuvwxyz0123456789_-.") !=
		        strlen(r->id)) {
			problem(L, o,
			    "reviewer id \"%s\" must be 1 to 64 of a-z, 0-9 "
			    "and _-.",
			    r->id);
			continue;
		}
		if (kb_reviewer_find(kb, r->id) != NULL) {
			problem(L, o, "duplicate reviewer \"%s\"", r->id);
			continue;
		}
		/* one person, one id: else they could approve what they
		 * submitted under the other */
		for (size_t k = 0; k < kb->n_reviewers; k++)
			if (same_name(kb->reviewers[k].name, r->name))
				problem(L, o,
				    "\"%s\" is named already, as reviewer "
				    "\"%s\": one person has one id",
				    r->name, kb->reviewers[k].id);
		kb->n_reviewers++;
	}
}

static void
load_statements(struct loader *L)
{
	static const char *const keys[] = { "id", "section", "evidence",
		"cites", "when", "clinician", "patient", "review", "disagree",
		NULL };
	const struct jnode *list =
	    open_yaml(L, "statements.yaml", "statements");
	struct ldn_kb *kb = L->kb;

	if (list == NULL)
		return;
	kb->statements =
	    arena_calloc(L->a, list->n ? list->n : 1, sizeof(*kb->statements));
	if (kb->statements == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i], *when;
		struct kb_statement *s = &kb->statements[kb->n_statements];
		int e;

		if (o->type != J_OBJ) {
			problem(L, o, "a statement must be a mapping");
			continue;
		}
		check_keys(L, o, keys);
		s->id = str_field(L, o, "id", true);
		if (s->id == NULL)
			continue;
		for (size_t k = 0; k < kb->n_statements; k++)
			if (strcmp(kb->statements[k].id, s->id) == 0)
				problem(L, o, "duplicate statement \"%s\"",
				    s->id);
		e = enum_field(L, o, "section", section_ids, S_COUNT, true);
		s->section = e >= 0 ? (enum section)e : S_PROTOCOL;
		e = enum_field(L, o, "evidence", evidence_names, EV_COUNT,
		    true);
		s->evidence = e >= 0 ? (enum evidence)e : EV_EXPERT_OPINION;
		s->cites = cites_field(L, o);
		if (e >= 0)
			evidence_matches(L, o, s->evidence, s->cites);
		no_review_field(L, o);
		disagree_field(L, o, s);
		when = tree_get(o, "when");
		if (when == NULL) {
			s->when_flags = 1u << FL_ALWAYS;
		} else if (when->type != J_ARR || when->n == 0) {
			problem(L, when, "\"when\" must be a list of flags");
		} else {
			for (size_t k = 0; k < when->n; k++) {
				const struct jnode *f = &when->u.items[k];
				int fl, c;

				if (f->type != J_STR) {
					problem(L, f, "a flag must be a word");
					continue;
				}
				if (strncmp(f->u.s, "indication.", 11) == 0) {
					c = concept_index(kb, f->u.s + 11);
					if (c < 0 || c >= 64 ||
					    kb->concepts[c].kind !=
					        CK_INDICATION)
						problem(L, f,
						    "\"%s\" names no "
						    "indication "
						    "concept",
						    f->u.s);
					else
						s->when_concepts |= 1ULL << c;
					continue;
				}
				fl = name_index(flag_names, FL_COUNT, f->u.s);
				if (fl < 0)
					problem(L, f, "unknown flag \"%s\"",
					    f->u.s);
				else
					s->when_flags |= 1u << fl;
			}
		}
		texts_field(L, o, s->text, 0);
		kb->n_statements++;
	}
	for (size_t i = 0; i < kb->n_statements; i++)
		for (int a = 0; a < AUD_COUNT; a++)
			prerender(L, &kb->statements[i], a);
	/* Plans show statements section by section, in file order within
	 * a section: keep them so, once, here (a stable insertion sort). */
	for (size_t i = 1; i < kb->n_statements; i++) {
		struct kb_statement st = kb->statements[i];
		size_t j = i;

		while (j > 0 && kb->statements[j - 1].section > st.section) {
			kb->statements[j] = kb->statements[j - 1];
			j--;
		}
		kb->statements[j] = st;
	}
}

/* Widths a variable may take in a card's summary, for the check below:
 * dates and doses are short; names from the record are not, and 30
 * characters stands for a typical one (cards clip longer lines). */
static size_t
var_width(enum var v)
{
	switch (v) {
	case V_LAST_DOSE:
	case V_LIFT_DATE:
	case V_PROCEDURE_DATE:
	case V_HOLD_START:
	case V_RESTART_DATE:
	case V_DATE:
	case V_FROM_DATE:
	case V_TO_DATE:
	case V_NOTE_HOLD_START:
	case V_NOTE_RESTART_DATE:
		return 10;
	case V_CEILING:
	case V_MAX_DOSE:
	case V_START_DOSE:
	case V_DOSE:
	case V_NEXT_DOSE:
	case V_NOT_TOLERATED:
		return 8;
	case V_DAYS_SINCE:
	case V_WASHOUT_DAYS:
	case V_HOLD_DAYS:
	case V_INTERVAL_DAYS:
	case V_DAYS:
	case V_PAIN:
	case V_BASELINE_PAIN:
	case V_SLEEP:
	case V_BASELINE_SLEEP:
	case V_ADHERENCE:
	case V_AGE:
		return 3;
	default:
		return 30;
	}
}

/* A card's summary, which CDS Hooks wants under 140 characters. */
static void
summary_field(struct loader *L, const struct jnode *o, struct kb_entry *en,
    const struct entry_spec *spec)
{
	const char *s = str_field(L, o, "summary", spec->summary != 0);
	struct strbuf b = STRBUF_INIT(1u << 16);
	size_t width = 0;

	if (s == NULL)
		return;
	if (!spec->summary) {
		problem(L, tree_get(o, "summary"),
		    "\"%s\" has no summary line in the engine", en->id);
		return;
	}
	en->summary = parse_tmpl(L, tree_get(o, "summary"), s, spec->vars);
	for (size_t i = 0; i < en->summary.n; i++) {
		const struct seg *g = &en->summary.segs[i];

		b.len = 0;
		if (g->kind == SEG_LIT)
			sb_add(&b, g->lit, g->len);
		else if (g->kind != SEG_VAR && g->idx >= 0)
			tmpl_number(&b, &L->kb->numbers[g->idx],
			    g->kind == SEG_RANGE);
		else if (g->kind == SEG_VAR && g->idx >= 0)
			width += var_width((enum var)g->idx);
		for (size_t k = 0; k < b.len; k++)
			width += ((unsigned char)b.s[k] & 0xC0) != 0x80;
	}
	sb_free(&b);
	if (width >= 140)
		problem(L, tree_get(o, "summary"),
		    "the summary can reach %zu characters; CDS Hooks wants "
		    "under 140",
		    width);
}

static void
load_entries(struct loader *L, const struct jnode *root, const char *top,
    enum entry_list want)
{
	static const char *const keys[] = { "id", "severity", "evidence",
		"cites", "clinician", "patient", NULL };
	/* Cards are for clinicians: a summary and a detail, no patient
	 * words. */
	static const char *const card_keys[] = { "id", "evidence", "cites",
		"summary", "clinician", "patient", NULL };
	/* Next-step advice is for pharmacists too, in words of their own. */
	static const char *const next_keys[] = { "id", "evidence", "cites",
		"clinician", "patient", "pharmacist", NULL };
	const struct jnode *list = tree_get(root, top);
	struct ldn_kb *kb = L->kb;

	if (list == NULL || list->type != J_ARR) {
		problem(L, root, "expected a top-level list named \"%s\"", top);
		return;
	}
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		const char *id;
		int e = -1, sev;

		if (o->type != J_OBJ) {
			problem(L, o, "an entry must be a mapping");
			continue;
		}
		check_keys(L, o,
		    want == L_CARD       ? card_keys
		        : want == L_NEXT ? next_keys
		                         : keys);
		id = str_field(L, o, "id", true);
		if (id == NULL)
			continue;
		for (int k = 0; k < E_COUNT; k++)
			if (strcmp(entry_specs[k].id, id) == 0)
				e = k;
		if (e < 0 || entry_specs[e].list != want) {
			problem(L, o, "\"%s\" is not a %s the engine raises",
			    id, top);
			continue;
		}
		struct kb_entry *en = &kb->entries[e];
		if (en->id != NULL) {
			problem(L, o, "duplicate entry \"%s\"", id);
			continue;
		}
		en->id = id;
		en->list = want;
		if (want == L_FINDING) {
			sev = enum_field(L, o, "severity", severity_names, 3,
			    true);
			if (sev >= 0 && sev != (int)entry_specs[e].severity)
				problem(L, tree_get(o, "severity"),
				    "\"%s\" is a %s in the engine", id,
				    severity_names[entry_specs[e].severity]);
			en->severity = entry_specs[e].severity;
		} else {
			en->severity = SEV_NONE;
			if (tree_get(o, "severity") != NULL)
				problem(L, o, "only findings have a severity");
		}
		sev = enum_field(L, o, "evidence", evidence_names, EV_COUNT,
		    true);
		en->evidence =
		    sev >= 0 ? (enum evidence)sev : EV_EXPERT_OPINION;
		en->cites = cites_field(L, o);
		if (sev >= 0)
			evidence_matches(L, o, en->evidence, en->cites);
		if (want == L_NEXT) {
			const char *ph = str_field(L, o, "pharmacist", true);

			if (ph != NULL)
				en->pharmacist =
				    parse_tmpl(L, tree_get(o, "pharmacist"), ph,
				        entry_specs[e].vars);
		}
		if (want != L_CARD) {
			texts_field(L, o, en->text, entry_specs[e].vars);
			continue;
		}
		const char *c = str_field(L, o, "clinician", true);
		if (c != NULL)
			en->text[AUD_CLINICIAN] = parse_tmpl(L,
			    tree_get(o, "clinician"), c, entry_specs[e].vars);
		/* Patient words where `ldn check-order` may show the card
		 * to a patient; elsewhere cards are for clinicians only. */
		c = str_field(L, o, "patient", entry_specs[e].patient != 0);
		if (c != NULL && !entry_specs[e].patient)
			problem(L, tree_get(o, "patient"),
			    "\"%s\" is shown to clinicians only: no patient "
			    "words",
			    id);
		else if (c != NULL)
			en->text[AUD_PATIENT] = parse_tmpl(L,
			    tree_get(o, "patient"), c, entry_specs[e].vars);
		summary_field(L, o, en, &entry_specs[e]);
	}
}

static void
load_findings(struct loader *L)
{
	const struct jnode *root = open_yaml(L, "findings.yaml", NULL);

	if (root == NULL)
		return;
	load_entries(L, root, "findings", L_FINDING);
	load_entries(L, root, "monitoring", L_MONITOR);
	load_entries(L, root, "schedule", L_SCHEDULE);
	load_entries(L, root, "next", L_NEXT);
	load_entries(L, root, "cards", L_CARD);
	for (int e = 0; e < E_COUNT; e++)
		if (L->kb->entries[e].id == NULL)
			problem(L, root,
			    "missing entry \"%s\": the engine "
			    "raises it",
			    entry_specs[e].id);
}

static int
code_cmp(const void *a, const void *b)
{
	const struct code_map *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	return c != 0 ? c : (int)x->concept - (int)y->concept;
}

/* ICD-10-CM codes are compared without the dot, in upper case. */
static char *
icd10_norm(struct arena *a, const char *s)
{
	size_t n = strlen(s), o = 0;
	char *p = arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '.')
			p[o++] = (char)(s[i] >= 'a' && s[i] <= 'z'
			        ? s[i] - ('a' - 'A')
			        : s[i]);
	p[o] = '\0';
	return p;
}

static bool
valid_icd10(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 7 || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

static size_t
count_codes(const struct jnode *list, const char *key)
{
	size_t n = 0;

	for (size_t i = 0; list && i < list->n; i++) {
		const struct jnode *v = tree_get(&list->u.items[i], key);

		if (v && v->type == J_ARR)
			n += v->n;
	}
	return n;
}

static void
load_conditions(struct loader *L)
{
	static const char *const keys[] = { "id", "kind", "label", "icd10",
		"snomed", "text", "cites", NULL };
	const struct jnode *list =
	    open_yaml(L, "codes/conditions.yaml", "concepts");
	struct ldn_kb *kb = L->kb;

	if (list == NULL)
		return;
	if (list->n > 64) {
		problem(L, list, "at most 64 concepts are supported");
		return;
	}
	kb->concepts =
	    arena_calloc(L->a, list->n ? list->n : 1, sizeof(*kb->concepts));
	kb->icd10 = arena_calloc(L->a, count_codes(list, "icd10") + 1,
	    sizeof(*kb->icd10));
	kb->snomed = arena_calloc(L->a, count_codes(list, "snomed") + 1,
	    sizeof(*kb->snomed));
	kb->condition_text = arena_calloc(L->a, count_codes(list, "text") + 1,
	    sizeof(*kb->condition_text));
	if (!kb->concepts || !kb->icd10 || !kb->snomed || !kb->condition_text)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		struct kb_concept *c = &kb->concepts[kb->n_concepts];
		uint16_t ci = (uint16_t)kb->n_concepts;
		int k;

		if (o->type != J_OBJ) {
			problem(L, o, "a concept must be a mapping");
			continue;
		}
		check_keys(L, o, keys);
		c->id = str_field(L, o, "id", true);
		if (c->id == NULL)
			continue;
		if (concept_index(kb, c->id) >= 0)
			problem(L, o, "duplicate concept \"%s\"", c->id);
		k = enum_field(L, o, "kind", concept_kind_names, CK_COUNT,
		    true);
		c->kind = k >= 0 ? (enum concept_kind)k : CK_INDICATION;
		c->label = str_field(L, o, "label", true);
		if (c->label == NULL)
			c->label = c->id;
		if (tree_get(o, "cites") != NULL)
			(void)cites_field(L, o);
		for (int f = 0; f < 3; f++) {
			const char *key = f == 0 ? "icd10"
			    : f == 1             ? "snomed"
			                         : "text";
			const struct jnode *v = tree_get(o, key);

			if (v == NULL)
				continue;
			if (v->type != J_ARR) {
				problem(L, v, "\"%s\" must be a list", key);
				continue;
			}
			for (size_t j = 0; j < v->n; j++) {
				const struct jnode *e = &v->u.items[j];

				if (e->type != J_STR || e->n == 0) {
					problem(L, e,
					    "a code must be a string");
					continue;
				}
				if (f == 0) {
					char *code = icd10_norm(L->a, e->u.s);

					if (code == NULL)
						return;
					if (!valid_icd10(code))
						problem(L, e,
						    "\"%s\" is not an "
						    "ICD-10-CM "
						    "code",
						    e->u.s);
					kb->icd10[kb->n_icd10++] =
					    (struct code_map){ code,
						    strlen(code), ci };
				} else if (f == 1) {
					bool digits = e->n >= 6 && e->n <= 18;

					for (size_t d = 0; d < e->n; d++)
						digits &= e->u.s[d] >= '0' &&
						    e->u.s[d] <= '9';
					if (!digits)
						problem(L, e,
						    "\"%s\" is not a SNOMED CT "
						    "concept id",
						    e->u.s);
					kb->snomed[kb->n_snomed++] =
					    (struct code_map){ e->u.s, e->n,
						    ci };
				} else if (words_phrase(L->a, e->u.s, ci,
				               &kb->condition_text
				                    [kb->n_condition_text]) ==
				    0) {
					kb->n_condition_text++;
				} else {
					problem(L, e, "\"%s\" has no words",
					    e->u.s);
				}
			}
		}
		kb->n_concepts++;
	}
	qsort(kb->icd10, kb->n_icd10, sizeof(*kb->icd10), code_cmp);
	qsort(kb->snomed, kb->n_snomed, sizeof(*kb->snomed), code_cmp);
	words_sort(kb->condition_text, kb->n_condition_text);
	for (size_t i = 1; i < kb->n_snomed; i++)
		if (code_cmp(&kb->snomed[i - 1], &kb->snomed[i]) == 0)
			problem(L, list,
			    "SNOMED CT %s is listed twice for "
			    "\"%s\"",
			    kb->snomed[i].code,
			    kb->concepts[kb->snomed[i].concept].id);
}

/* The class each name list stands for (naltrexone is refined by dose),
 * in one table so the two can never fall out of step. */
static const struct {
	const char *id;
	enum med_class cls;
} med_class_lists[] = {
	{ "opioid", MC_OPIOID_SHORT },
	{ "opioid-antitussive", MC_OPIOID_ANTITUSSIVE },
	{ "buprenorphine", MC_BUPRENORPHINE },
	{ "buprenorphine-depot", MC_BUPRENORPHINE_DEPOT },
	{ "methadone", MC_METHADONE },
	{ "naloxone", MC_NALOXONE },
	{ "naltrexone", MC_NALTREXONE_UNKNOWN_DOSE },
	{ "naltrexone-bupropion", MC_NALTREXONE_BUPROPION },
	{ "immunosuppressant", MC_IMMUNOSUPPRESSANT },
	{ "opioid-antidiarrheal", MC_OPIOID_ANTIDIARRHEAL },
};

enum {
	N_MED_LISTS = sizeof(med_class_lists) / sizeof(med_class_lists[0])
};

static void
load_phrases(struct loader *L, const struct jnode *v, uint16_t target,
    struct phrase *out, size_t *n)
{
	for (size_t j = 0; j < v->n; j++) {
		const struct jnode *e = &v->u.items[j];

		if (e->type != J_STR ||
		    words_phrase(L->a, e->u.s, target, &out[*n]) != 0) {
			problem(L, e, "a name must be a short phrase of words");
			continue;
		}
		(*n)++;
	}
}

static void
load_medications(struct loader *L)
{
	static const char *const keys[] = { "id", "names", NULL };
	const struct jnode *root = open_yaml(L, "codes/medications.yaml", NULL);
	const struct jnode *classes, *markers;
	struct ldn_kb *kb = L->kb;

	if (root == NULL)
		return;
	classes = tree_get(root, "classes");
	markers = tree_get(root, "long_acting_markers");
	if (classes == NULL || classes->type != J_ARR || markers == NULL ||
	    markers->type != J_ARR) {
		problem(L, root,
		    "expected lists \"classes\" and "
		    "\"long_acting_markers\"");
		return;
	}
	kb->med_names = arena_calloc(L->a, count_codes(classes, "names") + 1,
	    sizeof(*kb->med_names));
	kb->long_acting =
	    arena_calloc(L->a, markers->n + 1, sizeof(*kb->long_acting));
	if (kb->med_names == NULL || kb->long_acting == NULL)
		return;
	for (size_t i = 0; i < classes->n; i++) {
		const struct jnode *o = &classes->u.items[i], *names;
		int c;

		if (o->type != J_OBJ) {
			problem(L, o, "a class must be a mapping");
			continue;
		}
		check_keys(L, o, keys);
		const char *ids[N_MED_LISTS];

		for (size_t k = 0; k < N_MED_LISTS; k++)
			ids[k] = med_class_lists[k].id;
		c = enum_field(L, o, "id", ids, N_MED_LISTS, true);
		names = tree_get(o, "names");
		if (c < 0 || names == NULL || names->type != J_ARR) {
			if (c >= 0)
				problem(L, o, "\"names\" must be a list");
			continue;
		}
		load_phrases(L, names, (uint16_t)med_class_lists[c].cls,
		    kb->med_names, &kb->n_med_names);
	}
	load_phrases(L, markers, 0, kb->long_acting, &kb->n_long_acting);
	words_sort(kb->med_names, kb->n_med_names);
	words_sort(kb->long_acting, kb->n_long_acting);
	/* med_names is sorted by first word, so typo candidates come out
	 * grouped by first byte as well. */
	kb->fuzzy = arena_calloc(L->a, kb->n_med_names + 1, sizeof(*kb->fuzzy));
	if (kb->fuzzy == NULL)
		return;
	size_t nf = 0;
	for (int c = 0; c < 256; c++) {
		kb->fuzzy_start[c] = nf;
		for (size_t i = 0; i < kb->n_med_names; i++) {
			const struct phrase *p = &kb->med_names[i];

			if ((unsigned char)p->words[0][0] == c && p->n == 1 &&
			    (med_class_is_opioid(p->target) ||
			        p->target == MC_NALTREXONE_UNKNOWN_DOSE) &&
			    strlen(p->words[0]) >= 6)
				kb->fuzzy[nf++] = p;
		}
	}
	kb->fuzzy_start[256] = nf;
}

/*
 * The class of an RxNorm row, from its category, its value sets and its
 * display string.  An opioid analgesic is long-acting when the CDC value
 * sets say so (long-acting or extended-release sets); for codes outside
 * those sets, the long-acting markers of medications.yaml decide.
 */
static enum med_class
rx_class(const struct ldn_kb *kb, const char *category, const char *display,
    const char *valuesets)
{
	struct words w;
	uint16_t t[4];
	int32_t ug;

	words_split(&w, display, strlen(display));
	if (strcmp(category, "opioid-analgesic") == 0) {
		if (valuesets &&
		    (strstr(valuesets, "long-acting-opioids") ||
		        strstr(valuesets, "extended-release-opioid")))
			return MC_OPIOID_LONG;
		if (valuesets && strstr(valuesets, "short-acting-opioids"))
			return MC_OPIOID_SHORT;
		return words_match(kb->long_acting, kb->n_long_acting, &w, t, 4)
		    ? MC_OPIOID_LONG
		    : MC_OPIOID_SHORT;
	}
	if (strcmp(category, "opioid-antitussive") == 0) {
		/* An extended-release cough product (hydrocodone
		 * polistirex) acts as long as any long-acting opioid. */
		if ((valuesets &&
		        (strstr(valuesets, "long-acting-opioids") ||
		            strstr(valuesets, "extended-release-opioid"))) ||
		    words_match(kb->long_acting, kb->n_long_acting, &w, t, 4))
			return MC_OPIOID_LONG;
		return MC_OPIOID_ANTITUSSIVE;
	}
	if (strcmp(category, "mat-buprenorphine") == 0) {
		/* An implant or a depot injection releases for weeks. */
		size_t n =
		    words_match(kb->med_names, kb->n_med_names, &w, t, 4);

		for (size_t i = 0; i < n; i++)
			if (t[i] == MC_BUPRENORPHINE_DEPOT)
				return MC_BUPRENORPHINE_DEPOT;
		for (size_t i = 0; i < w.n; i++)
			if (strcmp(w.w[i], "implant") == 0 ||
			    (strcmp(w.w[i], "prefilled") == 0 && i + 1 < w.n &&
			        strcmp(w.w[i + 1], "syringe") == 0))
				return MC_BUPRENORPHINE_DEPOT;
		return MC_BUPRENORPHINE;
	}
	if (strcmp(category, "mat-methadone") == 0)
		return MC_METHADONE;
	if (strcmp(category, "naloxone") == 0) {
		/* Upstream files tilidine/naloxone here: a product that names
		 * an opioid agonist is an opioid. */
		size_t n =
		    words_match(kb->med_names, kb->n_med_names, &w, t, 4);

		for (size_t i = 0; i < n; i++)
			if (t[i] == MC_OPIOID_SHORT)
				return words_match(kb->long_acting,
				           kb->n_long_acting, &w, t, 4)
				    ? MC_OPIOID_LONG
				    : MC_OPIOID_SHORT;
		return MC_NALOXONE;
	}
	if (strcmp(category, "naltrexone") == 0) {
		for (size_t i = 0; i < w.n; i++)
			if (strcmp(w.w[i], "bupropion") == 0)
				return MC_NALTREXONE_BUPROPION;
		ug = words_mg_after(display, "naltrexone");
		if (ug < 0)
			return MC_NALTREXONE_UNKNOWN_DOSE;
		return ug <= kb->params.ldn_max_ug ? MC_NALTREXONE_LDN
		                                   : MC_NALTREXONE_STANDARD;
	}
	return MC_COUNT;
}

static int
rx_cmp(const void *a, const void *b)
{
	const struct rx_entry *x = a, *y = b;

	return x->code < y->code ? -1 : x->code > y->code;
}

static void
load_rxnorm(struct loader *L)
{
	FILE *fp;
	char line[2048];
	size_t cap = 4096, lineno = 0;
	struct ldn_kb *kb = L->kb;
	struct jnode at = { 0 };

	snprintf(L->file, sizeof(L->file), "%s/codes/opioid_rxnorm.tsv",
	    L->dir);
	fp = fopen(L->file, "r");
	if (fp == NULL) {
		problem(L, NULL, "cannot open: %s", strerror(errno));
		return;
	}
	hash_file(L, L->file);
	kb->rxnorm = arena_calloc(L->a, cap, sizeof(*kb->rxnorm));
	while (kb->rxnorm && fgets(line, sizeof(line), fp) != NULL) {
		char *f[5] = { NULL }, *p = line, *end;
		size_t nf = 0;
		unsigned long code;

		at.line = (uint32_t)++lineno;
		at.col = 1;
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1) {
			if (strncmp(line, "code\tdisplay\tcategory", 21) != 0)
				problem(L, &at,
				    "the header must start with "
				    "code, display, category");
			continue;
		}
		while (nf < 5) {
			f[nf++] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (nf < 3) {
			problem(L, &at, "a row needs code, display, category");
			continue;
		}
		code = strtoul(f[0], &end, 10);
		if (*end || end == f[0] || code == 0 || code > UINT32_MAX) {
			problem(L, &at, "\"%s\" is not an RxNorm code", f[0]);
			continue;
		}
		enum med_class cls =
		    rx_class(kb, f[2], f[1], nf >= 5 ? f[4] : NULL);
		if (cls == MC_COUNT) {
			problem(L, &at, "unknown category \"%s\"", f[2]);
			continue;
		}
		if (kb->n_rxnorm == cap) {
			struct rx_entry *bigger =
			    arena_calloc(L->a, cap * 2, sizeof(*bigger));

			if (bigger == NULL)
				break;
			memcpy(bigger, kb->rxnorm, cap * sizeof(*bigger));
			kb->rxnorm = bigger;
			cap *= 2;
		}
		kb->rxnorm[kb->n_rxnorm++] = (struct rx_entry){ (uint32_t)code,
			cls, arena_strdup(L->a, f[1]) };
	}
	fclose(fp);
	qsort(kb->rxnorm, kb->n_rxnorm, sizeof(*kb->rxnorm), rx_cmp);
	for (size_t i = 1; i < kb->n_rxnorm; i++)
		if (kb->rxnorm[i].code == kb->rxnorm[i - 1].code) {
			at.line = 0;
			problem(L, &at, "RxNorm %u is listed twice",
			    kb->rxnorm[i].code);
		}
}

/* A preset's number: a whole number, or the id of a numbers.yaml entry in
 * the same unit (so a preset that follows the seed shares its figure). */
static bool
preset_number(struct loader *L, const struct jnode *o, const char *key,
    enum unit unit, bool required, int32_t *out)
{
	const struct jnode *v = tree_get(o, key);
	long x;

	if (v != NULL && v->type == J_STR && v->n > 0 &&
	    (v->u.s[0] < '0' || v->u.s[0] > '9')) {
		int k = kf_number_index(L->kb, v->u.s, v->n);

		if (k < 0) {
			problem(L, v, "\"%s\" names no number", v->u.s);
			return false;
		}
		if (L->kb->numbers[k].unit != unit) {
			problem(L, v, "\"%s\" must be in %s", key,
			    unit_names[unit]);
			return false;
		}
		*out = L->kb->numbers[k].value;
		return true;
	}
	if (!int_field(L, o, key, required, 0, 1000000, &x))
		return false;
	*out = (int32_t)x;
	return true;
}

static bool
bool_field(struct loader *L, const struct jnode *o, const char *key)
{
	const char *s = str_field(L, o, key, false);

	if (s == NULL || strcmp(s, "false") == 0)
		return false;
	if (strcmp(s, "true") != 0)
		problem(L, tree_get(o, key), "\"%s\" must be true or false",
		    key);
	return strcmp(s, "true") == 0;
}

/* A preset's "suggest" or "exclude" list: each rule a flag or concept
 * (when) and the words saying why; an exclusion may also be "opioid" with
 * within_d, a number of days. */
static void
preset_rules(struct loader *L, const struct jnode *o, const char *key,
    struct preset_rule **out, size_t *n)
{
	static const char *const keys[] = { "when", "reason", "within_d",
		NULL };
	const struct jnode *list = tree_get(o, key);
	bool exclude = strcmp(key, "exclude") == 0;

	if (list == NULL)
		return;
	if (list->type != J_ARR || list->n == 0) {
		problem(L, list, "\"%s\" must be a list of when/reason", key);
		return;
	}
	*out = arena_calloc(L->a, list->n, sizeof(**out));
	if (*out == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *r = &list->u.items[i];
		struct preset_rule *rule = &(*out)[*n];
		const char *when;
		int k;

		if (r->type != J_OBJ) {
			problem(L, r, "a rule in \"%s\" must be a mapping",
			    key);
			continue;
		}
		check_keys(L, r, keys);
		when = str_field(L, r, "when", true);
		rule->reason = str_field(L, r, "reason", true);
		if (when == NULL || rule->reason == NULL)
			continue;
		if ((tree_get(r, "within_d") != NULL) !=
		    (exclude && strcmp(when, "opioid") == 0)) {
			problem(L, r,
			    "\"within_d\" goes with when: opioid, and only "
			    "in \"exclude\"");
			continue;
		}
		if (exclude && strcmp(when, "opioid") == 0) {
			if (!preset_number(L, r, "within_d", U_D, true,
			        &rule->opioid_within_d))
				continue;
			if (rule->opioid_within_d < 1)
				problem(L, tree_get(r, "within_d"),
				    "\"within_d\" must be at least 1 day");
		} else if (strncmp(when, "concept.", 8) == 0) {
			k = concept_index(L->kb, when + 8);
			if (k < 0 || k >= 64) {
				problem(L, tree_get(r, "when"),
				    "\"%s\" names no concept", when);
				continue;
			}
			rule->concepts = 1ULL << k;
		} else if ((k = name_index(flag_names, FL_COUNT, when)) > 0) {
			rule->flags = 1u << k;
		} else {
			problem(L, tree_get(r, "when"),
			    "\"when\" is \"%s\": a flag (sensitive, child, "
			    "thyroid, ...), concept.ID%s",
			    when, exclude ? " or opioid" : "");
			continue;
		}
		(*n)++;
	}
}

/* A preset's "monitor": monitoring items (monitor.* ids) its plans carry
 * whatever the patient's record shows. */
static void
preset_monitor(struct loader *L, const struct jnode *o, struct kb_preset *pr)
{
	const struct jnode *list = tree_get(o, "monitor");

	if (list == NULL)
		return;
	if (list->type != J_ARR || list->n == 0) {
		problem(L, list, "\"monitor\" must be a list of monitor ids");
		return;
	}
	pr->monitor = arena_calloc(L->a, list->n, sizeof(*pr->monitor));
	if (pr->monitor == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *e = &list->u.items[i];
		int k = E_COUNT;

		for (int m = 0; e->type == J_STR && m < E_COUNT; m++)
			if (entry_specs[m].list == L_MONITOR &&
			    strcmp(entry_specs[m].id, e->u.s) == 0)
				k = m;
		if (k == E_COUNT) {
			problem(L, e,
			    "\"monitor\": %s names no monitoring item",
			    e->type == J_STR ? e->u.s : "this");
			continue;
		}
		pr->monitor[pr->n_monitor++] = (enum entry_id)k;
	}
}

/* Whether the preset excludes patients with this flag. */
static bool
excludes_flag(const struct kb_preset *pr, int flag)
{
	for (size_t i = 0; i < pr->n_exclude; i++)
		if (pr->exclude[i].flags & (1u << flag))
			return true;
	return false;
}

static bool
excludes_opioid(const struct kb_preset *pr)
{
	for (size_t i = 0; i < pr->n_exclude; i++)
		if (pr->exclude[i].opioid_within_d > 0)
			return true;
	return false;
}

static void
preset_replaces(struct loader *L, const struct jnode *o, struct kb_preset *pr)
{
	const struct jnode *list = tree_get(o, "replaces");

	if (list == NULL)
		return;
	if (list->type != J_ARR || list->n == 0) {
		problem(L, list,
		    "\"replaces\" must be a list of statement ids");
		return;
	}
	pr->replaces = arena_calloc(L->a, list->n, sizeof(*pr->replaces));
	if (pr->replaces == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *e = &list->u.items[i];
		const struct kb_statement *st = NULL;

		for (size_t k = 0; e->type == J_STR && k < L->kb->n_statements;
		     k++)
			if (strcmp(L->kb->statements[k].id, e->u.s) == 0)
				st = &L->kb->statements[k];
		if (st == NULL) {
			problem(L, e, "\"replaces\": %s names no statement",
			    e->type == J_STR ? e->u.s : "this");
			continue;
		}
		pr->replaces[pr->n_replaces++] = st;
	}
}

/* Cross-checks of one preset against the seed's numbers. */
static void
check_preset(struct loader *L, const struct jnode *o,
    const struct kb_preset *pr)
{
	const struct params *p = &L->kb->params;
	int32_t g = p->granularity_ug > 0 ? p->granularity_ug : 1;

	if (pr->start_ug > pr->ceiling_ug)
		problem(L, o, "preset \"%s\": the start is above the ceiling",
		    pr->id);
	if (pr->start_ug % g || pr->step_ug % g || pr->ceiling_ug % g)
		problem(L, o,
		    "preset \"%s\": doses must be multiples of "
		    "dose.granularity_ug",
		    pr->id);
	if (pr->step_ug < g || pr->step_ug > 2000)
		problem(L, o,
		    "preset \"%s\": step_ug must be from "
		    "dose.granularity_ug to 2000",
		    pr->id);
	if (pr->interval_d < 1 || pr->interval_d > 60)
		problem(L, o, "preset \"%s\": interval_d must be 1 to 60",
		    pr->id);
	if (pr->ceiling_ug < 500 || pr->ceiling_ug > PRESET_CEILING_MAX_UG)
		problem(L, o,
		    "preset \"%s\": ceiling_ug must be from 500 to %d, the "
		    "highest dose any LDN trial used",
		    pr->id, PRESET_CEILING_MAX_UG);
	/* Above the seed's ceiling only when the preset says so; above the
	 * definition of LDN only then too: such a preset is never the
	 * default and never suggested, and every plan using it says so. */
	if (pr->ceiling_ug > p->ceiling_ug && !pr->beyond_seed)
		problem(L, o,
		    "preset \"%s\": a ceiling above dose.ceiling_ug needs "
		    "beyond_seed: true",
		    pr->id);
	if (pr->beyond_seed && pr->ceiling_ug <= p->ceiling_ug)
		problem(L, o,
		    "preset \"%s\": beyond_seed, but its ceiling is not "
		    "above dose.ceiling_ug",
		    pr->id);
	if (pr->beyond_seed && (pr->is_default || pr->n_suggest > 0))
		problem(L, o,
		    "preset \"%s\": a beyond_seed preset can be neither the "
		    "default nor suggested",
		    pr->id);
	if (!pr->is_default && pr->n_replaces == 0)
		problem(L, o,
		    "preset \"%s\": list in \"replaces\" the statements "
		    "about the seed's numbers that it contradicts",
		    pr->id);
	if (pr->is_default &&
	    (pr->start_ug != p->start_ug || pr->step_ug != p->step_ug ||
	        pr->interval_d != p->interval_d ||
	        pr->ceiling_ug != p->ceiling_ug || pr->start_ug_per_kg ||
	        pr->child_only))
		problem(L, o,
		    "the default preset must use the seed's numbers "
		    "(dose.start_ug, dose.step_ug, dose.interval_d, "
		    "dose.ceiling_ug)");
	if (pr->child_only && pr->ceiling_ug > p->child_max_ug)
		problem(L, o,
		    "preset \"%s\": a children's ceiling above "
		    "dose.child_max_ug",
		    pr->id);
	if (pr->start_ug_per_kg > p->child_ug_per_kg)
		problem(L, o,
		    "preset \"%s\": start_ug_per_kg above "
		    "dose.child_ug_per_kg",
		    pr->id);
	/* Beyond the seed only within the population of the trials behind
	 * it: never for a child, in pregnancy or breastfeeding, with liver
	 * or kidney disease, or after recent opioids. */
	if (pr->beyond_seed &&
	    (!excludes_flag(pr, FL_CHILD) || !excludes_flag(pr, FL_PREGNANT) ||
	        !excludes_flag(pr, FL_BREASTFEEDING) ||
	        !excludes_flag(pr, FL_HEPATIC) ||
	        !excludes_flag(pr, FL_RENAL) || !excludes_opioid(pr)))
		problem(L, o,
		    "preset \"%s\": a beyond_seed preset must exclude "
		    "child, pregnant, breastfeeding, hepatic, renal and "
		    "opioid (with within_d)",
		    pr->id);
	if (pr->is_default && pr->n_exclude > 0)
		problem(L, o, "the default preset can exclude no one");
}

static void
load_presets(struct loader *L)
{
	static const char *const keys[] = { "id", "label", "default",
		"evidence", "cites", "review", "start_ug", "start_ug_per_kg",
		"step_ug", "interval_d", "ceiling_ug", "population",
		"beyond_seed", "step_back", "suggest", "exclude", "replaces",
		"monitor", "why", "clinician", "patient", "adjusted", NULL };
	const struct jnode *list = open_yaml(L, "presets.yaml", "presets");
	struct ldn_kb *kb = L->kb;

	if (list == NULL)
		return;
	kb->presets =
	    arena_calloc(L->a, list->n ? list->n : 1, sizeof(*kb->presets));
	if (kb->presets == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		const struct jnode *o = &list->u.items[i];
		struct kb_preset *pr = &kb->presets[kb->n_presets];
		struct kb_statement *s = &pr->statement;
		const struct jnode *adj;
		const char *pop, *sb;
		int e;

		if (o->type != J_OBJ) {
			problem(L, o, "a preset must be a mapping");
			continue;
		}
		check_keys(L, o, keys);
		pr->id = str_field(L, o, "id", true);
		if (pr->id == NULL)
			continue;
		if (!valid_id(pr->id) || strchr(pr->id, '.'))
			problem(L, tree_get(o, "id"),
			    "a preset id is lower-case letters, digits, - "
			    "and _");
		for (size_t k = 0; k < kb->n_presets; k++)
			if (strcmp(kb->presets[k].id, pr->id) == 0)
				problem(L, o, "duplicate preset \"%s\"",
				    pr->id);
		pr->label = str_field(L, o, "label", true);
		pr->why = str_field(L, o, "why", true);
		pr->is_default = bool_field(L, o, "default");
		pr->beyond_seed = bool_field(L, o, "beyond_seed");
		pop = str_field(L, o, "population", false);
		if (pop != NULL && strcmp(pop, "child") != 0)
			problem(L, tree_get(o, "population"),
			    "\"population\" may only be child");
		pr->child_only = pop != NULL;
		/* The engine knows one step-back rule; saying it here makes
		 * every preset state it, and a new rule a code change. */
		sb = str_field(L, o, "step_back", true);
		if (sb != NULL && strcmp(sb, "halve") != 0)
			problem(L, tree_get(o, "step_back"),
			    "\"step_back\" must be halve (halve the dose, then "
			    "re-titrate)");
		preset_number(L, o, "start_ug", U_UG, true, &pr->start_ug);
		preset_number(L, o, "step_ug", U_UG, true, &pr->step_ug);
		preset_number(L, o, "interval_d", U_D, true, &pr->interval_d);
		preset_number(L, o, "ceiling_ug", U_UG, true, &pr->ceiling_ug);
		if (tree_get(o, "start_ug_per_kg") != NULL &&
		    preset_number(L, o, "start_ug_per_kg", U_UG_PER_KG, true,
		        &pr->start_ug_per_kg) &&
		    !pr->child_only)
			problem(L, o,
			    "\"start_ug_per_kg\" needs population: child");
		preset_rules(L, o, "suggest", &pr->suggest, &pr->n_suggest);
		preset_rules(L, o, "exclude", &pr->exclude, &pr->n_exclude);
		preset_monitor(L, o, pr);
		preset_replaces(L, o, pr);
		/* Its words are a protocol statement of the plans that use
		 * it, with its own evidence and citations. */
		s->id = arena_printf(L->a, "preset.%s", pr->id);
		s->section = S_PROTOCOL;
		e = enum_field(L, o, "evidence", evidence_names, EV_COUNT,
		    true);
		s->evidence = e >= 0 ? (enum evidence)e : EV_EXPERT_OPINION;
		s->cites = cites_field(L, o);
		if (e >= 0)
			evidence_matches(L, o, s->evidence, s->cites);
		no_review_field(L, o);
		s->when_flags = 1u << FL_ALWAYS;
		texts_field(L, o, s->text, 0);
		pr->adjusted = *s;
		pr->adjusted.id =
		    arena_printf(L->a, "preset.%s.adjusted", pr->id);
		adj = tree_get(o, "adjusted");
		if (adj == NULL || adj->type != J_OBJ) {
			problem(L, adj ? adj : o,
			    "preset \"%s\": \"adjusted\" must give clinician "
			    "and patient words without its numbers, for a "
			    "plan that changes them",
			    pr->id);
		} else {
			static const char *const adj_keys[] = { "clinician",
				"patient", NULL };

			check_keys(L, adj, adj_keys);
			texts_field(L, adj, pr->adjusted.text, 0);
		}
		check_preset(L, o, pr);
		if (pr->is_default) {
			if (kb->default_preset != NULL)
				problem(L, o, "a second default preset");
			else
				kb->default_preset = pr;
		}
		kb->n_presets++;
	}
	if (kb->default_preset == NULL)
		problem(L, list, "no preset is the default");
	for (size_t i = 0; i < kb->n_presets; i++)
		for (int a = 0; a < AUD_COUNT; a++) {
			prerender(L, &kb->presets[i].statement, a);
			prerender(L, &kb->presets[i].adjusted, a);
		}
}

const struct kb_preset *
kb_preset_find(const struct ldn_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_presets; i++)
		if (strcmp(kb->presets[i].id, id) == 0)
			return &kb->presets[i];
	return NULL;
}

static void
check_unused(struct loader *L)
{
	snprintf(L->file, sizeof(L->file), "%s/references.yaml", L->dir);
	for (size_t i = 0; i < L->kb->n_refs; i++)
		if (!L->ref_used[i]) {
			struct jnode at = { 0 };

			at.line = L->kb->refs[i].line;
			at.col = L->kb->refs[i].col;
			problem(L, &at, "reference \"%s\" is never cited",
			    L->kb->refs[i].id);
		}
}

static void
ask_problem(void *ud, const struct jnode *at, const char *msg)
{
	problem(ud, at, "%s", msg);
}

/* kb/ask.yaml, after the statements and findings it names. */
static void
load_ask(struct loader *L)
{
	const struct jnode *root = open_yaml(L, "ask.yaml", NULL);

	if (root != NULL)
		L->kb->ask = ask_kb_load(L->a, L->kb, root, ask_problem, L);
}

/* kb/regimens.yaml (lib/kb/regimen_load.c), after the findings. */
static void
load_regimens(struct loader *L)
{
	const struct jnode *root = open_yaml(L, "regimens.yaml", NULL);

	if (root != NULL)
		L->kb->regimens =
		    regimen_kb_load(L->a, L->kb, root, ask_problem, L);
}

/* kb/formulations.yaml (lib/kb/formulation_load.c), after the
 * references. */
static void
load_formulations(struct loader *L)
{
	const struct jnode *root = open_yaml(L, "formulations.yaml", NULL);

	if (root != NULL)
		L->kb->formulations = formulation_kb_load(L->a, L->kb, root,
		    L->ref_used, ask_problem, L);
}

static struct ldn_kb *
load(const char *dir, ldn_kb_report_fn report, void *ud, struct ldn_error *err,
    size_t *problems)
{
	struct ldn_kb *kb = calloc(1, sizeof(*kb));
	struct loader L = { 0 };

	*problems = 1;
	if (kb == NULL) {
		ldn_fail(err, LDN_E_NOMEM, dir, "out of memory");
		return NULL;
	}
	kb->arena = ARENA_INIT(64u << 20);
	L.kb = kb;
	L.a = &kb->arena;
	L.dir = dir;
	L.report = report;
	L.ud = ud;
	L.err = err;
	L.hash = 0xcbf29ce484222325ULL;
	load_manifest(&L);
	load_references(&L);
	if (L.ref_used == NULL) {
		/* without references nothing else can be checked */
		if (L.problems == 0)
			problem(&L, NULL, "no references loaded");
		*problems = L.problems;
		return kb;
	}
	load_numbers(&L);
	check_params(&L);
	load_conditions(&L);
	load_statements(&L);
	load_findings(&L);
	load_medications(&L);
	load_rxnorm(&L);
	load_presets(&L);
	load_ask(&L);
	load_regimens(&L);
	load_formulations(&L);
	load_reviewers(&L);
	check_unused(&L);
	prerender_refs(&L);
	if (L.problems == 0 && !kb_items_build(kb))
		problem(&L, NULL, "cannot version the statements");
	if (kb->arena.failed) {
		snprintf(L.file, sizeof(L.file), "%s", dir);
		problem(&L, NULL, "the knowledge base is too large");
	}
	snprintf(kb->fingerprint, sizeof(kb->fingerprint), "%016llx",
	    (unsigned long long)L.hash);
	*problems = L.problems;
	return kb;
}

enum ldn_status
ldn_kb_load(const char *dir, struct ldn_kb **out, struct ldn_error *err)
{
	size_t problems;
	struct ldn_kb *kb = load(dir, NULL, NULL, err, &problems);

	if (kb == NULL)
		return LDN_E_NOMEM;
	if (problems > 0) {
		enum ldn_status rc = err ? err->code : LDN_E_KB;

		ldn_kb_free(kb);
		return rc == LDN_OK ? LDN_E_KB : rc;
	}
	*out = kb;
	return LDN_OK;
}

size_t
ldn_kb_check(const char *dir, ldn_kb_report_fn report, void *ud)
{
	size_t problems;
	struct ldn_error err;
	struct ldn_kb *kb = load(dir, report, ud, &err, &problems);

	ldn_kb_free(kb);
	return problems;
}

void
ldn_kb_free(struct ldn_kb *kb)
{
	if (kb == NULL)
		return;
	arena_free(&kb->arena);
	free(kb);
}

const char *
ldn_kb_version(const struct ldn_kb *kb)
{
	return kb->version ? kb->version : "";
}

const char *
ldn_kb_updated(const struct ldn_kb *kb)
{
	return kb->updated ? kb->updated : "";
}

const char *
ldn_kb_fingerprint(const struct ldn_kb *kb)
{
	return kb->fingerprint;
}

size_t
ldn_kb_count(const struct ldn_kb *kb, const char *what)
{
	if (strcmp(what, "references") == 0)
		return kb->n_refs;
	if (strcmp(what, "numbers") == 0)
		return kb->n_numbers;
	if (strcmp(what, "statements") == 0)
		return kb->n_statements;
	if (strcmp(what, "concepts") == 0)
		return kb->n_concepts;
	if (strcmp(what, "rxnorm") == 0)
		return kb->n_rxnorm;
	if (strcmp(what, "entries") == 0)
		return E_COUNT;
	if (strcmp(what, "items") == 0)
		return kb->n_items;
	if (strcmp(what, "reviewers") == 0)
		return kb->n_reviewers;
	return 0;
}
