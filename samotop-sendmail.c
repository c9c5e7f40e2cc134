/*
 * samotop-sendmail: the sendmail(8) interface to the queue, for cron,
 * scripts and programs that run "sendmail".
 *
 *	samotop-sendmail [-it] [-b m|s] [-C file] [-f sender] [-F name]
 *	    [-B type] [-o option] [-N dsn] [-R ret] [-V envid] [-X file]
 *	    [-hLOUv...] [--] [recipient ...]
 *
 * The message comes on stdin (LF or CRLF line ends; CRLF in the queue).
 * Without -i (-oi), a line holding a single dot ends it.  The header is
 * read into memory (at most SM_HEADER_MAX octets); missing Date:,
 * Message-ID: and From: fields are added, with our Received: on top;
 * with -t the recipients are taken from To:, Cc: and Bcc: (added to
 * those given as arguments, as Postfix does), and Bcc: is removed.  An
 * address without '@' gets "@hostname" (samotop.conf's hostname).  A
 * first line "From " (mbox's separator) is dropped, as sendmail does.
 *
 * -bs speaks SMTP on stdin and stdout instead (for the mail programs
 * that submit so): EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT;
 * each message is treated as one read from stdin, and answered "250
 * 2.0.0 queued as ID" only once committed.
 *
 * A message whose From: domain has dkim-sign keys (samotop.conf(5)) is
 * signed (dkims.h) as it is written into the queue, and its
 * DKIM-Signature: fields go on top before it is committed.  A key that
 * cannot be read, or a signature that fails, queues nothing: the exit
 * status is EX_TEMPFAIL (-bs: 451 4.7.0), never an unsigned message.
 *
 * It enqueues with q_write.h, as samotop-queue does.  Installed setgid
 * to the sendmail-group of samotop.conf(5), it can write a queue its
 * users cannot; -C then gives up that group first.
 *
 * Exit status (sysexits(3), as sendmail's): 0 queued; EX_USAGE bad
 * options, no recipient, or a mode this program does not have (-bp,
 * -q...); EX_DATAERR a malformed address or header; EX_NOINPUT
 * the -C file cannot be read; EX_CONFIG it is malformed; EX_IOERR
 * reading stdin failed; EX_CANTCREAT the queue cannot be written to;
 * EX_TEMPFAIL the enqueue or the DKIM signature failed (full disk, an
 * fsync, a key that cannot be read): try again;
 * EX_OSERR out of memory.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "dkims.h"
#include "hdr.h"
#include "hdrfrom.h"
#include "q_conf.h"
#include "q_dir.h"
#include "q_env.h"
#include "q_write.h"

#define SM_HEADER_MAX	(1024 * 1024)	/* the header section, octets */
#define SM_FIELD_MAX	65536		/* one To:, Cc: or Bcc: unfolded */
#define SM_NAME_MAX	256		/* -F */

struct sm {
	struct conf	*conf;
	int		 iflag;		/* -i: a dot line is text */
	int		 tflag;		/* -t */
	int		 smtp;		/* -bs: dot-stuffed, a dot ends it */
	const char	*sender;	/* -f, or NULL */
	const char	*fullname;	/* -F, or NULL */
	char		 login[256];
	char		 login_addr[ADDR_MAX + 1];	/* login@hostname */
	struct q_env	 env;
	char		(*rcpt)[ADDR_MAX + 1];
	char		*hdr;		/* the kept header lines, CRLF */
	size_t		 hdrlen, hdrsize;
	int		 has_from, has_date, has_msgid;
	int		 in_field;	/* a field was seen: continuations */
	int		 drop;		/* the current field is dropped */
	int		 collect;	/* ... its value goes to field */
	char		*field;		/* To:, Cc: or Bcc:'s value */
	size_t		 fieldlen;
	int		 eight;
	struct q_writer	*w;
	/* dkim-sign: the From: field's value, and the signing */
	char		*fromv;		/* unfolded, as field is */
	size_t		 fromlen;
	int		 from_fields;	/* From: fields in the header */
	int		 in_from;	/* continuations are From:'s */
	struct dkims_signer *signer;	/* NULL until a key is needed */
	struct dkims_msg dm;
	int		 sign_failed;	/* nothing may be queued */
	struct dkims_failure sign_why;
};

