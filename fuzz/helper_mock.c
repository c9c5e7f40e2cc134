/*
 * helper_mock.c: a MOCK LMTP helper for fuzz_session, the one part of
 * that harness that is scripted.
 *
 *	helper_mock SCRIPT_FD RECORD_FD [NAME]
 *
 * It speaks LMTP on stdin/stdout as a delivery helper does.  Every
 * answer it may vary is decided by an octet of SCRIPT_FD, a file it
 * inherits from the fuzzer.  Each kind of decision (enum decision) has
 * its own stream: the n-th decision of kind k is the octet at
 * NDECISIONS + n * NDECISIONS + k, and the file's first NDECISIONS
 * octets count the decisions made, so that the helpers one session
 * starts one after another go on with the script, and a decision stays
 * put when the fuzzer adds or removes another kind's.  When a stream is
 * used up every answer is a success.  For each decision, octet % 8: 0-3
 * and 7 success, 4 a temporary failure (4xx), 5 a permanent one (5xx),
 * 6 the helper dies without a word; LHLO's octet is its extensions
 * instead (bit 0 PIPELINING, 1 XFORWARD, 2 SMTPUTF8).
 *
 * Each recipient accepted and each message that reaches the final dot
 * is recorded on RECORD_FD, one line before the reply is sent, so that
 * whoever got the SMTP reply can already read it:
 *
 *	RCPT <sender> <rcpt>
 *	DOT <sender> <n> <rcpt>... <results>
 *
 * with the recipients the mock accepted in this transaction and one
 * digit per recipient (2, 4 or 5: the class of the reply it sends; a
 * shorter string when it died before the rest).  A refused DATA leaves
 * the transaction open, as real LMTP servers do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define RCPT_MAX	128
#define ADDR_LEN	256

enum pick { OK, TEMP, PERM, DIE };
enum decision { D_GREET, D_LHLO, D_XFORWARD, D_MAIL, D_RCPT, D_DATA,
	D_DOT, D_RSET, NDECISIONS };

static int script_fd, record_fd;
static char sender[ADDR_LEN];
static char rcpts[RCPT_MAX][ADDR_LEN];
static int in_mail, nrcpt;

/* The next octet of stream d into *b; 0 when it is used up. */
static int
octet(enum decision d, unsigned char *b)
{
	unsigned char n;

	if (pread(script_fd, &n, 1, d) != 1 || n == 255)
		return 0;
	if (pread(script_fd, b, 1, NDECISIONS + (off_t)n * NDECISIONS + d) !=
	    1)
		return 0;
	n++;
	return pwrite(script_fd, &n, 1, d) == 1;
}

static enum pick
pick(enum decision d)
{
	unsigned char b;

	if (!octet(d, &b))
		return OK;
	switch (b % 8) {
	case 4:
		return TEMP;
	case 5:
		return PERM;
	case 6:
		return DIE;
	default:
		return OK;
	}
}

static void
say(const char *s)
{
	fputs(s, stdout);
	fputs("\r\n", stdout);
	fflush(stdout);
}

/* Answer ok, temp or perm as the script says, or die. */
static enum pick
answer(enum decision d, const char *ok, const char *temp, const char *perm)
{
	enum pick p = pick(d);

	if (p == DIE)
		_exit(0);
	say(p == OK ? ok : p == TEMP ? temp : perm);
	return p;
}

/* The address between < and > of a MAIL or RCPT line. */
static void
path(const char *line, char *out)
{
	const char *lt = strchr(line, '<'), *gt;
	size_t n;

	out[0] = '\0';
	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return;
	n = (size_t)(gt - lt - 1);
	if (n >= ADDR_LEN)
		n = ADDR_LEN - 1;
	memcpy(out, lt + 1, n);
	out[n] = '\0';
}

static void
lhlo(void)
{
	unsigned char b = 0xff;

	(void)octet(D_LHLO, &b);
	say("250-mock.test");
	if (b & 1)
		say("250-PIPELINING");
	if (b & 2)
		say("250-XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE");
	if (b & 4)
		say("250-SMTPUTF8");
	say("250 ENHANCEDSTATUSCODES");
}

