/*
 * dkim.c: DKIM verification of a streaming message with libopendkim.
 *
 * samotop splits the header into fields itself (a fixed buffer in
 * struct dkim_msg) so that the limits in dkim.h hold before libopendkim
 * copies anything; the body goes to libopendkim as it comes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dkim.h"

enum {
	ST_START,	/* start of the message */
	ST_LINE,	/* inside a header line */
	ST_EOL,		/* a header line ended: folded on, or a new field */
	ST_BLANKCR,	/* a CR at the start of a line */
	ST_BODY,
	ST_SKIP,	/* nothing more to feed (a verdict, or no signature) */
};

/*
 * libopendkim's prescreen hook gets no closure but the DKIM handle;
 * this is the library's own function, the same for every verifier.
 */
static void (*prescreen_ignore)(DKIM_SIGINFO *);

static DKIM_CBSTAT
prescreen(DKIM *d, DKIM_SIGINFO **sigs, int nsigs)
{
	int i;

	(void)d;
	for (i = DKIM_SIGS_MAX; i < nsigs; i++)
		prescreen_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

static int
setopt(struct dkim_verifier *v, dkim_opts_t opt, void *p, size_t len,
    const char *name, char *why, size_t size)
{
	DKIM_STAT st;

	if ((st = v->lib.options(v->dl, DKIM_OP_SETOPT, opt, p, len)) ==
	    DKIM_STAT_OK)
		return 0;
	snprintf(why, size, "libopendkim: %s: %s", name,
	    v->lib.getresultstr(st));
	return -1;
}

int
dkim_verifier_open(struct dkim_verifier *v, const struct dkim_keys *k,
    char *why, size_t size)
{
	unsigned int bits = DKIM_MINKEYBITS, timeout = DKIM_TIMEOUT;
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;
	dkim_query_t qm = DKIM_QUERY_FILE;

	if (v->dl != NULL)
		return 0;
	if (dkimlib_open(&v->lib, why, size) == -1)
		return -1;
	if ((v->dl = v->lib.init(NULL, NULL)) == NULL) {
		snprintf(why, size, "libopendkim: dkim_init failed");
		dkimlib_close(&v->lib);
		return -1;
	}
	if (k != NULL && k->timeout != 0)
		timeout = k->timeout;
	prescreen_ignore = v->lib.sig_ignore;
	/* Bad DKIM-Signature fields too get a handle, for permerror. */
	if (setopt(v, DKIM_OPTS_FLAGS, &flags, sizeof(flags), "flags",
	    why, size) == -1 ||
	    setopt(v, DKIM_OPTS_MINKEYBITS, &bits, sizeof(bits),
	    "minimum key bits", why, size) == -1 ||
	    setopt(v, DKIM_OPTS_TIMEOUT, &timeout, sizeof(timeout),
	    "timeout", why, size) == -1 ||
	    (k != NULL && k->file != NULL &&
	    (setopt(v, DKIM_OPTS_QUERYMETHOD, &qm, sizeof(qm),
	    "query method", why, size) == -1 ||
	    setopt(v, DKIM_OPTS_QUERYINFO, (void *)k->file, strlen(k->file),
	    "key file", why, size) == -1))) {
		dkim_verifier_close(v);
		return -1;
	}
	if (v->lib.set_prescreen(v->dl, prescreen) != DKIM_STAT_OK) {
		snprintf(why, size, "libopendkim: dkim_set_prescreen failed");
		dkim_verifier_close(v);
		return -1;
	}
	v->ed25519 = v->lib.libfeature(v->dl, DKIM_FEATURE_ED25519);
	return 0;
}

void
dkim_verifier_close(struct dkim_verifier *v)
{
	if (v->dl != NULL)
		v->lib.close(v->dl);
	dkimlib_close(&v->lib);
	memset(v, 0, sizeof(*v));
}

int
dkim_verifier_ed25519(const struct dkim_verifier *v)
{
	return v->ed25519;
}

/* One verdict for the whole message; nothing more is fed. */
static void
verdict(struct dkim_msg *m, enum dkim_res r, const char *why)
{
	if (m->whole == DKIM_RES_NONE) {
		m->whole = r;
		m->why = why;
	}
	m->state = ST_SKIP;
}

int
dkim_verify_begin(struct dkim_msg *m, struct dkim_verifier *v,
    const char *id)
{
	DKIM_STAT st;

	m->v = v;
	m->state = ST_START;
	m->whole = DKIM_RES_NONE;
	m->why = NULL;
	m->fields = m->hbytes = m->flen = 0;
	m->nsig = m->ignored = 0;
	memset(&m->blen, 0, sizeof(m->blen));
	m->d = v->dl == NULL ? NULL :
	    v->lib.verify(v->dl, (const unsigned char *)id, NULL, &st);
	if (m->d == NULL) {
		verdict(m, DKIM_RES_TEMPERROR, "libopendkim: no handle");
		return -1;
	}
	return 0;
}

/* A header field is complete: to libopendkim, without its CRLF. */
static void
field(struct dkim_msg *m, size_t len)
{
	DKIM_STAT st;

	m->flen = 0;
	/*
	 * No field at all (a last header line that is a lone CR, say):
	 * libopendkim 2.11 asserts len != 0, which would end the session.
	 */
	if (len == 0)
		return;
	if (++m->fields > DKIM_FIELDS_MAX) {
		verdict(m, DKIM_RES_PERMERROR, "too many header fields");
		return;
	}
	st = m->v->lib.header(m->d, (u_char *)m->field, len);
	/* A line that is no field (no colon): not signed, not ours. */
	if (st != DKIM_STAT_OK && st != DKIM_STAT_SYNTAX)
		verdict(m, DKIM_RES_TEMPERROR, m->v->lib.getresultstr(st));
}

static void
eoh(struct dkim_msg *m)
{
	DKIM_STAT st;

	st = m->v->lib.eoh(m->d);
	if (st == DKIM_STAT_OK)
		m->state = ST_BODY;
	else if (st == DKIM_STAT_NOSIG || st == DKIM_STAT_SYNTAX)
		m->state = ST_SKIP;	/* dkim_verify_end() says which */
	else
		verdict(m, DKIM_RES_TEMPERROR, m->v->lib.getresultstr(st));
}

static int
put(struct dkim_msg *m, char c)
{
	if (m->flen == DKIM_FIELD_MAX) {
		verdict(m, DKIM_RES_PERMERROR, "header field too long");
		return -1;
	}
	if (++m->hbytes > DKIM_HEADER_MAX) {
		verdict(m, DKIM_RES_PERMERROR, "header too long");
		return -1;
	}
	m->field[m->flen++] = c;
	return 0;
}

/* One line of the body ended; its canonical lengths were counted. */
static void
blen_eol(struct dkim_bodylen *b)
{
	if (b->scur == 0)
		b->sempty++;
	else {
		b->simple += 2 * b->sempty + b->scur + 2;
		b->sempty = 0;
	}
	if (b->rcur == 0)
		b->rempty++;
	else {
		b->relaxed += 2 * b->rempty + b->rcur + 2;
		b->rempty = 0;
	}
	b->scur = b->rcur = 0;
	b->wsp = 0;
}

/* One octet of a line's content. */
static void
blen_octet(struct dkim_bodylen *b, unsigned char c)
{
	b->scur++;
	if (c == ' ' || c == '\t') {
		b->wsp = 1;	/* a run is one SP, unless it ends the line */
		return;
	}
	b->rcur += b->wsp + 1;
	b->wsp = 0;
}

static void
blen_count(struct dkim_bodylen *b, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (b->cr) {
			b->cr = 0;
			if (buf[i] == '\n') {
				blen_eol(b);
				continue;
			}
			blen_octet(b, '\r');
		}
		if (buf[i] == '\r')
			b->cr = 1;
		else
			blen_octet(b, (unsigned char)buf[i]);
	}
}

