/*
 * proxy.h: the client's address from a balancer's PROXY header
 * (samotop.conf(5), SCALE-OUT: proxy-protocol, proxy-from).  The edge
 * that reads; proxy_parse.h decides what the octets are.
 */
#ifndef SAMOTOP_PROXY_H
#define SAMOTOP_PROXY_H

#include "conf.h"
#include "log.h"
#include "peer.h"
#include "proxy_parse.h"

/* Whether ip (the connection's own peer) is one of proxy-from's. */
int	proxy_trusted(const struct conf *c, const char *ip);
/*
 * Read a header of at most PROXY_MAX octets from fd within timeout
 * seconds, never an octet past its end (what follows stays in the
 * socket for the session, or for the TLS handshake): 0 with *info, or
 * -1 with *why (EOF, time-out, a read error, or what is malformed).
 */
int	proxy_read(int fd, unsigned timeout, struct proxy_info *info,
	    const char **why);
/*
 * Before anything else of the session: when proxy-protocol is on and
 * p is a balancer, its header's client becomes p (p->source "proxy-v1"
 * or "proxy-v2"; a LOCAL or UNKNOWN header keeps p) and a "proxy" line
 * names both.  From any other peer nothing is read.  0, or -1 after a
 * "proxy" line saying why: the connection is to be closed without a
 * greeting.
 */
int	proxy_accept(const struct conf *c, int fd, struct peer *p,
	    struct logger *log);

#endif
