/*
 * Plans per second, in process, on one core, for a typical patient.
 *
 *   bench_plan PATIENT.json [SECONDS [parse|build|json]]
 *
 * Four loops over the same input, each for SECONDS (default 3):
 *   baseline  jansson parses the patient file (json_loadb + json_decref):
 *             a well-known C library doing much less than a plan
 *   parse     simdjson parse into the library's tree (the intake's edge)
 *   build     ldn_plan_build: intake, screen, titrate, compose
 *   json      ldn_plan_build + ldn_plan_render(JSON, clinician)
 *   jansson   jansson reading and re-writing that same plan JSON: what
 *             writing the plan with jansson's tree would cost at least
 * Each line gives operations per second, microseconds per operation and the
 * ratio to the baseline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

#include "base/tree.h"

#include "bench.h"

static const struct ldn_kb *kb;
static const char *input;
static size_t input_len;

static int
op_baseline(void)
{
	json_t *j = json_loadb(input, input_len, JSON_REJECT_DUPLICATES, NULL);

	if (j == NULL)
		return -1;
	json_decref(j);
	return 0;
}

static int
op_parse(void)
{
	static struct arena a = { .limit = 1u << 24 };
	struct jnode *root;
	struct ldn_error err;
	int rc = json_parse(&a, input, input_len, 16, &root, &err) == LDN_OK
	    ? 0
	    : -1;

	arena_reset(&a);
	return rc;
}

static int
op_build(void)
{
	struct ldn_plan *p;
	struct ldn_error err;

	if (ldn_plan_build(kb, input, input_len, "2026-11-25", &p, &err) !=
	    LDN_OK)
		return -1;
	ldn_plan_free(p);
	return 0;
}

static int
op_json(void)
{
	struct ldn_plan *p;
	struct ldn_error err;
	char *out;
	size_t len;

	if (ldn_plan_build(kb, input, input_len, "2026-11-25", &p, &err) !=
	        LDN_OK ||
	    ldn_plan_render(p, LDN_FORMAT_JSON, LDN_AUDIENCE_CLINICIAN, &out,
	        &len, &err) != LDN_OK)
		return -1;
	free(out);
	ldn_plan_free(p);
	return 0;
}

static char *plan_json;
static size_t plan_json_len;

static int
op_jansson(void)
{
	json_t *j = json_loadb(plan_json, plan_json_len, 0, NULL);
	char *s;

	if (j == NULL)
		return -1;
	s = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	free(s);
	return s ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct ldn_kb *k;
	struct ldn_error err;
	FILE *fp;
	static char buf[1 << 20];
	double secs = argc > 2 ? atof(argv[2]) : 3;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_plan PATIENT.json [SECONDS]\n");
		return 64;
	}
	fp = fopen(argv[1], "rb");
	if (fp == NULL) {
		perror(argv[1]);
		return 66;
	}
	input_len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	input = buf;
	if (ldn_kb_load(getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR, &k,
	        &err) != LDN_OK) {
		fprintf(stderr, "%s: %s\n", err.where, err.msg);
		return 78;
	}
	kb = k;
	printf("input: %s (%zu bytes)\n", argv[1], input_len);
	const char *only = argc > 3 ? argv[3] : NULL; /* one loop, for perf */
	double base =
	    only ? 0 : bench_rate("baseline", op_baseline, 1000, secs, 0, 0);

	if (!only || strcmp(only, "parse") == 0)
		bench_rate("parse", op_parse, 1000, secs, 0, base);
	if (!only || strcmp(only, "build") == 0)
		bench_rate("build", op_build, 1000, secs, 0, base);
	if (!only || strcmp(only, "json") == 0)
		bench_rate("json", op_json, 1000, secs, 0, base);
	if (!only || strcmp(only, "jansson") == 0) {
		struct ldn_plan *p;

		if (ldn_plan_build(kb, input, input_len, "2026-11-25", &p,
		        &err) != LDN_OK ||
		    ldn_plan_render(p, LDN_FORMAT_JSON, LDN_AUDIENCE_CLINICIAN,
		        &plan_json, &plan_json_len, &err) != LDN_OK)
			return 70;
		ldn_plan_free(p);
		bench_rate("jansson", op_jansson, 1000, secs, 0, base);
		free(plan_json);
	}
	ldn_kb_free(k);
	return 0;
}
