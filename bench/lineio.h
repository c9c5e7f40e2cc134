/* bench/lineio.h: the input side shared by the floor and the LMTP sink,
 * each one small program of its own: buffered lines, and a message read
 * to CRLF.CRLF with memmem (not octet by octet: these programs must cost
 * less than what they measure). */
#include <string.h>
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

/* The message up to and with CRLF.CRLF (the CRLF of the DATA line counts
 * as the first CRLF), written to fd, or dropped when fd is -1; -1 when
 * the input ends first. */
static int message(int fd)
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
			if (fd >= 0)
				writeall(fd, in + off, (size_t)(hit - in) + 5 - off);
			off = (size_t)(hit - in) + 5;
			return 0;
		}
		keep = len - off < 4 ? len - off : 4;
		if (fd >= 0)
			writeall(fd, in + off, len - off - keep);
		memmove(in, in + len - keep, keep);
		off = 0;
		len = keep;
		n = read(0, in + len, sizeof in - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
	}
}
