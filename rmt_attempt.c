/*
 * rmt_attempt.c: one delivery attempt of samotop-remote over SMTP.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "data.h"
#include "fdio.h"
#include "rmt_attempt.h"
#include "rmt_conn.h"
#include "rmt_smtp.h"
#include "tlsrpt_day.h"

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

/* What one connection came to. */
enum outcome {
	NEXT,		/* this address would not: try the next one */
	NOTLS,		/* the TLS handshake failed: again, in plaintext */
	FINAL,		/* the recipients' results are in */
};

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
set(struct rmt_result *r, int code, const char *text)
{
	r->code = code;
	snprintf(r->text, sizeof(r->text), "%s", text);
}

/* Every recipient without a result of its own gets this one. */
void
rmt_attempt_fail(struct rmt_attempt *a, int code, const char *text)
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
greet(struct rmt_attempt *a, struct rmt_conn *c, struct rmt_reader *r)
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
refuse_unsupported(struct rmt_attempt *a, const struct rmt_reader *r)
{
	char t[160];

	if (a->utf8 && !(r->ext & RMT_EXT_SMTPUTF8)) {
		rmt_attempt_fail(a, 553, "5.6.7 the server does not offer "
		    "SMTPUTF8, which an address needs");
		return 1;
	}
	if (a->body8 && !(r->ext & RMT_EXT_8BITMIME)) {
		rmt_attempt_fail(a, 554, "5.6.3 the server does not offer "
		    "8BITMIME, which the message needs");
		return 1;
	}
	if ((r->ext & RMT_EXT_SIZE) && r->size > 0 && a->msglen > r->size) {
		snprintf(t, sizeof(t), "5.3.4 message of %zu octets over the "
		    "server's limit of %lu", a->msglen, r->size);
		rmt_attempt_fail(a, 552, t);
		return 1;
	}
	return 0;
}

/* The content, dot-stuffed, in blocks; 0, or -1 with c->why. */
static int
send_content(struct rmt_attempt *a, struct rmt_conn *c)
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
transaction(struct rmt_attempt *a, struct rmt_conn *c, struct rmt_reader *r)
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
		rmt_attempt_fail(a, 553, "5.1.7 the sender's address cannot "
		    "be sent");
		return FINAL;
	}
	if (pipelining) {
		memcpy(batch, cmd, n);		/* MAIL goes with the RCPTs */
		len = n;
	} else {
		if (rmt_conn_write(c, cmd, n, fd_deadline(T_MAIL)) == -1 ||
		    rmt_conn_reply(c, r, 0, fd_deadline(T_MAIL)) == -1)
			return NEXT;
		if (r->reply.code / 100 != 2) {
			rmt_attempt_fail(a, r->reply.code, reply_text(r));
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
			rmt_attempt_fail(a, mailcode, mailtext);
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
		rmt_attempt_fail(a, 451, "4.4.2 connection lost before DATA");
		return FINAL;
	}
	if (r->reply.code != 354) {
		rmt_attempt_fail(a, r->reply.code / 100 == 2 ? 451 :
		    r->reply.code, reply_text(r));
		return FINAL;
	}
	if (send_content(a, c) == -1 ||
	    rmt_conn_reply(c, r, 0, fd_deadline(T_DOT)) == -1) {
		char t[300];

		snprintf(t, sizeof(t), "4.4.2 during the message: %s",
		    c->why);
		rmt_attempt_fail(a, 451, t);
		return FINAL;
	}
	rmt_attempt_fail(a, r->reply.code, reply_text(r));
	return FINAL;
}

/*
 * A TLS session attempt's result into TLS-RPT's day file (RFC 8460):
 * policy p applied to host (NULL: none) at a->ip (with ip), over
 * connection c (NULL: none was made, so no sending address).  The
 * sts policy is the one in force (a->sts).  A failure to record is
 * logged and never changes the delivery.
 */
