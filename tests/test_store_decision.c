/*
 * test_store_decision.c: the contacts screener's calls of the store
 * (decisions and screened users), on database files in a temporary
 * directory (or PostgreSQL: store_fixture.h), with made-up times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_fixture.h"
#include "unit.h"

#define T0	1700000000

static char	dir[] = "/tmp/test_store_decision.XXXXXX";
static char	path[256];
static int	ndb;

static struct store *
fresh(void)
{
	char err[256];
	struct store *s;

	fixture_fresh(dir, "store", ndb++, path, sizeof(path));
	if ((s = store_open(path, err, sizeof(err))) == NULL)
		printf("#   store_open: %s\n", err);
	return s;
}

/* What a walk saw, one "sender=decision@at;" after the other. */
struct seen {
	char	text[1024];
	int	calls;
	int	stop_at;	/* return -1 at this call (1-based), 0 never */
};

static int
each_decision(void *arg, const char *sender, int decision, time_t at)
{
	struct seen *w = arg;
	size_t len = strlen(w->text);

	snprintf(w->text + len, sizeof(w->text) - len, "%s=%d@%lld;", sender,
	    decision, (long long)(at - T0));
	if (++w->calls == w->stop_at)
		return -1;
	return 0;
}

static int
each_user(void *arg, const char *user)
{
	struct seen *w = arg;
	size_t len = strlen(w->text);

	snprintf(w->text + len, sizeof(w->text) - len, "%s;", user);
	if (++w->calls == w->stop_at)
		return 7;
	return 0;
}

static void
decision_roundtrip(void)
{
	struct store *s;
	int d = 0;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_decision_get(s, "bob@example.org", "alice@example.net",
	    &d) == 0);
	CHECK(store_decision_put(s, "bob@example.org", "alice@example.net",
	    STORE_ALLOW, T0) == 0);
	CHECK(store_decision_get(s, "bob@example.org", "alice@example.net",
	    &d) == 1);
	CHECK(d == STORE_ALLOW);
	/* replaced, not added */
	CHECK(store_decision_put(s, "bob@example.org", "alice@example.net",
	    STORE_DENY, T0 + 1) == 0);
	CHECK(store_decision_get(s, "bob@example.org", "alice@example.net",
	    &d) == 1);
	CHECK(d == STORE_DENY);
	/* per user: another user has none */
	CHECK(store_decision_get(s, "carol@example.org", "alice@example.net",
	    &d) == 0);
	/* exact keys: the domain is its own decision */
	CHECK(store_decision_get(s, "bob@example.org", "@example.net",
	    &d) == 0);
	CHECK(store_decision_put(s, "bob@example.org", "@example.net",
	    STORE_ALLOW, T0) == 0);
	CHECK(store_decision_get(s, "bob@example.org", "@example.net",
	    &d) == 1);
	CHECK(d == STORE_ALLOW);
	store_close(s);
}

/* Keys are lowercased on the way in and when compared. */
static void
decision_case(void)
{
	struct store *s;
	struct seen w = { "", 0, 0 };
	int d = 0;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_decision_put(s, "Bob@Example.ORG", "Alice@EXAMPLE.net",
	    STORE_DENY, T0) == 0);
	CHECK(store_decision_get(s, "bob@example.org", "alice@example.net",
	    &d) == 1);
	CHECK(d == STORE_DENY);
	CHECK(store_decision_get(s, "BOB@example.org", "ALICE@example.net",
	    &d) == 1);
	CHECK(store_decision_list(s, "bOb@example.org", each_decision,
	    &w) == 0);
	CHECK_STR(w.text, "alice@example.net=2@0;");
	CHECK(store_decision_forget(s, "BOB@EXAMPLE.ORG",
	    "alice@Example.Net") == 1);
	CHECK(store_decision_get(s, "bob@example.org", "alice@example.net",
	    &d) == 0);
	store_close(s);
}

static void
decision_bad(void)
{
	struct store *s;
	int d = 0;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_decision_put(s, "bob@example.org", "a@example.net", 0,
	    T0) == -1);
	CHECK(strstr(store_error(s), "no such decision") != NULL);
	CHECK(strstr(store_error(s), path) != NULL);
	CHECK(store_decision_put(s, "bob@example.org", "a@example.net", 3,
	    T0) == -1);
	CHECK(store_decision_get(s, "bob@example.org", "a@example.net",
	    &d) == 0);
	store_close(s);
}

static void
decision_forget(void)
{
	struct store *s;
	int d = 0;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_decision_forget(s, "bob@example.org", "a@example.net") ==
	    0);
	CHECK(store_decision_put(s, "bob@example.org", "a@example.net",
	    STORE_ALLOW, T0) == 0);
	CHECK(store_decision_put(s, "bob@example.org", "@example.net",
	    STORE_DENY, T0) == 0);
	CHECK(store_decision_forget(s, "bob@example.org", "a@example.net") ==
	    1);
	CHECK(store_decision_forget(s, "bob@example.org", "a@example.net") ==
	    0);
	/* only that one */
	CHECK(store_decision_get(s, "bob@example.org", "@example.net",
	    &d) == 1);
	store_close(s);
}

