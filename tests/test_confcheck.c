/*
 * test_confcheck.c: conf_line(), the warnings of `samotop-smtpd -n`
 * (pure) and its run-time checks against a scratch directory.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "confcheck.h"
#include "trace_store.h"
#include "unit.h"

static struct conf		c;
static struct conf_error	err;
static char			text[8192];
static char			found[4096];	/* "LINE: msg\n" each */

static int
parse(const char *s)
{
	conf_defaults(&c);
	snprintf(text, sizeof(text), "%s", s);
	return conf_parse(&c, text, strlen(text), &err);
}

static void
collect(void *arg, unsigned line, const char *msg)
{
	size_t n = strlen(found);

	(void)arg;
	snprintf(found + n, sizeof(found) - n, "%u: %s\n", line, msg);
}

static int
warnings(const char *s)
{
	found[0] = '\0';
	if (parse(s) == -1)
		return -1;
	return confcheck_warnings(&c, collect, NULL);
}

static int
runtime(const char *s)
{
	found[0] = '\0';
	if (parse(s) == -1)
		return -1;
	return confcheck_runtime(&c, collect, NULL);
}

static void
test_conf_line(void)
{
	CHECK(parse("hostname a.test\n\nspf yes\ndnsbl a.test\n"
	    "dnsbl b.test\n") == 0);
	CHECK(conf_line(&c, "hostname") == 1);
	CHECK(conf_line(&c, "spf") == 3);
	CHECK(conf_line(&c, "dnsbl") == 5);	/* the last of a repeatable */
	CHECK(conf_line(&c, "greylist") == 0);
	CHECK(conf_line(&c, "no-such-directive") == 0);
}

static void
test_warnings(void)
{
	CHECK(warnings("spf-fail reject\nspf-none tempfail\n") == 2);
	CHECK_STR(found, "1: warning: spf-fail has no effect without spf yes\n"
	    "2: warning: spf-none has no effect without spf yes\n");
	CHECK(warnings("spf yes\nspf-fail reject\n") == 0);
	CHECK(warnings("greylist-window 1h\n") == 1);
	CHECK_STR(found, "1: warning: greylist-window has no effect without "
	    "greylist\n");
	CHECK(warnings("greylist /var/g.db\ngreylist-window 1h\n") == 0);
	CHECK(warnings("tls-protocols tlsv1.3\n") == 1);
	CHECK_STR(found, "1: warning: tls-protocols has no effect without "
	    "tls-certificate\n");
	CHECK(warnings("deny-message go\n") == 1);
	CHECK(warnings("deny-message go\ndeny client 192.0.2.1\n") == 0);
	CHECK(warnings("deny-message go\nallow client 192.0.2.1\n") == 1);
	CHECK(warnings("greylist /var/g.db\nplaintext greylist\n") == 1);
	CHECK_STR(found, "2: warning: plaintext greylist without "
	    "tls-certificate greylists every session, as greylist alone "
	    "does\n");
	CHECK(warnings("dmarc-reject accept\nmilter-timeout-command 5s\n"
	    "spool-dir /dev/shm\n") == 3);
	CHECK_STR(found, "1: warning: dmarc-reject has no effect without "
	    "dmarc yes\n2: warning: milter-timeout-command has no effect "
	    "without milter\n3: warning: spool-dir has no effect without "
	    "dkim, dmarc, arc, milter or dkim-sign\n");
	CHECK(warnings("spf yes\ndkim yes\ndmarc yes\ndmarc-reject accept\n"
	    "milter unix:/m\nmilter-default accept\nspool-dir /d\n") == 0);
	CHECK(warnings("alias a@example.org b@example.org\n") == 1);
	CHECK(warnings("alias a@example.org b@example.org\nrelay-route /q\n")
	    == 0);
	/* leave-no-trace's one key, with two shared databases */
	CHECK(warnings("leave-no-trace yes\nstore postgresql:///a\n"
	    "greylist postgresql:///b\n") == 1);
	CHECK_STR(found, "3: warning: leave-no-trace: greylist and store "
	    "name two databases; the greylist's hashes take the store "
	    "database's key, so every host sharing the greylist must share "
	    "the store too\n");
	CHECK(warnings("leave-no-trace yes\nstore postgresql:///a\n"
	    "greylist postgresql:///a\n") == 0);
	CHECK(warnings("leave-no-trace yes\ngreylist postgresql:///b\n")
	    == 0);
	CHECK(warnings("store postgresql:///a\ngreylist postgresql:///b\n")
	    == 0);
	CHECK(warnings("hostname a.test\nspf no\n") == 0);
	CHECK_STR(found, "");
}

static void
test_runtime(void)
{
	char dir[] = "/tmp/test_confcheck.XXXXXX", conf[1024], want[1024];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(conf, sizeof(conf), "route * /bin/true\n"
	    "route @a.test %s/nope\n", dir);
	CHECK(runtime(conf) == 1);
	snprintf(want, sizeof(want), "2: route @a.test: program %s/nope "
	    "does not exist\n", dir);
	CHECK_STR(found, want);

	snprintf(conf, sizeof(conf), "dkim yes\nspool-dir %s/nope\n", dir);
	CHECK(runtime(conf) == 1);
	snprintf(want, sizeof(want), "2: spool-dir: %s/nope: No such file "
	    "or directory\n", dir);
	CHECK_STR(found, want);
	snprintf(conf, sizeof(conf), "dkim yes\nspool-dir %s\n", dir);
	CHECK(runtime(conf) == 0);

	snprintf(conf, sizeof(conf), "allow client file:%s/list\n", dir);
	CHECK(runtime(conf) == 1);
	snprintf(want, sizeof(want), "1: allow file:%s/list cannot be "
	    "read: No such file or directory\n", dir);
	CHECK_STR(found, want);
	snprintf(want, sizeof(want), "%s/list", dir);
	CHECK((f = fopen(want, "w")) != NULL);
	if (f != NULL)
		fclose(f);
	CHECK(runtime(conf) == 0);

	snprintf(conf, sizeof(conf), "hostname a.test\n"
	    "greylist %s/sub/g.db\n", dir);
	CHECK(runtime(conf) == 1);
	snprintf(want, sizeof(want), "2: greylist: directory %s/sub does "
	    "not exist\n", dir);
	CHECK_STR(found, want);
	snprintf(want, sizeof(want), "%s/sub", dir);
	CHECK(mkdir(want, 0700) == 0);
	CHECK(runtime(conf) == 0);	/* and SQLite is loadable */
	CHECK_STR(found, "");
	unit_rmtree(dir);
}

/* Which database keeps leave-no-trace's one key (trace_store.h). */
static void
test_trace_store_db(void)
{
	CHECK(parse("greylist /var/g.db\n") == 0);
	CHECK(trace_store_db(&c) == NULL);	/* the key file */
	CHECK(parse("greylist postgresql:///g\n") == 0);
	CHECK(trace_store_db(&c) == c.greylist_db);
	CHECK(parse("greylist postgresql:///g\nstore postgres://h/s\n") ==
	    0);
	CHECK(trace_store_db(&c) == c.store_db);
	CHECK(trace_store_split(&c));
	CHECK(parse("greylist /var/g.db\nstore postgresql:///s\n") == 0);
	CHECK(trace_store_db(&c) == c.store_db);
	CHECK(!trace_store_split(&c));
	CHECK(parse("store postgresql:///s\n") == 0);
	CHECK(trace_store_db(&c) == c.store_db);
}

int
main(void)
{
	TEST(test_conf_line);
	TEST(test_warnings);
	TEST(test_runtime);
	TEST(test_trace_store_db);
	return UNIT_DONE();
}
