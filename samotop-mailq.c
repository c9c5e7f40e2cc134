/*
 * samotop-mailq: list the queue, retry a message now, delete one.
 *
 *	samotop-mailq [-V] [-c file] [-d ID | -r ID]
 *
 * The listing, oldest first, one block per message:
 *
 *	ID AGE SIZE <SENDER>
 *	  RCPT STATUS attempts=N next=WHEN last="CODE TEXT"
 *
 * the recipient lines from DIR/state/ID when it exists (SHARED15's
 * format, read here by a small parser of its own so that this program
 * needs nothing of samotop-send), else "pending attempts=0 next=now".
 *
 * -r ID: every pending recipient due now: state/ID rewritten with each
 * pending line's next try set to now, every other line kept as it is
 * (tmp/ID.mailq, fsync, rename, fsync state/).  samotop-send sees it at
 * its next scan (within a minute), or at once when inotify tells it.
 * -d ID: the message removed, env/ID first, then state/ID and mess/ID;
 * no bounce is sent.
 *
 * Exit status: 0; EX_USAGE bad options or an ID of the wrong form;
 * EX_CONFIG the configuration; EX_NOINPUT no such message (-r, -d) or
 * the queue directory cannot be read (one that does not exist yet is
 * an empty queue); EX_DATAERR some message could not
 * be read (listed on stderr, the others listed); EX_IOERR a write or
 * removal failed; EX_OSERR out of memory.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "q_conf.h"
#include "q_dir.h"
#include "q_env.h"
#include "q_id.h"
#include "version.h"

#define MQ_STATE_MAX	(256 * 1024)	/* a state file's largest size */
#define MQ_TEXT_MAX	512		/* a recipient's last reply */

struct mq_rcpt {
	char		status[16];	/* "" when the state does not say */
	unsigned long	attempts;
	long long	next;
	int		code;
	char		text[MQ_TEXT_MAX + 1];
};

struct mq {
	const char	*dir;
	time_t		 now;
	char		(*rcpt)[ADDR_MAX + 1];
	struct mq_rcpt	*st;		/* Q_RCPT_MAX */
	char		*text;		/* MQ_STATE_MAX + 1 */
	size_t		 nmsg, npending;
	int		 bad;
};

static void
warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("samotop-mailq: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static _Noreturn void
usage(void)
{
	fputs("usage: samotop-mailq [-V] [-c file] [-d ID | -r ID]\n",
	    stderr);
	exit(EX_USAGE);
}

/* DIR/state/ID into m->text: its length, 0 when absent, -1 on error. */
static ssize_t
read_state(struct mq *m, const char *id)
{
	char path[1024];
	size_t len = 0;
	ssize_t n;
	int fd, saved;

	if (q_dir_path(path, sizeof(path), m->dir, "state", id) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT ? 0 : -1;
	while (len <= MQ_STATE_MAX) {
		n = read(fd, m->text + len, MQ_STATE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = errno;
			close(fd);
			if (n == 0)
				break;
			errno = saved;
			return -1;
		}
		len += (size_t)n;
	}
	if (len > MQ_STATE_MAX) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	m->text[len] = '\0';
	return (ssize_t)len;
}

/* A decimal number at *p, then one space (or the end). */
static int
number(const char **p, long long *v)
{
	const char *s = *p;
	long long x = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > 99999999999999LL)
			return -1;
		x = x * 10 + (*s - '0');
	}
	if (*s == ' ')
		s++;
	else if (*s != '\0')
		return -1;
	*p = s;
	*v = x;
	return 0;
}

/*
 * "rcpt N STATUS ATTEMPTS NEXT_TRY LAST_CODE TEXT" (line NUL-terminated,
 * without its LF) into st[N].  Other lines: 0, ignored.  -1: malformed.
 */
static int
state_line(const char *line, struct mq_rcpt *st, size_t nrcpt)
{
	const char *p = line, *sp;
	long long n, a, next, code;
	size_t k;

	if (strncmp(p, "rcpt ", 5) != 0)
		return 0;
	p += 5;
	if (number(&p, &n) == -1 || (sp = strchr(p, ' ')) == NULL)
		return -1;
	k = (size_t)(sp - p);
	if (n < 0 || (size_t)n >= nrcpt || k == 0 ||
	    k >= sizeof(st->status))
		return -1;
	memcpy(st[n].status, p, k);
	st[n].status[k] = '\0';
	p = sp + 1;
	if (number(&p, &a) == -1 || number(&p, &next) == -1 ||
	    number(&p, &code) == -1 || code > 999)
		return -1;
	st[n].attempts = (unsigned long)a;
	st[n].next = next;
	st[n].code = (int)code;
	snprintf(st[n].text, sizeof(st[n].text), "%s", p);
	return 0;
}

