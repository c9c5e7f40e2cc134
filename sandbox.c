/*
 * sandbox.c: NO_NEW_PRIVS, then Landlock (sandbox_fs.c), then the
 * seccomp filter of the program's table (sandbox_policy.c), and the
 * SIGSYS handler that reports a violation.
 *
 * The filters are compiled to BPF by libseccomp at build time
 * (gen/sandbox_gen.c writes sandbox_bpf.h): building one at run time
 * cost a session some 0.8 ms, as much as the rest of a plaintext
 * session; loading the ready program is one seccomp(2) call.  So no
 * program links libseccomp, nor loads it with dlopen(3).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif

#if defined(__linux__) && !defined(SANITIZED)
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sandbox_bpf.h"

/*
 * The SIGSYS line, made at sealing time so that the handler only copies
 * bytes: "level=error sid=... event=sandbox reason=... syscall=".
 */
static char	trap_head[256];
static size_t	trap_len;
static int	trap_fd = 2;

/* Async-signal-safe: write(2), sigaction(2), raise(3) only. */
static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[sizeof(trap_head) + 32], num[24];
	size_t len = trap_len, n = 0;
	unsigned long v;
	struct sigaction dfl;
	struct rlimit none = { 0, 0 };
	sigset_t set;

	(void)uc;
	v = si->si_syscall < 0 ? 0 : (unsigned long)si->si_syscall;
	do
		num[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0 && n < sizeof(num));
	memcpy(line, trap_head, len);
	while (n > 0)
		line[len++] = num[--n];
	line[len++] = '\n';
	(void)!write(trap_fd, line, len);
	/*
	 * Die of the signal, as SCMP_ACT_KILL_PROCESS would kill: the
	 * parent sees a process killed by SIGSYS.  No core: it would hold
	 * the session.
	 */
	(void)setrlimit(RLIMIT_CORE, &none);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(EX_SOFTWARE);
}

static void
trap_prepare(const struct logger *lg)
{
	struct sigaction sa;
	size_t len = 0;

	if (lg->sink == LOG_SINK_FD && lg->journal)
		len = (size_t)snprintf(trap_head, sizeof(trap_head), "<3>");
	snprintf(trap_head + len, sizeof(trap_head) - len,
	    "level=error %s event=sandbox reason=\"forbidden system call\""
	    " syscall=", lg->prefix);
	trap_len = strlen(trap_head);
	trap_fd = lg->fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGSYS, &sa, NULL);
}

/* prog's filter, compiled at build time (sandbox_bpf.h); 0 or -1. */
static int
load_filter(enum sandbox_prog prog, const char **why)
{
	if ((unsigned)prog >= sizeof(sandbox_bpf) / sizeof(sandbox_bpf[0])) {
		*why = "no table for this program";
		return -1;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
	    &sandbox_bpf[prog]) == -1) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

/* What forbidden-file tries to create (and removes when it could). */
#define TEST_FILE	"/etc/.samotop-sandbox-test"

/* SANDBOX_TEST_ENV: attempt what the sandbox refuses. */
static void
self_test(const struct logger *lg)
{
	const char *t = getenv(SANDBOX_TEST_ENV);
	int fd;

	if (t == NULL)
		return;
	if (strcmp(t, "forbidden-syscall") == 0) {
		log_event(lg, LVL_INFO, "sandbox", "test", t, "call",
		    "socket(AF_PACKET)", NULL);
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		log_event(lg, LVL_ERROR, "sandbox", "test", t, "reason",
		    "socket(AF_PACKET) was not refused", NULL);
		if (fd != -1)
			close(fd);
		(void)syscall(SYS_ptrace, 0L, 0L, 0L, 0L);
		log_event(lg, LVL_ERROR, "sandbox", "test", t, "reason",
		    "ptrace was not refused", NULL);
		_exit(EX_SOFTWARE);
	}
	if (strcmp(t, "forbidden-file") == 0) {
		fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
		log_event(lg, LVL_INFO, "sandbox", "test", t, "path",
		    "/etc/shadow", "result", fd == -1 && errno == EACCES ?
		    "refused" : fd == -1 ? strerror(errno) : "opened", NULL);
		if (fd != -1)
			close(fd);
		fd = open(TEST_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
		log_event(lg, LVL_INFO, "sandbox", "test", t, "path",
		    TEST_FILE, "result", fd == -1 && errno == EACCES ?
		    "refused" : fd == -1 ? strerror(errno) : "created", NULL);
		if (fd != -1) {
			close(fd);
			unlink(TEST_FILE);
		}
		_exit(EX_SOFTWARE);
	}
}

int
sandbox_seal(enum sandbox_prog prog, const struct sandbox_path *paths,
    size_t npaths, const struct logger *lg)
{
	const char *why = NULL;
	char ll[8];
	int l = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_event(lg, LVL_WARN, "sandbox", "reason",
		    "PR_SET_NO_NEW_PRIVS failed", "error", strerror(errno),
		    NULL);
		return -1;
	}
	/*
	 * samotop-smtpd's domain limits writing only: what its routes run
	 * reads libraries, configuration and certificates it does not name.
	 */
	if (paths != NULL && (l = sandbox_landlock(paths, npaths,
	    prog == SANDBOX_SMTPD, lg)) < 0)
		l = 0;
	trap_prepare(lg);
	if (load_filter(prog, &why) == -1) {
		log_event(lg, LVL_WARN, "sandbox", "reason",
		    "no seccomp filter", "error", why, NULL);
		return -1;
	}
	snprintf(ll, sizeof(ll), "%s", paths == NULL ? "none" :
	    l == 1 ? "yes" : "no");
	log_event(lg, LVL_DEBUG, "sandbox", "seccomp", "yes", "landlock", ll,
	    NULL);
	self_test(lg);
	return 0;
}

#else	/* not Linux, or a sanitizer's build */

int
sandbox_seal(enum sandbox_prog prog, const struct sandbox_path *paths,
    size_t npaths, const struct logger *lg)
{
	(void)prog;
	(void)paths;
	(void)npaths;
#ifdef SANITIZED
	log_event(lg, LVL_DEBUG, "sandbox", "reason", "sanitizer",
	    "seccomp", "no", "landlock", "no", NULL);
#else
	log_event(lg, LVL_DEBUG, "sandbox", "reason", "not Linux",
	    "seccomp", "no", "landlock", "no", NULL);
#endif
	return -1;
}

#endif

int
sandbox_wanted(void)
{
	const char *v = getenv(SANDBOX_ENV);

	return v == NULL || strcmp(v, "no") != 0;
}
