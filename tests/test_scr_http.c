/*
 * test_scr_http.c: the screener's web page without a network: the
 * request parser, form, cookie and Basic values, HTML escaping, session
 * cookies, CSRF tokens, and whole requests answered by scr_http_handle()
 * over a source in memory, with a checkpassword script in a temporary
 * directory.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scr_http.h"
#include "unit.h"

static char		dir[] = "/tmp/test_scr_http.XXXXXX";
static char		dbpath[256], cpw[256];
static struct conf	c;
static struct logger	lg;

static int
parse(const char *s, struct scr_http_req *r)
{
	return scr_http_parse(s, strlen(s), r);
}

static void
test_parse_get(void)
{
	struct scr_http_req r;
	const char *s = "GET /?done=allow HTTP/1.1\r\nHost: mx.test\r\n"
	    "Cookie: a=1\r\nCookie: b=2\r\nAuthorization: Basic eA==\r\n"
	    "Connection: keep-alive\r\n\r\nGET / HTTP/1.1\r\n";
	size_t i, n = strlen(s) - strlen("GET / HTTP/1.1\r\n");

	CHECK(parse(s, &r) == (int)n);
	CHECK(r.method == SCR_GET && r.minor == 1 && r.keep_alive);
	CHECK_STR(r.path, "/");
	CHECK_STR(r.query, "done=allow");
	CHECK_STR(r.host, "mx.test");
	CHECK_STR(r.cookie, "a=1; b=2");
	CHECK_STR(r.authorization, "Basic eA==");
	/* Every prefix of the head: read more, never an error. */
	for (i = 0; i < n; i++)
		CHECK(scr_http_parse(s, i, &r) == 0);
	CHECK(parse("GET / HTTP/1.0\r\n\r\n", &r) > 0 && !r.keep_alive);
	CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r) > 0 && !r.keep_alive);
	CHECK(parse("\r\nPOST /decide HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 7\r\n\r\nabc=def", &r) > 0);
	CHECK(r.method == SCR_POST && r.content_length == 7);
}

static int
refused(const char *s)
{
	struct scr_http_req r;

	return parse(s, &r) == -1 ? r.status : 0;
}

static void
test_parse_refused(void)
{
	char big[SCR_HTTP_HEAD_MAX + 200];
	size_t i;

	CHECK(refused("GET / HTTP/1.1\nHost: x\n\n") == 400);
	CHECK(refused("GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n") == 400);
	CHECK(refused("GET / HTTP/1.1\r\nHost: x\r\n y\r\n\r\n") == 400);
	CHECK(refused("GET / HTTP/1.1\r\nHost x\r\n\r\n") == 400);
	CHECK(refused("GET / HTTP/1.1\r\nHo st: x\r\n\r\n") == 400);
	CHECK(refused("GET / HTTP/1.1\r\nHost: x\r\nA: \x01\r\n\r\n") == 400);
	CHECK(refused("GET / HTTP/1.1\r\n\r\n") == 400);
	CHECK(refused("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n") == 400);
	CHECK(refused("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	CHECK(refused("GET / HTTP/2.0\r\nHost: x\r\n\r\n") == 505);
	CHECK(refused("GET / HTTX/1.1\r\nHost: x\r\n\r\n") == 400);
	CHECK(refused("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n") == 405);
	CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\n\r\n") == 411);
	CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n") == 400);
	CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n"
	    "\r\n") == 400);
	CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n") == 413);
	CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n") == 501);
	CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n") == 400);
	/* the limits, before the head is even complete */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	big[sizeof(big) - 1] = '\0';
	CHECK(refused(big) == 414);
	snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: x\r\nX: ");
	for (i = strlen(big); i < sizeof(big) - 1; i++)
		big[i] = 'b';
	CHECK(refused(big) == 431);
	snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: x\r\n");
	for (i = 0; i < SCR_HTTP_HEADERS_MAX; i++)
		strcat(big, "A: b\r\n");
	strcat(big, "\r\n");
	CHECK(refused(big) == 431);
}

