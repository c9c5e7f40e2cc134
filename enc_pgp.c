/*
 * enc_pgp.c: OpenPGP keys and encryption through librnp; see enc_pgp.h.
 *
 * Each key gets an rnp context of its own, holding nothing but that
 * public key: the context is what encrypts, so a recipient's copy can
 * only ever be encrypted to that recipient's key.
 *
 * librnp is loaded at the first key file (rnplib.h); the process keeps
 * it until it ends, as it keeps its other libraries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enc_armor.h"
#include "enc_pgp.h"
#include "fdio.h"
#include "rnplib.h"

#ifndef ELIBACC
#define ELIBACC	ENOEXEC
#endif

static struct rnplib lib;
static char lib_why[256];

struct pgp_key {
	rnp_ffi_t		 ffi;
	rnp_key_handle_t	 enc;		/* the key that encrypts */
	char			 fpr[48];	/* of the primary key */
};

/* How good one key (primary or subkey) is for encryption at now. */
static enum enc_keystate
judge(rnp_key_handle_t key, time_t now)
{
	bool valid = false, revoked = false, expired = false, can = false;
	uint64_t till = 0;

	if (lib.rnp_key_is_revoked(key, &revoked) != RNP_SUCCESS || revoked)
		return ENC_KEY_UNUSABLE;
	if (lib.rnp_key_allows_usage(key, "encrypt", &can) != RNP_SUCCESS ||
	    !can)
		return ENC_KEY_UNUSABLE;
	if (lib.rnp_key_is_expired(key, &expired) != RNP_SUCCESS)
		return ENC_KEY_UNUSABLE;
	if (lib.rnp_key_valid_till64(key, &till) != RNP_SUCCESS)
		till = 0;
	if (expired || (till != 0 && till <= (uint64_t)now))
		return ENC_KEY_EXPIRED;
	if (lib.rnp_key_is_valid(key, &valid) != RNP_SUCCESS || !valid)
		return till == 0 ? ENC_KEY_UNUSABLE : ENC_KEY_EXPIRED;
	return ENC_KEY_OK;
}

/* The better of two states: OK, then EXPIRED, then UNUSABLE. */
static enum enc_keystate
better(enum enc_keystate a, enum enc_keystate b)
{
	if (a == ENC_KEY_OK || b == ENC_KEY_OK)
		return ENC_KEY_OK;
	if (a == ENC_KEY_EXPIRED || b == ENC_KEY_EXPIRED)
		return ENC_KEY_EXPIRED;
	return ENC_KEY_UNUSABLE;
}

/*
 * A primary key: its own state as a whole (revoked or expired primary
 * keys end it), then the one of its keys that may encrypt into *enc.
 */
static enum enc_keystate
judge_primary(rnp_key_handle_t pk, time_t now, rnp_key_handle_t *enc)
{
	enum enc_keystate best = ENC_KEY_UNUSABLE, s;
	rnp_key_handle_t sub;
	bool revoked = false, expired = false, valid = false;
	size_t n = 0, i;

	*enc = NULL;
	if (lib.rnp_key_is_revoked(pk, &revoked) != RNP_SUCCESS || revoked)
		return ENC_KEY_UNUSABLE;
	if (lib.rnp_key_is_expired(pk, &expired) != RNP_SUCCESS)
		return ENC_KEY_UNUSABLE;
	if (expired)
		return ENC_KEY_EXPIRED;
	if (lib.rnp_key_is_valid(pk, &valid) != RNP_SUCCESS || !valid)
		return ENC_KEY_UNUSABLE;
	if ((best = judge(pk, now)) == ENC_KEY_OK) {
		*enc = pk;
		return ENC_KEY_OK;
	}
	if (lib.rnp_key_get_subkey_count(pk, &n) != RNP_SUCCESS)
		n = 0;
	for (i = 0; i < n; i++) {
		if (lib.rnp_key_get_subkey_at(pk, i, &sub) != RNP_SUCCESS ||
		    sub == NULL)
			continue;
		s = judge(sub, now);
		if (s == ENC_KEY_OK) {
			*enc = sub;
			return ENC_KEY_OK;
		}
		best = better(best, s);
		lib.rnp_key_handle_destroy(sub);
	}
	return best;
}

