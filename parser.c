/*
 * parser.c: the SMTP command grammar.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "parser.h"

static const struct {
	const char	*name;
	enum smtp_verb	 verb;
} verbs[] = {
	{ "HELO", CMD_HELO }, { "EHLO", CMD_EHLO }, { "MAIL", CMD_MAIL },
	{ "RCPT", CMD_RCPT }, { "DATA", CMD_DATA }, { "BDAT", CMD_BDAT },
	{ "RSET", CMD_RSET }, { "NOOP", CMD_NOOP }, { "QUIT", CMD_QUIT },
	{ "VRFY", CMD_VRFY }, { "HELP", CMD_HELP },
	{ "STARTTLS", CMD_STARTTLS }, { "AUTH", CMD_AUTH },
	{ "EXPN", CMD_NOTIMPL }, { "TURN", CMD_NOTIMPL },
	{ "ETRN", CMD_NOTIMPL }, { "ATRN", CMD_NOTIMPL },
	{ "SEND", CMD_NOTIMPL },
	{ "SOML", CMD_NOTIMPL }, { "SAML", CMD_NOTIMPL },
};

struct line {
	const char	*s;
	size_t		 len;
	size_t		 pos;
};

static int
at_end(const struct line *l)
{
	return l->pos >= l->len;
}

static int
skip_spaces(struct line *l)
{
	size_t start = l->pos;

	while (!at_end(l) && l->s[l->pos] == ' ')
		l->pos++;
	return l->pos > start;
}

/* A word: the octets up to the next space or the end. */
static size_t
word(struct line *l, const char **w)
{
	size_t start = l->pos;

	while (!at_end(l) && l->s[l->pos] != ' ')
		l->pos++;
	*w = l->s + start;
	return l->pos - start;
}

static enum smtp_verb
lookup_verb(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i].name) == n &&
		    strncasecmp(verbs[i].name, w, n) == 0)
			return verbs[i].verb;
	return CMD_UNKNOWN;
}

/* Only CRLF ends a line: a CR, LF or NUL inside one is refused. */
static int
has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* The single argument of HELO, EHLO and VRFY: printable, no spaces. */
static enum parse_error
single_argument(struct line *l, struct smtp_cmd *cmd, int spaces_ok)
{
	size_t n;

	if (!skip_spaces(l) || at_end(l))
		return PARSE_ESYNTAX;
	n = l->len - l->pos;
	while (n > 0 && l->s[l->pos + n - 1] == ' ')
		n--;
	if (n > HELO_MAX || (!spaces_ok && memchr(l->s + l->pos, ' ', n)))
		return PARSE_ESYNTAX;
	memcpy(cmd->arg, l->s + l->pos, n);
	cmd->arg[n] = '\0';
	return PARSE_OK;
}

static enum parse_error
no_argument(struct line *l)
{
	skip_spaces(l);
	return at_end(l) ? PARSE_OK : PARSE_ESYNTAX;
}

/* Decimal digits into a size_t, saturating: a huge SIZE is just too big. */
static int
number(const char *w, size_t n, size_t *val)
{
	size_t i, v = 0;

	if (n == 0 || n > 64)
		return -1;
	for (i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		v = v > (SIZE_MAX - 9) / 10 ? SIZE_MAX : v * 10 + (w[i] - '0');
	}
	*val = v;
	return 0;
}

static int
keyword_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

static enum parse_error
body_value(const char *v, size_t n, struct smtp_cmd *cmd)
{
	if (keyword_is(v, n, "7BIT"))
		cmd->body = BODY_7BIT;
	else if (keyword_is(v, n, "8BITMIME"))
		cmd->body = BODY_8BITMIME;
	else if (keyword_is(v, n, "BINARYMIME"))
		cmd->body = BODY_BINARYMIME;
	else
		return PARSE_EPARAMVAL;
	return PARSE_OK;
}

/* RFC 3461 §4: xtext, "+" and two upper-case hex digits for escapes. */
static int
valid_xtext(const char *v, size_t n)
{
	size_t i;

	if (n == 2 && v[0] == '<' && v[1] == '>')
		return 1;
	for (i = 0; i < n; i++) {
		if (v[i] == '+') {
			if (i + 2 >= n)
				return 0;
			if (!((v[i + 1] >= '0' && v[i + 1] <= '9') ||
			    (v[i + 1] >= 'A' && v[i + 1] <= 'F')) ||
			    !((v[i + 2] >= '0' && v[i + 2] <= '9') ||
			    (v[i + 2] >= 'A' && v[i + 2] <= 'F')))
				return 0;
			i += 2;
		} else if (v[i] < '!' || v[i] > '~' || v[i] == '=')
			return 0;
	}
	return 1;
}

/*
 * AUTH mechanism [initial-response]: a SASL mechanism name (RFC 4422
 * §3.1: 1 to 20 of A-Z, 0-9, '-' and '_', any case here) and at most
 * one more word, the response (checked by auth_sasl.h).
 */
