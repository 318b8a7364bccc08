/*
 * `ldn ask`: the evaluation set (tests/ask/eval.tsv) with the figures the
 * issue sets as goals (top-3 accuracy, out-of-scope decline rate, mean
 * time per question), every follow-up question of kb/ask.yaml finding its
 * own statement, answers that only hold kb words, a patient's findings
 * applied, refusals of bad questions, FTS5 syntax kept out, and the index
 * shared by threads.
 *
 *   ask SOURCE_ROOT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ldn/ask.h"
#include "ldn/kb.h"
#include "ldn/plan.h"

#include "kb/ask_kb.h"

#include "tap.h"

enum {
	MAX_Q = 400
};

struct eval_q {
	char *aud, *ids, *text;
};

static struct ldn_kb *kb;
static struct ldn_ask *ask;
static struct eval_q qs[MAX_Q];
static size_t n_qs;

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static bool
listed(const char *ids, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = ids; (p = strstr(p, id)) != NULL; p += n)
		if ((p == ids || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void
load_eval(const char *path)
{
	char *buf = tap_slurp(path, NULL), *line, *save = NULL;

	if (buf == NULL) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	for (line = strtok_r(buf, "\n", &save); line && n_qs < MAX_Q;
	     line = strtok_r(NULL, "\n", &save)) {
		char *t1, *t2;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		t1 = strchr(line, '\t');
		t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (t2 == NULL) {
			printf("Bail out! %s: a line without 3 columns: %s\n",
			    path, line);
			exit(1);
		}
		*t1 = *t2 = '\0';
		qs[n_qs++] = (struct eval_q){ line, t1 + 1, t2 + 1 };
	}
	/* buf stays: qs points into it */
}

static void
test_eval(void)
{
	size_t in = 0, in_hit = 0, out = 0, out_declined = 0;
	double ms;

	for (size_t i = 0; i < n_qs; i++) {
		struct ldn_ask_result r;
		struct ldn_error err = { 0 };
		bool scope = strcmp(qs[i].ids, "-") != 0, hit = false;

		if (ldn_ask_search(ask, qs[i].text, strlen(qs[i].text), &r,
		        &err) != LDN_OK) {
			ok(false, "eval: %s: %s", qs[i].text, err.msg);
			continue;
		}
		for (size_t k = 0; k < r.n; k++)
			hit |= listed(qs[i].ids, r.ids[k]);
		if (scope) {
			in++;
			in_hit += hit && r.answered;
			if (!(hit && r.answered))
				tap_diag("missed: \"%s\" (want %s; got %s, %s, "
				         "%s; %.2f; coverage %d%%%s)",
				    qs[i].text, qs[i].ids,
				    r.n > 0 ? r.ids[0] : "-",
				    r.n > 1 ? r.ids[1] : "-",
				    r.n > 2 ? r.ids[2] : "-",
				    r.n ? r.scores[0] : 0.0, r.coverage_pct,
				    r.answered ? "" : "; declined");
		} else {
			out++;
			out_declined += !r.answered;
			if (r.answered)
				tap_diag("not declined: \"%s\" (got %s; %.2f; "
				         "coverage %d%%)",
				    qs[i].text, r.ids[0], r.scores[0],
				    r.coverage_pct);
		}
	}
	ok(in >= 60 && out >= 20,
	    "the evaluation set has %zu in-scope and %zu out-of-scope "
	    "questions (at least 60 and 20)",
	    in, out);
	tap_diag("top-3 accuracy %zu/%zu = %.1f%%", in_hit, in,
	    in ? 100.0 * in_hit / in : 0);
	tap_diag("out-of-scope declined %zu/%zu = %.1f%%", out_declined, out,
	    out ? 100.0 * out_declined / out : 0);
	ok(in > 0 && in_hit * 100 >= in * 90,
	    "the right statement is in the top 3 for at least 90%% of "
	    "in-scope questions (%zu of %zu)",
	    in_hit, in);
	ok(out > 0 && out_declined * 100 >= out * 90,
	    "at least 90%% of out-of-scope questions are declined (%zu of "
	    "%zu)",
	    out_declined, out);
	/* Time: the whole set answered in full, five times; the best pass
	 * counts, so that other processes on a shared machine do not. */
	ms = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ms(), pass;

		for (size_t i = 0; i < n_qs; i++) {
			char *o = NULL;
			size_t len;
			struct ldn_error err;

			if (ldn_ask_answer(ask, qs[i].text, strlen(qs[i].text),
			        NULL, NULL, LDN_AUDIENCE_PATIENT,
			        LDN_FORMAT_JSON, &o, &len, &err) == LDN_OK)
				free(o);
		}
		pass = (now_ms() - t0) / (double)n_qs;
		if (pass < ms)
			ms = pass;
	}
	tap_diag("mean time per question (answer as JSON): %.3f ms", ms);
	ok(ms < 5.0, "under 5 ms per question (%.3f ms)", ms);
}

