/*
 * tlslib.c: resolve the libtls functions samotop uses.
 */
#include <string.h>

#include "dlload.h"
#include "tlslib.h"

#ifndef LIBTLS_SONAME
#define LIBTLS_SONAME	"libtls.so"
#endif

#define RESOLVE(field, name)	DL_RESOLVE(l, field, name, why, size)

static int
resolve(struct tlslib *l, char *why, size_t size)
{
	RESOLVE(init, "tls_init");
	RESOLVE(config_new, "tls_config_new");
	RESOLVE(config_free, "tls_config_free");
	RESOLVE(config_error, "tls_config_error");
	RESOLVE(config_parse_protocols, "tls_config_parse_protocols");
	RESOLVE(config_set_protocols, "tls_config_set_protocols");
	RESOLVE(config_set_ciphers, "tls_config_set_ciphers");
	RESOLVE(config_set_keypair_ocsp_mem,
	    "tls_config_set_keypair_ocsp_mem");
	RESOLVE(server, "tls_server");
	RESOLVE(configure, "tls_configure");
	RESOLVE(accept_fds, "tls_accept_fds");
	RESOLVE(handshake, "tls_handshake");
	RESOLVE(read, "tls_read");
	RESOLVE(write, "tls_write");
	RESOLVE(close, "tls_close");
	RESOLVE(free, "tls_free");
	RESOLVE(error, "tls_error");
	RESOLVE(conn_version, "tls_conn_version");
	RESOLVE(conn_cipher, "tls_conn_cipher");
	RESOLVE(conn_cipher_strength, "tls_conn_cipher_strength");
	RESOLVE(client, "tls_client");
	RESOLVE(connect_socket, "tls_connect_socket");
	RESOLVE(config_insecure_noverifycert,
	    "tls_config_insecure_noverifycert");
	RESOLVE(config_insecure_noverifyname,
	    "tls_config_insecure_noverifyname");
	RESOLVE(config_set_ca_file, "tls_config_set_ca_file");
	RESOLVE(openssl_init_crypto, "OPENSSL_init_crypto");
	return 0;
}

int
tlslib_open(struct tlslib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load_deep(LIBTLS_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		tlslib_close(l);
		return -1;
	}
	return 0;
}

void
tlslib_close(struct tlslib *l)
{
	/*
	 * Not dlclose(3): OpenSSL registers exit handlers and thread keys
	 * that would point into unmapped code.  The process ends with the
	 * session anyway.
	 */
	memset(l, 0, sizeof(*l));
}
