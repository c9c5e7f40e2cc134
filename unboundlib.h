/*
 * unboundlib.h: libunbound, loaded with dlopen(3) when the screener
 * first checks a sender's domain for DNSSEC and DANE (scr_dane.h; see
 * dlload.h): a program that never checks DANE never maps it.
 *
 * libunbound is a validating resolver: it parses what senders' domains
 * publish and checks their signatures up to a trust anchor.  Loaded by
 * its soname at run time (LIBUNBOUND_SONAME, found at build time:
 * libunbound.so.8 for Debian's 1.17), the system's copy, with its
 * security fixes, is the one in use.  It brings libssl, libcrypto,
 * libevent and libnghttp2.  Only what scr_dane.c uses is in the table.
 */
#ifndef SAMOTOP_UNBOUNDLIB_H
#define SAMOTOP_UNBOUNDLIB_H

#include <stddef.h>

#include <unbound.h>

struct unboundlib {
	void	*handle;	/* NULL until loaded */
	struct ub_ctx *(*ctx_create)(void);
	void	(*ctx_delete)(struct ub_ctx *);
	int	(*ctx_set_fwd)(struct ub_ctx *, const char *);
	int	(*ctx_resolvconf)(struct ub_ctx *, const char *);
	int	(*ctx_add_ta_file)(struct ub_ctx *, const char *);
	int	(*ctx_async)(struct ub_ctx *, int);
	int	(*fd)(struct ub_ctx *);
	int	(*process)(struct ub_ctx *);
	int	(*resolve_async)(struct ub_ctx *, const char *, int, int,
		    void *, ub_callback_type, int *);
	void	(*resolve_free)(struct ub_result *);
	const char *(*strerror)(int);
};

/*
 * Load libunbound once, by the soname found at build time
 * (LIBUNBOUND_SONAME); -1 with why (dlerror's text, which names the
 * file or the symbol).
 */
int	unboundlib_open(struct unboundlib *l, char *why, size_t size);
/* Forget the functions (the library stays mapped, see tlslib_close()). */
void	unboundlib_close(struct unboundlib *l);

#endif