static void
test_follow_up_questions(void)
{
	size_t n = ldn_ask_n_questions(kb);

	ok(n >= 5, "kb/ask.yaml holds %zu follow-up questions", n);
	for (size_t i = 0; i < n; i++)
		for (int a = 0; a < 2; a++) {
			enum ldn_audience aud =
			    a ? LDN_AUDIENCE_PATIENT : LDN_AUDIENCE_CLINICIAN;
			const char *id,
			    *text = ldn_ask_question(kb, i, aud, &id);
			struct ldn_ask_result r;
			struct ldn_error err;
			bool hit = false;

			if (ldn_ask_search(ask, text, strlen(text), &r, &err) !=
			    LDN_OK)
				r = (struct ldn_ask_result){ .n = 0 };
			for (size_t k = 0; k < r.n; k++)
				hit |= ldn_ask_question_answered_by(kb, i,
				    r.ids[k]);
			ok(hit && r.answered,
			    "follow-up %s (%s) finds its statement in the top "
			    "3: \"%s\"",
			    id, a ? "patient" : "clinician", text);
		}
}

static json_t *
answer_json(const char *q, const struct ldn_plan *pl, enum ldn_audience aud)
{
	char *o = NULL;
	size_t len;
	struct ldn_error err;
	json_t *j;

	if (ldn_ask_answer(ask, q, strlen(q), pl, NULL, aud, LDN_FORMAT_JSON,
	        &o, &len, &err) != LDN_OK)
		return NULL;
	j = json_loadb(o, len, 0, NULL);
	free(o);
	return j;
}

/* Every sentence of an answer is a statement's or a finding's: each
 * answer's text is the KB's own for that id and audience. */
