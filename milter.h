/*
 * milter.h: the milter protocol (version 6, as Sendmail 8.14 and later
 * and Postfix speak it), the MTA's side, as a sans-I/O codec.
 *
 * The protocol.  The MTA connects to a filter (a unix or inet socket)
 * and both sides exchange packets: a 4-octet big-endian length, then a
 * command octet, then length - 1 octets of data (strings in it end in a
 * NUL).  The MTA opens with SMFIC_OPTNEG (protocol version, the actions
 * it lets the filter take, the protocol steps it can leave out); the
 * filter answers with its own OPTNEG: the version it speaks, the
 * actions it will take (a subset of those offered), the steps it wants
 * left out (SMFIP_NOCONNECT, SMFIP_NOHDRS...) and those it will not
 * answer (SMFIP_NR_*), optionally followed by the macro names it wants
 * at each stage.  Then, for one SMTP session, the MTA sends one packet
 * per SMTP event (CONNECT, HELO, MAIL, RCPT, DATA, HEADER for each
 * header field, EOH, BODY chunks, BODYEOB; UNKNOWN for a command it did
 * not recognise), each preceded when it likes
 * by SMFIC_MACRO with the macros of that stage, and reads the filter's
 * reply to each event that expects one: CONTINUE, or a decision
 * (ACCEPT, REJECT, TEMPFAIL, DISCARD, REPLYCODE with a custom SMTP
 * reply), and at BODYEOB first any number of modifications (headers,
 * recipients, sender, body, quarantine) before the decision.  PROGRESS
 * may come at any time and asks the MTA to wait on.  ABORT ends a
 * message early, QUIT the session; neither gets a reply.
 *
 * What this codec does.  milter_enc_*() write one packet of the MTA's
 * into a caller's buffer.  milter_parse() takes the filter's bytes as
 * they arrive, keeps one packet in a fixed buffer (a filter's packet is
 * at most MILTER_PACKET_MAX octets: we offer no larger data size) and
 * hands out each complete packet as a typed struct milter_reply whose
 * fields are checked: NUL-terminated strings where the protocol puts
 * them, no data where none belongs, a REPLYCODE that is a well-formed
 * 4xx or 5xx SMTP reply.  milter_negotiate() checks the filter's OPTNEG
 * against the offer, and milter_sends() / milter_replies() then say
 * which events to send and which of them expect a reply;
 * milter_allowed() says whether a reply may come after an event.
 * Nothing here reads, writes or allocates; no global state.
 */
#ifndef SAMOTOP_MILTER_H
#define SAMOTOP_MILTER_H

#include <stddef.h>
#include <stdint.h>

#define MILTER_VERSION		6	/* the protocol version we speak */
#define MILTER_CHUNK_MAX	65535	/* body octets per SMFIC_BODY */
/*
 * The longest packet (command octet and data) the filter may send: the
 * data limit libmilter keeps unless the MTA offers a larger one (the
 * SMFIP_MDS_* bits, which we never offer), plus the command.
 */
#define MILTER_PACKET_MAX	(1 + 65535)
#define MILTER_STAGES		7	/* SMFIM_CONNECT..SMFIM_EOH */

/* Commands, MTA to filter (SMFIC_*). */
#define SMFIC_ABORT	'A'
#define SMFIC_BODY	'B'
#define SMFIC_CONNECT	'C'
#define SMFIC_MACRO	'D'
#define SMFIC_BODYEOB	'E'
#define SMFIC_HELO	'H'
#define SMFIC_QUIT_NC	'K'	/* QUIT, another session follows */
#define SMFIC_HEADER	'L'
#define SMFIC_MAIL	'M'
#define SMFIC_EOH	'N'
#define SMFIC_OPTNEG	'O'	/* also the filter's answer to it */
#define SMFIC_QUIT	'Q'
#define SMFIC_RCPT	'R'
#define SMFIC_DATA	'T'
#define SMFIC_UNKNOWN	'U'

/* Replies, filter to MTA (SMFIR_*). */
#define SMFIR_ADDRCPT		'+'
#define SMFIR_DELRCPT		'-'
#define SMFIR_ADDRCPT_PAR	'2'	/* with ESMTP arguments */
#define SMFIR_SHUTDOWN		'4'	/* 421 and close */
#define SMFIR_ACCEPT		'a'
#define SMFIR_REPLBODY		'b'
#define SMFIR_CONTINUE		'c'
#define SMFIR_DISCARD		'd'
#define SMFIR_CHGFROM		'e'
#define SMFIR_CONN_FAIL		'f'
#define SMFIR_ADDHEADER		'h'
#define SMFIR_INSHEADER		'i'
#define SMFIR_SETSYMLIST	'l'
#define SMFIR_CHGHEADER		'm'
#define SMFIR_PROGRESS		'p'
#define SMFIR_QUARANTINE	'q'
#define SMFIR_REJECT		'r'
#define SMFIR_SKIP		's'
#define SMFIR_TEMPFAIL		't'
#define SMFIR_REPLYCODE		'y'

