#include "line.h"

#include <string.h>

bool
line_ok(const char *s, size_t max, size_t *bad)
{
	size_t n = s ? strlen(s) : 0, blank = 0;

	*bad = (size_t)-1;
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c < 0x20 || c == 0x7f) {
			*bad = k;
			return false;
		}
		blank += c == ' ';
	}
	return n > 0 && blank < n && n <= max;
}
