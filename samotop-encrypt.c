/*
 * samotop-encrypt: encrypt each recipient's copy to that recipient's
 * key, as an LMTP filter on stdin/stdout in front of the next helper.
 *
 *	samotop-encrypt [-rSV] [-c cipher] [-d delim] -k TEMPLATE --
 *	    HELPER [ARG...]
 *
 * An LMTP server upstream (lmtp.c) and an LMTP client (deliver.c) of
 * HELPER.  At RCPT the recipient's key is looked up (enc_lookup.h); a
 * recipient with a usable key gets a copy of its own, sent to an
 * instance of HELPER of its own, and the recipients without one share
 * one plaintext copy on another.  The instances are started on demand
 * and kept for the later transactions of the session.  At DATA a worker
 * process is forked per encrypted copy (enc_job.h); the plaintext copy
 * is written straight to its helper.  After the final dot the helpers'
 * replies go upstream one for one, in the order of the recipients.
 *
 * Exit status: lmtp.h's table.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "enc_job.h"
#include "enc_lookup.h"
#include "fdio.h"
#include "lmtp.h"
#include "lmtpconn.h"
#include "log.h"
#include "maildir.h"
#include "proc.h"
#include "sandbox.h"
#include "version.h"

#define ENC_COPIES_MAX	32	/* encrypted copies per transaction */
#define ENC_TIMEOUT	600	/* seconds for each exchange with a helper */

/* One instance of the next helper, and the copy it takes. */
struct copy {
	struct helper		 h;
	int			 in_use;	/* taken by this transaction */
	size_t			 nrcpt;		/* its accepted recipients */
	struct enc_keyref	 key;		/* ENC_PLAIN: the clear copy */
	char			 rcpt[ADDR_MAX + 1];	/* encrypted: whose */
	int			 sending;	/* DATA accepted: content goes */
	char			 failure[LMTP_REPLY_MAX]; /* the reply of
						 * each of its recipients */
	pid_t			 worker;	/* 0: none */
	int			 pipe, commit;	/* to the worker; -1: none */
	int			 alive;		/* from the worker: EOF when it
						 * has exited; -1: none */
};

struct rcpt {
	struct copy		*copy;
	char			 addr[ADDR_MAX + 1];
};

struct enc {
	struct logger		 log;
	char			 host[LMTP_HOST_MAX + 1];
	const char		*tmpl;		/* -k */
	int			 require;	/* -r */
	int			 keep_subject;	/* -S */
	enum smime_cipher	 cipher;	/* -c */
	int			 delim;
	const char *const	*argv;		/* HELPER ARG... */
	struct mailbox		 from;
	struct xforward		 xf;
	int			 has_xf;
	struct copy		*pool[ENC_COPIES_MAX + 1];
	size_t			 npool;
	struct copy		*plain;		/* this transaction's */
	size_t			 nencrypted;	/* copies this transaction */
	int			 ended;		/* after the final dot */
	size_t			 nrcpt;
	struct rcpt		 rcpts[LMTP_RCPT_MAX];
};

static struct enc enc;	/* 300 KB of recipients: not on the stack */

/* The id samotop-smtpd gave the message (XFORWARD), or NULL: none. */
static const char *
msgid(const struct enc *e)
{
	return e->has_xf && e->xf.ident[0] != '\0' ? e->xf.ident : NULL;
}

/* A free instance, started if need be; NULL when there is none. */
static struct copy *
take(struct enc *e)
{
	struct copy *c;
	size_t i;

	for (i = 0; i < e->npool; i++) {
		c = e->pool[i];
		if (c->in_use)
			continue;
		if (c->h.in_mail && helper_rset(&c->h, ENC_TIMEOUT) == -1)
			log_event(&e->log, LVL_WARN, "rset", "msgid",
			    msgid(e), "reason", c->h.why, NULL);
		break;
	}
	if (i == e->npool) {
		if (e->npool == ENC_COPIES_MAX + 1 ||
		    (c = calloc(1, sizeof(*c))) == NULL)
			return NULL;
		helper_init(&c->h, e->host);
		c->pipe = c->commit = c->alive = -1;
		e->pool[e->npool++] = c;
	}
	c->in_use = 1;
	c->nrcpt = 0;
	c->sending = 0;
	c->failure[0] = '\0';
	c->key.kind = ENC_PLAIN;
	c->rcpt[0] = '\0';
	return c;
}

