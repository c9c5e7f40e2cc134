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

static char in[1 << 16];
static size_t len, off;

static int fill(void)
{
	ssize_t n;

	if (off == len)
		off = len = 0;
	if (len == sizeof in) {
		memmove(in, in + off, len - off);
		len -= off;
		off = 0;
	}
	n = read(0, in + len, sizeof in - len);
	if (n <= 0)
		return -1;
	len += (size_t)n;
	return 0;
}

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

/* Skip the message up to and with CRLF.CRLF; the CRLF of the DATA line
 * counts as the first CRLF.  memmem, not an octet-by-octet loop: the sink
 * must cost less than what it measures. */
static int skipdata(void)
{
	const char *hit;
	size_t keep;
	ssize_t n;

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
			off = (size_t)(hit - in) + 5;
			return 0;
		}
		keep = len - off < 4 ? len - off : 4;
		memmove(in, in + len - keep, keep);
		off = 0;
		len = keep;
		n = read(0, in + len, sizeof in - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
	}
}

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
			if (skipdata() < 0)
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
