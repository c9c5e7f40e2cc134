/*
 * conf.h: samotop.conf(5).  The file is read once per connection, so the
 * parser works in place on one buffer: no allocation per directive.
 */
#ifndef SAMOTOP_CONF_H
#define SAMOTOP_CONF_H

#include <stddef.h>

#include "log.h"
#include "spf.h"

#define CONF_ROUTES_MAX	256	/* route lines in one file */
#define CONF_ARGV_MAX	32	/* words in one route's command line */
#define CONF_LISTS_MAX	1024	/* allow/deny lines in one file */
#define CONF_DNSBL_MAX	16	/* dnsbl zones */
#define CONF_DIRECTIVES_MAX 192 /* room in conf.lines (conf.c asserts) */
#define CONF_MILTERS_MAX 8	/* milter lines */
#define CONF_SEALERS_MAX 16	/* arc-trusted-sealer lines */
#define CONF_SCREENED_MAX 64	/* screener-recipient lines */
#define CONF_RETRY_MAX	16	/* queue-retry's durations */
#define CONF_RELAY_MAX	64	/* relay-client lines */
#define CONF_PROXY_MAX	64	/* proxy-from lines */
#define CONF_ALIASES_MAX 256	/* alias lines */
#define CONF_ALIAS_TARGETS 32	/* targets of one alias */
#define CONF_SENDER_LOGINS_MAX 256	/* sender-login lines */
#define CONF_LOGINS_MAX	16	/* logins of one sender-login line */
/* srs-key's default (created on first use, as trace.h's key) */
#define CONF_SRS_KEY	"/var/lib/samotop/srs.key"
/* sts-cache's default: MTA-STS policies (samotop-remote) */
#define CONF_STS_CACHE	"/var/lib/samotop/sts"
#define CONF_QUEUE_DIR	"/var/spool/samotop/queue"
/* screener-trust-anchor's default: Debian's dns-root-data */
#define CONF_TRUST_ANCHOR	"/usr/share/dns/root.key"
/* spool-dir's default: a disk, not /tmp's memory (samotop.conf(5)) */
#define CONF_SPOOL_DIR	"/var/tmp"
/* store's default: rate counters (store.h) */
#define CONF_STORE	"/var/lib/samotop/store.db"
/* leave-no-trace-key's default (trace.h) */
#define CONF_NOTRACE_KEY	"/var/lib/samotop/leave-no-trace.key"

/* What a check does with what it finds. */
enum check_action {
	ACTION_OFF,		/* do not check */
	ACTION_LOG,		/* check and log, refuse nothing */
	ACTION_REJECT,		/* 5xx */
	ACTION_TEMPFAIL,	/* 4xx */
	ACTION_ACCEPT,		/* accept (SPF: with Received-SPF) */
	ACTION_GREYLIST,	/* greylist it (plaintext sessions) */
	ACTION_QUARANTINE,	/* accept, marked for the Junk folder */
};

enum list_kind {
	LIST_CLIENT,		/* CIDR: 192.0.2.0/24, 2001:db8::/32 */
	LIST_HELO,		/* a HELO name, or .suffix */
	LIST_RDNS,		/* the client's verified name, .suffix */
	LIST_SENDER,		/* address or @domain */
	LIST_RECIPIENT,		/* address or @domain */
	LIST__COUNT
};

struct list_entry {
	enum list_kind	 kind;
	int		 allow;		/* allow (1) or deny (0) */
	int		 is_file;	/* value is a file of entries */
	const char	*value;		/* the entry, or the file's path */
	unsigned	 line;
};

struct alias {
	const char	*address;	/* canonical local@domain */
	const char	*targets[CONF_ALIAS_TARGETS + 1];	/* NULL-ended */
	unsigned	line;
};

/* "N/PERIOD": at most n events a period; n 0: no limit. */
struct conf_rate {
	unsigned	n;
	unsigned	period;			/* seconds */
};

/* sender-login PATTERN LOGIN..., or sender-login file:PATH. */
struct sender_login {
	const char	*pattern;	/* address, @domain, or the file */
	int		 is_file;
	const char	*logins[CONF_LOGINS_MAX + 1];	/* NULL-ended */
	unsigned	 line;
};

struct route {
	const char	*pattern;	/* "*", "@domain" or "local@domain" */
	int		specificity;	/* 0 "*", 1 "@domain", 2 "local@domain" */
	const char	*argv[CONF_ARGV_MAX + 1];	/* NULL-terminated */
	unsigned	line;		/* line in the file, for logs */
};

