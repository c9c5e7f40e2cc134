/*
 * samotop-dkimkey: the keys of dkim-sign (samotop.conf(5)).
 *
 *	samotop-dkimkey -g rsa|ed25519 [-b bits] KEYFILE
 *	samotop-dkimkey -p DOMAIN SELECTOR KEYFILE
 *	samotop-dkimkey -V
 *
 * -g makes a new private key (RSA of -b bits, 2048 by default, at least
 * 1024 (RFC 8301) and at most 4096; or Ed25519, RFC 8463) and writes it
 * as unencrypted PKCS#8 PEM into KEYFILE, which must not exist: it is
 * created with mode 0600, written, synced and only then complete (on a
 * failure it is removed).  -p prints the DNS record that publishes the
 * public half of KEYFILE's key for DOMAIN and SELECTOR, in zone-file
 * syntax, its text cut into strings of at most 255 octets (RFC 1035
 * 3.3.14; RFC 6376 3.6.2.2 joins them):
 *
 *	SELECTOR._domainkey.DOMAIN. IN TXT "v=DKIM1; k=rsa; p=..." "..."
 *
 * p= is the DER SubjectPublicKeyInfo of an RSA key in base64, or the 32
 * octets of an Ed25519 key (RFC 8463 4.2).  libcrypto is loaded as the
 * sessions load it (cryptolib.h).
 *
 * Exit status (sysexits(3)): 0 done; EX_USAGE bad arguments; EX_NOINPUT
 * KEYFILE cannot be read (-p); EX_DATAERR it holds no key dkim-sign
 * takes; EX_CANTCREAT KEYFILE exists or cannot be written (-g);
 * EX_UNAVAILABLE libcrypto cannot be loaded or fails.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cryptolib.h"
#include "dkims.h"
#include "fdio.h"
#include "version.h"

#define RSA_BITS_DEFAULT	2048
#define RSA_BITS_MAX		4096
#define TXT_STRING_MAX		255	/* octets of one <character-string> */

static struct cryptolib lib;

static _Noreturn void
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("samotop-dkimkey: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static _Noreturn void
usage(void)
{
	fputs("usage: samotop-dkimkey -g rsa|ed25519 [-b bits] KEYFILE\n"
	    "       samotop-dkimkey -p DOMAIN SELECTOR KEYFILE\n"
	    "       samotop-dkimkey -V\n", stderr);
	exit(EX_USAGE);
}

static void
load(void)
{
	char why[256];

	if (cryptolib_open(&lib, why, sizeof(why)) == -1)
		die(EX_UNAVAILABLE, "libcrypto: %s", why);
}

/* A new key into path, created 0600; removed again on a failure. */
static int
generate(const char *type, unsigned int bits, const char *path)
{
	enum crypto_keytype t;
	EVP_PKEY *k;
	FILE *f;
	int fd, e;

	if (strcmp(type, "rsa") == 0)
		t = CRYPTO_KEY_RSA;
	else if (strcmp(type, "ed25519") == 0)
		t = CRYPTO_KEY_ED25519;
	else
		usage();
	load();
	if ((k = cryptolib_keygen(&lib, t, bits)) == NULL)
		die(EX_UNAVAILABLE, "libcrypto could not make the key");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		die(EX_CANTCREAT, "%s: %s", path, strerror(errno));
	/* the mode whatever the umask: the key is the signer's alone */
	if (fchmod(fd, 0600) == -1 || (f = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		goto fail;
	}
	errno = EIO;
	if (cryptolib_privkey_write(&lib, k, f) == -1 || fflush(f) == EOF ||
	    fsync(fileno(f)) == -1) {
		e = errno;
		fclose(f);
		goto fail;
	}
	if (fclose(f) == EOF) {
		e = errno;
		goto fail;
	}
	cryptolib_pubkey_free(&lib, k);
	return EX_OK;
fail:
	(void)unlink(path);
	cryptolib_pubkey_free(&lib, k);
	die(EX_CANTCREAT, "%s: %s", path, strerror(e));
}

/* Letters, digits, '-' and '.': what a selector and a domain may hold. */
static int
dns_name(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
		    s[n] == '.'))
			return 0;
	return n > 0 && n <= 253 && s[0] != '.' && s[0] != '-';
}

static int
print(const char *domain, const char *selector, const char *path)
{
	static char text[8192], b64[6144];
	enum crypto_keytype type;
	unsigned int bits;
	EVP_PKEY *k;
	char *pem, fail[128];
	size_t len, off, n;
	int rc;

	if (!dns_name(domain) || !dns_name(selector))
		die(EX_USAGE, "DOMAIN and SELECTOR are names of letters, "
		    "digits, '-' and '.'");
	load();
	if ((rc = fd_read_file(path, DKIMS_KEY_MAX, &pem, &len)) != 0)
		die(EX_NOINPUT, "%s: %s", path, rc == -1 ? strerror(errno) :
		    fd_read_file_error(rc, DKIMS_KEY_MAX, fail, sizeof(fail)));
	k = cryptolib_privkey_pem(&lib, pem, len, &type, &bits);
	explicit_bzero(pem, len);
	free(pem);
	if (k == NULL)
		die(EX_DATAERR, "%s: no unencrypted PEM private key", path);
	if (type == CRYPTO_KEY_OTHER)
		die(EX_DATAERR, "%s: neither an RSA nor an Ed25519 key", path);
	if (type == CRYPTO_KEY_RSA && bits < DKIMS_RSA_MIN)
		die(EX_DATAERR, "%s: an RSA key of %u bits; dkim-sign takes "
		    "%d or more (RFC 8301)", path, bits, DKIMS_RSA_MIN);
	if (cryptolib_pubkey_base64(&lib, k, type == CRYPTO_KEY_ED25519,
	    b64, sizeof(b64)) == -1)
		die(EX_UNAVAILABLE, "libcrypto could not write the public key");
	cryptolib_pubkey_free(&lib, k);
	snprintf(text, sizeof(text), "v=DKIM1; k=%s; p=%s",
	    type == CRYPTO_KEY_RSA ? "rsa" : "ed25519", b64);
	printf("%s._domainkey.%s. IN TXT", selector, domain);
	/* base64 and "v=DKIM1; k=rsa; p=" need no escaping in a string */
	for (off = 0, len = strlen(text); off < len; off += n) {
		n = len - off < TXT_STRING_MAX ? len - off : TXT_STRING_MAX;
		printf(" \"%.*s\"", (int)n, text + off);
	}
	putchar('\n');
	if (fflush(stdout) == EOF || ferror(stdout))
		die(EX_IOERR, "stdout: %s", strerror(errno));
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	const char *gen = NULL;
	unsigned long bits = RSA_BITS_DEFAULT;
	char *end;
	int ch, pflag = 0;

	while ((ch = getopt(argc, argv, "b:g:pV")) != -1) {
		switch (ch) {
		case 'b':
			errno = 0;
			bits = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || bits < DKIMS_RSA_MIN ||
			    bits > RSA_BITS_MAX)
				die(EX_USAGE, "-b: bits from %d to %d",
				    DKIMS_RSA_MIN, RSA_BITS_MAX);
			break;
		case 'g':
			gen = optarg;
			break;
		case 'p':
			pflag = 1;
			break;
		case 'V':
			version_exit("samotop-dkimkey");
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (gen != NULL && !pflag && argc == 1)
		return generate(gen, (unsigned int)bits, argv[0]);
	if (pflag && gen == NULL && argc == 3)
		return print(argv[0], argv[1], argv[2]);
	usage();
}
