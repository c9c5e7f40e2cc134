/*
 * fuzz_conf.c: conf_parse() on any bytes must not crash, overrun or leak;
 * nor may the warnings of -n (confcheck_warnings(), pure) on what parsed.
 * The copy is one octet longer, as conf_parse() may write text[size].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "confcheck.h"
#include "route.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each warning is a terminated string tied to a line of the text. */
static void
warned(void *arg, unsigned line, const char *msg)
{
	(void)arg;
	if (line == 0 || strlen(msg) == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf	c;
	struct conf_error	err;
	struct mailbox		mb;
	char			*text;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	conf_defaults(&c);
	if (conf_parse(&c, text, size, &err) == 0) {
		/* what was parsed must be usable */
		memset(&mb, 0, sizeof(mb));
		memcpy(mb.local, "bob+x", 6);
		memcpy(mb.domain, "example.org", 12);
		(void)route_lookup(&c, &mb);
		(void)route_domain_known(&c, mb.domain);
		if (c.nroutes > 0)
			(void)route_same(&c.routes[0],
			    &c.routes[c.nroutes - 1]);
		(void)confcheck_warnings(&c, warned, NULL);
	} else if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
		abort();
	free(text);
	return 0;
}
