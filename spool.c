/*
 * spool.c: a message held in memory, then in a nameless file as
 * AES-256-CTR ciphertext under a key only this process has (spool.h).
 */
/* O_TMPFILE and mkostemp(3) are Linux/GNU: only this file asks for them. */
#define _GNU_SOURCE

#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

/* The most one spool_read() takes from the file, in an int for EVP. */
#define SPOOL_READ_MAX	(1 << 30)

/* Break the spool: remember the first error and its errno. */
static enum spool_error
fail(struct spool *s, enum spool_error e, int errnum)
{
	if (s->error == SPOOL_OK) {
		s->error = e;
		s->errnum = errnum;
	}
	errno = s->errnum;
	return s->error;
}

/* The file system is full, or the file may grow no more. */
static enum spool_error
io_error(int errnum)
{
	switch (errnum) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return SPOOL_NOROOM;
	default:
		return SPOOL_IO;
	}
}

/* A new key and IV for the next message, and the writer at its start. */
static enum spool_error
rekey(struct spool *s)
{
	if (getrandom(s->key, sizeof(s->key), 0) != (ssize_t)sizeof(s->key) ||
	    getrandom(s->iv, sizeof(s->iv), 0) != (ssize_t)sizeof(s->iv))
		return fail(s, SPOOL_CRYPTO, errno);
	if (cryptolib_ctr_start(s->lib, s->wctx, s->key, s->iv) == -1)
		return fail(s, SPOOL_CRYPTO, 0);
	return SPOOL_OK;
}

int
spool_open(struct spool *s, const char *dir, struct cryptolib *lib,
    off_t max, char *why, size_t size)
{
	(void)why;
	(void)size;
	memset(s, 0, offsetof(struct spool, buf));
	s->fd = -1;
	s->lib = lib;
	s->dir = dir;
	s->max = max;
	return 0;
}

/*
 * The first octets a message puts into the file: libcrypto and the
 * cipher contexts when the session has none yet, this message's key.
 * A message that fits in the buffer never needs them (nor the 1 to 2 ms
 * that loading libcrypto takes).
 */
static enum spool_error
arm(struct spool *s)
{
	char why[256];

	if (!s->ready) {
		if (cryptolib_open(s->lib, why, sizeof(why)) == -1 ||
		    (s->wctx = cryptolib_ctr_new(s->lib)) == NULL ||
		    (s->rctx = cryptolib_ctr_new(s->lib)) == NULL)
			return fail(s, SPOOL_CRYPTO, 0);
		s->ready = 1;
	}
	if (!s->keyed) {
		if (rekey(s) != SPOOL_OK)
			return s->error;
		s->keyed = 1;
	}
	return SPOOL_OK;
}

/*
 * The file, with no name: O_TMPFILE, O_EXCL so that it can never be
 * given one with linkat(2).  Without O_TMPFILE (Linux < 3.11: EISDIR;
 * a file system without it: EOPNOTSUPP), a name for as long as it takes
 * to unlink it.  Close-on-exec: the helpers are not to inherit it.
 */
static enum spool_error
create(struct spool *s)
{
	char path[PATH_MAX];
	int fd = -1, n;

	if (!s->no_tmpfile) {
		fd = open(s->dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC,
		    0600);
		if (fd == -1 && errno != EOPNOTSUPP && errno != EISDIR)
			goto bad;
	}
	if (fd == -1) {
		n = snprintf(path, sizeof(path), "%s/.samotop-spool.XXXXXX",
		    s->dir);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			errno = ENAMETOOLONG;
			goto bad;
		}
		if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
			goto bad;
		if (unlink(path) == -1) {
			n = errno;
			close(fd);
			errno = n;
			goto bad;
		}
	}
	s->fd = fd;
	return SPOOL_OK;
bad:
	n = errno;
	return fail(s, n == ENOSPC || n == EDQUOT ? SPOOL_NOROOM :
	    SPOOL_CREATE, n);
}

