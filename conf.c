/*
 * conf.c: samotop.conf(5).
 *
 * conf_parse() and conf_load() set only what the text names; they do not
 * reset c.  The caller runs conf_defaults() first, so that the order of
 * defaults, file and command-line options is decided in one place (the
 * caller) and tests can parse fragments on top of the defaults.
 *
 * The text is split in place: a word's NUL goes where its separator, its
 * closing quote or its line end was.  Only route words outlive a line;
 * everything else is converted as soon as it is read.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "address.h"
#include "conf.h"
#include "fdio.h"
#include "lists.h"
#include "route.h"
#include "store.h"

#define CONF_FILE_MAX	(1024 * 1024)	/* more is a mistake */
#define WORDS_MAX	(CONF_ARGV_MAX + 2)	/* route PATTERN argv */
#define SHOW		60	/* octets of a bad value in a message */
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define STORE_WHAT	"a file or a postgresql:// URI"

/* 4G, or less where size_t arithmetic on such a size could overflow. */
#define SIZE_LIMIT	(SIZE_MAX / 2 < (4ULL << 30) ? SIZE_MAX / 2 : \
			    (4ULL << 30))

enum kind {
	OCTETS,		/* plain number, size_t */
	SIZE,		/* number with K, M or G, size_t */
	COUNT,		/* plain number, unsigned */
	DURATION,	/* number with s, m, h or d, unsigned seconds */
	HOSTNAME,
	BOOLEAN,
	DELIMITER,
	LOGLEVEL,
	PATH,		/* a file name, kept as a pointer into the text */
	STORE,		/* PATH, or a postgresql:// URI (store.h) */
	TEXT,		/* a word for a library (libtls), kept likewise */
	ADDRESS,	/* local@domain, kept likewise */
	CHOICE,		/* one word of d->choices, into an int field */
	LIST,		/* allow/deny KIND VALUE, repeatable */
	DNSBL,		/* dnsbl ZONE, repeatable */
	MILTER,		/* milter unix:/PATH or inet:HOST:PORT, repeatable */
	SEALER,		/* arc-trusted-sealer DOMAIN, repeatable */
	SCREENED,	/* screener-recipient PATTERN, repeatable */
	COMMAND,	/* PROGRAM [ARG...], an absolute path first */
	DOMAIN,		/* a domain name, kept as a pointer */
	DURATIONS,	/* d1,d2,... into queue_retry */
	RELAY,		/* relay-client CIDR, repeatable */
	ALIAS,		/* alias ADDRESS TARGET..., repeatable */
	DKIMSIGN,	/* dkim-sign DOMAIN SELECTOR KEYFILE, repeatable */
	FOLDER,		/* a Maildir++ folder name: [A-Za-z0-9_-] */
	RATE,		/* N/PERIOD or off, into a struct conf_rate */
	PROXY_FROM,	/* proxy-from CIDR, repeatable */
	SENDERLOGIN,	/* sender-login PATTERN LOGIN..., repeatable */
	ROUTE
};

struct choice {
	const char	*word;
	int		 value;
};

static const struct choice check_choices[] = {
	{ "off", ACTION_OFF }, { "log", ACTION_LOG },
	{ "reject", ACTION_REJECT }, { NULL, 0 }
};
static const struct choice rdns_choices[] = {
	{ "off", ACTION_OFF }, { "log", ACTION_LOG },
	{ "reject", ACTION_REJECT }, { "tempfail", ACTION_TEMPFAIL },
	{ NULL, 0 }
};
static const struct choice spf_choices[] = {
	{ "accept", ACTION_ACCEPT }, { "reject", ACTION_REJECT },
	{ "tempfail", ACTION_TEMPFAIL }, { NULL, 0 }
};
static const struct choice plaintext_choices[] = {
	{ "accept", ACTION_ACCEPT }, { "greylist", ACTION_GREYLIST },
	{ "reject", ACTION_REJECT }, { NULL, 0 }
};
static const struct choice dmarc_choices[] = {
	{ "reject", ACTION_REJECT }, { "quarantine", ACTION_QUARANTINE },
	{ "accept", ACTION_ACCEPT }, { NULL, 0 }
};
static const struct choice milter_choices[] = {
	{ "tempfail", ACTION_TEMPFAIL }, { "accept", ACTION_ACCEPT },
	{ NULL, 0 }
};
static const struct choice deny_choices[] = {
	{ "keep", 0 }, { "delete", 1 }, { NULL, 0 }
};
static const struct choice fold_choices[] = {
	{ "tempfail", 0 }, { "dsn", 1 }, { NULL, 0 }
};
static const struct choice log_choices[] = {
	{ "stderr", LOG_SINK_FD }, { "syslog", LOG_SINK_SYSLOG }, { NULL, 0 }
};
static const struct choice case_choices[] = {
	{ "insensitive", 1 }, { "sensitive", 0 }, { NULL, 0 }
};
static const struct choice list_kinds[] = {
	{ "client", LIST_CLIENT }, { "helo", LIST_HELO },
	{ "rdns", LIST_RDNS }, { "sender", LIST_SENDER },
	{ "recipient", LIST_RECIPIENT }, { NULL, 0 }
};

struct unit {
	char			suffix;
	unsigned long long	scale;
};

/* Largest first, so that a limit is shown in its shortest form. */
static const struct unit size_units[] = {
	{ 'G', 1ULL << 30 }, { 'M', 1ULL << 20 }, { 'K', 1ULL << 10 },
	{ '\0', 0 }
};
static const struct unit time_units[] = {
	{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 }, { '\0', 0 }
};

struct directive {
	const char		*name;
	enum kind		 kind;
	const char		*what;	/* expected, for messages */
	size_t			 off;	/* the field */
	unsigned long long	 min, max;
	const struct choice	*choices;
};

#define NUMBER(name, kind, what, field, min, max) \
	{ name, kind, what, offsetof(struct conf, field), min, max, NULL }
#define WORD(name, kind, what)	{ name, kind, what, 0, 0, 0, NULL }
#define FIELD(name, kind, what, field) \
	{ name, kind, what, offsetof(struct conf, field), 0, 0, NULL }
#define PICK(name, choices, what, field) \
	{ name, CHOICE, what, offsetof(struct conf, field), 0, 0, choices }
#define SPF(name, result) PICK("spf-" name, spf_choices, \
	"accept, reject or tempfail", spf_action[result])

