/*
 * fuzz_xforward.c: libFuzzer target for XFORWARD attributes.  The input
 * is parsed as the arguments of one XFORWARD command; whatever is
 * accepted must hold no control octet, format again (or not fit), and
 * parse back to the same attributes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xforward.h"

#define LINE_MAX_TEST	(6 * (3 * XFORWARD_VALUE_MAX + 16) + 16)

static void
check_value(const char *v)
{
	size_t i;

	for (i = 0; i <= XFORWARD_VALUE_MAX && v[i] != '\0'; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			abort();
	if (i > XFORWARD_VALUE_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[LINE_MAX_TEST];
	struct xforward x, y;
	size_t n;

	memset(&x, 0, sizeof(x));
	if (xforward_parse(&x, (const char *)data, size) == -1)
		return 0;
	check_value(x.name);
	check_value(x.addr);
	check_value(x.port);
	check_value(x.helo);
	check_value(x.proto);
	check_value(x.ident);
	n = xforward_format(line, sizeof(line), &x);
	if (n == 0 || n != strlen(line) || strncmp(line, "XFORWARD ", 9) != 0)
		abort();
	/* a small buffer: 0, never a cut line */
	if (xforward_format(line, n, &x) != 0)
		abort();
	xforward_format(line, sizeof(line), &x);
	memset(&y, 0, sizeof(y));
	if (xforward_parse(&y, line + 9, n - 9) == -1 ||
	    strcmp(x.name, y.name) != 0 || strcmp(x.addr, y.addr) != 0 ||
	    strcmp(x.port, y.port) != 0 || strcmp(x.helo, y.helo) != 0 ||
	    strcmp(x.proto, y.proto) != 0 || strcmp(x.ident, y.ident) != 0)
		abort();
	return 0;
}
