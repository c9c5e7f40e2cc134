/*
 * received.h: the trace header (RFC 5321 §4.4) and message ids.  Pure.
 */
#ifndef SAMOTOP_RECEIVED_H
#define SAMOTOP_RECEIVED_H

#include <stddef.h>
#include <time.h>

#define RECEIVED_MAX	1024
#define SID_LEN		16

struct received_info {
	const char	*helo;		/* as the client gave it */
	const char	*host;		/* sanitised name of the client, or "" */
	const char	*ip;		/* "" in a pipe session */
	const char	*hostname;	/* ours */
	const char	*protocol;	/* "ESMTP", "ESMTPS", "UTF8SMTPS"... */
	const char	*tls;		/* "TLSv1.3 with cipher X (256 bits)"
					 * or NULL */
	const char	*id;
	time_t		 when;
};

/* The header with CRLF line ends; returns its length. */
size_t	received_header(char *buf, size_t size,
	    const struct received_info *ri);
/* A session id of SID_LEN characters from a time, a pid and noise. */
void	received_session_id(char out[SID_LEN + 1], time_t t, long pid,
	    const unsigned char noise[8]);

#endif
