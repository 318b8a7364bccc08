/*
 * The plan as an RFC 5545 calendar: one all-day event per step of the
 * schedule (start, increase, hold, restart), then one per dated monitoring
 * item (the baseline pain record, the review of the trial).  Nothing else
 * is dated: the calendar invents no visit the plan does not hold.  A
 * do-not-start plan has no dose to put in a calendar; it gets one event on
 * the plan's own date that says so and why (the blocks), since a calendar
 * must hold at least one component.
 *
 * Output is byte-identical for the same plan and audience: DTSTAMP is the
 * plan's as-of date at midnight UTC, and each UID is a hash of the whole
 * plan (the patient's id and record, the as-of date, the preset, the
 * schedule's dates, kinds, doses and timing, the dated monitoring, the
 * knowledge base's fingerprint) and of what the event is.  A changed plan
 * therefore has none of the old plan's UIDs: its calendar, named for the
 * patient and the plan's date (X-WR-CALNAME), replaces the old one, which
 * the user removes, instead of quietly keeping old events whose doses no
 * longer hold.  Lines end in CRLF and are folded at 75 octets, never
 * inside a UTF-8 sequence.
 */
#include "render.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../base/date.h"
#include "../base/error_impl.h"

enum {
	ICS_FOLD = 75 /* octets per line, CRLF not counted (RFC 5545 3.1) */
};

/* Event titles, by step kind, then a monitoring item, then the
 * do-not-start decision ("%s" is the dose). */
enum {
	T_MONITOR = 4,
	T_DECISION = 5,
	T_COUNT = 6
};

static const char *const titles[AUD_COUNT][T_COUNT] = {
	[AUD_CLINICIAN] = { "LDN start %s", "LDN increase to %s",
	    "LDN hold (stop %s)", "LDN restart %s", "LDN monitoring",
	    "LDN: do not start" },
	[AUD_PATIENT] = { "Start LDN: %s", "LDN goes up to %s",
	    "No LDN for now (you were taking %s)", "Restart LDN: %s",
	    "LDN: what to track", "Do not start LDN yet" },
};

/* Write the content line in line to b, folded: after 75 octets a CRLF
 * and a space, with the cut moved back to the start of a UTF-8
 * sequence. */
static void
put_line(struct strbuf *b, struct strbuf *line)
{
	const char *s = sb_cstr(line);
	size_t n = line->len, room = ICS_FOLD;

	while (n > room) {
		size_t cut = room;

		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		sb_add(b, s, cut);
		sb_puts(b, "\r\n ");
		s += cut;
		n -= cut;
		room = ICS_FOLD - 1; /* the leading space counts */
	}
	sb_add(b, s, n);
	sb_puts(b, "\r\n");
	line->len = 0;
}

/* s as a TEXT value: backslash, semicolon, comma and newline escaped. */
static void
put_text(struct strbuf *line, const char *s, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		const char *r;

		switch (s[i]) {
		case '\\':
			r = "\\\\";
			break;
		case ';':
			r = "\\;";
			break;
		case ',':
			r = "\\,";
			break;
		case '\n':
			r = "\\n";
			break;
		default:
			continue;
		}
		sb_add(line, s + from, i - from);
		sb_puts(line, r);
		from = i + 1;
	}
	sb_add(line, s + from, n - from);
}

static void
prop_text(struct strbuf *b, struct strbuf *line, const char *name,
    const char *s, size_t n)
{
	sb_printf(line, "%s:", name);
	put_text(line, s, n);
	put_line(b, line);
}

static void
ymd(int32_t day, char out[static 9])
{
	char iso[11];

	/* YYYY-MM-DD without its dashes */
	date_format(day, iso);
	memcpy(out, iso, 4);
	memcpy(out + 4, iso + 5, 2);
	memcpy(out + 6, iso + 8, 2);
	out[8] = '\0';
}

/* FNV-1a, 64 bits: enough to keep one patient's events apart, and stable
 * across builds and machines. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff; /* a separator no UTF-8 text holds */
	return h * 0x100000001b3ULL;
}

static uint64_t
fnv_int(uint64_t h, long long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", v);
	return fnv(h, s);
}

static uint64_t
fnv_opt(uint64_t h, const char *s)
{
	/* absent and empty differ */
	return s ? fnv(fnv(h, "+"), s) : fnv(h, "-");
}

/* The patient's record as the plan read it: two records without an id
 * that differ anywhere keep their calendars apart. */
