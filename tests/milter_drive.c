/*
 * milter_drive.c: the milter client (milterconn.h, over milter.h)
 * against real filters, for tests/milter.bats.  It connects to each
 * filter, negotiates, sends the events of one SMTP session (connect,
 * HELO, MAIL, RCPT, DATA, the header fields, end of header, the body,
 * end of message) carrying the message in FILE, and prints on stdout
 * what the filters said, one line each ("EVENT: ACTION",
 * milter_reply_text()'s form; "EVENT[I]: ACTION" with several filters).
 *
 *   milter_drive [-f FROM] [-r RCPT]... [-m tempfail|accept] [-t SECS]
 *	FILTER... FILE
 *
 * FILTER is unix:PATH or inet:HOST:PORT; -t sets every timeout
 * (default 10 seconds).  A decision before the end of the message ends
 * it: ABORT, then QUIT.  Without -m, a filter that could not be
 * reached, failed or broke the protocol is an error: exit status 1,
 * stderr says which.  With -m (milter-default), the session goes on as
 * samotop-smtpd's would: the filter's fault goes to stderr, and after
 * each event a line "=> EVENT: VERDICT [by I] [(default)] [(local)]"
 * (a reply's code and text after a colon) says what the set decided;
 * each change at eom shows as "=> mod: ..." as the callbacks got it.
 * Exit status: 0 when the session was carried through, 1 on an error,
 * 2 for a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milterconn.h"

#define RCPT_MAX	16
/* room for a whole DKIM-Signature field (a 4096-bit b= and its escapes) */
#define TEXT_MAX	4096

static struct milter_set set;	/* 280 KB: not on the stack */
static int policy_given;
static char *msg, *body;	/* freed by finish() */

static void
print_steps(const char *prefix, const struct milter_neg *n)
{
	static const struct { int cmd; const char *name; } ev[] = {
		{ SMFIC_CONNECT, "connect" }, { SMFIC_HELO, "helo" },
		{ SMFIC_MAIL, "mail" }, { SMFIC_RCPT, "rcpt" },
		{ SMFIC_DATA, "data" }, { SMFIC_HEADER, "header" },
		{ SMFIC_EOH, "eoh" }, { SMFIC_BODY, "body" },
		{ SMFIC_UNKNOWN, "unknown" },
	};
	size_t i;

	printf("not sent%s:", prefix);
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		if (!milter_sends(n, ev[i].cmd))
			printf(" %s", ev[i].name);
	printf("\nno reply%s:", prefix);
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		if (milter_sends(n, ev[i].cmd) && !milter_replies(n, ev[i].cmd))
			printf(" %s", ev[i].name);
	printf("\n");
}

static const char *
name_of(int cmd)
{
	switch (cmd) {
	case SMFIC_OPTNEG:	return "optneg";
	case SMFIC_CONNECT:	return "connect";
	case SMFIC_HELO:	return "helo";
	case SMFIC_MAIL:	return "mail";
	case SMFIC_RCPT:	return "rcpt";
	case SMFIC_DATA:	return "data";
	case SMFIC_HEADER:	return "header";
	case SMFIC_EOH:		return "eoh";
	case SMFIC_BODY:	return "body";
	case SMFIC_BODYEOB:	return "eom";
	}
	return "event";
}

/* Each packet of a filter's, or that an event went unsent or unanswered. */
static void
trace(void *arg, size_t i, int cmd, const struct milter_reply *r, int sent)
{
	struct milter_neg n;
	char text[TEXT_MAX], prefix[16] = "";

	(void)arg;
	if (set.n > 1)
		snprintf(prefix, sizeof(prefix), "[%zu]", i);
	if (r == NULL) {
		printf("%s%s: %s\n", name_of(cmd), prefix,
		    sent ? "no reply" : "not sent");
		return;
	}
	milter_reply_text(r, text, sizeof(text));
	printf("%s%s: %s\n", name_of(cmd), prefix, text);
	if (cmd == SMFIC_OPTNEG && r->cmd == SMFIC_OPTNEG) {
		memset(&n, 0, sizeof(n));
		n.version = r->version;
		n.protocol = r->protocol;
		print_steps(prefix, &n);
	}
}

