/*
 * fuzz_rmt_mx.c: DNS answers to samotop-remote's MX, A and AAAA queries
 * (rmt_mx.c), which come from the network.  The first octet picks the
 * parser; the rest is the answer, in a buffer of exactly its length so
 * that ASan sees any over-read.  What is parsed must be bounded: names
 * NUL-terminated within RMT_MX_NAME_MAX, addresses of the asked family,
 * counts within the room given; the order must sort by preference, and
 * cutting at a name (our own) must leave only better ones.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rmt_mx.h"

static unsigned
rnd(void *arg)
{
	unsigned *s = arg;

	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rmt_mx_rr rr[RMT_MX_PARSE_MAX];
	struct rmt_addr addr[RMT_MX_ADDRS];
	unsigned char *msg;
	unsigned seed;
	size_t n = 0, i, len;
	int fam;

	if (size < 1)
		return 0;
	len = size - 1;
	if ((msg = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(msg, data + 1, len);
	if (data[0] & 1) {
		fam = data[0] & 2 ? AF_INET6 : AF_INET;
		if (rmt_mx_parse_addr(msg, len, fam, addr, RMT_MX_ADDRS,
		    &n) == 0 || n > 0) {
			if (n > RMT_MX_ADDRS)
				abort();
			for (i = 0; i < n; i++)
				if (addr[i].family != fam)
					abort();
		}
	} else {
		(void)rmt_mx_parse_mx(msg, len, rr, data[0] >> 1 &
		    (RMT_MX_PARSE_MAX - 1), &n);
		if (n > (size_t)(data[0] >> 1 & (RMT_MX_PARSE_MAX - 1)))
			abort();
		for (i = 0; i < n; i++)
			if (memchr(rr[i].name, '\0', sizeof(rr[i].name)) ==
			    NULL)
				abort();
		seed = (unsigned)len;
		rmt_mx_order(rr, n, rnd, &seed);
		for (i = 1; i < n; i++)
			if (rr[i - 1].pref > rr[i].pref)
				abort();
		(void)rmt_mx_is_null(rr, n);
		/* cut at the last one's name ("" is none): better ones left */
		if (n > 0 && rr[n - 1].name[0] != '\0') {
			char self[RMT_MX_NAME_MAX + 1];
			size_t before = n;

			memcpy(self, rr[n - 1].name, sizeof(self));
			if (rmt_mx_cut_self(rr, &n, self) != (n == 0) ||
			    n >= before)
				abort();
			for (i = 0; i < n; i++)
				if (strcasecmp(rr[i].name, self) == 0)
					abort();
		}
	}
	free(msg);
	return 0;
}
