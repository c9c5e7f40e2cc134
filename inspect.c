/*
 * inspect.c: the checks decided after the end of data (inspect.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hdr.h"
#include "inspect.h"

int
inspect_open(struct inspect *in, const struct conf *c, char *why,
    size_t size)
{
	if (in->open)
		return 0;
	in->conf = c;
	if (spool_open(&in->spool, c->spool_dir, &in->crypto,
	    (off_t)c->max_message_size, why, size) == -1)
		return -1;
	/* a filter's new body may be as large as a message */
	if (c->nmilters > 0 && spool_open(&in->body, c->spool_dir,
	    &in->crypto, (off_t)c->max_message_size, why, size) == -1) {
		spool_close(&in->spool);
		return -1;
	}
	if (c->dkim && dkim_verifier_open(&in->dkimv, NULL, why, size) == -1)
		goto fail;
	if (c->dmarc && dmarc_open(&in->dmarcv, NULL, why, size) == -1)
		goto fail;
	if (c->arc && arc_verifier_open(&in->arcv, NULL, why, size) == -1) {
		dmarc_close(&in->dmarcv);
		goto fail;
	}
	in->open = 1;
	return 0;
fail:
	dkim_verifier_close(&in->dkimv);
	spool_close(&in->body);
	spool_close(&in->spool);
	return -1;
}

/* A filter's change that cannot be kept defers the message. */
static int
changed(struct inspect *in, int ok)
{
	if (!ok)
		in->changes_failed = 1;
	return ok ? 0 : -1;
}

static int
mod_add_header(void *arg, const char *name, const char *value)
{
	struct inspect *in = arg;

	/* milterconn gives the text after the colon, its space included */
	return changed(in, hdredit_add(&in->edit, name, value, 1) ==
	    HDREDIT_OK);
}

static int
mod_insert_header(void *arg, uint32_t index, const char *name,
    const char *value)
{
	struct inspect *in = arg;

	return changed(in, hdredit_insert(&in->edit, index, name, value, 1) ==
	    HDREDIT_OK);
}

static int
mod_change_header(void *arg, uint32_t index, const char *name,
    const char *value)
{
	struct inspect *in = arg;

	return changed(in, hdredit_change(&in->edit, index, name, value, 1) ==
	    HDREDIT_OK);
}

static int
mod_replace_body(void *arg, const char *data, size_t len, int first)
{
	struct inspect *in = arg;

	if (first && (spool_reset(&in->body) != SPOOL_OK ||
	    hdredit_replace_body(&in->edit) != HDREDIT_OK))
		return changed(in, 0);
	return changed(in, spool_write(&in->body, data, len) == SPOOL_OK);
}

/* An address as a filter wrote it, its angle brackets taken off. */
static int
bare_address(const char *addr, char *out, size_t size)
{
	size_t n = strlen(addr);

	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>') {
		addr++;
		n -= 2;
	}
	if (n >= size)
		return -1;
	memcpy(out, addr, n);
	out[n] = '\0';
	return 0;
}

static int
mod_change_from(void *arg, const char *addr, const char *args)
{
	struct inspect *in = arg;

	(void)args;		/* ESMTP arguments of MAIL are samotop's */
	in->from_changed = 1;
	return changed(in, bare_address(addr, in->new_from,
	    sizeof(in->new_from)) == 0);
}

static int
mod_add_rcpt(void *arg, const char *addr, const char *args)
{
	struct inspect *in = arg;

	(void)args;
	if (in->nadd == INSPECT_RCPT_CHANGES)
		return changed(in, 0);
	return changed(in, bare_address(addr, in->add[in->nadd++],
	    sizeof(in->add[0])) == 0);
}

static int
mod_delete_rcpt(void *arg, const char *addr)
{
	struct inspect *in = arg;

	if (in->ndel == INSPECT_RCPT_CHANGES)
		return changed(in, 0);
	return changed(in, bare_address(addr, in->del[in->ndel++],
	    sizeof(in->del[0])) == 0);
}

static int
mod_quarantine(void *arg, const char *reason)
{
	struct inspect *in = arg;

	snprintf(in->quarantine, sizeof(in->quarantine), "milter: %s",
	    reason[0] != '\0' ? reason : "quarantined");
	return 0;
}

const struct milter_mods *
inspect_mods(struct inspect *in)
{
	in->mods.arg = in;
	in->mods.add_header = mod_add_header;
	in->mods.insert_header = mod_insert_header;
	in->mods.change_header = mod_change_header;
	in->mods.replace_body = mod_replace_body;
	in->mods.change_from = mod_change_from;
	in->mods.add_rcpt = mod_add_rcpt;
	in->mods.delete_rcpt = mod_delete_rcpt;
	in->mods.quarantine = mod_quarantine;
	return &in->mods;
}

