/*
 * q_dir.h: the queue directory's shape (SHARED15): DIR/tmp, DIR/mess,
 * DIR/env, DIR/state, each file named by its message's ID (q_id.h), the
 * files in tmp/ named ID.mess, ID.env, ID.state.
 */
#ifndef SAMOTOP_Q_DIR_H
#define SAMOTOP_Q_DIR_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Make DIR and DIR/tmp, mess, env and state where missing, with mode
 * (0750; 02770 for a queue that the sendmail drop group writes, see
 * samotop-sendmail(8)), chmod'ed so the umask does not narrow it.
 * Existing directories are left as they are.  0, or -1 with errno set.
 */
int	q_dir_ensure(const char *dir, mode_t mode);

/*
 * buf[0..size) = "DIR/SUB/NAME" (NAME may be NULL: "DIR/SUB").  0, or
 * -1 (errno ENAMETOOLONG) when it does not fit.
 */
int	q_dir_path(char *buf, size_t size, const char *dir, const char *sub,
	    const char *name);

/*
 * Call each(id, arg) for every file of DIR/SUB whose name passes
 * q_id_valid(), in ascending order (oldest first); other names are
 * skipped.  each returning non-zero stops the walk, and q_dir_list()
 * returns that value.  0 when all were listed, -1 with errno when the
 * directory cannot be read.  The names are read first (one allocation
 * per call), so each may remove files.
 */
int	q_dir_list(const char *dir, const char *sub,
	    int (*each)(const char *id, void *arg), void *arg);

/*
 * Remove a message: env/ID first (from then on it is not queued), then
 * state/ID and mess/ID; files already gone are no error.  0, or -1
 * with errno from the first failed unlink(2).
 */
int	q_dir_remove(const char *dir, const char *id);

#endif
