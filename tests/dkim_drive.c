/*
 * dkim_drive.c: dkim.c's verifier over a message file, for
 * tests/dkim.bats, and a signer made of libopendkim's own dkim_sign()
 * to make its test messages.
 *
 *   dkim_drive verify KEYFILE [CHUNK] <MESSAGE
 *   dkim_drive sign [-l] [-a ALG] [-c HDR/BODY] -d DOMAIN -s SELECTOR
 *       -k KEYPEM <MESSAGE >SIGNED
 *
 * verify: keys from KEYFILE (libopendkim's file query method: lines of
 * "selector._domainkey.domain TXT-value"); the message (CRLF line ends)
 * is fed in CHUNK-octet pieces (default 7, to cut fields and lines
 * anywhere), and one line per signature is printed:
 *   dkim=RESULT header.d=D header.s=S header.b=B bits=N [l=L] [(why)]
 * then "ignored=N" when signatures were over the limit.
 * sign: the DKIM-Signature: field and the message on stdout; -a
 * rsa-sha256 (default), rsa-sha1 or ed25519-sha256; -c simple or
 * relaxed for header and body (default relaxed/relaxed); -l adds l=.
 * (opendkim-testmsg, Debian's signer, signs only rsa-sha1 (which RFC
 * 8301 refuses), c=relaxed/simple, without l=; and 2.11.0~beta2's repeats
 * the end of b= after its padding.)
 * Exit status: 0, 1 on failure, 2 for a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkim.h"

static char msg[1 << 20];

static size_t
slurp(void)
{
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(msg) &&
	    (r = read(0, msg + n, sizeof(msg) - n)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			perror("dkim_drive: stdin");
			exit(1);
		}
		n += (size_t)r;
	}
	return n;
}

static const char *
algname(enum dkim_alg a)
{
	switch (a) {
	case DKIM_ALG_RSA_SHA1:
		return "rsa-sha1";
	case DKIM_ALG_RSA_SHA256:
		return "rsa-sha256";
	case DKIM_ALG_ED25519_SHA256:
		return "ed25519-sha256";
	default:
		return "unknown";
	}
}

static int
verify(const char *keyfile, size_t chunk)
{
	static struct dkim_verifier v;
	static struct dkim_msg m;
	struct dkim_keys k = { keyfile, 0 };
	struct dkim_sigres *r;
	char why[256];
	size_t len, off, n;
	unsigned int i;

	if (dkim_verifier_open(&v, &k, why, sizeof(why)) == -1) {
		fprintf(stderr, "dkim_drive: %s\n", why);
		return 1;
	}
	len = slurp();
	dkim_verify_begin(&m, &v, "drive");
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		dkim_verify_data(&m, msg + off, n);
	}
	dkim_verify_end(&m);
	for (i = 0; i < m.nsig; i++) {
		r = &m.sig[i];
		printf("dkim=%s", dkim_res_name(r->res));
		if (r->domain[0] != '\0')
			printf(" header.d=%s", r->domain);
		if (r->selector[0] != '\0')
			printf(" header.s=%s", r->selector);
		if (r->b[0] != '\0')
			printf(" header.b=%s", r->b);
		if (r->res != DKIM_RES_NONE)
			printf(" a=%s bits=%u", algname(r->alg), r->bits);
		if (r->length >= 0)
			printf(" l=%lld%s", r->length,
			    r->partial ? " partial" : "");
		if (r->why != NULL)
			printf(" (%s)", r->why);
		printf("\n");
	}
	if (m.ignored != 0)
		printf("ignored=%u\n", m.ignored);
	dkim_verifier_close(&v);
	return 0;
}

static int
sign(int argc, char **argv)
{
	const char *domain = NULL, *sel = NULL, *keyfile = NULL;
	const char *alg = "rsa-sha256", *canon = "relaxed/relaxed";
	static unsigned char key[16384], hdr[8192];
	dkim_canon_t hc, bc;
	dkim_alg_t a;
	DKIM_LIB *lib;
	DKIM *d;
	DKIM_STAT st;
	FILE *f;
	size_t klen, len;
	unsigned int flags = 0, minbits = 1;
	int c;

	while ((c = getopt(argc, argv, "a:c:d:k:ls:")) != -1) {
		switch (c) {
		case 'a': alg = optarg; break;
		case 'c': canon = optarg; break;
		case 'd': domain = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'l': flags |= DKIM_LIBFLAGS_SIGNLEN; break;
		case 's': sel = optarg; break;
		default: return 2;
		}
	}
	if (domain == NULL || sel == NULL || keyfile == NULL)
		return 2;
	a = strcmp(alg, "rsa-sha1") == 0 ? DKIM_SIGN_RSASHA1 :
	    strcmp(alg, "ed25519-sha256") == 0 ? DKIM_SIGN_ED25519SHA256 :
	    DKIM_SIGN_RSASHA256;
	hc = strncmp(canon, "simple", 6) == 0 ? DKIM_CANON_SIMPLE :
	    DKIM_CANON_RELAXED;
	bc = strstr(canon, "/simple") != NULL ? DKIM_CANON_SIMPLE :
	    DKIM_CANON_RELAXED;
	if ((f = fopen(keyfile, "r")) == NULL) {
		perror(keyfile);
		return 1;
	}
	klen = fread(key, 1, sizeof(key) - 1, f);
	fclose(f);
	key[klen] = '\0';
	len = slurp();
	if ((lib = dkim_init(NULL, NULL)) == NULL)
		return 1;
	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags));
	/* The verifier's policy is under test: sign with any key. */
	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits,
	    sizeof(minbits));
	d = dkim_sign(lib, (const unsigned char *)"drive", NULL, key,
	    (const unsigned char *)sel, (const unsigned char *)domain, hc, bc,
	    a, -1, &st);
	if (d == NULL ||
	    (st = dkim_chunk(d, (u_char *)msg, len)) != DKIM_STAT_OK ||
	    (st = dkim_chunk(d, NULL, 0)) != DKIM_STAT_OK ||
	    (st = dkim_eom(d, NULL)) != DKIM_STAT_OK ||
	    (st = dkim_getsighdr(d, hdr, sizeof(hdr),
	    strlen("DKIM-Signature: "))) != DKIM_STAT_OK) {
		fprintf(stderr, "dkim_drive: sign: %s\n",
		    dkim_getresultstr(st));
		return 1;
	}
	/* libopendkim folds as the message ends lines; CRLF, always. */
	printf("DKIM-Signature: ");
	for (unsigned char *p = hdr; *p != '\0'; p++)
		if (*p == '\n' && (p == hdr || p[-1] != '\r'))
			printf("\r\n");
		else
			putchar(*p);
	printf("\r\n");
	fwrite(msg, 1, len, stdout);
	dkim_free(d);
	dkim_close(lib);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], argc > 3 ? strtoul(argv[3], NULL, 10) :
		    7);
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return sign(argc - 1, argv + 1);
	fprintf(stderr, "usage: dkim_drive verify KEYFILE [CHUNK] <MESSAGE\n"
	    "       dkim_drive sign [-l] [-a ALG] [-c HDR/BODY] -d DOMAIN "
	    "-s SELECTOR -k KEYPEM\n");
	return 2;
}
