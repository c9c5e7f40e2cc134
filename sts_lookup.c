/*
 * sts_lookup.c: which MTA-STS policy applies to a domain: DNS, the cache
 * directory and the fetch put together.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/nameser.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "sts_fetch.h"
#include "sts_lookup.h"

#define ANSWER_MAX	8192
#define CACHE_MAX	(STS_POLICY_MAX + 128)
#define STS_PATH_MAX	4096

/* snprintf(3), for messages that may well be cut short (that is fine). */
static void	say(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
say(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	(void)vsnprintf(buf, size, f, ap);
	va_end(ap);
}

/* The TXT record's id: 1, 0 none (or none valid), -1 look-up failed. */
static int
txt_id(const char *domain, char id[STS_ID_MAX + 1])
{
	unsigned char msg[ANSWER_MAX];
	char name[STS_NAME_MAX + 16];
	int l, r;

	snprintf(name, sizeof(name), "_mta-sts.%s", domain);
	if ((l = res_query(name, C_IN, T_TXT, msg, (int)sizeof(msg))) < 0)
		return h_errno == HOST_NOT_FOUND || h_errno == NO_DATA ? 0 :
		    -1;
	r = sts_txt_answer(msg, (size_t)l < sizeof(msg) ? (size_t)l :
	    sizeof(msg), id);
	return r < 0 ? -1 : r;
}

/* DIR/domain, lower case; -1 when the name could escape DIR. */
static int
cache_path(char *path, size_t size, const char *dir, const char *domain)
{
	char name[STS_NAME_MAX + 1];
	size_t i, n = strlen(domain);

	if (n == 0 || n > STS_NAME_MAX || domain[0] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		char c = domain[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_'))
			return -1;
		name[i] = c;
	}
	name[n] = '\0';
	if (n > 0 && name[n - 1] == '.')
		name[n - 1] = '\0';
	if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
		return -1;
	return 0;
}

/* The cached policy of path: 0, or -1 when there is none usable. */
static int
cache_read(const char *path, char id[STS_ID_MAX + 1], time_t *fetched,
    struct sts_policy *p)
{
	static char buf[CACHE_MAX];
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < sizeof(buf) && (n = read(fd, buf + len,
	    sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	return sts_cache_parse(buf, len, id, fetched, p);
}

/* dir and its missing parents, mode 0750 (as mkdir -p); 0, or -1. */
static int
make_dirs(const char *dir)
{
	char p[STS_PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return errno = ENAMETOOLONG, -1;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0750) == -1 && errno != EEXIST)
			return -1;
		p[i] = dir[i];
	}
	return 0;
}

/*
 * path, rewritten whole: a temporary file, fsync, rename (a crash leaves
 * the old policy or the new one, never half of one); 0, or -1 with why.
 */
static int
cache_write(const char *dir, const char *path, const char *id, time_t now,
    const char *policy, size_t len, char *why, size_t size)
{
	static char buf[CACHE_MAX];
	char tmp[STS_PATH_MAX];
	size_t n;
	int fd;

	if ((n = sts_cache_format(buf, sizeof(buf), id, now, policy,
	    len)) == 0) {
		say(why, size, "cache: policy too big");
		return -1;
	}
	if (make_dirs(dir) == -1) {
		say(why, size, "cache: mkdir %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	    (long)getpid()) >= sizeof(tmp)) {
		say(why, size, "cache: path too long");
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) == -1) {
		say(why, size, "cache: %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fd_write_all(fd, buf, n) == -1 || fsync(fd) == -1) {
		say(why, size, "cache: %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		say(why, size, "cache: %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

void
sts_lookup(const char *domain, const char *cachedir, const char *cafile,
    time_t now, struct sts_result *r)
{
	static char body[STS_POLICY_MAX];
	char path[STS_PATH_MAX], cid[STS_ID_MAX + 1], fwhy[256];
	struct sts_policy cached, fetched;
	time_t when = 0;
	size_t len;
	int have, live, k;

	memset(r, 0, sizeof(*r));
	r->source = "none";
	if (cache_path(path, sizeof(path), cachedir, domain) == -1) {
		say(r->why, sizeof(r->why), "no policy for this name");
		return;
	}
	have = cache_read(path, cid, &when, &cached) == 0 &&
	    now - when < (time_t)cached.max_age;
	if ((live = txt_id(domain, r->id)) == -1) {
		say(r->why, sizeof(r->why), "TXT look-up of _mta-sts.%s "
		    "failed", domain);
		r->fail = STS_FAIL_DNS;
	}
	if (live == 1 && (!have || strcmp(cid, r->id) != 0)) {
		if ((k = sts_fetch(domain, cafile, body, &len, fwhy,
		    sizeof(fwhy))) < 0) {
			say(r->why, sizeof(r->why), "fetch: %s", fwhy);
			r->fail = k == -2 ? STS_FAIL_WEBPKI : STS_FAIL_FETCH;
		} else if (sts_policy_parse(body, len, &fetched) == -1) {
			say(r->why, sizeof(r->why), "the policy of %s "
			    "does not parse", domain);
			r->fail = STS_FAIL_INVALID;
		} else {
			r->policy = fetched;
			r->source = "fetched";
			if (cache_write(cachedir, path, r->id, now, body, len,
			    fwhy, sizeof(fwhy)) == -1) {
				say(r->why, sizeof(r->why), "%s", fwhy);
				r->fail = STS_FAIL_CACHE;
			}
			return;
		}
	}
	/* RFC 8461 §5.1: no live policy, but an unexpired cached one */
	if (have) {
		r->policy = cached;
		r->source = "cache";
		if (live != 1)
			snprintf(r->id, sizeof(r->id), "%s", cid);
	}
}
