/*
 * samotop-smtpd: one SMTP session on stdin/stdout, started per
 * connection by inetd, systemd (Accept=yes), tcpserver or s6-tcpserver.
 *
 * Exit status (sysexits(3)): 0 after the session, after -V, or when -n
 * finds the configuration valid (warnings or none); EX_USAGE for bad
 * options; EX_CONFIG when the configuration cannot be read or is invalid,
 * or -n finds what would fail at run time; EX_OSERR when memory for
 * the session is lacking; EX_TEMPFAIL when the session ended on an
 * error (I/O with the client, TLS set-up, memory).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "confcheck.h"
#include "session.h"
#include "trace.h"
#include "version.h"

#define DEFAULT_CONF	"/etc/samotop/samotop.conf"

static void
usage(void)
{
	fprintf(stderr, "usage: samotop-smtpd [-nTV] [-c file]\n");
	exit(EX_USAGE);
}

/* "FILE:LINE: message", or "FILE: message" for line 0: for -n. */
static void
print_error(const char *path, unsigned line, const char *msg)
{
	if (line > 0)
		fprintf(stderr, "%s:%u: %s\n", path, line, msg);
	else
		fprintf(stderr, "%s: %s\n", path, msg);
}

/*
 * A configuration error: for -n, a person reads it (FILE:LINE: what);
 * for a session, a log line like every other, so that an alert on
 * level=error sees it.
 */
static void
report_error(const char *path, const struct conf_error *err, int check)
{
	struct logger lg;
	char sid[SID_LEN + 1], prefix[SID_LEN + 8], line[16];

	if (check) {
		print_error(path, err->line, err->msg);
		return;
	}
	session_make_id(sid, 1);
	snprintf(prefix, sizeof(prefix), "sid=%s", sid);
	snprintf(line, sizeof(line), "%u", err->line);
	log_init(&lg, 2, LVL_ERROR, prefix);
	log_event(&lg, LVL_ERROR, "config", "file", path, "line",
	    err->line > 0 ? line : NULL, "reason", err->msg, "reply", "421",
	    NULL);
}

/* confcheck_report(): an error names FILE:LINE, as conf errors do. */
static void
print_finding(void *path, unsigned line, const char *msg)
{
	print_error(path, line, msg);
}

static void
print_warning(void *path, unsigned line, const char *msg)
{
	fprintf(stderr, "samotop-smtpd: %s:%u: %s\n", (const char *)path,
	    line, msg);
}

static int
load(struct conf *c, const char *path, char **text, int check,
    int implicit)
{
	struct conf_error err;

	conf_defaults(c);
	if (conf_load(c, path, text, &err) == -1) {
		report_error(path, &err, check);
		return -1;
	}
	if (implicit)
		c->tls_implicit = 1;
	if (conf_check(c, &err) == -1) {
		report_error(path, &err, check);
		return -1;
	}
	if (check) {
		confcheck_warnings(c, print_warning, (void *)path);
		if (confcheck_runtime(c, print_finding, (void *)path) > 0)
			return -1;
	}
	if (c->hostname[0] == '\0' &&
	    gethostname(c->hostname, sizeof(c->hostname) - 1) == -1)
		snprintf(c->hostname, sizeof(c->hostname), "localhost");
	return 0;
}

/*
 * leave-no-trace's key, before the banner: a session that cannot hide
 * what it would log is refused (421) as a configuration error is.
 */
static int
open_trace(struct session *s, const struct conf *c, const char *path)
{
	struct conf_error err = { 0, "" };
	char why[sizeof(err.msg) - 32];

	trace_init(&s->trace);
	if (!c->leave_no_trace ||
	    trace_open(&s->trace, c->notrace_key, why, sizeof(why)) == 0)
		return 0;
	err.line = conf_line(c, "leave-no-trace-key");
	if (err.line == 0)
		err.line = conf_line(c, "leave-no-trace");
	snprintf(err.msg, sizeof(err.msg), "leave-no-trace-key: %s", why);
	report_error(path, &err, 0);
	return -1;
}

int
main(int argc, char *argv[])
{
	const char *path = DEFAULT_CONF;
	static const char unavailable[] =
	    "421 4.3.0 Service not available, configuration error\r\n";
	struct session *s;
	struct conf *c;
	char *text = NULL;
	int ch, check = 0, implicit = 0, status;

	while ((ch = getopt(argc, argv, "c:nTV")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'T':
			implicit = 1;
			break;
		case 'V':
			version_exit("samotop-smtpd");
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/* A dead client or helper is an error to handle, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	if ((c = malloc(sizeof(*c))) == NULL) {
		perror("samotop-smtpd");
		return EX_OSERR;
	}
	if (load(c, path, &text, check, implicit) == -1) {
		if (!check)
			(void)!write(1, unavailable, sizeof(unavailable) - 1);
		status = EX_CONFIG;
	} else if (check)
		status = EX_OK;
	else if ((s = malloc(sizeof(*s))) == NULL) {
		perror("samotop-smtpd");
		status = EX_OSERR;
	} else if (open_trace(s, c, path) == -1) {
		(void)!write(1, unavailable, sizeof(unavailable) - 1);
		status = EX_CONFIG;
		free(s);
	} else {
		status = session_run(s, c, 0, 1, 2) == 0 ? EX_OK :
		    EX_TEMPFAIL;
		explicit_bzero(&s->trace, sizeof(s->trace));
		free(s);
	}
	/* Freed although exit follows: so that leak checkers see none. */
	free(text);
	free(c);
	return status;
}