static _Noreturn void
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("samotop-sendmail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static _Noreturn void
usage(void)
{
	fputs("usage: samotop-sendmail [-it] [-b m|s] [-C file] [-f sender] "
	    "[-F name] [-o option] [--] [recipient ...]\n", stderr);
	exit(EX_USAGE);
}

/*
 * An address as the queue keeps it, into out: "<>" or "" is the null
 * path (when allow_null), a bare local part gets "@hostname".  0, or -1.
 */
static int
address(struct sm *s, const char *in, int allow_null, char *out,
    int *utf8)
{
	char path[ADDR_MAX + 4 + 256];
	struct mailbox mb;
	size_t used, n;
	int flags = ADDR_ALLOW_UTF8 | (allow_null ? ADDR_ALLOW_NULL : 0);

	n = strlen(in);
	if (n >= 2 && in[0] == '<' && in[n - 1] == '>') {
		in++;
		n -= 2;
	}
	if (n == 0 && allow_null) {
		out[0] = '\0';
		return 0;
	}
	if (n > ADDR_MAX || n == 0)
		return -1;
	if (memchr(in, '@', n) != NULL)
		snprintf(path, sizeof(path), "<%.*s>", (int)n, in);
	else
		snprintf(path, sizeof(path), "<%.*s@%s>", (int)n, in,
		    s->conf->hostname);
	if (addr_parse_path(path, strlen(path), flags, &mb, &used) !=
	    ADDR_OK || used != strlen(path))
		return -1;
	mailbox_format(&mb, out, ADDR_MAX + 1);
	if (mb.is_utf8)
		*utf8 = 1;
	return 0;
}

static void
add_rcpt(struct sm *s, const char *in)
{
	size_t i;

	if (s->env.nrcpt >= Q_RCPT_MAX)
		die(EX_DATAERR, "more than %d recipients", Q_RCPT_MAX);
	if (address(s, in, 0, s->rcpt[s->env.nrcpt], &s->env.smtputf8) ==
	    -1)
		die(EX_DATAERR, "%s: not a valid address", in);
	/* the same recipient twice gets one copy */
	for (i = 0; i < s->env.nrcpt; i++)
		if (strcmp(s->rcpt[i], s->rcpt[s->env.nrcpt]) == 0)
			return;
	s->env.nrcpt++;
}

static void
hdr_put(struct sm *s, const char *p, size_t n)
{
	char *b;
	size_t size;

	if (n > SM_HEADER_MAX - s->hdrlen)
		die(EX_DATAERR, "header section over %d octets",
		    SM_HEADER_MAX);
	if (s->hdrlen + n > s->hdrsize) {
		size = s->hdrsize == 0 ? 8192 : s->hdrsize;
		while (size < s->hdrlen + n)
			size *= 2;
		if ((b = realloc(s->hdr, size)) == NULL)
			die(EX_OSERR, "%s", strerror(errno));
		s->hdr = b;
		s->hdrsize = size;
	}
	memcpy(s->hdr + s->hdrlen, p, n);
	s->hdrlen += n;
}

/* The collected To:/Cc:/Bcc: value's addresses become recipients. */
static void
field_done(struct sm *s)
{
	static struct hdrfrom_mailbox mb[Q_RCPT_MAX];
	size_t i, n;

	if (!s->collect)
		return;
	s->collect = 0;
	s->field[s->fieldlen] = '\0';
	n = hdrfrom_mailboxes(s->field, mb, Q_RCPT_MAX);
	if (n > Q_RCPT_MAX)
		die(EX_DATAERR, "more than %d recipients", Q_RCPT_MAX);
	for (i = 0; i < n; i++) {
		if (mb[i].addr[0] == '\0')
			die(EX_DATAERR, "a recipient in the header is not a "
			    "valid address (local@domain)");
		add_rcpt(s, mb[i].addr);
	}
	s->fieldlen = 0;
}

static void
field_add(struct sm *s, const char *p, size_t n)
{
	if (n > SM_FIELD_MAX - 1 - s->fieldlen)
		die(EX_DATAERR, "a To:, Cc: or Bcc: field over %d octets",
		    SM_FIELD_MAX);
	memcpy(s->field + s->fieldlen, p, n);
	s->fieldlen += n;
	s->field[s->fieldlen++] = ' ';	/* unfolded */
}

/* The From: field's value, unfolded, for the signing domain. */
static void
from_add(struct sm *s, const char *p, size_t n)
{
	if (n > SM_FIELD_MAX - 2 - s->fromlen)
		n = SM_FIELD_MAX - 2 - s->fromlen;	/* no address */
	memcpy(s->fromv + s->fromlen, p, n);
	s->fromlen += n;
	s->fromv[s->fromlen++] = ' ';
	s->fromv[s->fromlen] = '\0';
}

/* name: at line[0..n), its length (without ':'), or 0 */
static size_t
field_name(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (line[i] == ':')
			return i;
		if ((unsigned char)line[i] <= 0x20 || line[i] == 0x7f)
			return 0;
	}
	return 0;
}

