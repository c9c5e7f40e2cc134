/*
 * samotop-pipe: run a command once per recipient, speaking LMTP on
 * stdin/stdout.
 *
 *	samotop-pipe [-d delim] [-t seconds] command [arg ...]
 *
 * The message is read from the client once, into a spool file that is
 * unlinked as soon as it is made (so nothing is left behind, whatever
 * happens to us), stored with LF line ends as samotop-maildir stores
 * them.  Each recipient's run of the command gets that file, rewound,
 * on its stdin and the envelope in its environment; its exit status
 * becomes the recipient's reply.  The pure parts are in pipe.c.
 *
 * Exit status: lmtp.h's table (end of input inside DATA is the
 * client's abort: nothing was run).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data.h"
#include "fdio.h"
#include "lmtp.h"
#include "log.h"
#include "pipe.h"
#include "proc.h"
#include "sandbox.h"
#include "version.h"

#define TIMEOUT_DEFAULT	300		/* seconds per run of the command */
#define TIMEOUT_MAX	86400
#define LINE_KEEP	(PIPE_TEXT_MAX * 2)	/* raw first line kept */
#define ERR_LINE_MAX	200	/* octets of a stderr line logged */
#define ERR_LINES_MAX	20	/* stderr lines logged per run */
#define ERR_DRAIN_READS	16	/* reads of stderr after the command ended */

extern char **environ;

struct ctx {
	char *const	*argv;		/* the command */
	int		 delim;		/* of the extension; 0: none */
	int		 timeout;	/* seconds */
	struct logger	 log;
	struct xforward	 client;	/* from XFORWARD */
	char		 sender[ADDR_MAX + 1];
	struct mailbox	*rcpt;		/* LMTP_RCPT_MAX of them */
	size_t		 nrcpt;
	int		 spool;		/* the message, or -1 */
	int		 spool_err;	/* errno of a failed write, or 0 */
	int		 pending_cr;	/* CRLF -> LF across chunks */
	size_t		 size;		/* octets stored */
	struct pipe_env	 env;
	const char	*addr;		/* the recipient being delivered */
};

/* The command's stdout: the first line is kept, the rest discarded. */
struct output {
	char	line[LINE_KEEP];
	size_t	len;
	int	full;		/* the first line has ended */
	int	eof;
};

/* The command's stderr: each line one log line, both bounded. */
struct errlines {
	char		line[ERR_LINE_MAX + 1];
	size_t		len;
	unsigned	n;		/* lines logged */
	unsigned	dropped;	/* lines over ERR_LINES_MAX */
	int		eof;
};

struct outcome {
	enum pipe_end	how;
	int		code;
};

static int sigchld_pipe[2] = { -1, -1 };

/* SIGCHLD wakes poll() through a pipe: the self-pipe trick. */
static void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	(void)!write(sigchld_pipe[1], "", 1);
	errno = saved;
}

static int
close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

static int
setup_signals(void)
{
	struct sigaction sa;

	if (fd_pipe(sigchld_pipe, 1) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL);
}

/* Fds 0-2 open, so that no file we make becomes a command's stdio. */
static void
open_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		continue;
	if (fd > 2)
		close(fd);
}

/* mkstemp (mode 0600) in $TMPDIR or /tmp, unlinked at once. */
static int
open_spool(void)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (dir == NULL || dir[0] != '/' || snprintf(path, sizeof(path),
	    "%s/samotop-pipe.XXXXXX", dir) >= (int)sizeof(path))
		snprintf(path, sizeof(path), "/tmp/samotop-pipe.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	if (unlink(path) == -1 || fd_set_flags(fd, 0) == -1)
		return close_keep_errno(fd);
	return fd;
}

static void
close_spool(struct ctx *c)
{
	if (c->spool != -1)
		close(c->spool);
	c->spool = -1;
}

static int
on_mail(void *ctx, const struct mailbox *from, char *reply, size_t size)
{
	struct ctx *c = ctx;

	(void)reply;
	(void)size;
	mailbox_format(from, c->sender, sizeof(c->sender));
	return 0;
}

/* Every valid recipient is taken: the command decides after DATA. */
static int
on_rcpt(void *ctx, const struct mailbox *rcpt, size_t index, char *reply,
    size_t size)
{
	struct ctx *c = ctx;

	if (index >= LMTP_RCPT_MAX) {
		snprintf(reply, size, "452 4.5.3 Too many recipients");
		return -1;
	}
	c->rcpt[index] = *rcpt;
	c->nrcpt = index + 1;
	return 0;
}

