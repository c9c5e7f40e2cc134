/*
 * deliver.c: executing a helper and speaking LMTP to it.
 *
 * Every failure of the helper (cannot start, dies, times out, answers
 * nonsense) ends it: a helper in an unknown state could not be trusted
 * with the next message.  The caller turns -1 into 451 4.3.0, from
 * h->err; h->why is for its log.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "data.h"
#include "deliver.h"
#include "fdio.h"
#include "proc.h"
#include "xforward.h"

extern char **environ;

void
helper_init(struct helper *h, const char *hostname)
{
	memset(h, 0, offsetof(struct helper, in));
	h->fd = -1;
	h->hostname = hostname;
}

static int
spawn(struct helper *h, const char *const argv[])
{
	int sv[2], err;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		h->err = HELPER_ESPAWN;
		h->why = strerror(errno);
		return -1;
	}
	err = proc_spawn(&h->pid, argv, environ, sv[1], sv[1], 0);
	close(sv[1]);
	if (err != 0) {
		close(sv[0]);
		h->pid = 0;
		h->err = HELPER_ESPAWN;
		h->why = strerror(err);
		return -1;
	}
	h->fd = sv[0];
	h->argv = argv;
	return 0;
}

/* The operation that starts has timeout seconds, in all. */
static void
arm(struct helper *h, unsigned timeout)
{
	h->deadline = fd_deadline((long)timeout * 1000);
}

/*
 * Until the helper closes its side (it exits), or the deadline: a helper
 * that keeps writing does not keep us reading.
 */
static void
wait_eof(int fd, long long deadline)
{
	char scratch[512];
	ssize_t n;

	while (fd_wait_until(fd, POLLIN, deadline) > 0) {
		n = read(fd, scratch, sizeof(scratch));
		if (n == 0 || (n == -1 && errno != EINTR))
			return;
	}
}

/*
 * End the helper: shutting our side is its end of input (an abort when
 * it is inside DATA); its side closes when it exits, so the reaping
 * that follows rarely has to wait.  Both within one grace, then SIGKILL.
 * Returns 1 when the helper had died of SIGSYS (a call its sandbox
 * forbids, sandbox.h), else 0.
 */
