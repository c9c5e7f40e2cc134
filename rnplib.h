/*
 * rnplib.h: librnp, loaded with dlopen(3) by the soname the build found
 * (LIBRNP_SONAME), only when samotop-encrypt first meets an OpenPGP key
 * file.  librnp brings Botan and libstdc++ with it, and their loading
 * and static constructors cost every process about 7 ms at start: a
 * session whose recipients have no OpenPGP key should not pay that.
 * The functions keep their names as fields of struct rnplib.
 */
#ifndef SAMOTOP_RNPLIB_H
#define SAMOTOP_RNPLIB_H

#include <stddef.h>

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

/* The functions samotop uses, each X(name). */
#define RNPLIB_FUNCS(X) \
	X(rnp_buffer_destroy) \
	X(rnp_ffi_create) \
	X(rnp_ffi_destroy) \
	X(rnp_ffi_set_log_fd) \
	X(rnp_identifier_iterator_create) \
	X(rnp_identifier_iterator_destroy) \
	X(rnp_identifier_iterator_next) \
	X(rnp_import_keys) \
	X(rnp_input_destroy) \
	X(rnp_input_from_callback) \
	X(rnp_input_from_memory) \
	X(rnp_key_allows_usage) \
	X(rnp_key_get_fprint) \
	X(rnp_key_get_subkey_at) \
	X(rnp_key_get_subkey_count) \
	X(rnp_key_handle_destroy) \
	X(rnp_key_is_expired) \
	X(rnp_key_is_primary) \
	X(rnp_key_is_revoked) \
	X(rnp_key_is_valid) \
	X(rnp_key_valid_till64) \
	X(rnp_locate_key) \
	X(rnp_op_encrypt_add_recipient) \
	X(rnp_op_encrypt_create) \
	X(rnp_op_encrypt_destroy) \
	X(rnp_op_encrypt_execute) \
	X(rnp_op_encrypt_set_aead) \
	X(rnp_op_encrypt_set_cipher) \
	X(rnp_op_encrypt_set_compression) \
	X(rnp_output_destroy) \
	X(rnp_output_finish) \
	X(rnp_output_to_callback)

struct rnplib {
	void	*handle;	/* NULL: not loaded */
#define RNPLIB_FIELD(name)	__typeof__(name) *name;
	RNPLIB_FUNCS(RNPLIB_FIELD)
#undef RNPLIB_FIELD
};

/*
 * Load librnp into l and find its functions, once (0 at once when l is
 * loaded already); -1 with why[0..size) saying what failed.
 */
int	rnplib_open(struct rnplib *l, char *why, size_t size);

#endif
