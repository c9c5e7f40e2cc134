/*
 * fuzz_auth.c: what a client (or a Dovecot auth server) sends to AUTH's
 * pure parts.  The first octet picks one, modulo 4:
 *   0  an AUTH command line, then response lines (split at '\n'), as
 *      the session feeds them to the SASL exchange (auth_sasl.h): a
 *      login is 1..AUTH_USER_MAX octets without a control octet or a
 *      blank, a password NUL-terminated within AUTH_PASS_MAX, and a
 *      challenge NUL-terminated within its buffer;
 *   1  the lines of a Dovecot auth server (auth_dovecot.h): OK or FAIL
 *      only after DONE, and never for another request;
 *   2  base64: what decodes, encoded again, decodes to the same octets;
 *   3  login '\n' address '\n' a sender-login file (auth_check.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth_check.h"
#include "auth_dovecot.h"
#include "auth_sasl.h"
#include "parser.h"

/* The next line of [*p, end): its length; *p moves past its '\n'. */
static size_t
next_line(const char **p, const char *end, const char **line)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl != NULL ? nl : end) - *p);

	*line = *p;
	*p = nl != NULL ? nl + 1 : end;
	return n;
}

static void
check_done(const struct auth_sasl *a)
{
	size_t i, n = strnlen(a->user, sizeof(a->user));

	if (n == 0 || n > AUTH_USER_MAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)a->user[i] <= 0x20 || a->user[i] == 0x7f)
			abort();
	if (strnlen(a->pass, sizeof(a->pass)) > AUTH_PASS_MAX)
		abort();
}

static void
sasl(const char *p, const char *end)
{
	char ch[AUTH_CHALLENGE_MAX];
	struct smtp_cmd cmd;
	struct auth_sasl a;
	enum auth_step step;
	const char *line;
	size_t n;

	n = next_line(&p, end, &line);
	parse_command(line, n, &cmd);
	if (cmd.verb != CMD_AUTH || cmd.error != PARSE_OK)
		return;
	step = auth_sasl_start(&a, cmd.arg, strlen(cmd.arg), cmd.has_ir,
	    cmd.ir, cmd.ir_len, ch);
	while (step == AUTH_STEP_CHALLENGE && p < end) {
		if (memchr(ch, '\0', sizeof(ch)) == NULL)
			abort();
		n = next_line(&p, end, &line);
		step = auth_sasl_next(&a, line, n, ch);
	}
	if (step == AUTH_STEP_DONE)
		check_done(&a);
	auth_sasl_wipe(&a);
}

static void
dovecot(const char *p, const char *end)
{
	struct auth_dovecot_state s = { .id = 1 };
	enum auth_dovecot_event ev;
	const char *line;
	size_t n;

	while (p < end) {
		n = next_line(&p, end, &line);
		ev = auth_dovecot_line(&s, line, n);
		if ((ev == ADC_OK || ev == ADC_FAIL || ev == ADC_TEMP) &&
		    (!s.done || !s.plain || n < 4))
			abort();
		if (ev == ADC_ERROR && s.why == NULL)
			abort();
		if (ev == ADC_ERROR)
			return;
	}
}

static void
base64(const char *p, size_t len)
{
	unsigned char out[4096], again[4096];
	char enc[4096 * 4 / 3 + 8];
	long n, m;

	if ((n = auth_b64_decode(p, len, out, sizeof(out))) < 0)
		return;
	if ((size_t)n > len)
		abort();
	if (auth_b64_encode(out, (size_t)n, enc, sizeof(enc)) < 0)
		abort();
	m = auth_b64_decode(enc, strlen(enc), again, sizeof(again));
	if (m != n || memcmp(out, again, (size_t)n) != 0)
		abort();
}

static void
senders(const char *p, const char *end)
{
	char login[256], addr[256];
	const char *line;
	size_t n;

	n = next_line(&p, end, &line);
	if (n >= sizeof(login))
		return;
	memcpy(login, line, n);
	login[n] = '\0';
	n = next_line(&p, end, &line);
	if (n >= sizeof(addr))
		return;
	memcpy(addr, line, n);
	addr[n] = '\0';
	(void)auth_sender_text(p, (size_t)(end - p), login, addr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data +
	    size;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		sasl(p, end);
		break;
	case 1:
		dovecot(p, end);
		break;
	case 2:
		base64(p, size - 1);
		break;
	default:
		senders(p, end);
		break;
	}
	return 0;
}
