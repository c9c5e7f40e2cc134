/*
 * fuzz_log.c: libFuzzer target for leave-no-trace's scrubbing of free
 * text in log lines (log.h, log_scrub()).  The input is up to three
 * NUL-terminated values given to log_personal(), then the text.  What
 * comes out must hold no '@', and none of the values that are matched
 * anywhere in a word (6 octets or more, without blanks), in any case.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Whether s holds n, ASCII case aside. */
static int
holds(const char *s, const char *n)
{
	size_t i, k, nlen = strlen(n);

	for (i = 0; s[i] != '\0'; i++) {
		for (k = 0; k < nlen && s[i + k] != '\0' &&
		    lower((unsigned char)s[i + k]) ==
		    lower((unsigned char)n[k]); k++)
			;
		if (k == nlen)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct logger lg;
	char *in, *p, *end, *values[3], out[LOG_LINE_MAX];
	size_t n = 0, i;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	end = in + size;
	log_init(&lg, 2, LVL_INFO, "sid=F");
	log_notrace(&lg, NULL, NULL);
	for (p = in; n < 3 && p < end && memchr(p, '\0', end - p) != NULL;
	    p += strlen(p) + 1) {
		values[n++] = p;
		log_personal(&lg, p);
	}
	log_scrub(&lg, p < end ? p : "", out, sizeof(out));
	if (strchr(out, '@') != NULL)
		abort();
	for (i = 0; i < n; i++)
		if (strlen(values[i]) >= 6 &&
		    strlen(values[i]) < LOG_PERSONAL_LEN &&
		    strpbrk(values[i], " \t") == NULL &&
		    holds(out, values[i]))
			abort();
	free(in);
	return 0;
}
