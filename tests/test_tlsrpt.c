/*
 * test_tlsrpt.c: TLS-RPT's pure part (tlsrpt.c, tlsrpt_agg.c,
 * tlsrpt_txt.c): the day file's lines, their aggregation into the RFC
 * 8460 JSON report, the _smtp._tls TXT record and its DNS answer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <unistd.h>

#include "rmt_conn.h"
#include "tlsrpt.h"
#include "tlsrpt_day.h"
#include "tlsrpt_mail.h"
#include "tests/unit.h"

static struct tlsrpt_line l, back;
static struct tlsrpt_agg agg;
static char json[TLSRPT_JSON_MAX];

static void
line(enum tlsrpt_result r, enum tlsrpt_policy p, const char *mx,
    const char *rip)
{
	memset(&l, 0, sizeof(l));
	l.when = 1764720000;
	l.result = r;
	l.policy = p;
	snprintf(l.domain, sizeof(l.domain), "example.test");
	snprintf(l.mx, sizeof(l.mx), "%s", mx);
	snprintf(l.rip, sizeof(l.rip), "%s", rip);
	snprintf(l.sip, sizeof(l.sip), "192.0.2.1");
	if (p == TLSRPT_POLICY_STS) {
		l.mode = STS_ENFORCE;
		l.max_age = 86400;
		snprintf(l.mxlist, sizeof(l.mxlist), "mx.example.test,"
		    "*.mail.example.test");
	}
}

static void
test_names(void)
{
	CHECK_STR(tlsrpt_result_name(TLSRPT_STARTTLS_NOT_SUPPORTED),
	    "starttls-not-supported");
	CHECK_STR(tlsrpt_result_name(TLSRPT_STS_WEBPKI_INVALID),
	    "sts-webpki-invalid");
	CHECK_STR(tlsrpt_result_name(TLSRPT_NRESULT), "?");
	CHECK_STR(tlsrpt_policy_name(TLSRPT_POLICY_NONE), "no-policy-found");
	CHECK_STR(tlsrpt_policy_name(TLSRPT_POLICY_TLSA), "tlsa");
}

static void
test_line(void)
{
	char buf[TLSRPT_LINE_MAX];
	size_t n;

	line(TLSRPT_SUCCESS, TLSRPT_POLICY_STS, "mx.example.test",
	    "2001:db8::25");
	n = tlsrpt_line_format(&l, buf, sizeof(buf));
	CHECK(n > 0 && buf[n - 1] == '\n');
	buf[n] = '\0';
	CHECK_STR(buf, "tlsrpt1 1764720000 success sts example.test "
	    "mx.example.test 2001:db8::25 192.0.2.1 enforce 86400 "
	    "mx.example.test,*.mail.example.test\n");
	CHECK(tlsrpt_line_parse(buf, n - 1, &back) == 0);
	CHECK(memcmp(&l, &back, sizeof(l)) == 0);
	CHECK(tlsrpt_line_format(&l, buf, 40) == 0);	/* does not fit */

	line(TLSRPT_STARTTLS_NOT_SUPPORTED, TLSRPT_POLICY_NONE, "", "");
	n = tlsrpt_line_format(&l, buf, sizeof(buf));
	buf[n] = '\0';
	CHECK_STR(buf, "tlsrpt1 1764720000 starttls-not-supported "
	    "no-policy-found example.test - - 192.0.2.1 - 0 -\n");
	CHECK(tlsrpt_line_parse(buf, n - 1, &back) == 0);
	CHECK(memcmp(&l, &back, sizeof(l)) == 0);

	/* nothing that could break a line or the JSON is written */
	snprintf(l.mx, sizeof(l.mx), "a b");
	CHECK(tlsrpt_line_format(&l, buf, sizeof(buf)) == 0);
	snprintf(l.mx, sizeof(l.mx), "a\"b");
	CHECK(tlsrpt_line_format(&l, buf, sizeof(buf)) == 0);
	snprintf(l.mx, sizeof(l.mx), "-");
	CHECK(tlsrpt_line_format(&l, buf, sizeof(buf)) == 0);
	l.mx[0] = '\0';
	l.domain[0] = '\0';
	CHECK(tlsrpt_line_format(&l, buf, sizeof(buf)) == 0);
}

static int
parse(const char *s)
{
	return tlsrpt_line_parse(s, strlen(s), &back);
}

