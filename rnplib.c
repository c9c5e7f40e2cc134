/*
 * rnplib.c: librnp through dlopen(3); see rnplib.h.
 */
#include <stdlib.h>
#include <string.h>

#include "dlload.h"
#include "rnplib.h"

#ifndef LIBRNP_SONAME
#error "LIBRNP_SONAME must name librnp's shared library (see the Makefile)"
#endif

static int
resolve(struct rnplib *l, char *why, size_t size)
{
#define RESOLVE(name)	DL_RESOLVE(l, name, #name, why, size);
	RNPLIB_FUNCS(RESOLVE)
#undef RESOLVE
	return 0;
}

int
rnplib_open(struct rnplib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	/*
	 * Botan's pool of mlock(2)ed memory costs each process about 8 ms
	 * to set up (a lock, an unlock and an madvise per page), more than
	 * the encryption of a small message.  It keeps key material off
	 * swap, but the plaintext in our own buffers and pipes is not
	 * locked either: swap that must not hold mail must be encrypted
	 * (samotop-encrypt(8)).  An administrator's own setting is kept.
	 */
	(void)setenv("BOTAN_MLOCK_POOL_SIZE", "0", 0);
	if ((l->handle = dl_load(LIBRNP_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		/* Not dlclose(3): Botan registers exit handlers. */
		memset(l, 0, sizeof(*l));
		return -1;
	}
	return 0;
}
