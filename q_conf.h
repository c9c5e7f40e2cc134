/*
 * q_conf.h: samotop.conf(5) as the queue's programs read it
 * (samotop-queue, samotop-sendmail, samotop-mailq): -c FILE, else
 * Q_CONF_DEFAULT when that file exists, else the documented defaults
 * (a host with no configuration still has a queue).
 */
#ifndef SAMOTOP_Q_CONF_H
#define SAMOTOP_Q_CONF_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

#define Q_CONF_DEFAULT	"/etc/samotop/samotop.conf"

/*
 * Load c from path (NULL: the default file, when it exists), check it,
 * and fill in the hostname when the file gives none.  *text receives
 * the file's text (free it after c; NULL when no file was read).  0, or
 * -1 with "FILE:LINE: what" in msg[0..size).
 */
int	q_conf_load(struct conf *c, const char *path, char **text, char *msg,
	    size_t size);

/*
 * The mode of the queue's directories: 0750, or 02770 when
 * sendmail-group is set (the drop group writes tmp/, mess/ and env/;
 * see samotop-sendmail(8)).
 */
mode_t	q_conf_dir_mode(const struct conf *c);

#endif