static void
test_values(void)
{
	char v[64], u[64], p[64];
	const char *f = "csrf=ab&sender=a%40b.example&x=%00&y=%4&z=a+b";

	CHECK(scr_form_get(f, strlen(f), "sender", v, sizeof(v)) == 1);
	CHECK_STR(v, "a@b.example");
	CHECK(scr_form_get(f, strlen(f), "z", v, sizeof(v)) == 1);
	CHECK_STR(v, "a b");
	CHECK(scr_form_get(f, strlen(f), "x", v, sizeof(v)) == -1);
	CHECK(scr_form_get(f, strlen(f), "y", v, sizeof(v)) == -1);
	CHECK(scr_form_get(f, strlen(f), "none", v, sizeof(v)) == 0);
	CHECK(scr_form_get(f, strlen(f), "sender", v, 4) == -1);
	CHECK(scr_cookie_get("a=1; samotop_screener=xyz ;c=3",
	    "samotop_screener", v, sizeof(v)) == 1);
	CHECK_STR(v, "xyz");
	CHECK(scr_cookie_get("xsamotop_screener=1", "samotop_screener", v,
	    sizeof(v)) == 0);
	/* "bob:pa:ss" */
	CHECK(scr_basic_get("Basic Ym9iOnBhOnNz", u, sizeof(u), p,
	    sizeof(p)) == 1);
	CHECK_STR(u, "bob");
	CHECK_STR(p, "pa:ss");
	CHECK(scr_basic_get("Bearer x", u, sizeof(u), p, sizeof(p)) == 0);
	CHECK(scr_basic_get("Basic !!!", u, sizeof(u), p, sizeof(p)) == -1);
	/* "bob" without a colon, "a\nb:c" with a control */
	CHECK(scr_basic_get("Basic Ym9i", u, sizeof(u), p, sizeof(p)) == -1);
	CHECK(scr_basic_get("Basic YQpiOmM=", u, sizeof(u), p,
	    sizeof(p)) == -1);
}

static void
test_escape(void)
{
	struct scr_buf b = { 0 };

	scr_buf_html(&b, "<script>alert(\"x\" & 'y')</script>\x1b\n");
	CHECK_STR(b.p, "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"
	    "&lt;/script&gt;\xef\xbf\xbd\n");
	scr_buf_free(&b);
}

static void
test_user(void)
{
	char u[SCR_USER_MAX];

	CHECK(scr_auth_user("Bob", "Example.ORG", u, sizeof(u)) == 0);
	CHECK_STR(u, "bob@example.org");
	CHECK(scr_auth_user("Alice@Example.net", NULL, u, sizeof(u)) == 0);
	CHECK_STR(u, "alice@example.net");
	CHECK(scr_auth_user("bob", NULL, u, sizeof(u)) == -1);
	CHECK(scr_auth_user("a b@x", NULL, u, sizeof(u)) == -1);
	CHECK(scr_auth_user("a@b@c", NULL, u, sizeof(u)) == -1);
	CHECK(scr_auth_user("", "x", u, sizeof(u)) == -1);
}

static void
test_cookie_csrf(void)
{
	struct scr_auth a = { 0 };
	char why[300], v[SCR_COOKIE_MAX + 1], u[SCR_USER_MAX], t[40], t2[40];
	struct stat st;

	CHECK(scr_auth_open(&a, "/nonexistent-dir/key", why,
	    sizeof(why)) == -1);
	snprintf(v, sizeof(v), "%s.web-key", dbpath);
	CHECK(scr_auth_open(&a, v, why, sizeof(why)) == 0);
	/* the key, created on first use, for this user only */
	CHECK(stat(v, &st) == 0 && (st.st_mode & 077) == 0 &&
	    st.st_size == SCR_AUTH_KEY_LEN);
	CHECK(scr_cookie_make(&a, "bob@example.org", 1000, v, sizeof(v)) == 0);
	CHECK(scr_cookie_check(&a, v, 1000, u, sizeof(u)) == 1);
	CHECK_STR(u, "bob@example.org");
	CHECK(scr_cookie_check(&a, v, 1000 + SCR_SESSION_TTL, u,
	    sizeof(u)) == 0);
	v[0] = v[0] == '9' ? '8' : '9';		/* another expiry */
	CHECK(scr_cookie_check(&a, v, 1000, u, sizeof(u)) == 0);
	CHECK(scr_cookie_check(&a, "1.2.3", 0, u, sizeof(u)) == 0);
	CHECK(scr_csrf_make(&a, "bob@example.org", 86400 * 10, t) == 0);
	CHECK(strlen(t) == SCR_CSRF_HEX);
	CHECK(scr_csrf_check(&a, "bob@example.org", 86400 * 10, t));
	CHECK(!scr_csrf_check(&a, "alice@example.org", 86400 * 10, t));
	CHECK(scr_csrf_make(&a, "alice@example.org", 86400 * 10, t2) == 0);
	CHECK(strcmp(t, t2) != 0);
	CHECK(!scr_csrf_check(&a, "bob@example.org", 86400 * 10, ""));
	/* the next day still, not the day after */
	CHECK(scr_csrf_check(&a, "bob@example.org", 86400 * 11 + 5, t));
	CHECK(!scr_csrf_check(&a, "bob@example.org", 86400 * 12, t));
	CHECK(!scr_csrf_check(&a, "bob@example.org", 86400 * 9, t));
	scr_auth_close(&a);
}

