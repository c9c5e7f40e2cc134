/*
 * test_hdredit.c: milter header edits applied to messages (hdredit.c):
 * each case's result compared with the message a user would receive,
 * fed whole and octet by octet (both passes), and the limits and
 * misuses refused with their error.
 */
#include <errno.h>

#include "unit.h"
#include "hdredit.h"

#define OUTMAX	(256 * 1024)

static struct hdredit H;
static char got[OUTMAX + 1];
static size_t gotlen;
static int sink_fails;

static int
sink(void *arg, const char *buf, size_t len)
{
	(void)arg;
	if (sink_fails) {
		errno = EPIPE;
		return -1;
	}
	if (len > OUTMAX - gotlen)
		len = OUTMAX - gotlen;
	memcpy(got + gotlen, buf, len);
	gotlen += len;
	got[gotlen] = '\0';
	return 0;
}

typedef void (*setup_fn)(struct hdredit *);

/* Both passes over msg in pieces of step octets (0: whole). */
static enum hdredit_error
run(setup_fn setup, const char *msg, size_t step)
{
	size_t len = strlen(msg), i, n;
	enum hdredit_error e;

	hdredit_init(&H);
	gotlen = 0;
	got[0] = '\0';
	if (setup != NULL)
		setup(&H);
	if (step == 0)
		step = len > 0 ? len : 1;
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		if ((e = hdredit_scan(&H, msg + i, n)) != HDREDIT_OK)
			return e;
	}
	if ((e = hdredit_scan_end(&H)) != HDREDIT_OK)
		return e;
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		if ((e = hdredit_write(&H, msg + i, n, sink, NULL)) !=
		    HDREDIT_OK)
			return e;
	}
	return hdredit_write_end(&H, sink, NULL);
}

/* The result of setup on msg is want, fed whole and octet by octet. */
static void
expect(setup_fn setup, const char *msg, const char *want)
{
	CHECK(run(setup, msg, 0) == HDREDIT_OK);
	CHECK_STR(got, want);
	CHECK(run(setup, msg, 1) == HDREDIT_OK);
	CHECK_STR(got, want);
	CHECK(run(setup, msg, 7) == HDREDIT_OK);
	CHECK_STR(got, want);
}

static const char msg[] =
    "Received: from a\r\n"
    "\tby b; Thu, 3 Dec 2026\r\n"
    "Subject: hello\r\n"
    "Received: from c\r\n"
    "To: u@example.org,\r\n"
    " v@example.org\r\n"
    "Received: from d\r\n"
    "\r\n"
    "Subject: not a field, the body\r\n"
    "body\r\n";

/* --- no edits --- */

static void
unchanged(void)
{
	expect(NULL, msg, msg);
	expect(NULL, "", "");
	expect(NULL, "no header at all\r\n", "no header at all\r\n");
	expect(NULL, "Subject: x", "Subject: x");
	CHECK(!hdredit_active(&H));
}

/* --- add --- */

static void
s_add(struct hdredit *h)
{
	CHECK(hdredit_add(h, "X-Spam", "yes", 0) == HDREDIT_OK);
}

static void
add_appends(void)
{
	expect(s_add, msg,
	    "Received: from a\r\n"
	    "\tby b; Thu, 3 Dec 2026\r\n"
	    "Subject: hello\r\n"
	    "Received: from c\r\n"
	    "To: u@example.org,\r\n"
	    " v@example.org\r\n"
	    "Received: from d\r\n"
	    "X-Spam: yes\r\n"
	    "\r\n"
	    "Subject: not a field, the body\r\n"
	    "body\r\n");
	CHECK(hdredit_active(&H));
	CHECK(H.written == 6);
}

static void
add_header_only(void)
{
	/* a message that is all header, with and without its last CRLF */
	expect(s_add, "Subject: s\r\n", "Subject: s\r\nX-Spam: yes\r\n");
	expect(s_add, "Subject: s", "Subject: s\r\nX-Spam: yes\r\n");
	expect(s_add, "Subject: s\r", "Subject: s\r\nX-Spam: yes\r\n");
	expect(s_add, "Subject: s\r\n folded", "Subject: s\r\n folded\r\n"
	    "X-Spam: yes\r\n");
}

