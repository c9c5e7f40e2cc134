/*
 * scr_http_drive.c: tests/screener_web.bats's server: the web page
 * (scr_http_serve()) on stdin/stdout over a source kept in plain files,
 * so that the page is tested apart from the Screener folder and the
 * store.  In DATADIR/USER/ (USER: bob@example.org):
 *   senders    one waiting sender a line, fields apart by TAB: address,
 *              display name, count, first, last (epoch seconds),
 *              subject, snippet, evidence;
 *   decisions  "SENDER DECISION" lines (1 allow, 2 deny), the ones made;
 *   released   the senders an allow released, a line each.
 * A decision removes the senders it covers from senders.
 *
 *	scr_http_drive -c CONF DATADIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "scr_http.h"

static const char *datadir;

static FILE *
open_user(const char *user, const char *name, const char *mode)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s/%s", datadir, user, name);
	return fopen(path, mode);
}

static int
fields(char *line, struct scr_sender *s)
{
	char *f[8];
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *p = line; n < 8; n++) {
		f[n] = p;
		if ((p = strchr(p, '\t')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n != 8)
		return -1;
	memset(s, 0, sizeof(*s));
	snprintf(s->addr, sizeof(s->addr), "%s", f[0]);
	snprintf(s->display, sizeof(s->display), "%s", f[1]);
	s->count = (unsigned)strtoul(f[2], NULL, 10);
	s->first = (time_t)strtoll(f[3], NULL, 10);
	s->last = (time_t)strtoll(f[4], NULL, 10);
	snprintf(s->subject, sizeof(s->subject), "%s", f[5]);
	snprintf(s->snippet, sizeof(s->snippet), "%s", f[6]);
	snprintf(s->evidence, sizeof(s->evidence), "%s", f[7]);
	return 0;
}

static int
senders(void *arg, const char *user,
    int (*each)(void *, const struct scr_sender *), void *eacharg,
    char *why, size_t size)
{
	struct scr_sender s;
	char line[2048];
	FILE *f;

	(void)arg;
	(void)why;
	(void)size;
	if ((f = open_user(user, "senders", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (fields(line, &s) == 0 && each(eacharg, &s) != 0)
			break;
	fclose(f);
	return 0;
}

/* sender covers addr: the same address, or addr's @domain. */
static int
covers(const char *sender, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return strcmp(sender, addr) == 0 || (sender[0] == '@' && at != NULL &&
	    strcmp(sender, at) == 0);
}

/* Rewrite file name without the lines whose first word drop() says. */
static void
rewrite(const char *user, const char *name, const char *sender,
    int decision, FILE *released)
{
	char line[2048], first[1024], tmp[64];
	FILE *in, *out;

	if ((in = open_user(user, name, "r")) == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", name);
	if ((out = open_user(user, tmp, "w")) == NULL) {
		fclose(in);
		return;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		snprintf(first, sizeof(first), "%.*s",
		    (int)strcspn(line, "\t \n"), line);
		if (strcmp(name, "senders") == 0 ? covers(sender, first) :
		    strcmp(sender, first) == 0) {
			if (released != NULL && decision == STORE_ALLOW)
				fprintf(released, "%s\n", first);
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
	{
		char a[4096], b[4096];

		snprintf(a, sizeof(a), "%s/%s/%s", datadir, user, tmp);
		snprintf(b, sizeof(b), "%s/%s/%s", datadir, user, name);
		rename(a, b);
	}
}

static int
decide(void *arg, const char *user, const char *sender, int decision,
    char *why, size_t size)
{
	FILE *f, *rel;

	(void)arg;
	rewrite(user, "decisions", sender, 0, NULL);
	if (decision == 0)
		return 0;
	if ((f = open_user(user, "decisions", "a")) == NULL) {
		snprintf(why, size, "%s: cannot write decisions", user);
		return -1;
	}
	fprintf(f, "%s %d\n", sender, decision);
	fclose(f);
	rel = open_user(user, "released", "a");
	rewrite(user, "senders", sender, decision, rel);
	if (rel != NULL)
		fclose(rel);
	return 0;
}

static int
decisions(void *arg, const char *user,
    int (*each)(void *, const char *, int, time_t), void *eacharg,
    char *why, size_t size)
{
	char line[1100], sender[1024];
	int d;
	FILE *f;

	(void)arg;
	(void)why;
	(void)size;
	if ((f = open_user(user, "decisions", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%1023s %d", sender, &d) == 2 &&
		    each(eacharg, sender, d, 1700000000) != 0)
			break;
	fclose(f);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct conf c;
	struct scr_source src = { senders, decide, decisions, NULL };
	struct conf_error err;
	char *text;

	if (argc != 4 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: scr_http_drive -c CONF DATADIR\n");
		return 64;
	}
	datadir = argv[3];
	conf_defaults(&c);
	if (conf_load(&c, argv[2], &text, &err) == -1) {
		fprintf(stderr, "%s:%u: %s\n", argv[2], err.line, err.msg);
		return 78;
	}
	return scr_http_serve(&c, &src, 0, 1);
}
