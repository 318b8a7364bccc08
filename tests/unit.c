/*
 * Unit tests of the base layer and the code-set lookups: dates, doses,
 * words, JSON pointers and locations, the arena (with allocation-failure
 * injection through a whole intake), and the table of code expectations in
 * tests/data/code_expectations.tsv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/dose.h"
#include "base/jsonw.h"
#include "base/strbuf.h"
#include "base/tree.h"
#include "draft.h"
#include "intake/codes.h"
#include "intake/intake.h"
#include "kb/words.h"
#include "render/render.h"

#include "tap.h"

static void
test_dates(void)
{
	int32_t d;
	char b[11];

	ok(date_parse("2026-11-25", 10, &d) && d == 20782,
	    "2026-11-25 is day "
	    "20782");
	date_format(d, b);
	ok(strcmp(b, "2026-11-25") == 0, "and formats back");
	ok(date_parse("2024-02-29", 10, &d), "29 February in a leap year");
	ok(!date_parse("2026-02-29", 10, &d), "no 29 February in 2026");
	ok(!date_parse("2026-02-30", 10, &d), "no 30 February");
	ok(!date_parse("2100-02-29", 10, &d), "2100 is not a leap year");
	ok(date_parse("2000-02-29", 10, &d), "2000 is a leap year");
	ok(!date_parse("2026-13-01", 10, &d), "no month 13");
	ok(!date_parse("2026-00-10", 10, &d), "no month 0");
	ok(!date_parse("2026-1-01", 9, &d), "single-digit month refused");
	ok(!date_parse("2026-11-25T10:00", 16, &d), "times refused");
	ok(!date_parse("26-11-2025", 10, &d), "day-first refused");
	ok(!date_parse("1899-12-31", 10, &d), "before 1900 refused");
	ok(!date_parse("+026-11-25", 10, &d), "signs refused");
	date_parse("2000-03-01", 10, &d);
	ok(date_years_between(date_from_ymd(1990, 3, 1), d) == 10 &&
	        date_years_between(date_from_ymd(1990, 3, 2), d) == 9,
	    "an age changes on the birthday, not before");
	for (int32_t x = -1000; x < 80000; x += 37) {
		int y;
		unsigned m, dd;

		date_to_ymd(x, &y, &m, &dd);
		if (date_from_ymd(y, m, dd) != x) {
			ok(0, "day %d round-trips", x);
			return;
		}
	}
	ok(1, "days round-trip through year, month, day for 220 years");
}

static void
test_doses(void)
{
	char b[16];

	mg_string(1500, b);
	ok(strcmp(b, "1.5") == 0, "1500 ug is 1.5 mg, not 1.50000");
	mg_string(4500, b);
	ok(strcmp(b, "4.5") == 0, "4500 ug is 4.5 mg");
	mg_string(2000, b);
	ok(strcmp(b, "2") == 0, "2000 ug is 2 mg");
	mg_string(250, b);
	ok(strcmp(b, "0.25") == 0, "250 ug is 0.25 mg");
	mg_string(100, b);
	ok(strcmp(b, "0.1") == 0, "100 ug is 0.1 mg");
	mg_string(1, b);
	ok(strcmp(b, "0.001") == 0, "1 ug is 0.001 mg");
	mg_string(10, b);
	ok(strcmp(b, "0.01") == 0, "10 ug is 0.01 mg");
	mg_string(0, b);
	ok(strcmp(b, "0") == 0, "0 ug is 0 mg");
	mg_string(50000, b);
	ok(strcmp(b, "50") == 0, "50000 ug is 50 mg");
	mg_string(INT32_MAX, b);
	ok(strcmp(b, "2147483.647") == 0, "the largest dose fits: %s", b);
	mg_string(-1, b);
	ok(strcmp(b, "?") == 0, "a negative dose is \"?\"");
	ok(words_mg_after("Naltrexone hydrochloride 50 MG Oral Tablet",
	       "naltrexone") == 50000,
	    "50 MG read after naltrexone");
	ok(words_mg_after("LDN 4.5mg capsules", NULL) == 4500, "4.5mg read");
	ok(words_mg_after("naltrexone 0.5 mg/mL liquid", "naltrexone") == 500,
	    "0.5 mg/mL read as 0.5 mg");
	ok(words_mg_after("12 HR Bupropion Hydrochloride 90 MG / Naltrexone "
	                  "hydrochloride 8 MG",
	       "naltrexone") == 8000,
	    "the strength after naltrexone, not bupropion's");
	ok(words_mg_after("naltrexone", "naltrexone") == -1, "no strength");
	ok(words_mg_after("naltrexone 5 mcg", "naltrexone") == -1,
	    "micrograms are not milligrams");
}

static void
test_words(void)
{
	struct words w;

	words_split(&w, "Co-codamol 30/500 TABS", 22);
	ok(w.n == 5 && strcmp(w.w[0], "co") == 0 &&
	        strcmp(w.w[1], "codamol") == 0 && strcmp(w.w[3], "500") == 0 &&
	        strcmp(w.w[4], "tabs") == 0,
	    "words split on punctuation and fold case");
	words_split(&w, "", 0);
	ok(w.n == 0, "no words in nothing");
	char big[2000];
	memset(big, 'a', sizeof(big));
	words_split(&w, big, sizeof(big));
	ok(w.n == 1 && strlen(w.w[0]) < WORDS_BUF,
	    "a huge word is cut, not "
	    "overflowed");
}

static void
test_jpath(void)
{
	struct jpath p;
	char where[160];
	const char *bad = "{\"a\":[1,{\"b\":\"x\xff\"}]}";

	jpath_init(&p);
	jpath_key(&p, "a/b~c");
	jpath_index(&p, 3);
	ok(strcmp(jpath_str(&p), "/a~1b~0c/3") == 0, "RFC 6901 escaping");
	json_locate(bad, strlen(bad), strlen(bad) - 4, where, sizeof(where));
	ok(strcmp(where, "/a/1/b") == 0,
	    "a byte offset becomes the pointer of the field (%s)", where);
	jpath_init(&p);
	for (int i = 0; i < 100; i++)
		jpath_key(&p, "abcdefgh");
	ok(strlen(jpath_str(&p)) < sizeof(p.buf) &&
	        strstr(jpath_str(&p), "...") != NULL,
	    "a pointer too long for its buffer is cut with ...");
}

static void
test_arena(void)
{
	struct arena a = ARENA_INIT(10000);
	void *p = arena_alloc(&a, 20000);

	ok(p == NULL && a.failed, "an allocation past the limit fails");
	ok(arena_alloc(&a, 8) == NULL, "and failure is sticky");
	arena_free(&a);
	ok(arena_alloc(&a, 8) != NULL, "arena_free resets it");
	ok(arena_calloc(&a, SIZE_MAX / 2, 4) == NULL, "overflow is caught");
	arena_free(&a);
}

/* Fail the 1st, 2nd, ... allocation of a whole intake: each must end in a
 * clean LDN_E_NOMEM (ASan's leak check sees the rest), until it succeeds. */
