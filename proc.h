/*
 * proc.h: the child processes of samotop-smtpd and of the helpers (a
 * delivery helper, samotop-lmtp's exec: LDA, samotop-pipe's command),
 * started one way and ended one way.  A child starts with posix_spawn(3)
 * with every signal default and unblocked, whatever its parent ignores
 * or blocks; it is reaped by an absolute deadline, after which it is
 * killed with SIGKILL: no wait on a child lasts longer than its caller
 * allowed.
 */
#ifndef SAMOTOP_PROC_H
#define SAMOTOP_PROC_H

#include <sys/types.h>

#include <time.h>

#define PROC_PGROUP	0x01	/* a process group of its own, killed whole */
#define PROC_PATH	0x02	/* argv[0] looked up in $PATH (posix_spawnp) */

/*
 * Start argv (NULL-terminated) with in on its stdin and out on its
 * stdout (-1: inherited), stderr inherited, environment envp.  Returns
 * 0 with *pid set, or an errno value (posix_spawn's way).
 */
int	proc_spawn(pid_t *pid, const char *const argv[], char *const envp[],
	    int in, int out, int flags);
/* The same with errfd on its stderr (-1: inherited). */
int	proc_spawn_err(pid_t *pid, const char *const argv[],
	    char *const envp[], int in, int out, int errfd, int flags);
/* Whether two NULL-terminated commands are the same words. */
int	proc_argv_same(const char *const a[], const char *const b[]);
/* waitpid(2), retried after EINTR. */
pid_t	proc_wait(pid_t pid, int *status, int options);
/* SIGKILL for pid (its group too with PROC_PGROUP), then reap it. */
void	proc_kill(pid_t pid, int *status, int flags);
/*
 * Reap pid, waiting until deadline (fd_deadline()) at most, then
 * proc_kill() it.  0: it ended by itself; 1: it was killed.
 */
int	proc_reap(pid_t pid, int *status, long long deadline,
	    int flags);

/*
 * No core dump of this process, nor of what it executes (RLIMIT_CORE 0,
 * inherited), and on Linux not dumpable either (PR_SET_DUMPABLE 0: no
 * core through a core_pattern pipe, no ptrace or /proc/PID/mem by the
 * same user): for the processes that hold a message's plaintext when
 * it must never reach a disk.  Best effort; errors are ignored.
 */
void	proc_no_core(void);

#endif
