/*
 * fuzz_spf.c: our side of the libspf2 boundary.  Whatever string libspf2
 * (or a sender's SPF record through it) hands back, spf_sanitise() must
 * make it one bounded line of printable ASCII, and spf_fold() a header
 * field whose every line ends in CR LF, whose continuation lines start
 * with a tab, with nothing that could start another field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"

static void
check_line(const char *s, size_t n, size_t size)
{
	size_t i;

	if (n != strlen(s) || n >= size)
		abort();
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
		if (s[i] == ' ' && i + 1 < n && s[i + 1] == ' ')
			abort();
	}
}

static void
check_field(const char *f, size_t n, size_t size, const char *line)
{
	size_t i, start = 0;

	if (n != strlen(f) || (size > 0 && n >= size))
		abort();
	if (n == 0)
		return;
	if (n < 3 || f[n - 2] != '\r' || f[n - 1] != '\n' || f[0] == '\t')
		abort();
	for (i = 0; i < n; i++) {
		if (f[i] == '\r') {
			/* CR only in CR LF, then a tab or the end */
			if (f[i + 1] != '\n' || (i + 2 < n && f[i + 2] != '\t'))
				abort();
			/* a line longer than 78 is one word only */
			if (i - start > 78 && memchr(f + start + 1, ' ',
			    i - start - 1) != NULL)
				abort();
			start = i + 2;
			continue;
		}
		if (f[i] == '\n' && (i == 0 || f[i - 1] != '\r'))
			abort();
		if (f[i] != '\n' && f[i] != '\t' && (f[i] < 0x20 || f[i] > 0x7e))
			abort();
		if (f[i] == '\t' && (i < 2 || f[i - 1] != '\n'))
			abort();
	}
	/* unfolded, it is the input, or a prefix of it cut at a blank */
	{
		char *u = malloc(n + 1);
		size_t k = 0;

		if (u == NULL)
			return;
		for (i = 0; i < n; i++) {
			if (f[i] == '\r' && i + 2 < n) {
				u[k++] = ' ';
				i += 2;		/* CR LF TAB */
			} else if (f[i] == '\r')
				break;
			else
				u[k++] = f[i];
		}
		u[k] = '\0';
		if (strncmp(line, u, k) != 0 ||
		    (line[k] != '\0' && line[k] != ' '))
			abort();
		free(u);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, line[SPF_HEADER_MAX], field[SPF_HEADER_MAX], small[40];
	size_t n, m, cap;

	in = malloc(size + 1);
	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';	/* as libspf2's strings: NUL-terminated */

	n = spf_sanitise(line, sizeof(line), in);
	check_line(line, n, sizeof(line));
	m = spf_fold(field, sizeof(field), line);
	check_field(field, m, sizeof(field), line);

	/* small buffers: the first octet of the input picks the size */
	cap = size > 0 ? data[0] % sizeof(small) : 0;
	n = spf_sanitise(small, cap, in);
	if (cap > 0)
		check_line(small, n, cap);
	else if (n != 0)
		abort();
	m = spf_fold(field, cap, line);
	if (cap > 0)
		check_field(field, m, cap, line);
	else if (m != 0)
		abort();

	/* the text as it comes, unsanitised: fold must still be safe */
	m = spf_fold(field, sizeof(field), in);
	if (m >= sizeof(field) || m != strlen(field))
		abort();
	free(in);
	return 0;
}
