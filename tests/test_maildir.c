/*
 * test_maildir.c: templates, safety checks, folder choice and delivery,
 * in a directory made by mkdtemp.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lmtp.h"
#include "maildir.h"
#include "maildir_notrace.h"
#include "unit.h"

static char root[64];

static struct mailbox
mbox(const char *path)
{
	struct mailbox mb;
	size_t used;

	if (addr_parse_path(path, strlen(path),
	    ADDR_ALLOW_POSTMASTER | ADDR_ALLOW_UTF8, &mb, &used) != ADDR_OK)
		abort();
	return mb;
}

static const char *
expand(const char *tmpl, const char *path)
{
	static char out[MAILDIR_PATH_MAX];
	struct mailbox mb = mbox(path);
	struct maildir_vars v;

	if (maildir_vars_set(&v, &mb, '+') == -1)
		return "(vars)";
	switch (maildir_expand(tmpl, &v, out, sizeof(out))) {
	case MAILDIR_OK:
		return out;
	case MAILDIR_EUNSAFE:
		return "(unsafe)";
	case MAILDIR_ETOOLONG:
		return "(toolong)";
	case MAILDIR_ETEMPLATE:
		return "(template)";
	case MAILDIR_ENOEXT:
		return "(noext)";
	}
	return "(?)";
}

static void
test_template_check(void)
{
	CHECK(maildir_template_check("/var/mail/%d/%u/%l/%e/%%") ==
	    MAILDIR_OK);
	CHECK(maildir_template_check("plain") == MAILDIR_OK);
	CHECK(maildir_template_check("/m/%x") == MAILDIR_ETEMPLATE);
	CHECK(maildir_template_check("/m/%U") == MAILDIR_ETEMPLATE);
	CHECK(maildir_template_check("/m/%") == MAILDIR_ETEMPLATE);
}

static void
test_expand_escapes(void)
{
	const char *a = "<Foo.Bar+Tag@Example.ORG>";

	CHECK_STR(expand("%u", a), "foo.bar");
	CHECK_STR(expand("%l", a), "foo.bar+tag");
	CHECK_STR(expand("%d", a), "example.org");
	CHECK_STR(expand("%e", a), "Tag");
	CHECK_STR(expand("/m/%%/100%%", a), "/m/%/100%");
	CHECK_STR(expand("/m/%d/%u/x", a), "/m/example.org/foo.bar/x");
	CHECK_STR(expand("%l", "<\"Joe Q\"@x.test>"), "joe q");
	CHECK_STR(expand("%u", "<\xc3\x89va@x.test>"), "\xc3\x89va");
	CHECK_STR(expand("/m/%u", "<a+b+c@x.test>"), "/m/a");
	CHECK_STR(expand("%e", "<a+b+c@x.test>"), "b+c");
	CHECK_STR(expand("/m/%q", "<a@x.test>"), "(template)");
}

static void
test_unsafe(void)
{
	struct mailbox mb = mbox("<a@x.test>");
	struct maildir_vars v;
	char out[64];

	CHECK_STR(expand("/m/%u", "<\"a/b\"@x.test>"), "(unsafe)");
	CHECK_STR(expand("/m/%l", "<\"..\"@x.test>"), "(unsafe)");
	CHECK_STR(expand("/m/%u", "<\".hidden\"@x.test>"), "(unsafe)");
	CHECK_STR(expand("/m/%u", "<+tag@x.test>"), "(unsafe)");
	CHECK_STR(expand("/m/%e", "<a@x.test>"), "(noext)");
	CHECK_STR(expand("/m/%u/.%e", "<a+@x.test>"), "(noext)");
	CHECK_STR(expand("/m/%e", "<a+.x@x.test>"), "(unsafe)");
	CHECK_STR(expand("/m/%d", "<postmaster>"), "(unsafe)");
	CHECK_STR(expand("/m/%u", "<postmaster>"), "/m/postmaster");
	/* the parser refuses control octets; check the guard anyway */
	snprintf(mb.local, sizeof(mb.local), "a\x01z");
	CHECK(maildir_vars_set(&v, &mb, '+') == 0);
	CHECK(maildir_expand("/m/%u", &v, out, sizeof(out)) ==
	    MAILDIR_EUNSAFE);
	snprintf(mb.local, sizeof(mb.local), "a\x7fz");
	CHECK(maildir_vars_set(&v, &mb, '+') == 0);
	CHECK(maildir_expand("/m/%l", &v, out, sizeof(out)) ==
	    MAILDIR_EUNSAFE);
	CHECK(maildir_expand("/m/%%", &v, out, 4) == MAILDIR_ETOOLONG);
	CHECK(maildir_safe("ok") && !maildir_safe("") &&
	    !maildir_safe(".") && !maildir_safe("a/b") &&
	    !maildir_safe("a\nb"));
}