/* The message, to its final dot; end of input before it is an abort. */
static void
message(void)
{
	char *line = NULL, rec[RCPT_MAX * (ADDR_LEN + 1) + ADDR_LEN + 64];
	char results[RCPT_MAX + 1];
	enum pick p[RCPT_MAX];
	size_t cap = 0, len;
	ssize_t n;
	int i;

	while ((n = getline(&line, &cap, stdin)) != -1)
		if (strcmp(line, ".\r\n") == 0 || strcmp(line, ".\n") == 0)
			break;
	free(line);
	if (n == -1)
		exit(0);
	for (i = 0; i < nrcpt; i++) {
		p[i] = pick(D_DOT);
		results[i] = p[i] == OK ? '2' : p[i] == TEMP ? '4' : '5';
		if (p[i] == DIE)
			break;
	}
	results[i] = '\0';
	len = (size_t)snprintf(rec, sizeof(rec), "DOT <%s> %d", sender, nrcpt);
	for (i = 0; i < nrcpt; i++)
		len += (size_t)snprintf(rec + len, sizeof(rec) - len, " <%s>",
		    rcpts[i]);
	len += (size_t)snprintf(rec + len, sizeof(rec) - len, " %s\n",
	    results);
	if (write(record_fd, rec, len) != (ssize_t)len)
		exit(1);
	for (i = 0; results[i] != '\0'; i++)
		say(results[i] == '2' ? "250 2.0.0 delivered" :
		    results[i] == '4' ? "451 4.2.0 try later" :
		    "550 5.1.1 no such user");
	if ((int)strlen(results) < nrcpt)
		_exit(0);
	in_mail = 0;
	nrcpt = 0;
}

/* A recipient accepted is recorded before the client can see the 250. */
static enum pick
pick_rcpt(const char *line)
{
	char addr[ADDR_LEN], rec[2 * ADDR_LEN + 16];
	enum pick p = pick(D_RCPT);
	int len;

	if (p == DIE)
		_exit(0);
	if (p == OK) {
		path(line, addr);
		len = snprintf(rec, sizeof(rec), "RCPT <%s> <%s>\n", sender,
		    addr);
		if (write(record_fd, rec, (size_t)len) != len)
			exit(1);
	}
	say(p == OK ? "250 2.1.5 ok" : p == TEMP ? "450 4.2.1 later" :
	    "550 5.1.1 unknown");
	return p;
}

static void
command(const char *line)
{
	if (strncasecmp(line, "LHLO", 4) == 0)
		lhlo();
	else if (strncasecmp(line, "XFORWARD", 8) == 0)
		answer(D_XFORWARD, "250 2.0.0 ok", "421 4.3.0 busy", "501 5.5.4 bad");
	else if (strncasecmp(line, "MAIL", 4) == 0) {
		if (in_mail) {
			say("503 5.5.1 nested MAIL");
			return;
		}
		if (answer(D_MAIL, "250 2.1.0 ok", "451 4.3.0 later",
		    "550 5.7.1 no") != OK)
			return;
		path(line, sender);
		in_mail = 1;
		nrcpt = 0;
	} else if (strncasecmp(line, "RCPT", 4) == 0) {
		if (!in_mail || nrcpt == RCPT_MAX) {
			say("503 5.5.1 need MAIL");
			return;
		}
		if (pick_rcpt(line) == OK)
			path(line, rcpts[nrcpt++]);
	} else if (strncasecmp(line, "DATA", 4) == 0) {
		if (nrcpt == 0) {
			say("503 5.5.1 need RCPT");
			return;
		}
		if (answer(D_DATA, "354 go ahead", "451 4.3.0 cannot take it now",
		    "554 5.3.0 will not take it") == OK)
			message();
	} else if (strncasecmp(line, "RSET", 4) == 0) {
		if (pick(D_RSET) == DIE)
			_exit(0);
		in_mail = 0;
		nrcpt = 0;
		say("250 2.0.0 ok");
	} else if (strncasecmp(line, "NOOP", 4) == 0)
		say("250 2.0.0 ok");
	else if (strncasecmp(line, "QUIT", 4) == 0) {
		say("221 2.0.0 bye");
		exit(0);
	} else
		say("500 5.5.2 what");
}

int
main(int argc, char *argv[])
{
	char *line = NULL;
	size_t cap = 0;
	enum pick p;

	if (argc < 3)
		return 64;
	script_fd = atoi(argv[1]);
	record_fd = atoi(argv[2]);
	if ((p = pick(D_GREET)) == DIE)
		return 0;
	if (p != OK) {
		say("421 4.3.2 mock not available");
		return 0;
	}
	say("220 mock.test LMTP");
	while (getline(&line, &cap, stdin) != -1)
		command(line);
	free(line);
	return 0;
}
