/*
 * dkims.c: DKIM signing with libopendkim (dkims.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dkims.h"
#include "fdio.h"
#include "hdrfrom.h"
#include "trace.h"

const char *const dkims_fields[] = {
	"from", "to", "cc", "subject", "date", "message-id", "mime-version",
	"content-type", "content-transfer-encoding", "reply-to",
	"in-reply-to", "references", NULL
};

/* From: once more than the message has it: none can be added above. */
static const char *const oversigned[] = { "from", NULL };

static int
failed(struct dkims_failure *f, enum dkims_error err, int errnum,
    const struct conf_dkim_sign *key, const char *detail)
{
	f->err = err;
	f->errnum = errnum;
	f->key = key;
	snprintf(f->detail, sizeof(f->detail), "%s", detail != NULL ? detail :
	    "");
	return -1;
}

static int
setopt(struct dkims_signer *s, dkim_opts_t opt, void *p, size_t len,
    struct dkims_failure *f)
{
	DKIM_STAT st;

	if ((st = s->lib.options(s->dl, DKIM_OP_SETOPT, opt, p, len)) ==
	    DKIM_STAT_OK)
		return 0;
	return failed(f, DKIMS_ESIGN, 0, NULL, s->lib.getresultstr(st));
}

int
dkims_open(struct dkims_signer *s, const struct conf *c,
    struct dkims_failure *f)
{
	char why[256];

	memset(f, 0, sizeof(*f));
	if (s->dl != NULL)
		return 0;
	memset(s, 0, sizeof(*s));
	s->conf = c;
	if (dkimlib_open(&s->lib, why, sizeof(why)) == -1 ||
	    cryptolib_open(&s->crypto, why, sizeof(why)) == -1) {
		dkimlib_close(&s->lib);
		return failed(f, DKIMS_ELIB, 0, NULL, why);
	}
	if ((s->dl = s->lib.init(NULL, NULL)) == NULL) {
		dkimlib_close(&s->lib);
		return failed(f, DKIMS_ESIGN, 0, NULL, "dkim_init failed");
	}
	/*
	 * The lists are the arrays themselves (NULL-ended); the length
	 * libopendkim checks is a pointer's, that of its own field.
	 */
	if (setopt(s, DKIM_OPTS_SIGNHDRS, (void *)dkims_fields,
	    sizeof(char **), f) == -1 ||
	    setopt(s, DKIM_OPTS_OVERSIGNHDRS, (void *)oversigned,
	    sizeof(char **), f) == -1) {
		dkims_close(s);
		return -1;
	}
	s->ed25519 = s->lib.libfeature(s->dl, DKIM_FEATURE_ED25519);
	return 0;
}

void
dkims_key_free(struct dkims_key *k)
{
	if (k->pem != NULL) {
		explicit_bzero(k->pem, k->len);
		free(k->pem);
	}
	k->pem = NULL;
	k->len = 0;
}

void
dkims_close(struct dkims_signer *s)
{
	size_t i;

	for (i = 0; i < CONF_DKIM_SIGN_MAX; i++)
		dkims_key_free(&s->keys[i]);
	if (s->dl != NULL)
		s->lib.close(s->dl);
	dkimlib_close(&s->lib);
	s->dl = NULL;
}

int
dkims_key_read(struct dkims_key *k, const struct cryptolib *crypto,
    const struct conf_dkim_sign *line, struct dkims_failure *f)
{
	enum crypto_keytype type;
	EVP_PKEY *pk;
	int rc;

	memset(k, 0, sizeof(*k));
	k->conf = line;
	rc = fd_read_file(line->keyfile, DKIMS_KEY_MAX, &k->pem, &k->len);
	if (rc == FD_TOO_LARGE)
		return failed(f, DKIMS_EBIG, 0, line, NULL);
	if (rc == FD_NOT_REGULAR)
		return failed(f, DKIMS_EREAD, EISDIR, line, NULL);
	if (rc != 0)
		return failed(f, DKIMS_EREAD, errno, line, NULL);
	pk = cryptolib_privkey_pem(crypto, k->pem, k->len, &type, &k->bits);
	cryptolib_pubkey_free(crypto, pk);
	if (pk == NULL) {
		dkims_key_free(k);
		return failed(f, DKIMS_EKEY, 0, line, NULL);
	}
	if (type == CRYPTO_KEY_OTHER) {
		dkims_key_free(k);
		return failed(f, DKIMS_ETYPE, 0, line, NULL);
	}
	if (type == CRYPTO_KEY_RSA && k->bits < DKIMS_RSA_MIN) {
		dkims_key_free(k);
		return failed(f, DKIMS_ESMALL, 0, line, NULL);
	}
	k->alg = type == CRYPTO_KEY_RSA ? DKIMS_RSA_SHA256 :
	    DKIMS_ED25519_SHA256;
	return 0;
}

