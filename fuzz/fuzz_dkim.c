/*
 * fuzz_dkim.c: a message from random bytes through dkim.c's header
 * splitting and libopendkim's DKIM-Signature parsing and verification,
 * keys from a key file (libopendkim's file query method: no DNS).  The
 * first octet sets the chunk size the message is fed in (0: at once).
 * Whatever comes in, dkim_verify_end() must give 1 to DKIM_SIGS_MAX
 * results of a known kind, each with a reason unless it passed, and a
 * d=, s= and b= that are safe to print in Authentication-Results:.
 * The seeds (fuzz/seeds/fuzz_dkim) hold a message signed with the key
 * whose public half is below, and DKIM-Signature fields to mutate.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkim.h"

static const char keys[] =
    "fz._domainkey.example.org v=DKIM1; k=rsa; p="
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQClOP1+klU6CF8tnl6lC+0YLfgu19xJ9u"
    "UTjslh2ezfsdbYgf/9yQaxp1/WxRylfhIzhHfI2B/AGy2xumO7yWBOFethX9P3TONHVPUa"
    "b0jey6/YHSm/uEvd/O6kIArZRcudjSV6467b85ryc2JFVorY1YlpHoruAXXUiy5e9Gj1GQ"
    "IDAQAB\n"
    "bad._domainkey.example.org v=DKIM1; k=rsa; p=AAAA\n"
    "ed._domainkey.example.org v=DKIM1; k=ed25519; "
    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n";

static char keyfile[64];
static struct dkim_verifier v;
static struct dkim_msg m;

static int
safe(const char *s, const char *ok)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(ok, *s) != NULL))
			return 0;
	return 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct dkim_keys k = { keyfile, 0 };
	char why[256], tmp[] = "/tmp/fuzz_dkim.XXXXXX";
	int fd;

	(void)argc;
	(void)argv;
	/*
	 * An unlinked file that libopendkim opens by its /proc name, so
	 * that nothing is left behind however the fuzzer ends.
	 */
	if ((fd = mkstemp(tmp)) == -1 || unlink(tmp) == -1 ||
	    write(fd, keys, sizeof(keys) - 1) != (ssize_t)sizeof(keys) - 1)
		abort();
	snprintf(keyfile, sizeof(keyfile), "/proc/self/fd/%d", fd);
	if (dkim_verifier_open(&v, &k, why, sizeof(why)) == -1) {
		fprintf(stderr, "fuzz_dkim: %s\n", why);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct dkim_sigres *r;
	size_t chunk, off, n;
	unsigned int i;

	if (size == 0)
		return 0;
	chunk = data[0] == 0 ? size : data[0];
	data++;
	size--;
	dkim_verify_begin(&m, &v, "fuzz");
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		dkim_verify_data(&m, (const char *)data + off, n);
	}
	dkim_verify_end(&m);
	if (m.nsig < 1 || m.nsig > DKIM_SIGS_MAX || m.d != NULL)
		abort();
	for (i = 0; i < m.nsig; i++) {
		r = &m.sig[i];
		if (r->res > DKIM_RES_PERMERROR ||
		    r->alg > DKIM_ALG_ED25519_SHA256)
			abort();
		if ((r->why == NULL) != (r->res == DKIM_RES_PASS ||
		    r->res == DKIM_RES_NONE))
			abort();
		if (r->partial && r->length < 0)
			abort();
		if (!safe(r->domain, ".-_") || !safe(r->selector, ".-_") ||
		    !safe(r->b, "+/=") || strlen(r->b) > 8)
			abort();
	}
	return 0;
}