static void
test_answers(const char *root)
{
	char path[1024], *patient, *kbjson = NULL;
	size_t len, kblen;
	struct ldn_plan *pl = NULL;
	struct ldn_error err;
	json_t *j, *kbj, *a;
	size_t i, idx[8], n;
	bool all_kb = true;

	/* In clinician words: a patient is answered only from approved
	 * statements, and without a review log none is (tests/review_plan.c
	 * approves some and asks as a patient). */
	ok(ldn_kb_render_json(kb, NULL, LDN_AUDIENCE_CLINICIAN, &kbjson, &kblen,
	       &err) == LDN_OK,
	    "the KB's statements for the clinician audience");
	kbj = json_loadb(kbjson, kblen, 0, NULL);
	free(kbjson);
	j = answer_json("Can I take Tylenol #3 with LDN?", NULL,
	    LDN_AUDIENCE_CLINICIAN);
	ok(j && json_is_true(json_object_get(j, "answered")),
	    "a question in scope is answered");
	json_array_foreach(json_object_get(j, "answers"), i, a)
	{
		const char *id = json_string_value(json_object_get(a, "id"));
		const char *text =
		    json_string_value(json_object_get(a, "text"));
		json_t *s;
		size_t k;
		bool found = false;

		json_array_foreach(json_object_get(kbj, "statements"), k,
		    s) if (strcmp(json_string_value(json_object_get(s, "id")),
		               id) == 0 &&
		    text &&
		    strcmp(json_string_value(json_object_get(s, "text")),
		        text) == 0) found = true;
		all_kb &= found &&
		    json_array_size(json_object_get(a, "citations")) > 0;
	}
	ok(json_array_size(json_object_get(j, "answers")) >= 1 && all_kb,
	    "each answer is a statement's own words, with citations");
	ok(json_array_size(json_object_get(j, "references")) >= 1,
	    "the cited references are listed");
	json_decref(j);
	json_decref(kbj);

	j = answer_json("What is the capital of France?", NULL,
	    LDN_AUDIENCE_PATIENT);
	ok(j && json_is_false(json_object_get(j, "answered")) &&
	        json_array_size(json_object_get(j, "answers")) == 0 &&
	        strstr(json_string_value(json_object_get(j, "message")),
	            "doctor") != NULL,
	    "out of scope: no answer, and the patient is told to ask their "
	    "doctor");
	json_decref(j);

	snprintf(path, sizeof(path), "%s/examples/fibromyalgia.json", root);
	patient = tap_slurp(path, &len);
	ok(patient &&
	        ldn_plan_build(kb, patient, len, "2026-11-25", &pl, &err) ==
	            LDN_OK,
	    "a plan for the example patient");
	free(patient);
	if (pl == NULL)
		return;
	j = answer_json("How long do I have to wait after my last "
	                "oxycodone?",
	    pl, LDN_AUDIENCE_CLINICIAN);
	a = json_array_get(json_object_get(j, "for_patient"), 0);
	ok(a &&
	        strcmp(json_string_value(json_object_get(a, "finding")),
	            "opioid.washout") == 0 &&
	        strstr(json_string_value(json_object_get(a, "text")),
	            "2026-11-27") != NULL,
	    "with a patient: the washout finding and its date "
	    "(2026-11-27)");
	json_decref(j);
	j = answer_json("Does LDN work for fibromyalgia?", pl,
	    LDN_AUDIENCE_CLINICIAN);
	ok(j && json_array_size(json_object_get(j, "for_patient")) == 0,
	    "no patient finding when none bears on the statements found");
	json_decref(j);
	j = answer_json("What's the weather tomorrow?", pl,
	    LDN_AUDIENCE_CLINICIAN);
	ok(j && json_array_size(json_object_get(j, "for_patient")) == 0 &&
	        json_is_false(json_object_get(j, "answered")),
	    "declined: no patient finding either");
	json_decref(j);

	n = ldn_plan_follow_up(pl, idx, 8);
	ok(n >= 3 && n <= 5, "the plan suggests %zu follow-up questions", n);
	{
		bool washout = false, periop = false;

		for (size_t k = 0; k < n; k++) {
			const char *id;

			ldn_ask_question(kb, idx[k], LDN_AUDIENCE_PATIENT, &id);
			washout |= strcmp(id, "opioid.washout_length") == 0;
			periop |= strcmp(id, "periop.hold") == 0;
		}
		ok(washout && periop,
		    "chosen from the findings: the washout and the planned "
		    "surgery");
	}
	{
		char *o = NULL;
		size_t olen;
		json_t *pj = NULL;

		ok(ldn_plan_render(pl, LDN_FORMAT_JSON, LDN_AUDIENCE_PATIENT,
		       &o, &olen, &err) == LDN_OK &&
		        (pj = json_loadb(o, olen, 0, NULL)) != NULL,
		    "the plan as JSON");
		free(o);
		o = NULL;
		a = json_object_get(pj, "follow_up");
		ok(json_array_size(a) == n &&
		        json_string_value(json_object_get(json_array_get(a, 0),
		            "question")) != NULL,
		    "the plan's JSON has the %zu questions in \"follow_up\"",
		    n);
		json_decref(pj);
		ok(ldn_plan_render(pl, LDN_FORMAT_TEXT, LDN_AUDIENCE_PATIENT,
		       &o, &olen, &err) == LDN_OK &&
		        strstr(o,
		            ldn_ask_question(kb, idx[0], LDN_AUDIENCE_PATIENT,
		                NULL)) != NULL,
		    "and its text output too");
		free(o);
	}
	ldn_plan_free(pl);
}

