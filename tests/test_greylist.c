/*
 * test_greylist.c: greylisting rules and the SQLite store, on database
 * files in a temporary directory, with made-up times.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "greylist.h"
#include "store.h"
#include "store_fixture.h"
#include "unit.h"

#define T0	1700000000	/* a first attempt */
#define DAY	86400

static char		dir[] = "/tmp/test_greylist.XXXXXX";
static char		path[256];
static struct conf	c;
static struct greylist	g;
static int		ndb;

/* A fresh database (not yet created: greylisting opens it lazily). */
static void
fresh(void)
{
	fixture_fresh(dir, "grey", ndb++, path, sizeof(path));
	conf_defaults(&c);
	c.greylist_db = path;
	greylist_init(&g);
}

static enum grey_result
check(const char *ip, const char *from, const char *to, time_t now,
    unsigned *wait)
{
	*wait = 12345;
	return greylist_check(&g, &c, ip, from, to, now, wait);
}

#define LIMIT	(-3)	/* try(): GREY_LIMIT */

/*
 * The result of one attempt, with its wait folded in: -1 for PASS,
 * LIMIT for GREY_LIMIT.
 */
static long
try(const char *ip, const char *from, const char *to, time_t now)
{
	unsigned wait;

	switch (check(ip, from, to, now, &wait)) {
	case GREY_PASS:
		return -1;
	case GREY_DEFER:
		return wait;
	case GREY_LIMIT:
		return LIMIT;
	default:
		printf("#   GREY_ERROR: %s\n", g.why);
		return -2;
	}
}

static void
network_v4(void)
{
	char n[64];

	CHECK(greylist_network("192.0.2.77", n, sizeof(n)) == 0);
	CHECK_STR(n, "192.0.2.0/24");
	CHECK(greylist_network("10.1.2.3", n, sizeof(n)) == 0);
	CHECK_STR(n, "10.1.2.0/24");
	CHECK(greylist_network("0.0.0.0", n, sizeof(n)) == 0);
	CHECK_STR(n, "0.0.0.0/24");
}

static void
network_v6(void)
{
	char n[64];

	CHECK(greylist_network("2001:db8:1:2:3:4:5:6", n, sizeof(n)) == 0);
	CHECK_STR(n, "2001:db8:1:2::/64");
	CHECK(greylist_network("2001:DB8:1:2::1", n, sizeof(n)) == 0);
	CHECK_STR(n, "2001:db8:1:2::/64");
	CHECK(greylist_network("::1", n, sizeof(n)) == 0);
	CHECK_STR(n, "::/64");
}

static void
network_v4_mapped(void)
{
	char n[64];

	CHECK(greylist_network("::ffff:192.0.2.9", n, sizeof(n)) == 0);
	CHECK_STR(n, "192.0.2.0/24");
}

static void
network_bad(void)
{
	char n[64], small[12];

	CHECK(greylist_network("", n, sizeof(n)) == -1);
	CHECK(greylist_network("300.1.1.1", n, sizeof(n)) == -1);
	CHECK(greylist_network("192.0.2", n, sizeof(n)) == -1);
	CHECK(greylist_network("192.0.2.1/24", n, sizeof(n)) == -1);
	CHECK(greylist_network("mx.example.org", n, sizeof(n)) == -1);
	CHECK(greylist_network("fe80::1%eth0", n, sizeof(n)) == -1);
	CHECK(greylist_network(" 192.0.2.1", n, sizeof(n)) == -1);
	/* "192.0.2.0/24" needs 13 octets */
	CHECK(greylist_network("192.0.2.1", small, sizeof(small)) == -1);
}

static void
first_attempt_defers(void)
{
	fresh();
	CHECK(access(path, F_OK) == -1);	/* opened lazily */
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	greylist_close(&g);
}

static void
created_0600(void)
{
	struct stat st;
	mode_t old;

	fresh();
	old = umask(0);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	umask(old);
	CHECK(stat(path, &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
	greylist_close(&g);
}

static void
early_retry_defers(void)
{
	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 1) ==
	    299);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 100) ==
	    200);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 299) ==
	    1);
	greylist_close(&g);
}

static void
retry_after_delay_passes(void)
{
	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 300) ==
	    -1);
	greylist_close(&g);
}

