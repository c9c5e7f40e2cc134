/*
 * samotop-remote: one delivery attempt of one message to one domain, as
 * qmail-remote makes it (samotop-remote(8)).
 *
 *	samotop-remote [-c CONF] [-p PORT] [-m HOST[:PORT]] DOMAIN SENDER
 *	    RCPT... < MESSAGE
 *
 * The MX hosts of DOMAIN (rmt_mx.h) are tried in order, each address in
 * turn, until one takes the transaction: a connection failure, or a 4xx
 * or 5xx greeting or EHLO/HELO, moves on to the next address.  Then
 * STARTTLS when offered (rmt_conn.h), MAIL and the RCPTs (in one write
 * with PIPELINING), DATA, QUIT.  stdout gets one line per recipient
 * ("r RCPT CODE TEXT", in the order given) and one for the message ("m
 * CODE TEXT host=... ip=... tls=..."); exit 0 once they are printed, 111
 * or 100 when the attempt could not even start.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "data.h"
#include "fdio.h"
#include "log.h"
#include "rmt_conn.h"
#include "rmt_mx.h"
#include "rmt_smtp.h"
#include "tlslib.h"
#include "version.h"

#define DEFAULT_CONF	"/etc/samotop/samotop.conf"
#define EXIT_TEMP	111
#define EXIT_PERM	100
#define MESSAGE_MAX	(1UL << 30)	/* what we read of stdin at most */

/* RFC 5321 §4.5.3.2's time-outs, in milliseconds. */
#define T_CONNECT	(30 * 1000L)		/* Postfix's, not RFC's */
#define T_GREETING	(5 * 60 * 1000L)
#define T_EHLO		(5 * 60 * 1000L)
#define T_MAIL		(5 * 60 * 1000L)
#define T_RCPT		(5 * 60 * 1000L)
#define T_DATA		(2 * 60 * 1000L)
#define T_BLOCK		(3 * 60 * 1000L)
#define T_DOT		(10 * 60 * 1000L)
#define T_QUIT		(10 * 1000L)		/* courtesy: never long */
#define T_TLS		(5 * 60 * 1000L)

struct result {
	int	code;			/* 0: nothing yet */
	char	text[LMTPREPLY_TEXT_MAX + 80];
};

struct attempt {
	struct logger	 lg;
	const char	*helo;		/* our name */
	const char	*from;
	char		**rcpt;
	size_t		 nrcpt;
	const char	*msg;
	size_t		 msglen;
	int		 utf8;		/* the envelope needs SMTPUTF8 */
	int		 body8;		/* the content has 8-bit octets */
	unsigned	 port;
	struct tlslib	 tls;
	struct result	*res;		/* per recipient */
	struct result	 m;		/* the message */
	const char	*host;		/* where it went (or was tried) */
	char		 ip[64];
	char		 tlsver[32];
	char		 cipher[96];
};

/* What one connection came to. */
enum outcome {
	NEXT,		/* this address would not: try the next one */
	NOTLS,		/* the TLS handshake failed: again, in plaintext */
	FINAL,		/* the recipients' results are in */
};

static void
usage(void)
{
	fprintf(stderr, "usage: samotop-remote [-V] [-c conf] [-p port] "
	    "[-m host[:port]] domain sender rcpt ...\n");
	exit(EXIT_PERM);
}

/* snprintf(3), for texts that may well be cut short (and that is fine). */
static void	fmt(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	(void)vsnprintf(buf, size, f, ap);
	va_end(ap);
}

static void
set(struct result *r, int code, const char *text)
{
	r->code = code;
	snprintf(r->text, sizeof(r->text), "%s", text);
}

/* Every recipient without a result of its own gets this one. */
static void
set_rest(struct attempt *a, int code, const char *text)
{
	size_t i;

	for (i = 0; i < a->nrcpt; i++)
		if (a->res[i].code == 0)
			set(&a->res[i], code, text);
	set(&a->m, code, text);
}

/* The reply's text, or its code alone when it has none. */
static const char *
reply_text(const struct rmt_reader *r)
{
	return r->reply.text[0] != '\0' ? r->reply.text : "(no text)";
}

/*
 * QUIT, and its reply if it comes soon; the result is in already, and
 * so is the reason why (c->why) when there is one.
 */
static void
quit(struct rmt_conn *c)
{
	struct rmt_reader r;
	long long end = fd_deadline(T_QUIT);
	char why[sizeof(c->why)];

	memcpy(why, c->why, sizeof(why));
	if (rmt_conn_write(c, "QUIT\r\n", 6, end) == 0)
		(void)rmt_conn_reply(c, &r, 0, end);
	memcpy(c->why, why, sizeof(why));
}

