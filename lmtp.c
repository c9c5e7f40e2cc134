/*
 * lmtp.c: the LMTP server side (RFC 2033) shared by the delivery helpers.
 *
 * The peer is a local MTA (samotop-smtpd or another LMTP client), so the
 * command syntax is lenient where leniency is harmless (bare LF ends a
 * line, a space may follow "FROM:") and strict where it matters: paths
 * go through the RFC 5321 grammar, content through the DATA decoder.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "fdio.h"
#include "lmtp.h"

enum {
	T_NONE,		/* no transaction */
	T_MAIL,		/* MAIL accepted, RCPTs being collected */
	T_DATA,		/* 354 sent, decoding content */
	T_REPLIES,	/* final dot seen, per-recipient replies pending */
};

/* Room the replies to one command need at the most (LHLO's lines). */
#define REPLY_ROOM	1024

/* Append one reply line; lmtp_input() keeps REPLY_ROOM free for it. */
static void
put(struct lmtp_session *s, const char *fmt, ...)
{
	size_t room = sizeof(s->out) - s->outlen - 2;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->out + s->outlen, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room)
		n = room - 1;
	s->outlen += n;
	s->out[s->outlen++] = '\r';
	s->out[s->outlen++] = '\n';
}

static int
is_control(int ch)
{
	return (ch >= 0 && ch < 0x20) || ch == 0x7f;
}

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

/* "DDD" or "DDD text", one line: a helper cannot inject extra replies. */
static int
valid_reply(const char *r)
{
	size_t i;

	if (r[0] < '2' || r[0] > '5' || !is_digit(r[1]) || !is_digit(r[2]))
		return 0;
	if (r[3] != '\0' && r[3] != ' ')
		return 0;
	for (i = 3; r[i] != '\0'; i++)
		if (is_control((unsigned char)r[i]))
			return 0;
	return 1;
}

/* Send what a callback wrote into reply, or dflt if it wrote nothing. */
static void
put_reply(struct lmtp_session *s, char *reply, const char *dflt)
{
	reply[LMTP_REPLY_MAX - 1] = '\0';
	if (reply[0] == '\0')
		put(s, "%s", dflt);
	else if (!valid_reply(reply))
		put(s, "451 4.3.0 Invalid reply from the delivery helper");
	else
		put(s, "%s", reply);
}

/* XFORWARD attributes hold for one transaction. */
static void
forget_client(struct lmtp_session *s)
{
	if (!s->xforwarded)
		return;
	memset(&s->xforward, 0, sizeof(s->xforward));
	s->xforwarded = 0;
	if (s->ops->xforward != NULL)
		s->ops->xforward(s->ctx, &s->xforward);
}

static void
end_txn(struct lmtp_session *s)
{
	if (s->ops->reset != NULL)
		s->ops->reset(s->ctx);
	s->txn = T_NONE;
	s->nrcpt = 0;
	s->nreplied = 0;
	forget_client(s);
}

/* Case-insensitive prefix match; *rest is what follows it. */
static int
prefix(const char *arg, size_t len, const char *word, size_t *rest)
{
	size_t n = strlen(word);

	if (len < n || strncasecmp(arg, word, n) != 0)
		return 0;
	*rest = n;
	while (*rest < len && arg[*rest] == ' ')
		(*rest)++;
	return 1;
}

