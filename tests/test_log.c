/*
 * test_log.c: the line format, journald's priority prefix and the
 * syslog priorities.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"


/* JOURNAL_STREAM naming fd's file. */
static void
set_journal(int fd)
{
	struct stat st;
	char env[64];

	CHECK(fstat(fd, &st) == 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
}

static void
test_plain_line(void)
{
	struct logger lg;
	char buf[256];
	int p[2];

	unsetenv("JOURNAL_STREAM");
	CHECK(pipe(p) == 0);
	log_init(&lg, p[1], LVL_INFO, "sid=X");
	CHECK(lg.journal == 0);
	log_event(&lg, LVL_WARN, "test", "key", "a value", NULL);
	CHECK(read(p[0], buf, sizeof(buf) - 1) > 0);
	buf[strcspn(buf, "\n")] = '\0';
	CHECK_STR(buf, "level=warn sid=X event=test key=\"a value\"");
	close(p[0]);
	close(p[1]);
}

static void
test_journal_prefix(void)
{
	struct logger lg;
	char buf[256];
	ssize_t n;
	int p[2];

	CHECK(pipe(p) == 0);
	set_journal(p[1]);
	CHECK(log_journal_stream(p[1]) == 1);
	log_init(&lg, p[1], LVL_DEBUG, "sid=X");
	CHECK(lg.journal == 1);
	log_event(&lg, LVL_ERROR, "e", NULL);
	log_event(&lg, LVL_WARN, "w", NULL);
	log_event(&lg, LVL_INFO, "i", NULL);
	log_event(&lg, LVL_DEBUG, "d", NULL);
	CHECK((n = read(p[0], buf, sizeof(buf) - 1)) > 0);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR(buf, "<3>level=error sid=X event=e\n"
	    "<4>level=warn sid=X event=w\n<6>level=info sid=X event=i\n"
	    "<7>level=debug sid=X event=d\n");
	unsetenv("JOURNAL_STREAM");
	close(p[0]);
	close(p[1]);
}

/* Another file on fd 2 than the journal's: no prefix. */
static void
test_journal_other_file(void)
{
	char path[] = "/tmp/test_log.XXXXXX";
	struct logger lg;
	char buf[256];
	int p[2], fd;

	CHECK(pipe(p) == 0);
	CHECK((fd = mkstemp(path)) != -1);
	set_journal(fd);
	CHECK(log_journal_stream(p[1]) == 0);
	log_init(&lg, p[1], LVL_INFO, "sid=X");
	log_event(&lg, LVL_WARN, "test", NULL);
	CHECK(read(p[0], buf, sizeof(buf) - 1) > 0);
	CHECK(strncmp(buf, "level=warn", 10) == 0);
	/* The file itself matches. */
	CHECK(log_journal_stream(fd) == 1);
	unlink(path);
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void
test_journal_malformed(void)
{
	int p[2];

	CHECK(pipe(p) == 0);
	setenv("JOURNAL_STREAM", "", 1);
	CHECK(log_journal_stream(p[1]) == 0);
	setenv("JOURNAL_STREAM", "12", 1);
	CHECK(log_journal_stream(p[1]) == 0);
	setenv("JOURNAL_STREAM", "12:", 1);
	CHECK(log_journal_stream(p[1]) == 0);
	setenv("JOURNAL_STREAM", "1:2x", 1);
	CHECK(log_journal_stream(p[1]) == 0);
	unsetenv("JOURNAL_STREAM");
	CHECK(log_journal_stream(p[1]) == 0);
	close(p[0]);
	close(p[1]);
}

static void
test_priorities(void)
{
	CHECK(log_priority(LVL_ERROR) == LOG_ERR);
	CHECK(log_priority(LVL_WARN) == LOG_WARNING);
	CHECK(log_priority(LVL_INFO) == LOG_INFO);
	CHECK(log_priority(LVL_DEBUG) == LOG_DEBUG);
	CHECK(LOG_ERR == 3 && LOG_WARNING == 4 && LOG_INFO == 6 &&
	    LOG_DEBUG == 7);
}

static void
test_helper_syslog_env(void)
{
	struct logger lg;

	setenv("SAMOTOP_LOG", "syslog", 1);
	log_init_helper(&lg, "test");
	CHECK(lg.sink == LOG_SINK_SYSLOG);
	closelog();
	setenv("SAMOTOP_LOG", "stderr", 1);
	log_init_helper(&lg, "test");
	CHECK(lg.sink == LOG_SINK_FD);
	unsetenv("SAMOTOP_LOG");
}

int
main(void)
{
	TEST(test_plain_line);
	TEST(test_journal_prefix);
	TEST(test_journal_other_file);
	TEST(test_journal_malformed);
	TEST(test_priorities);
	TEST(test_helper_syslog_env);
	return UNIT_DONE();
}
