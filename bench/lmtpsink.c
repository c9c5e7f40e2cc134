/* bench/lmtpsink.c: an LMTP server on stdin/stdout that discards.  It
 * answers 250 to every command, 354 to DATA, reads the message to
 * CRLF.CRLF and answers 250 once per accepted RCPT: the cheapest helper
 * samotop-smtpd can talk to, so that a DATA benchmark measures
 * samotop-smtpd and the pipe, not the disk. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lineio.h"

int main(void)
{
	char line[4096];
	int rcpts = 0;

	say("220 lmtpsink LMTP\r\n");
	while (getline_(line, sizeof line) == 0) {
		if (!strncasecmp(line, "QUIT", 4)) {
			say("221 bye\r\n");
			break;
		} else if (!strncasecmp(line, "LHLO", 4)) {
			say("250-lmtpsink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n");
		} else if (!strncasecmp(line, "RCPT", 4)) {
			rcpts++;
			say("250 2.1.5 ok\r\n");
		} else if (!strncasecmp(line, "DATA", 4)) {
			say("354 go\r\n");
			if (message(-1) < 0)
				return 0; /* end of input before the dot: abort */
			while (rcpts-- > 0)
				say("250 2.0.0 ok\r\n");
			rcpts = 0;
		} else if (!strncasecmp(line, "RSET", 4) ||
		    !strncasecmp(line, "MAIL", 4)) {
			if (line[0] == 'R' || line[0] == 'r')
				rcpts = 0;
			say("250 2.0.0 ok\r\n");
		} else {
			say("250 2.0.0 ok\r\n");
		}
	}
	return 0;
}
