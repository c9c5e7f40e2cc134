/*
 * samotop-queue: put messages into the queue, speaking LMTP on
 * stdin/stdout (a route helper, as samotop-maildir).
 *
 *	samotop-queue [-V] [-c FILE]
 *
 * At the end of DATA the message is enqueued once, for all the accepted
 * recipients (q_write.h), and each recipient is answered 250 only after
 * q_write_commit() returned 0: "250 2.0.0 queued as ID".  A full disk is
 * "452 4.3.1" for each, any other failure "451 4.3.0", with a log line.
 * Killed at any moment, it leaves at most a file in tmp/ or a mess/ID
 * without env/ID (garbage samotop-send removes); never a 250 for a
 * message that is not queued.
 *
 * Exit status: lmtp.h's table, and EX_CONFIG for a configuration that
 * cannot be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lmtp.h"
#include "q_conf.h"
#include "q_dir.h"
#include "q_env.h"
#include "q_write.h"
#include "sandbox.h"
#include "version.h"

enum outcome { OUT_NONE, OUT_QUEUED, OUT_FULL, OUT_FAILED };

struct qctx {
	struct logger	 log;
	const char	*dir;
	int		 dir_ok;	/* q_dir_ensure() succeeded */
	mode_t		 dir_mode;	/* q_conf_dir_mode() */
	struct q_env	 env;
	char		(*rcpt)[ADDR_MAX + 1];
	struct q_writer	*w;
	int		 open;		/* w holds this transaction's file */
	int		 eight;		/* content has octets over 127 */
	enum outcome	 out;
	char		 msgid[XFORWARD_VALUE_MAX + 1];
};

static void
clear(struct qctx *c)
{
	if (c->open)
		q_write_abort(c->w);
	c->open = 0;
	memset(&c->env, 0, sizeof(c->env));
	c->env.rcpt = c->rcpt;
	c->eight = 0;
	c->out = OUT_NONE;
}

static int
on_mail(void *ctx, const struct mailbox *from, char *reply, size_t size)
{
	struct qctx *c = ctx;

	clear(c);
	if (!c->dir_ok) {
		/* retried at each transaction: the disk may be back */
		if (q_dir_ensure(c->dir, c->dir_mode) == -1) {
			log_event(&c->log, LVL_ERROR, "queue", "path", c->dir,
			    "error", strerror(errno), NULL);
			snprintf(reply, size, "451 4.3.0 queue unavailable");
			return -1;
		}
		c->dir_ok = 1;
	}
	mailbox_format(from, c->env.from, sizeof(c->env.from));
	c->env.smtputf8 = from->is_utf8;
	return 0;
}

static int
on_rcpt(void *ctx, const struct mailbox *rcpt, size_t index, char *reply,
    size_t size)
{
	struct qctx *c = ctx;

	if (index >= Q_RCPT_MAX) {
		snprintf(reply, size, "452 4.5.3 too many recipients");
		return -1;
	}
	mailbox_format(rcpt, c->rcpt[index], ADDR_MAX + 1);
	if (c->rcpt[index][0] == '\0') {
		snprintf(reply, size, "550 5.1.3 no recipient");
		return -1;
	}
	if (rcpt->is_utf8)
		c->env.smtputf8 = 1;
	c->env.nrcpt = index + 1;
	return 0;
}

static void
log_failure(struct qctx *c)
{
	const struct q_writer *w = c->w;
	const char *why = w->err == Q_WRITE_EENV ?
	    q_env_strerror(w->err_env) : w->err == Q_WRITE_ESTATE ?
	    q_write_strerror(w->err) : strerror(w->err_errno);

	log_event(&c->log, LVL_ERROR, "queue", "msgid",
	    c->msgid[0] != '\0' ? c->msgid : NULL, "id",
	    w->id[0] != '\0' ? w->id : NULL, "op", w->err_what, "error", why,
	    NULL);
}

static int
on_data_begin(void *ctx, char *reply, size_t size)
{
	struct qctx *c = ctx;

	if (q_write_open(c->w, c->dir, time(NULL)) == -1) {
		log_failure(c);
		snprintf(reply, size, c->w->err == Q_WRITE_ENOSPC ?
		    "452 4.3.1 queue full" : "451 4.3.0 queue write failed");
		return -1;
	}
	c->open = 1;
	return 0;
}

