/*
 * fuzz_q_state.c: a state file read back from the queue, which a crash,
 * a full disk or an operator may have mangled.  The first octet chooses
 * the number of recipients; the rest is the file.  What parses must
 * format, and read back to the same state (one printable line of text
 * per recipient, statuses in range).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "q_state.h"

static char out[64 * (Q_TEXT_MAX + 96)];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct q_state st, back;
	size_t n, i;
	char *copy;
	int len;

	if (size < 1)
		return 0;
	n = data[0] % 64;
	/* exactly the file's octets, so ASan sees any over-read */
	if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	if (q_state_parse(&st, n, copy, size - 1) == 0) {
		if (st.nrcpt != n)
			abort();
		for (i = 0; i < n; i++) {
			if (st.rcpt[i].status < Q_PENDING ||
			    st.rcpt[i].status > Q_BOUNCED ||
			    strlen(st.rcpt[i].text) > Q_TEXT_MAX ||
			    st.rcpt[i].code < 0 || st.rcpt[i].code > 999)
				abort();
		}
		if ((len = q_state_format(&st, out, sizeof(out))) < 0)
			abort();
		if (q_state_parse(&back, n, out, (size_t)len) != 0)
			abort();
		for (i = 0; i < n; i++)
			if (back.rcpt[i].status != st.rcpt[i].status ||
			    back.rcpt[i].attempts != st.rcpt[i].attempts ||
			    back.rcpt[i].next != st.rcpt[i].next ||
			    back.rcpt[i].code != st.rcpt[i].code ||
			    strcmp(back.rcpt[i].text, st.rcpt[i].text) != 0)
				abort();
		if (back.warned != st.warned)
			abort();
		q_state_free(&back);
	}
	q_state_free(&st);
	free(copy);
	return 0;
}
