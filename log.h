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
#define LOG_PERSONAL_MAX 32	/* values log_personal() remembers */
#define LOG_PERSONAL_PINNED 8	/* the first ones, kept for good */
#define LOG_PERSONAL_LEN 256	/* longest one, with its NUL */
#define LOG_HASH_MAX	 33	/* a hash's digits, with the NUL */
/*
 * What samotop-smtpd sets in its helpers' environment when
 * leave-no-trace is on: the granularity in decimal seconds (>= 1).
 * Unset, empty, 0 or not a number: off.
 */
#define LOG_NOTRACE_ENV	"SAMOTOP_LEAVE_NO_TRACE"

/*
 * A keyed hash of value for the log: hex digits into out (size
 * LOG_HASH_MAX), "" when none can be made.  trace_log_hash() is one.
 */
typedef void	log_hash_fn(void *arg, const char *value, char *out,
		    size_t size);

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
	/* leave-no-trace: see log_notrace() */
	int		notrace;
	log_hash_fn	*hash;		/* NULL: personal values are "~" */
	void		*hash_arg;
	unsigned	npersonal;	/* values given to log_personal() */
	struct {
		char	value[LOG_PERSONAL_LEN];	/* lowercased */
		int	exact;		/* a whole word only, not a part */
	}		personal[LOG_PERSONAL_MAX];	/* pinned, then a
							   ring */
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
 * "syslog"; leave-no-trace (log_notrace() without a hash: a helper has
 * no key) when LOG_NOTRACE_ENV says so.
 */
void	log_init_helper(struct logger *lg, const char *prog);
/*
 * leave-no-trace: from now on no personal datum (an address, a client's
 * IP address, port or name, a HELO name, a mailbox path) appears in
 * lg's lines.  The value of a personal field (client, remote, port,
 * host, helo, name, from, to, rcpt, sender, recipient, value,
 * path, maildir, folder, addr, file, fpr) is written as "~" and the hash of the
 * lowercased value when hash is given ("client=~3fa94c1b2d07"), else
 * as "~".  Every other value is scrubbed word by word: a word that
 * holds an '@', or one of the values given to log_personal(), becomes
 * "~" and that value's hash.  No allocation: the words are rewritten on
 * the stack.
 */
void	log_notrace(struct logger *lg, log_hash_fn *hash, void *arg);
/*
 * Remember value (the client's address or name, a HELO, an address) as
 * personal, so that free text that quotes it is scrubbed: any word
 * holding it (any case) is, or, for a value shorter than 6 octets or
 * the local part of an address (remembered too, as is its domain), a
 * word that is it.  The first LOG_PERSONAL_PINNED values (a session's
 * client address, names, HELO: given first) are kept, and the last
 * ones in the remaining room; no-op when leave-no-trace is off, for ""
 * and for a value already known.
 */
void	log_personal(struct logger *lg, const char *value);
/* a malformed LOG_NOTRACE_ENV: on, with a day (it fails closed) */
#define LOG_NOTRACE_DEFAULT	86400UL
#define LOG_NOTRACE_MAX		2147483647UL	/* largest granularity */
/*
 * A granularity as written (LOG_NOTRACE_ENV, or a helper's option): NULL,
 * "" and "0" are 0 (off); else decimal digits only, 1 to
 * LOG_NOTRACE_MAX.  -1: anything else, *g untouched.
 */
int	log_notrace_parse(const char *s, unsigned long *g);
/*
 * The granularity LOG_NOTRACE_ENV gives: seconds, 0 for off, and
 * LOG_NOTRACE_DEFAULT when it is malformed (*malformed set then, so
 * that the caller can say so; malformed may be NULL).
 */
unsigned long log_notrace_env(int *malformed);
/*
 * The scrubbed text of value, as log_event() writes a field that is
 * not personal, into out (NUL-terminated); returns its length.
 */
size_t	log_scrub(const struct logger *lg, const char *value, char *out,
	    size_t size);
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
