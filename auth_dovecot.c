/*
 * auth_dovecot.c: Dovecot's auth-client protocol (auth_dovecot.h).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_dovecot.h"
#include "auth_sasl.h"
#include "fdio.h"

/* The PLAIN message "\0user\0password", in base64 (and its NUL). */
#define RESP_MAX	((AUTH_USER_MAX + AUTH_PASS_MAX + 2 + 2) / 3 * 4 + 1)

/* A field that a TAB or LF in it would split: none may hold one. */
static int
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

size_t
auth_dovecot_request(char *buf, size_t size, unsigned id, long pid,
    const char *user, const char *password, const char *rip)
{
	unsigned char msg[AUTH_USER_MAX + AUTH_PASS_MAX + 2];
	char resp[RESP_MAX], ripf[80] = "";
	size_t ulen = strlen(user), plen = strlen(password);
	long r;
	int n;

	if (ulen > AUTH_USER_MAX || plen > AUTH_PASS_MAX || !clean(user) ||
	    !clean(rip) || strlen(rip) > 64)
		return 0;
	msg[0] = '\0';
	memcpy(msg + 1, user, ulen);
	msg[1 + ulen] = '\0';
	memcpy(msg + 2 + ulen, password, plen);
	r = auth_b64_encode(msg, 2 + ulen + plen, resp, sizeof(resp));
	explicit_bzero(msg, sizeof(msg));
	if (r < 0)
		return 0;
	if (rip[0] != '\0')
		snprintf(ripf, sizeof(ripf), "\trip=%s", rip);
	n = snprintf(buf, size, "VERSION\t1\t2\nCPID\t%ld\n"
	    "AUTH\t%u\tPLAIN\tservice=smtp\tnologin\tsecured%s\tresp=%s\n",
	    pid, id, ripf, resp);
	explicit_bzero(resp, sizeof(resp));
	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n;
}

/* The TAB-separated field i of line[0..len) into out. */
static int
field(const char *line, size_t len, unsigned i, const char **f, size_t *flen)
{
	const char *p = line, *end = line + len, *tab;

	for (;;) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (i == 0) {
			*f = p;
			*flen = (size_t)((tab != NULL ? tab : end) - p);
			return 0;
		}
		if (tab == NULL)
			return -1;
		p = tab + 1;
		i--;
	}
}

static int
is(const char *f, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(f, word, n) == 0;
}

/* Whether a FAIL's optional fields say it is temporary. */
static int
temporary(const char *line, size_t len)
{
	const char *f;
	size_t n;
	unsigned i;

	for (i = 2; field(line, len, i, &f, &n) == 0; i++)
		if (is(f, n, "temp") || is(f, n, "code=temp_fail"))
			return 1;
	return 0;
}

static enum auth_dovecot_event
error(struct auth_dovecot_state *s, const char *why)
{
	s->why = why;
	return ADC_ERROR;
}

enum auth_dovecot_event
auth_dovecot_line(struct auth_dovecot_state *s, const char *line, size_t len)
{
	const char *cmd, *f;
	size_t n, flen;
	char idbuf[16];

	if (field(line, len, 0, &cmd, &n) == -1)
		return error(s, "empty line");
	if (!s->version) {
		if (!is(cmd, n, "VERSION") ||
		    field(line, len, 1, &f, &flen) == -1 || !is(f, flen, "1"))
			return error(s, "not a Dovecot auth server of "
			    "protocol version 1");
		s->version = 1;
		return ADC_MORE;
	}
	if (!s->done) {
		if (is(cmd, n, "MECH") && field(line, len, 1, &f, &flen) ==
		    0 && is(f, flen, "PLAIN"))
			s->plain = 1;
		if (!is(cmd, n, "DONE"))
			return ADC_MORE;	/* SPID, CUID, COOKIE, MECH */
		s->done = 1;
		if (!s->plain)
			return error(s, "the server does not offer PLAIN");
		return ADC_DONE;
	}
	snprintf(idbuf, sizeof(idbuf), "%u", s->id);
	if (field(line, len, 1, &f, &flen) == -1 || !is(f, flen, idbuf))
		return error(s, "a reply for another request");
	if (is(cmd, n, "OK"))
		return ADC_OK;
	if (is(cmd, n, "FAIL"))
		return temporary(line, len) ? ADC_TEMP : ADC_FAIL;
	return error(s, "an unexpected reply (not OK or FAIL)");
}

