/*
 * samotop-screener: the contacts screener's decisions, on the command
 * line and in a web page.
 *
 *	samotop-screener [-c file] list USER
 *	samotop-screener [-c file] allow|deny|forget USER SENDER
 *	samotop-screener [-c file] learn
 *	samotop-screener [-c file] digest
 *	samotop-screener [-c file] http
 *	samotop-screener -V
 *
 * Options, dispatch and printing only; the work is in scr_box.c (the
 * folder, the decisions), scr_learn.c and, for the web page on stdin
 * and stdout, scr_http_main.c.  Exit status: sysexits(3),
 * as samotop-screener(8) lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "scr_box.h"
#include "scr_digest.h"
#include "scr_http.h"
#include "scr_learn.h"
#include "store.h"
#include "version.h"

#define PROG		"samotop-screener"
#define CONF_DEFAULT	"/etc/samotop/samotop.conf"

struct cli {
	const char	*conf_path;
	struct conf	*c;
	char		*text;		/* the file the conf points into */
	struct store	*st;
};

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: " PROG " [-c file] list user\n"
	    "       " PROG " [-c file] allow | deny | forget user sender\n"
	    "       " PROG " [-c file] learn\n"
	    "       " PROG " [-c file] digest\n"
	    "       " PROG " [-c file] http\n"
	    "       " PROG " -V\n");
	exit(EX_USAGE);
}

/* "samotop-screener: message" on stderr; returns status. */
static int
fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* The configuration, checked; 0 or EX_CONFIG (or EX_OSERR). */
static int
load(struct cli *k)
{
	struct conf_error err;

	if ((k->c = malloc(sizeof(*k->c))) == NULL)
		return fail(EX_OSERR, "%s", strerror(errno));
	conf_defaults(k->c);
	if (conf_load(k->c, k->conf_path, &k->text, &err) == -1 ||
	    conf_check(k->c, &err) == -1) {
		if (err.line > 0)
			return fail(EX_CONFIG, "%s:%u: %s", k->conf_path,
			    err.line, err.msg);
		return fail(EX_CONFIG, "%s: %s", k->conf_path, err.msg);
	}
	if (k->c->screener_db == NULL)
		return fail(EX_CONFIG, "%s: no screener directive: the "
		    "screener is off", k->conf_path);
	return 0;
}

/*
 * The store.  A file is opened (made, mode 0600) here first, so that
 * a missing directory or a permission problem gets its own status; a
 * server (a postgresql:// URI) that fails is EX_UNAVAILABLE.
 */
static int
open_store(struct cli *k)
{
	char err[512];
	int fd;

	if (!store_is_uri(k->c->screener_db)) {
		fd = open(k->c->screener_db, O_RDWR | O_CREAT | O_CLOEXEC |
		    O_NOCTTY, 0600);
		if (fd == -1)
			return fail(errno == EACCES || errno == EPERM ||
			    errno == EROFS ? EX_NOPERM : EX_CANTCREAT,
			    "%s: %s", k->c->screener_db, strerror(errno));
		close(fd);
	}
	if ((k->st = store_open(k->c->screener_db, err, sizeof(err))) ==
	    NULL)
		return fail(EX_UNAVAILABLE, "%s", err);
	return 0;
}

/* ISO 8601, UTC: "2026-12-03T05:00:00Z". */
static const char *
iso(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "-");
	return buf;
}

static const char *
decision_name(int d)
{
	return d == STORE_ALLOW ? "allow" : d == STORE_DENY ? "deny" : "?";
}

static int
print_decision(void *arg, const char *sender, int decision, time_t at)
{
	char date[32];

	(void)arg;
	printf("%s\t%s\t%s\n", decision_name(decision), sender,
	    iso(at, date, sizeof(date)));
	return 0;
}

static int
print_sender(void *arg, const struct scr_sender *s)
{
	char first[32], last[32];

	(void)arg;
	printf("waiting\t%s\t%u\t%s\t%s\t%s\t%s\t%s\t%s\n", s->addr, s->count,
	    iso(s->first, first, sizeof(first)),
	    iso(s->last, last, sizeof(last)), s->display, s->subject,
	    s->evidence, s->snippet);
	return 0;
}

static int
cmd_list(struct cli *k, char **argv)
{
	const char *user = argv[1];
	char key[ADDR_MAX + 1], root[1024], folder[ADDR_LOCAL_MAX + 2];
	char why[1024];
	int r, where;

	if (scr_user_key(k->c, user, key, sizeof(key)) == -1)
		return fail(EX_DATAERR, "%s: not an address", user);
	where = scr_box_maildir(k->c, key, root, sizeof(root), folder,
	    sizeof(folder), why, sizeof(why));
	if (where != 0 && where != EX_UNAVAILABLE)
		return fail(where, "%s", why);
	if ((r = open_store(k)) != 0)
		return r;
	if (store_decision_list(k->st, key, print_decision, NULL) == -1)
		return fail(EX_TEMPFAIL, "%s", store_error(k->st));
	if (where != 0) {
		fail(0, "%s", why);
		return 0;
	}
	if (scr_box_senders(k->c, key, print_sender, NULL, why,
	    sizeof(why)) == -1)
		return fail(EX_IOERR, "%s", why);
	return 0;
}