/* EHLO, or HELO when the server does not know it; 0, or -1 for NEXT. */
static int
greet(struct attempt *a, struct rmt_conn *c, struct rmt_reader *r)
{
	char cmd[RMT_CMD_MAX];
	size_t n;
	int ehlo;

	for (ehlo = 1; ehlo >= 0; ehlo--) {
		if ((n = rmt_cmd_ehlo(cmd, sizeof(cmd), ehlo, a->helo)) == 0) {
			snprintf(c->why, sizeof(c->why), "bad hostname");
			return -1;
		}
		if (rmt_conn_write(c, cmd, n, fd_deadline(T_EHLO)) == -1 ||
		    rmt_conn_reply(c, r, ehlo, fd_deadline(T_EHLO)) == -1)
			return -1;
		if (r->reply.code / 100 == 2) {
			if (!ehlo)
				r->ext = 0;
			return 0;
		}
		if (r->reply.code / 100 == 4)
			break;
	}
	fmt(c->why, sizeof(c->why), "%s %d %s", ehlo ? "EHLO" : "HELO",
	    r->reply.code, reply_text(r));
	return -1;
}

/* What the envelope and content need that the server does not offer. */
static int
refuse_unsupported(struct attempt *a, const struct rmt_reader *r)
{
	char t[160];

	if (a->utf8 && !(r->ext & RMT_EXT_SMTPUTF8)) {
		set_rest(a, 553, "5.6.7 the server does not offer SMTPUTF8, "
		    "which an address needs");
		return 1;
	}
	if (a->body8 && !(r->ext & RMT_EXT_8BITMIME)) {
		set_rest(a, 554, "5.6.3 the server does not offer 8BITMIME, "
		    "which the message needs");
		return 1;
	}
	if ((r->ext & RMT_EXT_SIZE) && r->size > 0 && a->msglen > r->size) {
		snprintf(t, sizeof(t), "5.3.4 message of %zu octets over the "
		    "server's limit of %lu", a->msglen, r->size);
		set_rest(a, 552, t);
		return 1;
	}
	return 0;
}

/* The content, dot-stuffed, in blocks; 0, or -1 with c->why. */
static int
send_content(struct attempt *a, struct rmt_conn *c)
{
	static char out[2 * 16384 + 8];
	size_t off, n, k;
	int bol = 1;

	for (off = 0; off < a->msglen; off += n) {
		n = a->msglen - off < 16384 ? a->msglen - off : 16384;
		k = data_encode(&bol, a->msg + off, n, out);
		if (rmt_conn_write(c, out, k, fd_deadline(T_BLOCK)) == -1)
			return -1;
	}
	k = data_encode_end(bol, out);
	return rmt_conn_write(c, out, k, fd_deadline(T_BLOCK));
}

