/*
 * lmtpconn.h: the pure parts of samotop-lmtp, the LMTP connector to a
 * real LDA: what TARGET means, and which reply the upstream client gets
 * for an LDA's answer or for a failure to reach the LDA.  No I/O.
 */
#ifndef SAMOTOP_LMTPCONN_H
#define SAMOTOP_LMTPCONN_H

#include <stddef.h>

#include "deliver.h"
#include "lmtpreply.h"

#define LMTPCONN_PATH_MAX	107	/* sun_path on Linux, NUL excluded */
#define LMTPCONN_HOST_MAX	255
#define LMTPCONN_PORT_MAX	32	/* a number or a service name */
#define LMTPCONN_ARGV_MAX	32	/* words of an exec: command */
#define LMTPCONN_REASON_MAX	128

enum lmtpconn_kind {
	LMTPCONN_UNIX,		/* unix:/path/to/socket */
	LMTPCONN_INET,		/* inet:host:port, inet:[v6]:port */
	LMTPCONN_EXEC,		/* exec:PROGRAM [ARG...] */
};

struct lmtpconn_target {
	enum lmtpconn_kind	 kind;
	char			 path[LMTPCONN_PATH_MAX + 1];
	char			 host[LMTPCONN_HOST_MAX + 1];
	char			 port[LMTPCONN_PORT_MAX + 1];
	/* exec: argv[0] is PROGRAM (the "exec:" removed), NULL-terminated */
	const char		*argv[LMTPCONN_ARGV_MAX + 1];
};

/*
 * Parse the operands: TARGET and, for exec: only, the program's
 * arguments.  Returns 0, or -1 with *err saying what is wrong.  The
 * strings of argv must outlive t (exec: points into them).
 */
int		lmtpconn_parse(struct lmtpconn_target *t, int argc,
		    char *const argv[], const char **err);

/* Where the reply is given: which enhanced code a failure gets. */
enum lmtpconn_stage {
	LMTPCONN_AT_RCPT,	/* 451 4.4.1 <addr>: cannot reach LDA */
	LMTPCONN_AT_DATA,	/* 451 4.4.2 <addr>: LDA connection lost */
};

/*
 * The LDA's reply as one line "DDD X.Y.Z text" for the upstream client:
 * the code and the text kept, an enhanced code added when the LDA gave
 * none (or one of another class), cut to fit size.  Returns the class
 * (2, 4 or 5).
 */
int		lmtpconn_reply(const struct lmtpreply *rep, char *buf,
		    size_t size);
/*
 * A failure of the connector itself, for recipient addr.  err decides
 * the code (a malformed reply, HELPER_EPROTO, gives 451 4.3.0 whatever
 * the stage; HELPER_EUTF8 553 5.6.7); why, the LMTP client's reason in
 * words (struct helper's why), is only shown in the text.
 */
void		lmtpconn_failure(enum lmtpconn_stage stage, const char *addr,
		    enum helper_error err, const char *why, char *buf,
		    size_t size);
/* The reason as the log and the replies say it ("helper " removed). */
void		lmtpconn_reason(const char *why, char *buf, size_t size);

#endif
