/*
 * test_q_env.c: queue IDs and the envelope file: format, parse (what
 * readers must ignore and refuse) and the bounded read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "q_dir.h"
#include "q_env.h"
#include "q_id.h"
#include "unit.h"

static char rcpt[Q_RCPT_MAX][ADDR_MAX + 1];
static char rcpt2[Q_RCPT_MAX][ADDR_MAX + 1];

static void
test_id(void)
{
	char id[Q_ID_LEN + 1], id2[Q_ID_LEN + 1];

	CHECK(q_id_new(id, 1700000000) == 0);
	CHECK(strlen(id) == 10 + 1 + 16);
	CHECK(strncmp(id, "1700000000-", 11) == 0);
	CHECK(q_id_valid(id));
	CHECK(q_id_time(id) == 1700000000);
	CHECK(q_id_new(id2, 1700000000) == 0);
	CHECK(strcmp(id, id2) != 0);
	CHECK(!q_id_valid(""));
	CHECK(!q_id_valid("1700000000-0123456789abcdeF"));
	CHECK(!q_id_valid("1700000000-0123456789abcde"));
	CHECK(!q_id_valid("1700000000-0123456789abcdef0"));
	CHECK(!q_id_valid("-0123456789abcdef"));
	CHECK(!q_id_valid("../0123456789abcdef"));
	CHECK(!q_id_valid("1700000000-0123456789abcdef.mess"));
	CHECK(q_id_valid("1700000000-0123456789abcdef"));
	CHECK(q_id_time("x") == -1);
}

static const char sample[] =
    "samotop-queue 1\n"
    "id 1700000000-0123456789abcdef\n"
    "time 1700000000\n"
    "from alice@example.org\n"
    "param SMTPUTF8\n"
    "param BODY=8BITMIME\n"
    "rcpt bob@example.net\n"
    "rcpt \"john doe\"@example.com\n";

static void
test_format(void)
{
	struct q_env e;
	char buf[Q_ENV_MAX];
	size_t len;

	memset(&e, 0, sizeof(e));
	strcpy(e.id, "1700000000-0123456789abcdef");
	e.time = 1700000000;
	strcpy(e.from, "alice@example.org");
	e.smtputf8 = e.body8 = 1;
	e.rcpt = rcpt;
	strcpy(rcpt[0], "bob@example.net");
	strcpy(rcpt[1], "\"john doe\"@example.com");
	e.nrcpt = 2;
	CHECK(q_env_format(&e, buf, sizeof(buf), &len) == Q_ENV_OK);
	CHECK(len == strlen(sample) && memcmp(buf, sample, len) == 0);
	/* does not fit */
	CHECK(q_env_format(&e, buf, 20, &len) == Q_ENV_ETOOBIG);
	/* a control octet would split a line */
	strcpy(rcpt[1], "evil@example.com\nrcpt x@y");
	CHECK(q_env_format(&e, buf, sizeof(buf), &len) == Q_ENV_ECONTROL);
	strcpy(rcpt[1], "ok@example.com");
	strcpy(e.from, "a\rb");
	CHECK(q_env_format(&e, buf, sizeof(buf), &len) == Q_ENV_ECONTROL);
	e.from[0] = '\0';	/* <> */
	CHECK(q_env_format(&e, buf, sizeof(buf), &len) == Q_ENV_OK);
	buf[len] = '\0';
	CHECK(strstr(buf, "\nfrom \n") != NULL);
	e.nrcpt = 0;
	CHECK(q_env_format(&e, buf, sizeof(buf), &len) == Q_ENV_EMISSING);
	e.nrcpt = 1;
	strcpy(e.id, "../x");
	CHECK(q_env_format(&e, buf, sizeof(buf), &len) == Q_ENV_ESYNTAX);
}

