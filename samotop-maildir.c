/*
 * samotop-maildir: deliver into Maildirs, speaking LMTP on stdin/stdout.
 *
 *	samotop-maildir [-c] [-d delim] [-l count] [-s folder] [-z seconds]
 *	    TEMPLATE...
 *
 * Options and wiring only; the work is in maildir.c and lmtp.c.
 *
 * Exit status: lmtp.h's table.  End of input inside DATA is how the
 * LMTP client aborts a message, and the abort removed every copy: 0; an
 * aborted copy that could not be removed from tmp/: EX_IOERR.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lmtp.h"
#include "maildir.h"
#include "maildir_notrace.h"
#include "sandbox.h"
#include "version.h"

static int
on_mail(void *ctx, const struct mailbox *from, char *reply, size_t size)
{
	return maildir_mail(ctx, from, reply, size);
}

static int
on_rcpt(void *ctx, const struct mailbox *rcpt, size_t index, char *reply,
    size_t size)
{
	return maildir_rcpt(ctx, rcpt, index, reply, size);
}

static int
on_data_begin(void *ctx, char *reply, size_t size)
{
	(void)reply;
	(void)size;
	maildir_begin(ctx);	/* a copy that cannot start fails alone */
	return 0;
}

static int
on_data_write(void *ctx, const char *buf, size_t len)
{
	return maildir_write(ctx, buf, len);
}

static void
on_data_end(void *ctx, size_t index, char *reply, size_t size)
{
	maildir_end(ctx, index, reply, size);
}

static void
on_data_abort(void *ctx)
{
	maildir_abort(ctx);
}

static void
on_reset(void *ctx)
{
	maildir_reset(ctx);
}

/* Only the message id matters here: it joins our log lines to smtpd's. */
static void
on_xforward(void *ctx, const struct xforward *x)
{
	struct maildir_ctx *c = ctx;

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
	lmtp_usage("samotop-maildir [-cV] [-d delim] [-l count] [-s folder] "
	    "[-z seconds] TEMPLATE...");
}

static void
check_templates(const struct logger *lg, char *const *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (maildir_template_check(t[i]) != MAILDIR_OK) {
			log_event(lg, LVL_ERROR, "usage", "template", t[i],
			    "error", "unknown % escape (use %u %l %d %e %%)",
			    NULL);
			usage();
		}
}

/* -l: 0 to MAILDIR_LOOP_LIMIT. */
static unsigned long
parse_count(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 ||
	    v > MAILDIR_LOOP_LIMIT)
		usage();
	return (unsigned long)v;
}

/*
 * Leave-no-trace from samotop-smtpd: SAMOTOP_LEAVE_NO_TRACE.  A value
 * that is not a granularity is not taken for "off": whoever set it meant
 * it on, and mail keeps flowing, so it is a day, with a warning.
 */
static unsigned long
notrace_env(const struct logger *lg)
{
	int malformed;
	unsigned long g = log_notrace_env(&malformed);

	if (malformed)
		log_event(lg, LVL_WARN, "config", "error",
		    "SAMOTOP_LEAVE_NO_TRACE is not a number of seconds: "
		    "leave-no-trace with a day", NULL);
	return g;
}

/* A screener folder name: one safe path component, room for its dot. */
static int
folder_ok(const char *name)
{
	return maildir_safe(name) && strlen(name) <= ADDR_LOCAL_MAX;
}

/*
 * The screener's folder from samotop-smtpd: SAMOTOP_SCREENER_FOLDER.  A
 * name that cannot be a folder is ignored, with a warning: the message
 * then goes to the inbox, which is where it went before the screener.
 */
static const char *
screener_env(const struct logger *lg)
{
	const char *name = getenv("SAMOTOP_SCREENER_FOLDER");

	if (name == NULL || name[0] == '\0')
		return NULL;
	if (!folder_ok(name)) {
		log_event(lg, LVL_WARN, "config", "error",
		    "SAMOTOP_SCREENER_FOLDER is not a folder name: ignored",
		    NULL);
		return NULL;
	}
	return name;
}

/*
 * The sandbox (sandbox.h): files beneath the templates' fixed parts only
 * ("/var/mail/%d/%u": /var/mail), and no call beyond a Maildir's.
 * Under samotop-smtpd with `sandbox no`, not at all.
 */
static void
seal(const struct logger *lg, char *const *t, int n)
{
	struct sandbox_path *p;
	char (*root)[PATH_MAX];
	int i;

	if (!sandbox_wanted())
		return;
	p = calloc((size_t)n, sizeof(*p));
	root = calloc((size_t)n, sizeof(*root));
	for (i = 0; p != NULL && root != NULL && i < n; i++) {
		if (sandbox_template_root(t[i], root[i], sizeof(root[i])) == -1)
			break;
		p[i].path = root[i];
		p[i].access = SANDBOX_WRITE | SANDBOX_CREATE;
	}
	/* out of memory: no Landlock rather than too narrow a one */
	(void)sandbox_seal(SANDBOX_MAILDIR, p != NULL && root != NULL &&
	    i == n ? p : NULL, (size_t)n, lg);
	free(root);
	free(p);
}

int
main(int argc, char *argv[])
{
	char host[LMTP_HOST_MAX + 1];
	struct maildir_ctx ctx;
	unsigned long loop_max = MAILDIR_LOOP_MAX;
	unsigned long notrace = 0;
	const char *screener = NULL;
	int ch, create = 0, notrace_set = 0, screener_set = 0, r;
	/* samotop-smtpd's recipient-delimiter, unless -d says otherwise */
	int delim = addr_delimiter_parse(getenv("SAMOTOP_RECIPIENT_DELIMITER"));

	while ((ch = getopt(argc, argv, "cd:l:s:Vz:")) != -1) {
		switch (ch) {
		case 'c':
			create = 1;
			break;
		case 'd':
			if ((delim = addr_delimiter_parse(optarg)) == -1)
				usage();
			break;
		case 'l':
			loop_max = parse_count(optarg);
			break;
		case 's':
			if (!folder_ok(optarg))
				usage();
			screener = optarg;
			screener_set = 1;
			break;
		case 'V':
			version_exit("samotop-maildir");
		case 'z':
			if (log_notrace_parse(optarg, &notrace) == -1)
				usage();
			notrace_set = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	log_init_helper(&ctx.log, "samotop-maildir");
	check_templates(&ctx.log, argv, argc);
	if (!notrace_set)
		notrace = notrace_env(&ctx.log);
	if (!screener_set)
		screener = screener_env(&ctx.log);
	if (notrace > 0)	/* -z under another MTA: its log lines too */
		log_notrace(&ctx.log, NULL, NULL);

	lmtp_start(host);
	if (maildir_init(&ctx, host) == -1)
		return lmtp_startup_failed(&ctx.log);
	seal(&ctx.log, argv, argc);
	ctx.templates = argv;
	ctx.ntemplates = argc;
	ctx.create = create;
	ctx.screener = screener;
	ctx.loop_max = loop_max;
	ctx.notrace = notrace;
	if (delim != -1)
		ctx.delim = delim;

	r = lmtp_run(&ctx.log, host, &ops, &ctx);
	if (ctx.cleanup_failed)
		r = EX_IOERR;
	maildir_free(&ctx);
	return r;
}
