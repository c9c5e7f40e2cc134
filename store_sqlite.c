/*
 * store_sqlite.c: store.h in an SQLite file.
 *
 * Every session is its own process with its own connection, so the
 * file is shared through SQLite's locking: WAL lets readers run beside
 * the one writer, busy_timeout makes a writer wait for the lock rather
 * than fail, and store_begin is BEGIN IMMEDIATE, which takes the write
 * lock before the first read (a deferred transaction that reads, then
 * writes, can fail with SQLITE_BUSY without waiting).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqlitelib.h"
#include "store.h"
#include "store_ops.h"

#define STORE_BUSY_MS	5000	/* longest wait for the write lock */
#define STORE_RETRY_MS	5	/* between tries to switch to WAL */
#define NOT_WAL		(-1)	/* not an SQLite result code */

/* The back end's struct, from store.c's pointer. */
#define SQ(b)		((struct sq *)(void *)(b))

/*
 * synchronous=NORMAL: in WAL mode a power cut may lose the last
 * commits, never the file's consistency; a lost triplet only means one
 * more deferral, and no fsync per check keeps the lock short.
 */
static const char schema[] =
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS triplet ("
	" network TEXT NOT NULL, sender TEXT NOT NULL, rcpt TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	" passed_at INTEGER NOT NULL, attempts INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" UNIQUE (network, sender, rcpt));"
	"CREATE INDEX IF NOT EXISTS triplet_expires ON triplet (expires);"
	/* Added later: IF NOT EXISTS also brings an older file up to date. */
	"CREATE INDEX IF NOT EXISTS triplet_pending"
	" ON triplet (network, passed_at, expires);"
	"CREATE TABLE IF NOT EXISTS network ("
	" network TEXT NOT NULL UNIQUE, passes INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL, expires INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS network_expires ON network (expires);"
	/* The screener's: added to older files by IF NOT EXISTS, too. */
	"CREATE TABLE IF NOT EXISTS decision ("
	" user TEXT NOT NULL, sender TEXT NOT NULL,"
	" decision INTEGER NOT NULL, decided_at INTEGER NOT NULL,"
	" UNIQUE (user, sender));"
	"CREATE TABLE IF NOT EXISTS screened_user ("
	" user TEXT NOT NULL UNIQUE, last_seen INTEGER NOT NULL);"
	/* Rate counters: added to older files by IF NOT EXISTS, too. */
	"CREATE TABLE IF NOT EXISTS counter ("
	" name TEXT NOT NULL, key TEXT NOT NULL, started INTEGER NOT NULL,"
	" count INTEGER NOT NULL, expires INTEGER NOT NULL,"
	" UNIQUE (name, key));"
	"CREATE INDEX IF NOT EXISTS counter_expires ON counter (expires);"
	/* Named secrets (store_secret), hex: added by IF NOT EXISTS too. */
	"CREATE TABLE IF NOT EXISTS secret ("
	" name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);";

enum {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_TGET, Q_TPUT, Q_NGET, Q_NPUT,
	Q_TEXPIRE, Q_NEXPIRE, Q_PENDING, Q_DGET, Q_DPUT, Q_DFORGET, Q_DLIST,
	Q_USEEN, Q_ULIST, Q_CADD, Q_CEXPIRE, Q_SGET, Q_SPUT, Q__COUNT
};

static const char *const queries[Q__COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_TGET] = "SELECT first_seen, last_seen, passed_at, attempts,"
	    " expires FROM triplet"
	    " WHERE network = ?1 AND sender = ?2 AND rcpt = ?3",
	[Q_TPUT] = "INSERT INTO triplet (network, sender, rcpt, first_seen,"
	    " last_seen, passed_at, attempts, expires)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (network, sender, rcpt) DO UPDATE SET"
	    " first_seen = ?4, last_seen = ?5, passed_at = ?6,"
	    " attempts = ?7, expires = ?8",
	[Q_NGET] = "SELECT passes, last_seen, expires FROM network"
	    " WHERE network = ?1",
	[Q_NPUT] = "INSERT INTO network (network, passes, last_seen, expires)"
	    " VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (network) DO UPDATE SET"
	    " passes = ?2, last_seen = ?3, expires = ?4",
	/* Through the index, and bounded by LIMIT. */
	[Q_TEXPIRE] = "DELETE FROM triplet WHERE rowid IN (SELECT rowid"
	    " FROM triplet WHERE expires < ?1 LIMIT ?2)",
	[Q_NEXPIRE] = "DELETE FROM network WHERE rowid IN (SELECT rowid"
	    " FROM network WHERE expires < ?1 LIMIT ?2)",
	/* A range of triplet_pending, at most ?3 of its entries. */
	[Q_PENDING] = "SELECT count(*) FROM (SELECT 1 FROM triplet"
	    " WHERE network = ?1 AND passed_at = 0 AND expires >= ?2"
	    " LIMIT ?3) AS pending",
	/*
	 * The screener's keys are lowercased here, in one place: SQLite's
	 * lower() folds ASCII only, which is what addresses compare by.
	 */
	[Q_DGET] = "SELECT decision FROM decision"
	    " WHERE user = lower(?1) AND sender = lower(?2)",
	[Q_DPUT] = "INSERT INTO decision (user, sender, decision, decided_at)"
	    " VALUES (lower(?1), lower(?2), ?3, ?4)"
	    " ON CONFLICT (user, sender) DO UPDATE SET"
	    " decision = ?3, decided_at = ?4",
	[Q_DFORGET] = "DELETE FROM decision"
	    " WHERE user = lower(?1) AND sender = lower(?2)",
	[Q_DLIST] = "SELECT sender, decision, decided_at FROM decision"
	    " WHERE user = lower(?1) ORDER BY sender",
	[Q_USEEN] = "INSERT INTO screened_user (user, last_seen)"
	    " VALUES (lower(?1), ?2)"
	    " ON CONFLICT (user) DO UPDATE SET last_seen = ?2",
	[Q_ULIST] = "SELECT user FROM screened_user ORDER BY user",
	/*
	 * One statement, so two sessions counting at once lose nothing
	 * even outside store_begin.  In SET, the columns are the row's
	 * old values (SQL's rule, PostgreSQL's too).
	 */
	[Q_CADD] = "INSERT INTO counter (name, key, started, count, expires)"
	    " VALUES (?1, ?2, ?3, ?4, ?3 + ?5)"
	    " ON CONFLICT (name, key) DO UPDATE SET"
	    " count = CASE WHEN expires <= ?3 THEN ?4 ELSE count + ?4 END,"
	    " started = CASE WHEN expires <= ?3 THEN ?3 ELSE started END,"
	    " expires = CASE WHEN expires <= ?3 THEN ?3 + ?5 ELSE expires END"
	    " RETURNING count",
	[Q_CEXPIRE] = "DELETE FROM counter WHERE rowid IN (SELECT rowid"
	    " FROM counter WHERE expires < ?1 LIMIT ?2)",
	[Q_SGET] = "SELECT value FROM secret WHERE name = ?1",
	/* The first one stored stays: a session that lost gets it. */
	[Q_SPUT] = "INSERT INTO secret (name, value) VALUES (?1, ?2)"
	    " ON CONFLICT (name) DO NOTHING",
};

