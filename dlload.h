/*
 * dlload.h: a shared library loaded when first needed, not at start-up.
 *
 * samotop-smtpd runs once per connection, so every library it links is
 * loaded and relocated by every session.  libtls (with OpenSSL) and
 * SQLite serve only the sessions that use TLS or greylisting; those
 * load them with these, by the soname found at build time.
 */
#ifndef SAMOTOP_DLLOAD_H
#define SAMOTOP_DLLOAD_H

#include <stddef.h>

/* dlopen(3) with every symbol bound now; NULL with why on failure. */
void	*dl_load(const char *soname, char *why, size_t size);
/*
 * The same, but the library's own dependencies are searched before the
 * program's (RTLD_DEEPBIND), where a large library binds thousands of
 * symbols to itself: libcrypto's.  Plain dl_load() under a sanitizer,
 * whose runtime refuses RTLD_DEEPBIND.
 */
void	*dl_load_deep(const char *soname, char *why, size_t size);
/* dlsym(3); NULL with why when the library lacks name. */
void	*dl_symbol(void *handle, const char *name, char *why, size_t size);

/* Set table->field from the library, or return -1 from the caller. */
#define DL_RESOLVE(table, field, name, why, size) do {			\
	if (((table)->field = (__typeof__((table)->field))dl_symbol(	\
	    (table)->handle, (name), (why), (size))) == NULL)		\
		return -1;						\
} while (0)

#endif
