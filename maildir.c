/*
 * maildir.c: templates, safety checks and Maildir delivery for
 * samotop-maildir.
 *
 * Delivery writes one file per recipient under that recipient's own tmp/
 * while the content streams in (one pass over the input, at most
 * LMTP_RCPT_MAX open files), so a full disk or a quota hits only the
 * recipients it concerns.  Content arrives with CRLF line ends and is
 * stored with LF, as every Maildir reader expects; S= in the name is the
 * size of the stored file.
 *
 * Each copy begins with the two fields of its final delivery:
 * "Return-Path: <sender>" (RFC 5321 §4.4) and "Delivered-To: <rcpt>",
 * written before the content.  The message's own header section is read
 * once as it streams past (never stored whole) for the Delivered-To:
 * fields that already name a recipient: loop_max of them is a mail loop,
 * and that recipient's copy is dropped and refused with 5.4.6 (RFC 3463).
 *
 * Under leave-no-trace (c->notrace, the granularity in seconds) a copy's
 * name is random hex instead of time, pid and host, and its atime and
 * mtime are set to the arrival time rounded down before it is linked
 * into new/, so that what the file system shows is whole days (or
 * whatever the granularity is).  The mtime of tmp/ is rounded too, best
 * effort; that of new/ is not: Dovecot and mutt notice new mail by it,
 * and an mtime set back to a time they have seen hides the message.
 * The ctimes of the file and of both directories, which no process can
 * set, still tell the moment (see samotop-maildir(8)).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "data.h"
#include "fdio.h"
#include "lmtp.h"
#include "maildir.h"
#include "maildir_notrace.h"

/* A path in a Maildir: dir + "/tmp/" + name. */
#define FILE_PATH_MAX	(MAILDIR_PATH_MAX + MAILDIR_NAME_MAX + 16)
/* Random names drawn for one copy, in tmp/ and in new/ each. */
#define NAME_TRIES	3

static const char delivered_to[] = "Delivered-To";
#define DELIVERED_TO_LEN	(sizeof(delivered_to) - 1)
static const char quarantine[] = "X-Samotop-Quarantine";
#define QUARANTINE_LEN		(sizeof(quarantine) - 1)

static int
is_control(int ch)
{
	return (ch >= 0 && ch < 0x20) || ch == 0x7f;
}

static void
lowercase(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

enum maildir_error
maildir_template_check(const char *tmpl)
{
	for (; *tmpl != '\0'; tmpl++) {
		if (*tmpl != '%')
			continue;
		tmpl++;
		if (*tmpl == '\0' || strchr("ulde%", *tmpl) == NULL)
			return MAILDIR_ETEMPLATE;
	}
	return MAILDIR_OK;
}

int
maildir_vars_set(struct maildir_vars *v, const struct mailbox *mb, int delim)
{
	char ignored[ADDR_LOCAL_MAX + 1];

	if (mailbox_split(mb, delim, v->user, sizeof(v->user), v->ext,
	    sizeof(v->ext)) == -1 ||
	    mailbox_split(mb, 0, v->local, sizeof(v->local), ignored,
	    sizeof(ignored)) == -1)
		return -1;
	if (snprintf(v->domain, sizeof(v->domain), "%s", mb->domain) >=
	    (int)sizeof(v->domain))
		return -1;
	lowercase(v->user);
	lowercase(v->local);
	lowercase(v->domain);
	return 0;
}

int
maildir_safe(const char *value)
{
	if (value[0] == '\0' || value[0] == '.')
		return 0;
	for (; *value != '\0'; value++)
		if (*value == '/' || is_control((unsigned char)*value))
			return 0;
	return 1;
}

static const char *
escape_value(const struct maildir_vars *v, int ch)
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
	return NULL;
}

enum maildir_error
maildir_expand(const char *tmpl, const struct maildir_vars *v, char *out,
    size_t size)
{
	const char *val;
	size_t n = 0, len;

	for (; *tmpl != '\0'; tmpl++) {
		if (*tmpl != '%' || tmpl[1] == '%') {
			tmpl += *tmpl == '%';
			val = tmpl;
			len = 1;
		} else {
			if ((val = escape_value(v, *++tmpl)) == NULL)
				return MAILDIR_ETEMPLATE;
			if (*tmpl == 'e' && val[0] == '\0')
				return MAILDIR_ENOEXT;
			if (!maildir_safe(val))
				return MAILDIR_EUNSAFE;
			len = strlen(val);
		}
		if (size - n <= len)
			return MAILDIR_ETOOLONG;
		memcpy(out + n, val, len);
		n += len;
	}
	out[n] = '\0';
	return MAILDIR_OK;
}

