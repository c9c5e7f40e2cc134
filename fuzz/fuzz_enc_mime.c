/*
 * fuzz_enc_mime.c: samotop-encrypt's MIME side (enc_mime.c) over a
 * fuzzer-chosen message.  Input: one octet of flags (bit 0: keep the
 * Subject), then the message.
 *
 * The invariants: the header section found in any prefix of the message
 * is the one found in the whole; the protected and outer headers always
 * fit in the sizes enc_mime.h promises; the protected header holds the
 * original one whole; the outer header holds only the fields it may keep,
 * and ends with the empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enc_mime.h"

static const char *const allowed[] = {
	"From", "To", "Cc", "Date", "Message-ID", "In-Reply-To",
	"References", "Return-Path", "Delivered-To", "Subject", "M", NULL,
};

static void
check_outer(const char *out, size_t n)
{
	struct enc_field f;
	size_t pos = 0, i;

	if (n < 2 || memcmp(out + n - 2, "\r\n", 2) != 0)
		abort();
	while (enc_mime_field_next(out, n, &pos, &f)) {
		for (i = 0; allowed[i] != NULL; i++)
			if (enc_mime_field_is(&f, allowed[i]))
				break;
		if (allowed[i] == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data + 1;
	size_t len, hlen, body, h2, b2, cut, n;
	char *out;
	int keep;

	if (size == 0)
		return 0;
	keep = data[0] & 1;
	len = size - 1;
	if (!enc_mime_split(msg, len, 1, &hlen, &body))
		abort();
	if (hlen > body || body > len)
		abort();
	for (cut = 0; cut <= len; cut += 1 + cut / 4)
		if (enc_mime_split(msg, cut, 0, &h2, &b2) &&
		    (h2 != hlen || b2 != body))
			abort();
	(void)enc_mime_is_encrypted(msg, hlen);

	if ((out = malloc(hlen + ENC_MIME_EXTRA)) == NULL)
		return 0;
	n = enc_mime_protect(msg, hlen, out, hlen + ENC_MIME_EXTRA);
	if (n == 0 || n < hlen + 2 || memcmp(out + n - 2, "\r\n", 2) != 0)
		abort();
	free(out);

	if ((out = malloc(hlen + 6 + 32)) == NULL)
		return 0;
	n = enc_mime_outer(msg, hlen, keep, "M: 1\r\n", out, hlen + 6 + 32);
	if (n == 0)
		abort();
	check_outer(out, n);
	free(out);
	return 0;
}
