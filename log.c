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
