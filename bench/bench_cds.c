/*
 * CDS Hooks calls per second, in process, on one core: the work of a hook
 * route without HTTP or the JWT check (bench/run_server.sh measures those).
 *
 *   bench_cds SERVICE REQUEST.json [SECONDS [ITERATIONS]]
 *
 * Two loops over the same request, each for SECONDS (default 3), or for
 * exactly ITERATIONS calls when given (for callgrind, whose counts are
 * then comparable between builds):
 *   baseline  jansson parses the request (json_loadb + json_decref): a
 *             well-known C library reading the same bytes, doing less
 *   call      ldn_cds_call: parse, intake of the prefetch, plan, cards
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ldn/cds.h"
#include "ldn/kb.h"

#include "bench.h"

static const struct ldn_kb *kb;
static const char *service;
static char *input;
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
op_call(void)
{
	struct ldn_error err;
	char *out;
	size_t len;

	if (ldn_cds_call(kb, service, input, input_len, "2026-11-25", &out,
	        &len, &err) != LDN_OK) {
		fprintf(stderr, "bench: %s: %s\n", err.where, err.msg);
		return -1;
	}
	free(out);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ldn_kb *k;
	struct ldn_error err;
	FILE *fp;
	long size;

	if (argc < 3) {
		fprintf(stderr,
		    "usage: bench_cds SERVICE REQUEST.json "
		    "[SECONDS [ITERATIONS]]\n");
		return 64;
	}
	service = argv[1];
	double secs = argc > 3 ? atof(argv[3]) : 3;
	long iterations = argc > 4 ? atol(argv[4]) : 0;

	if ((fp = fopen(argv[2], "rb")) == NULL || fseek(fp, 0, SEEK_END) ||
	    (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) ||
	    (input = malloc((size_t)size + 1)) == NULL ||
	    fread(input, 1, (size_t)size, fp) != (size_t)size) {
		perror(argv[2]);
		return 66;
	}
	fclose(fp);
	input_len = (size_t)size;
	if (ldn_kb_load(getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR, &k,
	        &err) != LDN_OK) {
		fprintf(stderr, "%s: %s\n", err.where, err.msg);
		return 78;
	}
	kb = k;
	printf("input: %s (%zu bytes), service %s\n", argv[2], input_len,
	    service);
	double base =
	    bench_rate("baseline", op_baseline, 3, secs, iterations, 0);
	bench_rate("call", op_call, 3, secs, iterations, base);
	ldn_kb_free(k);
	free(input);
	return 0;
}
