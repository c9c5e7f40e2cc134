/*
 * samotop-lmtp: an LMTP connector on stdin/stdout to a real LDA.
 *
 *	samotop-lmtp [-t connect-timeout] [-T reply-timeout] TARGET
 *	TARGET: unix:/path | inet:host:port | inet:[v6]:port |
 *	    exec:/PROGRAM [ARG...]
 *
 * An LMTP server upstream (lmtp.c) and an LMTP client downstream
 * (deliver.c).  The LDA is reached at the first RCPT of a session, not
 * at LHLO: a session without recipients costs the LDA nothing, and a
 * failure to reach it is a reply that names a recipient.  The connection
 * is kept for the later transactions of the session.
 *
 * Every failure of the connector becomes an LMTP reply (lmtpconn.c):
 * 451 4.4.1 at RCPT when the LDA cannot be reached, 451 4.4.2 for each
 * unanswered recipient when it goes away after DATA, 451 4.3.0 when it
 * answers nonsense.  End of input before the final dot closes the LDA
 * connection before the final dot, so the LDA delivers nothing.
 *
 * Exit status: lmtp.h's table (a malformed TARGET is a usage error).
 */
#include <sys/socket.h>
#include <sys/un.h>


#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "fdio.h"
#include "lmtp.h"
#include "lmtpconn.h"
#include "log.h"
#include "sandbox.h"
#include "version.h"

struct conn {
	struct helper		 h;
	struct lmtpconn_target	 target;
	const char		*name;		/* TARGET as given, for logs */
	struct logger		 log;
	unsigned		 tconnect, treply;
	struct mailbox		 from;
	struct xforward		 xf;		/* the client, from XFORWARD */
	int			 has_xf;
	size_t			 naccepted;	/* by the LDA, this transaction */
	int			 down;		/* LDA gone for this transaction */
	int			 broken;	/* LDA gone during the message */
	enum helper_error	 err;		/* why the LDA failed: replies */
	char			 why[LMTPCONN_REASON_MAX];	/* logs */
	char			 rcpts[LMTP_RCPT_MAX][ADDR_MAX + 1];
};

static struct conn conn;	/* 320 KB of recipients: not on the stack */

static void
set_why(struct conn *c, enum helper_error err, const char *why)
{
	c->err = err;
	lmtpconn_reason(why, c->why, sizeof(c->why));
}

/* The LMTP client's failure, as it said it. */
static void
set_helper_why(struct conn *c)
{
	set_why(c, c->h.err, c->h.why);
}

/* Finish a non-blocking connect() within timeout seconds; errno set. */
static int
connect_wait(int fd, const struct sockaddr *sa, socklen_t len,
    unsigned timeout)
{
	return fd_connect(fd, sa, len, fd_deadline((long)timeout * 1000));
}

static int
dial_unix(struct conn *c)
{
	struct sockaddr_un sun;
	int fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->target.path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect_wait(fd, (struct sockaddr *)&sun, sizeof(sun),
	    c->tconnect) == 0)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Each address of the name in turn, each within the connect timeout. */
static int
dial_inet(struct conn *c)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, err, saved = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(c->target.host, c->target.port, &hints,
	    &res)) != 0) {
		set_why(c, HELPER_ESPAWN, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1 || connect_wait(fd, ai->ai_addr, ai->ai_addrlen,
		    c->tconnect) == 0)
			continue;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		set_why(c, HELPER_ESPAWN, strerror(saved));
	return fd;
}

static int
attach(struct conn *c)
{
	int fd;

	if (c->target.kind == LMTPCONN_EXEC) {
		if (helper_spawn(&c->h, c->target.argv, c->tconnect) == -1) {
			set_helper_why(c);
			return -1;
		}
		return 0;
	}
	c->why[0] = '\0';
	fd = c->target.kind == LMTPCONN_UNIX ? dial_unix(c) : dial_inet(c);
	if (fd == -1) {
		if (c->why[0] == '\0')
			set_why(c, HELPER_ESPAWN, strerror(errno));
		return -1;
	}
	if (helper_attach(&c->h, fd, c->tconnect) == -1) {
		set_helper_why(c);
		return -1;
	}
	return 0;
}

