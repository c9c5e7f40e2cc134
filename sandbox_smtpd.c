/*
 * sandbox_smtpd.c: samotop-smtpd's sandbox, from its configuration.
 *
 * Its seccomp filter is the table SANDBOX_SMTPD.  Its Landlock domain
 * limits writing only (what its helpers run reads libraries and files
 * the configuration does not name), and only when the configuration
 * names everything the session and its helpers write: the spool, the
 * greylist, screener and store databases' directories, the keys'
 * directories, temporary directories, /dev (its null device), and the
 * Maildirs of routes to samotop-maildir (its templates' fixed parts) or
 * nothing for routes to samotop-lmtp with a socket.  A route to any
 * other program (samotop-pipe, samotop-encrypt, samotop-queue with its
 * own file, an LDA, a script) writes where the configuration does not
 * say: then the session has no Landlock domain, and a debug line names
 * the route's program.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "sandbox.h"

#define PATHS_MAX	64

struct paths {
	struct sandbox_path	p[PATHS_MAX];
	size_t			n;
	char			pool[16384];	/* the paths' text */
	size_t			used;
};

/*
 * Room for the next path of up to len octets (and its NUL), made the
 * next entry with access; NULL when there is none.
 */
static char *
next(struct paths *ps, size_t len, unsigned access)
{
	char *s = ps->pool + ps->used;

	if (ps->n == PATHS_MAX || len >= sizeof(ps->pool) - ps->used)
		return NULL;
	ps->used += len + 1;
	ps->p[ps->n].path = s;
	ps->p[ps->n].access = access;
	ps->n++;
	return s;
}

/*
 * The last entry made, when an earlier one names the same path: that one
 * takes its access too, and the last is dropped.  The defaults name
 * the same directory several times (the spool's /var/tmp; the store's
 * and the keys' /var/lib/samotop): each rule costs the session an
 * open(2), an fstat(2) and a landlock_add_rule(2), or a failed open(2).
 */
static void
merge_last(struct paths *ps)
{
	struct sandbox_path *last = &ps->p[ps->n - 1];
	size_t i;

	for (i = 0; i + 1 < ps->n; i++)
		if (strcmp(ps->p[i].path, last->path) == 0) {
			ps->p[i].access |= last->access;
			ps->n--;
			return;
		}
}

/* path itself (a directory) with access; -1 when there is no room. */
static int
add(struct paths *ps, const char *path, unsigned access)
{
	char *s;

	if (path == NULL || path[0] == '\0')
		return 0;
	if ((s = next(ps, strlen(path), access)) == NULL)
		return -1;
	strcpy(s, path);
	merge_last(ps);
	return 0;
}

/* The directory of file (SQLite writes its journal beside it). */
static int
add_dir_of(struct paths *ps, const char *file)
{
	const char *slash;
	size_t n;
	char *s;

	if (file == NULL || file[0] == '\0')
		return 0;
	if ((slash = strrchr(file, '/')) == NULL)
		return add(ps, ".", SANDBOX_WRITE);
	n = slash == file ? 1 : (size_t)(slash - file);
	if ((s = next(ps, n, SANDBOX_WRITE)) == NULL)
		return -1;
	memcpy(s, file, n);
	s[n] = '\0';
	merge_last(ps);
	return 0;
}

static const char *
base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * What the helper of argv writes: 0 with its paths added, or -1 when
 * the configuration does not say.
 */
static int
add_route(struct paths *ps, const char *const argv[])
{
	const char *name = base(argv[0]);
	size_t i = 1;
	char *s;

	if (strcmp(name, "samotop-lmtp") == 0) {
		/* options, then the target; exec: runs an LDA */
		for (; argv[i] != NULL && argv[i][0] == '-'; i++)
			if (strcmp(argv[i], "-t") == 0 ||
			    strcmp(argv[i], "-T") == 0)
				i++;
		return argv[i] != NULL && (strncmp(argv[i], "unix:", 5) == 0
		    || strncmp(argv[i], "inet:", 5) == 0) ? 0 : -1;
	}
	if (strcmp(name, "samotop-maildir") != 0)
		return -1;
	for (; argv[i] != NULL && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		/* -d, -l, -s and -z take a value */
		if (strchr("dlsz", argv[i][1]) != NULL && argv[i][2] == '\0')
			i++;
		if (argv[i] == NULL)
			return -1;
	}
	/* a template's root is no longer than the template */
	for (; argv[i] != NULL; i++)
		if ((s = next(ps, strlen(argv[i]) + 1,
		    SANDBOX_WRITE | SANDBOX_CREATE)) == NULL ||
		    sandbox_template_root(argv[i], s, strlen(argv[i]) + 2) ==
		    -1)
			return -1;
		else
			merge_last(ps);
	return 0;
}

/* All of it: 0, or -1 with *why naming what is not known. */
static int
collect(struct paths *ps, const struct conf *c, const char **why)
{
	const char *tmp = getenv("TMPDIR");
	size_t i;

	ps->n = 0;
	ps->used = 0;
	*why = "too many paths";
	if (add(ps, c->spool_dir, SANDBOX_WRITE) == -1 ||
	    add(ps, c->queue_dir, SANDBOX_WRITE) == -1 ||
	    add(ps, "/dev", SANDBOX_WRITE) == -1 ||
	    add(ps, "/tmp", SANDBOX_WRITE) == -1 ||
	    add(ps, "/var/tmp", SANDBOX_WRITE) == -1 ||
	    add(ps, tmp, SANDBOX_WRITE) == -1 ||
	    add_dir_of(ps, c->greylist_db) == -1 ||
	    add_dir_of(ps, c->screener_db) == -1 ||
	    add_dir_of(ps, c->store_db) == -1 ||
	    add_dir_of(ps, c->srs_key) == -1 ||
	    add_dir_of(ps, c->notrace_key) == -1)
		return -1;
	for (i = 0; i < c->nroutes; i++)
		if (add_route(ps, c->routes[i].argv) == -1) {
			*why = c->routes[i].argv[0];
			return -1;
		}
	if (c->relay_route[0] != NULL && add_route(ps, c->relay_route) == -1) {
		*why = c->relay_route[0];
		return -1;
	}
	return 0;
}

int
sandbox_smtpd_seal(const struct conf *c, const struct logger *lg)
{
	struct paths *ps;
	const char *why = "out of memory";
	int r;

	if ((ps = malloc(sizeof(*ps))) == NULL || collect(ps, c, &why) == -1) {
		log_event(lg, LVL_DEBUG, "sandbox", "landlock", "no",
		    "reason", why[0] == '/' ? "a route's program writes "
		    "where the configuration does not say" : why, "program",
		    why[0] == '/' ? why : NULL, NULL);
		r = sandbox_seal(SANDBOX_SMTPD, NULL, 0, lg);
	} else
		r = sandbox_seal(SANDBOX_SMTPD, ps->p, ps->n, lg);
	free(ps);
	return r;
}
