/*
 * scr_auth.c: sign-in, session cookies and CSRF tokens (scr_auth.h).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "hex.h"
#include "proc.h"
#include "scr_auth.h"
#include "trace.h"

extern char **environ;

int
scr_auth_open(struct scr_auth *a, const char *path, char *why, size_t size)
{
	char err[200];

	if (a->open)
		return 0;
	/* trace.c's key file: the same creation without a race. */
	if (trace_key(path, a->key, why, size) == -1)
		return -1;
	if (cryptolib_open(&a->lib, err, sizeof(err)) == -1) {
		explicit_bzero(a->key, sizeof(a->key));
		snprintf(why, size, "libcrypto: %s", err);
		return -1;
	}
	a->open = 1;
	return 0;
}

void
scr_auth_close(struct scr_auth *a)
{
	explicit_bzero(a->key, sizeof(a->key));
	a->open = 0;
}

int
scr_auth_user(const char *login, const char *domain, char *user, size_t size)
{
	const char *at = strchr(login, '@');
	size_t i, n;
	int len;

	if (login[0] == '\0' || at == login || (at != NULL &&
	    (strchr(at + 1, '@') != NULL || at[1] == '\0')))
		return -1;
	if (at == NULL && (domain == NULL || domain[0] == '\0'))
		return -1;
	len = at != NULL ? snprintf(user, size, "%s", login) :
	    snprintf(user, size, "%s@%s", login, domain);
	if (len < 0 || (size_t)len >= size || (size_t)len > ADDR_MAX)
		return -1;
	n = (size_t)len;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)user[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '/' || ch == '\\')
			return -1;
		if (ch >= 'A' && ch <= 'Z')
			user[i] = (char)(ch - 'A' + 'a');
	}
	return 0;
}

