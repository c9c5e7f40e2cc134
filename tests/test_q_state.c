/*
 * test_q_state.c: the delivery state's format, and its atomic file
 * (q_state.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "q_state.h"
#include "unit.h"

static char buf[8192];

static const char *
fmt(const struct q_state *st)
{
	if (q_state_format(st, buf, sizeof(buf)) < 0)
		return "(error)";
	return buf;
}

static int
parse(struct q_state *st, size_t n, const char *s)
{
	return q_state_parse(st, n, s, strlen(s));
}

static void
init_is_pending(void)
{
	struct q_state st;

	CHECK(q_state_init(&st, 2, 77) == 0);
	CHECK_STR(fmt(&st), "samotop-state 1\n"
	    "rcpt 0 pending 0 77 0\nrcpt 1 pending 0 77 0\n");
	q_state_free(&st);
	q_state_free(&st);
}

static void
round_trip(void)
{
	struct q_state st, back;

	CHECK(q_state_init(&st, 3, 5) == 0);
	st.rcpt[0].status = Q_DONE;
	st.rcpt[0].attempts = 1;
	st.rcpt[0].code = 250;
	q_state_set_text(&st.rcpt[0], "2.0.0 ok");
	st.rcpt[1].status = Q_FAILED;
	st.rcpt[1].attempts = 2;
	st.rcpt[1].code = 550;
	q_state_set_text(&st.rcpt[1], "5.1.1 no such user\r\nx\xff");
	st.rcpt[2].next = 1700000000;
	st.rcpt[2].code = 451;
	q_state_set_text(&st.rcpt[2], " leading blank");
	st.warned = 1234;
	CHECK_STR(fmt(&st), "samotop-state 1\n"
	    "rcpt 0 done 1 5 250 2.0.0 ok\n"
	    "rcpt 1 failed 2 5 550 5.1.1 no such user??x?\n"
	    "rcpt 2 pending 0 1700000000 451  leading blank\n"
	    "warned 1234\n");
	CHECK(parse(&back, 3, buf) == 0);
	CHECK(back.nrcpt == 3);
	CHECK(back.rcpt[0].status == Q_DONE);
	CHECK(back.rcpt[1].attempts == 2);
	CHECK(back.rcpt[1].code == 550);
	CHECK_STR(back.rcpt[1].text, "5.1.1 no such user??x?");
	CHECK_STR(back.rcpt[2].text, " leading blank");
	CHECK(back.rcpt[2].next == 1700000000);
	CHECK(back.warned == 1234);
	q_state_free(&back);
	q_state_free(&st);
}

static void
unknown_lines_ignored_missing_pending(void)
{
	struct q_state st;

	CHECK(parse(&st, 2, "samotop-state 1\nfuture 1 2 3\n"
	    "rcpt 1 bounced 3 9 550 gone\n") == 0);
	CHECK(st.rcpt[0].status == Q_PENDING);
	CHECK(st.rcpt[0].next == 0);
	CHECK(st.rcpt[1].status == Q_BOUNCED);
	q_state_free(&st);
}

static void
malformed(void)
{
	static const char *const bad[] = {
		"",
		"samotop-state 2\n",
		"rcpt 0 done 1 5 250\n",
		"samotop-state 1\nrcpt 2 done 1 5 250\n",
		"samotop-state 1\nrcpt 0 sent 1 5 250\n",
		"samotop-state 1\nrcpt 0 done -1 5 250\n",
		"samotop-state 1\nrcpt 0 done 1 5 2500\n",
		"samotop-state 1\nrcpt 0 done 1 5\n",
		"samotop-state 1\nrcpt 0 done 99999999999 5 250\n",
		"samotop-state 1\nrcpt 0 done 1 99999999999999999999 250\n",
		"samotop-state 1\nwarned x\n",
	};
	struct q_state st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (parse(&st, 1, bad[i]) != -1 || errno != EINVAL) {
			printf("#   accepted: \"%s\"\n", bad[i]);
			CHECK(0);
		}
		q_state_free(&st);
	}
}

static void
too_long_text(void)
{
	struct q_state st;
	char line[1200];

	snprintf(line, sizeof(line), "samotop-state 1\nrcpt 0 done 1 5 250 ");
	memset(line + strlen(line), 'x', Q_TEXT_MAX + 1);
	line[sizeof("samotop-state 1\nrcpt 0 done 1 5 250 ") - 1 +
	    Q_TEXT_MAX + 1] = '\0';
	CHECK(parse(&st, 1, line) == -1);
	q_state_free(&st);
	line[strlen(line) - 1] = '\0';
	CHECK(parse(&st, 1, line) == 0);
	CHECK(strlen(st.rcpt[0].text) == Q_TEXT_MAX);
	q_state_free(&st);
}

static void
small_buffer(void)
{
	struct q_state st;
	char small[20];

	CHECK(q_state_init(&st, 1, 5) == 0);
	CHECK(q_state_format(&st, small, sizeof(small)) == -1);
	q_state_free(&st);
}

static void
files(void)
{
	char dir[] = "/tmp/test_q_state.XXXXXX", path[256];
	struct q_state st, back;
	struct stat sb;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/tmp", dir);
	mkdir(path, 0750);
	snprintf(path, sizeof(path), "%s/state", dir);
	mkdir(path, 0750);
	/* absent: nothing tried yet */
	CHECK(q_state_read(dir, "1-ab", 2, 42, &st) == 0);
	CHECK(st.nrcpt == 2 && st.rcpt[1].next == 42);
	st.rcpt[1].status = Q_DONE;
	CHECK(q_state_write(dir, "1-ab", &st) == 0);
	CHECK(q_state_read(dir, "1-ab", 2, 42, &back) == 0);
	CHECK(back.rcpt[1].status == Q_DONE);
	q_state_free(&back);
	/* no temporary file left behind */
	snprintf(path, sizeof(path), "%s/tmp/1-ab.state", dir);
	CHECK(stat(path, &sb) == -1 && errno == ENOENT);
	/* a corrupt file is an error, not a fresh start */
	snprintf(path, sizeof(path), "%s/state/1-ab", dir);
	{
		FILE *f = fopen(path, "w");

		if (f != NULL) {
			fputs("garbage\n", f);
			fclose(f);
		}
	}
	errno = 0;
	CHECK(q_state_read(dir, "1-ab", 2, 42, &back) == -1 &&
	    errno == EINVAL);
	CHECK(q_state_remove(dir, "1-ab") == 0);
	CHECK(q_state_remove(dir, "1-ab") == 0);
	q_state_free(&st);
	unit_rmtree(dir);
}

int
main(void)
{
	TEST(init_is_pending);
	TEST(round_trip);
	TEST(unknown_lines_ignored_missing_pending);
	TEST(malformed);
	TEST(too_long_text);
	TEST(small_buffer);
	TEST(files);
	return UNIT_DONE();
}