static const struct directive directives[] = {
	WORD("hostname", HOSTNAME, "a domain name or address literal"),
	NUMBER("max-command-line", OCTETS, "a number", max_command_line,
	    512, 65536),
	NUMBER("max-line-length", OCTETS, "a number", max_line_length,
	    1000, 1048576),
	NUMBER("max-message-size", SIZE, "a size", max_message_size,
	    1024, SIZE_LIMIT),
	NUMBER("max-recipients", COUNT, "a number", max_recipients,
	    100, 100000),
	NUMBER("max-errors", COUNT, "a number", max_errors, 1, 1000),
	NUMBER("timeout-command", DURATION, "a duration", timeout_command,
	    1, 86400),
	NUMBER("timeout-data", DURATION, "a duration", timeout_data,
	    1, 86400),
	NUMBER("timeout-helper", DURATION, "a duration", timeout_helper,
	    1, 86400),
	NUMBER("deadline-command-line", DURATION, "a duration", deadline_line,
	    1, 86400),
	NUMBER("deadline-message", DURATION, "a duration", deadline_message,
	    1, 86400),
	NUMBER("deadline-session", DURATION, "a duration", deadline_session,
	    1, 86400),
	FIELD("strict-crlf", BOOLEAN, "yes or no", strict_crlf),
	FIELD("tls-certificate", PATH, "a file", tls_certificate),
	FIELD("tls-key", PATH, "a file", tls_key),
	FIELD("tls-ocsp-staple", PATH, "a file", tls_ocsp_staple),
	FIELD("tls-protocols", TEXT, "a protocol list such as "
	    "tlsv1.2,tlsv1.3", tls_protocols),
	FIELD("tls-ciphers", TEXT, "a cipher list such as secure",
	    tls_ciphers),
	FIELD("tls-implicit", BOOLEAN, "yes or no", tls_implicit),
	FIELD("require-tls", BOOLEAN, "yes or no", require_tls),
	WORD("recipient-delimiter", DELIMITER,
	    "one punctuation character or none"),
	PICK("local-part-case", case_choices, "insensitive or sensitive",
	    local_part_fold),
	WORD("log-level", LOGLEVEL, "error, warn, info or debug"),
	PICK("log", log_choices, "stderr or syslog", log_sink),
	NUMBER("greet-delay", DURATION, "a duration", greet_delay, 0, 60),
	PICK("unauth-pipelining", check_choices, "off, log or reject",
	    unauth_pipelining),
	PICK("helo-check", check_choices, "off, log or reject", helo_check),
	PICK("rdns", rdns_choices, "off, log, reject or tempfail", rdns),
	FIELD("spf", BOOLEAN, "yes or no", spf),
	SPF("pass", SPFR_PASS), SPF("fail", SPFR_FAIL),
	SPF("softfail", SPFR_SOFTFAIL), SPF("neutral", SPFR_NEUTRAL),
	SPF("none", SPFR_NONE), SPF("temperror", SPFR_TEMPERROR),
	SPF("permerror", SPFR_PERMERROR),
	FIELD("deny-message", TEXT, "a text", deny_message),
	FIELD("postmaster", ADDRESS, "an address local@domain", postmaster),
	WORD("allow", LIST, "KIND VALUE (client, helo, rdns, sender or "
	    "recipient; VALUE or file:PATH)"),
	WORD("deny", LIST, "KIND VALUE (client, helo, rdns, sender or "
	    "recipient; VALUE or file:PATH)"),
	WORD("dnsbl", DNSBL, "a DNS zone"),
	FIELD("greylist", STORE, STORE_WHAT, greylist_db),
	NUMBER("greylist-delay", DURATION, "a duration", greylist_delay,
	    1, 86400),
	NUMBER("greylist-window", DURATION, "a duration", greylist_window,
	    60, 30 * 86400),
	NUMBER("greylist-expire", DURATION, "a duration", greylist_expire,
	    3600, 366 * 86400),
	NUMBER("greylist-autoallow", COUNT, "a number", greylist_autoallow,
	    0, 1000),
	NUMBER("greylist-max-pending", COUNT, "a number", greylist_max_pending,
	    1, 100000),
	PICK("plaintext", plaintext_choices, "accept, greylist or reject",
	    plaintext),
	FIELD("auth-results", BOOLEAN, "yes or no", auth_results),
	FIELD("dkim", BOOLEAN, "yes or no", dkim),
	FIELD("dmarc", BOOLEAN, "yes or no", dmarc),
	PICK("dmarc-reject", dmarc_choices, "reject, quarantine or accept",
	    dmarc_reject),
	PICK("dmarc-quarantine", dmarc_choices,
	    "reject, quarantine or accept", dmarc_quarantine),
	FIELD("arc", BOOLEAN, "yes or no", arc),
	WORD("arc-trusted-sealer", SEALER, "a domain name"),
	WORD("milter", MILTER, "unix:/PATH or inet:HOST:PORT"),
	PICK("milter-default", milter_choices, "tempfail or accept",
	    milter_default),
	NUMBER("milter-timeout-connect", DURATION, "a duration",
	    milter_timeout_connect, 1, 3600),
	NUMBER("milter-timeout-command", DURATION, "a duration",
	    milter_timeout_command, 1, 3600),
	NUMBER("milter-timeout-content", DURATION, "a duration",
	    milter_timeout_content, 1, 3600),
	FIELD("spool-dir", PATH, "a directory", spool_dir),
	FIELD("screener", STORE, STORE_WHAT, screener_db),
	FIELD("screener-folder", FOLDER, "a folder name of letters, digits, "
	    "'-' and '_'", screener_folder),
	PICK("screener-on-deny", deny_choices, "keep or delete",
	    screener_delete),
	WORD("screener-recipient", SCREENED,
	    "a pattern '*', '@domain' or 'local@domain'"),
	{ "screener-checkpassword", COMMAND, "PROGRAM [ARG...]",
	    offsetof(struct conf, screener_checkpassword), 0, 0, NULL },
	FIELD("screener-login-domain", DOMAIN, "a domain name",
	    screener_login_domain),
	FIELD("screener-tls-certificate", PATH, "a file", screener_tls_cert),
	FIELD("screener-tls-key", PATH, "a file", screener_tls_key),
	FIELD("screener-trust-anchor", PATH, "a file", screener_trust_anchor),
	FIELD("screener-url", TEXT, "the web page's URL", screener_url),
	FIELD("queue", PATH, "a directory", queue_dir),
	NUMBER("queue-lifetime", DURATION, "a duration", queue_lifetime,
	    3600, 60 * 86400),
	WORD("queue-retry", DURATIONS, "durations separated by commas, such "
	    "as 5m,10m,1h"),
	NUMBER("queue-warn", DURATION, "a duration", queue_warn, 0,
	    30 * 86400),
	NUMBER("queue-concurrency", COUNT, "a number", queue_concurrency, 1,
	    1000),
	NUMBER("queue-concurrency-domain", COUNT, "a number",
	    queue_concurrency_domain, 1, 100),
	{ "queue-remote", COMMAND, "PROGRAM [ARG...]",
	    offsetof(struct conf, queue_remote), 0, 0, NULL },
	WORD("relay-client", RELAY, "a network (CIDR) such as 192.0.2.0/24"),
	{ "relay-route", COMMAND, "PROGRAM [ARG...]",
	    offsetof(struct conf, relay_route), 0, 0, NULL },
	FIELD("sendmail-group", TEXT, "a group name", sendmail_group),
	PICK("fold-partial", fold_choices, "tempfail or dsn",
	    fold_partial_dsn),
	WORD("alias", ALIAS, "ADDRESS TARGET..."),
	FIELD("srs-key", PATH, "a file", srs_key),
	FIELD("sts-cache", PATH, "a directory", sts_cache),
	FIELD("srs-domain", DOMAIN, "a domain name", srs_domain),
	FIELD("leave-no-trace", BOOLEAN, "yes or no", leave_no_trace),
	NUMBER("leave-no-trace-granularity", DURATION, "a duration",
	    notrace_granularity, 1, 366 * 86400),
	FIELD("leave-no-trace-key", PATH, "a file", notrace_key),
	FIELD("store", STORE, STORE_WHAT, store_db),
	/* bounces and TLS reports */
	FIELD("bounce-limit", RATE, "N/PERIOD such as 10/1h (N up to "
	    "1000000, PERIOD 1s to 366d), or off", bounce_limit),
	FIELD("tlsrpt", PATH, "a directory", tlsrpt_dir),
	FIELD("tlsrpt-from", ADDRESS, "an address local@domain", tlsrpt_from),
	FIELD("tlsrpt-org", TEXT, "a word, the organization's name",
	    tlsrpt_org),
	/* submission */
	{ "auth-checkpassword", COMMAND, "PROGRAM [ARG...]",
	    offsetof(struct conf, auth_checkpassword), 0, 0, NULL },
	FIELD("auth-dovecot", TEXT, "unix:/PATH (Dovecot's auth-client "
	    "socket)", auth_dovecot),
	NUMBER("auth-max-failures", COUNT, "a number", auth_max_failures,
	    1, 100),
	NUMBER("auth-failure-limit", RATE, "N/DURATION such as 10/1h",
	    auth_failure_limit, 1, 1000000),
	NUMBER("user-limit-messages", RATE, "N/DURATION such as 100/1h",
	    user_limit_messages, 1, 10000000),
	NUMBER("user-limit-recipients", RATE, "N/DURATION such as 500/1h",
	    user_limit_recipients, 1, 10000000),
	FIELD("received-hide-client", BOOLEAN, "yes or no",
	    received_hide_client),
	WORD("sender-login", SENDERLOGIN, "PATTERN LOGIN... (PATTERN an "
	    "address or @domain) or file:PATH"),
	/* DKIM signing */
	WORD("dkim-sign", DKIMSIGN, "DOMAIN SELECTOR KEYFILE"),
	/* behind a balancer, rate limits */
	FIELD("proxy-protocol", BOOLEAN, "yes or no", proxy_protocol),
	WORD("proxy-from", PROXY_FROM, "a network (CIDR) such as "
	    "192.0.2.0/24"),
	NUMBER("proxy-timeout", DURATION, "a duration", proxy_timeout,
	    1, 300),
	FIELD("limit-connections", RATE, "N/PERIOD such as 60/1m",
	    limit_connections),
	FIELD("limit-messages", RATE, "N/PERIOD such as 100/1h",
	    limit_messages),
	FIELD("limit-recipients", RATE, "N/PERIOD such as 500/1h",
	    limit_recipients),
	NUMBER("limit-prefix4", COUNT, "a number", limit_prefix4, 8, 32),
	NUMBER("limit-prefix6", COUNT, "a number", limit_prefix6, 16, 128),
	PICK("limit-default", milter_choices, "tempfail or accept",
	    limit_default),
	/* the shared store */
	/* the sandbox */
	FIELD("sandbox", BOOLEAN, "yes or no", sandbox),
	WORD("route", ROUTE, "PATTERN PROGRAM [ARG...]"),
};

