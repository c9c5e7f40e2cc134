/*
 * tlsrpt_day.c: TLS-RPT's day files: their names, and a line appended.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tlsrpt_day.h"

int
tlsrpt_day_name(const char *domain, time_t t, char *name, size_t size)
{
	char d[TLSRPT_NAME_MAX + 1];
	struct tm tm;
	size_t i, n = strlen(domain);
	int k;

	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || n > TLSRPT_NAME_MAX || domain[0] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		char c = domain[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_'))
			return -1;
		d[i] = c;
	}
	d[n] = '\0';
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	k = snprintf(name, size, "%04d-%02d-%02d.%s", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, d);
	return k > 0 && (size_t)k < size ? 0 : -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's). */
static long long
days_from_civil(int y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

int
tlsrpt_day_parse(const char *name, time_t *day,
    char domain[TLSRPT_NAME_MAX + 1])
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	unsigned y = 0, m = 0, d = 0, i;
	size_t n;

	for (i = 0; i < 10; i++) {
		char c = name[i];

		if (i == 4 || i == 7) {
			if (c != '-')
				return -1;
			continue;
		}
		if (c < '0' || c > '9')
			return -1;
		if (i < 4)
			y = y * 10 + (unsigned)(c - '0');
		else if (i < 7)
			m = m * 10 + (unsigned)(c - '0');
		else
			d = d * 10 + (unsigned)(c - '0');
	}
	if (name[10] != '.' || y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return -1;
	name += 11;
	if ((n = strlen(name)) == 0 || n > TLSRPT_NAME_MAX ||
	    name[0] == '.' || name[n - 1] == '.')
		return -1;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		    name[i] == '.' || name[i] == '_'))
			return -1;
	memcpy(domain, name, n + 1);
	*day = (time_t)(days_from_civil((int)y, m, d) * 86400);
	return 0;
}

int
tlsrpt_day_append(const char *dir, const struct tlsrpt_line *l)
{
	static char line[TLSRPT_LINE_MAX];
	char name[TLSRPT_NAME_MAX + 16], path[TLSRPT_PATH_MAX];
	size_t n;
	ssize_t w;
	int fd, e;

	if ((n = tlsrpt_line_format(l, line, sizeof(line))) == 0 ||
	    tlsrpt_day_name(l->domain, l->when, name, sizeof(name)) == -1 ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return errno = EINVAL, -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1 && errno == ENOENT) {
		if (mkdir(dir, 0750) == -1 && errno != EEXIST)
			return -1;
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
	}
	if (fd == -1)
		return -1;
	/* one write(2): the line whole, or (on a full disk) cut short */
	w = write(fd, line, n);
	e = errno;
	close(fd);
	if (w != (ssize_t)n)
		return errno = w == -1 ? e : ENOSPC, -1;
	return 0;
}
