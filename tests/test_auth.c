/*
 * test_auth.c: AUTH's pure parts: the SASL exchange of PLAIN and LOGIN
 * and its base64 (auth_sasl.c), the AUTH command and MAIL's AUTH=
 * (parser.c), the core's sequencing and replies (state.c), the Dovecot
 * auth-client request and replies (auth_dovecot.c) and the sender-login
 * map (auth_check.c).
 */
#include <string.h>

#include "auth_check.h"
#include "auth_dovecot.h"
#include "auth_sasl.h"
#include "conf.h"
#include "parser.h"
#include "state.h"
#include "tests/unit.h"

static char ch[AUTH_CHALLENGE_MAX];

static void
base64_strict(void)
{
	unsigned char out[64];
	char enc[64];

	CHECK(auth_b64_decode("", 0, out, sizeof(out)) == 0);
	CHECK(auth_b64_decode("Zm9v", 4, out, sizeof(out)) == 3 &&
	    memcmp(out, "foo", 3) == 0);
	CHECK(auth_b64_decode("Zm8=", 4, out, sizeof(out)) == 2 &&
	    memcmp(out, "fo", 2) == 0);
	CHECK(auth_b64_decode("Zg==", 4, out, sizeof(out)) == 1 &&
	    out[0] == 'f');
	/* no blanks, no padding inside, whole quanta only */
	CHECK(auth_b64_decode("Zm9 v", 5, out, sizeof(out)) == -1);
	CHECK(auth_b64_decode("Zg==Zm9v", 8, out, sizeof(out)) == -1);
	CHECK(auth_b64_decode("Zm9", 3, out, sizeof(out)) == -1);
	CHECK(auth_b64_decode("Z===", 4, out, sizeof(out)) == -1);
	CHECK(auth_b64_decode("Zm9v", 4, out, 2) == -1);
	CHECK(auth_b64_encode((const unsigned char *)"\0a\0b", 4, enc,
	    sizeof(enc)) == 8);
	CHECK_STR(enc, "AGEAYg==");
	CHECK(auth_b64_encode((const unsigned char *)"foo", 3, enc, 4) ==
	    -1);
}

static void
plain_initial(void)
{
	struct auth_sasl a;
	/* "\0alice@example.org\0secret" */
	const char *ir = "AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==";

	CHECK(auth_sasl_start(&a, "plain", 5, 1, ir, strlen(ir), ch) ==
	    AUTH_STEP_DONE);
	CHECK_STR(a.user, "alice@example.org");
	CHECK_STR(a.pass, "secret");
	auth_sasl_wipe(&a);
	CHECK(a.pass[0] == '\0');
	/* authzid the same user: fine; another: refused */
	ir = "YWxpY2UAYWxpY2UAcHc=";	/* alice\0alice\0pw */
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, ir, strlen(ir), ch) ==
	    AUTH_STEP_DONE);
	ir = "Ym9iAGFsaWNlAHB3";		/* bob\0alice\0pw */
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, ir, strlen(ir), ch) ==
	    AUTH_STEP_EAUTHZID);
	/* one NUL only, an empty login, a blank in it: malformed */
	ir = "YWxpY2UAcHc=";		/* alice\0pw */
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, ir, strlen(ir), ch) ==
	    AUTH_STEP_EMALFORMED);
	ir = "AABwdw==";			/* \0\0pw */
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, ir, strlen(ir), ch) ==
	    AUTH_STEP_EMALFORMED);
	ir = "AGEgYgBwdw==";		/* \0a b\0pw */
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, ir, strlen(ir), ch) ==
	    AUTH_STEP_EMALFORMED);
	/* "=" is an empty response: no NULs, malformed; junk is base64's */
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, "=", 1, ch) ==
	    AUTH_STEP_EMALFORMED);
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, "%%%%", 4, ch) ==
	    AUTH_STEP_EBASE64);
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 1, "*", 1, ch) ==
	    AUTH_STEP_CANCEL);
	CHECK(auth_sasl_start(&a, "CRAM-MD5", 8, 0, NULL, 0, ch) ==
	    AUTH_STEP_EMECH);
}

