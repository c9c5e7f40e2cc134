/*
 * fuzz_session.c: libFuzzer target for whole SMTP sessions.  session_run()
 * runs in-process, in a thread, on one end of a socketpair; the fuzzer
 * plays the client on the other end, one operation after another, and
 * every recipient routes to fuzz/helper_mock, a scripted LMTP helper
 * whose answers the fuzzer also chooses.
 *
 * The invariant, checked at every reply to the end of a message (DATA's
 * final dot, BDAT LAST): a 250 means that the helper got exactly one
 * message since the previous end, and reported every recipient
 * delivered, in a transaction with this one's envelope: the sender of
 * the client's last accepted MAIL and exactly the recipients the client
 * got 250 for since.  And at every reply to RCPT: a 250 means that the
 * helper accepted that recipient in a transaction with that sender, and
 * anything else that it did not.  A violation aborts.
 *
 * Input: octet 0 picks the configuration (bit 7: lax CRLF, a small SIZE
 * and leave-no-trace, with no key: its log scrubbing) and the length of
 * the helper's script (bits 0-6), which follows; the rest is
 * operations, see op().
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "session.h"

#define RCPT_MAX	128
#define QUEUE_MAX	32	/* pipelined commands awaiting replies */
#define WAIT_MS		30000	/* the session's own timeouts come first */
#define MOCK_DECISIONS	8	/* helper_mock.c's NDECISIONS */

static const char *const senders[] = { "", "s@send.test", "t@send.test" };
static const char *const rcpts[] = {
	"a@fuzz.test", "b@fuzz.test", "c@fuzz.test", "a+x@fuzz.test",
	"x@other.test", "n@nowhere.test",
};
#define NSENDERS	(sizeof(senders) / sizeof(senders[0]))
#define NRCPTS		(sizeof(rcpts) / sizeof(rcpts[0]))

enum kind { K_OTHER, K_MAIL, K_RCPT, K_END };

struct client {
	int		 fd;
	int		 dead;		/* the session closed or failed */
	int		 pipelining;	/* commands go out without waiting */
	char		 in[4096];
	size_t		 len;
	struct {
		enum kind	kind;
		int		arg;
	}		 queue[QUEUE_MAX];
	int		 nq;
	/* The envelope as the client knows it. */
	const char	*sender;
	const char	*rcpt[RCPT_MAX];
	int		 nrcpt;
	off_t		 seen;		/* of the helper's record */
};

static struct conf *confs[2];
static struct session *sess;
static int script_fd = -1, record_fd = -1, log_fd = -1;

static int
scratch_file(void)
{
	char path[] = "/tmp/fuzz_session.XXXXXX";
	int fd;

	/* Not close-on-exec: the helpers inherit it (helper_mock.c). */
	if ((fd = mkstemp(path)) == -1) {
		perror("fuzz_session: mkstemp");
		abort();
	}
	unlink(path);
	return fd;
}

static struct conf *
make_conf(const char *mock, int lax)
{
	struct conf_error err;
	struct conf *c;
	char *text;
	size_t len;

	if ((c = malloc(sizeof(*c))) == NULL || (text = malloc(2048)) == NULL)
		abort();
	len = (size_t)snprintf(text, 2048,
	    "hostname fuzz.test\n"
	    "greet-delay 0\n"
	    "timeout-command 2\n"
	    "timeout-data 2\n"
	    "timeout-helper 2\n"
	    "max-errors 20\n"
	    "log-level debug\n"
	    "%s"
	    "route @fuzz.test \"%s\" %d %d\n"
	    "route @other.test \"%s\" %d %d other\n",
	    lax ? "strict-crlf no\nmax-message-size 32k\nleave-no-trace yes\n" :
	    "",
	    mock, script_fd, record_fd, mock, script_fd, record_fd);
	conf_defaults(c);
	if (conf_parse(c, text, len, &err) == -1) {
		fprintf(stderr, "fuzz_session: conf line %u: %s\n", err.line,
		    err.msg);
		abort();
	}
	/* many sessions in one process: it must never seal itself */
	c->sandbox = 0;
	return c;	/* text stays: the routes point into it */
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char self[4096], mock[4200], *slash;
	ssize_t n;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	/* The peer is the socketpair, not what a launcher left behind. */
	unsetenv("TCPREMOTEIP");
	unsetenv("REMOTE_ADDR");
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		abort();
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	snprintf(mock, sizeof(mock), "%s/helper_mock", self);
	if (access(mock, X_OK) == -1) {
		fprintf(stderr, "fuzz_session: %s: %s (make fuzz builds it)\n",
		    mock, strerror(errno));
		abort();
	}
	script_fd = scratch_file();
	record_fd = scratch_file();
	log_fd = getenv("FUZZ_SESSION_LOG") != NULL ? 2 :
	    open("/dev/null", O_WRONLY | O_CLOEXEC);
	confs[0] = make_conf(mock, 0);
	confs[1] = make_conf(mock, 1);
	if ((sess = calloc(1, sizeof(*sess))) == NULL)
		abort();
	return 0;
}