/* MAIL, RCPTs, DATA on a greeted connection. */
static enum outcome
transaction(struct attempt *a, struct rmt_conn *c, struct rmt_reader *r)
{
	static char batch[RMT_CMD_MAX * 2];
	char cmd[RMT_CMD_MAX];
	size_t i, n, len = 0, accepted = 0;
	unsigned ext = r->ext;
	int pipelining = (ext & RMT_EXT_PIPELINING) != 0, mailcode;
	char mailtext[sizeof(a->m.text)];

	if (refuse_unsupported(a, r))
		return FINAL;
	n = rmt_cmd_mail(cmd, sizeof(cmd), a->from,
	    (ext & RMT_EXT_SIZE) ? a->msglen : 0,
	    a->body8 && (ext & RMT_EXT_8BITMIME), a->utf8);
	if (n == 0) {
		set_rest(a, 553, "5.1.7 the sender's address cannot be sent");
		return FINAL;
	}
	if (rmt_conn_write(c, cmd, n, fd_deadline(T_MAIL)) == -1)
		return NEXT;
	if (!pipelining) {
		if (rmt_conn_reply(c, r, 0, fd_deadline(T_MAIL)) == -1)
			return NEXT;
		if (r->reply.code / 100 != 2) {
			set_rest(a, r->reply.code, reply_text(r));
			return FINAL;
		}
	}
	/* RCPTs, in blocks as big as the buffer (one write, RFC 2920) */
	for (i = 0; i < a->nrcpt; i++) {
		if ((n = rmt_cmd_rcpt(cmd, sizeof(cmd), a->rcpt[i])) == 0) {
			set(&a->res[i], 553, "5.1.3 the address cannot be "
			    "sent");
			continue;
		}
		if (!pipelining) {
			if (rmt_conn_write(c, cmd, n, fd_deadline(T_RCPT)) ==
			    -1 || rmt_conn_reply(c, r, 0,
			    fd_deadline(T_RCPT)) == -1)
				return NEXT;
			set(&a->res[i], r->reply.code, reply_text(r));
			continue;
		}
		if (len + n > sizeof(batch)) {
			if (rmt_conn_write(c, batch, len,
			    fd_deadline(T_RCPT)) == -1)
				return NEXT;
			len = 0;
		}
		memcpy(batch + len, cmd, n);
		len += n;
	}
	if (pipelining) {
		if (len > 0 && rmt_conn_write(c, batch, len,
		    fd_deadline(T_RCPT)) == -1)
			return NEXT;
		if (rmt_conn_reply(c, r, 0, fd_deadline(T_MAIL)) == -1)
			return NEXT;
		mailcode = r->reply.code;
		snprintf(mailtext, sizeof(mailtext), "%s", reply_text(r));
		for (i = 0; i < a->nrcpt; i++) {
			if (a->res[i].code != 0)
				continue;	/* not sent */
			if (rmt_conn_reply(c, r, 0, fd_deadline(T_RCPT)) == -1)
				return NEXT;
			set(&a->res[i], r->reply.code, reply_text(r));
		}
		if (mailcode / 100 != 2) {
			for (i = 0; i < a->nrcpt; i++)
				a->res[i].code = 0;
			set_rest(a, mailcode, mailtext);
			return FINAL;
		}
	}
	for (i = 0; i < a->nrcpt; i++) {
		log_event(&a->lg, a->res[i].code / 100 == 2 ? LVL_DEBUG :
		    LVL_INFO, "rcpt", "rcpt", a->rcpt[i], "code",
		    (snprintf(cmd, sizeof(cmd), "%d", a->res[i].code), cmd),
		    "reply", a->res[i].text, NULL);
		if (a->res[i].code / 100 == 2) {
			accepted++;
			a->res[i].code = 0;	/* the DATA reply decides */
		}
	}
	if (accepted == 0) {
		fmt(a->m.text, sizeof(a->m.text), "no recipient accepted: %s",
		    a->res[0].text);
		a->m.code = a->res[0].code;
		return FINAL;
	}
	if (rmt_conn_write(c, "DATA\r\n", 6, fd_deadline(T_DATA)) == -1 ||
	    rmt_conn_reply(c, r, 0, fd_deadline(T_DATA)) == -1) {
		set_rest(a, 451, "4.4.2 connection lost before DATA");
		return FINAL;
	}
	if (r->reply.code != 354) {
		set_rest(a, r->reply.code / 100 == 2 ? 451 : r->reply.code,
		    reply_text(r));
		return FINAL;
	}
	if (send_content(a, c) == -1 ||
	    rmt_conn_reply(c, r, 0, fd_deadline(T_DOT)) == -1) {
		char t[300];

		snprintf(t, sizeof(t), "4.4.2 during the message: %s",
		    c->why);
		set_rest(a, 451, t);
		return FINAL;
	}
	set_rest(a, r->reply.code, reply_text(r));
	return FINAL;
}

/* One connection to one address of one host. */
static enum outcome
session(struct attempt *a, const struct rmt_mx_host *h,
    const struct rmt_addr *addr, int try_tls)
{
	struct rmt_conn c;
	struct rmt_reader r;
	enum outcome o = NEXT;
	size_t i;

	rmt_addr_str(addr, a->ip, sizeof(a->ip));
	a->host = h->name;
	a->tlsver[0] = a->cipher[0] = '\0';
	rmt_conn_init(&c, &a->tls);
	if (rmt_conn_open(&c, addr, a->port, T_CONNECT) == -1)
		goto next;
	log_event(&a->lg, LVL_INFO, "connect", "host", h->name, "ip", a->ip,
	    NULL);
	if (rmt_conn_reply(&c, &r, 0, fd_deadline(T_GREETING)) == -1)
		goto next;
	if (r.reply.code != 220) {
		fmt(c.why, sizeof(c.why), "greeting %d %s",
		    r.reply.code, reply_text(&r));
		quit(&c);
		goto next;
	}
	if (greet(a, &c, &r) == -1)
		goto next;
	if (try_tls && (r.ext & RMT_EXT_STARTTLS)) {
		if (rmt_conn_write(&c, "STARTTLS\r\n", 10,
		    fd_deadline(T_EHLO)) == -1 || rmt_conn_reply(&c, &r, 0,
		    fd_deadline(T_EHLO)) == -1)
			goto next;
		if (r.reply.code == 220) {
			if (rmt_conn_pending(&c)) {
				snprintf(c.why, sizeof(c.why), "data after "
				    "220 to STARTTLS (an injection?)");
				goto next;
			}
			if (rmt_conn_starttls(&c, h->name,
			    RMT_TLS_OPPORTUNISTIC, fd_deadline(T_TLS)) == -1) {
				o = NOTLS;
				goto next;
			}
			snprintf(a->tlsver, sizeof(a->tlsver), "%s",
			    c.version);
			snprintf(a->cipher, sizeof(a->cipher), "%s",
			    c.cipher);
			{
				char bits[16];

				snprintf(bits, sizeof(bits), "%d", c.bits);
				log_event(&a->lg, LVL_INFO, "tls", "host",
				    h->name, "ip", a->ip, "version",
				    c.version, "cipher", c.cipher, "bits",
				    bits, "verify", "none", NULL);
			}
			if (greet(a, &c, &r) == -1)
				goto next;
		}
		/* else: the offer was withdrawn, go on in plaintext */
	}
	for (i = 0; i < a->nrcpt; i++)
		a->res[i].code = 0;
	if ((o = transaction(a, &c, &r)) == NEXT)
		goto next;
	quit(&c);
	rmt_conn_close(&c);
	return FINAL;
next:
	log_event(&a->lg, LVL_WARN, "next", "host", h->name, "ip", a->ip,
	    "error", c.why, NULL);
	set(&a->m, 451, "");
	fmt(a->m.text, sizeof(a->m.text), "4.4.1 %s: %s", h->name,
	    c.why);
	rmt_conn_close(&c);
	return o;
}

