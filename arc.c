/*
 * arc.c: ARC chain verification (RFC 8617 5.2) of a streaming message.
 *
 * The header is split into fields and kept (struct arc_msg's buffer);
 * at its end the ARC sets are found and their structure checked, which
 * decides which body canonicalizations to hash while the body streams;
 * at the end of the message the signatures are verified, newest first.
 */
#include <sys/types.h>

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arc.h"
#include "dnsbl.h"

enum {
	ST_START,	/* the start of a header line */
	ST_LINE,	/* inside a header line */
	ST_EOL,		/* a header line ended: folded on, or a new field */
	ST_BLANKCR,	/* a CR at the start of a line */
	ST_BODY,
	ST_SKIP,	/* nothing more to hash (a verdict, or no ARC) */
};

enum { K_OTHER, K_AAR, K_AMS, K_AS };

#define TAGS_MAX	32
#define SIG_MAX		1024	/* octets of b=: an RSA key of 8192 bits */
#define DER_MAX		2048	/* octets of p= */

/* One ARC-Seal or ARC-Message-Signature, parsed; pointers into hdr. */
struct sig {
	int		field;		/* in m->field */
	unsigned int	i;
	struct arc_tag	a, b, bh, c, cv, d, s, h, l;
	size_t		bskip;		/* b='s value: offset in the field */
};

/*
 * The ARC sets by instance, [1 .. n]: field numbers (-1: none), and
 * the body hashes (simple, relaxed).  About 31 KiB: on the stack of
 * eoh() and finish() only.
 */
struct sets {
	unsigned int	n;
	int		aar[ARC_SETS_MAX + 1];
	struct sig	ams[ARC_SETS_MAX + 1];
	struct sig	as[ARC_SETS_MAX + 1];
	unsigned char	bh[2][CRYPTO_SHA256_LEN];
};

static const char *const kindname[] = {
	NULL, "arc-authentication-results", "arc-message-signature",
	"arc-seal"
};

static int
wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int
fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
digit(int c)
{
	return c >= '0' && c <= '9';
}

/* --- the body, canonicalized as it streams ------------------------- */

static void
bflush(struct arc_body *b, void (*sink)(void *, const char *, size_t),
    void *arg)
{
	if (b->n > 0)
		sink(arg, b->out, b->n);
	b->len += (long long)b->n;
	b->n = 0;
}

static void
bput(struct arc_body *b, char c, void (*sink)(void *, const char *, size_t),
    void *arg)
{
	if (b->n == sizeof(b->out))
		bflush(b, sink, arg);
	b->out[b->n++] = c;
}

void
arc_body_start(struct arc_body *b, int relaxed)
{
	memset(b, 0, sizeof(*b) - sizeof(b->out));
	b->relaxed = relaxed;
}

/* One octet of a line's content. */
static void
boctet(struct arc_body *b, char c, void (*sink)(void *, const char *, size_t),
    void *arg)
{
	if (b->relaxed && wsp(c)) {
		b->wsp = 1;	/* one SP, unless the line ends here */
		return;
	}
	/* Empty lines are kept back until one with content follows. */
	for (; b->empty > 0; b->empty--) {
		bput(b, '\r', sink, arg);
		bput(b, '\n', sink, arg);
	}
	if (b->wsp)
		bput(b, ' ', sink, arg);
	b->wsp = 0;
	bput(b, c, sink, arg);
	b->line++;
}

static void
beol(struct arc_body *b, void (*sink)(void *, const char *, size_t),
    void *arg)
{
	if (b->line == 0)
		b->empty++;
	else {
		bput(b, '\r', sink, arg);
		bput(b, '\n', sink, arg);
	}
	b->line = 0;
	b->wsp = 0;
}

void
arc_body_data(struct arc_body *b, const char *buf, size_t len,
    void (*sink)(void *, const char *, size_t), void *arg)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (b->cr) {
			b->cr = 0;
			if (buf[i] == '\n') {
				beol(b, sink, arg);
				continue;
			}
			boctet(b, '\r', sink, arg);	/* a bare CR */
		}
		if (buf[i] == '\r')
			b->cr = 1;
		else
			boctet(b, buf[i], sink, arg);
	}
	bflush(b, sink, arg);
}

void
arc_body_end(struct arc_body *b, void (*sink)(void *, const char *, size_t),
    void *arg)
{
	if (b->cr) {
		b->cr = 0;
		boctet(b, '\r', sink, arg);
	}
	if (b->line > 0) {		/* a last line without its CRLF */
		bput(b, '\r', sink, arg);
		bput(b, '\n', sink, arg);
	}
	/* simple: an empty body is one CRLF; relaxed: nothing (erratum) */
	if (!b->relaxed && b->len + (long long)b->n == 0) {
		bput(b, '\r', sink, arg);
		bput(b, '\n', sink, arg);
	}
	b->line = b->empty = 0;
	b->wsp = 0;
	bflush(b, sink, arg);
}

/* --- header canonicalization --------------------------------------- */

