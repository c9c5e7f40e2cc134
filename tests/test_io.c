/*
 * test_io.c: the client side's line framing and deadlines (io.c), over
 * pipes.  Under strict CR LF a line ends only at CR LF and a bare LF or
 * CR inside it is reported for the whole line, never a second line; a
 * deadline cuts a wait that the per-read timeout would not.
 */
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "io.h"
#include "tests/unit.h"

static struct io io;		/* 72 KiB: not on the stack */
static int in[2], out[2];	/* the client's octets, our replies */

static void
open_io(int strict, unsigned line_time)
{
	if (pipe(in) == -1 || pipe(out) == -1)
		abort();
	io_init(&io, in[0], out[1]);
	io_line_rules(&io, strict, line_time);
}

static void
close_io(void)
{
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}

static void
client(const char *s)
{
	if (fd_write_all(in[1], s, strlen(s)) == -1)
		abort();
}

/* The next line must be want, with these flags. */
static void
expect(const char *want, int bare_lf, int bare_cr)
{
	struct io_line l;

	CHECK(io_line(&io, 512, 5, &l) == IO_OK);
	CHECK(!l.too_long);
	CHECK(l.len == strlen(want) && memcmp(l.text, want, l.len) == 0);
	CHECK(l.bare_lf == bare_lf);
	CHECK(l.bare_cr == bare_cr);
}

static void
strict_one_line(void)
{
	open_io(1, 0);
	client("NOOP\nRSET\r\nA\rB\r\nC\r\rD\n\r\nQUIT\r\n\r\n");
	expect("NOOP\nRSET", 1, 0);
	expect("A\rB", 0, 1);
	expect("C\r\rD\n", 1, 1);
	expect("QUIT", 0, 0);
	expect("", 0, 0);
	close_io();
}

static void
lax_lf_ends_line(void)
{
	open_io(0, 0);
	client("NOOP\nRSET\r\nA\rB\r\n\n");
	expect("NOOP", 1, 0);
	expect("RSET", 0, 0);
	expect("A\rB", 0, 0);
	expect("", 1, 0);
	close_io();
}

/*
 * An overlong line is skipped to its CR LF even when the CR is the last
 * octet of one read and the LF the first of the next.  The wait between
 * them is a per-read timeout: no deadline is named.
 */
static void
strict_skip_across_reads(void)
{
	struct io_line l;

	open_io(1, 0);
	client("0123456789\r");
	CHECK(io_line(&io, 8, 1, &l) == IO_TIMEOUT);
	CHECK(io_expired(&io) == NULL);
	client("\nNEXT\r\n");
	CHECK(io_line(&io, 8, 5, &l) == IO_OK);
	CHECK(l.too_long);
	expect("NEXT", 0, 0);
	close_io();
}

/* A line dripped within every read timeout is cut by its deadline. */
static void
line_deadline(void)
{
	struct io_line l;
	long long t0 = fd_now_ms(), ms;
	const char *p;
	char buf[64];
	ssize_t n;

	open_io(1, 1);
	client("NO");
	CHECK(io_line(&io, 512, 10, &l) == IO_TIMEOUT);
	ms = fd_now_ms() - t0;
	CHECK(ms >= 900 && ms < 3000);
	CHECK(io.expired == IO_DL_LINE);
	CHECK_STR(io_expired(&io) != NULL ? io_expired(&io) : "", "command-line");
	/* the goodbye still goes out: the deadlines are disarmed */
	CHECK(io_write(&io, "421 bye\r\n", 9, 1) == IO_OK);
	CHECK(io_flush(&io, 1) == IO_OK);
	n = read(out[0], buf, sizeof(buf));
	CHECK(n == 9 && memcmp(buf, "421 bye\r\n", 9) == 0);
	/* what came of the line is still there, not taken as a line */
	CHECK(io_pending(&io, &p) == 2 && memcmp(p, "NO", 2) == 0);
	close_io();
}

/* Lines that come quickly do not reset the session's deadline. */
static void
session_deadline(void)
{
	struct io_line l;
	long long t0 = fd_now_ms(), ms;
	enum io_status st;
	int lines = 0;

	open_io(1, 0);
	io_set_deadline(&io, IO_DL_SESSION, 1);
	io_set_deadline(&io, IO_DL_MESSAGE, 60);
	for (;;) {
		client("NOOP\r\n");
		if ((st = io_line(&io, 512, 10, &l)) != IO_OK)
			break;
		lines++;
		usleep(100 * 1000);
	}
	ms = fd_now_ms() - t0;
	CHECK(st == IO_TIMEOUT);
	CHECK(lines >= 5 && lines <= 12);
	CHECK(ms >= 900 && ms < 3000);
	CHECK_STR(io_expired(&io) != NULL ? io_expired(&io) : "", "session");
	close_io();
}

int
main(void)
{
	TEST(strict_one_line);
	TEST(lax_lf_ends_line);
	TEST(strict_skip_across_reads);
	TEST(line_deadline);
	TEST(session_deadline);
	return UNIT_DONE();
}
