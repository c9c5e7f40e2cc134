/*
 * fuzz_q_env.c: libFuzzer target for the queue's envelope file
 * (q_env.h).  Whatever q_env_parse() accepts must hold no control octet,
 * have an ID that q_id_valid() takes and at least one recipient, format
 * again into at most Q_ENV_MAX octets (or be refused as too big, never
 * cut), and parse back to the same envelope.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "q_env.h"
#include "q_id.h"

static char rcpt[Q_RCPT_MAX][ADDR_MAX + 1];
static char rcpt2[Q_RCPT_MAX][ADDR_MAX + 1];
static char text[Q_ENV_MAX];

static void
check_value(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct q_env e, f;
	size_t i, len;
	enum q_env_error err;

	if (q_env_parse((const char *)data, size, &e, rcpt, Q_RCPT_MAX) !=
	    Q_ENV_OK) {
		if (e.nrcpt != 0 || e.id[0] != '\0')
			abort();
		return 0;
	}
	if (!q_id_valid(e.id) || e.nrcpt == 0 || e.nrcpt > Q_RCPT_MAX ||
	    e.rcpt != rcpt)
		abort();
	check_value(e.from);
	for (i = 0; i < e.nrcpt; i++) {
		check_value(e.rcpt[i]);
		if (e.rcpt[i][0] == '\0')
			abort();
	}
	err = q_env_format(&e, text, sizeof(text), &len);
	if (err == Q_ENV_ETOOBIG)
		return 0;
	if (err != Q_ENV_OK || len > Q_ENV_MAX)
		abort();
	if (q_env_parse(text, len, &f, rcpt2, Q_RCPT_MAX) != Q_ENV_OK ||
	    strcmp(e.id, f.id) != 0 || e.time != f.time ||
	    strcmp(e.from, f.from) != 0 || e.smtputf8 != f.smtputf8 ||
	    e.body8 != f.body8 || e.nrcpt != f.nrcpt)
		abort();
	for (i = 0; i < e.nrcpt; i++)
		if (strcmp(e.rcpt[i], f.rcpt[i]) != 0)
			abort();
	return 0;
}