/* ESMTP parameters are ignored, but must be printable. */
static int
valid_params(const char *p, size_t len)
{
	size_t i;

	if (len > 0 && p[0] != ' ')
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * Parse "WORD:<path> [params]" in arg.  Returns 0, or -1 after putting
 * the syntax error reply.
 */
static int
parse_path_arg(struct lmtp_session *s, const char *arg, size_t len,
    const char *verb, const char *word, int flags, struct mailbox *mb)
{
	const char *status = flags & ADDR_ALLOW_NULL ? "5.1.7" : "5.1.3";
	enum addr_error e;
	size_t off, used;

	if (!prefix(arg, len, word, &off)) {
		put(s, "501 5.5.4 Syntax: %s %s<address>", verb, word);
		return -1;
	}
	e = addr_parse_path(arg + off, len - off, flags, mb, &used);
	if (e != ADDR_OK) {
		put(s, "501 %s %s", status, addr_strerror(e));
		return -1;
	}
	if (!valid_params(arg + off + used, len - off - used)) {
		put(s, "501 5.5.4 Invalid parameters");
		return -1;
	}
	return 0;
}

static int
cmd_lhlo(struct lmtp_session *s, const char *arg, size_t len)
{
	(void)arg;	/* the client's name is not checked: it is local */
	if (len == 0) {
		put(s, "501 5.5.4 Syntax: LHLO hostname");
		return 0;
	}
	if (s->txn != T_NONE)
		end_txn(s);
	forget_client(s);
	s->greeted = 1;
	put(s, "250-%s", s->hostname);
	put(s, "250-PIPELINING");
	put(s, "250-ENHANCEDSTATUSCODES");
	put(s, "250-8BITMIME");
	put(s, "250-XFORWARD NAME ADDR PORT PROTO HELO IDENT TLS");
	put(s, "250 SMTPUTF8");
	return 0;
}

static int
cmd_mail(struct lmtp_session *s, const char *arg, size_t len)
{
	char reply[LMTP_REPLY_MAX] = "";
	struct mailbox from;
	int r = 0;

	if (!s->greeted) {
		put(s, "503 5.5.1 Send LHLO first");
		return 0;
	}
	if (s->txn != T_NONE) {
		put(s, "503 5.5.1 Nested MAIL command");
		return 0;
	}
	if (parse_path_arg(s, arg, len, "MAIL", "FROM:",
	    ADDR_ALLOW_NULL | ADDR_ALLOW_UTF8, &from) == -1)
		return 0;
	if (s->ops->mail != NULL)
		r = s->ops->mail(s->ctx, &from, reply, sizeof(reply));
	if (r == 0 && (reply[0] == '\0' || reply[0] == '2')) {
		s->txn = T_MAIL;
		s->nrcpt = 0;
		put_reply(s, reply, "250 2.1.0 OK");
	} else
		put_reply(s, reply, "550 5.1.0 Sender refused");
	return 0;
}

static int
cmd_rcpt(struct lmtp_session *s, const char *arg, size_t len)
{
	char reply[LMTP_REPLY_MAX] = "";
	struct mailbox rcpt;
	int r;

	if (s->txn != T_MAIL) {
		put(s, "503 5.5.1 Need MAIL before RCPT");
		return 0;
	}
	if (parse_path_arg(s, arg, len, "RCPT", "TO:",
	    ADDR_ALLOW_POSTMASTER | ADDR_ALLOW_UTF8, &rcpt) == -1)
		return 0;
	if (s->nrcpt >= LMTP_RCPT_MAX) {
		put(s, "452 4.5.3 Too many recipients");
		return 0;
	}
	r = s->ops->rcpt(s->ctx, &rcpt, s->nrcpt, reply, sizeof(reply));
	if (r == 0 && (reply[0] == '\0' || reply[0] == '2')) {
		s->nrcpt++;
		put_reply(s, reply, "250 2.1.5 OK");
	} else
		put_reply(s, reply, "550 5.1.1 Recipient refused");
	return 0;
}

static int
cmd_data(struct lmtp_session *s, const char *arg, size_t len)
{
	char reply[LMTP_REPLY_MAX] = "";

	(void)arg;
	if (len != 0) {
		put(s, "501 5.5.4 Syntax: DATA");
		return 0;
	}
	if (s->txn != T_MAIL) {
		put(s, "503 5.5.1 Need MAIL before DATA");
		return 0;
	}
	if (s->nrcpt == 0) {
		put(s, "503 5.5.1 No valid recipients");
		return 0;
	}
	if (s->ops->data_begin != NULL &&
	    s->ops->data_begin(s->ctx, reply, sizeof(reply)) == -1) {
		put_reply(s, reply, "451 4.3.0 Cannot accept the message");
		return 0;
	}
	/* smtpd already enforced line and size limits: be lenient. */
	data_init(&s->dec, 1, 0, SIZE_MAX, SIZE_MAX);
	s->write_failed = 0;
	s->nreplied = 0;
	s->txn = T_DATA;
	put(s, "354 Start mail input; end with <CRLF>.<CRLF>");
	return 0;
}

static int
cmd_rset(struct lmtp_session *s, const char *arg, size_t len)
{
	(void)arg;
	(void)len;
	if (s->txn != T_NONE)
		end_txn(s);
	forget_client(s);
	put(s, "250 2.0.0 OK");
	return 0;
}

/* XFORWARD (Postfix's XFORWARD_README): between transactions only. */
static int
cmd_xforward(struct lmtp_session *s, const char *arg, size_t len)
{
	struct xforward x;

	if (!s->greeted) {
		put(s, "503 5.5.1 Send LHLO first");
		return 0;
	}
	if (s->txn != T_NONE) {
		put(s, "503 5.5.1 XFORWARD not allowed in a transaction");
		return 0;
	}
	x = s->xforward;
	if (len == 0 || xforward_parse(&x, arg, len) == -1) {
		put(s, "501 5.5.4 Syntax: XFORWARD attribute=value...");
		return 0;
	}
	s->xforward = x;
	s->xforwarded = 1;
	if (s->ops->xforward != NULL)
		s->ops->xforward(s->ctx, &s->xforward);
	put(s, "250 2.0.0 Ok");
	return 0;
}

static int
cmd_noop(struct lmtp_session *s, const char *arg, size_t len)
{
	(void)arg;
	(void)len;
	put(s, "250 2.0.0 OK");
	return 0;
}

static int
cmd_vrfy(struct lmtp_session *s, const char *arg, size_t len)
{
	(void)arg;
	(void)len;
	put(s, "252 2.5.0 Cannot VRFY user, but will try delivery");
	return 0;
}

static int
cmd_quit(struct lmtp_session *s, const char *arg, size_t len)
{
	(void)arg;
	(void)len;
	if (s->txn != T_NONE)
		end_txn(s);
	put(s, "221 2.0.0 %s closing connection", s->hostname);
	return 1;
}

static int
cmd_unimplemented(struct lmtp_session *s, const char *arg, size_t len)
{
	(void)arg;
	(void)len;
	put(s, "502 5.5.1 Command not implemented");
	return 0;
}

static const struct command {
	const char	*verb;
	int		(*fn)(struct lmtp_session *, const char *, size_t);
} commands[] = {
	{ "LHLO", cmd_lhlo },
	{ "MAIL", cmd_mail },
	{ "RCPT", cmd_rcpt },
	{ "DATA", cmd_data },
	{ "RSET", cmd_rset },
	{ "NOOP", cmd_noop },
	{ "VRFY", cmd_vrfy },
	{ "QUIT", cmd_quit },
	{ "XFORWARD", cmd_xforward },
	/* SMTP verbs that have no place in LMTP (RFC 2033 §4.1) */
	{ "HELO", cmd_unimplemented },
	{ "EHLO", cmd_unimplemented },
	{ "EXPN", cmd_unimplemented },
	{ "HELP", cmd_unimplemented },
	{ "BDAT", cmd_unimplemented },
	{ "STARTTLS", cmd_unimplemented },
	{ "AUTH", cmd_unimplemented },
	{ "ETRN", cmd_unimplemented },
	{ "TURN", cmd_unimplemented },
};

/* One command line, line end removed.  Returns 1 after QUIT. */
static int
command(struct lmtp_session *s, const char *line, size_t len)
{
	size_t i, vlen;

	for (i = 0; i < len; i++)
		if (is_control((unsigned char)line[i])) {
			put(s, "500 5.5.2 Syntax error: control character");
			return 0;
		}
	for (vlen = 0; vlen < len && line[vlen] != ' '; vlen++)
		continue;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strlen(commands[i].verb) != vlen ||
		    strncasecmp(line, commands[i].verb, vlen) != 0)
			continue;
		if (vlen < len)
			vlen++;		/* the space */
		return commands[i].fn(s, line + vlen, len - vlen);
	}
	put(s, "500 5.5.1 Command unrecognized");
	return 0;
}

