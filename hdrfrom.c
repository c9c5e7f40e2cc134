/*
 * hdrfrom.c: the domains of a From: field (hdrfrom.h).
 */
#include <string.h>

#include "hdrfrom.h"

struct mbox {
	char	domain[HDRFROM_DOMAIN_MAX + 2];	/* one more: too long */
	size_t	len;
	char	addr[HDRFROM_ADDR_MAX + 2];	/* the same */
	size_t	alen;
	int	at;		/* an '@' was seen: capturing the domain */
	int	angle;		/* inside <> */
	int	angle_done;	/* a <> closed: the rest is no address */
	int	any;		/* anything but blanks and comments */
};

static void
mbox_reset(struct mbox *m)
{
	m->len = m->alen = 0;
	m->at = m->angle = m->angle_done = m->any = 0;
}

/* An octet of the address itself (not of a display name's, once <>). */
static void
addr_octet(struct mbox *m, char ch)
{
	if (m->angle_done || ch == ' ' || ch == '\t' || ch == '\r' ||
	    ch == '\n')
		return;
	if (m->alen < sizeof(m->addr) - 1)
		m->addr[m->alen++] = ch;
}

static void
capture(struct mbox *m, char ch)
{
	m->any = 1;
	addr_octet(m, ch);
	if (m->angle_done || !m->at || ch == ' ' || ch == '\t' ||
	    ch == '\r' || ch == '\n')
		return;
	if (m->len < sizeof(m->domain) - 1)
		m->domain[m->len++] = ch;
}

/* Where the mailboxes go: whole, or their domains alone. */
struct sink {
	struct hdrfrom_mailbox	*mb;
	char			(*dom)[HDRFROM_DOMAIN_MAX + 1];
	size_t			 max;
};

/* The mailbox ends: written into the sink's [n] when there is room. */
static size_t
mbox_end(struct mbox *m, const struct sink *k, size_t n)
{
	char *d;

	if (!m->any) {
		mbox_reset(m);
		return n;
	}
	if (n < k->max) {
		if (!m->at || m->len > HDRFROM_DOMAIN_MAX)
			m->len = 0;
		if (!m->at || m->alen > HDRFROM_ADDR_MAX || m->len == 0)
			m->alen = 0;
		d = k->mb != NULL ? k->mb[n].domain : k->dom[n];
		memcpy(d, m->domain, m->len);
		d[m->len] = '\0';
		if (k->mb != NULL) {
			memcpy(k->mb[n].addr, m->addr, m->alen);
			k->mb[n].addr[m->alen] = '\0';
		}
	}
	mbox_reset(m);
	return n + 1;
}

/* A comment from p (at its '('); returns what follows it. */
static const char *
skip_comment(const char *p)
{
	unsigned depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return p;
}

static size_t
parse(const char *value, const struct sink *k)
{
	struct mbox m;
	const char *p = value;
	size_t n = 0;

	mbox_reset(&m);
	while (*p != '\0') {
		switch (*p) {
		case '(':
			p = skip_comment(p);
			continue;
		case '"':
			/* A quoted string: its '@', ',' and '<' are text. */
			for (capture(&m, *p++); *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					capture(&m, *p++);
				capture(&m, *p);
			}
			if (*p == '"')
				capture(&m, *p++);
			continue;
		case '<':
			if (!m.angle_done) {
				m.len = m.alen = 0;
				m.at = 0;
				m.angle = 1;
			}
			m.any = 1;
			break;
		case '>':
			if (m.angle) {
				m.angle = 0;
				m.angle_done = 1;
			}
			break;
		case '@':
			if (!m.angle_done) {
				m.len = 0;
				m.at = 1;
			}
			addr_octet(&m, '@');
			m.any = 1;
			break;
		case ':':
			/* A group's name (or an obs-route's end in <>). */
			if (m.angle) {
				m.len = m.alen = 0;
				m.at = 0;
			} else
				mbox_reset(&m);
			break;
		case ',':
		case ';':
			if (m.angle && *p == ',') {
				m.len = m.alen = 0;	/* obs-route "@a,@b:" */
				m.at = 0;
			} else
				n = mbox_end(&m, k, n);
			break;
		default:
			capture(&m, *p);
			break;
		}
		p++;
	}
	return mbox_end(&m, k, n);
}

size_t
hdrfrom_domains(const char *value, char (*out)[HDRFROM_DOMAIN_MAX + 1],
    size_t max)
{
	struct sink k = { NULL, out, max };

	return parse(value, &k);
}

size_t
hdrfrom_mailboxes(const char *value, struct hdrfrom_mailbox *out,
    size_t max)
{
	struct sink k = { out, NULL, max };

	return parse(value, &k);
}