static void
plain_challenge(void)
{
	struct auth_sasl a;
	const char *resp = "AGJvYgBodW50ZXIy";	/* \0bob\0hunter2 */

	CHECK(auth_sasl_start(&a, "PLAIN", 5, 0, NULL, 0, ch) ==
	    AUTH_STEP_CHALLENGE);
	CHECK_STR(ch, "");			/* "334 " */
	CHECK(auth_sasl_next(&a, resp, strlen(resp), ch) == AUTH_STEP_DONE);
	CHECK_STR(a.user, "bob");
	CHECK_STR(a.pass, "hunter2");
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 0, NULL, 0, ch) ==
	    AUTH_STEP_CHALLENGE);
	CHECK(auth_sasl_next(&a, "*", 1, ch) == AUTH_STEP_CANCEL);
	/* "=" is an empty initial response only: here it is no base64 */
	CHECK(auth_sasl_start(&a, "PLAIN", 5, 0, NULL, 0, ch) ==
	    AUTH_STEP_CHALLENGE);
	CHECK(auth_sasl_next(&a, "=", 1, ch) == AUTH_STEP_EBASE64);
}

static void
login_steps(void)
{
	struct auth_sasl a;

	CHECK(auth_sasl_start(&a, "LOGIN", 5, 0, NULL, 0, ch) ==
	    AUTH_STEP_CHALLENGE);
	CHECK_STR(ch, "VXNlcm5hbWU6");
	CHECK(auth_sasl_next(&a, "Ym9i", 4, ch) == AUTH_STEP_CHALLENGE);
	CHECK_STR(ch, "UGFzc3dvcmQ6");
	CHECK(auth_sasl_next(&a, "cHc=", 4, ch) == AUTH_STEP_DONE);
	CHECK_STR(a.user, "bob");
	CHECK_STR(a.pass, "pw");
	/* the login as initial response */
	CHECK(auth_sasl_start(&a, "login", 5, 1, "Ym9i", 4, ch) ==
	    AUTH_STEP_CHALLENGE);
	CHECK_STR(ch, "UGFzc3dvcmQ6");
	CHECK(auth_sasl_next(&a, "", 0, ch) == AUTH_STEP_DONE);
	CHECK_STR(a.pass, "");
	/* an empty login, a password with a NUL */
	CHECK(auth_sasl_start(&a, "LOGIN", 5, 0, NULL, 0, ch) ==
	    AUTH_STEP_CHALLENGE);
	CHECK(auth_sasl_next(&a, "", 0, ch) == AUTH_STEP_EMALFORMED);
	CHECK(auth_sasl_start(&a, "LOGIN", 5, 1, "Ym9i", 4, ch) ==
	    AUTH_STEP_CHALLENGE);
	CHECK(auth_sasl_next(&a, "YQBi", 4, ch) == AUTH_STEP_EMALFORMED);
}

static void
parse_auth(void)
{
	struct smtp_cmd cmd;
	const char *l;

	l = "AUTH PLAIN AGJvYgBwdw==";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.verb == CMD_AUTH && cmd.error == PARSE_OK);
	CHECK_STR(cmd.arg, "PLAIN");
	CHECK(cmd.has_ir && cmd.ir_len == 12 && memcmp(cmd.ir,
	    "AGJvYgBwdw==", 12) == 0);
	l = "auth login";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.verb == CMD_AUTH && cmd.error == PARSE_OK && !cmd.has_ir);
	l = "AUTH";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.error == PARSE_ESYNTAX);
	l = "AUTH PLAIN a b";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.error == PARSE_ESYNTAX);
	l = "AUTH PL@IN";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.error == PARSE_ESYNTAX);
	l = "MAIL FROM:<a@b.example> AUTH=<>";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.error == PARSE_OK && cmd.has_auth);
	l = "MAIL FROM:<a@b.example> AUTH=a+2Bb@b.example";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.error == PARSE_OK && cmd.has_auth);
	l = "MAIL FROM:<a@b.example> AUTH=a+2";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.error == PARSE_EPARAMVAL);
	l = "MAIL FROM:<a@b.example> AUTH=<> AUTH=<>";
	parse_command(l, strlen(l), &cmd);
	CHECK(cmd.error == PARSE_EPARAMVAL);
}

static struct conf conf;
static struct smtp_state st;
static struct reply r;

static enum action
cmd(const char *line)
{
	struct smtp_cmd c;
	enum action act;

	parse_command(line, strlen(line), &c);
	memset(&r, 0, sizeof(r));
	act = state_command(&st, &c, &r);
	if (act == ACT_HELO)
		state_helo(&st, &c, &r);
	else if (act == ACT_MAIL)
		state_mail(&st, &c, &r);
	return act;
}

