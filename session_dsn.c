/*
 * session_dsn.c: fold-partial dsn (samotop.conf(5), QUEUE AND RELAY).
 * When a message was delivered to some recipients and refused for good
 * to the others, a 4xx for all of them (DESIGN.md's folding rule) makes
 * the client send it again to everyone: duplicates.  With the queue at
 * hand, the client gets 250 instead, and the sender a bounce (RFC 3464,
 * q_dsn.h) for the refused ones, queued like any other message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hex.h"
#include "q_dir.h"
#include "q_dsn.h"
#include "q_write.h"
#include "session.h"
#include "session_int.h"
#include "snd_bounce.h"
#include "store.h"

/* The bounce's content into the queue, from <> to the sender. */
static int
enqueue(struct session *s, const char *msg, size_t len, int eightbit,
    const char *to)
{
	struct q_writer *w;
	struct q_env e;
	char rcpt[1][ADDR_MAX + 1];
	int rc = -1;

	if ((w = malloc(sizeof(*w))) == NULL)
		return -1;
	q_write_init(w);
	memset(&e, 0, sizeof(e));
	snprintf(rcpt[0], sizeof(rcpt[0]), "%s", to);
	e.nrcpt = 1;
	e.rcpt = rcpt;
	e.body8 = eightbit;
	if (q_dir_ensure(s->conf->queue_dir, 0750) == 0 &&
	    q_write_open(w, s->conf->queue_dir, time(NULL)) == 0 &&
	    q_write_data(w, msg, len) == 0 && q_write_commit(w, &e) == 0) {
		log_event(&s->log, LVL_INFO, "dsn", "msgid", s->msgid,
		    "queued", w->id, NULL);
		rc = 0;
	} else {
		log_event(&s->log, LVL_ERROR, "dsn", "msgid", s->msgid,
		    "reason", w->err_what != NULL ? w->err_what :
		    "the queue", "errno", w->err_errno != 0 ?
		    strerror(w->err_errno) : NULL, NULL);
		q_write_abort(w);
	}
	free(w);
	return rc;
}

/*
 * bounce-limit, as samotop-send keeps it (snd_bounce.h): 1 when a bounce
 * may go to from now, 0 when from had its share this period (logged).
 * The key is the address, as samotop-send's, so both count together
 * (the bounce itself holds it in the queue anyway).  A store that fails
 * lets the bounce go, logged.
 */
static int
bounce_allowed(struct session *s, const char *from)
{
	const struct conf_rate *lim = &s->conf->bounce_limit;
	char show[32];
	struct store *st;

	if (lim->n == 0)
		return 1;
	st = session_counter_store(s);
	snprintf(show, sizeof(show), "%u/%us", lim->n, lim->period);
	switch (snd_bounce_count(st, lim, from, time(NULL))) {
	case SND_BOUNCE_SEND:
		return 1;
	case SND_BOUNCE_UNCOUNTED:
		if (st != NULL)
			log_event(&s->log, LVL_ERROR, "store", "counter",
			    SND_BOUNCE_COUNTER, "reason", store_error(st),
			    NULL);
		log_event(&s->log, LVL_ERROR, "bounce-limit", "msgid",
		    s->msgid, "limit", show, "action", "sent uncounted",
		    NULL);
		return 1;
	case SND_BOUNCE_DROP:
		break;
	}
	log_event(&s->log, LVL_WARN, "bounce-limit", "msgid", s->msgid,
	    "dsn", "failed", "limit", show, "action", "not sent", NULL);
	return 0;
}

int
session_partial_dsn(struct session *s, const int *codes)
{
	struct q_dsn_rcpt *failed;
	struct q_dsn d;
	char from[ADDR_MAX + 1], (*addr)[ADDR_MAX + 1], id[33], *msg;
	unsigned char rnd[16];
	unsigned i, n = 0;
	size_t len;
	int eightbit, rc = -1;

	if (s->st.tx.sender.is_null)
		return -1;		/* never a bounce to <> */
	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	/* over the limit: 250 all the same, the refusals only logged */
	if (!bounce_allowed(s, from))
		return 0;
	failed = calloc(s->st.tx.nrcpt, sizeof(*failed));
	addr = calloc(s->st.tx.nrcpt, sizeof(*addr));
	if (failed == NULL || addr == NULL)
		goto done;
	for (i = 0; i < s->st.tx.nrcpt; i++) {
		if (codes[i] / 100 != 5)
			continue;
		mailbox_format(&s->rcpts[i], addr[n], sizeof(addr[n]));
		failed[n].addr = addr[n];
		failed[n].action = Q_DSN_FAILED;
		failed[n].code = codes[i];
		failed[n].text = s->rcpt_texts[i];
		failed[n++].remote = NULL;	/* our own helper refused */
	}
	arc4random_buf(rnd, sizeof(rnd));
	hex_lower(rnd, sizeof(rnd), id);
	memset(&d, 0, sizeof(d));
	d.hostname = s->conf->hostname;
	d.id = s->msgid;
	d.dsn_id = id;
	d.sender = from;
	d.arrival = d.now = time(NULL);
	d.rcpt = failed;
	d.nrcpt = n;
	d.header = "";		/* the message streamed: its header is gone */
	if ((msg = q_dsn_format(&d, &len, &eightbit)) != NULL) {
		rc = enqueue(s, msg, len, eightbit, from);
		free(msg);
	}
done:
	free(failed);
	free(addr);
	return rc;
}