/* The lengths of the whole body: a last line without CRLF gets one. */
static void
blen_end(struct dkim_bodylen *b)
{
	if (b->cr) {
		b->cr = 0;
		blen_octet(b, '\r');
	}
	if (b->scur != 0 || b->rcur != 0 || b->wsp)
		blen_eol(b);
	if (b->simple == 0)
		b->simple = 2;	/* an empty body is one CRLF (3.4.3) */
}

void
dkim_verify_data(struct dkim_msg *m, const char *buf, size_t len)
{
	size_t i;
	char c;
	DKIM_STAT st;

	for (i = 0; i < len && m->state != ST_BODY && m->state != ST_SKIP;
	    i++) {
		c = buf[i];
		switch (m->state) {
		case ST_EOL:
			if (c == ' ' || c == '\t') {
				m->state = ST_LINE;
				put(m, c);
				break;
			}
			field(m, m->flen - 2);
			if (m->state == ST_SKIP)
				break;
			/* FALLTHROUGH */
		case ST_START:
			if (c == '\r') {
				m->state = ST_BLANKCR;
				break;
			}
			m->state = ST_LINE;
			put(m, c);
			break;
		case ST_BLANKCR:
			if (c == '\n') {
				eoh(m);
				break;
			}
			/* A bare CR (not from data.c): part of a line. */
			m->state = ST_LINE;
			if (put(m, '\r') == -1)
				break;
			/* FALLTHROUGH */
		case ST_LINE:
			if (put(m, c) == 0 && c == '\n' && m->flen >= 2 &&
			    m->field[m->flen - 2] == '\r')
				m->state = ST_EOL;
			break;
		}
	}
	if (m->state == ST_BODY && i < len) {
		blen_count(&m->blen, buf + i, len - i);
		st = m->v->lib.body(m->d, (u_char *)buf + i, len - i);
		if (st != DKIM_STAT_OK)
			verdict(m, DKIM_RES_TEMPERROR,
			    m->v->lib.getresultstr(st));
	}
}