struct sq {
	struct store	 base;		/* first: store.c's view */
	struct sqlitelib lib;
	sqlite3		*db;
	sqlite3_stmt	*q[Q__COUNT];
	char		 err[256];
	char		 path[];	/* for messages */
};

/* Remember what SQLite says went wrong; returns -1 for the caller. */
static int
fail(struct sq *s)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", s->path,
	    s->lib.errmsg(s->db));
	return -1;
}

/*
 * Step q once: 1 a row (its columns stay readable until done()),
 * 0 done, -1 error.
 */
static int
step(struct sq *s, sqlite3_stmt *q)
{
	int rc;

	rc = s->lib.step(q);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	fail(s);
	s->lib.reset(q);
	s->lib.clear_bindings(q);
	return -1;
}

static void
done(struct sq *s, sqlite3_stmt *q)
{
	s->lib.reset(q);
	s->lib.clear_bindings(q);
}

/* Run a statement that returns no rows. */
static int
run(struct sq *s, sqlite3_stmt *q)
{
	if (step(s, q) == -1)
		return -1;
	done(s, q);
	return 0;
}

static int
bind_text(struct sq *s, sqlite3_stmt *q, int i, const char *v)
{
	if (s->lib.bind_text(q, i, v, -1, SQLITE_STATIC) != SQLITE_OK)
		return fail(s);
	return 0;
}