void
inspect_begin(struct inspect *in, const char *id, struct milter_set *milters)
{
	in->milters = milters;
	in->mfeed = milters != NULL;
	memset(&in->mdec, 0, sizeof(in->mdec));
	in->mdec.verdict = MILTERCONN_CONTINUE;
	in->mdec.filter = -1;
	in->had_marker = 0;
	in->changes_failed = 0;
	in->quarantine[0] = '\0';
	in->from_changed = 0;
	in->nadd = in->ndel = 0;
	in->own = NULL;
	in->ownlen = 0;
	hdredit_init(&in->edit);
	hdrscan_init(&in->scan);
	in->nfrom = 0;
	in->from_addr[0] = '\0';
	in->dmarc_done = 0;
	in->serr = spool_error(&in->spool);
	in->serrno = spool_errno(&in->spool);
	in->dkim_on = in->conf->dkim;
	if (in->dkim_on)
		(void)dkim_verify_begin(&in->dkim, &in->dkimv, id);
	in->arc_on = in->conf->arc;
	if (in->arc_on)
		(void)arc_verify_begin(&in->arc, &in->arcv);
	in->overridden = 0;
}

/* A From: field's mailboxes join the message's. */
static void
from_field(struct inspect *in)
{
	struct hdrfrom_mailbox mb[DMARC_FROM_MAX];
	size_t n, i;

	n = hdrfrom_mailboxes(hdrscan_value(&in->scan), mb, DMARC_FROM_MAX);
	if (in->nfrom == 0 && n == 1)
		memcpy(in->from_addr, mb[0].addr, sizeof(in->from_addr));
	for (i = 0; i < n && i < DMARC_FROM_MAX; i++)
		if (in->nfrom + i < DMARC_FROM_MAX)
			memcpy(in->from[in->nfrom + i], mb[i].domain,
			    sizeof(in->from[0]));
	in->nfrom += n;
}

const char *
inspect_from(const struct inspect *in)
{
	return in->nfrom == 1 ? in->from_addr : "";
}

int
inspect_dkim_aligned(const struct inspect *in)
{
	return in->dmarc_done && (in->dmarc.aligned & DMARC_ALIGN_DKIM) != 0;
}

/* The milters' answer to an event; their first decision stops them. */
static void
milter_answer(struct inspect *in, const struct milter_decision *d)
{
	if (d->verdict == MILTERCONN_CONTINUE)
		return;
	in->mfeed = 0;
	in->mdec = *d;
}

/* A field as SMFIC_HEADER has it: folded lines joined by "\n". */
static void
milter_field(struct inspect *in)
{
	struct milter_decision d;
	const char *v = hdrscan_value(&in->scan), *name;
	char nm[HDRSCAN_FIELD_MAX + 1];
	size_t i, n = 0, nlen;

	name = hdrscan_name(&in->scan, &nlen);
	memcpy(nm, name, nlen);
	nm[nlen] = '\0';
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] != '\r')
			in->mvalue[n++] = v[i];
	in->mvalue[n] = '\0';
	milterconn_header(in->milters, nm, in->mvalue, &d);
	milter_answer(in, &d);
}

/* One event of the header scanner: From: for DMARC, all for milters. */
static void
scanned(struct inspect *in, enum hdrscan_event ev, const char *body,
    size_t blen)
{
	struct milter_decision d;

	if (ev == HDRSCAN_FIELD && hdrscan_is(&in->scan, "From"))
		from_field(in);
	if (ev == HDRSCAN_FIELD && (hdrscan_is(&in->scan, HDREDIT_QUARANTINE) ||
	    hdrscan_is(&in->scan, HDREDIT_SCREENER)))
		in->had_marker = 1;
	if (!in->mfeed)
		return;
	if (ev == HDRSCAN_FIELD)
		milter_field(in);
	else if (ev == HDRSCAN_EOH) {
		milterconn_eoh(in->milters, &d);
		milter_answer(in, &d);
	} else if (ev == HDRSCAN_BODY && blen > 0) {
		milterconn_body(in->milters, body, blen, &d);
		milter_answer(in, &d);
	}
}

static void
scan(struct inspect *in, const char *buf, size_t len)
{
	const char *body;
	size_t used, blen;
	enum hdrscan_event ev;

	while (len > 0) {
		ev = hdrscan_feed(&in->scan, buf, len, &used, &body, &blen);
		/* the body matters to milters only */
		if (ev == HDRSCAN_BODY && !in->mfeed)
			return;
		scanned(in, ev, body, blen);
		buf += used;
		len -= used;
	}
}

