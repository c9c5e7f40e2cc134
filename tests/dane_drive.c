/*
 * dane_drive.c: tests/dane.bats's checker: scr_dane_check() for each
 * DOMAIN, one line of scr_dane_text() each on stdout.
 *
 *   dane_drive [-a ANCHOR] [-r RESOLVER] [-t SECONDS] DOMAIN...
 *
 * -a: the trust anchor file (default scr_dane.h's); -r: the resolver's
 * "IP" or "IP@PORT" (default resolv.conf's); -t: the time limit.  Exit
 * 0, or 1 when a check could not run (its reason also on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "scr_dane.h"
#include "unboundlib.h"

int
main(int argc, char **argv)
{
	struct unboundlib lib = { 0 };
	struct scr_dane_conf dc = { 0 };
	struct scr_dane d;
	char why[256], line[600];
	int c, rc = 0;

	dc.lib = &lib;
	while ((c = getopt(argc, argv, "a:r:t:")) != -1) {
		switch (c) {
		case 'a':
			dc.trust_anchor = optarg;
			break;
		case 'r':
			dc.resolver = optarg;
			break;
		case 't':
			dc.timeout = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc)
		goto usage;
	for (; optind < argc; optind++) {
		if (scr_dane_check(&dc, argv[optind], &d, why,
		    sizeof(why)) == -1) {
			fprintf(stderr, "dane_drive: %s: %s\n", argv[optind],
			    why);
			rc = 1;
		}
		scr_dane_text(&d, line, sizeof(line));
		printf("%s\n", line);
	}
	return rc;
usage:
	fprintf(stderr, "usage: dane_drive [-a anchor] [-r resolver] "
	    "[-t seconds] domain...\n");
	return 2;
}