/* Address families of SMFIC_CONNECT. */
#define SMFIA_UNKNOWN	'U'
#define SMFIA_UNIX	'L'
#define SMFIA_INET	'4'
#define SMFIA_INET6	'6'

/* Actions the filter may take (OPTNEG's second word, SMFIF_*). */
#define SMFIF_ADDHDRS		0x001
#define SMFIF_CHGBODY		0x002
#define SMFIF_ADDRCPT		0x004
#define SMFIF_DELRCPT		0x008
#define SMFIF_CHGHDRS		0x010
#define SMFIF_QUARANTINE	0x020
#define SMFIF_CHGFROM		0x040
#define SMFIF_ADDRCPT_PAR	0x080
#define SMFIF_SETSYMLIST	0x100
#define MILTER_ACTIONS_ALL	0x1ff

/* Protocol steps (OPTNEG's third word, SMFIP_*). */
#define SMFIP_NOCONNECT		0x000001	/* don't send CONNECT */
#define SMFIP_NOHELO		0x000002
#define SMFIP_NOMAIL		0x000004
#define SMFIP_NORCPT		0x000008
#define SMFIP_NOBODY		0x000010
#define SMFIP_NOHDRS		0x000020
#define SMFIP_NOEOH		0x000040
#define SMFIP_NR_HDR		0x000080	/* no reply to HEADER */
#define SMFIP_NOUNKNOWN		0x000100
#define SMFIP_NODATA		0x000200
#define SMFIP_SKIP		0x000400	/* MTA understands SKIP */
#define SMFIP_RCPT_REJ		0x000800	/* send refused RCPTs too */
#define SMFIP_NR_CONN		0x001000
#define SMFIP_NR_HELO		0x002000
#define SMFIP_NR_MAIL		0x004000
#define SMFIP_NR_RCPT		0x008000
#define SMFIP_NR_DATA		0x010000
#define SMFIP_NR_UNKN		0x020000
#define SMFIP_NR_EOH		0x040000
#define SMFIP_NR_BODY		0x080000
#define SMFIP_HDR_LEADSPC	0x100000	/* header values keep their
						 * leading space */
#define MILTER_PROTOCOL_ALL	0x1fffff

/* Macro stages (SETSYMLIST and OPTNEG's macro lists, SMFIM_*). */
#define SMFIM_CONNECT	0
#define SMFIM_HELO	1
#define SMFIM_ENVFROM	2
#define SMFIM_ENVRCPT	3
#define SMFIM_DATA	4
#define SMFIM_EOM	5
#define SMFIM_EOH	6

/*
 * Encoding.  Each writes one packet into buf[0..size) and returns its
 * length (at least 5), or 0 when it does not fit in size octets or in a
 * packet, or when an argument is out of range (said for each).
 */
size_t	milter_enc_optneg(char *buf, size_t size, uint32_t version,
	    uint32_t actions, uint32_t protocol);
/*
 * SMFIC_MACRO for the event cmd (an SMFIC_* command): npairs name and
 * value pairs from nv[0..2 * npairs), names as the filter asks for them
 * ("j", "{client_addr}").
 */
size_t	milter_enc_macro(char *buf, size_t size, int cmd,
	    const char *const *nv, size_t npairs);
/*
 * SMFIC_CONNECT: the client's host name (or "[addr]" when it has none),
 * family SMFIA_*, and for a family other than SMFIA_UNKNOWN the port
 * (0 for SMFIA_UNIX) and address.  0 for an unknown family or a port
 * over 65535.
 */
size_t	milter_enc_connect(char *buf, size_t size, const char *host,
	    int family, unsigned port, const char *addr);
size_t	milter_enc_helo(char *buf, size_t size, const char *name);
/*
 * SMFIC_MAIL and SMFIC_RCPT: the address without angle brackets (the
 * packet has them: "<a@b.example>", "<>"), then nargs ESMTP arguments
 * ("SIZE=1000").
 */
size_t	milter_enc_mail(char *buf, size_t size, const char *addr,
	    const char *const *args, size_t nargs);
size_t	milter_enc_rcpt(char *buf, size_t size, const char *addr,
	    const char *const *args, size_t nargs);
/* SMFIC_UNKNOWN: a command line the MTA did not recognise, no CRLF. */
size_t	milter_enc_unknown(char *buf, size_t size, const char *line);
/*
 * SMFIC_HEADER: the field name and its value, the text after the colon
 * as milter_header_value() makes it (continuation lines joined with
 * "\n", as Sendmail and Postfix send them).
 */
size_t	milter_enc_header(char *buf, size_t size, const char *name,
	    const char *value);
/* SMFIC_BODY: len octets of the body; 0 when len > MILTER_CHUNK_MAX. */
size_t	milter_enc_body(char *buf, size_t size, const void *data,
	    size_t len);
/*
 * A packet without data: SMFIC_DATA, SMFIC_EOH, SMFIC_BODYEOB,
 * SMFIC_ABORT, SMFIC_QUIT, SMFIC_QUIT_NC; 0 for any other cmd.
 */
size_t	milter_enc_empty(char *buf, size_t size, int cmd);

