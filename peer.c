/*
 * peer.c: the client's address from the launcher's environment.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

static int
valid_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

static int
valid_port(const char *s)
{
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	n = strtol(s, &end, 10);
	return *end == '\0' && n >= 0 && n <= 65535;
}

int
peer_sanitise_host(const char *in, char *out, size_t size)
{
	size_t i;

	out[0] = '\0';
	if (in == NULL || *in == '\0' || strlen(in) >= size)
		return -1;
	for (i = 0; in[i] != '\0'; i++) {
		char c = in[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return -1;
	}
	memcpy(out, in, i + 1);
	return 0;
}

static int
from_env(struct peer *p, const char *ipvar, const char *portvar,
    const char *hostvar)
{
	const char *ip = getenv(ipvar), *port = getenv(portvar);

	if (ip == NULL || !valid_ip(ip))
		return 0;
	snprintf(p->ip, sizeof(p->ip), "%s", ip);
	if (valid_port(port))
		snprintf(p->port, sizeof(p->port), "%s", port);
	if (hostvar != NULL)
		peer_sanitise_host(getenv(hostvar), p->host, sizeof(p->host));
	return 1;
}

static int
from_ucspi(struct peer *p)
{
	const char *proto = getenv("PROTO");
	char ip[32], port[32], host[32];

	if (proto == NULL || strlen(proto) > 8)
		return 0;
	snprintf(ip, sizeof(ip), "%sREMOTEIP", proto);
	snprintf(port, sizeof(port), "%sREMOTEPORT", proto);
	snprintf(host, sizeof(host), "%sREMOTEHOST", proto);
	return from_env(p, ip, port, host);
}

static int
from_socket(struct peer *p, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const void *addr;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		addr = &sin->sin_addr;
		snprintf(p->port, sizeof(p->port), "%u", ntohs(sin->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		addr = &sin6->sin6_addr;
		snprintf(p->port, sizeof(p->port), "%u",
		    ntohs(sin6->sin6_port));
	} else
		return 0;
	return inet_ntop(ss.ss_family, addr, p->ip, sizeof(p->ip)) != NULL;
}

int
peer_unmap_v4(char *ip, size_t size)
{
	struct in6_addr a6;

	if (inet_pton(AF_INET6, ip, &a6) != 1 || !IN6_IS_ADDR_V4MAPPED(&a6))
		return 0;
	return inet_ntop(AF_INET, &a6.s6_addr[12], ip, size) != NULL;
}

void
peer_detect(struct peer *p, int fd)
{
	memset(p, 0, sizeof(*p));
	if (from_ucspi(p))
		p->source = "ucspi";
	else if (from_env(p, "REMOTE_ADDR", "REMOTE_PORT", NULL))
		p->source = "systemd";
	else if (from_socket(p, fd))
		p->source = "socket";
	else
		p->source = "pipe";
	(void)peer_unmap_v4(p->ip, sizeof(p->ip));
}
