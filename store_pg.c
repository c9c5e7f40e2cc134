/*
 * store_pg.c: store.h in a PostgreSQL database, which several MX hosts
 * share (greylisting that a retry to another host still finds, one set
 * of screener decisions, counters that add up across hosts).
 *
 * The SQL keeps to what PostgreSQL's distributed relatives also run
 * (CockroachDB, YugabyteDB, Citus; samotop.conf(5), "A shared store"):
 * plain tables, each with a primary key; INSERT ... ON CONFLICT;
 * RETURNING; SELECT ... FOR UPDATE.  No sequences, triggers, stored
 * procedures, advisory locks, LOCK TABLE, ctid or DELETE ... LIMIT;
 * no bytea either (store_secret's octets are kept as hex text).
 *
 * Transactions run at the server's default isolation (READ COMMITTED
 * on PostgreSQL).  A read-modify-write loses nothing all the same:
 * store_triplet_get, store_network_get and (in a transaction)
 * store_decision_get lock the row they find
 * (FOR UPDATE), so a second session waits for the first's commit and
 * then reads what it wrote.  A row that is not there yet cannot be
 * locked: the put that follows such a get inserts only, and when
 * another session inserted the row in between, the put fails with
 * store_retry() set, and the caller runs its transaction again, this
 * time finding (and locking) the row.  store_pending, in a
 * transaction, locks the network's row (making it, with no passes, when
 * there is none), so that sessions counting one network's pending
 * triplets take turns and a limit holds exactly.  An engine that runs
 * everything SERIALIZABLE (CockroachDB) reports its conflicts as
 * SQLSTATE 40001, which is store_retry() too.
 *
 * A session is a process, so each opens its own connection: the
 * server forks a backend for it (PgBouncer in front spares that), and
 * loading libpq with its two dozen libraries is most of what a session
 * pays here (bench/store.py).
 *
 * Every statement is prepared on the connection when first used and
 * its values bound as parameters, never written into the SQL.  The
 * tables are created, and later changed, by samotop (schema_version).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pglib.h"
#include "store.h"
#include "store_ops.h"
#include "store_pg.h"

#define PG_CONNECT_TIMEOUT	"5"	/* seconds, unless the URI says */
/*
 * Set on each connection (a SET, not the startup packet's options:
 * PgBouncer refuses those), unless the URI's options set it.
 */
#define PG_STATEMENT_TIMEOUT	"SET statement_timeout = 5000"	/* ms */
#define PG_SHOW_MAX	256	/* octets of the URI in messages */
#define PG_KEY_MAX	1024	/* octets of a lowercased key */
#define PG_SEEN_MAX	1536	/* a triplet's key, remembered */
#define PG_PARAMS_MAX	8
#define PG_SCHEMA	2	/* schema_version this code writes */

/* The back end's struct, from store.c's pointer. */
#define PG(b)		((struct pg *)(void *)(b))
#define CPG(b)		((const struct pg *)(const void *)(b))

/*
 * Version 1.  Times are seconds since the epoch (BIGINT); keys are
 * text, lowercased by samotop where store.h says so.  A later version
 * adds its statements in a new step, and an older database runs the
 * steps it lacks, in order.
 */
static const char *const schema_v1[] = {
	"CREATE TABLE IF NOT EXISTS triplet ("
	" network TEXT NOT NULL, sender TEXT NOT NULL, rcpt TEXT NOT NULL,"
	" first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,"
	" passed_at BIGINT NOT NULL, attempts BIGINT NOT NULL,"
	" expires BIGINT NOT NULL,"
	" PRIMARY KEY (network, sender, rcpt))",
	"CREATE INDEX IF NOT EXISTS triplet_expires ON triplet (expires)",
	"CREATE INDEX IF NOT EXISTS triplet_pending"
	" ON triplet (network, passed_at, expires)",
	"CREATE TABLE IF NOT EXISTS network ("
	" network TEXT NOT NULL PRIMARY KEY, passes BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL, expires BIGINT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS network_expires ON network (expires)",
	"CREATE TABLE IF NOT EXISTS decision ("
	" mailbox TEXT NOT NULL, sender TEXT NOT NULL,"
	" decision INTEGER NOT NULL, decided_at BIGINT NOT NULL,"
	" PRIMARY KEY (mailbox, sender))",
	"CREATE TABLE IF NOT EXISTS screened_user ("
	" mailbox TEXT NOT NULL PRIMARY KEY, last_seen BIGINT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS counter ("
	" name TEXT NOT NULL, subject TEXT NOT NULL,"
	" started BIGINT NOT NULL, events BIGINT NOT NULL,"
	" expires BIGINT NOT NULL, PRIMARY KEY (name, subject))",
	"CREATE INDEX IF NOT EXISTS counter_expires ON counter (expires)",
	NULL
};

/* Version 2: named secrets (store_secret), as hex text. */
static const char *const schema_v2[] = {
	"CREATE TABLE IF NOT EXISTS secret ("
	" name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
	NULL
};

