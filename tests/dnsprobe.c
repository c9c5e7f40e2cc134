/*
 * tests/dnsprobe.c: runs one DNS-based check for tests/dns.bats and prints
 * its result, one "key=value" a line.
 *
 *   dnsprobe rdns IP
 *   dnsprobe dnsbl IP ZONE
 *   dnsprobe dnsbl-name IP ZONE
 *   dnsprobe spf IP HELO SENDER [HOSTNAME]      ("" SENDER: null sender)
 *
 * The last line is always "elapsed=SECONDS" (wall clock, milliseconds).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dnsbl.h"
#include "rdns.h"
#include "spf.h"

/* Show CR LF and TAB, so that the folding can be checked. */
static void
show(const char *key, const char *s)
{
	printf("%s=", key);
	for (; *s != '\0'; s++) {
		if (*s == '\r')
			fputs("\\r", stdout);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else
			putchar(*s);
	}
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	char buf[256];
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (argc == 3 && strcmp(argv[1], "rdns") == 0) {
		enum rdns_result r = rdns_check(argv[2], buf, sizeof(buf));

		printf("result=%s\n", rdns_result_name(r));
		show("name", buf);
	} else if (argc == 4 && strcmp(argv[1], "dnsbl") == 0) {
		static const char *names[] = { "not-listed", "listed",
		    "temperror" };
		enum dnsbl_result r = dnsbl_check(argv[2], argv[3], buf,
		    sizeof(buf));

		printf("result=%s\n", names[r]);
		show("reason", buf);
	} else if (argc == 4 && strcmp(argv[1], "dnsbl-name") == 0) {
		if (dnsbl_query_name(argv[2], argv[3], buf, sizeof(buf)) != 0)
			printf("error\n");
		else
			show("name", buf);
	} else if ((argc == 5 || argc == 6) && strcmp(argv[1], "spf") == 0) {
		struct spf_ctx ctx;
		struct spf_verdict v;

		spf_ctx_init(&ctx);
		spf_check(&ctx, argv[2], argv[3], argv[4],
		    argc == 6 ? argv[5] : "mx.test", &v);
		printf("result=%s\n", spf_outcome_name(v.result));
		show("identity", v.identity);
		show("explanation", v.explanation);
		show("header", v.header);
		spf_ctx_free(&ctx);
	} else {
		fprintf(stderr, "usage: dnsprobe rdns IP | dnsbl IP ZONE | "
		    "dnsbl-name IP ZONE | spf IP HELO SENDER [HOSTNAME]\n");
		rc = 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("elapsed=%.3f\n", (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return rc;
}
