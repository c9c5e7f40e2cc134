/*
 * log.h: one line per event on fd 2, as key=value fields that a program
 * can parse.  Values are quoted when they hold blanks or quotes, and
 * every control or non-ASCII octet is escaped as \xHH, so nothing a
 * client sends can forge a log line.
 */
#ifndef SAMOTOP_LOG_H
#define SAMOTOP_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX	2048

/* Not LOG_*: those are <syslog.h>'s priorities. */
enum log_level { LVL_ERROR, LVL_WARN, LVL_INFO, LVL_DEBUG };

struct logger {
	int		fd;
	enum log_level	level;
	char		prefix[64];	/* "sid=..." or "prog=..." */
};

void	log_init(struct logger *lg, int fd, enum log_level level,
	    const char *prefix);
/*
 * A delivery helper's logger on fd 2: "prog=PROG", then "sid=SID" when
 * samotop-smtpd passed its session id in SAMOTOP_SID, so that the
 * helper's lines join the session's; the level samotop-smtpd passed in
 * SAMOTOP_LOG_LEVEL (default info).
 */
void	log_init_helper(struct logger *lg, const char *prog);
/*
 * log_event(lg, LVL_INFO, "rcpt", "to", addr, "code", "250", NULL):
 * pairs of key and value; a NULL value skips its pair.
 */
void	log_event(const struct logger *lg, enum log_level level,
	    const char *event, ...);
/* "error", "warn", "info" or "debug". */
const char *log_level_name(enum log_level level);
/* Append one escaped value to buf; returns the new length.  Pure. */
size_t	log_escape(char *buf, size_t len, size_t size, const char *value);

#endif
