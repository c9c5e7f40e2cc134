/*
 * test_proxy_parse.c: PROXY protocol headers, v1 and v2: valid,
 * malformed, oversized and truncated, and that reading as proxy_need()
 * says never goes past a header's end.
 */
#include "unit.h"

#include "proxy_parse.h"

static const unsigned char sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/*
 * Feed buf as a reader would (exactly what proxy_need asks each time)
 * and return the status; *used is how much was taken.
 */
static enum proxy_status
feed(const unsigned char *buf, size_t len, size_t *used, const char **why)
{
	enum proxy_status st;
	size_t have = 0, need;

	for (;;) {
		st = proxy_need(buf, have, &need, why);
		if (st != PROXY_MORE) {
			*used = have;
			return st;
		}
		if (have + need > len) {
			*used = have;
			return PROXY_MORE;	/* truncated: would wait */
		}
		have += need;
	}
}

static int
parse_all(const char *s, size_t len, struct proxy_info *info,
    const char **why, size_t *used)
{
	if (feed((const unsigned char *)s, len, used, why) != PROXY_DONE)
		return -2;
	return proxy_parse((const unsigned char *)s, *used, info, why);
}

static void
v1_tcp4(void)
{
	static const char h[] = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 25"
	    "\r\nEHLO client.example\r\n";
	struct proxy_info info;
	const char *why;
	size_t used;

	CHECK(parse_all(h, sizeof(h) - 1, &info, &why, &used) == 0);
	CHECK(used == strlen("PROXY TCP4 192.0.2.7 198.51.100.1 56324 25"
	    "\r\n"));
	CHECK(info.version == 1 && !info.local);
	CHECK_STR(info.src_ip, "192.0.2.7");
	CHECK_STR(info.src_port, "56324");
	CHECK_STR(info.dst_ip, "198.51.100.1");
	CHECK_STR(info.dst_port, "25");
}

static void
v1_tcp6_and_unknown(void)
{
	static const char h6[] = "PROXY TCP6 2001:DB8::0:1 2001:db8::2 1 65535"
	    "\r\n";
	static const char u[] = "PROXY UNKNOWN\r\n";
	static const char u2[] = "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n";
	struct proxy_info info;
	const char *why;
	size_t used;

	CHECK(parse_all(h6, sizeof(h6) - 1, &info, &why, &used) == 0);
	CHECK_STR(info.src_ip, "2001:db8::1");	/* canonical */
	CHECK_STR(info.dst_port, "65535");
	CHECK(parse_all(u, sizeof(u) - 1, &info, &why, &used) == 0);
	CHECK(info.local && info.src_ip[0] == '\0');
	CHECK(parse_all(u2, sizeof(u2) - 1, &info, &why, &used) == 0);
	CHECK(info.local);
}

static void
v1_malformed(void)
{
	static const char *const bad[] = {
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",
		"PROXY TCP4 192.0.2.7  198.51.100.1 1 2\r\n",
		"PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n",
		"PROXY TCP6 192.0.2.7 2001:db8::1 1 2\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 065535 2\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 65536 2\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 1 -2\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 1 2 \r\n",
		"PROXY TCP4 192.0.2.256 198.51.100.1 1 2\r\n",
		"PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n",
		"PROXY \r\n",
		"PROXY TCP4\r\n",
		"proxy TCP4 192.0.2.7 198.51.100.1 1 2\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 1 2\n",
		"PROXY TCP4 192.0.2.7\r198.51.100.1 1 2\r\n",
		"PROXY TCP4 192.0.2.7\t198.51.100.1 1 2\r\n",
		"EHLO client.example\r\n",
		"\r\n\r\n\0\r\nQUIX\n",
		NULL
	};
	struct proxy_info info;
	const char *why;
	size_t used, i;

	for (i = 0; bad[i] != NULL; i++) {
		why = NULL;
		if (parse_all(bad[i], strlen(bad[i]) + (bad[i][0] == '\r' ?
		    12 - strlen(bad[i]) : 0), &info, &why, &used) >= 0) {
			printf("# accepted: %s", bad[i]);
			CHECK(0);
		}
		CHECK(why != NULL || used < strlen(bad[i]));
	}
}

/* Not a header: said at the first octet that cannot begin one. */
static void
fails_fast(void)
{
	const char *why;
	size_t used;

	CHECK(feed((const unsigned char *)"EHLO x\r\n", 8, &used, &why) ==
	    PROXY_BAD && used == 1);
	CHECK(feed((const unsigned char *)"PROXZ ", 6, &used, &why) ==
	    PROXY_BAD);
	CHECK(why != NULL && strstr(why, "not a PROXY") != NULL);
}

static void
v1_oversized_and_truncated(void)
{
	char h[300];
	struct proxy_info info;
	const char *why;
	size_t used;

	memset(h, 'A', sizeof(h));
	memcpy(h, "PROXY UNKNOWN ", 14);
	memcpy(h + 200, "\r\n", 2);
	CHECK(parse_all(h, 202, &info, &why, &used) == -2);
	CHECK(why != NULL && strstr(why, "107") != NULL);
	CHECK(used <= 107);
	/* 107 octets exactly is the longest that is taken */
	memcpy(h + 105, "\r\n", 2);
	CHECK(parse_all(h, 107, &info, &why, &used) == 0 && used == 107);
	/* truncated: more is wanted, nothing decided */
	CHECK(parse_all("PROXY TCP4 192.0.2.7 198.", 25, &info, &why,
	    &used) == -2);
	CHECK(proxy_parse((const unsigned char *)"PROXY TCP4 1.2.3.4", 18,
	    &info, &why) == -1);
}

