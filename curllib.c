/*
 * curllib.c: libcurl loaded with dlopen(3).
 */
#include <stdio.h>

#include "curllib.h"
#include "dlload.h"

int
curllib_open(struct curllib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBCURL_SONAME, why, size)) == NULL)
		return -1;
#define RESOLVE(field, name)	DL_RESOLVE(l, field, name, why, size)
	RESOLVE(global_init, "curl_global_init");
	RESOLVE(easy_init, "curl_easy_init");
	RESOLVE(easy_setopt, "curl_easy_setopt");
	RESOLVE(easy_perform, "curl_easy_perform");
	RESOLVE(easy_getinfo, "curl_easy_getinfo");
	RESOLVE(easy_cleanup, "curl_easy_cleanup");
	RESOLVE(easy_strerror, "curl_easy_strerror");
	RESOLVE(slist_append, "curl_slist_append");
	RESOLVE(slist_free_all, "curl_slist_free_all");
#undef RESOLVE
	if (l->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, size, "curl_global_init failed");
		return -1;
	}
	return 0;
}