static void
add_no_header(void)
{
	/* an empty header, no message, and a first line that is no field */
	expect(s_add, "\r\nbody\r\n", "X-Spam: yes\r\n\r\nbody\r\n");
	expect(s_add, "", "X-Spam: yes\r\n");
	expect(s_add, "no field\r\n\r\nbody\r\n",
	    "X-Spam: yes\r\nno field\r\n\r\nbody\r\n");
	/* a continuation with no field before it is no header either */
	expect(s_add, " folded\r\nSubject: s\r\n\r\n",
	    "X-Spam: yes\r\n\r\n folded\r\nSubject: s\r\n\r\n");
	expect(NULL, " folded\r\n", " folded\r\n");
	/* a line that is no field ends the header: the rest is body */
	expect(s_add, "A: 1\r\nno field\r\nB: 2\r\n\r\n",
	    "A: 1\r\nX-Spam: yes\r\nno field\r\nB: 2\r\n\r\n");
	expect(s_add, "A: 1\r\n: no name\r\n", "A: 1\r\nX-Spam: yes\r\n"
	    ": no name\r\n");
	expect(s_add, "A: 1\r\nA\x80: 8 bit\r\n", "A: 1\r\nX-Spam: yes\r\n"
	    "A\x80: 8 bit\r\n");
	expect(s_add, "A: 1\r\nno colon", "A: 1\r\nX-Spam: yes\r\nno colon");
	expect(s_add, "A: 1\r\n\rB: 2\r\n", "A: 1\r\nX-Spam: yes\r\n"
	    "\rB: 2\r\n");
}

/* --- insert --- */

static void
s_insert(struct hdredit *h)
{
	CHECK(hdredit_insert(h, 0, "I0", "zero", 0) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 2, "I2", "two", 0) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 99, "I99", "end", 0) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 1, "I1", "one", 0) == HDREDIT_OK);
}

static void
insert_index(void)
{
	/* each index counts the fields as the edits before left them */
	expect(s_insert, "A: 1\r\nB: 2\r\n\r\nbody\r\n",
	    "I0: zero\r\nI1: one\r\nA: 1\r\nI2: two\r\nB: 2\r\nI99: end\r\n"
	    "\r\nbody\r\n");
	expect(s_insert, "", "I0: zero\r\nI1: one\r\nI2: two\r\nI99: end\r\n");
}

static void
s_insert_last(struct hdredit *h)
{
	CHECK(hdredit_insert(h, 2, "X", "y", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "Z", "z", 0) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 3, "W", "w", 0) == HDREDIT_OK);
}

static void
insert_at_end(void)
{
	/* index == number of fields: after the last one, before an add */
	expect(s_insert_last, "A: 1\r\nB: 2\r\n\r\n",
	    "A: 1\r\nB: 2\r\nX: y\r\nW: w\r\nZ: z\r\n\r\n");
}

/* --- change and delete --- */

static void
s_change(struct hdredit *h)
{
	CHECK(hdredit_change(h, 1, "Subject", "[SPAM] hello", 0) ==
	    HDREDIT_OK);
	CHECK(hdredit_change(h, 2, "received", "from C", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "TO", "w@example.org", 0) == HDREDIT_OK);
}

static void
change_nth(void)
{
	/* the folded field goes whole; names match in any case */
	expect(s_change, msg,
	    "Received: from a\r\n"
	    "\tby b; Thu, 3 Dec 2026\r\n"
	    "Subject: [SPAM] hello\r\n"
	    "received: from C\r\n"
	    "TO: w@example.org\r\n"
	    "Received: from d\r\n"
	    "\r\n"
	    "Subject: not a field, the body\r\n"
	    "body\r\n");
}

static void
s_change0(struct hdredit *h)
{
	CHECK(hdredit_change(h, 0, "Received", "first", 0) == HDREDIT_OK);
}

static void
change_index0(void)
{
	/* 0 is 1, as Sendmail and Postfix take it */
	expect(s_change0, "Received: a\r\n folded\r\nReceived: b\r\n\r\n",
	    "Received: first\r\nReceived: b\r\n\r\n");
}

static void
s_change_missing(struct hdredit *h)
{
	CHECK(hdredit_change(h, 1, "X-New", "added", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 3, "Received", "third", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "X-Gone", "", 0) == HDREDIT_OK);
}

