/*
 * q_state.c: a queued message's delivery state (q_state.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "q_state.h"

#define Q_STATE_MAGIC	"samotop-state 1"

static const char *const status_names[] = {
	[Q_PENDING] = "pending",
	[Q_DONE] = "done",
	[Q_FAILED] = "failed",
	[Q_BOUNCED] = "bounced",
};

const char *
q_status_name(int status)
{
	if (status < Q_PENDING || status > Q_BOUNCED)
		return "?";
	return status_names[status];
}

int
q_status_parse(const char *word)
{
	int i;

	for (i = Q_PENDING; i <= Q_BOUNCED; i++)
		if (strcmp(word, status_names[i]) == 0)
			return i;
	return -1;
}

int
q_state_init(struct q_state *st, size_t n, time_t now)
{
	size_t i;

	st->nrcpt = 0;
	st->warned = 0;
	/* one element at least: calloc(0) may return NULL */
	if ((st->rcpt = calloc(n ? n : 1, sizeof(*st->rcpt))) == NULL)
		return -1;
	st->nrcpt = n;
	for (i = 0; i < n; i++) {
		st->rcpt[i].status = Q_PENDING;
		st->rcpt[i].next = now;
	}
	return 0;
}

void
q_state_free(struct q_state *st)
{
	free(st->rcpt);
	st->rcpt = NULL;
	st->nrcpt = 0;
}

void
q_state_set_text(struct q_rcpt_state *r, const char *text)
{
	size_t i;

	for (i = 0; i < Q_TEXT_MAX && text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];

		r->text[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	r->text[i] = '\0';
}

int
q_state_format(const struct q_state *st, char *buf, size_t size)
{
	size_t off = 0, i;
	int n;

	n = snprintf(buf, size, "%s\n", Q_STATE_MAGIC);
	if (n < 0 || (size_t)n >= size)
		return -1;
	off = (size_t)n;
	for (i = 0; i < st->nrcpt; i++) {
		const struct q_rcpt_state *r = &st->rcpt[i];
		struct q_rcpt_state clean;

		/* the text on one line whatever was put there */
		q_state_set_text(&clean, r->text);
		n = snprintf(buf + off, size - off, "rcpt %zu %s %u %lld %d%s%s\n",
		    i, q_status_name(r->status), r->attempts,
		    (long long)r->next, r->code, clean.text[0] ? " " : "",
		    clean.text);
		if (n < 0 || (size_t)n >= size - off)
			return -1;
		off += (size_t)n;
	}
	if (st->warned != 0) {
		n = snprintf(buf + off, size - off, "warned %lld\n",
		    (long long)st->warned);
		if (n < 0 || (size_t)n >= size - off)
			return -1;
		off += (size_t)n;
	}
	return off > INT_MAX ? -1 : (int)off;
}

/* An unsigned decimal number ending at a space or the line's end. */
static int
number(const char **p, const char *end, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (s < end && *s != ' ')
		return -1;
	*out = v;
	*p = s < end ? s + 1 : s;
	return 0;
}

static int
word(const char **p, const char *end, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && *s != ' ') {
		if (n + 1 >= size)
			return -1;
		out[n++] = *s++;
	}
	out[n] = '\0';
	if (n == 0)
		return -1;
	*p = s < end ? s + 1 : s;
	return 0;
}

#define TIME_MAX	(sizeof(time_t) >= 8 ? (unsigned long long)INT64_MAX : \
			    (unsigned long long)INT32_MAX)

static int
rcpt_line(struct q_state *st, const char *p, const char *end)
{
	unsigned long long idx, attempts, next, code;
	struct q_rcpt_state *r;
	char name[16];
	int status;

	if (number(&p, end, SIZE_MAX, &idx) == -1 || idx >= st->nrcpt ||
	    word(&p, end, name, sizeof(name)) == -1 ||
	    (status = q_status_parse(name)) == -1 ||
	    number(&p, end, UINT_MAX, &attempts) == -1 ||
	    number(&p, end, TIME_MAX, &next) == -1 ||
	    number(&p, end, 999, &code) == -1)
		return -1;
	if ((size_t)(end - p) > Q_TEXT_MAX)
		return -1;
	r = &st->rcpt[idx];
	r->status = status;
	r->attempts = (unsigned)attempts;
	r->next = (time_t)next;
	r->code = (int)code;
	memcpy(r->text, p, (size_t)(end - p));
	r->text[end - p] = '\0';
	/* what reads it back gets the same one printable line */
	q_state_set_text(r, r->text);
	return 0;
}