static const char *const *const schema_steps[PG_SCHEMA] = {
	schema_v1, schema_v2
};

static const char version_table[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)";

enum {
	Q_SETVERSION, Q_TGET, Q_TPUT, Q_TINSERT, Q_NGET, Q_NPUT,
	Q_NINSERT, Q_NLOCK, Q_TEXPIRE, Q_NEXPIRE, Q_CEXPIRE, Q_PENDING, Q_DGET,
	Q_DLOCK, Q_DPUT, Q_DINSERT, Q_DFORGET, Q_DLIST, Q_USEEN, Q_ULIST, Q_CADD,
	Q_SGET, Q_SPUT, Q__COUNT
};

struct query {
	const char	*name;		/* the prepared statement's */
	const char	*types;		/* a parameter each: T text, I bigint */
	const char	*sql;
};

#define TRIPLET_COLUMNS	"(network, sender, rcpt, first_seen, last_seen," \
			" passed_at, attempts, expires)" \
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
#define NETWORK_COLUMNS	"(network, passes, last_seen, expires)" \
			" VALUES ($1, $2, $3, $4)"
#define NETWORK_COLUMNS_LOCK "(network, passes, last_seen, expires)" \
			" VALUES ($1, 0, 0, $2 + 3600)"

static const struct query queries[Q__COUNT] = {
	[Q_SETVERSION] = { "samotop_setversion", "I",
	    "INSERT INTO schema_version (id, version) VALUES (1, $1)"
	    " ON CONFLICT (id) DO UPDATE SET version = excluded.version" },
	[Q_TGET] = { "samotop_tget", "TTT",
	    "SELECT first_seen, last_seen, passed_at, attempts, expires"
	    " FROM triplet WHERE network = $1 AND sender = $2 AND rcpt = $3"
	    " FOR UPDATE" },
	[Q_TPUT] = { "samotop_tput", "TTTIIIII",
	    "INSERT INTO triplet " TRIPLET_COLUMNS
	    " ON CONFLICT (network, sender, rcpt) DO UPDATE SET"
	    " first_seen = excluded.first_seen,"
	    " last_seen = excluded.last_seen,"
	    " passed_at = excluded.passed_at,"
	    " attempts = excluded.attempts, expires = excluded.expires" },
	/* After a get that found nothing: 0 rows when another won. */
	[Q_TINSERT] = { "samotop_tinsert", "TTTIIIII",
	    "INSERT INTO triplet " TRIPLET_COLUMNS
	    " ON CONFLICT (network, sender, rcpt) DO NOTHING" },
	[Q_NGET] = { "samotop_nget", "T",
	    "SELECT passes, last_seen, expires FROM network"
	    " WHERE network = $1 FOR UPDATE" },
	[Q_NPUT] = { "samotop_nput", "TIII",
	    "INSERT INTO network " NETWORK_COLUMNS
	    " ON CONFLICT (network) DO UPDATE SET"
	    " passes = excluded.passes, last_seen = excluded.last_seen,"
	    " expires = excluded.expires" },
	[Q_NINSERT] = { "samotop_ninsert", "TIII",
	    "INSERT INTO network " NETWORK_COLUMNS
	    " ON CONFLICT (network) DO NOTHING" },
	/*
	 * The network's row, locked (made when missing, with no passes,
	 * to expire in an hour: not before the transaction that holds it
	 * ends, so expiry never waits for it): what transactions that
	 * count one network's pending triplets queue on, so that a limit
	 * checked with the count holds.
	 */
	[Q_NLOCK] = { "samotop_nlock", "TI",
	    "INSERT INTO network " NETWORK_COLUMNS_LOCK
	    " ON CONFLICT (network) DO UPDATE SET passes = network.passes" },
	/*
	 * Bounded: PostgreSQL has no DELETE ... LIMIT, so the keys come
	 * from a subquery that has one (through the expires index).
	 */
	[Q_TEXPIRE] = { "samotop_texpire", "II",
	    "DELETE FROM triplet WHERE (network, sender, rcpt) IN"
	    " (SELECT network, sender, rcpt FROM triplet"
	    " WHERE expires < $1 LIMIT $2)" },
	[Q_NEXPIRE] = { "samotop_nexpire", "II",
	    "DELETE FROM network WHERE network IN (SELECT network"
	    " FROM network WHERE expires < $1 LIMIT $2)" },
	[Q_CEXPIRE] = { "samotop_cexpire", "II",
	    "DELETE FROM counter WHERE (name, subject) IN (SELECT name,"
	    " subject FROM counter WHERE expires < $1 LIMIT $2)" },
	[Q_PENDING] = { "samotop_pending", "TII",
	    "SELECT count(*) FROM (SELECT 1 FROM triplet"
	    " WHERE network = $1 AND passed_at = 0 AND expires >= $2"
	    " LIMIT $3) AS pending" },
	[Q_DGET] = { "samotop_dget", "TT",
	    "SELECT decision FROM decision"
	    " WHERE mailbox = $1 AND sender = $2" },
	[Q_DLOCK] = { "samotop_dlock", "TT",
	    "SELECT decision FROM decision"
	    " WHERE mailbox = $1 AND sender = $2 FOR UPDATE" },
	[Q_DINSERT] = { "samotop_dinsert", "TTII",
	    "INSERT INTO decision (mailbox, sender, decision, decided_at)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (mailbox, sender)"
	    " DO NOTHING" },
	[Q_DPUT] = { "samotop_dput", "TTII",
	    "INSERT INTO decision (mailbox, sender, decision, decided_at)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (mailbox, sender)"
	    " DO UPDATE SET decision = excluded.decision,"
	    " decided_at = excluded.decided_at" },
	[Q_DFORGET] = { "samotop_dforget", "TT",
	    "DELETE FROM decision WHERE mailbox = $1 AND sender = $2" },
	/* In octet order, as SQLite's, whatever the database's locale. */
	[Q_DLIST] = { "samotop_dlist", "T",
	    "SELECT sender, decision, decided_at FROM decision"
	    " WHERE mailbox = $1 ORDER BY sender COLLATE \"C\"" },
	[Q_USEEN] = { "samotop_useen", "TI",
	    "INSERT INTO screened_user (mailbox, last_seen) VALUES ($1, $2)"
	    " ON CONFLICT (mailbox) DO UPDATE"
	    " SET last_seen = excluded.last_seen" },
	[Q_ULIST] = { "samotop_ulist", "",
	    "SELECT mailbox FROM screened_user"
	    " ORDER BY mailbox COLLATE \"C\"" },
	/*
	 * One statement, so two sessions counting at once lose nothing:
	 * the second waits for the first's row and adds to it.
	 */
	[Q_CADD] = { "samotop_cadd", "TTIII",
	    "INSERT INTO counter (name, subject, started, events, expires)"
	    " VALUES ($1, $2, $3, $4, $3 + $5)"
	    " ON CONFLICT (name, subject) DO UPDATE SET"
	    " events = CASE WHEN counter.expires <= $3 THEN $4"
	    " ELSE counter.events + $4 END,"
	    " started = CASE WHEN counter.expires <= $3 THEN $3"
	    " ELSE counter.started END,"
	    " expires = CASE WHEN counter.expires <= $3 THEN $3 + $5"
	    " ELSE counter.expires END"
	    " RETURNING events" },
	[Q_SGET] = { "samotop_sget", "T",
	    "SELECT value FROM secret WHERE name = $1" },
	/*
	 * The first one stored stays: of hosts that make it at once, the
	 * others wait for its commit, insert nothing, and read it.
	 */
	[Q_SPUT] = { "samotop_sput", "TT",
	    "INSERT INTO secret (name, value) VALUES ($1, $2)"
	    " ON CONFLICT (name) DO NOTHING" },
};