static void
test_host(void)
{
	char out[MAILDIR_HOST_MAX];

	maildir_host("mx/1:2.test", out, sizeof(out));
	CHECK_STR(out, "mx\\0571\\0722.test");
	maildir_host("::::", out, 10);
	CHECK_STR(out, "\\072\\072");
}

/* Files in root/rel, or -1 if it cannot be read. */
static int
nfiles(const char *rel)
{
	char p[512];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
exists(const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return stat(p, &st) == 0;
}

static void
make(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (maildir_make(p) == -1)
		abort();
}

/* The one file in root/rel/new: its contents, and its name. */
static size_t
read_new(const char *rel, char *buf, size_t size, char *name, size_t nsize)
{
	char p[1024];
	struct dirent *e;
	DIR *d;
	ssize_t n = -1;
	int fd;

	snprintf(p, sizeof(p), "%s/%s/new", root, rel);
	if ((d = opendir(p)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name, nsize, "%s", e->d_name);
		snprintf(p, sizeof(p), "%s/%s/new/%s", root, rel, e->d_name);
		if ((fd = open(p, O_RDONLY)) != -1) {
			n = read(fd, buf, size - 1);
			close(fd);
		}
	}
	closedir(d);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

struct setup {
	struct maildir_ctx	ctx;
	char			t[2][256];
	char			*templates[2];
};

static void
setup(struct setup *s, const char *t0, const char *t1, int create)
{
	if (maildir_init(&s->ctx, "mx/test:1") == -1)
		abort();
	/* Quiet: the log lines are not what these tests look at. */
	s->ctx.log.level = LVL_ERROR;
	s->ctx.log.fd = -1;
	snprintf(s->t[0], sizeof(s->t[0]), "%s/%s", root, t0);
	s->templates[0] = s->t[0];
	s->ctx.ntemplates = 1;
	if (t1 != NULL) {
		snprintf(s->t[1], sizeof(s->t[1]), "%s/%s", root, t1);
		s->templates[1] = s->t[1];
		s->ctx.ntemplates = 2;
	}
	s->ctx.templates = s->templates;
	s->ctx.create = create;
}

static int
rcpt(struct setup *s, const char *path, size_t index, char *reply)
{
	struct mailbox mb = mbox(path);

	return maildir_rcpt(&s->ctx, &mb, index, reply, LMTP_REPLY_MAX);
}

static void
mail(struct setup *s, const char *path)
{
	struct mailbox mb;
	char reply[LMTP_REPLY_MAX];
	size_t used;

	if (addr_parse_path(path, strlen(path), ADDR_ALLOW_NULL, &mb,
	    &used) != ADDR_OK || maildir_mail(&s->ctx, &mb, reply,
	    sizeof(reply)) != 0)
		abort();
}

static void
test_no_mailbox(void)
{
	char reply[LMTP_REPLY_MAX];
	struct setup s;

	setup(&s, "nm/%d/%u", "nm2/%u", 0);
	CHECK(rcpt(&s, "<Bob@X.test>", 0, reply) == -1);
	CHECK_STR(reply, "550 5.1.1 <Bob@X.test>: no such mailbox");
	CHECK(!exists("nm") && !exists("nm2"));
	CHECK(s.ctx.nrcpt == 0);
	maildir_free(&s.ctx);
}

static void
test_unsafe_creates_nothing(void)
{
	char reply[LMTP_REPLY_MAX];
	struct setup s;

	setup(&s, "un/%d/%u", "un2/%u/%e", 1);
	CHECK(rcpt(&s, "<bob+.x@x.test>", 0, reply) == -1);
	CHECK_STR(reply, "550 5.1.3 <bob+.x@x.test>: unsafe address");
	CHECK(rcpt(&s, "<\"../x\"@x.test>", 0, reply) == -1);
	CHECK_STR(reply, "550 5.1.3 <\"../x\"@x.test>: unsafe address");
	CHECK(!exists("un") && !exists("un2"));
	maildir_free(&s.ctx);
}

/*
 * A template with %e does not expand for a recipient without an
 * extension: it is skipped, and the next one is tried (issue 10, #7).
 */
static void
test_noext_skipped(void)
{
	char reply[LMTP_REPLY_MAX];
	struct setup s;

	setup(&s, "ne/%d/%e", "ne2/%u", 0);
	make("ne2/bob");
	CHECK(rcpt(&s, "<bob@x.test>", 0, reply) == 0);
	CHECK_STR(reply, "250 2.1.5 <bob@x.test>: OK");
	CHECK(strstr(s.ctx.rcpt[0].dir, "/ne2/bob") != NULL);
	CHECK(rcpt(&s, "<bob+@x.test>", 1, reply) == 0);
	CHECK(strstr(s.ctx.rcpt[1].dir, "/ne2/bob") != NULL);
	make("ne/x.test/tag");
	CHECK(rcpt(&s, "<bob+tag@x.test>", 2, reply) == 0);
	CHECK(strstr(s.ctx.rcpt[2].dir, "/ne/x.test/tag") != NULL);
	maildir_free(&s.ctx);

	/* only %e templates, no extension: no mailbox, nothing made */
	setup(&s, "ne3/%d/%e", NULL, 1);
	CHECK(rcpt(&s, "<bob@x.test>", 0, reply) == -1);
	CHECK_STR(reply, "550 5.1.1 <bob@x.test>: no such mailbox");
	CHECK(!exists("ne3"));
	maildir_free(&s.ctx);

	/* -c makes the first template that expands */
	setup(&s, "ne4/%u/%e", "ne5/%u", 1);
	CHECK(rcpt(&s, "<bob@x.test>", 0, reply) == 0);
	CHECK(exists("ne5/bob/new") && !exists("ne4"));
	maildir_free(&s.ctx);
}

/* The delimiter is samotop-smtpd's (SAMOTOP_RECIPIENT_DELIMITER). */
static void
test_delimiter(void)
{
	char reply[LMTP_REPLY_MAX];
	struct setup s;

	setup(&s, "dl/%u", NULL, 0);
	make("dl/bob");
	make("dl/bob/.tag");
	s.ctx.delim = '-';
	CHECK(rcpt(&s, "<bob-tag@x.test>", 0, reply) == 0);
	CHECK(strstr(s.ctx.rcpt[0].dir, "/dl/bob/.tag") != NULL);
	CHECK(rcpt(&s, "<bob+tag@x.test>", 1, reply) == -1);
	s.ctx.delim = 0;
	CHECK(rcpt(&s, "<bob-tag@x.test>", 1, reply) == -1);
	maildir_free(&s.ctx);
}

static void
test_choice(void)
{
	char reply[LMTP_REPLY_MAX];
	struct setup s;

	make("ch2/bob");
	make("ch2/bob/.work");
	make("ch2/bob/.Work2");
	setup(&s, "ch1/%u", "ch2/%u", 1);
	/* the second template exists: no creation of the first */
	CHECK(rcpt(&s, "<Bob+work@x.test>", 0, reply) == 0);
	CHECK_STR(reply, "250 2.1.5 <Bob+work@x.test>: OK");
	CHECK(!exists("ch1"));
	CHECK(strcmp(s.ctx.rcpt[0].dir + strlen(root), "/ch2/bob/.work") == 0);
	CHECK_STR(s.ctx.rcpt[0].folder, ".work");
	/* extension as written: .Work2 exists, .work2 would not */
	CHECK(rcpt(&s, "<bob+Work2@x.test>", 1, reply) == 0);
	CHECK(strcmp(s.ctx.rcpt[1].dir + strlen(root), "/ch2/bob/.Work2") ==
	    0);
	/* a folder that does not exist, or an unsafe one: the inbox */
	CHECK(rcpt(&s, "<bob+play@x.test>", 2, reply) == 0);
	CHECK(strcmp(s.ctx.rcpt[2].dir + strlen(root), "/ch2/bob") == 0);
	CHECK_STR(s.ctx.rcpt[2].folder, "");
	CHECK(rcpt(&s, "<\"bob+..\"@x.test>", 3, reply) == 0);
	CHECK(strcmp(s.ctx.rcpt[3].dir + strlen(root), "/ch2/bob") == 0);
	CHECK(s.ctx.nrcpt == 4);
	/* -c: the first template, made when neither exists */
	CHECK(rcpt(&s, "<carol@x.test>", 4, reply) == 0);
	CHECK(exists("ch1/carol/cur") && exists("ch1/carol/new") &&
	    exists("ch1/carol/tmp") && !exists("ch2/carol"));
	maildir_free(&s.ctx);
}

static void
test_deliver(void)
{
	char reply[LMTP_REPLY_MAX], buf[256], name[256];
	struct setup s;
	size_t n;

	setup(&s, "dl/%d/%u", NULL, 1);
	mail(&s, "<a@b.example>");
	CHECK(rcpt(&s, "<ann@x.test>", 0, reply) == 0);
	CHECK(rcpt(&s, "<nobody/x@x.test>", 1, reply) == -1);
	CHECK(rcpt(&s, "<ben+tag@x.test>", 1, reply) == 0);
	maildir_begin(&s.ctx);
	CHECK(nfiles("dl/x.test/ann/tmp") == 1);
	/* a CRLF split across two chunks, and a lone CR kept */
	CHECK(maildir_write(&s.ctx, "Subject: t\r\n\r\nline 1\r", 21) == 0);
	CHECK(maildir_write(&s.ctx, "\nodd\rcr\r\n", 9) == 0);
	maildir_end(&s.ctx, 0, reply, sizeof(reply));
	CHECK_STR(reply, "250 2.0.0 <ann@x.test>: delivered");
	maildir_end(&s.ctx, 1, reply, sizeof(reply));
	CHECK_STR(reply, "250 2.0.0 <ben+tag@x.test>: delivered");
	maildir_reset(&s.ctx);
	n = read_new("dl/x.test/ann", buf, sizeof(buf), name, sizeof(name));
	CHECK_STR(buf, "Return-Path: <a@b.example>\n"
	    "Delivered-To: <ann@x.test>\n"
	    "Subject: t\n\nline 1\nodd\rcr\n");
	CHECK(n == 80);
	CHECK(strstr(name, ".mx\\057test\\0721,S=80") != NULL);
	CHECK(strstr(name, ".M") != NULL && strstr(name, "P") != NULL &&
	    strstr(name, "Q") != NULL);
	read_new("dl/x.test/ben", buf, sizeof(buf), name, sizeof(name));
	CHECK_STR(buf, "Return-Path: <a@b.example>\n"
	    "Delivered-To: <ben+tag@x.test>\n"
	    "Subject: t\n\nline 1\nodd\rcr\n");
	CHECK(nfiles("dl/x.test/ann/tmp") == 0);
	CHECK(nfiles("dl/x.test/ben/tmp") == 0);
	maildir_free(&s.ctx);
}

/* The null sender is recorded as such (RFC 5321 §4.4). */
static void
test_null_sender(void)
{
	char reply[LMTP_REPLY_MAX], buf[256], name[256];
	struct setup s;

	setup(&s, "ns/%u", NULL, 1);
	mail(&s, "<>");
	CHECK(rcpt(&s, "<ann@x.test>", 0, reply) == 0);
	maildir_begin(&s.ctx);
	CHECK(maildir_write(&s.ctx, "\r\nbody\r\n", 8) == 0);
	maildir_end(&s.ctx, 0, reply, sizeof(reply));
	CHECK_STR(reply, "250 2.0.0 <ann@x.test>: delivered");
	read_new("ns/ann", buf, sizeof(buf), name, sizeof(name));
	CHECK_STR(buf, "Return-Path: <>\nDelivered-To: <ann@x.test>\n\n"
	    "body\n");
	maildir_free(&s.ctx);
}

/*
 * One message, written in pieces of step octets, to ann and Bob; the
 * replies go to r0 and r1.
 */
static void
deliver_loop(struct setup *s, const char *msg, size_t step, char *r0,
    char *r1)
{
	size_t len = strlen(msg), n;

	mail(s, "<a@b.example>");
	CHECK(rcpt(s, "<ann@x.test>", 0, r0) == 0);
	CHECK(rcpt(s, "<Bob@x.test>", 1, r1) == 0);
	maildir_begin(&s->ctx);
	for (; len > 0; msg += n, len -= n) {
		n = len < step ? len : step;
		maildir_write(&s->ctx, msg, n);
	}
	maildir_end(&s->ctx, 0, r0, LMTP_REPLY_MAX);
	maildir_end(&s->ctx, 1, r1, LMTP_REPLY_MAX);
	maildir_reset(&s->ctx);
}

/* A Delivered-To: naming a recipient is a loop for that one alone. */
static void
test_loop(void)
{
	/* folded, the name's case changed, the address's case too */
	const char *looped = "Received: x\r\ndelivered-to :\r\n"
	    "\t<bob@X.TEST> \r\nSubject: s\r\n\r\nbody\r\n";
	/* after the header, or another address: no loop */
	const char *body = "Delivered-To: <ann+x@x.test>\r\n"
	    "Delivered-To: bo@x.test\r\n\r\nDelivered-To: <bob@x.test>\r\n";
	char r0[LMTP_REPLY_MAX], r1[LMTP_REPLY_MAX];
	struct setup s;
	size_t step;

	setup(&s, "lp/%u", NULL, 1);
	for (step = 1; step <= 20; step += 19) {
		deliver_loop(&s, looped, step, r0, r1);
		CHECK_STR(r0, "250 2.0.0 <ann@x.test>: delivered");
		CHECK_STR(r1, "554 5.4.6 <Bob@x.test>: Mail loop detected: "
		    "already delivered 1 time");
	}
	CHECK(nfiles("lp/ann/new") == 2 && nfiles("lp/ann/tmp") == 0);
	CHECK(nfiles("lp/bob/new") == 0 && nfiles("lp/bob/tmp") == 0);
	deliver_loop(&s, body, 7, r0, r1);
	CHECK_STR(r0, "250 2.0.0 <ann@x.test>: delivered");
	CHECK_STR(r1, "250 2.0.0 <Bob@x.test>: delivered");
	CHECK(nfiles("lp/bob/new") == 1);
	/* a message that is all header, without its empty line */
	deliver_loop(&s, "Delivered-To: ann@x.test\r\n", 5, r0, r1);
	CHECK_STR(r0, "554 5.4.6 <ann@x.test>: Mail loop detected: "
	    "already delivered 1 time");
	CHECK_STR(r1, "250 2.0.0 <Bob@x.test>: delivered");
	/* -l 2: one is allowed, the second is the loop; -l 0: no check */
	s.ctx.loop_max = 2;
	deliver_loop(&s, looped, 64, r0, r1);
	CHECK_STR(r1, "250 2.0.0 <Bob@x.test>: delivered");
	deliver_loop(&s, "Delivered-To: <bob@x.test>\r\n"
	    "Delivered-To: <bob@x.test>\r\n\r\n", 64, r0, r1);
	CHECK_STR(r1, "554 5.4.6 <Bob@x.test>: Mail loop detected: "
	    "already delivered 2 times");
	s.ctx.loop_max = 0;
	deliver_loop(&s, "Delivered-To: <bob@x.test>\r\n"
	    "Delivered-To: <bob@x.test>\r\n\r\n", 64, r0, r1);
	CHECK_STR(r1, "250 2.0.0 <Bob@x.test>: delivered");
	maildir_free(&s.ctx);
}

/*
 * Bounds: the first MAILDIR_FIELDS_MAX Delivered-To: fields are counted,
 * and one longer than MAILDIR_FIELD_MAX is ignored.
 */
static void
test_loop_bounds(void)
{
	static char msg[MAILDIR_FIELDS_MAX * 32 + MAILDIR_FIELD_MAX + 256];
	char r0[LMTP_REPLY_MAX], r1[LMTP_REPLY_MAX];
	struct setup s;
	size_t i, n = 0;

	setup(&s, "lb/%u", NULL, 1);
	for (i = 0; i + 1 < MAILDIR_FIELDS_MAX; i++)
		n += snprintf(msg + n, sizeof(msg) - n,
		    "Delivered-To: <x@x.test>\r\n");
	n += snprintf(msg + n, sizeof(msg) - n,
	    "Delivered-To: <ann@x.test>\r\n");
	memcpy(msg + n, "Delivered-To: <bob@x.test>\r\n\r\n", 31);
	deliver_loop(&s, msg, 4096, r0, r1);
	CHECK_STR(r0, "554 5.4.6 <ann@x.test>: Mail loop detected: "
	    "already delivered 1 time");
	CHECK_STR(r1, "250 2.0.0 <Bob@x.test>: delivered");
	n = snprintf(msg, sizeof(msg), "Delivered-To: <bob@x.test>");
	memset(msg + n, ' ', MAILDIR_FIELD_MAX);
	snprintf(msg + n + MAILDIR_FIELD_MAX, sizeof(msg) - n -
	    MAILDIR_FIELD_MAX, "\r\n\r\n");
	deliver_loop(&s, msg, 4096, r0, r1);
	CHECK_STR(r1, "250 2.0.0 <Bob@x.test>: delivered");
	maildir_free(&s.ctx);
}

static void
test_abort(void)
{
	char reply[LMTP_REPLY_MAX];
	struct setup s;

	setup(&s, "ab/%u", NULL, 1);
	CHECK(rcpt(&s, "<ann@x.test>", 0, reply) == 0);
	CHECK(rcpt(&s, "<ben@x.test>", 1, reply) == 0);
	maildir_begin(&s.ctx);
	CHECK(maildir_write(&s.ctx, "half\r\n", 6) == 0);
	CHECK(nfiles("ab/ann/tmp") == 1 && nfiles("ab/ben/tmp") == 1);
	CHECK(maildir_abort(&s.ctx) == 0);
	CHECK(nfiles("ab/ann/tmp") == 0 && nfiles("ab/ann/new") == 0);
	CHECK(nfiles("ab/ben/tmp") == 0 && nfiles("ab/ben/new") == 0);
	CHECK(s.ctx.nrcpt == 0);
	maildir_free(&s.ctx);
}

/* Whether log has a line for to whose path= starts with prefix. */
static int
logged_path(const char *log, const char *to, const char *prefix)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "to=%s path=", to);
	if ((p = strstr(log, key)) == NULL)
		return 0;
	p += strlen(key);
	p += *p == '"';
	return strncmp(p, prefix, strlen(prefix)) == 0;
}