/* Copy what is safe to print in a header: chars from ok, else "". */
static void
copysafe(char *dst, size_t size, const unsigned char *src, const char *ok,
    int trunc)
{
	size_t n = 0;

	dst[0] = '\0';
	if (src == NULL)
		return;
	for (; *src != '\0'; src++) {
		if (*src == ' ' || *src == '\t' || *src == '\r' ||
		    *src == '\n')
			continue;	/* folding inside b= */
		if (!((*src >= 'a' && *src <= 'z') ||
		    (*src >= 'A' && *src <= 'Z') ||
		    (*src >= '0' && *src <= '9') ||
		    strchr(ok, *src) != NULL)) {
			dst[0] = '\0';
			return;
		}
		if (n + 1 == size) {
			if (trunc)
				break;
			dst[0] = '\0';
			return;
		}
		dst[n++] = (char)*src;
	}
	dst[n] = '\0';
}

static void
onesig(struct dkim_msg *m, DKIM_SIGINFO *s, struct dkim_sigres *r)
{
	const struct dkimlib *l = &m->v->lib;
	unsigned int flags = l->sig_getflags(s);
	int err = l->sig_geterror(s);
	const char *a;
	ssize_t msglen = -1, canonlen = -1, signlen = -1;
	dkim_canon_t hc, bc = DKIM_CANON_SIMPLE;

	memset(r, 0, sizeof(*r));
	copysafe(r->domain, sizeof(r->domain), l->sig_getdomain(s), ".-_",
	    0);
	copysafe(r->selector, sizeof(r->selector), l->sig_getselector(s),
	    ".-_", 0);
	copysafe(r->b, sizeof(r->b), l->sig_gettagvalue(s, 0,
	    (u_char *)"b"), "+/=", 1);
	if (l->sig_getkeysize(s, &r->bits) != DKIM_STAT_OK)
		r->bits = 0;
	/*
	 * From the a= text: for a signature that did not parse,
	 * dkim_sig_getsignalg() answers with its default, rsa-sha1.
	 */
	a = (const char *)l->sig_gettagvalue(s, 0, (u_char *)"a");
	r->alg = a == NULL ? DKIM_ALG_UNKNOWN :
	    strcasecmp(a, "rsa-sha256") == 0 ? DKIM_ALG_RSA_SHA256 :
	    strcasecmp(a, "ed25519-sha256") == 0 ? DKIM_ALG_ED25519_SHA256 :
	    strcasecmp(a, "rsa-sha1") == 0 ? DKIM_ALG_RSA_SHA1 :
	    DKIM_ALG_UNKNOWN;
	r->length = -1;
	if (l->sig_getcanonlen(m->d, s, &msglen, &canonlen, &signlen) ==
	    DKIM_STAT_OK && signlen >= 0) {
		r->length = signlen;
		(void)l->sig_getcanons(s, &hc, &bc);
		r->partial = signlen < (bc == DKIM_CANON_RELAXED ?
		    m->blen.relaxed : m->blen.simple);
	}

	if (l->sig_getbh(s) == DKIM_SIGBH_MISMATCH) {
		r->res = DKIM_RES_FAIL;
		r->why = "body hash did not verify";
		return;
	}
	switch (err) {
	case DKIM_SIGERROR_OK:
		break;
	case DKIM_SIGERROR_BADSIG:
		r->res = DKIM_RES_FAIL;
		r->why = "signature did not verify";
		return;
	case DKIM_SIGERROR_KEYFAIL:
		r->res = DKIM_RES_TEMPERROR;
		r->why = "key lookup failed";
		return;
	case DKIM_SIGERROR_NOKEY:
		r->res = DKIM_RES_PERMERROR;
		r->why = "no key record";
		return;
	case DKIM_SIGERROR_TOOLARGE_L:
		r->res = DKIM_RES_PERMERROR;
		r->why = "l= longer than the body";
		return;
	case DKIM_SIGERROR_KEYTOOSMALL:
		r->res = DKIM_RES_PERMERROR;
		r->why = "key under 1024 bits";
		return;
	default:
		r->res = DKIM_RES_PERMERROR;
		r->why = l->sig_geterrorstr(err);
		if (r->why == NULL)
			r->why = "unusable signature";
		return;
	}
	if ((flags & DKIM_SIGFLAG_PROCESSED) == 0) {
		r->res = DKIM_RES_PERMERROR;
		r->why = "signature not processed";
	} else if ((flags & DKIM_SIGFLAG_PASSED) == 0 ||
	    l->sig_getbh(s) != DKIM_SIGBH_MATCH) {
		r->res = DKIM_RES_FAIL;
		r->why = "signature did not verify";
	} else if (r->alg == DKIM_ALG_RSA_SHA1) {
		r->res = DKIM_RES_PERMERROR;
		r->why = "rsa-sha1 (RFC 8301)";
	} else if (r->partial) {
		r->res = DKIM_RES_NEUTRAL;
		r->why = "partial body (l=)";
	} else {
		r->res = DKIM_RES_PASS;
		r->why = NULL;
	}
}

