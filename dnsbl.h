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

/*
 * The pure halves of dnsbl_check(), over a DNS reply of len octets as
 * res_query() gives it (network input: every field bounds-checked;
 * fuzzed by fuzz/fuzz_dnsbl.c).  dnsbl_parse_a: DNSBL_LISTED for an A
 * record in 127.0.0.0/8 outside 127.255.255.0/24; DNSBL_TEMPERROR for a
 * reply that does not parse or only has 127.255.255.0/24 (the list
 * refusing to answer); else DNSBL_NOT_LISTED.  dnsbl_parse_txt: the
 * character-strings of the first TXT record, joined, as printable ASCII
 * (other octets '?') cut to size - 1 octets, in reason; 0, or -1 when
 * the reply does not parse (reason then holds what was read before).
 */
enum dnsbl_result dnsbl_parse_a(const unsigned char *msg, size_t len);
int		 dnsbl_parse_txt(const unsigned char *msg, size_t len,
		    char *reason, size_t size);

#endif