static int
is_name(const char *line, size_t k, const char *name)
{
	return strlen(name) == k && strncasecmp(line, name, k) == 0;
}

/*
 * One line of the header section (without its line end): 1 when it is
 * part of the header, 0 when it is not (the body starts with it).
 */
static int
header_line(struct sm *s, const char *line, size_t n)
{
	size_t k;

	if (n > 0 && (line[0] == ' ' || line[0] == '\t') && s->in_field) {
		/* a continuation of the field before */
		if (s->collect)
			field_add(s, line, n);
		if (s->in_from)
			from_add(s, line, n);
		if (!s->drop) {
			hdr_put(s, line, n);
			hdr_put(s, "\r\n", 2);
		}
		return 1;
	}
	field_done(s);
	if ((k = field_name(line, n)) == 0)
		return 0;
	s->in_field = 1;
	s->drop = 0;
	s->in_from = 0;
	if (is_name(line, k, "from")) {
		s->has_from = 1;
		s->in_from = ++s->from_fields == 1;
		if (s->in_from)
			from_add(s, line + k + 1, n - k - 1);
	}
	else if (is_name(line, k, "date"))
		s->has_date = 1;
	else if (is_name(line, k, "message-id"))
		s->has_msgid = 1;
	else if (is_name(line, k, "bcc"))
		s->drop = 1;
	if (s->tflag && (is_name(line, k, "to") || is_name(line, k, "cc") ||
	    is_name(line, k, "bcc"))) {
		s->collect = 1;
		field_add(s, line + k + 1, n - k - 1);
	}
	if (!s->drop) {
		hdr_put(s, line, n);
		hdr_put(s, "\r\n", 2);
	}
	return 1;
}

static void
put(struct sm *s, const char *p, size_t n)
{
	size_t i;

	if (!s->eight)
		for (i = 0; i < n; i++)
			if ((unsigned char)p[i] > 127)
				s->eight = 1;
	if (s->dm.n > 0)
		dkims_data(&s->dm, p, n);
	if (q_write_data(s->w, p, n) == -1)
		return;		/* reported by q_write_commit() */
}

/*
 * Before the first octet is written: sign the message when its From:
 * domain (the field's, or addr's when we add the field) has keys.
 */
static void
sign_begin(struct sm *s, const char *addr)
{
	char domain[HDRFROM_DOMAIN_MAX + 1];
	const char *at;

	s->dm.n = 0;
	if (s->conf->ndkim_sign == 0)
		return;
	if (s->has_from) {
		/* two From: fields, or none with one mailbox: not signed */
		if (s->from_fields != 1 || dkims_from_domain(s->fromv, domain,
		    sizeof(domain)) == -1)
			return;
	} else if ((at = strrchr(addr, '@')) == NULL ||
	    dkims_from_domain(addr, domain, sizeof(domain)) == -1)
		return;
	if (dkims_keys_for(s->conf, domain) == 0)
		return;
	if (s->signer == NULL && (s->signer = calloc(1,
	    sizeof(*s->signer))) == NULL)
		die(EX_OSERR, "%s", strerror(errno));
	if (dkims_open(s->signer, s->conf, &s->sign_why) == -1 ||
	    dkims_begin(&s->dm, s->signer, domain, s->w->id,
	    &s->sign_why) == -1)
		s->sign_failed = 1;
}

