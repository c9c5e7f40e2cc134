/*
 * hex.h: octets as lowercase hexadecimal, for names and hashes that must
 * be safe anywhere (file names, MIME boundaries, log fields).  Pure.
 */
#ifndef SAMOTOP_HEX_H
#define SAMOTOP_HEX_H

#include <stddef.h>

/* in[0..n) as 2n lowercase hex digits and a NUL into out[2n + 1]. */
void	hex_lower(const unsigned char *in, size_t n, char *out);

#endif
