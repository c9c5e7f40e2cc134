/*
 * milter_drive.c: the milter codec (milter.h) against a real filter,
 * for tests/milter.bats.  It connects to the filter, negotiates, sends
 * the events of one SMTP session (connect, HELO, MAIL, RCPT, DATA, the
 * header fields, end of header, the body, end of message) carrying the
 * message in FILE, and prints on stdout what the filter said, one line
 * each ("EVENT: ACTION", milter_reply_text()'s form).
 *
 *   milter_drive [-f FROM] [-r RCPT]... unix:PATH FILE
 *
 * A decision before the end of the message (reject, tempfail, a
 * reply code, accept, discard) ends it: ABORT, then QUIT.  Exit status:
 * 0 when the session was carried through, 1 when the filter could not
 * be reached, failed or broke the protocol (stderr says which), 2 for a
 * usage error.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter.h"

#define TIMEOUT_MS	10000
#define RCPT_MAX	16
/* room for a whole DKIM-Signature field (a 4096-bit b= and its escapes) */
#define TEXT_MAX	4096

static const char *where;	/* the filter's name, for messages */
static int fd = -1;
static struct milter_parser parser;
static struct milter_neg neg;
static char in[65536];
static size_t inpos, inlen;
static char pkt[4 + MILTER_PACKET_MAX];

static _Noreturn void
fail(const char *what, const char *why)
{
	fprintf(stderr, "milter_drive: %s: %s: %s\n", where, what, why);
	exit(1);
}

