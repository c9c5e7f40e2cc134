/*
 * sandbox_policy.c: the system calls each program may make once sealed
 * (sandbox.h), as data: named groups, and one table per program listing
 * the groups of its path.  The lists were taken from what the programs
 * and the commands they start were seen to call (strace -f over the
 * bats suite's sessions: plain, STARTTLS, SPF and DNS, greylisting,
 * milters, Maildir, LMTP, pipe and queue delivery), then completed with
 * what the C library does on the same paths under other conditions
 * (an error path, a signal, syslog).  Anything else kills the process
 * (a SIGSYS line in the log first).
 * gen/sandbox_calls.py says how the observation is repeated, and which
 * calls a new observation finds that no table names.
 *
 * A seccomp filter outlives execve(2): a helper that samotop-smtpd
 * starts, and what the helper starts, run inside smtpd's filter as well
 * as their own.  So smtpd's table is the union of its own path and its
 * children's ("spawn" and "files"), and the tables of the programs that
 * execute commands (samotop-pipe; samotop-lmtp's exec:) are the general
 * ones too; samotop-maildir and samotop-queue execute nothing and get
 * the narrowest.  What none of them may do: ptrace, mount, namespaces
 * (clone with CLONE_NEW*, unshare, setns), BPF, kernel modules, keyrings,
 * packet or netlink sockets, perf, io_uring, userfaultfd, reboot, swap,
 * changing uid or gid (NO_NEW_PRIVS forbids the gain anyway).
 */
#include <errno.h>
#include <stddef.h>

#include "sandbox.h"

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/socket.h>

#include <linux/sched.h>	/* CLONE_NEW* */
#include <seccomp.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define ALLOW(name)	{ SCMP_SYS(name), SANDBOX_ALLOW, 0, { 0 } }
#define GROUP(name, calls)	{ name, calls, NELEM(calls) }

/* Namespaces: a clone with any of these is refused (killed). */
#define CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* A running single-threaded C program: memory, time, fds, signals. */
static const struct sandbox_call process[] = {
	ALLOW(read), ALLOW(write), ALLOW(readv), ALLOW(writev),
	ALLOW(pread64), ALLOW(pwrite64), ALLOW(lseek), ALLOW(close),
	ALLOW(open), ALLOW(openat), ALLOW(fstat), ALLOW(stat), ALLOW(lstat),
	ALLOW(newfstatat), ALLOW(statx), ALLOW(access), ALLOW(faccessat),
	ALLOW(faccessat2), ALLOW(readlink), ALLOW(readlinkat),
	ALLOW(getdents64), ALLOW(getcwd), ALLOW(fadvise64),
	ALLOW(fcntl), ALLOW(dup), ALLOW(dup2), ALLOW(dup3), ALLOW(pipe),
	ALLOW(pipe2), ALLOW(poll), ALLOW(ppoll), ALLOW(select),
	ALLOW(pselect6), ALLOW(ioctl),	/* isatty(3), FIONBIO, FIONREAD */
	ALLOW(mmap), ALLOW(munmap), ALLOW(mprotect), ALLOW(mremap),
	ALLOW(brk), ALLOW(madvise),
	ALLOW(rt_sigaction), ALLOW(rt_sigprocmask), ALLOW(rt_sigreturn),
	ALLOW(sigaltstack), ALLOW(restart_syscall), ALLOW(tgkill),
	ALLOW(exit), ALLOW(exit_group),
	ALLOW(getpid), ALLOW(gettid), ALLOW(getppid), ALLOW(getuid),
	ALLOW(geteuid), ALLOW(getgid), ALLOW(getegid), ALLOW(getgroups),
	ALLOW(getresuid), ALLOW(getresgid), ALLOW(getpgrp), ALLOW(getpgid),
	ALLOW(getsid), ALLOW(umask), ALLOW(uname), ALLOW(sysinfo),
	ALLOW(getrusage), ALLOW(times), ALLOW(prlimit64), ALLOW(getrlimit),
	ALLOW(setrlimit),	/* RLIMIT_CORE 0: proc_no_core() */
	ALLOW(clock_gettime), ALLOW(clock_getres), ALLOW(gettimeofday),
	ALLOW(time), ALLOW(clock_nanosleep), ALLOW(nanosleep),
	ALLOW(alarm), ALLOW(setitimer), ALLOW(getitimer),
	ALLOW(getrandom), ALLOW(futex), ALLOW(set_robust_list),
	ALLOW(get_robust_list), ALLOW(rseq), ALLOW(sched_yield),
	ALLOW(sched_getaffinity),
	{ SCMP_SYS(prctl), SANDBOX_ARG0_IN, 5, { PR_SET_DUMPABLE,
	    PR_GET_DUMPABLE, PR_SET_NAME, PR_GET_NAME, PR_SET_NO_NEW_PRIVS } },
};

