/*
 * test_limit.c: rate limits: client networks, the decision, and counts
 * through a real store (SQLite in a scratch directory).
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "conf.h"
#include "limit.h"
#include "store.h"

static void
networks(void)
{
	char out[LIMIT_NET_MAX];

	CHECK(limit_network("192.0.2.77", 24, 64, out, sizeof(out)) == 0);
	CHECK_STR(out, "192.0.2.0/24");
	CHECK(limit_network("192.0.2.77", 32, 64, out, sizeof(out)) == 0);
	CHECK_STR(out, "192.0.2.77/32");
	CHECK(limit_network("192.0.2.77", 20, 64, out, sizeof(out)) == 0);
	CHECK_STR(out, "192.0.0.0/20");
	CHECK(limit_network("::ffff:192.0.2.77", 16, 64, out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "192.0.0.0/16");
	CHECK(limit_network("2001:db8:1:2:3:4:5:6", 24, 64, out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "2001:db8:1:2::/64");
	CHECK(limit_network("2001:db8:1:2:3:4:5:6", 24, 48, out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "2001:db8:1::/48");
	CHECK(limit_network("2001:db8:1:2:3:4:5:6", 24, 128, out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "2001:db8:1:2:3:4:5:6/128");
	CHECK(limit_network("not an address", 24, 64, out, sizeof(out)) ==
	    -1);
	CHECK(limit_network("192.0.2.1", 33, 64, out, sizeof(out)) == -1);
	CHECK(limit_network("192.0.2.1", 24, 64, out, 5) == -1);
}

static void
decisions(void)
{
	CHECK(limit_decide(3, 1, 1, ACTION_TEMPFAIL) == LIMIT_PASS);
	CHECK(limit_decide(3, 3, 1, ACTION_TEMPFAIL) == LIMIT_PASS);
	CHECK(limit_decide(3, 4, 1, ACTION_TEMPFAIL) == LIMIT_OVER);
	CHECK(limit_decide(0, 400, 1, ACTION_TEMPFAIL) == LIMIT_PASS);
	/* a store that fails is never a silent pass */
	CHECK(limit_decide(3, 0, 0, ACTION_TEMPFAIL) == LIMIT_ERROR);
	CHECK(limit_decide(3, 0, 0, ACTION_ACCEPT) == LIMIT_UNCHECKED);
}

static void
names(void)
{
	struct conf c;

	conf_defaults(&c);
	CHECK_STR(limit_directive(LIMIT_CONNECTIONS), "limit-connections");
	CHECK_STR(limit_directive(LIMIT_RECIPIENTS), "limit-recipients");
	CHECK_STR(limit_counter(LIMIT_CONNECTIONS), "conn");
	CHECK_STR(limit_counter(LIMIT_MESSAGES), "messages");
	CHECK_STR(limit_counter(LIMIT_RECIPIENTS), "recipients");
	CHECK(limit_rate(&c, LIMIT_MESSAGES) == &c.limit_messages);
	CHECK(c.limit_prefix4 == 24 && c.limit_prefix6 == 64);
	CHECK(c.limit_default == ACTION_TEMPFAIL);
	CHECK(c.limit_messages.n == 0);
}

static int
parse(struct conf *c, const char *text, struct conf_error *err)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s", text);
	conf_defaults(c);
	return conf_parse(c, buf, strlen(buf), err);
}

static void
directives(void)
{
	struct conf c;
	struct conf_error err;

	CHECK(parse(&c, "limit-connections 60/1m\nlimit-messages 100/1h\n"
	    "limit-recipients 5/30s\nlimit-prefix4 32\nlimit-prefix6 48\n"
	    "limit-default accept\n", &err) == 0);
	CHECK(c.limit_connections.n == 60 && c.limit_connections.period == 60);
	CHECK(c.limit_messages.n == 100 && c.limit_messages.period == 3600);
	CHECK(c.limit_recipients.n == 5 && c.limit_recipients.period == 30);
	CHECK(c.limit_prefix4 == 32 && c.limit_prefix6 == 48);
	CHECK(c.limit_default == ACTION_ACCEPT);
	CHECK(parse(&c, "limit-messages 100\n", &err) == -1);
	CHECK(strstr(err.msg, "N/PERIOD") != NULL);
	CHECK(parse(&c, "limit-messages 0/1h\n", &err) == -1);
	CHECK(parse(&c, "limit-messages 10/367d\n", &err) == -1);
	CHECK(parse(&c, "limit-messages x/1h\n", &err) == -1);
	CHECK(parse(&c, "limit-prefix4 33\n", &err) == -1);
	CHECK(parse(&c, "proxy-protocol yes\nproxy-from 10.0.0.0/8\n"
	    "proxy-from ::1\nproxy-timeout 5s\n", &err) == 0);
	CHECK(c.proxy_protocol && c.nproxy_from == 2 && c.proxy_timeout == 5);
	CHECK(parse(&c, "proxy-from 10.0.0.0/33\n", &err) == -1);
	CHECK(parse(&c, "proxy-protocol yes\nproxy-from ::/0\n", &err) ==
	    -1);
	CHECK(strstr(err.msg, "any client could claim") != NULL);
	CHECK(parse(&c, "proxy-from 10.0.0.0/8\n", &err) == -1);
	CHECK(strstr(err.msg, "proxy-protocol yes") != NULL);
}

static void
counts(void)
{
	char dir[] = "/tmp/samotop-limit.XXXXXX", path[64];
	struct limits l;
	struct conf c;
	struct store *st;
	char err[256];
	unsigned long total = 0;
	time_t now = 1700000000;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/store.db", dir);
	conf_defaults(&c);
	c.store_db = path;
	c.limit_recipients.n = 2;
	c.limit_recipients.period = 60;
	limit_init(&l);
	if ((st = store_open(path, err, sizeof(err))) == NULL) {
		printf("#   store_open: %s\n", err);
		CHECK(0);
		unit_rmtree(dir);
		return;
	}
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "192.0.2.1", now,
	    &total) == LIMIT_PASS && total == 1);
	/* the same /24 counts together; messages are another count */
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "192.0.2.200", now,
	    &total) == LIMIT_PASS && total == 2);
	CHECK(limit_check(&l, &c, st, LIMIT_MESSAGES, "192.0.2.1", now,
	    &total) == LIMIT_PASS && total == 0);
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "192.0.2.2", now + 1,
	    &total) == LIMIT_OVER && total == 3);
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "198.51.100.1", now + 1,
	    &total) == LIMIT_PASS && total == 1);
	/* after the window, again */
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "192.0.2.2", now + 61,
	    &total) == LIMIT_PASS && total == 1);
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "", now, &total) ==
	    LIMIT_PASS);
	store_close(st);
	/* a store that cannot be opened: tempfail, or accept when told */
	c.store_db = "/nonexistent/dir/store.db";
	st = NULL;
	limit_init(&l);
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "192.0.2.1", now,
	    &total) == LIMIT_ERROR);
	CHECK(strstr(l.why, "/nonexistent/dir/store.db") != NULL);
	c.limit_default = ACTION_ACCEPT;
	CHECK(limit_check(&l, &c, st, LIMIT_RECIPIENTS, "192.0.2.1", now,
	    &total) == LIMIT_UNCHECKED);
	unit_rmtree(dir);
}

int
main(void)
{
	TEST(networks);
	TEST(decisions);
	TEST(names);
	TEST(directives);
	TEST(counts);
	return UNIT_DONE();
}
