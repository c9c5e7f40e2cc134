/*
 * dmarclib.h: libopendmarc, loaded with dlopen(3) when a session first
 * evaluates DMARC (see dlload.h): a session without DMARC never maps it,
 * and samotop-smtpd, a static PIE, does not link it.
 *
 * libopendmarc parses what senders' domains publish (_dmarc TXT records)
 * and holds the Public Suffix List; loaded by its soname at run time
 * (LIBOPENDMARC_SONAME, found at build time: libopendmarc.so.2 for
 * Debian's 1.4.2), the system's copy, with its security fixes, is the
 * one in use.  It brings libspf2.so.2 and libbsd (both mapped by SPF
 * and DKIM already).
 *
 * Only what dmarc.c uses is in the table.  opendmarc_get_tld() (the
 * organizational domain of a name, RFC 7489 3.2, from the Public Suffix
 * List) is exported by libopendmarc.so.2 but not declared in 1.4.2's
 * <opendmarc/dmarc.h>: its prototype is written here, as 1.4.2 defines
 * it (opendmarc_tld.c: 0, or an errno value, with the result in tld).
 */
#ifndef SAMOTOP_DMARCLIB_H
#define SAMOTOP_DMARCLIB_H

#include <sys/types.h>

#include <stddef.h>

#include <opendmarc/dmarc.h>

struct dmarclib {
	void	*handle;	/* NULL until loaded */
	OPENDMARC_STATUS_T (*library_init)(OPENDMARC_LIB_T *);
	OPENDMARC_STATUS_T (*library_shutdown)(OPENDMARC_LIB_T *);
	DMARC_POLICY_T *(*connect_init)(u_char *, int);
	DMARC_POLICY_T *(*connect_shutdown)(DMARC_POLICY_T *);
	OPENDMARC_STATUS_T (*store_from_domain)(DMARC_POLICY_T *, u_char *);
	OPENDMARC_STATUS_T (*query_dmarc)(DMARC_POLICY_T *, u_char *);
	OPENDMARC_STATUS_T (*store_dmarc)(DMARC_POLICY_T *, u_char *,
		    u_char *, u_char *);
	OPENDMARC_STATUS_T (*fetch_p)(DMARC_POLICY_T *, int *);
	OPENDMARC_STATUS_T (*fetch_sp)(DMARC_POLICY_T *, int *);
	OPENDMARC_STATUS_T (*fetch_adkim)(DMARC_POLICY_T *, int *);
	OPENDMARC_STATUS_T (*fetch_aspf)(DMARC_POLICY_T *, int *);
	OPENDMARC_STATUS_T (*fetch_pct)(DMARC_POLICY_T *, int *);
	OPENDMARC_STATUS_T (*fetch_utilized_domain)(DMARC_POLICY_T *,
		    u_char *, size_t);
	const char *(*status_to_str)(OPENDMARC_STATUS_T);
	int	(*get_tld)(u_char *, u_char *, size_t);
	void	(*tld_shutdown)(void);
};

/*
 * Load libopendmarc once, by the soname found at build time
 * (LIBOPENDMARC_SONAME); -1 with why (dlerror's text, which names the
 * file or the symbol).
 */
int	dmarclib_open(struct dmarclib *l, char *why, size_t size);
/* Forget the functions (the library stays mapped, see tlslib_close()). */
void	dmarclib_close(struct dmarclib *l);

#endif