static void
change_missing(void)
{
	/* a change of no such field appends it; a delete does nothing */
	expect(s_change_missing, "Received: a\r\nReceived: b\r\n\r\nx\r\n",
	    "Received: a\r\nReceived: b\r\nX-New: added\r\n"
	    "Received: third\r\n\r\nx\r\n");
}

static void
s_delete(struct hdredit *h)
{
	CHECK(hdredit_change(h, 1, "To", "", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "Received", "", 0) == HDREDIT_OK);
	/* counted again after the delete: the second of those left */
	CHECK(hdredit_change(h, 2, "Received", "", 0) == HDREDIT_OK);
}

static void
delete_fields(void)
{
	expect(s_delete, msg,
	    "Subject: hello\r\n"
	    "Received: from c\r\n"
	    "\r\n"
	    "Subject: not a field, the body\r\n"
	    "body\r\n");
	/* the last field deleted, and it had no CRLF */
	expect(s_delete, "Received: a\r\nTo: b", "");
}

static void
s_chain(struct hdredit *h)
{
	CHECK(hdredit_add(h, "X-A", "1", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "X-A", "2", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "x-a", "3", 0) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 0, "X-B", "b", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "X-B", "", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "Subject", "", 0) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 0, "Subject", "new", 0) == HDREDIT_OK);
}

static void
edits_chain(void)
{
	/* each edit sees the header as the ones before left it */
	expect(s_chain, "Subject: old\r\n\r\n", "Subject: new\r\nx-a: 3\r\n"
	    "\r\n");
}

static void
s_samename(struct hdredit *h)
{
	CHECK(hdredit_insert(h, 0, "Received", "inserted", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 2, "Received", "changed", 0) == HDREDIT_OK);
}

static void
counts_inserted(void)
{
	/* an inserted field counts among those of its name */
	expect(s_samename, "Received: a\r\nReceived: b\r\n\r\n",
	    "Received: inserted\r\nReceived: changed\r\nReceived: b\r\n\r\n");
}

static void
s_blank_name(struct hdredit *h)
{
	CHECK(hdredit_change(h, 1, "Subject", "x", 0) == HDREDIT_OK);
}

static void
name_blanks(void)
{
	/* blanks before the colon (RFC 5322 obsolete syntax) */
	expect(s_blank_name, "Subject \t: old\r\nTo: u\r\n\r\n",
	    "Subject: x\r\nTo: u\r\n\r\n");
}

/* --- values --- */

static void
s_values(struct hdredit *h)
{
	CHECK(hdredit_add(h, "A", "one\n\ttwo", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "B", "one\ntwo", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "C", "one\r\n two\n", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "D", "one\n\n\nReceived: forged\n\n", 0) ==
	    HDREDIT_OK);
	CHECK(hdredit_add(h, "E", "", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "F", "lone\rcr", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "G", "\nfirst", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "H", " kept space", 1) == HDREDIT_OK);
	CHECK(hdredit_add(h, "I", "no space", 1) == HDREDIT_OK);
	CHECK(hdredit_add(h, "J", " two spaces", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "K", "a\n \t\n\t\nb\n \t", 0) == HDREDIT_OK);
	CHECK(hdredit_add(h, "L", "trailing  ", 0) == HDREDIT_OK);
}

static void
values(void)
{
	/* line ends become CRLF and a blank; no value starts a field */
	expect(s_values, "\r\n",
	    "A: one\r\n\ttwo\r\n"
	    "B: one\r\n\ttwo\r\n"
	    "C: one\r\n two\r\n"
	    "D: one\r\n\tReceived: forged\r\n"
	    "E: \r\n"
	    "F: lone\r\n\tcr\r\n"
	    "G: \r\n\tfirst\r\n"
	    "H: kept space\r\n"
	    "I:no space\r\n"
	    "J:  two spaces\r\n"
	    "K: a\r\n\tb\r\n"
	    "L: trailing  \r\n"
	    "\r\n");
}

