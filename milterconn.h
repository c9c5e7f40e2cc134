/*
 * milterconn.h: the milter client of samotop-smtpd, the I/O side of the
 * codec milter.h: a set of up to MILTERCONN_MAX filters, reached over
 * unix or inet sockets, each told every SMTP event in the order given,
 * and their answers folded into one decision per event.
 *
 * Filters.  milterconn_add() takes each filter's address as samotop.conf
 * gives it: "unix:/PATH" or "inet:HOST:PORT" (HOST a numeric address,
 * "[v6]" in brackets, or a name resolved with getaddrinfo(3), which has
 * no time limit of its own: give numbers or names the hosts file knows).
 * milterconn_connect() reaches each filter (non-blocking connect(2),
 * every address of a name within one connect timeout in all), negotiates
 * (OPTNEG, version 6, every action the caller's struct milter_mods has a
 * callback for, every protocol step below), then sends CONNECT.
 *
 * Protocol steps offered: every SMFIP_NO* and SMFIP_NR_* (a filter may
 * leave out or leave unanswered any event), SMFIP_SKIP (a filter may
 * stop the body it was shown) and SMFIP_HDR_LEADSPC: a filter that asks
 * for it gets header values with the space after the colon, and sends
 * them so; milterconn_header() takes the text after the colon as it is
 * and makes of it what each filter asked for, and the header callbacks
 * always get the text to put after the colon (a space put back for a
 * filter that did not ask).  SMFIP_RCPT_REJ is not offered: only
 * recipients that were accepted are told.  Larger data sizes
 * (SMFIP_MDS_*) are not offered: a body goes in chunks of at most
 * MILTER_CHUNK_MAX octets, and a header field too long for one packet
 * is cut to fit.
 *
 * Events.  One call per SMTP event: connect, helo, mail, rcpt, data,
 * header (each field), eoh, body, eom, then abort or quit.  Each goes
 * to the filters in order, preceded by its stage's macros (even to a
 * filter that asked not to get the event itself, as Postfix does: it
 * may read them later).  The first filter whose answer is not CONTINUE
 * decides, and the later ones are not told of the event; the answer is
 * a struct milter_decision.  Filter by filter:
 *   ACCEPT  at connect or helo: the filter is left out for the rest of
 *           the session; later: for the rest of the message.  Not a
 *           decision: the next filters are asked.  The event's verdict
 *           is MILTERCONN_ACCEPT when no filter is left to ask about
 *           the message (all accepted it, or are down under
 *           milter-default accept): the caller may stop feeding it.
 *   REJECT, TEMPFAIL, REPLYCODE (its code and whole text), DISCARD,
 *   SHUTDOWN (and CONN_FAIL, taken as SHUTDOWN): the event's verdict.
 *           At connect or helo such a verdict sticks: every later event
 *           gets it from that filter again (a reply code as REJECT or
 *           TEMPFAIL by its class), as Postfix does.  At rcpt a verdict
 *           is about that recipient only.  DISCARD leaves the filter
 *           out for the rest of the message.
 *   SKIP    after a body chunk: no more body for that filter this
 *           message.
 *   PROGRESS: the filter is working; its deadline starts again.
 * Messages.  A message opens at milterconn_mail() and ends at
 * milterconn_eom() (filters not sent BODYEOB get ABORT there) or at
 * milterconn_abort(), which the caller calls whenever a transaction
 * ends otherwise (RSET, a refused MAIL or DATA, a verdict before the
 * end, the client gone; milterconn_mail() aborts a message left open
 * before it starts the next).  milterconn_quit() ends the session.
 *
 * Modifications.  At eom a filter may send changes before its
 * decision; each goes to the caller's callback at once, in the order
 * sent, filter after filter (a later filter saw the message as it
 * arrived, not as an earlier one changed it).  milterconn knows nothing
 * of spools or headers.  A callback returning -1 makes the message's
 * verdict TEMPFAIL (d->local set); the filter's other changes are read
 * and dropped so that it stays in step.  eom's verdict CONTINUE or
 * ACCEPT: deliver, with the changes; any other: the changes handed over
 * so far are void (a later filter may reject after an earlier one
 * changed the message, or a filter may go down midway).
 *
 * Timeouts (seconds, from samotop.conf): connect for connect(2) alone;
 * command for OPTNEG and each event's exchange but body and eom;
 * content for each body chunk's and the eom's.  Each is counted from
 * the start of one filter's exchange to a deadline; PROGRESS starts it
 * again.
 *
 * Faults.  A filter that cannot be reached, times out, closes, fails
 * a read or write, or breaks the protocol (a malformed packet, a failed
 * negotiation, a reply out of place, octets after its final reply) is
 * down for the rest of the session: its socket is closed, f->fault says
 * why as an enum and f->why in words for the log (errno's text where
 * there is one), and d->down has its bit for the event where it
 * happened.  Then milter-default decides, at that event and every
 * later one: MILTERCONN_DEFAULT_TEMPFAIL makes the verdict TEMPFAIL
 * (d->by_default set: mail is deferred, never silently unfiltered);
 * MILTERCONN_DEFAULT_ACCEPT leaves the filter out (the caller logs it).
 *
 * Memory.  struct milter_set is large (about 280 KB: one parser packet,
 * one packet out, one body chunk and one scratch value, shared by the
 * filters, since one is spoken to at a time): the caller allocates it,
 * not on the stack.  Nothing is allocated per byte; no global state.
 * A filter's socket is close-on-exec and non-blocking; writes use
 * MSG_NOSIGNAL, so a filter gone away is a fault, not a SIGPIPE.
 */
