/*
 * confcheck.c: the checks of `samotop-smtpd -n` that conf_parse() cannot
 * make (confcheck.h).  The warnings read only struct conf; the run-time
 * checks are each one small function over one path or library.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confcheck.h"
#include "dkims.h"
#include "inspect.h"
#include "smtptls.h"
#include "spflib.h"
#include "sqlitelib.h"
#include "store.h"
#include "store_pg.h"
#include "trace.h"
#include "trace_store.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct reporter {
	confcheck_report *report;
	void		*arg;
	int		 count;
};

static void
say(struct reporter *r, unsigned line, const char *fmt, ...)
{
	char	msg[PATH_MAX + 256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->report(r->arg, line, msg);
	r->count++;
}

/* Directives that each name's directive needs before it means anything. */
static const char *const spf_results[] = {
	"spf-pass", "spf-fail", "spf-softfail", "spf-neutral", "spf-none",
	"spf-temperror", "spf-permerror"
};
static const char *const greylist_tuning[] = {
	"greylist-delay", "greylist-window", "greylist-expire",
	"greylist-autoallow", "greylist-max-pending"
};
static const char *const tls_tuning[] = {
	"tls-protocols", "tls-ciphers", "tls-ocsp-staple"
};
static const char *const notrace_tuning[] = {
	"leave-no-trace-granularity", "leave-no-trace-key"
};
static const char *const dmarc_tuning[] = {
	"dmarc-reject", "dmarc-quarantine"
};
static const char *const milter_tuning[] = {
	"milter-default", "milter-timeout-connect", "milter-timeout-command",
	"milter-timeout-content"
};
static const char *const spool_tuning[] = { "spool-dir" };
static const char *const auth_tuning[] = {
	"auth-max-failures", "auth-failure-limit", "user-limit-messages",
	"user-limit-recipients", "sender-login", "received-hide-client"
};

/* Each of names given in the file, while its condition is unmet. */
static void
unused(struct reporter *r, const struct conf *c, const char *const *names,
    size_t n, int unmet, const char *needs)
{
	unsigned line;
	size_t	 i;

	for (i = 0; unmet && i < n; i++)
		if ((line = conf_line(c, names[i])) != 0)
			say(r, line, "warning: %s has no effect without %s",
			    names[i], needs);
}

static int
has_deny_list(const struct conf *c)
{
	size_t	i;

	for (i = 0; i < c->nlists; i++)
		if (!c->lists[i].allow)
			return 1;
	return 0;
}

int
confcheck_warnings(const struct conf *c, confcheck_report *report,
    void *arg)
{
	struct reporter r = { report, arg, 0 };
	unsigned	line;

	unused(&r, c, spf_results, NELEM(spf_results), !c->spf, "spf yes");
	unused(&r, c, greylist_tuning, NELEM(greylist_tuning),
	    c->greylist_db == NULL, "greylist");
	unused(&r, c, tls_tuning, NELEM(tls_tuning),
	    c->tls_certificate == NULL, "tls-certificate");
	unused(&r, c, notrace_tuning, NELEM(notrace_tuning),
	    !c->leave_no_trace, "leave-no-trace yes");
	unused(&r, c, dmarc_tuning, NELEM(dmarc_tuning), !c->dmarc,
	    "dmarc yes");
	unused(&r, c, milter_tuning, NELEM(milter_tuning), c->nmilters == 0,
	    "milter");
	unused(&r, c, spool_tuning, NELEM(spool_tuning), !c->dkim &&
	    !c->dmarc && !c->arc && c->nmilters == 0 && c->ndkim_sign == 0,
	    "dkim, dmarc, arc, milter or dkim-sign");
	unused(&r, c, auth_tuning, NELEM(auth_tuning),
	    c->auth_checkpassword[0] == NULL && c->auth_dovecot == NULL,
	    "auth-checkpassword or auth-dovecot");
	/* AUTH without relay-route: users may send only to local domains */
	if ((c->auth_checkpassword[0] != NULL || c->auth_dovecot != NULL) &&
	    c->relay_route[0] == NULL)
		say(&r, conf_line(c, c->auth_dovecot != NULL ? "auth-dovecot" :
		    "auth-checkpassword"), "warning: without relay-route, "
		    "authenticated users can send only to the domains routes "
		    "name");
	if ((line = conf_line(c, "deny-message")) != 0 && !has_deny_list(c))
		say(&r, line, "warning: deny-message has no effect without "
		    "a deny list");
	/* samotop-smtpd puts an alias into the queue through relay-route */
	if (c->naliases > 0 && c->relay_route[0] == NULL)
		say(&r, c->aliases[0].line, "warning: alias: without "
		    "relay-route samotop-smtpd does not queue an alias's mail "
		    "(unless a route sends its address to samotop-queue)");
	/* One key for both (trace_store.h): all hosts must agree on it. */
	if (c->leave_no_trace && trace_store_split(c))
		say(&r, conf_line(c, "greylist"), "warning: leave-no-trace: "
		    "greylist and store name two databases; the greylist's "
		    "hashes take the store database's key, so every host "
		    "sharing the greylist must share the store too");
	/* Without TLS no session is encrypted: all of them are greylisted. */
	if (c->plaintext == ACTION_GREYLIST && c->tls_certificate == NULL)
		say(&r, conf_line(c, "plaintext"), "warning: plaintext "
		    "greylist without tls-certificate greylists every "
		    "session, as greylist alone does");
	return r.count;
}