static void
bad_names(void)
{
	char longname[HDREDIT_NAME_MAX + 2];

	hdredit_init(&H);
	CHECK(hdredit_add(&H, "", "v", 0) == HDREDIT_EBADNAME);
	hdredit_init(&H);
	CHECK(hdredit_add(&H, "A:B", "v", 0) == HDREDIT_EBADNAME);
	hdredit_init(&H);
	CHECK(hdredit_insert(&H, 0, "A B", "v", 0) == HDREDIT_EBADNAME);
	hdredit_init(&H);
	CHECK(hdredit_change(&H, 1, "A\xc3\xa9", "v", 0) ==
	    HDREDIT_EBADNAME);
	hdredit_init(&H);
	CHECK(hdredit_add(&H, "A\r\nB", "v", 0) == HDREDIT_EBADNAME);
	/* the error sticks */
	CHECK(hdredit_add(&H, "Fine", "v", 0) == HDREDIT_EBADNAME);
	CHECK(hdredit_scan_end(&H) == HDREDIT_EBADNAME);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	hdredit_init(&H);
	CHECK(hdredit_add(&H, longname, "v", 0) == HDREDIT_EBADNAME);
	longname[HDREDIT_NAME_MAX] = '\0';
	hdredit_init(&H);
	CHECK(hdredit_add(&H, longname, "v", 0) == HDREDIT_OK);
}

static char longmsg[HDREDIT_NAME_MAX + 64];

static void
s_long(struct hdredit *h)
{
	char name[HDREDIT_NAME_MAX + 1];

	memset(name, 'n', HDREDIT_NAME_MAX);
	name[HDREDIT_NAME_MAX] = '\0';
	CHECK(hdredit_change(h, 1, name, "changed", 0) == HDREDIT_OK);
}

static void
long_names(void)
{
	char want[2 * HDREDIT_NAME_MAX + 64];
	size_t n;

	/* the longest name matches */
	memset(longmsg, 'n', HDREDIT_NAME_MAX);
	snprintf(longmsg + HDREDIT_NAME_MAX, 64, ": old\r\n\r\n");
	memset(want, 'n', HDREDIT_NAME_MAX);
	snprintf(want + HDREDIT_NAME_MAX, 64, ": changed\r\n\r\n");
	expect(s_long, longmsg, want);
	/* one octet more is another name: the change appends */
	memset(longmsg, 'n', HDREDIT_NAME_MAX + 1);
	snprintf(longmsg + HDREDIT_NAME_MAX + 1, 64, ": old\r\n\r\n");
	n = HDREDIT_NAME_MAX + 1 + 7;
	memcpy(want, longmsg, n);
	memset(want + n, 'n', HDREDIT_NAME_MAX);
	snprintf(want + n + HDREDIT_NAME_MAX, 64, ": changed\r\n\r\n");
	expect(s_long, longmsg, want);
}

/* --- quarantine --- */

static void
s_quarantine(struct hdredit *h)
{
	CHECK(hdredit_add(h, "X-Samotop-Quarantine", "by a milter", 0) ==
	    HDREDIT_OK);
	CHECK(hdredit_quarantine(h, "dmarc=fail\r\nX-Forged: yes") ==
	    HDREDIT_OK);
}

static void
quarantine(void)
{
	/* ours on top, and no other, whatever its case or folding */
	expect(s_quarantine,
	    "X-Samotop-Quarantine: forged\r\n"
	    "Subject: s\r\n"
	    "x-samotop-quarantine :\r\n"
	    "\tfolded\r\n"
	    "\r\n"
	    "X-Samotop-Quarantine: in the body\r\n",
	    "X-Samotop-Quarantine: dmarc=fail X-Forged: yes\r\n"
	    "Subject: s\r\n"
	    "\r\n"
	    "X-Samotop-Quarantine: in the body\r\n");
	CHECK(H.written == 2);
	expect(s_quarantine, "", "X-Samotop-Quarantine: dmarc=fail "
	    "X-Forged: yes\r\n");
}

static void
s_strip(struct hdredit *h)
{
	CHECK(hdredit_strip(h) == HDREDIT_OK);
	/* the milter saw the field: its index counts it */
	CHECK(hdredit_change(h, 2, "Subject", "two", 0) == HDREDIT_OK);
}

static void
strip(void)
{
	expect(s_strip, "Subject: 1\r\nX-Samotop-Quarantine: x\r\n"
	    "Subject: 2\r\n\r\n", "Subject: 1\r\nSubject: two\r\n\r\n");
	CHECK(hdredit_active(&H));
}