struct out {
	void	(*sink)(void *, const char *, size_t);
	void	*arg;
	size_t	n;
	char	buf[256];
};

static void
oput(struct out *o, char c)
{
	if (o->n == sizeof(o->buf)) {
		o->sink(o->arg, o->buf, o->n);
		o->n = 0;
	}
	o->buf[o->n++] = c;
}

void
arc_canon_header(const char *raw, size_t len, int relaxed, size_t skip,
    size_t skiplen, void (*sink)(void *, const char *, size_t), void *arg)
{
	struct out o;
	size_t i, j, colon;
	int sp = 0, value = 0;
	char c;

	o.sink = sink;
	o.arg = arg;
	o.n = 0;
	if (!relaxed) {
		if (skiplen == 0 || skip > len || skiplen > len - skip)
			skip = len, skiplen = 0;
		if (skip > 0)
			sink(arg, raw, skip);
		if (len > skip + skiplen)
			sink(arg, raw + skip + skiplen, len - skip - skiplen);
		return;
	}
	for (colon = 0; colon < len && raw[colon] != ':'; colon++)
		;
	/* The name in lower case, without white space before the colon. */
	for (i = colon; i > 0 && wsp(raw[i - 1]); i--)
		;
	for (j = 0; j < i; j++) {
		c = raw[j];
		oput(&o, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
	}
	if (colon < len)
		oput(&o, ':');
	for (i = colon + 1; i < len; i++) {
		if (skiplen > 0 && i == skip) {
			i += skiplen - 1;
			continue;
		}
		if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n') {
			i++;			/* unfolded */
			continue;
		}
		if (wsp(raw[i])) {
			sp = 1;
			continue;
		}
		if (sp && value)
			oput(&o, ' ');
		sp = 0;
		value = 1;
		oput(&o, raw[i]);
	}
	if (o.n > 0)
		sink(arg, o.buf, o.n);
}

/* --- tag-lists and base64 ------------------------------------------ */

