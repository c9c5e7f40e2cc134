/*
 * pglib.c: resolve the libpq functions the PostgreSQL store uses.
 */
#include <string.h>

#include "dlload.h"
#include "pglib.h"

#ifndef LIBPQ_SONAME
#define LIBPQ_SONAME	"libpq.so"
#endif

#define RESOLVE(field, name)	DL_RESOLVE(l, field, name, why, size)

static int
resolve(struct pglib *l, char *why, size_t size)
{
	RESOLVE(conninfoParse, "PQconninfoParse");
	RESOLVE(conninfoFree, "PQconninfoFree");
	RESOLVE(freemem, "PQfreemem");
	RESOLVE(connectdbParams, "PQconnectdbParams");
	RESOLVE(status, "PQstatus");
	RESOLVE(transactionStatus, "PQtransactionStatus");
	RESOLVE(errorMessage, "PQerrorMessage");
	RESOLVE(finish, "PQfinish");
	RESOLVE(reset, "PQreset");
	RESOLVE(setNoticeProcessor, "PQsetNoticeProcessor");
	RESOLVE(exec, "PQexec");
	RESOLVE(prepare, "PQprepare");
	RESOLVE(execPrepared, "PQexecPrepared");
	RESOLVE(resultStatus, "PQresultStatus");
	RESOLVE(resultErrorField, "PQresultErrorField");
	RESOLVE(resultErrorMessage, "PQresultErrorMessage");
	RESOLVE(clear, "PQclear");
	RESOLVE(ntuples, "PQntuples");
	RESOLVE(getvalue, "PQgetvalue");
	RESOLVE(getisnull, "PQgetisnull");
	RESOLVE(cmdTuples, "PQcmdTuples");
	return 0;
}

int
pglib_open(struct pglib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBPQ_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		/* Not dlclose(3): see tlslib_close(). */
		memset(l, 0, sizeof(*l));
		return -1;
	}
	return 0;
}