static int
on_data_begin(void *ctx, char *reply, size_t size)
{
	struct ctx *c = ctx;
	int err;

	close_spool(c);
	c->size = 0;
	c->spool_err = 0;
	c->pending_cr = 0;
	if ((c->spool = open_spool()) == -1) {
		err = errno;
		snprintf(reply, size, "451 4.3.0 Cannot make a spool file: %s",
		    strerror(err));
		log_event(&c->log, LVL_ERROR, "spool", "error", strerror(err),
		    NULL);
		return -1;
	}
	return 0;
}

static int
store(struct ctx *c, const char *buf, size_t len)
{
	if (fd_write_all(c->spool, buf, len) == -1) {
		c->spool_err = errno;
		log_event(&c->log, LVL_ERROR, "spool", "error",
		    strerror(c->spool_err), NULL);
		return -1;
	}
	c->size += len;
	return 0;
}

static int
on_data_write(void *ctx, const char *buf, size_t len)
{
	char lf[LMTP_CHUNK_SIZE + 1];
	struct ctx *c = ctx;
	size_t part, n;

	do {
		part = len < LMTP_CHUNK_SIZE ? len : LMTP_CHUNK_SIZE;
		n = data_to_lf(&c->pending_cr, buf, part, lf);
		if (store(c, lf, n) == -1)
			return -1;
		buf += part;
		len -= part;
	} while (len > 0);
	return 0;
}

/* The environment of one recipient's run. */
static int
make_env(struct ctx *c, size_t index)
{
	pipe_env_init(&c->env);
	if (pipe_env_inherit(&c->env, environ) == -1 ||
	    pipe_env_envelope(&c->env, c->sender, &c->rcpt[index], c->delim,
	    &c->client) == -1)
		return -1;
	return 0;
}

/* One read of the command's output: 0 data, 1 end, -1 nothing now. */
static int
read_output(int fd, struct output *o)
{
	char buf[4096];
	const char *lf;
	size_t n, room;
	ssize_t r;

	r = read(fd, buf, sizeof(buf));
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return -1;
	if (r <= 0) {
		o->eof = 1;
		return 1;
	}
	if (o->full)
		return 0;
	lf = memchr(buf, '\n', r);
	n = lf != NULL ? (size_t)(lf - buf) : (size_t)r;
	room = sizeof(o->line) - o->len;
	memcpy(o->line + o->len, buf, n < room ? n : room);
	o->len += n < room ? n : room;
	o->full = lf != NULL || o->len == sizeof(o->line);
	return 0;
}

static const char *
msgid(const struct ctx *c)
{
	return c->client.ident[0] != '\0' ? c->client.ident : NULL;
}

/* One line of the command's stderr to the log (a CR before LF dropped). */
static void
log_err_line(struct ctx *c, struct errlines *e)
{
	if (e->len > 0 && e->line[e->len - 1] == '\r')
		e->len--;
	e->line[e->len] = '\0';
	e->len = 0;
	if (e->n == ERR_LINES_MAX) {
		e->dropped++;
		return;
	}
	e->n++;
	log_event(&c->log, LVL_WARN, "command-stderr", "msgid", msgid(c),
	    "to", c->addr, "line", e->line, NULL);
}

/*
 * One read of the command's stderr: 0 data, 1 end, -1 nothing now.
 * A line longer than ERR_LINE_MAX is cut there.
 */
static int
read_err(struct ctx *c, int fd, struct errlines *e)
{
	char buf[4096];
	ssize_t r, i;

	r = read(fd, buf, sizeof(buf));
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return -1;
	if (r <= 0) {
		if (e->len > 0)
			log_err_line(c, e);
		e->eof = 1;
		return 1;
	}
	for (i = 0; i < r; i++) {
		if (buf[i] == '\n')
			log_err_line(c, e);
		else if (e->len < ERR_LINE_MAX)
			e->line[e->len++] = buf[i];
	}
	return 0;
}

/* Sleep until output, a child's end or ms; read what came. */
static void
wait_event(struct ctx *c, int fd, struct output *o, int efd,
    struct errlines *e, int ms)
{
	struct pollfd p[3];
	char buf[64];

	p[0].fd = sigchld_pipe[0];
	p[0].events = POLLIN;
	p[1].fd = o->eof ? -1 : fd;
	p[1].events = POLLIN;
	p[2].fd = e->eof ? -1 : efd;
	p[2].events = POLLIN;
	p[0].revents = p[1].revents = p[2].revents = 0;
	if (poll(p, 3, ms) <= 0)
		return;
	if (p[0].revents != 0)
		while (read(sigchld_pipe[0], buf, sizeof(buf)) > 0)
			continue;
	if (p[1].revents != 0)
		read_output(fd, o);
	if (p[2].revents != 0)
		read_err(c, efd, e);
}