_Static_assert(NELEM(directives) <= CONF_DIRECTIVES_MAX,
    "struct conf's lines[] has no room for every directive");

static void	lowercase(char *);
static int	pattern(char *);

/* In enum log_level order. */
static const char *const levels[] = { "error", "warn", "info", "debug" };

struct parser {
	struct conf		*c;
	struct conf_error	*err;
	unsigned		 line;
	unsigned		 seen[NELEM(directives)]; /* first line */
};

static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list	ap;

	p->err->line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Not tolower(3): the locale must not change what a file means. */
static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static int
is_alnum(int ch)
{
	return (ch >= '0' && ch <= '9') || (lower(ch) >= 'a' &&
	    lower(ch) <= 'z');
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, offsetof(struct conf, lists));
	c->max_command_line = 2048;
	c->max_line_length = 1000;
	c->max_message_size = 25 << 20;
	c->max_recipients = 100;
	c->max_errors = 10;
	c->timeout_command = 5 * 60;
	c->timeout_data = 3 * 60;
	c->timeout_helper = 10 * 60;
	/* RFC 5321 §4.5.3.2.7: 5 minutes for a command; a message and a
	 * session get room for max-message-size over a slow link. */
	c->deadline_line = 5 * 60;
	c->deadline_message = 30 * 60;
	c->deadline_session = 60 * 60;
	c->strict_crlf = 1;
	c->recipient_delimiter = '+';
	c->local_part_fold = 1;
	c->log_level = LVL_INFO;
	c->greet_delay = 1;
	c->unauth_pipelining = ACTION_LOG;
	c->helo_check = ACTION_LOG;
	c->rdns = ACTION_OFF;
	c->spf_action[SPFR_PASS] = ACTION_ACCEPT;
	c->spf_action[SPFR_FAIL] = ACTION_REJECT;
	c->spf_action[SPFR_SOFTFAIL] = ACTION_ACCEPT;
	c->spf_action[SPFR_NEUTRAL] = ACTION_ACCEPT;
	c->spf_action[SPFR_NONE] = ACTION_ACCEPT;
	c->spf_action[SPFR_TEMPERROR] = ACTION_TEMPFAIL;
	c->spf_action[SPFR_PERMERROR] = ACTION_ACCEPT;
	c->greylist_delay = 5 * 60;
	c->greylist_window = 2 * 86400;
	c->greylist_expire = 35 * 86400;
	c->greylist_autoallow = 5;
	c->greylist_max_pending = 100;
	c->plaintext = ACTION_ACCEPT;
	c->auth_results = 1;
	c->dmarc_reject = ACTION_REJECT;
	c->dmarc_quarantine = ACTION_QUARANTINE;
	c->milter_default = ACTION_TEMPFAIL;
	/* Postfix's milter_connect_timeout, _command_ and _content_. */
	c->milter_timeout_connect = 30;
	c->milter_timeout_command = 30;
	c->milter_timeout_content = 300;
	c->spool_dir = CONF_SPOOL_DIR;
	c->screener_folder = "Screener";
	c->screener_trust_anchor = CONF_TRUST_ANCHOR;
	c->queue_dir = CONF_QUEUE_DIR;
	c->queue_lifetime = 5 * 86400;
	/* Postfix's and qmail's spirit: soon at first, then every 4 hours */
	c->nqueue_retry = 7;
	c->queue_retry[0] = 5 * 60;
	c->queue_retry[1] = 10 * 60;
	c->queue_retry[2] = 20 * 60;
	c->queue_retry[3] = 40 * 60;
	c->queue_retry[4] = 3600;
	c->queue_retry[5] = 2 * 3600;
	c->queue_retry[6] = 4 * 3600;
	c->queue_concurrency = 20;
	c->queue_concurrency_domain = 20;
	c->srs_key = CONF_SRS_KEY;
	c->sts_cache = CONF_STS_CACHE;
	c->notrace_granularity = 86400;
	c->notrace_key = CONF_NOTRACE_KEY;
	c->store_db = CONF_STORE;
	/* bounces and TLS reports */
	/* a site's own mistakes bounce more; a forger's victim gets 10 */
	c->bounce_limit.n = 10;
	c->bounce_limit.period = 3600;
	/* submission */
	c->auth_max_failures = 3;
	c->auth_failure_limit.n = 10;
	c->auth_failure_limit.period = 3600;
	c->received_hide_client = -1;
	/* DKIM signing */
	/* behind a balancer, rate limits */
	c->proxy_timeout = 10;
	c->limit_prefix4 = 24;		/* greylisting's networks */
	c->limit_prefix6 = 64;
	c->limit_default = ACTION_TEMPFAIL;
	/* the shared store */
	/* the sandbox */
	c->sandbox = 1;
}

