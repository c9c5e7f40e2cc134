/*
 * rdns.c: forward-confirmed reverse DNS (FCrDNS) through the libc
 * resolver.  getnameinfo(NI_NAMEREQD) gives the PTR name of the client's
 * address, getaddrinfo() that name's addresses of the same family, and
 * the check passes when one of them is the client's.
 *
 * How long it may take is bounded by the resolver's own limits, from
 * resolv.conf: each query waits `options timeout:N` seconds per server and
 * try, `attempts:N` tries (glibc's defaults are 5 s and 2 tries, so a site
 * whose DNS server may not answer should set e.g. `options timeout:1
 * attempts:2`).  There are at most three queries: PTR, then A or AAAA.
 *
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is checked as the IPv4
 * address it is, and so is an IPv4-mapped address among the answers.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#include "rdns.h"

const char *
rdns_result_name(enum rdns_result r)
{
	switch (r) {
	case RDNS_PASS:
		return "pass";
	case RDNS_NONE:
		return "none";
	case RDNS_MISMATCH:
		return "mismatch";
	case RDNS_TEMPERROR:
		return "temperror";
	}
	return "unknown";
}

/* One address of either family; an IPv4-mapped IPv6 one becomes IPv4. */
struct rdns_addr {
	int		family;
	unsigned char	a[16];
};

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void
addr_from_v6(struct rdns_addr *ad, const unsigned char *a)
{
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0) {
		ad->family = AF_INET;
		memcpy(ad->a, a + 12, 4);
	} else {
		ad->family = AF_INET6;
		memcpy(ad->a, a, 16);
	}
}

static int
addr_parse(const char *ip, struct rdns_addr *ad)
{
	unsigned char buf[16];

	memset(ad, 0, sizeof(*ad));
	if (inet_pton(AF_INET, ip, buf) == 1) {
		ad->family = AF_INET;
		memcpy(ad->a, buf, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, buf) == 1) {
		addr_from_v6(ad, buf);
		return 0;
	}
	return -1;
}

static int
addr_equal(const struct rdns_addr *x, const struct rdns_addr *y)
{
	if (x->family != y->family)
		return 0;
	return memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

/*
 * The PTR name is the network's word, not ours: keep it only when it is
 * letters, digits, '-' and '.' and fits; 0 or -1.
 */
static int
name_ok(const char *in, size_t size)
{
	size_t n;

	for (n = 0; in[n] != '\0'; n++) {
		char c = in[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return -1;
	}
	return n > 0 && n < size ? 0 : -1;
}

enum rdns_result
rdns_check(const char *ip, char *name, size_t size)
{
	struct rdns_addr client, got;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct addrinfo hints, *res, *ai;
	socklen_t sslen;
	char host[NI_MAXHOST];
	enum rdns_result r;
	int e;

	if (size > 0)
		name[0] = '\0';
	if (ip == NULL || addr_parse(ip, &client) != 0)
		return RDNS_NONE;

	memset(&ss, 0, sizeof(ss));
	if (client.family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, client.a, 4);
		sslen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, client.a, 16);
		sslen = sizeof(*sin6);
	}
	e = getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host),
	    NULL, 0, NI_NAMEREQD);
	switch (e) {
	case 0:
		break;
	case EAI_NONAME:
		return RDNS_NONE;
	default:		/* EAI_AGAIN, EAI_FAIL, EAI_MEMORY, ... */
		return RDNS_TEMPERROR;
	}
	host[sizeof(host) - 1] = '\0';
	if (name_ok(host, size) != 0)
		return RDNS_MISMATCH;
	memcpy(name, host, strlen(host) + 1);

	/*
	 * Only the client's family is asked for: an unanswered AAAA query
	 * must not turn an IPv4 client's good name into a temporary error.
	 */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = client.family;
	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(host, NULL, &hints, &res);
	switch (e) {
	case 0:
		break;
	case EAI_AGAIN:
	case EAI_FAIL:
	case EAI_MEMORY:
	case EAI_SYSTEM:
		return RDNS_TEMPERROR;
	default:		/* EAI_NONAME, EAI_NODATA, ... */
		return RDNS_MISMATCH;
	}
	r = RDNS_MISMATCH;
	for (ai = res; ai != NULL && r != RDNS_PASS; ai = ai->ai_next) {
		memset(&got, 0, sizeof(got));
		if (ai->ai_family == AF_INET &&
		    ai->ai_addrlen >= sizeof(struct sockaddr_in)) {
			got.family = AF_INET;
			memcpy(got.a, &((struct sockaddr_in *)
			    (void *)ai->ai_addr)->sin_addr, 4);
		} else if (ai->ai_family == AF_INET6 &&
		    ai->ai_addrlen >= sizeof(struct sockaddr_in6))
			addr_from_v6(&got, ((struct sockaddr_in6 *)
			    (void *)ai->ai_addr)->sin6_addr.s6_addr);
		else
			continue;
		if (addr_equal(&got, &client))
			r = RDNS_PASS;
	}
	freeaddrinfo(res);
	return r;
}