static void
test_parse(void)
{
	struct q_env e;
	char buf[Q_ENV_MAX];
	size_t len;

	CHECK(q_env_parse(sample, strlen(sample), &e, rcpt, Q_RCPT_MAX) ==
	    Q_ENV_OK);
	CHECK_STR(e.id, "1700000000-0123456789abcdef");
	CHECK(e.time == 1700000000);
	CHECK_STR(e.from, "alice@example.org");
	CHECK(e.smtputf8 == 1 && e.body8 == 1);
	CHECK(e.nrcpt == 2);
	CHECK_STR(e.rcpt[0], "bob@example.net");
	CHECK_STR(e.rcpt[1], "\"john doe\"@example.com");
	/* round trip */
	CHECK(q_env_format(&e, buf, sizeof(buf), &len) == Q_ENV_OK);
	CHECK(len == strlen(sample) && memcmp(buf, sample, len) == 0);
	/* no LF at the end; unknown lines and params ignored */
	{
		const char t[] = "samotop-queue 1\nid 1-0123456789abcdef\n"
		    "future thing\nparam FOO=BAR\ntime 1\nfrom \n"
		    "rcpt x@y";
		CHECK(q_env_parse(t, strlen(t), &e, rcpt, Q_RCPT_MAX) ==
		    Q_ENV_OK);
		CHECK(e.nrcpt == 1 && strcmp(e.rcpt[0], "x@y") == 0);
		CHECK(e.from[0] == '\0' && e.smtputf8 == 0);
	}
	/* another version */
	CHECK(q_env_parse("samotop-queue 2\n", 16, &e, rcpt, Q_RCPT_MAX) ==
	    Q_ENV_EVERSION);
	CHECK(q_env_parse("", 0, &e, rcpt, Q_RCPT_MAX) == Q_ENV_EVERSION);
	/* missing fields */
	{
		const char t[] = "samotop-queue 1\nid 1-0123456789abcdef\n"
		    "time 1\nfrom a@b\n";
		CHECK(q_env_parse(t, strlen(t), &e, rcpt, Q_RCPT_MAX) ==
		    Q_ENV_EMISSING);
		CHECK(e.nrcpt == 0 && e.id[0] == '\0');
	}
	{
		const char t[] = "samotop-queue 1\nid 1-0123456789abcdef\n"
		    "time 1\nfrom a@b\nfrom c@d\nrcpt x@y\n";
		CHECK(q_env_parse(t, strlen(t), &e, rcpt, Q_RCPT_MAX) ==
		    Q_ENV_EDUPLICATE);
	}
	{
		const char t[] = "samotop-queue 1\nid 1-0123456789abcdef\n"
		    "time 1x\nfrom a@b\nrcpt x@y\n";
		CHECK(q_env_parse(t, strlen(t), &e, rcpt, Q_RCPT_MAX) ==
		    Q_ENV_ESYNTAX);
	}
	{
		const char t[] = "samotop-queue 1\nid 1-0123456789abcdef\n"
		    "time 1\nfrom a@b\nrcpt x\ry\n";
		CHECK(q_env_parse(t, strlen(t), &e, rcpt, Q_RCPT_MAX) ==
		    Q_ENV_ECONTROL);
	}
	{
		const char t[] = "samotop-queue 1\nid 1-0123456789abcdef\n"
		    "time 1\nfrom a@b\nrcpt x@y\nrcpt\n";
		CHECK(q_env_parse(t, strlen(t), &e, rcpt, Q_RCPT_MAX) ==
		    Q_ENV_ESYNTAX);
	}
	{
		const char t[] = "samotop-queue 1\nid 1-0123456789abcdef\n"
		    "time 1\nfrom a@b\nrcpt x@y\nrcpt z@y\n";
		CHECK(q_env_parse(t, strlen(t), &e, rcpt, 1) ==
		    Q_ENV_ETOOMANY);
	}
}

static void
test_read(void)
{
	char dir[] = "/tmp/test_q_env.XXXXXX", path[256];
	struct q_env e;
	FILE *f;
	size_t i;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(q_dir_ensure(dir, 0750) == 0);
	CHECK(q_env_read(dir, "1700000000-0123456789abcdef", &e, rcpt2,
	    Q_RCPT_MAX) == Q_ENV_ESYS && errno == ENOENT);
	q_dir_path(path, sizeof(path), dir, "env",
	    "1700000000-0123456789abcdef");
	f = fopen(path, "w");
	fputs(sample, f);
	fclose(f);
	CHECK(q_env_read(dir, "1700000000-0123456789abcdef", &e, rcpt2,
	    Q_RCPT_MAX) == Q_ENV_OK);
	CHECK(e.nrcpt == 2 && e.rcpt == rcpt2);
	CHECK(q_env_read(dir, "../env/x", &e, rcpt2, Q_RCPT_MAX) ==
	    Q_ENV_ESYNTAX);
	/* a file named for another ID */
	q_dir_path(path, sizeof(path), dir, "env",
	    "1700000000-0123456789abcde0");
	f = fopen(path, "w");
	fputs(sample, f);
	fclose(f);
	CHECK(q_env_read(dir, "1700000000-0123456789abcde0", &e, rcpt2,
	    Q_RCPT_MAX) == Q_ENV_ESYNTAX);
	/* over the bound */
	f = fopen(path, "w");
	fputs(sample, f);
	for (i = 0; i < Q_ENV_MAX / 10; i++)
		fputs("x23456789\n", f);
	fclose(f);
	CHECK(q_env_read(dir, "1700000000-0123456789abcde0", &e, rcpt2,
	    Q_RCPT_MAX) == Q_ENV_ETOOBIG);
	unit_rmtree(dir);
}

int
main(void)
{
	TEST(test_id);
	TEST(test_format);
	TEST(test_parse);
	TEST(test_read);
	return UNIT_DONE();
}
