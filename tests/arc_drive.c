/*
 * arc_drive.c: arc.c's verifier over a message, for tests/arc.bats.
 *
 *   arc_drive [-k KEYFILE] [CHUNK] <MESSAGE
 *
 * Keys from KEYFILE (lines "selector._domainkey.domain TXT-text"), or
 * without -k from DNS through the libc resolver, as samotop-smtpd asks.
 * The message (CRLF line ends) is fed in CHUNK-octet pieces (default 7,
 * to cut fields and lines anywhere); one line is printed:
 *   arc=RESULT sets=N oldest-pass=K seal.d=D seal.s=S [temp] [(why)]
 * Exit status: 0, 1 on failure, 2 for a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arc.h"

static char msg[1 << 20];

static size_t
slurp(void)
{
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(msg) &&
	    (r = read(0, msg + n, sizeof(msg) - n)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			perror("arc_drive: stdin");
			exit(1);
		}
		n += (size_t)r;
	}
	return n;
}

int
main(int argc, char *argv[])
{
	static struct arc_verifier v;
	struct arc_keys k = { NULL, NULL, NULL };
	struct arc_msg *m;
	char why[256];
	size_t chunk = 7, len, off, n;
	int c;

	while ((c = getopt(argc, argv, "k:")) != -1) {
		if (c != 'k') {
			fprintf(stderr, "usage: arc_drive [-k KEYFILE]"
			    " [CHUNK] <MESSAGE\n");
			return 2;
		}
		k.file = optarg;
	}
	if (optind < argc && (chunk = strtoul(argv[optind], NULL, 10)) == 0)
		chunk = 7;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		perror("arc_drive");
		return 1;
	}
	if (arc_verifier_open(&v, &k, why, sizeof(why)) == -1) {
		fprintf(stderr, "arc_drive: %s\n", why);
		return 1;
	}
	len = slurp();
	arc_verify_begin(m, &v);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		arc_verify_data(m, msg + off, n);
	}
	arc_verify_end(m);
	printf("arc=%s sets=%u oldest-pass=%u seal.d=%s seal.s=%s%s",
	    arc_res_name(m->res), m->nsets, m->oldest_pass, m->seal_d,
	    m->seal_s, m->temp ? " temp" : "");
	if (m->why != NULL)
		printf(" (%s)", m->why);
	printf("\n");
	arc_verifier_close(&v);
	free(m);
	return 0;
}
