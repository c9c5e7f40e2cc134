/*
 * fuzz_proxy.c: libFuzzer target for PROXY protocol headers.  The input
 * is read as a reader of the socket would, taking exactly what
 * proxy_need() asks each time: it must never ask past the input's
 * header, never for nothing, and never decide beyond PROXY_MAX octets;
 * a whole header that parses must carry addresses that are addresses.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_parse.h"

static void
check_text(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size && s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
	if (i == size)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_info info;
	unsigned char a[sizeof(struct in6_addr)];
	enum proxy_status st;
	const char *why;
	size_t have = 0, need;

	for (;;) {
		st = proxy_need(data, have, &need, &why);
		if (st != PROXY_MORE)
			break;
		if (need == 0 || have + need > PROXY_MAX)
			abort();
		if (have + need > size)
			return 0;		/* the reader would wait */
		have += need;
	}
	if (st == PROXY_BAD) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (proxy_parse(data, have, &info, &why) == -1) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (info.version != 1 && info.version != 2)
		abort();
	if (!info.local && inet_pton(AF_INET, info.src_ip, a) != 1 &&
	    inet_pton(AF_INET6, info.src_ip, a) != 1)
		abort();
	check_text(info.src_port, sizeof(info.src_port));
	check_text(info.ssl_version, sizeof(info.ssl_version));
	check_text(info.ssl_cn, sizeof(info.ssl_cn));
	return 0;
}
