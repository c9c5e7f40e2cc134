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

#include "lineio.h"

/* Pipe the message, up to and with CRLF.CRLF, to the sink. */
static int data(const char *sink)
{
	int p[2], st = 0;
	pid_t pid;

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
	message(p[1]);
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