static void
report(struct rmt_attempt *a, enum tlsrpt_policy p, const char *host,
    int ip, const struct rmt_conn *c, enum tlsrpt_result r)
{
	static struct tlsrpt_line l;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	size_t i, n = 0;

	if (a->tlsrpt_dir == NULL || a->domain == NULL)
		return;
	memset(&l, 0, sizeof(l));
	l.when = time(NULL);
	l.result = r;
	l.policy = p;
	snprintf(l.domain, sizeof(l.domain), "%s", a->domain);
	for (i = 0; l.domain[i] != '\0'; i++)
		if (l.domain[i] >= 'A' && l.domain[i] <= 'Z')
			l.domain[i] += 'a' - 'A';
	if (host != NULL) {
		snprintf(l.mx, sizeof(l.mx), "%s", host);
		for (i = 0; l.mx[i] != '\0'; i++)
			if (l.mx[i] >= 'A' && l.mx[i] <= 'Z')
				l.mx[i] += 'a' - 'A';
		if ((n = strlen(l.mx)) > 1 && l.mx[n - 1] == '.')
			l.mx[n - 1] = '\0';
	}
	if (ip)
		snprintf(l.rip, sizeof(l.rip), "%s", a->ip);
	if (c != NULL && c->fd != -1 && getsockname(c->fd,
	    (struct sockaddr *)&ss, &sl) == 0)
		(void)getnameinfo((struct sockaddr *)&ss, sl, l.sip,
		    sizeof(l.sip), NULL, 0, NI_NUMERICHOST);
	if (p == TLSRPT_POLICY_STS && a->sts != NULL) {
		l.mode = a->sts->mode;
		l.max_age = a->sts->max_age;
		for (i = 0, n = 0; i < a->sts->nmx && n < sizeof(l.mxlist);
		    i++)
			n += (size_t)snprintf(l.mxlist + n, sizeof(l.mxlist) -
			    n, "%s%s", i > 0 ? "," : "", a->sts->mx[i]);
		if (n >= sizeof(l.mxlist))
			l.mxlist[0] = '\0';
	}
	if (tlsrpt_day_append(a->tlsrpt_dir, &l) == -1)
		log_event(&a->lg, LVL_WARN, "tlsrpt", "dir", a->tlsrpt_dir,
		    "result", tlsrpt_result_name(r), "error",
		    strerror(errno), NULL);
}

void
rmt_attempt_tlsrpt(struct rmt_attempt *a, enum tlsrpt_policy p,
    enum tlsrpt_result r)
{
	report(a, p, NULL, 0, NULL, r);
}

/* What MTA-STS refuses, or in mode testing would refuse, logged. */
static void
sts_note(struct rmt_attempt *a, const char *host, const char *why)
{
	log_event(&a->lg, a->sts->mode == STS_ENFORCE ? LVL_WARN : LVL_INFO,
	    "sts", "mode", sts_mode_name(a->sts->mode), "host", host,
	    "outcome", a->sts->mode == STS_ENFORCE ? "refused" :
	    "would-refuse", "error", why, NULL);
}

/* The TLS details of a connection into the log and a. */
static void
tls_done(struct rmt_attempt *a, const struct rmt_mx_host *h,
    const struct rmt_conn *c, int dane, const char *verify)
{
	char bits[16], depth[16];

	snprintf(a->tlsver, sizeof(a->tlsver), "%s", c->version);
	snprintf(a->cipher, sizeof(a->cipher), "%s", c->cipher);
	snprintf(bits, sizeof(bits), "%d", c->bits);
	a->tlsa[0] = '\0';
	if (dane)
		snprintf(a->danest, sizeof(a->danest), "%s", c->dane);
	if (dane && strcmp(c->dane, "pass") == 0) {
		snprintf(a->tlsa, sizeof(a->tlsa), "%u %u %u", c->usage,
		    c->selector, c->mtype);
		a->usage = c->usage;
	}
	snprintf(depth, sizeof(depth), "%d", c->depth);
	log_event(&a->lg, LVL_INFO, "tls", "host", h->name, "ip", a->ip,
	    "version", c->version, "cipher", c->cipher, "bits", bits,
	    "verify", verify, "dane", a->danest[0] != '\0' ?
	    a->danest : NULL, "usage", a->tlsa[0] != '\0' ?
	    rmt_dane_usage_name(a->usage) : NULL, "tlsa", a->tlsa[0] !=
	    '\0' ? a->tlsa : NULL, "depth", a->tlsa[0] != '\0' ? depth :
	    NULL, NULL);
}

