/*
 * sqlitelib.c: resolve the SQLite functions the greylisting store uses.
 */
#include <string.h>

#include "dlload.h"
#include "sqlitelib.h"

#ifndef LIBSQLITE3_SONAME
#define LIBSQLITE3_SONAME	"libsqlite3.so"
#endif

#define RESOLVE(field)	DL_RESOLVE(l, field, "sqlite3_" #field, why, size)

static int
resolve(struct sqlitelib *l, char *why, size_t size)
{
	RESOLVE(open_v2);
	RESOLVE(close);
	RESOLVE(busy_timeout);
	RESOLVE(exec);
	RESOLVE(prepare_v2);
	RESOLVE(prepare_v3);
	RESOLVE(step);
	RESOLVE(reset);
	RESOLVE(clear_bindings);
	RESOLVE(finalize);
	RESOLVE(bind_text);
	RESOLVE(bind_int64);
	RESOLVE(column_text);
	RESOLVE(column_int64);
	RESOLVE(changes);
	RESOLVE(get_autocommit);
	RESOLVE(errmsg);
	RESOLVE(stricmp);
	RESOLVE(sleep);
	return 0;
}

int
sqlitelib_open(struct sqlitelib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBSQLITE3_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		/* Not dlclose(3): see tlslib_close(). */
		memset(l, 0, sizeof(*l));
		return -1;
	}
	return 0;
}
