/*
 * scr_box.c: a user's Screener folder (scr_box.h).
 *
 * Listing reads each file of the folder's new/ and cur/ once for its
 * From: address (and time), sorts those records, and reads the newest
 * file of each sender again for what is shown: two passes over few
 * files rather than every message's text kept in memory.  Releasing is
 * one rename(2) per file, within one Maildir (one file system): atomic,
 * nothing copied, and a run that finds a file gone lost nothing, for
 * the run that moved it got it where it belongs.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "maildir.h"
#include "route.h"
#include "scr_box.h"
#include "scr_msg.h"

/* A path in the folder: ROOT/.NAME/new/FILE. */
#define SCR_PATH_MAX	(MAILDIR_PATH_MAX + ADDR_LOCAL_MAX + 16 + \
			 MAILDIR_NAME_MAX)
#define MAILDIR_PROG	"samotop-maildir"

static const char *const subdirs[] = { "new", "cur" };

/* One held file, for sorting by sender. */
struct held {
	char	 addr[ADDR_MAX + 1];
	time_t	 mtime;
	int	 sub;			/* index into subdirs */
	char	 name[MAILDIR_NAME_MAX];
};

static void
lowercase(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/* mb as "local@domain" into out; -1 when it does not fit. */
static int
format_key(const struct mailbox *mb, char *out, size_t size)
{
	char tmp[ADDR_MAX + 1];
	size_t n;

	n = mailbox_format(mb, tmp, sizeof(tmp));
	if (n >= size)
		return -1;
	memcpy(out, tmp, n + 1);
	return 0;
}

int
scr_user_key(const struct conf *c, const char *user, char *out, size_t size)
{
	struct mailbox mb, canon, base;

	if (addr_parse_mailbox(user, strlen(user), ADDR_ALLOW_UTF8, &mb) !=
	    ADDR_OK || mb.domain[0] == '\0' ||
	    mailbox_canonical(&mb, c->recipient_delimiter, c->local_part_fold,
	    &canon) == -1)
		return -1;
	mailbox_base(&canon, c->recipient_delimiter, &base);
	if (format_key(&base, out, size) == -1)
		return -1;
	lowercase(out);
	return 0;
}

int
scr_sender_key(const char *sender, char *out, size_t size)
{
	struct mailbox mb;
	size_t len = strlen(sender);

	if (sender[0] == '@') {
		if (len - 1 > ADDR_DOMAIN_MAX ||
		    !addr_domain_valid(sender + 1, len - 1) ||
		    sender[1] == '[' || len >= size)
			return -1;
		memcpy(out, sender, len + 1);
	} else {
		if (addr_parse_mailbox(sender, len, ADDR_ALLOW_UTF8, &mb) !=
		    ADDR_OK || mb.domain[0] == '\0' ||
		    format_key(&mb, out, size) == -1)
			return -1;
	}
	lowercase(out);
	return 0;
}

int
scr_sender_matches(const char *sender, const char *addr)
{
	const char *at;

	if (sender[0] != '@')
		return strcmp(sender, addr) == 0;
	if ((at = strrchr(addr, '@')) == NULL)
		return 0;
	return strcmp(sender, at) == 0;
}

static int
basename_is(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	return strcmp(slash != NULL ? slash + 1 : path, name) == 0;
}

/*
 * samotop-maildir's command line in a route: its templates (after the
 * options, as its getopt(3) would take them), its -d and its -s.
 * 0, or -1 when it is malformed.
 */
static int
maildir_args(const struct route *r, size_t *first, int *delim,
    const char **folder)
{
	const char *const *argv = r->argv;
	const char *v;
	size_t i, k;
	int ch;

	for (i = 1; argv[i] != NULL && argv[i][0] == '-' && argv[i][1] !=
	    '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (k = 1; (ch = argv[i][k]) != '\0'; k++) {
			if (strchr("dlsz", ch) == NULL)
				continue;	/* -c, -V: no value */
			/* the value: the rest of the word, or the next */
			v = argv[i][k + 1] != '\0' ? argv[i] + k + 1 :
			    argv[++i];
			if (v == NULL)
				return -1;
			if (ch == 'd' && (*delim = addr_delimiter_parse(v)) ==
			    -1)
				return -1;
			if (ch == 's')
				*folder = v;
			break;
		}
	}
	if (argv[i] == NULL)
		return -1;
	*first = i;
	return 0;
}

