/*
 * samotop-remote: one delivery attempt of one message to one domain, as
 * qmail-remote makes it (samotop-remote(8)).
 *
 *	samotop-remote [-D] [-A ANCHOR] [-R IP[@PORT]] [-c CONF] [-C CAFILE]
 *	    [-p PORT] [-m HOST[:PORT]] [-S STSCACHE] DOMAIN SENDER RCPT...
 *	    < MESSAGE
 *
 * Here: the options, the message, the MX look-up (rmt_mx.h) and the
 * results; DANE's look-ups are rmt_dane.h's (-D, or -A or -R), the SMTP
 * attempt itself is rmt_attempt.h's.  stdout gets one
 * line per recipient ("r RCPT CODE TEXT", in the order given) and one
 * for the message ("m CODE TEXT host=... ip=... tls=..."); exit 0 once
 * they are printed, 111 or 100 when the attempt could not even start.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "fdio.h"
#include "log.h"
#include "rmt_attempt.h"
#include "rmt_dane.h"
#include "rmt_mx.h"
#include "rmt_smtp.h"
#include "sandbox.h"
#include "sts_lookup.h"
#include "tlsrpt_mail.h"
#include "unboundlib.h"
#include "version.h"

#define DEFAULT_CONF	"/etc/samotop/samotop.conf"
#define EXIT_TEMP	111
#define EXIT_PERM	100
#define MESSAGE_MAX	(1UL << 30)	/* what we read of stdin at most */

static void
usage(void)
{
	fprintf(stderr, "usage: samotop-remote [-DV] [-A anchor] "
	    "[-R ip[@port]] [-c conf] [-C cafile] [-p port] "
	    "[-m host[:port]] [-S sts-cache] domain sender rcpt ...\n");
	exit(EXIT_PERM);
}

