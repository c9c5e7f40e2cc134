/*
 * proxy.c: reading a balancer's PROXY header, and believing it only from
 * the balancers the configuration names.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "lists.h"
#include "proxy.h"

int
proxy_trusted(const struct conf *c, const char *ip)
{
	size_t i;

	if (ip[0] == '\0')
		return 0;
	for (i = 0; i < c->nproxy_from; i++)
		if (list_cidr_match(c->proxy_from[i], ip) == 1)
			return 1;
	return 0;
}

int
proxy_read(int fd, unsigned timeout, struct proxy_info *info,
    const char **why)
{
	unsigned char buf[PROXY_MAX];
	long long deadline = fd_deadline((long)timeout * 1000);
	size_t have = 0, need;
	ssize_t n = 0;
	int w;

	/* Exactly what proxy_need() allows: no octet of SMTP or TLS. */
	while (proxy_need(buf, have, &need, why) == PROXY_MORE) {
		if ((w = fd_wait_until(fd, POLLIN, deadline)) == 0) {
			*why = "no PROXY header in time";
			return -1;
		}
		if (w == 1 && (n = fd_read_some(fd, (char *)buf + have,
		    need)) == -1 && errno == EAGAIN)
			continue;
		if (w == -1 || n == -1) {
			*why = strerror(errno);
			return -1;
		}
		if (n == 0) {
			*why = have == 0 ? "closed before a PROXY header" :
			    "closed inside a truncated PROXY header";
			return -1;
		}
		have += (size_t)n;
	}
	if (*why != NULL)
		return -1;
	return proxy_parse(buf, have, info, why);
}

int
proxy_accept(const struct conf *c, int fd, struct peer *p,
    struct logger *log)
{
	struct proxy_info info;
	const char *why;
	char version[4], balancer[sizeof(p->ip)];

	if (!c->proxy_protocol || !proxy_trusted(c, p->ip))
		return 0;
	snprintf(balancer, sizeof(balancer), "%s", p->ip);
	if (proxy_read(fd, c->proxy_timeout, &info, &why) == -1) {
		log_event(log, LVL_WARN, "proxy", "balancer", balancer,
		    "result", "refused", "reason", why, NULL);
		return -1;
	}
	snprintf(version, sizeof(version), "%d", info.version);
	if (!info.local) {
		snprintf(p->ip, sizeof(p->ip), "%s", info.src_ip);
		snprintf(p->port, sizeof(p->port), "%s", info.src_port);
		(void)peer_unmap_v4(p->ip, sizeof(p->ip));
		/* the launcher's REMOTEHOST named the balancer */
		p->host[0] = '\0';
		p->source = info.version == 1 ? "proxy-v1" : "proxy-v2";
		log_personal(log, p->ip);	/* leave-no-trace hides it */
	}
	log_event(log, LVL_INFO, "proxy", "balancer", balancer, "version",
	    version, "result", info.local ? "local" : "client", "client",
	    info.local ? NULL : p->ip, "port", info.local ? NULL : p->port,
	    "tls", info.ssl ? (info.ssl_version[0] != '\0' ?
	    info.ssl_version : "yes") : NULL, "tls_cn",
	    info.ssl_cn[0] != '\0' ? info.ssl_cn : NULL, NULL);
	return 0;
}
