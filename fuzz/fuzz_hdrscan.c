/*
 * fuzz_hdrscan.c: libFuzzer target for the header scanner (hdrscan.h)
 * and the From: domains (hdrfrom.h).  The first octet chooses the chunk
 * size; the rest is a message.  Whatever the input: no field passes
 * HDRSCAN_FIELD_MAX, a name is at most its field, EOH comes once, every
 * input octet is either in a field, a line end, or handed back as body
 * (nothing lost, nothing made up), and every From: domain is NUL-ended
 * and at most HDRFROM_DOMAIN_MAX octets.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdrfrom.h"
#include "hdrscan.h"

static struct hdrscan h;

static void
from(void)
{
	char out[4][HDRFROM_DOMAIN_MAX + 1];
	size_t n, i;

	memset(out, 'x', sizeof(out));
	n = hdrfrom_domains(hdrscan_value(&h), out, 4);
	for (i = 0; i < n && i < 4; i++)
		if (strlen(out[i]) > HDRFROM_DOMAIN_MAX)
			abort();
}

static void
event(enum hdrscan_event ev, size_t blen, size_t *body, int *eoh)
{
	size_t nlen;

	if (ev == HDRSCAN_FIELD) {
		if (h.len > HDRSCAN_FIELD_MAX || *eoh)
			abort();
		(void)hdrscan_name(&h, &nlen);
		if (nlen == 0 || nlen > h.len)
			abort();
		from();
	} else if (ev == HDRSCAN_EOH) {
		if ((*eoh)++)
			abort();
	} else if (ev == HDRSCAN_BODY) {
		if (!*eoh)
			abort();
		*body += blen;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data + 1, *b;
	size_t step, off = 0, used, blen, body = 0, len;
	enum hdrscan_event ev;
	int eoh = 0;

	if (size < 1)
		return 0;
	step = data[0] % 64 + 1;
	len = size - 1;
	hdrscan_init(&h);
	while (off < len) {
		ev = hdrscan_feed(&h, in + off, len - off < step ? len - off :
		    step, &used, &b, &blen);
		off += used;
		event(ev, blen, &body, &eoh);
	}
	while ((ev = hdrscan_finish(&h, &b, &blen)) != HDRSCAN_MORE)
		event(ev, blen, &body, &eoh);
	if (!eoh || body > len)
		abort();
	return 0;
}