int
arc_tags(const char *s, size_t len, struct arc_tag *t, int max)
{
	size_t i = 0, end;
	int n = 0, k;

	for (;;) {
		while (i < len && fws(s[i]))
			i++;
		if (i == len)
			return n;	/* empty, or after a last ';' */
		if (!alpha(s[i]))
			return -1;
		if (n == max)
			return -1;
		t[n].name = s + i;
		while (i < len && (alpha(s[i]) || digit(s[i]) || s[i] == '_'))
			i++;
		t[n].nlen = (size_t)(s + i - t[n].name);
		while (i < len && fws(s[i]))
			i++;
		if (i == len || s[i] != '=')
			return -1;
		i++;
		while (i < len && fws(s[i]))
			i++;
		t[n].val = s + i;
		for (end = i; i < len && s[i] != ';'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (fws(c))
				continue;
			if (c < 0x21 || c > 0x7e)
				return -1;
			end = i + 1;
		}
		t[n].vlen = (size_t)(s + end - t[n].val);
		for (k = 0; k < n; k++)
			if (t[k].nlen == t[n].nlen &&
			    memcmp(t[k].name, t[n].name, t[n].nlen) == 0)
				return -1;
		n++;
		if (i == len)
			return n;
		i++;			/* the ';' */
	}
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
arc_base64(const char *s, size_t len, unsigned char *out, size_t size)
{
	unsigned long acc = 0;
	size_t i, n = 0, pad = 0, chars = 0;
	int v;

	for (i = 0; i < len; i++) {
		if (fws(s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			chars++;
			continue;
		}
		if (pad > 0 || (v = b64val(s[i])) < 0)
			return -1;
		acc = acc << 6 | (unsigned long)v;
		if (++chars % 4 == 0) {
			if (n + 3 > size)
				return -1;
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (chars % 4 != 0 || pad > 2)
		return -1;
	if (pad > 0) {
		/* The last quantum: 4 - pad characters, 3 - pad octets. */
		acc <<= 6 * pad;
		if (n + 3 - pad > size)
			return -1;
		out[n++] = (unsigned char)(acc >> 16);
		if (pad == 1)
			out[n++] = (unsigned char)(acc >> 8);
	}
	return (int)n;
}

/* --- the verifier --------------------------------------------------- */

int
arc_verifier_open(struct arc_verifier *v, const struct arc_keys *k,
    char *why, size_t size)
{
	int i;

	if (v->open)
		return 0;
	if (cryptolib_open(&v->lib, why, size) == -1)
		return -1;
	for (i = 0; i < 3; i++)
		if ((v->md[i] = cryptolib_sha256_new(&v->lib)) == NULL) {
			snprintf(why, size, "libcrypto: no digest context");
			arc_verifier_close(v);
			return -1;
		}
	if (k != NULL)
		v->keys = *k;
	v->open = 1;
	return 0;
}

void
arc_verifier_close(struct arc_verifier *v)
{
	int i;

	for (i = 0; i < 3; i++)
		cryptolib_sha256_free(&v->lib, v->md[i]);
	/* Not dlclose(3): see tlslib_close(). */
	memset(v, 0, sizeof(*v));
}

const char *
arc_res_name(enum arc_res r)
{
	switch (r) {
	case ARC_RES_NONE:
		return "none";
	case ARC_RES_PASS:
		return "pass";
	case ARC_RES_FAIL:
		break;
	}
	return "fail";
}

/*
 * The verdict; nothing more is hashed.  res is PASS until one is given,
 * and the first one given stays (with its reason).
 */
static void
verdict(struct arc_msg *m, enum arc_res r, const char *why)
{
	if (m->res == ARC_RES_PASS) {
		m->res = r;
		m->why = why;
	}
	m->state = ST_SKIP;
}

int
arc_verify_begin(struct arc_msg *m, struct arc_verifier *v)
{
	m->v = v;
	m->state = ST_START;
	m->over = 0;
	m->prev = 0;
	m->narc = m->nfields = 0;
	m->hlen = m->fstart = 0;
	m->inname = 0;
	m->nlen = 0;
	m->hashing[0] = m->hashing[1] = 0;
	m->nkeys = m->lookups = 0;
	m->aar = NULL;
	m->aarlen = 0;
	/* PASS until decided: verdict() keeps the first reason. */
	m->res = ARC_RES_PASS;
	m->why = NULL;
	m->temp = 0;
	m->nsets = m->oldest_pass = 0;
	m->seal_d[0] = m->seal_s[0] = '\0';
	if (v == NULL || !v->open) {
		verdict(m, ARC_RES_FAIL, "verifier not open");
		return -1;
	}
	return 0;
}

static void
store(struct arc_msg *m, char c)
{
	if (m->inname) {
		if (c == ':')
			m->inname = 0;
		else if (m->nlen < sizeof(m->name) - 1)
			m->name[m->nlen++] = c;
	}
	m->prev = (unsigned char)c;
	if (m->over)
		return;
	if (m->hlen == ARC_HEADER_MAX) {
		m->over = 1;
		return;
	}
	m->hdr[m->hlen++] = c;
}

static void
field_start(struct arc_msg *m)
{
	m->fstart = m->hlen;
	m->inname = 1;
	m->nlen = 0;
}

/* A field ended; crlf: its last two octets are the CRLF that ended it. */
static void
field_end(struct arc_msg *m, int crlf)
{
	int kind = K_OTHER, k;
	size_t n = m->nlen;

	while (n > 0 && wsp(m->name[n - 1]))
		n--;
	m->name[n] = '\0';
	for (k = K_AAR; k <= K_AS; k++)
		if (strcasecmp(m->name, kindname[k]) == 0)
			kind = k;
	/* A name over 31 octets is none of them: name is cut. */
	if (m->nlen == sizeof(m->name) - 1)
		kind = K_OTHER;
	if (kind != K_OTHER)
		m->narc++;
	m->inname = 0;
	if (m->over)
		return;
	if (m->nfields == ARC_FIELDS_MAX) {
		m->over = 1;
		return;
	}
	m->field[m->nfields].off = (unsigned int)m->fstart;
	m->field[m->nfields].len = (unsigned int)(m->hlen - m->fstart -
	    (crlf ? 2 : 0));
	m->field[m->nfields].kind = kind;
	m->nfields++;
}

/* A sink that hashes: SHA-256 over what the canonicalizers hand on. */
struct hsink {
	const struct cryptolib *lib;
	EVP_MD_CTX	*md;
	int		err;
};

static void
hsink(void *arg, const char *p, size_t n)
{
	struct hsink *h = arg;

	if (cryptolib_sha256_update(h->lib, h->md, p, n) == -1)
		h->err = 1;
}

static void eoh(struct arc_msg *);

void
arc_verify_data(struct arc_msg *m, const char *buf, size_t len)
{
	struct hsink h;
	size_t i;
	char c;
	int k;

	for (i = 0; i < len && m->state != ST_BODY && m->state != ST_SKIP;
	    i++) {
		c = buf[i];
		switch (m->state) {
		case ST_EOL:
			if (wsp(c)) {
				m->state = ST_LINE;
				store(m, c);
				break;
			}
			field_end(m, 1);
			/* FALLTHROUGH */
		case ST_START:
			if (c == '\r') {
				m->state = ST_BLANKCR;
				break;
			}
			field_start(m);
			m->state = ST_LINE;
			store(m, c);
			break;
		case ST_BLANKCR:
			if (c == '\n') {
				eoh(m);
				break;
			}
			/* A bare CR (not from data.c): part of a field. */
			field_start(m);
			m->state = ST_LINE;
			store(m, '\r');
			/* FALLTHROUGH */
		case ST_LINE:
			if (c == '\n' && m->prev == '\r')
				m->state = ST_EOL;
			store(m, c);
			break;
		}
	}
	if (m->state != ST_BODY || i == len)
		return;
	for (k = 0; k < 2; k++) {
		if (!m->hashing[k])
			continue;
		h.lib = &m->v->lib;
		h.md = m->v->md[k];
		h.err = 0;
		arc_body_data(&m->body[k], buf + i, len - i, hsink, &h);
		if (h.err)
			verdict(m, ARC_RES_FAIL, "libcrypto failed");
	}
}

/* --- the ARC sets ---------------------------------------------------- */

/* Field f's value: what follows its colon. */
static void
field_value(const struct arc_msg *m, int f, const char **v, size_t *len)
{
	const char *p = m->hdr + m->field[f].off;
	size_t n = m->field[f].len, i;

	for (i = 0; i < n && p[i] != ':'; i++)
		;
	if (i < n)
		i++;
	*v = p + i;
	*len = n - i;
}

/* Field f's name, without white space before the colon. */
static void
field_name(const struct arc_msg *m, int f, const char **v, size_t *len)
{
	const char *p = m->hdr + m->field[f].off;
	size_t n = m->field[f].len, i;

	for (i = 0; i < n && p[i] != ':'; i++)
		;
	while (i > 0 && wsp(p[i - 1]))
		i--;
	*v = p;
	*len = i;
}

static int
is(const struct arc_tag *t, const char *s)
{
	return t->val != NULL && t->vlen == strlen(s) &&
	    strncasecmp(t->val, s, t->vlen) == 0;
}

/* An instance, i=: 1*DIGIT; values over 999 are 999 (all over 50). */
static int
instance(const char *s, size_t len, unsigned int *i)
{
	size_t k;

	if (len == 0 || len > 16)
		return -1;
	*i = 0;
	for (k = 0; k < len; k++) {
		if (!digit(s[k]))
			return -1;
		*i = *i * 10 + (unsigned int)(s[k] - '0');
		if (*i > 999)
			*i = 999;
	}
	return *i == 0 ? -1 : 0;
}

/* ARC-Authentication-Results: "i=" instance ";" authserv-id ... */
static int
aar_instance(const char *s, size_t len, unsigned int *i)
{
	size_t k = 0, d;

	while (k < len && fws(s[k]))
		k++;
	if (k == len || s[k++] != 'i')
		return -1;
	while (k < len && fws(s[k]))
		k++;
	if (k == len || s[k++] != '=')
		return -1;
	while (k < len && fws(s[k]))
		k++;
	for (d = k; k < len && digit(s[k]); k++)
		;
	if (instance(s + d, k - d, i) == -1)
		return -1;
	while (k < len && fws(s[k]))
		k++;
	return k < len && s[k] == ';' ? 0 : -1;
}

/* c=: header/body canonicalization, each simple or relaxed. */
static int
canon(const struct arc_tag *c, int *hrel, int *brel)
{
	const char *p = c->val, *slash;
	size_t n = c->vlen, hn;

	*hrel = *brel = 0;	/* RFC 6376: simple/simple by default */
	if (c->val == NULL)
		return 0;
	slash = memchr(p, '/', n);
	hn = slash == NULL ? n : (size_t)(slash - p);
	if (hn == 7 && strncasecmp(p, "relaxed", 7) == 0)
		*hrel = 1;
	else if (!(hn == 6 && strncasecmp(p, "simple", 6) == 0))
		return -1;
	if (slash == NULL)
		return 0;
	p = slash + 1;
	n -= hn + 1;
	if (n == 7 && strncasecmp(p, "relaxed", 7) == 0)
		*brel = 1;
	else if (!(n == 6 && strncasecmp(p, "simple", 6) == 0))
		return -1;
	return 0;
}

/* An ARC-Seal or ARC-Message-Signature's tags; -1 when it is no such. */
static int
parse_sig(const struct arc_msg *m, int f, int kind, struct sig *sg)
{
	struct arc_tag t[TAGS_MAX];
	const char *v;
	size_t len;
	int n, k, hr, br;

	memset(sg, 0, sizeof(*sg));
	sg->field = f;
	field_value(m, f, &v, &len);
	if ((n = arc_tags(v, len, t, TAGS_MAX)) == -1)
		return -1;
	for (k = 0; k < n; k++) {
		struct arc_tag *to = NULL;

		if (t[k].nlen == 1)
			switch (t[k].name[0]) {
			case 'a': to = &sg->a; break;
			case 'b': to = &sg->b; break;
			case 'c': to = &sg->c; break;
			case 'd': to = &sg->d; break;
			case 'h': to = &sg->h; break;
			case 'l': to = &sg->l; break;
			case 's': to = &sg->s; break;
			}
		else if (t[k].nlen == 2 && memcmp(t[k].name, "bh", 2) == 0)
			to = &sg->bh;
		else if (t[k].nlen == 2 && memcmp(t[k].name, "cv", 2) == 0)
			to = &sg->cv;
		if (t[k].nlen == 1 && t[k].name[0] == 'i') {
			if (instance(t[k].val, t[k].vlen, &sg->i) == -1)
				return -1;
			continue;
		}
		if (to != NULL)
			*to = t[k];
	}
	if (sg->i == 0 || sg->a.val == NULL || sg->b.val == NULL ||
	    sg->d.val == NULL || sg->s.val == NULL)
		return -1;
	if (kind == K_AS && (sg->cv.val == NULL || sg->h.val != NULL))
		return -1;	/* RFC 8617 4.1.3: no h= in a seal */
	if (kind == K_AMS && (sg->bh.val == NULL || sg->h.val == NULL ||
	    canon(&sg->c, &hr, &br) == -1))
		return -1;
	sg->bskip = (size_t)(sg->b.val - (m->hdr + m->field[f].off));
	return 0;
}

/*
 * RFC 8617 5.2 steps 1 to 3 on the fields kept: 0 with s filled in,
 * or -1 with why.
 */
static int
parse_sets(const struct arc_msg *m, struct sets *s, const char **why)
{
	struct sig sg;
	const char *v;
	size_t len;
	unsigned int i, f;
	int kind;

	s->n = 0;
	for (i = 0; i <= ARC_SETS_MAX; i++)
		s->aar[i] = s->ams[i].field = s->as[i].field = -1;
	for (f = 0; f < m->nfields; f++) {
		if ((kind = m->field[f].kind) == K_OTHER)
			continue;
		if (kind == K_AAR) {
			field_value(m, (int)f, &v, &len);
			if (aar_instance(v, len, &i) == -1) {
				*why = "an ARC-Authentication-Results without"
				    " i=";
				return -1;
			}
		} else if (parse_sig(m, (int)f, kind, &sg) == -1) {
			*why = kind == K_AS ?
			    "an ARC-Seal that does not parse" :
			    "an ARC-Message-Signature that does not parse";
			return -1;
		} else
			i = sg.i;
		if (i > ARC_SETS_MAX) {
			*why = "more than 50 ARC sets";
			return -1;
		}
		if ((kind == K_AAR && s->aar[i] != -1) ||
		    (kind == K_AMS && s->ams[i].field != -1) ||
		    (kind == K_AS && s->as[i].field != -1)) {
			*why = "two ARC fields of one kind and instance";
			return -1;
		}
		if (kind == K_AAR)
			s->aar[i] = (int)f;
		else if (kind == K_AMS)
			s->ams[i] = sg;
		else
			s->as[i] = sg;
		if (i > s->n)
			s->n = i;
	}
	if (s->as[s->n].field != -1 && is(&s->as[s->n].cv, "fail")) {
		*why = "the newest ARC-Seal says cv=fail";
		return -1;
	}
	for (i = 1; i <= s->n; i++) {
		if (s->aar[i] == -1 || s->ams[i].field == -1 ||
		    s->as[i].field == -1) {
			*why = "ARC sets missing or incomplete";
			return -1;
		}
		if (!is(&s->as[i].cv, i == 1 ? "none" : "pass")) {
			*why = "an ARC-Seal's cv= does not fit its instance";
			return -1;
		}
	}
	return 0;
}

/* Copy what is safe to print in a header: letters, digits, .-_ */
static void
copysafe(char *dst, size_t size, const struct arc_tag *t)
{
	size_t i;

	dst[0] = '\0';
	if (t->val == NULL || t->vlen >= size)
		return;
	for (i = 0; i < t->vlen; i++)
		if (!alpha(t->val[i]) && !digit(t->val[i]) &&
		    strchr(".-_", t->val[i]) == NULL)
			return;
	memcpy(dst, t->val, t->vlen);
	dst[t->vlen] = '\0';
}

/* The header ended: the chain's structure, and the bodies to hash. */
static void
eoh(struct arc_msg *m)
{
	struct sets s;
	const char *why;
	unsigned int i;
	int hr, br, k;

	if (m->narc == 0) {
		verdict(m, ARC_RES_NONE, NULL);
		return;
	}
	if (m->over) {
		verdict(m, ARC_RES_FAIL, "header too large");
		return;
	}
	if (parse_sets(m, &s, &why) == -1) {
		verdict(m, ARC_RES_FAIL, why);
		return;
	}
	m->nsets = s.n;
	copysafe(m->seal_d, sizeof(m->seal_d), &s.as[s.n].d);
	copysafe(m->seal_s, sizeof(m->seal_s), &s.as[s.n].s);
	for (i = 1; i <= s.n; i++)
		if (canon(&s.ams[i].c, &hr, &br) == 0)
			m->hashing[br] = 1;
	for (k = 0; k < 2; k++) {
		if (!m->hashing[k])
			continue;
		arc_body_start(&m->body[k], k);
		if (cryptolib_sha256_start(&m->v->lib, m->v->md[k]) == -1) {
			verdict(m, ARC_RES_FAIL, "libcrypto failed");
			return;
		}
	}
	m->state = ST_BODY;
}

/* --- keys ------------------------------------------------------------ */

/* A key file's record for name: lines of "NAME TXT-TEXT". */
static enum arc_keyres
file_lookup(const char *file, const char *name, char *txt, size_t size)
{
	char line[ARC_TXT_MAX + 512], *sp;
	size_t n;
	FILE *fp;

	if ((fp = fopen(file, "r")) == NULL)
		return ARC_KEY_TEMP;
	while (fgets(line, sizeof(line), fp) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		n = strlen(line);
		if (n > 0 && line[n - 1] == '.')
			line[n - 1] = '\0';
		if (strcasecmp(line, name) == 0) {
			snprintf(txt, size, "%s", sp + 1);
			fclose(fp);
			return ARC_KEY_FOUND;
		}
	}
	fclose(fp);
	return ARC_KEY_NONE;
}

static enum arc_keyres
dns_lookup(const char *name, char *txt, size_t size)
{
	unsigned char msg[ARC_TXT_MAX + 512];
	int len;

	len = res_query(name, C_IN, T_TXT, msg, sizeof(msg));
	if (len < 0)
		return h_errno == HOST_NOT_FOUND || h_errno == NO_DATA ?
		    ARC_KEY_NONE : ARC_KEY_TEMP;
	if (len > (int)sizeof(msg))
		len = (int)sizeof(msg);
	/* dnsbl.c's reader: the first TXT record's strings, joined. */
	if (dnsbl_parse_txt(msg, (size_t)len, txt, size) == -1)
		return ARC_KEY_TEMP;
	return txt[0] == '\0' ? ARC_KEY_NONE : ARC_KEY_FOUND;
}

/* Does the colon-separated list l hold w (case aside)? */
static int
listed(const struct arc_tag *l, const char *w)
{
	const char *p = l->val, *end = l->val + l->vlen, *e;
	size_t n = strlen(w);

	while (p < end) {
		while (p < end && (fws(*p) || *p == ':'))
			p++;
		for (e = p; e < end && *e != ':' && !fws(*e); e++)
			;
		if ((size_t)(e - p) == n && strncasecmp(p, w, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* A key record (RFC 6376 3.6.1) into an RSA key; NULL with why. */
static EVP_PKEY *
parse_key(const struct cryptolib *lib, const char *txt, const char **why)
{
	struct arc_tag t[TAGS_MAX], *v = NULL, *k = NULL, *h = NULL,
	    *s = NULL, *p = NULL;
	unsigned char der[DER_MAX];
	unsigned int bits;
	EVP_PKEY *key;
	int n, i;

	if ((n = arc_tags(txt, strlen(txt), t, TAGS_MAX)) == -1) {
		*why = "key record does not parse";
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (t[i].nlen != 1)
			continue;
		switch (t[i].name[0]) {
		case 'v': v = &t[i]; break;
		case 'k': k = &t[i]; break;
		case 'h': h = &t[i]; break;
		case 's': s = &t[i]; break;
		case 'p': p = &t[i]; break;
		}
	}
	if ((v != NULL && !(v->vlen == 5 && memcmp(v->val, "DKIM1", 5) ==
	    0)) || (k != NULL && !is(k, "rsa")) ||
	    (h != NULL && !listed(h, "sha256")) ||
	    (s != NULL && !listed(s, "email") && !listed(s, "*")) ||
	    p == NULL) {
		*why = "key record unusable (v=, k=, h=, s= or no p=)";
		return NULL;
	}
	if (p->vlen == 0) {
		*why = "key revoked";
		return NULL;
	}
	if ((n = arc_base64(p->val, p->vlen, der, sizeof(der))) <= 0 ||
	    (key = cryptolib_rsa_pubkey(lib, der, (size_t)n, &bits)) ==
	    NULL) {
		*why = "key does not parse";
		return NULL;
	}
	if (bits < ARC_MINKEYBITS) {
		cryptolib_pubkey_free(lib, key);
		*why = "key under 1024 bits";
		return NULL;
	}
	return key;
}

/* A domain name or selector: letters, digits, '-', '_' and '.'. */
static int
nameok(const struct arc_tag *t, size_t max)
{
	size_t i;

	if (t->vlen == 0 || t->vlen > max || t->val[0] == '.')
		return 0;
	for (i = 0; i < t->vlen; i++)
		if (!alpha(t->val[i]) && !digit(t->val[i]) &&
		    strchr("-_.", t->val[i]) == NULL)
			return 0;
	return 1;
}

/* The key sg names, from the cache or looked up; NULL with why, temp. */
static EVP_PKEY *
getkey(struct arc_msg *m, const struct sig *sg, const char **why)
{
	struct arc_verifier *v = m->v;
	struct arc_key *c;
	char name[sizeof(c->name)], txt[ARC_TXT_MAX];
	enum arc_keyres r;
	unsigned int i;

	if (!nameok(&sg->d, 253) || !nameok(&sg->s, 63) ||
	    sg->s.vlen + sizeof("._domainkey.") - 1 + sg->d.vlen > 253) {
		*why = "d= or s= is no domain name";
		return NULL;
	}
	snprintf(name, sizeof(name), "%.*s._domainkey.%.*s",
	    (int)sg->s.vlen, sg->s.val, (int)sg->d.vlen, sg->d.val);
	for (i = 0; i < m->nkeys; i++)
		if (strcasecmp(m->key[i].name, name) == 0)
			break;
	if (i < m->nkeys)
		c = &m->key[i];
	else if (m->lookups == ARC_LOOKUPS_MAX) {
		*why = "too many key lookups";
		return NULL;
	} else {
		m->lookups++;
		/* Full: the last is replaced (keys are used at once). */
		if (m->nkeys < ARC_KEYS_CACHED)
			m->nkeys++;
		c = &m->key[m->nkeys - 1];
		cryptolib_pubkey_free(&v->lib, c->k);
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", name);
		txt[0] = '\0';
		if (v->keys.lookup != NULL)
			r = v->keys.lookup(v->keys.arg, name, txt, sizeof(txt));
		else if (v->keys.file != NULL)
			r = file_lookup(v->keys.file, name, txt, sizeof(txt));
		else
			r = dns_lookup(name, txt, sizeof(txt));
		txt[sizeof(txt) - 1] = '\0';
		if (r == ARC_KEY_TEMP) {
			c->why = "key lookup failed";
			c->temp = 1;
		} else if (r == ARC_KEY_NONE)
			c->why = "no key record";
		else
			c->k = parse_key(&v->lib, txt, &c->why);
	}
	if (c->k == NULL) {
		*why = c->why;
		if (c->temp)
			m->temp = 1;
	}
	return c->k;
}

static void
freekeys(struct arc_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->nkeys; i++) {
		cryptolib_pubkey_free(&m->v->lib, m->key[i].k);
		m->key[i].k = NULL;
	}
	m->nkeys = 0;
}

/* --- signatures ------------------------------------------------------ */

static int
hash_field(struct arc_msg *m, int f, int relaxed, size_t skip,
    size_t skiplen, int crlf)
{
	struct hsink h = { &m->v->lib, m->v->md[2], 0 };

	arc_canon_header(m->hdr + m->field[f].off, m->field[f].len, relaxed,
	    skip, skiplen, hsink, &h);
	if (crlf)
		hsink(&h, "\r\n", 2);
	return h.err ? -1 : 0;
}

/* a=: rsa-sha256 alone; 0, or -1 with why. */
static int
alg(const struct sig *sg, const char **why)
{
	if (is(&sg->a, "rsa-sha256"))
		return 0;
	*why = is(&sg->a, "rsa-sha1") ? "rsa-sha1 (RFC 8301)" :
	    "a= not rsa-sha256";
	return -1;
}

/* The header hash is complete: does sg's b= sign it?  1, or 0 with why. */
static int
signed_by(struct arc_msg *m, const struct sig *sg, const char **why)
{
	unsigned char md[CRYPTO_SHA256_LEN], sig[SIG_MAX];
	EVP_PKEY *k;
	int n;

	if (cryptolib_sha256_final(&m->v->lib, m->v->md[2], md) == -1) {
		*why = "libcrypto failed";
		return 0;
	}
	if ((k = getkey(m, sg, why)) == NULL)
		return 0;
	if ((n = arc_base64(sg->b.val, sg->b.vlen, sig, sizeof(sig))) <= 0) {
		*why = "b= is not base64";
		return 0;
	}
	if (!cryptolib_rsa_verify_sha256(&m->v->lib, k, md, sig, (size_t)n)) {
		*why = "signature did not verify";
		return 0;
	}
	return 1;
}

/* Names in h= are compared as field names are: case aside. */
static int
sameword(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && strncasecmp(a, b, an) == 0;
}

/* ARC-Message-Signature i: 1 it verifies, or 0 with why. */
static int
verify_ams(struct arc_msg *m, const struct sets *s, unsigned int i,
    const char **why)
{
	const struct sig *sg = &s->ams[i];
	const char *name[ARC_HNAMES_MAX], *p, *end, *fn;
	size_t nlen[ARC_HNAMES_MAX], fl;
	unsigned char bh[CRYPTO_SHA256_LEN];
	long long l = 0;
	int hr, br, nn = 0, k, j, seen, f;

	if (alg(sg, why) == -1)
		return 0;
	(void)canon(&sg->c, &hr, &br);	/* checked by parse_sig() */
	if (sg->l.val != NULL) {
		if (sg->l.vlen > 18 || sg->l.vlen == 0) {
			*why = "l= is no length";
			return 0;
		}
		for (fl = 0; fl < sg->l.vlen; fl++) {
			if (!digit(sg->l.val[fl])) {
				*why = "l= is no length";
				return 0;
			}
			l = l * 10 + (sg->l.val[fl] - '0');
		}
		if (l != m->body[br].len) {
			*why = "l= does not cover the body";
			return 0;
		}
	}
	if (arc_base64(sg->bh.val, sg->bh.vlen, bh, sizeof(bh)) !=
	    CRYPTO_SHA256_LEN || memcmp(bh, s->bh[br], sizeof(bh)) != 0) {
		*why = "body hash did not verify";
		return 0;
	}
	for (p = sg->h.val, end = p + sg->h.vlen; p < end; ) {
		while (p < end && fws(*p))
			p++;
		for (fn = p; p < end && *p != ':'; p++)
			;
		for (fl = (size_t)(p - fn); fl > 0 && fws(fn[fl - 1]); fl--)
			;
		if (p < end)
			p++;
		if (fl == 0) {
			*why = "h= does not parse";
			return 0;
		}
		if (nn == ARC_HNAMES_MAX) {
			*why = "h= names too many fields";
			return 0;
		}
		if (sameword(fn, fl, "arc-seal", 8)) {
			*why = "ARC-Message-Signature signs an ARC-Seal";
			return 0;
		}
		name[nn] = fn;
		nlen[nn++] = fl;
	}
	if (cryptolib_sha256_start(&m->v->lib, m->v->md[2]) == -1) {
		*why = "libcrypto failed";
		return 0;
	}
	/* Each name takes the next field of that name from the bottom. */
	for (k = 0; k < nn; k++) {
		for (j = 0, seen = 0; j < k; j++)
			seen += sameword(name[j], nlen[j], name[k], nlen[k]);
		for (f = (int)m->nfields - 1; f >= 0; f--) {
			field_name(m, f, &fn, &fl);
			if (sameword(fn, fl, name[k], nlen[k]) && seen-- == 0)
				break;
		}
		if (f >= 0 && hash_field(m, f, hr, 0, 0, 1) == -1) {
			*why = "libcrypto failed";
			return 0;
		}
	}
	if (hash_field(m, sg->field, hr, sg->bskip, sg->b.vlen, 0) == -1) {
		*why = "libcrypto failed";
		return 0;
	}
	return signed_by(m, sg, why);
}

/* ARC-Seal i, over the sets 1 .. i: 1 it verifies, or 0 with why. */
static int
verify_as(struct arc_msg *m, const struct sets *s, unsigned int i,
    const char **why)
{
	const struct sig *sg = &s->as[i];
	unsigned int j;
	int err = 0;

	if (alg(sg, why) == -1)
		return 0;
	if (cryptolib_sha256_start(&m->v->lib, m->v->md[2]) == -1) {
		*why = "libcrypto failed";
		return 0;
	}
	for (j = 1; j <= i && err == 0; j++) {
		err = hash_field(m, s->aar[j], 1, 0, 0, 1) |
		    hash_field(m, s->ams[j].field, 1, 0, 0, 1);
		if (j < i)
			err |= hash_field(m, s->as[j].field, 1, 0, 0, 1);
	}
	if (err == 0)
		err = hash_field(m, sg->field, 1, sg->bskip, sg->b.vlen, 0);
	if (err != 0) {
		*why = "libcrypto failed";
		return 0;
	}
	return signed_by(m, sg, why);
}

/* RFC 8617 5.2 steps 4 to 7, the body hashed. */
static void
finish(struct arc_msg *m)
{
	struct sets s;
	struct hsink h;
	const char *why = NULL, *older, *p;
	unsigned int i;
	int k;

	for (k = 0; k < 2; k++) {
		if (!m->hashing[k])
			continue;
		h.lib = &m->v->lib;
		h.md = m->v->md[k];
		h.err = 0;
		arc_body_end(&m->body[k], hsink, &h);
		if (h.err || cryptolib_sha256_final(&m->v->lib, m->v->md[k],
		    s.bh[k]) == -1) {
			verdict(m, ARC_RES_FAIL, "libcrypto failed");
			return;
		}
	}
	if (parse_sets(m, &s, &why) == -1) {
		verdict(m, ARC_RES_FAIL, why);	/* eoh() said it would */
		return;
	}
	if (!verify_ams(m, &s, s.n, &why)) {
		verdict(m, ARC_RES_FAIL, why);
		return;
	}
	for (i = s.n; i >= 1; i--)
		if (!verify_as(m, &s, i, &why)) {
			verdict(m, ARC_RES_FAIL, why);
			return;
		}
	/*
	 * Step 5 last: it does not change the verdict (so neither may its
	 * key lookups make it temporary), and may use the lookups that
	 * steps 4 and 6 left.
	 */
	k = m->temp;
	for (i = s.n - 1; i >= 1; i--)
		if (!verify_ams(m, &s, i, &older)) {
			m->oldest_pass = i + 1;
			break;
		}
	m->temp = k;
	field_value(m, s.aar[s.n], &m->aar, &m->aarlen);
	/* After "i=N;": aar_instance() found it there. */
	p = memchr(m->aar, ';', m->aarlen);
	m->aarlen -= (size_t)(p + 1 - m->aar);
	m->aar = p + 1;
	m->res = ARC_RES_PASS;
	m->why = NULL;
}

void
arc_verify_end(struct arc_msg *m)
{
	if (m->state == ST_EOL)
		field_end(m, 1);
	else if (m->state == ST_LINE)
		field_end(m, 0);
	if (m->state != ST_BODY && m->state != ST_SKIP)
		eoh(m);		/* a header without a body */
	if (m->state == ST_BODY)
		finish(m);
	if (m->v != NULL)
		freekeys(m);
	m->state = ST_SKIP;
}