#ifndef SAMOTOP_MILTERCONN_H
#define SAMOTOP_MILTERCONN_H

#include <stddef.h>
#include <stdint.h>

#include "milter.h"

#define MILTERCONN_MAX		8	/* filters per set (samotop.conf) */
#define MILTERCONN_SPEC_MAX	300	/* "inet:" + a 255-octet name + port */
#define MILTERCONN_WHY_MAX	200
#define MILTERCONN_REPLY_MAX	2048	/* a REPLYCODE, cut at a line */
#define MILTERCONN_IN_SIZE	16384

enum milterconn_policy {
	MILTERCONN_DEFAULT_TEMPFAIL,	/* milter-default tempfail */
	MILTERCONN_DEFAULT_ACCEPT,	/* milter-default accept */
};

enum milterconn_verdict {
	MILTERCONN_CONTINUE,	/* go on */
	MILTERCONN_ACCEPT,	/* no filter is left to ask: go on unfiltered */
	MILTERCONN_REJECT,	/* 5xx of the caller's wording */
	MILTERCONN_TEMPFAIL,	/* 4xx of the caller's wording */
	MILTERCONN_DISCARD,	/* accept the message, deliver nothing */
	MILTERCONN_REPLY,	/* d->code and d->text, the filter's own */
	MILTERCONN_SHUTDOWN,	/* 421 and close the session */
};

/* Why a filter is down (its log line's reason); never worded in replies. */
enum milterconn_fault {
	MILTERCONN_UP,		/* not down */
	MILTERCONN_EUNREACH,	/* not resolved, or connect(2) failed */
	MILTERCONN_ETIMEOUT,	/* no whole answer by the deadline */
	MILTERCONN_ECLOSED,	/* closed the connection */
	MILTERCONN_EIO,		/* a read or write failed otherwise */
	MILTERCONN_EPROTO,	/* broke the protocol */
};

struct milterconn_timeouts {
	unsigned	 connect;
	unsigned	 command;
	unsigned	 content;
};

/*
 * The macros' values, the caller's, read at each event (so the caller
 * updates them as the session goes: mail_addr at MAIL, rcpt_addr at
 * each RCPT, i once the message has an id).  NULL or "": not sent.
 * Sent by stage, unless the filter named the macros it wants for a
 * stage (OPTNEG's lists, SETSYMLIST), when only those of these it named
 * are sent (named "{client_addr}" or "client_addr"):
 *   connect: j _ {daemon_name} {client_addr} {client_port} {client_name}
 *   helo:    {tls_version} {cipher}
 *   mail:    i {auth_authen} {mail_addr}
 *   rcpt:    {rcpt_addr}
 *   data, eoh, eom: i
 */