/* What the set decided at an event: 1 when it ends the message. */
static int
decided(const char *event, const struct milter_decision *d)
{
	size_t i;

	for (i = 0; i < set.n; i++)
		if (d->down & (1u << i))
			fprintf(stderr, "milter_drive: %s: %s\n",
			    set.f[i].spec, set.f[i].why);
	if (d->down != 0 && !policy_given)
		exit(1);
	if (policy_given) {
		printf("=> %s: %s", event, milterconn_verdict_name(d->verdict));
		if (d->filter >= 0)
			printf(" by %d", d->filter);
		if (d->by_default)
			printf(" (default)");
		if (d->local)
			printf(" (local)");
		if (d->verdict == MILTERCONN_REPLY)
			printf(": %s", d->text);
		printf("\n");
	}
	return d->verdict != MILTERCONN_CONTINUE &&
	    d->verdict != MILTERCONN_ACCEPT;
}

/* The changes at eom, as the callbacks get them. */
static int
mod(const char *what, const char *a, const char *b)
{
	if (policy_given)
		printf("=> mod: %s %s%s%s\n", what, a, b != NULL ? " " : "",
		    b != NULL ? b : "");
	return 0;
}

static int
add_header(void *arg, const char *name, const char *value)
{
	(void)arg;
	if (policy_given)
		printf("=> mod: add_header %s:%s\n", name, value);
	return 0;
}

static int
insert_header(void *arg, uint32_t index, const char *name,
    const char *value)
{
	(void)arg;
	if (policy_given)
		printf("=> mod: insert_header %lu %s:%s\n",
		    (unsigned long)index, name, value);
	return 0;
}

static int
change_header(void *arg, uint32_t index, const char *name,
    const char *value)
{
	(void)arg;
	if (policy_given)
		printf("=> mod: change_header %lu %s:%s\n",
		    (unsigned long)index, name, value);
	return 0;
}

static int
replace_body(void *arg, const char *data, size_t len, int first)
{
	(void)arg;
	(void)data;
	if (policy_given)
		printf("=> mod: replace_body %zu%s\n", len,
		    first ? " first" : "");
	return 0;
}

static int
change_from(void *arg, const char *addr, const char *args)
{
	(void)arg;
	return mod("change_from", addr, *args != '\0' ? args : NULL);
}

static int
add_rcpt(void *arg, const char *addr, const char *args)
{
	(void)arg;
	return mod("add_rcpt", addr, *args != '\0' ? args : NULL);
}

static int
delete_rcpt(void *arg, const char *addr)
{
	(void)arg;
	return mod("delete_rcpt", addr, NULL);
}

