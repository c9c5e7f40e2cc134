/*
 * dkimlib.c: resolve the libopendkim functions dkim.c and dkims.c use.
 */
#include <string.h>

#include "dkimlib.h"
#include "dlload.h"

#ifndef LIBOPENDKIM_SONAME
#define LIBOPENDKIM_SONAME	"libopendkim.so"
#endif

#define RESOLVE(field)	DL_RESOLVE(l, field, "dkim_" #field, why, size)

static int
resolve(struct dkimlib *l, char *why, size_t size)
{
	RESOLVE(init);
	RESOLVE(close);
	RESOLVE(options);
	RESOLVE(libfeature);
	RESOLVE(libversion);
	RESOLVE(set_prescreen);
	RESOLVE(verify);
	RESOLVE(set_user_context);
	RESOLVE(get_user_context);
	RESOLVE(header);
	RESOLVE(eoh);
	RESOLVE(body);
	RESOLVE(eom);
	RESOLVE(free);
	RESOLVE(getresultstr);
	RESOLVE(getsiglist);
	RESOLVE(sig_ignore);
	RESOLVE(sig_getflags);
	RESOLVE(sig_getbh);
	RESOLVE(sig_geterror);
	RESOLVE(sig_geterrorstr);
	RESOLVE(sig_getkeysize);
	RESOLVE(sig_getdomain);
	RESOLVE(sig_getselector);
	RESOLVE(sig_getcanons);
	RESOLVE(sig_getcanonlen);
	RESOLVE(sig_gettagvalue);
	RESOLVE(sign);
	RESOLVE(chunk);
	RESOLVE(getsighdr);
	RESOLVE(dns_set_query_service);
	RESOLVE(dns_set_query_start);
	RESOLVE(dns_set_query_cancel);
	RESOLVE(dns_set_query_waitreply);
	return 0;
}

int
dkimlib_open(struct dkimlib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBOPENDKIM_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		dkimlib_close(l);
		return -1;
	}
	return 0;
}

void
dkimlib_close(struct dkimlib *l)
{
	/* Not dlclose(3): see tlslib_close(); the session ends soon. */
	memset(l, 0, sizeof(*l));
}