struct milter_macros {
	const char	*j;		/* our host name */
	const char	*underscore;	/* _: "name [addr]" of the client */
	const char	*daemon_name;
	const char	*client_addr;
	const char	*client_port;
	const char	*client_name;
	const char	*tls_version;
	const char	*cipher;
	const char	*auth_authen;
	const char	*mail_addr;
	const char	*rcpt_addr;
	const char	*i;		/* the message's id */
};

/*
 * The caller's handling of a filter's changes at eom; arg is passed to
 * each.  Each returns 0, or -1 when it could not apply the change (the
 * message is then TEMPFAIL).  A NULL callback: that action is not
 * offered to filters (one that insists fails negotiation and is down).
 * Strings are NUL-terminated and valid only during the call; addresses
 * come as the filter wrote them (usually in angle brackets); args are
 * ESMTP arguments, "" when none.  A header value is the text to put
 * after "name:" as the filter meant it (folded lines joined by "\n" or
 * "\r\n", as it wrote them); change_header's index counts the fields
 * named name from 1, and a value "" deletes that field; insert_header's
 * counts all fields from 0 (0: at the top).  replace_body gets the new
 * body (CRLF line ends) in chunks, first set at a filter's first chunk
 * (a new body starts: drop any earlier replacement).
 */
struct milter_mods {
	void	*arg;
	int	(*add_header)(void *arg, const char *name, const char *value);
	int	(*insert_header)(void *arg, uint32_t index, const char *name,
		    const char *value);
	int	(*change_header)(void *arg, uint32_t index, const char *name,
		    const char *value);
	int	(*replace_body)(void *arg, const char *data, size_t len,
		    int first);
	int	(*change_from)(void *arg, const char *addr, const char *args);
	/* ADDRCPT and ADDRCPT_PAR (args "" for the former) */
	int	(*add_rcpt)(void *arg, const char *addr, const char *args);
	int	(*delete_rcpt)(void *arg, const char *addr);
	int	(*quarantine)(void *arg, const char *reason);
};

/* The outcome of one event. */
struct milter_decision {
	enum milterconn_verdict	 verdict;
	int			 filter;	/* which one decided, -1: none
						 * (or local) */
	int			 by_default;	/* the verdict is milter-default's,
						 * filter being down */
	int			 local;		/* a callback failed: TEMPFAIL */
	unsigned		 down;		/* bit i: filter i went down at
						 * this event */
	int			 code;		/* MILTERCONN_REPLY: 400..599 */
	char			 text[MILTERCONN_REPLY_MAX];	/* its lines,
						 * CRLF-joined, no final CRLF */
};

struct milter_filter {
	char			 spec[MILTERCONN_SPEC_MAX + 1];
	int			 fd;		/* -1: not connected */
	enum milterconn_fault	 fault;
	char			 why[MILTERCONN_WHY_MAX];
	struct milter_neg	 neg;
	uint32_t		 want[MILTER_STAGES];	/* macro bits wanted */
	uint32_t		 listed;	/* bit per stage: want[] is the
						 * filter's own list */
	int			 negotiated;
	int			 sticky;	/* a verdict for the session (at
						 * connect or helo), or 0 */
	int			 accepted_con;	/* out for the session */
	int			 accepted_msg;	/* out for the message */
	int			 in_msg;	/* MAIL told, not yet ended */
	int			 skip_body;
};