/*
 * A quoted word starting at s[0] == '"': the unescaped text is written
 * from s on, which leaves room for its NUL.  Returns where to go on, or
 * NULL on error.
 */
static char *
unquote(struct parser *p, char *s)
{
	char	*q = s, *r = s + 1;

	for (; *r != '"'; *q++ = *r++) {
		if (*r == '\0' || (*r == '\\' && r[1] == '\0')) {
			fail(p, "unterminated quoted word");
			return NULL;
		}
		if (*r == '\\' && r[1] != '"' && r[1] != '\\') {
			fail(p, "expected \\\" or \\\\ after a backslash "
			    "in a quoted word");
			return NULL;
		}
		if (*r == '\\')
			r++;
	}
	*q = '\0';
	r++;
	if (*r != '\0' && *r != ' ' && *r != '\t') {
		fail(p, "expected a blank after a quoted word");
		return NULL;
	}
	return r;
}

/*
 * Split a NUL-terminated line into w[].  Returns the number of words,
 * WORDS_MAX + 1 when there are more than w[] holds, or -1.
 */
static int
split(struct parser *p, char *s, char **w)
{
	int	n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			return n;
		if (n == WORDS_MAX)
			return n + 1;
		w[n++] = s;
		if (*s == '"') {
			if ((s = unquote(p, s)) == NULL)
				return -1;
		} else {
			s += strcspn(s, " \t");
			if (*s != '\0')
				*s++ = '\0';
		}
	}
}

/* Digits, then one optional suffix from u; no sign, no blanks. */
static int
scan(const char *s, const struct unit *u, unsigned long long *out)
{
	unsigned long long	n = 0;
	const char		*d = s;

	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (ULLONG_MAX - (unsigned)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (unsigned)(*s - '0');
	}
	if (s == d)
		return -1;
	if (*s != '\0' && u != NULL) {
		while (u->suffix != '\0' && lower(u->suffix) != lower(*s))
			u++;
		if (u->suffix == '\0' || n > ULLONG_MAX / u->scale)
			return -1;
		n *= u->scale;
		s++;
	}
	if (*s != '\0')
		return -1;
	*out = n;
	return 0;
}

static void
human(unsigned long long n, const struct unit *u, char *buf, size_t size)
{
	for (; n > 0 && u != NULL && u->suffix != '\0'; u++) {
		if (n % u->scale == 0) {
			snprintf(buf, size, "%llu%c", n / u->scale,
			    u->suffix);
			return;
		}
	}
	snprintf(buf, size, "%llu", n);
}

static const struct unit *
units(const struct directive *d)
{
	if (d->kind == SIZE)
		return size_units;
	if (d->kind == DURATION)
		return time_units;
	return NULL;
}

/* What a directive expects, for messages. */
static void
expected(const struct directive *d, char *buf, size_t size)
{
	char	lo[24], hi[24];

	if (d->max == 0 || d->kind == RATE) {
		snprintf(buf, size, "%s", d->what);
		return;
	}
	human(d->min, units(d), lo, sizeof(lo));
	human(d->max, units(d), hi, sizeof(hi));
	snprintf(buf, size, "%s from %s to %s%s", d->what, lo, hi,
	    d->kind == SIZE ? " (suffix K, M or G)" :
	    d->kind == DURATION ? " (suffix s, m, h or d)" : "");
}

static int
bad_value(struct parser *p, const struct directive *d, const char *v)
{
	char	what[128];

	expected(d, what, sizeof(what));
	return fail(p, "%s: expected %s, got '%.*s'", d->name, what, SHOW, v);
}

/* RFC 5321 address literal: "[a.b.c.d]" or "[IPv6:...]". */
static int
valid_literal(const char *s, size_t len)
{
	char		a[ADDR_DOMAIN_MAX + 1];
	struct in6_addr	a6;

	if (len < 2 || s[len - 1] != ']' || len - 2 >= sizeof(a))
		return 0;
	memcpy(a, s + 1, len - 2);
	a[len - 2] = '\0';
	if (strncasecmp(a, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, a + 5, &a6) == 1;
	return inet_pton(AF_INET, a, &a6) == 1;
}

/* What EHLO may say: labels of letters, digits and inner hyphens. */
static int
valid_hostname(const char *s)
{
	size_t	len = strlen(s), n;

	if (len == 0 || len > ADDR_DOMAIN_MAX)
		return 0;
	if (s[0] == '[')
		return valid_literal(s, len);
	for (;;) {
		for (n = 0; is_alnum(s[n]) || s[n] == '-'; n++)
			;
		if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
			return 0;
		if (s[n] == '\0')
			return 1;
		if (s[n] != '.')
			return 0;
		s += n + 1;
	}
}

/*
 * unix:/PATH (at most what sun_path holds) or inet:HOST:PORT, HOST a
 * name, an IPv4 address or an IPv6 one in brackets ("inet:[::1]:8891"),
 * PORT 1 to 65535: what Postfix's smtpd_milters takes.
 */
static int
valid_milter(const char *v)
{
	const char		*host, *colon;
	unsigned long long	 port;
	struct in6_addr		 a6;
	char			 h[ADDR_DOMAIN_MAX + 3];
	size_t			 len;

	if (strncmp(v, "unix:", 5) == 0)
		return v[5] == '/' && strlen(v + 5) < 108;
	if (strncmp(v, "inet:", 5) != 0 || (colon = strrchr(v, ':')) ==
	    v + 4)
		return 0;
	host = v + 5;
	len = colon - host;
	if (len == 0 || len >= sizeof(h) || scan(colon + 1, NULL, &port) ==
	    -1 || port == 0 || port > 65535)
		return 0;
	memcpy(h, host, len);
	h[len] = '\0';
	if (h[0] == '[') {
		if (len < 3 || h[len - 1] != ']')
			return 0;
		h[len - 1] = '\0';
		return inet_pton(AF_INET6, h + 1, &a6) == 1;
	}
	return valid_hostname(h);
}

/* A Maildir++ folder name samotop makes: no dot, no slash, not empty. */
static int
valid_folder(const char *v)
{
	size_t n = 0;

	for (; v[n] != '\0'; n++)
		if (!is_alnum(v[n]) && v[n] != '-' && v[n] != '_')
			return 0;
	return n > 0 && n <= 64;
}

/* queue-retry: 1 to CONF_RETRY_MAX durations of 1m to 1d, by commas. */
static int
set_retry(struct parser *p, const struct directive *d, const char *v)
{
	char			 one[32];
	const char		*s = v, *e;
	unsigned long long	 n;
	size_t			 k = 0, len;

	for (;;) {
		e = strchr(s, ',');
		len = e != NULL ? (size_t)(e - s) : strlen(s);
		if (len == 0 || len >= sizeof(one) || k == CONF_RETRY_MAX)
			return bad_value(p, d, v);
		memcpy(one, s, len);
		one[len] = '\0';
		if (scan(one, time_units, &n) == -1 || n < 60 || n > 86400)
			return bad_value(p, d, v);
		p->c->queue_retry[k++] = (unsigned)n;
		if (e == NULL)
			break;
		s = e + 1;
	}
	p->c->nqueue_retry = k;
	return 0;
}

/* N/PERIOD, or off (also 0): N 1 to 1000000 (or the
 * directive's own bounds), PERIOD 1s to 366d. */
static int
set_rate(struct parser *p, const struct directive *d, const char *v)
{
	struct conf_rate	*r = (struct conf_rate *)(void *)
				    ((char *)p->c + d->off);
	unsigned long long	 n, period;
	const char		*slash = strchr(v, '/');
	char			 num[24];

	if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		r->n = 0;
		return 0;
	}
	if (slash == NULL || (size_t)(slash - v) >= sizeof(num))
		return bad_value(p, d, v);
	memcpy(num, v, (size_t)(slash - v));
	num[slash - v] = '\0';
	if (scan(num, NULL, &n) == -1 || n < (d->max ? d->min : 1) ||
	    n > (d->max ? d->max : 1000000) ||
	    scan(slash + 1, time_units, &period) == -1 || period < 1 ||
	    period > 366 * 86400)
		return bad_value(p, d, v);
	r->n = (unsigned)n;
	r->period = (unsigned)period;
	return 0;
}

