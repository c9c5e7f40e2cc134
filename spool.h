/*
 * spool.h: a transient spool for one message at a time, which never
 * puts the plaintext on a disk.
 *
 * Checks whose verdict is known only after the body (DKIM, DMARC, a
 * milter's changes) must come before the header that reports them, so
 * the message waits here until the verdict, then is read back and
 * streamed to the delivery helper.
 *
 * The first SPOOL_MEM octets stay in memory, in the struct itself: a
 * small message never touches the disk.  When a write does not fit,
 * the buffer is encrypted and appended to a file that has no name from
 * the start (open(2) O_TMPFILE in dir; on a kernel or file system
 * without it, mkstemp(3) and an unlink(2) at once, so that a name
 * exists for an instant), and the buffer is reused.  Each message has
 * its own 256-bit key and 128-bit IV from getrandom(2), for AES-256-CTR
 * (cryptolib.h); they live only in this struct, so when the session
 * ends, or dies, what the file held cannot be read by anyone: the file
 * has no name and its key is gone.
 *
 * A spool is used as: spool_open(); per message spool_write()... ,
 * spool_rewind() and spool_read() until 0 (rewind again to read it
 * again), spool_reset(); at the end spool_close().  No write after a
 * rewind until the reset.  After an error the spool refuses everything
 * but spool_reset() and spool_close() (a refused spool_write() beyond
 * the limit aside: it changes nothing), so that what was read or written
 * is never a part taken for the whole.
 *
 * The struct is large (SPOOL_MEM): not for a small stack.
 */
#ifndef SAMOTOP_SPOOL_H
#define SAMOTOP_SPOOL_H

#include <sys/types.h>

#include <stddef.h>

#include "cryptolib.h"

#define SPOOL_MEM	(64 * 1024)

enum spool_error {
	SPOOL_OK = 0,
	SPOOL_TOOBIG,	/* the write would pass the limit given at open */
	SPOOL_NOROOM,	/* the file system: ENOSPC, EDQUOT, EFBIG */
	SPOOL_CREATE,	/* no file in dir (EACCES, ENOENT, EMFILE...) */
	SPOOL_IO,	/* read(2), write(2), ftruncate(2) failed: errnum */
	SPOOL_SHORT,	/* the file is shorter than what was written */
	SPOOL_CRYPTO,	/* getrandom(2) or libcrypto failed */
	SPOOL_MISUSE	/* a call out of order (a write after a rewind) */
};

struct spool {
	struct cryptolib *lib;		/* loaded by spool_open() */
	const char	*dir;		/* where the file goes */
	int		 fd;		/* -1 until the buffer overflows */
	int		 no_tmpfile;	/* mkstemp(3) only; tests set it */
	off_t		 max;		/* most octets in one message */
	off_t		 size;		/* octets written */
	off_t		 flen;		/* of them, in the file */
	off_t		 roff;		/* next octet spool_read() gives */
	int		 reading;	/* rewound since the last reset */
	int		 ready;		/* libcrypto and the contexts */
	int		 keyed;		/* this message's key drawn */
	enum spool_error error;		/* first error; SPOOL_OK */
	int		 errnum;	/* errno(3) of it, or 0 */
	EVP_CIPHER_CTX	*wctx;		/* key stream for the file's end */
	EVP_CIPHER_CTX	*rctx;		/* key stream for reading */
	unsigned char	 key[CRYPTO_AES256_KEYLEN];
	unsigned char	 iv[CRYPTO_AES_IVLEN];
	size_t		 blen;		/* octets in buf */
	unsigned char	 buf[SPOOL_MEM];	/* plaintext after flen */
};

/*
 * An empty spool; dir must outlive it; max (> 0) is the largest message
 * spool_write() accepts.  Nothing is created in dir yet, and libcrypto
 * is loaded into lib (it stays loaded) only when a message first
 * overflows the buffer, with that message's key: a failure then is
 * SPOOL_CRYPTO.  Returns 0 (why, size: kept for callers that check).
 */
int	spool_open(struct spool *s, const char *dir, struct cryptolib *lib,
	    off_t max, char *why, size_t size);
/*
 * Append len octets.  SPOOL_OK, or the error: SPOOL_TOOBIG when
 * spool_size() + len > max, and nothing is taken; any other, and the
 * spool is broken until spool_reset().  errno is kept.
 */
enum spool_error spool_write(struct spool *s, const void *buf, size_t len);
/* Octets written since the last reset. */
off_t	spool_size(const struct spool *s);
/* Start (again) reading at the first octet.  SPOOL_OK or the error. */
enum spool_error spool_rewind(struct spool *s);
/*
 * Copy up to size octets of plaintext, in order, into buf: how many, 0
 * at the end, -1 on an error (spool_error(); errno kept).  buf holds
 * the ciphertext for a moment: give it plaintext's care anyway.
 */
ssize_t	spool_read(struct spool *s, void *buf, size_t size);
/* The first error since the last reset, or SPOOL_OK. */
enum spool_error spool_error(const struct spool *s);
/* Its errno(3), or 0. */
int	spool_errno(const struct spool *s);
/* What an error is, for a log line: "no room on the spool" etc. */
const char *spool_strerror(enum spool_error e);
/*
 * Forget the message: the file truncated to nothing (kept open for the
 * next), the buffer, key and IV wiped, a new key and IV drawn.
 * SPOOL_OK, or the error (the spool stays broken; close it).
 */
enum spool_error spool_reset(struct spool *s);
/*
 * Wipe everything, close the file.  Harmless on a spool closed, or
 * that spool_open() failed to open.
 */
void	spool_close(struct spool *s);

#endif
