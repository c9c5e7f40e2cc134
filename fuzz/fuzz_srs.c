/*
 * fuzz_srs.c: libFuzzer target for the Sender Rewriting Scheme (srs.h),
 * with a fake HMAC.  The first octet chooses forward (even) or reverse
 * (odd) and the day; the rest is the address.  A forward result must
 * be an address of our domain with a local part of at most
 * ADDR_LOCAL_MAX octets that reverses to the sender (for a sender that
 * is no SRS address itself); a reverse must never overrun.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "srs.h"

static int
fake_hmac(void *arg, const unsigned char *key, size_t keylen,
    const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	const unsigned char *d = data;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	(void)arg;
	for (i = 0; i < keylen; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	for (i = 0; i < len; i++)
		h = (h ^ d[i]) * 1099511628211ULL;
	for (i = 0; i < CRYPTO_SHA256_LEN; i++) {
		h = (h ^ i) * 1099511628211ULL;
		out[i] = (unsigned char)(h >> 56);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[2 * ADDR_MAX], out[ADDR_MAX + 1], back[ADDR_MAX + 1];
	const char *at;
	struct srs s;
	time_t now;

	if (size < 1 || size - 1 >= sizeof(in) ||
	    memchr(data + 1, '\0', size - 1) != NULL)
		return 0;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	now = (time_t)(data[0] >> 1) * 86400 * 9;
	memset(&s, 0, sizeof(s));
	memset(s.key, 3, sizeof(s.key));
	if (srs_init(&s, "fwd.example", fake_hmac, NULL) == -1)
		abort();
	if (data[0] & 1) {
		if (srs_reverse(&s, in, now, out, sizeof(out)) == SRS_OK &&
		    strlen(out) > ADDR_MAX)
			abort();
		return 0;
	}
	if (srs_forward(&s, in, now, out, sizeof(out)) != SRS_OK)
		return 0;
	if ((at = strrchr(out, '@')) == NULL)
		abort();
	if (strcmp(out, in) == 0)
		return 0;	/* ours already: copied */
	if (strcasecmp(at + 1, "fwd.example") != 0 ||
	    at - out > ADDR_LOCAL_MAX)
		abort();
	if (strncasecmp(in, "SRS", 3) == 0)
		return 0;
	if (srs_reverse(&s, out, now + 86400, back, sizeof(back)) != SRS_OK ||
	    strcmp(back, in) != 0)
		abort();
	return 0;
}
