/*
 * The items the editorial workflow governs: each statement (the article's
 * and each preset's two) and each reference, with its content written out
 * one "field: value" line at a time and the SHA-256 of that text, its
 * version.  A statement's content holds its words as plans print them
 * (numbers expanded) and the versions of the references it cites, so a
 * changed number or source is a new version of every statement using it.
 */
#include <stdio.h>
#include <string.h>

#include "../base/sha256.h"
#include "../base/strbuf.h"
#include "kb_impl.h"

const char *const item_kind_names[2] = { "statement", "reference" };

const char *const reviewer_role_names[RR_COUNT] = {
	[RR_AUTHOR] = "author",
	[RR_REVIEWER] = "reviewer",
	[RR_EDITOR] = "editor",
};

static void
field(struct strbuf *b, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	sb_printf(b, "%s: %s\n", name, value);
}

static void
flags_line(struct strbuf *b, const struct ldn_kb *kb, const char *name,
    uint32_t flags, uint64_t concepts)
{
	const char *sep = "";

	sb_printf(b, "%s: ", name);
	for (int f = 0; f < FL_COUNT; f++)
		if (flags & (1u << f)) {
			sb_printf(b, "%s%s", sep, flag_names[f]);
			sep = ", ";
		}
	for (size_t c = 0; c < kb->n_concepts && c < 64; c++)
		if (concepts & (1ull << c)) {
			sb_printf(b, "%sindication.%s", sep,
			    kb->concepts[c].id);
			sep = ", ";
		}
	sb_add(b, "\n", 1);
}

static void
ref_content(struct strbuf *b, const struct kb_ref *r)
{
	char num[16];

	sb_printf(b, "reference %s\n", r->id);
	field(b, "type", r->kind);
	field(b, "evidence", evidence_names[r->evidence]);
	field(b, "title", r->title);
	field(b, "authors", r->authors);
	field(b, "source", r->source);
	if (r->year > 0) {
		snprintf(num, sizeof(num), "%d", r->year);
		field(b, "year", num);
	}
	field(b, "volume", r->volume);
	field(b, "pages", r->pages);
	field(b, "doi", r->doi);
	field(b, "pmid", r->pmid);
	field(b, "url", r->url);
	field(b, "accessed", r->accessed);
	field(b, "resolution", r->resolution);
	field(b, "note", r->note);
}

static void
statement_content(struct strbuf *b, const struct ldn_kb *kb,
    const struct kb_statement *s)
{
	sb_printf(b, "statement %s\n", s->id);
	field(b, "section", section_ids[s->section]);
	field(b, "evidence", evidence_names[s->evidence]);
	flags_line(b, kb, "when", s->when_flags, s->when_concepts);
	sb_add(b, "cites: ", 7);
	for (size_t i = 0; i < s->cites.n; i++) {
		const struct kb_item *r =
		    &kb->items[kb->refs[s->cites.ref[i]].item];

		sb_printf(b, "%s%s (version %.12s)", i ? ", " : "", r->id,
		    r->version);
	}
	sb_add(b, "\n", 1);
	for (int a = 0; a < AUD_COUNT; a++)
		field(b, audience_names[a], s->plain[a]);
	for (size_t i = 0; i < s->n_sides; i++) {
		sb_printf(b, "disagree: %s (", s->sides[i].position);
		for (size_t c = 0; c < s->sides[i].cites.n; c++)
			sb_printf(b, "%s%s", c ? ", " : "",
			    kb->refs[s->sides[i].cites.ref[c]].id);
		sb_add(b, ")\n", 2);
	}
}

/*
 * A preset's words stand beside its numbers in every plan that follows
 * it, so the numbers, who it is for and what it replaces are part of the
 * content a reviewer approves: a changed start dose is a new version.
 */
