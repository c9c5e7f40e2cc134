/*
 * proc.c: child processes started with posix_spawn, reaped by a deadline.
 */
#include <sys/resource.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>

#include "fdio.h"
#include "proc.h"

/* The attributes: every signal default and unblocked; maybe a group. */
static int
attributes(posix_spawnattr_t *attr, int flags)
{
	sigset_t all, none;
	short f = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
	int err;

	sigfillset(&all);
	sigemptyset(&none);
	if (flags & PROC_PGROUP)
		f |= POSIX_SPAWN_SETPGROUP;
	if ((err = posix_spawnattr_setflags(attr, f)) == 0 &&
	    (err = posix_spawnattr_setsigdefault(attr, &all)) == 0 &&
	    (err = posix_spawnattr_setsigmask(attr, &none)) == 0 &&
	    (flags & PROC_PGROUP))
		err = posix_spawnattr_setpgroup(attr, 0);
	return err;
}

int
proc_spawn(pid_t *pid, const char *const argv[], char *const envp[],
    int in, int out, int flags)
{
	return proc_spawn_err(pid, argv, envp, in, out, -1, flags);
}

int
proc_spawn_err(pid_t *pid, const char *const argv[], char *const envp[],
    int in, int out, int errfd, int flags)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int err;

	if ((err = posix_spawn_file_actions_init(&fa)) != 0)
		return err;
	if ((err = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	if ((in == -1 ||
	    (err = posix_spawn_file_actions_adddup2(&fa, in, 0)) == 0) &&
	    (out == -1 ||
	    (err = posix_spawn_file_actions_adddup2(&fa, out, 1)) == 0) &&
	    (errfd == -1 ||
	    (err = posix_spawn_file_actions_adddup2(&fa, errfd, 2)) == 0) &&
	    (err = attributes(&attr, flags)) == 0)
		err = (flags & PROC_PATH ? posix_spawnp : posix_spawn)(pid,
		    argv[0], &fa, &attr, (char *const *)argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

int
proc_argv_same(const char *const a[], const char *const b[])
{
	for (; *a != NULL && *b != NULL; a++, b++)
		if (strcmp(*a, *b) != 0)
			return 0;
	return *a == *b;
}

pid_t
proc_wait(pid_t pid, int *status, int options)
{
	pid_t r;

	do
		r = waitpid(pid, status, options);
	while (r == -1 && errno == EINTR);
	return r;
}

void
proc_kill(pid_t pid, int *status, int flags)
{
	if (flags & PROC_PGROUP)
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	proc_wait(pid, status, 0);
}

int
proc_reap(pid_t pid, int *status, long long deadline,
    int flags)
{
	struct timespec tick = { 0, 20 * 1000 };

	/*
	 * A child whose input closed is a zombie at once or within
	 * microseconds: poll with a tick that starts short and doubles,
	 * rather than sleep a whole millisecond every time.
	 */
	while (proc_wait(pid, status, WNOHANG) == 0) {
		if (fd_ms_left(deadline) == 0) {
			proc_kill(pid, status, flags);
			return 1;
		}
		nanosleep(&tick, NULL);
		if (tick.tv_nsec < 10 * 1000 * 1000)
			tick.tv_nsec *= 2;
	}
	return 0;
}

void
proc_no_core(void)
{
	struct rlimit none = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &none);
#ifdef __linux__
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}
