/*
 * curllib.h: libcurl, loaded with dlopen(3) when first needed
 * (dlload.h): samotop-remote's MTA-STS policy fetches (sts_fetch.h) and
 * samotop-tlsrpt's report POSTs (tlsrpt_post.h).  Only curl's constants
 * come from <curl/curl.h>; its functions are looked up by name in
 * LIBCURL_SONAME (the Makefile's), so that the deliveries to domains
 * without a policy never pay for loading it.
 */
#ifndef SAMOTOP_CURLLIB_H
#define SAMOTOP_CURLLIB_H

#include <curl/curl.h>
#include <stddef.h>

struct curllib {
	void		*handle;
	CURLcode	(*global_init)(long);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_perform)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	void		(*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
};

/*
 * Load l (once: a loaded l is left as it is) and curl_global_init();
 * 0, or -1 with why.
 */
int	curllib_open(struct curllib *l, char *why, size_t size);

#endif
