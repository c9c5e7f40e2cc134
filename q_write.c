/*
 * q_write.c: the enqueue and its commit protocol (q_write.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "q_write.h"

enum { W_CLOSED, W_OPEN, W_FAILED };

#define FILE_MODE	0640

void
q_write_init(struct q_writer *w)
{
	w->dirfd = -1;
	w->fd = -1;
	w->state = W_CLOSED;
	w->id[0] = '\0';
	w->time = 0;
	w->size = 0;
	w->err = Q_WRITE_OK;
	w->err_errno = 0;
	w->err_what = "";
	w->err_env = Q_ENV_OK;
	w->buflen = 0;
}

/* Record the first failure, from errno; always -1. */
static int
fail(struct q_writer *w, const char *what)
{
	int e = errno;

	if (w->err == Q_WRITE_OK) {
		w->err = (e == ENOSPC || e == EDQUOT) ? Q_WRITE_ENOSPC :
		    Q_WRITE_ESYS;
		w->err_errno = e;
		w->err_what = what;
	}
	if (w->state == W_OPEN)
		w->state = W_FAILED;
	errno = e;
	return -1;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, p, n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* "SUB/NAME" relative to the queue directory */
static void
rel(char *buf, size_t size, const char *sub, const char *id,
    const char *suffix)
{
	snprintf(buf, size, "%s/%s%s", sub, id, suffix);
}

static int
sync_dir(struct q_writer *w, const char *sub, const char *what)
{
	int fd, rc;

	if ((fd = openat(w->dirfd, sub, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return fail(w, what);
	rc = fsync(fd);
	if (rc == -1) {
		fail(w, what);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
q_write_open(struct q_writer *w, const char *dir, time_t now)
{
	char name[64];
	int tries;

	q_write_init(w);
	if ((w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return fail(w, "open the queue directory");
	w->state = W_OPEN;
	for (tries = 0; tries < 4; tries++) {
		if (q_id_new(w->id, now) == -1)
			break;
		rel(name, sizeof(name), "tmp", w->id, ".mess");
		w->fd = openat(w->dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, FILE_MODE);
		if (w->fd != -1 || errno != EEXIST)
			break;
	}
	if (w->fd == -1) {
		fail(w, "create tmp/");
		q_write_abort(w);
		return -1;
	}
	w->time = now;
	return 0;
}

static int
flush(struct q_writer *w)
{
	if (w->buflen > 0 && write_all(w->fd, w->buf, w->buflen) == -1)
		return fail(w, "write tmp/");
	w->buflen = 0;
	return 0;
}

int
q_write_data(struct q_writer *w, const char *buf, size_t len)
{
	size_t n;

	if (w->state != W_OPEN) {
		if (w->err == Q_WRITE_OK)
			w->err = Q_WRITE_ESTATE;
		return -1;
	}
	while (len > 0) {
		if (w->buflen == sizeof(w->buf) && flush(w) == -1)
			return -1;
		n = sizeof(w->buf) - w->buflen;
		if (n > len)
			n = len;
		memcpy(w->buf + w->buflen, buf, n);
		w->buflen += n;
		w->size += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int
q_write_prepend(struct q_writer *w, const char *buf, size_t len)
{
	char mess[64], pre[64];
	int in = -1, out;
	ssize_t n;

	if (w->state != W_OPEN) {
		if (w->err == Q_WRITE_OK)
			w->err = Q_WRITE_ESTATE;
		return -1;
	}
	if (flush(w) == -1)
		return -1;
	rel(mess, sizeof(mess), "tmp", w->id, ".mess");
	rel(pre, sizeof(pre), "tmp", w->id, ".pre");
	if ((out = openat(w->dirfd, pre, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, FILE_MODE)) == -1)
		return fail(w, "create tmp/ pre");
	if ((in = openat(w->dirfd, mess, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		fail(w, "open tmp/");
		goto fail;
	}
	if (write_all(out, buf, len) == -1) {
		fail(w, "write tmp/ pre");
		goto fail;
	}
	/* the buffer is empty after the flush: the copy goes through it */
	while ((n = read(in, w->buf, sizeof(w->buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fail(w, "read tmp/");
			goto fail;
		}
		if (write_all(out, w->buf, (size_t)n) == -1) {
			fail(w, "write tmp/ pre");
			goto fail;
		}
	}
	if (renameat(w->dirfd, pre, w->dirfd, mess) == -1) {
		fail(w, "rename tmp/ pre");
		goto fail;
	}
	close(in);
	close(w->fd);
	w->fd = out;
	w->size += len;
	return 0;
fail:
	{
		int saved = errno;

		if (in != -1)
			close(in);
		close(out);
		(void)unlinkat(w->dirfd, pre, 0);
		errno = saved;
	}
	return -1;
}

/* Remove mess/ID (renamed in before a later step failed). */
static void
unlink_mess(struct q_writer *w)
{
	char name[64];
	int saved = errno;

	rel(name, sizeof(name), "mess", w->id, "");
	(void)unlinkat(w->dirfd, name, 0);
	errno = saved;
}

int
q_write_commit(struct q_writer *w, struct q_env *e)
{
	char from[64], to[64];
	char text[Q_ENV_MAX];
	size_t len;
	int fd;

	if (w->state != W_OPEN) {
		if (w->err == Q_WRITE_OK)
			w->err = Q_WRITE_ESTATE;
		q_write_abort(w);
		return -1;
	}
	memcpy(e->id, w->id, sizeof(e->id));
	e->time = w->time;
	if ((w->err_env = q_env_format(e, text, sizeof(text), &len)) !=
	    Q_ENV_OK) {
		w->err = Q_WRITE_EENV;
		w->err_what = "format env";
		q_write_abort(w);
		return -1;
	}
	/* the message: content, fsync, rename, directory sync */
	if (flush(w) == -1 || (fsync(w->fd) == -1 &&
	    fail(w, "fsync tmp/") == -1)) {
		q_write_abort(w);
		return -1;
	}
	if (close(w->fd) == -1) {
		w->fd = -1;
		fail(w, "close tmp/");
		q_write_abort(w);
		return -1;
	}
	w->fd = -1;
	rel(from, sizeof(from), "tmp", w->id, ".mess");
	rel(to, sizeof(to), "mess", w->id, "");
	if (renameat(w->dirfd, from, w->dirfd, to) == -1) {
		fail(w, "rename to mess/");
		q_write_abort(w);
		return -1;
	}
	if (sync_dir(w, "mess", "fsync mess/") == -1)
		goto fail_mess;
	/* the envelope: the same, and its rename is the commit */
	rel(from, sizeof(from), "tmp", w->id, ".env");
	rel(to, sizeof(to), "env", w->id, "");
	fd = openat(w->dirfd, from, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, FILE_MODE);
	if (fd == -1) {
		fail(w, "create tmp/ env");
		goto fail_mess;
	}
	if (write_all(fd, text, len) == -1 || fsync(fd) == -1) {
		fail(w, "write tmp/ env");
		close(fd);
		goto fail_env;
	}
	if (close(fd) == -1) {
		fail(w, "close tmp/ env");
		goto fail_env;
	}
	if (renameat(w->dirfd, from, w->dirfd, to) == -1) {
		fail(w, "rename to env/");
		goto fail_env;
	}
	/*
	 * Committed: from here the message is queued even if the sync
	 * fails, so it is not removed; but 250 waits for the sync, and
	 * without it the client retries (a duplicate, never a loss).
	 */
	if (sync_dir(w, "env", "fsync env/") == -1) {
		close(w->dirfd);
		w->dirfd = -1;
		w->state = W_CLOSED;
		return -1;
	}
	close(w->dirfd);
	w->dirfd = -1;
	w->state = W_CLOSED;
	return 0;
fail_env:
	{
		int saved = errno;

		(void)unlinkat(w->dirfd, from, 0);
		errno = saved;
	}
fail_mess:
	unlink_mess(w);
	q_write_abort(w);
	return -1;
}

void
q_write_abort(struct q_writer *w)
{
	char name[64];
	int saved = errno;

	if (w->fd != -1) {
		close(w->fd);
		w->fd = -1;
	}
	if (w->dirfd != -1) {
		if (w->id[0] != '\0') {
			rel(name, sizeof(name), "tmp", w->id, ".mess");
			(void)unlinkat(w->dirfd, name, 0);
		}
		close(w->dirfd);
		w->dirfd = -1;
	}
	w->state = W_CLOSED;
	errno = saved;
}

const char *
q_write_strerror(enum q_write_error err)
{
	switch (err) {
	case Q_WRITE_OK:	return "no error";
	case Q_WRITE_ENOSPC:	return "disk full";
	case Q_WRITE_ESYS:	return "system error";
	case Q_WRITE_EENV:	return "bad envelope";
	case Q_WRITE_ESTATE:	return "writer not open";
	}
	return "unknown error";
}