static void
scan_finish(struct inspect *in)
{
	const char *body;
	size_t blen;
	enum hdrscan_event ev;

	while ((ev = hdrscan_finish(&in->scan, &body, &blen)) !=
	    HDRSCAN_MORE)
		scanned(in, ev, body, blen);
}

void
inspect_data(struct inspect *in, const char *buf, size_t len)
{
	enum spool_error e;

	if (in->serr == SPOOL_OK && (e = spool_write(&in->spool, buf,
	    len)) != SPOOL_OK) {
		in->serr = e;
		in->serrno = errno;
	}
	if (in->dkim_on)
		dkim_verify_data(&in->dkim, buf, len);
	if (in->arc_on)
		arc_verify_data(&in->arc, buf, len);
	scan(in, buf, len);
}

/* The newest sealer of a passing chain is one the site trusts. */
static int
trusted_sealer(const struct conf *c, const struct inspect_arc *arc)
{
	size_t i;

	if (!arc->done || arc->sealer[0] == '\0')
		return 0;
	for (i = 0; i < c->nsealers; i++)
		if (dmarc_same_domain(arc->sealer, c->arc_sealers[i]))
			return 1;
	return 0;
}

int
inspect_decide(const struct conf *c, const struct dmarc_result *r,
    const struct inspect_arc *arc, struct inspect_outcome *out)
{
	enum check_action a = ACTION_ACCEPT;
	const char *pol = dmarc_policy_name(r->disposition);

	out->verdict = INSPECT_ACCEPT;
	out->check = INSPECT_NONE;
	out->reason[0] = '\0';
	snprintf(out->domain, sizeof(out->domain), "%s", r->from);
	if (r->res == DMARC_RES_TEMPERROR) {
		out->verdict = INSPECT_TEMPFAIL;
		out->check = INSPECT_DMARC;
		snprintf(out->reason, sizeof(out->reason), "dmarc=temperror "
		    "header.from=%s", r->from);
		return 0;
	}
	if (r->res != DMARC_RES_FAIL)
		return 0;
	if (r->disposition == DMARC_POL_REJECT)
		a = c->dmarc_reject;
	else if (r->disposition == DMARC_POL_QUARANTINE)
		a = c->dmarc_quarantine;
	snprintf(out->reason, sizeof(out->reason), "dmarc=fail "
	    "header.from=%s policy=%s", r->from, pol[0] != '\0' ? pol :
	    "none");
	if (a != ACTION_ACCEPT && trusted_sealer(c, arc)) {
		if (arc->res == ARC_RES_PASS) {
			snprintf(out->reason, sizeof(out->reason), "dmarc=fail "
			    "header.from=%s forgiven: arc=pass by trusted "
			    "sealer %s", r->from, arc->sealer);
			return 1;
		}
		if (arc->temp)
			a = ACTION_TEMPFAIL;
	}
	if (a == ACTION_REJECT)
		out->verdict = INSPECT_REJECT;
	else if (a == ACTION_QUARANTINE)
		out->verdict = INSPECT_QUARANTINE;
	else if (a == ACTION_TEMPFAIL)
		out->verdict = INSPECT_TEMPFAIL;
	if (a != ACTION_ACCEPT)
		out->check = INSPECT_DMARC;
	return 0;
}

void
inspect_end(struct inspect *in, const struct inspect_input *inp,
    struct inspect_outcome *out)
{
	struct dmarc_input di;
	struct inspect_arc arc;
	struct milter_decision d;
	const char *from[DMARC_FROM_MAX];
	size_t i;

	memset(out, 0, sizeof(*out));
	scan_finish(in);
	if (in->mfeed) {
		milterconn_eom(in->milters, &d);
		milter_answer(in, &d);
		in->mfeed = 0;
	}
	if (in->dkim_on)
		dkim_verify_end(&in->dkim);
	if (in->arc_on)
		arc_verify_end(&in->arc);
	if (in->serr != SPOOL_OK) {
		out->verdict = INSPECT_LOCAL;
		out->check = INSPECT_SPOOL;
		out->spool_err = in->serr;
		out->spool_errno = in->serrno;
		snprintf(out->reason, sizeof(out->reason), "%s",
		    spool_strerror(in->serr));
		return;
	}
	if (in->mdec.verdict != MILTERCONN_CONTINUE &&
	    in->mdec.verdict != MILTERCONN_ACCEPT) {
		out->milter_decided = 1;
		out->milter = in->mdec;
	}
	if (!in->conf->dmarc || inp->submission)
		return;
	for (i = 0; i < in->nfrom && i < DMARC_FROM_MAX; i++)
		from[i] = in->from[i];
	memset(&di, 0, sizeof(di));
	di.from = from;
	di.nfrom = in->nfrom;
	di.spf = inp->spf;
	di.spf_domain = inp->spf_done ? inp->spf_domain : NULL;
	di.dkim = in->dkim.sig;
	di.ndkim = in->dkim.nsig;
	di.random = inp->random;
	dmarc_evaluate(&in->dmarcv, &di, &in->dmarc);
	in->dmarc_done = 1;
	arc.done = in->arc_on;
	arc.res = in->arc.res;
	arc.temp = in->arc.temp;
	arc.sealer = in->arc.seal_d;
	in->overridden = inspect_decide(in->conf, &in->dmarc, &arc, out);
}

