/*
 * ssllib.c: resolve the libssl (and libcrypto) functions of ssllib.h.
 */
#include <string.h>

#include "dlload.h"
#include "ssllib.h"

#ifndef LIBSSL_SONAME
#define LIBSSL_SONAME	"libssl.so"
#endif

#define RESOLVE(field, name)	DL_RESOLVE(l, field, name, why, size)

static int
resolve(struct ssllib *l, char *why, size_t size)
{
	RESOLVE(client_method, "TLS_client_method");
	RESOLVE(ctx_new, "SSL_CTX_new");
	RESOLVE(ctx_free, "SSL_CTX_free");
	RESOLVE(ctx_dane_enable, "SSL_CTX_dane_enable");
	RESOLVE(ctx_dane_set_flags, "SSL_CTX_dane_set_flags");
	RESOLVE(new, "SSL_new");
	RESOLVE(free, "SSL_free");
	RESOLVE(set_fd, "SSL_set_fd");
	RESOLVE(ctrl, "SSL_ctrl");
	RESOLVE(set_verify, "SSL_set_verify");
	RESOLVE(set_hostflags, "SSL_set_hostflags");
	RESOLVE(dane_enable, "SSL_dane_enable");
	RESOLVE(dane_tlsa_add, "SSL_dane_tlsa_add");
	RESOLVE(dane_authority, "SSL_get0_dane_authority");
	RESOLVE(dane_tlsa, "SSL_get0_dane_tlsa");
	RESOLVE(connect, "SSL_connect");
	RESOLVE(read, "SSL_read");
	RESOLVE(write, "SSL_write");
	RESOLVE(get_error, "SSL_get_error");
	RESOLVE(shutdown, "SSL_shutdown");
	RESOLVE(verify_result, "SSL_get_verify_result");
	RESOLVE(version, "SSL_get_version");
	RESOLVE(current_cipher, "SSL_get_current_cipher");
	RESOLVE(cipher_name, "SSL_CIPHER_get_name");
	RESOLVE(cipher_bits, "SSL_CIPHER_get_bits");
	RESOLVE(err_get, "ERR_get_error");
	RESOLVE(err_string, "ERR_error_string_n");
	RESOLVE(err_clear, "ERR_clear_error");
	RESOLVE(verify_string, "X509_verify_cert_error_string");
	RESOLVE(ctx_load_verify_locations, "SSL_CTX_load_verify_locations");
	RESOLVE(ctx_default_verify_paths,
	    "SSL_CTX_set_default_verify_paths");
	RESOLVE(set1_host, "SSL_set1_host");
	return 0;
}

int
ssllib_open(struct ssllib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBSSL_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		ssllib_close(l);
		return -1;
	}
	return 0;
}

void
ssllib_close(struct ssllib *l)
{
	/* Not dlclose(3): OpenSSL registers exit handlers. */
	memset(l, 0, sizeof(*l));
}
