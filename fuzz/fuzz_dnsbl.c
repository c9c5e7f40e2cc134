/*
 * fuzz_dnsbl.c: dnsbl.c's parser of DNS replies (network input).  The
 * input is a reply as res_query() would hand it back, in a buffer of its
 * exact size so that any read past it is caught; the verdict must be one
 * of the three, and the reason a NUL-terminated string of printable
 * ASCII within the size given, whatever the reply claims.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl.h"

static void
check_reason(const char *r, size_t size)
{
	size_t i;

	for (i = 0; i < size && r[i] != '\0'; i++)
		if (r[i] < 0x20 || r[i] > 0x7e)
			abort();
	if (i == size)
		abort();		/* no NUL within size */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *msg;
	char reason[200], *small;
	enum dnsbl_result r;
	size_t cap;
	int rc;

	if ((msg = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(msg, data, size);
	r = dnsbl_parse_a(msg, size);
	if (r != DNSBL_NOT_LISTED && r != DNSBL_LISTED && r != DNSBL_TEMPERROR)
		abort();
	memset(reason, 'x', sizeof(reason));
	rc = dnsbl_parse_txt(msg, size, reason, sizeof(reason));
	if (rc != 0 && rc != -1)
		abort();
	check_reason(reason, sizeof(reason));
	/* a small reason buffer, its size picked by the last octet */
	cap = size > 0 ? data[size - 1] % 16 : 0;
	if ((small = malloc(cap > 0 ? cap : 1)) != NULL) {
		if (dnsbl_parse_txt(msg, size, small, cap) != rc)
			abort();
		if (cap > 0) {
			check_reason(small, cap);
			if (strncmp(small, reason, cap - 1) != 0)
				abort();
		}
		free(small);
	}
	free(msg);
	return 0;
}