void
inspect_abort(struct inspect *in)
{
	in->mfeed = 0;
	if (in->arc_on) {
		arc_verify_end(&in->arc);
		in->arc_on = 0;
	}
	if (in->dkim_on) {
		dkim_verify_end(&in->dkim);
		in->dkim_on = 0;
	}
	(void)spool_reset(&in->spool);
}

/* Append to buf[0..n); the result may pass size: then it did not fit. */
static size_t
add(char *buf, size_t size, size_t n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n >= size)
		return n;
	va_start(ap, fmt);
	w = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return w < 0 ? size : n + (size_t)w;
}

size_t
inspect_authres(const struct inspect *in, int notrace, char *buf,
    size_t size)
{
	const struct dkim_sigres *sig;
	char d[300], pol[40];
	size_t n = 0;
	unsigned i;

	if (size > 0)
		buf[0] = '\0';
	for (i = 0; in->conf->dkim && i < in->dkim.nsig; i++) {
		sig = &in->dkim.sig[i];
		n = add(buf, size, n, ";\r\n\tdkim=%s%s",
		    dkim_res_name(sig->res), sig->partial ?
		    " (body length limit: part unsigned)" : "");
		if (notrace || sig->domain[0] == '\0')
			continue;
		n = add(buf, size, n, " header.d=%s header.s=%s",
		    sig->domain, sig->selector);
		if (sig->b[0] != '\0')
			n = add(buf, size, n, " header.b=%s", sig->b);
	}
	hdr_safe(d, sizeof(d), in->arc_on ? in->arc.seal_d : "", HDR_DOMAIN);
	if (in->arc_on && in->arc.res != ARC_RES_NONE && !notrace &&
	    d[0] != '\0')
		n = add(buf, size, n, ";\r\n\tarc=%s (i=%u sealer %s)",
		    arc_res_name(in->arc.res), in->arc.nsets, d);
	else if (in->arc_on)
		n = add(buf, size, n, ";\r\n\tarc=%s",
		    arc_res_name(in->arc.res));
	if (in->dmarc_done) {
		snprintf(pol, sizeof(pol), " (p=%s dis=%s)",
		    dmarc_policy_name(in->dmarc.applied)[0] != '\0' ?
		    dmarc_policy_name(in->dmarc.applied) : "none",
		    dmarc_policy_name(in->dmarc.disposition)[0] != '\0' ?
		    dmarc_policy_name(in->dmarc.disposition) : "none");
		hdr_safe(d, sizeof(d), notrace ? "" : in->dmarc.from,
		    HDR_DOMAIN);
		n = add(buf, size, n, ";\r\n\tdmarc=%s%s",
		    dmarc_res_name(in->dmarc.res), in->dmarc.res ==
		    DMARC_RES_NONE ? "" : pol);
		if (d[0] != '\0')
			n = add(buf, size, n, " header.from=%s", d);
		if (in->overridden)
			n = add(buf, size, n, " (forgiven: a trusted ARC "
			    "sealer)");
	}
	if (n >= size) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	return n;
}

