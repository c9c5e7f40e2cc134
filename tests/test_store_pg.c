/*
 * test_store_pg.c: the PostgreSQL store against a real server, which
 * it starts (tests/pg.sh: initdb in a temporary directory, a unix
 * socket only) and stops.  Its own cases are PostgreSQL's (the schema
 * and its version, collisions reported for a retry, a connection that
 * breaks, a server that is down, passwords kept out of messages); then
 * it runs the store's other unit tests again, on this server
 * (store_fixture.h).  Skipped, saying so, where PostgreSQL's server
 * programs are not installed.
 */
#include <sys/wait.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"
#include "store_pg.h"
#include "unit.h"

#define T0	1700000000

static char	server[256];	/* its directory */
static char	uri[512];
static char	here[512];	/* the test programs' directory */

/* Start the server: 1, 0 when PostgreSQL is not installed, -1. */
static int
start(void)
{
	char line[512], psql[512] = "";
	FILE *p;
	int rc;

	if ((p = popen("sh tests/pg.sh start", "r")) == NULL)
		return -1;
	if (fgets(server, sizeof(server), p) != NULL)
		server[strcspn(server, "\n")] = '\0';
	if (fgets(line, sizeof(line), p) != NULL)
		line[strcspn(line, "\n")] = '\0';
	if (fgets(psql, sizeof(psql), p) != NULL)
		psql[strcspn(psql, "\n")] = '\0';
	rc = pclose(p);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77)
		return 0;
	if (rc != 0 || server[0] != '/')
		return -1;
	snprintf(uri, sizeof(uri), "%s", line);
	setenv("SAMOTOP_TEST_PG", server, 1);
	if (psql[0] == '/')
		setenv("SAMOTOP_TEST_PSQL", psql, 1);
	return 1;
}

static void
stop(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "sh tests/pg.sh stop '%s'", server);
	if (system(cmd) != 0)
		printf("# cannot stop the server in %s\n", server);
}

static struct store *
fresh(void)
{
	char path[512], err[512];
	struct store *s;

	fixture_fresh("/nonexistent", "none", 0, path, sizeof(path));
	if ((s = store_open(path, err, sizeof(err))) == NULL)
		printf("#   store_open: %s\n", err);
	return s;
}

/* The tables made, and the version that says so. */
static void
schema_made(void)
{
	struct store *s;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(fixture_number(NULL, "SELECT version FROM schema_version",
	    NULL) == 2);
	CHECK(fixture_number(NULL, "SELECT count(*) FROM pg_tables WHERE"
	    " tablename IN ('triplet', 'network', 'decision',"
	    " 'screened_user', 'counter', 'secret')", NULL) == 6);
	store_close(s);
	/* opened again: nothing to do, the data stays */
	CHECK(fixture_psql("INSERT INTO counter VALUES ('n', 'k', 1, 7, 9)",
	    NULL, 0) == 0);
	s = store_open(uri, (char[256]){ 0 }, 256);
	CHECK(s != NULL);
	store_close(s);
	CHECK(fixture_number(NULL, "SELECT events FROM counter", NULL) == 7);
}

/*
 * A database of version 1 (before store_secret) is brought up to 2,
 * its data kept, and then has secrets.
 */
