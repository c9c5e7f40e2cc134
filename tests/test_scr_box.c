/*
 * test_scr_box.c: the screener's folder and decisions (scr_box.c) and
 * what it learns (scr_learn.c), on Maildirs and a store in a temporary
 * directory.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <utime.h>

#include "conf.h"
#include "scr_box.h"
#include "scr_learn.h"
#include "scr_msg.h"
#include "store.h"
#include "unit.h"

#define T0	1700000000

static char		dir[] = "/tmp/test_scr_box.XXXXXX";
static char		conftext[4096];
static struct conf	*c;
static char		why[1024];
static int		nstore;

/* c from the lines given, with the screener on. */
static int
conf_with(const char *routes)
{
	struct conf_error err;

	snprintf(conftext, sizeof(conftext), "hostname mx.test\nspf yes\n"
	    "dkim yes\ndmarc yes\nscreener %s/s.db\n%s\n", dir, routes);
	conf_defaults(c);
	if (conf_parse(c, conftext, strlen(conftext), &err) == -1) {
		printf("#   conf line %u: %s\n", err.line, err.msg);
		return -1;
	}
	return 0;
}

static void
mkdirs(const char *path)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/cur' '%s/new' '%s/tmp'",
	    path, path, path);
	if (system(cmd) != 0)
		printf("# cannot make %s\n", path);
}

/* A message file at dir/rel with From: from and the screener's field. */
static void
put_msg(const char *rel, const char *from, const char *subject,
    int screened, time_t mtime)
{
	char path[1200];
	struct utimbuf t = { mtime, mtime };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "w")) == NULL) {
		printf("# %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "Return-Path: <x@y.example>\n%s"
	    "Authentication-Results: mx.test; spf=pass\n\t(plaintext: no TLS)\n"
	    "From: %s\nSubject: %s\n\ntext of %s\n",
	    screened ? "X-Samotop-Screener: held (new sender)\n" : "", from,
	    subject, subject);
	fclose(f);
	utime(path, &t);
}

static int
exists(const char *rel)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return access(path, F_OK) == 0;
}

static struct store *
fresh_store(void)
{
	char path[1200], err[256];
	struct store *st;

	snprintf(path, sizeof(path), "%s/s%d.db", dir, nstore++);
	if ((st = store_open(path, err, sizeof(err))) == NULL)
		printf("#   store_open: %s\n", err);
	return st;
}

static void
keys(void)
{
	char out[ADDR_MAX + 2];

	if (conf_with("") == -1) {
		CHECK(0);
		return;
	}
	CHECK(scr_user_key(c, "Bob+Lists@Example.ORG", out, sizeof(out)) ==
	    0);
	CHECK_STR(out, "bob@example.org");
	CHECK(scr_user_key(c, "\"BOB\"@example.org", out, sizeof(out)) == 0);
	CHECK_STR(out, "bob@example.org");
	CHECK(scr_user_key(c, "bob", out, sizeof(out)) == -1);
	CHECK(scr_user_key(c, "@example.org", out, sizeof(out)) == -1);
	CHECK(scr_user_key(c, "", out, sizeof(out)) == -1);
	CHECK(scr_user_key(c, "bob@example.org", out, 5) == -1);
	CHECK(scr_sender_key("Alice@Example.NET", out, sizeof(out)) == 0);
	CHECK_STR(out, "alice@example.net");
	CHECK(scr_sender_key("@Example.NET", out, sizeof(out)) == 0);
	CHECK_STR(out, "@example.net");
	CHECK(scr_sender_key("alice", out, sizeof(out)) == -1);
	CHECK(scr_sender_key("@", out, sizeof(out)) == -1);
	CHECK(scr_sender_key("@[192.0.2.1]", out, sizeof(out)) == -1);
	CHECK(scr_sender_key("@exa mple.net", out, sizeof(out)) == -1);
	CHECK(scr_sender_key("a b@example.net", out, sizeof(out)) == -1);
	CHECK(scr_sender_key("<a@example.net>", out, sizeof(out)) == -1);
	CHECK(scr_sender_matches("a@example.net", "a@example.net"));
	CHECK(!scr_sender_matches("a@example.net", "b@example.net"));
	CHECK(scr_sender_matches("@example.net", "b@example.net"));
	CHECK(!scr_sender_matches("@example.net", "b@sub.example.net"));
	CHECK(!scr_sender_matches("@example.net", "b@example.network"));
}