/* One copy fails (its new/ vanished): 451, nothing left; others fine. */
static void
test_failed_copy(void)
{
	char reply[LMTP_REPLY_MAX], p[512], log[4096], want[600];
	struct setup s;
	FILE *f;
	size_t n;

	setup(&s, "fc/%u", NULL, 1);
	if ((f = tmpfile()) == NULL)
		abort();
	s.ctx.log.fd = fileno(f);
	CHECK(rcpt(&s, "<ann@x.test>", 0, reply) == 0);
	CHECK(rcpt(&s, "<ben@x.test>", 1, reply) == 0);
	snprintf(p, sizeof(p), "%s/fc/ann/new", root);
	CHECK(rmdir(p) == 0);
	maildir_begin(&s.ctx);
	CHECK(maildir_write(&s.ctx, "x\r\n", 3) == 0);
	maildir_end(&s.ctx, 0, reply, sizeof(reply));
	CHECK_STR(reply, "451 4.3.0 <ann@x.test>: No such file or directory");
	maildir_end(&s.ctx, 1, reply, sizeof(reply));
	CHECK_STR(reply, "250 2.0.0 <ben@x.test>: delivered");
	CHECK(nfiles("fc/ann/tmp") == 0);
	CHECK(nfiles("fc/ben/tmp") == 0 && nfiles("fc/ben/new") == 1);
	/* no tmp/ at all: the copy fails at the start, alone */
	maildir_reset(&s.ctx);
	CHECK(rcpt(&s, "<ben@x.test>", 0, reply) == 0);
	snprintf(p, sizeof(p), "%s/fc/ben/tmp", root);
	CHECK(rmdir(p) == 0);
	maildir_begin(&s.ctx);
	CHECK(maildir_write(&s.ctx, "x\r\n", 3) == -1);
	maildir_end(&s.ctx, 0, reply, sizeof(reply));
	CHECK_STR(reply, "451 4.3.0 <ben@x.test>: No such file or directory");
	CHECK(nfiles("fc/ben/new") == 1);
	maildir_free(&s.ctx);
	/* each failure names what it concerns: new/, then tmp/ */
	rewind(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	fclose(f);
	snprintf(want, sizeof(want), "%s/fc/ann/new/", root);
	CHECK(logged_path(log, "ann@x.test", want));
	snprintf(want, sizeof(want), "%s/fc/ben/tmp/", root);
	CHECK(logged_path(log, "ben@x.test", want));
}

static void
test_notrace_parse(void)
{
	unsigned long g = 7;

	CHECK(log_notrace_parse(NULL, &g) == 0 && g == 0);
	g = 7;
	CHECK(log_notrace_parse("", &g) == 0 && g == 0);
	g = 7;
	CHECK(log_notrace_parse("0", &g) == 0 && g == 0);
	CHECK(log_notrace_parse("1", &g) == 0 && g == 1);
	CHECK(log_notrace_parse("86400", &g) == 0 && g == 86400);
	CHECK(log_notrace_parse("2147483647", &g) == 0 &&
	    g == 2147483647UL);
	g = 7;
	CHECK(log_notrace_parse("2147483648", &g) == -1);
	CHECK(log_notrace_parse("99999999999999999999999", &g) == -1);
	CHECK(log_notrace_parse("-1", &g) == -1);
	CHECK(log_notrace_parse("+1", &g) == -1);
	CHECK(log_notrace_parse(" 1", &g) == -1);
	CHECK(log_notrace_parse("1d", &g) == -1);
	CHECK(log_notrace_parse("yes", &g) == -1);
	CHECK(g == 7);
}

/* Rounding down to a multiple of the granularity, in UTC epoch seconds. */
static void
test_notrace_floor(void)
{
	/* 2026-12-02 23:48:40 UTC: that day's midnight */
	CHECK(maildir_notrace_floor(1796255320, 86400) == 1796169600);
	CHECK(maildir_notrace_floor(1796169600, 86400) == 1796169600);
	CHECK(maildir_notrace_floor(1796169599, 86400) == 1796083200);
	CHECK(maildir_notrace_floor(1796255320, 3600) == 1796252400);
	CHECK(maildir_notrace_floor(1796255320, 1) == 1796255320);
	CHECK(maildir_notrace_floor(1796255320, 0) == 1796255320);
	CHECK(maildir_notrace_floor(86399, 86400) == 0);
	CHECK(maildir_notrace_floor(0, 86400) == 0);
	/* never rounded up, also before 1970 */
	CHECK(maildir_notrace_floor(-1, 86400) == -86400);
	CHECK(maildir_notrace_floor(-86400, 86400) == -86400);
	CHECK(maildir_notrace_floor(5, 2147483647UL) == 0);
}

/* Whether name is hex digits and nothing else. */
static int
all_hex(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr("0123456789abcdef", name[i]) == NULL ||
		    name[i] == '\0')
			return 0;
	return 1;
}