/* A v2 header with addresses and TLVs; returns its length. */
static size_t
v2(unsigned char *b, int cmd, int fam, const unsigned char *rest,
    size_t rlen)
{
	memcpy(b, sig, 12);
	b[12] = 0x20 | cmd;
	b[13] = fam;
	b[14] = rlen >> 8;
	b[15] = rlen & 0xff;
	memcpy(b + 16, rest, rlen);
	return 16 + rlen;
}

static void
v2_inet(void)
{
	static const unsigned char a[] = {
		192, 0, 2, 9, 198, 51, 100, 1, 0xc3, 0x50, 0, 25,
		/* a NOOP TLV, then SSL with version and CN sub-TLVs */
		0x04, 0, 2, 0, 0,
		0x20, 0, 5 + 3 + 7 + 3 + 11,
		0x07, 0, 0, 0, 0,
		0x21, 0, 7, 'T', 'L', 'S', 'v', '1', '.', '3',
		0x22, 0, 11, 'c', 'l', 'i', 'e', 'n', 't', '.', 't', 'e', 's',
		't',
	};
	unsigned char b[256];
	struct proxy_info info;
	const char *why;
	size_t len, used;

	len = v2(b, 1, 0x11, a, sizeof(a));
	memcpy(b + len, "EHLO x\r\n", 8);
	CHECK(feed(b, len + 8, &used, &why) == PROXY_DONE && used == len);
	CHECK(proxy_parse(b, len, &info, &why) == 0);
	CHECK(info.version == 2 && !info.local);
	CHECK_STR(info.src_ip, "192.0.2.9");
	CHECK_STR(info.src_port, "50000");
	CHECK_STR(info.dst_ip, "198.51.100.1");
	CHECK_STR(info.dst_port, "25");
	CHECK(info.ssl && info.ssl_cert && info.ssl_verify == 0);
	CHECK_STR(info.ssl_version, "TLSv1.3");
	CHECK_STR(info.ssl_cn, "client.test");
}

static void
v2_inet6_local_unspec(void)
{
	unsigned char a[36] = { 0x20, 0x01, 0x0d, 0xb8 }, b[128];
	struct proxy_info info;
	const char *why;
	size_t len;

	a[15] = 5;
	a[16] = 0x20;
	a[17] = 0x01;
	a[32] = 0x01;
	a[33] = 0x00;
	len = v2(b, 1, 0x21, a, sizeof(a));
	CHECK(proxy_parse(b, len, &info, &why) == 0);
	CHECK_STR(info.src_ip, "2001:db8::5");
	CHECK_STR(info.src_port, "256");
	CHECK(!info.ssl);
	/* LOCAL: the balancer's own connection */
	len = v2(b, 0, 0x11, a, 12);
	CHECK(proxy_parse(b, len, &info, &why) == 0 && info.local);
	len = v2(b, 0, 0x00, a, 0);
	CHECK(proxy_parse(b, len, &info, &why) == 0 && info.local);
	/* PROXY over UNSPEC: keep the real peer too */
	len = v2(b, 1, 0x00, a, 0);
	CHECK(proxy_parse(b, len, &info, &why) == 0 && info.local);
}

static void
v2_malformed(void)
{
	unsigned char a[64] = { 192, 0, 2, 9 }, b[128];
	struct proxy_info info;
	const char *why;
	size_t len;

	/* addresses cut short */
	len = v2(b, 1, 0x11, a, 8);
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	len = v2(b, 1, 0x21, a, 20);
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	/* a TLV running past the end, a truncated TLV */
	a[12] = 0x04;
	a[13] = 0;
	a[14] = 9;
	len = v2(b, 1, 0x11, a, 12 + 3 + 4);
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	len = v2(b, 1, 0x11, a, 12 + 2);
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	/* a short SSL TLV */
	a[12] = 0x20;
	a[14] = 2;
	len = v2(b, 1, 0x11, a, 12 + 3 + 2);
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	/* version 1 in a v2 header, command 2, family 4, datagrams */
	len = v2(b, 1, 0x11, a, 12);
	b[12] = 0x11;
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	b[12] = 0x22;
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	b[12] = 0x21;
	b[13] = 0x41;
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	b[13] = 0x12;
	CHECK(proxy_parse(b, len, &info, &why) == -1);
	/* a signature off by one octet */
	b[13] = 0x11;
	b[7] = 'q';
	CHECK(proxy_parse(b, len, &info, &why) == -1);
}

static void
v2_oversized_and_truncated(void)
{
	unsigned char b[PROXY_V2_HEAD];
	const char *why;
	size_t need;

	memcpy(b, sig, 12);
	b[12] = 0x21;
	b[13] = 0x11;
	b[14] = 0xff;
	b[15] = 0xff;
	CHECK(proxy_need(b, 16, &need, &why) == PROXY_BAD);
	CHECK(why != NULL && strstr(why, "longer") != NULL);
	b[14] = 0x04;
	b[15] = 0x00;		/* 1024: the most taken */
	CHECK(proxy_need(b, 16, &need, &why) == PROXY_MORE && need == 1024);
	b[15] = 0x01;
	CHECK(proxy_need(b, 16, &need, &why) == PROXY_BAD);
	/* the fixed part comes in two reads: 12, then 4 */
	CHECK(proxy_need(b, 1, &need, &why) == PROXY_MORE && need == 11);
	CHECK(proxy_need(b, 12, &need, &why) == PROXY_MORE && need == 4);
}

int
main(void)
{
	TEST(v1_tcp4);
	TEST(v1_tcp6_and_unknown);
	TEST(v1_malformed);
	TEST(fails_fast);
	TEST(v1_oversized_and_truncated);
	TEST(v2_inet);
	TEST(v2_inet6_local_unspec);
	TEST(v2_malformed);
	TEST(v2_oversized_and_truncated);
	return UNIT_DONE();
}
