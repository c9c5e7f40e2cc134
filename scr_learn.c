/*
 * scr_learn.c: allows learned from what the user does (scr_learn.h).
 *
 * A held message carries "X-Samotop-Screener: held (...)" for good, so
 * wherever the user's mail client moves it, it says it came through
 * the Screener folder.  Found outside that folder (and outside the
 * folders of spam and deleted mail, where moving means the opposite),
 * it is an allow.  A message
 * that `allow` released carries the field too, but its sender has a
 * decision then, and learning never overrides one.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "maildir.h"
#include "scr_box.h"
#include "scr_learn.h"
#include "scr_msg.h"

#define SCR_PATH_MAX	(MAILDIR_PATH_MAX + 2 * MAILDIR_NAME_MAX + 16)
/*
 * What is read of each message to see whether it came through the
 * screener: the field is on top (below Return-Path: and Delivered-To:),
 * and an inbox holds thousands of messages that did not.
 */
#define SCR_LEARN_PEEK	4096

/*
 * Folders where a moved message is no allow: spam and the bin, by the
 * names mail clients give them (compared ignoring case).
 */
static const char *const skipped[] = {
	".Junk", ".Spam", ".Trash", ".Deleted Messages", ".Deleted Items",
	".Junk E-mail", ".Bulk Mail",
};
#define NSKIPPED	(sizeof(skipped) / sizeof(skipped[0]))

/*
 * Whether user has a decision for addr or an allow of its domain:
 * 1 yes, 0 no, -1 store error.
 */
static int
decided(struct store *st, const char *user, const char *addr)
{
	const char *at = strrchr(addr, '@');
	int d, r;

	if ((r = store_decision_get(st, user, addr, &d)) != 0)
		return r;
	if (at == NULL)
		return 0;
	if ((r = store_decision_get(st, user, at, &d)) != 1)
		return r;
	return d == STORE_ALLOW;
}

int
scr_learn_outgoing(const struct conf *c, struct store *st, const char *user,
    const char *rcpt, time_t now, char *why, size_t size)
{
	char ukey[ADDR_MAX + 1], rkey[ADDR_MAX + 2];
	int d, r;

	if (scr_user_key(c, user, ukey, sizeof(ukey)) == -1) {
		snprintf(why, size, "%s: not an address", user);
		return -1;
	}
	if (rcpt[0] == '@' || scr_sender_key(rcpt, rkey, sizeof(rkey)) ==
	    -1) {
		snprintf(why, size, "%s: not an address", rcpt);
		return -1;
	}
	if (store_begin(st) == -1)
		goto failed;
	if ((r = store_decision_get(st, ukey, rkey, &d)) == -1)
		goto failed;
	if (r == 0 && store_decision_put(st, ukey, rkey, STORE_ALLOW, now) ==
	    -1)
		goto failed;
	if (store_commit(st) == -1)
		goto failed;
	return r == 0;
failed:
	snprintf(why, size, "%s", store_error(st));
	store_rollback(st);
	return -1;
}

/* One user's scan. */
struct scan {
	const struct conf *c;
	struct store	*st;
	time_t		 now;
	const char	*user;
	const char	*root;
	const char	*screener;	/* ".Screener" */
	const char	*dir;		/* the directory being read */
	long		 learned;
	int		 store_failed;
	void		(*report)(void *, const char *, const char *,
			    const char *);
	void		*arg;
	char		*why;
	size_t		 size;
};

static int
scan_file(void *arg, const char *name)
{
	struct scan *s = arg;
	char path[SCR_PATH_MAX];
	struct scr_msg m;
	time_t mtime;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", s->dir, name) >=
	    (int)sizeof(path) || scr_box_read_n(path, SCR_LEARN_PEEK,
	    s->c->hostname, &m, &mtime) == -1)
		return 0;	/* gone, or no file: nothing to learn */
	if (!m.screened)
		return 0;
	/* a From: below a long header: the whole reading */
	if (m.from[0] == '\0' && (scr_box_read(path, s->c->hostname, &m,
	    &mtime) == -1 || m.from[0] == '\0'))
		return 0;
	if ((r = decided(s->st, s->user, m.from)) == 0)
		r = store_decision_put(s->st, s->user, m.from, STORE_ALLOW,
		    s->now) == -1 ? -1 : 0;
	else if (r == 1)
		return 0;
	if (r == -1) {
		snprintf(s->why, s->size, "%s", store_error(s->st));
		s->store_failed = 1;
		return -1;
	}
	s->learned++;
	s->report(s->arg, s->user, m.from, NULL);
	return 0;
}