/* Add octets to the command line; past the limit, skip to the LF. */
static void
line_append(struct lmtp_session *s, const char *in, size_t n)
{
	size_t room = sizeof(s->line) - 1 - s->linelen;

	if (s->overlong)
		return;
	if (n > room) {
		s->overlong = 1;
		return;
	}
	memcpy(s->line + s->linelen, in, n);
	s->linelen += n;
}

/* The LF arrived: run the line.  Returns 1 after QUIT. */
static int
line_end(struct lmtp_session *s)
{
	int quit = 0;

	if (!s->overlong && s->linelen > 0 && s->line[s->linelen - 1] == '\r')
		s->linelen--;
	if (s->overlong || s->linelen > LMTP_LINE_MAX)
		put(s, "500 5.5.2 Line too long");
	else {
		s->line[s->linelen] = '\0';
		quit = command(s, s->line, s->linelen);
	}
	s->linelen = 0;
	s->overlong = 0;
	return quit;
}

/* Consume command input up to and including one LF. */
static size_t
line_input(struct lmtp_session *s, const char *in, size_t len, int *quit)
{
	const char *lf = memchr(in, '\n', len);
	size_t n = lf != NULL ? (size_t)(lf - in) : len;

	line_append(s, in, n);
	if (lf == NULL)
		return len;
	*quit = line_end(s);
	return n + 1;
}