static void
test_line_bad(void)
{
	CHECK(parse("tlsrpt1 1 success sts d.test - - - enforce 1 a") == 0);
	CHECK(parse("tlsrpt2 1 success sts d.test - - - enforce 1 a") == -1);
	CHECK(parse("tlsrpt1 1 success sts d.test - - - enforce 1") == -1);
	CHECK(parse("tlsrpt1 1 success sts d.test - - - enforce 1 a ") ==
	    -1);
	CHECK(parse("tlsrpt1 1 success sts d.test - - - enforce 1 a b") ==
	    -1);
	CHECK(parse("tlsrpt1 1 fine sts d.test - - - enforce 1 a") == -1);
	CHECK(parse("tlsrpt1 1 success dane d.test - - - enforce 1 a") ==
	    -1);
	CHECK(parse("tlsrpt1 1 success sts - - - - enforce 1 a") == -1);
	CHECK(parse("tlsrpt1 1 success sts d.test - - - strict 1 a") == -1);
	CHECK(parse("tlsrpt1 x success sts d.test - - - enforce 1 a") == -1);
	CHECK(parse("tlsrpt1 1 success sts d.test - - - enforce "
	    "99999999 a") == -1);			/* over a year */
	CHECK(parse("tlsrpt1 1 success sts d.test  - - enforce 1 a") == -1);
	CHECK(parse("tlsrpt1 1 success sts d\001 - - - enforce 1 a") == -1);
	CHECK(parse("") == -1);
}

static void
test_agg(void)
{
	char text[8192];
	size_t n = 0, k;
	int i;

	tlsrpt_agg_init(&agg, "Example.TEST");
	CHECK_STR(agg.domain, "example.test");
	for (i = 0; i < 3; i++) {
		line(TLSRPT_SUCCESS, TLSRPT_POLICY_NONE, "mx1.example.test",
		    "127.0.0.41");
		n += tlsrpt_line_format(&l, text + n, sizeof(text) - n);
	}
	for (i = 0; i < 2; i++) {
		line(TLSRPT_STARTTLS_NOT_SUPPORTED, TLSRPT_POLICY_NONE,
		    "mx2.example.test", "127.0.0.42");
		n += tlsrpt_line_format(&l, text + n, sizeof(text) - n);
	}
	line(TLSRPT_VALIDATION_FAILURE, TLSRPT_POLICY_STS, "mx.example.test",
	    "127.0.0.43");
	n += tlsrpt_line_format(&l, text + n, sizeof(text) - n);
	line(TLSRPT_TLSA_INVALID, TLSRPT_POLICY_TLSA, "mx3.example.test",
	    "127.0.0.44");
	n += tlsrpt_line_format(&l, text + n, sizeof(text) - n);
	line(TLSRPT_SUCCESS, TLSRPT_POLICY_NONE, "", "");
	snprintf(l.domain, sizeof(l.domain), "other.test");
	n += tlsrpt_line_format(&l, text + n, sizeof(text) - n);
	memcpy(text + n, "garbage\n", 8);
	n += 8;
	memcpy(text + n, "tlsrpt1 1 success", 17);	/* being written */
	tlsrpt_agg_text(&agg, text, n + 17);

	CHECK(agg.lines == 7);
	CHECK(agg.skipped == 2);			/* other.test, garbage */
	CHECK(agg.npol == 3);
	CHECK(agg.pol[0].type == TLSRPT_POLICY_NONE);
	CHECK(agg.pol[0].ok == 3 && agg.pol[0].failed == 2);
	CHECK(agg.pol[1].type == TLSRPT_POLICY_STS);
	CHECK(agg.pol[1].ok == 0 && agg.pol[1].failed == 1);
	CHECK(agg.pol[2].type == TLSRPT_POLICY_TLSA);
	CHECK_STR(agg.pol[2].mx, "mx3.example.test");
	CHECK(agg.ndet == 3);
	CHECK(agg.det[0].count == 2 && agg.det[0].policy == 0);

	{
		struct tlsrpt_meta m = { "Sender Org", "postmaster@s.test",
		    "2025-12-03.example.test@s.test", 1764720000,
		    1764720000 + 86399 };

		k = tlsrpt_json(&agg, &m, json, sizeof(json));
		CHECK(k > 0);
		json[k] = '\0';
		CHECK(strstr(json, "\"organization-name\": \"Sender Org\"") !=
		    NULL);
		CHECK(strstr(json, "\"start-datetime\": "
		    "\"2025-12-03T00:00:00Z\"") != NULL);
		CHECK(strstr(json, "\"end-datetime\": "
		    "\"2025-12-03T23:59:59Z\"") != NULL);
		CHECK(strstr(json, "\"policy-type\": \"no-policy-found\"") !=
		    NULL);
		CHECK(strstr(json, "\"total-successful-session-count\": 3,\n"
		    "        \"total-failure-session-count\": 2") != NULL);
		CHECK(strstr(json, "\"result-type\": \"starttls-not-supported"
		    "\",\n          \"sending-mta-ip\": \"192.0.2.1\",\n"
		    "          \"receiving-mx-hostname\": \"mx2.example.test\""
		    ",\n          \"receiving-ip\": \"127.0.0.42\",\n"
		    "          \"failed-session-count\": 2") != NULL);
		CHECK(strstr(json, "\"policy-string\": [\"version: STSv1\", "
		    "\"mode: enforce\", \"mx: mx.example.test\", "
		    "\"mx: *.mail.example.test\", \"max_age: 86400\"]") !=
		    NULL);
		CHECK(strstr(json, "\"mx-host\": [\"mx.example.test\", "
		    "\"*.mail.example.test\"]") != NULL);
		CHECK(strstr(json, "\"mx-host\": [\"mx3.example.test\"]") !=
		    NULL);
		CHECK(tlsrpt_json(&agg, &m, json, k) == 0);	/* no room */
		m.org = "a\nb";
		CHECK(tlsrpt_json(&agg, &m, json, sizeof(json)) == 0);
		m.org = "a \"quoted\" \\ name";
		k = tlsrpt_json(&agg, &m, json, sizeof(json));
		json[k] = '\0';
		CHECK(strstr(json, "\"a \\\"quoted\\\" \\\\ name\"") != NULL);
	}
}

