/*
 * maildir.h: samotop-maildir's work.  Which Maildir a recipient's copy
 * goes to (templates and safety checks), and the delivery of the copies
 * of one message: one file per recipient, written under that recipient's
 * own tmp/ while the content streams in, then fsync, link into new/,
 * unlink from tmp/, fsync new/.  Each copy starts with the final
 * delivery's Return-Path: (RFC 5321 §4.4) and a Delivered-To: naming its
 * recipient; a message whose header already names that recipient in
 * loop_max Delivered-To: fields is refused for it as a mail loop.  A
 * message whose header has an X-Samotop-Quarantine: field (samotop-smtpd
 * quarantined it) goes to the Maildir's Junk folder (MAILDIR_JUNK) when
 * that folder exists.  A recipient whose extension names the contacts
 * screener's folder (user+Screener) goes to that folder, made when
 * missing.
 *
 * With notrace (leave-no-trace, maildir_notrace.h) the names are random
 * and the files' times rounded down; the content is the same.
 */
#ifndef SAMOTOP_MAILDIR_H
#define SAMOTOP_MAILDIR_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "address.h"
#include "log.h"
#include "xforward.h"

#define MAILDIR_PATH_MAX	1024	/* an expanded template, NUL included */
#define MAILDIR_NAME_MAX	256	/* a file name in tmp/ or new/ */
#define MAILDIR_HOST_MAX	129	/* the escaped host part of names */
#define MAILDIR_FIELD_MAX	1024	/* an unfolded Delivered-To: field */
#define MAILDIR_FIELDS_MAX	1000	/* Delivered-To: fields looked at */
#define MAILDIR_LOOP_MAX	1	/* -l: default of loop_max */
#define MAILDIR_LOOP_LIMIT	100	/* -l: the largest loop_max */
#define MAILDIR_JUNK		".Junk"	/* Maildir++ folder of quarantine */

enum maildir_error {
	MAILDIR_OK = 0,
	MAILDIR_EUNSAFE,	/* a substituted value is unsafe in a path */
	MAILDIR_ETOOLONG,	/* the expansion does not fit */
	MAILDIR_ETEMPLATE,	/* unknown escape, or '%' at the end */
	MAILDIR_ENOEXT,		/* %e, and the recipient has no extension */
};

/* What a copy's failure concerns, for the path= of its log line. */
enum maildir_where {
	MAILDIR_AT_TMP,		/* the file in tmp/ */
	MAILDIR_AT_NEW,		/* the file in new/ */
	MAILDIR_AT_NEWDIR,	/* the directory new/ */
	MAILDIR_AT_DIR,		/* the Maildir (a path that does not fit) */
};

/*
 * The header section of the message as it streams in (LF line ends),
 * each field unfolded into field[] when it may be a Delivered-To: or
 * an X-Samotop-Quarantine:.
 */
struct maildir_hdrscan {
	int	done;		/* the empty line that ends it was seen */
	int	bol;		/* at the start of a line */
	int	keep;		/* the current field may be one of those */
	int	quarantine;	/* an X-Samotop-Quarantine: field was seen */
	int	overflow;	/* ... longer than field[]: ignored */
	size_t	nfields;	/* Delivered-To: fields counted */
	size_t	len;
	char	field[MAILDIR_FIELD_MAX];
};

/* The values a template substitutes, taken from one recipient. */
struct maildir_vars {
	char	user[ADDR_LOCAL_MAX + 1];	/* %u: before delim, lowercased */
	char	local[ADDR_LOCAL_MAX + 1];	/* %l: unquoted, lowercased */
	char	domain[ADDR_DOMAIN_MAX + 1];	/* %d: lowercased */
	char	ext[ADDR_LOCAL_MAX + 1];	/* %e: after delim, as written */
};

/* One accepted recipient of the open transaction. */
struct maildir_rcpt {
	char	addr[ADDR_MAX + 1];		/* for replies, logs and
						 * Delivered-To: */
	char	canon[ADDR_MAX + 1];		/* compared with the
						 * Delivered-To: fields */
	char	dir[MAILDIR_PATH_MAX];		/* Maildir or ++ folder */
	char	name[MAILDIR_NAME_MAX];		/* unique name in tmp/ */
	char	folder[ADDR_LOCAL_MAX + 2];	/* ".EXT" when dir is one */
	int	fd;				/* the file in tmp/, or -1 */
	int	err;				/* first errno, or 0 */
	enum maildir_where where;		/* what err concerns */
	unsigned long loops;			/* Delivered-To: naming it */
	size_t	size;				/* octets written */
};