static void
attempt(struct attempt *a, const struct rmt_mx *mx)
{
	size_t h, i;
	enum outcome o;

	for (h = 0; h < mx->nhost; h++)
		for (i = 0; i < mx->host[h].naddr; i++) {
			o = session(a, &mx->host[h], &mx->host[h].addr[i], 1);
			if (o == NOTLS)
				o = session(a, &mx->host[h],
				    &mx->host[h].addr[i], 0);
			if (o == FINAL)
				return;
		}
	/* nobody took it: a->m has the last failure */
	for (i = 0; i < a->nrcpt; i++)
		set(&a->res[i], a->m.code, a->m.text);
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
	static struct attempt a;
	static struct rmt_mx mx;
	struct conf c;
	struct conf_error err;
	const char *conf = NULL, *domain;
	char *text = NULL, *smarthost = NULL, *host = NULL, tail[256];
	char lit[64];
	unsigned mport = 0;
	unsigned long p;
	char *end;
	size_t i;
	int ch;

	signal(SIGPIPE, SIG_IGN);
	log_init_helper(&a.lg, "samotop-remote");
	a.port = 25;
	while ((ch = getopt(argc, argv, "c:m:p:V")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
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

	if ((a.msg = read_message(&a.msglen)) == NULL) {
		fprintf(stderr, "samotop-remote: reading the message: %s\n",
		    strerror(errno));
		return EXIT_TEMP;
	}
	if ((a.res = calloc(a.nrcpt, sizeof(*a.res))) == NULL) {
		fprintf(stderr, "samotop-remote: %s\n", strerror(errno));
		return EXIT_TEMP;
	}
	a.body8 = rmt_body_8bit(a.msg, a.msglen);
	a.utf8 = rmt_addr_utf8(a.from);
	for (i = 0; i < a.nrcpt; i++)
		a.utf8 |= rmt_addr_utf8(a.rcpt[i]);

	if (host != NULL)
		rmt_mx_resolve_host(host, &mx);
	else if (literal(domain, lit, sizeof(lit)))
		rmt_mx_resolve_host(lit, &mx);	/* no DNS: that address */
	else
		rmt_mx_resolve(domain, &mx);
	if (mport != 0)
		a.port = mport;
	if (mx.status != RMT_MX_OK) {
		log_event(&a.lg, LVL_WARN, "mx", "domain", domain, "error",
		    mx.why, NULL);
		set(&a.m, mx.code, mx.why);
		for (i = 0; i < a.nrcpt; i++)
			set(&a.res[i], mx.code, mx.why);
	} else
		attempt(&a, &mx);

	for (i = 0; i < a.nrcpt; i++)
		print_line("r", a.rcpt[i], a.res[i].code, a.res[i].text, "");
	tail[0] = '\0';
	if (a.host != NULL)
		snprintf(tail, sizeof(tail), " host=%s ip=%s tls=%s", a.host,
		    a.ip, a.tlsver[0] != '\0' ? a.tlsver : "none");
	print_line("m", NULL, a.m.code, a.m.text, tail);
	{
		char code[16];

		snprintf(code, sizeof(code), "%d", a.m.code);
		log_event(&a.lg, a.m.code / 100 == 2 ? LVL_INFO : LVL_WARN,
		    "done", "domain", domain, "host", a.host, "ip",
		    a.host != NULL ? a.ip : NULL, "tls", a.host != NULL ?
		    (a.tlsver[0] != '\0' ? a.tlsver : "none") : NULL,
		    "cipher", a.cipher[0] != '\0' ? a.cipher : NULL,
		    "code", code, "reply", a.m.text, NULL);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "samotop-remote: stdout: %s\n",
		    strerror(errno));
		return EXIT_TEMP;
	}
	free(text);
	return 0;
}
