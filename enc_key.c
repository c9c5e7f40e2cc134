/*
 * enc_key.c: what samotop-encrypt's key back ends share (enc_key.h).
 */
#include "enc_key.h"

const char *
enc_keystate_name(enum enc_keystate s)
{
	switch (s) {
	case ENC_KEY_OK:
		return "ok";
	case ENC_KEY_MISSING:
		return "missing";
	case ENC_KEY_EXPIRED:
		return "expired";
	case ENC_KEY_UNUSABLE:
		return "unusable";
	case ENC_KEY_MALFORMED:
		return "malformed";
	case ENC_KEY_EIO:
		return "unreadable";
	}
	return "unknown";
}
