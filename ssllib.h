/*
 * ssllib.h: OpenSSL's libssl, loaded with dlopen(3) (see dlload.h) by
 * samotop-remote when it first delivers to a mail host with DANE (RFC
 * 7672, rmt_dane.h): libtls has no DANE API, so those connections are
 * made with libssl's SSL_dane_* calls themselves, as Postfix makes them;
 * and to a host of an MTA-STS policy (RFC 8461), whose certificate check
 * must say which check failed (TLS-RPT's result types, tlsrpt.h), which
 * libtls does not tell.  A delivery without either never maps it
 * (libtls, loaded at STARTTLS, brings the same copy along anyway).  The functions' types are taken
 * from OpenSSL's own headers, so the table cannot drift from them; the
 * ERR_* and X509_* ones live in libcrypto, found through libssl's
 * dependencies.  Only what rmt_conn_dane.c uses is in the table.
 */
#ifndef SAMOTOP_SSLLIB_H
#define SAMOTOP_SSLLIB_H

#include <stddef.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define SSLLIB_FN(name)	__typeof__(name) *

struct ssllib {
	void	*handle;	/* NULL until loaded */
	SSLLIB_FN(TLS_client_method)		 client_method;
	SSLLIB_FN(SSL_CTX_new)			 ctx_new;
	SSLLIB_FN(SSL_CTX_free)			 ctx_free;
	SSLLIB_FN(SSL_CTX_dane_enable)		 ctx_dane_enable;
	SSLLIB_FN(SSL_CTX_dane_set_flags)	 ctx_dane_set_flags;
	SSLLIB_FN(SSL_CTX_load_verify_locations) ctx_load_verify_locations;
	SSLLIB_FN(SSL_CTX_set_default_verify_paths) ctx_default_verify_paths;
	SSLLIB_FN(SSL_new)			 new;
	SSLLIB_FN(SSL_free)			 free;
	SSLLIB_FN(SSL_set_fd)			 set_fd;
	SSLLIB_FN(SSL_ctrl)			 ctrl;
	SSLLIB_FN(SSL_set_verify)		 set_verify;
	SSLLIB_FN(SSL_set_hostflags)		 set_hostflags;
	SSLLIB_FN(SSL_set1_host)		 set1_host;
	SSLLIB_FN(SSL_dane_enable)		 dane_enable;
	SSLLIB_FN(SSL_dane_tlsa_add)		 dane_tlsa_add;
	SSLLIB_FN(SSL_get0_dane_authority)	 dane_authority;
	SSLLIB_FN(SSL_get0_dane_tlsa)		 dane_tlsa;
	SSLLIB_FN(SSL_connect)			 connect;
	SSLLIB_FN(SSL_read)			 read;
	SSLLIB_FN(SSL_write)			 write;
	SSLLIB_FN(SSL_get_error)		 get_error;
	SSLLIB_FN(SSL_shutdown)			 shutdown;
	SSLLIB_FN(SSL_get_verify_result)	 verify_result;
	SSLLIB_FN(SSL_get_version)		 version;
	SSLLIB_FN(SSL_get_current_cipher)	 current_cipher;
	SSLLIB_FN(SSL_CIPHER_get_name)		 cipher_name;
	SSLLIB_FN(SSL_CIPHER_get_bits)		 cipher_bits;
	SSLLIB_FN(ERR_get_error)		 err_get;
	SSLLIB_FN(ERR_error_string_n)		 err_string;
	SSLLIB_FN(ERR_clear_error)		 err_clear;
	SSLLIB_FN(X509_verify_cert_error_string) verify_string;
};

/*
 * Load libssl once, by the soname found at build time (LIBSSL_SONAME);
 * -1 with why (dlerror's text, which names the file or the symbol).
 */
int	ssllib_open(struct ssllib *l, char *why, size_t size);
/* Forget the functions (the library stays mapped, see tlslib_close()). */
void	ssllib_close(struct ssllib *l);

#endif