/* Consume content; at the final dot, switch to the replies. */
static size_t
data_input(struct lmtp_session *s, const char *in, size_t len)
{
	enum data_result r;
	size_t used, n;

	r = data_decode(&s->dec, in, len, &used, s->chunk, sizeof(s->chunk),
	    &n);
	if (n > 0 && !s->write_failed && s->ops->data_write != NULL &&
	    s->ops->data_write(s->ctx, s->chunk, n) == -1)
		s->write_failed = 1;
	if (r == DATA_END)
		s->txn = T_REPLIES;
	return used;
}

/* One recipient's reply after the final dot (RFC 2033 §4.2). */
static void
data_reply(struct lmtp_session *s)
{
	char reply[LMTP_REPLY_MAX] = "";

	s->ops->data_end(s->ctx, s->nreplied, reply, sizeof(reply));
	put_reply(s, reply, "451 4.3.0 No result from the delivery helper");
	if (++s->nreplied == s->nrcpt)
		end_txn(s);
}

void
lmtp_init(struct lmtp_session *s, const char *hostname,
    const struct lmtp_ops *ops, void *ctx)
{
	size_t i;

	/*
	 * The state only: line, out and chunk (20 KiB) are valid up to
	 * linelen, outlen and what the decoder returns, and clearing them
	 * cost every helper a fifth of its instructions and their pages.
	 */
	memset(s, 0, offsetof(struct lmtp_session, line));
	s->ops = ops;
	s->ctx = ctx;
	s->txn = T_NONE;
	snprintf(s->hostname, sizeof(s->hostname), "%s", hostname);
	for (i = 0; s->hostname[i] != '\0'; i++)
		if (is_control((unsigned char)s->hostname[i]) ||
		    s->hostname[i] == ' ')
			s->hostname[i] = '?';
	if (s->hostname[0] == '\0')
		snprintf(s->hostname, sizeof(s->hostname), "localhost");
	put(s, "220 %s LMTP server ready", s->hostname);
}