static void
state_rules(void)
{
	const char *cp[] = { "/bin/true", NULL };

	conf_defaults(&conf);
	strcpy(conf.hostname, "mx.test");
	state_init(&st, &conf);
	/* not configured: 502, as any command not implemented */
	cmd("EHLO c.test");
	CHECK(strstr(r.text, "AUTH") == NULL);
	CHECK(cmd("AUTH PLAIN") == ACT_REPLY && r.code == 502);
	memcpy(conf.auth_checkpassword, cp, sizeof(cp));
	state_init(&st, &conf);
	st.tls_offered = 1;
	CHECK(cmd("AUTH PLAIN") == ACT_REPLY && r.code == 503);
	cmd("HELO c.test");
	CHECK(cmd("AUTH PLAIN") == ACT_REPLY && r.code == 503);
	cmd("EHLO c.test");
	/* before TLS: not advertised, 530 5.7.0 */
	CHECK(strstr(r.text, "AUTH") == NULL);
	CHECK(cmd("AUTH PLAIN") == ACT_REPLY);
	CHECK_STR(r.text, "530 5.7.0 Must issue a STARTTLS command first\r\n");
	CHECK(cmd("MAIL FROM:<a@b.example> AUTH=<>") == ACT_REPLY &&
	    r.code == 555);
	state_tls_started(&st);
	cmd("EHLO c.test");
	CHECK(strstr(r.text, "250-AUTH PLAIN LOGIN\r\n") != NULL);
	/* in a transaction: 503 */
	CHECK(cmd("MAIL FROM:<a@b.example> AUTH=<>") == ACT_MAIL);
	CHECK(cmd("AUTH PLAIN") == ACT_REPLY && r.code == 503);
	state_tx_end(&st);
	CHECK(cmd("AUTH PLAIN") == ACT_AUTH);
	memset(&r, 0, sizeof(r));
	CHECK(state_auth_done(&st, AUTH_RES_BASE64, &r) == ACT_REPLY);
	CHECK_STR(r.text, "501 5.5.2 Cannot decode the response (base64)\r\n");
	memset(&r, 0, sizeof(r));
	CHECK(state_auth_done(&st, AUTH_RES_FAIL, &r) == ACT_REPLY);
	CHECK_STR(r.text, "535 5.7.8 Authentication credentials invalid\r\n");
	memset(&r, 0, sizeof(r));
	CHECK(state_auth_done(&st, AUTH_RES_TEMP, &r) == ACT_REPLY &&
	    r.code == 454);
	memset(&r, 0, sizeof(r));
	CHECK(state_auth_done(&st, AUTH_RES_FAIL, &r) == ACT_REPLY);
	/* the third failure (auth-max-failures 3): 421, closed */
	memset(&r, 0, sizeof(r));
	CHECK(state_auth_done(&st, AUTH_RES_FAIL, &r) == ACT_CLOSE);
	CHECK_STR(r.text, "421 4.7.0 mx.test Too many authentication "
	    "failures, closing connection\r\n");
	/* a success: a second AUTH is 503 */
	state_init(&st, &conf);
	st.tls_offered = st.tls_active = 1;
	cmd("EHLO c.test");
	CHECK(cmd("AUTH LOGIN") == ACT_AUTH);
	memset(&r, 0, sizeof(r));
	CHECK(state_auth_done(&st, AUTH_RES_OK, &r) == ACT_REPLY);
	CHECK_STR(r.text, "235 2.7.0 Authentication successful\r\n");
	CHECK(cmd("AUTH LOGIN") == ACT_REPLY);
	CHECK_STR(r.text, "503 5.5.1 Already authenticated\r\n");
}

static void
dovecot_request(void)
{
	char buf[1024];
	size_t n;

	n = auth_dovecot_request(buf, sizeof(buf), 7, 123, "bob", "pw",
	    "192.0.2.1");
	CHECK(n == strlen(buf));
	/* \0bob\0pw */
	CHECK_STR(buf, "VERSION\t1\t2\nCPID\t123\nAUTH\t7\tPLAIN\t"
	    "service=smtp\tnologin\tsecured\trip=192.0.2.1\t"
	    "resp=AGJvYgBwdw==\n");
	CHECK(auth_dovecot_request(buf, sizeof(buf), 7, 123, "bob", "pw",
	    "") > 0 && strstr(buf, "rip=") == NULL);
	/* nothing that would split the line */
	CHECK(auth_dovecot_request(buf, sizeof(buf), 1, 1, "b\tob", "pw",
	    "") == 0);
	CHECK(auth_dovecot_request(buf, 40, 1, 1, "bob", "pw", "") == 0);
}

static enum auth_dovecot_event
dl(struct auth_dovecot_state *s, const char *line)
{
	return auth_dovecot_line(s, line, strlen(line));
}

