/*
 * sts_fetch.c: the HTTPS fetch of an MTA-STS policy, through libcurl
 * loaded with dlopen(3) (curllib.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "curllib.h"
#include "sts_fetch.h"

#define FETCH_SECONDS	60L	/* the whole fetch (RFC 8461 §3.3: 60 s) */
#define CONNECT_SECONDS	20L

struct sink {
	char	*buf;
	size_t	 len;
	int	 over;
};

/* The body, up to STS_POLICY_MAX; past it the transfer is aborted. */
static size_t
take(char *data, size_t one, size_t n, void *arg)
{
	struct sink *s = arg;

	n *= one;
	if (n > STS_POLICY_MAX - s->len) {
		s->over = 1;
		return 0;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

int
sts_fetch(const char *domain, const char *cafile, char *buf, size_t *len,
    char *why, size_t size)
{
	static struct curllib l;
	struct sink s = { buf, 0, 0 };
	char url[STS_NAME_MAX + 64], err[CURL_ERROR_SIZE], lib[200];
	const char *ctype = NULL;
	long status = 0;
	CURLcode rc;
	CURL *h;

	if (curllib_open(&l, lib, sizeof(lib)) == -1) {
		snprintf(why, size, "libcurl: %s", lib);
		return -1;
	}
	if ((h = l.easy_init()) == NULL) {
		snprintf(why, size, "libcurl: out of memory");
		return -1;
	}
	snprintf(url, sizeof(url), "https://mta-sts.%s/.well-known/"
	    "mta-sts.txt", domain);
	err[0] = '\0';
	/* §3.3: HTTPS only, the name verified, no redirects */
	if (l.easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") !=
	    CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_TIMEOUT, FETCH_SECONDS) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_SECONDS) !=
	    CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_USERAGENT, "samotop-remote") !=
	    CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_ERRORBUFFER, err) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_WRITEFUNCTION, take) != CURLE_OK ||
	    l.easy_setopt(h, CURLOPT_WRITEDATA, &s) != CURLE_OK ||
	    (cafile != NULL && l.easy_setopt(h, CURLOPT_CAINFO, cafile) !=
	    CURLE_OK)) {
		snprintf(why, size, "libcurl: an option was refused");
		l.easy_cleanup(h);
		return -1;
	}
	rc = l.easy_perform(h);
	if (rc != CURLE_OK) {
		snprintf(why, size, "%s: %s", url, s.over ? "policy over "
		    "64 KiB" : err[0] != '\0' ? err : l.easy_strerror(rc));
		l.easy_cleanup(h);
		return rc == CURLE_PEER_FAILED_VERIFICATION ? -2 : -1;
	}
	(void)l.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	(void)l.easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
	if (status != 200) {
		snprintf(why, size, "%s: HTTP status %ld", url, status);
		l.easy_cleanup(h);
		return -1;
	}
	/* §3.2: the policy is served as text/plain */
	if (ctype == NULL || strncasecmp(ctype, "text/plain", 10) != 0 ||
	    (ctype[10] != '\0' && ctype[10] != ';' && ctype[10] != ' ')) {
		snprintf(why, size, "%s: media type %s, not text/plain", url,
		    ctype != NULL ? ctype : "(none)");
		l.easy_cleanup(h);
		return -1;
	}
	l.easy_cleanup(h);
	*len = s.len;
	return 0;
}
