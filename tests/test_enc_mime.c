/*
 * test_enc_mime.c: samotop-encrypt's MIME side (enc_mime.c): where the
 * header section ends, which messages are encrypted already, the
 * protected header inside and the few fields left outside.
 */
#include <string.h>

#include "enc_key.h"
#include "enc_mime.h"
#include "tests/unit.h"

static char out[4096];

static int
split(const char *m, int eof, size_t *hlen, size_t *body)
{
	return enc_mime_split(m, strlen(m), eof, hlen, body);
}

static void
split_cases(void)
{
	size_t h = 99, b = 99;

	CHECK(split("Subject: x\r\n\r\nbody\r\n", 0, &h, &b) == 1);
	CHECK(h == 12 && b == 14);
	CHECK(split("\r\nbody", 0, &h, &b) == 1 && h == 0 && b == 2);
	CHECK(split("A: b\nC: d\n\nbody", 0, &h, &b) == 1);
	CHECK(h == 10 && b == 11);
	/* not decidable until more comes, or the end */
	CHECK(split("Subject: x\r\n", 0, &h, &b) == 0);
	CHECK(split("Subject: x\r\n\r", 0, &h, &b) == 0);
	CHECK(split("", 0, &h, &b) == 0);
	CHECK(split("\r", 0, &h, &b) == 0);
	CHECK(split("Subject: x\r\n", 1, &h, &b) == 1 && h == 12 && b == 12);
	/* a folded field is not an empty line */
	CHECK(split("S: a\r\n b\r\n\r\nx", 0, &h, &b) == 1 && h == 10);
}

static void
fields(void)
{
	const char *hdr = "From: a@b\r\nSubject: one\r\n two\r\nbogus line\r\n"
	    " stray\r\nX-Y:z\r\n";
	struct enc_field f;
	size_t pos = 0;

	CHECK(enc_mime_field_next(hdr, strlen(hdr), &pos, &f) == 1);
	CHECK(enc_mime_field_is(&f, "from") && f.len == 11);
	CHECK(enc_mime_field_next(hdr, strlen(hdr), &pos, &f) == 1);
	CHECK(enc_mime_field_is(&f, "Subject"));
	CHECK(f.valuelen == strlen(" one\r\n two"));
	CHECK(enc_mime_field_next(hdr, strlen(hdr), &pos, &f) == 1);
	CHECK(enc_mime_field_is(&f, "X-Y") && f.valuelen == 1);
	CHECK(enc_mime_field_next(hdr, strlen(hdr), &pos, &f) == 0);
}

static int
encrypted(const char *hdr)
{
	return enc_mime_is_encrypted(hdr, strlen(hdr));
}

static void
already_encrypted(void)
{
	CHECK(encrypted("Content-Type: multipart/encrypted; "
	    "protocol=\"application/pgp-encrypted\"; boundary=x\r\n"));
	CHECK(encrypted("content-type:\r\n  Application/PKCS7-MIME;\r\n"));
	CHECK(encrypted("Content-Type: application/x-pkcs7-mime\r\n"));
	CHECK(!encrypted("Content-Type: multipart/encryptedx\r\n"));
	CHECK(!encrypted("Content-Type: text/plain\r\n"));
	CHECK(!encrypted("Subject: multipart/encrypted\r\n"));
	CHECK(!encrypted(""));
	/* only the first Content-Type counts */
	CHECK(!encrypted("Content-Type: text/plain\r\n"
	    "Content-Type: multipart/encrypted\r\n"));
}

static const char *
protect(const char *hdr)
{
	size_t n = enc_mime_protect(hdr, strlen(hdr), out, sizeof(out));

	out[n] = '\0';
	return out;
}

