/*
 * store_fixture.h: where a unit test of store.h keeps its store, so
 * that one test runs against either back end.  By default an SQLite
 * file in the test's directory; when the environment has
 * SAMOTOP_TEST_PG (the directory of a server that tests/pg.sh
 * started), that server's database, emptied first: test_store_pg runs
 * the store tests so (and SAMOTOP_TEST_PSQL names psql).
 */
#ifndef SAMOTOP_STORE_FIXTURE_H
#define SAMOTOP_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* The server's directory, or NULL: SQLite. */
static inline const char *
fixture_pg(void)
{
	const char *d = getenv("SAMOTOP_TEST_PG");

	return d != NULL && *d != '\0' ? d : NULL;
}

/* Run sql with psql on the test server; its first line into out. */
static inline int
fixture_psql(const char *sql, char *out, size_t size)
{
	const char *psql = getenv("SAMOTOP_TEST_PSQL");
	char cmd[2048];
	FILE *p;
	int rc;

	snprintf(cmd, sizeof(cmd), "'%s' -qAt -v ON_ERROR_STOP=1"
	    " -h '%s/sock' -U samotop -d samotop -c \"%s\" 2>&1",
	    psql != NULL ? psql : "psql", fixture_pg(), sql);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (out != NULL) {
		out[0] = '\0';
		if (fgets(out, (int)size, p) != NULL)
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		continue;
	rc = pclose(p);
	return rc == 0 ? 0 : -1;
}

/*
 * A fresh store's name into path: file stem+n in dir, or the server's
 * URI after dropping every table samotop made there.
 */
static inline void
fixture_fresh(const char *dir, const char *stem, int n, char *path,
    size_t size)
{
	if (fixture_pg() == NULL) {
		snprintf(path, size, "%s/%s%d.db", dir, stem, n);
		return;
	}
	if (fixture_psql("DROP TABLE IF EXISTS triplet, network, decision,"
	    " screened_user, counter, secret, schema_version", NULL, 0) == -1)
		printf("#   cannot empty the test database\n");
	snprintf(path, size, "postgresql:///samotop?host=%s/sock&user=samotop",
	    fixture_pg());
}

/*
 * One number that sql gives, or -1; ?1 in sql is arg (a plain word:
 * quoted into the text for psql, bound for SQLite).
 */
static inline long long
fixture_number(const char *path, const char *sql, const char *arg)
{
	char text[1024], out[64];
	const char *q;
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	if (fixture_pg() != NULL) {
		if ((q = strstr(sql, "?1")) != NULL && arg != NULL)
			snprintf(text, sizeof(text), "%.*s'%s'%s",
			    (int)(q - sql), sql, arg, q + 2);
		else
			snprintf(text, sizeof(text), "%s", sql);
		if (fixture_psql(text, out, sizeof(out)) == -1) {
			printf("#   %s: %s\n", text, out);
			return -1;
		}
		return *out != '\0' ? strtoll(out, NULL, 10) : -1;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		printf("#   %s: %s\n", sql, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

#endif
