/*
 * scr_page.c: the web page's HTML (scr_page.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scr_page.h"

void
scr_buf_free(struct scr_buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
scr_buf_add(struct scr_buf *b, const char *s, size_t n)
{
	size_t want;
	char *p;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->size) {
		want = b->size == 0 ? 8192 : b->size;
		while (want < b->len + n + 1)
			want *= 2;
		if (want > SCR_PAGE_MAX || (p = realloc(b->p, want)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->size = want;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
scr_buf_str(struct scr_buf *b, const char *s)
{
	scr_buf_add(b, s, strlen(s));
}

void
scr_buf_printf(struct scr_buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->failed = 1;	/* only short, trusted texts come here */
	else
		scr_buf_add(b, tmp, (size_t)n);
}

void
scr_buf_html(struct scr_buf *b, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *rep;
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			rep = (ch < 0x20 && ch != '\n' && ch != '\t') ||
			    ch == 0x7f ? "\xef\xbf\xbd" : NULL;
		}
		if (rep == NULL)
			continue;
		scr_buf_add(b, run, (size_t)(s - run));
		scr_buf_str(b, rep);
		run = s + 1;
	}
	scr_buf_add(b, run, (size_t)(s - run));
}

static const char style[] =
    "body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;padding:0 12px;"
    "max-width:48rem;color:#111;background:#fff}"
    "h1{font-size:1.4rem}h2,h3{font-size:1.1rem;margin:0;"
    "overflow-wrap:anywhere}"
    "section{border:1px solid #999;border-radius:6px;padding:12px;"
    "margin:12px 0}"
    ".snippet{white-space:pre-wrap;overflow-wrap:anywhere;"
    "background:#f4f4f4;padding:8px;margin:8px 0}"
    ".evidence,.meta{font-size:.9rem;overflow-wrap:anywhere}"
    ".buttons{display:flex;flex-wrap:wrap;gap:8px}"
    "button,input{font:inherit;min-height:44px}"
    "button{padding:4px 12px;border:1px solid #333;border-radius:4px;"
    "background:#eee;color:#111;cursor:pointer}"
    "button.allow{background:#cfe8cf}button.deny{background:#f3d0d0}"
    ":focus{outline:3px solid #1a5fb4;outline-offset:2px}"
    "label{display:block;margin-top:8px}input{width:100%;"
    "box-sizing:border-box;padding:4px}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{text-align:left;padding:4px;border-bottom:1px solid #ccc;"
    "overflow-wrap:anywhere}"
    ".note{border-left:4px solid #1a5fb4;padding:4px 8px}"
    "@media (prefers-color-scheme:dark){body{background:#111;color:#eee}"
    ".snippet{background:#222}button{background:#333;color:#eee}"
    "button.allow{background:#264d26}button.deny{background:#5c2626}}";

static void
head(struct scr_buf *b, const char *title)
{
	scr_buf_str(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width,"
	    "initial-scale=1\"><title>");
	scr_buf_html(b, title);
	scr_buf_str(b, "</title><style>");
	scr_buf_str(b, style);
	scr_buf_str(b, "</style></head>\n<body><main>\n");
}

static void
tail(struct scr_buf *b)
{
	scr_buf_str(b, "</main></body></html>\n");
}

void
scr_page_login(struct scr_buf *b, const char *message)
{
	head(b, "Sign in: the screener");
	scr_buf_str(b, "<h1>The screener: sign in</h1>\n");
	if (message != NULL) {
		scr_buf_str(b, "<p class=\"note\" role=\"alert\">");
		scr_buf_html(b, message);
		scr_buf_str(b, "</p>\n");
	}
	scr_buf_str(b, "<form method=\"post\" action=\"/login\">"
	    "<label for=\"user\">Mail address or login</label>"
	    "<input id=\"user\" name=\"user\" autocomplete=\"username\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" required autofocus>"
	    "<label for=\"password\">Password</label>"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required>"
	    "<p><button type=\"submit\">Sign in</button></p></form>\n");
	tail(b);
}

static void
hidden(struct scr_buf *b, const char *name, const char *value)
{
	scr_buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	scr_buf_html(b, value);
	scr_buf_str(b, "\">");
}

void
scr_page_top(struct scr_buf *b, const char *user, const char *csrf,
    const char *note)
{
	head(b, "The screener");
	scr_buf_str(b, "<h1>The screener</h1>\n<p>Signed in as <strong>");
	scr_buf_html(b, user);
	scr_buf_str(b, "</strong>.</p><form method=\"post\" "
	    "action=\"/logout\">");
	hidden(b, "csrf", csrf);
	scr_buf_str(b, "<button type=\"submit\">Sign out</button></form>\n");
	if (note != NULL) {
		scr_buf_str(b, "<p class=\"note\" role=\"status\">");
		scr_buf_html(b, note);
		scr_buf_str(b, "</p>\n");
	}
	scr_buf_str(b, "<p>Mail from these senders waits in your Screener "
	    "folder.  Allow one, and what waited moves into your inbox, "
	    "and their next mail goes straight there (when its sender is "
	    "authenticated); deny one, and their mail is refused.</p>\n"
	    "<h2 id=\"waiting\">Waiting</h2>\n");
}

