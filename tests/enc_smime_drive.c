/*
 * enc_smime_drive.c: smime_encrypt() (enc_smime.c) as a filter, for
 * tests/smime.bats: stdin encrypted to the certificate CERT, the result
 * on stdout, so that real `openssl cms -decrypt` can read it back.
 *
 *   enc_smime_drive [-am] [-c CIPHER] [-t TIME] CERT
 *
 * -m writes a whole S/MIME message (the MIME header fields, a blank line,
 * the base64) instead of the base64 alone; -c names the cipher as
 * smime_cipher_parse() reads it (default aes256-gcm); -a lets the
 * certificate's S/MIME Capabilities override it (smime_key_cipher());
 * -t checks the certificate at TIME
 * (seconds since the epoch) instead of now.  Exit status: 0, 1 when the
 * encryption failed, 2 for a usage error, or 3 plus the key's state
 * (enc_key.h) when the certificate is not usable; stderr says which.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enc_smime.h"

static ssize_t
rd(void *ctx, char *buf, size_t size)
{
	ssize_t n;

	(void)ctx;
	do
		n = read(0, buf, size);
	while (n == -1 && errno == EINTR);
	return n;
}

static int
wr(void *ctx, const char *buf, size_t len)
{
	ssize_t n;

	(void)ctx;
	while (len > 0) {
		n = write(1, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: enc_smime_drive [-am] [-c cipher] [-t time] "
	    "cert\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const char *states[] = { "ok", "missing", "expired",
	    "unusable", "malformed", "eio" };
	enum smime_cipher c = SMIME_AES256_GCM;
	enum enc_keystate s;
	struct smime_key *k;
	const char *why;
	time_t now = time(NULL);
	int ch, mime = 0, caps = 0;
	char hdr[512];

	while ((ch = getopt(argc, argv, "ac:mt:")) != -1) {
		switch (ch) {
		case 'a':
			caps = 1;
			break;
		case 'c':
			if (smime_cipher_parse(optarg, &c) == -1)
				usage();
			break;
		case 'm':
			mime = 1;
			break;
		case 't':
			now = (time_t)strtoll(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if ((s = smime_key_load(&k, argv[optind], now)) != ENC_KEY_OK) {
		fprintf(stderr, "enc_smime_drive: %s: %s%s%s\n", argv[optind],
		    states[s], s == ENC_KEY_EIO || s == ENC_KEY_MISSING ?
		    ": " : "", s == ENC_KEY_EIO || s == ENC_KEY_MISSING ?
		    strerror(errno) : "");
		return 3 + (int)s;
	}
	if (caps)
		c = smime_key_cipher(k, c);
	if (mime) {
		snprintf(hdr, sizeof(hdr), "MIME-Version: 1.0\n"
		    "Content-Type: %s\n"
		    "Content-Transfer-Encoding: base64\n"
		    "Content-Disposition: attachment; filename=\"smime.p7m\"\n"
		    "\n", smime_content_type(c));
		if (wr(NULL, hdr, strlen(hdr)) == -1) {
			perror("enc_smime_drive: write");
			return 1;
		}
	}
	if (smime_encrypt(k, c, rd, NULL, wr, NULL, &why) == -1) {
		fprintf(stderr, "enc_smime_drive: %s\n", why);
		smime_key_free(k);
		return 1;
	}
	smime_key_free(k);
	return 0;
}
