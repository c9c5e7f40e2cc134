/*
 * fuzz_headers.c: the trace fields samotop prepends (received.c,
 * spf_header() in spf.c) with every outside value chosen by the fuzzer:
 * HELO, the client's name, address and PTR name, the sender, the TLS
 * description and libspf2's comment.
 *
 * Input: one octet of flags (iprev checked, SPF checked, TLS, a pipe
 * session; the SPF result), then the values, each ended by a NUL.
 * Invariants: each field is lines of printable ASCII ending in CR LF,
 * continuation lines start with a tab, no other control octet; with
 * comments (balanced) removed, Received: has one ';' (before the date)
 * and its "from" is one word; Authentication-Results: parses (RFC 8601)
 * to exactly the resinfos and properties samotop writes, and
 * Received-SPF: to the keys samotop writes, each once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "received.h"
#include "spf.h"

#define NFIELDS	7
#define OUTMAX	4096

/* The field's lines unfolded into out (CR LF HT -> SP); aborts on bad
 * structure.  Returns the length, 0 for an empty field. */
static size_t
unfold(const char *f, size_t n, char *out)
{
	size_t i, k = 0;

	if (n != strlen(f))
		abort();
	if (n == 0)
		return 0;
	if (n < 3 || f[n - 2] != '\r' || f[n - 1] != '\n')
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];

		if (c == '\r') {
			if (f[i + 1] != '\n')
				abort();
			if (i + 2 == n)
				break;
			if (f[i + 2] != '\t')	/* a new field: injected */
				abort();
			out[k++] = ' ';
			i += 2;
		} else if (c < 0x20 || c > 0x7e)
			abort();
		else
			out[k++] = (char)c;
	}
	out[k] = '\0';
	return k;
}

/*
 * Comments removed, quoted-strings kept, runs of blanks outside them one
 * blank; aborts when comments do not nest.
 */
static void
uncomment(const char *in, char *out)
{
	const char *start = out;
	int depth = 0, quoted = 0;

	for (; *in != '\0'; in++) {
		if (quoted) {
			if (*in == '\\' && in[1] != '\0')
				*out++ = *in++;
			else if (*in == '"')
				quoted = 0;
			*out++ = *in;
		} else if (*in == '(')
			depth++;
		else if (*in == ')') {
			if (--depth < 0)
				abort();
		} else if (depth > 0) {
			if (*in == '\\')	/* we write no quoted-pair */
				abort();
		} else if (*in != ' ' || out == start || out[-1] != ' ') {
			if (*in == '"')
				quoted = 1;
			*out++ = *in;
		}
	}
	if (depth != 0 || quoted)
		abort();
	*out = '\0';
}

/* The next blank-separated word (quoted-strings whole) in w; 0 at end. */
static int
word(const char **p, char *w)
{
	int quoted = 0;

	while (**p == ' ')
		(*p)++;
	if (**p == '\0')
		return 0;
	for (; **p != '\0' && (quoted || **p != ' '); (*p)++) {
		if (quoted && **p == '\\')
			*w++ = *(*p)++;
		else if (**p == '"')
			quoted = !quoted;
		*w++ = **p;
	}
	*w = '\0';
	return 1;
}

/* RFC 2045 token, quoted-string, or local@domain with a dot-atom local. */
static int
pvalue(const char *v)
{
	const char *at = strrchr(v, '@');
	size_t n = strlen(v), i;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		return 1;		/* word() kept it whole */
	if (at != NULL) {
		for (i = 0; v + i < at; i++)
			if (strchr("()<>,;:\\\"[]= @", v[i]) != NULL)
				return 0;
		v = at + 1;
	}
	return v[0] != '\0' && strpbrk(v, "()<>@,;:\\\"/[]?=") == NULL;
}

static void
check_received(const char *f, size_t n, const char *id)
{
	char u[OUTMAX], s[OUTMAX], w[OUTMAX], want[200];
	const char *p;

	unfold(f, n, u);
	if (strncmp(u, "Received: from ", 15) != 0)
		abort();
	uncomment(u, s);
	p = s + 15;
	if (!word(&p, w) || strchr(w, ';') != NULL)
		abort();
	snprintf(want, sizeof(want), " by mx.test with ESMTP id %s; ", id);
	while (*p == ' ')
		p++;
	if (strncmp(p - 1, want, strlen(want)) != 0)
		abort();
	if (strchr(s, ';') != strrchr(s, ';'))
		abort();
}