/* A statement's parameters as text, numbers formatted here. */
struct args {
	const char	*v[PG_PARAMS_MAX];
	char		 num[PG_PARAMS_MAX][24];
	int		 n;
};

struct pg {
	struct store	 base;		/* first: store.c's view */
	struct pglib	 lib;
	PGconn		*conn;
	unsigned long	 prepared;	/* a bit per query, this connection */
	int		 in_tx;		/* between begin and commit */
	int		 retry;		/* store_retry() */
	int		 own_timeout;	/* PG_STATEMENT_TIMEOUT: the URI
					   sets none */
	/* A get in this transaction found no such row: the key. */
	char		 absent_t[PG_SEEN_MAX];
	char		 absent_n[PG_SEEN_MAX];
	char		 absent_d[PG_SEEN_MAX];
	char		 err[512];
	char		 show[PG_SHOW_MAX];	/* the URI, no password */
};

_Static_assert(Q__COUNT <= sizeof(unsigned long) * 8,
    "a bit per query in struct pg's prepared");

static int	set_up(struct pg *);

/* Drop PostgreSQL's NOTICEs: stderr is samotop's log. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* msg on one line (libpq's have newlines and tabs), appended to out. */
static void
one_line(char *out, size_t size, const char *msg)
{
	size_t n = strlen(out);
	int space = 0;

	for (; *msg != '\0' && n + 1 < size; msg++) {
		if (*msg == '\n' || *msg == '\t' || *msg == '\r') {
			space = 1;
			continue;
		}
		if (space && n > 0 && out[n - 1] != ' ')
			out[n++] = ' ';
		space = 0;
		out[n++] = *msg;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* The connection's failure; -1 for the caller. */
static int
fail_conn(struct pg *s)
{
	snprintf(s->err, sizeof(s->err), "%s: ", s->show);
	one_line(s->err, sizeof(s->err), s->lib.errorMessage(s->conn));
	s->retry = 0;
	return -1;
}

/*
 * A statement's failure, with its SQLSTATE: a serialization failure
 * (40001) or a deadlock (40P01) is worth running again.  Clears res.
 */
static int
fail_res(struct pg *s, PGresult *res)
{
	const char *state, *msg;

	if (res == NULL)
		return fail_conn(s);
	state = s->lib.resultErrorField(res, PG_DIAG_SQLSTATE);
	msg = s->lib.resultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (msg == NULL)
		msg = s->lib.resultErrorMessage(res);
	snprintf(s->err, sizeof(s->err), "%s: ", s->show);
	one_line(s->err, sizeof(s->err), msg != NULL && *msg != '\0' ? msg :
	    s->lib.errorMessage(s->conn));
	if (state != NULL) {
		one_line(s->err, sizeof(s->err), " (SQLSTATE ");
		one_line(s->err, sizeof(s->err), state);
		one_line(s->err, sizeof(s->err), ")");
	}
	s->retry = state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0);
	s->lib.clear(res);
	return -1;
}

static int
fail_msg(struct pg *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", s->show, what);
	s->retry = 0;
	return -1;
}

static void
arg_text(struct args *a, const char *v)
{
	a->v[a->n++] = v;
}

static void
arg_int(struct args *a, long long v)
{
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%lld", v);
	a->v[a->n] = a->num[a->n];
	a->n++;
}

/* A key as store.h compares it: ASCII lowercased, into buf. */
static int
lowered(struct pg *s, const char *v, char *buf, size_t size)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (i + 1 >= size)
			return fail_msg(s, "key too long");
		buf[i] = v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i];
	}
	buf[i] = '\0';
	return 0;
}

