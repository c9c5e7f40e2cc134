/*
 * test_store_counter.c: the store's rate counters (store_counter_add),
 * on database files in a temporary directory (or PostgreSQL:
 * store_fixture.h), with made-up times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_fixture.h"
#include "unit.h"

#define T0	1700000000

static char	dir[] = "/tmp/test_store_counter.XXXXXX";
static int	ndb;

static struct store *
fresh(void)
{
	char err[256], path[256];
	struct store *s;

	fixture_fresh(dir, "store", ndb++, path, sizeof(path));
	if ((s = store_open(path, err, sizeof(err))) == NULL)
		printf("#   store_open: %s\n", err);
	return s;
}

/* The count after adding n at t, or (unsigned long)-1 on error. */
static unsigned long
add(struct store *s, const char *name, const char *key, unsigned long n,
    time_t t)
{
	unsigned long total;

	if (store_counter_add(s, name, key, n, 3600, t, &total) == -1) {
		printf("#   store_counter_add: %s\n", store_error(s));
		return (unsigned long)-1;
	}
	return total;
}

static void
counts_within_the_window(void)
{
	struct store *s = fresh();

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(add(s, "auth-fail", "192.0.2.0/24", 1, T0) == 1);
	CHECK(add(s, "auth-fail", "192.0.2.0/24", 2, T0 + 10) == 3);
	CHECK(add(s, "auth-fail", "192.0.2.0/24", 0, T0 + 3599) == 3);
	store_close(s);
}

static void
names_and_keys_are_apart(void)
{
	struct store *s = fresh();

	if (s == NULL) {
		CHECK(s != NULL);
		return;
	}
	CHECK(add(s, "auth-fail", "a", 5, T0) == 5);
	CHECK(add(s, "auth-fail", "b", 1, T0) == 1);
	CHECK(add(s, "messages", "a", 1, T0) == 1);
	CHECK(add(s, "auth-fail", "a", 0, T0) == 5);
	store_close(s);
}

static void
an_ended_window_starts_again(void)
{
	struct store *s = fresh();

	if (s == NULL) {
		CHECK(s != NULL);
		return;
	}
	CHECK(add(s, "messages", "u@example.org", 7, T0) == 7);
	/* the window of T0 ends at T0 + 3600 */
	CHECK(add(s, "messages", "u@example.org", 1, T0 + 3600) == 1);
	CHECK(add(s, "messages", "u@example.org", 1, T0 + 3601) == 2);
	store_close(s);
}

static void
expiry_removes_ended_windows(void)
{
	struct store *s = fresh();

	if (s == NULL) {
		CHECK(s != NULL);
		return;
	}
	CHECK(add(s, "messages", "x", 4, T0) == 4);
	CHECK(store_expire(s, T0 + 100, 100) == 0);
	CHECK(store_expire(s, T0 + 3601, 100) == 1);
	CHECK(add(s, "messages", "x", 0, T0 + 3602) == 0);
	store_close(s);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	TEST(counts_within_the_window);
	TEST(names_and_keys_are_apart);
	TEST(an_ended_window_starts_again);
	TEST(expiry_removes_ended_windows);
	unit_rmtree(dir);
	return UNIT_DONE();
}