/*
 * One connection to one address of one host; d its DANE state (NULL:
 * DANE is off); try_tls 0: plaintext, 1: STARTTLS when offered,
 * unverified, 2: verified (MTA-STS).  With secure TLSA records TLS is
 * mandatory (RFC 7672 2.2) and DANE decides, whatever try_tls: no
 * STARTTLS, a refused or failed handshake, a certificate that matches no
 * record: the host is skipped as a temporary failure (4.7.5), never used
 * in plaintext.
 */
static enum outcome
session(struct rmt_attempt *a, const struct rmt_mx_host *h,
    const struct rmt_addr *addr, const struct rmt_dane_host *d, int try_tls)
{
	struct rmt_conn c;
	struct rmt_reader r;
	enum outcome o = NEXT;
	const char *st = "4.4.1";
	int dane = d != NULL && d->state == RMT_DANE_SECURE;
	/*
	 * TLS-RPT: the policy that applies, and whether this session is
	 * one to count (not the plaintext one after a failed handshake,
	 * nor, in mode testing, the unverified one after a failed
	 * verified one: their failure is counted already).
	 */
	enum tlsrpt_policy pol = dane ? TLSRPT_POLICY_TLSA : try_tls == 2 ?
	    TLSRPT_POLICY_STS : TLSRPT_POLICY_NONE;
	int count = dane || try_tls == 2 || (try_tls == 1 &&
	    (a->sts == NULL || a->sts->mode == STS_NONE));
	size_t i;

	rmt_addr_str(addr, a->ip, sizeof(a->ip));
	a->host = h->name;
	a->tlsver[0] = a->cipher[0] = a->tlsa[0] = '\0';
	a->verified = 0;
	snprintf(a->danest, sizeof(a->danest), "%s", d == NULL ? "" :
	    d->state == RMT_DANE_NONE ? "none" : "fail");
	rmt_conn_init(&c, &a->tls, &a->ssl);
	c.cafile = a->cafile;
	if (d != NULL && d->state == RMT_DANE_FAIL) {
		/* RFC 7672 2.2: a failed TLSA look-up: not this host */
		fmt(c.why, sizeof(c.why), "DANE: %s", d->why);
		st = "4.4.3";
		report(a, TLSRPT_POLICY_TLSA, h->name, 1, NULL,
		    TLSRPT_DNSSEC_INVALID);
		goto next;
	}
	if (rmt_conn_open(&c, addr, a->port, T_CONNECT) == -1)
		goto next;
	log_event(&a->lg, LVL_INFO, "connect", "host", h->name, "ip", a->ip,
	    "dane", d == NULL ? NULL : dane ? "tlsa" : "none", "note",
	    d != NULL && d->why[0] != '\0' ? d->why : NULL, NULL);
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
	/*
	 * The TLS policy is decided here: DANE's hosts must do TLS (and
	 * are verified by rmt_conn_starttls()); the others may.  MTA-STS
	 * (RFC 8461) will be another mandatory policy.
	 */
	if (dane && !(r.ext & RMT_EXT_STARTTLS)) {
		snprintf(c.why, sizeof(c.why), "DANE: TLSA records, but "
		    "STARTTLS not offered");
		st = "4.7.5";
		report(a, pol, h->name, 1, &c, TLSRPT_STARTTLS_NOT_SUPPORTED);
		quit(&c);
		goto next;
	}
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
			if (rmt_conn_starttls(&c, h->name, dane ?
			    RMT_TLS_DANE : try_tls == 2 ? RMT_TLS_VERIFY :
			    RMT_TLS_OPPORTUNISTIC, d,
			    fd_deadline(T_TLS)) == -1) {
				if (count)
					report(a, pol, h->name, 1, &c,
					    rmt_conn_failure(&c));
				if (dane) {
					st = "4.7.5";
					goto next;
				}
				o = NOTLS;
				goto next;
			}
			tls_done(a, h, &c, dane, dane ? "dane" : try_tls == 2 ?
			    "mta-sts" : "none");
			a->verified = try_tls == 2;
			if (count)
				report(a, pol, h->name, 1, &c,
				    a->sts_mismatch && pol ==
				    TLSRPT_POLICY_STS ?
				    TLSRPT_VALIDATION_FAILURE :
				    TLSRPT_SUCCESS);
			if (greet(a, &c, &r) == -1)
				goto next;
		} else if (dane) {
			fmt(c.why, sizeof(c.why), "DANE: STARTTLS refused: "
			    "%d %s", r.reply.code, reply_text(&r));
			st = "4.7.5";
			report(a, pol, h->name, 1, &c,
			    TLSRPT_STARTTLS_NOT_SUPPORTED);
			quit(&c);
			goto next;
		}
		/* else: the offer was withdrawn, go on in plaintext */
	}
	if (count && try_tls && a->tlsver[0] == '\0')
		report(a, pol, h->name, 1, &c, TLSRPT_STARTTLS_NOT_SUPPORTED);
	if (try_tls == 2 && a->tlsver[0] == '\0') {
		snprintf(c.why, sizeof(c.why), "no STARTTLS, which the "
		    "MTA-STS policy requires");
		sts_note(a, h->name, c.why);
		if (a->sts->mode == STS_ENFORCE) {
			quit(&c);
			goto next;
		}
	}
	for (i = 0; i < a->nrcpt; i++)
		a->res[i].code = 0;
	if ((o = transaction(a, &c, &r)) == NEXT)
		goto next;
	quit(&c);
	rmt_conn_close(&c);
	return FINAL;