/*
 * A connection that broke (the server restarted) is made again, but
 * only between transactions: inside one, what it did is gone, and the
 * caller must hear of it.
 */
static int
connected(struct pg *s)
{
	if (s->lib.status(s->conn) == CONNECTION_OK)
		return 0;
	if (s->in_tx)
		return fail_conn(s);
	s->lib.reset(s->conn);
	s->prepared = 0;
	if (s->lib.status(s->conn) != CONNECTION_OK)
		return fail_conn(s);
	return set_up(s);
}

static int
prepare(struct pg *s, int q)
{
	Oid types[PG_PARAMS_MAX];
	PGresult *res;
	int i;

	if (s->prepared & (1UL << q))
		return 0;
	for (i = 0; queries[q].types[i] != '\0'; i++)	/* int8, text */
		types[i] = queries[q].types[i] == 'I' ? 20 : 25;
	res = s->lib.prepare(s->conn, queries[q].name, queries[q].sql, i,
	    types);
	if (res == NULL || s->lib.resultStatus(res) != PGRES_COMMAND_OK)
		return fail_res(s, res);
	s->lib.clear(res);
	s->prepared |= 1UL << q;
	return 0;
}

/* Run query q with a; its result (clear it), or NULL after fail_res. */
static PGresult *
run(struct pg *s, int q, const struct args *a)
{
	PGresult *res;
	ExecStatusType st;

	if (connected(s) == -1 || prepare(s, q) == -1)
		return NULL;
	res = s->lib.execPrepared(s->conn, queries[q].name, a->n, a->v, NULL,
	    NULL, 0);
	if (res != NULL && ((st = s->lib.resultStatus(res)) ==
	    PGRES_TUPLES_OK || st == PGRES_COMMAND_OK))
		return res;
	fail_res(s, res);
	return NULL;
}

/* Run a statement that returns nothing; the rows it changed, or -1. */
static long
run_count(struct pg *s, int q, const struct args *a)
{
	PGresult *res;
	long n;

	if ((res = run(s, q, a)) == NULL)
		return -1;
	n = strtol(s->lib.cmdTuples(res), NULL, 10);
	s->lib.clear(res);
	return n;
}

static long long
value(struct pg *s, PGresult *res, int row, int col)
{
	return strtoll(s->lib.getvalue(res, row, col), NULL, 10);
}

/* A statement without parameters, outside the prepared ones. */
static int
simple(struct pg *s, const char *sql)
{
	PGresult *res;

	if ((res = s->lib.exec(s->conn, sql)) == NULL ||
	    s->lib.resultStatus(res) != PGRES_COMMAND_OK)
		return fail_res(s, res);
	s->lib.clear(res);
	return 0;
}

/*
 * The key of a row, as absent_t or absent_n remember it: the parts
 * with their NULs, the rest zeroed, so that keys compare whole.
 */
static void
seen_key(char *out, size_t size, const char *a, const char *b,
    const char *c)
{
	memset(out, 0, size);
	if (snprintf(out, size, "%s%c%s%c%s", a, '\0', b, '\0', c) >=
	    (int)size)
		memset(out, 0, size);	/* too long to remember: upsert */
}

static int
same_key(const char *seen, const char *a, const char *b, const char *c)
{
	char key[PG_SEEN_MAX];

	if (seen[0] == '\0')
		return 0;
	seen_key(key, sizeof(key), a, b, c);
	return memcmp(key, seen, sizeof(key)) == 0;
}