static int
set_number(struct parser *p, const struct directive *d, const char *v)
{
	unsigned long long	n;
	char			*field = (char *)p->c + d->off;

	if (d->kind == RATE)
		return set_rate(p, d, v);
	if (scan(v, units(d), &n) == -1 || n < d->min || n > d->max)
		return bad_value(p, d, v);
	if (d->kind == OCTETS || d->kind == SIZE)
		*(size_t *)(void *)field = n;
	else
		*(unsigned *)(void *)field = n;
	return 0;
}

static int
set(struct parser *p, const struct directive *d, const char *v)
{
	struct conf	*c = p->c;
	struct mailbox	 mb;
	size_t		 i;

	switch (d->kind) {
	case HOSTNAME:
		if (!valid_hostname(v))
			return bad_value(p, d, v);
		memcpy(c->hostname, v, strlen(v) + 1);
		return 0;
	case BOOLEAN:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return bad_value(p, d, v);
		*(int *)(void *)((char *)c + d->off) = strcmp(v, "yes") == 0;
		return 0;
	case CHOICE:
		for (i = 0; d->choices[i].word != NULL; i++) {
			if (strcmp(v, d->choices[i].word) == 0) {
				*(int *)(void *)((char *)c + d->off) =
				    d->choices[i].value;
				return 0;
			}
		}
		return bad_value(p, d, v);
	case DNSBL:
		if (!valid_hostname(v))
			return bad_value(p, d, v);
		if (c->ndnsbl == CONF_DNSBL_MAX)
			return fail(p, "dnsbl: more than %d zones",
			    CONF_DNSBL_MAX);
		c->dnsbl[c->ndnsbl++] = v;
		return 0;
	case DURATIONS:
		return set_retry(p, d, v);
	case RATE:
		return set_rate(p, d, v);
	case RELAY:
		if (!list_cidr_valid(v))
			return bad_value(p, d, v);
		if (c->nrelay_clients == CONF_RELAY_MAX)
			return fail(p, "%s: more than %d networks", d->name,
			    CONF_RELAY_MAX);
		c->relay_clients[c->nrelay_clients++] = v;
		return 0;
	case PROXY_FROM:
		if (!list_cidr_valid(v))
			return bad_value(p, d, v);
		if (c->nproxy_from == CONF_PROXY_MAX)
			return fail(p, "%s: more than %d networks", d->name,
			    CONF_PROXY_MAX);
		c->proxy_from[c->nproxy_from++] = v;
		return 0;
	case DOMAIN:
		if (!valid_hostname(v) || v[0] == '[')
			return bad_value(p, d, v);
		lowercase((char *)v);
		*(const char **)(void *)((char *)c + d->off) = v;
		return 0;
	case FOLDER:
		if (!valid_folder(v))
			return bad_value(p, d, v);
		*(const char **)(void *)((char *)c + d->off) = v;
		return 0;
	case SCREENED:
		if (pattern((char *)v) == -1)
			return bad_value(p, d, v);
		if (c->nscreener_rcpts == CONF_SCREENED_MAX)
			return fail(p, "%s: more than %d patterns", d->name,
			    CONF_SCREENED_MAX);
		c->screener_rcpts[c->nscreener_rcpts++] = v;
		return 0;
	case SEALER:
		if (!valid_hostname(v) || v[0] == '[')
			return bad_value(p, d, v);
		if (c->nsealers == CONF_SEALERS_MAX)
			return fail(p, "%s: more than %d domains", d->name,
			    CONF_SEALERS_MAX);
		c->arc_sealers[c->nsealers++] = v;
		return 0;
	case MILTER:
		if (!valid_milter(v))
			return bad_value(p, d, v);
		if (c->nmilters == CONF_MILTERS_MAX)
			return fail(p, "%s: more than %d filters", d->name,
			    CONF_MILTERS_MAX);
		c->milters[c->nmilters++] = v;
		return 0;
	case PATH:
	case STORE:
	case TEXT:
	case ADDRESS:
		if (*v == '\0' || (d->kind == ADDRESS && addr_parse_mailbox(v,
		    strlen(v), ADDR_ALLOW_UTF8, &mb) != ADDR_OK))
			return bad_value(p, d, v);
		if (d->kind == PATH && *v != '/')
			return fail(p, "%s: expected an absolute path, got "
			    "'%.*s'", d->name, SHOW, v);
		if (d->kind == STORE && *v != '/' && !store_is_uri(v))
			return fail(p, "%s: expected an absolute path or a "
			    "postgresql:// URI, got '%.*s'", d->name, SHOW, v);
		*(const char **)(void *)((char *)c + d->off) = v;
		return 0;
	case DELIMITER:
		if (addr_delimiter_parse(v) == -1)
			return bad_value(p, d, v);
		c->recipient_delimiter = addr_delimiter_parse(v);
		return 0;
	case LOGLEVEL:
		for (i = 0; i < NELEM(levels); i++) {
			if (strcmp(v, levels[i]) == 0) {
				c->log_level = (enum log_level)i;
				return 0;
			}
		}
		return bad_value(p, d, v);
	default:
		return set_number(p, d, v);
	}
}