static void
test_alloc_failures(const struct ldn_kb *kb, const char *example)
{
	size_t len;
	char *buf = tap_slurp(example, &len);
	long n, failures = 0;
	bool clean = true;

	if (buf == NULL) {
		ok(0, "read %s", example);
		return;
	}
	for (n = 1; n < 100000; n++) {
		struct arena a = ARENA_INIT(1u << 24);
		struct patient *p = NULL;
		struct ldn_error err = { 0 };
		enum ldn_status rc;

		a.fail_after = n;
		rc = intake_parse(kb, &a, buf, len, false, 20782, &p, &err);
		arena_free(&a);
		if (rc == LDN_OK)
			break;
		failures++;
		clean &= rc == LDN_E_NOMEM && p == NULL;
	}
	ok(clean && failures > 10,
	    "each of %ld allocation failures in intake gives LDN_E_NOMEM",
	    failures);
	free(buf);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static enum med_class
class_named(const char *s)
{
	for (int c = 0; c < MC_COUNT; c++)
		if (strcmp(med_class_names[c], s) == 0)
			return (enum med_class)c;
	return MC_COUNT;
}

/* Every row of tests/data/code_expectations.tsv: system, code or text,
 * expected concept id or medication class ("none" for nothing), and for a
 * medication optionally the strength read, in mg ("-" for none). */
static void
test_code_table(const struct ldn_kb *kb, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	int rows = 0, bad = 0;

	if (fp == NULL) {
		ok(0, "open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *sys = strtok(line, "\t\r\n"),
		     *code = strtok(NULL, "\t\r\n"),
		     *want = strtok(NULL, "\t\r\n"),
		     *dose = strtok(NULL, "\t\r\n");
		char got[200] = "";

		if (sys == NULL || code == NULL || want == NULL ||
		    sys[0] == '#' || strcmp(sys, "system") == 0)
			continue;
		rows++;
		if (strcmp(sys, "rxnorm") == 0 || strcmp(sys, "medtext") == 0) {
			struct medication m = { 0 };

			if (strcmp(sys, "rxnorm") == 0)
				m.rxnorm = code;
			else
				m.name = code;
			codes_medication(kb, &m);
			snprintf(got, sizeof(got), "%s",
			    med_class_names[m.cls]);
			if (dose != NULL) {
				char mgs[16] = "-";

				if (m.dose_ug >= 0)
					mg_string(m.dose_ug, mgs);
				if (strcmp(mgs, dose) != 0) {
					printf("# %s %s: expected %s mg, got "
					       "%s\n",
					    sys, code, dose, mgs);
					bad++;
				}
			}
			if (class_named(want) == MC_COUNT) {
				printf("# unknown class %s\n", want);
				bad++;
				continue;
			}
		} else {
			enum cond_system cs = strcmp(sys, "icd10") == 0
			    ? CS_ICD10
			    : strcmp(sys, "snomed") == 0 ? CS_SNOMED
			                                 : CS_TEXT;
			uint64_t mask = codes_condition(kb, cs, code, code);

			/* several concepts are listed sorted, comma-separated
			 */
			const char *ids[64];
			size_t n = 0;

			for (size_t k = 0; k < kb->n_concepts; k++)
				if (mask >> k & 1)
					ids[n++] = kb->concepts[k].id;
			qsort(ids, n, sizeof(*ids), by_str);
			snprintf(got, sizeof(got), "%s", n ? "" : "none");
			for (size_t k = 0; k < n; k++)
				snprintf(got + strlen(got),
				    sizeof(got) - strlen(got), "%s%s",
				    k ? "," : "", ids[k]);
		}
		if (strcmp(got, want) != 0) {
			printf("# %s %s: expected %s, got %s\n", sys, code,
			    want, got);
			bad++;
		}
	}
	fclose(fp);
	ok(rows >= 60 && bad == 0, "%d of %d code expectations hold",
	    rows - bad, rows);
}

/* The escaping a plain byte-at-a-time writer would do: the reference the
 * word-at-a-time scan in jsonw.c is checked against. */
static void
escape_slowly(struct strbuf *b, const unsigned char *s, size_t n)
{
	sb_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char e[8];

		if (s[i] == '"' || s[i] == '\\')
			snprintf(e, sizeof(e), "\\%c", s[i]);
		else if (s[i] == '\n')
			snprintf(e, sizeof(e), "\\n");
		else if (s[i] == '\t')
			snprintf(e, sizeof(e), "\\t");
		else if (s[i] == '\r')
			snprintf(e, sizeof(e), "\\r");
		else if (s[i] < 0x20)
			snprintf(e, sizeof(e), "\\u%04x", s[i]);
		else
			snprintf(e, sizeof(e), "%c", s[i]);
		sb_puts(b, e);
	}
	sb_add(b, "\"", 1);
}

static void
test_json_writer(void)
{
	unsigned char s[40];
	unsigned seed = 1;
	int bad = 0, cases = 0;

	/* every byte that matters (and some that do not) at every offset
	 * of a string long enough to cross several 8-byte words */
	for (unsigned c = 0; c < 256; c++)
		for (size_t at = 0; at < sizeof(s); at++) {
			struct strbuf got = STRBUF_INIT(1 << 20),
			              want = STRBUF_INIT(1 << 20);
			struct jw w;

			for (size_t i = 0; i < sizeof(s); i++) {
				seed = seed * 1103515245u + 12345u;
				s[i] = (unsigned char)('a' + (seed >> 16) % 26);
			}
			s[at] = (unsigned char)c;
			if (c % 3 == 0 && at + 9 < sizeof(s))
				s[at + 9] = (unsigned char)(c ^ 0x80);
			jw_init(&w, &got);
			jw_strn(&w, (const char *)s, sizeof(s) - at % 8);
			escape_slowly(&want, s, sizeof(s) - at % 8);
			cases++;
			if (got.len != want.len ||
			    memcmp(sb_cstr(&got), sb_cstr(&want), got.len) != 0)
				bad++;
			sb_free(&got);
			sb_free(&want);
		}
	ok(bad == 0, "JSON strings escape as byte by byte: %d of %d differ",
	    bad, cases);

	struct strbuf b = STRBUF_INIT(100);
	char big[64];

	memset(big, 'x', sizeof(big));
	for (int i = 0; i < 3; i++)
		sb_add(&b, big, sizeof(big));
	ok(b.failed && b.len == 64,
	    "appends past the ceiling fail and the failure sticks (len %zu)",
	    b.len);
	sb_free(&b);
}

/* Every unit of the kb's numbers has its name in the JSON answers. */
static void
test_unit_names(void)
{
	int missing = 0;

	for (int u = 0; u < U_COUNT; u++)
		missing += render_unit_json[u] == NULL ||
		    render_unit_json[u][0] == '\0';
	ok(missing == 0, "each of the %d units has a JSON name (%d without)",
	    U_COUNT, missing);
}

int
main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : ".";
	char path[1024];
	struct ldn_kb *kb;
	struct ldn_error err;

	test_dates();
	test_doses();
	test_words();
	test_jpath();
	test_arena();
	test_json_writer();
	test_unit_names();
	if (ldn_kb_load(LDN_KB_DIR, &kb, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/examples/fibromyalgia.json", src);
	test_alloc_failures(kb, path);
	snprintf(path, sizeof(path), "%s/tests/data/code_expectations.tsv",
	    src);
	test_code_table(kb, path);
	ldn_kb_free(kb);
	return tap_done();
}
