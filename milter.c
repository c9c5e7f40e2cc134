/*
 * milter.c: the milter protocol codec (milter.h).  The constants are
 * Sendmail's (libmilter's mfdef.h), as Postfix's milter8.c uses them.
 */
#include <stdio.h>
#include <string.h>

#include "milter.h"

/* A packet being written: buf[0..size), pos octets so far, 0 on overflow. */
struct pkt {
	char	*buf;
	size_t	 size;
	size_t	 pos;
	int	 over;
};

static void
put(struct pkt *k, const void *p, size_t len)
{
	if (k->over || len > k->size - k->pos) {
		k->over = 1;
		return;
	}
	memcpy(k->buf + k->pos, p, len);
	k->pos += len;
}

static void
put32(struct pkt *k, uint32_t v)
{
	unsigned char b[4];

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
	put(k, b, 4);
}

static void
putstr(struct pkt *k, const char *s)
{
	put(k, s, strlen(s) + 1);
}

/* Start a packet of command cmd: its length is filled in by end(). */
static void
begin(struct pkt *k, char *buf, size_t size, int cmd)
{
	char c = (char)cmd;

	k->buf = buf;
	k->size = size;
	k->pos = 0;
	k->over = 0;
	put32(k, 0);
	put(k, &c, 1);
}

static size_t
end(struct pkt *k)
{
	uint32_t n;

	if (k->over || k->pos - 4 > UINT32_MAX)
		return 0;
	n = (uint32_t)(k->pos - 4);
	k->buf[0] = (char)(n >> 24);
	k->buf[1] = (char)(n >> 16);
	k->buf[2] = (char)(n >> 8);
	k->buf[3] = (char)n;
	return k->pos;
}

size_t
milter_enc_optneg(char *buf, size_t size, uint32_t version,
    uint32_t actions, uint32_t protocol)
{
	struct pkt k;

	begin(&k, buf, size, SMFIC_OPTNEG);
	put32(&k, version);
	put32(&k, actions);
	put32(&k, protocol);
	return end(&k);
}

size_t
milter_enc_macro(char *buf, size_t size, int cmd, const char *const *nv,
    size_t npairs)
{
	struct pkt k;
	char c = (char)cmd;
	size_t i;

	begin(&k, buf, size, SMFIC_MACRO);
	put(&k, &c, 1);
	for (i = 0; i < 2 * npairs; i++)
		putstr(&k, nv[i]);
	return end(&k);
}

size_t
milter_enc_connect(char *buf, size_t size, const char *host, int family,
    unsigned port, const char *addr)
{
	struct pkt k;
	unsigned char b[2];
	char f = (char)family;

	if (family != SMFIA_UNKNOWN && family != SMFIA_UNIX &&
	    family != SMFIA_INET && family != SMFIA_INET6)
		return 0;
	if (port > 65535)
		return 0;
	begin(&k, buf, size, SMFIC_CONNECT);
	putstr(&k, host);
	put(&k, &f, 1);
	if (family != SMFIA_UNKNOWN) {
		b[0] = port >> 8;
		b[1] = port;
		put(&k, b, 2);
		putstr(&k, addr);
	}
	return end(&k);
}

size_t
milter_enc_helo(char *buf, size_t size, const char *name)
{
	struct pkt k;

	begin(&k, buf, size, SMFIC_HELO);
	putstr(&k, name);
	return end(&k);
}

static size_t
envelope(char *buf, size_t size, int cmd, const char *addr,
    const char *const *args, size_t nargs)
{
	struct pkt k;
	size_t i;

	begin(&k, buf, size, cmd);
	put(&k, "<", 1);
	put(&k, addr, strlen(addr));
	put(&k, ">", 2);	/* with its NUL */
	for (i = 0; i < nargs; i++)
		putstr(&k, args[i]);
	return end(&k);
}

size_t
milter_enc_mail(char *buf, size_t size, const char *addr,
    const char *const *args, size_t nargs)
{
	return envelope(buf, size, SMFIC_MAIL, addr, args, nargs);
}

