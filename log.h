/*
 * log.h: one line per event on fd 2, as key=value fields that a program
 * can parse.  Values are quoted when they hold blanks or quotes, and
 * every control or non-ASCII octet is escaped as \xHH, so nothing a
 * client sends can forge a log line.  When fd 2 is journald's stream
 * (JOURNAL_STREAM names it), each line starts with its sd-daemon(3)
 * priority "<N>"; with the syslog sink, lines go to syslog(3) with
 * facility mail and the priority of their level instead.
 */
#ifndef SAMOTOP_LOG_H
#define SAMOTOP_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX	2048

/* Not LOG_*: those are <syslog.h>'s priorities. */
enum log_level { LVL_ERROR, LVL_WARN, LVL_INFO, LVL_DEBUG };

/* Where lines go: the fd, or syslog(3). */
enum log_sink { LOG_SINK_FD, LOG_SINK_SYSLOG };

struct logger {
	int		fd;
	enum log_level	level;
	enum log_sink	sink;
	int		journal;	/* fd is journald's: "<N>" first */
	char		prefix[64];	/* "sid=..." or "prog=..." */
};

/* Lines to fd, with "<N>" when log_journal_stream(fd). */
void	log_init(struct logger *lg, int fd, enum log_level level,
	    const char *prefix);
/*
 * Send lg's lines to syslog(3) from now on: openlog(ident, LOG_PID,
 * LOG_MAIL).  ident must outlive the logger.
 */
void	log_use_syslog(struct logger *lg, const char *ident);
/*
 * A delivery helper's logger on fd 2: "prog=PROG", then "sid=SID" when
 * samotop-smtpd passed its session id in SAMOTOP_SID, so that the
 * helper's lines join the session's; the level samotop-smtpd passed in
 * SAMOTOP_LOG_LEVEL (default info); syslog when SAMOTOP_LOG is
 * "syslog".
 */
void	log_init_helper(struct logger *lg, const char *prog);
/*
 * log_event(lg, LVL_INFO, "rcpt", "to", addr, "code", "250", NULL):
 * pairs of key and value; a NULL value skips its pair.
 */
void	log_event(const struct logger *lg, enum log_level level,
	    const char *event, ...);
/*
 * 1 when JOURNAL_STREAM ("DEV:INODE") names the file open on fd, as
 * systemd sets it for a service whose stderr is the journal.
 */
int	log_journal_stream(int fd);
/* The syslog(3) (and sd-daemon(3)) priority of a level: 3, 4, 6, 7. */
int	log_priority(enum log_level level);
/* "error", "warn", "info" or "debug". */
const char *log_level_name(enum log_level level);
/* Append one escaped value to buf; returns the new length.  Pure. */
size_t	log_escape(char *buf, size_t len, size_t size, const char *value);

#endif
