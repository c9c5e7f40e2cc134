/*
 * tlslib.h: libtls, loaded with dlopen(3) when a session first needs it.
 *
 * Linked into samotop-smtpd, libtls and OpenSSL would cost every session
 * about 20,000 relocations and 400 KiB of dirty pages before the banner,
 * whether or not the client ever says STARTTLS.  Loaded on demand, they
 * cost only the sessions that use them.
 */
#ifndef SAMOTOP_TLSLIB_H
#define SAMOTOP_TLSLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tls;
struct tls_config;

struct tlslib {
	void	*handle;	/* NULL until loaded */
	int	(*init)(void);
	struct tls_config *(*config_new)(void);
	void	(*config_free)(struct tls_config *);
	const char *(*config_error)(struct tls_config *);
	int	(*config_parse_protocols)(uint32_t *, const char *);
	int	(*config_set_protocols)(struct tls_config *, uint32_t);
	int	(*config_set_ciphers)(struct tls_config *, const char *);
	int	(*config_set_keypair_ocsp_mem)(struct tls_config *,
		    const uint8_t *, size_t, const uint8_t *, size_t,
		    const uint8_t *, size_t);
	struct tls *(*server)(void);
	int	(*configure)(struct tls *, struct tls_config *);
	int	(*accept_fds)(struct tls *, struct tls **, int, int);
	int	(*handshake)(struct tls *);
	ssize_t	(*read)(struct tls *, void *, size_t);
	ssize_t	(*write)(struct tls *, const void *, size_t);
	int	(*close)(struct tls *);
	void	(*free)(struct tls *);
	const char *(*error)(struct tls *);
	const char *(*conn_version)(struct tls *);
	const char *(*conn_cipher)(struct tls *);
	int	(*conn_cipher_strength)(struct tls *);
	/* the client side (samotop-remote) */
	struct tls *(*client)(void);
	int	(*connect_socket)(struct tls *, int, const char *);
	void	(*config_insecure_noverifycert)(struct tls_config *);
	void	(*config_insecure_noverifyname)(struct tls_config *);
	int	(*config_set_ca_file)(struct tls_config *, const char *);
	/* OpenSSL's own, found through libtls' dependencies */
	int	(*openssl_init_crypto)(uint64_t, const void *);
};

/* Load libtls once; -1 with why (dlerror's text). */
int	tlslib_open(struct tlslib *l, char *why, size_t size);
void	tlslib_close(struct tlslib *l);

#endif