int
dkims_from_domain(const char *value, char *out, size_t size)
{
	struct hdrfrom_mailbox mb[2];
	size_t i, n;

	n = hdrfrom_mailboxes(value, mb, 2);
	if (n != 1 || mb[0].domain[0] == '\0' || strlen(mb[0].domain) >= size)
		return -1;
	for (i = 0; mb[0].domain[i] != '\0'; i++)
		out[i] = mb[0].domain[i] >= 'A' && mb[0].domain[i] <= 'Z' ?
		    mb[0].domain[i] - 'A' + 'a' : mb[0].domain[i];
	out[i] = '\0';
	return 0;
}

size_t
dkims_keys_for(const struct conf *c, const char *domain)
{
	size_t i, n = 0;

	for (i = 0; i < c->ndkim_sign; i++)
		n += strcmp(c->dkim_sign[i].domain, domain) == 0;
	return n;
}

void
dkims_abort(struct dkims_msg *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->d[i] != NULL)
			(void)m->s->lib.free(m->d[i]);
	m->n = 0;
}

int
dkims_begin(struct dkims_msg *m, struct dkims_signer *s, const char *domain,
    const char *id, struct dkims_failure *f)
{
	const struct conf_dkim_sign *line;
	struct dkims_key *k;
	DKIM_STAT st;
	uint64_t t;
	size_t i;

	memset(f, 0, sizeof(*f));
	m->s = s;
	m->n = 0;
	m->st = DKIM_STAT_OK;
	/* leave-no-trace: t= is as coarse as Received:'s time (0: now) */
	t = s->conf->leave_no_trace ? (uint64_t)trace_round(time(NULL),
	    s->conf->notrace_granularity) : 0;
	if (dkims_keys_for(s->conf, domain) > 0 &&
	    setopt(s, DKIM_OPTS_FIXEDTIME, &t, sizeof(t), f) == -1)
		return -1;
	for (i = 0; i < s->conf->ndkim_sign; i++) {
		line = &s->conf->dkim_sign[i];
		if (strcmp(line->domain, domain) != 0)
			continue;
		k = &s->keys[i];
		if (k->pem == NULL &&
		    dkims_key_read(k, &s->crypto, line, f) == -1) {
			dkims_abort(m);
			return -1;
		}
		if (k->alg == DKIMS_ED25519_SHA256 && !s->ed25519) {
			dkims_abort(m);
			return failed(f, DKIMS_ENOED25519, 0, line, NULL);
		}
		m->k[m->n] = k;
		m->d[m->n] = s->lib.sign(s->dl, (const unsigned char *)id,
		    NULL, (dkim_sigkey_t)k->pem,
		    (const unsigned char *)line->selector,
		    (const unsigned char *)line->domain, DKIM_CANON_RELAXED,
		    DKIM_CANON_RELAXED, k->alg == DKIMS_RSA_SHA256 ?
		    DKIM_SIGN_RSASHA256 : DKIM_SIGN_ED25519SHA256, -1, &st);
		if (m->d[m->n] == NULL) {
			dkims_abort(m);
			return failed(f, DKIMS_ESIGN, 0, line,
			    s->lib.getresultstr(st));
		}
		m->n++;
	}
	return m->n > 0;
}

