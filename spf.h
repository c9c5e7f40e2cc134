/*
 * spf.h: Sender Policy Framework (RFC 7208) with libspf2, at MAIL FROM
 * (the HELO identity for the null sender).  What libspf2 returns is
 * treated as untrusted: texts are sanitised and bounded here.
 */
#ifndef SAMOTOP_SPF_H
#define SAMOTOP_SPF_H

#include <stddef.h>

#include "conf.h"

#define SPF_HEADER_MAX	600
#define SPF_TEXT_MAX	200

struct spf_verdict {
	enum spf_outcome result;
	char		 explanation[SPF_TEXT_MAX];	/* for a 550 reply */
	char		 header[SPF_HEADER_MAX];	/* "Received-SPF: ..." with
							 * CRLF line ends */
	char		 identity[8];			/* "mailfrom", "helo" */
};

/*
 * Check the client ip for sender (an address, "" for the null sender,
 * then helo is checked).  hostname is ours, for the header.
 */
void		spf_check(const char *ip, const char *helo, const char *sender,
		    const char *hostname, struct spf_verdict *v);
const char	*spf_outcome_name(enum spf_outcome r);	/* "pass", ... */

#endif
