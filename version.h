/*
 * version.h: the version of this build, for -V of every program.  The
 * Makefile computes it (git describe, else the VERSION file) and passes
 * it to version.c alone, so that a new version recompiles one file.
 */
#ifndef SAMOTOP_VERSION_H
#define SAMOTOP_VERSION_H

extern const char samotop_version[];

/* "PROGRAM VERSION" on stdout, then exit 0 (EX_IOERR if unwritable). */
_Noreturn void	version_exit(const char *program);

#endif
