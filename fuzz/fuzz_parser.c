/*
 * fuzz_parser.c: parser and state machine together.  The input is split
 * at newlines; each line is one command of one session.  Whatever the
 * client sends, every reply must be well-formed: complete CRLF-ended
 * lines starting with three digits, no stray CR or LF, within REPLY_MAX,
 * and the session state must stay consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "parser.h"
#include "reply.h"
#include "state.h"

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Each line: 3 digits, '-' (more follows) or ' ' (the last), CRLF. */
static void
check_reply(const struct reply *r, int esmtp)
{
	size_t i = 0, end;
	int code = -1, c;
	char sep;

	if (r->len >= REPLY_MAX)
		abort();
	if (r->len == 0)
		return;
	if (r->len < 5 || memcmp(r->text + r->len - 2, "\r\n", 2) != 0)
		abort();
	while (i < r->len) {
		for (end = i; end < r->len; end++)
			if (r->text[end] == '\r' || r->text[end] == '\n')
				break;
		/* the only CR or LF is the line's own CRLF */
		if (end + 1 >= r->len || r->text[end] != '\r' ||
		    r->text[end + 1] != '\n')
			abort();
		if (end - i < 3 || !isdig(r->text[i]) ||
		    !isdig(r->text[i + 1]) || !isdig(r->text[i + 2]))
			abort();
		c = (r->text[i] - '0') * 100 + (r->text[i + 1] - '0') * 10 +
		    (r->text[i + 2] - '0');
		if (c < 200 || c > 599)
			abort();
		/* a multi-line reply has one code */
		if (code != -1 && c != code)
			abort();
		code = c;
		sep = end - i > 3 ? r->text[i + 3] : ' ';
		if (sep != (end + 2 == r->len ? ' ' : '-'))
			abort();
		/* no enhanced status code for a client that said HELO */
		if (!esmtp && end - i > 5 && sep == ' ' &&
		    isdig(r->text[i + 4]) && r->text[i + 5] == '.')
			abort();
		i = end + 2;
	}
	if (r->code != code)
		abort();
}

static void
check_state(const struct smtp_state *st)
{
	const struct smtp_tx *tx = &st->tx;

	if (memchr(st->helo, '\0', sizeof(st->helo)) == NULL)
		abort();
	if (st->phase == PH_START && (st->esmtp || tx->nrcpt != 0))
		abort();
	/* Outside a transaction, nothing of one is left. */
	if ((st->phase == PH_START || st->phase == PH_READY) &&
	    (tx->id != 0 || tx->nrcpt != 0 || tx->nrefused != 0 ||
	    tx->smtputf8 || tx->body != BODY_NONE || tx->route != NULL ||
	    tx->sender.local[0] != '\0'))
		abort();
	if (st->phase != PH_START && st->phase != PH_READY &&
	    (tx->id == 0 || tx->id > st->transactions))
		abort();
	if (st->phase == PH_MAIL && tx->nrcpt != 0)
		abort();
	if ((st->phase == PH_RCPT || st->phase == PH_BDAT) &&
	    (tx->nrcpt == 0 || tx->route == NULL))
		abort();
	if (tx->nrcpt + tx->nrefused > st->conf->max_recipients)
		abort();
	if (tx->smtputf8 && !st->esmtp)
		abort();
}