void
dkim_verify_end(struct dkim_msg *m)
{
	DKIM_SIGINFO **sigs = NULL;
	struct dkim_sigres *r;
	int nsigs = 0, i;
	_Bool testkey;

	if (m->d != NULL && m->whole == DKIM_RES_NONE) {
		/* A header without a blank line after it. */
		if (m->state == ST_EOL)
			field(m, m->flen - 2);
		else if (m->state == ST_LINE)
			field(m, m->flen);
		if (m->state != ST_BODY && m->state != ST_SKIP)
			eoh(m);
		if (m->state == ST_BODY)
			(void)m->v->lib.eom(m->d, &testkey);
		blen_end(&m->blen);
		if (m->whole == DKIM_RES_NONE &&
		    m->v->lib.getsiglist(m->d, &sigs, &nsigs) != DKIM_STAT_OK)
			nsigs = 0;
	}
	m->nsig = 0;
	for (i = 0; i < nsigs && i < DKIM_SIGS_MAX; i++) {
		r = &m->sig[m->nsig++];
		onesig(m, sigs[i], r);
		/* libopendkim 2.11 says 0; RFC 8463's keys are 256 bits. */
		if (r->alg == DKIM_ALG_ED25519_SHA256 && r->bits == 0 &&
		    (r->res == DKIM_RES_PASS || r->res == DKIM_RES_FAIL ||
		    r->res == DKIM_RES_NEUTRAL))
			r->bits = 256;
	}
	m->ignored = nsigs > DKIM_SIGS_MAX ? nsigs - DKIM_SIGS_MAX : 0;
	if (m->nsig == 0) {
		memset(&m->sig[0], 0, sizeof(m->sig[0]));
		m->sig[0].res = m->whole;
		m->sig[0].why = m->why;
		m->sig[0].length = -1;
		m->nsig = 1;
	}
	if (m->d != NULL)
		(void)m->v->lib.free(m->d);
	m->d = NULL;
	m->state = ST_SKIP;
}

const char *
dkim_res_name(enum dkim_res r)
{
	switch (r) {
	case DKIM_RES_NONE:
		return "none";
	case DKIM_RES_PASS:
		return "pass";
	case DKIM_RES_FAIL:
		return "fail";
	case DKIM_RES_NEUTRAL:
		return "neutral";
	case DKIM_RES_TEMPERROR:
		return "temperror";
	case DKIM_RES_PERMERROR:
		break;
	}
	return "permerror";
}