/*
 * XCLIENT, when the LDA offers it (Dovecot does to the addresses of its
 * login_trusted_networks): the client XFORWARD named becomes the LDA
 * session's, so that its log and Received: name the real client, not
 * us.  A refusal costs only that; a failure is the LDA's failure.
 */
static int
lda_xclient(struct conn *c)
{
	struct lmtpreply rep;
	int r;

	if (!c->has_xf || c->h.xclient == 0)
		return 0;
	if ((r = helper_xclient(&c->h, &c->xf, c->treply, &rep)) == -1) {
		set_helper_why(c);
		log_event(&c->log, LVL_ERROR, "xclient", "target", c->name,
		    "reason", c->why, NULL);
		return -1;
	}
	if (r == 1)
		log_event(&c->log, LVL_DEBUG, "xclient", "target", c->name,
		    "client", c->xf.addr, "result", "accepted", NULL);
	else if (rep.code != 0)
		log_event(&c->log, LVL_WARN, "xclient", "target", c->name,
		    "result", "refused", "reply", rep.text, NULL);
	return 0;
}

static int
lda_connect(struct conn *c)
{
	if (attach(c) == -1) {
		log_event(&c->log, LVL_ERROR, "connect", "target", c->name,
		    "reason", c->why, NULL);
		return -1;
	}
	log_event(&c->log, LVL_DEBUG, "connect", "target", c->name, NULL);
	return lda_xclient(c);
}

/* One RCPT on the LDA, connecting first when needed. */
static int
lda_rcpt(struct conn *c, const struct mailbox *rcpt, struct lmtpreply *rep)
{
	struct delivery_envelope env = { &c->from, BODY_8BITMIME,
	    c->from.is_utf8 || rcpt->is_utf8, c->has_xf ? &c->xf : NULL };
	int fresh = 0;

	if (c->h.fd == -1) {
		if (lda_connect(c) == -1)
			return -1;
		fresh = 1;
	}
	if (env.smtputf8 && !(c->h.caps & CAP_SMTPUTF8)) {
		set_why(c, HELPER_EUTF8, "LDA does not support SMTPUTF8");
		return -1;
	}
	if (helper_rcpt(&c->h, NULL, &env, rcpt, c->treply, rep) == 0)
		return 0;
	/* A kept connection may have timed out at the LDA: once more. */
	if (!fresh && c->naccepted == 0) {
		if (lda_connect(c) == -1)
			return -1;	/* c->why says why */
		if (helper_rcpt(&c->h, NULL, &env, rcpt, c->treply, rep) == 0)
			return 0;
	}
	set_helper_why(c);
	return -1;
}

static int
on_mail(void *ctx, const struct mailbox *from, char *reply, size_t size)
{
	struct conn *c = ctx;

	(void)reply;
	(void)size;
	c->from = *from;
	c->naccepted = 0;
	c->down = 0;
	return 0;
}

static int
refuse_rcpt(struct conn *c, const char *addr, char *reply, size_t size)
{
	c->down = c->h.fd == -1;
	lmtpconn_failure(LMTPCONN_AT_RCPT, addr, c->err, c->why, reply,
	    size);
	log_event(&c->log, LVL_ERROR, "rcpt", "to", addr, "target", c->name,
	    "reply", reply, NULL);
	return -1;
}