/* The source: two users' senders, and the decisions made. */
static char	decided[512];
static int	ndecided;

static int
senders(void *arg, const char *user,
    int (*each)(void *, const struct scr_sender *), void *eacharg,
    char *why, size_t size)
{
	struct scr_sender s;

	(void)arg;
	(void)why;
	(void)size;
	memset(&s, 0, sizeof(s));
	if (strcmp(user, "bob@example.org") == 0) {
		strcpy(s.addr, "carol@example.net");
		strcpy(s.display, "<b>Carol</b>");
		strcpy(s.subject, "Lunch & \"stuff\"");
		strcpy(s.snippet, "Hi Bob,\n<img src=x onerror=alert(1)>");
		strcpy(s.evidence, "spf=pass dkim=pass dmarc=pass tls=yes");
		s.count = 2;
		s.first = 1700000000;
		s.last = 1700003600;
	} else if (strcmp(user, "alice@example.org") == 0) {
		strcpy(s.addr, "mallory@example.com");
		s.count = 1;
	} else
		return 0;
	each(eacharg, &s);
	return 0;
}

static int
decide(void *arg, const char *user, const char *sender, int decision,
    char *why, size_t size)
{
	(void)arg;
	(void)why;
	(void)size;
	ndecided++;
	snprintf(decided, sizeof(decided), "%s %s %d", user, sender,
	    decision);
	return 0;
}

static int
decisions(void *arg, const char *user,
    int (*each)(void *, const char *, int, time_t), void *eacharg,
    char *why, size_t size)
{
	(void)arg;
	(void)why;
	(void)size;
	if (strcmp(user, "bob@example.org") == 0)
		each(eacharg, "@friends.example", STORE_ALLOW, 1700000000);
	return 0;
}

static const struct scr_source src = { senders, decide, decisions, NULL };

static int	status;
static char	response[65536];

/* One request through scr_http_handle(), its response in response. */
static void
ask(struct scr_http *h, const char *req)
{
	struct scr_http_req r;
	struct scr_buf out = { 0 };
	int head = scr_http_parse(req, strlen(req), &r);

	CHECK(head > 0);
	if (head <= 0) {
		status = 0;
		response[0] = '\0';
		return;
	}
	status = scr_http_handle(h, &r, req + head, r.content_length, &out);
	snprintf(response, sizeof(response), "%s", out.p != NULL ? out.p : "");
	scr_buf_free(&out);
}

static void
post(struct scr_http *h, const char *path, const char *auth,
    const char *body)
{
	char req[4096];

	snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: x\r\n%s"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %zu\r\n\r\n%s", path, auth, strlen(body), body);
	ask(h, req);
}

#define BOB	"Authorization: Basic Ym9iOnNlY3JldC1i\r\n"	/* secret-b */
#define BOBX	"Authorization: Basic Ym9iOndyb25n\r\n"		/* wrong */