static int
bind_int(struct sq *s, sqlite3_stmt *q, int i, sqlite3_int64 v)
{
	if (s->lib.bind_int64(q, i, v) != SQLITE_OK)
		return fail(s);
	return 0;
}

/*
 * WAL is what lets many sessions share the file; a file system where it
 * cannot work (no shared memory) is an error, not a silent slowdown.
 * Returns an SQLite result code, or NOT_WAL.
 */
static int
try_wal(struct sq *s)
{
	sqlite3_stmt *q;
	const char *mode;
	int rc;

	if ((rc = s->lib.prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1,
	    &q, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = s->lib.step(q)) == SQLITE_ROW) {
		mode = (const char *)s->lib.column_text(q, 0);
		if (mode == NULL || s->lib.stricmp(mode, "wal") != 0)
			rc = NOT_WAL;
	}
	s->lib.finalize(q);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/*
 * Switching a new file to WAL turns a read lock into a write lock, and
 * SQLite does not wait for that (two waiting readers would deadlock):
 * when many sessions open a new file at once, all but one are told
 * SQLITE_BUSY at once.  They wait here, as busy_timeout would.
 */
static int
wal(struct sq *s)
{
	int rc, waited;

	for (waited = 0;; waited += STORE_RETRY_MS) {
		if ((rc = try_wal(s)) == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited >= STORE_BUSY_MS)
			break;
		s->lib.sleep(STORE_RETRY_MS);
	}
	if (rc == NOT_WAL)
		snprintf(s->err, sizeof(s->err), "%s: cannot use WAL mode",
		    s->path);
	else
		fail(s);
	return -1;
}

static int
prepare(struct sq *s)
{
	int i;

	if (s->lib.exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		return fail(s);
	for (i = 0; i < Q__COUNT; i++)
		if (s->lib.prepare_v3(s->db, queries[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) != SQLITE_OK)
			return fail(s);
	return 0;
}

/*
 * SQLite would create the file 0644, and who writes to whom is nobody
 * else's business: create it 0600 first (its -wal and -shm files get
 * the same mode from SQLite).
 */
static int
create(const char *path, char *err, size_t size)
{
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int
sq_begin(struct store *b)
{
	struct sq *s = SQ(b);

	return run(s, s->q[Q_BEGIN]);
}

static int
sq_commit(struct store *b)
{
	struct sq *s = SQ(b);

	return run(s, s->q[Q_COMMIT]);
}

/* Keeps the error that led here: that is what the caller reports. */
static void
sq_rollback(struct store *b)
{
	struct sq *s = SQ(b);

	if (s->lib.get_autocommit(s->db))
		return;
	s->lib.step(s->q[Q_ROLLBACK]);
	done(s, s->q[Q_ROLLBACK]);
}

static int
bind_key(struct sq *s, sqlite3_stmt *q, const struct store_key *k)
{
	if (bind_text(s, q, 1, k->network) == -1 ||
	    bind_text(s, q, 2, k->sender) == -1 ||
	    bind_text(s, q, 3, k->rcpt) == -1)
		return -1;
	return 0;
}

static int
sq_triplet_get(struct store *b, const struct store_key *k,
    struct store_triplet *t)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_TGET];
	int rc;

	if (bind_key(s, q, k) == -1) {
		done(s, q);
		return -1;
	}
	if ((rc = step(s, q)) == 1) {
		t->first = (time_t)s->lib.column_int64(q, 0);
		t->last = (time_t)s->lib.column_int64(q, 1);
		t->passed = (time_t)s->lib.column_int64(q, 2);
		t->attempts = (unsigned long)s->lib.column_int64(q, 3);
		t->until = (time_t)s->lib.column_int64(q, 4);
	}
	if (rc != -1)
		done(s, q);
	return rc;
}

static int
sq_triplet_put(struct store *b, const struct store_key *k,
    const struct store_triplet *t)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_TPUT];

	if (bind_key(s, q, k) == -1 ||
	    bind_int(s, q, 4, t->first) == -1 ||
	    bind_int(s, q, 5, t->last) == -1 ||
	    bind_int(s, q, 6, t->passed) == -1 ||
	    bind_int(s, q, 7, (sqlite3_int64)t->attempts) == -1 ||
	    bind_int(s, q, 8, t->until) == -1) {
		done(s, q);
		return -1;
	}
	return run(s, q);
}

