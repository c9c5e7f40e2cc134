/*
 * q_env.c: the envelope file (q_env.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "q_dir.h"
#include "q_env.h"

/* A value may hold any octet but the C0 controls and DEL (UTF-8 is fine). */
static int
value_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

struct out {
	char	*buf;
	size_t	 size, len;
	int	 full;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->size - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
put_field(struct out *o, const char *name, const char *value)
{
	put(o, name, strlen(name));
	put(o, " ", 1);
	put(o, value, strlen(value));
	put(o, "\n", 1);
}

enum q_env_error
q_env_format(const struct q_env *e, char *buf, size_t size, size_t *len)
{
	struct out o = { buf, size > Q_ENV_MAX ? Q_ENV_MAX : size, 0, 0 };
	char t[32];
	size_t i;

	*len = 0;
	if (!q_id_valid(e->id) || e->time < 0)
		return Q_ENV_ESYNTAX;
	if (e->nrcpt == 0)
		return Q_ENV_EMISSING;
	if (!value_ok(e->from, strlen(e->from)))
		return Q_ENV_ECONTROL;
	for (i = 0; i < e->nrcpt; i++)
		if (!value_ok(e->rcpt[i], strlen(e->rcpt[i])))
			return Q_ENV_ECONTROL;
		else if (e->rcpt[i][0] == '\0')
			return Q_ENV_ESYNTAX;
	put(&o, Q_ENV_MAGIC "\n", sizeof(Q_ENV_MAGIC));
	put_field(&o, "id", e->id);
	snprintf(t, sizeof(t), "%lld", (long long)e->time);
	put_field(&o, "time", t);
	put_field(&o, "from", e->from);
	if (e->smtputf8)
		put_field(&o, "param", "SMTPUTF8");
	if (e->body8)
		put_field(&o, "param", "BODY=8BITMIME");
	for (i = 0; i < e->nrcpt; i++)
		put_field(&o, "rcpt", e->rcpt[i]);
	if (o.full)
		return Q_ENV_ETOOBIG;
	*len = o.len;
	return Q_ENV_OK;
}

/* name == line[0..n) followed by a space */
static int
is_field(const char *line, size_t n, const char *name, const char **value)
{
	size_t k = strlen(name);

	if (n <= k || memcmp(line, name, k) != 0 || line[k] != ' ')
		return 0;
	*value = line + k + 1;
	return 1;
}

/* value[0..n) into dst[size], NUL-terminated */
static enum q_env_error
copy_value(char *dst, size_t size, const char *value, size_t n)
{
	if (!value_ok(value, n))
		return Q_ENV_ECONTROL;
	if (n >= size)
		return Q_ENV_ETOOLONG;
	memcpy(dst, value, n);
	dst[n] = '\0';
	return Q_ENV_OK;
}

static enum q_env_error
parse_line(const char *line, size_t n, struct q_env *e,
    char (*rcpt)[ADDR_MAX + 1], size_t maxrcpt, unsigned *seen)
{
	const char *v;
	size_t vn;
	char id[Q_ID_LEN + 1];
	long long t;
	size_t i;
	enum q_env_error err;

	if (is_field(line, n, "id", &v)) {
		vn = n - (size_t)(v - line);
		if (*seen & 1)
			return Q_ENV_EDUPLICATE;
		*seen |= 1;
		if (vn > Q_ID_LEN)
			return Q_ENV_ESYNTAX;
		memcpy(id, v, vn);
		id[vn] = '\0';
		if (!q_id_valid(id))
			return Q_ENV_ESYNTAX;
		memcpy(e->id, id, vn + 1);
	} else if (is_field(line, n, "time", &v)) {
		vn = n - (size_t)(v - line);
		if (*seen & 2)
			return Q_ENV_EDUPLICATE;
		*seen |= 2;
		if (vn == 0 || vn > 18)
			return Q_ENV_ESYNTAX;
		for (t = 0, i = 0; i < vn; i++) {
			if (v[i] < '0' || v[i] > '9')
				return Q_ENV_ESYNTAX;
			t = t * 10 + (v[i] - '0');
		}
		e->time = (time_t)t;
	} else if (is_field(line, n, "from", &v)) {
		vn = n - (size_t)(v - line);
		if (*seen & 4)
			return Q_ENV_EDUPLICATE;
		*seen |= 4;
		return copy_value(e->from, sizeof(e->from), v, vn);
	} else if (is_field(line, n, "param", &v)) {
		vn = n - (size_t)(v - line);
		if (vn == 8 && memcmp(v, "SMTPUTF8", 8) == 0)
			e->smtputf8 = 1;
		else if (vn == 13 && memcmp(v, "BODY=8BITMIME", 13) == 0)
			e->body8 = 1;
		/* another param: a later version's, ignored */
	} else if (is_field(line, n, "rcpt", &v)) {
		vn = n - (size_t)(v - line);
		if (vn == 0)
			return Q_ENV_ESYNTAX;
		if (e->nrcpt >= maxrcpt)
			return Q_ENV_ETOOMANY;
		err = copy_value(rcpt[e->nrcpt], ADDR_MAX + 1, v, vn);
		if (err != Q_ENV_OK)
			return err;
		e->nrcpt++;
	} else if ((n == 2 && memcmp(line, "id", 2) == 0) ||
	    (n == 4 && (memcmp(line, "time", 4) == 0 ||
	    memcmp(line, "from", 4) == 0 || memcmp(line, "rcpt", 4) == 0))) {
		return Q_ENV_ESYNTAX;	/* a known field without its value */
	}
	/* any other line: a later version's field, ignored */
	return Q_ENV_OK;
}

enum q_env_error
q_env_parse(const char *text, size_t len, struct q_env *e,
    char (*rcpt)[ADDR_MAX + 1], size_t maxrcpt)
{
	const char *p = text, *end = text + len, *nl;
	unsigned seen = 0;
	enum q_env_error err = Q_ENV_OK;
	size_t n;
	int first = 1;

	memset(e, 0, sizeof(*e));
	e->rcpt = rcpt;
	if (len > Q_ENV_MAX) {
		err = Q_ENV_ETOOBIG;
		goto fail;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (first) {
			if (n != sizeof(Q_ENV_MAGIC) - 1 ||
			    memcmp(p, Q_ENV_MAGIC, n) != 0) {
				err = Q_ENV_EVERSION;
				goto fail;
			}
			first = 0;
		} else if ((err = parse_line(p, n, e, rcpt, maxrcpt,
		    &seen)) != Q_ENV_OK)
			goto fail;
		p += n + (nl != NULL);
	}
	if (first) {
		err = Q_ENV_EVERSION;
		goto fail;
	}
	if (seen != 7 || e->nrcpt == 0) {
		err = Q_ENV_EMISSING;
		goto fail;
	}
	return Q_ENV_OK;
fail:
	memset(e, 0, sizeof(*e));
	e->rcpt = rcpt;
	return err;
}

enum q_env_error
q_env_read(const char *dir, const char *id, struct q_env *e,
    char (*rcpt)[ADDR_MAX + 1], size_t maxrcpt)
{
	char path[1024], text[Q_ENV_MAX + 1];
	size_t len = 0;
	ssize_t n;
	int fd, saved;
	enum q_env_error err;

	memset(e, 0, sizeof(*e));
	e->rcpt = rcpt;
	if (!q_id_valid(id))
		return Q_ENV_ESYNTAX;
	if (q_dir_path(path, sizeof(path), dir, "env", id) == -1)
		return Q_ENV_ESYS;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return Q_ENV_ESYS;
	/* one octet more than the bound, to see a file over it */
	while (len < sizeof(text)) {
		n = read(fd, text + len, sizeof(text) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return Q_ENV_ESYS;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > Q_ENV_MAX)
		return Q_ENV_ETOOBIG;
	if ((err = q_env_parse(text, len, e, rcpt, maxrcpt)) != Q_ENV_OK)
		return err;
	if (strcmp(e->id, id) != 0) {
		memset(e, 0, sizeof(*e));
		e->rcpt = rcpt;
		return Q_ENV_ESYNTAX;
	}
	return Q_ENV_OK;
}

const char *
q_env_strerror(enum q_env_error err)
{
	switch (err) {
	case Q_ENV_OK:		return "no error";
	case Q_ENV_ESYS:	return strerror(errno);
	case Q_ENV_EVERSION:	return "not a samotop-queue 1 envelope";
	case Q_ENV_ESYNTAX:	return "malformed line";
	case Q_ENV_ECONTROL:	return "control character in a value";
	case Q_ENV_ETOOLONG:	return "value too long";
	case Q_ENV_ETOOBIG:	return "envelope over 64 KiB";
	case Q_ENV_ETOOMANY:	return "too many recipients";
	case Q_ENV_EMISSING:	return "id, time, from or rcpt missing";
	case Q_ENV_EDUPLICATE:	return "id, time or from given twice";
	}
	return "unknown error";
}