static void
lowercase(char *s)
{
	for (; *s != '\0'; s++)
		*s = lower((unsigned char)*s);
}

/*
 * "@domain" or an address (samotop.conf(5), ADDRESSES): what a route
 * pattern or a sender or recipient list entry names.  The comparison
 * canonicalizes both sides (address.h), so an entry is kept as written.
 */
static int
valid_address_pattern(const char *s)
{
	struct mailbox	mb;

	if (s[0] == '@')
		return s[1] != '\0' && strlen(s + 1) <= ADDR_DOMAIN_MAX &&
		    s[1 + strcspn(s + 1, " \t@")] == '\0';
	return addr_parse_mailbox(s, strlen(s), ADDR_ALLOW_UTF8, &mb) ==
	    ADDR_OK;
}

/*
 * Check a route pattern and write it in canonical form (without case
 * folding, which local-part-case decides, maybe on a later line), so
 * that one pattern written two ways is found twice.  The canonical form
 * is never longer.  Returns its specificity, or -1.  A '*' anywhere but
 * alone is refused: "*@domain" would silently match only the local part
 * "*", which is never what was meant.
 */
static int
pattern(char *s)
{
	struct mailbox	mb;

	if (strcmp(s, "*") == 0)
		return 0;
	if (strchr(s, '*') != NULL || !valid_address_pattern(s))
		return -1;
	if (s[0] == '@') {
		lowercase(s);
		return 1;
	}
	if (addr_parse_mailbox(s, strlen(s), ADDR_ALLOW_UTF8, &mb) !=
	    ADDR_OK || mailbox_canonical(&mb, 0, 0, &mb) == -1)
		return -1;
	mailbox_format(&mb, s, strlen(s) + 1);
	return 2;
}

/* w[0] is PATTERN, w[1] PROGRAM, then its arguments. */
static int
route(struct parser *p, const struct directive *d, char **w, int n)
{
	struct conf	*c = p->c;
	struct route	*r;
	int		 spec, i;
	size_t		 k;

	if (n < 2)
		return fail(p, "route: missing value, expected %s", d->what);
	if (n - 1 > CONF_ARGV_MAX)
		return fail(p, "route: more than %d words after the pattern",
		    CONF_ARGV_MAX);
	if ((spec = pattern(w[0])) == -1)
		return fail(p, "route: expected a pattern '*', '@domain' or "
		    "'local@domain', got '%.*s'", SHOW, w[0]);
	if (w[1][0] != '/')
		return fail(p, "route: PROGRAM must be an absolute path, "
		    "got '%.*s'", SHOW, w[1]);
	for (k = 0; k < c->nroutes; k++)
		if (strcmp(c->routes[k].pattern, w[0]) == 0)
			return fail(p, "route: pattern '%.*s' already routed "
			    "on line %u", SHOW, w[0], c->routes[k].line);
	if (c->nroutes == CONF_ROUTES_MAX)
		return fail(p, "route: more than %d routes", CONF_ROUTES_MAX);
	r = &c->routes[c->nroutes++];
	r->pattern = w[0];
	r->specificity = spec;
	r->line = p->line;
	for (i = 0; i < n - 1; i++)
		r->argv[i] = w[i + 1];
	for (; i <= CONF_ARGV_MAX; i++)
		r->argv[i] = NULL;
	return 0;
}

/*
 * alias ADDRESS TARGET...: ADDRESS (canonical, as a route pattern) is
 * delivered to each TARGET, an address (local or not).  Expanded by
 * samotop-send (samotop.conf(5), QUEUE AND RELAY).
 */
static int
alias(struct parser *p, const struct directive *d, char **w, int n)
{
	struct conf	*c = p->c;
	struct alias	*a;
	size_t		 k;
	int		 i;

	if (n < 2)
		return fail(p, "%s: expected %s", d->name, d->what);
	if (n - 1 > CONF_ALIAS_TARGETS)
		return fail(p, "%s: more than %d targets", d->name,
		    CONF_ALIAS_TARGETS);
	if (pattern(w[0]) != 2)
		return fail(p, "%s: expected an address local@domain, got "
		    "'%.*s'", d->name, SHOW, w[0]);
	for (i = 1; i < n; i++)
		if (!valid_address_pattern(w[i]) || w[i][0] == '@')
			return fail(p, "%s: expected a target address, got "
			    "'%.*s'", d->name, SHOW, w[i]);
	for (k = 0; k < c->naliases; k++)
		if (strcmp(c->aliases[k].address, w[0]) == 0)
			return fail(p, "%s: '%.*s' already an alias on line "
			    "%u", d->name, SHOW, w[0], c->aliases[k].line);
	if (c->naliases == CONF_ALIASES_MAX)
		return fail(p, "%s: more than %d aliases", d->name,
		    CONF_ALIASES_MAX);
	a = &c->aliases[c->naliases++];
	a->address = w[0];
	a->line = p->line;
	for (i = 1; i < n; i++)
		a->targets[i - 1] = w[i];
	a->targets[n - 1] = NULL;
	return 0;
}

/*
 * sender-login PATTERN LOGIN... (who may send as an address or a
 * domain: submission.c), or sender-login file:PATH of such lines, read
 * when a session needs it.  Logins are kept as written; a pattern is
 * lowercased (addresses compare without case here).
 */
static int
sender_login(struct parser *p, const struct directive *d, char **w, int n)
{
	struct conf		*c = p->c;
	struct sender_login	*e;
	int			 k;

	if (n < 1)
		return fail(p, "%s: expected %s", d->name, d->what);
	if (c->nsender_logins == CONF_SENDER_LOGINS_MAX)
		return fail(p, "%s: more than %d lines", d->name,
		    CONF_SENDER_LOGINS_MAX);
	c->lines[d - directives] = p->line;
	e = &c->sender_logins[c->nsender_logins];
	e->is_file = strncmp(w[0], "file:", 5) == 0;
	e->pattern = e->is_file ? w[0] + 5 : w[0];
	e->line = p->line;
	if (e->is_file && (n != 1 || e->pattern[0] != '/'))
		return fail(p, "%s: expected file:/absolute/path alone, got "
		    "'%.*s'", d->name, SHOW, w[0]);
	if (!e->is_file && (n < 2 || !valid_address_pattern(w[0]) ||
	    strcmp(w[0], "*") == 0))
		return fail(p, "%s: expected an address or @domain and one "
		    "login or more, got '%.*s'", d->name, SHOW, w[0]);
	if (n - 1 > CONF_LOGINS_MAX)
		return fail(p, "%s: more than %d logins", d->name,
		    CONF_LOGINS_MAX);
	if (!e->is_file)
		lowercase(w[0]);
	for (k = 1; k < n; k++)
		e->logins[k - 1] = w[k];
	e->logins[n > 1 ? n - 1 : 0] = NULL;
	c->nsender_logins++;
	return 0;
}