static int
parse_state(struct mq *m, size_t len, size_t nrcpt)
{
	char *p = m->text, *end = m->text + len, *nl;

	if (strncmp(p, "samotop-state 1\n", 16) != 0)
		return -1;
	for (p += 16; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		if (state_line(p, m->st, nrcpt) == -1)
			return -1;
	}
	return 0;
}

static void
age(char *buf, size_t size, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%lldh", s / 86400, s % 86400 / 3600);
}

static void
when(char *buf, size_t size, long long t, time_t now)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= now || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "now");
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
list_one(const char *id, void *arg)
{
	struct mq *m = arg;
	struct q_env e;
	enum q_env_error err;
	char path[1024], a[32], next[32];
	struct stat st;
	ssize_t len;
	size_t i;

	if ((err = q_env_read(m->dir, id, &e, m->rcpt, Q_RCPT_MAX)) !=
	    Q_ENV_OK) {
		if (err == Q_ENV_ESYS && errno == ENOENT)
			return 0;	/* delivered meanwhile */
		warnx_("%s: env: %s", id, q_env_strerror(err));
		m->bad = 1;
		return 0;
	}
	for (i = 0; i < e.nrcpt; i++) {
		m->st[i].status[0] = '\0';
		m->st[i].attempts = 0;
		m->st[i].next = 0;
		m->st[i].code = 0;
		m->st[i].text[0] = '\0';
	}
	if ((len = read_state(m, id)) == -1 ||
	    (len > 0 && parse_state(m, (size_t)len, e.nrcpt) == -1)) {
		warnx_("%s: state: %s", id, len == -1 ? strerror(errno) :
		    "malformed");
		m->bad = 1;
	}
	if (q_dir_path(path, sizeof(path), m->dir, "mess", id) == -1 ||
	    stat(path, &st) == -1)
		st.st_size = -1;
	age(a, sizeof(a), (long long)(m->now - e.time));
	printf("%s %s %lld <%s>\n", id, a, (long long)st.st_size, e.from);
	for (i = 0; i < e.nrcpt; i++) {
		const struct mq_rcpt *r = &m->st[i];
		const char *status = r->status[0] != '\0' ? r->status :
		    "pending";

		if (strcmp(status, "pending") == 0)
			m->npending++;
		when(next, sizeof(next), r->next, m->now);
		printf("  %s %s attempts=%lu", e.rcpt[i], status,
		    r->attempts);
		if (strcmp(status, "pending") == 0)
			printf(" next=%s", next);
		if (r->code != 0 || r->text[0] != '\0')
			printf(" last=\"%d %s\"", r->code, r->text);
		printf("\n");
	}
	m->nmsg++;
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * state/ID with every pending line's NEXT_TRY now: the file is written
 * again line by line, the others as they were.
 */
static int
retry(struct mq *m, const char *id)
{
	char tmp[1024], path[1024], d[1024], *p, *end, *nl, *f;
	ssize_t len;
	int fd, i;
	size_t n = 0;
	char now[32];

	snprintf(now, sizeof(now), "%lld", (long long)m->now);
	if (q_dir_path(path, sizeof(path), m->dir, "env", id) == -1 ||
	    access(path, F_OK) == -1) {
		warnx_("%s: not in the queue", id);
		return EX_NOINPUT;
	}
	if ((len = read_state(m, id)) == -1) {
		warnx_("%s: state: %s", id, strerror(errno));
		return EX_IOERR;
	}
	if (len == 0) {
		printf("%s: nothing tried yet: due now\n", id);
		return EX_OK;
	}
	/* not ID.state: that name is samotop-send's, whose file it is */
	snprintf(d, sizeof(d), "%s.mailq", id);
	if (q_dir_path(tmp, sizeof(tmp), m->dir, "tmp", d) == -1 ||
	    q_dir_path(path, sizeof(path), m->dir, "state", id) == -1)
		return EX_IOERR;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd == -1 && errno == EEXIST) {
		/* left by a samotop-mailq that was killed */
		(void)unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	}
	if (fd == -1) {
		warnx_("%s: %s", tmp, strerror(errno));
		return EX_IOERR;
	}
	end = m->text + len;
	for (p = m->text; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		/* rcpt N pending ATTEMPTS NEXT ...: field 4 is NEXT */
		f = p;
		if ((size_t)(nl - p) > 5 && strncmp(p, "rcpt ", 5) == 0 &&
		    (f = memchr(p + 5, ' ', (size_t)(nl - p - 5))) != NULL &&
		    (size_t)(nl - f) > 9 && strncmp(f, " pending ", 9) == 0 &&
		    (f = memchr(f + 9, ' ', (size_t)(nl - f - 9))) != NULL) {
			char *e = memchr(f + 1, ' ', (size_t)(nl - f - 1));

			if (e == NULL)
				e = nl;
			if (write_all(fd, p, (size_t)(f + 1 - p)) == -1 ||
			    write_all(fd, now, strlen(now)) == -1 ||
			    write_all(fd, e, (size_t)(nl - e)) == -1)
				goto fail;
			n++;
		} else if (write_all(fd, p, (size_t)(nl - p)) == -1)
			goto fail;
		if (nl < end && write_all(fd, "\n", 1) == -1)
			goto fail;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	if (q_dir_path(d, sizeof(d), m->dir, "state", NULL) == 0 &&
	    (i = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(i);
		close(i);
	}
	/* delivered and removed meanwhile: no state without its env */
	if (q_dir_path(d, sizeof(d), m->dir, "env", id) == 0 &&
	    access(d, F_OK) == -1 && errno == ENOENT)
		(void)unlink(path);
	printf("%s: %zu recipient%s due now\n", id, n, n == 1 ? "" : "s");
	return EX_OK;
fail:
	warnx_("%s: %s", tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	return EX_IOERR;
}

static int
delete(struct mq *m, const char *id)
{
	char path[1024];

	if (q_dir_path(path, sizeof(path), m->dir, "env", id) == -1 ||
	    access(path, F_OK) == -1) {
		warnx_("%s: not in the queue", id);
		return EX_NOINPUT;
	}
	if (q_dir_remove(m->dir, id) == -1) {
		warnx_("%s: %s", id, strerror(errno));
		return EX_IOERR;
	}
	printf("%s: deleted\n", id);
	return EX_OK;
}

static int
list(struct mq *m)
{
	/* a queue not made yet is an empty one */
	if (q_dir_list(m->dir, "env", list_one, m) == -1 && errno != ENOENT) {
		warnx_("%s/env: %s", m->dir, strerror(errno));
		return EX_NOINPUT;
	}
	if (m->nmsg == 0)
		printf("queue is empty\n");
	else
		printf("%zu message%s, %zu recipient%s pending\n", m->nmsg,
		    m->nmsg == 1 ? "" : "s", m->npending,
		    m->npending == 1 ? "" : "s");
	return m->bad ? EX_DATAERR : EX_OK;
}

int
main(int argc, char *argv[])
{
	static struct mq m;
	struct conf *conf;
	const char *path = NULL, *id = NULL;
	char msg[512], *text;
	int ch, action = 0, rc;

	while ((ch = getopt(argc, argv, "c:d:r:V")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
		case 'r':
			if (action != 0)
				usage();
			action = ch;
			id = optarg;
			break;
		case 'V':
			version_exit("samotop-mailq");
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (id != NULL && !q_id_valid(id)) {
		warnx_("%s: not a queue ID", id);
		return EX_USAGE;
	}
	if ((conf = malloc(sizeof(*conf))) == NULL ||
	    (m.rcpt = calloc(Q_RCPT_MAX, sizeof(*m.rcpt))) == NULL ||
	    (m.st = calloc(Q_RCPT_MAX, sizeof(*m.st))) == NULL ||
	    (m.text = malloc(MQ_STATE_MAX + 1)) == NULL) {
		warnx_("%s", strerror(errno));
		return EX_OSERR;
	}
	if (q_conf_load(conf, path, &text, msg, sizeof(msg)) == -1) {
		warnx_("%s", msg);
		return EX_CONFIG;
	}
	m.dir = conf->queue_dir;
	m.now = time(NULL);
	umask(027);
	if (action == 'd')
		rc = delete(&m, id);
	else if (action == 'r')
		rc = retry(&m, id);
	else
		rc = list(&m);
	free(m.text);
	free(m.st);
	free(m.rcpt);
	free(conf);
	free(text);
	return rc;
}
