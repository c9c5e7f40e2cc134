/*
 * scr_digest.c: the screener's daily digest (scr_digest.h).
 */
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "scr_box.h"
#include "scr_digest.h"

#define DIGEST_SIZE	(64 * 1024)

struct collect {
	time_t			 since;
	size_t			 n;
	struct scr_sender	 s[SCR_DIGEST_MAX];
};

static int
collect(void *arg, const struct scr_sender *s)
{
	struct collect *k = arg;

	if (s->first >= k->since && k->n < SCR_DIGEST_MAX)
		k->s[k->n++] = *s;
	return 0;
}

/* Append to buf[0..*len); -1 when it does not fit. */
static int
put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/* A text a message brought, on one line of printable text. */
static void
line_of(const char *in, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; in[i] != '\0' && n + 1 < size; i++)
		out[n++] = (unsigned char)in[i] < ' ' || in[i] == 0x7f ? ' ' :
		    in[i];
	out[n] = '\0';
}

size_t
scr_digest_message(const struct conf *c, const char *user,
    const struct scr_sender *s, size_t n, time_t now, char *buf,
    size_t size)
{
	char date[64], when[32], id[33], subj[256], name[256];
	unsigned char rnd[16];
	struct tm tm;
	size_t len = 0, i;
	int bad = 0;

	if (gmtime_r(&now, &tm) == NULL || getrandom(rnd, sizeof(rnd), 0) !=
	    (ssize_t)sizeof(rnd))
		return 0;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	hex_lower(rnd, sizeof(rnd), id);
	bad |= put(buf, size, &len, "From: Screener <%s%s>\r\nTo: <%s>\r\n"
	    "Subject: %zu new sender%s in your Screener\r\nDate: %s\r\n"
	    "Message-ID: <digest.%s@%s>\r\nAuto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n",
	    c->postmaster != NULL ? c->postmaster : "postmaster@",
	    c->postmaster != NULL ? "" : c->hostname, user, n,
	    n == 1 ? "" : "s", date, id, c->hostname);
	bad |= put(buf, size, &len, "These senders wrote to you for the "
	    "first time. Their mail waits in\r\nyour %s folder until you "
	    "decide: allow them, and it moves to your\r\ninbox; deny them, "
	    "and their mail is refused from now on.\r\n\r\n",
	    c->screener_folder);
	for (i = 0; i < n; i++) {
		line_of(s[i].display, name, sizeof(name));
		line_of(s[i].subject, subj, sizeof(subj));
		if (gmtime_r(&s[i].first, &tm) == NULL)
			return 0;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
		bad |= put(buf, size, &len, "* %s%s<%s>\r\n  \"%s\", %u "
		    "message%s since %s\r\n", name, name[0] != '\0' ? " " :
		    "", s[i].addr, subj, s[i].count, s[i].count == 1 ? "" :
		    "s", when);
	}
	if (c->screener_url != NULL)
		bad |= put(buf, size, &len, "\r\nDecide on the page: %s\r\n",
		    c->screener_url);
	return bad ? 0 : len;
}

/* A new message in root's new/, as samotop-maildir writes one. */
static int
deliver(const char *root, const char *msg, size_t len, time_t now)
{
	char tmp[PATH_MAX], dst[PATH_MAX], id[17];
	unsigned char rnd[8];
	ssize_t w;
	size_t off = 0;
	int fd, n;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	hex_lower(rnd, sizeof(rnd), id);
	n = snprintf(tmp, sizeof(tmp), "%s/tmp/%lld.R%s.digest", root,
	    (long long)now, id);
	if (n < 0 || (size_t)n >= sizeof(tmp) || snprintf(dst, sizeof(dst),
	    "%s/new/%lld.R%s.digest", root, (long long)now, id) >=
	    (int)sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1)
		return -1;
	while (off < len) {
		if ((w = write(fd, msg + off, len - off)) == -1 &&
		    errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd) == -1 || close(fd) == -1 ||
	    rename(tmp, dst) == -1) {
		n = errno;
		(void)unlink(tmp);
		errno = n;
		return -1;
	}
	return 0;
}

struct run {
	const struct conf	*c;
	time_t			 since, now;
	void			(*report)(void *, const char *, int);
	void			*arg;
	char			*msg;
};

/* A message's lines end in LF in a Maildir, as samotop-maildir's. */
static size_t
to_lf(char *m, size_t len)
{
	size_t i, k = 0;

	for (i = 0; i < len; i++)
		if (!(m[i] == '\r' && i + 1 < len && m[i + 1] == '\n'))
			m[k++] = m[i];
	return k;
}

static int
one_user(void *arg, const char *user)
{
	struct run *r = arg;
	struct collect *k;
	char root[PATH_MAX], folder[256], why[512];
	size_t len;
	int rc = -1;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	k->since = r->since;
	if (scr_box_maildir(r->c, user, root, sizeof(root), folder,
	    sizeof(folder), why, sizeof(why)) == 0 &&
	    scr_box_senders(r->c, user, collect, k, why, sizeof(why)) == 0) {
		rc = 0;
		if (k->n > 0 && ((len = scr_digest_message(r->c, user, k->s,
		    k->n, r->now, r->msg, DIGEST_SIZE)) == 0 ||
		    deliver(root, r->msg, to_lf(r->msg, len), r->now) == -1))
			rc = -1;
	}
	r->report(r->arg, user, rc == -1 ? -1 : (int)k->n);
	free(k);
	return 0;		/* the next user all the same */
}

int
scr_digest(const struct conf *c, struct store *st, time_t since,
    time_t now, void (*report)(void *arg, const char *user, int n),
    void *arg, char *why, size_t size)
{
	struct run r = { c, since, now, report, arg, NULL };
	int rc;

	if ((r.msg = malloc(DIGEST_SIZE)) == NULL) {
		snprintf(why, size, "%s", strerror(errno));
		return -1;
	}
	rc = store_user_list(st, one_user, &r);
	free(r.msg);
	if (rc == -1)
		snprintf(why, size, "%s", store_error(st));
	return rc == -1 ? -1 : 0;
}