static void
test_notrace_name(void)
{
	char a[MAILDIR_NOTRACE_NAME_LEN + 1], b[sizeof(a)];

	CHECK(maildir_notrace_name(a, sizeof(a)) == 0);
	CHECK(maildir_notrace_name(b, sizeof(b)) == 0);
	CHECK(strlen(a) == 32 && all_hex(a, 32));
	CHECK(strlen(b) == 32 && all_hex(b, 32));
	CHECK(strcmp(a, b) != 0);
	CHECK(maildir_notrace_name(a, 32) == -1 && errno == ENAMETOOLONG);
}

/*
 * Leave-no-trace: the stored name has room for nothing but 128 random
 * bits and the size (no time, pid or host), and the file's atime and
 * mtime, and tmp/'s mtime, are the arrival rounded down to the day.
 * Looked at before the file is read: reading may move its atime.
 */
static void
test_deliver_notrace(void)
{
	char reply[LMTP_REPLY_MAX], buf[256], name[256], p[1024];
	char pid[32];
	struct setup s;
	struct stat st;
	struct dirent *e;
	time_t before, after;
	DIR *d;

	setup(&s, "nt/%u", NULL, 1);
	s.ctx.notrace = 86400;
	mail(&s, "<a@b.example>");
	CHECK(rcpt(&s, "<ann@x.test>", 0, reply) == 0);
	before = time(NULL);
	maildir_begin(&s.ctx);
	CHECK(maildir_write(&s.ctx, "Subject: t\r\n\r\nbody\r\n", 20) ==
	    0);
	maildir_end(&s.ctx, 0, reply, sizeof(reply));
	after = time(NULL);
	CHECK_STR(reply, "250 2.0.0 <ann@x.test>: delivered");
	maildir_reset(&s.ctx);

	snprintf(p, sizeof(p), "%s/nt/ann/new", root);
	name[0] = '\0';
	if ((d = opendir(p)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				snprintf(name, sizeof(name), "%s", e->d_name);
		closedir(d);
	}
	CHECK(strlen(name) == 32 + strlen(",S=71") && all_hex(name, 32));
	CHECK_STR(name + 32, ",S=71");
	CHECK(strstr(name, "mx") == NULL);
	snprintf(pid, sizeof(pid), "P%ld", (long)getpid());
	CHECK(strstr(name, pid) == NULL);
	snprintf(p, sizeof(p), "%s/nt/ann/new/%s", root, name);
	CHECK(stat(p, &st) == 0);
	CHECK(st.st_mtime % 86400 == 0 && st.st_atime % 86400 == 0);
	CHECK(st.st_mtime == st.st_atime);
	CHECK(st.st_mtime == maildir_notrace_floor(before, 86400) ||
	    st.st_mtime == maildir_notrace_floor(after, 86400));
	snprintf(p, sizeof(p), "%s/nt/ann/tmp", root);
	CHECK(stat(p, &st) == 0 && st.st_mtime % 86400 == 0 &&
	    st.st_mtime <= after);
	CHECK(nfiles("nt/ann/tmp") == 0);
	/* the content is what it would have been */
	read_new("nt/ann", buf, sizeof(buf), name, sizeof(name));
	CHECK_STR(buf, "Return-Path: <a@b.example>\n"
	    "Delivered-To: <ann@x.test>\nSubject: t\n\nbody\n");
	maildir_free(&s.ctx);
}

/*
 * The name new/ would get is taken already (made here from the copy's
 * name in tmp/ and its size): leave-no-trace draws another name and
 * delivers; without it, the link fails as it always has, and the file
 * that was there first is never replaced.
 */
static void
collide(struct setup *s, const char *rel, unsigned long notrace,
    char *reply)
{
	const struct maildir_rcpt *r = &s->ctx.rcpt[0];
	char p[1024];
	int fd;

	s->ctx.notrace = notrace;
	mail(s, "<a@b.example>");
	CHECK(rcpt(s, "<ann@x.test>", 0, reply) == 0);
	maildir_begin(&s->ctx);
	CHECK(maildir_write(&s->ctx, "\r\nnew\r\n", 7) == 0);
	snprintf(p, sizeof(p), "%s/%s/new/%s,S=%zu", root, rel, r->name,
	    r->size);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, "first\n", 6) != 6 || close(fd) == -1)
		abort();
	maildir_end(&s->ctx, 0, reply, LMTP_REPLY_MAX);
	maildir_reset(&s->ctx);
	if ((fd = open(p, O_RDONLY)) == -1 || read(fd, p, 6) != 6 ||
	    close(fd) == -1)
		abort();
	CHECK(memcmp(p, "first\n", 6) == 0);
}