static void
decision_list(void)
{
	struct store *s;
	struct seen w = { "", 0, 0 };

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_decision_list(s, "bob@example.org", each_decision,
	    &w) == 0);
	CHECK(w.calls == 0);
	CHECK(store_decision_put(s, "bob@example.org", "z@example.net",
	    STORE_ALLOW, T0 + 3) == 0);
	CHECK(store_decision_put(s, "bob@example.org", "@example.com",
	    STORE_DENY, T0 + 2) == 0);
	CHECK(store_decision_put(s, "bob@example.org", "a@example.net",
	    STORE_ALLOW, T0 + 1) == 0);
	CHECK(store_decision_put(s, "carol@example.org", "b@example.net",
	    STORE_ALLOW, T0) == 0);
	CHECK(store_decision_list(s, "bob@example.org", each_decision,
	    &w) == 0);
	CHECK_STR(w.text, "@example.com=2@2;a@example.net=1@1;"
	    "z@example.net=1@3;");
	/* each stops the walk; its value is returned */
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	CHECK(store_decision_list(s, "bob@example.org", each_decision,
	    &w) == -1);
	CHECK(w.calls == 2);
	/* and the statement was reset: the next walk starts over */
	memset(&w, 0, sizeof(w));
	CHECK(store_decision_list(s, "carol@example.org", each_decision,
	    &w) == 0);
	CHECK_STR(w.text, "b@example.net=1@0;");
	store_close(s);
}

static void
users(void)
{
	struct store *s;
	struct seen w = { "", 0, 0 };

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_user_list(s, each_user, &w) == 0);
	CHECK(w.calls == 0);
	CHECK(store_user_seen(s, "Carol@Example.org", T0) == 0);
	CHECK(store_user_seen(s, "bob@example.org", T0) == 0);
	CHECK(store_user_seen(s, "carol@example.org", T0 + 5) == 0);
	CHECK(store_user_list(s, each_user, &w) == 0);
	CHECK_STR(w.text, "bob@example.org;carol@example.org;");
	memset(&w, 0, sizeof(w));
	w.stop_at = 1;
	CHECK(store_user_list(s, each_user, &w) == 7);
	CHECK_STR(w.text, "bob@example.org;");
	memset(&w, 0, sizeof(w));
	CHECK(store_user_list(s, each_user, &w) == 0);
	CHECK(w.calls == 2);
	store_close(s);
}

/*
 * A greylisting file from before the screener gets its tables and keeps
 * its triplets; decisions survive closing and opening again.
 */
static void
old_file(void)
{
	static const char old[] =
	    "CREATE TABLE triplet ("
	    " network TEXT NOT NULL, sender TEXT NOT NULL, rcpt TEXT NOT NULL,"
	    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	    " passed_at INTEGER NOT NULL, attempts INTEGER NOT NULL,"
	    " expires INTEGER NOT NULL,"
	    " UNIQUE (network, sender, rcpt));"
	    "INSERT INTO triplet VALUES ('192.0.2.0/24', 's0@example.org',"
	    " 'b@example.net', 1700000000, 1700000000, 0, 1, 1700172800);";
	struct store_key k = { "192.0.2.0/24", "s0@example.org",
	    "b@example.net" };
	struct store_triplet t;
	struct store *s;
	sqlite3 *db;
	char err[256];
	int d = 0;

	snprintf(path, sizeof(path), "%s/old.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, old, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	if ((s = store_open(path, err, sizeof(err))) == NULL) {
		printf("#   store_open: %s\n", err);
		CHECK(0);
		return;
	}
	CHECK(store_triplet_get(s, &k, &t) == 1);
	CHECK(store_decision_put(s, "bob@example.org", "a@example.net",
	    STORE_ALLOW, T0) == 0);
	CHECK(store_user_seen(s, "bob@example.org", T0) == 0);
	store_close(s);
	if ((s = store_open(path, err, sizeof(err))) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_decision_get(s, "bob@example.org", "a@example.net",
	    &d) == 1);
	CHECK(d == STORE_ALLOW);
	store_close(s);
}

/* Inside a transaction, and undone by its rollback. */
static void
transaction(void)
{
	struct store *s;
	int d = 0;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_begin(s) == 0);
	CHECK(store_decision_put(s, "bob@example.org", "a@example.net",
	    STORE_ALLOW, T0) == 0);
	store_rollback(s);
	CHECK(store_decision_get(s, "bob@example.org", "a@example.net",
	    &d) == 0);
	CHECK(store_begin(s) == 0);
	CHECK(store_decision_put(s, "bob@example.org", "a@example.net",
	    STORE_ALLOW, T0) == 0);
	CHECK(store_commit(s) == 0);
	CHECK(store_decision_get(s, "bob@example.org", "a@example.net",
	    &d) == 1);
	store_close(s);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	TEST(decision_roundtrip);
	TEST(decision_case);
	TEST(decision_bad);
	TEST(decision_forget);
	TEST(decision_list);
	TEST(users);
	if (fixture_pg() == NULL)	/* an SQLite file of an older version */
		TEST(old_file);
	TEST(transaction);
	unit_rmtree(dir);
	return UNIT_DONE();
}