static void
check_cmd(const struct smtp_cmd *cmd, const char *s, size_t len)
{
	struct smtp_cmd again;
	size_t n;

	if (memchr(cmd->arg, '\0', sizeof(cmd->arg)) == NULL)
		abort();
	/* deterministic, and clean of what an earlier parse left */
	parse_command(s, len, &again);
	if (memcmp(&again, cmd, sizeof(again)) != 0)
		abort();
	if (cmd->error != PARSE_OK)
		return;
	/* no control octet in a line that parsed */
	for (n = 0; n < len; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			abort();
	if (cmd->verb == CMD_HELO || cmd->verb == CMD_EHLO) {
		n = strlen(cmd->arg);
		if (n == 0 || n > HELO_MAX || strchr(cmd->arg, ' ') != NULL)
			abort();
	}
	if (cmd->verb == CMD_BDAT && cmd->chunk == SIZE_MAX)
		abort();
	if ((cmd->verb == CMD_MAIL || cmd->verb == CMD_RCPT) &&
	    (memchr(cmd->path.local, '\0', sizeof(cmd->path.local)) == NULL ||
	    memchr(cmd->path.domain, '\0', sizeof(cmd->path.domain)) ==
	    NULL))
		abort();
	if (cmd->verb == CMD_RCPT && (cmd->path.is_null || cmd->has_size ||
	    cmd->body != BODY_NONE || cmd->smtputf8))
		abort();
	if (cmd->verb != CMD_MAIL && cmd->verb != CMD_RCPT &&
	    cmd->path.local[0] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf conf;
	static const char routes[2] = { 0, 0 };
	struct smtp_state st;
	struct smtp_cmd cmd;
	struct reply r;
	enum action act;
	size_t pos = 0, end, len;
	char *line;

	conf_defaults(&conf);
	strcpy(conf.hostname, "mx.test");
	/* small limits, so that the fuzzer reaches them */
	if (size > 0) {
		conf.max_recipients = 1 + data[0] % 4;
		conf.max_errors = 1 + data[0] / 4 % 16;
		conf.max_message_size = (size_t)1 << (data[0] % 31);
		conf.require_tls = data[0] >> 6 == 3;
		/* AUTH offered (under TLS): the checker is never run */
		if (data[0] & 0x20)
			conf.auth_checkpassword[0] = "/bin/false";
	}
	state_init(&st, &conf);
	st.tls_offered = size > 0 && data[0] >> 6 >= 2;
	memset(&r, 0, sizeof(r));
	state_greeting(&st, &r);
	check_reply(&r, 0);
	while (pos < size) {
		for (end = pos; end < size && data[end] != '\n'; end++)
			;
		len = end - pos;
		/* exactly len octets, so ASan sees any over-read */
		if ((line = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(line, data + pos, len);
		parse_command(line, len, &cmd);
		check_cmd(&cmd, line, len);
		memset(&r, 0, sizeof(r));
		act = state_command(&st, &cmd, &r);
		check_reply(&r, st.esmtp);
		switch (act) {
		case ACT_HELO:
		case ACT_MAIL:
			/* the session's checks: refuse one in five */
			if (r.len != 0 || (act == ACT_MAIL) !=
			    (cmd.verb == CMD_MAIL))
				abort();
			if (len % 5 == 0)
				reply_add(&r, st.esmtp, R_DENIED, "no");
			else if (act == ACT_HELO)
				state_helo(&st, &cmd, &r);
			else
				state_mail(&st, &cmd, &r);
			act = ACT_REPLY;
			break;
		case ACT_RSET:
			if (r.code != 250 || cmd.verb != CMD_RSET)
				abort();
			state_tx_end(&st);
			break;
		case ACT_RCPT:
			if (r.len != 0 || cmd.verb != CMD_RCPT)
				abort();
			/* two routes, chosen by the line */
			if (state_rcpt_route(&st, routes + len % 2, &r) == 0) {
				if (len % 3 == 1)
					state_rcpt_accepted(&st,
					    routes + len % 2);
				else
					state_rcpt_refused(&st);
			}
			break;
		case ACT_DATA:
		case ACT_BDAT:
			if (r.len != 0)
				abort();
			if (act == ACT_BDAT && st.phase != PH_BDAT)
				abort();
			if (len % 3 == 0)
				state_tx_end(&st);
			break;
		case ACT_DESYNC:
			if (cmd.verb != CMD_BDAT || cmd.error == PARSE_OK ||
			    r.len == 0)
				abort();
			act = ACT_CLOSE;
			break;
		case ACT_STARTTLS:
			if (cmd.verb != CMD_STARTTLS ||
			    r.code != 220)
				abort();
			state_tls_started(&st);
			break;
		case ACT_AUTH:
			/* only under TLS, once, outside a transaction */
			if (cmd.verb != CMD_AUTH || r.len != 0 ||
			    !st.tls_active || st.authenticated ||
			    st.phase != PH_READY || !st.esmtp)
				abort();
			/* the exchange's end, chosen by the line */
			act = state_auth_done(&st, (enum auth_result)(len % 9),
			    &r);
			check_reply(&r, st.esmtp);
			if (r.len == 0 || (act == ACT_CLOSE) != (r.code == 421))
				abort();
			break;
		case ACT_BDAT_SKIP:
			if (cmd.verb != CMD_BDAT)
				abort();
			/* FALLTHROUGH */
		case ACT_REPLY:
		case ACT_CLOSE:
			if (r.len == 0)
				abort();
			if (act == ACT_CLOSE && (cmd.verb != CMD_QUIT ||
			    r.code != 221))
				abort();
			break;
		default:
			abort();
		}
		check_state(&st);
		if (state_replied(&st, r.code)) {
			memset(&r, 0, sizeof(r));
			reply_add(&r, st.esmtp, R_TOO_MANY_ERRORS,
			    conf.hostname);
			check_reply(&r, st.esmtp);
			act = ACT_CLOSE;
		}
		free(line);
		if (act == ACT_CLOSE) {		/* a new session */
			state_init(&st, &conf);
			st.tls_offered = data[0] >> 6 >= 2;
		}
		pos = end + 1;
	}
	return 0;
}
