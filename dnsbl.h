/*
 * dnsbl.h: DNS block lists (RFC 5782) through the libc resolver
 * (res_query): the client's reversed address under the zone; an A
 * record in 127.0.0.0/8 means listed, and its TXT record is the reason.
 */
#ifndef SAMOTOP_DNSBL_H
#define SAMOTOP_DNSBL_H

#include <stddef.h>

enum dnsbl_result {
	DNSBL_NOT_LISTED,
	DNSBL_LISTED,		/* reason holds the TXT text, sanitised */
	DNSBL_TEMPERROR,	/* no answer: not a reason to refuse */
};

/* The query name for ip under zone ("2.0.0.127.zen.example"); 0 or -1. */
int		 dnsbl_query_name(const char *ip, const char *zone, char *out,
		    size_t size);
enum dnsbl_result dnsbl_check(const char *ip, const char *zone,
		    char *reason, size_t size);

#endif