/* stdin, whole: the message is sent to each MX again if need be. */
static char *
read_message(size_t *len)
{
	char *buf = NULL, *p;
	size_t size = 0, n = 0;
	ssize_t k;

	for (;;) {
		if (n == size) {
			if (size >= MESSAGE_MAX) {
				errno = EFBIG;
				goto fail;
			}
			size = size == 0 ? 65536 : size * 2;
			if ((p = realloc(buf, size)) == NULL)
				goto fail;
			buf = p;
		}
		if ((k = fd_read_some(0, buf + n, size - n)) == -1)
			goto fail;
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*len = n;
	return buf != NULL ? buf : calloc(1, 1);
fail:
	free(buf);
	return NULL;
}

/* "host", "host:port", "[v6]", "[v6]:port" (-m). */
static int
split_host(char *s, char **host, unsigned *port)
{
	char *c, *end;
	unsigned long p;

	*host = s;
	if (s[0] == '[') {
		if ((c = strchr(s, ']')) == NULL)
			return -1;
		*c++ = '\0';
		*host = s + 1;
		if (*c == '\0')
			return 0;
		if (*c != ':')
			return -1;
	} else if ((c = strchr(s, ':')) == NULL || strchr(c + 1, ':') != NULL)
		return 0;			/* a name, or a bare IPv6 */
	*c++ = '\0';
	errno = 0;
	p = strtoul(c, &end, 10);
	if (*c == '\0' || *end != '\0' || p == 0 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

/*
 * An address literal (RFC 5321 §4.1.3): "[192.0.2.1]" or
 * "[IPv6:2001:db8::1]" into out, the address alone; 0 for a domain name.
 */
static int
literal(const char *domain, char *out, size_t size)
{
	size_t len = strlen(domain);
	unsigned char a[16];

	if (len < 3 || domain[0] != '[' || domain[len - 1] != ']')
		return 0;
	domain++;
	len -= 2;
	if (len > 5 && strncasecmp(domain, "IPv6:", 5) == 0) {
		domain += 5;
		len -= 5;
	}
	if (len >= size)
		return 0;
	memcpy(out, domain, len);
	out[len] = '\0';
	return inet_pton(AF_INET, out, a) == 1 ||
	    (inet_pton(AF_INET6, out, a) == 1 && domain[-1] == ':');
}

/* MTA-STS: the policy for domain, logged (RFC 8461). */
static void
sts_find(struct logger *lg, const char *domain, const char *cachedir,
    const char *cafile, struct sts_result *r)
{
	char mx[STS_MX_MAX * (STS_NAME_MAX + 1)], age[24];
	size_t i, n = 0;

	sts_lookup(domain, cachedir, cafile, time(NULL), r);
	mx[0] = '\0';
	for (i = 0; i < r->policy.nmx; i++)
		n += (size_t)snprintf(mx + n, sizeof(mx) - n, "%s%s",
		    i > 0 ? "," : "", r->policy.mx[i]);
	snprintf(age, sizeof(age), "%lu", r->policy.max_age);
	log_event(lg, r->why[0] != '\0' ? LVL_WARN : LVL_INFO, "sts-policy",
	    "domain", domain, "mode", sts_mode_name(r->policy.mode), "id",
	    r->id[0] != '\0' ? r->id : NULL, "source", r->source, "max_age",
	    strcmp(r->source, "none") != 0 ? age : NULL, "mx",
	    mx[0] != '\0' ? mx : NULL,
	    "error", r->why[0] != '\0' ? r->why : NULL, NULL);
}

/* An MTA-STS policy that could not be had, for TLS-RPT (RFC 8460). */
static void
sts_report(struct rmt_attempt *a, const struct sts_result *r)
{
	switch (r->fail) {
	case STS_FAIL_FETCH:
		rmt_attempt_tlsrpt(a, TLSRPT_POLICY_STS,
		    TLSRPT_STS_POLICY_FETCH_ERROR);
		break;
	case STS_FAIL_WEBPKI:
		rmt_attempt_tlsrpt(a, TLSRPT_POLICY_STS,
		    TLSRPT_STS_WEBPKI_INVALID);
		break;
	case STS_FAIL_INVALID:
		rmt_attempt_tlsrpt(a, TLSRPT_POLICY_STS,
		    TLSRPT_STS_POLICY_INVALID);
		break;
	case STS_FAIL_NONE:
	case STS_FAIL_DNS:		/* no policy known to fail */
	case STS_FAIL_CACHE:		/* the policy is in force */
		break;
	}
}

/*
 * 1 for a TLS report of samotop-tlsrpt's: a TLS-Report-Domain field,
 * from the reports' sender (tlsrpt-from, else postmaster@hostname).
 * Only its sender could make its own message skip the TLS policies.
 */
static int
tls_report(const struct conf *c, const char *from, const char *msg,
    size_t len)
{
	char pm[sizeof(c->hostname) + 16];

	if (!tlsrpt_mail_is_report(msg, len))
		return 0;
	if (c->tlsrpt_from != NULL)
		return strcasecmp(from, c->tlsrpt_from) == 0;
	snprintf(pm, sizeof(pm), "postmaster@%s", c->hostname);
	return strcasecmp(from, pm) == 0;
}

/* 1 when the host is an address, not a name (no TLSA records then). */
static int
is_address(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/*
 * DANE's look-ups for mx's hosts into a->dane (RFC 7672): with a
 * trust anchor, through libunbound.  A host named by an address has
 * no TLSA records: RMT_DANE_NONE.
 */
static void
dane_lookup(struct rmt_attempt *a, const struct rmt_mx *mx,
    const struct scr_dane_conf *dc, const char *domain, int smarthost)
{
	static struct rmt_dane_host dh[RMT_MX_HOSTS];
	char why[256];

	a->dane = dh;
	if (mx->nhost == 1 && is_address(mx->host[0].name)) {
		dh[0].state = RMT_DANE_NONE;
		snprintf(dh[0].why, sizeof(dh[0].why), "an address");
		return;
	}
	if (rmt_dane_lookup(dc, smarthost ? NULL : domain, mx, a->port, dh,
	    why, sizeof(why)) == -1)
		log_event(&a->lg, LVL_ERROR, "dane", "domain", domain,
		    "error", why, NULL);
}

/* r and m lines, each made of printable octets only. */
static void
print_line(const char *kind, const char *rcpt, int code, const char *text,
    const char *tail)
{
	const char *p;

	fputs(kind, stdout);
	if (rcpt != NULL)
		printf(" %s", rcpt);
	printf(" %d ", code);
	for (p = text; *p != '\0'; p++)
		putchar((unsigned char)*p >= 0x20 && *p != 0x7f ? *p : '?');
	printf("%s\n", tail);
}

int
main(int argc, char *argv[])
{
	static struct rmt_attempt a;
	static struct rmt_mx mx;
	static struct sts_result sts;
	const char *stscache = NULL;
	static struct unboundlib ub;
	struct scr_dane_conf dc = { .lib = &ub };
	struct conf c;
	struct conf_error err;
	const char *conf = NULL, *domain;
	char *text = NULL, *smarthost = NULL, *host = NULL, tail[256];
	char lit[64];
	unsigned mport = 0;
	unsigned long p;
	char *end;
	size_t i, n;
	int ch, dane = 0, report;

	signal(SIGPIPE, SIG_IGN);
	log_init_helper(&a.lg, "samotop-remote");
	a.port = 25;
	while ((ch = getopt(argc, argv, "A:C:c:Dm:p:R:S:V")) != -1) {
		switch (ch) {
		case 'A':
			dc.trust_anchor = optarg;
			dane = 1;
			break;
		case 'C':
			a.cafile = optarg;
			break;
		case 'D':
			dane = 1;
			break;
		case 'R':
			dc.resolver = optarg;
			dane = 1;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'S':
			stscache = optarg;
			break;
		case 'm':
			smarthost = optarg;
			break;
		case 'p':
			p = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || p == 0 ||
			    p > 65535)
				usage();
			a.port = (unsigned)p;
			break;
		case 'V':
			version_exit("samotop-remote");
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	domain = argv[0];
	a.from = argv[1];
	a.rcpt = argv + 2;
	a.nrcpt = (size_t)argc - 2;
	if (smarthost != NULL && split_host(smarthost, &host, &mport) == -1)
		usage();

	conf_defaults(&c);
	if (conf == NULL && access(DEFAULT_CONF, F_OK) == 0)
		conf = DEFAULT_CONF;
	if (conf != NULL && (conf_load(&c, conf, &text, &err) == -1 ||
	    conf_check(&c, &err) == -1)) {
		fprintf(stderr, "samotop-remote: %s:%u: %s\n", conf, err.line,
		    err.msg);
		return EXIT_TEMP;
	}
	if (c.hostname[0] == '\0' &&
	    gethostname(c.hostname, sizeof(c.hostname) - 1) == -1)
		snprintf(c.hostname, sizeof(c.hostname), "localhost");
	a.helo = c.hostname;
	/* -S, else the sts-cache directive's */
	if (stscache == NULL)
		stscache = c.sts_cache;
	if (dc.trust_anchor == NULL)
		dc.trust_anchor = c.screener_trust_anchor;

	if ((a.msg = read_message(&a.msglen)) == NULL) {
		fprintf(stderr, "samotop-remote: reading the message: %s\n",
		    strerror(errno));
		return EXIT_TEMP;
	}
	if ((a.res = calloc(a.nrcpt, sizeof(*a.res))) == NULL) {
		fprintf(stderr, "samotop-remote: %s\n", strerror(errno));
		return EXIT_TEMP;
	}
	/*
	 * RFC 8460 §5.3: a TLS report goes despite any TLS failure (so
	 * without MTA-STS and DANE, in plaintext if need be), and its own
	 * sessions are not reported.
	 */
	if ((report = tls_report(&c, a.from, a.msg, a.msglen)) != 0) {
		dane = 0;
		log_event(&a.lg, LVL_INFO, "tlsrpt-report", "domain", domain,
		    "note", "a TLS report: no MTA-STS, no DANE, not recorded",
		    NULL);
	}
	/*
	 * Set up: the sandbox (sandbox.h), seccomp only: what it reads
	 * (CA files, OpenSSL's and libcurl's own files, the STS cache) is
	 * not all named here.
	 */
	if (c.sandbox && sandbox_wanted())
		(void)sandbox_seal(SANDBOX_REMOTE, NULL, 0, &a.lg);
	a.body8 = rmt_body_8bit(a.msg, a.msglen);
	a.utf8 = rmt_addr_utf8(a.from);
	for (i = 0; i < a.nrcpt; i++)
		a.utf8 |= rmt_addr_utf8(a.rcpt[i]);

	if (host != NULL)
		rmt_mx_resolve_host(host, &mx);
	else if (literal(domain, lit, sizeof(lit)))
		rmt_mx_resolve_host(lit, &mx);	/* no DNS: that address */
	else {
		rmt_mx_resolve(domain, a.helo, &mx);
		/*
		 * -m and address literals name the host: no MX to check,
		 * and no policy domain to report TLS to (RFC 8460)
		 */
		a.tlsrpt_dir = report ? NULL : c.tlsrpt_dir;
		a.domain = domain;
		if (mx.status == RMT_MX_OK && !report) {
			sts_find(&a.lg, domain, stscache, a.cafile, &sts);
			a.sts = &sts.policy;
			sts_report(&a, &sts);
		}
	}
	if (mport != 0)
		a.port = mport;
	if (mx.status != RMT_MX_OK) {
		log_event(&a.lg, LVL_WARN, "mx", "domain", domain, "error",
		    mx.why, NULL);
		rmt_attempt_fail(&a, mx.code, mx.why);
	} else {
		if (dane)
			dane_lookup(&a, &mx, &dc, domain, host != NULL);
		rmt_attempt_run(&a, &mx);
	}

	for (i = 0; i < a.nrcpt; i++)
		print_line("r", a.rcpt[i], a.res[i].code, a.res[i].text, "");
	tail[0] = '\0';
	n = 0;
	if (a.host != NULL)
		n = (size_t)snprintf(tail, sizeof(tail), " host=%s ip=%s "
		    "tls=%s%s%s%s%s", a.host, a.ip, a.tlsver[0] != '\0' ?
		    a.tlsver : "none", a.danest[0] != '\0' ? " dane=" : "",
		    a.danest, a.tlsa[0] != '\0' ? " tlsa=" : "",
		    a.tlsa[0] != '\0' ? rmt_dane_usage_name(a.usage) : "");
	if (a.sts != NULL && a.sts->mode != STS_NONE && n < sizeof(tail))
		snprintf(tail + n, sizeof(tail) - n, " sts=%s verified=%s",
		    sts_mode_name(a.sts->mode), a.verified ? "yes" : "no");
	print_line("m", NULL, a.m.code, a.m.text, tail);
	{
		char code[16];

		snprintf(code, sizeof(code), "%d", a.m.code);
		log_event(&a.lg, a.m.code / 100 == 2 ? LVL_INFO : LVL_WARN,
		    "done", "domain", domain, "host", a.host, "ip",
		    a.host != NULL ? a.ip : NULL, "tls", a.host != NULL ?
		    (a.tlsver[0] != '\0' ? a.tlsver : "none") : NULL,
		    "cipher", a.cipher[0] != '\0' ? a.cipher : NULL,
		    "dane", a.host != NULL && a.danest[0] != '\0' ?
		    a.danest : NULL, "tlsa", a.host != NULL &&
		    a.tlsa[0] != '\0' ? a.tlsa : NULL, "code", code, "reply",
		    a.m.text, "sts", sts_mode_name(a.sts != NULL ?
		    a.sts->mode : STS_NONE), "verified", a.verified ? "yes" :
		    "no", NULL);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "samotop-remote: stdout: %s\n",
		    strerror(errno));
		return EXIT_TEMP;
	}
	free(text);
	return 0;
}