/* PROGRAM [ARG...]: an argv kept in the text, as a route's. */
static int
command(struct parser *p, const struct directive *d, char **w, int n)
{
	const char	**argv = (const char **)(void *)((char *)p->c +
			    d->off);
	size_t		 i = d - directives;
	int		 k;

	if (p->seen[i] != 0)
		return fail(p, "%s: given twice (first on line %u)", d->name,
		    p->seen[i]);
	p->seen[i] = p->c->lines[i] = p->line;
	if (n < 1)
		return fail(p, "%s: missing value, expected %s", d->name,
		    d->what);
	if (n > CONF_ARGV_MAX)
		return fail(p, "%s: more than %d words", d->name,
		    CONF_ARGV_MAX);
	if (w[0][0] != '/')
		return fail(p, "%s: PROGRAM must be an absolute path, got "
		    "'%.*s'", d->name, SHOW, w[0]);
	for (k = 0; k < n; k++)
		argv[k] = w[k];
	for (; k <= CONF_ARGV_MAX; k++)
		argv[k] = NULL;
	return 0;
}

/*
 * dkim-sign DOMAIN SELECTOR KEYFILE: a key that signs mail from DOMAIN
 * (dkims.h).  A domain may have a few (an RSA and an Ed25519 key: one
 * signature each), each selector once; the key file is read by
 * `samotop-smtpd -n` and by a signer, not here.
 */
static int
dkim_sign(struct parser *p, const struct directive *d, char **w, int n)
{
	struct conf		*c = p->c;
	struct conf_dkim_sign	*k;
	size_t			 i, same = 0;

	if (n != 3)
		return fail(p, "%s: expected %s", d->name, d->what);
	if (!valid_hostname(w[0]) || w[0][0] == '[')
		return fail(p, "%s: expected a domain name, got '%.*s'",
		    d->name, SHOW, w[0]);
	if (!valid_hostname(w[1]) || w[1][0] == '[')
		return fail(p, "%s: expected a selector (labels of letters, "
		    "digits and '-'), got '%.*s'", d->name, SHOW, w[1]);
	if (w[2][0] != '/')
		return fail(p, "%s: KEYFILE must be an absolute path, got "
		    "'%.*s'", d->name, SHOW, w[2]);
	lowercase(w[0]);
	lowercase(w[1]);
	for (i = 0; i < c->ndkim_sign; i++) {
		if (strcmp(c->dkim_sign[i].domain, w[0]) != 0)
			continue;
		if (strcmp(c->dkim_sign[i].selector, w[1]) == 0)
			return fail(p, "%s: %s with selector %s already on "
			    "line %u", d->name, w[0], w[1],
			    c->dkim_sign[i].line);
		same++;
	}
	if (same == CONF_DKIM_SIGN_DOMAIN)
		return fail(p, "%s: more than %d keys for %s", d->name,
		    CONF_DKIM_SIGN_DOMAIN, w[0]);
	if (c->ndkim_sign == CONF_DKIM_SIGN_MAX)
		return fail(p, "%s: more than %d keys", d->name,
		    CONF_DKIM_SIGN_MAX);
	k = &c->dkim_sign[c->ndkim_sign++];
	k->domain = w[0];
	k->selector = w[1];
	k->keyfile = w[2];
	k->line = p->line;
	p->c->lines[d - directives] = p->line;
	return 0;
}

/* An entry's syntax, by kind; files are checked when they are read. */
static int
valid_entry(enum list_kind kind, const char *v)
{
	switch (kind) {
	case LIST_CLIENT:
		return list_cidr_valid(v);
	case LIST_HELO:
	case LIST_RDNS:
		return valid_hostname(v[0] == '.' ? v + 1 : v);
	default:
		return valid_address_pattern(v);
	}
}

/* allow|deny KIND VALUE, or KIND file:PATH. */
static int
list(struct parser *p, const struct directive *d, char **w, int n)
{
	struct conf	*c = p->c;
	struct list_entry *e;
	size_t		 k;

	if (n != 2)
		return fail(p, "%s: expected %s", d->name, d->what);
	for (k = 0; list_kinds[k].word != NULL; k++)
		if (strcmp(w[0], list_kinds[k].word) == 0)
			break;
	if (list_kinds[k].word == NULL)
		return fail(p, "%s: expected client, helo, rdns, sender or "
		    "recipient, got '%.*s'", d->name, SHOW, w[0]);
	if (c->nlists == CONF_LISTS_MAX)
		return fail(p, "%s: more than %d list lines", d->name,
		    CONF_LISTS_MAX);
	e = &c->lists[c->nlists];
	e->kind = (enum list_kind)list_kinds[k].value;
	e->allow = d->name[0] == 'a';
	e->is_file = strncmp(w[1], "file:", 5) == 0;
	e->value = e->is_file ? w[1] + 5 : w[1];
	e->line = p->line;
	if (e->is_file && e->value[0] != '/')
		return fail(p, "%s: expected file:/absolute/path, got '%.*s'",
		    d->name, SHOW, w[1]);
	if (!e->is_file && !valid_entry(e->kind, e->value))
		return fail(p, "%s %s: not a valid entry: '%.*s'", d->name,
		    w[0], SHOW, w[1]);
	if ((e->kind == LIST_HELO || e->kind == LIST_RDNS) && !e->is_file)
		lowercase(w[1]);
	c->nlists++;
	return 0;
}

static const struct directive *
directive(const char *name)
{
	size_t	i;

	for (i = 0; i < NELEM(directives); i++)
		if (strcmp(name, directives[i].name) == 0)
			return &directives[i];
	return NULL;
}

unsigned
conf_line(const struct conf *c, const char *name)
{
	const struct directive *d = directive(name);

	return d != NULL ? c->lines[d - directives] : 0;
}

/* One NUL-terminated line. */
static int
line(struct parser *p, char *s)
{
	const struct directive	*d;
	char			*w[WORDS_MAX], what[128];
	int			 n;
	size_t			 i;

	if ((n = split(p, s, w)) <= 0)
		return n;
	if ((d = directive(w[0])) == NULL)
		return fail(p, "unknown directive '%.*s'", SHOW, w[0]);
	if (d->kind == ROUTE)
		return route(p, d, w + 1, n - 1);
	if (d->kind == LIST)
		return list(p, d, w + 1, n - 1);
	if (d->kind == COMMAND)
		return command(p, d, w + 1, n - 1);
	if (d->kind == ALIAS)
		return alias(p, d, w + 1, n - 1);
	if (d->kind == SENDERLOGIN)
		return sender_login(p, d, w + 1, n - 1);
	if (d->kind == DKIMSIGN)
		return dkim_sign(p, d, w + 1, n - 1);
	i = d - directives;
	if (d->kind == DNSBL || d->kind == MILTER || d->kind == SEALER ||
	    d->kind == SCREENED || d->kind == RELAY || d->kind == PROXY_FROM)
		p->seen[i] = 0;		/* repeatable */
	if (p->seen[i] != 0)
		return fail(p, "%s: given twice (first on line %u)", d->name,
		    p->seen[i]);
	p->seen[i] = p->line;
	p->c->lines[i] = p->line;
	if (n < 2) {
		expected(d, what, sizeof(what));
		return fail(p, "%s: missing value, expected %s", d->name,
		    what);
	}
	if (n > 2)
		return fail(p, "%s: too many arguments", d->name);
	return set(p, d, w[1]);
}