static void
passes_until_expire(void)
{
	time_t t;

	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net",
	    T0 + 2 * DAY) == -1);
	/* each delivery keeps it alive */
	for (t = T0 + 2 * DAY; t < T0 + 200 * DAY; t += 30 * DAY)
		CHECK(try("192.0.2.1", "a@example.org", "b@example.net",
		    t) == -1);
	t -= 30 * DAY;
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net",
	    t + 35 * DAY) == -1);
	/* silent for longer than greylist-expire: starts over */
	t += 35 * DAY;
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net",
	    t + 35 * DAY + 1) == 300);
	greylist_close(&g);
}

static void
retry_after_window_starts_over(void)
{
	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net",
	    T0 + 2 * DAY + 1) == 300);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net",
	    T0 + 2 * DAY + 2) == 299);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net",
	    T0 + 2 * DAY + 301) == -1);
	greylist_close(&g);
}

static void
different_triplets(void)
{
	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 400) ==
	    -1);
	CHECK(try("192.0.2.1", "x@example.org", "b@example.net", T0 + 400) ==
	    300);
	CHECK(try("192.0.2.1", "a@example.org", "y@example.net", T0 + 400) ==
	    300);
	CHECK(try("192.0.3.1", "a@example.org", "b@example.net", T0 + 400) ==
	    300);
	CHECK(try("2001:db8::1", "a@example.org", "b@example.net",
	    T0 + 400) == 300);
	CHECK(try("192.0.2.1", "", "b@example.net", T0 + 400) == 300);
	greylist_close(&g);
}

static void
same_network_same_triplet(void)
{
	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.254", "a@example.org", "b@example.net",
	    T0 + 300) == -1);
	CHECK(try("::ffff:192.0.2.9", "a@example.org", "b@example.net",
	    T0 + 301) == -1);
	CHECK(try("2001:db8:0:1::1", "a@example.org", "b@example.net",
	    T0) == 300);
	CHECK(try("2001:db8:0:1:ffff::2", "a@example.org", "b@example.net",
	    T0 + 300) == -1);
	greylist_close(&g);
}

static void
null_sender(void)
{
	fresh();
	CHECK(try("192.0.2.1", "", "b@example.net", T0) == 300);
	CHECK(try("192.0.2.1", "", "b@example.net", T0 + 300) == -1);
	greylist_close(&g);
}

static void
case_insensitive(void)
{
	fresh();
	CHECK(try("192.0.2.1", "Alice@Example.ORG", "BOB@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "alice@example.org", "bob@EXAMPLE.NET",
	    T0 + 300) == -1);
	greylist_close(&g);
}

/* Triplets from ip, senders number first..first+n-1, wait out the delay. */
static void
pass_triplets(const char *ip, int first, int n, time_t t)
{
	char from[64];
	int i;

	for (i = first; i < first + n; i++) {
		snprintf(from, sizeof(from), "s%d@example.org", i);
		CHECK(try(ip, from, "b@example.net", t) == 300);
		CHECK(try(ip, from, "b@example.net", t + 300) == -1);
	}
}

static void
autoallow(void)
{
	fresh();
	pass_triplets("192.0.2.1", 0, 4, T0);
	CHECK(try("192.0.2.7", "new@example.org", "b@example.net",
	    T0 + 400) == 300);
	pass_triplets("192.0.2.2", 4, 1, T0 + 1000);	/* the fifth */
	CHECK(try("192.0.2.8", "new2@example.org", "c@example.net",
	    T0 + 2000) == -1);
	CHECK(try("192.0.2.9", "", "d@example.net", T0 + 30 * DAY) == -1);
	/* other networks are not allowed */
	CHECK(try("192.0.3.1", "new2@example.org", "c@example.net",
	    T0 + 2000) == 300);
	/* each pass keeps it allowed; a silent one ends it */
	CHECK(try("192.0.2.9", "", "e@example.net", T0 + 64 * DAY) == -1);
	CHECK(try("192.0.2.9", "", "f@example.net", T0 + 100 * DAY) == 300);
	greylist_close(&g);
}

