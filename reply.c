/*
 * reply.c: the reply table.  One place to read what samotop says.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"

static const struct {
	int		 code;
	const char	*enhanced;	/* NULL: never carries one */
	const char	*format;
} table[R__COUNT] = {
	[R_GREETING] =		{ 220, NULL, "%s ESMTP samotop" },
	[R_HELO] =		{ 250, NULL, "%s" },
	[R_OKAY] =		{ 250, "2.0.0", "Ok" },
	[R_MAIL_OK] =		{ 250, "2.1.0", "Sender ok" },
	[R_RCPT_OK] =		{ 250, "2.1.5", "Recipient ok" },
	[R_DATA_GO] =		{ 354, NULL,
				  "End data with <CR><LF>.<CR><LF>" },
	[R_ACCEPTED] =		{ 250, "2.0.0", "Ok: queued as %s" },
	[R_CHUNK_OK] =		{ 250, "2.0.0", "%zu octets received" },
	[R_RSET] =		{ 250, "2.0.0", "Reset" },
	[R_NOOP] =		{ 250, "2.0.0", "Ok" },
	[R_VRFY] =		{ 252, "2.5.2",
				  "Cannot VRFY user, but will accept message" },
	[R_HELP] =		{ 214, "2.0.0",
				  "See https://www.rfc-editor.org/rfc/rfc5321" },
	[R_BYE] =		{ 221, "2.0.0", "%s closing connection" },
	[R_UNKNOWN] =		{ 500, "5.5.1", "Command unrecognized" },
	[R_NOTIMPL] =		{ 502, "5.5.1", "Command not implemented" },
	[R_LINE_TOO_LONG] =	{ 500, "5.5.2", "Line too long" },
	[R_BARE_LF_COMMAND] =	{ 500, "5.5.2", "Bare LF in command line" },
	[R_BARE_CR_COMMAND] =	{ 500, "5.5.2", "Bare CR in command line" },
	[R_CONTROL] =		{ 501, "5.5.2",
				  "Control character in command line" },
	[R_SYNTAX] =		{ 501, "5.5.4", "Syntax error in arguments" },
	[R_BAD_SENDER] =	{ 501, "5.1.7", "Bad sender address: %s" },
	[R_BAD_RCPT] =		{ 501, "5.1.3", "Bad recipient address: %s" },
	[R_PARAM_UNKNOWN] =	{ 555, "5.5.4", "Unsupported parameter" },
	[R_PARAM_VALUE] =	{ 501, "5.5.4", "Invalid parameter value" },
	[R_UTF8_REQUIRED] =	{ 553, "5.6.7",
				  "Non-ASCII address requires SMTPUTF8" },
	[R_SEQ_HELO] =		{ 503, "5.5.1", "Send HELO or EHLO first" },
	[R_SEQ_MAIL_NESTED] =	{ 503, "5.5.1", "Sender already given" },
	[R_SEQ_NEED_MAIL] =	{ 503, "5.5.1", "Send MAIL first" },
	[R_SEQ_NEED_RCPT] =	{ 503, "5.5.1", "Send RCPT first" },
	[R_SEQ_BINARY] =	{ 503, "5.5.1",
				  "BODY=BINARYMIME requires BDAT" },
	[R_SEQ_BDAT] =		{ 503, "5.5.1",
				  "Only BDAT, RSET or QUIT after BDAT" },
	[R_SIZE_EXCEEDED] =	{ 552, "5.3.4",
				  "Message size exceeds fixed limit of %zu" },
	[R_TOO_MANY_RCPTS] =	{ 452, "4.5.3", "Too many recipients" },
	[R_OTHER_ROUTE] =	{ 452, "4.5.3",
				  "Send this recipient in another transaction" },
	[R_NO_MAILBOX] =	{ 550, "5.1.1", "No such mailbox: %s" },
	[R_RELAY_DENIED] =	{ 550, "5.7.1", "Relaying denied: %s" },
	[R_NO_POSTMASTER] =	{ 550, "5.1.1",
				  "No postmaster mailbox configured: %s" },
	[R_BARE_LF] =		{ 550, "5.6.0", "Message refused: "
				  "bare LF (line end without CR) not allowed" },
	[R_BARE_CR] =		{ 550, "5.6.0", "Message refused: "
				  "bare CR (CR without LF) not allowed" },
	[R_LONG_TEXT_LINE] =	{ 554, "5.6.0", "Message refused: "
				  "text line longer than %zu octets" },
	[R_HELPER_FAILED] =	{ 451, "4.3.0",
				  "Local delivery error, try again later" },
	[R_PARTIAL] =		{ 451, "4.3.0", "Delivery failed for "
				  "some recipients, try again later" },
	[R_TOO_MANY_ERRORS] =	{ 421, "4.7.0",
				  "%s Too many errors, closing connection" },
	[R_TIMEOUT] =		{ 421, "4.4.2",
				  "%s Timeout, closing connection" },
	[R_DESYNC] =		{ 421, "4.5.0",
				  "%s Cannot find the next command, closing connection" },
	[R_SHUTDOWN] =		{ 421, "4.3.0",
				  "%s Local error, closing connection" },
	[R_STARTTLS_UNAVAIL] =	{ 502, "5.5.1", "STARTTLS not available" },
	[R_STARTTLS_READY] =	{ 220, "2.0.0", "Ready to start TLS" },
	[R_TLS_TEMP_UNAVAIL] =	{ 454, "4.7.0",
				  "TLS not available due to temporary reason" },
	[R_TLS_ACTIVE] =	{ 503, "5.5.1", "TLS already active" },
	[R_TLS_IN_TX] =		{ 503, "5.5.1",
				  "STARTTLS not allowed inside a transaction" },
	[R_TLS_REQUIRED] =	{ 530, "5.7.0",
				  "Must issue a STARTTLS command first" },
	[R_DENIED_CONNECT] =	{ 554, "5.7.1", "%s" },
	[R_DENIED] =		{ 550, "5.7.1", "%s" },
	[R_RDNS_REJECT] =	{ 554, "5.7.25",
				  "Reverse DNS validation failed for [%s]" },
	[R_RDNS_TEMPFAIL] =	{ 421, "4.7.25", "Reverse DNS lookup for [%s] "
				  "failed, try again later" },
	[R_DNSBL] =		{ 554, "5.7.1", "Service unavailable; client "
				  "[%s] listed in %s: %s" },
	[R_SPF_FAIL] =		{ 550, "5.7.23", "SPF validation failed: %s" },
	[R_SPF_TEMPFAIL] =	{ 451, "4.7.24",
				  "SPF validation error (DNS), try again later" },
	[R_SPF_PERMERROR] =	{ 550, "5.7.24", "SPF validation error: %s" },
	[R_GREYLISTED] =	{ 451, "4.7.1",
				  "Greylisted, try again in %u seconds" },
	[R_GREYLIST_LIMIT] =	{ 451, "4.7.1", "Too many greylisted messages "
				  "pending from your network, try again later" },
	[R_LOCAL_ERROR] =	{ 451, "4.3.0", "Local error, try again later" },
	[R_EARLY_TALKER] =	{ 554, "5.5.0",
				  "Protocol error: talked before the greeting" },
	[R_UNAUTH_PIPELINING] =	{ 554, "5.5.0", "Protocol error: commands "
				  "pipelined before EHLO advertised PIPELINING" },
	[R_BAD_HELO] =		{ 501, "5.5.4", "HELO name must be a domain "
				  "or an address literal" },
	[R_DMARC_REJECT] =	{ 550, "5.7.1", "Message rejected: the DMARC "
				  "policy of %s says the From: is forged" },
	[R_DMARC_TEMPFAIL] =	{ 451, "4.4.3", "DMARC check of %s failed "
				  "(DNS), try again later" },
	[R_NO_ROOM] =		{ 452, "4.3.1",
				  "Insufficient system storage" },
	[R_MILTER_REJECT] =	{ 550, "5.7.1", "Rejected by a content filter" },
	[R_MILTER_TEMPFAIL] =	{ 451, "4.7.1", "Content filter unavailable or "
				  "deferred, try again later" },
	[R_MILTER_SHUTDOWN] =	{ 421, "4.7.0", "%s Service not available, "
				  "closing transmission channel" },
	[R_SCREENER_DENIED] =	{ 550, "5.7.1", "The recipient does not accept "
				  "mail from this sender" },
	[R_LIMIT_CONNECTIONS] =	{ 421, "4.7.0", "%s Too many connections from "
				  "your network, try again later" },
	[R_LIMIT_MESSAGES] =	{ 451, "4.7.1", "Too many messages from your "
				  "network, try again later" },
	[R_LIMIT_RECIPIENTS] =	{ 452, "4.5.3", "Too many recipients from "
				  "your network, try again later" },
	[R_AUTH_CHALLENGE] =	{ 334, NULL, "%s" },
	[R_AUTH_OK] =		{ 235, "2.7.0", "Authentication successful" },
	[R_AUTH_FAILED] =	{ 535, "5.7.8",
				  "Authentication credentials invalid" },
	[R_AUTH_TEMPFAIL] =	{ 454, "4.7.0",
				  "Temporary authentication failure" },
	[R_AUTH_LIMITED] =	{ 454, "4.7.0", "Too many authentication "
				  "failures from your network, try again later" },
	[R_AUTH_TOO_MANY] =	{ 421, "4.7.0", "%s Too many authentication "
				  "failures, closing connection" },
	[R_AUTH_CANCELLED] =	{ 501, "5.0.0", "Authentication cancelled" },
	[R_AUTH_BASE64] =	{ 501, "5.5.2",
				  "Cannot decode the response (base64)" },
	[R_AUTH_MALFORMED] =	{ 501, "5.5.2",
				  "Malformed authentication response" },
	[R_AUTH_MECH] =		{ 504, "5.5.4",
				  "Unrecognized authentication type" },
	[R_AUTH_LINE] =		{ 500, "5.5.6",
				  "Authentication exchange line is too long" },
	[R_AUTH_EHLO] =		{ 503, "5.5.1", "Send EHLO first" },
	[R_AUTH_ALREADY] =	{ 503, "5.5.1", "Already authenticated" },
	[R_AUTH_IN_TX] =	{ 503, "5.5.1",
				  "AUTH not permitted during a mail transaction" },
	[R_SENDER_LOGIN] =	{ 553, "5.7.1",
				  "Sender address <%s> not owned by user %s" },
	[R_FROM_LOGIN] =	{ 553, "5.7.1",
				  "From: address <%s> not owned by user %s" },
	[R_USER_MESSAGES] =	{ 451, "4.7.1",
				  "Too many messages from user %s, try later" },
	[R_USER_RECIPIENTS] =	{ 452, "4.7.1",
				  "Too many recipients from user %s, try later" },
	[R_SIGN_FAILED] =	{ 451, "4.7.0", "DKIM signing failed, try again "
				  "later" },
};

void
reply_line(struct reply *r, int code, const char *line)
{
	size_t room = sizeof(r->text) - r->len, n = strlen(line);

	r->code = code;
	r->id = R__COUNT;
	if (room < 3)
		return;
	if (n > room - 3)
		n = room - 3;
	memcpy(r->text + r->len, line, n);
	memcpy(r->text + r->len + n, "\r\n", 2);
	r->len += n + 2;
}

void
reply_add(struct reply *r, int esmtp, enum reply_id id, ...)
{
	char text[512], line[600];
	va_list ap;

	va_start(ap, id);
	vsnprintf(text, sizeof(text), table[id].format, ap);
	va_end(ap);
	if (esmtp && table[id].enhanced != NULL)
		snprintf(line, sizeof(line), "%d %s %s", table[id].code,
		    table[id].enhanced, text);
	else
		snprintf(line, sizeof(line), "%d %s", table[id].code, text);
	reply_line(r, table[id].code, line);
	r->id = id;
}

int
reply_code(enum reply_id id)
{
	return table[id].code;
}
