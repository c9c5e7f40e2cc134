/*
 * fdio.c: EINTR-safe whole writes and reads, whole files, and the
 * monotonic clock.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

int
fd_set_flags(int fd, int nonblock)
{
	int fl;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	if (!nonblock)
		return 0;
	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
fd_pipe(int p[2], int nonblock)
{
	int saved;

	if (pipe(p) == -1)
		return -1;
	if (fd_set_flags(p[0], nonblock) == -1 ||
	    fd_set_flags(p[1], nonblock) == -1) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

int
fd_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

ssize_t
fd_read_some(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size);
	while (n == -1 && errno == EINTR);
	return n;
}

int
fd_wait(int fd, short events, int ms)
{
	struct pollfd pfd = { fd, events, 0 };
	int n;

	do
		n = poll(&pfd, 1, ms);
	while (n == -1 && errno == EINTR);
	return n;
}

long long
fd_now_ms(void)
{
	struct timespec ts;

	/* Cannot fail with a valid clock and pointer (POSIX). */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
fd_deadline(long ms)
{
	return fd_now_ms() + ms;
}

int
fd_ms_left(long long deadline)
{
	long long ms = deadline - fd_now_ms();

	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int
fd_wait_until(int fd, short events, long long deadline)
{
	struct pollfd pfd = { fd, events, 0 };
	int n, ms;

	do {
		if ((ms = fd_ms_left(deadline)) == 0)
			return 0;
		n = poll(&pfd, 1, ms);
	} while (n == -1 && errno == EINTR);
	return n;
}

int
fd_connect(int fd, const struct sockaddr *sa, socklen_t len,
    long long deadline)
{
	socklen_t elen = sizeof(int);
	int n, err = 0, fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	if (connect(fd, sa, len) == -1) {
		if (errno != EINPROGRESS && errno != EINTR)
			return -1;
		n = fd_wait_until(fd, POLLOUT, deadline);
		if (n <= 0) {
			errno = n == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
			return -1;
		if (err != 0) {
			errno = err;
			return -1;
		}
	}
	return fcntl(fd, F_SETFL, fl);
}

/* Close and free with errno kept for the caller. */
static int
read_fail(int fd, char *text, int rc)
{
	int saved = errno;

	close(fd);
	free(text);
	errno = saved;
	return rc;
}

int
fd_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat	 st;
	char		*text;
	size_t		 size, got = 0;
	ssize_t		 r;
	int		 fd;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		return read_fail(fd, NULL, -1);
	if (!S_ISREG(st.st_mode))
		return read_fail(fd, NULL, FD_NOT_REGULAR);
	if ((unsigned long long)st.st_size > max)
		return read_fail(fd, NULL, FD_TOO_LARGE);
	size = st.st_size;
	if ((text = malloc(size + 1)) == NULL)
		return read_fail(fd, NULL, -1);
	while (got < size) {
		if ((r = fd_read_some(fd, text + got, size - got)) == -1)
			return read_fail(fd, text, -1);
		if (r == 0)
			break;	/* it shrank: take what is there */
		got += r;
	}
	close(fd);
	text[got] = '\0';
	*buf = text;
	*len = got;
	return 0;
}

const char *
fd_read_file_error(int rc, size_t max, char *buf, size_t size)
{
	switch (rc) {
	case FD_NOT_REGULAR:
		return "not a regular file";
	case FD_TOO_LARGE:
		snprintf(buf, size, "file too large (more than %zu MiB)",
		    max >> 20);
		return buf;
	default:
		return strerror(errno);
	}
}