int
scr_box_maildir(const struct conf *c, const char *user, char *root,
    size_t rsize, char *folder, size_t fsize, char *why, size_t wsize)
{
	const struct route *r;
	const char *name = c->screener_folder;
	struct mailbox mb, canon;
	struct maildir_vars v;
	enum maildir_error e;
	size_t i, first;
	int delim = c->recipient_delimiter, found;

	if (addr_parse_mailbox(user, strlen(user), ADDR_ALLOW_UTF8, &mb) !=
	    ADDR_OK || mb.domain[0] == '\0' ||
	    mailbox_canonical(&mb, c->recipient_delimiter, c->local_part_fold,
	    &canon) == -1) {
		snprintf(why, wsize, "%s: not an address", user);
		return EX_DATAERR;
	}
	mailbox_base(&canon, c->recipient_delimiter, &canon);
	if ((r = route_lookup(c, &canon)) == NULL) {
		snprintf(why, wsize, "%s: no such user (no route)", user);
		return EX_NOUSER;
	}
	if (!basename_is(r->argv[0], MAILDIR_PROG)) {
		snprintf(why, wsize, "%s: its route (line %u) runs %s, not "
		    MAILDIR_PROG ": its Screener folder is not ours to read",
		    user, r->line, r->argv[0]);
		return EX_UNAVAILABLE;
	}
	if (maildir_args(r, &first, &delim, &name) == -1) {
		snprintf(why, wsize, "%s: the " MAILDIR_PROG " of its route "
		    "(line %u) has no template", user, r->line);
		return EX_CONFIG;
	}
	if (name == NULL || !maildir_safe(name) ||
	    snprintf(folder, fsize, ".%s", name) >= (int)fsize) {
		snprintf(why, wsize, "screener-folder: not a folder name");
		return EX_CONFIG;
	}
	if (maildir_vars_set(&v, &canon, delim) == -1) {
		snprintf(why, wsize, "%s: not an address", user);
		return EX_DATAERR;
	}
	for (i = first; r->argv[i] != NULL; i++) {
		if ((e = maildir_expand(r->argv[i], &v, root, rsize)) ==
		    MAILDIR_ENOEXT)
			continue;
		if (e != MAILDIR_OK)
			break;		/* samotop-maildir refuses it too */
		if ((found = maildir_exists(root)) == 1)
			return 0;
		if (found == -1) {
			snprintf(why, wsize, "%s: %s", root, strerror(errno));
			return EX_OSERR;
		}
	}
	snprintf(why, wsize, "%s: no such user (no Maildir)", user);
	return EX_NOUSER;
}

int
scr_box_read(const char *path, const char *authserv_id, struct scr_msg *m,
    time_t *mtime)
{
	return scr_box_read_n(path, SCR_MSG_READ, authserv_id, m, mtime);
}