/*
 * A filter's packet, typed.  Every pointer points into the parser's
 * buffer and stays valid until the next milter_parse() call; every
 * string is NUL-terminated; fields a command has not are NULL or 0.
 *
 * What the fields mean is the protocol's, not changed here: CHGHEADER's
 * index counts the fields of that name from 1 (Sendmail takes 0 as 1);
 * INSHEADER's counts all fields from 0 (0: before the first); a header
 * value comes without the space after the colon unless
 * SMFIP_HDR_LEADSPC was negotiated (the MTA then puts one back);
 * REPLBODY chunks come in order, the new body (CRLF line ends) is all of
 * them together; addresses come as the filter wrote them, usually in
 * angle brackets.
 */
struct milter_reply {
	int		 cmd;		/* SMFIR_* or SMFIC_OPTNEG */
	/* REPLYCODE: the code (400..599) and the whole reply, one or more
	 * lines joined by CRLF, "%%" undone; QUARANTINE: the reason */
	int		 code;
	const char	*text;
	/* ADDHEADER, INSHEADER, CHGHEADER (value "": delete the field) */
	uint32_t	 index;		/* INSHEADER, CHGHEADER */
	const char	*name;
	const char	*value;
	/* ADDRCPT, DELRCPT, ADDRCPT_PAR, CHGFROM; args "" when none */
	const char	*addr;
	const char	*args;
	/* REPLBODY: a chunk of the new body */
	const char	*body;
	size_t		 bodylen;
	/* OPTNEG */
	uint32_t	 version;
	uint32_t	 actions;
	uint32_t	 protocol;
	/* OPTNEG: the macro names wanted per stage (SMFIM_*), space
	 * separated, NULL when not said; SETSYMLIST: one stage's */
	const char	*macros[MILTER_STAGES];
	uint32_t	 stage;		/* SETSYMLIST */
};

struct milter_parser {
	int		 bad;		/* a packet was malformed: framing is
					 * lost, every later call fails */
	size_t		 have;		/* octets of the packet held */
	uint32_t	 len;		/* its length, once have >= 4 */
	const char	*error;		/* why it was malformed */
	char		 buf[4 + MILTER_PACKET_MAX + 1];
};

enum milter_status {
	MILTER_MORE,	/* all input used, no complete packet: read more */
	MILTER_PACKET,	/* a packet is in *r; call again with the rest */
	MILTER_BAD,	/* malformed: p->error says why; close the filter */
};

void	milter_parser_init(struct milter_parser *p);
/*
 * Consume filter input, in[0..len): *used says how much was taken.
 * Stops after each complete packet.  A packet's length over
 * MILTER_PACKET_MAX, an empty packet, an unknown command, data where
 * the command has none, a missing NUL or octets after the last field
 * are MILTER_BAD.
 */
enum milter_status milter_parse(struct milter_parser *p, const char *in,
	    size_t len, size_t *used, struct milter_reply *r);

/* What was agreed with one filter. */
struct milter_neg {
	uint32_t	 version;	/* the filter's, 2..6 */
	uint32_t	 actions;	/* it may take, SMFIF_* */
	uint32_t	 protocol;	/* its SMFIP_* bits */
	uint32_t	 offered;	/* our SMFIP_* offer */
};

/*
 * The filter's OPTNEG reply r against our offer (actions, protocol):
 * 0 and *n filled, or -1 with *err saying why (a reply that is not
 * OPTNEG, a version under 2 or over ours, actions not offered).
 */
int	milter_negotiate(const struct milter_reply *r, uint32_t actions,
	    uint32_t protocol, struct milter_neg *n, const char **err);
/*
 * Whether the event cmd (SMFIC_*) is sent to this filter: not when it
 * asked to be spared it (SMFIP_NO*), nor when its version predates it.
 */
int	milter_sends(const struct milter_neg *n, int cmd);
/*
 * Whether the event cmd, once sent, gets a reply: not MACRO, ABORT,
 * QUIT, QUIT_NC, nor an event the filter said it won't answer
 * (SMFIP_NR_*).
 */
int	milter_replies(const struct milter_neg *n, int cmd);
/*
 * Whether reply r may come after the event cmd: modifications only
 * after BODYEOB and only those negotiated, SKIP only after BODY when
 * offered, DISCARD not at CONNECT or HELO.  Returns NULL, or why not.
 */
const char *milter_allowed(const struct milter_neg *n, int cmd,
	    const struct milter_reply *r);
/* Whether r ends the exchange for its event (a decision, SKIP). */
int	milter_final(const struct milter_reply *r);
/*
 * The value of a header field as SMFIC_HEADER carries it: text, the
 * text after the colon, without its first space unless the filter asked
 * for it (SMFIP_HDR_LEADSPC), as Sendmail does.
 */
const char *milter_header_value(const struct milter_neg *n,
	    const char *text);
/*
 * r in one stable line for logs and tests ("replycode 554 5.7.1 No",
 * "addheader X-Spam: yes"), bytes outside printable ASCII as \xNN,
 * truncated to size - 1 octets.
 */
void	milter_reply_text(const struct milter_reply *r, char *buf,
	    size_t size);

#endif