/* A program of a route: the session runs it with execve(2), no $PATH. */
static void
check_path(struct reporter *r, const struct route *rt, const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1 && errno == ENOENT)
		say(r, rt->line, "route %s: program %s does not exist",
		    rt->pattern, path);
	else if (stat(path, &st) == -1)
		say(r, rt->line, "route %s: program %s: %s", rt->pattern,
		    path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		say(r, rt->line, "route %s: program %s is not a regular file",
		    rt->pattern, path);
	else if (access(path, X_OK) == -1)
		say(r, rt->line, "route %s: program %s is not executable "
		    "(%s)", rt->pattern, path, strerror(errno));
}

/*
 * The route's program, and the next helper a filter runs: the absolute
 * path after a "--" (samotop-encrypt -k ... -- HELPER), filters stacked.
 */
static void
check_program(struct reporter *r, const struct route *rt)
{
	size_t i;

	check_path(r, rt, rt->argv[0]);
	for (i = 1; rt->argv[i] != NULL; i++)
		if (strcmp(rt->argv[i], "--") == 0 && rt->argv[i + 1] != NULL &&
		    rt->argv[i + 1][0] == '/')
			check_path(r, rt, rt->argv[i + 1]);
}

/*
 * SQLite writes the store and, beside it, its -wal and -shm files: the
 * directory must be writable, and the file when it exists.  access(2)
 * answers for the user running the check, who should be the sessions'.
 */
static void
check_store_path(struct reporter *r, unsigned line, const char *what,
    const char *path)
{
	char		 dir[PATH_MAX];
	const char	*slash = strrchr(path, '/');
	struct stat	 st;
	size_t		 n;

	n = slash == path ? 1 : (size_t)(slash - path);
	if (slash == NULL || n >= sizeof(dir)) {
		say(r, line, "%s: %s: not an absolute path", what, path);
		return;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (stat(dir, &st) == -1 && errno == ENOENT)
		say(r, line, "%s: directory %s does not exist", what,
		    dir);
	else if (stat(dir, &st) == -1)
		say(r, line, "%s: directory %s: %s", what, dir,
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		say(r, line, "%s: %s is not a directory", what, dir);
	else if (access(dir, W_OK | X_OK) == -1)
		say(r, line, "%s: directory %s is not writable by uid "
		    "%ld (%s)", what, dir, (long)getuid(),
		    strerror(errno));
	else if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) == -1)
		say(r, line, "%s: %s is not writable by uid %ld (%s)",
		    what, path, (long)getuid(), strerror(errno));
}