int
maildir_exists(const char *path)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	char p[FILE_PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (snprintf(p, sizeof(p), "%s/%s", path, sub[i]) >=
		    (int)sizeof(p)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (stat(p, &st) == -1)
			return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
		if (!S_ISDIR(st.st_mode))
			return 0;
	}
	return 1;
}

static int
make_dir(const char *path)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
maildir_make(const char *path)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	char p[FILE_PATH_MAX];
	size_t i;

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p) - 4) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* the parents, then the Maildir itself */
	for (i = 1; p[i] != '\0'; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (make_dir(p) == -1)
			return -1;
		p[i] = '/';
	}
	if (make_dir(p) == -1)
		return -1;
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", path, sub[i]);
		if (make_dir(p) == -1)
			return -1;
	}
	return 0;
}

void
maildir_host(const char *hostname, char *out, size_t size)
{
	size_t n = 0;
	const char *esc;

	for (; *hostname != '\0'; hostname++) {
		esc = *hostname == '/' ? "\\057" : *hostname == ':' ?
		    "\\072" : NULL;
		if (n + (esc != NULL ? 4 : 1) >= size)
			break;
		if (esc != NULL) {
			memcpy(out + n, esc, 4);
			n += 4;
		} else
			out[n++] = *hostname;
	}
	out[n] = '\0';
}

/* The id smtpd gave the message, or NULL (the field is left out). */
static const char *
msgid(const struct maildir_ctx *c)
{
	return c->msgid[0] != '\0' ? c->msgid : NULL;
}

int
maildir_init(struct maildir_ctx *c, const char *hostname)
{
	memset(c, 0, sizeof(*c));
	c->rcpt = calloc(LMTP_RCPT_MAX, sizeof(*c->rcpt));
	if (c->rcpt == NULL)
		return -1;
	maildir_host(hostname, c->host, sizeof(c->host));
	c->delim = '+';
	c->loop_max = MAILDIR_LOOP_MAX;
	c->pid = (long)getpid();
	log_init_helper(&c->log, "samotop-maildir");
	return 0;
}

void
maildir_free(struct maildir_ctx *c)
{
	maildir_reset(c);
	free(c->rcpt);
	c->rcpt = NULL;
}

/* Refuse a recipient at RCPT time: reply and log line. */
static int
refuse(struct maildir_ctx *c, const struct maildir_rcpt *r, char *reply,
    size_t size, const char *status, const char *text)
{
	snprintf(reply, size, "%s <%s>: %s", status, r->addr, text);
	log_event(&c->log, status[0] == '5' ? LVL_INFO : LVL_ERROR, "refused",
	    "to", r->addr, "reason", text, NULL);
	return -1;
}

/*
 * Every template must expand safely before any of them is used: an
 * unsafe value is refused whichever template would have taken it.  A
 * template that needs an extension the recipient lacks is skipped.
 */
static enum maildir_error
check_all(const struct maildir_ctx *c, const struct maildir_vars *v)
{
	char path[MAILDIR_PATH_MAX];
	enum maildir_error e;
	size_t i;

	for (i = 0; i < c->ntemplates; i++)
		if ((e = maildir_expand(c->templates[i], v, path,
		    sizeof(path))) != MAILDIR_OK && e != MAILDIR_ENOEXT)
			return e;
	return MAILDIR_OK;
}

/*
 * 1: dir is the first expansion that is a Maildir, 0: none, -1: errno.
 * With create, the first expansion is made a Maildir when none is.
 */