int
scr_box_read_n(const char *path, size_t max, const char *authserv_id,
    struct scr_msg *m, time_t *mtime)
{
	char buf[SCR_MSG_READ];
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	errno = EINVAL;		/* what a file that is not regular gets */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (max > sizeof(buf))
		max = sizeof(buf);
	while (len < max) {
		n = read(fd, buf + len, max - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	scr_msg_read(buf, len, authserv_id, m);
	*mtime = st.st_mtime;
	return 0;
}

int
scr_box_each(const char *dir, int (*fn)(void *, const char *), void *arg,
    char *why, size_t size)
{
	struct dirent *d;
	DIR *dp;
	unsigned n = 0;
	int r = 0;

	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, size, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (r == 0 && n < SCR_FILES_MAX) {
		errno = 0;
		if ((d = readdir(dp)) == NULL) {
			if (errno != 0) {
				snprintf(why, size, "%s: %s", dir,
				    strerror(errno));
				r = -1;
			}
			break;
		}
		if (d->d_name[0] == '.')
			continue;
		n++;
		r = fn(arg, d->d_name);
	}
	closedir(dp);
	return r;
}

struct listing {
	const struct conf *c;
	const char	*dir;		/* ROOT/.NAME/SUB */
	int		 sub;
	struct held	*held;
	size_t		 n, cap;
	char		*why;
	size_t		 size;
};

static int
list_one(void *arg, const char *name)
{
	struct listing *l = arg;
	char path[SCR_PATH_MAX];
	struct scr_msg m;
	struct held *h;
	time_t mtime;

	if (snprintf(path, sizeof(path), "%s/%s", l->dir, name) >=
	    (int)sizeof(path) || strlen(name) >= MAILDIR_NAME_MAX)
		return 0;
	if (scr_box_read(path, l->c->hostname, &m, &mtime) == -1) {
		if (errno == ENOENT || errno == EINVAL || errno == ELOOP)
			return 0;	/* moved meanwhile, or no file */
		snprintf(l->why, l->size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (m.from[0] == '\0')
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		if ((h = reallocarray(l->held, l->cap, sizeof(*h))) == NULL) {
			snprintf(l->why, l->size, "%s", strerror(errno));
			return -1;
		}
		l->held = h;
	}
	h = &l->held[l->n++];
	memcpy(h->addr, m.from, sizeof(h->addr));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->mtime = mtime;
	h->sub = l->sub;
	return 0;
}

static int
by_sender(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	int r;

	if ((r = strcmp(x->addr, y->addr)) != 0)
		return r;
	return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

int
scr_box_senders(const struct conf *c, const char *user,
    int (*each)(void *arg, const struct scr_sender *), void *arg,
    char *why, size_t size)
{
	char root[MAILDIR_PATH_MAX], folder[ADDR_LOCAL_MAX + 2];
	char dir[SCR_PATH_MAX], path[SCR_PATH_MAX];
	struct listing l = { c, dir, 0, NULL, 0, 0, why, size };
	struct scr_sender s;
	struct scr_msg m;
	const struct held *h, *newest;
	size_t i, j;
	time_t mtime;
	int r = 0, k;

	if (scr_box_maildir(c, user, root, sizeof(root), folder,
	    sizeof(folder), why, size) != 0)
		return -1;
	for (k = 0; k < 2 && r == 0; k++) {
		snprintf(dir, sizeof(dir), "%s/%s/%s", root, folder,
		    subdirs[k]);
		l.sub = k;
		r = scr_box_each(dir, list_one, &l, why, size);
	}
	if (r != 0) {
		free(l.held);
		return -1;
	}
	if (l.n > 0)	/* qsort(3) of NULL is undefined, even for none */
		qsort(l.held, l.n, sizeof(*l.held), by_sender);
	for (i = 0; i < l.n && r == 0; i = j) {
		memset(&s, 0, sizeof(s));
		h = &l.held[i];
		memcpy(s.addr, h->addr, sizeof(s.addr));
		s.first = h->mtime;
		for (j = i; j < l.n && strcmp(l.held[j].addr, h->addr) == 0;
		    j++)
			s.count++;
		newest = &l.held[j - 1];
		s.last = newest->mtime;
		snprintf(path, sizeof(path), "%s/%s/%s/%s", root, folder,
		    subdirs[newest->sub], newest->name);
		if (scr_box_read(path, c->hostname, &m, &mtime) == 0) {
			memcpy(s.display, m.display, sizeof(s.display));
			memcpy(s.subject, m.subject, sizeof(s.subject));
			memcpy(s.snippet, m.snippet, sizeof(s.snippet));
			memcpy(s.evidence, m.evidence, sizeof(s.evidence));
		}
		r = each(arg, &s);
	}
	free(l.held);
	return r;
}

/* Moving (allow) or deleting (deny) one sender's held files. */
struct release {
	const struct conf *c;
	const char	*sender;
	const char	*from;		/* ROOT/.NAME/SUB */
	const char	*to;		/* ROOT/SUB, or NULL: delete */
	unsigned	 count;
	char		*why;
	size_t		 size;
};

static int
release_one(void *arg, const char *name)
{
	struct release *rl = arg;
	char path[SCR_PATH_MAX], dest[SCR_PATH_MAX];
	struct scr_msg m;
	time_t mtime;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", rl->from, name) >=
	    (int)sizeof(path) || (rl->to != NULL && snprintf(dest,
	    sizeof(dest), "%s/%s", rl->to, name) >= (int)sizeof(dest)))
		return 0;
	if (scr_box_read(path, rl->c->hostname, &m, &mtime) == -1) {
		if (errno == ENOENT || errno == EINVAL || errno == ELOOP)
			return 0;
		snprintf(rl->why, rl->size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (m.from[0] == '\0' || !scr_sender_matches(rl->sender, m.from))
		return 0;
	r = rl->to != NULL ? rename(path, dest) : unlink(path);
	if (r == -1) {
		if (errno == ENOENT)	/* another run took it */
			return 0;
		snprintf(rl->why, rl->size, "%s: %s", path, strerror(errno));
		return -1;
	}
	rl->count++;
	return 0;
}

/* The sender's held files into the inbox (allow) or gone: EX_IOERR. */
static int
release(const struct conf *c, const char *root, const char *folder,
    const char *sender, int move, unsigned *count, char *why, size_t size)
{
	char from[SCR_PATH_MAX], to[SCR_PATH_MAX];
	struct release rl = { c, sender, from, move ? to : NULL, 0, why,
	    size };
	int k;

	for (k = 0; k < 2; k++) {
		snprintf(from, sizeof(from), "%s/%s/%s", root, folder,
		    subdirs[k]);
		snprintf(to, sizeof(to), "%s/%s", root, subdirs[k]);
		if (scr_box_each(from, release_one, &rl, why, size) != 0) {
			*count = rl.count;
			return EX_IOERR;
		}
	}
	*count = rl.count;
	return 0;
}

int
scr_decide_status(const struct conf *c, struct store *st, const char *user,
    const char *sender, int decision, time_t now, unsigned *count,
    int *folder_read, char *why, size_t size)
{
	char ukey[ADDR_MAX + 1], skey[ADDR_MAX + 2];
	char root[MAILDIR_PATH_MAX], folder[ADDR_LOCAL_MAX + 2];
	int r, where, forgot = 0;

	*count = 0;
	*folder_read = 0;
	if (scr_user_key(c, user, ukey, sizeof(ukey)) == -1) {
		snprintf(why, size, "%s: not an address", user);
		return EX_DATAERR;
	}
	if (scr_sender_key(sender, skey, sizeof(skey)) == -1) {
		snprintf(why, size, "%s: not an address or @domain", sender);
		return EX_DATAERR;
	}
	if (decision != 0 && decision != STORE_ALLOW &&
	    decision != STORE_DENY) {
		snprintf(why, size, "no such decision: %d", decision);
		return EX_SOFTWARE;
	}
	/* where the folder is, before anything changes */
	where = scr_box_maildir(c, ukey, root, sizeof(root), folder,
	    sizeof(folder), why, size);
	if (where != 0 && where != EX_UNAVAILABLE)
		return where;
	if (store_begin(st) == -1)
		goto store_failed;
	/* a user who decides is screened: learn looks at their folders */
	if (store_user_seen(st, ukey, now) == -1)
		goto store_failed;
	if (decision == 0)
		r = forgot = store_decision_forget(st, ukey, skey);
	else
		r = store_decision_put(st, ukey, skey, decision, now);
	if (r == -1 || store_commit(st) == -1)
		goto store_failed;
	if (decision == 0) {
		*count = (unsigned)forgot;
		return 0;
	}
	if (where != 0)
		return 0;	/* decided; no folder of ours to touch */
	*folder_read = 1;
	if (decision == STORE_DENY && !c->screener_delete)
		return 0;
	return release(c, root, folder, skey, decision == STORE_ALLOW, count,
	    why, size);
store_failed:
	snprintf(why, size, "%s", store_error(st));
	store_rollback(st);
	return EX_TEMPFAIL;
}

int
scr_decide(const struct conf *c, struct store *st, const char *user,
    const char *sender, int decision, char *why, size_t size)
{
	unsigned count;
	int folder_read;

	return scr_decide_status(c, st, user, sender, decision, time(NULL),
	    &count, &folder_read, why, size) == 0 ? 0 : -1;
}
