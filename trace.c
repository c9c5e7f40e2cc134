/*
 * trace.c: leave-no-trace's key file and keyed hashes (trace.h).
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "trace.h"

void
trace_init(struct trace *t)
{
	memset(t, 0, sizeof(*t));
	t->now = time;
}

static int
failed(char *why, size_t size, const char *path, const char *what)
{
	snprintf(why, size, "%s: %s", path, what);
	return -1;
}

/* Read an existing key from fd; fd is closed. */
static int
read_key(int fd, const char *path, unsigned char key[TRACE_KEY_LEN],
    char *why, size_t size)
{
	struct stat st;
	char what[80];
	ssize_t n;

	if (fstat(fd, &st) == -1) {
		failed(why, size, path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size != TRACE_KEY_LEN) {
		close(fd);
		snprintf(what, sizeof(what), "not a key: a key is a file of "
		    "%d octets", TRACE_KEY_LEN);
		return failed(why, size, path, what);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return failed(why, size, path, "readable by group or others "
		    "(chmod 600 it)");
	}
	n = read(fd, key, TRACE_KEY_LEN);
	if (n != TRACE_KEY_LEN) {
		failed(why, size, path, n == -1 ? strerror(errno) :
		    "short read");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The directory part of path into dir ("." for none). */
static void
dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/*
 * A new key under a temporary name, then link(2)ed to path: 1 when
 * this one was linked, 0 when another was first (EEXIST), -1 on error.
 */
static int
create_key(const char *path, unsigned char key[TRACE_KEY_LEN], char *why,
    size_t size)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, rc, dfd, saved;
	ssize_t n;

	if (getrandom(key, TRACE_KEY_LEN, 0) != TRACE_KEY_LEN)
		return failed(why, size, path, strerror(errno));
	dir_of(path, dir, sizeof(dir));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.leave-no-trace.XXXXXX",
	    dir) >= sizeof(tmp))
		return failed(why, size, path, "path too long");
	if ((fd = mkstemp(tmp)) == -1)
		return failed(why, size, path, strerror(errno));
	n = TRACE_KEY_LEN;
	if (fchmod(fd, 0600) == -1 ||
	    (n = write(fd, key, TRACE_KEY_LEN)) != TRACE_KEY_LEN ||
	    fsync(fd) == -1) {
		saved = n >= 0 && n < TRACE_KEY_LEN ? ENOSPC : errno;
		close(fd);
		unlink(tmp);
		return failed(why, size, tmp, strerror(saved));
	}
	close(fd);
	rc = link(tmp, path);
	saved = errno;
	unlink(tmp);
	if (rc == -1 && saved == EEXIST)
		return 0;
	if (rc == -1)
		return failed(why, size, path, strerror(saved));
	/* The name lasts only when the directory is on disk too. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 1;
}

int
trace_key(const char *path, unsigned char key[TRACE_KEY_LEN], char *why,
    size_t size)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1)
		return read_key(fd, path, key, why, size);
	if (errno != ENOENT)
		return failed(why, size, path, strerror(errno));
	if ((rc = create_key(path, key, why, size)) != 0)
		return rc == 1 ? 0 : -1;
	/* Another session created it first: that one is the key. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return failed(why, size, path, strerror(errno));
	return read_key(fd, path, key, why, size);
}

int
trace_key_check(const char *path, char *why, size_t size)
{
	unsigned char key[TRACE_KEY_LEN];
	char dir[PATH_MAX];
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
		fd = read_key(fd, path, key, why, size);
		explicit_bzero(key, sizeof(key));	/* not optimized away */
		return fd;
	}
	if (errno != ENOENT)
		return failed(why, size, path, strerror(errno));
	dir_of(path, dir, sizeof(dir));
	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(why, size, "%s: does not exist, and its directory "
		    "%s: %s", path, dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
trace_open(struct trace *t, const char *path, char *why, size_t size)
{
	char err[200];

	if (t->open)
		return 0;
	if (trace_key(path, t->key, why, size) == -1)
		return -1;
	if (cryptolib_open(&t->lib, err, sizeof(err)) == -1) {
		explicit_bzero(t->key, sizeof(t->key));
		snprintf(why, size, "libcrypto: %s", err);
		return -1;
	}
	t->open = 1;
	return 0;
}

/* "LABEL:VALUE" (or VALUE for a NULL label) keyed with key into md. */
static int
hmac(const struct trace *t, const unsigned char *key, size_t keylen,
    const char *label, const char *value, unsigned char *md)
{
	char buf[1024];
	int n;

	n = label != NULL ? snprintf(buf, sizeof(buf), "%s:%s", label, value) :
	    snprintf(buf, sizeof(buf), "%s", value);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	n = cryptolib_hmac_sha256(&t->lib, key, keylen, buf, (size_t)n, md);
	memset(buf, 0, sizeof(buf));
	return n;
}

void
trace_log_hash(void *arg, const char *value, char *out, size_t size)
{
	struct trace *t = arg;
	unsigned char md[CRYPTO_SHA256_LEN];
	char day[sizeof(t->day)], digits[2 * CRYPTO_SHA256_LEN + 1];
	struct tm tm;
	time_t now;

	out[0] = '\0';
	if (!t->open || size <= TRACE_LOG_HEX)
		return;
	now = t->now(NULL);
	if (gmtime_r(&now, &tm) == NULL)
		return;
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (strcmp(day, t->day) != 0) {
		if (hmac(t, t->key, sizeof(t->key), "log", day,
		    t->daykey) == -1)
			return;
		memcpy(t->day, day, sizeof(day));
	}
	if (hmac(t, t->daykey, sizeof(t->daykey), NULL, value, md) == -1)
		return;
	hex_lower(md, sizeof(md), digits);
	snprintf(out, size, "%.*s", TRACE_LOG_HEX, digits);
}

void
trace_shared(struct trace *t, trace_fetch_fn *fetch, void *arg)
{
	t->fetch = fetch;
	t->fetch_arg = arg;
	t->fetched = 0;
}

/* The store hashes' key: the file's, or the shared one; NULL. */
static const unsigned char *
store_key(struct trace *t)
{
	if (t->fetch == NULL)
		return t->key;
	if (t->fetched == 0)	/* once: a store that failed, fails on */
		t->fetched = t->fetch(t->fetch_arg, t->skey) == 0 ? 1 : -1;
	return t->fetched == 1 ? t->skey : NULL;
}

int
trace_store_hash(void *arg, const char *label, const char *value, char *out,
    size_t size)
{
	struct trace *t = arg;
	const unsigned char *key;
	unsigned char md[CRYPTO_SHA256_LEN];

	if (!t->open || size <= TRACE_STORE_HEX ||
	    (key = store_key(t)) == NULL ||
	    hmac(t, key, TRACE_KEY_LEN, label, value, md) == -1)
		return -1;
	hex_lower(md, sizeof(md), out);
	return 0;
}

time_t
trace_round(time_t t, unsigned granularity)
{
	if (granularity == 0 || t < 0)
		return t;
	return t - t % (time_t)granularity;
}
