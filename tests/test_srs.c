/*
 * test_srs.c: the Sender Rewriting Scheme (srs.h), with a fake HMAC (no
 * libcrypto): forward and reverse, SRS1, the hash and age checks.
 */
#include <stdint.h>
#include <string.h>

#include "srs.h"
#include "unit.h"

#define DAY	86400
#define NOW	((time_t)20000 * DAY + 3600)	/* day 20000: TT "RA" */

/* Not a MAC, but depends on every key and data octet, as one must. */
static int
fake_hmac(void *arg, const unsigned char *key, size_t keylen,
    const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	const unsigned char *d = data;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	(void)arg;
	for (i = 0; i < keylen; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	for (i = 0; i < len; i++)
		h = (h ^ d[i]) * 1099511628211ULL;
	for (i = 0; i < CRYPTO_SHA256_LEN; i++) {
		h = (h ^ i) * 1099511628211ULL;
		out[i] = (unsigned char)(h >> 56);
	}
	return 0;
}

static void
setup(struct srs *s)
{
	memset(s, 0, sizeof(*s));
	memset(s->key, 7, sizeof(s->key));
	CHECK(srs_init(s, "Fwd.Example", fake_hmac, NULL) == 0);
}

static void
forward_srs0_shape(void)
{
	struct srs s;
	char out[ADDR_MAX + 1];

	setup(&s);
	CHECK(srs_forward(&s, "alice@origin.test", NOW, out, sizeof(out)) ==
	    SRS_OK);
	CHECK(strncmp(out, "SRS0=", 5) == 0);
	CHECK(out[13] == '=');
	CHECK(strncmp(out + 14, "RA=origin.test=alice@fwd.example", 32) == 0);
	CHECK(strlen(out) == 14 + 32);
	CHECK(srs_is_ours(&s, out));
}

static void
reverse_srs0(void)
{
	struct srs s;
	char fwd[ADDR_MAX + 1], out[ADDR_MAX + 1];

	setup(&s);
	CHECK(srs_forward(&s, "alice@origin.test", NOW, fwd, sizeof(fwd)) ==
	    SRS_OK);
	CHECK(srs_reverse(&s, fwd, NOW, out, sizeof(out)) == SRS_OK);
	CHECK_STR(out, "alice@origin.test");
	/* a relay that lowercased it all: the hash is case-blind */
	for (size_t i = 0; fwd[i] != '\0'; i++)
		if (fwd[i] >= 'A' && fwd[i] <= 'Z')
			fwd[i] = (char)(fwd[i] - 'A' + 'a');
	CHECK(srs_reverse(&s, fwd, NOW, out, sizeof(out)) == SRS_OK);
	CHECK_STR(out, "alice@origin.test");
}

static void
reverse_refuses_forgery(void)
{
	struct srs s, other;
	char fwd[ADDR_MAX + 1], out[ADDR_MAX + 1];

	setup(&s);
	CHECK(srs_forward(&s, "alice@origin.test", NOW, fwd, sizeof(fwd)) ==
	    SRS_OK);
	/* another key: another hash */
	setup(&other);
	other.key[0] = 8;
	CHECK(srs_reverse(&other, fwd, NOW, out, sizeof(out)) == SRS_EHASH);
	/* another original address under the same hash */
	fwd[strlen(fwd) - strlen("alice@fwd.example")] = 'm';
	CHECK(srs_reverse(&s, fwd, NOW, out, sizeof(out)) == SRS_EHASH);
	CHECK(srs_reverse(&s, "SRS0=AAAAAAAA=RA=origin.test=alice@fwd.example",
	    NOW, out, sizeof(out)) == SRS_EHASH);
	CHECK(srs_reverse(&s, "SRS0=AAAA=RA=origin.test=alice@fwd.example",
	    NOW, out, sizeof(out)) == SRS_ESYNTAX);
	CHECK(srs_reverse(&s, "SRS0=AAAAAAAA=R=origin.test=alice@fwd.example",
	    NOW, out, sizeof(out)) == SRS_ESYNTAX);
	CHECK(srs_reverse(&s, "SRS0=AAAAAAAA=RA=origin.test@fwd.example",
	    NOW, out, sizeof(out)) == SRS_ESYNTAX);
	CHECK(srs_reverse(&s, "alice@fwd.example", NOW, out, sizeof(out)) ==
	    SRS_ENOTSRS);
	CHECK(srs_reverse(&s, "SRS0=x@elsewhere.test", NOW, out,
	    sizeof(out)) == SRS_ENOTSRS);
}

static void
reverse_age(void)
{
	struct srs s;
	char fwd[ADDR_MAX + 1], out[ADDR_MAX + 1];

	setup(&s);
	CHECK(srs_forward(&s, "a@o.test", NOW, fwd, sizeof(fwd)) == SRS_OK);
	CHECK(srs_reverse(&s, fwd, NOW + SRS_MAX_AGE * DAY, out,
	    sizeof(out)) == SRS_OK);
	CHECK(srs_reverse(&s, fwd, NOW + (SRS_MAX_AGE + 1) * DAY, out,
	    sizeof(out)) == SRS_EAGE);
	/* the day counter wraps at 1024 days: still the same age */
	CHECK(srs_forward(&s, "a@o.test", (time_t)1023 * DAY, fwd,
	    sizeof(fwd)) == SRS_OK);
	CHECK(srs_reverse(&s, fwd, (time_t)1025 * DAY, out, sizeof(out)) ==
	    SRS_OK);
}

static void
srs1_chain(void)
{
	struct srs first, s;
	char a[ADDR_MAX + 1], b[ADDR_MAX + 1], back[ADDR_MAX + 1];
	char out[ADDR_MAX + 1];

	setup(&first);
	CHECK(srs_init(&first, "first.test", fake_hmac, NULL) == 0);
	first.key[1] = 9;
	setup(&s);
	CHECK(srs_forward(&first, "a@o.test", NOW, a, sizeof(a)) == SRS_OK);
	/* we forward again what first.test forwarded: SRS1 */
	CHECK(srs_forward(&s, a, NOW, b, sizeof(b)) == SRS_OK);
	CHECK(strncmp(b, "SRS1=", 5) == 0);
	CHECK(strstr(b, "=first.test==") != NULL);
	/* its bounce goes back to first.test's SRS0 address */
	CHECK(srs_reverse(&s, b, NOW, back, sizeof(back)) == SRS_OK);
	CHECK_STR(back, a);
	CHECK(srs_reverse(&first, back, NOW, out, sizeof(out)) == SRS_OK);
	CHECK_STR(out, "a@o.test");
	/* an SRS1 forwarded once more keeps the first forwarder */
	CHECK(srs_init(&first, "third.test", fake_hmac, NULL) == 0);
	CHECK(srs_forward(&first, b, NOW, a, sizeof(a)) == SRS_OK);
	CHECK(strncmp(a, "SRS1=", 5) == 0);
	CHECK(strstr(a, "=first.test==") != NULL);
	CHECK(strstr(a, "@third.test") != NULL);
}

static void
forward_edges(void)
{
	struct srs s;
	char out[ADDR_MAX + 1], big[ADDR_MAX + 1];

	setup(&s);
	/* ours already: unchanged */
	CHECK(srs_forward(&s, "bob@FWD.example", NOW, out, sizeof(out)) ==
	    SRS_OK);
	CHECK_STR(out, "bob@FWD.example");
	CHECK(srs_forward(&s, "", NOW, out, sizeof(out)) == SRS_ESYNTAX);
	CHECK(srs_forward(&s, "nobody", NOW, out, sizeof(out)) ==
	    SRS_ESYNTAX);
	CHECK(srs_forward(&s, "\"a b\"@o.test", NOW, out, sizeof(out)) ==
	    SRS_ESYNTAX);
	/* over 64 octets of local part: the caller keeps the sender */
	memset(big, 'x', 40);
	snprintf(big + 40, sizeof(big) - 40, "@a-long-domain.example.org");
	CHECK(srs_forward(&s, big, NOW, out, sizeof(out)) == SRS_ELONG);
	CHECK(srs_forward(&s, "a@o.test", NOW, out, 20) == SRS_ELONG);
}

int
main(void)
{
	TEST(forward_srs0_shape);
	TEST(reverse_srs0);
	TEST(reverse_refuses_forgery);
	TEST(reverse_age);
	TEST(srs1_chain);
	TEST(forward_edges);
	return unit_failed != 0;
}
