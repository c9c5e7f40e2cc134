/*
 * spf.c: SPF (RFC 7208) with libspf2, and the pure helpers that make what
 * it returns safe to use.  libspf2 is called through spflib.h: loaded
 * with dlopen(3) at the first check, so that the system's copy, with its
 * security fixes, is the one in use.
 *
 * libspf2 has had security bugs (CVE-2021-20314, CVE-2021-33912/33913,
 * CVE-2023-42118): every string it hands back is treated here as
 * untrusted.  It is NULL-checked, made one line of printable ASCII and
 * bounded by spf_sanitise() before anything else sees it, and the header
 * is folded by spf_fold(), so no CR or LF of libspf2's (or of a sender's
 * exp= record) reaches a reply or the message.  fuzz/fuzz_spf.c fuzzes
 * that side of the boundary.
 *
 * Time: libspf2's DNS layer (SPF_DNS_CACHE over SPF_DNS_RESOLV) calls the
 * libc resolver's res_query(), so every query it makes is bounded by the
 * resolv.conf options in force (`options timeout:N attempts:N`; glibc's
 * defaults are 5 s and 2 tries); the production bound is set there, not
 * here.  The number of queries is bounded by RFC 7208 §4.6.4's limit of
 * 10 DNS-querying terms (libspf2's max_dns_mech), enforced by libspf2.
 *
 * What libspf2 does that one might not expect:
 *  - any client in 127.0.0.0/8 (or ::1) passes without a DNS query ("pass
 *    (localhost is always allowed.)"), whatever the sender's record says;
 *  - a record that does not parse (an unknown mechanism, say) gives no
 *    result at all (SPF_RESULT_INVALID, an error code, every text NULL)
 *    rather than permerror: mapped to permerror here by its error code;
 *  - the explanation is an SPF macro-string, blanks written "%_", and its
 *    default names www.openspf.org, long gone: ours is set instead;
 *  - its SMTP comment ends in a cut-short " : Reason: mechanism", so the
 *    550 text is the explanation itself (the comment only without one).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "hdr.h"
#include "spf.h"

const char *
spf_outcome_name(enum spf_outcome r)
{
	switch (r) {
	case SPFR_PASS:
		return "pass";
	case SPFR_FAIL:
		return "fail";
	case SPFR_SOFTFAIL:
		return "softfail";
	case SPFR_NEUTRAL:
		return "neutral";
	case SPFR_NONE:
		return "none";
	case SPFR_TEMPERROR:
		return "temperror";
	case SPFR_PERMERROR:
		return "permerror";
	case SPFR__COUNT:
		break;
	}
	return "unknown";
}

size_t
spf_sanitise(char *out, size_t size, const char *in)
{
	return hdr_safe(out, size, in, HDR_TEXT);
}

#define FOLD_WIDTH	78

size_t
spf_fold(char *out, size_t size, const char *in)
{
	size_t n = 0, line = 0, w;
	const char *p = in;

	if (size > 0)
		out[0] = '\0';
	if (in == NULL)
		return 0;
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		for (w = 0; p[w] != '\0' && p[w] != ' '; w++)
			;
		if (line == 0) {
			/* the first word of the field: "CRLF NUL" must fit */
			if (w + 3 > size)
				break;
			memcpy(out, p, w);
			n = line = w;
		} else if (line + 1 + w <= FOLD_WIDTH) {
			if (n + 1 + w + 3 > size)
				break;
			out[n++] = ' ';
			memcpy(out + n, p, w);
			n += w;
			line += 1 + w;
		} else {
			if (n + 3 + w + 3 > size)
				break;
			memcpy(out + n, "\r\n\t", 3);
			memcpy(out + n + 3, p, w);
			n += 3 + w;
			line = 1 + w;
		}
		p += w;
		while (*p == ' ')
			p++;
	}
	if (n == 0)
		return 0;
	memcpy(out + n, "\r\n", 3);
	return n + 2;
}

void
spf_ctx_init(struct spf_ctx *ctx)
{
	ctx->server = NULL;
	memset(&ctx->lib, 0, sizeof(ctx->lib));
}

void
spf_ctx_free(struct spf_ctx *ctx)
{
	if (ctx->server != NULL)
		ctx->lib.server_free(ctx->server);
	ctx->server = NULL;
	spflib_close(&ctx->lib);
}

/* libspf2's own messages would go to stderr, our log: keep them out. */
static void
spf_quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	(void)msg;
}

