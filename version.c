/*
 * version.c: the one file compiled with -DSAMOTOP_VERSION (version.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "version.h"

#ifndef SAMOTOP_VERSION
#define SAMOTOP_VERSION	"unknown"
#endif

const char samotop_version[] = SAMOTOP_VERSION;

void
version_exit(const char *program)
{
	if (printf("%s %s\n", program, samotop_version) < 0 ||
	    fflush(stdout) == EOF)
		exit(EX_IOERR);
	exit(EX_OK);
}