struct milter_set {
	size_t				 n;
	struct milter_filter		 f[MILTERCONN_MAX];
	struct milterconn_timeouts	 t;
	enum milterconn_policy		 policy;
	const struct milter_macros	*macros;
	const struct milter_mods	*mods;
	/*
	 * For tests and debugging, NULL otherwise: called with each packet
	 * a filter sends (r), or with r NULL when the event cmd was not
	 * sent to filter i (sent 0: it asked not to get it) or was sent
	 * without a reply to wait for (sent 1).
	 */
	void				(*trace)(void *arg, size_t i, int cmd,
					    const struct milter_reply *r,
					    int sent);
	void				*trace_arg;
	size_t				 inpos, inlen, bodylen;
	struct milter_parser		 parser;
	char				 in[MILTERCONN_IN_SIZE];
	char				 out[4 + MILTER_PACKET_MAX];
	char				 body[MILTER_CHUNK_MAX];
	char				 scratch[MILTER_PACKET_MAX + 2];
};

/*
 * An empty set: timeouts t, policy, the caller's macros and mods (both
 * must outlive the set; mods NULL: no action offered).  No filter yet.
 */
void	milterconn_init(struct milter_set *s,
	    const struct milterconn_timeouts *t,
	    enum milterconn_policy policy, const struct milter_macros *m,
	    const struct milter_mods *mods);
/*
 * One more filter, "unix:/PATH" or "inet:HOST:PORT" (reached at
 * milterconn_connect()): 0, or -1 with *err saying why (a malformed
 * address, more than MILTERCONN_MAX filters).
 */
int	milterconn_add(struct milter_set *s, const char *spec,
	    const char **err);
/*
 * One more filter already connected on fd (a socket; the set closes
 * it), named name in f->spec: for tests.  0, or -1 when the set is full.
 */
int	milterconn_add_fd(struct milter_set *s, const char *name, int fd);

/*
 * The events.  Each returns d->verdict after filling *d.  connect
 * reaches and negotiates with each filter first; host is the client's
 * name ("[addr]" when it has none), family SMFIA_INET, SMFIA_INET6,
 * SMFIA_UNIX or SMFIA_UNKNOWN, port and addr as milter_enc_connect()
 * takes them.  mail and rcpt: the address without angle brackets, then
 * nargs ESMTP arguments ("SIZE=1000").  header: one field's name and the
 * text after its colon as it arrived, folded lines joined by "\n" (CRs
 * dropped), as milter_header_value() takes it.  body: len octets of the
 * body as delivered (CRLF line ends, no dot-stuffing), in pieces of any
 * size: they are gathered into MILTER_CHUNK_MAX chunks, so the verdict
 * of a chunk may come at a later body call or at eom.  eom sends what
 * body gathered, then BODYEOB, and hands changes to the mods.
 */
enum milterconn_verdict milterconn_connect(struct milter_set *s,
	    const char *host, int family, unsigned port, const char *addr,
	    struct milter_decision *d);
enum milterconn_verdict milterconn_helo(struct milter_set *s,
	    const char *name, struct milter_decision *d);
enum milterconn_verdict milterconn_mail(struct milter_set *s,
	    const char *addr, const char *const *args, size_t nargs,
	    struct milter_decision *d);
enum milterconn_verdict milterconn_rcpt(struct milter_set *s,
	    const char *addr, const char *const *args, size_t nargs,
	    struct milter_decision *d);
enum milterconn_verdict milterconn_data(struct milter_set *s,
	    struct milter_decision *d);
enum milterconn_verdict milterconn_header(struct milter_set *s,
	    const char *name, const char *value, struct milter_decision *d);
enum milterconn_verdict milterconn_eoh(struct milter_set *s,
	    struct milter_decision *d);
enum milterconn_verdict milterconn_body(struct milter_set *s,
	    const char *data, size_t len, struct milter_decision *d);
enum milterconn_verdict milterconn_eom(struct milter_set *s,
	    struct milter_decision *d);
/* ABORT to the filters with a message open; the verdict is CONTINUE. */
void	milterconn_abort(struct milter_set *s, struct milter_decision *d);
/* QUIT to every filter up, and close them all; the set can be freed. */
void	milterconn_quit(struct milter_set *s, struct milter_decision *d);

/* For logs: "continue", "reject"...; "unreachable", "timeout"... */
const char *milterconn_verdict_name(enum milterconn_verdict v);
const char *milterconn_fault_name(enum milterconn_fault f);

#endif