size_t
milter_enc_rcpt(char *buf, size_t size, const char *addr,
    const char *const *args, size_t nargs)
{
	return envelope(buf, size, SMFIC_RCPT, addr, args, nargs);
}

size_t
milter_enc_unknown(char *buf, size_t size, const char *line)
{
	struct pkt k;

	begin(&k, buf, size, SMFIC_UNKNOWN);
	putstr(&k, line);
	return end(&k);
}

size_t
milter_enc_header(char *buf, size_t size, const char *name,
    const char *value)
{
	struct pkt k;

	begin(&k, buf, size, SMFIC_HEADER);
	putstr(&k, name);
	putstr(&k, value);
	return end(&k);
}

size_t
milter_enc_body(char *buf, size_t size, const void *data, size_t len)
{
	struct pkt k;

	if (len > MILTER_CHUNK_MAX)
		return 0;
	begin(&k, buf, size, SMFIC_BODY);
	put(&k, data, len);
	return end(&k);
}

size_t
milter_enc_empty(char *buf, size_t size, int cmd)
{
	struct pkt k;

	switch (cmd) {
	case SMFIC_DATA:
	case SMFIC_EOH:
	case SMFIC_BODYEOB:
	case SMFIC_ABORT:
	case SMFIC_QUIT:
	case SMFIC_QUIT_NC:
		break;
	default:
		return 0;
	}
	begin(&k, buf, size, cmd);
	return end(&k);
}

/* --- parsing the filter's packets --- */

void
milter_parser_init(struct milter_parser *p)
{
	p->bad = 0;
	p->have = 0;
	p->len = 0;
	p->error = NULL;
}

