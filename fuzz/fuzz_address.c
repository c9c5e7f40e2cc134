/*
 * fuzz_address.c: addr_parse_path() under every flag combination; what it
 * accepts must be a well-formed, bounded, NUL-terminated mailbox.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"

#define ALLFLAGS	(ADDR_ALLOW_NULL | ADDR_ALLOW_POSTMASTER | ADDR_ALLOW_UTF8)

static void
check_part(const char *p, size_t size, int utf8)
{
	const char *nul = memchr(p, '\0', size);
	size_t i;

	if (nul == NULL)
		abort();
	for (i = 0; p + i < nul; i++) {
		unsigned char ch = p[i];

		if (ch < 0x20 || ch == 0x7f)
			abort();
		if (ch >= 0x80 && !utf8)
			abort();
	}
}

static int
has_high(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailbox mb;
	char buf[ADDR_MAX + 1], user[ADDR_LOCAL_MAX + 1];
	char ext[ADDR_LOCAL_MAX + 1];
	char *s;
	size_t used, n, i;
	enum addr_error e;
	int flags;

	/* a copy of exactly size octets, so ASan sees any over-read */
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	for (flags = 0; flags <= ALLFLAGS; flags++) {
		used = (size_t)-1;
		e = addr_parse_path(s, size, flags, &mb, &used);
		if (addr_strerror(e) == NULL || addr_strerror(e)[0] == '\0')
			abort();
		if (e != ADDR_OK)
			continue;
		if (used < 2 || used > size || s[0] != '<' ||
		    s[used - 1] != '>')
			abort();
		/* no control octet anywhere in what was accepted */
		for (i = 0; i < used; i++)
			if ((unsigned char)s[i] < 0x20 ||
			    (unsigned char)s[i] == 0x7f)
				abort();
		check_part(mb.local, sizeof(mb.local), flags & ADDR_ALLOW_UTF8);
		check_part(mb.domain, sizeof(mb.domain),
		    flags & ADDR_ALLOW_UTF8);
		if (mb.is_null) {
			if (!(flags & ADDR_ALLOW_NULL) || used != 2 ||
			    mb.local[0] != '\0' || mb.domain[0] != '\0')
				abort();
		} else if (mb.local[0] == '\0')
			abort();
		if (mb.domain[0] == '\0' && !mb.is_null &&
		    (!(flags & ADDR_ALLOW_POSTMASTER) ||
		    strcasecmp(mb.local, "postmaster") != 0))
			abort();
		if (mb.is_utf8 != (has_high(mb.local) || has_high(mb.domain)))
			abort();
		n = mailbox_format(&mb, buf, sizeof(buf));
		if (n >= sizeof(buf) || n != strlen(buf) ||
		    n != (mb.is_null ? 0 : strlen(mb.local) +
		    (mb.domain[0] != '\0' ? 1 + strlen(mb.domain) : 0)))
			abort();
		if (mailbox_format(&mb, buf, 0) != 0)
			abort();
		/* a parsed local part always fits when split */
		if (mailbox_split(&mb, '+', user, sizeof(user), ext,
		    sizeof(ext)) != 0)
			abort();
		if (strlen(user) + strlen(ext) > strlen(mb.local))
			abort();
		/* the same path parses the same when params follow it */
		if (used < size && addr_parse_path(s, used, flags, &mb,
		    &n) != ADDR_OK)
			abort();
		if (used < size && n != used)
			abort();
	}
	free(s);
	return 0;
}