/* Encrypt the full buffer in place and append it to the file. */
static enum spool_error
flush(struct spool *s)
{
	unsigned char *p = s->buf;
	size_t left = s->blen;
	ssize_t n;

	if (s->fd == -1 && create(s) != SPOOL_OK)
		return s->error;
	if (arm(s) != SPOOL_OK)
		return s->error;
	if (cryptolib_ctr(s->lib, s->wctx, s->buf, s->buf, s->blen) == -1)
		return fail(s, SPOOL_CRYPTO, 0);
	while (left > 0) {
		/* A short write is followed by the one that says why. */
		n = pwrite(s->fd, p, left, s->flen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return fail(s, io_error(errno), errno);
		if (n == 0)
			return fail(s, SPOOL_NOROOM, ENOSPC);
		p += n;
		left -= (size_t)n;
		s->flen += n;
	}
	s->blen = 0;
	return SPOOL_OK;
}

enum spool_error
spool_write(struct spool *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n;

	if (s->error != SPOOL_OK)
		return fail(s, s->error, s->errnum);
	if (s->reading)
		return fail(s, SPOOL_MISUSE, EINVAL);
	if (s->size > s->max || len > (size_t)(s->max - s->size)) {
		errno = EFBIG;
		return SPOOL_TOOBIG;
	}
	while (len > 0) {
		/* Only when more must come: a full buffer may be all. */
		if (s->blen == sizeof(s->buf) && flush(s) != SPOOL_OK)
			return s->error;
		n = sizeof(s->buf) - s->blen;
		if (n > len)
			n = len;
		memcpy(s->buf + s->blen, p, n);
		s->blen += n;
		s->size += (off_t)n;
		p += n;
		len -= n;
	}
	return SPOOL_OK;
}

off_t
spool_size(const struct spool *s)
{
	return s->size;
}

enum spool_error
spool_rewind(struct spool *s)
{
	if (s->error != SPOOL_OK)
		return fail(s, s->error, s->errnum);
	if (s->keyed && cryptolib_ctr_start(s->lib, s->rctx, s->key, s->iv) ==
	    -1)
		return fail(s, SPOOL_CRYPTO, 0);
	s->roff = 0;
	s->reading = 1;
	return SPOOL_OK;
}

ssize_t
spool_read(struct spool *s, void *buf, size_t size)
{
	off_t avail;
	size_t off;
	ssize_t n;

	if (s->error != SPOOL_OK) {
		fail(s, s->error, s->errnum);
		return -1;
	}
	if (!s->reading) {
		fail(s, SPOOL_MISUSE, EINVAL);
		return -1;
	}
	if (size == 0)
		return 0;
	if (s->roff < s->flen) {
		avail = s->flen - s->roff;
		if (size > SPOOL_READ_MAX)
			size = SPOOL_READ_MAX;
		if ((off_t)size > avail)
			size = (size_t)avail;
		do
			n = pread(s->fd, buf, size, s->roff);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			fail(s, SPOOL_IO, errno);
			return -1;
		}
		if (n == 0) {
			fail(s, SPOOL_SHORT, EIO);
			return -1;
		}
		if (cryptolib_ctr(s->lib, s->rctx, buf, buf, (size_t)n) ==
		    -1) {
			fail(s, SPOOL_CRYPTO, 0);
			return -1;
		}
		s->roff += n;
		return n;
	}
	off = (size_t)(s->roff - s->flen);
	if (off >= s->blen)
		return 0;
	if (size > s->blen - off)
		size = s->blen - off;
	memcpy(buf, s->buf + off, size);
	s->roff += (off_t)size;
	return (ssize_t)size;
}

enum spool_error
spool_error(const struct spool *s)
{
	return s->error;
}

int
spool_errno(const struct spool *s)
{
	return s->errnum;
}

const char *
spool_strerror(enum spool_error e)
{
	switch (e) {
	case SPOOL_OK:
		return "no error";
	case SPOOL_TOOBIG:
		return "message larger than the limit";
	case SPOOL_NOROOM:
		return "no room on the spool";
	case SPOOL_CREATE:
		return "cannot create the spool file";
	case SPOOL_IO:
		return "spool file input/output error";
	case SPOOL_SHORT:
		return "spool file shorter than written";
	case SPOOL_CRYPTO:
		return "spool encryption failed";
	case SPOOL_MISUSE:
		return "spool used out of order";
	}
	return "unknown spool error";
}

/*
 * What the buffer holds in the clear is its first blen octets: a flush
 * encrypts it in place, so what lies beyond is ciphertext or zeroes.
 */
enum spool_error
spool_reset(struct spool *s)
{
	explicit_bzero(s->buf, s->blen);
	explicit_bzero(s->key, sizeof(s->key));
	explicit_bzero(s->iv, sizeof(s->iv));
	s->size = s->flen = s->roff = 0;
	s->blen = 0;
	s->reading = 0;
	s->error = SPOOL_OK;
	s->errnum = 0;
	/* The contexts hold the old key's schedule: gone too. */
	if (s->keyed && (cryptolib_ctr_wipe(s->lib, s->wctx) == -1 ||
	    cryptolib_ctr_wipe(s->lib, s->rctx) == -1))
		return fail(s, SPOOL_CRYPTO, 0);
	s->keyed = 0;		/* the next message's at its first flush */
	if (s->fd != -1 && ftruncate(s->fd, 0) == -1)
		return fail(s, SPOOL_IO, errno);
	return SPOOL_OK;
}

void
spool_close(struct spool *s)
{
	explicit_bzero(s->buf, s->blen);
	explicit_bzero(s->key, sizeof(s->key));
	explicit_bzero(s->iv, sizeof(s->iv));
	if (s->ready) {
		cryptolib_ctr_free(s->lib, s->wctx);
		cryptolib_ctr_free(s->lib, s->rctx);
	}
	s->wctx = s->rctx = NULL;
	s->ready = s->keyed = 0;
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	s->size = s->flen = s->roff = 0;
	s->blen = 0;
	s->reading = 0;
}
