/*
 * received.h: the trace fields samotop prepends, Received: (RFC 5321
 * §4.4) and Authentication-Results: (RFC 8601), and message ids.  Pure.
 * Every value from outside (HELO, sender, names, the TLS description)
 * goes through hdr_safe() (hdr.h): the fields are printable ASCII, each
 * line ends in CR LF, and no client text adds a clause, a result or a
 * property of its own.
 */
#ifndef SAMOTOP_RECEIVED_H
#define SAMOTOP_RECEIVED_H

#include <stddef.h>
#include <time.h>

#define RECEIVED_MAX	1024
#define SID_LEN		16

struct received_info {
	const char	*helo;		/* as the client gave it; printed
					 * only when a name or address
					 * literal, else as a comment */
	const char	*host;		/* name of the client, or "" */
	const char	*ip;		/* "" in a pipe session */
	const char	*hostname;	/* ours */
	const char	*protocol;	/* "ESMTP", "ESMTPS", "UTF8SMTPS"... */
	const char	*tls;		/* "TLSv1.3 with cipher X (256 bits)"
					 * or NULL */
	const char	*id;
	time_t		 when;
	unsigned	 notrace;	/* leave-no-trace's granularity in
					 * seconds; 0: off */
	int		 hide_client;	/* an authenticated user's client:
					 * not recorded (the time is) */
};

/*
 * The header with CRLF line ends; returns its length (0: no room).
 * With notrace (leave-no-trace) the client is "from unknown (not
 * recorded)": neither its address, nor its name, nor its HELO (RFC 5321
 * §4.4 requires a From-domain, and a bare Domain is one); and the time
 * is rounded down to a multiple of notrace seconds, in UTC.  With
 * hide_client the client is "unknown (not recorded)" too, and the time
 * exact.
 */
size_t	received_header(char *buf, size_t size,
	    const struct received_info *ri);

struct authres_info {
	const char	*hostname;	/* ours: the authserv-id */
	const char	*iprev;		/* "pass", "fail", "temperror";
					 * NULL: not checked */
	const char	*ip;		/* the client's (policy.iprev) */
	const char	*rdns_name;	/* its PTR name, or "" */
	const char	*spf;		/* the SPF result; NULL: not checked */
	const char	*sender;	/* "" for <>: then smtp.helo */
	const char	*helo;		/* as the client gave it */
	const char	*tls;		/* the TLS description; NULL: none */
	int		 notrace;	/* leave-no-trace: results only */
	const char	*more;		/* more results, each ";\r\n\t..."
					 * (inspect_authres()); NULL: none */
};

/*
 * Authentication-Results: with CRLF line ends; returns its length (0: no
 * room).  smtp.mailfrom= is the sender when its local part is a plain
 * dot-atom, else its domain; smtp.helo= the HELO when it is a domain
 * name; a property with no such value is left out (RFC 8601 §2.2).
 * With notrace, only the results: no policy.iprev=, PTR name,
 * smtp.mailfrom= or smtp.helo=.
 */
size_t	authres_header(char *buf, size_t size,
	    const struct authres_info *ai);
/* A session id of SID_LEN characters from a time, a pid and noise. */
void	received_session_id(char out[SID_LEN + 1], time_t t, long pid,
	    const unsigned char noise[8]);

#endif
