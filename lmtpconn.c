/*
 * lmtpconn.c: TARGET parsing and reply mapping for samotop-lmtp.  Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmtpconn.h"

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
is_alnum(int ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z');
}

/* Copy s[0..len) with a NUL into buf of size; -1 when it does not fit. */
static int
copy(char *buf, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

static int
bad(const char **err, const char *why)
{
	*err = why;
	return -1;
}

static int
parse_unix(struct lmtpconn_target *t, int argc, const char *path,
    const char **err)
{
	t->kind = LMTPCONN_UNIX;
	if (argc != 1)
		return bad(err, "unix: takes no arguments");
	if (*path == '\0')
		return bad(err, "unix: needs a socket path");
	if (copy(t->path, sizeof(t->path), path, strlen(path)) == -1)
		return bad(err, "unix: socket path too long");
	return 0;
}

/* A port number 1..65535 or a service name (letters, digits, '-'). */
static int
valid_port(const char *p)
{
	size_t i;
	long n;

	if (*p == '\0' || strlen(p) > LMTPCONN_PORT_MAX)
		return 0;
	if (is_digit(*p)) {
		for (i = 0; p[i] != '\0'; i++)
			if (!is_digit(p[i]) || i >= 5)
				return 0;
		n = strtol(p, NULL, 10);
		return n >= 1 && n <= 65535;
	}
	if (!is_alnum(*p))
		return 0;
	for (i = 0; p[i] != '\0'; i++)
		if (!is_alnum(p[i]) && p[i] != '-')
			return 0;
	return 1;
}

/* A host name or address: printable, no blanks, no brackets. */
static int
valid_host(const char *h, size_t len, int v6)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (h[i] <= ' ' || h[i] >= 0x7f || h[i] == '[' || h[i] == ']' ||
		    h[i] == '/')
			return 0;
		if (h[i] == ':' && !v6)
			return 0;
	}
	return 1;
}

static int
parse_inet(struct lmtpconn_target *t, int argc, const char *s,
    const char **err)
{
	const char *host = s, *end, *port;
	int v6 = *s == '[';

	t->kind = LMTPCONN_INET;
	if (argc != 1)
		return bad(err, "inet: takes no arguments");
	if (v6) {
		host = s + 1;
		if ((end = strchr(host, ']')) == NULL)
			return bad(err, "inet: missing ] after an IPv6 address");
		if (end[1] != ':')
			return bad(err, "inet: needs host:port");
		port = end + 2;
	} else {
		if ((end = strrchr(s, ':')) == NULL)
			return bad(err, "inet: needs host:port");
		port = end + 1;
		if (memchr(s, ':', end - s) != NULL)
			return bad(err, "inet: an IPv6 address needs brackets");
	}
	if (!valid_host(host, end - host, v6))
		return bad(err, "inet: invalid host");
	if (!valid_port(port))
		return bad(err, "inet: invalid port");
	if (copy(t->host, sizeof(t->host), host, end - host) == -1)
		return bad(err, "inet: host name too long");
	return copy(t->port, sizeof(t->port), port, strlen(port));
}

static int
parse_exec(struct lmtpconn_target *t, int argc, char *const argv[],
    const char **err)
{
	int i;

	t->kind = LMTPCONN_EXEC;
	if (argv[0][5] == '\0')
		return bad(err, "exec: needs a program");
	if (argv[0][5] != '/')
		return bad(err, "exec: the program must be an absolute path");
	if (argc > LMTPCONN_ARGV_MAX)
		return bad(err, "exec: too many arguments");
	t->argv[0] = argv[0] + 5;
	for (i = 1; i < argc; i++)
		t->argv[i] = argv[i];
	t->argv[argc] = NULL;
	return 0;
}

int
lmtpconn_parse(struct lmtpconn_target *t, int argc, char *const argv[],
    const char **err)
{
	memset(t, 0, sizeof(*t));
	if (argc < 1 || argv[0] == NULL)
		return bad(err, "no target");
	if (strncmp(argv[0], "unix:", 5) == 0)
		return parse_unix(t, argc, argv[0] + 5, err);
	if (strncmp(argv[0], "inet:", 5) == 0)
		return parse_inet(t, argc, argv[0] + 5, err);
	if (strncmp(argv[0], "exec:", 5) == 0)
		return parse_exec(t, argc, argv, err);
	return bad(err, "unknown target (use unix:PATH, inet:HOST:PORT or "
	    "exec:PROGRAM)");
}

int
lmtpconn_reply(const struct lmtpreply *rep, char *buf, size_t size)
{
	const char *plain = lmtpreply_plain_text(rep);
	int cls = rep->code / 100;

	if (plain != rep->text && rep->text[0] == '0' + cls)
		snprintf(buf, size, "%d %s", rep->code, rep->text);
	else if (*plain == '\0')
		snprintf(buf, size, "%d %d.0.0", rep->code, cls);
	else
		snprintf(buf, size, "%d %d.0.0 %s", rep->code, cls, plain);
	return cls;
}

void
lmtpconn_reason(const char *why, char *buf, size_t size)
{
	size_t i, n = 0;

	if (size == 0)
		return;
	if (why == NULL || *why == '\0')
		why = "unknown error";
	if (strncmp(why, "helper ", 7) == 0)
		why += 7;
	for (i = 0; why[i] != '\0' && n + 1 < size; i++)
		buf[n++] = why[i] >= ' ' && why[i] < 0x7f &&
		    why[i] != '(' && why[i] != ')' ? why[i] : '?';
	buf[n] = '\0';
}

void
lmtpconn_failure(enum lmtpconn_stage stage, const char *addr,
    enum helper_error err, const char *why, char *buf, size_t size)
{
	char reason[LMTPCONN_REASON_MAX], who[LMTPCONN_HOST_MAX + 80] = "";
	const char *code, *what;

	lmtpconn_reason(why, reason, sizeof(reason));
	if (addr != NULL)
		snprintf(who, sizeof(who), "<%.*s>: ", LMTPCONN_HOST_MAX + 70,
		    addr);
	if (err == HELPER_EPROTO) {
		code = "451 4.3.0";
		what = "malformed reply from LDA";
	} else if (err == HELPER_EUTF8) {
		code = "553 5.6.7";
		what = "LDA does not accept SMTPUTF8 addresses";
	} else if (stage == LMTPCONN_AT_RCPT) {
		code = "451 4.4.1";
		what = "cannot reach LDA";
	} else {
		code = "451 4.4.2";
		what = "LDA connection lost";
	}
	snprintf(buf, size, "%s %s%s (%s)", code, who, what, reason);
}
