/*
 * test_store_secret.c: the store's named secrets (store_secret), on
 * database files in a temporary directory (or PostgreSQL:
 * store_fixture.h): made once, the same for every connection, one
 * winner when many make it at once.
 */
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"
#include "unit.h"

#define LEN		32
#define RACERS		8

static char	dir[] = "/tmp/test_store_secret.XXXXXX";
static int	ndb;
static char	path[256];	/* the last fresh store's */

static struct store *
opened(void)
{
	char err[256];
	struct store *s;

	if ((s = store_open(path, err, sizeof(err))) == NULL)
		printf("#   store_open: %s\n", err);
	return s;
}

static struct store *
fresh(void)
{
	fixture_fresh(dir, "secret", ndb++, path, sizeof(path));
	return opened();
}

static int
secret(struct store *s, const char *name, unsigned char *out, size_t len)
{
	if (store_secret(s, name, out, len) == -1) {
		printf("#   store_secret %s: %s\n", name, store_error(s));
		return -1;
	}
	return 0;
}

static int
all_zero(const unsigned char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != 0)
			return 0;
	return 1;
}

/* Made on first use, then the same: for this connection and another. */
static void
made_once_then_kept(void)
{
	unsigned char a[LEN], b[LEN], c[LEN];
	struct store *s, *t;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	memset(a, 0, sizeof(a));
	CHECK(secret(s, "leave-no-trace", a, LEN) == 0);
	CHECK(!all_zero(a, LEN));
	CHECK(secret(s, "leave-no-trace", b, LEN) == 0);
	CHECK(memcmp(a, b, LEN) == 0);
	if ((t = opened()) == NULL) {
		CHECK(0);
	} else {
		CHECK(secret(t, "leave-no-trace", c, LEN) == 0);
		CHECK(memcmp(a, c, LEN) == 0);
		store_close(t);
	}
	store_close(s);
	CHECK(fixture_number(path, "SELECT count(*) FROM secret", NULL) == 1);
}

/* Each name its own, random, secret; 16 octets are not 32. */
static void
names_apart_lengths_checked(void)
{
	unsigned char a[LEN], b[LEN];
	struct store *s;

	if ((s = fresh()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(secret(s, "one", a, LEN) == 0);
	CHECK(secret(s, "two", b, LEN) == 0);
	CHECK(memcmp(a, b, LEN) != 0);
	CHECK(secret(s, "short", a, 16) == 0);
	CHECK(store_secret(s, "short", b, LEN) == -1);
	CHECK(strstr(store_error(s), "secret short: not 32 octets") != NULL);
	/* and the store still works */
	CHECK(secret(s, "one", b, LEN) == 0);
	errno = 0;
	CHECK(store_secret(s, "none", a, 0) == -1 && errno == EINVAL);
	CHECK(store_secret(s, "none", a, STORE_SECRET_MAX + 1) == -1);
	store_close(s);
}

/*
 * RACERS processes (sessions, on one host or several) ask for a new
 * secret at once: all get the same one, and one row is stored.
 */
static void
many_at_once_agree(void)
{
	unsigned char mine[LEN], theirs[LEN];
	struct store *s;
	int fds[RACERS][2], i, same = 0, status;
	pid_t pid[RACERS];

	if ((s = fresh()) == NULL) {	/* the tables, and no secret */
		CHECK(0);
		return;
	}
	store_close(s);
	for (i = 0; i < RACERS; i++) {
		if (pipe(fds[i]) == -1 || (pid[i] = fork()) == -1) {
			CHECK(0);
			return;
		}
		if (pid[i] == 0) {
			close(fds[i][0]);
			if ((s = opened()) == NULL ||
			    secret(s, "leave-no-trace", mine, LEN) == -1)
				_exit(1);
			_exit(write(fds[i][1], mine, LEN) == LEN ? 0 : 1);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < RACERS; i++) {
		if (read(fds[i][0], i == 0 ? mine : theirs, LEN) == LEN &&
		    (i == 0 || memcmp(mine, theirs, LEN) == 0))
			same++;
		close(fds[i][0]);
		CHECK(waitpid(pid[i], &status, 0) == pid[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK(same == RACERS);
	CHECK(fixture_number(path, "SELECT count(*) FROM secret", NULL) == 1);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	TEST(made_once_then_kept);
	TEST(names_apart_lengths_checked);
	TEST(many_at_once_agree);
	unit_rmtree(dir);
	return UNIT_DONE();
}
