#include "unescape.h"

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
url_unescape(char *s)
{
	char *w = s;
	const char *r = s;

	while (*r != '\0') {
		int hi = r[0] == '%' ? hex(r[1]) : -1;
		int lo = hi >= 0 ? hex(r[2]) : -1;

		if (lo >= 0 && hi * 16 + lo >= 0x20 && hi * 16 + lo != 0x7f) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}