static void
test_handle_auth(void)
{
	struct scr_http h;

	scr_http_init(&h, &c, &src, &lg);
	h.fail_delay = 0;
	ask(&h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(status == 401);
	CHECK(strstr(response, "WWW-Authenticate: Basic realm=") != NULL);
	CHECK(strstr(response, "name=\"password\"") != NULL);
	CHECK(strstr(response, "carol") == NULL);
	ask(&h, "GET / HTTP/1.1\r\nHost: x\r\n" BOBX "\r\n");
	CHECK(status == 401);
	CHECK(strstr(response, "carol") == NULL);
	ask(&h, "GET / HTTP/1.1\r\nHost: x\r\n" BOB "\r\n");
	CHECK(status == 200);
	CHECK(strstr(response, "carol@example.net") != NULL);
	CHECK(strstr(response, "mallory") == NULL);
	CHECK(strstr(response, "@friends.example") != NULL);
	/* everything the message said, escaped */
	CHECK(strstr(response, "&lt;b&gt;Carol&lt;/b&gt;") != NULL);
	CHECK(strstr(response, "<img") == NULL);
	CHECK(strstr(response, "Lunch &amp; &quot;stuff&quot;") != NULL);
	CHECK(strstr(response, "spf=pass dkim=pass") != NULL);
	CHECK(strstr(response, "Content-Security-Policy:") != NULL);
	CHECK(strstr(response, "<script") == NULL);
	ask(&h, "HEAD / HTTP/1.1\r\nHost: x\r\n" BOB "\r\n");
	CHECK(status == 200 && strstr(response, "<html") == NULL);
	ask(&h, "GET /nothing HTTP/1.1\r\nHost: x\r\n" BOB "\r\n");
	CHECK(status == 404);
	ask(&h, "GET /decide HTTP/1.1\r\nHost: x\r\n" BOB "\r\n");
	CHECK(status == 405 && strstr(response, "Allow: POST") != NULL);
	scr_http_done(&h);
}

static void
test_handle_csrf(void)
{
	struct scr_http h;
	char body[256], bob[SCR_CSRF_HEX + 1], alice[SCR_CSRF_HEX + 1];

	scr_http_init(&h, &c, &src, &lg);
	h.fail_delay = 0;
	ndecided = 0;
	post(&h, "/decide", BOB, "sender=carol%40example.net&action=allow");
	CHECK(status == 403 && ndecided == 0);
	CHECK(scr_csrf_make(&h.auth, "bob@example.org", time(NULL), bob) == 0);
	CHECK(scr_csrf_make(&h.auth, "alice@example.org", time(NULL), alice) == 0);
	/* alice's token is no good for bob */
	snprintf(body, sizeof(body), "csrf=%s&sender=carol%%40example.net"
	    "&action=allow", alice);
	post(&h, "/decide", BOB, body);
	CHECK(status == 403 && ndecided == 0);
	/* without credentials, the token alone does nothing */
	snprintf(body, sizeof(body), "csrf=%s&sender=carol%%40example.net"
	    "&action=allow", bob);
	post(&h, "/decide", "", body);
	CHECK(status == 401 && ndecided == 0);
	post(&h, "/decide", BOB, body);
	CHECK(status == 303 && ndecided == 1);
	CHECK_STR(decided, "bob@example.org carol@example.net 1");
	CHECK(strstr(response, "Location: /?done=allow&who=carol%40example."
	    "net\r\n") != NULL);
	snprintf(body, sizeof(body), "csrf=%s&sender=Carol%%40Example.NET"
	    "&action=allow-domain", bob);
	post(&h, "/decide", BOB, body);
	CHECK(status == 303);
	CHECK_STR(decided, "bob@example.org @example.net 1");
	snprintf(body, sizeof(body), "csrf=%s&sender=carol%%40example.net"
	    "&action=deny", bob);
	post(&h, "/decide", BOB, body);
	CHECK_STR(decided, "bob@example.org carol@example.net 2");
	snprintf(body, sizeof(body), "csrf=%s&sender=%%40friends.example",
	    bob);
	post(&h, "/forget", BOB, body);
	CHECK(status == 303);
	CHECK_STR(decided, "bob@example.org @friends.example 0");
	ndecided = 0;
	snprintf(body, sizeof(body), "csrf=%s&sender=carol%%40example.net"
	    "&action=later", bob);
	post(&h, "/decide", BOB, body);
	CHECK(status == 303 && ndecided == 0);
	snprintf(body, sizeof(body), "csrf=%s&sender=a%%20b%%40x&action=deny",
	    bob);
	post(&h, "/decide", BOB, body);
	CHECK(status == 400 && ndecided == 0);
	snprintf(body, sizeof(body), "csrf=%s&sender=%%40x&action=deny", bob);
	post(&h, "/decide", BOB, body);
	CHECK(status == 400 && ndecided == 0);
	/* the note after a decision, escaped */
	ask(&h, "GET /?done=deny&who=%3Cb%3E HTTP/1.1\r\nHost: x\r\n" BOB
	    "\r\n");
	CHECK(strstr(response, "Denied &lt;b&gt;") != NULL);
	scr_http_done(&h);
}

static void
test_handle_login(void)
{
	struct scr_http h;
	char req[1024], cookie[SCR_COOKIE_MAX + 1];
	const char *p, *e;

	scr_http_init(&h, &c, &src, &lg);
	h.fail_delay = 0;
	post(&h, "/login", "", "user=bob&password=wrong");
	CHECK(status == 403 && strstr(response, "Set-Cookie") == NULL);
	post(&h, "/login", "", "user=bob&password=secret-b");
	CHECK(status == 303);
	CHECK(strstr(response, "Location: /\r\n") != NULL);
	CHECK(strstr(response, "; HttpOnly; SameSite=Strict\r\n") != NULL);
	p = strstr(response, "Set-Cookie: " SCR_COOKIE_NAME "=");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	p += strlen("Set-Cookie: " SCR_COOKIE_NAME "=");
	e = strchr(p, ';');
	snprintf(cookie, sizeof(cookie), "%.*s", (int)(e - p), p);
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: x\r\nCookie: "
	    SCR_COOKIE_NAME "=%s\r\n\r\n", cookie);
	ask(&h, req);
	CHECK(status == 200 && strstr(response, "carol@example.net") != NULL);
	/* one octet of the MAC changed */
	cookie[strlen(cookie) - 1] ^= 1;
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: x\r\nCookie: "
	    SCR_COOKIE_NAME "=%s\r\n\r\n", cookie);
	ask(&h, req);
	CHECK(status == 401);
	/* behind a TLS proxy, the cookie is Secure */
	post(&h, "/login", "X-Forwarded-Proto: https\r\n",
	    "user=alice%40example.org&password=secret-a");
	CHECK(status == 303 && strstr(response, "; Secure\r\n") != NULL);
	CHECK(strstr(response, "Strict-Transport-Security") != NULL);
	scr_http_done(&h);
}