/* Whether folder (".Name", ".Name.Sub") is one to leave alone. */
static int
skip_folder(const struct scan *s, const char *folder)
{
	const char *name;
	size_t i, l;

	for (i = 0; i <= NSKIPPED; i++) {
		name = i == NSKIPPED ? s->screener : skipped[i];
		l = strlen(name);
		if (strncasecmp(folder, name, l) == 0 &&
		    (folder[l] == '\0' || folder[l] == '.'))
			return 1;
	}
	return 0;
}

/* The new/ and cur/ of ROOT/FOLDER ("" for the inbox). */
static int
scan_maildir(struct scan *s, const char *folder)
{
	static const char *const subs[] = { "new", "cur" };
	char dir[SCR_PATH_MAX];
	int k;

	for (k = 0; k < 2; k++) {
		if (snprintf(dir, sizeof(dir), "%s%s%s/%s", s->root,
		    folder[0] != '\0' ? "/" : "", folder, subs[k]) >=
		    (int)sizeof(dir))
			return 0;
		s->dir = dir;
		if (scr_box_each(dir, scan_file, s, s->why, s->size) != 0)
			return -1;
	}
	return 0;
}

/* Each Maildir++ folder of the root: the entries ".Name". */
static int
scan_folders(struct scan *s)
{
	char path[SCR_PATH_MAX];
	struct dirent *d;
	DIR *dp;
	unsigned n = 0;
	int r = 0;

	if ((dp = opendir(s->root)) == NULL) {
		snprintf(s->why, s->size, "%s: %s", s->root, strerror(errno));
		return -1;
	}
	while (r == 0 && n++ < SCR_FILES_MAX && (d = readdir(dp)) != NULL) {
		if (d->d_name[0] != '.' || strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0 || skip_folder(s, d->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", s->root, d->d_name)
		    >= (int)sizeof(path) || maildir_exists(path) != 1)
			continue;
		r = scan_maildir(s, d->d_name);
	}
	closedir(dp);
	return r;
}

/* The users, copied: the store is written while they are scanned. */
struct users {
	char	**name;
	size_t	  n, cap;
	int	  oom;		/* add_user() found no memory */
};

static int
add_user(void *arg, const char *user)
{
	struct users *u = arg;
	char **p;

	if (u->n == u->cap) {
		u->cap = u->cap == 0 ? 16 : u->cap * 2;
		if ((p = reallocarray(u->name, u->cap, sizeof(*p))) == NULL) {
			u->oom = 1;
			return -1;
		}
		u->name = p;
	}
	if ((u->name[u->n] = strdup(user)) == NULL) {
		u->oom = 1;
		return -1;
	}
	u->n++;
	return 0;
}

static void
free_users(struct users *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		free(u->name[i]);
	free(u->name);
}

long
scr_learn(const struct conf *c, struct store *st, time_t now,
    void (*report)(void *arg, const char *user, const char *sender,
    const char *why), void *arg, char *why, size_t size)
{
	char root[MAILDIR_PATH_MAX], folder[ADDR_LOCAL_MAX + 2];
	char note[512];
	struct users u = { NULL, 0, 0, 0 };
	struct scan s;
	long learned = 0;
	size_t i;
	int r;

	if ((r = store_user_list(st, add_user, &u)) != 0) {
		snprintf(why, size, "%s", u.oom ? strerror(ENOMEM) :
		    store_error(st));
		free_users(&u);
		return -1;
	}
	for (i = 0; i < u.n; i++) {
		if ((r = scr_box_maildir(c, u.name[i], root, sizeof(root),
		    folder, sizeof(folder), note, sizeof(note))) != 0) {
			/* not ours to read (Dovecot's): nothing to say */
			if (r != EX_UNAVAILABLE)
				report(arg, u.name[i], NULL, note);
			continue;
		}
		s = (struct scan){ c, st, now, u.name[i], root, folder, NULL,
		    0, 0, report, arg, note, sizeof(note) };
		r = scan_maildir(&s, "");
		if (r == 0)
			r = scan_folders(&s);
		learned += s.learned;
		if (s.store_failed) {
			snprintf(why, size, "%s", note);
			free_users(&u);
			return -1;
		}
		if (r != 0)
			report(arg, u.name[i], NULL, note);
	}
	free_users(&u);
	return learned;
}