static SPF_server_t *
server(struct spf_ctx *ctx)
{
	const struct spflib *l = &ctx->lib;
	SPF_response_t *resp = NULL;

	if (ctx->server != NULL)
		return ctx->server;
	*l->warning_handler = spf_quiet;
	*l->info_handler = spf_quiet;
	*l->debug_handler = spf_quiet;
	ctx->server = l->server_new(SPF_DNS_CACHE, 0);
	if (ctx->server == NULL)
		return NULL;
	/* RFC 7208 §6.2's example; on failure libspf2's default stays */
	(void)l->server_set_explanation(ctx->server,
	    "%{i}%_is%_not%_one%_of%_%{d}'s%_designated%_mail%_servers",
	    &resp);
	if (resp != NULL)
		l->response_free(resp);
	return ctx->server;
}

/* libspf2's result; e is what SPF_request_query_mailfrom() returned. */
static enum spf_outcome
outcome(SPF_result_t r, SPF_errcode_t e)
{
	switch (r) {
	case SPF_RESULT_PASS:
		return SPFR_PASS;
	case SPF_RESULT_FAIL:
		return SPFR_FAIL;
	case SPF_RESULT_SOFTFAIL:
		return SPFR_SOFTFAIL;
	case SPF_RESULT_NEUTRAL:
		return SPFR_NEUTRAL;
	case SPF_RESULT_NONE:
		return SPFR_NONE;
	case SPF_RESULT_PERMERROR:
		return SPFR_PERMERROR;
	case SPF_RESULT_INVALID:
		/* no result: a record that does not parse, or trouble */
		switch (e) {
		case SPF_E_SUCCESS:
		case SPF_E_NO_MEMORY:
		case SPF_E_INTERNAL_ERROR:
		case SPF_E_NOT_CONFIG:
		case SPF_E_DNS_ERROR:
		case SPF_E_UNINIT_VAR:
			return SPFR_TEMPERROR;
		default:
			return SPFR_PERMERROR;
		}
	case SPF_RESULT_TEMPERROR:
	default:
		return SPFR_TEMPERROR;
	}
}

