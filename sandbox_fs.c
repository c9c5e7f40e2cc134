/*
 * sandbox_fs.c: Landlock (Linux >= 5.13) through syscall(2): no library.
 * Every file access the running kernel's Landlock ABI knows is handled,
 * so whatever is not beneath a listed path is refused (EACCES); a kernel
 * or a container without Landlock is not an error, only a debug line.
 */
/* O_PATH is Linux's: only this file asks for it. */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/landlock.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)	/* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#endif

#define FS_READ	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE |			\
	LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |\
	LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |	\
	LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_MAKE_SOCK |	\
	LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_REFER |	\
	LANDLOCK_ACCESS_FS_TRUNCATE)
/* The rights that apply to a file (the others only to directories). */
#define FS_FILE	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |\
	LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |	\
	LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* The first field of struct landlock_ruleset_attr, in every ABI. */
struct ruleset_attr {
	unsigned long long	handled_access_fs;
};

/* What ABI abi handles: each version adds its rights. */
static unsigned long long
handled(long abi)
{
	unsigned long long h = LANDLOCK_ACCESS_FS_EXECUTE | FS_READ |
	    (FS_WRITE & ~(LANDLOCK_ACCESS_FS_REFER |
	    LANDLOCK_ACCESS_FS_TRUNCATE)) | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK;

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

static unsigned long long
rights(unsigned access)
{
	unsigned long long r = FS_READ;

	if (access & SANDBOX_WRITE)
		r |= FS_WRITE | LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (access & SANDBOX_EXEC)
		r |= LANDLOCK_ACCESS_FS_EXECUTE;
	return r;
}

/*
 * path opened O_PATH; with SANDBOX_CREATE, the nearest existing parent
 * when path does not exist yet (a Maildir that -c may make).
 */
static int
open_beneath(const char *path, unsigned access)
{
	char p[PATH_MAX], *slash;
	int fd;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) != -1 ||
	    errno != ENOENT || !(access & SANDBOX_CREATE))
		return fd;
	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return -1;
	while ((slash = strrchr(p, '/')) != NULL) {
		*slash = '\0';
		if ((fd = open(p[0] == '\0' ? "/" : p,
		    O_PATH | O_CLOEXEC)) != -1 || errno != ENOENT)
			return fd;
	}
	return open(".", O_PATH | O_CLOEXEC);
}

int
sandbox_landlock(const struct sandbox_path *paths, size_t npaths,
    int writes_only, const struct logger *lg)
{
	struct ruleset_attr attr;
	struct landlock_path_beneath_attr rule;
	struct stat st;
	long abi;
	size_t i;
	int rs, fd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_event(lg, LVL_DEBUG, "sandbox", "landlock", "no", "error",
		    strerror(errno), NULL);
		return 0;
	}
	attr.handled_access_fs = handled(abi);
	if (writes_only)
		attr.handled_access_fs &= FS_WRITE |
		    LANDLOCK_ACCESS_FS_MAKE_CHAR |
		    LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1) {
		log_event(lg, LVL_WARN, "sandbox", "landlock", "no", "error",
		    strerror(errno), NULL);
		return -1;
	}
	for (i = 0; i < npaths; i++) {
		if ((fd = open_beneath(paths[i].path, paths[i].access)) == -1) {
			log_event(lg, LVL_DEBUG, "sandbox", "landlock",
			    "skipped", "path", paths[i].path, "error",
			    strerror(errno), NULL);
			continue;
		}
		memset(&rule, 0, sizeof(rule));
		rule.parent_fd = fd;
		rule.allowed_access = rights(paths[i].access) &
		    attr.handled_access_fs;
		if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
			rule.allowed_access &= FS_FILE;
		if (syscall(SYS_landlock_add_rule, rs,
		    LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == -1)
			log_event(lg, LVL_WARN, "sandbox", "landlock",
			    "rule refused", "path", paths[i].path, "error",
			    strerror(errno), NULL);
		close(fd);
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		log_event(lg, LVL_WARN, "sandbox", "landlock", "no", "error",
		    strerror(errno), NULL);
		close(rs);
		return -1;
	}
	close(rs);
	return 1;
}

#else

int
sandbox_landlock(const struct sandbox_path *paths, size_t npaths,
    int writes_only, const struct logger *lg)
{
	(void)paths;
	(void)npaths;
	(void)writes_only;
	log_event(lg, LVL_DEBUG, "sandbox", "landlock", "no", "reason",
	    "not Linux", NULL);
	return 0;
}

#endif

int
sandbox_template_root(const char *tmpl, char *out, size_t size)
{
	const char *pct = strchr(tmpl, '%'), *slash;
	size_t n;

	if (pct == NULL)
		n = strlen(tmpl);
	else {
		for (slash = pct; slash > tmpl && slash[-1] != '/'; slash--)
			continue;
		if (slash == tmpl)
			return snprintf(out, size, ".") < (int)size ? 0 : -1;
		n = (size_t)(slash - tmpl) - 1;
		if (n == 0)
			n = 1;		/* "/%u": the root */
	}
	if (n >= size)
		return -1;
	memcpy(out, tmpl, n);
	out[n] = '\0';
	return 0;
}
