/*
 * dmarclib.c: resolve the libopendmarc functions dmarc.c uses.
 */
#include <string.h>

#include "dlload.h"
#include "dmarclib.h"

#ifndef LIBOPENDMARC_SONAME
#define LIBOPENDMARC_SONAME	"libopendmarc.so"
#endif

#define POLICY(field)	DL_RESOLVE(l, field, "opendmarc_policy_" #field, \
			    why, size)
#define OTHER(field)	DL_RESOLVE(l, field, "opendmarc_" #field, why, size)

static int
resolve(struct dmarclib *l, char *why, size_t size)
{
	POLICY(library_init);
	POLICY(library_shutdown);
	POLICY(connect_init);
	POLICY(connect_shutdown);
	POLICY(store_from_domain);
	POLICY(query_dmarc);
	POLICY(store_dmarc);
	POLICY(fetch_p);
	POLICY(fetch_sp);
	POLICY(fetch_adkim);
	POLICY(fetch_aspf);
	POLICY(fetch_pct);
	POLICY(fetch_utilized_domain);
	POLICY(status_to_str);
	OTHER(get_tld);
	OTHER(tld_shutdown);
	return 0;
}

int
dmarclib_open(struct dmarclib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBOPENDMARC_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		dmarclib_close(l);
		return -1;
	}
	return 0;
}

void
dmarclib_close(struct dmarclib *l)
{
	/* Not dlclose(3): see tlslib_close(); the session ends soon. */
	memset(l, 0, sizeof(*l));
}