static void
check_authres(const char *f, size_t n, const struct authres_info *ai)
{
	char u[OUTMAX], s[OUTMAX], w[OUTMAX];
	const char *p, *method[2];
	char *r, *next;
	int i, nm = 0;

	if (n == 0)
		abort();
	unfold(f, n, u);
	uncomment(u, s);
	if (strncmp(s, "Authentication-Results: mx.test", 31) != 0)
		abort();
	if (ai->iprev != NULL)
		method[nm++] = "iprev";
	if (ai->spf != NULL)
		method[nm++] = "spf";
	/* resinfos: ';' outside quoted-strings (word() keeps them whole) */
	r = s + 31;
	for (i = 0; r != NULL; i++, r = next) {
		int quoted = 0;

		for (next = r; *next != '\0' && (quoted || *next != ';');
		    next++) {
			if (quoted && *next == '\\' && next[1] != '\0')
				next++;
			else if (*next == '"')
				quoted = !quoted;
		}
		if (*next == ';')
			*next++ = '\0';
		else
			next = NULL;
		p = r;
		if (i == 0) {		/* after the authserv-id */
			if (word(&p, w))
				abort();
			continue;
		}
		if (!word(&p, w))
			abort();
		if (nm == 0) {
			if (i != 1 || strcmp(w, "none") != 0 || word(&p, w))
				abort();
			continue;
		}
		if (i > nm || strncmp(w, method[i - 1], strlen(method[i - 1]))
		    != 0 || w[strlen(method[i - 1])] != '=')
			abort();
		while (word(&p, w)) {
			char *eq = strchr(w, '=');

			if (eq == NULL || !pvalue(eq + 1))
				abort();
			*eq = '\0';
			if (strcmp(method[i - 1], "iprev") == 0 ?
			    strcmp(w, "policy.iprev") != 0 :
			    strcmp(w, "smtp.mailfrom") != 0 &&
			    strcmp(w, "smtp.helo") != 0)
				abort();
		}
	}
	if (i - 1 != (nm > 0 ? nm : 1))
		abort();
}

static void
check_spf(const char *f, size_t n)
{
	static const char *keys[] = { "client-ip", "envelope-from", "helo",
	    "identity" };
	char u[OUTMAX], s[OUTMAX], w[OUTMAX];
	const char *p;
	int seen[4] = { 0 }, k;

	if (n == 0)
		return;
	unfold(f, n, u);
	uncomment(u, s);
	p = s;
	if (!word(&p, w) || strcmp(w, "Received-SPF:") != 0 || !word(&p, w))
		abort();
	while (word(&p, w)) {
		char *eq = strchr(w, '=');
		size_t len = strlen(w);

		if (eq == NULL || w[len - 1] != ';')
			abort();
		w[len - 1] = '\0';
		*eq = '\0';
		for (k = 0; k < 4 && strcmp(w, keys[k]) != 0; k++)
			;
		if (k == 4 || seen[k]++ || !pvalue(eq + 1))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v[NFIELDS];
	char *in, out[OUTMAX];
	struct received_info ri;
	struct authres_info ai;
	struct spf_fields sf;
	size_t i, k = 0, n;
	unsigned flags;

	if (size < 1)
		return 0;
	flags = data[0];
	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	for (i = 0; i < NFIELDS; i++) {
		v[i] = in + k;
		k += strlen(in + k);
		if (k < size - 1)
			k++;
	}

	ri = (struct received_info){ v[0], v[1], flags & 8 ? "" : v[2],
	    "mx.test", "ESMTP", flags & 4 ? v[4] : NULL, "0123456789ABCDEF",
	    (time_t)0, 0, flags & 16 };
	n = received_header(out, sizeof(out), &ri);
	if (n == 0)
		abort();		/* it always fits */
	check_received(out, n, ri.id);

	ai = (struct authres_info){ "mx.test", flags & 1 ? "pass" : NULL,
	    v[2], v[5], flags & 2 ? spf_outcome_name((flags >> 4) % 7) : NULL,
	    v[3], v[0], flags & 4 ? v[4] : NULL, 0, NULL };
	n = authres_header(out, sizeof(out), &ai);
	check_authres(out, n, &ai);

	sf = (struct spf_fields){ (enum spf_outcome)((flags >> 4) % 7), v[6],
	    v[2], v[3], v[0], flags & 64 ? "helo" : NULL };
	n = spf_header(out, sizeof(out), &sf);
	check_spf(out, n);
	free(in);
	return 0;
}
