/*
 * dmarc_drive.c: tests/dmarc.bats's evaluator: dmarc_evaluate() with the
 * records from DNS through libopendmarc (or -R TEXT: that record at
 * every name asked), one line of verdict on stdout.
 *
 *   dmarc_drive [-R record] [-p psl] [-r random] [-s RESULT:DOMAIN]
 *       [-d RESULT:DOMAIN]... FROM-DOMAIN...
 *
 * -s: the SPF result (pass, fail, softfail, neutral, none, temperror,
 * permerror) for DOMAIN; -d: a DKIM signature's result (pass, fail,
 * neutral, temperror, permerror) and d=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmarc.h"

static const char *record;

static enum dmarc_lookup
given(void *arg, const char *domain, char *out, size_t size)
{
	(void)arg;
	(void)domain;
	snprintf(out, size, "%s", record);
	return DMARC_LOOKUP_FOUND;
}

static const char *
split(char *arg, const char *const *names, int n, int *res)
{
	char *colon = strchr(arg, ':');
	int i;

	if (colon == NULL)
		goto usage;
	*colon = '\0';
	for (i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0) {
			*res = i;
			return colon + 1;
		}
usage:
	fprintf(stderr, "dmarc_drive: RESULT:DOMAIN expected\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const char *spfnames[] = { "pass", "fail", "softfail",
	    "neutral", "none", "temperror", "permerror" };
	static const char *dkimnames[] = { "none", "pass", "fail", "neutral",
	    "temperror", "permerror" };
	struct dkim_sigres sig[DKIM_SIGS_MAX];
	struct dmarc_evaluator e;
	struct dmarc_result r;
	struct dmarc_input in;
	const char *psl = NULL;
	char why[256];
	int c, res;

	memset(&in, 0, sizeof(in));
	memset(sig, 0, sizeof(sig));
	in.spf = SPFR_NONE;
	while ((c = getopt(argc, argv, "R:p:r:s:d:")) != -1) {
		switch (c) {
		case 'R':
			record = optarg;
			in.lookup = given;
			break;
		case 'p':
			psl = optarg;
			break;
		case 'r':
			in.random = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 's':
			in.spf_domain = split(optarg, spfnames, 7, &res);
			in.spf = (enum spf_outcome)res;
			break;
		case 'd':
			if (in.ndkim == DKIM_SIGS_MAX)
				return 2;
			snprintf(sig[in.ndkim].domain,
			    sizeof(sig[in.ndkim].domain), "%s",
			    split(optarg, dkimnames, 6, &res));
			sig[in.ndkim++].res = (enum dkim_res)res;
			break;
		default:
			return 2;
		}
	}
	in.from = (const char *const *)argv + optind;
	in.nfrom = (size_t)(argc - optind);
	in.dkim = sig;
	memset(&e, 0, sizeof(e));
	if (dmarc_open(&e, psl, why, sizeof(why)) == -1) {
		fprintf(stderr, "dmarc_drive: %s\n", why);
		return 1;
	}
	dmarc_evaluate(&e, &in, &r);
	printf("dmarc=%s disposition=%s policy=%s%s pct=%d%s aligned=%s%s "
	    "header.from=%s policy.domain=%s (%s)\n", dmarc_res_name(r.res),
	    dmarc_policy_name(r.disposition), dmarc_policy_name(r.applied),
	    r.used_sp ? " (sp)" : "", r.pct,
	    r.sampled_out ? " sampled-out" : "",
	    r.aligned & DMARC_ALIGN_SPF ? "spf" : "",
	    r.aligned & DMARC_ALIGN_DKIM ? "dkim" : "", r.from,
	    r.policy_domain, r.why != NULL ? r.why : "");
	dmarc_close(&e);
	return 0;
}
