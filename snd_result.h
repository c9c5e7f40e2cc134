/*
 * snd_result.h: what a delivery program told samotop-send, parsed.  The
 * queue-remote program (samotop-remote(8)) and samotop-send's own local
 * deliveries print, one a line:
 *
 *	r RCPT CODE TEXT	a recipient's result, in the order given
 *	m CODE TEXT		the message's, TEXT ending in the words
 *				host=H ip=A tls=V when a host was reached,
 *				then dane=S [tlsa=U] with DANE
 *
 * The program is trusted no more than any peer: lines are bounded,
 * matched to the recipients it was given, and anything else ignored.
 * Pure.
 */
#ifndef SAMOTOP_SND_RESULT_H
#define SAMOTOP_SND_RESULT_H

#include <stddef.h>

#include "q_state.h"

#define SND_HOST_MAX	255
#define SND_TLS_MAX	63

struct snd_result {
	int	seen;			/* an r line named this recipient */
	int	code;			/* 200..599 */
	char	text[Q_TEXT_MAX + 1];	/* printable, one line */
};

struct snd_message {
	int	seen;			/* an m line was given */
	int	code;
	char	text[Q_TEXT_MAX + 1];	/* without the host= words */
	char	host[SND_HOST_MAX + 1];	/* "" when none was reached */
	char	ip[64];
	char	tls[SND_TLS_MAX + 1];	/* "none", "TLSv1.3"... */
	char	sts[16];		/* MTA-STS: "enforce", "testing"; "" */
	char	verified[8];		/* with sts: "yes" or "no" */
	char	dane[16];		/* "pass", "fail"..., "" without */
	char	tlsa[16];		/* "DANE-EE"..., the matched usage */
};

/*
 * Parse the program's output out[0..len) for the recipients rcpt[0..n)
 * it was run with into res[0..n) and *m (all cleared first).  An r line
 * goes to the first recipient not yet seen with the same address
 * (ASCII case ignored in the domain), so that a repeated recipient gets
 * its own line; a line for no recipient, a code outside 200..599 or a
 * malformed line is ignored.  Returns the number of lines ignored.
 */
size_t	snd_result_parse(const char *out, size_t len,
	    const char *const rcpt[], size_t n, struct snd_result res[],
	    struct snd_message *m);

/*
 * Fill what the program did not say: each recipient without an r line
 * gets the m line's code and text when it failed, else code (451 or
 * 554 by the program's exit) with why.
 */
void	snd_result_fill(struct snd_result res[], size_t n,
	    const struct snd_message *m, int code, const char *why);

#endif