/* The socket of "unix:/PATH", connected by deadline; -1 and why. */
static int
open_socket(const char *spec, long long deadline, char *why, size_t size)
{
	struct sockaddr_un sun;
	const char *path = spec + 5;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strncmp(spec, "unix:", 5) != 0 || strlen(path) >=
	    sizeof(sun.sun_path)) {
		snprintf(why, size, "%s: not unix:/PATH", spec);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    fd_connect(fd, (struct sockaddr *)&sun, sizeof(sun), deadline) ==
	    -1) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
auth_dovecot_check(const char *spec, const char *user, const char *password,
    const char *rip, unsigned timeout, char *why, size_t size)
{
	struct auth_dovecot_state st = { .id = 1 };
	long long deadline = fd_deadline((long)timeout * 1000);
	char req[AUTH_DOVECOT_LINE_MAX], *in = NULL, *nl;
	size_t len, have = 0, start;
	enum auth_dovecot_event ev;
	int fd, rc = -1;
	ssize_t got;

	len = auth_dovecot_request(req, sizeof(req), st.id, (long)getpid(),
	    user, password, rip);
	if (len == 0) {
		explicit_bzero(req, sizeof(req));
		return 0;	/* no such login can be right */
	}
	if ((fd = open_socket(spec, deadline, why, size)) == -1)
		goto out;
	/*
	 * The whole request at once, the AUTH line pipelined behind the
	 * handshake (the protocol allows it): the server reads it after
	 * its DONE.
	 */
	if (fd_write_all(fd, req, len) == -1) {
		snprintf(why, size, "%s: write: %s", spec + 5,
		    strerror(errno));
		goto out;
	}
	if ((in = malloc(AUTH_DOVECOT_LINE_MAX)) == NULL) {
		snprintf(why, size, "out of memory");
		goto out;
	}
	for (;;) {
		while ((nl = memchr(in, '\n', have)) != NULL) {
			*nl = '\0';
			ev = auth_dovecot_line(&st, in, (size_t)(nl - in));
			start = (size_t)(nl + 1 - in);
			memmove(in, nl + 1, have - start);
			have -= start;
			if (ev == ADC_OK || ev == ADC_FAIL) {
				rc = ev == ADC_OK;
				goto out;
			}
			if (ev == ADC_TEMP) {
				snprintf(why, size, "%s: temporary failure",
				    spec + 5);
				goto out;
			}
			if (ev == ADC_ERROR) {
				snprintf(why, size, "%s: %s", spec + 5,
				    st.why);
				goto out;
			}
		}
		if (have == AUTH_DOVECOT_LINE_MAX) {
			snprintf(why, size, "%s: line too long", spec + 5);
			goto out;
		}
		if (fd_wait_until(fd, POLLIN, deadline) <= 0) {
			snprintf(why, size, "%s: no answer in %u s",
			    spec + 5, timeout);
			goto out;
		}
		if ((got = fd_read_some(fd, in + have,
		    AUTH_DOVECOT_LINE_MAX - have)) <= 0) {
			snprintf(why, size, "%s: %s", spec + 5, got == 0 ?
			    "the server closed the connection" :
			    strerror(errno));
			goto out;
		}
		have += (size_t)got;
	}
out:
	explicit_bzero(req, sizeof(req));
	free(in);
	if (fd != -1)
		close(fd);
	return rc;
}