static uint64_t
hash_patient(uint64_t h, const struct patient *p)
{
	char num[32];

	h = fnv_opt(h, p->id);
	h = fnv_int(h, p->from_fhir);
	h = fnv_int(h, p->deceased);
	h = fnv_int(h, p->birth_date);
	h = fnv_int(h, p->age_years);
	h = fnv_int(h, p->sex);
	h = fnv_int(h, p->weight_g);
	h = fnv_int(h, p->pregnancy);
	h = fnv_int(h, p->baseline_pain);
	h = fnv_int(h, p->opioid_analgesia_required);
	h = fnv_int(h, p->occult_opioid_use_suspected);
	h = fnv_int(h, p->sensitive);
	h = fnv_int(h, p->medications_given);
	h = fnv_int(h, p->medications_partial);
	h = fnv_int(h, (long long)p->n_conditions);
	for (size_t i = 0; i < p->n_conditions; i++) {
		const struct condition *c = &p->conditions[i];

		h = fnv_opt(fnv_opt(h, c->code), c->display);
		h = fnv_int(fnv_int(h, c->system), c->active);
		h = fnv_int(h, c->onset);
	}
	h = fnv_int(h, (long long)p->n_medications);
	for (size_t i = 0; i < p->n_medications; i++) {
		const struct medication *m = &p->medications[i];

		h = fnv_opt(fnv_opt(h, m->rxnorm), m->name);
		h = fnv_int(fnv_int(h, m->active), m->started);
		h = fnv_int(fnv_int(h, m->last_dose), m->order_date);
	}
	h = fnv_int(h, (long long)p->n_labs);
	for (size_t i = 0; i < p->n_labs; i++) {
		const struct lab *l = &p->labs[i];

		snprintf(num, sizeof(num), "%.17g", l->value);
		h = fnv(fnv_opt(fnv_opt(h, l->loinc), l->unit), num);
		h = fnv_int(h, l->date);
	}
	h = fnv_int(h, (long long)p->n_procedures);
	for (size_t i = 0; i < p->n_procedures; i++) {
		const struct procedure *r = &p->procedures[i];

		h = fnv_int(fnv_opt(h, r->display), r->date);
		h = fnv_int(fnv_int(h, r->status), r->opioids_expected);
	}
	h = fnv_int(h, (long long)p->n_prior);
	for (size_t i = 0; i < p->n_prior; i++) {
		const struct prior_ldn *r = &p->prior[i];

		h = fnv_int(fnv_int(h, r->max_dose_ug), r->titrated);
		h = fnv_int(fnv_int(h, r->outcome), r->stopped);
	}
	return h;
}

/* The plan's content: whose it is, when, by which preset and knowledge
 * base, and every dated thing it puts in the calendar. */
static uint64_t
hash_plan(const struct ldn_plan *pl)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = hash_patient(h, pl->patient);
	h = fnv(h, pl->kb->fingerprint);
	h = fnv(h, pl->as_of_str);
	h = fnv(h, pl->preset->id);
	h = fnv_int(h, pl->decision);
	h = fnv_int(h, pl->earliest);
	h = fnv_int(h, pl->morning);
	h = fnv_int(h, (long long)pl->n_steps);
	for (size_t i = 0; i < pl->n_steps; i++) {
		const struct step *s = &pl->steps[i];

		h = fnv_int(fnv_int(h, s->date), s->kind);
		h = fnv_opt(fnv_int(h, s->dose_ug), s->procedure);
	}
	h = fnv_int(h, (long long)pl->n_items);
	for (size_t i = 0; i < pl->n_items; i++)
		h = fnv_int(fnv_int(h, pl->items[i].id), pl->items[i].date);
	for (size_t i = 0; i < pl->n_findings; i++)
		h = fnv_int(h, pl->findings[i].id);
	return h;
}

/* One event: [from, to) as dates, its kind (a step kind or "monitor" or
 * "decision"), its title and its description (in desc). */
struct event {
	int32_t from, to;
	const char *kind, *entry;
	const char *title;
	uint64_t plan; /* hash_plan() */
};

static void
event(struct strbuf *b, struct strbuf *line, const struct ldn_plan *pl,
    enum audience aud, const struct event *ev, const struct strbuf *desc)
{
	char d0[9], d1[9], stamp[9];
	uint64_t h = 0xcbf29ce484222325ULL;

	ymd(ev->from, d0);
	ymd(ev->to, d1);
	ymd(pl->as_of, stamp);
	h = fnv(h, audience_names[aud]);
	h = fnv(h, ev->kind);
	h = fnv(h, ev->entry);
	h = fnv(h, d0);
	h = fnv(h, d1);
	sb_puts(line, "BEGIN:VEVENT");
	put_line(b, line);
	sb_printf(line, "UID:%016llx-%016llx@ldn.invalid",
	    (unsigned long long)ev->plan, (unsigned long long)h);
	put_line(b, line);
	sb_printf(line, "DTSTAMP:%sT000000Z", stamp);
	put_line(b, line);
	sb_printf(line, "DTSTART;VALUE=DATE:%s", d0);
	put_line(b, line);
	sb_printf(line, "DTEND;VALUE=DATE:%s", d1);
	put_line(b, line);
	prop_text(b, line, "SUMMARY", ev->title, strlen(ev->title));
	prop_text(b, line, "DESCRIPTION", desc->s ? desc->s : "", desc->len);
	sb_printf(line, "CATEGORIES:LDN,%s", ev->kind);
	put_line(b, line);
	sb_puts(line, "TRANSP:TRANSPARENT");
	put_line(b, line);
	sb_puts(line, "END:VEVENT");
	put_line(b, line);
}