static void
s_reason(struct hdredit *h)
{
	char reason[HDREDIT_REASON_MAX * 2];

	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	CHECK(hdredit_quarantine(h, "") == HDREDIT_OK);
	CHECK(hdredit_quarantine(h, reason) == HDREDIT_OK);
}

static void
quarantine_reason(void)
{
	CHECK(run(s_reason, "", 0) == HDREDIT_OK);
	CHECK(strncmp(got, "X-Samotop-Quarantine: rrr", 25) == 0);
	CHECK(gotlen == strlen("X-Samotop-Quarantine: ") +
	    HDREDIT_REASON_MAX + 2);
	hdredit_init(&H);
	CHECK(hdredit_quarantine(&H, NULL) == HDREDIT_OK);
	CHECK_STR(H.quarantine, "X-Samotop-Quarantine: quarantined\r\n");
}

/* --- the second pass twice (a DKIM signer reads it first) --- */

static void	s_own(struct hdredit *);

static void
write_again(void)
{
	char first[OUTMAX + 1];
	const char *m = "Received: from client\r\nSubject: s\r\n"
	    "\r\n body starts with a blank\r\n";
	size_t len = strlen(m), i;

	CHECK(run(s_own, m, 3) == HDREDIT_OK);
	memcpy(first, got, gotlen + 1);
	CHECK(hdredit_write_again(&H) == HDREDIT_OK);
	gotlen = 0;
	got[0] = '\0';
	for (i = 0; i < len; i += 5)
		CHECK(hdredit_write(&H, m + i, len - i < 5 ? len - i : 5, sink,
		    NULL) == HDREDIT_OK);
	CHECK(hdredit_write_end(&H, sink, NULL) == HDREDIT_OK);
	CHECK_STR(got, first);
	/* not before the first pass ended */
	hdredit_init(&H);
	CHECK(hdredit_write_again(&H) == HDREDIT_EMISUSE);
}

/* --- the MTA's own fields --- */

static const char own[] = "Received: from mx by us\r\n"
    "Authentication-Results: us; dkim=pass\r\n";

static void
s_own(struct hdredit *h)
{
	CHECK(hdredit_own(h, own, sizeof(own) - 1) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 0, "I0", "top", 0) == HDREDIT_OK);
	CHECK(hdredit_insert(h, 2, "I2", "between", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "Received", "theirs", 0) == HDREDIT_OK);
	CHECK(hdredit_change(h, 1, "Authentication-Results", "", 0) ==
	    HDREDIT_OK);
	CHECK(hdredit_quarantine(h, "why") == HDREDIT_OK);
}

static void
own_fields(void)
{
	/*
	 * Inserts count our fields (0 goes above them); changes and
	 * deletes see only the message's.  Nothing continues our last
	 * field: a message starting with a blank line is no header.
	 */
	expect(s_own, "Received: from client\r\n"
	    "Authentication-Results: forged\r\n\r\nbody\r\n",
	    "X-Samotop-Quarantine: why\r\n"
	    "I0: top\r\n"
	    "Received: from mx by us\r\n"
	    "I2: between\r\n"
	    "Authentication-Results: us; dkim=pass\r\n"
	    "Received: theirs\r\n"
	    "\r\nbody\r\n");
	expect(s_own, " x\r\n", "X-Samotop-Quarantine: why\r\n"
	    "I0: top\r\nReceived: from mx by us\r\nI2: between\r\n"
	    "Authentication-Results: us; dkim=pass\r\n"
	    "Received: theirs\r\n\r\n x\r\n");
}

static void
own_misuse(void)
{
	hdredit_init(&H);
	CHECK(hdredit_own(&H, "Received: x", 11) == HDREDIT_EMISUSE);
	hdredit_init(&H);
	CHECK(hdredit_own(&H, "not a field\r\n", 13) == HDREDIT_EMISUSE);
	hdredit_init(&H);
	CHECK(hdredit_own(&H, "A: 1\r\n\r\n", 8) == HDREDIT_EMISUSE);
	hdredit_init(&H);
	CHECK(hdredit_own(&H, own, sizeof(own) - 1) == HDREDIT_OK);
	CHECK(hdredit_own(&H, own, sizeof(own) - 1) == HDREDIT_EMISUSE);
}