int
q_state_parse(struct q_state *st, size_t nrcpt, const char *buf,
    size_t len)
{
	const char *p = buf, *end = buf + len, *eol;
	unsigned long long v;
	int first = 1;

	if (q_state_init(st, nrcpt, 0) == -1)
		return -1;
	while (p < end) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (first) {
			if ((size_t)(eol - p) != strlen(Q_STATE_MAGIC) ||
			    memcmp(p, Q_STATE_MAGIC, (size_t)(eol - p)) != 0)
				goto bad;
			first = 0;
		} else if (eol - p > 5 && memcmp(p, "rcpt ", 5) == 0) {
			if (rcpt_line(st, p + 5, eol) == -1)
				goto bad;
		} else if (eol - p > 7 && memcmp(p, "warned ", 7) == 0) {
			const char *q = p + 7;

			if (number(&q, eol, TIME_MAX, &v) == -1 || q != eol)
				goto bad;
			st->warned = (time_t)v;
		}
		/* any other line: a later version's, ignored */
		p = eol < end ? eol + 1 : eol;
	}
	if (first)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static void
path_of(char *out, size_t size, const char *dir, const char *sub,
    const char *id, const char *suffix)
{
	snprintf(out, size, "%s/%s/%s%s", dir, sub, id, suffix);
}

int
q_state_read(const char *dir, const char *id, size_t nrcpt, time_t now,
    struct q_state *st)
{
	char path[PATH_MAX];
	char *buf;
	size_t len;
	int rc, save;

	st->rcpt = NULL;
	st->nrcpt = 0;
	path_of(path, sizeof(path), dir, "state", id, "");
	rc = fd_read_file(path, Q_STATE_MAX, &buf, &len);
	if (rc == -1 && errno == ENOENT)
		return q_state_init(st, nrcpt, now);
	if (rc != 0) {
		if (rc == FD_TOO_LARGE)
			errno = EFBIG;
		else if (rc == FD_NOT_REGULAR)
			errno = EINVAL;
		return -1;
	}
	rc = q_state_parse(st, nrcpt, buf, len);
	save = errno;
	free(buf);
	if (rc == -1) {
		q_state_free(st);
		errno = save;
	}
	return rc;
}

static int
fsync_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	int fd, rc, save;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	save = errno;
	close(fd);
	errno = save;
	return rc;
}

int
q_state_write(const char *dir, const char *id, const struct q_state *st)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	char *buf;
	size_t size;
	int fd, len, save;

	/* the largest a line can be, and the magic and warned lines */
	size = 64 + st->nrcpt * (Q_TEXT_MAX + 96);
	if ((buf = malloc(size)) == NULL)
		return -1;
	if ((len = q_state_format(st, buf, size)) == -1) {
		free(buf);
		errno = EOVERFLOW;
		return -1;
	}
	path_of(tmp, sizeof(tmp), dir, "tmp", id, ".state");
	path_of(path, sizeof(path), dir, "state", id, "");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd == -1) {
		save = errno;
		free(buf);
		errno = save;
		return -1;
	}
	if (fd_write_all(fd, buf, (size_t)len) == -1 || fsync(fd) == -1) {
		save = errno;
		close(fd);
		unlink(tmp);
		free(buf);
		errno = save;
		return -1;
	}
	free(buf);
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		save = errno;
		unlink(tmp);
		errno = save;
		return -1;
	}
	return fsync_dir(dir, "state");
}

int
q_state_remove(const char *dir, const char *id)
{
	char path[PATH_MAX];

	path_of(path, sizeof(path), dir, "state", id, "");
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}