static void
preset_content(struct strbuf *b, const struct ldn_kb *kb,
    const struct kb_preset *pr)
{
	sb_printf(b, "preset %s\n", pr->id);
	field(b, "label", pr->label);
	field(b, "why", pr->why);
	sb_printf(b,
	    "numbers: start %d ug, start %d ug/kg, step %d ug, every %d d, "
	    "ceiling %d ug%s%s%s\n",
	    (int)pr->start_ug, (int)pr->start_ug_per_kg, (int)pr->step_ug,
	    (int)pr->interval_d, (int)pr->ceiling_ug,
	    pr->is_default ? ", default" : "",
	    pr->beyond_seed ? ", beyond the seed" : "",
	    pr->child_only ? ", children only" : "");
	for (size_t i = 0; i < pr->n_suggest; i++)
		flags_line(b, kb, "suggested when", pr->suggest[i].flags,
		    pr->suggest[i].concepts);
	for (size_t i = 0; i < pr->n_exclude; i++) {
		flags_line(b, kb, "excluded when", pr->exclude[i].flags,
		    pr->exclude[i].concepts);
		if (pr->exclude[i].opioid_within_d > 0)
			sb_printf(b, "excluded when: an opioid within %d d\n",
			    (int)pr->exclude[i].opioid_within_d);
	}
	for (size_t i = 0; i < pr->n_replaces; i++)
		field(b, "replaces", pr->replaces[i]->id);
	for (size_t i = 0; i < pr->n_monitor; i++)
		field(b, "monitors", kb->entries[pr->monitor[i]].id);
}

static bool
finish(struct ldn_kb *kb, struct kb_item *it, struct strbuf *b)
{
	it->name = arena_printf(&kb->arena, "%s/%s", item_kind_names[it->kind],
	    it->id);
	if (b->failed || b->s == NULL || it->name == NULL)
		return false;
	it->content = arena_strndup(&kb->arena, b->s, b->len);
	sha256_hex(b->s, b->len, it->version);
	b->len = 0;
	return it->content != NULL && it->version[0] != '\0';
}

static bool
add_statement(struct ldn_kb *kb, struct kb_statement *s,
    const struct kb_preset *pr, struct strbuf *b)
{
	struct kb_item *it = &kb->items[kb->n_items];

	s->item = (uint32_t)kb->n_items++;
	it->kind = IK_STATEMENT;
	it->id = s->id;
	it->statement = s;
	statement_content(b, kb, s);
	if (pr != NULL)
		preset_content(b, kb, pr);
	return finish(kb, it, b);
}

bool
kb_items_build(struct ldn_kb *kb)
{
	struct strbuf b = STRBUF_INIT(1u << 20);
	size_t n = kb->n_statements + 2 * kb->n_presets + kb->n_refs;
	bool good = true;

	kb->n_items = 0;
	kb->items = arena_calloc(&kb->arena, n ? n : 1, sizeof(*kb->items));
	if (kb->items == NULL)
		return false;
	/* references first in the array's making, as statements cite their
	 * versions; listed after the statements by their indices */
	for (size_t i = 0; i < kb->n_refs; i++) {
		struct kb_ref *r = &kb->refs[i];
		struct kb_item *it = &kb->items[n - kb->n_refs + i];

		r->item = (uint32_t)(n - kb->n_refs + i);
		it->kind = IK_REFERENCE;
		it->id = r->id;
		it->ref = r;
		ref_content(&b, r);
		good = finish(kb, it, &b) && good;
	}
	for (size_t i = 0; i < kb->n_statements; i++)
		good = add_statement(kb, &kb->statements[i], NULL, &b) && good;
	for (size_t i = 0; i < kb->n_presets; i++) {
		const struct kb_preset *pr = &kb->presets[i];

		good = add_statement(kb, &kb->presets[i].statement, pr, &b) &&
		    good;
		good =
		    add_statement(kb, &kb->presets[i].adjusted, pr, &b) && good;
	}
	kb->n_items = n;
	sb_free(&b);
	return good;
}

const struct kb_item *
kb_item_find(const struct ldn_kb *kb, const char *name)
{
	int want = -1;

	if (name == NULL)
		return NULL;
	for (int k = 0; k < 2; k++) {
		size_t l = strlen(item_kind_names[k]);

		if (strncmp(name, item_kind_names[k], l) == 0 &&
		    name[l] == '/') {
			want = k;
			name += l + 1;
			break;
		}
	}
	for (size_t i = 0; i < kb->n_items; i++) {
		const struct kb_item *it = &kb->items[i];

		if ((want < 0 || (int)it->kind == want) &&
		    strcmp(it->id, name) == 0)
			return it;
	}
	return NULL;
}

const char *
ldn_kb_item_name(const struct ldn_kb *kb, size_t i)
{
	return i < kb->n_items ? kb->items[i].name : NULL;
}

const struct kb_reviewer *
kb_reviewer_find(const struct ldn_kb *kb, const char *id)
{
	for (size_t i = 0; id != NULL && i < kb->n_reviewers; i++)
		if (strcmp(kb->reviewers[i].id, id) == 0)
			return &kb->reviewers[i];
	return NULL;
}
