/*
 * dns_txt.h: the TXT records of a DNS answer (RFC 1035), walked for
 * the parsers of MTA-STS (sts_policy.h) and TLS-RPT (tlsrpt.h) records.
 * Pure: no I/O, no allocation.
 */
#ifndef SAMOTOP_DNS_TXT_H
#define SAMOTOP_DNS_TXT_H

#include <stddef.h>

/*
 * Call each for every IN TXT record of the answer msg[0..len), with its
 * character-strings joined into txt[0..size): tl octets of it, whole 1
 * when they all fit, 0 when they did not (txt then holds the strings
 * before the first that did not fit).  Records of other types are
 * skipped.  0, or -1 when the answer is malformed (each may have been
 * called for the records before the fault).
 */
int	dns_txt_each(const unsigned char *msg, size_t len, char *txt,
	    size_t size, void (*each)(void *arg, const char *txt, size_t tl,
	    int whole), void *arg);

#endif