static void
test_handle_checkpassword_broken(void)
{
	struct scr_http h;
	const char *saved = c.screener_checkpassword[0];

	c.screener_checkpassword[0] = "/nonexistent/checkpassword";
	scr_http_init(&h, &c, &src, &lg);
	h.fail_delay = 0;
	ask(&h, "GET / HTTP/1.1\r\nHost: x\r\n" BOB "\r\n");
	CHECK(status == 503);
	c.screener_checkpassword[0] = saved;
	/* 111: it cannot tell now ("temp:x") */
	ask(&h, "GET / HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Basic dGVtcDp4\r\n\r\n");
	CHECK(status == 503 && strstr(response, "carol") == NULL);
	scr_http_done(&h);
}

int
main(void)
{
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/screener.db", dir);
	snprintf(cpw, sizeof(cpw), "%s/checkpassword", dir);
	/* The mock checkpassword: bob, bob@example.org and alice. */
	if ((f = fopen(cpw, "w")) == NULL)
		return 1;
	fputs("#!/bin/bash\n"
	    "IFS= read -r -d '' user <&3; IFS= read -r -d '' pass <&3\n"
	    "case \"$user:$pass\" in\n"
	    "bob:secret-b|bob@example.org:secret-b) exit 0 ;;\n"
	    "alice@example.org:secret-a) exit 0 ;;\n"
	    "temp:*) exit 111 ;;\n"
	    "esac\nexit 1\n", f);
	fclose(f);
	chmod(cpw, 0755);
	conf_defaults(&c);
	c.screener_db = dbpath;
	c.screener_checkpassword[0] = cpw;
	c.screener_checkpassword[1] = NULL;
	c.screener_login_domain = "example.org";
	log_init(&lg, 1, LVL_ERROR, "prog=test");
	TEST(test_parse_get);
	TEST(test_parse_refused);
	TEST(test_values);
	TEST(test_escape);
	TEST(test_user);
	TEST(test_cookie_csrf);
	TEST(test_handle_auth);
	TEST(test_handle_csrf);
	TEST(test_handle_login);
	TEST(test_handle_checkpassword_broken);
	unit_rmtree(dir);
	return UNIT_DONE();
}