/* The keys wiped from memory (dkims_close()). */
static void
sign_close(struct sm *s)
{
	if (s->signer == NULL)
		return;
	dkims_close(s->signer);
	free(s->signer);
	s->signer = NULL;
}

/*
 * After the last octet: the DKIM-Signature: fields on top.  0, or -1
 * (s->sign_why says why; the caller queues nothing).
 */
static int
sign_end(struct sm *s)
{
	static char fields[DKIMS_FIELDS_MAX];
	size_t len;

	if (s->sign_failed)
		return -1;
	if (s->dm.n == 0)
		return 0;
	if (dkims_end(&s->dm, fields, sizeof(fields), &len,
	    &s->sign_why) == -1) {
		s->sign_failed = 1;
		return -1;
	}
	/* a failure here is the queue's: q_write_commit() reports it */
	(void)q_write_prepend(s->w, fields, len);
	return 0;
}

/* An RFC 5322 quoted-string of name, printable and bounded. */
static void
quote(const char *name, char *out, size_t size)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *name != '\0' && o + 4 < size; name++) {
		if ((unsigned char)*name < 0x20 || *name == 0x7f)
			continue;
		if (*name == '"' || *name == '\\')
			out[o++] = '\\';
		out[o++] = *name;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* Our Received: and the fields the header lacks, then the header. */
static void
write_header(struct sm *s, time_t now)
{
	char date[64], line[2048], who[300], name[SM_NAME_MAX * 2 + 4];
	const char *addr;
	struct tm tm;

	addr = s->env.from;
	if (addr[0] == '\0')	/* a null sender's From: is the user's */
		addr = s->login_addr;
	sign_begin(s, addr);
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	hdr_safe(who, sizeof(who), s->login, HDR_COMMENT);
	snprintf(line, sizeof(line), "Received: (from %s uid %lu)\r\n"
	    "\tby %s (samotop-sendmail) id %s;\r\n\t%s\r\n", who,
	    (unsigned long)getuid(), s->conf->hostname, s->w->id, date);
	put(s, line, strlen(line));
	if (!s->has_date) {
		snprintf(line, sizeof(line), "Date: %s\r\n", date);
		put(s, line, strlen(line));
	}
	if (!s->has_msgid) {
		snprintf(line, sizeof(line), "Message-ID: <%s@%s>\r\n",
		    s->w->id, s->conf->hostname);
		put(s, line, strlen(line));
	}
	if (!s->has_from) {
		if (s->fullname != NULL) {
			quote(s->fullname, name, sizeof(name));
			snprintf(line, sizeof(line), "From: %s <%s>\r\n",
			    name, addr);
		} else
			snprintf(line, sizeof(line), "From: %s\r\n", addr);
		put(s, line, strlen(line));
	}
	put(s, s->hdr, s->hdrlen);
}

/*
 * Read the message: the header into s->hdr, then (once the header is
 * written) the body, streamed into the queue.  1 when a dot line ended
 * it, 0 at the end of input.
 */
static int
read_message(struct sm *s, const char *dir)
{
	char *line = NULL;
	size_t cap = 0, n;
	ssize_t got;
	int in_header = 1, ended = 0, first = 1;
	time_t now = time(NULL);

	while ((got = getline(&line, &cap, stdin)) != -1) {
		n = (size_t)got;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (first && !s->smtp) {
			/* an mbox "From " line is no part of the message */
			if (n >= 5 && memcmp(line, "From ", 5) == 0) {
				first = 0;
				continue;
			}
		}
		first = 0;
		if (!s->iflag && n == 1 && line[0] == '.') {
			ended = 1;
			break;
		}
		if (s->smtp && n > 0 && line[0] == '.') {
			memmove(line, line + 1, n - 1);	/* dot-unstuffing */
			n--;
		}
		if (in_header) {
			if (n > 0 && header_line(s, line, n))
				continue;
			field_done(s);
			in_header = 0;
			if (q_write_open(s->w, dir, now) == 0)
				write_header(s, now);
			else if (!s->smtp)
				break;	/* the rest is SMTP's to read */
			/* the empty line, or one before a body line */
			put(s, "\r\n", 2);
			if (n == 0)
				continue;
		}
		put(s, line, n);
		put(s, "\r\n", 2);
	}
	if (!ended && ferror(stdin))
		die(EX_IOERR, "reading the message: %s", strerror(errno));
	free(line);
	if (s->smtp && !ended) {
		q_write_abort(s->w);	/* cut short: nothing queued */
		return 0;
	}
	if (in_header) {
		field_done(s);
		if (q_write_open(s->w, dir, now) == 0) {
			write_header(s, now);
			put(s, "\r\n", 2);
		}
	}
	return ended;
}

/* Forget the transaction (SMTP: RSET, MAIL, after DATA). */
static void
sm_reset(struct sm *s)
{
	s->env.nrcpt = 0;
	s->env.smtputf8 = 0;
	s->env.body8 = 0;
	s->env.from[0] = '\0';
	s->hdrlen = 0;
	s->has_from = s->has_date = s->has_msgid = 0;
	s->fromlen = 0;
	s->from_fields = s->in_from = 0;
	s->sign_failed = 0;
	dkims_abort(&s->dm);
	s->in_field = s->drop = s->collect = 0;
	s->fieldlen = 0;
	s->eight = 0;
	q_write_abort(s->w);
	q_write_init(s->w);
}

static void
reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputs("\r\n", stdout);
	fflush(stdout);
}

