/*
 * Date arithmetic.  The conversions are Howard Hinnant's days_from_civil and
 * civil_from_days algorithms (public domain), written out for int32 days.
 */
#include "date.h"

#include <time.h>

int32_t
date_from_ymd(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

void
date_to_ymd(int32_t day, int *y, unsigned *m, unsigned *d)
{
	int32_t z = day + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)yoe + era * 400 + (*m <= 2);
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(int y, unsigned m)
{
	static const unsigned char days[] = { 31, 28, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int
digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool
date_parse(const char *s, size_t n, int32_t *out)
{
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 ||
	    (unsigned)d > month_days(y, (unsigned)m))
		return false;
	*out = date_from_ymd(y, (unsigned)m, (unsigned)d);
	return true;
}

void
date_format(int32_t day, char buf[static 11])
{
	int y;
	unsigned m, d;

	date_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0; /* never for dates that date_parse() accepted */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

int
date_years_between(int32_t birth, int32_t day)
{
	int by, y;
	unsigned bm, bd, m, d;
	int years;

	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(day, &y, &m, &d);
	years = y - by;
	if (m < bm || (m == bm && d < bd))
		years--;
	return years;
}

int32_t
date_minus_years(int32_t day, int years)
{
	int y;
	unsigned m, d;

	date_to_ymd(day, &y, &m, &d);
	y -= years;
	if (m == 2 && d == 29 && !is_leap(y))
		d = 28;
	return date_from_ymd(y, m, d);
}

int32_t
date_today(void)
{
	return (int32_t)(time(NULL) / 86400);
}
