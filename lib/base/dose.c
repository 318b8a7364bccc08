/* Micrograms to the milligrams people read. */
#include "dose.h"

#include <stdio.h>
#include <string.h>

void
mg_string(int32_t ug, char buf[static 16])
{
	int32_t whole = ug / 1000, frac = ug % 1000;
	int n;

	if (ug < 0) {
		snprintf(buf, 16, "?");
		return;
	}
	n = snprintf(buf, 16, "%d", (int)whole);
	if (frac != 0 && n > 0 && n < 10) {
		snprintf(buf + n, (size_t)(16 - n), ".%03d", (int)frac);
		for (char *e = buf + strlen(buf) - 1; *e == '0'; e--)
			*e = '\0';
	}
}
