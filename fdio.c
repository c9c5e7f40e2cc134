/*
 * fdio.c: EINTR-safe whole writes and reads.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "fdio.h"

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