static void
autoallow_counts_triplets(void)
{
	time_t t;

	/* one triplet delivered again and again proves nothing new */
	fresh();
	pass_triplets("192.0.2.1", 0, 1, T0);
	for (t = T0 + 400; t < T0 + 420; t++)
		CHECK(try("192.0.2.1", "s0@example.org", "b@example.net",
		    t) == -1);
	CHECK(try("192.0.2.1", "new@example.org", "b@example.net", t) ==
	    300);
	greylist_close(&g);
}

static void
autoallow_off(void)
{
	fresh();
	c.greylist_autoallow = 0;
	pass_triplets("192.0.2.1", 0, 10, T0);
	CHECK(try("192.0.2.1", "new@example.org", "b@example.net",
	    T0 + 400) == 300);
	greylist_close(&g);
}

static void
other_settings(void)
{
	fresh();
	c.greylist_delay = 60;
	c.greylist_window = 3600;
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) == 60);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 3601) ==
	    60);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 3661) ==
	    -1);
	greylist_close(&g);
	fresh();
	c.greylist_delay = 0;
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) == -1);
	greylist_close(&g);
}

/* The clock going back never makes a wait longer than the delay. */
static void
clock_backwards(void)
{
	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 - 50) ==
	    300);
	greylist_close(&g);
}

static struct store *
open_store(void)
{
	char err[256];
	struct store *s;

	if ((s = store_open(path, err, sizeof(err))) == NULL)
		printf("#   store_open: %s\n", err);
	return s;
}

static int
put(struct store *s, const char *sender, time_t until)
{
	struct store_key k = { "192.0.2.0/24", sender, "b@example.net" };
	struct store_triplet t = { T0, T0, 0, 1, until };

	return store_triplet_put(s, &k, &t);
}

static int
present(struct store *s, const char *sender)
{
	struct store_key k = { "192.0.2.0/24", sender, "b@example.net" };
	struct store_triplet t;

	return store_triplet_get(s, &k, &t);
}

