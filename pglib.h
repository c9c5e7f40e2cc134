/*
 * pglib.h: libpq, PostgreSQL's client library, loaded with dlopen(3)
 * when a store is a postgresql:// URI (see dlload.h): a session whose
 * store is an SQLite file, or that has none, never maps it (nor the
 * TLS, Kerberos and LDAP libraries it brings along).
 */
#ifndef SAMOTOP_PGLIB_H
#define SAMOTOP_PGLIB_H

#include <stddef.h>

#include <libpq-fe.h>

struct pglib {
	void	*handle;	/* NULL until loaded */
	PQconninfoOption *(*conninfoParse)(const char *, char **);
	void	(*conninfoFree)(PQconninfoOption *);
	void	(*freemem)(void *);
	PGconn	*(*connectdbParams)(const char *const *, const char *const *,
		    int);
	ConnStatusType (*status)(const PGconn *);
	PGTransactionStatusType (*transactionStatus)(const PGconn *);
	char	*(*errorMessage)(const PGconn *);
	void	(*finish)(PGconn *);
	void	(*reset)(PGconn *);
	PQnoticeProcessor (*setNoticeProcessor)(PGconn *, PQnoticeProcessor,
		    void *);
	PGresult *(*exec)(PGconn *, const char *);
	PGresult *(*prepare)(PGconn *, const char *, const char *, int,
		    const Oid *);
	PGresult *(*execPrepared)(PGconn *, const char *, int,
		    const char *const *, const int *, const int *, int);
	ExecStatusType (*resultStatus)(const PGresult *);
	char	*(*resultErrorField)(const PGresult *, int);
	char	*(*resultErrorMessage)(const PGresult *);
	void	(*clear)(PGresult *);
	int	(*ntuples)(const PGresult *);
	char	*(*getvalue)(const PGresult *, int, int);
	int	(*getisnull)(const PGresult *, int, int);
	char	*(*cmdTuples)(PGresult *);
};

/* Load libpq once; -1 with why. */
int	pglib_open(struct pglib *l, char *why, size_t size);

#endif