/* --- a replaced body --- */

static void
s_replace(struct hdredit *h)
{
	CHECK(hdredit_add(h, "X", "y", 0) == HDREDIT_OK);
	CHECK(hdredit_replace_body(h) == HDREDIT_OK);
}

static void
replace_body(void)
{
	expect(s_replace, "A: 1\r\n\r\nold body\r\n",
	    "A: 1\r\nX: y\r\n\r\n");
	expect(s_replace, "A: 1", "A: 1\r\nX: y\r\n\r\n");
	expect(s_replace, "A: 1\r\nold body\r\n", "A: 1\r\nX: y\r\n\r\n");
	expect(s_replace, "", "X: y\r\n\r\n");
}

/* --- milter replies --- */

static void
replies(void)
{
	struct milter_reply r;
	struct milter_neg n;

	memset(&n, 0, sizeof(n));
	hdredit_init(&H);
	memset(&r, 0, sizeof(r));
	r.cmd = SMFIR_CHGHEADER;
	r.index = 1;
	r.name = "Subject";
	r.value = "";
	CHECK(hdredit_reply(&H, &r, &n) == HDREDIT_OK);
	r.cmd = SMFIR_INSHEADER;
	r.index = 0;
	r.name = "X-I";
	r.value = " lead";
	n.protocol = SMFIP_HDR_LEADSPC;
	CHECK(hdredit_reply(&H, &r, &n) == HDREDIT_OK);
	r.cmd = SMFIR_ADDHEADER;
	r.name = "X-A";
	r.value = "a";
	n.protocol = 0;
	CHECK(hdredit_reply(&H, &r, &n) == HDREDIT_OK);
	CHECK(hdredit_scan(&H, "Subject: s\r\nTo: t\r\n\r\nb", 23) ==
	    HDREDIT_OK);
	CHECK(hdredit_scan_end(&H) == HDREDIT_OK);
	gotlen = 0;
	got[0] = '\0';
	CHECK(hdredit_write(&H, "Subject: s\r\nTo: t\r\n\r\nb", 23, sink,
	    NULL) == HDREDIT_OK);
	CHECK(hdredit_write_end(&H, sink, NULL) == HDREDIT_OK);
	CHECK_STR(got, "X-I: lead\r\nTo: t\r\nX-A: a\r\n\r\nb");
	/* anything else is no header edit */
	hdredit_init(&H);
	r.cmd = SMFIR_QUARANTINE;
	CHECK(hdredit_reply(&H, &r, &n) == HDREDIT_EMISUSE);
}

/* --- limits and misuse --- */

static void
limit_edits(void)
{
	size_t i;

	hdredit_init(&H);
	for (i = 0; i < HDREDIT_EDITS_MAX; i++)
		CHECK(hdredit_add(&H, "X", "y", 0) == HDREDIT_OK);
	CHECK(hdredit_add(&H, "X", "y", 0) == HDREDIT_EEDITS);
	CHECK(hdredit_scan(&H, "", 0) == HDREDIT_EEDITS);
}

static char big[HDREDIT_ARENA];

static void
limit_arena(void)
{
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hdredit_init(&H);
	CHECK(hdredit_add(&H, "X", big, 0) == HDREDIT_EARENA);
	/* half of it fits once, not twice */
	big[sizeof(big) / 2] = '\0';
	hdredit_init(&H);
	CHECK(hdredit_add(&H, "X", big, 0) == HDREDIT_OK);
	CHECK(hdredit_add(&H, "X", big, 0) == HDREDIT_EARENA);
	/* a line end takes three octets (CR LF HT): 40000 octets fit as
	 * they are, not as 20000 lines */
	memset(big, 'v', 40000);
	big[40000] = '\0';
	hdredit_init(&H);
	CHECK(hdredit_add(&H, "X", big, 0) == HDREDIT_OK);
	for (size_t i = 0; i < 40000; i += 2)
		big[i] = '\n';
	hdredit_init(&H);
	CHECK(hdredit_add(&H, "X", big, 0) == HDREDIT_EARENA);
}

static char fields[(HDREDIT_FIELDS_MAX + 1) * 6 + 8];