static void
protected_header(void)
{
	CHECK_STR(protect("Subject: s\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nX: y\r\n"),
	    "Subject: s\r\nContent-Type: text/plain; charset=utf-8; "
	    "protected-headers=\"v1\"\r\nX: y\r\n\r\n");
	/* folded, and with trailing blanks and a trailing ';' */
	CHECK_STR(protect("Content-Type: multipart/mixed;\r\n "
	    "boundary=\"b\";  \r\n"),
	    "Content-Type: multipart/mixed;\r\n boundary=\"b\"; "
	    "protected-headers=\"v1\"  \r\n\r\n");
	CHECK_STR(protect("Subject: s\r\n"),
	    "Subject: s\r\nContent-Type: text/plain; "
	    "protected-headers=\"v1\"\r\n\r\n");
	CHECK_STR(protect(""), "Content-Type: text/plain; "
	    "protected-headers=\"v1\"\r\n\r\n");
	CHECK_STR(protect("Subject: s"), "Subject: s\r\nContent-Type: "
	    "text/plain; protected-headers=\"v1\"\r\n\r\n");
	/* already there: not twice */
	CHECK_STR(protect("Content-Type: text/plain; protected-headers=v1\r\n"),
	    "Content-Type: text/plain; protected-headers=v1\r\n\r\n");
	/* too small: 0 */
	CHECK(enc_mime_protect("Subject: s\r\n", 12, out, 20) == 0);
}

static const char *
outer(const char *hdr, int keep)
{
	size_t n = enc_mime_outer(hdr, strlen(hdr), keep, "M: 1\r\n", out,
	    sizeof(out));

	out[n] = '\0';
	return out;
}

static void
outer_header(void)
{
	const char *hdr = "Received: from x by y\r\n"
	    "From: A <a@b>\r\nTo: c@d,\r\n e@f\r\nSubject: secret\r\n"
	    "X-Spam: no\r\nDate: now\r\nMessage-ID: <1@b>\r\n"
	    "Content-Type: text/plain\r\nReferences: <0@b>\r\n"
	    "Delivered-To: c@d\r\nReturn-Path: <a@b>\r\nCc: g@h\r\n"
	    "In-Reply-To: <0@b>\r\nUser-Agent: z\r\n";

	CHECK_STR(outer(hdr, 0), "From: A <a@b>\r\nTo: c@d,\r\n e@f\r\n"
	    "Date: now\r\nMessage-ID: <1@b>\r\nReferences: <0@b>\r\n"
	    "Delivered-To: c@d\r\nReturn-Path: <a@b>\r\nCc: g@h\r\n"
	    "In-Reply-To: <0@b>\r\nSubject: ...\r\nM: 1\r\n\r\n");
	CHECK_STR(outer("Subject: secret\r\n two\r\nFrom: a\r\n", 1),
	    "Subject: secret\r\n two\r\nFrom: a\r\nM: 1\r\n\r\n");
	CHECK_STR(outer("From: a", 0), "From: a\r\nSubject: ...\r\nM: 1\r\n\r\n");
	CHECK(enc_mime_outer(hdr, strlen(hdr), 0, "", out, 30) == 0);
}

static void
pgp_parts(void)
{
	static const unsigned char rnd[16] = { 0x01, 0xab, 0xff };
	char b[ENC_BOUNDARY_MAX], buf[512];

	enc_mime_boundary(rnd, b);
	CHECK_STR(b, "=_samotop_01abff00000000000000000000000000");
	CHECK(enc_mime_pgp_fields(b, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "multipart/encrypted;\r\n protocol=\"application/"
	    "pgp-encrypted\";\r\n boundary=\"=_samotop_01ab") != NULL);
	CHECK(enc_mime_pgp_open(b, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\r\n--=_samotop_01abff00000000000000000000000000"
	    "\r\nContent-Type: application/pgp-encrypted\r\n") != NULL);
	CHECK(strstr(buf, "\r\nVersion: 1\r\n") != NULL);
	CHECK(enc_mime_pgp_close(b, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "\r\n--=_samotop_01abff00000000000000000000000000--\r\n");
	CHECK(enc_mime_pgp_open(b, buf, 40) == 0);
}

static void
state_names(void)
{
	CHECK_STR(enc_keystate_name(ENC_KEY_OK), "ok");
	CHECK_STR(enc_keystate_name(ENC_KEY_MISSING), "missing");
	CHECK_STR(enc_keystate_name(ENC_KEY_EXPIRED), "expired");
	CHECK_STR(enc_keystate_name(ENC_KEY_UNUSABLE), "unusable");
	CHECK_STR(enc_keystate_name(ENC_KEY_MALFORMED), "malformed");
	CHECK_STR(enc_keystate_name(ENC_KEY_EIO), "unreadable");
}

int
main(void)
{
	TEST(split_cases);
	TEST(fields);
	TEST(already_encrypted);
	TEST(protected_header);
	TEST(outer_header);
	TEST(pgp_parts);
	TEST(state_names);
	return UNIT_DONE();
}