static uint32_t
get32(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

/* Reading a packet's data: d[pos..len). */
struct rd {
	char	*d;
	size_t	 len;
	size_t	 pos;
};

/* The next NUL-terminated string, or NULL when there is no NUL. */
static char *
getstr(struct rd *r)
{
	char *s = r->d + r->pos, *nul;

	if (r->pos >= r->len ||
	    (nul = memchr(s, '\0', r->len - r->pos)) == NULL)
		return NULL;
	r->pos += (size_t)(nul - s) + 1;
	return s;
}

static int
getu32(struct rd *r, uint32_t *v)
{
	if (r->len - r->pos < 4)
		return -1;
	*v = get32(r->d + r->pos);
	r->pos += 4;
	return 0;
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* 1 to 3 digits at *s; advances *s past them. */
static int
digits(const char **s)
{
	int n = 0;

	while (isdig(**s) && n < 4) {
		(*s)++;
		n++;
	}
	return n >= 1 && n <= 3;
}

/*
 * One line of a filter's SMTP reply, s[0..len), the code code (the
 * first line's) or 0 to take it from this line; last says whether it
 * must be the final line (DDD SP or DDD alone) or a continuation (DDD-).
 * Returns its code or -1.
 */
static int
reply_line(const char *s, size_t len, int code, int last)
{
	const char *p, *e = s + len;
	size_t i;
	int c;

	if (len < 3 || (s[0] != '4' && s[0] != '5') || !isdig(s[1]) ||
	    !isdig(s[2]))
		return -1;
	c = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (code != 0 && c != code)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	if (len == 3)
		return last ? c : -1;
	if (s[3] != (last ? ' ' : '-'))
		return -1;
	/*
	 * An enhanced status code (RFC 3463), when the text starts with
	 * one, is of the reply's class: a 4xx with 5.x.x says two things.
	 * Text that merely starts with a digit is text.
	 */
	p = s + 4;
	if (p + 1 < e && isdig(*p) && p[1] == '.') {
		p += 2;
		if (digits(&p) && p < e && *p++ == '.' && digits(&p) &&
		    (p == e || *p == ' ') && s[4] != s[0])
			return -1;
	}
	return c;
}

/*
 * A REPLYCODE's text t (NUL-terminated, in the packet): every line
 * checked, then "%%" made "%" and a lone "%" dropped, as Postfix does
 * (Sendmail takes the text as a format string).  Returns the code or -1.
 */
static int
replycode(char *t)
{
	char *line = t, *crlf, *w;
	int code = 0, c;
	const char *r;

	for (;;) {
		crlf = strstr(line, "\r\n");
		c = reply_line(line, crlf ? (size_t)(crlf - line) :
		    strlen(line), code, crlf == NULL);
		if (c < 0)
			return -1;
		code = c;
		if (crlf == NULL)
			break;
		line = crlf + 2;
	}
	for (r = w = t; *r != '\0'; r++) {
		if (*r == '%') {
			if (r[1] != '%')
				continue;
			r++;
		}
		*w++ = *r;
	}
	*w = '\0';
	return code;
}

static enum milter_status
bad(struct milter_parser *p, const char *why)
{
	p->bad = 1;
	p->error = why;
	return MILTER_BAD;
}

/* The packet in p->buf (p->len octets after the length) into *r. */
static enum milter_status
decode(struct milter_parser *p, struct milter_reply *r)
{
	struct rd d;
	uint32_t stage;
	char *s;

	memset(r, 0, sizeof(*r));
	r->cmd = (unsigned char)p->buf[4];
	d.d = p->buf + 5;
	d.len = p->len - 1;
	d.pos = 0;
	/* a NUL after the data: a body chunk is a string too */
	d.d[d.len] = '\0';
	switch (r->cmd) {
	case SMFIR_ACCEPT:
	case SMFIR_CONTINUE:
	case SMFIR_DISCARD:
	case SMFIR_CONN_FAIL:
	case SMFIR_PROGRESS:
	case SMFIR_REJECT:
	case SMFIR_SHUTDOWN:
	case SMFIR_SKIP:
	case SMFIR_TEMPFAIL:
		if (d.len != 0)
			return bad(p, "data after a reply that has none");
		return MILTER_PACKET;
	case SMFIR_REPLYCODE:
		if ((s = getstr(&d)) == NULL)
			return bad(p, "REPLYCODE without its NUL");
		r->text = s;
		if ((r->code = replycode(s)) < 0)
			return bad(p, "REPLYCODE is not a 4xx or 5xx "
			    "SMTP reply");
		break;
	case SMFIR_QUARANTINE:
		if ((r->text = getstr(&d)) == NULL)
			return bad(p, "QUARANTINE without its NUL");
		break;
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (r->cmd != SMFIR_ADDHEADER && getu32(&d, &r->index) < 0)
			return bad(p, "header change without its index");
		if ((r->name = getstr(&d)) == NULL ||
		    (r->value = getstr(&d)) == NULL)
			return bad(p, "header change without its NULs");
		if (*r->name == '\0')
			return bad(p, "header change with an empty name");
		break;
	case SMFIR_ADDRCPT:
	case SMFIR_DELRCPT:
		if ((r->addr = getstr(&d)) == NULL)
			return bad(p, "recipient without its NUL");
		/* "", inside the packet as every field */
		r->args = r->addr + strlen(r->addr);
		break;
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_CHGFROM:
		if ((r->addr = getstr(&d)) == NULL)
			return bad(p, "address without its NUL");
		r->args = r->addr + strlen(r->addr);
		if (d.pos < d.len && (r->args = getstr(&d)) == NULL)
			return bad(p, "ESMTP arguments without their NUL");
		break;
	case SMFIR_REPLBODY:
		r->body = d.d;
		r->bodylen = d.len;
		d.pos = d.len;
		break;
	case SMFIR_SETSYMLIST:
		if (getu32(&d, &r->stage) < 0 || r->stage >= MILTER_STAGES)
			return bad(p, "SETSYMLIST without a known stage");
		if ((r->macros[r->stage] = getstr(&d)) == NULL)
			return bad(p, "SETSYMLIST without its NUL");
		break;
	case SMFIC_OPTNEG:
		if (getu32(&d, &r->version) < 0 ||
		    getu32(&d, &r->actions) < 0 ||
		    getu32(&d, &r->protocol) < 0)
			return bad(p, "OPTNEG shorter than 12 octets");
		while (d.pos < d.len) {
			if (getu32(&d, &stage) < 0 ||
			    (s = getstr(&d)) == NULL)
				return bad(p, "OPTNEG macro list cut short");
			/* an unknown stage is ignored, as Postfix does */
			if (stage < MILTER_STAGES)
				r->macros[stage] = s;
		}
		break;
	default:
		return bad(p, "unknown reply command");
	}
	if (d.pos != d.len)
		return bad(p, "data after the last field of a reply");
	return MILTER_PACKET;
}

enum milter_status
milter_parse(struct milter_parser *p, const char *in, size_t len,
    size_t *used, struct milter_reply *r)
{
	size_t n, want;

	*used = 0;
	if (p->bad)
		return MILTER_BAD;
	while (*used < len) {
		want = p->have < 4 ? 4 : 4 + (size_t)p->len;
		n = want - p->have;
		if (n > len - *used)
			n = len - *used;
		memcpy(p->buf + p->have, in + *used, n);
		p->have += n;
		*used += n;
		if (p->have < want)
			return MILTER_MORE;
		if (want == 4) {
			p->len = get32(p->buf);
			if (p->len == 0)
				return bad(p, "empty packet");
			if (p->len > MILTER_PACKET_MAX)
				return bad(p, "packet longer than 65536 "
				    "octets");
			continue;
		}
		p->have = 0;
		return decode(p, r);
	}
	return MILTER_MORE;
}

/* --- what was negotiated --- */

int
milter_negotiate(const struct milter_reply *r, uint32_t actions,
    uint32_t protocol, struct milter_neg *n, const char **err)
{
	if (r->cmd != SMFIC_OPTNEG) {
		*err = "the filter did not answer OPTNEG with OPTNEG";
		return -1;
	}
	if (r->version < 2 || r->version > MILTER_VERSION) {
		*err = "the filter's protocol version is not 2 to 6";
		return -1;
	}
	if ((r->actions & ~actions) != 0) {
		*err = "the filter wants actions that were not offered";
		return -1;
	}
	n->version = r->version;
	n->actions = r->actions;
	/*
	 * Steps it wants left out or unanswered are honoured even when not
	 * offered, as Postfix does: waiting for a reply it will not send
	 * would only end in a timeout.
	 */
	n->protocol = r->protocol;
	n->offered = protocol;
	return 0;
}

/* The events a filter may ask to be spared, or not to answer. */
static const struct {
	int		cmd;
	uint32_t	no;	/* don't send it */
	uint32_t	nr;	/* send it, expect no reply */
} steps[] = {
	{ SMFIC_CONNECT, SMFIP_NOCONNECT, SMFIP_NR_CONN },
	{ SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO },
	{ SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL },
	{ SMFIC_RCPT, SMFIP_NORCPT, SMFIP_NR_RCPT },
	{ SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA },
	{ SMFIC_HEADER, SMFIP_NOHDRS, SMFIP_NR_HDR },
	{ SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH },
	{ SMFIC_BODY, SMFIP_NOBODY, SMFIP_NR_BODY },
	{ SMFIC_UNKNOWN, SMFIP_NOUNKNOWN, SMFIP_NR_UNKN },
};

/* The SMFIP_NO* and SMFIP_NR_* bits of an event, -1 when it has none. */
static int
bits(int cmd, uint32_t *no, uint32_t *nr)
{
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].cmd == cmd) {
			*no = steps[i].no;
			*nr = steps[i].nr;
			return 0;
		}
	return -1;
}

