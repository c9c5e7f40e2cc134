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

/* A stand-in for trace_log_hash(): the value's length and first octet. */
static void
fake_hash(void *arg, const char *value, char *out, size_t size)
{
	(*(int *)arg)++;
	snprintf(out, size, "h%zu%c", strlen(value), value[0]);
}

/* The line lg writes for one event, without its newline. */
static void
one_line(struct logger *lg, int rfd, char *buf, size_t size)
{
	ssize_t n;

	CHECK((n = read(rfd, buf, size - 1)) > 0);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	(void)lg;
}

/* leave-no-trace with a key: personal fields are hashes, lowercased. */
static void
test_notrace_fields(void)
{
	struct logger lg;
	char buf[512];
	int p[2], calls = 0;

	unsetenv("JOURNAL_STREAM");
	CHECK(pipe(p) == 0);
	log_init(&lg, p[1], LVL_INFO, "sid=X");
	log_notrace(&lg, fake_hash, &calls);
	log_event(&lg, LVL_INFO, "mail", "msgid", "X.1", "from",
	    "Alice@Example.org", "client", "192.0.2.1", "code", "250", NULL);
	one_line(&lg, p[0], buf, sizeof(buf));
	CHECK_STR(buf, "level=info sid=X event=mail msgid=X.1 "
	    "from=~h17a client=~h9\x31 code=250");
	CHECK(calls == 2);
	close(p[0]);
	close(p[1]);
}

/* Free text: '@' words and remembered values; other words stay. */
static void
test_notrace_scrub(void)
{
	struct logger lg;
	char out[256];
	int calls = 0;

	log_init(&lg, 2, LVL_INFO, "sid=X");
	log_personal(&lg, "helo-secret.example");	/* off: no-op */
	CHECK(lg.npersonal == 0);
	log_notrace(&lg, fake_hash, &calls);
	log_personal(&lg, "helo-secret.example");
	log_personal(&lg, "HELO-secret.example");	/* known already */
	log_personal(&lg, "bob@example.org");
	log_personal(&lg, "");
	CHECK(lg.npersonal == 4);	/* and "bob", "example.org" */
	log_scrub(&lg, "5.1.1 <Carol@x.example>: no such user", out,
	    sizeof(out));
	CHECK_STR(out, "5.1.1 ~h15c no such user");
	log_scrub(&lg, "you are (HELO-SECRET.example), bob; not bobby",
	    out, sizeof(out));
	CHECK_STR(out, "you are ~h19h ~h3b not bobby");
	/* no key: "~" alone */
	log_notrace(&lg, NULL, NULL);
	log_scrub(&lg, "mailbox bob@example.org full", out, sizeof(out));
	CHECK_STR(out, "mailbox ~ full");
}

/* The first values stay; the ring keeps the last of the others. */
static void
test_notrace_ring(void)
{
	struct logger lg;
	char v[32], out[128];
	int i;

	log_init(&lg, 2, LVL_INFO, "sid=X");
	log_notrace(&lg, NULL, NULL);
	for (i = 0; i < LOG_PERSONAL_MAX + 2; i++) {
		snprintf(v, sizeof(v), "value-%d", i);
		log_personal(&lg, v);
	}
	snprintf(v, sizeof(v), "value-%d", LOG_PERSONAL_MAX + 1);
	log_scrub(&lg, "value-0 value-7 value-8 value-9 value-10", out,
	    sizeof(out));
	CHECK_STR(out, "~ ~ value-8 value-9 ~");
	log_scrub(&lg, v, out, sizeof(out));
	CHECK_STR(out, "~");
}

/* A helper: SAMOTOP_LEAVE_NO_TRACE turns it on, without a key. */
static void
test_notrace_helper_env(void)
{
	struct logger lg;
	char buf[512];
	int p[2], saved, bad;

	setenv(LOG_NOTRACE_ENV, "86400", 1);
	CHECK(log_notrace_env(NULL) == 86400);
	CHECK(pipe(p) == 0);
	saved = dup(2);
	CHECK(dup2(p[1], 2) == 2);
	log_init_helper(&lg, "samotop-maildir");
	dup2(saved, 2);
	close(saved);
	CHECK(lg.notrace == 1);
	lg.fd = p[1];
	log_event(&lg, LVL_INFO, "delivered", "to", "bob@example.org",
	    "path", "/var/mail/bob/new/1", "size", "12", NULL);
	one_line(&lg, p[0], buf, sizeof(buf));
	CHECK(strstr(buf, "event=delivered to=~ path=~ size=12") != NULL);
	setenv(LOG_NOTRACE_ENV, "0", 1);
	CHECK(log_notrace_env(NULL) == 0);
	setenv(LOG_NOTRACE_ENV, "", 1);
	CHECK(log_notrace_env(NULL) == 0);
	setenv(LOG_NOTRACE_ENV, "1d", 1);	/* malformed: fails closed */
	CHECK(log_notrace_env(&bad) == LOG_NOTRACE_DEFAULT && bad == 1);
	setenv(LOG_NOTRACE_ENV, "3600", 1);
	CHECK(log_notrace_env(&bad) == 3600 && bad == 0);
	unsetenv(LOG_NOTRACE_ENV);
	CHECK(log_notrace_env(NULL) == 0);
	log_init_helper(&lg, "samotop-maildir");
	CHECK(lg.notrace == 0);
	close(p[0]);
	close(p[1]);
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
	TEST(test_notrace_fields);
	TEST(test_notrace_scrub);
	TEST(test_notrace_ring);
	TEST(test_notrace_helper_env);
	return UNIT_DONE();
}
