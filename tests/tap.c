/* The TAP harness behind tap.h. */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int n_run, n_failed;

int
tap_ok(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	n_run++;
	if (!pass)
		n_failed++;
	printf("%sok %d - ", pass ? "" : "not ", n_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return pass;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int
tap_done(void)
{
	printf("1..%d\n", n_run);
	if (n_failed)
		printf("# %d of %d failed\n", n_failed, n_run);
	return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
