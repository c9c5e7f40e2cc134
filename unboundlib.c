/*
 * unboundlib.c: resolve the libunbound functions scr_dane.c uses.
 */
#include <string.h>

#include "dlload.h"
#include "unboundlib.h"

#ifndef LIBUNBOUND_SONAME
#define LIBUNBOUND_SONAME	"libunbound.so"
#endif

#define RESOLVE(field)	DL_RESOLVE(l, field, "ub_" #field, why, size)

static int
resolve(struct unboundlib *l, char *why, size_t size)
{
	RESOLVE(ctx_create);
	RESOLVE(ctx_delete);
	RESOLVE(ctx_set_fwd);
	RESOLVE(ctx_resolvconf);
	RESOLVE(ctx_add_ta_file);
	RESOLVE(ctx_async);
	RESOLVE(fd);
	RESOLVE(process);
	RESOLVE(resolve_async);
	RESOLVE(resolve_free);
	RESOLVE(strerror);
	return 0;
}

int
unboundlib_open(struct unboundlib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBUNBOUND_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		unboundlib_close(l);
		return -1;
	}
	return 0;
}

void
unboundlib_close(struct unboundlib *l)
{
	/*
	 * Not dlclose(3): libunbound's OpenSSL registers exit handlers
	 * (see tlslib_close()).
	 */
	memset(l, 0, sizeof(*l));
}