/* Keeps the error that led here: that is what the caller reports. */
static void
pg_rollback(struct store *b)
{
	struct pg *s = PG(b);
	PGresult *res;

	s->in_tx = 0;
	switch (s->lib.transactionStatus(s->conn)) {
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		if ((res = s->lib.exec(s->conn, "ROLLBACK")) != NULL)
			s->lib.clear(res);
		break;
	default:
		break;
	}
}

static int
pg_begin(struct store *b)
{
	struct pg *s = PG(b);

	s->absent_t[0] = s->absent_n[0] = s->absent_d[0] = '\0';
	if (connected(s) == -1 || simple(s, "BEGIN") == -1)
		return -1;
	s->in_tx = 1;
	return 0;
}

/* COMMIT of a transaction that failed is a ROLLBACK: not a success. */
static int
pg_commit(struct store *b)
{
	struct pg *s = PG(b);
	int rc;

	if (s->lib.transactionStatus(s->conn) != PQTRANS_INTRANS) {
		fail_msg(s, "the transaction had failed");
		pg_rollback(b);
		return -1;
	}
	rc = simple(s, "COMMIT");
	s->in_tx = 0;
	return rc;
}

static int
pg_triplet_get(struct store *b, const struct store_key *k,
    struct store_triplet *t)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	PGresult *res;
	int found;

	arg_text(&a, k->network);
	arg_text(&a, k->sender);
	arg_text(&a, k->rcpt);
	if ((res = run(s, Q_TGET, &a)) == NULL)
		return -1;
	if ((found = s->lib.ntuples(res) > 0)) {
		t->first = (time_t)value(s, res, 0, 0);
		t->last = (time_t)value(s, res, 0, 1);
		t->passed = (time_t)value(s, res, 0, 2);
		t->attempts = (unsigned long)value(s, res, 0, 3);
		t->until = (time_t)value(s, res, 0, 4);
	}
	s->lib.clear(res);
	if (!found && s->in_tx)
		seen_key(s->absent_t, sizeof(s->absent_t), k->network,
		    k->sender, k->rcpt);
	return found;
}

/*
 * Another session inserted the row this transaction found missing:
 * what the caller computed from "missing" is stale.
 */
static int
lost_race(struct pg *s)
{
	fail_msg(s, "another client added the same row at once");
	s->retry = 1;
	return -1;
}

static int
pg_triplet_put(struct store *b, const struct store_key *k,
    const struct store_triplet *t)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	int insert;
	long n;

	insert = s->in_tx && same_key(s->absent_t, k->network, k->sender,
	    k->rcpt);
	arg_text(&a, k->network);
	arg_text(&a, k->sender);
	arg_text(&a, k->rcpt);
	arg_int(&a, t->first);
	arg_int(&a, t->last);
	arg_int(&a, t->passed);
	arg_int(&a, (long long)t->attempts);
	arg_int(&a, t->until);
	if ((n = run_count(s, insert ? Q_TINSERT : Q_TPUT, &a)) == -1)
		return -1;
	if (insert && n == 0)
		return lost_race(s);
	/* Now there, and locked by this transaction. */
	if (insert)
		s->absent_t[0] = '\0';
	return 0;
}

static int
pg_network_get(struct store *b, const char *network,
    struct store_network *n)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	PGresult *res;
	int found;

	arg_text(&a, network);
	if ((res = run(s, Q_NGET, &a)) == NULL)
		return -1;
	if ((found = s->lib.ntuples(res) > 0)) {
		n->passes = (unsigned long)value(s, res, 0, 0);
		n->last = (time_t)value(s, res, 0, 1);
		n->until = (time_t)value(s, res, 0, 2);
	}
	s->lib.clear(res);
	if (!found && s->in_tx)
		seen_key(s->absent_n, sizeof(s->absent_n), network, "", "");
	return found;
}

static int
pg_network_put(struct store *b, const char *network,
    const struct store_network *n)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	int insert;
	long rows;

	insert = s->in_tx && same_key(s->absent_n, network, "", "");
	arg_text(&a, network);
	arg_int(&a, (long long)n->passes);
	arg_int(&a, n->last);
	arg_int(&a, n->until);
	if ((rows = run_count(s, insert ? Q_NINSERT : Q_NPUT, &a)) == -1)
		return -1;
	if (insert && rows == 0)
		return lost_race(s);
	if (insert)
		s->absent_n[0] = '\0';
	return 0;
}

static long
expire(struct pg *s, int q, time_t now, unsigned max)
{
	struct args a = { .n = 0 };

	arg_int(&a, now);
	arg_int(&a, max);
	return run_count(s, q, &a);
}

static long
pg_expire(struct store *b, time_t now, unsigned max)
{
	struct pg *s = PG(b);
	long t, n, c;

	if ((t = expire(s, Q_TEXPIRE, now, max)) == -1 ||
	    (n = expire(s, Q_NEXPIRE, now, max)) == -1 ||
	    (c = expire(s, Q_CEXPIRE, now, max)) == -1)
		return -1;
	return t + n + c;
}