enum lmtp_status
lmtp_input(struct lmtp_session *s, const char *in, size_t len,
    size_t *used)
{
	enum lmtp_status st = LMTP_MORE;
	size_t pos = 0;
	int quit = 0;

	for (;;) {
		if (sizeof(s->out) - s->outlen < REPLY_ROOM) {
			st = LMTP_FLUSH;
			break;
		}
		if (s->txn == T_REPLIES) {
			data_reply(s);
			if (s->ops->slow_delivery) {
				st = LMTP_FLUSH;
				break;
			}
			continue;
		}
		if (pos == len)
			break;
		if (s->txn == T_DATA)
			pos += data_input(s, in + pos, len - pos);
		else {
			pos += line_input(s, in + pos, len - pos, &quit);
			if (quit) {
				st = LMTP_QUIT;
				break;
			}
		}
	}
	*used = pos;
	return st;
}

int
lmtp_eof(struct lmtp_session *s)
{
	if (s->txn == T_DATA || s->txn == T_REPLIES) {
		if (s->ops->data_abort != NULL)
			s->ops->data_abort(s->ctx);
		s->txn = T_NONE;
		s->nrcpt = 0;
		return 1;
	}
	if (s->txn != T_NONE)
		end_txn(s);
	return 0;
}

static int
flush(int fd, struct lmtp_session *s)
{
	if (fd_write_all(fd, s->out, s->outlen) == -1)
		return -1;
	s->outlen = 0;
	return 0;
}

/* An I/O error ends the session like end of input, errno kept. */
static int
fail(struct lmtp_session *s)
{
	int saved = errno;

	lmtp_eof(s);
	errno = saved;
	return -1;
}

int
lmtp_serve(int in, int out, const char *hostname,
    const struct lmtp_ops *ops, void *ctx)
{
	struct lmtp_session s;
	char buf[LMTP_IN_SIZE];
	size_t pos = 0, len = 0, used;
	enum lmtp_status st;
	ssize_t n;

	lmtp_init(&s, hostname, ops, ctx);
	for (;;) {
		st = lmtp_input(&s, buf + pos, len - pos, &used);
		pos += used;
		if (st == LMTP_QUIT)
			return flush(out, &s) == -1 ? fail(&s) : 0;
		if (st == LMTP_FLUSH) {
			if (flush(out, &s) == -1)
				return fail(&s);
			continue;
		}
		/* About to wait for input: answer what is pipelined. */
		if (flush(out, &s) == -1)
			return fail(&s);
		if ((n = fd_read_some(in, buf, sizeof(buf))) == -1)
			return fail(&s);
		if (n == 0)
			return lmtp_eof(&s);
		pos = 0;
		len = n;
	}
}

void
lmtp_start(char *host)
{
	signal(SIGPIPE, SIG_IGN);
	if (gethostname(host, LMTP_HOST_MAX + 1) == -1)
		snprintf(host, LMTP_HOST_MAX + 1, "localhost");
	host[LMTP_HOST_MAX] = '\0';
}

int
lmtp_run(const struct logger *lg, const char *host,
    const struct lmtp_ops *ops, void *ctx)
{
	if (lmtp_serve(STDIN_FILENO, STDOUT_FILENO, host, ops, ctx) != -1)
		return EX_OK;
	log_event(lg, LVL_ERROR, "io", "error", strerror(errno), NULL);
	return EX_IOERR;
}

int
lmtp_startup_failed(const struct logger *lg)
{
	log_event(lg, LVL_ERROR, "startup", "error", strerror(errno), NULL);
	return EX_OSERR;
}

void
lmtp_usage(const char *synopsis)
{
	fprintf(stderr, "usage: %s\n", synopsis);
	exit(EX_USAGE);
}
