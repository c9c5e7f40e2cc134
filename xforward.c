/*
 * xforward.c: XFORWARD attributes in xtext.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "xforward.h"

static const struct {
	const char	*key;
	size_t		 offset;
} attributes[] = {
	{ "NAME", offsetof(struct xforward, name) },
	{ "ADDR", offsetof(struct xforward, addr) },
	{ "PORT", offsetof(struct xforward, port) },
	{ "HELO", offsetof(struct xforward, helo) },
	{ "PROTO", offsetof(struct xforward, proto) },
	{ "IDENT", offsetof(struct xforward, ident) },
	{ "TLS", offsetof(struct xforward, tls) },
};
#define NATTRIBUTES	(sizeof(attributes) / sizeof(attributes[0]))

static const char hex[] = "0123456789ABCDEF";

/* Append s as xtext; returns the new length, or size when it overflows. */
static size_t
put_xtext(char *buf, size_t len, size_t size, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = *s;

		if (c >= 33 && c <= 126 && c != '+' && c != '=') {
			if (len + 1 >= size)
				return size;
			buf[len++] = c;
		} else {
			if (len + 3 >= size)
				return size;
			buf[len++] = '+';
			buf[len++] = hex[c >> 4];
			buf[len++] = hex[c & 15];
		}
	}
	return len;
}

static size_t
put(char *buf, size_t len, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (len >= size || n >= size - len)
		return size;
	memcpy(buf + len, s, n);
	return len + n;
}

/* " KEY=value" for attribute i; returns the new length (size: full). */
static size_t
put_attribute(char *buf, size_t len, size_t size, const struct xforward *x,
    size_t i)
{
	const char *v = (const char *)x + attributes[i].offset;

	len = put(buf, len, size, " ");
	len = put(buf, len, size, attributes[i].key);
	len = put(buf, len, size, "=");
	return *v == '\0' ? put(buf, len, size, "[UNAVAILABLE]") :
	    put_xtext(buf, len, size, v);
}

/* Octets of " KEY=value" for attribute i. */
static size_t
attribute_len(const struct xforward *x, size_t i)
{
	const unsigned char *v = (const unsigned char *)x +
	    attributes[i].offset;
	size_t n = 2 + strlen(attributes[i].key);

	if (*v == '\0')
		return n + 13;
	for (; *v != '\0'; v++)
		n += (*v >= 33 && *v <= 126 && *v != '+' && *v != '=') ? 1 : 3;
	return n;
}

size_t
xforward_next(char *buf, size_t size, const struct xforward *x,
    unsigned mask, unsigned *done)
{
	size_t i, len, need;

	len = put(buf, 0, size, "XFORWARD");
	for (i = 0; i < NATTRIBUTES && len < size; i++) {
		if (!(mask & 1u << i) || (*done & 1u << i))
			continue;
		need = attribute_len(x, i);
		if (8 + need >= size)
			*done |= 1u << i;	/* can never fit: left out */
		if (len + need >= size)
			continue;		/* for the next line */
		len = put_attribute(buf, len, size, x, i);
		*done |= 1u << i;
	}
	if (len >= size || len == 8)
		return 0;
	buf[len] = '\0';
	return len;
}

size_t
xforward_format(char *buf, size_t size, const struct xforward *x)
{
	size_t i, len = 8;

	for (i = 0; i < NATTRIBUTES; i++)
		len += attribute_len(x, i);
	if (len >= size)
		return 0;
	len = put(buf, 0, size, "XFORWARD");
	for (i = 0; i < NATTRIBUTES; i++)
		len = put_attribute(buf, len, size, x, i);
	buf[len] = '\0';
	return len;
}

unsigned
xforward_offered(const char *list, size_t len)
{
	size_t i, start, pos = 0;
	unsigned mask = 0;

	while (pos < len) {
		while (pos < len && list[pos] == ' ')
			pos++;
		start = pos;
		while (pos < len && list[pos] != ' ')
			pos++;
		for (i = 0; i < NATTRIBUTES; i++)
			if (strlen(attributes[i].key) == pos - start &&
			    strncasecmp(attributes[i].key, list + start,
			    pos - start) == 0)
				mask |= 1u << i;
	}
	return mask;
}

