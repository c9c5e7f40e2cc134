/*
 * test_enc_smime.c: the S/MIME back end of samotop-encrypt (enc_smime.c).
 * A recipient's certificate is taken, or refused with the state a log
 * line and `-r` go by (enc_key.h); what smime_encrypt() writes is base64
 * in lines of at most 76 characters that OpenSSL's own CMS_decrypt()
 * turns back into the entity, as EnvelopedData or AuthEnvelopedData; the
 * cipher follows what a certificate says its owner's reader decrypts; a
 * reader's or writer's failure fails the encryption; and no file, however
 * broken, crashes the loader.  The certificates are in tests/smime/
 * (README there says how they were made).  Run from the top of the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "enc_smime.h"
#include "tests/unit.h"

#define DIR	"tests/smime/"

/* expired.pem: 2020-01-01 to 2021-01-01; notyet.pem: 2099 to 2100 */
#define T2020	((time_t)1577836800)
#define T2021	((time_t)1609459200)
#define T2099	((time_t)4070908800)

static char tmpdir[] = "/tmp/test_enc_smime.XXXXXX";

static enum enc_keystate
load(const char *path, time_t now)
{
	struct smime_key *k = (struct smime_key *)&k;	/* not NULL */
	struct smime_key *before = k;
	enum enc_keystate s;

	s = smime_key_load(&k, path, now);
	if (s == ENC_KEY_OK)
		smime_key_free(k);
	else
		CHECK(k == before);	/* *k is set only for ENC_KEY_OK */
	return s;
}

/* path's contents in a malloc'd buffer (*len octets). */
static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *b = NULL;
	FILE *f;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n + 1)) != NULL &&
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b != NULL)
		*len = (size_t)n;
	fclose(f);
	return b;
}

/* A file in tmpdir holding the n octets at p (twice when twice). */
static const char *
spill(const char *name, const void *p, size_t n)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, p, n) != (ssize_t)n)
		printf("# cannot write %s\n", path);
	if (fd != -1)
		close(fd);
	return path;
}

static void
cipher_names(void)
{
	enum smime_cipher c = SMIME_AES128_CBC;

	CHECK(smime_cipher_parse("aes256-gcm", &c) == 0 &&
	    c == SMIME_AES256_GCM);
	CHECK(smime_cipher_parse("aes128-gcm", &c) == 0 &&
	    c == SMIME_AES128_GCM);
	CHECK(smime_cipher_parse("aes256-cbc", &c) == 0 &&
	    c == SMIME_AES256_CBC);
	CHECK(smime_cipher_parse("aes128-cbc", &c) == 0 &&
	    c == SMIME_AES128_CBC);
	c = SMIME_AES128_GCM;
	CHECK(smime_cipher_parse("AES256-GCM", &c) == -1);
	CHECK(smime_cipher_parse("aes256", &c) == -1);
	CHECK(smime_cipher_parse("aes256-gcm ", &c) == -1);
	CHECK(smime_cipher_parse("des-ede3-cbc", &c) == -1);
	CHECK(smime_cipher_parse("", &c) == -1);
	CHECK(c == SMIME_AES128_GCM);	/* untouched on -1 */
}