static void
ended(int status, struct outcome *oc)
{
	if (WIFEXITED(status)) {
		oc->how = PIPE_EXITED;
		oc->code = WEXITSTATUS(status);
	} else {
		oc->how = PIPE_SIGNALED;
		oc->code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
}

/*
 * Read the output until the command ends or its time is up; then its
 * whole process group is killed.  Output still in the pipe when it
 * ends is read up to the end of the first line, the reply text; a
 * background process that keeps the pipe open, or keeps writing, is
 * not waited for.
 */
static void
wait_command(struct ctx *c, pid_t pid, int fd, struct output *o, int efd,
    struct errlines *e, struct outcome *oc)
{
	long long deadline = fd_deadline((long)c->timeout * 1000);
	int ms, status, reads;
	pid_t r;

	while ((r = proc_wait(pid, &status, WNOHANG)) == 0) {
		if ((ms = fd_ms_left(deadline)) == 0) {
			proc_kill(pid, &status, PROC_PGROUP);
			oc->how = PIPE_TIMEOUT;
			oc->code = c->timeout;
			return;
		}
		wait_event(c, fd, o, efd, e, ms);
	}
	if (r == -1) {
		oc->how = PIPE_NOSTART;
		oc->code = errno;
		return;
	}
	while (!o->eof && !o->full && read_output(fd, o) == 0)
		continue;
	/* What it wrote last, but not a writer that never stops. */
	for (reads = 0; reads < ERR_DRAIN_READS && !e->eof &&
	    read_err(c, efd, e) == 0; reads++)
		continue;
	ended(status, oc);
}

/* One run of the command, for the recipient whose env is set. */
static void
run(struct ctx *c, struct output *o, struct outcome *oc)
{
	struct errlines e;
	char num[16];
	pid_t pid;
	int p[2], ep[2], err;

	if (lseek(c->spool, 0, SEEK_SET) == -1 || fd_pipe(p, 0) == -1) {
		oc->how = PIPE_NOSTART;
		oc->code = errno;
		return;
	}
	if (fd_pipe(ep, 0) == -1) {
		oc->how = PIPE_NOSTART;
		oc->code = errno;
		close(p[0]);
		close(p[1]);
		return;
	}
	memset(&e, 0, sizeof(e));
	/*
	 * stdin the spool, stdout and stderr our pipes (its stderr becomes
	 * log lines); a process group of its own, so that a time limit
	 * kills all of it.
	 */
	if (fd_set_flags(p[0], 1) == -1 || fd_set_flags(ep[0], 1) == -1)
		err = errno;
	else
		err = proc_spawn_err(&pid, (const char *const *)c->argv,
		    c->env.envp, c->spool, p[1], ep[1],
		    PROC_PGROUP | PROC_PATH);
	close(p[1]);
	close(ep[1]);
	if (err != 0) {
		oc->how = PIPE_NOSTART;
		oc->code = err;
	} else
		wait_command(c, pid, p[0], o, ep[0], &e, oc);
	if (e.dropped > 0) {
		snprintf(num, sizeof(num), "%u", e.dropped);
		log_event(&c->log, LVL_WARN, "command-stderr", "msgid",
		    msgid(c), "to", c->addr, "dropped", num, NULL);
	}
	close(p[0]);
	close(ep[0]);
}

static void
log_result(struct ctx *c, const char *addr, const struct outcome *oc,
    const char *reply)
{
	static const char *const keys[] = {
		[PIPE_EXITED] = "exit", [PIPE_SIGNALED] = "signal",
		[PIPE_TIMEOUT] = "timeout", [PIPE_NOSTART] = "error",
	};
	const char *event = "failed", *val;
	enum log_level level = LVL_INFO;
	char num[32], size[32];

	if (reply[0] == '2')
		event = "delivered";
	else if (reply[0] == '4') {
		event = "deferred";
		level = oc->how == PIPE_NOSTART ? LVL_ERROR : LVL_WARN;
	}
	snprintf(num, sizeof(num), "%d", oc->code);
	val = oc->how == PIPE_NOSTART ? strerror(oc->code) : num;
	snprintf(size, sizeof(size), "%zu", c->size);
	log_event(&c->log, level, event, "msgid", msgid(c), "to", addr,
	    keys[oc->how], val, "size", size, "reply", reply, NULL);
}

static void
deliver(struct ctx *c, size_t index, char *reply, size_t size)
{
	char text[PIPE_TEXT_MAX + 1], addr[ADDR_MAX + 1];
	struct output o;
	struct outcome oc;

	memset(&o, 0, sizeof(o));
	mailbox_format(&c->rcpt[index], addr, sizeof(addr));
	c->addr = addr;
	log_personal(&c->log, addr);	/* the command's stderr may say it */
	if (make_env(c, index) == -1) {
		oc.how = PIPE_NOSTART;
		oc.code = E2BIG;
	} else
		run(c, &o, &oc);
	pipe_text(text, sizeof(text), o.line, o.len);
	pipe_reply(reply, size, oc.how, oc.code, text);
	log_result(c, addr, &oc, reply);
}

static void
on_data_end(void *ctx, size_t index, char *reply, size_t size)
{
	struct ctx *c = ctx;

	if (index >= c->nrcpt) {
		snprintf(reply, size, "451 4.3.0 No such recipient");
		return;
	}
	if (index == 0 && c->pending_cr && c->spool_err == 0) {
		c->pending_cr = 0;
		store(c, "\r", 1);
	}
	if (c->spool_err != 0) {
		snprintf(reply, size, "%s Cannot store the message: %s",
		    c->spool_err == ENOSPC ? "452 4.3.1" : "451 4.3.0",
		    strerror(c->spool_err));
		return;
	}
	deliver(c, index, reply, size);
}

static void
on_data_abort(void *ctx)
{
	struct ctx *c = ctx;
	char num[32];

	close_spool(c);
	snprintf(num, sizeof(num), "%zu", c->nrcpt);
	log_event(&c->log, LVL_WARN, "aborted", "msgid",
	    c->client.ident[0] != '\0' ? c->client.ident : NULL,
	    "recipients", num, NULL);
	c->nrcpt = 0;
}

static void
on_reset(void *ctx)
{
	struct ctx *c = ctx;

	close_spool(c);
	c->nrcpt = 0;
	c->sender[0] = '\0';
}

static void
on_xforward(void *ctx, const struct xforward *x)
{
	struct ctx *c = ctx;

	c->client = *x;
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
	.slow_delivery = 1,
};

static void
usage(void)
{
	lmtp_usage("samotop-pipe [-V] [-d delim] [-t seconds] command [arg ...]");
}

/* "" or "none" for none, else one punctuation character (address.h). */
static int
parse_delim(const char *s)
{
	int d = s[0] == '\0' ? 0 : addr_delimiter_parse(s);

	if (d == -1)
		usage();
	return d;
}

static int
parse_seconds(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 ||
	    v > TIMEOUT_MAX)
		usage();
	return (int)v;
}