static int
sq_network_get(struct store *b, const char *network,
    struct store_network *n)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_NGET];
	int rc;

	if (bind_text(s, q, 1, network) == -1) {
		done(s, q);
		return -1;
	}
	if ((rc = step(s, q)) == 1) {
		n->passes = (unsigned long)s->lib.column_int64(q, 0);
		n->last = (time_t)s->lib.column_int64(q, 1);
		n->until = (time_t)s->lib.column_int64(q, 2);
	}
	if (rc != -1)
		done(s, q);
	return rc;
}

static int
sq_network_put(struct store *b, const char *network,
    const struct store_network *n)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_NPUT];

	if (bind_text(s, q, 1, network) == -1 ||
	    bind_int(s, q, 2, (sqlite3_int64)n->passes) == -1 ||
	    bind_int(s, q, 3, n->last) == -1 ||
	    bind_int(s, q, 4, n->until) == -1) {
		done(s, q);
		return -1;
	}
	return run(s, q);
}

/* One bounded DELETE; the rows removed, or -1. */
static long
expire(struct sq *s, sqlite3_stmt *q, time_t now, unsigned max)
{
	if (bind_int(s, q, 1, now) == -1 || bind_int(s, q, 2, max) == -1) {
		done(s, q);
		return -1;
	}
	if (run(s, q) == -1)
		return -1;
	return (long)s->lib.changes(s->db);
}

static long
sq_expire(struct store *b, time_t now, unsigned max)
{
	struct sq *s = SQ(b);
	long t, n, c;

	if ((t = expire(s, s->q[Q_TEXPIRE], now, max)) == -1 ||
	    (n = expire(s, s->q[Q_NEXPIRE], now, max)) == -1 ||
	    (c = expire(s, s->q[Q_CEXPIRE], now, max)) == -1)
		return -1;
	return t + n + c;
}

static long
sq_pending(struct store *b, const char *network, time_t now,
    unsigned max)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_PENDING];
	long n;

	if (bind_text(s, q, 1, network) == -1 || bind_int(s, q, 2, now) == -1 ||
	    bind_int(s, q, 3, max) == -1) {
		done(s, q);
		return -1;
	}
	switch (step(s, q)) {
	case 1:
		n = (long)s->lib.column_int64(q, 0);
		done(s, q);
		return n;
	case 0:		/* count(*) always returns a row */
		snprintf(s->err, sizeof(s->err), "%s: no count of pending "
		    "triplets", s->path);
		done(s, q);
		return -1;
	default:
		return -1;
	}
}