/* End c's worker: killed unless it ended; its exit status, or -1. */
static int
end_worker(struct copy *c, int kill)
{
	int status = 0;

	long long deadline = fd_deadline((long)ENC_TIMEOUT * 1000);

	if (c->pipe != -1)
		close(c->pipe);
	if (c->commit != -1)
		close(c->commit);
	c->pipe = c->commit = -1;
	/*
	 * Sleep until the worker's end of alive closes, its exit, rather
	 * than poll for it: the worker is still encrypting when this is
	 * called, and each message waits for it.
	 */
	if (!kill && c->alive != -1)
		(void)fd_wait_until(c->alive, POLLIN, deadline);
	if (c->alive != -1)
		close(c->alive);
	c->alive = -1;
	if (c->worker == 0)
		return -1;
	if (kill)
		proc_kill(c->worker, &status, 0);
	else if (proc_reap(c->worker, &status, deadline, 0) == 1)
		status = -1;
	c->worker = 0;
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Give c back to the pool: its key freed, its worker ended. */
static void
release(struct copy *c)
{
	if (c->worker != 0)
		(void)end_worker(c, 1);
	if (c->h.in_data)
		helper_abort(&c->h);
	enc_keyref_free(&c->key);
	c->in_use = 0;
	c->nrcpt = 0;
	c->sending = 0;
}

static void
reset_all(struct enc *e)
{
	size_t i;

	for (i = 0; i < e->npool; i++)
		if (e->pool[i]->in_use)
			release(e->pool[i]);
	e->plain = NULL;
	e->nencrypted = 0;
	e->nrcpt = 0;
	e->ended = 0;
}

static int
on_mail(void *ctx, const struct mailbox *from, char *reply, size_t size)
{
	struct enc *e = ctx;

	(void)reply;
	(void)size;
	reset_all(e);
	e->from = *from;
	return 0;
}

/* The key of rcpt, looked up from the template; logged. */
static enum enc_keystate
lookup(struct enc *e, const struct mailbox *rcpt, const char *addr,
    struct enc_keyref *key)
{
	struct maildir_vars v;
	char base[MAILDIR_PATH_MAX];
	enum enc_keystate s;
	enum log_level lvl;

	key->kind = ENC_PLAIN;
	key->pgp = NULL;
	key->smime = NULL;
	key->path[0] = '\0';
	/*
	 * An address that names no safe path (a '/', a leading '.', no
	 * extension for %e) can have no key file: it has none.
	 */
	if (maildir_vars_set(&v, rcpt, e->delim) == -1 ||
	    maildir_expand(e->tmpl, &v, base, sizeof(base)) != MAILDIR_OK)
		s = ENC_KEY_MISSING;
	else
		s = enc_lookup(key, base, time(NULL));
	log_personal(&e->log, addr);	/* replies and errors may quote it */
	lvl = s == ENC_KEY_OK || s == ENC_KEY_MISSING ? LVL_INFO :
	    s == ENC_KEY_EIO ? LVL_ERROR : LVL_WARN;
	log_event(&e->log, lvl, "key", "msgid", msgid(e), "to", addr,
	    "state", enc_keystate_name(s),
	    "file", key->path[0] != '\0' ? key->path : NULL,
	    "kind", s != ENC_KEY_OK ? NULL :
	    key->kind == ENC_PGP ? "openpgp" : "smime",
	    "fpr", key->kind == ENC_PGP ? pgp_key_fpr(key->pgp) : NULL,
	    "error", s != ENC_KEY_EIO ? NULL : pgp_lib_error()[0] != '\0' ?
	    pgp_lib_error() : strerror(errno), NULL);
	return s;
}

static int
refuse(struct enc *e, const char *addr, char *reply, size_t size,
    const char *fmt, const char *what)
{
	snprintf(reply, size, fmt, addr, what);
	log_event(&e->log, LVL_WARN, "rcpt", "msgid", msgid(e), "to", addr,
	    "reply", reply, NULL);
	return -1;
}

static int
on_rcpt(void *ctx, const struct mailbox *rcpt, size_t index, char *reply,
    size_t size)
{
	struct enc *e = ctx;
	struct delivery_envelope env = { &e->from, BODY_8BITMIME,
	    e->from.is_utf8 || rcpt->is_utf8, e->has_xf ? &e->xf : NULL };
	struct enc_keyref key;
	struct lmtpreply rep;
	struct copy *c;
	enum enc_keystate s;
	char addr[ADDR_MAX + 1];
	int cls;

	mailbox_format(rcpt, addr, sizeof(addr));
	s = lookup(e, rcpt, addr, &key);
	if (s == ENC_KEY_EIO)
		return refuse(e, addr, reply, size,
		    "451 4.3.0 <%s>: encryption key unreadable%s", "");
	if (s != ENC_KEY_OK && s != ENC_KEY_MISSING && e->require)
		return refuse(e, addr, reply, size,
		    "550 5.7.1 <%s>: no usable encryption key (%s)",
		    enc_keystate_name(s));
	if (s == ENC_KEY_MISSING && e->require)
		return refuse(e, addr, reply, size,
		    "550 5.7.1 <%s>: no usable encryption key (%s)",
		    "none");
	if (key.kind != ENC_PLAIN && e->nencrypted == ENC_COPIES_MAX) {
		enc_keyref_free(&key);
		return refuse(e, addr, reply, size,
		    "452 4.5.3 <%s>: too many encrypted copies%s, "
		    "send the rest in another transaction", "");
	}
	c = key.kind == ENC_PLAIN ? e->plain : NULL;
	if (c == NULL && (c = take(e)) == NULL) {
		enc_keyref_free(&key);
		return refuse(e, addr, reply, size,
		    "451 4.3.0 <%s>: out of memory%s", "");
	}
	if (key.kind == ENC_PLAIN)
		e->plain = c;
	if (helper_rcpt(&c->h, e->argv, &env, rcpt, ENC_TIMEOUT, &rep) == -1) {
		lmtpconn_failure(LMTPCONN_AT_RCPT, addr, c->h.err, c->h.why,
		    reply, size);
		cls = 4;
	} else if ((cls = lmtpconn_reply(&rep, reply, size)) == 3) {
		helper_abort(&c->h);
		lmtpconn_failure(LMTPCONN_AT_RCPT, addr, HELPER_EPROTO,
		    "helper answered nonsense", reply, size);
		cls = 4;
	}
	if (cls != 2) {
		enc_keyref_free(&key);
		if (c->nrcpt == 0) {	/* an encrypted copy's is always 0 */
			if (c == e->plain)
				e->plain = NULL;
			release(c);
		}
		log_event(&e->log, LVL_WARN, "rcpt", "msgid", msgid(e), "to",
		    addr, "reply", reply, NULL);
		return -1;
	}
	if (key.kind != ENC_PLAIN) {
		c->key = key;
		snprintf(c->rcpt, sizeof(c->rcpt), "%s", addr);
		e->nencrypted++;
	}
	c->nrcpt++;
	e->rcpts[index].copy = c;
	memcpy(e->rcpts[index].addr, addr, sizeof(addr));
	e->nrcpt = index + 1;
	return 0;
}

/*
 * In c's worker: close every descriptor of the pool but c's helper (the
 * pipes' write ends too, or a worker would never see its own pipe end),
 * and the upstream client's, which only the parent answers.
 */
static void
worker_fds(struct enc *e, struct copy *c)
{
	size_t i;
	int null;

	for (i = 0; i < e->npool; i++) {
		if (e->pool[i]->pipe != -1)
			close(e->pool[i]->pipe);
		if (e->pool[i]->commit != -1)
			close(e->pool[i]->commit);
		if (e->pool[i]->alive != -1)
			close(e->pool[i]->alive);
		if (e->pool[i] != c && e->pool[i]->h.fd != -1)
			close(e->pool[i]->h.fd);
	}
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
}

/* Fork c's worker (its helper is inside DATA): 0, or -1 logged. */
static int
start_worker(struct enc *e, struct copy *c)
{
	struct enc_job j;
	int dp[2], cp[2], ap[2];
	pid_t pid;

	if (fd_pipe(dp, 0) == -1)
		goto failed;
	if (fd_pipe(cp, 0) == -1) {
		close(dp[0]);
		close(dp[1]);
		goto failed;
	}
	c->pipe = dp[1];
	c->commit = cp[1];
	if (fd_pipe(ap, 0) == -1) {
		close(dp[0]);
		close(cp[0]);
		goto failed;
	}
	c->alive = ap[0];
	if ((pid = fork()) == -1) {
		close(dp[0]);
		close(cp[0]);
		close(ap[1]);
		goto failed;
	}
	if (pid == 0) {
		worker_fds(e, c);
		j.in = dp[0];
		j.commit = cp[0];
		j.h = &c->h;
		j.h->pid = 0;	/* not this process's child */
		j.key = &c->key;
		/* -c, unless the certificate says its reader lacks it */
		j.cipher = c->key.kind == ENC_SMIME ?
		    smime_key_cipher(c->key.smime, e->cipher) : e->cipher;
		j.keep_subject = e->keep_subject;
		j.timeout = ENC_TIMEOUT;
		j.log = &e->log;
		j.rcpt = c->rcpt;
		j.msgid = msgid(e);
		_exit(enc_job_run(&j));
	}
	close(dp[0]);
	close(cp[0]);
	close(ap[1]);	/* the worker's alone: it closes when it exits */
	c->worker = pid;
	/* Written with a deadline: a stuck worker must not hold us. */
	(void)fd_set_flags(c->pipe, 1);
	return 0;
failed:
	log_event(&e->log, LVL_ERROR, "encrypt", "msgid", msgid(e), "to",
	    c->rcpt, "result", "failed", "reason", strerror(errno), NULL);
	(void)end_worker(c, 1);
	return -1;
}

static int
on_data_begin(void *ctx, char *reply, size_t size)
{
	struct enc *e = ctx;
	struct lmtpreply rep;
	struct copy *c;
	size_t i, nsending = 0;

	e->ended = 0;
	for (i = 0; i < e->npool; i++) {
		c = e->pool[i];
		if (!c->in_use || c->nrcpt == 0)
			continue;
		if (helper_data(&c->h, ENC_TIMEOUT, &rep) == -1) {
			if (c->h.fd == -1)
				lmtpconn_failure(LMTPCONN_AT_DATA, NULL,
				    c->h.err, c->h.why, c->failure,
				    sizeof(c->failure));
			else if (lmtpconn_reply(&rep, c->failure,
			    sizeof(c->failure)) < 4) {
				helper_abort(&c->h);
				lmtpconn_failure(LMTPCONN_AT_DATA, NULL,
				    HELPER_EPROTO, "helper answered nonsense",
				    c->failure, sizeof(c->failure));
			}
			continue;
		}
		if (c->key.kind != ENC_PLAIN && start_worker(e, c) == -1) {
			helper_abort(&c->h);
			snprintf(c->failure, sizeof(c->failure),
			    "451 4.3.0 encryption failed");
			continue;
		}
		c->sending = 1;
		nsending++;
	}
	if (nsending > 0)
		return 0;
	/* Nothing will take the message: the first refusal answers DATA. */
	for (i = 0; i < e->npool; i++)
		if (e->pool[i]->in_use && e->pool[i]->failure[0] != '\0') {
			snprintf(reply, size, "%s", e->pool[i]->failure);
			break;
		}
	log_event(&e->log, LVL_WARN, "data", "msgid", msgid(e), "reply", reply,
	    NULL);
	return -1;
}

/* The reply for the recipients of an encrypted copy that failed. */
static void
worker_failed(struct enc *e, struct copy *c, int status)
{
	if (status == ENC_EXIT_HEADER)
		snprintf(c->failure, sizeof(c->failure), "552 5.3.4 <%s>: "
		    "header section too large to encrypt", c->rcpt);
	else
		snprintf(c->failure, sizeof(c->failure), "451 4.3.0 <%s>: "
		    "encryption failed", c->rcpt);
	if (status == -1)
		log_event(&e->log, LVL_ERROR, "encrypt", "msgid", msgid(e),
		    "to", c->rcpt, "result", "failed", "reason",
		    "worker killed or timed out", NULL);
	helper_abort(&c->h);
}

/*
 * The plaintext into c's worker, within the deadline: 0, -1 when it is
 * gone (its exit status says why), -2 when it is stuck.
 */
static int
feed(struct copy *c, const char *buf, size_t len, long long deadline)
{
	ssize_t n;
	int r;

	while (len > 0) {
		if ((r = fd_wait_until(c->pipe, POLLOUT, deadline)) <= 0)
			return r == 0 ? -2 : -1;
		n = write(c->pipe, buf, len);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1)
			return -1;	/* EPIPE: it ended; its status says */
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
on_data_write(void *ctx, const char *buf, size_t len)
{
	struct enc *e = ctx;
	long long deadline = fd_deadline((long)ENC_TIMEOUT * 1000);
	struct copy *c;
	size_t i, nsending = 0;
	int r;

	for (i = 0; i < e->npool; i++) {
		c = e->pool[i];
		if (!c->in_use || !c->sending)
			continue;
		if (c->key.kind == ENC_PLAIN) {
			if (helper_write(&c->h, buf, len, ENC_TIMEOUT) == -1) {
				lmtpconn_failure(LMTPCONN_AT_DATA, NULL,
				    c->h.err, c->h.why, c->failure,
				    sizeof(c->failure));
				c->sending = 0;
				continue;
			}
		} else if ((r = feed(c, buf, len, deadline)) < 0) {
			/* its worker's exit status gives its reply */
			close(c->pipe);
			c->pipe = -1;
			c->sending = 0;
			if (r == -2)	/* stuck: no use waiting for it */
				worker_failed(e, c, end_worker(c, 1));
			continue;
		}
		nsending++;
	}
	return nsending > 0 ? 0 : -1;
}

/* After the final dot: every copy ended, each in its way. */
static void
finish(struct enc *e)
{
	struct copy *c;
	size_t i;
	int status;

	/* First the commit octets: the workers finish side by side. */
	for (i = 0; i < e->npool; i++) {
		c = e->pool[i];
		if (!c->in_use || c->worker == 0)
			continue;
		if (c->sending && c->commit != -1)
			(void)fd_write_all(c->commit, "1", 1);
		if (c->commit != -1)
			close(c->commit);
		if (c->pipe != -1)
			close(c->pipe);
		c->commit = c->pipe = -1;
	}
	for (i = 0; i < e->npool; i++) {
		c = e->pool[i];
		if (!c->in_use || c->nrcpt == 0)
			continue;
		if (c->worker != 0) {
			status = end_worker(c, 0);
			if (status == ENC_EXIT_OK)
				helper_data_sent(&c->h);
			else
				worker_failed(e, c, status);
		} else if (c->sending && helper_end_data(&c->h,
		    ENC_TIMEOUT) == -1)
			lmtpconn_failure(LMTPCONN_AT_DATA, NULL, c->h.err,
			    c->h.why, c->failure, sizeof(c->failure));
		c->sending = 0;
	}
}

static void
on_data_end(void *ctx, size_t index, char *reply, size_t size)
{
	struct enc *e = ctx;
	struct rcpt *r = &e->rcpts[index];
	struct copy *c = r->copy;
	struct lmtpreply rep;

	if (!e->ended) {
		finish(e);
		e->ended = 1;
	}
	if (c->failure[0] == '\0') {
		if (helper_reply(&c->h, ENC_TIMEOUT, &rep) == -1)
			lmtpconn_failure(LMTPCONN_AT_DATA, NULL, c->h.err,
			    c->h.why, c->failure, sizeof(c->failure));
		else if (lmtpconn_reply(&rep, reply, size) == 3) {
			helper_abort(&c->h);
			lmtpconn_failure(LMTPCONN_AT_DATA, NULL, HELPER_EPROTO,
			    "helper answered nonsense", c->failure,
			    sizeof(c->failure));
		}
	}
	if (c->failure[0] != '\0')
		snprintf(reply, size, "%s", c->failure);
	log_event(&e->log, reply[0] == '2' ? LVL_INFO : LVL_WARN, "delivery",
	    "msgid", msgid(e), "to", r->addr,
	    "kind", c->key.kind == ENC_PGP ? "openpgp" :
	    c->key.kind == ENC_SMIME ? "smime" : "clear",
	    "reply", reply, NULL);
}

static void
on_data_abort(void *ctx)
{
	struct enc *e = ctx;

	reset_all(e);	/* workers killed, helpers cut before the dot */
	log_event(&e->log, LVL_WARN, "abort", "msgid", msgid(e), "reason",
	    "input ended inside DATA; every copy dropped before its final dot",
	    NULL);
}

static void
on_reset(void *ctx)
{
	reset_all(ctx);
}

/* Passed on to the next helper, so that its lines join the session's. */
static void
on_xforward(void *ctx, const struct xforward *x)
{
	struct enc *e = ctx;

	e->xf = *x;
	e->has_xf = xforward_any(x);
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
	lmtp_usage("samotop-encrypt [-rSV] [-c cipher] [-d delim] "
	    "-k TEMPLATE -- HELPER [ARG...]");
}

int
main(int argc, char *argv[])
{
	struct enc *e = &enc;
	size_t i;
	int ch, r;

	e->delim = addr_delimiter_parse(getenv("SAMOTOP_RECIPIENT_DELIMITER"));
	e->cipher = SMIME_AES256_CBC;	/* what every S/MIME reader opens */
	log_init_helper(&e->log, "samotop-encrypt");
	while ((ch = getopt(argc, argv, "+c:d:k:rSV")) != -1) {
		switch (ch) {
		case 'c':
			if (smime_cipher_parse(optarg, &e->cipher) == -1)
				usage();
			break;
		case 'd':
			if ((e->delim = addr_delimiter_parse(optarg)) == -1)
				usage();
			break;
		case 'k':
			e->tmpl = optarg;
			break;
		case 'r':
			e->require = 1;
			break;
		case 'S':
			e->keep_subject = 1;
			break;
		case 'V':
			version_exit("samotop-encrypt");
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (e->tmpl == NULL || argc == 0 || argv[0][0] != '/')
		usage();
	if (maildir_template_check(e->tmpl) != MAILDIR_OK) {
		log_event(&e->log, LVL_ERROR, "usage", "template", e->tmpl,
		    "error", "unknown % escape (use %u %l %d %e %%)", NULL);
		usage();
	}
	if (e->delim == -1)
		e->delim = '+';
	e->argv = (const char *const *)argv;

	/* the plaintext never reaches a disk: not in a core dump either */
	proc_no_core();
	/*
	 * The sandbox (sandbox.h): the filter only, since the next helper
	 * runs inside it and writes where it is told; no Landlock.
	 */
	if (sandbox_wanted())
		(void)sandbox_seal(SANDBOX_ENCRYPT, NULL, 0, &e->log);
	lmtp_start(e->host);
	r = lmtp_run(&e->log, e->host, &ops, e);
	reset_all(e);
	for (i = 0; i < e->npool; i++) {
		helper_quit(&e->pool[i]->h, ENC_TIMEOUT);
		free(e->pool[i]);
	}
	return r;
}
