/*
 * dlload.c: dlopen(3) and dlsym(3) with their errors in words.
 */
#include <dlfcn.h>
#include <stdio.h>

#include "dlload.h"

void *
dl_load(const char *soname, char *why, size_t size)
{
	void *h;
	const char *e;

	if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(why, size, "%s", e != NULL ? e : soname);
	}
	return h;
}

void *
dl_symbol(void *handle, const char *name, char *why, size_t size)
{
	void *p;
	const char *e;

	(void)dlerror();
	if ((p = dlsym(handle, name)) == NULL) {
		e = dlerror();
		snprintf(why, size, "%s: %s", name, e != NULL ? e :
		    "not found");
	}
	return p;
}
