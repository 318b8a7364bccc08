/*
 * FHIR R4 bundles per second and MB/s, in process, on one core.
 *
 *   bench_fhir DIR [SECONDS]
 *
 * Reads every *.json in DIR (each a FHIR Bundle, e.g. Synthea's) into memory,
 * loads the KB once, then for SECONDS (default 3, rounded up to whole passes
 * over the files) builds a plan from each bundle in turn, round-robin:
 * ldn_plan_build_padded (validating parse, intake of the bundle, screen,
 * titrate, compose; no rendering) and ldn_plan_free. Prints bundles per second,
 * MB/s (10^6 bytes of bundle read per second) and microseconds per bundle, in
 * the format bench/fhirpath/bench.js uses so the two can be set side by side.
 * Any bundle the library refuses stops the run with the file, where and why: a
 * refused bundle is not measured work.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldn/kb.h"
#include "ldn/plan.h"

#include "bench.h"

#define AS_OF "2026-11-25"

struct bundle {
	char *path;
	char *buf;
	size_t len;
};

/* Sort files by name so every run visits them in the same order. */
static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct bundle *)a)->path,
	    ((const struct bundle *)b)->path);
}

/* Read the whole of path into a new buffer; NULL (and a message) if not. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 ||
	    (buf = calloc(1, (size_t)n + LDN_INPUT_PADDING)) == NULL ||
	    fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		perror(path);
		free(buf);
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len =
	    (size_t)n; /* zeroed padding follows, as the padded build needs */
	return buf;
}

/* Every *.json in dir, sorted by name; exits if none or one is unreadable. */
static struct bundle *
load_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct bundle *v = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		perror(dir);
		exit(66);
	}
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);

		if (nl < 5 || strcmp(e->d_name + nl - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = realloc(v, cap * sizeof(*v));
			if (v == NULL) {
				perror("realloc");
				exit(71);
			}
		}
		v[n].path = malloc(strlen(dir) + 1 + nl + 1);
		if (v[n].path == NULL) {
			perror("malloc");
			exit(71);
		}
		sprintf(v[n].path, "%s/%s", dir, e->d_name);
		v[n].buf = slurp(v[n].path, &v[n].len);
		if (v[n].buf == NULL)
			exit(66);
		n++;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "bench_fhir: no *.json in %s\n", dir);
		exit(66);
	}
	qsort(v, n, sizeof(*v), by_path);
	*count = n;
	return v;
}

/* One plan from one bundle; exits loudly if the library refuses it. */
static void
build(const struct ldn_kb *kb, const struct bundle *b)
{
	struct ldn_plan *p;
	struct ldn_error err;

	if (ldn_plan_build_padded(kb, b->buf, b->len, AS_OF, &p, &err) !=
	    LDN_OK) {
		fprintf(stderr, "bench_fhir: %s refused (%s) at %s: %s\n",
		    b->path, ldn_status_name(err.code), err.where, err.msg);
		exit(65);
	}
	ldn_plan_free(p);
}

int
main(int argc, char **argv)
{
	struct ldn_kb *k;
	struct ldn_error err;
	struct bundle *v;
	size_t n, total = 0;
	double secs = argc > 2 ? atof(argv[2]) : 3;

	if (argc < 2 || secs <= 0) {
		fprintf(stderr, "usage: bench_fhir DIR [SECONDS]\n");
		return 64;
	}
	v = load_dir(argv[1], &n);
	for (size_t i = 0; i < n; i++)
		total += v[i].len;
	if (ldn_kb_load(getenv("LDN_KB") ? getenv("LDN_KB") : LDN_KB_DIR, &k,
	        &err) != LDN_OK) {
		fprintf(stderr, "%s: %s\n", err.where, err.msg);
		return 78;
	}
	printf("input: %s (%zu bundles, %zu bytes)\n", argv[1], n, total);

	/* Warm up (caches, allocator) with one pass over every bundle; this
	 * also checks each is accepted before anything is timed. */
	for (size_t i = 0; i < n; i++)
		build(k, &v[i]);

	/* Round-robin over the bundles in whole passes, so that every bundle
	 * weighs the same in the figures however the time runs out; the clock
	 * is read once a pass. */
	long ops = 0;
	double bytes = 0, t, t0 = bench_now();

	do {
		for (size_t i = 0; i < n; i++) {
			build(k, &v[i]);
			bytes += (double)v[i].len;
			ops++;
		}
		t = bench_now() - t0;
	} while (t < secs);
	printf("%-20s %10.1f bundles/s %10.2f MB/s %10.1f us/bundle\n",
	    "ldn plan_build", ops / t, bytes / t / 1e6, 1e6 * t / ops);

	for (size_t j = 0; j < n; j++) {
		free(v[j].path);
		free(v[j].buf);
	}
	free(v);
	ldn_kb_free(k);
	return 0;
}
