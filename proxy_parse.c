/*
 * proxy_parse.c: PROXY protocol headers, v1 (text) and v2 (binary).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proxy_parse.h"

#define V1_PREFIX	"PROXY "
#define V1_PREFIX_LEN	6
#define V2_SIG_LEN	12

/* The v2 signature: CR LF CR LF NUL CR LF "QUIT" LF. */
static const unsigned char v2_sig[V2_SIG_LEN] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* v2 commands, address families and TLV types (proxy-protocol.txt). */
#define V2_VERSION	0x2
#define V2_LOCAL	0x0
#define V2_PROXY	0x1
#define V2_AF_UNSPEC	0x0
#define V2_AF_INET	0x1
#define V2_AF_INET6	0x2
#define V2_AF_UNIX	0x3
#define V2_STREAM	0x1
#define PP2_TYPE_SSL		0x20
#define PP2_SUBTYPE_SSL_VERSION	0x21
#define PP2_SUBTYPE_SSL_CN	0x22
#define PP2_CLIENT_SSL		0x01
#define PP2_CLIENT_CERT_CONN	0x02
#define PP2_CLIENT_CERT_SESS	0x04

static enum proxy_status
bad(const char **why, const char *what)
{
	*why = what;
	return PROXY_BAD;
}

/* v1 after "PROXY ": printable octets up to CR LF, within 107. */
static enum proxy_status
need_v1(const unsigned char *buf, size_t len, size_t *need, const char **why)
{
	size_t i;

	for (i = V1_PREFIX_LEN; i < len; i++) {
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n')
			return bad(why, "v1 header: CR without LF");
		if (buf[i] == '\n')
			return i > 0 && buf[i - 1] == '\r' && i + 1 == len ?
			    PROXY_DONE : bad(why, "v1 header: LF without CR");
		if (buf[i] != '\r' && (buf[i] < 0x20 || buf[i] > 0x7e))
			return bad(why, "v1 header: a control octet");
	}
	if (len >= PROXY_V1_MAX)
		return bad(why, "v1 header longer than 107 octets");
	/*
	 * Two octets at a time until a CR: the line cannot end sooner,
	 * and only a malformed header (a bare LF) is read past.
	 */
	*need = len > 0 && buf[len - 1] == '\r' ? 1 : 2;
	if (*need > PROXY_V1_MAX - len)
		*need = PROXY_V1_MAX - len;
	return PROXY_MORE;
}

static enum proxy_status
need_v2(const unsigned char *buf, size_t len, size_t *need, const char **why)
{
	size_t n = len < V2_SIG_LEN ? len : V2_SIG_LEN, total;

	if (memcmp(buf, v2_sig, n) != 0)
		return bad(why, "not a PROXY header");
	if (len < PROXY_V2_HEAD) {
		*need = (len < V2_SIG_LEN ? V2_SIG_LEN : PROXY_V2_HEAD) - len;
		return PROXY_MORE;
	}
	if (buf[12] >> 4 != V2_VERSION)
		return bad(why, "v2 header: version is not 2");
	if ((buf[12] & 0xf) != V2_LOCAL && (buf[12] & 0xf) != V2_PROXY)
		return bad(why, "v2 header: unknown command");
	total = PROXY_V2_HEAD + ((size_t)buf[14] << 8 | buf[15]);
	if (total > PROXY_V2_MAX)
		return bad(why, "v2 header longer than 1040 octets");
	if (len < total) {
		*need = total - len;
		return PROXY_MORE;
	}
	return len == total ? PROXY_DONE : bad(why, "v2 header: too long");
}

enum proxy_status
proxy_need(const unsigned char *buf, size_t len, size_t *need,
    const char **why)
{
	size_t n;

	*need = 0;
	*why = NULL;
	if (len == 0) {
		*need = 1;
		return PROXY_MORE;
	}
	if (buf[0] == v2_sig[0])
		return need_v2(buf, len, need, why);
	n = len < V1_PREFIX_LEN ? len : V1_PREFIX_LEN;
	if (memcmp(buf, V1_PREFIX, n) != 0)
		return bad(why, "not a PROXY header");
	if (len < V1_PREFIX_LEN) {
		*need = V1_PREFIX_LEN - len;
		return PROXY_MORE;
	}
	return need_v1(buf, len, need, why);
}

