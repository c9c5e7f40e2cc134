/*
 * test_peer.c: who the client is (peer.c): the launcher's variables,
 * and an IPv4 client of an IPv6 socket seen as the IPv4 address it is.
 */
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "unit.h"

static void
test_unmap_v4(void)
{
	char ip[INET6_ADDRSTRLEN];

	strcpy(ip, "::ffff:192.0.2.1");
	CHECK(peer_unmap_v4(ip, sizeof(ip)) == 1);
	CHECK_STR(ip, "192.0.2.1");
	strcpy(ip, "::FFFF:c000:0201");
	CHECK(peer_unmap_v4(ip, sizeof(ip)) == 1);
	CHECK_STR(ip, "192.0.2.1");
	/* anything else stays as it is */
	strcpy(ip, "2001:db8::1");
	CHECK(peer_unmap_v4(ip, sizeof(ip)) == 0);
	CHECK_STR(ip, "2001:db8::1");
	strcpy(ip, "::192.0.2.1");		/* IPv4-compatible, not mapped */
	CHECK(peer_unmap_v4(ip, sizeof(ip)) == 0);
	strcpy(ip, "192.0.2.1");
	CHECK(peer_unmap_v4(ip, sizeof(ip)) == 0);
	CHECK_STR(ip, "192.0.2.1");
	ip[0] = '\0';
	CHECK(peer_unmap_v4(ip, sizeof(ip)) == 0);
}

/* tcpserver under an IPv6 listener passes the mapped form too. */
static void
test_detect_ucspi_mapped(void)
{
	struct peer p;

	setenv("PROTO", "TCP", 1);
	setenv("TCPREMOTEIP", "::ffff:198.51.100.7", 1);
	setenv("TCPREMOTEPORT", "4242", 1);
	peer_detect(&p, -1);
	CHECK_STR(p.ip, "198.51.100.7");
	CHECK_STR(p.port, "4242");
	CHECK_STR(p.source, "ucspi");
	unsetenv("TCPREMOTEIP");
	unsetenv("TCPREMOTEPORT");
	unsetenv("PROTO");
}

int
main(void)
{
	TEST(test_unmap_v4);
	TEST(test_detect_ucspi_mapped);
	return UNIT_DONE();
}
