/*
 * q_id.c: queue IDs (q_id.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "q_id.h"

int
q_id_new(char id[Q_ID_LEN + 1], time_t now)
{
	unsigned char rnd[Q_ID_RANDOM];
	char hex[2 * Q_ID_RANDOM + 1];

	id[0] = '\0';
	if (now < 0) {
		errno = EINVAL;
		return -1;
	}
	if (getentropy(rnd, sizeof(rnd)) == -1)
		return -1;
	hex_lower(rnd, sizeof(rnd), hex);
	snprintf(id, Q_ID_LEN + 1, "%lld-%s", (long long)now, hex);
	return 0;
}

int
q_id_valid(const char *s)
{
	size_t i, n;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
		;
	if (n == 0 || n > 20 || s[n] != '-')
		return 0;
	s += n + 1;
	for (i = 0; i < 2 * Q_ID_RANDOM; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

time_t
q_id_time(const char *s)
{
	long long t = 0;

	if (!q_id_valid(s))
		return -1;
	for (; *s != '-'; s++) {
		if (t > (0x7fffffffffffffffLL - 9) / 10)
			return -1;
		t = t * 10 + (*s - '0');
	}
	return (time_t)t;
}