static int
unhex(int c)
{
	const char *p = c != '\0' ? strchr(hex, c) : NULL;

	return p != NULL ? (int)(p - hex) : -1;
}

/* Decode the xtext value v[0..n) into out; -1 on bad xtext or octets. */
static int
decode(const char *v, size_t n, char *out)
{
	size_t i, o = 0;
	int hi, lo;

	/* the limit is on the decoded value: "+2B" is one octet */
	for (i = 0; i < n; i++) {
		if (o == XFORWARD_VALUE_MAX)
			return -1;
		if (v[i] != '+') {
			out[o++] = v[i];
			continue;
		}
		if (n - i < 3)
			return -1;
		if ((hi = unhex(v[i + 1])) == -1 || (lo = unhex(v[i + 2])) == -1)
			return -1;
		out[o++] = hi << 4 | lo;
		i += 2;
	}
	out[o] = '\0';
	for (i = 0; i < o; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			return -1;
	return 0;
}

static int
attribute(struct xforward *x, const char *w, size_t n)
{
	const char *eq = memchr(w, '=', n);
	char value[XFORWARD_VALUE_MAX + 1];
	size_t i, kn, vn;

	if (eq == NULL)
		return -1;
	kn = eq - w;
	vn = n - kn - 1;
	for (i = 0; i < NATTRIBUTES; i++)
		if (strlen(attributes[i].key) == kn &&
		    strncasecmp(attributes[i].key, w, kn) == 0)
			break;
	if (i == NATTRIBUTES)
		return 0;
	if ((vn == 13 && strncmp(eq + 1, "[UNAVAILABLE]", 13) == 0) ||
	    (vn == 13 && strncmp(eq + 1, "[TEMPUNAVAIL]", 13) == 0))
		value[0] = '\0';
	else if (decode(eq + 1, vn, value) == -1)
		return -1;
	memcpy((char *)x + attributes[i].offset, value, strlen(value) + 1);
	return 0;
}

int
xforward_parse(struct xforward *x, const char *args, size_t len)
{
	size_t i = 0, start;

	while (i < len) {
		while (i < len && args[i] == ' ')
			i++;
		start = i;
		while (i < len && args[i] != ' ')
			i++;
		if (i > start && attribute(x, args + start, i - start) == -1)
			return -1;
	}
	return 0;
}

int
xforward_any(const struct xforward *x)
{
	return x->name[0] != '\0' || x->addr[0] != '\0' ||
	    x->port[0] != '\0' || x->helo[0] != '\0' ||
	    x->proto[0] != '\0' || x->ident[0] != '\0';
}

/* XCLIENT's attributes in the order sent: the address first. */
static const size_t xclient_order[] = { 1, 2, 4, 3, 0 };

size_t
xforward_xclient(char *buf, size_t size, const struct xforward *x,
    unsigned mask)
{
	struct xforward y = *x;
	size_t i, k, len, next;

	if (!(mask & 1u << 1) || x->addr[0] == '\0' || size < 8)
		return 0;
	if (strchr(x->addr, ':') != NULL &&
	    strlen(x->addr) + 5 < sizeof(y.addr)) {
		memcpy(y.addr, "IPV6:", 5);
		memcpy(y.addr + 5, x->addr, strlen(x->addr) + 1);
	}
	/* RFC 3848's ESMTPS, UTF8SMTP...: XCLIENT knows SMTP and ESMTP */
	if (y.proto[0] != '\0' && strcmp(y.proto, "SMTP") != 0)
		memcpy(y.proto, "ESMTP", 6);
	len = put(buf, 0, size, "XCLIENT");
	for (k = 0; k < sizeof(xclient_order) / sizeof(xclient_order[0]);
	    k++) {
		i = xclient_order[k];
		if (!(mask & 1u << i) ||
		    *((const char *)&y + attributes[i].offset) == '\0')
			continue;
		next = put_attribute(buf, len, size, &y, i);
		if (next < size)
			len = next;
		else if (i == 1)
			return 0;
	}
	buf[len] = '\0';
	return len;
}