int
milter_sends(const struct milter_neg *n, int cmd)
{
	uint32_t no, nr;

	/* DATA came with version 4, UNKNOWN with version 3 */
	if ((cmd == SMFIC_DATA && n->version < 4) ||
	    (cmd == SMFIC_UNKNOWN && n->version < 3))
		return 0;
	if (bits(cmd, &no, &nr) < 0)
		return 1;
	return (n->protocol & no) == 0;
}

int
milter_replies(const struct milter_neg *n, int cmd)
{
	uint32_t no, nr;

	switch (cmd) {
	case SMFIC_MACRO:
	case SMFIC_ABORT:
	case SMFIC_QUIT:
	case SMFIC_QUIT_NC:
		return 0;
	}
	if (bits(cmd, &no, &nr) < 0)
		return 1;
	return (n->protocol & nr) == 0;
}

const char *
milter_allowed(const struct milter_neg *n, int cmd,
    const struct milter_reply *r)
{
	uint32_t need;

	switch (r->cmd) {
	case SMFIR_CONTINUE:
	case SMFIR_ACCEPT:
	case SMFIR_REJECT:
	case SMFIR_TEMPFAIL:
	case SMFIR_REPLYCODE:
	case SMFIR_PROGRESS:
	case SMFIR_SHUTDOWN:
	case SMFIR_CONN_FAIL:
		return cmd == SMFIC_OPTNEG ? "a decision in reply to OPTNEG"
		    : NULL;
	case SMFIR_DISCARD:
		return cmd == SMFIC_CONNECT || cmd == SMFIC_HELO ||
		    cmd == SMFIC_OPTNEG ? "DISCARD before a message" : NULL;
	case SMFIR_SKIP:
		if (cmd != SMFIC_BODY)
			return "SKIP after another event than BODY";
		return n->offered & SMFIP_SKIP ? NULL : "SKIP not offered";
	case SMFIC_OPTNEG:
		return cmd == SMFIC_OPTNEG ? NULL : "OPTNEG out of place";
	case SMFIR_SETSYMLIST:
		return "SETSYMLIST out of place";
	case SMFIR_ADDHEADER:
		need = SMFIF_ADDHDRS;
		break;
	case SMFIR_INSHEADER:
		need = SMFIF_ADDHDRS;
		break;
	case SMFIR_CHGHEADER:
		need = SMFIF_CHGHDRS;
		break;
	case SMFIR_ADDRCPT:
		need = SMFIF_ADDRCPT;
		break;
	case SMFIR_ADDRCPT_PAR:
		need = SMFIF_ADDRCPT_PAR;
		break;
	case SMFIR_DELRCPT:
		need = SMFIF_DELRCPT;
		break;
	case SMFIR_CHGFROM:
		need = SMFIF_CHGFROM;
		break;
	case SMFIR_REPLBODY:
		need = SMFIF_CHGBODY;
		break;
	case SMFIR_QUARANTINE:
		need = SMFIF_QUARANTINE;
		break;
	default:
		return "unknown reply";
	}
	if (cmd != SMFIC_BODYEOB)
		return "a modification before the end of the message";
	if ((n->actions & need) == 0)
		return "a modification that was not negotiated";
	return NULL;
}