/* "verb" at line[0..n), case ignored, followed by the end or a space */
static int
verb(const char *line, const char *v)
{
	size_t k = strlen(v);

	return strncasecmp(line, v, k) == 0 &&
	    (line[k] == '\0' || line[k] == ' ');
}

/* A path after "MAIL FROM:" or "RCPT TO:" into out; 0 or -1. */
static int
smtp_path(struct sm *s, const char *arg, int flags, char *out)
{
	struct mailbox mb;
	size_t used;

	while (*arg == ' ')
		arg++;
	if (addr_parse_path(arg, strlen(arg), flags | ADDR_ALLOW_UTF8, &mb,
	    &used) != ADDR_OK || (arg[used] != '\0' && arg[used] != ' '))
		return -1;
	if (mb.domain[0] == '\0' && !mb.is_null) {	/* <postmaster> */
		snprintf(out, ADDR_MAX + 1, "postmaster@%s",
		    s->conf->hostname);
		return 0;
	}
	mailbox_format(&mb, out, ADDR_MAX + 1);
	if (mb.is_utf8)
		s->env.smtputf8 = 1;
	return 0;
}

/* The DATA of one transaction, then its one reply. */
static void
smtp_data(struct sm *s, const char *dir)
{
	char why[1024];
	int ended;

	reply("354 End data with <CR><LF>.<CR><LF>");
	ended = read_message(s, dir);
	if (!ended)
		exit(EX_OK);	/* the client is gone: nothing queued */
	s->env.body8 = s->eight;
	if (s->w->state == 0 && s->w->err != Q_WRITE_OK)
		q_write_abort(s->w);	/* q_write_open() failed */
	else if (sign_end(s) == -1) {
		q_write_abort(s->w);
		fprintf(stderr, "samotop-sendmail: not queued: DKIM signing "
		    "failed: %s\n", dkims_strerror(&s->sign_why, why,
		    sizeof(why)));
		reply("451 4.7.0 DKIM signing failed");
		sm_reset(s);
		return;
	} else if (q_write_commit(s->w, &s->env) == 0) {
		reply("250 2.0.0 queued as %s", s->env.id);
		sm_reset(s);
		return;
	}
	fprintf(stderr, "samotop-sendmail: not queued: %s: %s\n",
	    s->w->err_what, s->w->err == Q_WRITE_EENV ?
	    q_env_strerror(s->w->err_env) : strerror(s->w->err_errno));
	if (s->w->err == Q_WRITE_ENOSPC)
		reply("452 4.3.1 queue full");
	else
		reply("451 4.3.0 queue write failed");
	sm_reset(s);
}

/*
 * -bs: SMTP on stdin and stdout, each message into the queue as the
 * command line's are (header fields added the same way).  The sender
 * is the client's MAIL FROM, as -f gives it.  Returns the exit status.
 */
