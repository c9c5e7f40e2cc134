/*
 * dns_txt.c: the TXT records of a DNS answer (dns_txt.h).
 */
#include <arpa/nameser.h>
#include <resolv.h>
#include <string.h>

#include "dns_txt.h"

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * One record's character-strings r[0..rend) joined into txt: 1 all of
 * them, 0 not all fitted, -1 a string runs past the record.
 */
static int
join(const unsigned char *r, const unsigned char *rend, char *txt,
    size_t size, size_t *tl)
{
	for (*tl = 0; r < rend; r += 1 + *r) {
		if (rend - r - 1 < *r)
			return -1;
		if (*tl + *r > size)
			return 0;
		memcpy(txt + *tl, r + 1, *r);
		*tl += *r;
	}
	return 1;
}

int
dns_txt_each(const unsigned char *msg, size_t len, char *txt, size_t size,
    void (*each)(void *arg, const char *txt, size_t tl, int whole),
    void *arg)
{
	const unsigned char *p, *end = msg + len, *r;
	unsigned qd, an, type, class, rdlen;
	size_t tl;
	int k, whole;

	if (len < HFIXEDSZ)
		return -1;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	p = msg + HFIXEDSZ;
	while (qd-- > 0) {
		if ((k = dn_skipname(p, end)) < 0 || end - (p + k) < QFIXEDSZ)
			return -1;
		p += k + QFIXEDSZ;
	}
	while (an-- > 0) {
		if ((k = dn_skipname(p, end)) < 0 || end - (p + k) < RRFIXEDSZ)
			return -1;
		p += k;
		type = get16(p);
		class = get16(p + 2);
		rdlen = get16(p + 8);
		p += RRFIXEDSZ;
		if ((size_t)(end - p) < rdlen)
			return -1;
		r = p;
		p += rdlen;
		if (type != T_TXT || class != C_IN)
			continue;
		if ((whole = join(r, p, txt, size, &tl)) == -1)
			return -1;
		each(arg, txt, tl, whole);
	}
	return 0;
}
