/*
 * fuzz_scr_msg.c: libFuzzer target for what the screener shows of a held
 * message (scr_msg.h).  The input is a message file.  Whatever it holds:
 * every field is NUL-ended within its size, printable (no C0 control,
 * DEL, C1 control or bidirectional override, valid UTF-8, no leading,
 * trailing or double space), the From: address is an address or "",
 * and nothing past the input is read (ASan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scr_msg.h"

/* scr_msg.h's promise for one field of size octets. */
static void
check(const char *s, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, size), i, n;
	unsigned long c;

	if (len == size)
		abort();
	if (len > 0 && (p[0] == ' ' || p[len - 1] == ' '))
		abort();
	for (i = 0; i < len; i += n) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7f)
				abort();
			if (p[i] == ' ' && p[i + 1] == ' ')
				abort();
			n = 1;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			n = 2;
			c = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 3;
			c = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 4;
			c = p[i] & 0x07;
		} else
			abort();
		if (i + n > len)
			abort();
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				abort();
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((c >= 0x80 && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) ||
		    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 &&
		    c <= 0x2069) || c > 0x10ffff)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scr_msg m;
	char *copy;

	if (size > SCR_MSG_READ)
		return 0;
	/* an exact-size copy: ASan sees a read past the end */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	scr_msg_read(copy, size, "mx.test", &m);
	free(copy);
	check(m.from, sizeof(m.from));
	check(m.display, sizeof(m.display));
	check(m.subject, sizeof(m.subject));
	check(m.snippet, sizeof(m.snippet));
	check(m.evidence, sizeof(m.evidence));
	check(m.screener, sizeof(m.screener));
	if (m.from[0] != '\0' && strchr(m.from, '@') == NULL)
		abort();
	return 0;
}