/* The child's file actions: /dev/null on 0 and 1, the pipe on 3. */
static int
spawn(pid_t *pid, const char *const argv[], int devnull, int pw)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int err;

	sigfillset(&all);
	sigemptyset(&none);
	if ((err = posix_spawn_file_actions_init(&fa)) != 0)
		return err;
	if ((err = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	if ((err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK)) == 0 &&
	    (err = posix_spawnattr_setsigdefault(&attr, &all)) == 0 &&
	    (err = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (err = posix_spawn_file_actions_adddup2(&fa, devnull, 0)) == 0 &&
	    (err = posix_spawn_file_actions_adddup2(&fa, devnull, 1)) == 0 &&
	    (err = posix_spawn_file_actions_adddup2(&fa, pw, 3)) == 0)
		err = posix_spawn(pid, argv[0], &fa, &attr,
		    (char *const *)argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

int
scr_auth_check(const char *const argv[], const char *login,
    const char *password, unsigned timeout, char *why, size_t size)
{
	char buf[1024];
	int p[2], devnull, err, status, len, fd;
	pid_t pid;

	if (argv == NULL || argv[0] == NULL) {
		snprintf(why, size, "no screener-checkpassword");
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%s%c%s%c%lld%c", login, '\0',
	    password, '\0', (long long)time(NULL), '\0');
	if (len < 0 || (size_t)len >= sizeof(buf)) {
		explicit_bzero(buf, sizeof(buf));
		return 0;	/* no such password */
	}
	/*
	 * Above fd 3 and close-on-exec, so that dup2() onto 3 in the
	 * child always makes a fresh, inherited descriptor.
	 */
	if (pipe(p) == -1)
		goto oserr;
	for (int i = 0; i < 2; i++) {
		if ((fd = fcntl(p[i], F_DUPFD_CLOEXEC, 10)) == -1) {
			close(p[0]);
			close(p[1]);
			goto oserr;
		}
		close(p[i]);
		p[i] = fd;
	}
	/* Shorter than a pipe's buffer: it is written before the start. */
	if (fd_write_all(p[1], buf, (size_t)len) == -1) {
		explicit_bzero(buf, sizeof(buf));
		close(p[0]);
		close(p[1]);
		goto oserr;
	}
	explicit_bzero(buf, sizeof(buf));
	close(p[1]);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		close(p[0]);
		goto oserr;
	}
	err = spawn(&pid, argv, devnull, p[0]);
	close(devnull);
	close(p[0]);
	if (err != 0) {
		snprintf(why, size, "%s: %s", argv[0], strerror(err));
		return -1;
	}
	if (proc_reap(pid, &status, fd_deadline((long)timeout * 1000), 0)) {
		snprintf(why, size, "%s: killed after %u s", argv[0], timeout);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, size, "%s: exit %d", argv[0],
		    WEXITSTATUS(status));
	else
		snprintf(why, size, "%s: signal %d", argv[0],
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
oserr:
	snprintf(why, size, "checkpassword: %s", strerror(errno));
	return -1;
}

/* hex of HMAC(key, label ":" text), 64 digits. */
static int
mac(const struct scr_auth *a, const char *label, const char *text,
    char out[2 * CRYPTO_SHA256_LEN + 1])
{
	unsigned char md[CRYPTO_SHA256_LEN];
	char buf[SCR_COOKIE_MAX + 32];
	int n;

	if (!a->open)
		return -1;
	n = snprintf(buf, sizeof(buf), "%s:%s", label, text);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    cryptolib_hmac_sha256(&a->lib, a->key, sizeof(a->key), buf,
	    (size_t)n, md) == -1)
		return -1;
	hex_lower(md, sizeof(md), out);
	return 0;
}

/* Constant time: how much of a secret matched must not show. */
static int
same(const char *x, const char *y, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)x[i] ^ (unsigned char)y[i];
	return d == 0;
}

int
scr_cookie_make(const struct scr_auth *a, const char *user, time_t now,
    char *out, size_t size)
{
	char body[SCR_COOKIE_MAX], m[2 * CRYPTO_SHA256_LEN + 1];
	size_t n = strlen(user);
	int len;

	if (n > ADDR_MAX)
		return -1;
	len = snprintf(body, sizeof(body), "%lld.",
	    (long long)now + SCR_SESSION_TTL);
	if (len < 0 || (size_t)len + 2 * n + 1 > sizeof(body))
		return -1;
	hex_lower((const unsigned char *)user, n, body + len);
	if (mac(a, "session", body, m) == -1)
		return -1;
	len = snprintf(out, size, "%s.%s", body, m);
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

static int
unhex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int
scr_cookie_check(const struct scr_auth *a, const char *value, time_t now,
    char *user, size_t size)
{
	char body[SCR_COOKIE_MAX], m[2 * CRYPTO_SHA256_LEN + 1];
	const char *dot1, *dot2;
	long long exp = 0;
	size_t n, i;
	int hi, lo;

	if ((dot1 = strchr(value, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strlen(dot2 + 1) != 2 * CRYPTO_SHA256_LEN ||
	    (size_t)(dot2 - value) >= sizeof(body))
		return 0;
	memcpy(body, value, (size_t)(dot2 - value));
	body[dot2 - value] = '\0';
	if (mac(a, "session", body, m) == -1 ||
	    !same(m, dot2 + 1, 2 * CRYPTO_SHA256_LEN))
		return 0;
	/* Signed by us: the rest is well-formed, but check it anyway. */
	for (i = 0; value + i < dot1; i++) {
		if (value[i] < '0' || value[i] > '9' || i > 15)
			return 0;
		exp = exp * 10 + (value[i] - '0');
	}
	if (exp <= (long long)now)
		return 0;
	n = (size_t)(dot2 - dot1 - 1);
	if (n % 2 != 0 || n / 2 >= size || n == 0)
		return 0;
	for (i = 0; i < n / 2; i++) {
		if ((hi = unhex(dot1[1 + 2 * i])) == -1 ||
		    (lo = unhex(dot1[2 + 2 * i])) == -1)
			return 0;
		user[i] = (char)(hi * 16 + lo);
	}
	user[n / 2] = '\0';
	return strlen(user) == n / 2;
}

/* The token of user for day (days since the epoch). */
static int
csrf_of(const struct scr_auth *a, const char *user, long long day,
    char out[SCR_CSRF_HEX + 1])
{
	char m[2 * CRYPTO_SHA256_LEN + 1], text[SCR_USER_MAX + 32];
	int n;

	n = snprintf(text, sizeof(text), "%lld:%s", day, user);
	if (n < 0 || (size_t)n >= sizeof(text) || mac(a, "csrf", text, m) == -1)
		return -1;
	memcpy(out, m, SCR_CSRF_HEX);
	out[SCR_CSRF_HEX] = '\0';
	return 0;
}

int
scr_csrf_make(const struct scr_auth *a, const char *user, time_t now,
    char out[SCR_CSRF_HEX + 1])
{
	return csrf_of(a, user, (long long)now / 86400, out);
}

int
scr_csrf_check(const struct scr_auth *a, const char *user, time_t now,
    const char *token)
{
	char want[SCR_CSRF_HEX + 1];
	long long day = (long long)now / 86400;
	int ok = 0;

	if (strlen(token) != SCR_CSRF_HEX)
		return 0;
	if (csrf_of(a, user, day, want) == 0)
		ok |= same(want, token, SCR_CSRF_HEX);
	if (csrf_of(a, user, day - 1, want) == 0)
		ok |= same(want, token, SCR_CSRF_HEX);
	return ok;
}