static int
on_rcpt(void *ctx, const struct mailbox *rcpt, size_t index, char *reply,
    size_t size)
{
	struct conn *c = ctx;
	struct lmtpreply rep;
	char addr[ADDR_MAX + 1], code[8];
	int cls;

	(void)index;	/* == c->naccepted: lmtp.c counts what we accept */
	mailbox_format(rcpt, addr, sizeof(addr));
	log_personal(&c->log, addr);	/* the LDA's replies may quote it */
	if (c->down || lda_rcpt(c, rcpt, &rep) == -1)
		return refuse_rcpt(c, addr, reply, size);
	cls = lmtpconn_reply(&rep, reply, size);
	if (cls == 3) {			/* 3xx to RCPT: out of step */
		helper_abort(&c->h);
		set_why(c, HELPER_EPROTO, "helper answered nonsense");
		return refuse_rcpt(c, addr, reply, size);
	}
	snprintf(code, sizeof(code), "%d", rep.code);
	log_event(&c->log, LVL_INFO, "rcpt", "to", addr, "code", code,
	    cls == 2 ? NULL : "reply", reply, NULL);
	if (cls != 2)
		return -1;
	memcpy(c->rcpts[c->naccepted++], addr, sizeof(addr));
	return 0;
}

static int
refuse_data(struct conn *c, char *reply, size_t size)
{
	if (c->h.fd == -1)
		lmtpconn_failure(LMTPCONN_AT_DATA, NULL, c->err, c->why,
		    reply, size);
	log_event(&c->log, LVL_WARN, "data", "target", c->name, "reply",
	    reply, NULL);
	return -1;
}

static int
on_data_begin(void *ctx, char *reply, size_t size)
{
	struct conn *c = ctx;
	struct lmtpreply rep;

	c->broken = 0;
	if (c->h.fd == -1)	/* lost after its RCPT replies */
		return refuse_data(c, reply, size);
	if (helper_data(&c->h, c->treply, &rep) == 0)
		return 0;
	if (c->h.fd == -1)
		set_helper_why(c);
	else if (lmtpconn_reply(&rep, reply, size) < 4) {
		helper_abort(&c->h);
		set_why(c, HELPER_EPROTO, "helper answered nonsense");
	}
	return refuse_data(c, reply, size);
}

static void
broke(struct conn *c)
{
	if (c->broken)
		return;
	c->broken = 1;
	set_helper_why(c);
	log_event(&c->log, LVL_ERROR, "data", "target", c->name, "reason",
	    c->why, NULL);
}

static int
on_data_write(void *ctx, const char *buf, size_t len)
{
	struct conn *c = ctx;

	if (c->broken)
		return -1;
	if (helper_write(&c->h, buf, len, c->treply) == -1) {
		broke(c);
		return -1;
	}
	return 0;
}

/* The LDA's reply for recipient index, or why there is none. */
static void
on_data_end(void *ctx, size_t index, char *reply, size_t size)
{
	struct conn *c = ctx;
	struct lmtpreply rep;
	char code[8];

	if (index == 0 && !c->broken && helper_end_data(&c->h,
	    c->treply) == -1)
		broke(c);
	if (!c->broken && helper_reply(&c->h, c->treply, &rep) == -1)
		broke(c);
	if (!c->broken && lmtpconn_reply(&rep, reply, size) == 3) {
		helper_abort(&c->h);
		c->h.err = HELPER_EPROTO;
		c->h.why = "helper answered nonsense";
		broke(c);
	}
	if (c->broken)
		lmtpconn_failure(LMTPCONN_AT_DATA, c->rcpts[index], c->err,
		    c->why, reply, size);
	snprintf(code, sizeof(code), "%.3s", reply);
	log_event(&c->log, reply[0] == '2' ? LVL_INFO : LVL_WARN, "delivery",
	    "to", c->rcpts[index], "code", code, "reply", reply, NULL);
}

static void
on_data_abort(void *ctx)
{
	struct conn *c = ctx;

	if (c->h.fd != -1)
		helper_abort(&c->h);
	log_event(&c->log, LVL_WARN, "abort", "target", c->name, "reason",
	    "input ended inside DATA; LDA connection closed before the "
	    "final dot", NULL);
}

