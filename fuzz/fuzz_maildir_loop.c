/*
 * fuzz_maildir_loop.c: samotop-maildir's reading of the header section
 * for Delivered-To: fields (the mail loop check) and an
 * X-Samotop-Quarantine: field (the Junk folder), with a fuzzer-chosen
 * message.  Input: one octet choosing the size of the pieces the message
 * is written in, then the message (canonical content, CRLF line ends).
 *
 * No copy is opened (no recipient at maildir_begin(), two added after),
 * so nothing touches the file system.  The invariants: the count for
 * each recipient does not depend on how the content is cut into pieces,
 * and is never more than the times "delivered-to" (any case) occurs in
 * the message; so for quarantine, which needs its name in the message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lmtp.h"
#include "maildir.h"

static const char *const canon[2] = { "bob@x.test", "ann+Tag@x.test" };

/*
 * The Delivered-To: counts of the two recipients for msg in pieces, and
 * whether it is quarantined.
 */
static int
run(struct maildir_ctx *c, const uint8_t *msg, size_t len, size_t step,
    unsigned long loops[2])
{
	char reply[LMTP_REPLY_MAX];
	size_t i, n;

	c->nrcpt = 0;
	maildir_begin(c);
	for (i = 0; i < 2; i++) {
		memset(&c->rcpt[i], 0, sizeof(c->rcpt[i]));
		c->rcpt[i].fd = -1;
		snprintf(c->rcpt[i].addr, sizeof(c->rcpt[i].addr), "%s",
		    canon[i]);
		snprintf(c->rcpt[i].canon, sizeof(c->rcpt[i].canon), "%s",
		    canon[i]);
	}
	c->nrcpt = 2;
	for (; len > 0; msg += n, len -= n) {
		n = len < step ? len : step;
		maildir_write(c, (const char *)msg, n);	/* no copy: -1 */
	}
	maildir_end(c, 0, reply, sizeof(reply));
	for (i = 0; i < 2; i++)
		loops[i] = c->rcpt[i].loops;
	maildir_reset(c);
	return c->scan.quarantine;
}

/* How many times name (lowercase) occurs in msg, in any case. */
static unsigned long
occurrences(const uint8_t *msg, size_t len, const char *name)
{
	unsigned long n = 0;
	size_t i, nlen = strlen(name);

	for (i = 0; i + nlen <= len; i++)
		if (strncasecmp((const char *)msg + i, name, nlen) == 0)
			n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct maildir_ctx c;
	static int ready;
	unsigned long whole[2], cut[2];
	size_t i;
	int q0, q1;

	if (!ready) {
		if (maildir_init(&c, "fuzz") == -1)
			abort();
		c.log.fd = -1;
		ready = 1;
	}
	if (size < 1)
		return 0;
	c.loop_max = 1;
	q0 = run(&c, data + 1, size - 1, size, whole);
	q1 = run(&c, data + 1, size - 1, 1 + data[0] % 64, cut);
	for (i = 0; i < 2; i++)
		if (whole[i] != cut[i] || whole[i] >
		    occurrences(data + 1, size - 1, "delivered-to"))
			abort();
	if (q0 != q1 || (q0 &&
	    occurrences(data + 1, size - 1, "x-samotop-quarantine") == 0))
		abort();
	return 0;
}