static int
drop(struct helper *h)
{
	long long grace = fd_deadline(HELPER_GRACE_MS);
	int status = 0;

	if (h->fd != -1) {
		shutdown(h->fd, SHUT_WR);
		wait_eof(h->fd, grace);
		close(h->fd);
	}
	h->fd = -1;
	if (h->pid != 0)
		(void)proc_reap(h->pid, &status, grace, 0);
	h->pid = 0;
	h->argv = NULL;
	h->in_mail = 0;
	h->in_data = 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

static int
fail(struct helper *h, enum helper_error err, const char *why)
{
	h->err = err;
	h->why = why;
	if (drop(h))
		h->why = "helper killed by SIGSYS (its sandbox forbids a "
		    "system call it made)";
	return -1;
}

/* Until fd is ready, or fail at the operation's deadline. */
static int
wait_for(struct helper *h, short events)
{
	int n = fd_wait_until(h->fd, events, h->deadline);

	if (n == 0)
		return fail(h, HELPER_ETIMEOUT, "helper timed out");
	if (n == -1)
		return fail(h, HELPER_EIO, strerror(errno));
	return 0;
}

static int
send_all(struct helper *h, const char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	if (h->fd == -1)
		return fail(h, HELPER_ECLOSED, "helper not running");
	while (done < len) {
		if (wait_for(h, POLLOUT) == -1)
			return -1;
		n = write(h->fd, buf + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE)
			return fail(h, HELPER_ECLOSED,
			    "helper closed its input");
		if (n == -1)
			return fail(h, HELPER_EIO, strerror(errno));
		done += n;
	}
	return 0;
}

static int
flush(struct helper *h)
{
	if (send_all(h, h->out, h->out_len) == -1)
		return -1;
	h->out_len = 0;
	return 0;
}

/* A command line, sent with the next flush: before the next read. */
static int
queue(struct helper *h, const char *line)
{
	size_t len = strlen(line);

	if (h->fd == -1)
		return fail(h, HELPER_ECLOSED, "helper not running");
	if (len + 2 > sizeof(h->out) - h->out_len)
		return fail(h, HELPER_EIO, "command too long");
	memcpy(h->out + h->out_len, line, len);
	memcpy(h->out + h->out_len + len, "\r\n", 2);
	h->out_len += len + 2;
	return 0;
}

static int
command(struct helper *h, const char *line)
{
	if (queue(h, line) == -1)
		return -1;
	return flush(h);
}

/* An LHLO line: the extensions we use, and XFORWARD's attributes. */
static void
capability(struct helper *h, const char *kw, size_t len)
{
	if (len >= 8 && strncasecmp(kw, "SMTPUTF8", 8) == 0 &&
	    (len == 8 || kw[8] == ' '))
		h->caps |= CAP_SMTPUTF8;
	if (len == 10 && strncasecmp(kw, "PIPELINING", 10) == 0)
		h->caps |= CAP_PIPELINING;
	if (len > 9 && strncasecmp(kw, "XFORWARD ", 9) == 0)
		h->xforward = xforward_offered(kw + 9, len - 9);
	if (len > 8 && strncasecmp(kw, "XCLIENT ", 8) == 0)
		h->xclient = xforward_offered(kw + 8, len - 8);
}

/* One reply line into line[0..*len), or -1. */
static int
read_line(struct helper *h, const char **line, size_t *len)
{
	char *lf;
	ssize_t n;

	/* What was queued goes out first: a reply answers a command sent. */
	if (h->out_len > 0 && flush(h) == -1)
		return -1;
	for (;;) {
		lf = memchr(h->in + h->in_start, '\n', h->in_end - h->in_start);
		if (lf != NULL)
			break;
		if (h->in_end - h->in_start == sizeof(h->in))
			return fail(h, HELPER_EPROTO,
			    "helper reply line too long");
		memmove(h->in, h->in + h->in_start, h->in_end - h->in_start);
		h->in_end -= h->in_start;
		h->in_start = 0;
		if (wait_for(h, POLLIN) == -1)
			return -1;
		n = read(h->fd, h->in + h->in_end, sizeof(h->in) - h->in_end);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			return fail(h, HELPER_ECLOSED,
			    "helper closed the connection");
		if (n == -1)
			return fail(h, HELPER_EIO, strerror(errno));
		h->in_end += n;
	}
	*line = h->in + h->in_start;
	*len = lf - *line;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	h->in_start = lf + 1 - h->in;
	return 0;
}

/* A reply; on LHLO's (lhlo set) also the extensions it names. */
static int
read_reply(struct helper *h, struct lmtpreply *rep, int lhlo)
{
	enum lmtpreply_status st;
	const char *line;
	size_t len;

	lmtpreply_init(rep);
	do {
		if (read_line(h, &line, &len) == -1)
			return -1;
		st = lmtpreply_line(rep, line, len);
		if (lhlo && st != LMTPREPLY_BAD && len > 4)
			capability(h, line + 4, len - 4);
	} while (st == LMTPREPLY_MORE);
	if (st == LMTPREPLY_BAD)
		return fail(h, HELPER_EPROTO, "helper answered nonsense");
	return 0;
}

int
helper_reply(struct helper *h, unsigned timeout, struct lmtpreply *rep)
{
	arm(h, timeout);
	return read_reply(h, rep, 0);
}

/* A reply that must be positive for the dialogue to go on. */
static int
expect(struct helper *h, int code, const char *why)
{
	struct lmtpreply rep;

	if (read_reply(h, &rep, 0) == -1)
		return -1;
	if (rep.code != code)
		return fail(h, HELPER_EREFUSED, why);
	return 0;
}

/* LHLO, and what its reply offers. */
static int
lhlo(struct helper *h)
{
	struct lmtpreply rep;
	char line[300];

	h->caps = 0;
	h->xforward = 0;
	h->xclient = 0;
	snprintf(line, sizeof(line), "LHLO %s", h->hostname);
	if (command(h, line) == -1 || read_reply(h, &rep, 1) == -1)
		return -1;
	if (rep.code != 250)
		return fail(h, HELPER_EREFUSED, "helper refused LHLO");
	return 0;
}

int
helper_attach(struct helper *h, int fd, unsigned timeout)
{
	arm(h, timeout);
	h->fd = fd;
	h->in_start = h->in_end = h->out_len = 0;
	h->in_mail = 0;
	h->caps = 0;
	h->xforward = 0;
	h->xclient = 0;
	if (expect(h, 220, "helper refused the connection") == -1)
		return -1;
	return lhlo(h);
}

int
helper_xclient(struct helper *h, const struct xforward *x,
    unsigned timeout, struct lmtpreply *rep)
{
	char line[XFORWARD_LINE_LIMIT];

	lmtpreply_init(rep);
	if (h->fd == -1 || h->in_mail || xforward_xclient(line, sizeof(line),
	    x, h->xclient) == 0)
		return 0;
	arm(h, timeout);
	if (command(h, line) == -1 || read_reply(h, rep, 0) == -1)
		return -1;
	if (rep->code != 220)
		return 0;
	/* A new session as the client's: greeted, so LHLO again. */
	return lhlo(h) == -1 ? -1 : 1;
}

int
helper_spawn(struct helper *h, const char *const argv[], unsigned timeout)
{
	if (spawn(h, argv) == -1)
		return -1;
	return helper_attach(h, h->fd, timeout);
}

/*
 * XFORWARD first when the helper takes it, so that it knows the client:
 * the attributes it lists, split over commands of its line limit.  A
 * refusal costs only the information, not the delivery.  A helper that
 * pipelines gets them all at once, and *pending counts the replies left
 * to read; one that does not answers each before the next.
 */
static int
forward_client(struct helper *h, const struct delivery_envelope *env,
    unsigned *pending)
{
	char line[XFORWARD_LINE_LIMIT - 2];
	struct lmtpreply rep;
	unsigned done = 0;

	if (env->xforward == NULL)
		return 0;
	while (xforward_next(line, sizeof(line), env->xforward, h->xforward,
	    &done) > 0) {
		if (queue(h, line) == -1)
			return -1;
		if (h->caps & CAP_PIPELINING) {
			(*pending)++;
			continue;
		}
		if (read_reply(h, &rep, 0) == -1)
			return -1;
		if (rep.code != 250)
			break;
	}
	return 0;
}

static void
mail_line(const struct delivery_envelope *env, char *line, size_t size)
{
	char addr[ADDR_MAX + 1];

	mailbox_format(env->sender, addr, sizeof(addr));
	snprintf(line, size, "MAIL FROM:<%s>%s%s", addr,
	    env->body == BODY_8BITMIME || env->body == BODY_BINARYMIME ?
	    " BODY=8BITMIME" : "", env->smtputf8 ? " SMTPUTF8" : "");
}

/*
 * XFORWARD, MAIL and the first RCPT (the line rcpt).  To a helper that
 * pipelines (RFC 2920) they go in one write, one round trip instead of
 * three; to one that does not, RCPT only after MAIL was accepted.  A
 * refused MAIL answers RCPT.
 */
static int
open_transaction(struct helper *h, const struct delivery_envelope *env,
    const char *rcpt, struct lmtpreply *rep)
{
	char line[ADDR_MAX + 64];
	struct lmtpreply mail;
	unsigned pending = 0;
	int pipelined = (h->caps & CAP_PIPELINING) != 0;

	if (forward_client(h, env, &pending) == -1)
		return -1;
	mail_line(env, line, sizeof(line));
	if (queue(h, line) == -1 || (pipelined && queue(h, rcpt) == -1))
		return -1;
	for (; pending > 0; pending--)
		if (read_reply(h, &mail, 0) == -1)
			return -1;
	if (read_reply(h, &mail, 0) == -1)
		return -1;
	h->in_mail = mail.code / 100 == 2;
	if (!pipelined && !h->in_mail) {
		*rep = mail;
		return 0;
	}
	if ((!pipelined && queue(h, rcpt) == -1) ||
	    read_reply(h, rep, 0) == -1)
		return -1;
	if (!h->in_mail)
		*rep = mail;
	return 0;
}

int
helper_rcpt(struct helper *h, const char *const argv[],
    const struct delivery_envelope *env, const struct mailbox *rcpt,
    unsigned timeout, struct lmtpreply *rep)
{
	char line[ADDR_MAX + 32], addr[ADDR_MAX + 1];

	if (argv != NULL && h->fd != -1 &&
	    (h->argv == NULL || !proc_argv_same(h->argv, argv)))
		helper_quit(h, timeout);
	if (h->fd == -1 && argv == NULL)
		return fail(h, HELPER_ECLOSED, "helper not running");
	if (h->fd == -1 && helper_spawn(h, argv, timeout) == -1)
		return -1;
	if (env->smtputf8 && !(h->caps & CAP_SMTPUTF8))
		return fail(h, HELPER_EUTF8,
		    "helper does not support SMTPUTF8");
	arm(h, timeout);
	mailbox_format(rcpt, addr, sizeof(addr));
	snprintf(line, sizeof(line), "RCPT TO:<%s>", addr);
	if (!h->in_mail)
		return open_transaction(h, env, line, rep);
	if (command(h, line) == -1)
		return -1;
	return read_reply(h, rep, 0);
}

int
helper_data(struct helper *h, unsigned timeout, struct lmtpreply *rep)
{
	arm(h, timeout);
	if (command(h, "DATA") == -1 || read_reply(h, rep, 0) == -1)
		return -1;
	if (rep->code != 354)
		return -1;	/* its transaction stays open for RSET */
	h->at_bol = 1;
	h->in_data = 1;
	return 0;
}

int
helper_write(struct helper *h, const char *buf, size_t len, unsigned timeout)
{
	size_t room, n;

	arm(h, timeout);
	while (len > 0) {
		room = (sizeof(h->out) - h->out_len) / 2;
		if (room == 0) {
			if (flush(h) == -1)
				return -1;
			continue;
		}
		n = len < room ? len : room;
		h->out_len += data_encode(&h->at_bol, buf, n,
		    h->out + h->out_len);
		buf += n;
		len -= n;
	}
	return 0;
}

int
helper_write_stuffed(struct helper *h, const char *buf, size_t len,
    unsigned timeout)
{
	if (len == 0)
		return 0;
	arm(h, timeout);
	h->at_bol = buf[len - 1] == '\n';
	if (len < sizeof(h->out) / 2) {
		if (len > sizeof(h->out) - h->out_len && flush(h) == -1)
			return -1;
		memcpy(h->out + h->out_len, buf, len);
		h->out_len += len;
		return 0;
	}
	/* Large: straight from the caller's buffer, not copied. */
	if (flush(h) == -1)
		return -1;
	return send_all(h, buf, len);
}

int
helper_end_data(struct helper *h, unsigned timeout)
{
	arm(h, timeout);
	if (sizeof(h->out) - h->out_len < 5 && flush(h) == -1)
		return -1;
	h->out_len += data_encode_end(h->at_bol, h->out + h->out_len);
	h->in_mail = 0;
	h->in_data = 0;
	return flush(h);
}

void
helper_data_sent(struct helper *h)
{
	h->out_len = 0;		/* empty since DATA: command() flushed it */
	h->at_bol = 1;
	h->in_mail = 0;
	h->in_data = 0;
}

int
helper_rset(struct helper *h, unsigned timeout)
{
	if (h->in_data) {	/* a message left unfinished: drop it */
		helper_abort(h);
		return 0;
	}
	if (h->fd == -1 || !h->in_mail)
		return 0;
	arm(h, timeout);
	h->in_mail = 0;
	if (command(h, "RSET") == -1)
		return -1;
	return expect(h, 250, "helper refused RSET");
}

void
helper_abort(struct helper *h)
{
	h->err = HELPER_EABORT;
	h->why = "aborted";
	drop(h);
}

void
helper_quit(struct helper *h, unsigned timeout)
{
	struct lmtpreply rep;

	if (h->in_data)
		helper_abort(h);
	if (h->fd == -1)
		return;
	arm(h, timeout);
	if (command(h, "QUIT") == 0)
		(void)read_reply(h, &rep, 0);
	drop(h);
}