/*
 * Check the octets of s[0..e) and NUL-terminate the line: over its LF,
 * the CR before it, or text[len] for a last line without LF.
 */
static int
terminate(struct parser *p, char *s, char *e, int lf)
{
	unsigned char	ch;
	char		*q;

	if (lf && e > s && e[-1] == '\r')
		e--;
	for (q = s; q < e; q++) {
		ch = *q;
		if (ch == '\0')
			return fail(p, "NUL byte in text");
		if ((ch < ' ' && ch != '\t') || ch == 0x7f)
			return fail(p, "control character 0x%02x in text",
			    ch);
	}
	*e = '\0';
	return 0;
}

/*
 * Whether some route takes the postmaster directive's address: without
 * one, every message to the postmaster would be refused.
 */
static int
postmaster_routed(const struct conf *c)
{
	struct mailbox	mb;

	return c->postmaster == NULL || (addr_parse_mailbox(c->postmaster,
	    strlen(c->postmaster), ADDR_ALLOW_UTF8, &mb) == ADDR_OK &&
	    route_lookup(c, &mb) != NULL);
}

/* The basename of a program path. */
static const char *
base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * What would make an open relay: the queue behind a route every domain
 * takes, or relay-client for every address.  NULL, or why.
 */
static const char *
open_relay(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nroutes; i++)
		if (strcmp(c->routes[i].pattern, "*") == 0 &&
		    strcmp(base(c->routes[i].argv[0]), "samotop-queue") == 0)
			return "route * to samotop-queue takes mail for every "
			    "domain to send it on: an open relay (use "
			    "relay-client and relay-route)";
	for (i = 0; i < c->nrelay_clients; i++) {
		const char *slash = strchr(c->relay_clients[i], '/');

		if (slash != NULL && strcmp(slash, "/0") == 0)
			return "relay-client with a /0 network lets everyone "
			    "relay: an open relay";
	}
	return NULL;
}

/* A proxy-from network of every address: no balancer, but everyone. */
static int
proxy_from_all(const struct conf *c)
{
	const char *slash;
	size_t i;

	for (i = 0; i < c->nproxy_from; i++)
		if ((slash = strchr(c->proxy_from[i], '/')) != NULL &&
		    strcmp(slash, "/0") == 0)
			return 1;
	return 0;
}

int
conf_check(const struct conf *c, struct conf_error *err)
{
	const char *why = NULL;

	if ((c->tls_certificate == NULL) != (c->tls_key == NULL))
		why = "tls-certificate and tls-key go together";
	else if (c->tls_certificate == NULL && c->tls_implicit)
		why = "tls-implicit needs tls-certificate";
	else if (c->tls_certificate == NULL && c->require_tls)
		why = "require-tls needs tls-certificate";
	else if (c->greylist_db == NULL && c->plaintext == ACTION_GREYLIST)
		why = "plaintext greylist needs greylist";
	else if (c->tls_certificate == NULL && c->plaintext == ACTION_REJECT)
		why = "plaintext reject needs tls-certificate";
	else if (c->dmarc && (!c->dkim || !c->spf))
		why = "dmarc needs dkim yes and spf yes";
	else if (c->nsealers > 0 && (!c->arc || !c->dmarc))
		why = "arc-trusted-sealer needs arc yes and dmarc yes";
	else if (c->screener_db != NULL && !c->dmarc)
		why = "screener needs dmarc yes (and so dkim yes and spf yes): "
		    "it trusts only authenticated senders";
	else if (open_relay(c) != NULL)
		why = open_relay(c);
	else if (c->nrelay_clients > 0 && c->relay_route[0] == NULL)
		why = "relay-client needs relay-route: where relayed mail goes";
	else if (c->screener_db != NULL && c->recipient_delimiter == 0)
		why = "screener needs a recipient-delimiter: a held copy goes "
		    "to user+FOLDER";
	else if ((c->screener_tls_cert == NULL) != (c->screener_tls_key ==
	    NULL))
		why = "screener-tls-certificate and screener-tls-key go "
		    "together";
	else if (c->proxy_protocol && c->nproxy_from == 0)
		why = "proxy-protocol needs proxy-from: the balancers whose "
		    "headers are believed";
	else if (!c->proxy_protocol && c->nproxy_from > 0)
		why = "proxy-from needs proxy-protocol yes";
	else if (proxy_from_all(c))
		why = "proxy-from with a /0 network believes anyone's PROXY "
		    "header: any client could claim any address";
	else if (!postmaster_routed(c))
		why = "postmaster: no route delivers that address";
	else if (c->auth_checkpassword[0] != NULL && c->auth_dovecot != NULL)
		why = "auth-checkpassword and auth-dovecot: choose one";
	else if (c->auth_dovecot != NULL && (strncmp(c->auth_dovecot,
	    "unix:/", 6) != 0 || strlen(c->auth_dovecot) > 6 + 100))
		why = "auth-dovecot: expected unix:/PATH (a socket path of at "
		    "most 100 octets)";
	else if ((c->auth_checkpassword[0] != NULL || c->auth_dovecot !=
	    NULL) && c->tls_certificate == NULL)
		why = "auth-checkpassword or auth-dovecot needs "
		    "tls-certificate: AUTH is offered only under TLS";
	err->line = 0;
	snprintf(err->msg, sizeof(err->msg), "%s", why != NULL ? why : "");
	return why != NULL ? -1 : 0;
}

int
conf_parse(struct conf *c, char *text, size_t len, struct conf_error *err)
{
	struct parser	 p;
	char		*s = text, *e, *end = text + len;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.err = err;
	while (s < end) {
		p.line++;
		e = memchr(s, '\n', end - s);
		if (terminate(&p, s, e != NULL ? e : end, e != NULL) == -1 ||
		    line(&p, s) == -1)
			return -1;
		if (e == NULL)
			break;
		s = e + 1;
	}
	return conf_check(c, err);
}

/*
 * On failure *buf is NULL and c must not be used: its routes may point
 * into the text that was freed.
 */
int
conf_load(struct conf *c, const char *path, char **buf,
    struct conf_error *err)
{
	char	*text, why[64];
	size_t	 got;
	int	 rc;

	*buf = NULL;
	if ((rc = fd_read_file(path, CONF_FILE_MAX, &text, &got)) != 0) {
		err->line = 0;
		snprintf(err->msg, sizeof(err->msg), "%s",
		    fd_read_file_error(rc, CONF_FILE_MAX, why, sizeof(why)));
		return -1;
	}
	if (conf_parse(c, text, got, err) == -1) {
		free(text);
		return -1;
	}
	*buf = text;
	return 0;
}