static int
smtp_session(struct sm *s, const char *dir)
{
	char *line = NULL;
	size_t cap = 0, n;
	ssize_t got;
	int mail = 0;

	s->tflag = 0;
	s->iflag = 0;
	reply("220 %s ESMTP samotop-sendmail", s->conf->hostname);
	while ((got = getline(&line, &cap, stdin)) != -1) {
		n = (size_t)got;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		if (verb(line, "EHLO")) {
			sm_reset(s);
			mail = 0;
			reply("250-%s\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
			    "250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES",
			    s->conf->hostname);
		} else if (verb(line, "HELO")) {
			sm_reset(s);
			mail = 0;
			reply("250 %s", s->conf->hostname);
		} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			if (mail) {
				reply("503 5.5.1 nested MAIL command");
				continue;
			}
			sm_reset(s);
			if (smtp_path(s, line + 10, ADDR_ALLOW_NULL,
			    s->env.from) == -1) {
				reply("501 5.1.7 bad sender address");
				continue;
			}
			mail = 1;
			reply("250 2.1.0 OK");
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			if (!mail)
				reply("503 5.5.1 need MAIL first");
			else if (s->env.nrcpt >= Q_RCPT_MAX)
				reply("452 4.5.3 too many recipients");
			else if (smtp_path(s, line + 8, ADDR_ALLOW_POSTMASTER,
			    s->rcpt[s->env.nrcpt]) == -1)
				reply("501 5.1.3 bad recipient address");
			else {
				s->env.nrcpt++;
				reply("250 2.1.5 OK");
			}
		} else if (verb(line, "DATA")) {
			if (!mail || s->env.nrcpt == 0) {
				reply("503 5.5.1 need RCPT first");
				continue;
			}
			smtp_data(s, dir);
			mail = 0;
		} else if (verb(line, "RSET")) {
			sm_reset(s);
			mail = 0;
			reply("250 2.0.0 OK");
		} else if (verb(line, "NOOP")) {
			reply("250 2.0.0 OK");
		} else if (verb(line, "VRFY")) {
			reply("252 2.5.2 cannot verify");
		} else if (verb(line, "QUIT")) {
			reply("221 2.0.0 %s closing connection",
			    s->conf->hostname);
			break;
		} else
			reply("502 5.5.2 command not recognized");
	}
	if (got == -1 && ferror(stdin)) {
		fprintf(stderr, "samotop-sendmail: reading: %s\n",
		    strerror(errno));
		return EX_IOERR;
	}
	free(line);
	sm_reset(s);
	return EX_OK;
}

static void
set_login(struct sm *s)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw != NULL ? pw->pw_name : NULL;

	if (name == NULL || name[0] == '\0' || strlen(name) > ADDR_LOCAL_MAX)
		snprintf(s->login, sizeof(s->login), "uid%lu",
		    (unsigned long)getuid());
	else
		snprintf(s->login, sizeof(s->login), "%s", name);
}

/* -b MODE: m (read a message, the default) and s (SMTP) are ours. */
static void
mode(struct sm *s, const char *m)
{
	if (strcmp(m, "m") == 0)
		return;
	if (strcmp(m, "s") == 0) {
		s->smtp = 1;
		return;
	}
	if (strcmp(m, "p") == 0)
		die(EX_USAGE, "-bp is not supported: run samotop-mailq");
	die(EX_USAGE, "-b%s is not supported", m);
}

