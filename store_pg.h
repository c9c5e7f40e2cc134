/*
 * store_pg.h: what is known of a PostgreSQL store without opening it
 * (store_pg.c; store_open() opens one).
 */
#ifndef SAMOTOP_STORE_PG_H
#define SAMOTOP_STORE_PG_H

#include <stddef.h>

/*
 * uri as it may be shown in a log line or a message: without a
 * password (user:PASSWORD@ and password=PASSWORD become ***).  Cut
 * short to fit out (size > 0).
 */
void	store_pg_display(const char *uri, char *out, size_t size);
/*
 * What samotop-smtpd -n checks of a postgresql:// URI without changing
 * anything: libpq loads, the URI parses, and the server takes a
 * connection.  0, or -1 with err ("uri: what failed", one line).
 */
int	store_pg_check(const char *uri, char *err, size_t size);

#endif