/* Writing files: Maildirs, the spool, the queue, SQLite's journal. */
static const struct sandbox_call files[] = {
	ALLOW(mkdir), ALLOW(mkdirat), ALLOW(rmdir), ALLOW(rename),
	ALLOW(renameat), ALLOW(renameat2), ALLOW(link), ALLOW(linkat),
	ALLOW(unlink), ALLOW(unlinkat), ALLOW(ftruncate), ALLOW(truncate),
	ALLOW(fchmod), ALLOW(fchmodat), ALLOW(chmod), ALLOW(utimensat),
	ALLOW(flock), ALLOW(fsync), ALLOW(fdatasync), ALLOW(fallocate),
	ALLOW(fstatfs), ALLOW(statfs), ALLOW(chdir), ALLOW(fchdir),
	ALLOW(copy_file_range), ALLOW(sendfile), ALLOW(fchown),
	ALLOW(fchownat), ALLOW(chown), ALLOW(lchown),
};

/* syslog(3) with `log syslog`: /dev/log, a local datagram socket. */
static const struct sandbox_call syslog[] = {
	{ SCMP_SYS(socket), SANDBOX_ARG0_IN, 1, { AF_UNIX } },
	ALLOW(connect), ALLOW(sendto), ALLOW(sendmsg),
};

/*
 * Sockets: DNS (the resolver, libspf2, libunbound), milters, LMTP
 * servers, the store's SQLite has none.  Only local and IP sockets;
 * netlink, which getaddrinfo(3) tries for AI_ADDRCONFIG and does
 * without, is refused with an error rather than killed.
 */
static const struct sandbox_call net[] = {
	{ SCMP_SYS(socket), SANDBOX_ARG0_IN, 3, { AF_UNIX, AF_INET,
	    AF_INET6 } },
	{ SCMP_SYS(socket), SANDBOX_ARG0_ERRNO, 2, { EAFNOSUPPORT,
	    AF_NETLINK } },
	ALLOW(socketpair), ALLOW(connect), ALLOW(bind), ALLOW(listen),
	ALLOW(accept), ALLOW(accept4),
	ALLOW(getsockname), ALLOW(getpeername), ALLOW(setsockopt),
	ALLOW(getsockopt), ALLOW(sendto), ALLOW(recvfrom), ALLOW(sendmsg),
	ALLOW(recvmsg), ALLOW(sendmmsg), ALLOW(recvmmsg), ALLOW(shutdown),
	ALLOW(epoll_create), ALLOW(epoll_create1), ALLOW(epoll_ctl), ALLOW(epoll_wait),
	ALLOW(epoll_pwait), ALLOW(eventfd2),
};

/*
 * A process or a thread: posix_spawn(3)'s clone(CLONE_VM | CLONE_VFORK),
 * libcurl's resolver thread.  clone3 is refused with ENOSYS, so that the
 * C library falls back to clone, whose flags a filter can see: never a
 * new namespace.
 */
static const struct sandbox_call threads[] = {
	{ SCMP_SYS(clone), SANDBOX_ARG0_CLEAR, 1, { CLONE_NAMESPACES } },
	{ SCMP_SYS(clone3), SANDBOX_ERRNO, 1, { ENOSYS } },
};

/*
 * Starting a program and what it needs to start: the dynamic loader's
 * first calls, a shell's.
 */
static const struct sandbox_call spawn[] = {
	ALLOW(vfork), ALLOW(fork), ALLOW(execve), ALLOW(execveat),
	ALLOW(wait4), ALLOW(waitid), ALLOW(kill), ALLOW(setpgid),
	ALLOW(setsid), ALLOW(arch_prctl), ALLOW(set_tid_address),
};

/*
 * Giving up privileges: an LDA or a pipe command that runs as root and
 * becomes the mailbox's owner (setpriv, dovecot-lda).  NO_NEW_PRIVS
 * keeps any of these from gaining any.
 */