struct conf {
	char		hostname[256];		/* default: gethostname() */
	size_t		max_command_line;	/* octets incl. CRLF */
	size_t		max_line_length;	/* DATA text line, incl. CRLF */
	size_t		max_message_size;	/* SIZE */
	unsigned	max_recipients;
	unsigned	max_errors;
	unsigned	timeout_command;	/* seconds */
	unsigned	timeout_data;		/* seconds */
	unsigned	timeout_helper;		/* seconds */
	unsigned	deadline_line;		/* seconds for one command line */
	unsigned	deadline_message;	/* seconds, DATA or BDAT..LAST */
	unsigned	deadline_session;	/* seconds for the connection */
	int		strict_crlf;		/* 1: refuse bare CR/LF */
	const char	*tls_certificate;	/* PEM chain, or NULL */
	const char	*tls_key;		/* PEM key, or NULL */
	const char	*tls_protocols;		/* libtls syntax, or NULL */
	const char	*tls_ciphers;		/* libtls syntax, or NULL */
	const char	*tls_ocsp_staple;	/* DER response, or NULL */
	int		tls_implicit;		/* handshake first (port 465) */
	int		require_tls;		/* no MAIL before STARTTLS */
	/* Spam checks (samotop.conf(5), "SPAM CHECKS"). */
	unsigned	greet_delay;		/* seconds; 0: no wait */
	enum check_action unauth_pipelining;	/* off, log, reject */
	enum check_action helo_check;		/* off, log, reject */
	enum check_action rdns;			/* off, log, reject, tempfail */
	int		spf;			/* check SPF at MAIL */
	enum check_action spf_action[SPFR__COUNT];
	const char	*deny_message;		/* text of list refusals */
	const char	*postmaster;		/* "postmaster ADDRESS", or NULL
						   (route.h, route_postmaster()) */
	size_t		ndnsbl;
	const char	*dnsbl[CONF_DNSBL_MAX];
	const char	*greylist_db;		/* NULL: no greylisting */
	unsigned	greylist_delay;		/* seconds before a retry passes */
	unsigned	greylist_window;	/* seconds a retry may come in */
	unsigned	greylist_expire;	/* seconds a passed triplet lives */
	unsigned	greylist_autoallow;	/* passes that allow a network */
	unsigned	greylist_max_pending;	/* its pending triplets */
	enum check_action plaintext;		/* accept, greylist, reject */
	int		auth_results;		/* Authentication-Results: */
	int		recipient_delimiter;	/* '+', or 0 for none */
	int		local_part_fold;	/* 1: ignore the case of a
						   local part (default) */
	enum log_level	log_level;
	/* Content checks (samotop.conf(5), "CONTENT CHECKS"). */
	int		dkim;			/* verify DKIM-Signature: */
	int		dmarc;			/* evaluate DMARC */
	enum check_action dmarc_reject;		/* a fail under p=reject */
	enum check_action dmarc_quarantine;	/* ... under p=quarantine */
	int		arc;			/* verify ARC sets */
	size_t		nsealers;
	const char	*arc_sealers[CONF_SEALERS_MAX];	/* trusted */
	size_t		nmilters;
	const char	*milters[CONF_MILTERS_MAX];	/* unix:, inet: */
	enum check_action milter_default;	/* tempfail, accept */
	unsigned	milter_timeout_connect;	/* seconds */
	unsigned	milter_timeout_command;	/* seconds */
	unsigned	milter_timeout_content;	/* seconds */
	const char	*spool_dir;		/* spool.h's files */
	/* The contacts screener (samotop.conf(5), "SCREENER"). */
	const char	*screener_db;		/* NULL: no screener */
	const char	*screener_folder;	/* default "Screener" */
	int		screener_delete;	/* on deny: delete what waited */
	size_t		nscreener_rcpts;
	const char	*screener_rcpts[CONF_SCREENED_MAX];	/* patterns */
	const char	*screener_checkpassword[CONF_ARGV_MAX + 1];
	const char	*screener_login_domain;	/* a login without '@' */
	const char	*screener_tls_cert;	/* the web page's own TLS */
	const char	*screener_tls_key;
	const char	*screener_trust_anchor;	/* DNSSEC root key */
	const char	*screener_url;		/* the page, for the digest */
	/* The queue and relay (samotop.conf(5), "QUEUE AND RELAY"). */
	const char	*queue_dir;
	unsigned	queue_lifetime;		/* seconds */
	size_t		nqueue_retry;
	unsigned	queue_retry[CONF_RETRY_MAX];	/* seconds; the last
						   repeats */
	unsigned	queue_warn;		/* seconds; 0: no delay DSN */
	unsigned	queue_concurrency;
	unsigned	queue_concurrency_domain;
	const char	*queue_remote[CONF_ARGV_MAX + 1];	/* NULL: the
						   samotop-remote installed */
	size_t		nrelay_clients;
	const char	*relay_clients[CONF_RELAY_MAX];	/* CIDR */
	const char	*relay_route[CONF_ARGV_MAX + 1];	/* relayed mail */
	const char	*sendmail_group;
	int		fold_partial_dsn;	/* fold-partial dsn */
	const char	*srs_key;		/* SRS's HMAC key file */
	const char	*sts_cache;		/* MTA-STS policies' directory */
	const char	*srs_domain;		/* SRS addresses' domain; NULL:
						   hostname */
	size_t		naliases;
	int		leave_no_trace;		/* trace.h, samotop.conf(5) */
	unsigned	notrace_granularity;	/* seconds times round to */
	const char	*notrace_key;		/* the HMAC key's file */
	const char	*store_db;		/* rate counters (store.h) */
	/* Bounces and TLS reports (samotop.conf(5), "QUEUE AND RELAY"). */
	struct conf_rate bounce_limit;		/* DSNs to one address */
	const char	*tlsrpt_dir;		/* TLS-RPT's day files; NULL:
						   none recorded */
	const char	*tlsrpt_from;		/* reports' sender; NULL:
						   postmaster@hostname */
	const char	*tlsrpt_org;		/* organization-name; NULL:
						   the hostname */
	/* Submission (samotop.conf(5), "SUBMISSION"). */
	const char	*auth_checkpassword[CONF_ARGV_MAX + 1];	/* AUTH's
						   checker, or NULL */
	const char	*auth_dovecot;		/* "unix:/PATH", or NULL */
	unsigned	auth_max_failures;	/* per session, then 421 */
	struct conf_rate auth_failure_limit;	/* per client network */
	struct conf_rate user_limit_messages;	/* per login */
	struct conf_rate user_limit_recipients;	/* per login */
	int		received_hide_client;	/* -1: as leave-no-trace */
	size_t		nsender_logins;
	/* DKIM signing (samotop.conf(5), "SUBMISSION"). */
#define CONF_DKIM_SIGN_MAX	16	/* dkim-sign lines */
#define CONF_DKIM_SIGN_DOMAIN	4	/* of them for one domain */
	size_t		ndkim_sign;
	struct conf_dkim_sign {
		const char	*domain;	/* d=, lowercased */
		const char	*selector;	/* s= */
		const char	*keyfile;	/* PEM private key */
		unsigned	 line;
	}		dkim_sign[CONF_DKIM_SIGN_MAX];	/* in file order */
	/* Behind a balancer, rate limits (samotop.conf(5), "SCALE-OUT"). */
	int		proxy_protocol;		/* read a PROXY header */
	unsigned	proxy_timeout;		/* seconds for the header */
	size_t		nproxy_from;
	const char	*proxy_from[CONF_PROXY_MAX];	/* CIDR: balancers */
	/* N per PERIOD seconds ([0], [1]); N 0: no limit */
	struct conf_rate limit_connections;
	struct conf_rate limit_messages;
	struct conf_rate limit_recipients;
	unsigned	limit_prefix4;		/* bits of a client network */
	unsigned	limit_prefix6;
	enum check_action limit_default;	/* the store fails: tempfail,
						   accept */
	/* The shared store (samotop.conf(5), "SCALE-OUT"). */
	/* The sandbox (samotop.conf(5), "SANDBOX"). */
	int		sandbox;		/* seal after set-up (sandbox.h) */
	/* the line each directive was last given on; see conf_line() */
	unsigned	lines[CONF_DIRECTIVES_MAX];
	enum log_sink	log_sink;		/* stderr (default), syslog */
	size_t		nlists;
	size_t		nroutes;
	/*
	 * The tables come last: conf_defaults() clears only what precedes
	 * them, and an entry is written whole when it is added (valid below
	 * its count), so that a session does not fault in 100 KiB of
	 * zeroes it never reads.
	 */
	struct list_entry lists[CONF_LISTS_MAX];
	struct route	routes[CONF_ROUTES_MAX];
	struct alias	aliases[CONF_ALIASES_MAX];
	struct sender_login sender_logins[CONF_SENDER_LOGINS_MAX];
};

