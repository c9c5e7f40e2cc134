/* bench/floor.c: the floor for the benchmarks.  A trivial SMTP responder
 * for one session on fd 0/1 under tcpserver: 220, 250 to everything, 354
 * to DATA, reads the message to CRLF.CRLF and, for each message,
 * fork+execs SINK (argv[1], a /bin/true that drains stdin) with the message
 * on a pipe.  It stores nothing and checks nothing: what samotop-smtpd
 * plus its helper cost above this is the price of doing the job. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

static char in[1 << 16];
static size_t len, off;

static int fill(void)
{
	ssize_t n;

	if (off == len)
		off = len = 0;
	n = read(0, in + len, sizeof in - len);
	if (n <= 0)
		return -1;
	len += (size_t)n;
	return 0;
}

/* one line into line[], CRLF stripped; -1 at EOF */
static int getline_(char *line, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (off < len) {
			char c = in[off++];
			if (c == '\n') {
				if (n && line[n - 1] == '\r')
					n--;
				line[n] = 0;
				return 0;
			}
			if (n < max - 1)
				line[n++] = c;
		}
		if (fill() < 0)
			return -1;
	}
}

static void say(const char *s)
{
	(void)!write(1, s, strlen(s));
}

static void writeall(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Pipe the message, up to and with CRLF.CRLF, to the sink (the CRLF of
 * the DATA line counts as the first CRLF).  memmem finds the end. */
static int data(const char *sink)
{
	int p[2], st = 0;
	pid_t pid;
	const char *hit;
	size_t keep;
	ssize_t n;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execl(sink, sink, (char *)0);
		_exit(127);
	}
	close(p[0]);
	if (off >= 2) {
		off -= 2;
	} else {
		memmove(in + 2, in + off, len - off);
		len = len - off + 2;
		off = 0;
	}
	in[off] = '\r';
	in[off + 1] = '\n';
	for (;;) {
		hit = memmem(in + off, len - off, "\r\n.\r\n", 5);
		if (hit) {
			writeall(p[1], in + off, (size_t)(hit - in) + 5 - off);
			off = (size_t)(hit - in) + 5;
			break;
		}
		keep = len - off < 4 ? len - off : 4;
		writeall(p[1], in + off, len - off - keep);
		memmove(in, in + len - keep, keep);
		off = 0;
		len = keep;
		n = read(0, in + len, sizeof in - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(p[1]);
	waitpid(pid, &st, 0);
	return 0;
}

int main(int argc, char **argv)
{
	char line[1024];
	const char *sink = argc > 1 ? argv[1] : "/bin/true";

	say("220 floor ESMTP\r\n");
	while (getline_(line, sizeof line) == 0) {
		if (!strncasecmp(line, "QUIT", 4)) {
			say("221 bye\r\n");
			break;
		} else if (!strncasecmp(line, "EHLO", 4)) {
			say("250-floor\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
		} else if (!strncasecmp(line, "DATA", 4)) {
			say("354 go\r\n");
			data(sink);
			say("250 ok\r\n");
		} else {
			say("250 ok\r\n");
		}
	}
	return 0;
}
