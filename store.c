/*
 * store.c: store.h's front.  What store_open() is given picks the back
 * end: a postgresql:// or postgres:// URI is a PostgreSQL server shared
 * by several hosts (store_pg.c, libpq loaded only then), anything else
 * an SQLite file (store_sqlite.c).  Every other call goes to the back
 * end that opened the store.
 */
#include <sys/random.h>

#include <errno.h>
#include <string.h>

#include "hex.h"
#include "store.h"
#include "store_ops.h"

struct store *
store_open(const char *where, char *err, size_t size)
{
	if (store_is_uri(where))
		return store_pg_open(where, err, size);
	return store_sqlite_open(where, err, size);
}

int
store_begin(struct store *s)
{
	return s->ops->begin(s);
}

int
store_commit(struct store *s)
{
	return s->ops->commit(s);
}

void
store_rollback(struct store *s)
{
	s->ops->rollback(s);
}

int
store_triplet_get(struct store *s, const struct store_key *k,
    struct store_triplet *t)
{
	return s->ops->triplet_get(s, k, t);
}

int
store_triplet_put(struct store *s, const struct store_key *k,
    const struct store_triplet *t)
{
	return s->ops->triplet_put(s, k, t);
}

int
store_network_get(struct store *s, const char *network,
    struct store_network *n)
{
	return s->ops->network_get(s, network, n);
}

int
store_network_put(struct store *s, const char *network,
    const struct store_network *n)
{
	return s->ops->network_put(s, network, n);
}

long
store_pending(struct store *s, const char *network, time_t now,
    unsigned max)
{
	return s->ops->pending(s, network, now, max);
}

long
store_expire(struct store *s, time_t now, unsigned max)
{
	return s->ops->expire(s, now, max);
}

int
store_decision_get(struct store *s, const char *user, const char *sender,
    int *decision)
{
	return s->ops->decision_get(s, user, sender, decision);
}

int
store_decision_put(struct store *s, const char *user, const char *sender,
    int decision, time_t at)
{
	return s->ops->decision_put(s, user, sender, decision, at);
}

int
store_decision_forget(struct store *s, const char *user, const char *sender)
{
	return s->ops->decision_forget(s, user, sender);
}

int
store_decision_list(struct store *s, const char *user,
    int (*each)(void *arg, const char *sender, int decision, time_t at),
    void *arg)
{
	return s->ops->decision_list(s, user, each, arg);
}

int
store_user_seen(struct store *s, const char *user, time_t at)
{
	return s->ops->user_seen(s, user, at);
}

int
store_user_list(struct store *s, int (*each)(void *arg, const char *user),
    void *arg)
{
	return s->ops->user_list(s, each, arg);
}

int
store_counter_add(struct store *s, const char *name, const char *key,
    unsigned long n, unsigned period, time_t now, unsigned long *total)
{
	return s->ops->counter_add(s, name, key, n, period, now, total);
}

int
store_secret_fresh(size_t len, char hex[STORE_SECRET_HEX])
{
	unsigned char fresh[STORE_SECRET_MAX];
	ssize_t n;

	if (len == 0 || len > STORE_SECRET_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* up to 256 octets come whole once the pool is ready */
	if ((n = getrandom(fresh, len, 0)) != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	hex_lower(fresh, len, hex);
	explicit_bzero(fresh, sizeof(fresh));
	return 0;
}

static int
unhex(int c)
{
	return c >= 'a' ? c - 'a' + 10 : c - '0';
}

int
store_secret(struct store *s, const char *name, unsigned char *out,
    size_t len)
{
	char hex[STORE_SECRET_HEX];
	size_t i;
	int rc;

	if (len == 0 || len > STORE_SECRET_MAX) {
		errno = EINVAL;		/* a caller's mistake: the contract */
		return -1;
	}
	if ((rc = s->ops->secret(s, name, len, hex)) == 0)
		for (i = 0; i < len; i++)	/* store_secret_ok() holds */
			out[i] = (unsigned char)(unhex(hex[2 * i]) << 4 |
			    unhex(hex[2 * i + 1]));
	explicit_bzero(hex, sizeof(hex));
	return rc;
}

int
store_retry(const struct store *s)
{
	return s->ops->retry(s);
}

const char *
store_error(const struct store *s)
{
	return s->ops->error(s);
}

void
store_close(struct store *s)
{
	if (s != NULL)
		s->ops->close(s);
}