static int
sq_decision_get(struct store *b, const char *user, const char *sender,
    int *decision)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_DGET];
	int rc;

	if (bind_text(s, q, 1, user) == -1 ||
	    bind_text(s, q, 2, sender) == -1) {
		done(s, q);
		return -1;
	}
	if ((rc = step(s, q)) == 1)
		*decision = (int)s->lib.column_int64(q, 0);
	if (rc != -1)
		done(s, q);
	return rc;
}

static int
sq_decision_put(struct store *b, const char *user, const char *sender,
    int decision, time_t at)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_DPUT];

	if (decision != STORE_ALLOW && decision != STORE_DENY) {
		snprintf(s->err, sizeof(s->err), "%s: no such decision: %d",
		    s->path, decision);
		return -1;
	}
	if (bind_text(s, q, 1, user) == -1 ||
	    bind_text(s, q, 2, sender) == -1 ||
	    bind_int(s, q, 3, decision) == -1 ||
	    bind_int(s, q, 4, at) == -1) {
		done(s, q);
		return -1;
	}
	return run(s, q);
}

static int
sq_decision_forget(struct store *b, const char *user, const char *sender)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_DFORGET];

	if (bind_text(s, q, 1, user) == -1 ||
	    bind_text(s, q, 2, sender) == -1) {
		done(s, q);
		return -1;
	}
	if (run(s, q) == -1)
		return -1;
	return s->lib.changes(s->db) > 0;
}

static int
sq_decision_list(struct store *b, const char *user,
    int (*each)(void *arg, const char *sender, int decision, time_t at),
    void *arg)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_DLIST];
	const char *sender;
	int rc = 0, stop = 0;

	if (bind_text(s, q, 1, user) == -1) {
		done(s, q);
		return -1;
	}
	while (stop == 0 && (rc = step(s, q)) == 1) {
		if ((sender = (const char *)s->lib.column_text(q, 0)) == NULL)
			continue;
		stop = each(arg, sender, (int)s->lib.column_int64(q, 1),
		    (time_t)s->lib.column_int64(q, 2));
	}
	if (stop == 0 && rc == -1)
		return -1;
	done(s, q);
	return stop;
}

static int
sq_user_seen(struct store *b, const char *user, time_t at)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_USEEN];

	if (bind_text(s, q, 1, user) == -1 || bind_int(s, q, 2, at) == -1) {
		done(s, q);
		return -1;
	}
	return run(s, q);
}

static int
sq_user_list(struct store *b, int (*each)(void *arg, const char *user),
    void *arg)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_ULIST];
	const char *user;
	int rc = 0, stop = 0;

	while (stop == 0 && (rc = step(s, q)) == 1) {
		if ((user = (const char *)s->lib.column_text(q, 0)) == NULL)
			continue;
		stop = each(arg, user);
	}
	if (stop == 0 && rc == -1)
		return -1;
	done(s, q);
	return stop;
}

static int
sq_counter_add(struct store *b, const char *name, const char *key,
    unsigned long n, unsigned period, time_t now, unsigned long *total)
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_CADD];

	if (bind_text(s, q, 1, name) == -1 || bind_text(s, q, 2, key) == -1 ||
	    bind_int(s, q, 3, now) == -1 ||
	    bind_int(s, q, 4, (sqlite3_int64)n) == -1 ||
	    bind_int(s, q, 5, period) == -1) {
		done(s, q);
		return -1;
	}
	switch (step(s, q)) {
	case 1:
		*total = (unsigned long)s->lib.column_int64(q, 0);
		done(s, q);
		return 0;
	case 0:		/* RETURNING always returns the row */
		snprintf(s->err, sizeof(s->err), "%s: no count returned",
		    s->path);
		done(s, q);
		return -1;
	default:
		return -1;
	}
}