static void
test_agg_bounds(void)
{
	unsigned i;

	tlsrpt_agg_init(&agg, "example.test");
	for (i = 0; i < TLSRPT_POLICIES_MAX + 5; i++) {
		line(TLSRPT_TLSA_INVALID, TLSRPT_POLICY_TLSA, "", "");
		snprintf(l.mx, sizeof(l.mx), "mx%u.example.test", i);
		(void)tlsrpt_agg_add(&agg, &l);
	}
	CHECK(agg.npol == TLSRPT_POLICIES_MAX);
	CHECK(agg.skipped == 5);
	tlsrpt_agg_init(&agg, "example.test");
	for (i = 0; i < TLSRPT_DETAILS_MAX + 5; i++) {
		line(TLSRPT_VALIDATION_FAILURE, TLSRPT_POLICY_NONE, "", "");
		snprintf(l.rip, sizeof(l.rip), "10.0.%u.%u", i / 256, i % 256);
		(void)tlsrpt_agg_add(&agg, &l);
	}
	CHECK(agg.ndet == TLSRPT_DETAILS_MAX);
	CHECK(agg.pol[0].failed == TLSRPT_DETAILS_MAX + 5);
}

static int
record(const char *txt, struct tlsrpt_rua *r)
{
	int valid;

	if (tlsrpt_txt_record(txt, strlen(txt), r, &valid) != 1)
		return 0;
	return valid ? 1 : -1;
}

static void
test_txt_record(void)
{
	static struct tlsrpt_rua r;

	CHECK(record("v=TLSRPTv1; rua=mailto:reports@example.test", &r) ==
	    1);
	CHECK(r.nmailto == 1 && r.nhttps == 0);
	CHECK_STR(r.mailto[0], "reports@example.test");
	CHECK(record("v=TLSRPTv1;rua=mailto:a%2Bb@x.test?subject=x , "
	    "https://r.test/v1/tlsrpt,ftp://x.test/;ext=1;", &r) == 1);
	CHECK_STR(r.mailto[0], "a+b@x.test");
	CHECK(r.nhttps == 1);
	CHECK_STR(r.https[0], "https://r.test/v1/tlsrpt");
	CHECK(record("v=spf1 -all", &r) == 0);
	CHECK(record("v=TLSRPTv10; rua=mailto:a@b", &r) == 0);
	CHECK(record("v=TLSRPTv1", &r) == -1);		/* no rua */
	CHECK(record("v=TLSRPTv1; rua=", &r) == -1);
	CHECK(record("v=TLSRPTv1; rua=mailto:", &r) == -1);
	CHECK(record("v=TLSRPTv1; rua=mailto:a%0a@b", &r) == -1);
	CHECK(record("v=TLSRPTv1; rua=mailto:a%zz@b", &r) == -1);
	CHECK(record("v=TLSRPTv1; rua=mailto:a@b,,mailto:c@d", &r) == -1);
	CHECK(record("v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d", &r) ==
	    -1);
	CHECK(record("v=TLSRPTv1 rua=mailto:a@b", &r) == -1);
	CHECK(r.nmailto == 0);
}

static unsigned char msg[2048];
static size_t mlen;

