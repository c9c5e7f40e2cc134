/*
 * store_ops.h: the back ends' side of store.h.  store.c is the front:
 * it picks a back end by what store_open() is given and forwards each
 * call to it through a table of operations.  A back end's own state
 * (its SQLite handle, its PostgreSQL connection) is its own: it embeds
 * struct store first in its struct and casts back, and nobody else
 * looks inside.  The contracts are store.h's, call for call.
 */
#ifndef SAMOTOP_STORE_OPS_H
#define SAMOTOP_STORE_OPS_H

#include <string.h>

#include "store.h"

/* store_secret as hex digits, NUL-terminated (see below). */
#define STORE_SECRET_HEX	(2 * STORE_SECRET_MAX + 1)

struct store_ops {
	int	(*begin)(struct store *);
	int	(*commit)(struct store *);
	void	(*rollback)(struct store *);
	int	(*triplet_get)(struct store *, const struct store_key *,
		    struct store_triplet *);
	int	(*triplet_put)(struct store *, const struct store_key *,
		    const struct store_triplet *);
	int	(*network_get)(struct store *, const char *,
		    struct store_network *);
	int	(*network_put)(struct store *, const char *,
		    const struct store_network *);
	long	(*pending)(struct store *, const char *, time_t, unsigned);
	long	(*expire)(struct store *, time_t, unsigned);
	int	(*decision_get)(struct store *, const char *, const char *,
		    int *);
	int	(*decision_put)(struct store *, const char *, const char *,
		    int, time_t);
	int	(*decision_forget)(struct store *, const char *,
		    const char *);
	int	(*decision_list)(struct store *, const char *,
		    int (*)(void *, const char *, int, time_t), void *);
	int	(*user_seen)(struct store *, const char *, time_t);
	int	(*user_list)(struct store *, int (*)(void *, const char *),
		    void *);
	int	(*counter_add)(struct store *, const char *, const char *,
		    unsigned long, unsigned, time_t, unsigned long *);
	/* store_secret, as 2 * len hex digits (store_secret_hex) */
	int	(*secret)(struct store *, const char *, size_t,
		    char hex[STORE_SECRET_HEX]);
	int	(*retry)(const struct store *);
	const char *(*error)(const struct store *);
	void	(*close)(struct store *);
};

/*
 * store_secret travels as hex (plain text, which every engine stores
 * and returns alike).  The back end reads the secret; when there is
 * none, it makes one with store_secret_fresh (0, or -1 with errno),
 * inserts it unless another was inserted first, and reads again.
 * What it read is usable when store_secret_ok: 2 * len lowercase hex
 * digits (a row changed by hand is refused, not cut).
 */
int		 store_secret_fresh(size_t len, char hex[STORE_SECRET_HEX]);

static inline int
store_secret_ok(const char *stored, size_t len)
{
	return strlen(stored) == 2 * len &&
	    strspn(stored, "0123456789abcdef") == 2 * len;
}

/* The first member of every back end's struct. */
struct store {
	const struct store_ops *ops;
};

/* store_open() for an SQLite file (store_sqlite.c). */
struct store	*store_sqlite_open(const char *path, char *err, size_t size);
/* store_open() for a postgresql:// URI (store_pg.c). */
struct store	*store_pg_open(const char *uri, char *err, size_t size);

#endif