static void
options(struct ctx *c, int argc, char *argv[])
{
	int ch;

	/* '+': the command's own options are not ours (GNU getopt) */
	while ((ch = getopt(argc, argv, "+d:t:V")) != -1) {
		switch (ch) {
		case 'd':
			c->delim = parse_delim(optarg);
			break;
		case 't':
			c->timeout = parse_seconds(optarg);
			break;
		case 'V':
			version_exit("samotop-pipe");
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	c->argv = argv + optind;
}

int
main(int argc, char *argv[])
{
	char host[LMTP_HOST_MAX + 1];
	static struct ctx c;
	int r;

	open_std_fds();
	c.spool = -1;
	/* samotop-smtpd's recipient-delimiter, unless -d says otherwise */
	if ((c.delim = addr_delimiter_parse(getenv(
	    "SAMOTOP_RECIPIENT_DELIMITER"))) == -1)
		c.delim = '+';
	c.timeout = TIMEOUT_DEFAULT;
	log_init_helper(&c.log, "samotop-pipe");
	options(&c, argc, argv);
	lmtp_start(host);
	if (setup_signals() == -1 ||
	    (c.rcpt = calloc(LMTP_RCPT_MAX, sizeof(*c.rcpt))) == NULL)
		return lmtp_startup_failed(&c.log);
	/*
	 * The sandbox (sandbox.h): the filter only, since the commands run
	 * inside it and may touch any file; no Landlock.
	 */
	if (sandbox_wanted())
		(void)sandbox_seal(SANDBOX_PIPE, NULL, 0, &c.log);

	r = lmtp_run(&c.log, host, &ops, &c);
	close_spool(&c);
	free(c.rcpt);
	return r;
}