/* A decimal port: 0 to 65535, no sign, no leading zero. */
static int
v1_port(const char *s, size_t len, char out[8])
{
	unsigned long n = 0;
	size_t i;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > 65535)
		return -1;
	snprintf(out, 8, "%lu", n);
	return 0;
}

/* An address of family af, written back in its canonical form. */
static int
v1_addr(int af, const char *s, size_t len, char out[INET6_ADDRSTRLEN])
{
	unsigned char a[sizeof(struct in6_addr)];
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(af, tmp, a) != 1)
		return -1;
	return inet_ntop(af, a, out, INET6_ADDRSTRLEN) != NULL ? 0 : -1;
}

/*
 * The next word of line[*at..end) ending in one space (or, for the
 * last, at end): its start and length.
 */
static int
word(const char *line, size_t end, size_t *at, int last, const char **w,
    size_t *wlen)
{
	size_t i = *at;

	while (i < end && line[i] != ' ')
		i++;
	if (i == *at || (last ? i != end : i == end))
		return -1;
	*w = line + *at;
	*wlen = i - *at;
	*at = i + 1;
	return 0;
}

static int
parse_v1(const char *line, size_t len, struct proxy_info *info,
    const char **why)
{
	const char *w;
	size_t at = V1_PREFIX_LEN, end = len - 2, wlen;
	int af;

	info->version = 1;
	if (word(line, end, &at, 0, &w, &wlen) == -1) {
		if (end - V1_PREFIX_LEN == 7 &&
		    memcmp(line + V1_PREFIX_LEN, "UNKNOWN", 7) == 0)
			goto unknown;
		*why = "v1 header: no protocol";
		return -1;
	}
	if (wlen == 7 && memcmp(w, "UNKNOWN", 7) == 0)
		goto unknown;
	if (wlen == 4 && memcmp(w, "TCP4", 4) == 0)
		af = AF_INET;
	else if (wlen == 4 && memcmp(w, "TCP6", 4) == 0)
		af = AF_INET6;
	else {
		*why = "v1 header: protocol is not TCP4, TCP6 or UNKNOWN";
		return -1;
	}
	if (word(line, end, &at, 0, &w, &wlen) == -1 ||
	    v1_addr(af, w, wlen, info->src_ip) == -1 ||
	    word(line, end, &at, 0, &w, &wlen) == -1 ||
	    v1_addr(af, w, wlen, info->dst_ip) == -1) {
		*why = "v1 header: a malformed address";
		return -1;
	}
	if (word(line, end, &at, 0, &w, &wlen) == -1 ||
	    v1_port(w, wlen, info->src_port) == -1 ||
	    word(line, end, &at, 1, &w, &wlen) == -1 ||
	    v1_port(w, wlen, info->dst_port) == -1) {
		*why = "v1 header: a malformed port";
		return -1;
	}
	return 0;
unknown:
	/* The rest of the line is to be ignored (proxy-protocol.txt). */
	info->local = 1;
	return 0;
}

/* A TLV value as text: printable ASCII only, else left empty. */
static void
tlv_text(const unsigned char *v, size_t len, char *out, size_t size)
{
	size_t i;

	out[0] = '\0';
	if (len >= size)
		return;
	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return;
	memcpy(out, v, len);
	out[len] = '\0';
}

/*
 * TLVs that must tile b[0..len) exactly; those of PP2_TYPE_SSL (and,
 * with ssl set, its sub-TLVs) are read, the others skipped.
 */