static long
pg_pending(struct store *b, const char *network, time_t now, unsigned max)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	PGresult *res;
	long n;

	arg_text(&a, network);
	arg_int(&a, now);
	if (s->in_tx) {
		if (run_count(s, Q_NLOCK, &a) == -1)
			return -1;
		if (same_key(s->absent_n, network, "", ""))
			s->absent_n[0] = '\0';	/* there now, and ours */
	}
	arg_int(&a, max);
	if ((res = run(s, Q_PENDING, &a)) == NULL)
		return -1;
	if (s->lib.ntuples(res) != 1) {	/* count(*) always has a row */
		s->lib.clear(res);
		return fail_msg(s, "no count of pending triplets");
	}
	n = (long)value(s, res, 0, 0);
	s->lib.clear(res);
	return n;
}

static int
pg_decision_get(struct store *b, const char *user, const char *sender,
    int *decision)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	char u[PG_KEY_MAX], f[PG_KEY_MAX];
	PGresult *res;
	int found;

	if (lowered(s, user, u, sizeof(u)) == -1 ||
	    lowered(s, sender, f, sizeof(f)) == -1)
		return -1;
	arg_text(&a, u);
	arg_text(&a, f);
	if ((res = run(s, s->in_tx ? Q_DLOCK : Q_DGET, &a)) == NULL)
		return -1;
	if ((found = s->lib.ntuples(res) > 0))
		*decision = (int)value(s, res, 0, 0);
	s->lib.clear(res);
	if (!found && s->in_tx)
		seen_key(s->absent_d, sizeof(s->absent_d), u, f, "");
	return found;
}

static int
pg_decision_put(struct store *b, const char *user, const char *sender,
    int decision, time_t at)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	char u[PG_KEY_MAX], f[PG_KEY_MAX], why[64];
	int insert;
	long n;

	if (decision != STORE_ALLOW && decision != STORE_DENY) {
		snprintf(why, sizeof(why), "no such decision: %d", decision);
		return fail_msg(s, why);
	}
	if (lowered(s, user, u, sizeof(u)) == -1 ||
	    lowered(s, sender, f, sizeof(f)) == -1)
		return -1;
	insert = s->in_tx && same_key(s->absent_d, u, f, "");
	arg_text(&a, u);
	arg_text(&a, f);
	arg_int(&a, decision);
	arg_int(&a, at);
	if ((n = run_count(s, insert ? Q_DINSERT : Q_DPUT, &a)) == -1)
		return -1;
	if (insert && n == 0)
		return lost_race(s);
	if (insert)
		s->absent_d[0] = '\0';
	return 0;
}

static int
pg_decision_forget(struct store *b, const char *user, const char *sender)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	char u[PG_KEY_MAX], f[PG_KEY_MAX];
	long n;

	if (lowered(s, user, u, sizeof(u)) == -1 ||
	    lowered(s, sender, f, sizeof(f)) == -1)
		return -1;
	arg_text(&a, u);
	arg_text(&a, f);
	if ((n = run_count(s, Q_DFORGET, &a)) == -1)
		return -1;
	return n > 0;
}

/*
 * The whole result is fetched before each is called: each may use the
 * store (the connection is free again).
 */
static int
pg_decision_list(struct store *b, const char *user,
    int (*each)(void *arg, const char *sender, int decision, time_t at),
    void *arg)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	char u[PG_KEY_MAX];
	PGresult *res;
	int i, n, stop = 0;

	if (lowered(s, user, u, sizeof(u)) == -1)
		return -1;
	arg_text(&a, u);
	if ((res = run(s, Q_DLIST, &a)) == NULL)
		return -1;
	n = s->lib.ntuples(res);
	for (i = 0; i < n && stop == 0; i++)
		stop = each(arg, s->lib.getvalue(res, i, 0),
		    (int)value(s, res, i, 1), (time_t)value(s, res, i, 2));
	s->lib.clear(res);
	return stop;
}

static int
pg_user_seen(struct store *b, const char *user, time_t at)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	char u[PG_KEY_MAX];

	if (lowered(s, user, u, sizeof(u)) == -1)
		return -1;
	arg_text(&a, u);
	arg_int(&a, at);
	return run_count(s, Q_USEEN, &a) == -1 ? -1 : 0;
}

static int
pg_user_list(struct store *b, int (*each)(void *arg, const char *user),
    void *arg)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	PGresult *res;
	int i, n, stop = 0;

	if ((res = run(s, Q_ULIST, &a)) == NULL)
		return -1;
	n = s->lib.ntuples(res);
	for (i = 0; i < n && stop == 0; i++)
		stop = each(arg, s->lib.getvalue(res, i, 0));
	s->lib.clear(res);
	return stop;
}

static int
pg_counter_add(struct store *b, const char *name, const char *key,
    unsigned long n, unsigned period, time_t now, unsigned long *total)
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	PGresult *res;

	arg_text(&a, name);
	arg_text(&a, key);
	arg_int(&a, now);
	arg_int(&a, (long long)n);
	arg_int(&a, period);
	if ((res = run(s, Q_CADD, &a)) == NULL)
		return -1;
	if (s->lib.ntuples(res) != 1) {	/* RETURNING always has the row */
		s->lib.clear(res);
		return fail_msg(s, "no count returned");
	}
	*total = (unsigned long)value(s, res, 0, 0);
	s->lib.clear(res);
	return 0;
}

