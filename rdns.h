/*
 * rdns.h: forward-confirmed reverse DNS of the client (FCrDNS): the PTR
 * name of its address, then that name's A/AAAA records back to the same
 * address.  Through the libc resolver (getnameinfo, getaddrinfo), whose
 * time limits come from resolv.conf (options timeout:, attempts:).
 */
#ifndef SAMOTOP_RDNS_H
#define SAMOTOP_RDNS_H

#include <stddef.h>

enum rdns_result {
	RDNS_PASS,		/* name found and confirmed */
	RDNS_NONE,		/* no PTR record */
	RDNS_MISMATCH,		/* PTR name does not lead back */
	RDNS_TEMPERROR,		/* DNS did not answer */
};

/*
 * Check ip.  name gets the PTR name (even unconfirmed, for logs; "" if
 * none), sanitised to letters, digits, '-' and '.'.
 */
enum rdns_result rdns_check(const char *ip, char *name, size_t size);
const char	*rdns_result_name(enum rdns_result r);	/* "pass", ... */

#endif
