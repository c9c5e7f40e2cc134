/*
 * session.h: one SMTP session, wiring the pure core (parser, state,
 * data) to the edges (io, deliver, log).
 */
#ifndef SAMOTOP_SESSION_H
#define SAMOTOP_SESSION_H

#include "conf.h"
#include "data.h"
#include "deliver.h"
#include "hdrscan.h"
#include "inspect.h"
#include "io.h"
#include "limit.h"
#include "log.h"
#include "miltercheck.h"
#include "peer.h"
#include "policy.h"
#include "received.h"
#include "screener.h"
#include "smtptls.h"
#include "state.h"
#include "store.h"
#include "trace.h"

#define SESSION_CHUNK	(16 * 1024)
#define SESSION_AUTH_USER_MAX	255	/* the longest login taken */

struct session {
	const struct conf	*conf;
	struct logger		 log;
	struct peer		 peer;
	struct io		 io;
	struct smtp_state	 st;
	struct helper		 helper;
	struct smtptls		 tls;
	struct policy		 policy;
	struct limits		 limits;	/* rate limits' counts */
	int			 pipelining_seen;	/* logged once */
	char			 tls_desc[200];	/* for Received: */
	char			 sid[SID_LEN + 1];
	char			 msgid[SID_LEN + 16];
	struct xforward		 xforward;	/* the client, for helpers */
	struct data_decoder	 dec;		/* the message being read */
	int			 helper_ok;	/* still taking this message */
	/*
	 * Content checks decided after the end of data (inspect.h): the
	 * message waits in insp (allocated at the first that needs it).
	 */
	struct inspect		*insp;
	struct miltercheck	*milters;	/* NULL: no milter lines */
	/*
	 * relay-route's helper, as a route: what a relay-client's
	 * recipients for domains no route names go to (the queue).
	 */
	struct route		 relay;
	int			 relay_client;	/* the client may relay */
	/*
	 * The contacts screener (session_screen.c): its store, opened at
	 * the first recipient it asks about, and each accepted
	 * recipient's verdict (enum screener_verdict, beside rcpts).
	 */
	struct store		*scr_store;
	int			 scr_failed;	/* the store would not open */
	unsigned char		*scr;
	enum screener_verdict	 scr_next;	/* the RCPT being answered */
	const char		*scr_why;	/* why the message is held */
	int			 inspecting;	/* this message waits */
	int			 local_failure;	/* it could not begin: 451 */
	unsigned		 delivered;	/* messages answered 250 */
	struct mailbox		*rcpts;		/* st.tx's accepted recipients */
	int			*rcpt_codes;	/* their results after DATA */
	/* fold-partial dsn: each one's reply text, for the DSN */
	char			(*rcpt_texts)[LMTPREPLY_TEXT_MAX + 1];
	const struct smtp_cmd	*cmd;		/* the command being answered */
	int			 mail_logged;	/* it is a MAIL with a msgid */
	unsigned		 commands[CMD_NOTIMPL + 1];	/* by verb */
	enum smtp_verb		 last_verb;	/* for a timeout's line */
	long long		 started;	/* fd_now_ms(), for the log */
	/*
	 * leave-no-trace's key: the caller trace_init()s it, and opens it
	 * (trace_open()) before session_run() when the configuration says
	 * leave-no-trace; session_run() only uses it.
	 */
	struct trace		 trace;
	/*
	 * The login a successful AUTH proved (RFC 4954); "" until then.
	 * Kept here, not in the core's state: the whole session (relay,
	 * sender rules, limits, signing, Received:) asks who it is.
	 */
	char			 auth_user[SESSION_AUTH_USER_MAX + 1];
	/*
	 * The store of rate counters (conf->store_db: AUTH failures,
	 * per-user limits), opened at the first that needs it; and the
	 * header scanner an authenticated user's messages pass through,
	 * for the From: check (allocated at AUTH).
	 */
	struct store		*store;
	int			 store_failed;	/* it would not open */
	struct hdrscan		*auth_scan;
	int			 auth_scan_done;	/* the header is read */
	char			 auth_from_bad[ADDR_MAX + 1];	/* a From:
							   not the user's */
	char			 out[SESSION_CHUNK * 2];	/* decoded content */
};

/*
 * Run the session on rfd/wfd; returns the exit status (0 after QUIT or
 * a clean close).  s is the caller's (it is large: allocate it).
 */
int	session_run(struct session *s, const struct conf *c, int rfd,
	    int wfd, int logfd);
/*
 * The login the client authenticated as (AUTH, RFC 4954), or NULL when
 * it has not: a session is authenticated at most once, and stays so
 * until it ends.
 */
const char *session_auth_user(const struct session *s);
/*
 * A new session id (SID_LEN of [0-9A-Z]), for the log's sid=; with
 * notrace (leave-no-trace) all random: no time or pid in it.
 */
void	session_make_id(char sid[SID_LEN + 1], int notrace);

#endif
