/*
 * limit.c: the pure half of the rate limits: names, networks, decisions.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "limit.h"

static const char *const directives[LIMIT__COUNT] = {
	"limit-connections", "limit-messages", "limit-recipients"
};
/* store.h's counter names, shared by every MX host of one store */
static const char *const counters[LIMIT__COUNT] = {
	"conn", "messages", "recipients"
};

const char *
limit_directive(enum limit_kind kind)
{
	return directives[kind];
}

const char *
limit_counter(enum limit_kind kind)
{
	return counters[kind];
}

const struct conf_rate *
limit_rate(const struct conf *c, enum limit_kind kind)
{
	switch (kind) {
	case LIMIT_CONNECTIONS:
		return &c->limit_connections;
	case LIMIT_MESSAGES:
		return &c->limit_messages;
	default:
		return &c->limit_recipients;
	}
}

int
limit_network(const char *ip, unsigned prefix4, unsigned prefix6, char *out,
    size_t size)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];
	unsigned bits, i;
	int af, n;

	if (inet_pton(AF_INET, ip, a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	else if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		memmove(a, a + 12, 4);
		af = AF_INET;
	} else
		af = AF_INET6;
	bits = af == AF_INET ? prefix4 : prefix6;
	if (bits > (af == AF_INET ? 32u : 128u))
		return -1;
	for (i = 0; i < (af == AF_INET ? 4u : 16u); i++) {
		if (i * 8 >= bits)
			a[i] = 0;
		else if (i * 8 + 8 > bits)
			a[i] &= (unsigned char)(0xff << (8 - (bits - i * 8)));
	}
	if (inet_ntop(af, a, buf, sizeof(buf)) == NULL)
		return -1;
	n = snprintf(out, size, "%s/%u", buf, bits);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

enum limit_verdict
limit_decide(unsigned max, unsigned long total, int store_ok,
    enum check_action on_error)
{
	if (!store_ok)
		return on_error == ACTION_ACCEPT ? LIMIT_UNCHECKED :
		    LIMIT_ERROR;
	return max > 0 && total > max ? LIMIT_OVER : LIMIT_PASS;
}
