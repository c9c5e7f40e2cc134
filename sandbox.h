/*
 * sandbox.h: what a process gives up once it is set up (samotop.conf(5),
 * "SANDBOX").  On Linux: no new privileges (PR_SET_NO_NEW_PRIVS), then
 * Landlock over the paths the caller names (when the kernel has it),
 * then a seccomp filter that allows only the system calls of the
 * program's table (sandbox_policy.c).  A call outside the table is not
 * returned from: a SIGSYS handler writes one log line naming the call's
 * number and the process dies of SIGSYS, as SCMP_ACT_KILL_PROCESS would
 * kill it, but not silently.
 *
 * A filter and a Landlock domain are inherited by every process started
 * afterwards and survive execve(2): what a program executes runs inside
 * its parent's filter (and its own, stacked).  Elsewhere than Linux, and
 * in builds with a sanitizer (whose leak check needs ptrace(2) and
 * /proc), nothing is sealed and a debug line says so.
 */
#ifndef SAMOTOP_SANDBOX_H
#define SAMOTOP_SANDBOX_H

#include <stddef.h>

#include "log.h"

/* The programs that have a table in sandbox_policy.c. */
enum sandbox_prog {
	SANDBOX_SMTPD,		/* and what it starts: helpers, milters' */
	SANDBOX_MAILDIR,	/* files only, never executes */
	SANDBOX_LMTP,		/* a socket, or one LDA it executes */
	SANDBOX_PIPE,		/* executes a command per recipient */
	SANDBOX_QUEUE,		/* the queue directory only */
	SANDBOX_ENCRYPT,	/* keys, and the next helper it executes */
	SANDBOX_REMOTE,		/* DNS, TLS, MTA-STS: network, no exec */
	SANDBOX__COUNT
};

/*
 * Set by samotop-smtpd for its helpers: "no" when `sandbox no`, so that
 * a helper does not seal either.  Unset (another MTA runs the helper):
 * the helper seals.
 */
#define SANDBOX_ENV		"SAMOTOP_SANDBOX"
/*
 * A debug switch for tests: right after sealing, the process attempts
 * what its sandbox refuses.  "forbidden-syscall": socket(AF_PACKET) and
 * then ptrace(2), which the filter must kill; "forbidden-file": opening
 * /etc/shadow, then creating /etc/.samotop-sandbox-test, which Landlock
 * must refuse (samotop-smtpd's domain only the second; a log line each
 * says whether it was), then exit with EX_SOFTWARE.
 */
#define SANDBOX_TEST_ENV	"SAMOTOP_SANDBOX_TEST"

/* What a Landlock rule allows beneath a path. */
#define SANDBOX_READ	0x1	/* read files, list directories */
#define SANDBOX_WRITE	0x2	/* and create, write, rename, remove */
#define SANDBOX_EXEC	0x4	/* and execute */
#define SANDBOX_CREATE	0x8	/* may not exist yet: the rule is then
				   for its nearest existing parent */

struct sandbox_path {
	const char	*path;		/* a file or a directory */
	unsigned	 access;	/* SANDBOX_* */
};

/*
 * Whether a helper seals: 1 unless SANDBOX_ENV is "no" (samotop-smtpd
 * with `sandbox no`).
 */
int	sandbox_wanted(void);

/*
 * Seal the calling process for prog: NO_NEW_PRIVS; Landlock over the
 * npaths paths when paths is not NULL (each with its access; a missing
 * path is skipped, or with SANDBOX_CREATE its nearest existing parent
 * used, so that the directory may still be made); the seccomp filter of
 * prog.
 * Landlock that the kernel or a container lacks is skipped with a debug
 * line.  Lines go to lg (the SIGSYS line to lg's fd).  Returns 0 when the
 * seccomp filter is in place, -1 when it could not be (a warning; a debug
 * line in a sanitizer's build or elsewhere than Linux): the process goes
 * on unsealed, and says so.  Then acts on SANDBOX_TEST_ENV.
 */
int	sandbox_seal(enum sandbox_prog prog, const struct sandbox_path *paths,
	    size_t npaths, const struct logger *lg);

/*
 * Landlock alone (sandbox_fs.c): 1 when the rules are in force, 0 when
 * the kernel has no Landlock (a debug line), -1 on an error (logged).
 * writes_only: only writing is limited (creating, writing, renaming,
 * removing, truncating); reading and executing stay free.
 */
int	sandbox_landlock(const struct sandbox_path *paths, size_t npaths,
	    int writes_only, const struct logger *lg);

/*
 * The directory a Maildir template's paths all lie beneath: its text up
 * to the last '/' before the first '%' ("/var/mail/%d/%u": "/var/mail";
 * "/%u": "/"; "%u/Maildir": "."), or the whole template when it has no
 * '%'.  Written to out (size bytes); -1 when it does not fit.
 */
int	sandbox_template_root(const char *tmpl, char *out, size_t size);

/*
 * samotop-smtpd's sandbox (sandbox_smtpd.c): its filter, and Landlock
 * over what it and its routes' helpers write, when the configuration
 * names all of it.  sandbox_seal()'s return.
 */
struct conf;
int	sandbox_smtpd_seal(const struct conf *c, const struct logger *lg);

/*
 * One program's table (sandbox_policy.c): a list of rules, each a
 * system call allowed (maybe only with some first arguments), or
 * refused with an errno instead of killing.
 */
enum sandbox_how {
	SANDBOX_ALLOW,		/* any arguments */
	SANDBOX_ARG0_IN,	/* only when arg 0 is one of v[0..nv-1] */
	SANDBOX_ARG0_CLEAR,	/* only when arg 0 has none of v[0]'s bits */
	SANDBOX_ERRNO,		/* fails with errno v[0], is not fatal */
	SANDBOX_ARG0_ERRNO	/* fails with errno v[0] when arg 0 is
				   one of v[1..nv-1] */
};

struct sandbox_call {
	int			 nr;	/* the call's number (SCMP_SYS()) */
	enum sandbox_how	 how;
	unsigned		 nv;
	unsigned long long	 v[6];
};

struct sandbox_group {
	const char			*name;	/* for the reader */
	const struct sandbox_call	*calls;
	size_t				 ncalls;
};

/* prog's groups, NULL-terminated; NULL for an unknown prog. */
const struct sandbox_group *const *sandbox_policy(enum sandbox_prog prog);

#endif