/*
 * A shared store (a postgresql:// URI): libpq loads, the URI parses and
 * the server takes a connection; nothing is written.
 */
static void
check_store_uri(struct reporter *r, unsigned line, const char *name,
    const char *uri)
{
	char why[512];

	if (store_pg_check(uri, why, sizeof(why)) == -1)
		say(r, line, "%s: %s", name, why);
}

/* Loaded on the first greylisted session: a failure defers its mail. */
static void
check_sqlite(struct reporter *r, unsigned line)
{
	struct sqlitelib lib;
	char		 why[256];

	memset(&lib, 0, sizeof(lib));
	if (sqlitelib_open(&lib, why, sizeof(why)) == -1)
		say(r, line, "greylist: SQLite cannot be loaded: %s", why);
}

/* Loaded at a session's first SPF check: a failure defers its mail. */
static void
check_spflib(struct reporter *r, unsigned line)
{
	struct spflib	lib;
	char		why[256];

	memset(&lib, 0, sizeof(lib));
	if (spflib_open(&lib, why, sizeof(why)) == -1)
		say(r, line, "spf: libspf2 cannot be loaded: %s", why);
	spflib_close(&lib);
}

/* lists.c reads a list file afresh in every session that consults it. */
static void
check_list_file(struct reporter *r, const struct list_entry *e)
{
	struct stat	st;
	int		fd, error = 0;

	if ((fd = open(e->value, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		error = errno;
	else {
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			error = EISDIR;
		close(fd);
	}
	if (error != 0)
		say(r, e->line, "%s file:%s cannot be read: %s",
		    e->allow ? "allow" : "deny", e->value, strerror(error));
}

/* Certificate, key, OCSP response and libtls itself, configured fully. */
static void
check_tls(struct reporter *r, const struct conf *c)
{
	struct smtptls t;

	smtptls_init(&t);
	if (smtptls_check(&t, c) == -1)
		say(r, conf_line(c, "tls-certificate"), "%s", t.why);
	smtptls_free(&t);
}

/*
 * leave-no-trace: every session loads libcrypto and reads the key (the
 * first creates it) before its banner, and refuses with 421 when it
 * cannot.  Nothing is created here.
 */
static void
check_notrace(struct reporter *r, const struct conf *c)
{
	struct cryptolib lib;
	unsigned	 line = conf_line(c, "leave-no-trace-key");
	char		 why[PATH_MAX + 128];

	if (line == 0)
		line = conf_line(c, "leave-no-trace");
	memset(&lib, 0, sizeof(lib));
	if (cryptolib_open(&lib, why, sizeof(why)) == -1)
		say(r, line, "leave-no-trace: libcrypto cannot be loaded: %s",
		    why);
	if (trace_key_check(c->notrace_key, why, sizeof(why)) == -1)
		say(r, line, "leave-no-trace-key: %s", why);
}

/*
 * The content checks: the spool's directory, and the libraries a
 * session loads at its first message (inspect_open() does it all); a
 * failure there defers every message.
 */
static void
check_inspect(struct reporter *r, const struct conf *c)
{
	struct inspect	*in;
	struct stat	 st;
	unsigned	 line = conf_line(c, "spool-dir");
	char		 why[PATH_MAX + 128];

	if (stat(c->spool_dir, &st) == -1)
		say(r, line, "spool-dir: %s: %s", c->spool_dir,
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		say(r, line, "spool-dir: %s is not a directory",
		    c->spool_dir);
	else if (access(c->spool_dir, W_OK | X_OK) == -1)
		say(r, line, "spool-dir: %s is not writable by uid %ld (%s)",
		    c->spool_dir, (long)getuid(), strerror(errno));
	if ((in = calloc(1, sizeof(*in))) == NULL) {
		say(r, line, "spool-dir: %s", strerror(errno));
		return;
	}
	if (inspect_open(in, c, why, sizeof(why)) == -1 ||
	    cryptolib_open(&in->crypto, why, sizeof(why)) == -1)
		say(r, conf_line(c, c->dmarc ? "dmarc" : c->dkim ? "dkim" :
		    c->nmilters > 0 ? "milter" : "dkim-sign"), "content checks "
		    "cannot be set up: %s", why);
	inspect_close(in);
	free(in);
}

/*
 * dkim-sign: every key read and judged as a signer does (dkims.h), and
 * libopendkim loaded: a key that fails would defer every message from
 * its domain (451 4.7.0, samotop-sendmail's EX_TEMPFAIL).
 */
static void
check_dkim_sign(struct reporter *r, const struct conf *c)
{
	struct dkims_signer *s;
	struct dkims_failure f;
	struct dkims_key k;
	char why[PATH_MAX + 512];
	size_t i;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		say(r, c->dkim_sign[0].line, "dkim-sign: %s", strerror(errno));
		return;
	}
	if (dkims_open(s, c, &f) == -1) {
		say(r, c->dkim_sign[0].line, "dkim-sign: %s",
		    dkims_strerror(&f, why, sizeof(why)));
		free(s);
		return;
	}
	for (i = 0; i < c->ndkim_sign; i++) {
		if (dkims_key_read(&k, &s->crypto, &c->dkim_sign[i], &f) ==
		    -1)
			say(r, c->dkim_sign[i].line, "dkim-sign: %s",
			    dkims_strerror(&f, why, sizeof(why)));
		else if (k.alg == DKIMS_ED25519_SHA256 && !s->ed25519)
			say(r, c->dkim_sign[i].line, "dkim-sign: %s: this "
			    "libopendkim cannot sign with Ed25519",
			    c->dkim_sign[i].keyfile);
		dkims_key_free(&k);
	}
	dkims_close(s);
	free(s);
}

int
confcheck_runtime(const struct conf *c, confcheck_report *report,
    void *arg)
{
	struct reporter r = { report, arg, 0 };
	unsigned	line = conf_line(c, "greylist");
	size_t		i;

	for (i = 0; i < c->nroutes; i++)
		check_program(&r, &c->routes[i]);
	/* AUTH's checker, run as a route's program is */
	if (c->auth_checkpassword[0] != NULL &&
	    access(c->auth_checkpassword[0], X_OK) == -1)
		say(&r, conf_line(c, "auth-checkpassword"),
		    "auth-checkpassword %s: %s", c->auth_checkpassword[0],
		    strerror(errno));
	if (c->greylist_db != NULL && store_is_uri(c->greylist_db))
		check_store_uri(&r, line, "greylist", c->greylist_db);
	else if (c->greylist_db != NULL) {
		check_store_path(&r, line, "greylist", c->greylist_db);
		check_sqlite(&r, line);
	}
	if (c->screener_db != NULL && store_is_uri(c->screener_db))
		check_store_uri(&r, conf_line(c, "screener"), "screener",
		    c->screener_db);
	if (store_is_uri(c->store_db))
		check_store_uri(&r, conf_line(c, "store"), "store",
		    c->store_db);
	/* the rate limits' counters (limit.h) */
	else if (c->limit_connections.n > 0 || c->limit_messages.n > 0 ||
	    c->limit_recipients.n > 0) {
		check_store_path(&r, conf_line(c, "store"), "store",
		    c->store_db);
		check_sqlite(&r, conf_line(c, "store"));
	}
	if (c->spf)
		check_spflib(&r, conf_line(c, "spf"));
	for (i = 0; i < c->nlists; i++)
		if (c->lists[i].is_file)
			check_list_file(&r, &c->lists[i]);
	if (c->tls_certificate != NULL)
		check_tls(&r, c);
	if (c->leave_no_trace)
		check_notrace(&r, c);
	if (c->dkim || c->dmarc || c->arc || c->nmilters > 0 ||
	    c->ndkim_sign > 0)
		check_inspect(&r, c);
	if (c->ndkim_sign > 0)
		check_dkim_sign(&r, c);
	return r.count;
}
