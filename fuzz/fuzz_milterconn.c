/*
 * fuzz_milterconn.c: the milter client (milterconn.c) against a filter
 * whose every byte is the fuzzer's.  The first octet chooses
 * milter-default (bit 0) and which call of the change callbacks fails
 * (bits 1-3, 0: none); the rest is what the filter sends, written to
 * its end of a socketpair before one whole session (connect to quit),
 * then end of file, so that nothing waits for a deadline.
 * Each event's decision must be well formed: a verdict of the enum, a
 * deciding filter 0 or none, a reply code 400..599 that its text starts
 * with; a filter down must be closed and say why; and with milter-default
 * tempfail, once the filter is down every event's verdict is TEMPFAIL:
 * never silently unfiltered.  Every string the callbacks get ends in a
 * NUL inside what ASan lets them read.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milterconn.h"

static struct milter_set set;
static int fail_at, calls;

static int
call(const char *a, const char *b)
{
	if (a != NULL && strlen(a) > MILTER_PACKET_MAX + 1)
		abort();
	if (b != NULL && strlen(b) > MILTER_PACKET_MAX + 1)
		abort();
	return ++calls == fail_at ? -1 : 0;
}

static int
add_header(void *arg, const char *name, const char *value)
{
	(void)arg;
	if (*name == '\0')
		abort();
	return call(name, value);
}

static int
insert_header(void *arg, uint32_t index, const char *name,
    const char *value)
{
	(void)arg;
	(void)index;
	return call(name, value);
}

static int
change_header(void *arg, uint32_t index, const char *name,
    const char *value)
{
	(void)arg;
	if (index == 0)
		abort();	/* Sendmail's 0 is made 1 */
	return call(name, value);
}

static int
replace_body(void *arg, const char *data, size_t len, int first)
{
	volatile char c;

	(void)arg;
	(void)first;
	if (len > 0)
		c = data[len - 1];	/* ASan: all of it is readable */
	(void)c;
	return call(NULL, NULL);
}

static int
change_from(void *arg, const char *addr, const char *args)
{
	(void)arg;
	return call(addr, args);
}

static int
add_rcpt(void *arg, const char *addr, const char *args)
{
	(void)arg;
	return call(addr, args);
}

static int
delete_rcpt(void *arg, const char *addr)
{
	(void)arg;
	return call(addr, NULL);
}

static int
quarantine(void *arg, const char *reason)
{
	(void)arg;
	return call(reason, NULL);
}

static const struct milter_mods mods = { NULL, add_header, insert_header,
    change_header, replace_body, change_from, add_rcpt, delete_rcpt,
    quarantine };

static void
check(const struct milter_decision *d, int strict)
{
	const struct milter_filter *f = &set.f[0];

	if ((int)d->verdict < MILTERCONN_CONTINUE ||
	    d->verdict > MILTERCONN_SHUTDOWN)
		abort();
	if (d->filter < -1 || d->filter > 0 || (d->down & ~1u) != 0)
		abort();
	if (d->verdict == MILTERCONN_REPLY &&
	    (d->code < 400 || d->code > 599 || strlen(d->text) < 3 ||
	    (d->text[0] - '0') * 100 + (d->text[1] - '0') * 10 +
	    (d->text[2] - '0') != d->code))
		abort();
	if (d->by_default && (d->verdict != MILTERCONN_TEMPFAIL ||
	    set.policy != MILTERCONN_DEFAULT_TEMPFAIL))
		abort();
	if (f->fault != MILTERCONN_UP && (f->fd != -1 || f->why[0] == '\0'))
		abort();
	if (strict && f->fault != MILTERCONN_UP &&
	    set.policy == MILTERCONN_DEFAULT_TEMPFAIL &&
	    d->verdict != MILTERCONN_TEMPFAIL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct milterconn_timeouts t = { 1, 1, 1 };
	static struct milter_macros mac = { .j = "mx.example",
	    .client_addr = "192.0.2.1", .mail_addr = "a@example.org",
	    .rcpt_addr = "b@example.org", .i = "ID" };
	const char *args[] = { "SIZE=10" };
	struct milter_decision d;
	int sv[2];

	if (size < 1 || size > 60000)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	/* the filter's words (as much as the socket holds), then its end
	 * of file */
	(void)fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (size > 1 && write(sv[1], data + 1, size - 1) == -1)
		;	/* the filter said nothing: a case like any other */
	shutdown(sv[1], SHUT_WR);
	fail_at = (data[0] >> 1) & 7;
	calls = 0;
	milterconn_init(&set, &t, data[0] & 1 ? MILTERCONN_DEFAULT_ACCEPT :
	    MILTERCONN_DEFAULT_TEMPFAIL, &mac, &mods);
	milterconn_add_fd(&set, "fuzz", sv[0]);

	check((milterconn_connect(&set, "c.example", SMFIA_INET, 25,
	    "192.0.2.1", &d), &d), 1);
	check((milterconn_helo(&set, "h.example", &d), &d), 1);
	check((milterconn_mail(&set, "a@example.org", args, 1, &d), &d), 1);
	check((milterconn_rcpt(&set, "b@example.org", NULL, 0, &d), &d), 1);
	check((milterconn_data(&set, &d), &d), 1);
	check((milterconn_header(&set, "Subject", " hi\n there", &d), &d),
	    1);
	check((milterconn_eoh(&set, &d), &d), 1);
	check((milterconn_body(&set, "body\r\n", 6, &d), &d), 1);
	/* eom may lose a filter it had no more to ask, at its ABORT */
	check((milterconn_eom(&set, &d), &d), 0);
	check((milterconn_mail(&set, "c@example.org", NULL, 0, &d), &d), 1);
	milterconn_abort(&set, &d);
	check(&d, 0);
	milterconn_quit(&set, &d);
	check(&d, 0);
	close(sv[1]);
	return 0;
}