/* The secret stored for name into hex: 1, 0 none, -1 error. */
static int
secret_get(struct pg *s, const char *name, size_t len,
    char hex[STORE_SECRET_HEX])
{
	struct args a = { .n = 0 };
	PGresult *res;
	const char *v;
	char why[96];
	int found;

	arg_text(&a, name);
	if ((res = run(s, Q_SGET, &a)) == NULL)
		return -1;
	if ((found = s->lib.ntuples(res) > 0)) {
		v = s->lib.getvalue(res, 0, 0);
		if (!store_secret_ok(v, len)) {
			s->lib.clear(res);
			snprintf(why, sizeof(why), "secret %.32s: not %zu "
			    "octets of hex", name, len);
			return fail_msg(s, why);
		}
		memcpy(hex, v, 2 * len + 1);
	}
	s->lib.clear(res);
	return found;
}

static int
pg_secret(struct store *b, const char *name, size_t len,
    char hex[STORE_SECRET_HEX])
{
	struct pg *s = PG(b);
	struct args a = { .n = 0 };
	char fresh[STORE_SECRET_HEX], why[96];
	long n;
	int rc;

	if ((rc = secret_get(s, name, len, hex)) != 0)
		return rc == 1 ? 0 : -1;
	if (store_secret_fresh(len, fresh) == -1) {
		snprintf(why, sizeof(why), "secret %.32s: %s", name,
		    strerror(errno));
		return fail_msg(s, why);
	}
	arg_text(&a, name);
	arg_text(&a, fresh);
	n = run_count(s, Q_SPUT, &a);
	explicit_bzero(fresh, sizeof(fresh));
	if (n == -1)
		return -1;
	if ((rc = secret_get(s, name, len, hex)) == 0)
		fail_msg(s, "a secret stored, then not found");
	return rc == 1 ? 0 : -1;
}

static int
pg_retry(const struct store *b)
{
	return CPG(b)->retry;
}

static const char *
pg_error(const struct store *b)
{
	return CPG(b)->err;
}

static void
pg_close(struct store *b)
{
	struct pg *s = PG(b);

	if (s->conn != NULL)
		s->lib.finish(s->conn);
	free(s);
}

static const struct store_ops pg_ops = {
	pg_begin, pg_commit, pg_rollback, pg_triplet_get, pg_triplet_put,
	pg_network_get, pg_network_put, pg_pending, pg_expire,
	pg_decision_get, pg_decision_put, pg_decision_forget,
	pg_decision_list, pg_user_seen, pg_user_list, pg_counter_add,
	pg_secret, pg_retry, pg_error, pg_close
};

/*
 * Cut a URI's password out: user:PASSWORD@host and password=PASSWORD
 * (in the query) become ***.
 */
void
store_pg_display(const char *uri, char *out, size_t size)
{
	const char *p, *auth, *end, *at, *colon;
	size_t n = 0;

#define PUT(c)	do { if (n + 1 < size) out[n++] = (c); } while (0)
	auth = (p = strstr(uri, "://")) != NULL ? p + 3 : uri;
	end = auth + strcspn(auth, "/?");
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	for (p = uri; *p != '\0'; p++) {
		if (p == colon) {
			PUT(':'); PUT('*'); PUT('*'); PUT('*');
			p = at - 1;
			continue;
		}
		PUT(*p);
		if (p >= end && (*p == '?' || *p == '&') &&
		    strncmp(p + 1, "password=", 9) == 0) {
			for (p++; *p != '=' ; p++)
				PUT(*p);
			PUT('='); PUT('*'); PUT('*'); PUT('*');
			p += strcspn(p, "&") - 1;
		}
	}
	out[n] = '\0';
#undef PUT
}

/*
 * What samotop sets on a connection, made or made again: NOTICEs
 * dropped (stderr is samotop's log), and a statement timeout.
 */
static int
set_up(struct pg *s)
{
	s->lib.setNoticeProcessor(s->conn, quiet, NULL);
	return s->own_timeout ? simple(s, PG_STATEMENT_TIMEOUT) : 0;
}

/*
 * Connect: the URI's own settings, with samotop's defaults for what
 * it leaves out (a connect timeout, an application name for
 * pg_stat_activity).
 */