static int
find_maildir(struct maildir_ctx *c, const struct maildir_vars *v,
    int create, char *dir, size_t size)
{
	char first[MAILDIR_PATH_MAX] = "";
	size_t i;
	int r;

	for (i = 0; i < c->ntemplates; i++) {
		/* check_all() has seen every other expansion succeed */
		if (maildir_expand(c->templates[i], v, dir, size) !=
		    MAILDIR_OK)
			continue;
		if ((r = maildir_exists(dir)) != 0)
			return r;
		if (first[0] == '\0')
			snprintf(first, sizeof(first), "%s", dir);
	}
	if (!create || first[0] == '\0')
		return 0;
	snprintf(dir, size, "%s", first);
	if (maildir_make(dir) == -1)
		return -1;
	log_event(&c->log, LVL_INFO, "created", "maildir", dir, NULL);
	return 1;
}

/* A Maildir++ folder named by the extension, when it exists. */
static int
choose_folder(struct maildir_rcpt *r, const char *ext)
{
	char p[MAILDIR_PATH_MAX];
	int e;

	if (ext[0] == '\0' || !maildir_safe(ext))
		return 0;
	if (snprintf(p, sizeof(p), "%s/.%s", r->dir, ext) >= (int)sizeof(p))
		return 0;
	if ((e = maildir_exists(p)) != 1)
		return e;
	memcpy(r->dir, p, sizeof(r->dir));
	snprintf(r->folder, sizeof(r->folder), ".%s", ext);
	return 0;
}

/* mkdir(2) with exactly mode (not the umask's), EEXIST being fine. */
static int
make_dir_mode(const char *path, mode_t mode, const struct stat *owner)
{
	if (mkdir(path, mode) == -1)
		return errno == EEXIST ? 0 : -1;
	if (chmod(path, mode) == -1)
		return -1;
	if (owner != NULL && chown(path, owner->st_uid, owner->st_gid) == -1)
		return -1;
	return 0;
}

