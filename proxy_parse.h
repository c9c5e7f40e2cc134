/*
 * proxy_parse.h: the PROXY protocol header (HAProxy's proxy-protocol.txt,
 * versions 1 and 2) that a balancer sends before the client's first
 * octet.  Pure: the caller reads, these functions only look at octets.
 *
 * Reading must never take an octet of the SMTP stream that follows the
 * header (and, with tls-implicit, the TLS handshake): proxy_need() says
 * how many octets may be read next without going past the header's end,
 * so that a caller that reads exactly that many each time stops on it.
 */
#ifndef SAMOTOP_PROXY_PARSE_H
#define SAMOTOP_PROXY_PARSE_H

#include <stddef.h>

#include <netinet/in.h>

#define PROXY_V1_MAX	107	/* the longest v1 line, CRLF included */
#define PROXY_V2_HEAD	16	/* signature, version, family, length */
/*
 * The longest v2 header taken: addresses (216 for AF_UNIX) and TLVs
 * (SSL, ALPN, authority, a unique id of 128) fit with room to spare;
 * a longer one is refused rather than read and skipped.
 */
#define PROXY_V2_MAX	(PROXY_V2_HEAD + 1024)
#define PROXY_MAX	PROXY_V2_MAX

enum proxy_status {
	PROXY_DONE,	/* a whole header: parse it */
	PROXY_MORE,	/* read *need more octets, no more */
	PROXY_BAD,	/* not a PROXY header: *why says what */
};

struct proxy_info {
	int	version;		/* 1 or 2 */
	/*
	 * 1: the balancer speaks for itself (v2 LOCAL, v1 UNKNOWN, an
	 * address family other than TCP over IPv4 or IPv6): keep the
	 * connection's own peer.  0: src/dst below are the client's.
	 */
	int	local;
	char	src_ip[INET6_ADDRSTRLEN];
	char	src_port[8];
	char	dst_ip[INET6_ADDRSTRLEN];
	char	dst_port[8];
	/* v2 PP2_TYPE_SSL: the client spoke TLS to the balancer */
	int	ssl;
	int	ssl_cert;		/* it presented a certificate */
	unsigned long ssl_verify;	/* 0: that certificate verified */
	char	ssl_version[32];	/* PP2_SUBTYPE_SSL_VERSION, or "" */
	char	ssl_cn[256];		/* PP2_SUBTYPE_SSL_CN, or "" */
};

/*
 * Given the first len octets received (len < PROXY_MAX), whether they
 * can begin a header, are one, or cannot; on PROXY_MORE *need (at least
 * 1) octets may be read without reading past the header's end.  Octets
 * that cannot begin either version are PROXY_BAD at once, so that an
 * SMTP client that does not send a header is told so without waiting.
 */
enum proxy_status proxy_need(const unsigned char *buf, size_t len,
		    size_t *need, const char **why);
/*
 * A whole header (proxy_need() said PROXY_DONE for buf[0..len)) into
 * *info: 0, or -1 with *why (a constant string) saying what is wrong.
 * Addresses must be well formed (dotted quads for TCP4, no leading
 * zeros in ports); v2 TLVs must tile the rest of the header, those not
 * understood are skipped, an SSL one's sub-TLVs are read.
 */
int		proxy_parse(const unsigned char *buf, size_t len,
		    struct proxy_info *info, const char **why);

#endif
