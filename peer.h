/*
 * peer.h: who the client is, as the launcher tells it.
 */
#ifndef SAMOTOP_PEER_H
#define SAMOTOP_PEER_H

#include <netinet/in.h>

struct peer {
	char	ip[INET6_ADDRSTRLEN];	/* "" in a pipe session */
	char	port[8];
	char	host[256];		/* sanitised REMOTEHOST, or "" */
	const char *source;		/* "ucspi", "systemd", "socket", "pipe" */
};

/*
 * UCSPI ${PROTO}REMOTEIP/PORT/HOST (tcpserver, s6-tcpserver), then
 * systemd's REMOTE_ADDR/REMOTE_PORT, then getpeername(fd).  Values that
 * do not parse as an address or a port are ignored.
 */
void	peer_detect(struct peer *p, int fd);
/*
 * An IPv4 client of an IPv6 socket ("::ffff:192.0.2.1", inetd or xinetd
 * listening on ::) as the IPv4 address it is, in place, so that client
 * lists, DNS block lists and greylisting see one form of it.  Returns 1
 * when ip was rewritten.
 */
int	peer_unmap_v4(char *ip, size_t size);
/* Keep a host name only if it is letters, digits, '-' and '.'. */
int	peer_sanitise_host(const char *in, char *out, size_t size);

#endif