static void
when(struct scr_buf *b, time_t t)
{
	char iso[32], text[32];
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL) {
		scr_buf_str(b, "unknown");
		return;
	}
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &tm);
	scr_buf_printf(b, "<time datetime=\"%s\">%s</time>", iso, text);
}

static void
button(struct scr_buf *b, const char *cls, const char *action,
    const char *text, const char *what, unsigned n)
{
	scr_buf_printf(b, "<button type=\"submit\" class=\"%s\" "
	    "name=\"action\" value=\"%s\" aria-describedby=\"s%u\">%s",
	    cls, action, n, text);
	if (what != NULL) {
		scr_buf_str(b, " ");
		scr_buf_html(b, what);
	}
	scr_buf_str(b, "</button>");
}

void
scr_page_sender(struct scr_buf *b, const char *csrf, unsigned n,
    const struct scr_sender *s)
{
	const char *at = strrchr(s->addr, '@');

	scr_buf_printf(b, "<section aria-labelledby=\"s%u\">"
	    "<h3 id=\"s%u\">", n, n);
	if (s->display[0] != '\0') {
		scr_buf_html(b, s->display);
		scr_buf_str(b, " ");
	}
	scr_buf_str(b, "&lt;<span class=\"addr\">");
	scr_buf_html(b, s->addr);
	scr_buf_printf(b, "</span>&gt;</h3>\n<p class=\"meta\">%u "
	    "message%s, ", s->count, s->count == 1 ? "" : "s");
	if (s->count > 1) {
		scr_buf_str(b, "the first ");
		when(b, s->first);
		scr_buf_str(b, ", the last ");
	}
	when(b, s->last);
	scr_buf_str(b, "</p>\n<p>Subject: <strong>");
	scr_buf_html(b, s->subject[0] != '\0' ? s->subject : "(none)");
	scr_buf_str(b, "</strong></p>\n");
	if (s->snippet[0] != '\0') {
		scr_buf_str(b, "<div class=\"snippet\">");
		scr_buf_html(b, s->snippet);
		scr_buf_str(b, "</div>\n");
	}
	scr_buf_str(b, "<p class=\"evidence\">Evidence: ");
	scr_buf_html(b, s->evidence[0] != '\0' ? s->evidence : "none");
	scr_buf_str(b, "</p>\n<form method=\"post\" action=\"/decide\" "
	    "class=\"buttons\">");
	hidden(b, "csrf", csrf);
	hidden(b, "sender", s->addr);
	button(b, "allow", "allow", "Allow sender", NULL, n);
	if (at != NULL && at[1] != '\0')
		button(b, "allow", "allow-domain", "Allow domain", at, n);
	button(b, "deny", "deny", "Deny", NULL, n);
	button(b, "later", "later", "Later", NULL, n);
	scr_buf_str(b, "</form></section>\n");
}

void
scr_page_middle(struct scr_buf *b, unsigned nsenders)
{
	if (nsenders == 0)
		scr_buf_str(b, "<p>Nobody is waiting.</p>\n");
	scr_buf_str(b, "<h2 id=\"decided\">Your decisions</h2>\n");
}

void
scr_page_decision(struct scr_buf *b, const char *csrf, const char *sender,
    int decision, time_t at)
{
	scr_buf_str(b, "<form method=\"post\" action=\"/forget\"><p>");
	scr_buf_str(b, decision == 1 ? "Allowed: " : decision == 2 ?
	    "Denied: " : "Decided: ");
	scr_buf_str(b, "<span class=\"addr\">");
	scr_buf_html(b, sender);
	scr_buf_str(b, "</span>, ");
	when(b, at);
	scr_buf_str(b, " ");
	hidden(b, "csrf", csrf);
	hidden(b, "sender", sender);
	scr_buf_str(b, "<button type=\"submit\" aria-label=\"Forget the "
	    "decision for ");
	scr_buf_html(b, sender);
	scr_buf_str(b, "\">Forget</button></p></form>\n");
}

void
scr_page_end(struct scr_buf *b, unsigned ndecisions)
{
	if (ndecisions == 0)
		scr_buf_str(b, "<p>None yet.</p>\n");
	tail(b);
}

void
scr_page_error(struct scr_buf *b, int status, const char *title,
    const char *text)
{
	head(b, title);
	scr_buf_printf(b, "<h1>%d ", status);
	scr_buf_html(b, title);
	scr_buf_str(b, "</h1>\n<p>");
	scr_buf_html(b, text);
	scr_buf_str(b, "</p>\n<p><a href=\"/\">The screener</a></p>\n");
	tail(b);
}