struct conf_error {
	unsigned	line;		/* 0: not tied to a line */
	char		msg[200];	/* what was expected */
};

/* Fill in the documented defaults (hostname left empty). */
void		conf_defaults(struct conf *c);
/*
 * Parse text[0..len) in place (words are NUL-terminated inside it, and
 * routes point into it, so text must outlive c).  text must have room
 * for len + 1 octets: a last line without a newline gets its NUL at
 * text[len].  Returns 0, or -1 with *err filled.
 */
int		conf_parse(struct conf *c, char *text, size_t len,
		    struct conf_error *err);
/*
 * What no single line can check: directives that need each other (run
 * by conf_parse, and again after command-line options).  0 or -1.
 */
int		conf_check(const struct conf *c, struct conf_error *err);
/*
 * The line of the file that set directive name (its last line, for a
 * repeatable one), or 0 when the file does not name it.  For messages
 * about a directive that only whole-file checks find (confcheck.h).
 */
unsigned	conf_line(const struct conf *c, const char *name);
/*
 * Read and parse a file.  *buf receives the malloc'd text the routes point
 * into (free it after c).  Returns 0, or -1 with *err filled
 * (line 0 and strerror(errno) when the file cannot be read).
 */
int		conf_load(struct conf *c, const char *path, char **buf,
		    struct conf_error *err);

#endif