static void
schema_migrated(void)
{
	unsigned char key[32];
	struct store *s;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	store_close(s);
	CHECK(fixture_psql("DROP TABLE secret; UPDATE schema_version"
	    " SET version = 1; INSERT INTO counter VALUES"
	    " ('n', 'k', 1, 7, 9)", NULL, 0) == 0);
	if ((s = store_open(uri, (char[256]){ 0 }, 256)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(fixture_number(NULL, "SELECT version FROM schema_version",
	    NULL) == 2);
	CHECK(fixture_number(NULL, "SELECT events FROM counter", NULL) == 7);
	CHECK(store_secret(s, "leave-no-trace", key, sizeof(key)) == 0);
	CHECK(fixture_number(NULL, "SELECT length(value) FROM secret",
	    NULL) == 64);
	store_close(s);
}

/*
 * Two sessions both find a triplet missing; the second to write it
 * must not overwrite the first's: it is told to run again, and then
 * finds the row.
 */
static void
insert_race(void)
{
	struct store_key k = { "192.0.2.0/24", "a@example.org",
	    "b@example.net" };
	struct store_triplet t = { T0, T0, 0, 1, T0 + 100 }, got;
	struct store *s1, *s2;

	if ((s1 = fresh()) == NULL || (s2 = store_open(uri,
	    (char[256]){ 0 }, 256)) == NULL) {
		CHECK(0);
		store_close(s1);
		return;
	}
	CHECK(store_begin(s1) == 0);
	CHECK(store_triplet_get(s1, &k, &got) == 0);
	CHECK(store_begin(s2) == 0);
	CHECK(store_triplet_get(s2, &k, &got) == 0);
	CHECK(store_triplet_put(s2, &k, &t) == 0);
	CHECK(store_commit(s2) == 0);
	CHECK(store_triplet_put(s1, &k, &t) == -1);
	CHECK(store_retry(s1) == 1);
	CHECK(strstr(store_error(s1), "another client") != NULL);
	store_rollback(s1);
	/* again: found, locked, updated */
	CHECK(store_begin(s1) == 0);
	CHECK(store_triplet_get(s1, &k, &got) == 1);
	got.attempts++;
	CHECK(store_triplet_put(s1, &k, &got) == 0);
	CHECK(store_commit(s1) == 0);
	CHECK(fixture_number(NULL, "SELECT attempts FROM triplet", NULL) ==
	    2);
	/* outside a transaction a put is an upsert, whatever came before */
	CHECK(store_triplet_get(s2, &(struct store_key){ "x", "y", "z" },
	    &got) == 0);
	CHECK(store_triplet_put(s2, &k, &t) == 0);
	store_close(s1);
	store_close(s2);
}

/*
 * The screener learns (allow a sender unless the user decided) while
 * the user denies the same sender: the deny stands.
 */
static void
decision_race(void)
{
	struct store *s1, *s2;
	int d = 0;

	if ((s1 = fresh()) == NULL || (s2 = store_open(uri,
	    (char[256]){ 0 }, 256)) == NULL) {
		CHECK(0);
		store_close(s1);
		return;
	}
	CHECK(store_begin(s1) == 0);
	CHECK(store_decision_get(s1, "bob@example.org", "eve@example.net",
	    &d) == 0);
	CHECK(store_decision_put(s2, "bob@example.org", "Eve@example.net",
	    STORE_DENY, T0) == 0);
	CHECK(store_decision_put(s1, "bob@example.org", "eve@example.net",
	    STORE_ALLOW, T0) == -1);
	CHECK(store_retry(s1) == 1);
	store_rollback(s1);
	CHECK(store_decision_get(s1, "bob@example.org", "eve@example.net",
	    &d) == 1);
	CHECK(d == STORE_DENY);
	store_close(s1);
	store_close(s2);
}

/*
 * Counting a network's pending triplets in a transaction locks its row,
 * so that two hosts take turns; expiry (outside any transaction, as
 * greylist.c runs it) does not wait for that row.
 */
static void
pending_lock(void)
{
	struct store *s1, *s2;
	struct store_network n;
	time_t t0;

	if ((s1 = fresh()) == NULL || (s2 = store_open(uri,
	    (char[256]){ 0 }, 256)) == NULL) {
		CHECK(0);
		store_close(s1);
		return;
	}
	CHECK(store_begin(s1) == 0);
	CHECK(store_pending(s1, "192.0.2.0/24", T0, 10) == 0);
	t0 = time(NULL);
	CHECK(store_expire(s2, T0 + 60, 100) == 0);
	CHECK(time(NULL) - t0 <= 1);
	CHECK(store_commit(s1) == 0);
	/* the row is a network with no passes, garbage within the hour */
	CHECK(store_network_get(s2, "192.0.2.0/24", &n) == 1);
	CHECK(n.passes == 0 && n.until == T0 + 3600);
	CHECK(store_expire(s2, T0 + 3601, 100) == 1);
	store_close(s1);
	store_close(s2);
}

/* A failed statement spoils the transaction: its commit fails. */
static void
failed_transaction(void)
{
	struct store *s;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_begin(s) == 0);
	CHECK(fixture_psql("DROP TABLE screened_user", NULL, 0) == 0);
	CHECK(store_user_seen(s, "bob@example.org", T0) == -1);
	CHECK(store_retry(s) == 0);
	CHECK(strstr(store_error(s), "screened_user") != NULL);
	CHECK(strchr(store_error(s), '\n') == NULL);
	CHECK(store_commit(s) == -1);
	store_rollback(s);
	CHECK(store_counter_add(s, "n", "k", 1, 60, T0,
	    &(unsigned long){ 0 }) == 0);
	store_close(s);
}

/* The server ends the connection: one call fails, the next reconnects. */
static void
connection_broken(void)
{
	struct store *s;
	unsigned long n = 0;
	int ok;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_counter_add(s, "n", "k", 1, 60, T0, &n) == 0);
	CHECK(fixture_psql("SELECT pg_terminate_backend(pid) FROM"
	    " pg_stat_activity WHERE application_name = 'samotop'", NULL,
	    0) == 0);
	ok = store_counter_add(s, "n", "k", 1, 60, T0, &n) == 0;
	if (!ok) {
		CHECK(strchr(store_error(s), '\n') == NULL);
		CHECK(store_counter_add(s, "n", "k", 1, 60, T0, &n) == 0);
	}
	CHECK(n == 2);
	store_close(s);
}

/*
 * A row another session holds is waited for, but not for ever: 5 s by
 * default, or what the URI's options say (200 ms here).
 */
