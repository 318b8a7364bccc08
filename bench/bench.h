/*
 * What the in-process benchmarks share: a monotonic clock, and one timed
 * loop that prints operations per second beside a baseline's.
 */
#ifndef LDN_BENCH_H
#define LDN_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run op warmup times, then for secs seconds (or exactly iterations times
 * when iterations > 0, so that callgrind totals compare between builds),
 * and print its rate, with the ratio to base when base > 0.  An op that
 * fails (non-zero) stops the program.  Returns operations per second.
 */
static inline double
bench_rate(const char *name, int (*op)(void), int warmup, double secs,
    long iterations, double base)
{
	double t0, t;
	long n = 0;

	for (int i = 0; i < warmup; i++)
		if (op() != 0) {
			fprintf(stderr, "bench: %s failed\n", name);
			exit(1);
		}
	t0 = bench_now();
	do {
		/* the clock is read every 64 operations: some take less
		 * than a microsecond */
		int k = 0;

		do {
			if (op() != 0) {
				fprintf(stderr, "bench: %s failed\n", name);
				exit(1);
			}
			n++;
		} while (++k < 64 && (iterations <= 0 || n < iterations));
		t = bench_now() - t0;
	} while (iterations > 0 ? n < iterations : t < secs);
	double r = n / t;
	printf("%-9s %12.0f ops/s %9.2f us/op", name, r, 1e6 / r);
	if (base > 0)
		printf("   %6.3fx baseline", r / base);
	printf("\n");
	return r;
}

#endif
