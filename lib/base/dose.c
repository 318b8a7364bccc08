/* Micrograms to the milligrams people read. */
#include "dose.h"

#include <string.h>

void
mg_string(int32_t ug, char buf[static 16])
{
	/* by hand, not snprintf: a plan writes about fifty doses, and the
	 * two snprintf calls were a tenth of rendering one */
	char digits[12], *p = digits + sizeof(digits);
	int32_t whole = ug / 1000, frac = ug % 1000;
	size_t n = 0;

	if (ug < 0) {
		memcpy(buf, "?", 2);
		return;
	}
	do
		*--p = (char)('0' + whole % 10);
	while ((whole /= 10) != 0);
	n = (size_t)(digits + sizeof(digits) - p);
	memcpy(buf, p, n);
	if (frac != 0) {
		buf[n++] = '.';
		for (int32_t div = 100; frac != 0; div /= 10) {
			buf[n++] = (char)('0' + frac / div);
			frac %= div;
		}
	}
	buf[n] = '\0';
}