int
milter_final(const struct milter_reply *r)
{
	switch (r->cmd) {
	case SMFIR_CONTINUE:
	case SMFIR_ACCEPT:
	case SMFIR_REJECT:
	case SMFIR_TEMPFAIL:
	case SMFIR_DISCARD:
	case SMFIR_REPLYCODE:
	case SMFIR_SKIP:
	case SMFIR_SHUTDOWN:
	case SMFIR_CONN_FAIL:
	case SMFIC_OPTNEG:
		return 1;
	}
	return 0;
}

const char *
milter_header_value(const struct milter_neg *n, const char *text)
{
	if ((n->protocol & SMFIP_HDR_LEADSPC) == 0 && *text == ' ')
		text++;
	return text;
}

/* --- one line for logs and tests --- */

struct out {
	char	*buf;
	size_t	 size;
	size_t	 pos;
};

static void
outc(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos++] = c;
}

/* s[0..len), each octet outside printable ASCII as \\r, \\n or \\xNN,
 * an escape never cut in half at the end of the buffer. */
static void
outs(struct out *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	char e[4];
	size_t i, n, k;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		n = 0;
		if (c >= 0x20 && c < 0x7f && c != '\\')
			e[n++] = (char)c;
		else {
			e[n++] = '\\';
			if (c == '\\' || c == '\r' || c == '\n')
				e[n++] = c == '\r' ? 'r' : c == '\n' ? 'n' : '\\';
			else {
				e[n++] = 'x';
				e[n++] = hex[c >> 4];
				e[n++] = hex[c & 15];
			}
		}
		if (o->pos + n >= o->size)
			break;
		for (k = 0; k < n; k++)
			outc(o, e[k]);
	}
}