int
main(int argc, char *argv[])
{
	static struct sm s;
	const char *conf_path = NULL;
	char msg[512], *text;
	int ch, rc, utf8 = 0;

	/*
	 * sendmail's options: those that change nothing here are taken
	 * and ignored (samotop-sendmail(8) lists them).
	 */
	while ((ch = getopt(argc, argv, "A:B:b:C:d:F:f:GhiL:N:no:O:q:R:r:"
	    "tUV:vX:")) != -1) {
		switch (ch) {
		case 'b':
			mode(&s, optarg);
			break;
		case 'C':
			conf_path = optarg;
			break;
		case 'F':
			s.fullname = optarg;
			break;
		case 'f':
		case 'r':
			s.sender = optarg;
			break;
		case 'i':
			s.iflag = 1;
			break;
		case 'o':
			if (strcmp(optarg, "i") == 0)
				s.iflag = 1;
			/* -odb, -odi, -oem, -oep, ...: ignored */
			break;
		case 'q':
			die(EX_USAGE, "-q is not supported: samotop-send "
			    "runs the queue");
		case 't':
			s.tflag = 1;
			break;
		case 'A': case 'B': case 'd': case 'G': case 'h': case 'L':
		case 'N': case 'n': case 'O': case 'R': case 'U': case 'V':
		case 'v': case 'X':
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	/* A configuration of the user's choice: not with our group. */
	if (conf_path != NULL && getegid() != getgid() &&
	    setgid(getgid()) == -1)
		die(EX_OSERR, "setgid: %s", strerror(errno));
	if (conf_path != NULL && access(conf_path, R_OK) == -1)
		die(EX_NOINPUT, "%s: %s", conf_path, strerror(errno));
	/* files the queue's group can read, whatever the caller's umask */
	umask(027);
	if ((s.conf = malloc(sizeof(*s.conf))) == NULL ||
	    (s.rcpt = calloc(Q_RCPT_MAX, sizeof(*s.rcpt))) == NULL ||
	    (s.field = malloc(SM_FIELD_MAX)) == NULL ||
	    (s.fromv = malloc(SM_FIELD_MAX)) == NULL ||
	    (s.w = malloc(sizeof(*s.w))) == NULL)
		die(EX_OSERR, "%s", strerror(errno));
	if (q_conf_load(s.conf, conf_path, &text, msg, sizeof(msg)) == -1)
		die(EX_CONFIG, "%s", msg);
	q_write_init(s.w);
	s.env.rcpt = s.rcpt;
	set_login(&s);
	if (address(&s, s.login, 0, s.login_addr, &utf8) == -1)
		die(EX_DATAERR, "%s: the login makes no address", s.login);
	utf8 = 0;

	if (s.sender != NULL) {
		if (address(&s, s.sender, 1, s.env.from, &utf8) == -1)
			die(EX_DATAERR, "%s: not a valid sender address",
			    s.sender);
	} else
		memcpy(s.env.from, s.login_addr, sizeof(s.env.from));
	if (s.smtp) {
		if (argc > 0)
			die(EX_USAGE, "-bs takes no recipients");
		if (q_dir_ensure(s.conf->queue_dir,
		    q_conf_dir_mode(s.conf)) == -1)
			die(EX_CANTCREAT, "%s: %s", s.conf->queue_dir,
			    strerror(errno));
		rc = smtp_session(&s, s.conf->queue_dir);
		sign_close(&s);
		return rc;
	}
	for (; argc > 0; argc--, argv++)
		add_rcpt(&s, argv[0]);
	if (!s.tflag && s.env.nrcpt == 0)
		die(EX_USAGE, "no recipients given");
	if (utf8)
		s.env.smtputf8 = 1;

	if (q_dir_ensure(s.conf->queue_dir, q_conf_dir_mode(s.conf)) == -1)
		die(EX_CANTCREAT, "%s: %s", s.conf->queue_dir,
		    strerror(errno));
	read_message(&s, s.conf->queue_dir);
	if (s.w->state == 0 && s.w->err != Q_WRITE_OK) {
		/* q_write_open() failed: the queue is not writable */
		q_write_abort(s.w);
		die(s.w->err == Q_WRITE_ENOSPC ? EX_TEMPFAIL : EX_CANTCREAT,
		    "%s: %s: %s", s.conf->queue_dir, s.w->err_what,
		    strerror(s.w->err_errno));
	}
	if (s.env.nrcpt == 0) {
		q_write_abort(s.w);
		die(EX_USAGE, "no recipient addresses found in the header");
	}
	s.env.body8 = s.eight;
	if (sign_end(&s) == -1) {
		q_write_abort(s.w);
		die(EX_TEMPFAIL, "not queued: DKIM signing failed: %s",
		    dkims_strerror(&s.sign_why, msg, sizeof(msg)));
	}
	if (q_write_commit(s.w, &s.env) == -1)
		die(EX_TEMPFAIL, "not queued: %s: %s", s.w->err_what,
		    s.w->err == Q_WRITE_EENV ? q_env_strerror(s.w->err_env) :
		    strerror(s.w->err_errno));
	sign_close(&s);
	free(text);
	return EX_OK;
}
