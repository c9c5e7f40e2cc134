/*
 * spflib.c: resolve the libspf2 functions spf.c uses.
 */
#include <string.h>

#include "dlload.h"
#include "spflib.h"

#ifndef LIBSPF2_SONAME
#define LIBSPF2_SONAME	"libspf2.so"
#endif

#define RESOLVE(field)	DL_RESOLVE(l, field, "SPF_" #field, why, size)

static int
resolve(struct spflib *l, char *why, size_t size)
{
	RESOLVE(warning_handler);
	RESOLVE(info_handler);
	RESOLVE(debug_handler);
	RESOLVE(server_new);
	RESOLVE(server_free);
	RESOLVE(server_set_explanation);
	RESOLVE(server_set_rec_dom);
	RESOLVE(request_new);
	RESOLVE(request_free);
	RESOLVE(request_set_ipv4_str);
	RESOLVE(request_set_ipv6_str);
	RESOLVE(request_set_helo_dom);
	RESOLVE(request_set_env_from);
	RESOLVE(request_query_mailfrom);
	RESOLVE(response_free);
	RESOLVE(response_result);
	RESOLVE(response_get_explanation);
	RESOLVE(response_get_smtp_comment);
	RESOLVE(response_get_header_comment);
	RESOLVE(response_messages);
	RESOLVE(response_message);
	RESOLVE(error_message);
	RESOLVE(strerror);
	RESOLVE(strresult);
	return 0;
}

int
spflib_open(struct spflib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBSPF2_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		spflib_close(l);
		return -1;
	}
	return 0;
}

void
spflib_close(struct spflib *l)
{
	/* Not dlclose(3): see tlslib_close(); the session ends soon. */
	memset(l, 0, sizeof(*l));
}
