/*
 * confcheck.h: what `samotop-smtpd -n` checks beyond the syntax that
 * conf_parse() checks, so that a configuration under which every message
 * would be deferred is refused before it is installed.
 *
 * confcheck_warnings() is pure: directives that have no effect because
 * the directive they depend on is missing.  confcheck_runtime() looks at
 * the system as the session would: route programs, the greylist store's
 * directory, list files, the libraries loaded with dlopen(3) and the TLS
 * set-up.  It runs only for -n: a session pays for none of it.
 *
 * Each finding goes to report() with the line of the directive concerned
 * (0 when no line is to blame) and a message without a trailing newline;
 * the caller prints them.  Both return the number of findings.
 */
#ifndef SAMOTOP_CONFCHECK_H
#define SAMOTOP_CONFCHECK_H

#include "conf.h"

typedef void	confcheck_report(void *arg, unsigned line, const char *msg);

int	confcheck_warnings(const struct conf *c, confcheck_report *report,
	    void *arg);
int	confcheck_runtime(const struct conf *c, confcheck_report *report,
	    void *arg);

#endif