static void
store_roundtrip(void)
{
	struct store_key k = { "192.0.2.0/24", "", "b@example.net" };
	struct store_triplet t = { T0, T0 + 5, T0 + 4, 7, T0 + 9 }, u;
	struct store_network n = { 3, T0 + 1, T0 + 2 }, m;
	struct store *s;

	fresh();
	if ((s = open_store()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_triplet_get(s, &k, &u) == 0);
	CHECK(store_network_get(s, "192.0.2.0/24", &m) == 0);
	CHECK(store_begin(s) == 0);
	CHECK(store_triplet_put(s, &k, &t) == 0);
	CHECK(store_network_put(s, "192.0.2.0/24", &n) == 0);
	CHECK(store_commit(s) == 0);
	CHECK(store_triplet_get(s, &k, &u) == 1);
	CHECK(u.first == T0 && u.last == T0 + 5 && u.passed == T0 + 4 &&
	    u.attempts == 7 && u.until == T0 + 9);
	CHECK(store_network_get(s, "192.0.2.0/24", &m) == 1);
	CHECK(m.passes == 3 && m.last == T0 + 1 && m.until == T0 + 2);
	/* a rolled back change is not there */
	CHECK(store_begin(s) == 0);
	t.attempts = 8;
	CHECK(store_triplet_put(s, &k, &t) == 0);
	store_rollback(s);
	CHECK(store_triplet_get(s, &k, &u) == 1);
	CHECK(u.attempts == 7);
	/* user data are never SQL */
	k.sender = "x'); DROP TABLE triplet; --@example.org";
	CHECK(store_triplet_put(s, &k, &t) == 0);
	CHECK(store_triplet_get(s, &k, &u) == 1);
	store_close(s);
}

static void
store_expiry(void)
{
	struct store *s;
	char from[32];
	int i;

	fresh();
	if ((s = open_store()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(put(s, "old@example.org", T0 - 1) == 0);
	CHECK(put(s, "now@example.org", T0) == 0);
	CHECK(put(s, "new@example.org", T0 + 1) == 0);
	CHECK(store_network_put(s, "192.0.2.0/24",
	    &(struct store_network){ 1, T0, T0 - 1 }) == 0);
	CHECK(store_network_put(s, "192.0.3.0/24",
	    &(struct store_network){ 1, T0, T0 + 1 }) == 0);
	CHECK(store_expire(s, T0, 100) == 2);
	CHECK(present(s, "old@example.org") == 0);
	CHECK(present(s, "now@example.org") == 1);
	CHECK(present(s, "new@example.org") == 1);
	CHECK(store_network_get(s, "192.0.2.0/24",
	    &(struct store_network){ 0, 0, 0 }) == 0);
	CHECK(store_network_get(s, "192.0.3.0/24",
	    &(struct store_network){ 0, 0, 0 }) == 1);
	/*
	 * Bounded: at most max of each kind at a time.  27 triplets and
	 * one network are due.
	 */
	for (i = 0; i < 25; i++) {
		snprintf(from, sizeof(from), "x%d@example.org", i);
		CHECK(put(s, from, T0 + 5) == 0);
	}
	CHECK(store_expire(s, T0 + 10, 10) == 11);
	CHECK(store_expire(s, T0 + 10, 10) == 10);
	CHECK(store_expire(s, T0 + 10, 10) == 7);
	CHECK(store_expire(s, T0 + 10, 10) == 0);
	store_close(s);
}

/* What greylisting writes expires when a retry would start over. */
static void
greylist_expiry(void)
{
	struct store *s;

	fresh();
	CHECK(try("192.0.2.1", "gone@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "kept@example.org", "b@example.net", T0) ==
	    300);
	CHECK(try("192.0.2.1", "kept@example.org", "b@example.net",
	    T0 + 300) == -1);
	greylist_close(&g);
	if ((s = open_store()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_expire(s, T0 + 2 * DAY, 100) == 0);
	CHECK(store_expire(s, T0 + 2 * DAY + 1, 100) == 1);
	CHECK(present(s, "gone@example.org") == 0);
	CHECK(present(s, "kept@example.org") == 1);
	CHECK(store_expire(s, T0 + 300 + 35 * DAY, 100) == 0);
	CHECK(store_expire(s, T0 + 301 + 35 * DAY, 100) == 2);
	CHECK(present(s, "kept@example.org") == 0);
	store_close(s);
}

/* One number that sql (with ?1 = arg, if any) gives on path, or -1. */
static long long
number(const char *sql, const char *arg)
{
	return fixture_number(path, sql, arg);
}

static long long
rows(const char *network)
{
	return number("SELECT count(*) FROM triplet WHERE network = ?1",
	    network);
}

/* Senders s<first>..s<first+n-1> from ip, at now: what each got. */
static int
all_get(const char *ip, int first, int n, time_t now, long want)
{
	char from[64];
	int i, same = 1;
	long got;

	for (i = first; i < first + n; i++) {
		snprintf(from, sizeof(from), "s%d@example.org", i);
		if ((got = try(ip, from, "b@example.net", now)) != want) {
			printf("#   %s from %s: %ld, not %ld\n", from, ip, got,
			    want);
			same = 0;
		}
	}
	return same;
}

/*
 * One network can open at most greylist-max-pending rounds: the next
 * new triplet is neither recorded nor passed, other networks are not
 * affected, and the triplets it has still get their retries.
 */
static void
max_pending(void)
{
	fresh();
	c.greylist_max_pending = 5;
	CHECK(all_get("192.0.2.1", 0, 5, T0, 300));
	CHECK(all_get("192.0.2.99", 5, 20, T0 + 1, LIMIT));
	CHECK(rows("192.0.2.0/24") == 5);
	CHECK(number("SELECT count(*) FROM triplet WHERE sender = ?1",
	    "s5@example.org") == 0);
	/* another network gets its own */
	CHECK(all_get("192.0.3.1", 5, 5, T0 + 2, 300));
	CHECK(try("192.0.3.1", "x@example.org", "b@example.net", T0 + 2) ==
	    LIMIT);
	CHECK(rows("192.0.3.0/24") == 5);
	/* a pending triplet is still counted, and passes */
	CHECK(try("192.0.2.1", "s0@example.org", "b@example.net", T0 + 100) ==
	    200);
	CHECK(try("192.0.2.1", "s0@example.org", "b@example.net", T0 + 300) ==
	    -1);
	/* one passed: room for one more */
	CHECK(all_get("192.0.2.1", 5, 1, T0 + 300, 300));
	CHECK(all_get("192.0.2.1", 6, 1, T0 + 300, LIMIT));
	CHECK(rows("192.0.2.0/24") == 6);
	greylist_close(&g);
}

/* When their window ends, pending rounds neither count nor stay. */
static void
max_pending_window(void)
{
	fresh();
	c.greylist_max_pending = 3;
	CHECK(all_get("192.0.2.1", 0, 3, T0, 300));
	CHECK(all_get("192.0.2.1", 3, 1, T0 + 2 * DAY, LIMIT));
	/* the attacker stops; the next new triplet, anyone's, clears */
	CHECK(all_get("198.51.100.1", 0, 1, T0 + 2 * DAY + 1, 300));
	CHECK(rows("192.0.2.0/24") == 0);
	CHECK(all_get("192.0.2.1", 3, 3, T0 + 2 * DAY + 1, 300));
	CHECK(all_get("192.0.2.1", 6, 1, T0 + 2 * DAY + 1, LIMIT));
	/* a triplet whose old round was removed is a new one */
	CHECK(try("192.0.2.1", "s0@example.org", "b@example.net",
	    T0 + 2 * DAY + 2) == LIMIT);
	greylist_close(&g);
}

/* store_pending counts open unpassed rounds of one network, at most max. */
static void
store_pending_count(void)
{
	struct store_key k = { "192.0.2.0/24", "", "b@example.net" };
	struct store_triplet t = { T0, T0, 0, 1, T0 + 10 };
	struct store *s;
	char from[32];
	int i;

	fresh();
	if ((s = open_store()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_pending(s, "192.0.2.0/24", T0, 100) == 0);
	for (i = 0; i < 8; i++) {
		snprintf(from, sizeof(from), "p%d@example.org", i);
		k.sender = from;
		CHECK(store_triplet_put(s, &k, &t) == 0);
	}
	k.sender = "passed@example.org";
	CHECK(store_triplet_put(s, &k, &(struct store_triplet){ T0, T0, T0,
	    2, T0 + 10 }) == 0);
	k.sender = "old@example.org";
	CHECK(store_triplet_put(s, &k, &(struct store_triplet){ T0, T0, 0,
	    1, T0 - 1 }) == 0);
	k.network = "192.0.3.0/24";
	CHECK(store_triplet_put(s, &k, &t) == 0);
	CHECK(store_pending(s, "192.0.2.0/24", T0, 100) == 8);
	CHECK(store_pending(s, "192.0.2.0/24", T0, 3) == 3);
	CHECK(store_pending(s, "192.0.2.0/24", T0 + 10, 100) == 8);
	CHECK(store_pending(s, "192.0.2.0/24", T0 + 11, 100) == 0);
	CHECK(store_pending(s, "192.0.3.0/24", T0, 100) == 1);
	CHECK(store_pending(s, "192.0.4.0/24", T0, 100) == 0);
	store_close(s);
}

/*
 * A database written by samotop before greylist-max-pending (no
 * triplet_pending index) is used as it is, and gets the index.
 */
static void
old_database(void)
{
	static const char old[] =
	    "CREATE TABLE triplet ("
	    " network TEXT NOT NULL, sender TEXT NOT NULL, rcpt TEXT NOT NULL,"
	    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	    " passed_at INTEGER NOT NULL, attempts INTEGER NOT NULL,"
	    " expires INTEGER NOT NULL,"
	    " UNIQUE (network, sender, rcpt));"
	    "CREATE INDEX triplet_expires ON triplet (expires);"
	    "CREATE TABLE network ("
	    " network TEXT NOT NULL UNIQUE, passes INTEGER NOT NULL,"
	    " last_seen INTEGER NOT NULL, expires INTEGER NOT NULL);"
	    "CREATE INDEX network_expires ON network (expires);"
	    "INSERT INTO triplet VALUES ('192.0.2.0/24', 's0@example.org',"
	    " 'b@example.net', 1700000000, 1700000000, 0, 1, 1700172800);"
	    "INSERT INTO triplet VALUES ('192.0.2.0/24', 's1@example.org',"
	    " 'b@example.net', 1700000000, 1700000000, 0, 1, 1700172800);";
	sqlite3 *db;

	fresh();
	c.greylist_max_pending = 3;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, old, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(all_get("192.0.2.1", 2, 1, T0 + 1, 300));
	CHECK(all_get("192.0.2.1", 3, 1, T0 + 1, LIMIT));
	CHECK(try("192.0.2.1", "s0@example.org", "b@example.net", T0 + 300) ==
	    -1);
	CHECK(number("SELECT count(*) FROM sqlite_master WHERE type ="
	    " 'index' AND name = ?1", "triplet_pending") == 1);
	greylist_close(&g);
}

static void
why_contains(const char *what)
{
	if (strstr(g.why, path) == NULL || strstr(g.why, what) == NULL) {
		printf("#   why \"%s\" lacks \"%s\" or the path\n", g.why,
		    what);
		CHECK(0);
	}
}

static void
corrupt_database(void)
{
	FILE *f;
	unsigned wait;
	int i;

	fresh();
	CHECK((f = fopen(path, "w")) != NULL);
	for (i = 0; f != NULL && i < 256; i++)
		fputs("this is not an SQLite database\n", f);
	if (f != NULL)
		fclose(f);
	CHECK(check("192.0.2.1", "a@example.org", "b@example.net", T0,
	    &wait) == GREY_ERROR);
	why_contains("not a database");
	/* and again, not a crash on the second try */
	CHECK(check("192.0.2.1", "a@example.org", "b@example.net", T0,
	    &wait) == GREY_ERROR);
	greylist_close(&g);
}

static void
unwritable_database(void)
{
	unsigned wait;

	fresh();
	CHECK(mkdir(path, 0700) == 0);
	CHECK(check("192.0.2.1", "a@example.org", "b@example.net", T0,
	    &wait) == GREY_ERROR);
	why_contains(strerror(EISDIR));
	greylist_close(&g);
	fresh();
	snprintf(path, sizeof(path), "%s/nonexistent/grey.db", dir);
	CHECK(check("192.0.2.1", "a@example.org", "b@example.net", T0,
	    &wait) == GREY_ERROR);
	why_contains(strerror(ENOENT));
	greylist_close(&g);
}

static void
bad_client_address(void)
{
	unsigned wait;

	fresh();
	CHECK(check("", "a@example.org", "b@example.net", T0, &wait) ==
	    GREY_ERROR);
	CHECK(strstr(g.why, "not an IP address") != NULL);
	CHECK(check("unix", "a@example.org", "b@example.net", T0, &wait) ==
	    GREY_ERROR);
	CHECK(access(path, F_OK) == -1);
	greylist_close(&g);
}

static void
wal_mode(void)
{
	char wal[300];

	fresh();
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0) ==
	    300);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	CHECK(access(wal, F_OK) == 0);
	greylist_close(&g);
	/* a second connection finds the rows the first wrote */
	greylist_init(&g);
	CHECK(try("192.0.2.1", "a@example.org", "b@example.net", T0 + 300) ==
	    -1);
	greylist_close(&g);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* Those under fixture_pg() == NULL are of SQLite files. */
	TEST(network_v4);
	TEST(network_v6);
	TEST(network_v4_mapped);
	TEST(network_bad);
	TEST(first_attempt_defers);
	if (fixture_pg() == NULL)
		TEST(created_0600);
	TEST(early_retry_defers);
	TEST(retry_after_delay_passes);
	TEST(passes_until_expire);
	TEST(retry_after_window_starts_over);
	TEST(different_triplets);
	TEST(same_network_same_triplet);
	TEST(null_sender);
	TEST(case_insensitive);
	TEST(autoallow);
	TEST(autoallow_counts_triplets);
	TEST(autoallow_off);
	TEST(other_settings);
	TEST(clock_backwards);
	TEST(store_roundtrip);
	TEST(store_expiry);
	TEST(greylist_expiry);
	TEST(max_pending);
	TEST(max_pending_window);
	TEST(store_pending_count);
	if (fixture_pg() == NULL)
		TEST(old_database);
	if (fixture_pg() == NULL)
		TEST(corrupt_database);
	if (fixture_pg() == NULL)
		TEST(unwritable_database);
	TEST(bad_client_address);
	if (fixture_pg() == NULL)
		TEST(wal_mode);
	unit_rmtree(dir);
	return UNIT_DONE();
}
