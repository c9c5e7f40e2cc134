/*
 * enc_smime_stub.c: TEMPORARY.  Stands in for enc_smime.c (the S/MIME
 * back end, built on another branch) so that this branch links; delete
 * it when enc_smime.c is merged.  It finds certificates but cannot use
 * them: a .pem key file is "unusable".
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "enc_smime.h"

enum enc_keystate
smime_key_load(struct smime_key **k, const char *path, time_t now)
{
	(void)now;
	*k = NULL;
	if (access(path, F_OK) == -1)
		return errno == ENOENT ? ENC_KEY_MISSING : ENC_KEY_EIO;
	return ENC_KEY_UNUSABLE;
}

void
smime_key_free(struct smime_key *k)
{
	(void)k;
}

int
smime_cipher_parse(const char *name, enum smime_cipher *c)
{
	static const char *const names[] = { "aes256-gcm", "aes128-gcm",
	    "aes256-cbc", "aes128-cbc" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*c = (enum smime_cipher)i;
			return 0;
		}
	return -1;
}

const char *
smime_content_type(enum smime_cipher c)
{
	return c == SMIME_AES256_CBC || c == SMIME_AES128_CBC ?
	    "application/pkcs7-mime; smime-type=enveloped-data; "
	    "name=\"smime.p7m\"" :
	    "application/pkcs7-mime; smime-type=authEnveloped-data; "
	    "name=\"smime.p7m\"";
}

int
smime_encrypt(const struct smime_key *k, enum smime_cipher c,
    enc_read_fn rd, void *rctx, enc_write_fn wr, void *wctx,
    const char **why)
{
	(void)k;
	(void)c;
	(void)rd;
	(void)rctx;
	(void)wr;
	(void)wctx;
	*why = "S/MIME is not built in (enc_smime_stub.c)";
	return -1;
}