static void
outz(struct out *o, const char *s)
{
	outs(o, s, strlen(s));
}

static void
outf(struct out *o, const char *fmt, unsigned long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), fmt, v);
	outz(o, tmp);
}

/* The name of each reply in milter_reply_text(). */
static const struct {
	int		 cmd;
	const char	*name;
} names[] = {
	{ SMFIR_CONTINUE, "continue" }, { SMFIR_ACCEPT, "accept" },
	{ SMFIR_REJECT, "reject" }, { SMFIR_TEMPFAIL, "tempfail" },
	{ SMFIR_DISCARD, "discard" }, { SMFIR_PROGRESS, "progress" },
	{ SMFIR_SKIP, "skip" }, { SMFIR_SHUTDOWN, "shutdown" },
	{ SMFIR_CONN_FAIL, "connfail" }, { SMFIR_REPLYCODE, "replycode" },
	{ SMFIR_QUARANTINE, "quarantine" }, { SMFIR_ADDHEADER, "addheader" },
	{ SMFIR_INSHEADER, "insheader" }, { SMFIR_CHGHEADER, "chgheader" },
	{ SMFIR_ADDRCPT, "addrcpt" }, { SMFIR_DELRCPT, "delrcpt" },
	{ SMFIR_ADDRCPT_PAR, "addrcpt_par" }, { SMFIR_CHGFROM, "chgfrom" },
	{ SMFIR_REPLBODY, "replbody" }, { SMFIR_SETSYMLIST, "setsymlist" },
	{ SMFIC_OPTNEG, "optneg" },
};

void
milter_reply_text(const struct milter_reply *r, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	size_t i;

	if (size == 0)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].cmd == r->cmd)
			break;
	outz(&o, i < sizeof(names) / sizeof(names[0]) ? names[i].name :
	    "unknown");
	switch (r->cmd) {
	case SMFIR_REPLYCODE:
	case SMFIR_QUARANTINE:
		outz(&o, " ");
		outz(&o, r->text);
		break;
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (r->cmd != SMFIR_ADDHEADER)
			outf(&o, " %lu", r->index);
		outz(&o, " ");
		outz(&o, r->name);
		outz(&o, ":");
		outz(&o, r->value);
		break;
	case SMFIR_ADDRCPT:
	case SMFIR_DELRCPT:
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_CHGFROM:
		outz(&o, " ");
		outz(&o, r->addr);
		if (*r->args != '\0') {
			outz(&o, " ");
			outz(&o, r->args);
		}
		break;
	case SMFIR_REPLBODY:
		outf(&o, " %lu ", r->bodylen);
		outs(&o, r->body, r->bodylen);
		break;
	case SMFIR_SETSYMLIST:
		outf(&o, " %lu ", r->stage);
		outz(&o, r->macros[r->stage]);
		break;
	case SMFIC_OPTNEG:
		outf(&o, " version %lu", r->version);
		outf(&o, " actions 0x%lx", r->actions);
		outf(&o, " protocol 0x%lx", r->protocol);
		for (i = 0; i < MILTER_STAGES; i++)
			if (r->macros[i] != NULL) {
				outf(&o, " macros %lu ", (unsigned long)i);
				outz(&o, r->macros[i]);
			}
		break;
	}
	o.buf[o.pos] = '\0';
}