next:
	if (dane && strcmp(st, "4.7.5") == 0)
		snprintf(a->danest, sizeof(a->danest), "fail");
	log_event(&a->lg, LVL_WARN, "next", "host", h->name, "ip", a->ip,
	    "dane", a->danest[0] != '\0' ? a->danest : NULL, "error", c.why,
	    NULL);
	set(&a->m, 451, "");
	fmt(a->m.text, sizeof(a->m.text), "%s %s: %s", st, h->name, c.why);
	rmt_conn_close(&c);
	return o;
}

void
rmt_attempt_run(struct rmt_attempt *a, const struct rmt_mx *mx)
{
	const struct rmt_dane_host *d;
	size_t h, i;
	enum outcome o;
	int sts = a->sts != NULL && a->sts->mode != STS_NONE;
	int enforce = sts && a->sts->mode == STS_ENFORCE;
	char why[RMT_MX_NAME_MAX + 64];

	for (h = 0; h < mx->nhost; h++) {
		d = a->dane != NULL ? &a->dane[h] : NULL;
		if (sts && !sts_policy_allows(a->sts, mx->host[h].name)) {
			snprintf(why, sizeof(why), "%s is not an mx of the "
			    "MTA-STS policy", mx->host[h].name);
			sts_note(a, mx->host[h].name, why);
			if (enforce) {
				report(a, TLSRPT_POLICY_STS, mx->host[h].name,
				    0, NULL, TLSRPT_VALIDATION_FAILURE);
				set(&a->m, 451, "");
				fmt(a->m.text, sizeof(a->m.text), "4.7.5 %s",
				    why);
				continue;
			}
		}
		a->sts_mismatch = sts && !enforce &&
		    !sts_policy_allows(a->sts, mx->host[h].name);
		for (i = 0; i < mx->host[h].naddr; i++) {
			o = session(a, &mx->host[h], &mx->host[h].addr[i], d,
			    sts ? 2 : 1);
			if (o == NOTLS && sts) {
				/* RFC 8461 §4.2: no verified TLS, no mail */
				sts_note(a, mx->host[h].name, a->m.text);
				if (enforce)
					continue;
				o = session(a, &mx->host[h],
				    &mx->host[h].addr[i], d, 1);
			}
			if (o == NOTLS)
				o = session(a, &mx->host[h],
				    &mx->host[h].addr[i], d, 0);
			if (o == FINAL)
				return;
			if (d != NULL && d->state == RMT_DANE_FAIL)
				break;	/* its addresses would say the same */
		}
	}
	/* nobody took it: a->m has the last failure */
	for (i = 0; i < a->nrcpt; i++)
		set(&a->res[i], a->m.code, a->m.text);
}