/* The input, consumed from the front. */
struct input {
	const uint8_t	*p;
	size_t		 left;
};

static int
next(struct input *in)
{
	if (in->left == 0)
		return -1;
	in->left--;
	return *in->p++;
}

static size_t
take(struct input *in, size_t n, const uint8_t **p)
{
	if (n > in->left)
		n = in->left;
	*p = in->p;
	in->p += n;
	in->left -= n;
	return n;
}

static void
send_all(struct client *c, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (!c->dead && len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->dead = 1;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
send_line(struct client *c, const char *line)
{
	send_all(c, line, strlen(line));
	send_all(c, "\r\n", 2);
}

/* One reply (its last line's code), or -1 when the session is gone. */
static int
read_reply(struct client *c)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	char *lf;
	size_t n;
	ssize_t r;
	int last, code;

	for (;;) {
		if (c->dead)
			return -1;
		if ((lf = memchr(c->in, '\n', c->len)) != NULL ||
		    c->len == sizeof(c->in)) {
			n = lf != NULL ? (size_t)(lf - c->in) + 1 : c->len;
			last = n < 4 || c->in[3] != '-';
			code = n >= 3 ? atoi(c->in) : 0;
			memmove(c->in, c->in + n, c->len - n);
			c->len -= n;
			if (last)
				return code;
			continue;
		}
		if (poll(&pfd, 1, WAIT_MS) != 1) {
			c->dead = 1;
			return -1;
		}
		r = read(c->fd, c->in + c->len, sizeof(c->in) - c->len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			c->dead = 1;
		else
			c->len += (size_t)r;
	}
}

static void
violation(const struct client *c, const char *why, const char *rec)
{
	int i;

	fprintf(stderr, "fuzz_session: INVARIANT VIOLATED: %s\n"
	    "  the client's envelope: <%s>",
	    why, c->sender != NULL ? c->sender : "(no MAIL)");
	for (i = 0; i < c->nrcpt; i++)
		fprintf(stderr, " <%s>", c->rcpt[i]);
	fprintf(stderr, "\n  helper's record: %s\n", rec);
	abort();
}

/* "<addr>" at *p equals want (case aside); *p moves past it. */
static int
match_addr(char **p, const char *want)
{
	size_t n = strlen(want);
	char *s = *p;

	while (*s == ' ')
		s++;
	if (s[0] != '<' || strncasecmp(s + 1, want, n) != 0 ||
	    s[n + 1] != '>')
		return 0;
	*p = s + n + 2;
	return 1;
}

/* The record of the one message the helper got, against the envelope. */
static void
check_record(const struct client *c, char *rec)
{
	char *p = rec + 4, *end;
	long n;
	int i;

	if (c->sender == NULL || !match_addr(&p, c->sender))
		violation(c, "the helper's sender is not the client's", rec);
	n = strtol(p, &end, 10);
	if (n != c->nrcpt)
		violation(c, "the helper's recipients are not the client's",
		    rec);
	p = end;
	for (i = 0; i < c->nrcpt; i++)
		if (!match_addr(&p, c->rcpt[i]))
			violation(c, "the helper's recipients are not the "
			    "client's", rec);
	while (*p == ' ')
		p++;
	for (i = 0; i < c->nrcpt; i++)
		if (p[i] != '2')
			violation(c, "the helper did not deliver to every "
			    "recipient", rec);
	if (p[c->nrcpt] != '\n')
		violation(c, "the helper's results are not one per recipient",
		    rec);
}

/* The helper's next record (a line), or NULL when there is none. */
static const char *
next_record(struct client *c, int consume)
{
	static char line[64 * 1024];
	char *lf;
	ssize_t n;

	if ((n = pread(record_fd, line, sizeof(line) - 1, c->seen)) <= 0)
		return NULL;
	line[n] = '\0';
	if ((lf = strchr(line, '\n')) == NULL)
		return NULL;
	lf[1] = '\0';
	if (consume)
		c->seen += lf + 1 - line;
	return line;
}

/*
 * A 250 to RCPT: the helper's record of the recipient.  (A refusal has
 * none; when pipelining, the next records may already be the next
 * recipients'.  A recipient the helper accepted but the client did not
 * see taken shows at the next 250 or at the end of the message.)
 */
static void
recipient(struct client *c, int arg, int code)
{
	const char *rec;
	char *p;

	if (code / 100 != 2)
		return;
	rec = next_record(c, 1);
	if (rec == NULL || strncmp(rec, "RCPT ", 5) != 0)
		violation(c, "the client got 250 for a recipient the helper "
		    "did not accept", rec != NULL ? rec : "(none)");
	p = (char *)rec + 5;
	if (c->sender == NULL || !match_addr(&p, c->sender))
		violation(c, "a recipient joined a transaction with another "
		    "sender", rec);
	if (!match_addr(&p, rcpts[arg]))
		violation(c, "the helper accepted another recipient", rec);
	if (c->nrcpt < RCPT_MAX)
		c->rcpt[c->nrcpt++] = rcpts[arg];
}

/* A reply to the end of a message: the helper's records since. */
static void
end_of_message(struct client *c, int code)
{
	static char dot[64 * 1024];
	const char *rec;
	int dots = 0;

	while ((rec = next_record(c, 1)) != NULL) {
		if (strncmp(rec, "DOT ", 4) != 0)
			violation(c, "the helper accepted a recipient the "
			    "client did not see", rec);
		dots++;
		snprintf(dot, sizeof(dot), "%s", rec);
	}
	if (code != 250)
		return;
	if (dots != 1)
		violation(c, dots == 0 ? "250 after the message, which the "
		    "helper did not get" : "250 after the message, and the "
		    "helper got more than one", dots ? dot : "");
	check_record(c, dot);
}

static void
handle(struct client *c, enum kind kind, int arg, int code)
{
	switch (kind) {
	case K_MAIL:
		if (code / 100 == 2) {
			c->sender = senders[arg];
			c->nrcpt = 0;
		}
		break;
	case K_RCPT:
		recipient(c, arg, code);
		break;
	case K_END:
		end_of_message(c, code);
		break;
	default:
		break;
	}
}

/* Read the replies to every command sent. */
static int
drain(struct client *c)
{
	int i, code = 0;

	for (i = 0; i < c->nq && !c->dead; i++)
		if ((code = read_reply(c)) != -1)
			handle(c, c->queue[i].kind, c->queue[i].arg, code);
	c->nq = 0;
	return c->dead ? -1 : code;
}

/* A command sent: its reply now, or later when pipelining. */
static int
sent(struct client *c, enum kind kind, int arg, int now)
{
	c->queue[c->nq].kind = kind;
	c->queue[c->nq].arg = arg;
	c->nq++;
	if (now || !c->pipelining || c->nq == QUEUE_MAX)
		return drain(c);
	return 0;
}

/*
 * Message text that cannot end early: a dot at the start of a line (or
 * after any CR or LF) is doubled, and the end marker follows.
 */
static void
send_body(struct client *c, const uint8_t *p, size_t n, int times)
{
	static char buf[2 * 256 + 8];
	size_t i, len = 0;
	int bol = 1;

	for (i = 0; i < n; i++) {
		if (bol && p[i] == '.')
			buf[len++] = '.';
		buf[len++] = (char)p[i];
		bol = p[i] == '\r' || p[i] == '\n';
	}
	while (times-- > 0)
		send_all(c, buf, len);
	if (len < 2 || buf[len - 2] != '\r' || buf[len - 1] != '\n')
		send_all(c, "\r\n", 2);
	send_all(c, ".\r\n", 3);
}

static void
data(struct client *c, struct input *in, int op)
{
	const uint8_t *p;
	size_t n;

	/* Its body is taken whatever DATA gets: the operations after it
	 * stay what they are. */
	n = take(in, (size_t)(next(in) & 0xff), &p);
	if (drain(c) == -1)
		return;
	send_line(c, "DATA");
	if (read_reply(c) != 354)
		return;
	send_body(c, p, n, op & 0x80 ? 64 : 1);
	sent(c, K_END, 0, 1);
}

static void
bdat(struct client *c, struct input *in, int op)
{
	const uint8_t *p;
	char line[64];
	size_t n, total;
	int i, times = op & 0x80 ? 64 : 1, last = (op / 10) & 1;

	n = take(in, (size_t)(next(in) & 0xff), &p);
	total = n * (size_t)times;
	snprintf(line, sizeof(line), "BDAT %zu%s", total, last ? " LAST" : "");
	send_line(c, line);
	for (i = 0; i < times; i++)
		send_all(c, p, n);
	sent(c, last ? K_END : K_OTHER, 0, last);
}

/* A line of the fuzzer's; never one that changes the envelope unseen. */
static void
raw(struct client *c, struct input *in)
{
	static const char *const verbs[] = { "MAIL", "RCPT", "DATA",
	    "BDAT" };
	char line[256 + 1];
	const uint8_t *p;
	size_t n, i, start = 0;

	n = take(in, (size_t)(next(in) & 0xff), &p);
	for (i = 0; i < n; i++)
		line[i] = p[i] == '\r' || p[i] == '\n' ? ' ' : (char)p[i];
	line[n] = '\0';
	while (start < n && (line[start] == ' ' || line[start] == '\t'))
		start++;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncasecmp(line + start, verbs[i], 4) == 0)
			line[start] = 'X';
	send_all(c, line, n);
	send_all(c, "\r\n", 2);
	sent(c, K_OTHER, 0, 0);
}

/* One operation; octet % 10 picks it. */
static void
op(struct client *c, struct input *in, int o)
{
	char line[128];
	int a;

	switch (o % 10) {
	case 0:
		send_line(c, (o / 10) & 1 ? "HELO fuzz.client" :
		    "EHLO fuzz.client");
		sent(c, K_OTHER, 0, 0);
		break;
	case 1:
		a = next(in) & 0xff;
		snprintf(line, sizeof(line), "MAIL FROM:<%s>%s",
		    senders[a % NSENDERS],
		    (a / NSENDERS) % 4 == 1 ? " BODY=8BITMIME" :
		    (a / NSENDERS) % 4 == 2 ? " SMTPUTF8" :
		    (a / NSENDERS) % 4 == 3 ? " SIZE=100" : "");
		send_line(c, line);
		sent(c, K_MAIL, (int)(a % NSENDERS), 0);
		break;
	case 2:
		a = (next(in) & 0xff) % (int)NRCPTS;
		snprintf(line, sizeof(line), "RCPT TO:<%s>", rcpts[a]);
		send_line(c, line);
		sent(c, K_RCPT, a, 0);
		break;
	case 3:
		data(c, in, o);
		break;
	case 4:
		bdat(c, in, o);
		break;
	case 5:
		send_line(c, "RSET");
		sent(c, K_OTHER, 0, 0);
		break;
	case 6:
		send_line(c, "NOOP");
		sent(c, K_OTHER, 0, 0);
		break;
	case 7:
		raw(c, in);
		break;
	case 8:
		send_line(c, "QUIT");
		sent(c, K_OTHER, 0, 1);
		c->dead = 1;
		break;
	default:
		if (drain(c) != -1)
			c->pipelining = !c->pipelining;
		break;
	}
}

struct job {
	const struct conf	*conf;
	int			 fd;
};

static void *
run(void *arg)
{
	struct job *j = arg;

	session_run(sess, j->conf, j->fd, j->fd, log_fd);
	shutdown(j->fd, SHUT_RDWR);	/* as its process would exit */
	return NULL;
}

/* The helper's script in place for this input, its record emptied. */
static void
prepare_files(const uint8_t *script, size_t len)
{
	static const char counts[MOCK_DECISIONS];

	if (ftruncate(script_fd, 0) == -1 ||
	    pwrite(script_fd, counts, sizeof(counts), 0) != sizeof(counts) ||
	    pwrite(script_fd, script, len, sizeof(counts)) != (ssize_t)len ||
	    ftruncate(record_fd, 0) == -1 ||
	    lseek(record_fd, 0, SEEK_SET) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct client c;
	struct input in = { data, size };
	struct job job;
	const uint8_t *script;
	pthread_t t;
	char scrap[512];
	size_t n;
	int sv[2], head, o;

	if ((head = next(&in)) == -1)
		return 0;
	n = take(&in, (size_t)(head & 0x7f), &script);
	prepare_files(script, n);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	job.conf = confs[(head >> 7) & 1];
	job.fd = sv[1];
	if (pthread_create(&t, NULL, run, &job) != 0)
		abort();
	memset(&c, 0, sizeof(c));
	c.fd = sv[0];
	if (read_reply(&c) == 220)
		while (!c.dead && (o = next(&in)) != -1)
			op(&c, &in, o);
	drain(&c);
	shutdown(sv[0], SHUT_WR);
	while (read(sv[0], scrap, sizeof(scrap)) > 0)
		;
	pthread_join(t, NULL);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
