/*
 * test_snd_result.c: samotop-send's reading of a delivery program's r
 * and m lines (snd_result.h).
 */
#include "snd_result.h"
#include "unit.h"

static const char *const rc[] = { "a@Far.test", "b@far.test", "a@far.test" };
static struct snd_result res[3];
static struct snd_message m;

static size_t
parse(const char *s)
{
	return snd_result_parse(s, strlen(s), rc, 3, res, &m);
}

static void
all_lines(void)
{
	CHECK(parse("r a@Far.test 250 2.0.0 ok\nr b@far.test 550 5.1.1 no\n"
	    "r a@far.test 451 4.7.1 later\n"
	    "m 250 2.0.0 queued as X host=mx.far.test ip=192.0.2.1 "
	    "tls=TLSv1.3\n") == 0);
	CHECK(res[0].seen && res[0].code == 250);
	CHECK_STR(res[0].text, "2.0.0 ok");
	CHECK(res[1].code == 550);
	CHECK(res[2].code == 451);
	CHECK_STR(res[2].text, "4.7.1 later");
	CHECK(m.seen && m.code == 250);
	CHECK_STR(m.text, "2.0.0 queued as X");
	CHECK_STR(m.host, "mx.far.test");
	CHECK_STR(m.ip, "192.0.2.1");
	CHECK_STR(m.tls, "TLSv1.3");
	CHECK_STR(m.sts, "");
	/* samotop-remote's MTA-STS words after the fixed ones */
	CHECK(parse("m 250 2.0.0 queued host=mx.far.test ip=192.0.2.1 "
	    "tls=TLSv1.3 sts=enforce verified=yes\n") == 0);
	CHECK_STR(m.text, "2.0.0 queued");
	CHECK_STR(m.host, "mx.far.test");
	CHECK_STR(m.tls, "TLSv1.3");
	CHECK_STR(m.sts, "enforce");
	CHECK_STR(m.verified, "yes");
	CHECK_STR(m.dane, "");
}

/* samotop-remote -D's words after tls= (samotop-remote(8)) */
static void
dane_words(void)
{
	CHECK(parse("r a@far.test 250 2.0.0 ok\n"
	    "m 250 2.0.0 queued as X host=mx.far.test ip=192.0.2.1 "
	    "tls=TLSv1.3 dane=pass tlsa=DANE-EE\n") == 0);
	CHECK_STR(m.text, "2.0.0 queued as X");
	CHECK_STR(m.host, "mx.far.test");
	CHECK_STR(m.tls, "TLSv1.3");
	CHECK_STR(m.dane, "pass");
	CHECK_STR(m.tlsa, "DANE-EE");
	CHECK(parse("r a@far.test 451 4.7.5 mx.far.test: DANE: no\n"
	    "m 451 4.7.5 mx.far.test: DANE: no host=mx.far.test "
	    "ip=192.0.2.1 tls=none dane=fail\n") == 0);
	CHECK_STR(m.text, "4.7.5 mx.far.test: DANE: no");
	CHECK_STR(m.dane, "fail");
	CHECK_STR(m.tlsa, "");
}

static void
repeated_and_case(void)
{
	/* the domain in another case; the same address twice in order */
	CHECK(parse("r a@far.test 250 one\nr A@far.test 250 x\n"
	    "r a@FAR.test 550 two\n") == 1);
	CHECK(res[0].code == 250 && res[2].code == 550);
	CHECK_STR(res[2].text, "two");
	CHECK(!res[1].seen);
	CHECK(!m.seen);
}

static void
garbage_ignored(void)
{
	CHECK(parse("hello\nr x@y 250 ok\nr a@Far.test 600 no\n"
	    "r a@Far.test 25 no\nr a@Far.test\nm abc\n"
	    "r a@Far.test 250\r\nm 451\n") == 7);
	/* "250\r": the CR is no space: refused; a bare code is fine */
	CHECK(!res[0].seen);
	CHECK(m.seen && m.code == 451);
	CHECK_STR(m.text, "");
	CHECK(parse("r b@far.test 250 a\x01\xff" "b\n") == 0);
	CHECK_STR(res[1].text, "a??b");
}

static void
no_host(void)
{
	CHECK(parse("m 451 4.4.1 connection refused\n") == 0);
	CHECK_STR(m.text, "4.4.1 connection refused");
	CHECK_STR(m.host, "");
}

static void
fill(void)
{
	parse("r a@Far.test 250 ok\nm 421 4.4.2 lost\n");
	snd_result_fill(res, 3, &m, 451, "4.3.0 no result");
	CHECK(res[0].code == 250);
	CHECK(res[1].code == 421);
	CHECK_STR(res[1].text, "4.4.2 lost");
	parse("");
	snd_result_fill(res, 3, &m, 451, "4.3.0 killed by signal 9");
	CHECK(res[2].code == 451);
	CHECK_STR(res[2].text, "4.3.0 killed by signal 9");
}

int
main(void)
{
	TEST(all_lines);
	TEST(dane_words);
	TEST(repeated_and_case);
	TEST(garbage_ignored);
	TEST(no_host);
	TEST(fill);
	return UNIT_DONE();
}