static void
test_refusals(void)
{
	static const char *const bad[] = { "", "   \t ",
		"ab\x01"
		"cd",
		"caf\xc3", "\xff\xfe", "\xed\xa0\x80",
		"ab\x7f"
		"cd" };
	char big[LDN_ASK_MAX_QUESTION + 2];
	struct ldn_ask_result r;
	struct ldn_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		ok(ldn_ask_search(ask, bad[i], strlen(bad[i]), &r, &err) ==
		            LDN_E_SCHEMA &&
		        strcmp(err.where, "/question") == 0 && err.msg[0],
		    "refused, naming /question: bad question %zu (%s)", i,
		    err.msg);
	}
	memset(big, 'a', sizeof(big));
	ok(ldn_ask_search(ask, big, LDN_ASK_MAX_QUESTION + 1, &r, &err) ==
	        LDN_E_SCHEMA,
	    "a question over %d bytes is refused", LDN_ASK_MAX_QUESTION);
	ok(ldn_ask_search(ask, "x\0tramadol", 10, &r, &err) == LDN_E_SCHEMA,
	    "a NUL byte inside the question is refused");
	ok(ldn_ask_search(ask, big, LDN_ASK_MAX_QUESTION, &r, &err) == LDN_OK &&
	        !r.answered,
	    "a question of exactly %d bytes is read (and declined)",
	    LDN_ASK_MAX_QUESTION);
}

/* The best statement for q, or "-". */
static const char *
top(const char *q)
{
	struct ldn_ask_result r;
	struct ldn_error err;

	if (ldn_ask_search(ask, q, strlen(q), &r, &err) != LDN_OK || r.n == 0)
		return "-";
	return r.ids[0];
}

static bool
in_top3(const char *q, const char *id)
{
	struct ldn_ask_result r;
	struct ldn_error err;

	if (ldn_ask_search(ask, q, strlen(q), &r, &err) != LDN_OK ||
	    !r.answered)
		return false;
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.ids[i], id) == 0)
			return true;
	return false;
}

/* Brands and generics read as their class, lay words as clinical ones,
 * and a slipped letter as the word meant. */
static void
test_words(void)
{
	static const char *const typos[][2] = {
		{ "Can I take tramdol with LDN?",
		    "Can I take tramadol with LDN?" },
		{ "naltrexon dose for alcohol dependence",
		    "naltrexone dose for alcohol dependence" },
		{ "Is LDN safe in pregancy?", "Is LDN safe in pregnancy?" },
		{ "I am on Subxone, when can I start?",
		    "I am on Suboxone, when can I start?" },
		{ "Is LDN used for fibromyalgai?",
		    "Is LDN used for fibromyalgia?" },
	};

	for (size_t i = 0; i < sizeof(typos) / sizeof(typos[0]); i++)
		ok(strcmp(top(typos[i][0]), top(typos[i][1])) == 0 &&
		        strcmp(top(typos[i][0]), "-") != 0,
		    "a slip of one letter finds the same statement: \"%s\" "
		    "(%s)",
		    typos[i][0], top(typos[i][0]));
	ok(in_top3("Can I have Tylenol #3?", "contraindications.needs_opioids"),
	    "Tylenol #3 reads as an opioid");
	ok(in_top3("Is Ultram a problem?", "contraindications.needs_opioids"),
	    "Ultram (tramadol) reads as an opioid");
	ok(in_top3("I take Subutex", "contraindications.bup_methadone"),
	    "Subutex reads as buprenorphine");
	ok(in_top3("Is Lomotil OK?", "contraindications.hidden_opioids"),
	    "Lomotil reads as an opioid antidiarrhoeal");
	ok(in_top3("Will it make me throw up?", "safety.common_effects"),
	    "\"throw up\" reads as nausea");
	ok(!in_top3("Can I take Tylenol?", "contraindications.needs_opioids"),
	    "plain Tylenol (paracetamol) is not an opioid");
}

