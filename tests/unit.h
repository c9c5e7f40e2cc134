/*
 * unit.h: the smallest test harness that does the job.  Each test binary
 * prints "ok N - name" / "not ok N - name" lines (TAP) and exits non-zero
 * when anything failed; tests/run sums them up.
 */
#ifndef SAMOTOP_UNIT_H
#define SAMOTOP_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_run, unit_failed, unit_case_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed\n",			\
		    __FILE__, __LINE__, #cond);				\
		unit_case_failed = 1;					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (strcmp(g_, w_) != 0) {					\
		printf("#   %s:%d: got \"%s\", want \"%s\"\n",		\
		    __FILE__, __LINE__, g_, w_);			\
		unit_case_failed = 1;					\
	}								\
} while (0)

#define TEST(fn) do {							\
	unit_case_failed = 0;						\
	fn();								\
	unit_run++;							\
	if (unit_case_failed)						\
		unit_failed++;						\
	printf("%sok %d - %s\n", unit_case_failed ? "not " : "",	\
	    unit_run, #fn);						\
} while (0)

/* Remove a test's scratch directory; say so when it cannot be. */
static inline void
unit_rmtree(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
}

#define UNIT_DONE() (printf("1..%d\n", unit_run), unit_failed != 0)

#endif