static void
put(const void *p, size_t n)
{
	memcpy(msg + mlen, p, n);
	mlen += n;
}

/* An answer to "_smtp._tls.example.test TXT" with n one-string records. */
static void
answer(size_t n, const char **txt)
{
	static const unsigned char head[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 0,
	    0, 0, 0, 0 };
	static const unsigned char q[] = "\x05_smtp\x04_tls\x07" "example"
	    "\x04test";
	unsigned char rr[] = { 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0 };
	size_t i, k;

	mlen = 0;
	put(head, sizeof(head));
	msg[7] = (unsigned char)n;
	put(q, sizeof(q));
	put("\0\x10\0\x01", 4);
	for (i = 0; i < n; i++) {
		k = strlen(txt[i]);
		rr[11] = (unsigned char)(k + 1);
		put(rr, sizeof(rr));
		msg[mlen++] = (unsigned char)k;
		put(txt[i], k);
	}
}

static void
test_txt_answer(void)
{
	static struct tlsrpt_rua r;
	const char *one[] = { "v=spf1 -all",
	    "v=TLSRPTv1; rua=mailto:tls@example.test" };
	const char *two[] = { "v=TLSRPTv1; rua=mailto:a@example.test",
	    "v=TLSRPTv1; rua=mailto:b@example.test" };
	const char *bad[] = { "v=TLSRPTv1; rua=mailto:" };

	answer(2, one);
	CHECK(tlsrpt_txt_answer(msg, mlen, &r) == 1);
	CHECK_STR(r.mailto[0], "tls@example.test");
	answer(2, two);				/* §3: two: none */
	CHECK(tlsrpt_txt_answer(msg, mlen, &r) == 0);
	CHECK(r.nmailto == 0);
	answer(1, bad);
	CHECK(tlsrpt_txt_answer(msg, mlen, &r) == 0);
	answer(1, one);
	CHECK(tlsrpt_txt_answer(msg, mlen, &r) == 0);
	answer(2, one);
	CHECK(tlsrpt_txt_answer(msg, mlen - 1, &r) == -1);	/* cut */
	CHECK(tlsrpt_txt_answer(msg, 5, &r) == -1);
}

static void
test_day(void)
{
	char name[300], dom[TLSRPT_NAME_MAX + 1], dir[] = "/tmp/tlsrptXXXXXX";
	char path[400], buf[512];
	time_t day;
	FILE *f;
	size_t n;

	CHECK(tlsrpt_day_name("Example.TEST.", 1764720000 + 3600, name,
	    sizeof(name)) == 0);
	CHECK_STR(name, "2025-12-03.example.test");
	CHECK(tlsrpt_day_name("../etc", 0, name, sizeof(name)) == -1);
	CHECK(tlsrpt_day_name("a/b", 0, name, sizeof(name)) == -1);
	CHECK(tlsrpt_day_name("", 0, name, sizeof(name)) == -1);
	CHECK(tlsrpt_day_name("example.test", 0, name, 12) == -1);
	CHECK(tlsrpt_day_parse("2025-12-03.example.test", &day, dom) == 0);
	CHECK(day == 1764720000);
	CHECK_STR(dom, "example.test");
	CHECK(tlsrpt_day_parse("2024-02-29.x", &day, dom) == 0);
	CHECK(day == 1709164800);
	CHECK(tlsrpt_day_parse("2025-13-01.x", &day, dom) == -1);
	CHECK(tlsrpt_day_parse("2025-12-03.", &day, dom) == -1);
	CHECK(tlsrpt_day_parse("2025-12-03.x.tmp~", &day, dom) == -1);
	CHECK(tlsrpt_day_parse("2025-12-03", &day, dom) == -1);
	CHECK(tlsrpt_day_parse("2025-12-03.Example", &day, dom) == -1);

	/* two lines appended, the directory made on the way */
	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/sub", dir);
	line(TLSRPT_SUCCESS, TLSRPT_POLICY_NONE, "mx.example.test", "");
	l.when = 1764720000;
	CHECK(tlsrpt_day_append(path, &l) == 0);
	CHECK(tlsrpt_day_append(path, &l) == 0);
	snprintf(path, sizeof(path), "%s/sub/2025-12-03.example.test", dir);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		CHECK_STR(buf, "tlsrpt1 1764720000 success no-policy-found "
		    "example.test mx.example.test - 192.0.2.1 - 0 -\n"
		    "tlsrpt1 1764720000 success no-policy-found "
		    "example.test mx.example.test - 192.0.2.1 - 0 -\n");
	} else
		CHECK(0);
	snprintf(l.domain, sizeof(l.domain), "a b");
	CHECK(tlsrpt_day_append(dir, &l) == -1);
	unit_rmtree(dir);
}

