/*
 * fuzz_tlsrpt.c: what TLS-RPT reads from disk and from the network
 * (tlsrpt.c, tlsrpt_agg.c, tlsrpt_txt.c, tlsrpt_mail.c): day file
 * lines, whole day files aggregated into the JSON report, TXT records
 * and TXT answers, and a message's header looked at for a report's.
 * The first octet picks the parser; the rest is the input, in a buffer
 * of exactly its length so that ASan sees any over-read.  A line that
 * parses must format back to itself; the JSON must fit its bound and
 * hold no control octet but LF; the report URIs must be NUL-terminated
 * and free of spaces and control octets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt.h"
#include "tlsrpt_mail.h"

static struct tlsrpt_line l;
static struct tlsrpt_agg agg;
static struct tlsrpt_rua rua;
static char out[TLSRPT_JSON_MAX];

static void
check_uri(const char *u)
{
	const char *end = memchr(u, '\0', TLSRPT_URI_MAX);

	if (end == NULL || end == u)
		abort();
	for (; u < end; u++)
		if ((unsigned char)*u <= 0x20 || *u == 0x7f)
			abort();
}

static void
check_rua(const struct tlsrpt_rua *r)
{
	size_t i;

	if (r->nmailto > TLSRPT_RUA_MAX || r->nhttps > TLSRPT_RUA_MAX)
		abort();
	for (i = 0; i < r->nmailto; i++)
		check_uri(r->mailto[i]);
	for (i = 0; i < r->nhttps; i++)
		check_uri(r->https[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_meta m = { "org", "postmaster@s.test", "id", 0, 86399 };
	char *buf;
	size_t len, n, i;
	int valid;

	if (size < 1)
		return 0;
	len = size - 1;
	if ((buf = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(buf, data + 1, len);
	switch (data[0] % 5) {
	case 0:
		if (tlsrpt_line_parse(buf, len, &l) == 0) {
			n = tlsrpt_line_format(&l, out, sizeof(out));
			/* what parses is written back as it was */
			if (n != len + 1 || memcmp(out, buf, len) != 0)
				abort();
		}
		break;
	case 1:
		tlsrpt_agg_init(&agg, "example.test");
		tlsrpt_agg_text(&agg, buf, len);
		if (agg.npol > TLSRPT_POLICIES_MAX ||
		    agg.ndet > TLSRPT_DETAILS_MAX)
			abort();
		n = tlsrpt_json(&agg, &m, out, sizeof(out));
		if (n == 0 || n >= sizeof(out))
			abort();
		for (i = 0; i < n; i++)
			if (((unsigned char)out[i] < 0x20 && out[i] != '\n') ||
			    out[i] == 0x7f)
				abort();
		break;
	case 2:
		if (tlsrpt_txt_record(buf, len, &rua, &valid) == 1 && valid)
			check_rua(&rua);
		break;
	case 3:
		if (tlsrpt_txt_answer((unsigned char *)buf, len, &rua) == 1)
			check_rua(&rua);
		break;
	case 4:
		(void)tlsrpt_mail_is_report(buf, len);
		break;
	}
	free(buf);
	return 0;
}
