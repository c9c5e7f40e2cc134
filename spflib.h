/*
 * spflib.h: libspf2, loaded with dlopen(3) when a session first checks
 * SPF (see dlload.h): a session without `spf yes` never maps it.
 *
 * libspf2 parses what senders' domains publish and has had security
 * fixes (spf.c names them); loaded by its soname at run time, the
 * system's copy is the one in use, so a distribution's update applies
 * without rebuilding samotop.
 */
#ifndef SAMOTOP_SPFLIB_H
#define SAMOTOP_SPFLIB_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>

#include <spf2/spf.h>

typedef void (*spflib_handler)(const char *, int, const char *);

struct spflib {
	void	*handle;	/* NULL until loaded */
	/* libspf2's message handlers: variables, not functions */
	spflib_handler *warning_handler;
	spflib_handler *info_handler;
	spflib_handler *debug_handler;
	SPF_server_t *(*server_new)(SPF_server_dnstype_t, int);
	void	(*server_free)(SPF_server_t *);
	SPF_errcode_t (*server_set_explanation)(SPF_server_t *, const char *,
		    SPF_response_t **);
	SPF_errcode_t (*server_set_rec_dom)(SPF_server_t *, const char *);
	SPF_request_t *(*request_new)(SPF_server_t *);
	void	(*request_free)(SPF_request_t *);
	SPF_errcode_t (*request_set_ipv4_str)(SPF_request_t *, const char *);
	SPF_errcode_t (*request_set_ipv6_str)(SPF_request_t *, const char *);
	SPF_errcode_t (*request_set_helo_dom)(SPF_request_t *, const char *);
	int	(*request_set_env_from)(SPF_request_t *, const char *);
	SPF_errcode_t (*request_query_mailfrom)(SPF_request_t *,
		    SPF_response_t **);
	void	(*response_free)(SPF_response_t *);
	SPF_result_t (*response_result)(SPF_response_t *);
	const char *(*response_get_explanation)(SPF_response_t *);
	const char *(*response_get_smtp_comment)(SPF_response_t *);
	const char *(*response_get_header_comment)(SPF_response_t *);
	int	(*response_messages)(SPF_response_t *);
	SPF_error_t *(*response_message)(SPF_response_t *, int);
	const char *(*error_message)(SPF_error_t *);
	const char *(*strerror)(SPF_errcode_t);
	const char *(*strresult)(SPF_result_t);
};

/*
 * Load libspf2 once, by the soname found at build time (LIBSPF2_SONAME);
 * -1 with why (dlerror's text, which names the file or the symbol).
 */
int	spflib_open(struct spflib *l, char *why, size_t size);
/* Forget the functions (the library stays mapped, see tlslib_close()). */
void	spflib_close(struct spflib *l);

#endif