static void
send_pkt(const char *p, size_t len)
{
	ssize_t n;

	if (len == 0)
		fail("encoding", "the packet does not fit");
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fail("write", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* The filter's next packet into *r. */
static void
next_reply(struct milter_reply *r)
{
	struct pollfd pfd;
	enum milter_status st;
	size_t used;
	ssize_t n;

	for (;;) {
		st = milter_parse(&parser, in + inpos, inlen - inpos, &used,
		    r);
		inpos += used;
		if (st == MILTER_PACKET)
			return;
		if (st == MILTER_BAD)
			fail("bad packet", parser.error);
		pfd.fd = fd;
		pfd.events = POLLIN;
		n = poll(&pfd, 1, TIMEOUT_MS);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fail("poll", strerror(errno));
		if (n == 0)
			fail("read", "timed out");
		n = read(fd, in, sizeof(in));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fail("read", strerror(errno));
		if (n == 0)
			fail("read", "the filter closed the connection");
		inpos = 0;
		inlen = (size_t)n;
	}
}

/*
 * Send the event cmd (named name), packet p[0..len), unless the filter
 * asked not to get it; print and return its final reply (0 when none).
 */
static int
event(int cmd, const char *name, size_t len)
{
	struct milter_reply r;
	const char *why;
	char text[TEXT_MAX];

	if (!milter_sends(&neg, cmd)) {
		printf("%s: not sent\n", name);
		return 0;
	}
	send_pkt(pkt, len);
	if (!milter_replies(&neg, cmd)) {
		printf("%s: no reply\n", name);
		return 0;
	}
	do {
		next_reply(&r);
		milter_reply_text(&r, text, sizeof(text));
		printf("%s: %s\n", name, text);
		if ((why = milter_allowed(&neg, cmd, &r)) != NULL)
			fail(text, why);
	} while (!milter_final(&r));
	return r.cmd;
}

/* Macros for the event cmd: npairs name and value pairs. */
static void
macros(int cmd, const char *const *nv, size_t npairs)
{
	send_pkt(pkt, milter_enc_macro(pkt, sizeof(pkt), cmd, nv, npairs));
}

static void
connect_filter(const char *spec)
{
	struct sockaddr_un sun;
	const char *path;

	if (strncmp(spec, "unix:", 5) != 0)
		fail("address", "only unix:PATH is known");
	path = spec + 5;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		fail("address", "path too long");
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		fail("socket", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fail("connect", strerror(errno));
}

/* The whole file, or exit. */
static char *
slurp(const char *file, size_t *len)
{
	FILE *f;
	char *s;
	long n;

	if ((f = fopen(file, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (s = malloc((size_t)n + 1)) == NULL ||
	    fread(s, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "milter_drive: %s: %s\n", file,
		    strerror(errno));
		exit(1);
	}
	fclose(f);
	s[n] = '\0';
	*len = (size_t)n;
	return s;
}

static void
print_steps(void)
{
	static const struct { int cmd; const char *name; } ev[] = {
		{ SMFIC_CONNECT, "connect" }, { SMFIC_HELO, "helo" },
		{ SMFIC_MAIL, "mail" }, { SMFIC_RCPT, "rcpt" },
		{ SMFIC_DATA, "data" }, { SMFIC_HEADER, "header" },
		{ SMFIC_EOH, "eoh" }, { SMFIC_BODY, "body" },
		{ SMFIC_UNKNOWN, "unknown" },
	};
	size_t i;

	printf("not sent:");
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		if (!milter_sends(&neg, ev[i].cmd))
			printf(" %s", ev[i].name);
	printf("\nno reply:");
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		if (milter_sends(&neg, ev[i].cmd) &&
		    !milter_replies(&neg, ev[i].cmd))
			printf(" %s", ev[i].name);
	printf("\n");
}

/* A decision that ends the message before its end. */
static int
ends(int cmd)
{
	return cmd != 0 && cmd != SMFIR_CONTINUE;
}

/*
 * Send the header fields of msg[0..len); returns the body's start, or
 * (size_t)-1 when the filter decided on the message at a header.
 */
static size_t
headers(char *msg, size_t len)
{
	char name[256], *value, *w;
	size_t pos = 0, e, n;

	value = malloc(len + 1);
	if (value == NULL)
		fail("memory", strerror(errno));
	while (pos < len && msg[pos] != '\r' && msg[pos] != '\n') {
		/* the name, up to the colon */
		for (e = pos; e < len && msg[e] != ':' && msg[e] != '\n'; e++)
			;
		if (e >= len || msg[e] != ':' || e - pos >= sizeof(name))
			fail("message", "a header line without a colon");
		memcpy(name, msg + pos, e - pos);
		name[e - pos] = '\0';
		/* the value: its lines joined with \n, CRs dropped */
		w = value;
		for (pos = e + 1; pos < len; pos++) {
			if (msg[pos] == '\r')
				continue;
			if (msg[pos] == '\n') {
				if (pos + 1 < len && (msg[pos + 1] == ' ' ||
				    msg[pos + 1] == '\t')) {
					*w++ = '\n';
					continue;
				}
				pos++;
				break;
			}
			*w++ = msg[pos];
		}
		*w = '\0';
		n = milter_enc_header(pkt, sizeof(pkt), name,
		    milter_header_value(&neg, value));
		if (ends(event(SMFIC_HEADER, "header", n))) {
			free(value);
			return (size_t)-1;
		}
	}
	free(value);
	if (pos < len && msg[pos] == '\r')
		pos++;
	if (pos < len && msg[pos] == '\n')
		pos++;
	return pos;
}

static int
finish(int aborted)
{
	if (aborted)
		send_pkt(pkt, milter_enc_empty(pkt, sizeof(pkt), SMFIC_ABORT));
	send_pkt(pkt, milter_enc_empty(pkt, sizeof(pkt), SMFIC_QUIT));
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *from = "sender@example.org", *rcpts[RCPT_MAX];
	const char *conn_macros[] = { "j", "mx.example.org",
	    "{daemon_name}", "samotop", "{client_addr}", "127.0.0.1",
	    "{client_name}", "localhost" };
	const char *mail_macros[2], *rcpt_macros[2];
	const char *eom_macros[] = { "i", "4Ab1cD" };
	struct milter_reply r;
	const char *why;
	char text[TEXT_MAX], *msg, *body;
	size_t nrcpt = 0, len, pos, blen, i, n;
	int c, last;

	while ((c = getopt(argc, argv, "f:r:")) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 'r':
			if (nrcpt == RCPT_MAX)
				goto usage;
			rcpts[nrcpt++] = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	if (nrcpt == 0)
		rcpts[nrcpt++] = "rcpt@example.org";
	where = argv[optind];
	msg = slurp(argv[optind + 1], &len);
	milter_parser_init(&parser);
	connect_filter(where);

	send_pkt(pkt, milter_enc_optneg(pkt, sizeof(pkt), MILTER_VERSION,
	    MILTER_ACTIONS_ALL, MILTER_PROTOCOL_ALL & ~SMFIP_RCPT_REJ));
	next_reply(&r);
	milter_reply_text(&r, text, sizeof(text));
	printf("optneg: %s\n", text);
	if (milter_negotiate(&r, MILTER_ACTIONS_ALL, MILTER_PROTOCOL_ALL &
	    ~SMFIP_RCPT_REJ, &neg, &why) == -1)
		fail("negotiation", why);
	print_steps();

	macros(SMFIC_CONNECT, conn_macros, 4);
	n = milter_enc_connect(pkt, sizeof(pkt), "localhost", SMFIA_INET,
	    42424, "127.0.0.1");
	if (ends(event(SMFIC_CONNECT, "connect", n)))
		return finish(0);
	n = milter_enc_helo(pkt, sizeof(pkt), "client.example.org");
	if (ends(event(SMFIC_HELO, "helo", n)))
		return finish(0);
	mail_macros[0] = "{mail_addr}";
	mail_macros[1] = from;
	macros(SMFIC_MAIL, mail_macros, 1);
	n = milter_enc_mail(pkt, sizeof(pkt), from, NULL, 0);
	if (ends(event(SMFIC_MAIL, "mail", n)))
		return finish(1);
	for (i = 0; i < nrcpt; i++) {
		rcpt_macros[0] = "{rcpt_addr}";
		rcpt_macros[1] = rcpts[i];
		macros(SMFIC_RCPT, rcpt_macros, 1);
		n = milter_enc_rcpt(pkt, sizeof(pkt), rcpts[i], NULL, 0);
		if (ends(event(SMFIC_RCPT, "rcpt", n)))
			return finish(1);
	}
	n = milter_enc_empty(pkt, sizeof(pkt), SMFIC_DATA);
	if (ends(event(SMFIC_DATA, "data", n)))
		return finish(1);
	if ((pos = headers(msg, len)) == (size_t)-1)
		return finish(1);
	n = milter_enc_empty(pkt, sizeof(pkt), SMFIC_EOH);
	if (ends(event(SMFIC_EOH, "eoh", n)))
		return finish(1);

	/* the body with CRLF line ends, in chunks */
	if ((body = malloc(2 * (len - pos) + 1)) == NULL)
		fail("memory", strerror(errno));
	for (blen = 0, i = pos; i < len; i++) {
		if (msg[i] == '\n' && (i == pos || msg[i - 1] != '\r'))
			body[blen++] = '\r';
		body[blen++] = msg[i];
	}
	for (i = 0; i < blen; i += n) {
		n = blen - i > MILTER_CHUNK_MAX ? MILTER_CHUNK_MAX : blen - i;
		last = event(SMFIC_BODY, "body", milter_enc_body(pkt,
		    sizeof(pkt), body + i, n));
		if (last == SMFIR_SKIP)
			break;
		if (ends(last))
			return finish(1);
	}
	macros(SMFIC_BODYEOB, eom_macros, 1);
	event(SMFIC_BODYEOB, "eom", milter_enc_empty(pkt, sizeof(pkt),
	    SMFIC_BODYEOB));
	free(body);
	free(msg);
	return finish(0);

usage:
	fprintf(stderr, "usage: milter_drive [-f from] [-r rcpt]... "
	    "unix:path file\n");
	return 2;
}