static int
quarantine(void *arg, const char *reason)
{
	(void)arg;
	return mod("quarantine", reason, NULL);
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

/*
 * Send the header fields of msg[0..len); returns the body's start, or
 * (size_t)-1 when the set decided on the message at a header.
 */
static size_t
headers(char *msg, size_t len)
{
	struct milter_decision d;
	char name[256], *value, *w;
	size_t pos = 0, e;

	if ((value = malloc(len + 1)) == NULL) {
		fprintf(stderr, "milter_drive: %s\n", strerror(errno));
		exit(1);
	}
	while (pos < len && msg[pos] != '\r' && msg[pos] != '\n') {
		/* the name, up to the colon */
		for (e = pos; e < len && msg[e] != ':' && msg[e] != '\n'; e++)
			;
		if (e >= len || msg[e] != ':' || e - pos >= sizeof(name)) {
			fprintf(stderr, "milter_drive: message: a header "
			    "line without a colon\n");
			exit(1);
		}
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
		milterconn_header(&set, name, value, &d);
		if (decided("header", &d)) {
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
	struct milter_decision d;

	if (aborted) {
		milterconn_abort(&set, &d);
		decided("abort", &d);
	}
	milterconn_quit(&set, &d);
	free(body);
	free(msg);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *from = "sender@example.org", *rcpts[RCPT_MAX], *err;
	struct milter_macros mac = { .j = "mx.example.org",
	    .daemon_name = "samotop", .client_addr = "127.0.0.1",
	    .client_port = "42424", .client_name = "localhost",
	    .underscore = "localhost [127.0.0.1]" };
	struct milter_mods mods = { NULL, add_header, insert_header,
	    change_header, replace_body, change_from, add_rcpt, delete_rcpt,
	    quarantine };
	struct milterconn_timeouts t = { 10, 10, 10 };
	enum milterconn_policy policy = MILTERCONN_DEFAULT_TEMPFAIL;
	struct milter_decision d;
	size_t nrcpt = 0, len, pos, blen, i;
	int c, nfilters;

	while ((c = getopt(argc, argv, "f:m:r:t:")) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "tempfail") == 0)
				policy = MILTERCONN_DEFAULT_TEMPFAIL;
			else if (strcmp(optarg, "accept") == 0)
				policy = MILTERCONN_DEFAULT_ACCEPT;
			else
				goto usage;
			policy_given = 1;
			break;
		case 'r':
			if (nrcpt == RCPT_MAX)
				goto usage;
			rcpts[nrcpt++] = optarg;
			break;
		case 't':
			t.connect = t.command = t.content =
			    (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	nfilters = argc - optind - 1;
	if (nfilters < 1 || nfilters > MILTERCONN_MAX)
		goto usage;
	if (nrcpt == 0)
		rcpts[nrcpt++] = "rcpt@example.org";
	msg = slurp(argv[argc - 1], &len);
	milterconn_init(&set, &t, policy, &mac, &mods);
	set.trace = trace;
	for (i = 0; i < (size_t)nfilters; i++)
		if (milterconn_add(&set, argv[optind + i], &err) == -1) {
			fprintf(stderr, "milter_drive: %s: %s\n",
			    argv[optind + i], err);
			return 2;
		}

	if (decided("connect", (milterconn_connect(&set, "localhost",
	    SMFIA_INET, 42424, "127.0.0.1", &d), &d)))
		return finish(0);
	if (decided("helo", (milterconn_helo(&set, "client.example.org", &d),
	    &d)))
		return finish(0);
	mac.mail_addr = from;
	if (decided("mail", (milterconn_mail(&set, from, NULL, 0, &d), &d)))
		return finish(1);
	for (i = 0; i < nrcpt; i++) {
		mac.rcpt_addr = rcpts[i];
		if (decided("rcpt", (milterconn_rcpt(&set, rcpts[i], NULL, 0,
		    &d), &d)))
			return finish(1);
	}
	mac.i = "4Ab1cD";
	if (decided("data", (milterconn_data(&set, &d), &d)))
		return finish(1);
	if ((pos = headers(msg, len)) == (size_t)-1)
		return finish(1);
	if (decided("eoh", (milterconn_eoh(&set, &d), &d)))
		return finish(1);

	/* the body with CRLF line ends, chunked by milterconn */
	if ((body = malloc(2 * (len - pos) + 1)) == NULL) {
		fprintf(stderr, "milter_drive: %s\n", strerror(errno));
		return 1;
	}
	for (blen = 0, i = pos; i < len; i++) {
		if (msg[i] == '\n' && (i == pos || msg[i - 1] != '\r'))
			body[blen++] = '\r';
		body[blen++] = msg[i];
	}
	if (decided("body", (milterconn_body(&set, body, blen, &d), &d)))
		return finish(1);
	decided("eom", (milterconn_eom(&set, &d), &d));
	return finish(0);

usage:
	fprintf(stderr, "usage: milter_drive [-f from] [-r rcpt]... "
	    "[-m tempfail|accept] [-t secs] filter... file\n");
	return 2;
}