static void
find_maildir(void)
{
	char routes[1024], root[1024], folder[80];

	snprintf(routes, sizeof(routes),
	    "route @example.org /usr/bin/samotop-maildir -c -l5 -s Held -- "
	    "%s/lists/%%e %s/%%d/%%u\n"
	    "route @example.net /usr/bin/samotop-lmtp unix:/run/lmtp\n"
	    "route carol@example.com /opt/samotop-maildir -d - %s/%%l\n",
	    dir, dir, dir);
	if (conf_with(routes) == -1) {
		CHECK(0);
		return;
	}
	snprintf(root, sizeof(root), "%s/example.org/bob", dir);
	mkdirs(root);
	CHECK(scr_box_maildir(c, "Bob+x@example.org", root, sizeof(root),
	    folder, sizeof(folder), why, sizeof(why)) == 0);
	CHECK(strstr(root, "/example.org/bob") != NULL);
	CHECK_STR(folder, ".Held");
	CHECK(scr_box_maildir(c, "alice@example.org", root, sizeof(root),
	    folder, sizeof(folder), why, sizeof(why)) == EX_NOUSER);
	CHECK(strstr(why, "no Maildir") != NULL);
	CHECK(scr_box_maildir(c, "bob@example.net", root, sizeof(root),
	    folder, sizeof(folder), why, sizeof(why)) == EX_UNAVAILABLE);
	CHECK(strstr(why, "samotop-lmtp") != NULL);
	CHECK(scr_box_maildir(c, "bob@example.com", root, sizeof(root),
	    folder, sizeof(folder), why, sizeof(why)) == EX_NOUSER);
	CHECK(strstr(why, "no route") != NULL);
	CHECK(scr_box_maildir(c, "bob", root, sizeof(root), folder,
	    sizeof(folder), why, sizeof(why)) == EX_DATAERR);
	/* -d and the default folder; %l with the route's delimiter */
	snprintf(root, sizeof(root), "%s/carol", dir);
	mkdirs(root);
	CHECK(scr_box_maildir(c, "carol@example.com", root, sizeof(root),
	    folder, sizeof(folder), why, sizeof(why)) == 0);
	CHECK_STR(folder, ".Screener");
}

struct seen {
	char		text[2048];
	struct scr_sender last;
};

static int
each_sender(void *arg, const struct scr_sender *s)
{
	struct seen *w = arg;
	size_t len = strlen(w->text);

	snprintf(w->text + len, sizeof(w->text) - len, "%s %u %lld %lld %s|",
	    s->addr, s->count, (long long)(s->first - T0),
	    (long long)(s->last - T0), s->subject);
	w->last = *s;
	return 0;
}

/* bob's Maildir with three held messages, two from alice. */
static void
bob_box(void)
{
	char routes[1024], path[1200];

	snprintf(routes, sizeof(routes), "route @example.org "
	    "/usr/local/bin/samotop-maildir %s/%%u", dir);
	if (conf_with(routes) == -1)
		return;
	snprintf(path, sizeof(path), "rm -rf '%s/bob'", dir);
	if (system(path) != 0)
		printf("# cannot remove %s/bob\n", dir);
	snprintf(path, sizeof(path), "%s/bob", dir);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/bob/.Screener", dir);
	mkdirs(path);
	put_msg("bob/.Screener/new/1.a", "Alice <alice@example.net>", "one",
	    1, T0 + 10);
	put_msg("bob/.Screener/cur/2.a:2,S", "alice@Example.NET", "two", 1,
	    T0 + 20);
	put_msg("bob/.Screener/new/3.c", "carol@example.com", "three", 1,
	    T0 + 5);
	put_msg("bob/.Screener/new/4.x", "nobody", "four", 1, T0);
}

static void
senders(void)
{
	struct seen w = { "", { "", "", 0, 0, 0, "", "", "" } };
	char path[1200];

	bob_box();
	CHECK(scr_box_senders(c, "bob@example.org", each_sender, &w, why,
	    sizeof(why)) == 0);
	CHECK_STR(w.text, "alice@example.net 2 10 20 two|"
	    "carol@example.com 1 5 5 three|");
	CHECK_STR(w.last.evidence, "spf=pass; plaintext: no TLS");
	CHECK_STR(w.last.snippet, "text of three");
	/* no folder yet: no senders */
	snprintf(path, sizeof(path), "rm -rf '%s/bob/.Screener'", dir);
	CHECK(system(path) == 0);
	w.text[0] = '\0';
	CHECK(scr_box_senders(c, "bob@example.org", each_sender, &w, why,
	    sizeof(why)) == 0);
	CHECK_STR(w.text, "");
	CHECK(scr_box_senders(c, "nobody@example.org", each_sender, &w, why,
	    sizeof(why)) == -1);
	CHECK(strstr(why, "no such user") != NULL);
}

