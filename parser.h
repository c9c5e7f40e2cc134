/*
 * parser.h: one SMTP command line (CRLF removed) to a command struct.
 * Pure: no I/O, no allocation.  RFC 5321 §4.1 with the parameters of
 * SIZE (RFC 1870), 8BITMIME/BINARYMIME (RFC 6152, 3030), SMTPUTF8
 * (RFC 6531), CHUNKING (RFC 3030) and AUTH (RFC 4954).
 */
#ifndef SAMOTOP_PARSER_H
#define SAMOTOP_PARSER_H

#include <stddef.h>

#include "address.h"

#define HELO_MAX	255

enum smtp_verb {
	CMD_UNKNOWN,
	CMD_HELO, CMD_EHLO, CMD_MAIL, CMD_RCPT, CMD_DATA, CMD_BDAT,
	CMD_RSET, CMD_NOOP, CMD_QUIT, CMD_VRFY, CMD_HELP,
	CMD_STARTTLS,
	CMD_AUTH,		/* RFC 4954 */
	CMD_NOTIMPL,		/* EXPN, TURN, ETRN, ...: 502 */
};

enum body_type { BODY_NONE, BODY_7BIT, BODY_8BITMIME, BODY_BINARYMIME };

enum parse_error {
	PARSE_OK = 0,
	PARSE_ESYNTAX,		/* 501 5.5.4 arguments malformed */
	PARSE_ECONTROL,		/* 501 5.5.2 control octet in the line */
	PARSE_ESENDER,		/* 501 5.1.7 bad sender address */
	PARSE_ERCPT,		/* 501 5.1.3 bad recipient address */
	PARSE_EPARAM,		/* 555 5.5.4 unknown MAIL/RCPT parameter */
	PARSE_EPARAMVAL,	/* 501 5.5.4 bad parameter value */
};

struct smtp_cmd {
	enum smtp_verb		verb;
	enum parse_error	error;
	enum addr_error		addr_error;	/* with ESENDER/ERCPT */
	char			arg[HELO_MAX + 1];	/* HELO/EHLO/VRFY */
	struct mailbox		path;		/* MAIL/RCPT */
	int			has_size;
	size_t			size;		/* SIZE=, saturated */
	enum body_type		body;
	int			smtputf8;
	size_t			chunk;		/* BDAT size */
	int			last;		/* BDAT ... LAST */
	/*
	 * AUTH: the mechanism in arg, and the initial response, when
	 * given, points into the line parsed (valid while it is).
	 */
	int			has_ir;
	const char		*ir;
	size_t			ir_len;
	int			has_auth;	/* MAIL ... AUTH=, RFC 4954 §5 */
};

/* Parse line[0..len) (no CRLF).  Always sets cmd->verb and cmd->error. */
void		parse_command(const char *line, size_t len,
		    struct smtp_cmd *cmd);

#endif