/* FTS5 query syntax in a question is only words. */
static void
test_no_injection(void)
{
	static const char *const qs_[] = {
		"tramadol\" OR NEAR(\"bedtime\" \"dose\")",
		"tramadol*",
		"^tramadol",
		"body:tramadol",
		"\"\"\"\"",
		"tramadol AND NOT surgery",
		"(((((tramadol",
		"tramadol}",
		"{body}: tramadol",
		"tramadol + - * : ^",
	};
	struct ldn_ask_result r, plain;
	struct ldn_error err;

	ok(ldn_ask_search(ask, "tramadol", 8, &plain, &err) == LDN_OK,
	    "tramadol alone");
	for (size_t i = 0; i < sizeof(qs_) / sizeof(qs_[0]); i++) {
		enum ldn_status rc =
		    ldn_ask_search(ask, qs_[i], strlen(qs_[i]), &r, &err);

		ok(rc == LDN_OK, "FTS5 syntax is read as words: %s", qs_[i]);
	}
}

struct worker {
	int diffs;
};

static void *
work(void *arg)
{
	struct worker *wk = arg;

	for (int rep = 0; rep < 3; rep++)
		for (size_t i = 0; i < n_qs; i++) {
			struct ldn_ask_result a, b;
			struct ldn_error err;

			if (ldn_ask_search(ask, qs[i].text, strlen(qs[i].text),
			        &a, &err) != LDN_OK ||
			    ldn_ask_search(ask, qs[i].text, strlen(qs[i].text),
			        &b, &err) != LDN_OK ||
			    a.n != b.n || a.answered != b.answered ||
			    (a.n && a.ids[0] != b.ids[0]))
				wk->diffs++;
		}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[4];
	struct worker w[4] = { { 0 }, { 0 }, { 0 }, { 0 } };
	int diffs = 0;

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, &w[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		diffs += w[i].diffs;
	}
	ok(diffs == 0, "four threads share one index with the same answers");
}

/* A statement for some patients only opens with the kb's "If this
 * applies to you:" unless the patient is known to be one of them; its
 * words are otherwise the statement's own. */
static void
test_applies(void)
{
	static const char pregnant[] =
	    "{\"id\":\"p\",\"birth_date\":\"1981-06-15\",\"sex\":"
	    "\"female\",\"weight_kg\":70,\"pregnancy\":\"pregnant\","
	    "\"conditions\":[{\"code\":\"M79.7\",\"system\":\"icd10\","
	    "\"status\":\"active\"}],\"medications\":[],"
	    "\"opioid_analgesia_required\":false}";
	static const char q[] = "Can I take LDN if I am pregnant?";
	const struct kb_statement *st = NULL;
	struct ldn_plan *pl = NULL;
	struct ldn_error err;
	char want[4096];

	for (size_t i = 0; i < kb->n_statements; i++)
		if (strcmp(kb->statements[i].id, "populations.pregnant") == 0)
			st = &kb->statements[i];
	if (!ok(st != NULL, "the pregnancy statement exists"))
		return;
	snprintf(want, sizeof(want), "%s %s",
	    kb->ask->applies_if[AUD_CLINICIAN], st->plain[AUD_CLINICIAN]);
	for (int withp = 0; withp < 2; withp++) {
		if (withp &&
		    ldn_plan_build(kb, pregnant, strlen(pregnant), "2026-11-25",
		        &pl, &err) != LDN_OK) {
			ok(0, "a pregnant patient's plan: %s", err.msg);
			return;
		}
		json_t *j = answer_json(q, pl, LDN_AUDIENCE_CLINICIAN), *a;
		const char *applies = NULL, *text = NULL, *first_always = NULL;
		size_t i;

		json_array_foreach(json_object_get(j, "answers"), i, a)
		{
			const char *id =
			    json_string_value(json_object_get(a, "id"));
			const char *ap =
			    json_string_value(json_object_get(a, "applies"));

			if (id && strcmp(id, st->id) == 0) {
				applies = ap;
				text = json_string_value(
				    json_object_get(a, "text"));
			}
			if (ap && strcmp(ap, "always") == 0 && !first_always)
				first_always = json_string_value(
				    json_object_get(a, "text"));
		}
		if (withp)
			ok(applies && strcmp(applies, "this patient") == 0 &&
			        text &&
			        strcmp(text, st->plain[AUD_CLINICIAN]) == 0,
			    "for a pregnant patient the pregnancy statement "
			    "applies to her, in its own words (%s)",
			    applies ? applies : "not found");
		else
			ok(applies && strcmp(applies, "some patients") == 0 &&
			        text && strcmp(text, want) == 0 &&
			        (first_always == NULL ||
			            strncmp(first_always,
			                kb->ask->applies_if[AUD_CLINICIAN],
			                strlen(
			                    kb->ask
			                        ->applies_if[AUD_CLINICIAN])) !=
			                0),
			    "with no patient it opens \"%s\" and a statement "
			    "for everyone does not (%s)",
			    kb->ask->applies_if[AUD_CLINICIAN],
			    applies ? applies : "not found");
		json_decref(j);
	}
	ldn_plan_free(pl);
}