static void
statement_timeout(void)
{
	struct store_key k = { "192.0.2.0/24", "a@example.org",
	    "b@example.net" };
	struct store_triplet t = { T0, T0, 0, 1, T0 + 100 }, got;
	struct store *s1, *s2, *s3;
	char quick[700];
	time_t t0;

	snprintf(quick, sizeof(quick), "%s&options=-c%%20statement_timeout"
	    "%%3D200", uri);
	if ((s1 = fresh()) == NULL || (s2 = store_open(uri,
	    (char[256]){ 0 }, 256)) == NULL || (s3 = store_open(quick,
	    (char[256]){ 0 }, 256)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_triplet_put(s1, &k, &t) == 0);
	CHECK(store_begin(s1) == 0);
	CHECK(store_triplet_get(s1, &k, &got) == 1);
	CHECK(store_begin(s3) == 0);
	t0 = time(NULL);
	CHECK(store_triplet_get(s3, &k, &got) == -1);
	CHECK(time(NULL) - t0 <= 1);
	CHECK(strstr(store_error(s3), "statement timeout") != NULL);
	store_rollback(s3);
	CHECK(store_begin(s2) == 0);
	t0 = time(NULL);
	CHECK(store_triplet_get(s2, &k, &got) == -1);
	CHECK(time(NULL) - t0 >= 4 && time(NULL) - t0 <= 6);
	CHECK(strstr(store_error(s2), "statement timeout") != NULL);
	store_rollback(s2);
	store_rollback(s1);
	store_close(s1);
	store_close(s2);
	store_close(s3);
}

/* No server there: NULL, at once, with one line that names the URI. */
static void
server_down(void)
{
	char down[600], err[512];

	snprintf(down, sizeof(down), "postgresql:///samotop?host=%s/none"
	    "&user=samotop", server);
	CHECK(store_open(down, err, sizeof(err)) == NULL);
	CHECK(strstr(err, down) != NULL);
	CHECK(strchr(err, '\n') == NULL);
	CHECK(strstr(err, "No such file") != NULL);
	CHECK(store_pg_check(down, err, sizeof(err)) == -1);
	CHECK(store_pg_check(uri, err, sizeof(err)) == 0);
	CHECK(store_open("postgresql://[", err, sizeof(err)) == NULL);
}

static void
passwords_hidden(void)
{
	char out[256];

	store_pg_display("postgresql://u:secret@db.example/m?sslmode=require"
	    "&password=other", out, sizeof(out));
	CHECK_STR(out, "postgresql://u:***@db.example/m?sslmode=require"
	    "&password=***");
	store_pg_display("postgres://db.example/m?password=x&user=u", out,
	    sizeof(out));
	CHECK_STR(out, "postgres://db.example/m?password=***&user=u");
	store_pg_display("postgresql:///m?host=/run/postgresql", out,
	    sizeof(out));
	CHECK_STR(out, "postgresql:///m?host=/run/postgresql");
	store_pg_display("postgresql://u@h:5432/m", out, sizeof(out));
	CHECK_STR(out, "postgresql://u@h:5432/m");
	store_pg_display("postgresql://u:secret@db.example/m", out, 20);
	CHECK(strstr(out, "secret") == NULL);
	CHECK(store_is_uri("postgresql:///m") && store_is_uri("POSTGRES://h"));
	CHECK(!store_is_uri("/var/lib/samotop/store.db"));
}

/* Run another test program on this server: one result for all of it. */
static void
suite(const char *name)
{
	char cmd[1024], line[512];
	FILE *p;
	int failed = 0;

	snprintf(cmd, sizeof(cmd), "'%s/%s' 2>&1", here, name);
	if ((p = popen(cmd, "r")) == NULL) {
		CHECK(0);
		return;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		printf("#   %s: %s", name, line);
		if (strncmp(line, "not ok", 6) == 0)
			failed = 1;
	}
	CHECK(pclose(p) == 0);
	CHECK(!failed);
}

static void
store_decision_on_pg(void)
{
	suite("test_store_decision");
}

static void
store_counter_on_pg(void)
{
	suite("test_store_counter");
}

static void
store_secret_on_pg(void)
{
	suite("test_store_secret");
}

static void
greylist_on_pg(void)
{
	suite("test_greylist");
}

static void
greylist_concurrent_on_pg(void)
{
	suite("test_greylist_concurrent");
}

int
main(int argc, char **argv)
{
	char self[512];

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(here, sizeof(here), "%s", dirname(self));
	switch (start()) {
	case 0:
		printf("1..0 # SKIP no PostgreSQL server programs "
		    "(apt-get install postgresql)\n");
		return 0;
	case -1:
		printf("not ok 1 - the PostgreSQL server starts\n1..1\n");
		return 1;
	}
	TEST(schema_made);
	TEST(schema_migrated);
	TEST(insert_race);
	TEST(decision_race);
	TEST(pending_lock);
	TEST(failed_transaction);
	TEST(connection_broken);
	TEST(statement_timeout);
	TEST(server_down);
	TEST(passwords_hidden);
	TEST(store_decision_on_pg);
	TEST(store_counter_on_pg);
	TEST(store_secret_on_pg);
	TEST(greylist_on_pg);
	TEST(greylist_concurrent_on_pg);
	stop();
	return UNIT_DONE();
}
