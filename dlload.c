/*
 * dlload.c: dlopen(3) and dlsym(3) with their errors in words.
 */
#define _GNU_SOURCE	/* RTLD_DEEPBIND */
#include <dlfcn.h>
#include <stdio.h>

#include "dlload.h"

static void *
load(const char *soname, int flags, char *why, size_t size)
{
	void *h;
	const char *e;

	if ((h = dlopen(soname, flags)) == NULL) {
		e = dlerror();
		snprintf(why, size, "%s", e != NULL ? e : soname);
	}
	return h;
}

void *
dl_load(const char *soname, char *why, size_t size)
{
	return load(soname, RTLD_NOW | RTLD_LOCAL, why, size);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SANITIZED	1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1
#endif

void *
dl_load_deep(const char *soname, char *why, size_t size)
{
#ifdef SANITIZED
	return dl_load(soname, why, size);
#else
	return load(soname, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND, why, size);
#endif
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