static int
tlvs(const unsigned char *b, size_t len, int ssl, struct proxy_info *info,
    const char **why)
{
	size_t at = 0, vlen;
	const unsigned char *v;

	while (at < len) {
		if (len - at < 3) {
			*why = "v2 header: a truncated TLV";
			return -1;
		}
		vlen = (size_t)b[at + 1] << 8 | b[at + 2];
		v = b + at + 3;
		if (vlen > len - at - 3) {
			*why = "v2 header: a TLV runs past the header";
			return -1;
		}
		if (!ssl && b[at] == PP2_TYPE_SSL) {
			if (vlen < 5) {
				*why = "v2 header: a short SSL TLV";
				return -1;
			}
			info->ssl = (v[0] & PP2_CLIENT_SSL) != 0;
			info->ssl_cert = (v[0] & (PP2_CLIENT_CERT_CONN |
			    PP2_CLIENT_CERT_SESS)) != 0;
			info->ssl_verify = (unsigned long)v[1] << 24 |
			    (unsigned long)v[2] << 16 |
			    (unsigned long)v[3] << 8 | v[4];
			if (tlvs(v + 5, vlen - 5, 1, info, why) == -1)
				return -1;
		} else if (ssl && b[at] == PP2_SUBTYPE_SSL_VERSION)
			tlv_text(v, vlen, info->ssl_version,
			    sizeof(info->ssl_version));
		else if (ssl && b[at] == PP2_SUBTYPE_SSL_CN)
			tlv_text(v, vlen, info->ssl_cn, sizeof(info->ssl_cn));
		at += 3 + vlen;
	}
	return 0;
}

static int
parse_v2(const unsigned char *buf, size_t len, struct proxy_info *info,
    const char **why)
{
	const unsigned char *b = buf + PROXY_V2_HEAD;
	size_t blen = len - PROXY_V2_HEAD, alen;
	int af = buf[13] >> 4, proto = buf[13] & 0xf, family;

	info->version = 2;
	/* LOCAL: the balancer's own connection (a health check). */
	if ((buf[12] & 0xf) == V2_LOCAL || af == V2_AF_UNSPEC) {
		info->local = 1;
		return 0;
	}
	if (proto != V2_STREAM) {
		*why = "v2 header: not a stream connection";
		return -1;
	}
	if (af == V2_AF_INET) {
		alen = 12;
		family = AF_INET;
	} else if (af == V2_AF_INET6) {
		alen = 36;
		family = AF_INET6;
	} else if (af == V2_AF_UNIX) {
		alen = 216;
		family = AF_UNIX;
	} else {
		*why = "v2 header: unknown address family";
		return -1;
	}
	if (blen < alen) {
		*why = "v2 header: addresses longer than the header";
		return -1;
	}
	if (family == AF_UNIX)
		info->local = 1;	/* no address to carry */
	else {
		size_t asz = (alen - 4) / 2;

		if (inet_ntop(family, b, info->src_ip,
		    sizeof(info->src_ip)) == NULL ||
		    inet_ntop(family, b + asz, info->dst_ip,
		    sizeof(info->dst_ip)) == NULL) {
			*why = "v2 header: a malformed address";
			return -1;
		}
		snprintf(info->src_port, sizeof(info->src_port), "%u",
		    (unsigned)b[2 * asz] << 8 | b[2 * asz + 1]);
		snprintf(info->dst_port, sizeof(info->dst_port), "%u",
		    (unsigned)b[2 * asz + 2] << 8 | b[2 * asz + 3]);
	}
	return tlvs(b + alen, blen - alen, 0, info, why);
}

int
proxy_parse(const unsigned char *buf, size_t len, struct proxy_info *info,
    const char **why)
{
	size_t need;

	memset(info, 0, sizeof(*info));
	if (proxy_need(buf, len, &need, why) != PROXY_DONE) {
		if (*why == NULL)
			*why = "a truncated PROXY header";
		return -1;
	}
	if (buf[0] == v2_sig[0])
		return parse_v2(buf, len, info, why);
	return parse_v1((const char *)buf, len, info, why);
}
