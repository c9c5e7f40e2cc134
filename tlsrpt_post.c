/*
 * tlsrpt_post.c: the HTTPS POST of a TLS report, through libcurl.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "curllib.h"
#include "tlsrpt_post.h"

#define POST_SECONDS	120L
#define CONNECT_SECONDS	30L

/* The answer's body is not wanted: read and dropped. */
static size_t
drop(char *data, size_t one, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return one * n;
}

int
tlsrpt_post(const char *url, const char *cafile, const char *ctype,
    const void *body, size_t len, char *why, size_t size)
{
	static struct curllib l;
	struct curl_slist *hdr = NULL, *h2;
	char err[CURL_ERROR_SIZE], lib[200], type[128];
	long status = 0;
	CURLcode rc;
	CURL *h;

	if (curllib_open(&l, lib, sizeof(lib)) == -1) {
		snprintf(why, size, "libcurl: %s", lib);
		return -1;
	}
	snprintf(type, sizeof(type), "Content-Type: %s", ctype);
	if ((h = l.easy_init()) == NULL ||
	    (hdr = l.slist_append(NULL, type)) == NULL ||
	    (h2 = l.slist_append(hdr, "Expect:")) == NULL) {
		snprintf(why, size, "libcurl: out of memory");
		if (hdr != NULL)
			l.slist_free_all(hdr);
		if (h != NULL)
			l.easy_cleanup(h);
		return -1;
	}
	hdr = h2;
	err[0] = '\0';
	if (l.easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_TIMEOUT, POST_SECONDS) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_SECONDS) !=
	    CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_USERAGENT, "samotop-tlsrpt") !=
	    CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_ERRORBUFFER, err) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)len) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_WRITEFUNCTION, drop) != CURLE_OK ||
	    (cafile != NULL && l.easy_setopt(h, CURLOPT_CAINFO, cafile) !=
	    CURLE_OK)) {
		snprintf(why, size, "libcurl: an option was refused");
		goto fail;
	}
	if ((rc = l.easy_perform(h)) != CURLE_OK) {
		snprintf(why, size, "%s", err[0] != '\0' ? err :
		    l.easy_strerror(rc));
		goto fail;
	}
	(void)l.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status / 100 != 2) {
		snprintf(why, size, "HTTP status %ld", status);
		goto fail;
	}
	l.slist_free_all(hdr);
	l.easy_cleanup(h);
	return 0;
fail:
	l.slist_free_all(hdr);
	l.easy_cleanup(h);
	return -1;
}