/* A domain name that can be checked: labels of letters, digits, '-'. */
static int
domain_ok(const char *d)
{
	size_t i, label = 0, dots = 0;

	if (d == NULL || d[0] == '\0' || strlen(d) > 253)
		return 0;
	for (i = 0; d[i] != '\0'; i++) {
		char c = d[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			dots++;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return dots > 0;
}

size_t
spf_header(char *out, size_t size, const struct spf_fields *f)
{
	char c[SPF_TEXT_MAX], ip[80], from[ADDR_MAX + 1], helo[256];
	char line[1024];

	hdr_safe(c, sizeof(c), f->comment, HDR_COMMENT);
	hdr_safe(ip, sizeof(ip), f->ip, HDR_VALUE);
	hdr_safe(from, sizeof(from), f->from, HDR_MAILBOX);
	hdr_safe(helo, sizeof(helo), f->helo, HDR_DOMAIN);
	snprintf(line, sizeof(line), "Received-SPF: %s%s%s%s%s%s%s%s%s%s%s%s%s",
	    spf_outcome_name(f->result), c[0] != '\0' ? " (" : "", c,
	    c[0] != '\0' ? ")" : "", ip[0] != '\0' ? " client-ip=" : "", ip,
	    ip[0] != '\0' ? ";" : "", from[0] != '\0' ? " envelope-from=" : "",
	    from, from[0] != '\0' ? ";" : "",
	    helo[0] != '\0' ? " helo=" : "", helo, helo[0] != '\0' ? ";" : "");
	if (f->identity != NULL && f->identity[0] != '\0')
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		    " identity=%s;", f->identity);
	return spf_fold(out, size, line);
}

/* The header of a result libspf2 gave no usable header for. */
static void
own_header(struct spf_verdict *v, const char *why, const char *hostname,
    const char *ip)
{
	char c[SPF_TEXT_MAX + 256];
	struct spf_fields f = { v->result, c, ip, NULL, NULL, v->identity };

	snprintf(c, sizeof(c), "%s: %s", hostname != NULL ? hostname :
	    "localhost", why);
	spf_header(v->header, sizeof(v->header), &f);
}

/* What went wrong, in libspf2's words (its first error), or its code's. */
static void
libspf2_error(const struct spflib *l, SPF_response_t *resp, SPF_errcode_t e,
    char *out, size_t size)
{
	SPF_error_t *err = NULL;
	const char *m = NULL;

	if (l->response_messages(resp) > 0)
		err = l->response_message(resp, 0);
	if (err != NULL)
		m = l->error_message(err);
	if (m == NULL || m[0] == '\0')
		m = l->strerror(e);
	spf_sanitise(out, size, m);
}

void
spf_check(struct spf_ctx *ctx, const char *ip, const char *helo,
    const char *sender, const char *hostname, struct spf_verdict *v)
{
	const struct spflib *l;
	SPF_server_t *sp;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL;
	unsigned char a[16];
	char ip4[INET_ADDRSTRLEN], from[600], clean[SPF_TEXT_MAX];
	struct spf_fields f = { SPFR_NONE, NULL, NULL, NULL, NULL, NULL };
	const char *s;
	SPF_errcode_t e;
	int v6 = 0;

	memset(v, 0, sizeof(*v));
	v->result = SPFR_TEMPERROR;
	if (sender == NULL || sender[0] == '\0') {
		snprintf(v->identity, sizeof(v->identity), "helo");
		/* RFC 7208 §2.3, §2.4: the HELO name, if it is a name */
		if (!domain_ok(helo)) {
			v->result = SPFR_NONE;
			own_header(v, "HELO is not a domain name", hostname,
			    ip != NULL ? ip : "");
			return;
		}
		snprintf(from, sizeof(from), "postmaster@%s", helo);
	} else {
		snprintf(v->identity, sizeof(v->identity), "mailfrom");
		/* RFC 7208 §4.3: no domain name (an address literal, one
		 * label), no SPF */
		s = strrchr(sender, '@');
		if (s == NULL || !domain_ok(s + 1) ||
		    (size_t)snprintf(from, sizeof(from), "%s", sender) >=
		    sizeof(from)) {
			v->result = SPFR_NONE;
			own_header(v, "the sender's domain is not a domain name",
			    hostname, ip != NULL ? ip : "");
			return;
		}
	}

	/* the client: an IPv4-mapped IPv6 address is IPv4 */
	if (ip == NULL || inet_pton(AF_INET, ip, a) == 1) {
		/* IPv4 as it is, or none */
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)(void *)a)) {
			inet_ntop(AF_INET, a + 12, ip4, sizeof(ip4));
			ip = ip4;
		} else
			v6 = 1;
	} else
		ip = NULL;
	if (ip == NULL) {
		v->result = SPFR_NONE;
		own_header(v, "no client address", hostname, "");
		return;
	}

	if (ctx == NULL) {
		own_header(v, "cannot check", hostname, ip);
		return;
	}
	/* not loaded: temperror with why, never a check silently skipped */
	if (spflib_open(&ctx->lib, v->error, sizeof(v->error)) == -1) {
		own_header(v, "libspf2 cannot be loaded", hostname, ip);
		return;
	}
	l = &ctx->lib;
	if ((sp = server(ctx)) == NULL || (req = l->request_new(sp)) == NULL) {
		own_header(v, "cannot check", hostname, ip);
		return;
	}
	if (hostname != NULL && hostname[0] != '\0')
		l->server_set_rec_dom(sp, hostname);
	if ((v6 ? l->request_set_ipv6_str(req, ip) :
	    l->request_set_ipv4_str(req, ip)) != SPF_E_SUCCESS) {
		own_header(v, "cannot check this client address", hostname,
		    ip);
		goto out;
	}
	if (helo != NULL && helo[0] != '\0')
		(void)l->request_set_helo_dom(req, helo);
	if (l->request_set_env_from(req, from) != 0) {
		v->result = SPFR_PERMERROR;
		own_header(v, "the sender's domain cannot be checked",
		    hostname, ip);
		goto out;
	}
	e = l->request_query_mailfrom(req, &resp);
	if (resp == NULL) {
		own_header(v, "cannot check", hostname, ip);
		goto out;
	}
	v->result = outcome(l->response_result(resp), e);

	/* libspf2's texts: sanitised, bounded, or ours instead */
	s = l->response_get_explanation(resp);
	if (s == NULL || s[0] == '\0')
		s = l->response_get_smtp_comment(resp);
	spf_sanitise(v->explanation, sizeof(v->explanation), s);
	/* permerror has none: what is wrong with the record is the text */
	if (v->explanation[0] == '\0' && (v->result == SPFR_PERMERROR ||
	    v->result == SPFR_TEMPERROR))
		libspf2_error(l, resp, e, v->explanation, sizeof(v->explanation));
	/* our own field (libspf2 prints the sender and HELO as they are),
	 * with libspf2's comment when it names the result we act on */
	f.result = v->result;
	f.comment = l->response_get_header_comment(resp);
	f.ip = ip;
	f.from = from;
	f.helo = helo;
	if (f.comment == NULL || f.comment[0] == '\0' ||
	    strcmp(l->strresult(l->response_result(resp)),
	    spf_outcome_name(v->result)) != 0 ||
	    spf_header(v->header, sizeof(v->header), &f) == 0) {
		libspf2_error(l, resp, e, clean, sizeof(clean));
		own_header(v, clean, hostname, ip);
	}
out:
	if (resp != NULL)
		l->response_free(resp);
	l->request_free(req);
}
