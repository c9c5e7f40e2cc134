/*
 * snd_result.c: a delivery program's r and m lines (snd_result.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "snd_result.h"

/* Copy s[0..n) as one printable line of at most size - 1 octets. */
static void
copy_clean(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	dst[i] = '\0';
}

/* "CODE" and the space or end after it: 200..599, else -1. */
static int
code_of(const char **p, const char *end)
{
	const char *s = *p;
	int code;

	if (end - s < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' ||
	    s[1] > '9' || s[2] < '0' || s[2] > '9')
		return -1;
	if (end - s > 3 && s[3] != ' ')
		return -1;
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	*p = end - s > 3 ? s + 4 : s + 3;
	return code;
}

/* Two addresses the same: the local part exactly, the domain in any case. */
static int
same_addr(const char *a, size_t alen, const char *b)
{
	const char *at;
	size_t blen = strlen(b), l;

	if (alen != blen)
		return 0;
	at = strrchr(b, '@');
	l = at != NULL ? (size_t)(at - b) : blen;
	return memcmp(a, b, l) == 0 &&
	    strncasecmp(a + l, b + l, blen - l) == 0;
}

/* Take "key=value" words off the end of the m line's text. */
static const char *
tail_words(struct snd_message *m, const char *s, const char *end)
{
	const char *w;
	int found;

	do {
		found = 0;
		for (w = end; w > s && w[-1] != ' '; w--)
			;
		if (end - w > 5 && memcmp(w, "host=", 5) == 0) {
			copy_clean(m->host, sizeof(m->host), w + 5,
			    (size_t)(end - w - 5));
			found = 1;
		} else if (end - w > 3 && memcmp(w, "ip=", 3) == 0) {
			copy_clean(m->ip, sizeof(m->ip), w + 3,
			    (size_t)(end - w - 3));
			found = 1;
		} else if (end - w > 4 && memcmp(w, "tls=", 4) == 0) {
			copy_clean(m->tls, sizeof(m->tls), w + 4,
			    (size_t)(end - w - 4));
			found = 1;
		} else if (end - w > 4 && memcmp(w, "sts=", 4) == 0) {
			copy_clean(m->sts, sizeof(m->sts), w + 4,
			    (size_t)(end - w - 4));
			found = 1;
		} else if (end - w > 9 && memcmp(w, "verified=", 9) == 0) {
			copy_clean(m->verified, sizeof(m->verified), w + 9,
			    (size_t)(end - w - 9));
			found = 1;
		} else if (end - w > 5 && memcmp(w, "dane=", 5) == 0) {
			copy_clean(m->dane, sizeof(m->dane), w + 5,
			    (size_t)(end - w - 5));
			found = 1;
		} else if (end - w > 5 && memcmp(w, "tlsa=", 5) == 0) {
			copy_clean(m->tlsa, sizeof(m->tlsa), w + 5,
			    (size_t)(end - w - 5));
			found = 1;
		}
		if (found) {
			end = w;
			while (end > s && end[-1] == ' ')
				end--;
		}
	} while (found && end > s);
	return end;
}

size_t
snd_result_parse(const char *out, size_t len, const char *const rcpt[],
    size_t n, struct snd_result res[], struct snd_message *m)
{
	const char *p = out, *end = out + len, *eol, *s, *sp;
	size_t ignored = 0, i;
	int code;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++)
		memset(&res[i], 0, sizeof(res[i]));
	for (; p < end; p = eol < end ? eol + 1 : eol) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		s = p;
		if (eol - s >= 2 && s[0] == 'r' && s[1] == ' ') {
			s += 2;
			if ((sp = memchr(s, ' ', (size_t)(eol - s))) == NULL)
				goto bad;
			for (i = 0; i < n; i++)
				if (!res[i].seen &&
				    same_addr(s, (size_t)(sp - s), rcpt[i]))
					break;
			s = sp + 1;
			if (i == n || (code = code_of(&s, eol)) == -1)
				goto bad;
			res[i].seen = 1;
			res[i].code = code;
			copy_clean(res[i].text, sizeof(res[i].text), s,
			    (size_t)(eol - s));
			continue;
		}
		if (eol - s >= 2 && s[0] == 'm' && s[1] == ' ') {
			s += 2;
			if ((code = code_of(&s, eol)) == -1)
				goto bad;
			memset(m, 0, sizeof(*m));
			m->seen = 1;
			m->code = code;
			sp = tail_words(m, s, eol);
			copy_clean(m->text, sizeof(m->text), s,
			    (size_t)(sp - s));
			continue;
		}
bad:
		ignored++;
	}
	return ignored;
}

void
snd_result_fill(struct snd_result res[], size_t n,
    const struct snd_message *m, int code, const char *why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (res[i].seen)
			continue;
		res[i].seen = 1;
		if (m->seen && m->code / 100 != 2) {
			res[i].code = m->code;
			snprintf(res[i].text, sizeof(res[i].text), "%s",
			    m->text);
		} else {
			res[i].code = code;
			copy_clean(res[i].text, sizeof(res[i].text), why,
			    strlen(why));
		}
	}
}
