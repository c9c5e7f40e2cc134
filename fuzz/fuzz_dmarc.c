/*
 * fuzz_dmarc.c: DMARC records and From: domains from random bytes
 * through dmarc_evaluate(), records given as strings (no DNS) and the
 * Public Suffix List of Debian's publicsuffix package.  Four octets
 * choose the SPF result, the DKIM result, the pct= sample and where the
 * record is found (at every name asked, only at the organizational
 * domain, or a lookup failure); then lines: the record, the SPF domain,
 * the DKIM d=, and each From: domain.  Whatever comes in, the verdict
 * must be of a known kind, with a disposition only for a fail, a reason
 * unless it passed, and domains safe to print in Authentication-Results:.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

#define LINES	(3 + DMARC_FROM_MAX + 2)

static struct dmarc_evaluator ev;
static const char *record;
static int mode, asked;

static enum dmarc_lookup
lookup(void *arg, const char *domain, char *out, size_t size)
{
	(void)arg;
	(void)domain;
	if (mode == 2)
		return DMARC_LOOKUP_TEMPFAIL;
	if (mode == 1 && asked++ % 2 == 0)
		return DMARC_LOOKUP_NONE;
	snprintf(out, size, "%s", record);
	return DMARC_LOOKUP_FOUND;
}

static int
safe(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == strlen(s);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[256];

	(void)argc;
	(void)argv;
	if (dmarc_open(&ev, NULL, why, sizeof(why)) == -1) {
		fprintf(stderr, "fuzz_dmarc: %s\n", why);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[8192];
	const char *line[LINES], *from[LINES];
	struct dkim_sigres sig;
	struct dmarc_input in;
	struct dmarc_result r;
	size_t n = 0, i;
	char *p;

	if (size < 4 || size - 4 >= sizeof(buf))
		return 0;
	memcpy(buf, data + 4, size - 4);
	buf[size - 4] = '\0';
	for (p = buf; n < LINES; n++) {
		line[n] = p;
		if ((p = strchr(p, '\n')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	for (i = n; i < LINES; i++)
		line[i] = "";
	memset(&sig, 0, sizeof(sig));
	sig.res = (enum dkim_res)(data[1] % 6);
	snprintf(sig.domain, sizeof(sig.domain), "%s", line[2]);
	memset(&in, 0, sizeof(in));
	in.spf = (enum spf_outcome)(data[0] % SPFR__COUNT);
	in.spf_domain = line[1];
	in.dkim = &sig;
	in.ndkim = 1;
	in.random = data[2];
	in.lookup = lookup;
	for (i = 3; i < n; i++)
		from[i - 3] = line[i];
	in.from = from;
	in.nfrom = n > 3 ? n - 3 : 0;
	record = line[0];
	mode = data[3] % 3;
	asked = 0;
	dmarc_evaluate(&ev, &in, &r);

	if (r.res > DMARC_RES_PERMERROR || r.disposition > DMARC_POL_REJECT ||
	    r.applied > DMARC_POL_REJECT)
		abort();
	if (r.res != DMARC_RES_FAIL && r.disposition != DMARC_POL_NONE)
		abort();
	if (r.res == DMARC_RES_FAIL && r.disposition > r.applied)
		abort();
	if ((r.res == DMARC_RES_PASS) != (r.why == NULL))
		abort();
	if ((r.res == DMARC_RES_PASS) != (r.aligned != 0))
		abort();
	if (r.pct < 0 || r.pct > 100)
		abort();
	if (memchr(r.from, '\0', sizeof(r.from)) == NULL ||
	    memchr(r.policy_domain, '\0', sizeof(r.policy_domain)) == NULL ||
	    !safe(r.from) || !safe(r.policy_domain))
		abort();
	(void)strlen(r.why != NULL ? r.why : "");
	return 0;
}
