/*
 * lists.c: allow and deny lists.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "lists.h"

#define LIST_LINE_MAX	512

/* Parse "addr[/bits]"; returns the family, or 0 when malformed. */
static int
parse_cidr(const char *cidr, unsigned char addr[16], int *bits)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long n;
	int af;

	if (strlen(cidr) >= sizeof(buf))
		return 0;
	strcpy(buf, cidr);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		af = AF_INET6;
	else
		return 0;
	*bits = af == AF_INET ? 32 : 128;
	if (slash != NULL) {
		if (*slash < '0' || *slash > '9')
			return 0;
		n = strtol(slash, &end, 10);
		if (*end != '\0' || n > *bits)
			return 0;
		*bits = (int)n;
	}
	return af;
}

int
list_cidr_valid(const char *cidr)
{
	unsigned char a[16];
	int bits;

	return parse_cidr(cidr, a, &bits) != 0;
}

/* An IPv4-mapped IPv6 address is matched as the IPv4 address it is. */
static int
parse_ip(const char *ip, unsigned char addr[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };

	if (inet_pton(AF_INET, ip, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, ip, addr) != 1)
		return 0;
	if (memcmp(addr, mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		return AF_INET;
	}
	return AF_INET6;
}

int
list_cidr_match(const char *cidr, const char *ip)
{
	unsigned char net[16], a[16], mask;
	int bits, i;

	if (parse_cidr(cidr, net, &bits) != parse_ip(ip, a) || bits < 0)
		return 0;
	if (parse_ip(ip, a) == 0)
		return 0;
	for (i = 0; bits > 0; i++, bits -= 8) {
		mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
		if ((net[i] & mask) != (a[i] & mask))
			return 0;
	}
	return 1;
}

int
list_name_match(const char *pattern, const char *name)
{
	size_t p = strlen(pattern), n = strlen(name);

	if (p == 0 || n == 0)
		return 0;
	if (pattern[0] != '.')
		return strcasecmp(pattern, name) == 0;
	if (strcasecmp(pattern + 1, name) == 0)
		return 1;
	return n > p && strcasecmp(name + n - p, pattern) == 0;
}

/* What an entry is compared with: a value, and an address's form. */
struct subject {
	const struct conf	*conf;
	enum list_kind		 kind;
	const char		*value;
	struct mailbox		 canon;	/* sender and recipient kinds */
	int			 exact;	/* only entries naming the extension */
};

static int
is_address_kind(enum list_kind kind)
{
	return kind == LIST_SENDER || kind == LIST_RECIPIENT;
}

/* 0, or -1 when an address value is no address (nothing names it). */
static int
subject_init(struct subject *s, const struct conf *c, enum list_kind kind,
    const char *value)
{
	memset(s, 0, sizeof(*s));
	s->conf = c;
	s->kind = kind;
	s->value = value;
	if (!is_address_kind(kind))
		return 0;
	if (addr_parse_mailbox(value, strlen(value), ADDR_ALLOW_UTF8,
	    &s->canon) != ADDR_OK)
		return -1;
	return mailbox_canonical(&s->canon, c->recipient_delimiter,
	    c->local_part_fold, &s->canon);
}

static int
subject_match(const struct subject *s, const char *pattern)
{
	enum addr_match m;

	switch (s->kind) {
	case LIST_CLIENT:
		return list_cidr_match(pattern, s->value);
	case LIST_HELO:
	case LIST_RDNS:
		return list_name_match(pattern, s->value);
	default:
		m = addr_pattern_match(pattern, &s->canon,
		    s->conf->recipient_delimiter, s->conf->local_part_fold);
		return s->exact ? m == ADDR_MATCH_EXACT : m != ADDR_MATCH_NONE;
	}
}

int
list_entry_match(const struct conf *c, enum list_kind kind,
    const char *pattern, const char *value)
{
	struct subject s;

	return subject_init(&s, c, kind, value) == 0 &&
	    subject_match(&s, pattern);
}

/* Whether any line of the file matches; -1 when it cannot be read. */
static int
file_match(const struct subject *subj, const char *path)
{
	char line[LIST_LINE_MAX], *s, *e;
	int found = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		s = line + strspn(line, " \t");
		if (*s == '#')
			continue;
		e = s + strcspn(s, " \t\r\n#");
		*e = '\0';
		found = *s != '\0' && subject_match(subj, s);
	}
	if (ferror(f))
		found = -1;
	fclose(f);
	return found;
}

/* One pass over the lists: allow beats deny. */
static enum list_verdict
lookup(const struct subject *s, const char **err, unsigned *line)
{
	const struct conf *c = s->conf;
	enum list_verdict v = LIST_NONE;
	const struct list_entry *e;
	size_t i;
	int m;

	for (i = 0; i < c->nlists && v != LIST_ALLOW; i++) {
		e = &c->lists[i];
		if (e->kind != s->kind || (v == LIST_DENY && !e->allow))
			continue;
		m = e->is_file ? file_match(s, e->value) :
		    subject_match(s, e->value);
		if (m == -1) {
			*err = e->value;
			continue;
		}
		if (m) {
			v = e->allow ? LIST_ALLOW : LIST_DENY;
			*line = e->line;
		}
	}
	return v;
}

/*
 * An entry naming an address with its extension decides before those
 * naming it without: "deny recipient bob+x@d" refuses bob+x@d even when
 * "allow recipient bob@d" is there, as whoever wrote both meant.
 */
enum list_verdict
list_lookup(const struct conf *c, enum list_kind kind, const char *value,
    const char **err, unsigned *line)
{
	struct subject s;
	struct mailbox base;
	enum list_verdict v;

	*err = NULL;
	if (value == NULL || *value == '\0' ||
	    subject_init(&s, c, kind, value) == -1)
		return LIST_NONE;
	if (is_address_kind(kind) && mailbox_base(&s.canon,
	    c->recipient_delimiter, &base)) {
		s.exact = 1;
		if ((v = lookup(&s, err, line)) != LIST_NONE)
			return v;
		s.exact = 0;
	}
	return lookup(&s, err, line);
}