/* A pharmacist's answer: labelled "pharmacist", never "clinician"; its
 * statements and findings in the clinician's words by the decision of
 * kb/ask.yaml `pharmacist` (said so per answer, with why, and in a note),
 * never the patient's; the words around them the pharmacist's own. */
static void
test_pharmacist(const char *root)
{
	static const char q[] = "Can I take Tylenol #3 with LDN?";
	json_t *c = answer_json(q, NULL, LDN_AUDIENCE_CLINICIAN);
	json_t *p = answer_json(q, NULL, LDN_AUDIENCE_PATIENT);
	json_t *ph = answer_json(q, NULL, LDN_AUDIENCE_PHARMACIST);
	json_t *kbp = NULL, *a, *s;
	char *kbjson = NULL, *text = NULL, path[1024], *patient;
	size_t i, k, len;
	struct ldn_error err;
	struct ldn_plan *pl = NULL;
	bool same = true, labelled = true, not_patient = true;

	ok(c && p && ph &&
	        strcmp(json_string_value(json_object_get(c, "audience")),
	            "clinician") == 0 &&
	        strcmp(json_string_value(json_object_get(p, "audience")),
	            "patient") == 0 &&
	        strcmp(json_string_value(json_object_get(ph, "audience")),
	            "pharmacist") == 0,
	    "each audience's answer names its reader: clinician, patient, "
	    "pharmacist");
	if (ldn_kb_render_json(kb, NULL, LDN_AUDIENCE_PATIENT, &kbjson, &len,
	        &err) == LDN_OK)
		kbp = json_loadb(kbjson, len, 0, NULL);
	free(kbjson);
	json_array_foreach(json_object_get(ph, "answers"), i, a)
	{
		json_t *ca = json_array_get(json_object_get(c, "answers"), i);
		const char *t = json_string_value(json_object_get(a, "text"));
		const char *why =
		    json_string_value(json_object_get(a, "wording_why"));

		same &= ca && t &&
		    strcmp(json_string_value(json_object_get(ca, "id")),
		        json_string_value(json_object_get(a, "id"))) == 0 &&
		    strcmp(json_string_value(json_object_get(ca, "text")), t) ==
		        0;
		labelled &= json_string_value(json_object_get(a, "wording")) &&
		    strcmp(json_string_value(json_object_get(a, "wording")),
		        "clinician") == 0 &&
		    why && *why;
		json_array_foreach(json_object_get(kbp, "statements"), k, s)
		{
			const char *pt =
			    json_string_value(json_object_get(s, "text"));

			not_patient &= !(t && pt && strcmp(t, pt) == 0);
		}
	}
	ok(json_array_size(json_object_get(ph, "answers")) >= 1 && same &&
	        kbp != NULL && not_patient,
	    "a pharmacist's answers are the clinician's statements, never "
	    "the patient's words");
	ok(labelled && json_string_value(json_object_get(ph, "note")) &&
	        json_object_get(c, "note") == NULL,
	    "and say so: wording \"clinician\" with why, and a note (none "
	    "for the clinician)");
	json_decref(c);
	json_decref(p);
	json_decref(ph);
	json_decref(kbp);

	ph = answer_json("What is the capital of France?", NULL,
	    LDN_AUDIENCE_PHARMACIST);
	c = answer_json("What is the capital of France?", NULL,
	    LDN_AUDIENCE_CLINICIAN);
	ok(ph && c && json_is_false(json_object_get(ph, "answered")) &&
	        strstr(json_string_value(json_object_get(ph, "message")),
	            "prescriber") != NULL &&
	        strcmp(json_string_value(json_object_get(ph, "message")),
	            json_string_value(json_object_get(c, "message"))) != 0 &&
	        json_object_get(ph, "note") == NULL,
	    "declined for a pharmacist in the pharmacist's words (ask the "
	    "prescriber), no note");
	json_decref(ph);
	json_decref(c);

	snprintf(path, sizeof(path), "%s/examples/fibromyalgia.json", root);
	patient = tap_slurp(path, &len);
	if (patient == NULL ||
	    ldn_plan_build(kb, patient, len, "2026-11-25", &pl, &err) !=
	        LDN_OK) {
		ok(false, "a plan for the example patient");
		free(patient);
		return;
	}
	free(patient);
	static const char wq[] = "How long do I have to wait after my last "
	                         "oxycodone?";
	ph = answer_json(wq, pl, LDN_AUDIENCE_PHARMACIST);
	c = answer_json(wq, pl, LDN_AUDIENCE_CLINICIAN);
	a = json_array_get(json_object_get(ph, "for_patient"), 0);
	s = json_array_get(json_object_get(c, "for_patient"), 0);
	ok(a && s &&
	        strcmp(json_string_value(json_object_get(a, "text")),
	            json_string_value(json_object_get(s, "text"))) == 0 &&
	        strcmp(json_string_value(json_object_get(a, "wording")),
	            "clinician") == 0 &&
	        json_string_value(json_object_get(a, "wording_why")) &&
	        strstr(json_string_value(json_object_get(a, "text")),
	            "2026-11-27") != NULL,
	    "with a patient: the washout finding for the pharmacist, in the "
	    "clinician's words by decision, with why");
	json_decref(ph);
	json_decref(c);
	ok(ldn_ask_answer(ask, wq, strlen(wq), pl, NULL,
	       LDN_AUDIENCE_PHARMACIST, LDN_FORMAT_TEXT, &text, &len,
	       &err) == LDN_OK &&
	        strstr(text, "For this patient's supply\n") != NULL &&
	        strstr(text, "For you") == NULL &&
	        strstr(text, "judged right for a pharmacist") != NULL,
	    "the pharmacist's text: its own heading and the note on whose "
	    "words");
	free(text);
	ldn_plan_free(pl);
}

int
main(int argc, char **argv)
{
	char path[1024];
	struct ldn_error err;

	if (argc != 2) {
		fprintf(stderr, "usage: ask SOURCE_ROOT\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/kb", argv[1]);
	if (ldn_kb_load(path, &kb, &err) != LDN_OK ||
	    ldn_ask_new(kb, &ask, &err) != LDN_OK) {
		printf("Bail out! %s: %s\n", err.where, err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/tests/ask/eval.tsv", argv[1]);
	load_eval(path);
	test_eval();
	test_follow_up_questions();
	test_answers(argv[1]);
	test_pharmacist(argv[1]);
	test_applies();
	test_words();
	test_refusals();
	test_no_injection();
	test_threads();
	ldn_ask_free(ask);
	ldn_kb_free(kb);
	return tap_done();
}