/* The secret stored for name into hex: 1, 0 none, -1 error. */
static int
secret_get(struct sq *s, const char *name, size_t len,
    char hex[STORE_SECRET_HEX])
{
	sqlite3_stmt *q = s->q[Q_SGET];
	const char *v;
	int rc;

	if (bind_text(s, q, 1, name) == -1) {
		done(s, q);
		return -1;
	}
	if ((rc = step(s, q)) == -1)
		return -1;
	if (rc == 1) {
		v = (const char *)s->lib.column_text(q, 0);
		if (v == NULL || !store_secret_ok(v, len)) {
			snprintf(s->err, sizeof(s->err), "%s: secret %s: not "
			    "%zu octets of hex", s->path, name, len);
			rc = -1;
		} else
			memcpy(hex, v, 2 * len + 1);
	}
	done(s, q);
	return rc;
}

static int
sq_secret(struct store *b, const char *name, size_t len,
    char hex[STORE_SECRET_HEX])
{
	struct sq *s = SQ(b);
	sqlite3_stmt *q = s->q[Q_SPUT];
	char fresh[STORE_SECRET_HEX];
	int rc;

	if ((rc = secret_get(s, name, len, hex)) != 0)
		return rc == 1 ? 0 : -1;
	if (store_secret_fresh(len, fresh) == -1) {
		snprintf(s->err, sizeof(s->err), "%s: secret %s: %s",
		    s->path, name, strerror(errno));
		return -1;
	}
	if (bind_text(s, q, 1, name) == -1 ||
	    bind_text(s, q, 2, fresh) == -1) {
		done(s, q);
		rc = -1;
	} else
		rc = run(s, q);
	explicit_bzero(fresh, sizeof(fresh));
	if (rc == -1)
		return -1;
	if ((rc = secret_get(s, name, len, hex)) == 0)
		snprintf(s->err, sizeof(s->err), "%s: secret %s: stored, "
		    "then not found", s->path, name);
	return rc == 1 ? 0 : -1;
}

/* BEGIN IMMEDIATE waits for the lock: no transaction is refused. */
static int
sq_retry(const struct store *b)
{
	(void)b;
	return 0;
}

static const char *
sq_error(const struct store *b)
{
	const struct sq *s = (const struct sq *)(const void *)b;

	return s->err;
}

static void
sq_close(struct store *b)
{
	struct sq *s = SQ(b);
	int i;

	if (s->lib.handle == NULL) {	/* SQLite could not be loaded */
		free(s);
		return;
	}
	for (i = 0; i < Q__COUNT; i++)
		s->lib.finalize(s->q[i]);
	s->lib.close(s->db);
	free(s);
}

static const struct store_ops sq_ops = {
	sq_begin, sq_commit, sq_rollback, sq_triplet_get, sq_triplet_put,
	sq_network_get, sq_network_put, sq_pending, sq_expire,
	sq_decision_get, sq_decision_put, sq_decision_forget,
	sq_decision_list, sq_user_seen, sq_user_list, sq_counter_add,
	sq_secret, sq_retry, sq_error, sq_close
};

struct store *
store_sqlite_open(const char *path, char *err, size_t size)
{
	struct sq *s;
	size_t len = strlen(path);

	if (create(path, err, size) == -1)
		return NULL;
	if ((s = calloc(1, sizeof(*s) + len + 1)) == NULL) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return NULL;
	}
	s->base.ops = &sq_ops;
	memcpy(s->path, path, len + 1);
	if (sqlitelib_open(&s->lib, s->err, sizeof(s->err)) == -1)
		goto bad;
	if (s->lib.open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (s->db == NULL)
			snprintf(s->err, sizeof(s->err), "%s: out of memory",
			    path);
		else
			fail(s);
		goto bad;
	}
	s->lib.busy_timeout(s->db, STORE_BUSY_MS);
	if (wal(s) == -1 || prepare(s) == -1)
		goto bad;
	return &s->base;
bad:
	snprintf(err, size, "%s", s->err);
	sq_close(&s->base);
	return NULL;
}