void
pgp_key_free(struct pgp_key *k)
{
	if (k == NULL)
		return;
	if (k->enc != NULL)
		lib.rnp_key_handle_destroy(k->enc);
	if (k->ffi != NULL)
		lib.rnp_ffi_destroy(k->ffi);
	free(k);
}

/* rnp's own messages go nowhere: our log has one line per event. */
static void
quiet(rnp_ffi_t ffi)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd == -1)
		return;
	if (lib.rnp_ffi_set_log_fd(ffi, fd) != RNP_SUCCESS)
		close(fd);
}

/* Import data; then walk the primary keys for the first usable one. */
static enum enc_keystate
import(struct pgp_key *k, const char *data, size_t len, time_t now)
{
	enum enc_keystate best = ENC_KEY_MALFORMED, s;
	rnp_identifier_iterator_t it = NULL;
	rnp_key_handle_t key, enc;
	rnp_input_t in = NULL;
	const char *id;
	char *fpr;
	bool primary;
	rnp_result_t r;

	if (len == 0 || lib.rnp_input_from_memory(&in, (const uint8_t *)data,
	    len, false) != RNP_SUCCESS)
		return ENC_KEY_MALFORMED;
	r = lib.rnp_import_keys(k->ffi, in, RNP_LOAD_SAVE_PUBLIC_KEYS, NULL);
	lib.rnp_input_destroy(in);
	if (r != RNP_SUCCESS)
		return ENC_KEY_MALFORMED;
	if (lib.rnp_identifier_iterator_create(k->ffi, &it, "fingerprint") !=
	    RNP_SUCCESS)
		return ENC_KEY_MALFORMED;
	while (lib.rnp_identifier_iterator_next(it, &id) == RNP_SUCCESS &&
	    id != NULL) {
		if (lib.rnp_locate_key(k->ffi, "fingerprint", id, &key) !=
		    RNP_SUCCESS || key == NULL)
			continue;
		if (lib.rnp_key_is_primary(key, &primary) != RNP_SUCCESS ||
		    !primary) {
			lib.rnp_key_handle_destroy(key);
			continue;
		}
		s = judge_primary(key, now, &enc);
		if (s == ENC_KEY_OK) {
			if (lib.rnp_key_get_fprint(key, &fpr) == RNP_SUCCESS) {
				snprintf(k->fpr, sizeof(k->fpr), "%s", fpr);
				lib.rnp_buffer_destroy(fpr);
			}
			if (enc != key)
				lib.rnp_key_handle_destroy(key);
			k->enc = enc;
			best = ENC_KEY_OK;
			break;
		}
		best = best == ENC_KEY_MALFORMED ? s : better(best, s);
		lib.rnp_key_handle_destroy(key);
	}
	lib.rnp_identifier_iterator_destroy(it);
	return best;
}