static void
limit_fields(void)
{
	size_t i, n = 0;

	for (i = 0; i < HDREDIT_FIELDS_MAX; i++)
		n += snprintf(fields + n, sizeof(fields) - n, "A: 1\r\n");
	n += snprintf(fields + n, sizeof(fields) - n, "\r\nbody\r\n");
	/* exactly the limit: fine, and the last one can be changed */
	CHECK(run(NULL, fields, 0) == HDREDIT_OK);
	CHECK(gotlen == n && memcmp(got, fields, n) == 0);
	/* one more is refused, in either pass's chunking */
	n -= 8;
	n += snprintf(fields + n, sizeof(fields) - n, "B: 2\r\n\r\nbody\r\n");
	CHECK(run(NULL, fields, 0) == HDREDIT_EFIELDS);
	CHECK(run(NULL, fields, 1) == HDREDIT_EFIELDS);
	/* the same in the body is no field */
	CHECK(run(s_add, "\r\n", 0) == HDREDIT_OK);
}

static void
misuse(void)
{
	hdredit_init(&H);
	CHECK(hdredit_write(&H, "x", 1, sink, NULL) == HDREDIT_EMISUSE);
	hdredit_init(&H);
	CHECK(hdredit_scan(&H, "A: 1\r\n", 6) == HDREDIT_OK);
	CHECK(hdredit_add(&H, "X", "y", 0) == HDREDIT_EMISUSE);
	hdredit_init(&H);
	CHECK(hdredit_scan(&H, "A: 1\r\n", 6) == HDREDIT_OK);
	CHECK(hdredit_scan_end(&H) == HDREDIT_OK);
	CHECK(hdredit_scan(&H, "A: 1\r\n", 6) == HDREDIT_EMISUSE);
	/* the second pass saw less of the header than the first */
	hdredit_init(&H);
	CHECK(hdredit_scan(&H, "A: 1\r\nB: 2\r\n", 12) == HDREDIT_OK);
	CHECK(hdredit_scan_end(&H) == HDREDIT_OK);
	CHECK(hdredit_write(&H, "A: 1\r\n", 6, sink, NULL) == HDREDIT_OK);
	CHECK(hdredit_write_end(&H, sink, NULL) == HDREDIT_EMISUSE);
	CHECK_STR(hdredit_strerror(HDREDIT_EFIELDS),
	    "too many header fields to edit");
}

static void
sink_error(void)
{
	sink_fails = 1;
	CHECK(run(s_add, msg, 0) == HDREDIT_EOUTPUT);
	CHECK(run(s_quarantine, "", 0) == HDREDIT_EOUTPUT);
	sink_fails = 0;
}

static void
field_name(void)
{
	CHECK(hdredit_field_name("Subject: s\r\n", 12) == 7);
	CHECK(hdredit_field_name("Subject \t: s", 13) == 7);
	CHECK(hdredit_field_name("Subject", 7) == 0);
	CHECK(hdredit_field_name(": s", 3) == 0);
	CHECK(hdredit_field_name(" Subject: s", 11) == 0);
	CHECK(hdredit_field_name("Sub ject: s", 11) == 0);
	CHECK(hdredit_field_name("Sub\x80: s", 9) == 0);
	CHECK(hdredit_field_name("\r\n", 2) == 0);
	CHECK(hdredit_field_name("", 0) == 0);
}

int
main(void)
{
	TEST(unchanged);
	TEST(add_appends);
	TEST(add_header_only);
	TEST(add_no_header);
	TEST(insert_index);
	TEST(insert_at_end);
	TEST(change_nth);
	TEST(change_index0);
	TEST(change_missing);
	TEST(delete_fields);
	TEST(edits_chain);
	TEST(counts_inserted);
	TEST(name_blanks);
	TEST(values);
	TEST(bad_names);
	TEST(long_names);
	TEST(quarantine);
	TEST(strip);
	TEST(quarantine_reason);
	TEST(own_fields);
	TEST(own_misuse);
	TEST(replace_body);
	TEST(replies);
	TEST(limit_edits);
	TEST(limit_arena);
	TEST(limit_fields);
	TEST(misuse);
	TEST(write_again);
	TEST(sink_error);
	TEST(field_name);
	return UNIT_DONE();
}
