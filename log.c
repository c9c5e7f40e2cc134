/*
 * log.c: key=value event lines.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char *level_names[] = { "error", "warn", "info", "debug" };

const char *
log_level_name(enum log_level level)
{
	return level_names[level];
}

/* In enum log_level order. */
static const int priorities[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

int
log_priority(enum log_level level)
{
	return priorities[level];
}

int
log_journal_stream(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (env == NULL)
		return 0;
	dev = strtoull(env, &end, 10);
	if (end == env || *end != ':')
		return 0;
	env = end + 1;
	ino = strtoull(env, &end, 10);
	if (end == env || *end != '\0' || fstat(fd, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(struct logger *lg, int fd, enum log_level level, const char *prefix)
{
	lg->fd = fd;
	lg->level = level;
	lg->sink = LOG_SINK_FD;
	lg->journal = log_journal_stream(fd);
	snprintf(lg->prefix, sizeof(lg->prefix), "%s", prefix);
	lg->notrace = 0;
	lg->hash = NULL;
	lg->hash_arg = NULL;
	lg->npersonal = 0;
}

void
log_use_syslog(struct logger *lg, const char *ident)
{
	openlog(ident, LOG_PID, LOG_MAIL);
	lg->sink = LOG_SINK_SYSLOG;
}

/* A session id as samotop-smtpd makes them: up to 32 of [0-9A-Z]. */
static int
valid_sid(const char *sid)
{
	size_t i;

	for (i = 0; sid[i] != '\0'; i++)
		if (i >= 32 || !((sid[i] >= '0' && sid[i] <= '9') ||
		    (sid[i] >= 'A' && sid[i] <= 'Z')))
			return 0;
	return i > 0;
}

/* The level named by SAMOTOP_LOG_LEVEL; info when unset or unknown. */
static enum log_level
env_level(void)
{
	const char *name = getenv("SAMOTOP_LOG_LEVEL");
	size_t i;

	for (i = 0; name != NULL && i <= LVL_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return (enum log_level)i;
	return LVL_INFO;
}

void
log_init_helper(struct logger *lg, const char *prog)
{
	const char *sid = getenv("SAMOTOP_SID"), *sink = getenv("SAMOTOP_LOG");
	char prefix[sizeof(lg->prefix)];

	if (sid != NULL && valid_sid(sid))
		snprintf(prefix, sizeof(prefix), "prog=%s sid=%s", prog, sid);
	else
		snprintf(prefix, sizeof(prefix), "prog=%s", prog);
	log_init(lg, 2, env_level(), prefix);
	if (sink != NULL && strcmp(sink, "syslog") == 0)
		log_use_syslog(lg, prog);
	if (log_notrace_env(NULL) > 0)
		log_notrace(lg, NULL, NULL);
}

int
log_notrace_parse(const char *s, unsigned long *g)
{
	unsigned long v = 0;

	if (s == NULL || s[0] == '\0') {
		*g = 0;
		return 0;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > LOG_NOTRACE_MAX)
			return -1;
	}
	*g = v;
	return 0;
}

unsigned long
log_notrace_env(int *malformed)
{
	unsigned long g;
	int bad = log_notrace_parse(getenv(LOG_NOTRACE_ENV), &g) == -1;

	if (malformed != NULL)
		*malformed = bad;
	return bad ? LOG_NOTRACE_DEFAULT : g;
}

void
log_notrace(struct logger *lg, log_hash_fn *hash, void *arg)
{
	lg->notrace = 1;
	lg->hash = hash;
	lg->hash_arg = arg;
}

/* The fields whose whole value is personal (log.h, log_notrace()). */
static const char *const personal_fields[] = {
	"client", "remote", "port", "host", "helo", "name", "from", "to",
	"rcpt", "sender", "recipient", "value", "path",
	"maildir", "folder", "addr", "file", "fpr",
};

static int
is_personal_field(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(personal_fields) / sizeof(personal_fields[0]);
	    i++)
		if (strcmp(key, personal_fields[i]) == 0)
			return 1;
	return 0;
}

/* ASCII only: the locale must not change what is hidden. */
static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static void
remember(struct logger *lg, const char *v, size_t len, int exact)
{
	unsigned i, n = lg->npersonal < LOG_PERSONAL_MAX ? lg->npersonal :
	    LOG_PERSONAL_MAX;
	char low[LOG_PERSONAL_LEN];
	size_t k;

	if (len == 0 || len >= LOG_PERSONAL_LEN)
		return;
	for (k = 0; k < len; k++)
		low[k] = (char)lower((unsigned char)v[k]);
	low[len] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(lg->personal[i].value, low) == 0) {
			/* a local part that is also a value: any word */
			lg->personal[i].exact &= exact || len < 6;
			return;
		}
	}
	i = lg->npersonal < LOG_PERSONAL_MAX ? lg->npersonal :
	    LOG_PERSONAL_PINNED + (lg->npersonal - LOG_PERSONAL_PINNED) %
	    (LOG_PERSONAL_MAX - LOG_PERSONAL_PINNED);
	lg->npersonal++;
	memcpy(lg->personal[i].value, low, len + 1);
	lg->personal[i].exact = exact || len < 6;
}

void
log_personal(struct logger *lg, const char *value)
{
	const char *at;

	if (!lg->notrace || value == NULL)
		return;
	remember(lg, value, strlen(value), 0);
	if ((at = strrchr(value, '@')) != NULL) {
		remember(lg, value, (size_t)(at - value), 1);
		remember(lg, at + 1, strlen(at + 1), 0);
	}
}

/* "~" and the hash of v[0..len), lowercased, into out. */
static size_t
hashed(const struct logger *lg, const char *v, size_t len, char *out,
    size_t size)
{
	char low[LOG_PERSONAL_LEN], h[LOG_HASH_MAX] = "";
	size_t k;

	if (lg->hash != NULL && len < sizeof(low)) {
		for (k = 0; k < len; k++)
			low[k] = (char)lower((unsigned char)v[k]);
		low[len] = '\0';
		lg->hash(lg->hash_arg, low, h, sizeof(h));
	}
	return (size_t)snprintf(out, size, "~%s", h);
}

/* Whether w[0..len) holds n (lowercase) in any case. */
static int
holds(const char *w, size_t len, const char *n)
{
	size_t nlen = strlen(n), i, k;

	for (i = 0; i + nlen <= len; i++) {
		for (k = 0; k < nlen && lower((unsigned char)w[i + k]) ==
		    (unsigned char)n[k]; k++)
			;
		if (k == nlen)
			return 1;
	}
	return 0;
}

/* Punctuation around a word: "<bob@example.org>:" is the address. */
static int
is_wrap(int ch)
{
	return ch != '\0' && strchr("<>()[]{}\"',;:.!?", ch) != NULL;
}

/* One word of free text: itself, or "~" and a hash. */
static size_t
scrub_word(const struct logger *lg, const char *w, size_t len, char *out,
    size_t size)
{
	size_t b = 0, e = len, i, n;
	const char *v;

	while (b < e && is_wrap((unsigned char)w[b]))
		b++;
	while (e > b && is_wrap((unsigned char)w[e - 1]))
		e--;
	n = lg->npersonal < LOG_PERSONAL_MAX ? lg->npersonal :
	    LOG_PERSONAL_MAX;
	for (i = 0; i < n; i++) {
		v = lg->personal[i].value;
		if (lg->personal[i].exact ? e - b == strlen(v) &&
		    holds(w + b, e - b, v) : holds(w, len, v))
			return hashed(lg, v, strlen(v), out, size);
	}
	if (memchr(w, '@', len) != NULL)
		return hashed(lg, w + b, e - b, out, size);
	return (size_t)snprintf(out, size, "%.*s", (int)len, w);
}

size_t
log_scrub(const struct logger *lg, const char *v, char *out, size_t size)
{
	size_t len = 0, n, w;

	out[0] = '\0';
	while (*v != '\0' && len + 1 < size) {
		if (*v == ' ' || *v == '\t') {
			out[len++] = *v++;
			out[len] = '\0';
			continue;
		}
		n = strcspn(v, " \t");
		w = scrub_word(lg, v, n, out + len, size - len);
		len = len + w < size ? len + w : size - 1;
		v += n;
	}
	return len;
}

static size_t
put(char *buf, size_t len, size_t size, const char *s, size_t n)
{
	if (len + n >= size)
		n = len + 1 < size ? size - len - 1 : 0;
	memcpy(buf + len, s, n);
	return len + n;
}

static int
needs_quotes(const char *v)
{
	return *v == '\0' || strpbrk(v, " \"=") != NULL;
}

size_t
log_escape(char *buf, size_t len, size_t size, const char *v)
{
	int quoted = needs_quotes(v);
	char hex[5];

	if (quoted)
		len = put(buf, len, size, "\"", 1);
	for (; *v != '\0'; v++) {
		unsigned char ch = *v;

		if (ch < 0x20 || ch >= 0x7f || ch == '\\') {
			snprintf(hex, sizeof(hex), "\\x%02x", ch);
			len = put(buf, len, size, hex, 4);
		} else if (ch == '"')
			len = put(buf, len, size, "\\\"", 2);
		else
			len = put(buf, len, size, v, 1);
	}
	if (quoted)
		len = put(buf, len, size, "\"", 1);
	return len;
}

void
log_event(const struct logger *lg, enum log_level level, const char *event,
    ...)
{
	char line[LOG_LINE_MAX];
	const char *key, *val;
	char clean[LOG_LINE_MAX];
	size_t len = 0;
	va_list ap;

	if (level > lg->level)
		return;
	if (lg->sink == LOG_SINK_FD && lg->journal)
		len = (size_t)snprintf(line, sizeof(line), "<%d>",
		    log_priority(level));
	len = put(line, len, sizeof(line), "level=", 6);
	len = put(line, len, sizeof(line), level_names[level],
	    strlen(level_names[level]));
	len = put(line, len, sizeof(line), " ", 1);
	len = put(line, len, sizeof(line), lg->prefix, strlen(lg->prefix));
	len = put(line, len, sizeof(line), " event=", 7);
	len = log_escape(line, len, sizeof(line), event);
	va_start(ap, event);
	while ((key = va_arg(ap, const char *)) != NULL) {
		val = va_arg(ap, const char *);
		if (val == NULL)
			continue;
		len = put(line, len, sizeof(line), " ", 1);
		len = put(line, len, sizeof(line), key, strlen(key));
		len = put(line, len, sizeof(line), "=", 1);
		if (lg->notrace) {
			if (is_personal_field(key))
				hashed(lg, val, strlen(val), clean,
				    sizeof(clean));
			else
				log_scrub(lg, val, clean, sizeof(clean));
			val = clean;
		}
		len = log_escape(line, len, sizeof(line), val);
	}
	va_end(ap);
	if (lg->sink == LOG_SINK_SYSLOG) {
		line[len] = '\0';
		syslog(log_priority(level), "%s", line);
		return;
	}
	line[len++] = '\n';
	/* One write per line, so that lines of concurrent sessions interleave
	 * whole; a failed log write must not end the session. */
	(void)!write(lg->fd, line, len);
}
