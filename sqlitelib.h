/*
 * sqlitelib.h: SQLite, loaded with dlopen(3) when greylisting opens its
 * store (see dlload.h): a session without greylisting never maps it.
 */
#ifndef SAMOTOP_SQLITELIB_H
#define SAMOTOP_SQLITELIB_H

#include <sqlite3.h>

struct sqlitelib {
	void	*handle;	/* NULL until loaded */
	int	(*open_v2)(const char *, sqlite3 **, int, const char *);
	int	(*close)(sqlite3 *);
	int	(*busy_timeout)(sqlite3 *, int);
	int	(*exec)(sqlite3 *, const char *,
		    int (*)(void *, int, char **, char **), void *, char **);
	int	(*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **,
		    const char **);
	int	(*prepare_v3)(sqlite3 *, const char *, int, unsigned int,
		    sqlite3_stmt **, const char **);
	int	(*step)(sqlite3_stmt *);
	int	(*reset)(sqlite3_stmt *);
	int	(*clear_bindings)(sqlite3_stmt *);
	int	(*finalize)(sqlite3_stmt *);
	int	(*bind_text)(sqlite3_stmt *, int, const char *, int,
		    void (*)(void *));
	int	(*bind_int64)(sqlite3_stmt *, int, sqlite3_int64);
	const unsigned char *(*column_text)(sqlite3_stmt *, int);
	sqlite3_int64 (*column_int64)(sqlite3_stmt *, int);
	int	(*changes)(sqlite3 *);
	int	(*get_autocommit)(sqlite3 *);
	const char *(*errmsg)(sqlite3 *);
	int	(*stricmp)(const char *, const char *);
	int	(*sleep)(int);
};

/* Load SQLite once; -1 with why. */
int	sqlitelib_open(struct sqlitelib *l, char *why, size_t size);

#endif