static void
dovecot_replies(void)
{
	struct auth_dovecot_state s = { .id = 1 };

	CHECK(dl(&s, "VERSION\t1\t2") == ADC_MORE);
	CHECK(dl(&s, "MECH\tPLAIN\tplaintext") == ADC_MORE);
	CHECK(dl(&s, "MECH\tLOGIN\tplaintext") == ADC_MORE);
	CHECK(dl(&s, "SPID\t42") == ADC_MORE);
	CHECK(dl(&s, "CUID\t1") == ADC_MORE);
	CHECK(dl(&s, "COOKIE\t0123abcd") == ADC_MORE);
	CHECK(dl(&s, "DONE") == ADC_DONE);
	CHECK(dl(&s, "OK\t1\tuser=bob") == ADC_OK);
	CHECK(dl(&s, "FAIL\t1\tuser=bob") == ADC_FAIL);
	CHECK(dl(&s, "FAIL\t1\ttemp") == ADC_TEMP);
	CHECK(dl(&s, "FAIL\t1\tcode=temp_fail\treason=x") == ADC_TEMP);
	CHECK(dl(&s, "OK\t2\tuser=bob") == ADC_ERROR);
	CHECK(dl(&s, "CONT\t1\t") == ADC_ERROR);
	/* another major version; no PLAIN */
	memset(&s, 0, sizeof(s));
	CHECK(dl(&s, "VERSION\t2\t0") == ADC_ERROR);
	memset(&s, 0, sizeof(s));
	CHECK(dl(&s, "VERSION\t1\t1") == ADC_MORE);
	CHECK(dl(&s, "MECH\tLOGIN") == ADC_MORE);
	CHECK(dl(&s, "DONE") == ADC_ERROR);
}

static void
sender_login(void)
{
	static char text[] = "# who may send as what\n"
	    "@example.org  admin@example.org\n"
	    "sales@example.com\tann bob # the team\n";
	char why[128];

	CHECK(auth_sender_text(text, strlen(text), "ann",
	    "Sales@Example.COM") == 1);
	CHECK(auth_sender_text(text, strlen(text), "bob",
	    "sales@example.com") == 1);
	CHECK(auth_sender_text(text, strlen(text), "the",
	    "sales@example.com") == 0);
	CHECK(auth_sender_text(text, strlen(text), "admin@example.org",
	    "anyone@example.org") == 1);
	CHECK(auth_sender_text(text, strlen(text), "ann",
	    "anyone@example.org") == 0);
	CHECK(auth_sender_text(text, strlen(text), "who",
	    "may@example.org") == 0);
	/* the default: the login is the address */
	conf_defaults(&conf);
	CHECK(auth_sender_allowed(&conf, "Ann@Example.org",
	    "ann@example.org", why, sizeof(why)) == 1);
	CHECK(auth_sender_allowed(&conf, "ann@example.org",
	    "bob@example.org", why, sizeof(why)) == 0);
	/* an extension is the user's too; not a prefix of another name */
	CHECK(auth_sender_allowed(&conf, "ann@example.org",
	    "ann+lists@example.org", why, sizeof(why)) == 1);
	CHECK(auth_sender_allowed(&conf, "ann@example.org",
	    "anna@example.org", why, sizeof(why)) == 0);
	CHECK(auth_sender_allowed(&conf, "ann@example.org",
	    "+ann@example.org", why, sizeof(why)) == 0);
	conf.sender_logins[0].pattern = "@example.net";
	conf.sender_logins[0].logins[0] = "ann";
	conf.sender_logins[0].logins[1] = NULL;
	conf.nsender_logins = 1;
	CHECK(auth_sender_allowed(&conf, "ann", "x@example.net", why,
	    sizeof(why)) == 1);
	CHECK(auth_sender_allowed(&conf, "bob", "x@example.net", why,
	    sizeof(why)) == 0);
	conf.sender_logins[1].pattern = "/nonexistent/samotop-senders";
	conf.sender_logins[1].is_file = 1;
	conf.nsender_logins = 2;
	CHECK(auth_sender_allowed(&conf, "bob", "x@example.net", why,
	    sizeof(why)) == -1);
	CHECK(strstr(why, "/nonexistent/samotop-senders") != NULL);
}

int
main(void)
{
	TEST(base64_strict);
	TEST(plain_initial);
	TEST(plain_challenge);
	TEST(login_steps);
	TEST(parse_auth);
	TEST(state_rules);
	TEST(dovecot_request);
	TEST(dovecot_replies);
	TEST(sender_login);
	return UNIT_DONE();
}