/* The text of entry e for this plan into desc.  Citation numbers are
 * left out: a calendar has no reference list to resolve them (the page
 * and the other forms have). */
static void
describe(struct strbuf *desc, const struct ldn_plan *pl, enum audience aud,
    enum entry_id e, const char *const *vars)
{
	tmpl_expand(desc, pl->kb, &pl->kb->entries[e].text[aud], vars);
}

static void
steps(struct strbuf *b, struct strbuf *line, struct strbuf *desc,
    const struct ldn_plan *pl, enum audience aud, uint64_t ph)
{
	for (size_t i = 0; i < pl->n_steps; i++) {
		const struct step *s = &pl->steps[i];
		const char *vars[V_COUNT] = { 0 };
		char d[11], dose[24], title[96];
		enum entry_id e = render_step_vars(pl, i, d, dose, vars);
		struct event ev = { .from = s->date,
			.to = s->date + 1,
			.kind = step_kind_names[s->kind],
			.entry = pl->kb->entries[e].id,
			.title = title,
			.plan = ph };

		/* A hold lasts until the next step, which takes it up again. */
		if (s->kind == STEP_HOLD && i + 1 < pl->n_steps)
			ev.to = pl->steps[i + 1].date;
		snprintf(title, sizeof(title), titles[aud][s->kind], dose);
		desc->len = 0;
		describe(desc, pl, aud, e, vars);
		event(b, line, pl, aud, &ev, desc);
	}
}

static void
monitoring(struct strbuf *b, struct strbuf *line, struct strbuf *desc,
    const struct ldn_plan *pl, enum audience aud, uint64_t ph)
{
	for (size_t i = 0; i < pl->n_items; i++) {
		const struct item *it = &pl->items[i];
		struct event ev = { .from = it->date,
			.to = it->date + 1,
			.kind = "monitor",
			.entry = pl->kb->entries[it->id].id,
			.title = titles[aud][T_MONITOR],
			.plan = ph };

		/* only monitoring: what is due before the first dose is
		 * not a calendar event */
		if (it->date == DATE_NONE ||
		    entry_specs[it->id].list != L_MONITOR)
			continue;
		desc->len = 0;
		describe(desc, pl, aud, it->id, it->vars);
		event(b, line, pl, aud, &ev, desc);
	}
}

static void
do_not_start(struct strbuf *b, struct strbuf *line, struct strbuf *desc,
    const struct ldn_plan *pl, enum audience aud, uint64_t ph)
{
	struct event ev = { .from = pl->as_of,
		.to = pl->as_of + 1,
		.kind = "decision",
		.entry = "do-not-start",
		.title = titles[aud][T_DECISION],
		.plan = ph };

	desc->len = 0;
	sb_puts(desc, render_labels[aud].decision[LDN_DECISION_DO_NOT_START]);
	for (size_t i = 0; i < pl->n_findings; i++) {
		const struct finding *f = &pl->findings[i];

		if (entry_specs[f->id].severity != SEV_BLOCK)
			continue;
		sb_puts(desc, "\n");
		describe(desc, pl, aud, f->id, f->vars);
	}
	event(b, line, pl, aud, &ev, desc);
}

enum ldn_status
render_ics(const struct ldn_plan *pl, enum audience aud, char **out,
    size_t *len, struct ldn_error *err)
{
	struct strbuf b = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf line = STRBUF_INIT(RENDER_LIMIT);
	struct strbuf desc = STRBUF_INIT(RENDER_LIMIT);
	const char *id = pl->patient->id ? pl->patient->id : "(no id)";
	const uint64_t ph = hash_plan(pl);

	sb_puts(&line, "BEGIN:VCALENDAR");
	put_line(&b, &line);
	sb_puts(&line, "VERSION:2.0");
	put_line(&b, &line);
	sb_puts(&line, "PRODID:-//ldn//ldn " LDN_VERSION "//EN");
	put_line(&b, &line);
	sb_puts(&line, "CALSCALE:GREGORIAN");
	put_line(&b, &line);
	desc.len = 0;
	/* named for the plan's date: a later plan is a new calendar */
	sb_printf(&desc, "%s, %s: %s", render_labels[aud].title, pl->as_of_str,
	    id);
	prop_text(&b, &line, "X-WR-CALNAME", desc.s ? desc.s : "", desc.len);
	/* where the words come from and how they are checked */
	desc.len = 0;
	sb_printf(&desc, "%s: %s", render_labels[aud].policy,
	    RENDER_POLICY_PATH);
	prop_text(&b, &line, "X-WR-CALDESC", desc.s ? desc.s : "", desc.len);
	if (pl->decision == LDN_DECISION_DO_NOT_START)
		do_not_start(&b, &line, &desc, pl, aud, ph);
	else
		steps(&b, &line, &desc, pl, aud, ph);
	monitoring(&b, &line, &desc, pl, aud, ph);
	sb_puts(&line, "END:VCALENDAR");
	put_line(&b, &line);
	line.failed |= desc.failed;
	sb_free(&desc);
	return render_finish(&b, &line, out, len, err);
}
