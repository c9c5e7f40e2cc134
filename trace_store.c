/*
 * trace_store.c: which database keeps leave-no-trace's shared key
 * (trace_store.h).
 */
#include <string.h>

#include "store.h"
#include "trace_store.h"

const char *
trace_store_db(const struct conf *c)
{
	if (c->store_db != NULL && store_is_uri(c->store_db))
		return c->store_db;
	if (c->greylist_db != NULL && store_is_uri(c->greylist_db))
		return c->greylist_db;
	return NULL;
}

int
trace_store_split(const struct conf *c)
{
	return c->store_db != NULL && c->greylist_db != NULL &&
	    store_is_uri(c->store_db) && store_is_uri(c->greylist_db) &&
	    strcmp(c->store_db, c->greylist_db) != 0;
}