void
dkims_data(struct dkims_msg *m, const char *buf, size_t len)
{
	DKIM_STAT st;
	size_t i;

	if (len == 0 || m->st != DKIM_STAT_OK)
		return;
	for (i = 0; i < m->n; i++)
		if ((st = m->s->lib.chunk(m->d[i], (u_char *)buf, len)) !=
		    DKIM_STAT_OK && m->st == DKIM_STAT_OK)
			m->st = st;
}

/* One field: "DKIM-Signature: " and libopendkim's value, CRLF ends. */
static int
field(struct dkims_msg *m, size_t i, char *out, size_t size, size_t *len,
    struct dkims_failure *f)
{
	static const char name[] = "DKIM-Signature: ";
	unsigned char v[DKIMS_FIELD_MAX];
	const unsigned char *p;
	DKIM_STAT st;
	size_t n = *len;

	if ((st = m->s->lib.chunk(m->d[i], NULL, 0)) != DKIM_STAT_OK ||
	    (st = m->s->lib.eom(m->d[i], NULL)) != DKIM_STAT_OK ||
	    (st = m->s->lib.getsighdr(m->d[i], v, sizeof(v),
	    sizeof(name) - 1)) != DKIM_STAT_OK)
		return failed(f, DKIMS_ESIGN, 0, m->k[i]->conf,
		    m->s->lib.getresultstr(st));
	if (size - n < sizeof(name))
		return failed(f, DKIMS_ESPACE, 0, m->k[i]->conf, NULL);
	memcpy(out + n, name, sizeof(name) - 1);
	n += sizeof(name) - 1;
	/* libopendkim folds with "\n" or "\r\n": CRLF, always */
	for (p = v; *p != '\0'; p++) {
		if (size - n < 4)
			return failed(f, DKIMS_ESPACE, 0, m->k[i]->conf, NULL);
		if (*p == '\r')
			continue;
		if (*p == '\n')
			out[n++] = '\r';
		out[n++] = (char)*p;
	}
	out[n++] = '\r';
	out[n++] = '\n';
	out[n] = '\0';
	*len = n;
	return 0;
}

int
dkims_end(struct dkims_msg *m, char *out, size_t size, size_t *len,
    struct dkims_failure *f)
{
	size_t i;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	*len = 0;
	if (size > 0)
		out[0] = '\0';
	if (m->n > 0 && m->st != DKIM_STAT_OK)
		rc = failed(f, DKIMS_ESIGN, 0, m->k[0]->conf,
		    m->s->lib.getresultstr(m->st));
	for (i = 0; rc == 0 && i < m->n; i++)
		rc = field(m, i, out, size, len, f);
	if (rc == -1) {
		*len = 0;
		if (size > 0)
			out[0] = '\0';
	}
	dkims_abort(m);
	return rc;
}

const char *
dkims_strerror(const struct dkims_failure *f, char *buf, size_t size)
{
	const char *what;
	char key[600] = "";

	switch (f->err) {
	case DKIMS_OK:
		what = "no error";
		break;
	case DKIMS_ELIB:
		what = "libopendkim or libcrypto cannot be loaded";
		break;
	case DKIMS_EREAD:
		what = strerror(f->errnum);
		break;
	case DKIMS_EBIG:
		what = "key file too large";
		break;
	case DKIMS_EKEY:
		what = "no unencrypted PEM private key in it";
		break;
	case DKIMS_ETYPE:
		what = "neither an RSA nor an Ed25519 key";
		break;
	case DKIMS_ESMALL:
		what = "RSA key under 1024 bits (RFC 8301; use 2048)";
		break;
	case DKIMS_ENOED25519:
		what = "this libopendkim cannot sign with Ed25519";
		break;
	case DKIMS_ESPACE:
		what = "signature too long";
		break;
	default:
		what = "libopendkim failed";
		break;
	}
	if (f->key != NULL)
		snprintf(key, sizeof(key), "%s selector %s key %s: ",
		    f->key->domain, f->key->selector, f->key->keyfile);
	snprintf(buf, size, "%s%s%s%s", key, what, f->detail[0] != '\0' ?
	    ": " : "", f->detail);
	return buf;
}
