/*
 * test_greylist_concurrent.c: 50 sessions (processes, each with its own
 * connection) greylist at the same moment against one fresh database:
 * none may fail ("database is locked"), and no update may be lost.
 * Each process checks distinct triplets and one triplet they all
 * share, first all at one time (all deferred), then all after the
 * delay (all passing).  Then all add new triplets from one network at
 * once: exactly greylist-max-pending of them may be recorded.
 * The same on PostgreSQL when test_store_pg runs it (store_fixture.h):
 * there sessions collide rather than wait, and greylist.c runs them
 * again.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "greylist.h"
#include "store_fixture.h"
#include "unit.h"

#define NPROC	50
#define K	10		/* distinct triplets per process */
#define T0	1700000000
#define T0S	"1700000000"	/* as SQL text */
#define STR(x)	#x
#define XSTR(x)	STR(x)
#define KS	XSTR(K)
#define MAXP	37		/* greylist-max-pending of the flood */

static char		dir[] = "/tmp/test_greylist_concurrent.XXXXXX";
static char		path[256];
static struct conf	c;
static int		failed[3];	/* processes that saw an error */
static int		wrong[3];	/* processes that got a wrong answer */

/* 0, or 1 for GREY_ERROR (reported), or 2 for the wrong answer. */
static int
one(struct greylist *g, const char *ip, const char *from, time_t now,
    enum grey_result want)
{
	enum grey_result r;
	unsigned wait;

	r = greylist_check(g, &c, ip, from, "r@example.net", now, &wait);
	if (r == GREY_ERROR) {
		fprintf(stderr, "# pid %d: %s\n", (int)getpid(), g->why);
		return 1;
	}
	return r == want ? 0 : 2;
}

/* One session: its own triplets and the shared one, in turn. */
static int
session(int n, time_t now, enum grey_result want)
{
	struct greylist g;
	char ip[32], from[64];
	int i, bad = 0;

	greylist_init(&g);
	snprintf(ip, sizeof(ip), "10.0.%d.1", n);
	for (i = 0; i < K; i++) {
		snprintf(from, sizeof(from), "s%d@example.org", i);
		bad |= one(&g, ip, from, now, want);
		bad |= one(&g, "192.0.2.1", "shared@example.org", now, want);
	}
	greylist_close(&g);
	return bad;
}

/*
 * One session of the flood: K new triplets from one network shared by
 * all, each deferred or refused for the limit.
 */
static int
flood(int n, time_t now, enum grey_result want)
{
	struct greylist g;
	char from[64];
	enum grey_result r;
	unsigned wait;
	int i, bad = 0;

	(void)want;
	greylist_init(&g);
	for (i = 0; i < K; i++) {
		snprintf(from, sizeof(from), "f%d-%d@example.org", n, i);
		r = greylist_check(&g, &c, "203.0.113.1", from,
		    "r@example.net", now, &wait);
		if (r == GREY_ERROR) {
			fprintf(stderr, "# pid %d: %s\n", (int)getpid(), g.why);
			bad |= 1;
		} else if (r != GREY_DEFER && r != GREY_LIMIT)
			bad |= 2;
	}
	greylist_close(&g);
	return bad;
}

/*
 * NPROC processes released at once (a pipe closed under them), each
 * running one at now.  Counts the failures of phase p.
 */
static void
sessions(int p, int (*one)(int, time_t, enum grey_result), time_t now,
    enum grey_result want)
{
	int go[2], i, status;
	pid_t pid;
	char x;

	if (pipe(go) == -1) {
		perror("pipe");
		exit(1);
	}
	fflush(stdout);
	for (i = 0; i < NPROC; i++) {
		if ((pid = fork()) == -1) {
			perror("fork");
			exit(1);
		}
		if (pid == 0) {
			close(go[1]);
			if (read(go[0], &x, 1) == -1)	/* EOF: go */
				_exit(1);
			_exit(one(i, now, want));
		}
	}
	close(go[0]);
	close(go[1]);
	while (wait(&status) != -1) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) & 1)
			failed[p]++;
		if (WIFEXITED(status) && WEXITSTATUS(status) & 2)
			wrong[p]++;
	}
}

/* One number that sql gives (?1 = arg), or -1. */
static long long
number(const char *sql, const char *arg)
{
	return fixture_number(path, sql, arg);
}

static void
first_round_deferred(void)
{
	sessions(0, session, T0, GREY_DEFER);
	CHECK(failed[0] == 0);
	CHECK(wrong[0] == 0);
}

static void
second_round_passed(void)
{
	sessions(1, session, T0 + 300, GREY_PASS);
	CHECK(failed[1] == 0);
	CHECK(wrong[1] == 0);
}

static void
no_triplet_lost_or_doubled(void)
{
	CHECK(number("SELECT count(*) FROM triplet", NULL) ==
	    NPROC * K + 1);
	CHECK(number("SELECT count(*) FROM (SELECT DISTINCT network,"
	    " sender, rcpt FROM triplet) AS d", NULL) == NPROC * K + 1);
	/* every distinct one: seen twice, first at T0, passed after */
	CHECK(number("SELECT count(*) FROM triplet WHERE"
	    " network LIKE '10.0.%' AND attempts = 2 AND passed_at ="
	    " first_seen + 300", NULL) == NPROC * K);
	CHECK(number("SELECT count(*) FROM triplet WHERE"
	    " first_seen <> ?1", T0S) == 0);
}

static void
shared_triplet_counts(void)
{
	CHECK(number("SELECT attempts FROM triplet WHERE sender = ?1",
	    "shared@example.org") == 2 * NPROC * K);
	CHECK(number("SELECT passed_at FROM triplet WHERE sender = ?1",
	    "shared@example.org") == T0 + 300);
	/* it got through once, whoever was first */
	CHECK(number("SELECT passes FROM network WHERE network = ?1",
	    "192.0.2.0/24") == 1);
	CHECK(number("SELECT count(*) FROM network WHERE"
	    " network LIKE '10.0.%' AND passes = ?1", KS) == NPROC);
}

/* The count and the insert are one transaction: never one too many. */
static void
flood_limited(void)
{
	c.greylist_max_pending = MAXP;
	sessions(2, flood, T0 + 400, GREY_DEFER);
	CHECK(failed[2] == 0);
	CHECK(wrong[2] == 0);
	CHECK(number("SELECT count(*) FROM triplet WHERE network = ?1",
	    "203.0.113.0/24") == MAXP);
}

int
main(void)
{
	struct timespec a, b;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	fixture_fresh(dir, "grey", 0, path, sizeof(path));
	conf_defaults(&c);
	c.greylist_db = path;
	c.greylist_autoallow = K + 1;	/* every check is greylisted */
	clock_gettime(CLOCK_MONOTONIC, &a);
	TEST(first_round_deferred);
	TEST(second_round_passed);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("# %d processes, %d checks, %.2f s\n", NPROC, 2 * NPROC * 2 * K,
	    (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	TEST(no_triplet_lost_or_doubled);
	TEST(shared_triplet_counts);
	TEST(flood_limited);
	unit_rmtree(dir);
	return UNIT_DONE();
}