static void
content_types(void)
{
	CHECK_STR(smime_content_type(SMIME_AES256_GCM), "application/"
	    "pkcs7-mime; smime-type=authEnveloped-data; name=\"smime.p7m\"");
	CHECK_STR(smime_content_type(SMIME_AES128_GCM), "application/"
	    "pkcs7-mime; smime-type=authEnveloped-data; name=\"smime.p7m\"");
	CHECK_STR(smime_content_type(SMIME_AES256_CBC), "application/"
	    "pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"");
	CHECK_STR(smime_content_type(SMIME_AES128_CBC), "application/"
	    "pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"");
}

static void
usable_keys(void)
{
	time_t now = time(NULL);

	CHECK(load(DIR "rsa.pem", now) == ENC_KEY_OK);
	CHECK(load(DIR "ec.pem", now) == ENC_KEY_OK);
	/* the private key's block before the certificate is skipped */
	CHECK(load(DIR "rsa-key-and-cert.pem", now) == ENC_KEY_OK);
}

static void
validity(void)
{
	CHECK(load(DIR "expired.pem", time(NULL)) == ENC_KEY_EXPIRED);
	CHECK(load(DIR "notyet.pem", time(NULL)) == ENC_KEY_EXPIRED);
	CHECK(load(DIR "expired.pem", T2020 - 1) == ENC_KEY_EXPIRED);
	CHECK(load(DIR "expired.pem", T2020) == ENC_KEY_OK);
	CHECK(load(DIR "expired.pem", T2021 - 1) == ENC_KEY_OK);
	CHECK(load(DIR "expired.pem", T2021 + 1) == ENC_KEY_EXPIRED);
	CHECK(load(DIR "notyet.pem", T2099 + 86400) == ENC_KEY_OK);
}

static void
unusable_keys(void)
{
	time_t now = time(NULL);

	/* keyUsage digitalSignature only: not for a content key */
	CHECK(load(DIR "signonly.pem", now) == ENC_KEY_UNUSABLE);
	/* Ed25519 signs, it cannot take a content key */
	CHECK(load(DIR "ed25519.pem", now) == ENC_KEY_UNUSABLE);
	/* an RSA modulus changed (fuzz_smime_key): it reads, it fails */
	CHECK(load(DIR "badmodulus.der", now) == ENC_KEY_UNUSABLE);
}

/*
 * The cipher for a key: the configured one unless the certificate lists
 * what its owner's reader decrypts (S/MIME Capabilities) without it.
 */
static enum smime_cipher
cipher_for(const char *path, enum smime_cipher c)
{
	struct smime_key *k;
	enum smime_cipher r;

	if (smime_key_load(&k, path, time(NULL)) != ENC_KEY_OK) {
		printf("# cannot load %s\n", path);
		return (enum smime_cipher)-1;
	}
	r = smime_key_cipher(k, c);
	smime_key_free(k);
	return r;
}

static void
capabilities(void)
{
	/* no list: as configured */
	CHECK(cipher_for(DIR "rsa.pem", SMIME_AES256_GCM) == SMIME_AES256_GCM);
	CHECK(cipher_for(DIR "rsa.pem", SMIME_AES128_CBC) == SMIME_AES128_CBC);
	CHECK(cipher_for(DIR "ec.pem", SMIME_AES128_GCM) == SMIME_AES128_GCM);
	/* aes256-cbc, aes128-cbc, des-ede3-cbc: no GCM */
	CHECK(cipher_for(DIR "capscbc.pem", SMIME_AES256_GCM) ==
	    SMIME_AES256_CBC);
	CHECK(cipher_for(DIR "capscbc.pem", SMIME_AES128_GCM) ==
	    SMIME_AES256_CBC);
	CHECK(cipher_for(DIR "capscbc.pem", SMIME_AES128_CBC) ==
	    SMIME_AES128_CBC);
	/* aes128-gcm, aes128-cbc */
	CHECK(cipher_for(DIR "capsgcm.pem", SMIME_AES256_GCM) ==
	    SMIME_AES128_GCM);
	CHECK(cipher_for(DIR "capsgcm.pem", SMIME_AES128_CBC) ==
	    SMIME_AES128_CBC);
	CHECK(cipher_for(DIR "capsgcm.pem", SMIME_AES256_CBC) ==
	    SMIME_AES128_GCM);
	/* des-ede3-cbc only: the one every AES reader has */
	CHECK(cipher_for(DIR "capsold.pem", SMIME_AES256_GCM) ==
	    SMIME_AES128_CBC);
	CHECK(cipher_for(DIR "capsold.pem", SMIME_AES256_CBC) ==
	    SMIME_AES128_CBC);
}

static void
missing_and_unreadable(void)
{
	errno = 0;
	CHECK(load(DIR "nonexistent.pem", time(NULL)) == ENC_KEY_MISSING);
	CHECK(errno == ENOENT);
	errno = 0;
	CHECK(load(DIR "nonexistent/x.pem", time(NULL)) == ENC_KEY_MISSING);
	errno = 0;
	/* a directory opens, and its read fails */
	CHECK(load(DIR, time(NULL)) == ENC_KEY_EIO);
	CHECK(errno == EISDIR);
	errno = 0;
	CHECK(load(DIR "rsa.pem/x", time(NULL)) == ENC_KEY_EIO);
	CHECK(errno == ENOTDIR);
}

/* The certificate of rsa.pem in DER, in a malloc'd buffer. */
static unsigned char *
rsa_der(size_t *len)
{
	unsigned char *der = NULL;
	X509 *x = NULL;
	FILE *f;
	int n;

	if ((f = fopen(DIR "rsa.pem", "r")) != NULL) {
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (x == NULL || (n = i2d_X509(x, &der)) <= 0)
		der = NULL;
	else
		*len = (size_t)n;
	X509_free(x);
	return der;
}

static void
malformed(void)
{
	unsigned char *der, *pem, *big;
	size_t dlen = 0, plen = 0;
	time_t now = time(NULL);

	CHECK(load(DIR "garbage.pem", now) == ENC_KEY_MALFORMED);
	CHECK(load(spill("empty", "", 0), now) == ENC_KEY_MALFORMED);
	CHECK(load(spill("text", "not a certificate\n", 18), now) ==
	    ENC_KEY_MALFORMED);
	/* a private key alone holds no certificate */
	CHECK(load(DIR "rsa.key", now) == ENC_KEY_MALFORMED);

	/* DER is read as well; DER followed by anything is not */
	der = rsa_der(&dlen);
	CHECK(der != NULL);
	if (der != NULL) {
		CHECK(load(spill("der", der, dlen), now) == ENC_KEY_OK);
		der = realloc(der, dlen + 1);
		der[dlen] = '\n';
		CHECK(load(spill("der+", der, dlen + 1), now) ==
		    ENC_KEY_MALFORMED);
		free(der);
	}

	/* a file larger than any certificate, though it starts with one */
	pem = slurp(DIR "rsa.pem", &plen);
	CHECK(pem != NULL);
	if (pem == NULL)
		return;
	big = malloc(plen + 300 * 1024);
	memcpy(big, pem, plen);
	memset(big + plen, '\n', 300 * 1024);
	CHECK(load(spill("big", big, plen + 300 * 1024), now) ==
	    ENC_KEY_MALFORMED);
	CHECK(load(spill("notbig", big, plen + 1024), now) == ENC_KEY_OK);
	free(big);
	free(pem);
}

/*
 * Every truncation of a certificate, and one changed octet at each
 * position: a state, never a crash (ASan in tests/asan/ checks memory).
 */
static void
broken_files(void)
{
	unsigned char *pem, *der;
	size_t plen = 0, dlen = 0, i;
	enum enc_keystate s;
	time_t now = time(NULL);
	int ok = 0;

	pem = slurp(DIR "rsa.pem", &plen);
	der = rsa_der(&dlen);
	CHECK(pem != NULL && der != NULL);
	if (pem == NULL || der == NULL)
		goto done;
	for (i = 0; i < plen; i += 7) {
		s = load(spill("cut", pem, i), now);
		/* the final "-----END CERTIFICATE-----\n" may lose its LF */
		CHECK(s == ENC_KEY_MALFORMED || i >= plen - 1);
	}
	for (i = 0; i < dlen; i++) {
		s = load(spill("cutder", der, i), now);
		CHECK(s == ENC_KEY_MALFORMED);
	}
	for (i = 0; i < dlen; i++) {
		der[i] ^= 0x5a;
		s = load(spill("flip", der, dlen), now);
		CHECK(s <= ENC_KEY_MALFORMED && s != ENC_KEY_MISSING);
		ok += s == ENC_KEY_OK;
		der[i] ^= 0x5a;
	}
	/* the signature is not checked: flipping its octets keeps it OK */
	CHECK(ok > 0);
done:
	free(pem);
	free(der);
}

/* The reader: a buffer, in pieces of at most step octets; -1 at fail. */
struct src {
	const char	*p;
	size_t		 len, off, step, fail;
};

static ssize_t
src_read(void *ctx, char *buf, size_t size)
{
	struct src *s = ctx;
	size_t n = s->len - s->off;

	if (s->fail != 0 && s->off >= s->fail)
		return -1;
	if (n > size)
		n = size;
	if (n > s->step)
		n = s->step;
	memcpy(buf, s->p + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

/* The writer: into a growing buffer; fails at call fail (1-based). */
struct sink {
	char	*p;
	size_t	 len, calls, fail;
};

static int
sink_write(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	if (++s->calls == s->fail)
		return -1;
	s->p = realloc(s->p, s->len + len + 1);
	memcpy(s->p + s->len, buf, len);
	s->len += len;
	s->p[s->len] = '\0';
	return 0;
}

/* Lines of 1..76 characters of the base64 alphabet, each ended by LF. */
static int
base64_lines(const char *p, size_t len)
{
	size_t i, col = 0;

	if (len == 0 || p[len - 1] != '\n')
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '\n') {
			if (col == 0)
				return 0;
			col = 0;
			continue;
		}
		if (++col > 76 || strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/=", p[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * Decrypt the base64 in out with the key and certificate of name (in
 * DIR), check the CMS content type, and compare with want.  1 if equal.
 */
static int
decrypts_to(const struct sink *out, const char *name, int nid,
    const char *want, size_t wantlen)
{
	char path[256];
	BIO *mem, *b64, *plain = NULL;
	CMS_ContentInfo *cms = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	char *p;
	long n;
	int eq = 0;
	FILE *f;

	snprintf(path, sizeof(path), DIR "%s.key", name);
	if ((f = fopen(path, "r")) != NULL) {
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	snprintf(path, sizeof(path), DIR "%s.pem", name);
	if ((f = fopen(path, "r")) != NULL) {
		cert = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	mem = BIO_new_mem_buf(out->p, (int)out->len);
	b64 = BIO_new(BIO_f_base64());
	mem = BIO_push(b64, mem);
	if (key != NULL && cert != NULL &&
	    (cms = d2i_CMS_bio(mem, NULL)) != NULL &&
	    OBJ_obj2nid(CMS_get0_type(cms)) == nid &&
	    (plain = BIO_new(BIO_s_mem())) != NULL &&
	    CMS_decrypt(cms, key, cert, NULL, plain, CMS_BINARY) == 1) {
		n = BIO_get_mem_data(plain, &p);
		eq = (size_t)n == wantlen &&
		    (n == 0 || memcmp(p, want, wantlen) == 0);
	}
	if (!eq)
		ERR_print_errors_fp(stdout);
	ERR_clear_error();
	BIO_free_all(mem);
	BIO_free(plain);
	CMS_ContentInfo_free(cms);
	EVP_PKEY_free(key);
	X509_free(cert);
	return eq;
}

static struct smime_key *
key(const char *path)
{
	struct smime_key *k = NULL;

	if (smime_key_load(&k, path, time(NULL)) != ENC_KEY_OK)
		printf("# cannot load %s\n", path);
	return k;
}

static void
round_trips(void)
{
	static const struct {
		enum smime_cipher c;
		int nid;
	} cs[] = {
		{ SMIME_AES256_GCM, NID_id_smime_ct_authEnvelopedData },
		{ SMIME_AES128_GCM, NID_id_smime_ct_authEnvelopedData },
		{ SMIME_AES256_CBC, NID_pkcs7_enveloped },
		{ SMIME_AES128_CBC, NID_pkcs7_enveloped },
	};
	static const char *names[] = { "rsa", "ec" };
	struct smime_key *k;
	char path[256], *big;
	const char *why;
	size_t i, j, bigl = 300 * 1024 + 17;

	big = malloc(bigl);
	for (i = 0; i < bigl; i++)
		big[i] = (char)(i * 7 + i / 251);
	memcpy(big, "Subject: x\r\n\r\n", 14);
	for (j = 0; j < 2; j++) {
		snprintf(path, sizeof(path), DIR "%s.pem", names[j]);
		if ((k = key(path)) == NULL) {
			CHECK(k != NULL);
			continue;
		}
		for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
			/* in odd pieces, and empty */
			struct src in = { big, bigl, 0, 4093, 0 };
			struct src none = { "", 0, 0, 1, 0 };
			struct sink out = { NULL, 0, 0, 0 };

			why = "unset";
			CHECK(smime_encrypt(k, cs[i].c, src_read, &in,
			    sink_write, &out, &why) == 0);
			CHECK(why == NULL);
			CHECK(base64_lines(out.p, out.len));
			CHECK(decrypts_to(&out, names[j], cs[i].nid, big,
			    bigl));
			free(out.p);
			memset(&out, 0, sizeof(out));
			CHECK(smime_encrypt(k, cs[i].c, src_read, &none,
			    sink_write, &out, &why) == 0);
			CHECK(base64_lines(out.p, out.len));
			CHECK(decrypts_to(&out, names[j], cs[i].nid, "", 0));
			free(out.p);
		}
		smime_key_free(k);
	}
	/* every length of the last base64 line, and of the last block */
	if ((k = key(DIR "rsa.pem")) != NULL) {
		for (i = 1; i < 130; i++) {
			struct src in = { big, i, 0, 7, 0 };
			struct sink out = { NULL, 0, 0, 0 };

			CHECK(smime_encrypt(k, i % 2 ? SMIME_AES128_CBC :
			    SMIME_AES128_GCM, src_read, &in, sink_write, &out,
			    &why) == 0);
			CHECK(base64_lines(out.p, out.len));
			CHECK(decrypts_to(&out, "rsa", i % 2 ?
			    NID_pkcs7_enveloped :
			    NID_id_smime_ct_authEnvelopedData, big, i));
			free(out.p);
		}
		smime_key_free(k);
	}
	free(big);
}

static void
failures(void)
{
	struct smime_key *k;
	const char *why;
	char buf[100000];
	size_t f, i, calls, fails[3];

	if ((k = key(DIR "rsa.pem")) == NULL) {
		CHECK(k != NULL);
		return;
	}
	memset(buf, 'a', sizeof(buf));
	/* a reader's error after some of the entity, or at once */
	for (f = 1; f < sizeof(buf); f += 40000) {
		struct src in = { buf, sizeof(buf), 0, 1000, f };
		struct sink out = { NULL, 0, 0, 0 };

		why = NULL;
		CHECK(smime_encrypt(k, SMIME_AES256_GCM, src_read, &in,
		    sink_write, &out, &why) == -1);
		CHECK(why != NULL && strcmp(why,
		    "reading the message failed") == 0);
		free(out.p);
	}
	/* a writer's error at its first call, at a later one, at its last */
	{
		struct src in = { buf, sizeof(buf), 0, 1000, 0 };
		struct sink out = { NULL, 0, 0, 0 };

		/* first without a failure: how many calls there are */
		CHECK(smime_encrypt(k, SMIME_AES256_CBC, src_read, &in,
		    sink_write, &out, &why) == 0);
		calls = out.calls;
		free(out.p);
		CHECK(calls > 2);
	}
	fails[0] = 1;
	fails[1] = calls / 2;
	fails[2] = calls;
	for (i = 0; i < 3; i++) {
		struct src in = { buf, sizeof(buf), 0, 1000, 0 };
		struct sink out = { NULL, 0, 0, fails[i] };

		why = NULL;
		CHECK(smime_encrypt(k, SMIME_AES256_CBC, src_read, &in,
		    sink_write, &out, &why) == -1);
		CHECK(why != NULL && strcmp(why,
		    "writing the result failed") == 0);
		CHECK(out.calls == fails[i]);	/* no call after it failed */
		free(out.p);
	}
	smime_key_free(k);
}

/* Many messages to one key: nothing runs out (no per-call registry). */
static void
many(void)
{
	struct smime_key *k;
	const char *why;
	int i, bad = 0;

	if ((k = key(DIR "ec.pem")) == NULL) {
		CHECK(k != NULL);
		return;
	}
	for (i = 0; i < 400; i++) {
		struct src in = { "Subject: x\r\n\r\nx\r\n", 18, 0, 18, 0 };
		struct sink out = { NULL, 0, 0, 0 };

		if (smime_encrypt(k, SMIME_AES128_GCM, src_read, &in,
		    sink_write, &out, &why) != 0)
			bad++;
		free(out.p);
	}
	CHECK(bad == 0);
	CHECK(ERR_peek_error() == 0);	/* nothing left queued */
	smime_key_free(k);
}

int
main(void)
{
	struct stat st;

	if (stat(DIR "rsa.pem", &st) == -1) {
		printf("# %srsa.pem: %s (run from the top of the tree)\n",
		    DIR, strerror(errno));
		return 1;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	TEST(cipher_names);
	TEST(content_types);
	TEST(usable_keys);
	TEST(validity);
	TEST(unusable_keys);
	TEST(capabilities);
	TEST(missing_and_unreadable);
	TEST(malformed);
	TEST(broken_files);
	TEST(round_trips);
	TEST(failures);
	TEST(many);
	unit_rmtree(tmpdir);
	return UNIT_DONE();
}