enum enc_keystate
pgp_key_read(struct pgp_key **kp, const char *data, size_t len, time_t now)
{
	struct pgp_key *k;
	enum enc_keystate s;

	*kp = NULL;
	if (rnplib_open(&lib, lib_why, sizeof(lib_why)) == -1) {
		errno = ELIBACC;
		return ENC_KEY_EIO;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return ENC_KEY_EIO;
	if (lib.rnp_ffi_create(&k->ffi, "GPG", "GPG") != RNP_SUCCESS) {
		free(k);
		return ENC_KEY_EIO;
	}
	quiet(k->ffi);
	if ((s = import(k, data, len, now)) != ENC_KEY_OK) {
		pgp_key_free(k);
		return s;
	}
	*kp = k;
	return ENC_KEY_OK;
}

enum enc_keystate
pgp_key_load(struct pgp_key **kp, const char *path, time_t now)
{
	enum enc_keystate s;
	char *data;
	size_t len;
	int rc;

	*kp = NULL;
	rc = fd_read_file(path, PGP_KEYFILE_MAX, &data, &len);
	if (rc == FD_TOO_LARGE)
		return ENC_KEY_MALFORMED;
	if (rc == -1 && errno == ENOENT)
		return ENC_KEY_MISSING;
	if (rc != 0)
		return ENC_KEY_EIO;
	s = pgp_key_read(kp, data, len, now);
	free(data);
	return s;
}

const char *
pgp_lib_error(void)
{
	return lib_why;
}

const char *
pgp_key_fpr(const struct pgp_key *k)
{
	return k->fpr;
}

#define PUMP_PIECE	12288	/* binary octets armored at a time */

struct pump {
	enc_read_fn	 rd;
	void		*rctx;
	enc_write_fn	 wr;
	void		*wctx;
	int		 failed;	/* the callbacks' own failure */
	struct enc_armor armor;
	char		 out[ENC_ARMOR_OUT(PUMP_PIECE) + ENC_ARMOR_FRAME];
};

static bool
pump_read(void *ctx, void *buf, size_t len, size_t *got)
{
	struct pump *p = ctx;
	ssize_t n = p->rd(p->rctx, buf, len);

	if (n < 0) {
		p->failed = 1;
		*got = 0;
		return false;
	}
	*got = (size_t)n;
	return true;
}

/* The binary message, armored on its way out. */
static bool
pump_write(void *ctx, const void *buf, size_t len)
{
	struct pump *p = ctx;
	const unsigned char *in = buf;
	size_t n, k;

	while (len > 0) {
		k = len < PUMP_PIECE ? len : PUMP_PIECE;
		n = enc_armor_update(&p->armor, in, k, p->out);
		if (n > 0 && p->wr(p->wctx, p->out, n) == -1) {
			p->failed = 1;
			return false;
		}
		in += k;
		len -= k;
	}
	return true;
}

static int
pump_frame(struct pump *p, int end)
{
	size_t n = end ? enc_armor_end(&p->armor, p->out) :
	    enc_armor_begin(&p->armor, p->out);

	if (p->wr(p->wctx, p->out, n) == -1) {
		p->failed = 1;
		return -1;
	}
	return 0;
}

int
pgp_encrypt(const struct pgp_key *k, enc_read_fn rd, void *rctx,
    enc_write_fn wr, void *wctx, const char **why)
{
	struct pump *p;
	rnp_input_t in = NULL;
	rnp_output_t out = NULL;
	rnp_op_encrypt_t op = NULL;
	int rc = -1;

	*why = "cannot set up the encryption";
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->rd = rd;
	p->rctx = rctx;
	p->wr = wr;
	p->wctx = wctx;
	if (lib.rnp_input_from_callback(&in, pump_read, NULL, p) !=
	    RNP_SUCCESS ||
	    lib.rnp_output_to_callback(&out, pump_write, NULL, p) !=
	    RNP_SUCCESS ||
	    lib.rnp_op_encrypt_create(&op, k->ffi, in, out) != RNP_SUCCESS ||
	    lib.rnp_op_encrypt_add_recipient(op, k->enc) != RNP_SUCCESS ||
	    lib.rnp_op_encrypt_set_cipher(op, "AES256") != RNP_SUCCESS ||
	    lib.rnp_op_encrypt_set_aead(op, "None") != RNP_SUCCESS ||
	    lib.rnp_op_encrypt_set_compression(op, "Uncompressed", 0) !=
	    RNP_SUCCESS)
		goto done;
	*why = "writing the message failed";
	if (pump_frame(p, 0) == -1)
		goto done;
	if (lib.rnp_op_encrypt_execute(op) != RNP_SUCCESS) {
		*why = p->failed ? "reading or writing the message failed" :
		    "encryption failed";
		goto done;
	}
	/* rnp writes the last of the message when its output is done. */
	if (lib.rnp_output_finish(out) != RNP_SUCCESS || p->failed ||
	    pump_frame(p, 1) == -1)
		goto done;
	rc = 0;
done:
	if (op != NULL)
		lib.rnp_op_encrypt_destroy(op);
	if (out != NULL)
		lib.rnp_output_destroy(out);
	if (in != NULL)
		lib.rnp_input_destroy(in);
	free(p);
	return rc;
}