static void
decide_allow(void)
{
	struct store *st;
	unsigned count;
	int folder_read, d;

	bob_box();
	if ((st = fresh_store()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(scr_decide_status(c, st, "Bob@example.org", "Alice@example.net",
	    STORE_ALLOW, T0, &count, &folder_read, why, sizeof(why)) == 0);
	CHECK(count == 2);
	CHECK(folder_read == 1);
	CHECK(exists("bob/new/1.a"));
	CHECK(exists("bob/cur/2.a:2,S"));
	CHECK(!exists("bob/.Screener/new/1.a"));
	CHECK(exists("bob/.Screener/new/3.c"));
	CHECK(store_decision_get(st, "bob@example.org", "alice@example.net",
	    &d) == 1 && d == STORE_ALLOW);
	/* again: nothing left to move, not an error */
	CHECK(scr_decide(c, st, "bob@example.org", "alice@example.net",
	    STORE_ALLOW, why, sizeof(why)) == 0);
	/* a domain */
	CHECK(scr_decide_status(c, st, "bob@example.org", "@example.com",
	    STORE_ALLOW, T0, &count, &folder_read, why, sizeof(why)) == 0);
	CHECK(count == 1);
	CHECK(exists("bob/new/3.c"));
	/* forget */
	CHECK(scr_decide_status(c, st, "bob@example.org", "@example.com", 0,
	    T0, &count, &folder_read, why, sizeof(why)) == 0);
	CHECK(count == 1);
	CHECK(scr_decide_status(c, st, "bob@example.org", "@example.com", 0,
	    T0, &count, &folder_read, why, sizeof(why)) == 0);
	CHECK(count == 0);
	/* bad data, no such user: nothing stored */
	CHECK(scr_decide_status(c, st, "bob@example.org", "alice", 1, T0,
	    &count, &folder_read, why, sizeof(why)) == EX_DATAERR);
	CHECK(scr_decide_status(c, st, "eve@example.org", "a@example.net", 1,
	    T0, &count, &folder_read, why, sizeof(why)) == EX_NOUSER);
	CHECK(store_decision_get(st, "eve@example.org", "a@example.net",
	    &d) == 0);
	CHECK(scr_decide(c, st, "bob@example.org", "a@example.net", 7, why,
	    sizeof(why)) == -1);
	store_close(st);
}

static void
decide_deny(void)
{
	struct store *st;
	unsigned count;
	int folder_read;

	bob_box();
	if ((st = fresh_store()) == NULL) {
		CHECK(0);
		return;
	}
	/* keep, the default */
	CHECK(scr_decide_status(c, st, "bob@example.org", "alice@example.net",
	    STORE_DENY, T0, &count, &folder_read, why, sizeof(why)) == 0);
	CHECK(count == 0);
	CHECK(exists("bob/.Screener/new/1.a"));
	c->screener_delete = 1;
	CHECK(scr_decide_status(c, st, "bob@example.org", "alice@example.net",
	    STORE_DENY, T0, &count, &folder_read, why, sizeof(why)) == 0);
	CHECK(count == 2);
	CHECK(!exists("bob/.Screener/new/1.a"));
	CHECK(!exists("bob/.Screener/cur/2.a:2,S"));
	CHECK(exists("bob/.Screener/new/3.c"));
	CHECK(!exists("bob/new/1.a"));
	store_close(st);
}

static void
outgoing(void)
{
	struct store *st;
	int d;

	if (conf_with("") == -1 || (st = fresh_store()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(scr_learn_outgoing(c, st, "Bob@example.org", "Carol@Example.COM",
	    T0, why, sizeof(why)) == 1);
	CHECK(store_decision_get(st, "bob@example.org", "carol@example.com",
	    &d) == 1 && d == STORE_ALLOW);
	CHECK(scr_learn_outgoing(c, st, "bob@example.org", "carol@example.com",
	    T0, why, sizeof(why)) == 0);
	/* a deny stays */
	CHECK(store_decision_put(st, "bob@example.org", "eve@example.com",
	    STORE_DENY, T0) == 0);
	CHECK(scr_learn_outgoing(c, st, "bob@example.org", "eve@example.com",
	    T0, why, sizeof(why)) == 0);
	CHECK(store_decision_get(st, "bob@example.org", "eve@example.com",
	    &d) == 1 && d == STORE_DENY);
	CHECK(scr_learn_outgoing(c, st, "bob@example.org", "@example.com",
	    T0, why, sizeof(why)) == -1);
	CHECK(scr_learn_outgoing(c, st, "bob", "a@example.com", T0, why,
	    sizeof(why)) == -1);
	store_close(st);
}

struct learned {
	char	text[1024];
	int	notes;
};

static void
on_learn(void *arg, const char *user, const char *sender, const char *w)
{
	struct learned *l = arg;
	size_t len = strlen(l->text);

	if (sender == NULL) {
		printf("#   note: %s: %s\n", user, w);
		l->notes++;
		return;
	}
	snprintf(l->text + len, sizeof(l->text) - len, "%s:%s|", user,
	    sender);
}

static void
learn(void)
{
	struct learned l = { "", 0 };
	struct store *st;
	char path[1200];
	int d;

	bob_box();
	if ((st = fresh_store()) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/bob/.Junk", dir);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/bob/.Lists.Sub", dir);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/bob/.spam.old", dir);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/bob/.Deleted Messages", dir);
	mkdirs(path);
	/* moved out: inbox cur/, a folder; not: Junk, Screener, no field */
	put_msg("bob/cur/5:2,S", "dave@example.net", "moved", 1, T0);
	put_msg("bob/.Lists.Sub/new/6", "Erin <erin@example.net>", "filed",
	    1, T0);
	put_msg("bob/.Junk/cur/7", "frank@example.net", "junk", 1, T0);
	put_msg("bob/.spam.old/cur/7", "frank@example.net", "spam", 1, T0);
	put_msg("bob/.Deleted Messages/new/7", "frank@example.net", "bin", 1,
	    T0);
	put_msg("bob/new/8", "gina@example.net", "direct", 0, T0);
	put_msg("bob/new/9", "hank@example.com", "domain allowed", 1, T0);
	CHECK(store_decision_put(st, "bob@example.org", "@example.com",
	    STORE_ALLOW, T0) == 0);
	CHECK(store_user_seen(st, "bob@example.org", T0) == 0);
	CHECK(store_user_seen(st, "gone@example.org", T0) == 0);
	CHECK(scr_learn(c, st, T0 + 1, on_learn, &l, why, sizeof(why)) == 2);
	CHECK_STR(l.text, "bob@example.org:dave@example.net|"
	    "bob@example.org:erin@example.net|");
	CHECK(l.notes == 1);	/* gone@: no Maildir */
	CHECK(store_decision_get(st, "bob@example.org", "dave@example.net",
	    &d) == 1 && d == STORE_ALLOW);
	CHECK(store_decision_get(st, "bob@example.org", "frank@example.net",
	    &d) == 0);
	CHECK(store_decision_get(st, "bob@example.org", "alice@example.net",
	    &d) == 0);
	CHECK(store_decision_get(st, "bob@example.org", "hank@example.com",
	    &d) == 0);
	/* learned once */
	l.text[0] = '\0';
	CHECK(scr_learn(c, st, T0 + 2, on_learn, &l, why, sizeof(why)) == 0);
	CHECK_STR(l.text, "");
	store_close(st);
}

static void
read_file(void)
{
	struct scr_msg m;
	char path[1200];
	time_t mtime = 0;

	bob_box();
	snprintf(path, sizeof(path), "%s/bob/.Screener/new/1.a", dir);
	CHECK(scr_box_read(path, "mx.test", &m, &mtime) == 0);
	CHECK(mtime == T0 + 10);
	CHECK_STR(m.from, "alice@example.net");
	CHECK_STR(m.display, "Alice");
	snprintf(path, sizeof(path), "%s/bob/.Screener/new", dir);
	CHECK(scr_box_read(path, "mx.test", &m, &mtime) == -1);
	snprintf(path, sizeof(path), "%s/bob/none", dir);
	CHECK(scr_box_read(path, "mx.test", &m, &mtime) == -1 &&
	    errno == ENOENT);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL || (c = malloc(sizeof(*c))) == NULL) {
		perror("test_scr_box");
		return 1;
	}
	TEST(keys);
	TEST(find_maildir);
	TEST(senders);
	TEST(decide_allow);
	TEST(decide_deny);
	TEST(outgoing);
	TEST(learn);
	TEST(read_file);
	free(c);
	unit_rmtree(dir);
	return UNIT_DONE();
}
