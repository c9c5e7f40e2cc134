/*
 * q_conf.c: the queue programs' configuration (q_conf.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "q_conf.h"

int
q_conf_load(struct conf *c, const char *path, char **text, char *msg,
    size_t size)
{
	struct conf_error err;

	*text = NULL;
	conf_defaults(c);
	if (path == NULL) {
		path = Q_CONF_DEFAULT;
		if (access(path, F_OK) == -1 && errno == ENOENT)
			goto host;
	}
	if (conf_load(c, path, text, &err) == -1 ||
	    conf_check(c, &err) == -1) {
		if (err.line > 0)
			snprintf(msg, size, "%s:%u: %s", path, err.line,
			    err.msg);
		else
			snprintf(msg, size, "%s: %s", path, err.msg);
		return -1;
	}
host:
	if (c->hostname[0] == '\0' &&
	    gethostname(c->hostname, sizeof(c->hostname) - 1) == -1)
		snprintf(c->hostname, sizeof(c->hostname), "localhost");
	return 0;
}

mode_t
q_conf_dir_mode(const struct conf *c)
{
	return c->sendmail_group != NULL ? 02770 : 0750;
}