static void
test_mail(void)
{
	static char out[TLSRPT_MAIL_MAX(5)];
	struct tlsrpt_mail m = { "postmaster@s.test", "r@d.test", "d.test",
	    "s.test", "2025-12-03.d.test@s.test", 1764720000, "2025-12-03",
	    "s.test!d.test!1764720000!1764806399.json.gz",
	    "application/tlsrpt+gzip", (const unsigned char *)"hello", 5 };
	size_t n;

	n = tlsrpt_mail(&m, out, sizeof(out));
	CHECK(n > 0);
	out[n] = '\0';
	CHECK(strstr(out, "Subject: Report Domain: d.test Submitter: s.test"
	    "\r\n Report-ID: <2025-12-03.d.test@s.test>\r\n") != NULL);
	CHECK(strstr(out, "Date: Wed, 03 Dec 2025 00:00:00 +0000\r\n") !=
	    NULL);
	CHECK(strstr(out, "TLS-Report-Domain: d.test\r\n"
	    "TLS-Report-Submitter: s.test\r\n") != NULL);
	CHECK(strstr(out, "Content-Type: multipart/report; "
	    "report-type=\"tlsrpt\";") != NULL);
	CHECK(strstr(out, "Content-Type: application/tlsrpt+gzip\r\n"
	    "Content-Transfer-Encoding: base64\r\n") != NULL);
	CHECK(strstr(out, "\r\n\r\naGVsbG8=\r\n") != NULL);
	CHECK(n > 22 && strcmp(out + n - 22, "--=_samotop_tlsrpt--\r\n") ==
	    0);
	CHECK(tlsrpt_mail(&m, out, 100) == 0);
	m.to = "r@d.test\r\nBcc: x@y";
	CHECK(tlsrpt_mail(&m, out, sizeof(out)) == 0);

	/* a report is known by its header field, in the header only */
	CHECK(tlsrpt_mail_is_report(out, n) == 1);
	CHECK(tlsrpt_mail_is_report("Subject: x\r\ntls-report-domain: d\r\n"
	    "\r\n", 35) == 1);
	CHECK(tlsrpt_mail_is_report("Subject: x\r\n\r\nTLS-Report-Domain: "
	    "d\r\n", 36) == 0);
	CHECK(tlsrpt_mail_is_report("X-TLS-Report-Domain: d\r\n", 24) == 0);
	CHECK(tlsrpt_mail_is_report("TLS-Report-Domain", 17) == 0);
	CHECK(tlsrpt_mail_is_report("", 0) == 0);
}

/* samotop-remote's failed handshakes, by OpenSSL's verdict, typed */
static void
test_conn_failure(void)
{
	static struct rmt_conn c;

	c.verify = X509_V_ERR_CERT_HAS_EXPIRED;
	CHECK(rmt_conn_failure(&c) == TLSRPT_CERT_EXPIRED);
	c.verify = X509_V_ERR_CERT_NOT_YET_VALID;
	CHECK(rmt_conn_failure(&c) == TLSRPT_CERT_EXPIRED);
	c.verify = X509_V_ERR_HOSTNAME_MISMATCH;
	CHECK(rmt_conn_failure(&c) == TLSRPT_CERT_HOST_MISMATCH);
	c.verify = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	CHECK(rmt_conn_failure(&c) == TLSRPT_CERT_NOT_TRUSTED);
	c.verify = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
	CHECK(rmt_conn_failure(&c) == TLSRPT_CERT_NOT_TRUSTED);
	c.verify = X509_V_ERR_DANE_NO_MATCH;
	CHECK(rmt_conn_failure(&c) == TLSRPT_TLSA_INVALID);
	c.verify = X509_V_ERR_CERT_SIGNATURE_FAILURE;
	CHECK(rmt_conn_failure(&c) == TLSRPT_VALIDATION_FAILURE);
	c.verify = X509_V_OK;			/* the handshake itself */
	CHECK(rmt_conn_failure(&c) == TLSRPT_VALIDATION_FAILURE);
	snprintf(c.dane, sizeof(c.dane), "fail");
	CHECK(rmt_conn_failure(&c) == TLSRPT_TLSA_INVALID);
}

int
main(void)
{
	TEST(test_names);
	TEST(test_line);
	TEST(test_line_bad);
	TEST(test_agg);
	TEST(test_agg_bounds);
	TEST(test_txt_record);
	TEST(test_txt_answer);
	TEST(test_day);
	TEST(test_mail);
	TEST(test_conn_failure);
	return UNIT_DONE();
}
