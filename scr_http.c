/*
 * scr_http.c: the web page's requests and answers (scr_http.h); the
 * connection is scr_httpconn.c's.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scr_http.h"
#include "store.h"

/* The key's file when the store is a server's, not a file. */
#define SCR_WEB_KEY_SHARED	"/var/lib/samotop/screener.web-key"

void
scr_http_init(struct scr_http *h, const struct conf *c,
    const struct scr_source *src, const struct logger *lg)
{
	memset(h, 0, sizeof(*h));
	h->c = c;
	h->src = src;
	h->lg = lg;
	h->fail_delay = SCR_HTTP_FAIL_DELAY;
	h->now = time;
	if (c->screener_db != NULL && store_is_uri(c->screener_db))
		snprintf(h->keypath, sizeof(h->keypath), "%s",
		    SCR_WEB_KEY_SHARED);
	else if (c->screener_db != NULL)
		snprintf(h->keypath, sizeof(h->keypath), "%s.web-key",
		    c->screener_db);
}

void
scr_http_done(struct scr_http *h)
{
	scr_auth_close(&h->auth);
	explicit_bzero(h->basic, sizeof(h->basic));
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Whether the browser reached us over TLS: ours, or a proxy's. */
static int
secure(const struct scr_http *h, const struct scr_http_req *r)
{
	return h->tls || (r != NULL &&
	    strcasecmp(r->forwarded_proto, "https") == 0);
}

/*
 * The status line and fields, then page (NULL: none) unless the request
 * was HEAD.  extra: more fields, each ending in CR LF.
 */
static int
respond(struct scr_http *h, const struct scr_http_req *r, struct scr_buf *out,
    int status, const char *extra, struct scr_buf *page)
{
	if (page != NULL && page->failed) {
		h->why = "page too large or out of memory";
		scr_buf_free(page);
		page = NULL;
		status = 500;
		extra = NULL;
		h->close = 1;
	}
	scr_buf_printf(out, "HTTP/1.1 %d %s\r\n", status, reason(status));
	scr_buf_str(out, "Content-Type: text/html; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "style-src 'unsafe-inline'; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'\r\n");
	if (secure(h, r))
		scr_buf_str(out, "Strict-Transport-Security: max-age=31536000"
		    "\r\n");
	if (extra != NULL)
		scr_buf_str(out, extra);
	if (h->close)
		scr_buf_str(out, "Connection: close\r\n");
	scr_buf_printf(out, "Content-Length: %zu\r\n\r\n",
	    page != NULL ? page->len : 0);
	if (page != NULL && (r == NULL || r->method != SCR_HEAD))
		scr_buf_add(out, page->p, page->len);
	scr_buf_free(page);
	return status;
}

static int
error_page(struct scr_http *h, const struct scr_http_req *r,
    struct scr_buf *out, int status, const char *extra, const char *text)
{
	struct scr_buf page = { 0 };

	scr_page_error(&page, status, reason(status), text);
	return respond(h, r, out, status, extra, &page);
}

#define BASIC_CHALLENGE	"WWW-Authenticate: Basic realm=\"samotop " \
	"screener\", charset=\"UTF-8\"\r\n"

/* 401: sign in, with Basic, or with the form the page holds. */
static int
unauthorized(struct scr_http *h, const struct scr_http_req *r,
    struct scr_buf *out, const char *message)
{
	struct scr_buf page = { 0 };

	scr_page_login(&page, message);
	return respond(h, r, out, 401, BASIC_CHALLENGE, &page);
}

static int
key_open(struct scr_http *h)
{
	if (h->keypath[0] == '\0') {
		h->why = "no screener store in the configuration";
		return -1;
	}
	if (scr_auth_open(&h->auth, h->keypath, h->whybuf,
	    sizeof(h->whybuf)) == -1) {
		h->why = h->whybuf;
		return -1;
	}
	return 0;
}

/*
 * Check login and password: 1 right (user set), 0 wrong, -1 the check
 * failed (h->why).  A wrong password costs a pause, so that one
 * connection cannot try many quickly.
 */
static int
sign_in(struct scr_http *h, const char *login, const char *password,
    char *user, size_t size)
{
	int rc;

	user[0] = '\0';
	if (scr_auth_user(login, h->c->screener_login_domain, user,
	    size) == -1)
		rc = 0;
	else if ((rc = scr_auth_check(h->c->screener_checkpassword, login,
	    password, SCR_CHECKPW_TIMEOUT, h->whybuf,
	    sizeof(h->whybuf))) == -1)
		h->why = h->whybuf;
	if (rc == 0) {
		h->why = "wrong login or password";
		snprintf(h->user, sizeof(h->user), "%s", user);
		if (h->fail_delay > 0)
			poll(NULL, 0, (int)h->fail_delay);
	}
	return rc;
}

/*
 * Who asks: 1 with user (a valid cookie, or Basic credentials), 0
 * nobody, -1 wrong Basic credentials, -2 the check failed (h->why).
 */
static int
who(struct scr_http *h, const struct scr_http_req *r, char *user,
    size_t size)
{
	char value[SCR_COOKIE_MAX + 1], login[256], pass[256];
	int rc;

	if (scr_cookie_get(r->cookie, SCR_COOKIE_NAME, value,
	    sizeof(value)) == 1) {
		if (key_open(h) == -1)
			return -2;
		if (scr_cookie_check(&h->auth, value, h->now(NULL), user,
		    size))
			return 1;
	}
	if (r->authorization[0] == '\0')
		return 0;
	if (h->basic[0] != '\0' && strcmp(h->basic, r->authorization) == 0) {
		snprintf(user, size, "%s", h->basic_user);
		return 1;
	}
	rc = scr_basic_get(r->authorization, login, sizeof(login), pass,
	    sizeof(pass));
	if (rc == 1)
		rc = sign_in(h, login, pass, user, size);
	else
		h->why = rc == 0 ? "not Basic authorization" :
		    "malformed Basic authorization";
	explicit_bzero(pass, sizeof(pass));
	if (rc == 1) {
		snprintf(h->basic, sizeof(h->basic), "%s", r->authorization);
		snprintf(h->basic_user, sizeof(h->basic_user), "%s", user);
		return 1;
	}
	return rc == -1 ? -2 : -1;
}

struct listing {
	struct scr_buf	*page;
	const char	*csrf;
	unsigned	 n;
};

static int
each_sender(void *arg, const struct scr_sender *s)
{
	struct listing *l = arg;

	if (l->n >= SCR_HTTP_SENDERS_MAX)
		return 1;
	scr_page_sender(l->page, l->csrf, ++l->n, s);
	return 0;
}

static int
each_decision(void *arg, const char *sender, int decision, time_t at)
{
	struct listing *l = arg;

	if (l->n >= SCR_HTTP_SENDERS_MAX)
		return 1;
	l->n++;
	scr_page_decision(l->page, l->csrf, sender, decision, at);
	return 0;
}

/* The note that tells what the last decision did (the query says). */
static const char *
note(const char *query, char *buf, size_t size)
{
	char done[16], who[ADDR_MAX + 2];
	const char *what;
	size_t n = strlen(query);

	if (scr_form_get(query, n, "done", done, sizeof(done)) != 1 ||
	    scr_form_get(query, n, "who", who, sizeof(who)) != 1)
		return NULL;
	if (strcmp(done, "allow") == 0)
		what = "Allowed %s: what waited is in your inbox.";
	else if (strcmp(done, "deny") == 0)
		what = "Denied %s: their mail will be refused.";
	else if (strcmp(done, "later") == 0)
		what = "%s still waits.";
	else if (strcmp(done, "forget") == 0)
		what = "Forgot the decision for %s.";
	else
		return NULL;
	snprintf(buf, size, what, who);
	return buf;
}

static int
list(struct scr_http *h, const struct scr_http_req *r, struct scr_buf *out,
    const char *user)
{
	char csrf[SCR_CSRF_HEX + 1], nbuf[ADDR_MAX + 64];
	struct scr_buf page = { 0 };
	struct listing l = { &page, csrf, 0 };

	if (scr_csrf_make(&h->auth, user, h->now(NULL), csrf) == -1) {
		h->why = "cannot make a CSRF token";
		return error_page(h, r, out, 500, NULL, "Try again later.");
	}
	scr_page_top(&page, user, csrf, note(r->query, nbuf, sizeof(nbuf)));
	if (h->src->senders(h->src->arg, user, each_sender, &l, h->whybuf,
	    sizeof(h->whybuf)) == -1) {
		scr_buf_free(&page);
		h->why = h->whybuf;
		return error_page(h, r, out, 503, NULL, "Your Screener folder "
		    "cannot be read now.  Try again later.");
	}
	scr_page_middle(&page, l.n);
	l.n = 0;
	if (h->src->decisions(h->src->arg, user, each_decision, &l,
	    h->whybuf, sizeof(h->whybuf)) == -1) {
		scr_buf_free(&page);
		h->why = h->whybuf;
		return error_page(h, r, out, 503, NULL, "Your decisions "
		    "cannot be read now.  Try again later.");
	}
	scr_page_end(&page, l.n);
	return respond(h, r, out, 200, NULL, &page);
}

/*
 * A sender as a form gives it: an address (or "@domain" when domain_ok),
 * printable, no blank, lowercased into out.  0, or -1.
 */
static int
sender_of(const char *in, int domain_ok, char *out, size_t size)
{
	const char *at = strrchr(in, '@');
	size_t i, n = strlen(in);

	if (at == NULL || at[1] == '\0' || n > ADDR_MAX || n >= size ||
	    (at == in && !domain_ok))
		return -1;
	for (i = 0; i <= n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (i < n && (ch <= 0x20 || ch == 0x7f))
			return -1;
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	return 0;
}

/* %XX for everything but unreserved octets, for a Location: query. */
static void
urlencode(const char *s, char *out, size_t size)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0' && o + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) != NULL)
			out[o++] = (char)ch;
		else {
			out[o++] = '%';
			out[o++] = hexd[ch >> 4];
			out[o++] = hexd[ch & 15];
		}
	}
	out[o] = '\0';
}

static int
see_other(struct scr_http *h, const struct scr_http_req *r,
    struct scr_buf *out, const char *done, const char *sender,
    const char *cookie)
{
	char enc[3 * ADDR_MAX + 4], extra[SCR_COOKIE_MAX + 3 * ADDR_MAX + 300];

	if (done != NULL) {
		urlencode(sender, enc, sizeof(enc));
		snprintf(extra, sizeof(extra), "Location: /?done=%s&who=%s\r\n",
		    done, enc);
	} else
		snprintf(extra, sizeof(extra), "Location: %s\r\n%s",
		    cookie != NULL && strstr(cookie, "Max-Age=0") != NULL ?
		    "/login" : "/", cookie != NULL ? cookie : "");
	return respond(h, r, out, 303, extra, NULL);
}

/* The Set-Cookie field of a session for user ("" value: sign out). */
static int
set_cookie(struct scr_http *h, const struct scr_http_req *r,
    const char *user, char *out, size_t size)
{
	char value[SCR_COOKIE_MAX + 1];
	int n;

	if (user == NULL)
		value[0] = '\0';
	else if (scr_cookie_make(&h->auth, user, h->now(NULL), value,
	    sizeof(value)) == -1)
		return -1;
	n = snprintf(out, size, "Set-Cookie: " SCR_COOKIE_NAME "=%s; Path=/; "
	    "Max-Age=%d; HttpOnly; SameSite=Strict%s\r\n", value,
	    user != NULL ? SCR_SESSION_TTL : 0,
	    secure(h, r) ? "; Secure" : "");
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int
login(struct scr_http *h, const struct scr_http_req *r, const char *body,
    size_t len, struct scr_buf *out)
{
	char login[256], pass[256], user[SCR_USER_MAX];
	char cookie[SCR_COOKIE_MAX + 200];
	struct scr_buf page = { 0 };
	int rc;

	if (scr_form_get(body, len, "user", login, sizeof(login)) != 1 ||
	    scr_form_get(body, len, "password", pass, sizeof(pass)) != 1) {
		explicit_bzero(pass, sizeof(pass));
		h->why = "sign-in form incomplete";
		scr_page_login(&page, "Give your login and password.");
		return respond(h, r, out, 400, NULL, &page);
	}
	rc = sign_in(h, login, pass, user, sizeof(user));
	explicit_bzero(pass, sizeof(pass));
	if (rc == -1)
		return error_page(h, r, out, 503, NULL, "Passwords cannot be "
		    "checked now.  Try again later.");
	if (rc == 0) {
		scr_page_login(&page, "The login or password is wrong.");
		return respond(h, r, out, 403, NULL, &page);
	}
	snprintf(h->user, sizeof(h->user), "%s", user);
	if (set_cookie(h, r, user, cookie, sizeof(cookie)) == -1) {
		h->why = "cannot make a session cookie";
		return error_page(h, r, out, 500, NULL, "Try again later.");
	}
	return see_other(h, r, out, NULL, NULL, cookie);
}

/* POST /decide, /forget, /logout: signed in, with the token. */
static int
change(struct scr_http *h, const struct scr_http_req *r, const char *body,
    size_t len, struct scr_buf *out, const char *user)
{
	char token[SCR_CSRF_HEX + 2], action[16], in[ADDR_MAX + 2];
	char sender[ADDR_MAX + 2], cookie[200];
	const char *done;
	int decision;

	if (scr_form_get(body, len, "csrf", token, sizeof(token)) != 1 ||
	    !scr_csrf_check(&h->auth, user, h->now(NULL), token)) {
		h->why = "no valid CSRF token";
		return error_page(h, r, out, 403, NULL, "This form is stale "
		    "or came from another site.  Reload the page.");
	}
	if (strcmp(r->path, "/logout") == 0) {
		if (set_cookie(h, r, NULL, cookie, sizeof(cookie)) == -1)
			return error_page(h, r, out, 500, NULL, "Try again.");
		h->basic[0] = '\0';
		return see_other(h, r, out, NULL, NULL, cookie);
	}
	if (strcmp(r->path, "/forget") == 0)
		strcpy(action, "forget");
	else if (scr_form_get(body, len, "action", action,
	    sizeof(action)) != 1)
		action[0] = '\0';
	if (scr_form_get(body, len, "sender", in, sizeof(in)) != 1 ||
	    sender_of(in, strcmp(action, "forget") == 0, sender,
	    sizeof(sender)) == -1) {
		h->why = "no valid sender";
		return error_page(h, r, out, 400, NULL, "That is not a "
		    "sender's address.");
	}
	if (strcmp(action, "allow") == 0)
		decision = STORE_ALLOW, done = "allow";
	else if (strcmp(action, "allow-domain") == 0) {
		decision = STORE_ALLOW, done = "allow";
		memmove(sender, strrchr(sender, '@'),
		    strlen(strrchr(sender, '@')) + 1);
	} else if (strcmp(action, "deny") == 0)
		decision = STORE_DENY, done = "deny";
	else if (strcmp(action, "forget") == 0)
		decision = 0, done = "forget";
	else if (strcmp(action, "later") == 0)
		return see_other(h, r, out, "later", sender, NULL);
	else {
		h->why = "unknown action";
		return error_page(h, r, out, 400, NULL, "Unknown action.");
	}
	if (h->src->decide(h->src->arg, user, sender, decision, h->whybuf,
	    sizeof(h->whybuf)) == -1) {
		h->why = h->whybuf;
		return error_page(h, r, out, 503, NULL, "The decision could "
		    "not be saved.  Try again later.");
	}
	log_event(h->lg, LVL_INFO, "decision", "user", user, "sender", sender,
	    "decision", done, NULL);
	return see_other(h, r, out, done, sender, NULL);
}

static int
form_type(const struct scr_http_req *r)
{
	static const char form[] = "application/x-www-form-urlencoded";

	return strncasecmp(r->content_type, form, sizeof(form) - 1) == 0 &&
	    (r->content_type[sizeof(form) - 1] == '\0' ||
	    r->content_type[sizeof(form) - 1] == ';');
}

int
scr_http_handle(struct scr_http *h, const struct scr_http_req *r,
    const char *body, size_t len, struct scr_buf *out)
{
	char user[SCR_USER_MAX];
	int get = r->method == SCR_GET || r->method == SCR_HEAD, rc;

	h->user[0] = '\0';
	h->why = NULL;
	h->close = !r->keep_alive;
	if (key_open(h) == -1)
		return error_page(h, r, out, 503, NULL, "The screener is not "
		    "set up here.");
	if (strcmp(r->path, "/login") == 0) {
		if (get) {
			struct scr_buf page = { 0 };

			scr_page_login(&page, NULL);
			return respond(h, r, out, 200, NULL, &page);
		}
		if (!form_type(r))
			return error_page(h, r, out, 415, NULL, "Send a form.");
		return login(h, r, body, len, out);
	}
	if (strcmp(r->path, "/") != 0 && strcmp(r->path, "/decide") != 0 &&
	    strcmp(r->path, "/forget") != 0 && strcmp(r->path, "/logout") != 0)
		return error_page(h, r, out, 404, NULL, "There is no such "
		    "page.");
	if (strcmp(r->path, "/") == 0 ? !get : get) {
		h->why = "method not allowed";
		return error_page(h, r, out, 405, get ? "Allow: POST\r\n" :
		    "Allow: GET, HEAD\r\n", "Not with this method.");
	}
	rc = who(h, r, user, sizeof(user));
	if (rc == -2)
		return error_page(h, r, out, 503, NULL, "Passwords cannot be "
		    "checked now.  Try again later.");
	if (rc == -1)
		return unauthorized(h, r, out, "The login or password is "
		    "wrong.");
	if (rc == 0)
		return unauthorized(h, r, out, NULL);
	snprintf(h->user, sizeof(h->user), "%s", user);
	if (get)
		return list(h, r, out, user);
	if (!form_type(r))
		return error_page(h, r, out, 415, NULL, "Send a form.");
	return change(h, r, body, len, out, user);
}

void
scr_http_refuse(struct scr_http *h, const struct scr_http_req *r,
    struct scr_buf *out)
{
	h->user[0] = '\0';
	h->why = r->error;
	h->close = 1;
	error_page(h, NULL, out, r->status, r->status == 405 ?
	    "Allow: GET, HEAD, POST\r\n" : NULL,
	    "The request was refused.");
}
