/*
 * q_dir.c: the queue directory (q_dir.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "q_dir.h"
#include "q_id.h"

static const char *const subdirs[] = { "tmp", "mess", "env", "state" };

static int
ensure_one(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return chmod(path, mode);	/* not narrowed by the umask */
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int
q_dir_ensure(const char *dir, mode_t mode)
{
	char path[1024];
	size_t i;

	if (ensure_one(dir, mode) == -1)
		return -1;
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++)
		if (q_dir_path(path, sizeof(path), dir, subdirs[i],
		    NULL) == -1 || ensure_one(path, mode) == -1)
			return -1;
	return 0;
}

int
q_dir_path(char *buf, size_t size, const char *dir, const char *sub,
    const char *name)
{
	int n;

	if (name != NULL)
		n = snprintf(buf, size, "%s/%s/%s", dir, sub, name);
	else
		n = snprintf(buf, size, "%s/%s", dir, sub);
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			buf[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
select_id(const struct dirent *d)
{
	return q_id_valid(d->d_name);
}

/* Oldest first: the epochs compared as numbers, then the names. */
static int
by_age(const struct dirent **a, const struct dirent **b)
{
	time_t ta = q_id_time((*a)->d_name), tb = q_id_time((*b)->d_name);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
q_dir_list(const char *dir, const char *sub,
    int (*each)(const char *id, void *arg), void *arg)
{
	char path[1024];
	struct dirent **names;
	int i, n, rc = 0;

	if (q_dir_path(path, sizeof(path), dir, sub, NULL) == -1)
		return -1;
	if ((n = scandir(path, &names, select_id, by_age)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = each(names[i]->d_name, arg);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
q_dir_remove(const char *dir, const char *id)
{
	static const char *const order[] = { "env", "state", "mess" };
	char path[1024];
	size_t i;
	int saved = 0;

	if (!q_id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < 3; i++) {
		if (q_dir_path(path, sizeof(path), dir, order[i], id) == -1)
			return -1;
		if (unlink(path) == -1 && errno != ENOENT) {
			if (i == 0)
				return -1;	/* still queued: stop here */
			if (saved == 0)
				saved = errno;
		}
	}
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	return 0;
}