static enum parse_error
auth_arguments(struct line *l, struct smtp_cmd *cmd)
{
	const char *w;
	size_t n, i;

	if (!skip_spaces(l) || at_end(l))
		return PARSE_ESYNTAX;
	n = word(l, &w);
	if (n > 20)
		return PARSE_ESYNTAX;
	for (i = 0; i < n; i++)
		if (!((w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= 'a' &&
		    w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') ||
		    w[i] == '-' || w[i] == '_'))
			return PARSE_ESYNTAX;
	memcpy(cmd->arg, w, n);
	cmd->arg[n] = '\0';
	if (!skip_spaces(l) || at_end(l))
		return at_end(l) ? PARSE_OK : PARSE_ESYNTAX;
	cmd->ir_len = word(l, &cmd->ir);
	cmd->has_ir = 1;
	return no_argument(l);
}

/* One esmtp-param of MAIL: keyword ["=" value]; each at most once. */
static enum parse_error
mail_parameter(const char *w, size_t n, struct smtp_cmd *cmd)
{
	const char *eq = memchr(w, '=', n);
	size_t kn = eq != NULL ? (size_t)(eq - w) : n;
	const char *v = eq != NULL ? eq + 1 : NULL;
	size_t vn = eq != NULL ? n - kn - 1 : 0;

	if (keyword_is(w, kn, "SIZE")) {
		if (v == NULL || cmd->has_size || number(v, vn, &cmd->size))
			return PARSE_EPARAMVAL;
		cmd->has_size = 1;
		return PARSE_OK;
	}
	if (keyword_is(w, kn, "BODY")) {
		if (v == NULL || cmd->body != BODY_NONE)
			return PARSE_EPARAMVAL;
		return body_value(v, vn, cmd);
	}
	/*
	 * RFC 4954 §5: AUTH=<> or AUTH=xtext of a mailbox.  Taken (the
	 * session decides what it is worth: nothing from a client that
	 * did not authenticate), never passed on as it came.
	 */
	if (keyword_is(w, kn, "AUTH")) {
		if (v == NULL || vn == 0 || cmd->has_auth ||
		    !valid_xtext(v, vn))
			return PARSE_EPARAMVAL;
		cmd->has_auth = 1;
		return PARSE_OK;
	}
	if (keyword_is(w, kn, "SMTPUTF8")) {
		if (v != NULL || cmd->smtputf8)
			return PARSE_EPARAMVAL;
		cmd->smtputf8 = 1;
		return PARSE_OK;
	}
	return PARSE_EPARAM;
}

static enum parse_error
parameters(struct line *l, struct smtp_cmd *cmd, int is_mail)
{
	enum parse_error e;
	const char *w;
	size_t n;

	for (;;) {
		if (!skip_spaces(l) || at_end(l))
			return at_end(l) ? PARSE_OK : PARSE_ESYNTAX;
		n = word(l, &w);
		if (!is_mail)
			return PARSE_EPARAM;
		if ((e = mail_parameter(w, n, cmd)) != PARSE_OK)
			return e;
	}
}

/* "FROM:" or "TO:", then the path; one space after the colon is tolerated. */
static enum parse_error
path_command(struct line *l, struct smtp_cmd *cmd, const char *prefix,
    int flags, enum parse_error bad)
{
	size_t plen = strlen(prefix), used;

	if (!skip_spaces(l) || l->len - l->pos < plen ||
	    strncasecmp(l->s + l->pos, prefix, plen) != 0)
		return PARSE_ESYNTAX;
	l->pos += plen;
	skip_spaces(l);
	cmd->addr_error = addr_parse_path(l->s + l->pos, l->len - l->pos,
	    flags, &cmd->path, &used);
	if (cmd->addr_error == ADDR_ENOBRACKET)
		return PARSE_ESYNTAX;
	if (cmd->addr_error != ADDR_OK)
		return bad;
	l->pos += used;
	if (!at_end(l) && l->s[l->pos] != ' ')
		return PARSE_ESYNTAX;
	return parameters(l, cmd, cmd->verb == CMD_MAIL);
}

static enum parse_error
bdat_arguments(struct line *l, struct smtp_cmd *cmd)
{
	const char *w;
	size_t n;

	if (!skip_spaces(l))
		return PARSE_ESYNTAX;
	n = word(l, &w);
	if (number(w, n, &cmd->chunk) == -1 || cmd->chunk == SIZE_MAX)
		return PARSE_ESYNTAX;
	if (skip_spaces(l) && !at_end(l)) {
		n = word(l, &w);
		if (!keyword_is(w, n, "LAST"))
			return PARSE_ESYNTAX;
		cmd->last = 1;
	}
	return no_argument(l);
}

static enum parse_error
arguments(struct line *l, struct smtp_cmd *cmd)
{
	switch (cmd->verb) {
	case CMD_HELO:
	case CMD_EHLO:
		return single_argument(l, cmd, 0);
	case CMD_VRFY:
		return single_argument(l, cmd, 1);
	case CMD_MAIL:
		return path_command(l, cmd, "FROM:",
		    ADDR_ALLOW_NULL | ADDR_ALLOW_UTF8, PARSE_ESENDER);
	case CMD_RCPT:
		return path_command(l, cmd, "TO:",
		    ADDR_ALLOW_POSTMASTER | ADDR_ALLOW_UTF8, PARSE_ERCPT);
	case CMD_BDAT:
		return bdat_arguments(l, cmd);
	case CMD_AUTH:
		return auth_arguments(l, cmd);
	case CMD_DATA:
	case CMD_RSET:
	case CMD_QUIT:
	case CMD_STARTTLS:
		return no_argument(l);
	default:
		return PARSE_OK;	/* NOOP, HELP: arguments ignored */
	}
}

void
parse_command(const char *s, size_t len, struct smtp_cmd *cmd)
{
	struct line l = { s, len, 0 };
	const char *w;
	size_t n;

	memset(cmd, 0, sizeof(*cmd));
	n = word(&l, &w);
	cmd->verb = lookup_verb(w, n);
	if (has_control(s, len)) {	/* nothing may hide in a line */
		cmd->error = PARSE_ECONTROL;
		return;
	}
	if (cmd->verb == CMD_UNKNOWN || cmd->verb == CMD_NOTIMPL)
		return;
	cmd->error = arguments(&l, cmd);
}
