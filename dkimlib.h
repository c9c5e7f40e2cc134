/*
 * dkimlib.h: libopendkim, loaded with dlopen(3) when a session first
 * verifies DKIM (see dlload.h): a session without DKIM never maps it,
 * and samotop-smtpd, a static PIE, does not link it.
 *
 * libopendkim parses what senders' domains publish and what any client
 * writes into DKIM-Signature: fields; loaded by its soname at run time
 * (LIBOPENDKIM_SONAME, found at build time: libopendkim.so.11 for
 * Debian's 2.11.0~beta2), the system's copy, with its security fixes,
 * is the one in use.  It brings libcrypto.so.3, libdb-5.3 and libbsd:
 * dlopen(3) takes about 1.5 ms (measured on the shared build machine),
 * paid by a session's first verification.  Signing (dkims.h) uses the
 * same library: dkim_sign(), dkim_chunk() and dkim_getsighdr() besides
 * the calls both share.
 */
#ifndef SAMOTOP_DKIMLIB_H
#define SAMOTOP_DKIMLIB_H

#include <sys/types.h>
#include <sys/time.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <opendkim/dkim.h>

struct dkimlib {
	void	*handle;	/* NULL until loaded */
	DKIM_LIB *(*init)(void *(*)(void *, size_t), void (*)(void *,
		    void *));
	void	(*close)(DKIM_LIB *);
	DKIM_STAT (*options)(DKIM_LIB *, int, dkim_opts_t, void *, size_t);
	_Bool	(*libfeature)(DKIM_LIB *, u_int);
	uint32_t (*libversion)(void);
	DKIM_STAT (*set_prescreen)(DKIM_LIB *, DKIM_CBSTAT (*)(DKIM *,
		    DKIM_SIGINFO **, int));
	DKIM	*(*verify)(DKIM_LIB *, const unsigned char *, void *,
		    DKIM_STAT *);
	DKIM_STAT (*set_user_context)(DKIM *, void *);
	void	*(*get_user_context)(DKIM *);
	DKIM_STAT (*header)(DKIM *, u_char *, size_t);
	DKIM_STAT (*eoh)(DKIM *);
	DKIM_STAT (*body)(DKIM *, u_char *, size_t);
	DKIM_STAT (*eom)(DKIM *, _Bool *);
	DKIM_STAT (*free)(DKIM *);
	const char *(*getresultstr)(DKIM_STAT);
	DKIM_STAT (*getsiglist)(DKIM *, DKIM_SIGINFO ***, int *);
	void	(*sig_ignore)(DKIM_SIGINFO *);
	unsigned int (*sig_getflags)(DKIM_SIGINFO *);
	int	(*sig_getbh)(DKIM_SIGINFO *);
	int	(*sig_geterror)(DKIM_SIGINFO *);
	const char *(*sig_geterrorstr)(DKIM_SIGERROR);
	DKIM_STAT (*sig_getkeysize)(DKIM_SIGINFO *, unsigned int *);
	unsigned char *(*sig_getdomain)(DKIM_SIGINFO *);
	unsigned char *(*sig_getselector)(DKIM_SIGINFO *);
	DKIM_STAT (*sig_getcanons)(DKIM_SIGINFO *, dkim_canon_t *,
		    dkim_canon_t *);
	DKIM_STAT (*sig_getcanonlen)(DKIM *, DKIM_SIGINFO *, ssize_t *,
		    ssize_t *, ssize_t *);
	u_char	*(*sig_gettagvalue)(DKIM_SIGINFO *, _Bool, u_char *);
	/* Signing (dkims.h). */
	DKIM	*(*sign)(DKIM_LIB *, const unsigned char *, void *,
		    const dkim_sigkey_t, const unsigned char *,
		    const unsigned char *, dkim_canon_t, dkim_canon_t,
		    dkim_alg_t, ssize_t, DKIM_STAT *);
	DKIM_STAT (*chunk)(DKIM *, u_char *, size_t);
	DKIM_STAT (*getsighdr)(DKIM *, u_char *, size_t, size_t);
	/*
	 * libopendkim's resolver hooks (2.11 has them all; see dkim.h):
	 * resolved now so that a library without them fails at loading,
	 * used when lookups go through samotop's resolver.
	 */
	void	*(*dns_set_query_service)(DKIM_LIB *, void *);
	void	(*dns_set_query_start)(DKIM_LIB *, int (*)(void *, int,
		    unsigned char *, unsigned char *, size_t, void **));
	void	(*dns_set_query_cancel)(DKIM_LIB *, int (*)(void *, void *));
	void	(*dns_set_query_waitreply)(DKIM_LIB *, int (*)(void *,
		    void *, struct timeval *, size_t *, int *, int *));
};

/*
 * Load libopendkim once, by the soname found at build time
 * (LIBOPENDKIM_SONAME); -1 with why (dlerror's text, which names the
 * file or the symbol).
 */
int	dkimlib_open(struct dkimlib *l, char *why, size_t size);
/* Forget the functions (the library stays mapped, see tlslib_close()). */
void	dkimlib_close(struct dkimlib *l);

#endif
