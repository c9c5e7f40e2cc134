/*
 * fuzz_lmtpclient.c: libFuzzer target for the LMTP client of deliver.c.
 * The helper is attached to one end of a socketpair; the other end holds
 * the "helper's" replies, chosen by the fuzzer and written up front, and
 * a thread reads and drops whatever the client sends.  The fuzzer also
 * chooses the calls (rcpt, data, write, end of data, reply, rset, abort,
 * quit) and their arguments.  Checked: no crash or overflow (ASan), a
 * reply read is a valid one, the buffers' counts stay in bounds, and a
 * call that returns -1 leaves the helper dropped (fd -1).
 *
 * Input: octet 0 is the number of operation octets that follow; the rest
 * is what the helper answers.
 */
#include <sys/socket.h>

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"

#define REPLIES_MAX	(32 * 1024)	/* well below a socket's buffer */

static const char *const locals[] = { "a", "b", "\"q t\"", "u+x" };
static const char text[] =
    "Subject: fuzz\r\n\r\n.leading dot\r\nbare\nlf and bare\r cr\r\n.\r\n";

static void *
sink(void *arg)
{
	int fd = *(int *)arg;
	char buf[4096];

	/* Until the client shuts its side: then the "helper" exits. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return NULL;
}

static void
check(const struct helper *h, int rc)
{
	if (rc == -1 && h->fd != -1)
		abort();
	if (h->in_start > h->in_end || h->in_end > sizeof(h->in) ||
	    h->out_len > sizeof(h->out) || h->pid != 0)
		abort();
	if (h->fd == -1 && (h->in_mail || h->in_data))
		abort();
}

static void
check_reply(const struct lmtpreply *rep)
{
	if (rep->code < 200 || rep->code > 599 ||
	    memchr(rep->text, '\0', sizeof(rep->text)) == NULL)
		abort();
}

static void
mailbox(struct mailbox *mb, int pick, int null)
{
	memset(mb, 0, sizeof(*mb));
	if (null) {
		mb->is_null = 1;
		return;
	}
	strcpy(mb->local, locals[pick % 4]);
	strcpy(mb->domain, pick & 4 ? "example.org" : "fuzz.test");
}

static int
op(struct helper *h, int o, int arg)
{
	static const struct xforward xf = { "client.test", "192.0.2.1",
	    "25", "client.test", "ESMTP", "ID1", "TLSv1.3" };
	struct delivery_envelope env;
	struct mailbox sender, rcpt;
	struct lmtpreply rep;
	size_t n;
	int rc = 0;

	switch (o % 8) {
	case 0:
		mailbox(&sender, arg, (arg & 8) != 0);
		mailbox(&rcpt, arg >> 4, 0);
		env.sender = &sender;
		env.body = o & 0x10 ? BODY_8BITMIME : BODY_7BIT;
		env.smtputf8 = (o & 0x20) != 0;
		env.xforward = o & 0x40 ? &xf : NULL;
		if ((rc = helper_rcpt(h, NULL, &env, &rcpt, 1, &rep)) == 0)
			check_reply(&rep);
		break;
	case 1:
		rc = helper_data(h, 1, &rep);
		if (rc == 0 && rep.code != 354)
			abort();
		/* A refusal is -1 with the helper still up. */
		if (h->fd != -1) {
			check_reply(&rep);
			return 0;
		}
		break;
	case 2:
		/* Up to 255 x 256 octets: past the output buffer too. */
		for (n = (size_t)arg * (o & 0x80 ? 256 : 1); n > 0 && rc == 0;
		    n -= n < sizeof(text) - 1 ? n : sizeof(text) - 1)
			rc = helper_write(h, text, n < sizeof(text) - 1 ? n :
			    sizeof(text) - 1, 1);
		break;
	case 3:
		rc = helper_end_data(h, 1);
		break;
	case 4:
		if ((rc = helper_reply(h, 1, &rep)) == 0)
			check_reply(&rep);
		break;
	case 5:
		rc = helper_rset(h, 1);
		break;
	case 6:
		helper_abort(h);
		rc = h->fd == -1 ? 0 : -2;
		break;
	default:
		helper_quit(h, 1);
		rc = h->fd == -1 ? 0 : -2;
		break;
	}
	if (rc == -2)
		abort();
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct helper h;
	const uint8_t *ops;
	size_t nops, i, len;
	pthread_t t;
	int sv[2];

	if (size == 0)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	nops = data[0] < size - 1 ? data[0] : size - 1;
	ops = data + 1;
	len = size - 1 - nops;
	if (len > REPLIES_MAX)
		len = REPLIES_MAX;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	if ((size_t)write(sv[1], ops + nops, len) != len)
		abort();
	shutdown(sv[1], SHUT_WR);
	if (pthread_create(&t, NULL, sink, &sv[1]) != 0)
		abort();
	helper_init(&h, "fuzz.test");
	check(&h, helper_attach(&h, sv[0], 1));
	for (i = 0; h.fd != -1 && i < nops; i += 2)
		check(&h, op(&h, ops[i], i + 1 < nops ? ops[i + 1] : 0));
	helper_quit(&h, 1);
	check(&h, -1);
	pthread_join(t, NULL);
	return 0;
}