int
maildir_folder_make(const char *root, const char *folder)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	char dir[MAILDIR_PATH_MAX], p[FILE_PATH_MAX];
	const struct stat *owner;
	struct stat st;
	mode_t mode;
	size_t i;
	int fd;

	if (stat(root, &st) == -1)
		return -1;
	mode = st.st_mode & 07777;
	/* root delivers for everyone: the folder is the Maildir owner's */
	owner = geteuid() == 0 ? &st : NULL;
	if (snprintf(dir, sizeof(dir), "%s/%s", root, folder) >=
	    (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (make_dir_mode(dir, mode, owner) == -1)
		return -1;
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		if (make_dir_mode(p, mode, owner) == -1)
			return -1;
	}
	/* last: a reader that sees it sees a whole folder */
	snprintf(p, sizeof(p), "%s/maildirfolder", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode & 0666);
	if (fd == -1)
		return errno == EEXIST ? 0 : -1;
	if (fchmod(fd, mode & 0666) == -1 || (owner != NULL &&
	    fchown(fd, owner->st_uid, owner->st_gid) == -1)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * The screener's folder (the session gave user+NAME): made when missing,
 * so that the first held message has somewhere to go.  0, or -1 with
 * errno (r->dir then names the folder, for the log).
 */
static int
screener_folder(struct maildir_ctx *c, struct maildir_rcpt *r)
{
	char folder[ADDR_LOCAL_MAX + 2];
	char p[MAILDIR_PATH_MAX];
	int e;

	snprintf(folder, sizeof(folder), ".%s", c->screener);
	if (snprintf(p, sizeof(p), "%s/%s", r->dir, folder) >=
	    (int)sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((e = maildir_exists(p)) == -1)
		return -1;
	if (e == 0) {
		if (maildir_folder_make(r->dir, folder) == -1) {
			memcpy(r->dir, p, sizeof(r->dir));
			return -1;
		}
		log_event(&c->log, LVL_INFO, "created", "maildir", p, NULL);
	}
	memcpy(r->dir, p, sizeof(r->dir));
	memcpy(r->folder, folder, sizeof(folder));
	return 0;
}

int
maildir_mail(struct maildir_ctx *c, const struct mailbox *from, char *reply,
    size_t size)
{
	(void)reply;
	(void)size;
	mailbox_format(from, c->sender, sizeof(c->sender));
	return 0;
}

/* The form Delivered-To: fields are compared in: see address.h. */
static int
canon_format(const struct mailbox *mb, int delim, char *out, size_t size)
{
	struct mailbox canon;

	if (mailbox_canonical(mb, delim, 1, &canon) == -1)
		return -1;
	mailbox_format(&canon, out, size);
	return 0;
}

static void
set_canon(struct maildir_rcpt *r, const struct mailbox *mb, int delim)
{
	if (canon_format(mb, delim, r->canon, sizeof(r->canon)) == -1)
		memcpy(r->canon, r->addr, sizeof(r->canon));
}

int
maildir_rcpt(struct maildir_ctx *c, const struct mailbox *mb, size_t index,
    char *reply, size_t size)
{
	struct maildir_rcpt *r;
	struct maildir_vars v;
	int found;

	if (index >= LMTP_RCPT_MAX) {
		snprintf(reply, size, "452 4.5.3 Too many recipients");
		return -1;
	}
	if (c->ntemplates == 0) {
		snprintf(reply, size, "451 4.3.5 No Maildir template");
		return -1;
	}
	r = &c->rcpt[index];
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	mailbox_format(mb, r->addr, sizeof(r->addr));
	if (maildir_vars_set(&v, mb, c->delim) == -1 ||
	    check_all(c, &v) != MAILDIR_OK)
		return refuse(c, r, reply, size, "550 5.1.3", "unsafe address");
	found = find_maildir(c, &v, c->create, r->dir, sizeof(r->dir));
	if (found == 1 && c->screener != NULL && v.ext[0] != '\0' &&
	    strcasecmp(v.ext, c->screener) == 0) {
		if (screener_folder(c, r) == -1)
			found = -1;
	} else if (found == 1 && choose_folder(r, v.ext) == -1)
		found = -1;
	if (found == -1) {
		snprintf(reply, size, "451 4.3.0 <%s>: %s", r->addr,
		    strerror(errno));
		log_event(&c->log, LVL_ERROR, "refused", "to", r->addr,
		    "path", r->dir, "reason", strerror(errno), NULL);
		return -1;
	}
	if (found == 0)
		return refuse(c, r, reply, size, "550 5.1.1",
		    "no such mailbox");
	set_canon(r, mb, c->delim);
	c->nrcpt = index + 1;
	snprintf(reply, size, "250 2.1.5 <%s>: OK", r->addr);
	return 0;
}

static int
copy_path(const struct maildir_rcpt *r, const char *sub, char *p,
    size_t size)
{
	int n;

	if (strcmp(sub, "new") == 0)
		n = snprintf(p, size, "%s/new/%s,S=%zu", r->dir, r->name,
		    r->size);
	else
		n = snprintf(p, size, "%s/tmp/%s", r->dir, r->name);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Create this copy's file in tmp/ under a new unique name. */
static int
open_copy(struct maildir_ctx *c, struct maildir_rcpt *r)
{
	char p[FILE_PATH_MAX];
	struct timespec ts;
	int tries;

	for (tries = 0; tries < NAME_TRIES; tries++) {
		if (c->notrace != 0) {
			if (maildir_notrace_name(r->name, sizeof(r->name)) ==
			    -1)
				return -1;
		} else {
			clock_gettime(CLOCK_REALTIME, &ts);
			snprintf(r->name, sizeof(r->name),
			    "%lld.M%ldP%ldQ%lu.%s", (long long)ts.tv_sec,
			    (long)(ts.tv_nsec / 1000), c->pid, ++c->counter,
			    c->host);
		}
		if (copy_path(r, "tmp", p, sizeof(p)) == -1)
			return -1;
		r->fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (r->fd != -1)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Close and remove an uncommitted copy; remember a failure to remove. */
static void
discard(struct maildir_ctx *c, struct maildir_rcpt *r)
{
	char p[FILE_PATH_MAX];

	if (r->fd == -1)
		return;
	close(r->fd);
	r->fd = -1;
	if (copy_path(r, "tmp", p, sizeof(p)) == 0 && unlink(p) == -1 &&
	    errno != ENOENT) {
		log_event(&c->log, LVL_ERROR, "cleanup", "path", p,
		    "error", strerror(errno), NULL);
		c->cleanup_failed = 1;
	}
}

static void
fail_copy(struct maildir_ctx *c, struct maildir_rcpt *r, int err,
    enum maildir_where where)
{
	if (r->err == 0) {
		r->err = err;
		r->where = err == ENAMETOOLONG ? MAILDIR_AT_DIR : where;
	}
	discard(c, r);
}

/* The final delivery's fields, first in the copy. */
static int
write_envelope(struct maildir_ctx *c, struct maildir_rcpt *r)
{
	char buf[2 * ADDR_MAX + 64];
	int n;

	n = snprintf(buf, sizeof(buf),
	    "Return-Path: <%s>\nDelivered-To: <%s>\n", c->sender, r->addr);
	if (fd_write_all(r->fd, buf, n) == -1)
		return -1;
	r->size += n;
	return 0;
}

/*
 * The value of f[0..len) when it is a field called name (nlen octets),
 * NUL-terminated in place, or NULL.
 */
static char *
field_value(char *f, size_t len, const char *name, size_t nlen)
{
	size_t i = nlen;

	f[len] = '\0';
	if (len < i || strncasecmp(f, name, i) != 0)
		return NULL;
	while (f[i] == ' ' || f[i] == '\t')
		i++;
	if (f[i++] != ':')
		return NULL;
	while (f[i] == ' ' || f[i] == '\t')
		i++;
	while (len > i && strchr(" \t\r", f[len - 1]) != NULL)
		f[--len] = '\0';
	return f + i;
}

/* One whole field: count it for each recipient it names. */
static void
scan_field(struct maildir_ctx *c)
{
	struct maildir_hdrscan *h = &c->scan;
	char addr[ADDR_MAX + 1], *v;
	struct mailbox mb;
	enum addr_error e;
	size_t i, vlen, used = 0;

	if (!h->keep)
		return;
	/* its name is all that counts, however long the field */
	if (field_value(h->field, h->len, quarantine, QUARANTINE_LEN) !=
	    NULL) {
		h->quarantine = 1;
		return;
	}
	if (h->overflow || h->nfields == MAILDIR_FIELDS_MAX ||
	    (v = field_value(h->field, h->len, delivered_to,
	    DELIVERED_TO_LEN)) == NULL)
		return;
	/* bounded: each one is compared with every recipient */
	h->nfields++;
	vlen = strlen(v);
	if (v[0] == '<') {
		e = addr_parse_path(v, vlen, ADDR_ALLOW_POSTMASTER |
		    ADDR_ALLOW_UTF8, &mb, &used);
		if (e == ADDR_OK && used != vlen)
			e = ADDR_ESYNTAX;
	} else
		e = addr_parse_mailbox(v, vlen, ADDR_ALLOW_UTF8, &mb);
	if (e != ADDR_OK || mb.is_null ||
	    canon_format(&mb, c->delim, addr, sizeof(addr)) == -1)
		return;
	for (i = 0; i < c->nrcpt; i++)
		if (strcmp(addr, c->rcpt[i].canon) == 0)
			c->rcpt[i].loops++;
}

/*
 * Leave-no-trace: tmp/'s mtime, which each delivery sets to its moment,
 * rounded down like the file's (atime left alone: Dovecot keeps the
 * time of its last tmp/ clean-up there).  Best effort: the copy is
 * delivered whatever happens here.
 */
static void
round_tmp_dir(const struct maildir_ctx *c, const char *dir)
{
	char p[FILE_PATH_MAX];
	struct timespec ts[2];

	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = c->arrival;
	ts[1].tv_nsec = 0;
	if (snprintf(p, sizeof(p), "%s/tmp", dir) < (int)sizeof(p))
		(void)utimensat(AT_FDCWD, p, ts, 0);
}

/*
 * A quarantined message: r's copy moves from its folder's tmp/ to the
 * tmp/ of the Maildir's Junk folder, when that exists, and is committed
 * there.  A link(2) and an unlink(2), so that no copy is ever replaced
 * or lost: when either fails (another file system, say) the copy stays
 * where it was and is delivered there, with a warning.
 */
static void
to_junk(struct maildir_ctx *c, struct maildir_rcpt *r)
{
	char junk[MAILDIR_PATH_MAX], from[FILE_PATH_MAX], to[FILE_PATH_MAX];
	size_t root = strlen(r->dir);
	int e;

	if (r->fd == -1 || strcmp(r->folder, MAILDIR_JUNK) == 0)
		return;
	if (r->folder[0] != '\0')	/* dir is ROOT/.EXT */
		root -= strlen(r->folder) + 1;
	if (snprintf(junk, sizeof(junk), "%.*s/%s", (int)root, r->dir,
	    MAILDIR_JUNK) >= (int)sizeof(junk))
		return;
	if ((e = maildir_exists(junk)) != 1) {
		if (e == -1)
			log_event(&c->log, LVL_WARN, "junk", "msgid", msgid(c),
			    "to", r->addr, "path", junk, "error",
			    strerror(errno), NULL);
		return;
	}
	if (copy_path(r, "tmp", from, sizeof(from)) == -1 ||
	    snprintf(to, sizeof(to), "%s/tmp/%s", junk, r->name) >=
	    (int)sizeof(to))
		return;
	if (link(from, to) == -1) {
		log_event(&c->log, LVL_WARN, "junk", "msgid", msgid(c),
		    "to", r->addr, "path", to, "error", strerror(errno), NULL);
		return;
	}
	if (unlink(from) == -1) {
		e = errno;
		unlink(to);
		log_event(&c->log, LVL_WARN, "junk", "msgid", msgid(c),
		    "to", r->addr, "path", from, "error", strerror(e), NULL);
		return;
	}
	if (c->notrace != 0)
		round_tmp_dir(c, r->dir);
	memcpy(r->dir, junk, sizeof(r->dir));
	snprintf(r->folder, sizeof(r->folder), "%s", MAILDIR_JUNK);
}

/*
 * The header section ended: the copies of looping recipients stop, and
 * those of a quarantined message go to Junk.
 */
static void
scan_done(struct maildir_ctx *c)
{
	size_t i;

	scan_field(c);
	c->scan.done = 1;
	for (i = 0; c->loop_max > 0 && i < c->nrcpt; i++)
		if (c->rcpt[i].loops >= c->loop_max)
			discard(c, &c->rcpt[i]);
	for (i = 0; c->scan.quarantine && i < c->nrcpt; i++)
		to_junk(c, &c->rcpt[i]);
}

static void
scan_put(struct maildir_hdrscan *h, char ch)
{
	if (!h->keep)
		return;
	if (h->len == sizeof(h->field) - 1) {
		h->overflow = 1;
		return;
	}
	h->field[h->len++] = ch;
	/* only those two are kept: the name decides early */
	if (h->len <= QUARANTINE_LEN &&
	    strncasecmp(h->field, quarantine, h->len) != 0 &&
	    strncasecmp(h->field, delivered_to, h->len < DELIVERED_TO_LEN ?
	    h->len : DELIVERED_TO_LEN) != 0)
		h->keep = 0;
}

/* The header section in buf[0..len) (LF line ends), unfolded. */
static void
scan(struct maildir_ctx *c, const char *buf, size_t len)
{
	struct maildir_hdrscan *h = &c->scan;
	size_t i;

	for (i = 0; i < len && !h->done; i++) {
		if (!h->bol) {
			if (buf[i] == '\n')
				h->bol = 1;
			else
				scan_put(h, buf[i]);
			continue;
		}
		h->bol = 0;
		if (buf[i] == '\n') {
			scan_done(c);
			continue;
		}
		if (buf[i] != ' ' && buf[i] != '\t') {
			scan_field(c);
			h->len = 0;
			h->overflow = 0;
			h->keep = 1;
		}
		scan_put(h, buf[i]);
	}
}

void
maildir_begin(struct maildir_ctx *c)
{
	size_t i;

	c->pending_cr = 0;
	c->arrival = maildir_notrace_floor(time(NULL), c->notrace);
	memset(&c->scan, 0, sizeof(c->scan));
	c->scan.bol = 1;
	for (i = 0; i < c->nrcpt; i++) {
		c->rcpt[i].size = 0;
		c->rcpt[i].err = 0;
		c->rcpt[i].loops = 0;
		if (open_copy(c, &c->rcpt[i]) == -1 ||
		    write_envelope(c, &c->rcpt[i]) == -1)
			fail_copy(c, &c->rcpt[i], errno, MAILDIR_AT_TMP);
	}
}

/* Write to every open copy; returns how many are still open. */
static size_t
write_copies(struct maildir_ctx *c, const char *buf, size_t len)
{
	struct maildir_rcpt *r;
	size_t i, open = 0;

	for (i = 0; i < c->nrcpt; i++) {
		r = &c->rcpt[i];
		if (r->fd == -1)
			continue;
		if (fd_write_all(r->fd, buf, len) == -1) {
			fail_copy(c, r, errno, MAILDIR_AT_TMP);
			continue;
		}
		r->size += len;
		open++;
	}
	return open;
}

int
maildir_write(struct maildir_ctx *c, const char *buf, size_t len)
{
	char lf[LMTP_CHUNK_SIZE + 1];
	size_t n, part;

	do {
		part = len < LMTP_CHUNK_SIZE ? len : LMTP_CHUNK_SIZE;
		n = data_to_lf(&c->pending_cr, buf, part, lf);
		if (!c->scan.done)
			scan(c, lf, n);
		if (write_copies(c, lf, n) == 0)
			return -1;
		buf += part;
		len -= part;
	} while (len > 0);
	return 0;
}

static int
sync_dir(const char *dir, const char *sub)
{
	char p[FILE_PATH_MAX];
	int fd, r, saved;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* Leave-no-trace: the file's atime and mtime are the rounded arrival. */
static int
set_times(const struct maildir_ctx *c, int fd)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = c->arrival;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	return futimens(fd, ts);
}

/*
 * Link tmp into new/ as new.  Under leave-no-trace a random name that
 * new/ already holds is drawn again: r->name changes (the delivered
 * line names the file in new/), the file in tmp/ keeps its own (tmp;
 * only a failure to remove it right after a collision would be logged
 * under the new name).  Without it, EEXIST is an error as it always was:
 * a name of time, pid and counter cannot collide but by a clock gone
 * back, and a second message must not replace the first.
 */
static int
link_new(const struct maildir_ctx *c, struct maildir_rcpt *r,
    const char *tmp, char *new, size_t size)
{
	int tries;

	for (tries = 1; link(tmp, new) == -1; tries++) {
		if (errno != EEXIST || c->notrace == 0 || tries == NAME_TRIES ||
		    maildir_notrace_name(r->name, sizeof(r->name)) == -1 ||
		    copy_path(r, "new", new, size) == -1)
			return -1;
	}
	return 0;
}

/*
 * tmp/NAME: fsync, close, link to new/NAME,S=SIZE, unlink, fsync new/.
 * Under leave-no-trace, the times are set first (set_times()), and the
 * mtime of tmp/ is rounded last (round_tmp_dir()).
 * On failure nothing of this copy is left; -1 with errno.
 */
static int
commit(struct maildir_ctx *c, struct maildir_rcpt *r)
{
	char tmp[FILE_PATH_MAX], new[FILE_PATH_MAX] = "";
	int fd = r->fd, err;

	if (r->err != 0 || fd == -1) {
		errno = r->err != 0 ? r->err : EBADF;
		return -1;
	}
	r->fd = -1;
	r->where = MAILDIR_AT_TMP;
	copy_path(r, "tmp", tmp, sizeof(tmp));
	if ((c->notrace != 0 && set_times(c, fd) == -1) || fsync(fd) == -1) {
		err = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1)
		goto fail_errno;
	r->where = MAILDIR_AT_DIR;
	if (copy_path(r, "new", new, sizeof(new)) == -1)
		goto fail_errno;
	r->where = MAILDIR_AT_NEW;
	if (link_new(c, r, tmp, new, sizeof(new)) == -1) {
		new[0] = '\0';
		goto fail_errno;
	}
	r->where = MAILDIR_AT_TMP;
	if (unlink(tmp) == -1)
		goto fail_errno;
	r->where = MAILDIR_AT_NEWDIR;
	if (sync_dir(r->dir, "new") == -1)
		goto fail_errno;
	if (c->notrace != 0)
		round_tmp_dir(c, r->dir);
	return 0;
fail_errno:
	err = errno;
fail:
	if (new[0] != '\0')
		unlink(new);
	if (unlink(tmp) == -1 && errno != ENOENT)
		c->cleanup_failed = 1;
	r->err = err;
	errno = err;
	return -1;
}

static void
error_reply(const struct maildir_rcpt *r, int err, char *reply, size_t size)
{
	const char *status = "451 4.3.0";

	if (err == ENOSPC)
		status = "452 4.3.1";
#ifdef EDQUOT
	else if (err == EDQUOT)
		status = "452 4.2.2";
#endif
	snprintf(reply, size, "%s <%s>: %s", status, r->addr, strerror(err));
}

/* The path a failed copy's log line names (see enum maildir_where). */
static void
error_path(const struct maildir_rcpt *r, char *p, size_t size)
{
	switch (r->where) {
	case MAILDIR_AT_TMP:
		if (copy_path(r, "tmp", p, size) == 0)
			return;
		break;
	case MAILDIR_AT_NEW:
		if (copy_path(r, "new", p, size) == 0)
			return;
		break;
	case MAILDIR_AT_NEWDIR:
		snprintf(p, size, "%s/new", r->dir);
		return;
	case MAILDIR_AT_DIR:
		break;
	}
	snprintf(p, size, "%s", r->dir);
}

/* A recipient the message has already reached loop_max times. */
static void
refuse_loop(struct maildir_ctx *c, struct maildir_rcpt *r, char *reply,
    size_t size)
{
	char num[32];

	discard(c, r);
	snprintf(reply, size, "554 5.4.6 <%s>: Mail loop detected: "
	    "already delivered %lu time%s", r->addr, r->loops,
	    r->loops == 1 ? "" : "s");
	snprintf(num, sizeof(num), "%lu", r->loops);
	log_event(&c->log, LVL_WARN, "refused", "msgid", msgid(c),
	    "to", r->addr, "reason", "mail loop", "delivered-to", num, NULL);
}

void
maildir_end(struct maildir_ctx *c, size_t index, char *reply, size_t size)
{
	char path[FILE_PATH_MAX], num[32];
	struct maildir_rcpt *r;
	int err;

	if (index >= c->nrcpt) {
		snprintf(reply, size, "451 4.3.0 No such recipient");
		return;
	}
	r = &c->rcpt[index];
	if (index == 0 && c->pending_cr) {
		c->pending_cr = 0;
		write_copies(c, "\r", 1);
	}
	if (index == 0 && !c->scan.done)
		scan_done(c);	/* a message that is all header */
	if (c->loop_max > 0 && r->loops >= c->loop_max) {
		refuse_loop(c, r, reply, size);
		return;
	}
	if (commit(c, r) == -1) {
		err = errno;
		error_reply(r, err, reply, size);
		error_path(r, path, sizeof(path));
		log_event(&c->log, LVL_ERROR, "failed", "msgid", msgid(c),
		    "to", r->addr, "path", path,
		    "error", strerror(err), NULL);
		return;
	}
	snprintf(reply, size, "250 2.0.0 <%s>: delivered", r->addr);
	snprintf(path, sizeof(path), "new/%s,S=%zu", r->name, r->size);
	snprintf(num, sizeof(num), "%zu", r->size);
	if (r->folder[0] != '\0')
		log_event(&c->log, LVL_INFO, "delivered", "msgid", msgid(c),
		    "to", r->addr, "folder", r->folder, "path", path, "size", num, NULL);
	else
		log_event(&c->log, LVL_INFO, "delivered", "msgid", msgid(c),
		    "to", r->addr, "path", path, "size", num, NULL);
}

int
maildir_abort(struct maildir_ctx *c)
{
	char num[32];
	size_t i;

	for (i = 0; i < c->nrcpt; i++)
		discard(c, &c->rcpt[i]);
	snprintf(num, sizeof(num), "%zu", c->nrcpt);
	log_event(&c->log, LVL_WARN, "aborted", "msgid", msgid(c),
	    "recipients", num, NULL);
	c->nrcpt = 0;
	c->pending_cr = 0;
	return c->cleanup_failed ? -1 : 0;
}

void
maildir_reset(struct maildir_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nrcpt; i++)
		discard(c, &c->rcpt[i]);
	c->nrcpt = 0;
	c->pending_cr = 0;
}