static int
cmd_decide(struct cli *k, char **argv)
{
	const char *cmd = argv[0], *user = argv[1], *sender = argv[2];
	char ukey[ADDR_MAX + 1], skey[ADDR_MAX + 2], why[1024];
	char root[1024], folder[ADDR_LOCAL_MAX + 2];
	unsigned count;
	int decision, r, folder_read;

	decision = strcmp(cmd, "allow") == 0 ? STORE_ALLOW :
	    strcmp(cmd, "deny") == 0 ? STORE_DENY : 0;
	/* the data first: a bad one never opens (or makes) the store */
	if (scr_sender_key(sender, skey, sizeof(skey)) == -1)
		return fail(EX_DATAERR, "%s: not an address or @domain",
		    sender);
	if (scr_user_key(k->c, user, ukey, sizeof(ukey)) == -1)
		return fail(EX_DATAERR, "%s: not an address", user);
	r = scr_box_maildir(k->c, ukey, root, sizeof(root), folder,
	    sizeof(folder), why, sizeof(why));
	if (r != 0 && r != EX_UNAVAILABLE)
		return fail(r, "%s", why);
	if ((r = open_store(k)) != 0)
		return r;
	r = scr_decide_status(k->c, k->st, ukey, skey, decision, time(NULL),
	    &count, &folder_read, why, sizeof(why));
	if (r != 0)
		return fail(r, "%s", why);
	if (decision == 0)
		printf(count > 0 ? "%s: forgot %s\n" :
		    "%s: no decision for %s\n", ukey, skey);
	else if (!folder_read)
		printf("%s: %s %s (its Screener folder is not ours to "
		    "read)\n", ukey, cmd, skey);
	else if (decision == STORE_ALLOW)
		printf("%s: allow %s (%u released)\n", ukey, skey, count);
	else if (k->c->screener_delete)
		printf("%s: deny %s (%u deleted)\n", ukey, skey, count);
	else
		printf("%s: deny %s (what waited is kept)\n", ukey, skey);
	return 0;
}

static void
print_learned(void *arg, const char *user, const char *sender,
    const char *why)
{
	(void)arg;
	if (sender != NULL)
		printf("learned\t%s\tallow\t%s\n", user, sender);
	else
		fail(0, "learn: %s", why);
}

static int
cmd_learn(struct cli *k, char **argv)
{
	char why[1024];
	int r;

	(void)argv;
	if ((r = open_store(k)) != 0)
		return r;
	if (scr_learn(k->c, k->st, time(NULL), print_learned, NULL, why,
	    sizeof(why)) == -1)
		return fail(EX_TEMPFAIL, "%s", why);
	return 0;
}

static void
print_digest(void *arg, const char *user, int n)
{
	(void)arg;
	if (n == -1)
		fail(0, "digest: %s: its folder or inbox could not be used",
		    user);
	else if (n > 0)
		printf("digest\t%s\t%d\n", user, n);
}

/* The last day's new senders, one message into each user's inbox. */
static int
cmd_digest(struct cli *k, char **argv)
{
	char why[1024];
	time_t now = time(NULL);
	int r;

	(void)argv;
	if ((r = open_store(k)) != 0)
		return r;
	if (scr_digest(k->c, k->st, now - 86400, now, print_digest, NULL,
	    why, sizeof(why)) == -1)
		return fail(EX_TEMPFAIL, "%s", why);
	return 0;
}

/* The web page: one HTTP connection on stdin and stdout (scr_http.h). */
static int
cmd_http(struct cli *k, char **argv)
{
	(void)argv;
	return scr_http_main(k->c, 0, 1);
}

/* The commands: name, operands after it, and what runs it. */
static const struct command {
	const char	*name;
	int		 operands;
	int		(*run)(struct cli *, char **);
} commands[] = {
	{ "list", 1, cmd_list },
	{ "allow", 2, cmd_decide },
	{ "deny", 2, cmd_decide },
	{ "forget", 2, cmd_decide },
	{ "learn", 0, cmd_learn },
	{ "digest", 0, cmd_digest },
	{ "http", 0, cmd_http },
};

int
main(int argc, char *argv[])
{
	struct cli k = { CONF_DEFAULT, NULL, NULL, NULL };
	const struct command *cmd = NULL;
	size_t i;
	int ch, r;

	while ((ch = getopt(argc, argv, "c:V")) != -1) {
		switch (ch) {
		case 'c':
			k.conf_path = optarg;
			break;
		case 'V':
			version_exit(PROG);
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	for (i = 0; argc > 0 && i < sizeof(commands) / sizeof(commands[0]);
	    i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL || argc != cmd->operands + 1)
		usage();
	if ((r = load(&k)) == 0)
		r = cmd->run(&k, argv);
	store_close(k.st);
	free(k.c);
	free(k.text);
	if (fflush(stdout) == EOF && r == 0)
		r = fail(EX_IOERR, "standard output: %s", strerror(errno));
	return r;
}