static const struct sandbox_call creds[] = {
	ALLOW(setuid), ALLOW(setgid), ALLOW(setreuid), ALLOW(setregid),
	ALLOW(setresuid), ALLOW(setresgid), ALLOW(setgroups),
	ALLOW(setfsuid), ALLOW(setfsgid), ALLOW(capget), ALLOW(capset),
	{ SCMP_SYS(prctl), SANDBOX_ARG0_IN, 6, { PR_CAPBSET_READ,
	    PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_GET_SECUREBITS,
	    PR_SET_KEEPCAPS, PR_GET_NO_NEW_PRIVS } },
};

/*
 * A program started inside the filter seals itself as well (the
 * helpers do): these calls only ever take away.
 */
static const struct sandbox_call seal[] = {
	{ SCMP_SYS(seccomp), SANDBOX_ARG0_IN, 1, { 1 /* SET_MODE_FILTER */ } },
	ALLOW(landlock_create_ruleset), ALLOW(landlock_add_rule),
	ALLOW(landlock_restrict_self),
};

static const struct sandbox_group g_process = GROUP("process", process);
static const struct sandbox_group g_files = GROUP("files", files);
static const struct sandbox_group g_syslog = GROUP("syslog", syslog);
static const struct sandbox_group g_net = GROUP("net", net);
static const struct sandbox_group g_threads = GROUP("threads", threads);
static const struct sandbox_group g_spawn = GROUP("spawn", spawn);
static const struct sandbox_group g_seal = GROUP("seal", seal);
static const struct sandbox_group g_creds = GROUP("creds", creds);

/*
 * samotop-smtpd: the session, TLS, DNS, milters, the store; and the
 * helpers it starts, which inherit its filter.
 */
static const struct sandbox_group *const smtpd[] = {
	&g_process, &g_files, &g_net, &g_threads, &g_spawn, &g_seal,
	&g_creds, NULL
};
/* samotop-maildir: files under its templates, and its log. */
static const struct sandbox_group *const maildir[] = {
	&g_process, &g_files, &g_syslog, NULL
};
/*
 * samotop-lmtp: a socket to the LDA, or the LDA it executes (exec:),
 * which inherits the filter and writes the mailboxes.
 */
static const struct sandbox_group *const lmtp[] = {
	&g_process, &g_files, &g_net, &g_threads, &g_spawn, &g_seal,
	&g_creds, NULL
};
/* samotop-pipe: the commands it runs inherit the filter (sandbox.h). */
static const struct sandbox_group *const pipe_[] = {
	&g_process, &g_files, &g_net, &g_threads, &g_spawn, &g_seal,
	&g_creds, NULL
};
/* samotop-queue: the queue directory, and its log. */
static const struct sandbox_group *const queue[] = {
	&g_process, &g_files, &g_syslog, NULL
};

/*
 * samotop-encrypt: an LMTP filter; the next helper (samotop-maildir,
 * samotop-pipe...) runs inside its filter, so its table is the general
 * one, as samotop-pipe's.
 */
static const struct sandbox_group *const encrypt[] = {
	&g_process, &g_files, &g_net, &g_threads, &g_spawn, &g_seal,
	&g_creds, NULL
};

/*
 * samotop-remote: DNS, TLS (DANE), MTA-STS's HTTPS fetch (libcurl, with
 * a resolver thread) and its cache; it executes nothing.
 */
static const struct sandbox_group *const remote[] = {
	&g_process, &g_files, &g_net, &g_threads, NULL
};

static const struct sandbox_group *const *const tables[SANDBOX__COUNT] = {
	[SANDBOX_SMTPD] = smtpd,
	[SANDBOX_MAILDIR] = maildir,
	[SANDBOX_LMTP] = lmtp,
	[SANDBOX_PIPE] = pipe_,
	[SANDBOX_QUEUE] = queue,
	[SANDBOX_ENCRYPT] = encrypt,
	[SANDBOX_REMOTE] = remote,
};

const struct sandbox_group *const *
sandbox_policy(enum sandbox_prog prog)
{
	if ((unsigned)prog >= SANDBOX__COUNT)
		return NULL;
	return tables[prog];
}

#else

const struct sandbox_group *const *
sandbox_policy(enum sandbox_prog prog)
{
	(void)prog;
	return NULL;
}

#endif
