/*
 * test_q_retry.c: the back-off schedule (q_retry.h).
 */
#include <stdint.h>

#include "q_retry.h"
#include "unit.h"

static const unsigned sched[] = { 300, 600, 1200 };

static void
follows_schedule(void)
{
	CHECK(q_retry_next(1, 1000, sched, 3) == 1300);
	CHECK(q_retry_next(2, 1000, sched, 3) == 1600);
	CHECK(q_retry_next(3, 1000, sched, 3) == 2200);
}

static void
last_repeats(void)
{
	CHECK(q_retry_next(4, 1000, sched, 3) == 2200);
	CHECK(q_retry_next(1000, 1000, sched, 3) == 2200);
	CHECK(q_retry_next(UINT32_MAX, 0, sched, 3) == 1200);
}

static void
zero_attempts_is_first(void)
{
	CHECK(q_retry_next(0, 10, sched, 3) == 310);
}

static void
empty_schedule(void)
{
	CHECK(q_retry_next(5, 10, NULL, 0) == 10 + Q_RETRY_DEFAULT);
	CHECK(q_retry_next(5, 10, sched, 0) == 10 + Q_RETRY_DEFAULT);
}

static void
saturates(void)
{
	time_t far = sizeof(time_t) >= 8 ? (time_t)INT64_MAX - 5 :
	    (time_t)INT32_MAX - 5;

	CHECK(q_retry_next(1, far, sched, 3) > far);
}

int
main(void)
{
	TEST(follows_schedule);
	TEST(last_repeats);
	TEST(zero_attempts_is_first);
	TEST(empty_schedule);
	TEST(saturates);
	return UNIT_DONE();
}
