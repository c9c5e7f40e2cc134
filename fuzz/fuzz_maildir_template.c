/*
 * fuzz_maildir_template.c: samotop-maildir's template expansion with a
 * fuzzer-chosen template, delimiter and recipient.  Input: one octet
 * choosing the delimiter, the template up to the first NUL, then the
 * recipient's path ("<local@domain>").
 *
 * The invariant: an expansion that succeeds is the template with each
 * escape replaced by its value (an oracle written here, independently),
 * keeps the template's fixed prefix (what precedes its first value), and
 * what the address put in never holds a '/' or a control octet, and
 * never makes a path component "." or "..".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "maildir.h"

#define OUT_MAX	(MAILDIR_PATH_MAX * 2)

static const int delims[] = { '+', '-', '=', 0 };

static const char *
value(const struct maildir_vars *v, int ch)
{
	switch (ch) {
	case 'u':
		return v->user;
	case 'l':
		return v->local;
	case 'd':
		return v->domain;
	case 'e':
		return v->ext;
	}
	abort();
}

/*
 * The expansion as the man page describes it, and which octets came from
 * the address (from[i]).  Returns its length; *prefix gets the length of
 * the text before the first value.
 */
static size_t
oracle(const char *t, const struct maildir_vars *v, char *out, char *from,
    size_t *prefix)
{
	const char *val;
	size_t n = 0, len;

	*prefix = (size_t)-1;
	for (; *t != '\0'; t++) {
		if (n + 1 >= OUT_MAX)
			return (size_t)-1;
		if (*t == '%' && t[1] == '%') {
			t++;
			out[n] = '%';
			from[n++] = 0;
			continue;
		}
		if (*t != '%') {
			out[n] = *t;
			from[n++] = 0;
			continue;
		}
		if (*prefix == (size_t)-1)
			*prefix = n;
		val = value(v, *++t);
		len = strlen(val);
		if (n + len >= OUT_MAX)
			return (size_t)-1;
		memcpy(out + n, val, len);
		memset(from + n, 1, len);
		n += len;
	}
	if (*prefix == (size_t)-1)
		*prefix = n;
	out[n] = '\0';
	return n;
}

/* No component holding an octet of the address is "." or "..". */
static void
check_components(const char *p, const char *from, size_t n)
{
	size_t start = 0, i, j;
	int ours;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		for (ours = 0, j = start; j < i; j++)
			ours |= from[j];
		if (ours && ((i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && p[start] == '.' && p[start + 1] == '.')))
			abort();
		start = i + 1;
	}
}

static void
check(const char *tmpl, const struct maildir_vars *v)
{
	static char want[OUT_MAX], from[OUT_MAX];
	char out[MAILDIR_PATH_MAX];
	size_t n, prefix, i;
	enum maildir_error e;

	e = maildir_expand(tmpl, v, out, sizeof(out));
	if (e == MAILDIR_ETEMPLATE)
		abort();		/* maildir_template_check() passed */
	n = oracle(tmpl, v, want, from, &prefix);
	if (e != MAILDIR_OK) {
		/* refused: only for a reason the man page gives */
		if (e == MAILDIR_ETOOLONG && n != (size_t)-1 &&
		    n < sizeof(out))
			abort();
		return;
	}
	if (n == (size_t)-1 || strcmp(out, want) != 0)
		abort();
	/* the fixed prefix: the template's text before its first '%' */
	if (strncmp(out, tmpl, strcspn(tmpl, "%")) != 0 || prefix > n)
		abort();
	for (i = 0; i < n; i++) {
		if (!from[i])
			continue;
		if (out[i] == '/' || out[i] == '\0' ||
		    (unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	}
	check_components(out, from, n);
	/* a template with %e needs an extension to expand */
	if (v->ext[0] == '\0' && strstr(tmpl, "%e") != NULL) {
		for (i = 0; tmpl[i] != '\0'; i++) {
			if (tmpl[i] != '%')
				continue;
			if (tmpl[++i] == 'e')
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maildir_vars v;
	struct mailbox mb;
	const char *tmpl, *path;
	size_t tlen, used;
	char *s;

	if (size < 2)
		return 0;
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	tmpl = s;
	tlen = strlen(tmpl);
	path = tmpl + tlen + (tlen < size - 1 ? 1 : 0);
	if (tlen < MAILDIR_PATH_MAX &&
	    maildir_template_check(tmpl) == MAILDIR_OK &&
	    addr_parse_path(path, strlen(path), ADDR_ALLOW_POSTMASTER |
	    ADDR_ALLOW_UTF8, &mb, &used) == ADDR_OK &&
	    maildir_vars_set(&v, &mb, delims[data[0] % 4]) == 0)
		check(tmpl, &v);
	free(s);
	return 0;
}