static void
on_reset(void *ctx)
{
	struct conn *c = ctx;

	if (c->h.fd != -1 && helper_rset(&c->h, c->treply) == -1)
		log_event(&c->log, LVL_WARN, "rset", "target", c->name,
		    "reason", c->h.why, NULL);
	c->naccepted = 0;
	c->down = 0;
	c->broken = 0;
}

/* Passed on before MAIL when the LDA offers XFORWARD (Postfix does). */
static void
on_xforward(void *ctx, const struct xforward *x)
{
	struct conn *c = ctx;

	c->xf = *x;
	c->has_xf = xforward_any(x);
}

static const struct lmtp_ops ops = {
	.mail = on_mail,
	.rcpt = on_rcpt,
	.data_begin = on_data_begin,
	.data_write = on_data_write,
	.data_end = on_data_end,
	.data_abort = on_data_abort,
	.reset = on_reset,
	.xforward = on_xforward,
};

static void
usage(void)
{
	lmtp_usage("samotop-lmtp [-V] [-t seconds] [-T seconds] "
	    "unix:PATH | inet:HOST:PORT | exec:PROGRAM [ARG...]");
}

static unsigned
seconds(const char *s)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *s < '0' || *s > '9' || *end != '\0' || n == 0 ||
	    n > 86400)
		usage();
	return (unsigned)n;
}

static void
parse_target(struct conn *c, int argc, char *argv[])
{
	const char *err;

	if (lmtpconn_parse(&c->target, argc, argv, &err) == -1) {
		log_event(&c->log, LVL_ERROR, "usage", "target",
		    argc > 0 ? argv[0] : "", "error", err, NULL);
		usage();
	}
	c->name = argv[0];
}

/*
 * What a socket target reads while it runs: the resolver's files for
 * inet:HOST, and the C library's name service modules.
 */
static const struct sandbox_path resolver_files[] = {
	{ "/etc/resolv.conf", SANDBOX_READ }, { "/etc/hosts", SANDBOX_READ },
	{ "/etc/nsswitch.conf", SANDBOX_READ },
	{ "/etc/host.conf", SANDBOX_READ }, { "/etc/gai.conf", SANDBOX_READ },
	{ "/etc/services", SANDBOX_READ },
	{ "/etc/ld.so.cache", SANDBOX_READ },
	{ "/lib", SANDBOX_EXEC }, { "/lib64", SANDBOX_EXEC },
	{ "/usr/lib", SANDBOX_EXEC }, { "/usr/lib64", SANDBOX_EXEC },
};

/*
 * The sandbox (sandbox.h).  An LDA that exec: starts inherits it, so
 * that target gets no Landlock (the LDA writes the mailboxes), only the
 * filter, which allows what starting a program needs.
 */
static void
seal(struct conn *c)
{
	if (!sandbox_wanted())
		return;
	if (c->target.kind == LMTPCONN_EXEC)
		(void)sandbox_seal(SANDBOX_LMTP, NULL, 0, &c->log);
	else
		(void)sandbox_seal(SANDBOX_LMTP, resolver_files,
		    sizeof(resolver_files) / sizeof(resolver_files[0]),
		    &c->log);
}

int
main(int argc, char *argv[])
{
	char host[LMTP_HOST_MAX + 1];
	struct conn *c = &conn;
	int ch, r;

	log_init_helper(&c->log, "samotop-lmtp");
	c->tconnect = 30;
	c->treply = 600;
	/* "+": stop at TARGET, so that exec:'s arguments are its own */
	while ((ch = getopt(argc, argv, "+t:T:V")) != -1) {
		if (ch == 't')
			c->tconnect = seconds(optarg);
		else if (ch == 'T')
			c->treply = seconds(optarg);
		else if (ch == 'V')
			version_exit("samotop-lmtp");
		else
			usage();
	}
	parse_target(c, argc - optind, argv + optind);

	lmtp_start(host);
	helper_init(&c->h, host);
	seal(c);
	r = lmtp_run(&c->log, host, &ops, c);
	helper_quit(&c->h, c->treply);
	return r;
}