static int
on_data_write(void *ctx, const char *buf, size_t len)
{
	struct qctx *c = ctx;
	size_t i;

	if (!c->eight)
		for (i = 0; i < len; i++)
			if ((unsigned char)buf[i] > 127) {
				c->eight = 1;
				break;
			}
	return q_write_data(c->w, buf, len);
}

/* The one commit, at the first recipient's answer; the rest repeat it. */
static void
on_data_end(void *ctx, size_t index, char *reply, size_t size)
{
	struct qctx *c = ctx;
	char n[32], sz[32];

	if (index == 0 && c->out == OUT_NONE) {
		c->env.body8 = c->eight;
		c->open = 0;
		if (q_write_commit(c->w, &c->env) == 0) {
			c->out = OUT_QUEUED;
			snprintf(n, sizeof(n), "%zu", c->env.nrcpt);
			snprintf(sz, sizeof(sz), "%zu", c->w->size);
			log_event(&c->log, LVL_INFO, "queued", "msgid",
			    c->msgid[0] != '\0' ? c->msgid : NULL, "id",
			    c->env.id, "from", c->env.from, "nrcpt", n,
			    "size", sz, NULL);
		} else {
			c->out = c->w->err == Q_WRITE_ENOSPC ? OUT_FULL :
			    OUT_FAILED;
			log_failure(c);
		}
	}
	switch (c->out) {
	case OUT_QUEUED:
		snprintf(reply, size, "250 2.0.0 queued as %s", c->env.id);
		break;
	case OUT_FULL:
		snprintf(reply, size, "452 4.3.1 queue full");
		break;
	default:
		snprintf(reply, size, "451 4.3.0 queue write failed");
		break;
	}
}

static void
on_data_abort(void *ctx)
{
	clear(ctx);
}

static void
on_reset(void *ctx)
{
	clear(ctx);
}

static void
on_xforward(void *ctx, const struct xforward *x)
{
	struct qctx *c = ctx;

	snprintf(c->msgid, sizeof(c->msgid), "%s", x->ident);
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
	lmtp_usage("samotop-queue [-V] [-c file]");
}

/*
 * The sandbox (sandbox.h): the queue directory only (its parent when it
 * could not be made, so that a later session's message may), and no
 * call beyond writing files.
 */
static void
seal(struct qctx *ctx)
{
	struct sandbox_path p[] = {
		{ ctx->dir, SANDBOX_WRITE | SANDBOX_CREATE },
		{ "/etc/localtime", SANDBOX_READ },
	};

	if (sandbox_wanted())
		(void)sandbox_seal(SANDBOX_QUEUE, p, sizeof(p) / sizeof(p[0]),
		    &ctx->log);
}

int
main(int argc, char *argv[])
{
	char host[LMTP_HOST_MAX + 1], msg[512];
	static struct qctx ctx;
	struct conf *conf;
	const char *path = NULL;
	char *text;
	int ch, r;

	while ((ch = getopt(argc, argv, "c:V")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'V':
			version_exit("samotop-queue");
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init_helper(&ctx.log, "samotop-queue");
	if ((conf = malloc(sizeof(*conf))) == NULL)
		return lmtp_startup_failed(&ctx.log);
	if (q_conf_load(conf, path, &text, msg, sizeof(msg)) == -1) {
		log_event(&ctx.log, LVL_ERROR, "config", "error", msg, NULL);
		return EX_CONFIG;
	}
	ctx.dir = conf->queue_dir;
	lmtp_start(host);
	ctx.rcpt = calloc(Q_RCPT_MAX, sizeof(*ctx.rcpt));
	ctx.w = malloc(sizeof(*ctx.w));
	if (ctx.rcpt == NULL || ctx.w == NULL)
		return lmtp_startup_failed(&ctx.log);
	q_write_init(ctx.w);
	clear(&ctx);
	ctx.dir_mode = q_conf_dir_mode(conf);
	if (q_dir_ensure(ctx.dir, ctx.dir_mode) == 0)
		ctx.dir_ok = 1;
	else
		log_event(&ctx.log, LVL_ERROR, "queue", "path", ctx.dir,
		    "error", strerror(errno), NULL);

	seal(&ctx);
	r = lmtp_run(&ctx.log, host, &ops, &ctx);
	clear(&ctx);
	free(ctx.w);
	free(ctx.rcpt);
	free(conf);
	free(text);
	return r;
}