static void
test_notrace_collision(void)
{
	char reply[LMTP_REPLY_MAX];
	struct setup s;

	setup(&s, "co/%u", NULL, 1);
	collide(&s, "co/ann", 86400, reply);
	CHECK_STR(reply, "250 2.0.0 <ann@x.test>: delivered");
	CHECK(nfiles("co/ann/new") == 2 && nfiles("co/ann/tmp") == 0);
	collide(&s, "co/ann", 0, reply);
	CHECK_STR(reply, "451 4.3.0 <ann@x.test>: File exists");
	CHECK(nfiles("co/ann/new") == 3 && nfiles("co/ann/tmp") == 0);
	maildir_free(&s.ctx);
}

int
main(void)
{
	int failed;

	snprintf(root, sizeof(root), "/tmp/test_maildir.XXXXXX");
	if (mkdtemp(root) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	TEST(test_template_check);
	TEST(test_expand_escapes);
	TEST(test_unsafe);
	TEST(test_host);
	TEST(test_no_mailbox);
	TEST(test_unsafe_creates_nothing);
	TEST(test_noext_skipped);
	TEST(test_delimiter);
	TEST(test_choice);
	TEST(test_deliver);
	TEST(test_null_sender);
	TEST(test_loop);
	TEST(test_loop_bounds);
	TEST(test_abort);
	TEST(test_failed_copy);
	TEST(test_notrace_parse);
	TEST(test_notrace_floor);
	TEST(test_notrace_name);
	TEST(test_deliver_notrace);
	TEST(test_notrace_collision);
	failed = UNIT_DONE();
	unit_rmtree(root);
	return failed;
}
