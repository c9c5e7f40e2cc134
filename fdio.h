/*
 * fdio.h: whole writes and interrupted reads on blocking descriptors,
 * for the helpers (samotop-smtpd's client side has io.c).
 */
#ifndef SAMOTOP_FDIO_H
#define SAMOTOP_FDIO_H

#include <sys/types.h>
#include <sys/socket.h>

#include <time.h>

/*
 * Close-on-exec, and non-blocking when nonblock: 0, or -1 with errno.
 * fd_pipe() makes a pipe with both ends so, or -1 with errno and none.
 */
int	fd_set_flags(int fd, int nonblock);
int	fd_pipe(int p[2], int nonblock);
/* All of buf, retrying after EINTR; 0, or -1 with errno. */
int	fd_write_all(int fd, const char *buf, size_t len);
/*
 * Wait until fd is ready for events, at most ms milliseconds (-1: for
 * ever), retried after EINTR: poll(2)'s 1, 0 on time-out, -1 and errno.
 */
int	fd_wait(int fd, short events, int ms);
/*
 * Absolute deadlines, as instants of CLOCK_MONOTONIC in milliseconds
 * (fd_now_ms()), which a change of the wall clock must not move: a peer
 * that answers a byte at a time, or never stops writing, cannot stretch
 * a wait, since the deadline is computed once per operation and every
 * wait of that operation counts down to it.  fd_deadline() is the
 * instant ms from now; fd_ms_left() what is left of one for poll(2), 0
 * once it has passed.
 */
long long fd_now_ms(void);
long long fd_deadline(long ms);
int	fd_ms_left(long long deadline);
/*
 * fd_wait() until deadline: 0 once it has passed, even when fd would be
 * ready (a flood of input must not keep a wait going).
 */
int	fd_wait_until(int fd, short events, long long deadline);
/*
 * connect(2) fd to sa by deadline (fd_deadline()), the wait non-blocking
 * whatever fd's flags, which are left as they were: 0, or -1 with errno
 * (ETIMEDOUT when the deadline passed first).
 */
int	fd_connect(int fd, const struct sockaddr *sa, socklen_t len,
	    long long deadline);
/* One read(2), retried after EINTR. */
ssize_t	fd_read_some(int fd, char *buf, size_t size);
/*
 * A whole regular file of at most max octets, in a buffer of its length
 * plus a NUL that the caller frees: 0, -1 with errno, or one of these.
 */
#define FD_NOT_REGULAR	(-2)
#define FD_TOO_LARGE	(-3)
int	fd_read_file(const char *path, size_t max, char **buf, size_t *len);
/*
 * fd_read_file's failure rc in words ("file too large (more than 1
 * MiB)" names max), formatted into buf when it needs to be.
 */
const char *fd_read_file_error(int rc, size_t max, char *buf, size_t size);

#endif
