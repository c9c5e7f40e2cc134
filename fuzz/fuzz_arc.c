/*
 * fuzz_arc.c: a message from random bytes through arc.c: the header
 * split and kept, the ARC fields' tag-lists, the chain's structure, the
 * body's canonical forms, the key records and the signatures (keys from
 * the table below, tests/arc/keys' RSA ones: no DNS).  The first octet
 * sets the chunk size the message is fed in (0: at once); the same
 * message fed at once must get the same verdict.  Whatever comes in,
 * the result is one of the three, a fail has a reason and nothing else
 * has one, nsets is at most 50 and oldest_pass at most nsets, and the
 * newest seal's d= and s= are safe to print in Authentication-Results:.
 * The seeds (fuzz/seeds/fuzz_arc) are tests/arc/'s messages, which
 * dkimpy sealed with these keys' private halves (hops* and dns*: under
 * other names, see lookup()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc.h"

static const struct {
	const char	*name, *txt;
} keys[] = {
	{ "s1._domainkey.example.org",
	    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArp0O"
	    "+jeqL7Q+AMzXLQImKuxZuMVZpOIa4KDIRrTCCu64xVP8p/W2dNO4jAB7sM1qRajk/e"
	    "iu9ITMQRrAegeboU8isQLPskeg5C9CZzmAZpAxawQXc92mGpJQe+kWf4py1tWbqxPu"
	    "eGyNM5O+WplLpqgwDLhBLGtuQs2DF/kGI3olEA00hxNjIId4e1HUrsz5qiGDZ5ALa8"
	    "BwvWrollK9tvXtli89gmMg/lHZUPRHCdNBmb2loCa1pecsJf22qiUJ/2t/pkpn/VQb"
	    "6zxr2tjF9415XSh+jnRUcs6fGNlbp5PY1DOD65CtWJV3oKK/SiH41bTzXMKLRR6OOb"
	    "bNJfwLbwIDAQAB" },
	{ "s2._domainkey.lists.example.net",
	    "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9+JsDPYjy"
	    "BfbPsOMnWKouK0sJ7+kRkhBilG9cWNJ36tYZCzSKi5+X/ujaRjpkPL5iuaNkNK1Tc6"
	    "S0OQVT7lIs8FuRKctDj/9dk7W/riM7RlJtJ4ozz9qH++s1jiMeWBFq9bXFAzfzDfi4"
	    "hahmDpJ7W/UpVAPbl5YNtTRFSSMxLwIDAQAB" },
	{ "weak._domainkey.example.org",
	    "v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALwdO2oAUe2Gzp4I"
	    "JOU6f2I629RzBr2SYQTehzYukpV2JA7587U8EoOXeYtHfuyyf7S19B5+wQ9hUtMEst"
	    "MmxOsCAwEAAQ==" },
	{ "revoked._domainkey.example.org",
	    "v=DKIM1; k=rsa; p=" },
};

static struct arc_verifier v;
static struct arc_msg *m;

static enum arc_keyres
lookup(void *arg, const char *name, char *txt, size_t size)
{
	const char *dot = strchr(name, '.');
	size_t i;

	(void)arg;
	if (strncasecmp(name, "temp.", 5) == 0)
		return ARC_KEY_TEMP;
	/* tests/arc/hops*: selectors h1 to h13, all of s2's key */
	if (name[0] == 'h' && dot != NULL &&
	    strcmp(dot, "._domainkey.lists.example.net") == 0)
		name = "s2._domainkey.lists.example.net";
	/* tests/arc/dns*: a1 is s1's key, a2 s2's */
	if (strcmp(name, "a1._domainkey.arc.example") == 0)
		name = "s1._domainkey.example.org";
	if (strcmp(name, "a2._domainkey.arc.example") == 0)
		name = "s2._domainkey.lists.example.net";
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(name, keys[i].name) == 0) {
			snprintf(txt, size, "%s", keys[i].txt);
			return ARC_KEY_FOUND;
		}
	return ARC_KEY_NONE;
}

static int
safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(".-_", *s) != NULL))
			return 0;
	return 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct arc_keys k = { NULL, lookup, NULL };
	char why[256];

	(void)argc;
	(void)argv;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		abort();
	if (arc_verifier_open(&v, &k, why, sizeof(why)) == -1) {
		fprintf(stderr, "fuzz_arc: %s\n", why);
		abort();
	}
	return 0;
}

static void
run(const uint8_t *data, size_t size, size_t chunk)
{
	size_t off, n;

	arc_verify_begin(m, &v);
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		arc_verify_data(m, (const char *)data + off, n);
	}
	arc_verify_end(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum arc_res res;
	const char *why;
	unsigned int nsets, oldest;
	size_t chunk;

	if (size == 0)
		return 0;
	chunk = data[0];
	data++;
	size--;
	if (chunk == 0 || chunk > size)
		chunk = size;
	run(data, size, chunk);
	if (m->res > ARC_RES_FAIL ||
	    (m->why == NULL) != (m->res != ARC_RES_FAIL))
		abort();
	if (m->nsets > ARC_SETS_MAX || m->oldest_pass > m->nsets ||
	    (m->res == ARC_RES_NONE && m->nsets != 0) ||
	    (m->temp && m->res != ARC_RES_FAIL) || m->nkeys != 0)
		abort();
	if (strlen(m->seal_d) >= sizeof(m->seal_d) || !safe(m->seal_d) ||
	    strlen(m->seal_s) >= sizeof(m->seal_s) || !safe(m->seal_s))
		abort();
	if (chunk >= size)
		return 0;
	res = m->res;
	why = m->why;
	nsets = m->nsets;
	oldest = m->oldest_pass;
	run(data, size, size);
	if (m->res != res || m->why != why || m->nsets != nsets ||
	    m->oldest_pass != oldest)
		abort();
	return 0;
}