/* Read the spool s from its start, each piece to fn. */
static int
read_all(struct spool *s, int (*fn)(void *, const char *, size_t),
    void *arg, enum spool_error *serr)
{
	char buf[16 * 1024];
	ssize_t n;
	int rc = 0;

	if ((*serr = spool_rewind(s)) != SPOOL_OK)
		rc = -1;
	while (rc == 0 && (n = spool_read(s, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			*serr = spool_error(s);
			rc = -1;
		} else if (fn(arg, buf, (size_t)n) == -1)
			rc = -1;
	}
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int
scan_piece(void *arg, const char *buf, size_t len)
{
	struct inspect *in = arg;

	return hdredit_scan(&in->edit, buf, len) == HDREDIT_OK ? 0 : -1;
}

/* Whether the message goes out otherwise than it came (hdredit). */
static int
edited(const struct inspect *in)
{
	return hdredit_active(&in->edit);
}

int
inspect_prepare(struct inspect *in, const char *own, size_t ownlen,
    enum spool_error *serr, enum hdredit_error *herr)
{
	*serr = SPOOL_OK;
	*herr = HDREDIT_OK;
	in->own = own;
	in->ownlen = ownlen;
	/* only samotop's own quarantine field may reach samotop-maildir */
	if (in->had_marker)
		*herr = hdredit_strip(&in->edit);
	if (*herr != HDREDIT_OK || !edited(in))
		return *herr != HDREDIT_OK ? -1 : 0;
	if ((*herr = hdredit_own(&in->edit, own, ownlen)) != HDREDIT_OK)
		return -1;
	if (read_all(&in->spool, scan_piece, in, serr) == -1 ||
	    (*herr = hdredit_scan_end(&in->edit)) != HDREDIT_OK) {
		if (*serr == SPOOL_OK)
			*herr = in->edit.error;
		return -1;
	}
	return 0;
}

struct sink {
	int	(*write)(void *, const char *, size_t);
	void	*arg;
	struct inspect *in;
};

static int
edit_piece(void *arg, const char *buf, size_t len)
{
	struct sink *k = arg;

	return hdredit_write(&k->in->edit, buf, len, k->write, k->arg) ==
	    HDREDIT_OK ? 0 : -1;
}

int
inspect_replay(struct inspect *in, int (*write)(void *, const char *,
    size_t), void *arg, enum spool_error *serr, enum hdredit_error *herr)
{
	struct sink k = { write, arg, in };

	*serr = SPOOL_OK;
	*herr = HDREDIT_OK;
	if (!edited(in))
		return write(arg, in->own, in->ownlen) == -1 ? -1 :
		    read_all(&in->spool, write, arg, serr);
	/* the second replay of a signed message starts the edit over */
	if ((*herr = hdredit_write_again(&in->edit)) != HDREDIT_OK)
		return -1;
	if (read_all(&in->spool, edit_piece, &k, serr) == -1 ||
	    (*herr = hdredit_write_end(&in->edit, write, arg)) !=
	    HDREDIT_OK) {
		if (*serr == SPOOL_OK)
			*herr = in->edit.error;
		return -1;
	}
	if (in->edit.body_replaced)
		return read_all(&in->body, write, arg, serr);
	return 0;
}

static int
sign_piece(void *arg, const char *buf, size_t len)
{
	dkims_data(arg, buf, len);
	return 0;
}

int
inspect_sign(struct inspect *in, const char *id, char *out, size_t size,
    size_t *len, struct dkims_failure *f, enum spool_error *serr,
    enum hdredit_error *herr)
{
	char domain[HDRFROM_DOMAIN_MAX + 1];
	size_t i;
	int rc;

	*len = 0;
	*serr = SPOOL_OK;
	*herr = HDREDIT_OK;
	memset(f, 0, sizeof(*f));
	if (in->nfrom != 1 || in->from[0][0] == '\0')
		return 0;
	for (i = 0; in->from[0][i] != '\0'; i++)
		domain[i] = in->from[0][i] >= 'A' && in->from[0][i] <= 'Z' ?
		    in->from[0][i] - 'A' + 'a' : in->from[0][i];
	domain[i] = '\0';
	if (dkims_keys_for(in->conf, domain) == 0)
		return 0;
	if (dkims_open(&in->signer, in->conf, f) == -1 ||
	    (rc = dkims_begin(&in->sign, &in->signer, domain, id, f)) == -1)
		return -1;
	if (inspect_replay(in, sign_piece, &in->sign, serr, herr) == -1) {
		dkims_abort(&in->sign);
		return -1;
	}
	if (dkims_end(&in->sign, out, size, len, f) == -1)
		return -1;
	return rc;
}

void
inspect_done(struct inspect *in)
{
	(void)spool_reset(&in->spool);
	if (in->conf->nmilters > 0)
		(void)spool_reset(&in->body);
}

void
inspect_close(struct inspect *in)
{
	if (!in->open)
		return;
	if (in->dkim_on)
		dkim_verify_end(&in->dkim);
	if (in->arc_on)
		arc_verify_end(&in->arc);
	arc_verifier_close(&in->arcv);
	dkim_verifier_close(&in->dkimv);
	dkims_abort(&in->sign);
	dkims_close(&in->signer);
	dmarc_close(&in->dmarcv);
	spool_close(&in->body);
	spool_close(&in->spool);
	in->open = 0;
}