struct maildir_ctx {
	char *const		*templates;
	size_t			 ntemplates;
	int			 create;	/* -c: make the first one */
	/*
	 * -s or SAMOTOP_SCREENER_FOLDER: a recipient whose extension is
	 * this name (any case) goes to the Maildir++ folder .NAME, made
	 * when missing; NULL: none.  maildir_safe(), at most
	 * ADDR_LOCAL_MAX octets.
	 */
	const char		*screener;
	int			 delim;		/* of the extension; 0: none */
	unsigned long		 loop_max;	/* -l; 0: no loop check */
	unsigned long		 notrace;	/* -z: granularity (s); 0: off */
	time_t			 arrival;	/* maildir_begin(), rounded */
	struct logger		 log;		/* key=value lines on fd 2 */
	char			 host[MAILDIR_HOST_MAX];
	long			 pid;
	unsigned long		 counter;	/* Q of unique names */
	int			 pending_cr;	/* CRLF -> LF across chunks */
	int			 cleanup_failed; /* a tmp file stayed */
	size_t			 nrcpt;
	struct maildir_rcpt	*rcpt;		/* LMTP_RCPT_MAX of them */
	char			 msgid[XFORWARD_VALUE_MAX + 1]; /* IDENT, for logs */
	char			 sender[ADDR_MAX + 1];	/* "" for <> */
	struct maildir_hdrscan	 scan;
};

/* Templates: check the escapes once, at start-up. */
enum maildir_error maildir_template_check(const char *tmpl);
/* The values of mb, its extension split at delim (0: none). */
int		maildir_vars_set(struct maildir_vars *v,
		    const struct mailbox *mb, int delim);
/* Whether a value may go into a path: no '/', not empty, no leading '.'. */
int		maildir_safe(const char *value);
/*
 * Expand tmpl into out.  MAILDIR_ENOEXT when it has %e and v no
 * extension: such a template is skipped, not a reason to refuse.
 */
enum maildir_error maildir_expand(const char *tmpl,
		    const struct maildir_vars *v, char *out, size_t size);

/* 1: path is a Maildir (cur/, new/, tmp/), 0: it is not, -1: errno. */
int		maildir_exists(const char *path);
/* Make path, its parents, cur/, new/ and tmp/ (mode 0700); -1: errno. */
int		maildir_make(const char *path);
/*
 * Make root/folder (".NAME") a Maildir++ folder: cur/, new/, tmp/ and
 * an empty maildirfolder file, with the mode of root (and, run as root,
 * its owner).  What exists already is fine (two deliveries may race).
 * 0, or -1 with errno.
 */
int		maildir_folder_make(const char *root, const char *folder);

/* The Maildir name of a host: '/' and ':' escaped, truncated. */
void		maildir_host(const char *hostname, char *out, size_t size);

/* Set up c (rcpt array allocated once); -1: errno. */
int		maildir_init(struct maildir_ctx *c, const char *hostname);
void		maildir_free(struct maildir_ctx *c);

/*
 * The transaction, in the shape of the lmtp_ops callbacks.  Replies are
 * LMTP reply lines without CRLF.
 */
/* MAIL FROM: the sender Return-Path: names.  Always accepts. */
int		maildir_mail(struct maildir_ctx *c, const struct mailbox *from,
		    char *reply, size_t size);
int		maildir_rcpt(struct maildir_ctx *c, const struct mailbox *mb,
		    size_t index, char *reply, size_t size);
void		maildir_begin(struct maildir_ctx *c);
/* Canonical (CRLF) content; stored with LF.  -1: every copy failed. */
int		maildir_write(struct maildir_ctx *c, const char *buf,
		    size_t len);
/*
 * The reply for one recipient: its copy committed to new/, or refused
 * (554 5.4.6) when the header held loop_max Delivered-To: naming it.
 */
void		maildir_end(struct maildir_ctx *c, size_t index, char *reply,
		    size_t size);
/* Remove every uncommitted copy; -1 when a tmp file could not go. */
int		maildir_abort(struct maildir_ctx *c);
void		maildir_reset(struct maildir_ctx *c);


#endif