static int
connect_to(struct pg *s, const char *uri)
{
	PQconninfoOption *o, *opts;
	const char **keys = NULL, **vals = NULL;
	char *msg = NULL;
	size_t n, i;
	int rc = -1;

	if ((opts = s->lib.conninfoParse(uri, &msg)) == NULL) {
		snprintf(s->err, sizeof(s->err), "%s: ", s->show);
		one_line(s->err, sizeof(s->err), msg != NULL ? msg :
		    "out of memory");
		if (msg != NULL)
			s->lib.freemem(msg);
		return -1;
	}
	for (n = 0; opts[n].keyword != NULL; n++)
		continue;
	keys = calloc(n + 1, sizeof(*keys));
	vals = calloc(n + 1, sizeof(*vals));
	if (keys == NULL || vals == NULL) {
		fail_msg(s, strerror(errno));
		goto out;
	}
	s->own_timeout = 1;
	for (i = 0, o = opts; o->keyword != NULL; o++, i++) {
		keys[i] = o->keyword;
		vals[i] = o->val;
		if (strcmp(o->keyword, "connect_timeout") == 0 &&
		    o->val == NULL)
			vals[i] = PG_CONNECT_TIMEOUT;
		else if (strcmp(o->keyword, "fallback_application_name") ==
		    0 && o->val == NULL)
			vals[i] = "samotop";
		else if (strcmp(o->keyword, "options") == 0 &&
		    o->val != NULL && strstr(o->val, "statement_timeout"))
			s->own_timeout = 0;
	}
	s->conn = s->lib.connectdbParams(keys, vals, 0);
	if (s->conn == NULL)
		fail_msg(s, "out of memory");
	else if (s->lib.status(s->conn) != CONNECTION_OK)
		fail_conn(s);
	else
		rc = set_up(s);
out:
	free(keys);
	free(vals);
	s->lib.conninfoFree(opts);
	return rc;
}

/* The version the tables are at: 0 before any; -1 on error. */
static long long
version(struct pg *s, const char *sql)
{
	PGresult *res;
	long long v = 0;

	if ((res = s->lib.exec(s->conn, sql)) == NULL ||
	    s->lib.resultStatus(res) != PGRES_TUPLES_OK)
		return fail_res(s, res);
	if (s->lib.ntuples(res) > 0)
		v = value(s, res, 0, 0);
	s->lib.clear(res);
	return v;
}

/*
 * Bring the tables up to PG_SCHEMA, in one transaction that holds
 * schema_version's row: hosts that start at once on a new database
 * take turns, and the ones after the first find nothing left to do.
 * (Only schema_version itself may be created by two at once, and
 * PostgreSQL may refuse one of two such CREATEs: migrate() tries
 * again.)  Each step is idempotent all the same (IF NOT EXISTS).
 */
static int
migrate_once(struct pg *s)
{
	struct args a = { .n = 0 };
	const char *const *q;
	long long have;
	int v;

	if ((have = version(s, "SELECT version FROM schema_version"
	    " WHERE id = 1")) >= PG_SCHEMA)
		return 0;	/* the usual case: one round trip */
	if (simple(s, version_table) == -1 || simple(s, "BEGIN") == -1)
		return -1;
	if (simple(s, "INSERT INTO schema_version (id, version)"
	    " VALUES (1, 0) ON CONFLICT (id) DO NOTHING") == -1 ||
	    (have = version(s, "SELECT version FROM schema_version"
	    " WHERE id = 1 FOR UPDATE")) == -1)
		goto bad;
	for (v = (int)have; v < PG_SCHEMA; v++)
		for (q = schema_steps[v]; *q != NULL; q++)
			if (simple(s, *q) == -1)
				goto bad;
	arg_int(&a, PG_SCHEMA);
	if (have < PG_SCHEMA && run_count(s, Q_SETVERSION, &a) == -1)
		goto bad;
	return simple(s, "COMMIT");
bad:
	pg_rollback(&s->base);
	return -1;
}

static int
migrate(struct pg *s)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (migrate_once(s) == 0)
			return 0;
		if (s->lib.status(s->conn) != CONNECTION_OK)
			break;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	return -1;
}

/* Allocated and loaded, not connected; NULL with err. */
static struct pg *
pg_new(const char *uri, char *err, size_t size)
{
	struct pg *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, size, "%s", strerror(errno));
		return NULL;
	}
	s->base.ops = &pg_ops;
	store_pg_display(uri, s->show, sizeof(s->show));
	if (pglib_open(&s->lib, s->err, sizeof(s->err)) == -1) {
		snprintf(err, size, "%s: PostgreSQL's libpq cannot be "
		    "loaded: %s", s->show, s->err);
		free(s);
		return NULL;
	}
	return s;
}

struct store *
store_pg_open(const char *uri, char *err, size_t size)
{
	struct pg *s;

	if ((s = pg_new(uri, err, size)) == NULL)
		return NULL;
	if (connect_to(s, uri) == -1 || migrate(s) == -1) {
		snprintf(err, size, "%s", s->err);
		pg_close(&s->base);
		return NULL;
	}
	return &s->base;
}

int
store_pg_check(const char *uri, char *err, size_t size)
{
	struct pg *s;
	int rc;

	if ((s = pg_new(uri, err, size)) == NULL)
		return -1;
	if ((rc = connect_to(s, uri)) == -1)
		snprintf(err, size, "%s", s->err);
	pg_close(&s->base);
	return rc;
}
