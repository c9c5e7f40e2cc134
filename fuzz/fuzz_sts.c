/*
 * fuzz_sts.c: what MTA-STS reads from the network and from its cache
 * (sts_policy.c): TXT answers, TXT records, policy files, cache files,
 * and mx patterns against host names.  The first octet picks the parser;
 * the rest is the input, in a buffer of exactly its length so that ASan
 * sees any over-read.  What is parsed must be bounded: ids alphanumeric
 * within STS_ID_MAX, mx patterns NUL-terminated, lower case, at most
 * STS_MX_MAX, a mode known, max_age within the RFC's limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_policy.h"

static void
check_id(const char *id)
{
	size_t n = strnlen(id, STS_ID_MAX + 1);

	if (n == 0 || n > STS_ID_MAX)
		abort();
}

static void
check_policy(const struct sts_policy *p)
{
	size_t i, j;

	if (p->mode != STS_NONE && p->mode != STS_TESTING &&
	    p->mode != STS_ENFORCE)
		abort();
	if (p->max_age > STS_MAX_AGE_MAX || p->nmx > STS_MX_MAX ||
	    (p->mode != STS_NONE && p->nmx == 0))
		abort();
	for (i = 0; i < p->nmx; i++) {
		if (memchr(p->mx[i], '\0', sizeof(p->mx[i])) == NULL)
			abort();
		for (j = 0; p->mx[i][j] != '\0'; j++)
			if (p->mx[i][j] >= 'A' && p->mx[i][j] <= 'Z')
				abort();
		/* a pattern without a wildcard matches its own name */
		if (p->mx[i][0] != '*' && !sts_mx_match(p->mx[i], p->mx[i]))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sts_policy p;
	char id[STS_ID_MAX + 1], *buf, host[300];
	time_t t;
	size_t len, h;
	int valid, r;

	if (size < 1)
		return 0;
	len = size - 1;
	if ((buf = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(buf, data + 1, len);
	switch (data[0] % 5) {
	case 0:
		if ((r = sts_txt_answer((unsigned char *)buf, len, id)) == 1)
			check_id(id);
		else if (r != 0 && r != -1)
			abort();
		break;
	case 1:
		if (sts_txt_record(buf, len, id, &valid) == 1 && valid)
			check_id(id);
		break;
	case 2:
		if (sts_policy_parse(buf, len, &p) == 0)
			check_policy(&p);
		break;
	case 3:
		if (sts_cache_parse(buf, len, id, &t, &p) == 0) {
			check_id(id);
			check_policy(&p);
		}
		break;
	case 4:
		/* "pattern\nhost": both NUL-terminated, bounded */
		h = len;
		if (memchr(buf, '\n', len) != NULL)
			h = (size_t)((char *)memchr(buf, '\n', len) - buf);
		if (h < sizeof(host) && len - h < sizeof(host)) {
			char pat[300];

			memcpy(pat, buf, h);
			pat[h] = '\0';
			memcpy(host, buf + h + (h < len), len - h - (h < len));
			host[len - h - (h < len)] = '\0';
			(void)sts_mx_match(pat, host);
		}
		break;
	}
	free(buf);
	return 0;
}
