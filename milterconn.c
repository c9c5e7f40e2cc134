/*
 * milterconn.c: the milter client (milterconn.h): sockets, deadlines and
 * the folding of several filters' answers, over the codec of milter.c.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "lmtpconn.h"
#include "milterconn.h"

/* Every protocol step but SMFIP_RCPT_REJ (milterconn.h says why). */
#define OFFERED_STEPS	(MILTER_PROTOCOL_ALL & ~SMFIP_RCPT_REJ)

/* The macros we can tell, by the bit of their index in a want[] mask. */
static const struct {
	const char	*name;		/* without braces */
	size_t		 off;		/* in struct milter_macros */
	const char	*wire;		/* as sent */
} macro_tab[] = {
#define M(field, name, wire) { name, offsetof(struct milter_macros, field), wire }
	M(j, "j", "j"),
	M(underscore, "_", "_"),
	M(daemon_name, "daemon_name", "{daemon_name}"),
	M(client_addr, "client_addr", "{client_addr}"),
	M(client_port, "client_port", "{client_port}"),
	M(client_name, "client_name", "{client_name}"),
	M(tls_version, "tls_version", "{tls_version}"),
	M(cipher, "cipher", "{cipher}"),
	M(auth_authen, "auth_authen", "{auth_authen}"),
	M(mail_addr, "mail_addr", "{mail_addr}"),
	M(rcpt_addr, "rcpt_addr", "{rcpt_addr}"),
	M(i, "i", "i"),
#undef M
};
#define MACROS	(sizeof(macro_tab) / sizeof(macro_tab[0]))
#define BIT(n)	(1u << (n))

/* What a stage gets when the filter named nothing for it. */
static const uint32_t stage_default[MILTER_STAGES] = {
	[SMFIM_CONNECT] = BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5),
	[SMFIM_HELO] = BIT(6) | BIT(7),
	[SMFIM_ENVFROM] = BIT(11) | BIT(8) | BIT(9),
	[SMFIM_ENVRCPT] = BIT(10),
	[SMFIM_DATA] = BIT(11),
	[SMFIM_EOM] = BIT(11),
	[SMFIM_EOH] = BIT(11),
};

/* Events by name, for f->why and the trace. */
static const char *
event_name(int cmd)
{
	switch (cmd) {
	case SMFIC_OPTNEG:	return "optneg";
	case SMFIC_CONNECT:	return "connect";
	case SMFIC_HELO:	return "helo";
	case SMFIC_MAIL:	return "mail";
	case SMFIC_RCPT:	return "rcpt";
	case SMFIC_DATA:	return "data";
	case SMFIC_HEADER:	return "header";
	case SMFIC_EOH:		return "eoh";
	case SMFIC_BODY:	return "body";
	case SMFIC_BODYEOB:	return "eom";
	case SMFIC_ABORT:	return "abort";
	case SMFIC_QUIT:	return "quit";
	case SMFIC_MACRO:	return "macro";
	}
	return "event";
}

/* The macro stage of an event, -1 when it has none. */
static int
stage_of(int cmd)
{
	switch (cmd) {
	case SMFIC_CONNECT:	return SMFIM_CONNECT;
	case SMFIC_HELO:	return SMFIM_HELO;
	case SMFIC_MAIL:	return SMFIM_ENVFROM;
	case SMFIC_RCPT:	return SMFIM_ENVRCPT;
	case SMFIC_DATA:	return SMFIM_DATA;
	case SMFIC_EOH:		return SMFIM_EOH;
	case SMFIC_BODYEOB:	return SMFIM_EOM;
	}
	return -1;
}

/* Events of a message: an ACCEPT there is for the message only. */
static int
in_message(int cmd)
{
	return cmd != SMFIC_CONNECT && cmd != SMFIC_HELO;
}

void
milterconn_init(struct milter_set *s, const struct milterconn_timeouts *t,
    enum milterconn_policy policy, const struct milter_macros *m,
    const struct milter_mods *mods)
{
	s->n = 0;
	s->t = *t;
	s->policy = policy;
	s->macros = m;
	s->mods = mods;
	s->trace = NULL;
	s->trace_arg = NULL;
	s->inpos = s->inlen = s->bodylen = 0;
	milter_parser_init(&s->parser);
}

static struct milter_filter *
new_filter(struct milter_set *s, const char *spec)
{
	struct milter_filter *f;

	if (s->n == MILTERCONN_MAX)
		return NULL;
	f = &s->f[s->n];
	memset(f, 0, sizeof(*f));
	snprintf(f->spec, sizeof(f->spec), "%s", spec);
	f->fd = -1;
	f->fault = MILTERCONN_UP;
	return f;
}

/* spec parsed as samotop-lmtp's TARGET, exec: refused. */
static int
parse_spec(const char *spec, struct lmtpconn_target *t, const char **err)
{
	char *argv[2] = { (char *)spec, NULL };

	if (strlen(spec) > MILTERCONN_SPEC_MAX) {
		*err = "milter address too long";
		return -1;
	}
	if (lmtpconn_parse(t, 1, argv, err) == -1)
		return -1;
	if (t->kind == LMTPCONN_EXEC) {
		*err = "a milter is unix:/PATH or inet:HOST:PORT";
		return -1;
	}
	return 0;
}

int
milterconn_add(struct milter_set *s, const char *spec, const char **err)
{
	struct lmtpconn_target t;

	if (parse_spec(spec, &t, err) == -1)
		return -1;
	if (new_filter(s, spec) == NULL) {
		*err = "more than 8 milters";
		return -1;
	}
	s->n++;
	return 0;
}

int
milterconn_add_fd(struct milter_set *s, const char *name, int fd)
{
	struct milter_filter *f;

	if ((f = new_filter(s, name)) == NULL)
		return -1;
	f->fd = fd;
	s->n++;
	/* should it fail, a blocking socket still works: each wait polls */
	(void)fd_set_flags(fd, 1);
	return 0;
}

/* --- faults --- */

/* Filter f is down: why is "what: reason"; the socket is closed. */
static int
down(struct milter_filter *f, enum milterconn_fault fault,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	f->fault = fault;
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	return -1;
}

/* --- connecting --- */

static int
dial_unix(struct milter_filter *f, const char *path, long long deadline)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return down(f, MILTERCONN_EUNREACH, "socket: %s",
		    strerror(errno));
	if (fd_connect(fd, (struct sockaddr *)&sun, sizeof(sun),
	    deadline) == -1) {
		f->fd = fd;
		return down(f, errno == ETIMEDOUT ? MILTERCONN_ETIMEOUT :
		    MILTERCONN_EUNREACH, "connect: %s", strerror(errno));
	}
	f->fd = fd;
	return 0;
}

/* Each address of the name in turn, all before the one deadline. */
static int
dial_inet(struct milter_filter *f, const char *host, const char *port,
    long long deadline)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, err, saved = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(host, port, &hints, &res)) != 0)
		return down(f, MILTERCONN_EUNREACH, "resolve %s: %s", host,
		    err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd != -1 && fd_connect(fd, ai->ai_addr, ai->ai_addrlen,
		    deadline) == 0)
			break;
		saved = errno;
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return down(f, saved == ETIMEDOUT ? MILTERCONN_ETIMEOUT :
		    MILTERCONN_EUNREACH, "connect: %s", strerror(saved));
	f->fd = fd;
	return 0;
}

static int
dial(struct milter_set *s, struct milter_filter *f)
{
	struct lmtpconn_target t;
	long long deadline = fd_deadline((long)s->t.connect * 1000);
	const char *err;
	int rc;

	if (parse_spec(f->spec, &t, &err) == -1)
		return down(f, MILTERCONN_EUNREACH, "address: %s", err);
	if (t.kind == LMTPCONN_UNIX)
		rc = dial_unix(f, t.path, deadline);
	else
		rc = dial_inet(f, t.host, t.port, deadline);
	if (rc == 0 && fd_set_flags(f->fd, 1) == -1)
		return down(f, MILTERCONN_EIO, "fcntl: %s", strerror(errno));
	return rc;
}

/* --- one packet out, the filter's packets in --- */

static int
put_all(struct milter_filter *f, int cmd, const char *buf, size_t len,
    long long deadline)
{
	size_t done = 0;
	ssize_t n;
	int w;

	while (done < len) {
		n = send(f->fd, buf + done, len - done, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			w = fd_wait_until(f->fd, POLLOUT, deadline);
			if (w == 0)
				return down(f, MILTERCONN_ETIMEOUT,
				    "write %s: timed out", event_name(cmd));
			if (w == -1)
				return down(f, MILTERCONN_EIO, "poll: %s",
				    strerror(errno));
			continue;
		}
		if (n == -1)
			return down(f, errno == EPIPE || errno == ECONNRESET ?
			    MILTERCONN_ECLOSED : MILTERCONN_EIO,
			    "write %s: %s", event_name(cmd), strerror(errno));
		done += (size_t)n;
	}
	return 0;
}

/* The filter's next packet into *r, by *deadline. */
static int
get_reply(struct milter_set *s, struct milter_filter *f, int cmd,
    long long deadline, struct milter_reply *r)
{
	enum milter_status st;
	size_t used;
	ssize_t n;
	int w;

	for (;;) {
		st = milter_parse(&s->parser, s->in + s->inpos,
		    s->inlen - s->inpos, &used, r);
		s->inpos += used;
		if (st == MILTER_PACKET)
			return 0;
		if (st == MILTER_BAD)
			return down(f, MILTERCONN_EPROTO, "reply to %s: %s",
			    event_name(cmd), s->parser.error);
		w = fd_wait_until(f->fd, POLLIN, deadline);
		if (w == 0)
			return down(f, MILTERCONN_ETIMEOUT,
			    "read reply to %s: timed out", event_name(cmd));
		if (w == -1)
			return down(f, MILTERCONN_EIO, "poll: %s",
			    strerror(errno));
		n = fd_read_some(f->fd, s->in, sizeof(s->in));
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n == -1)
			return down(f, errno == ECONNRESET ?
			    MILTERCONN_ECLOSED : MILTERCONN_EIO,
			    "read reply to %s: %s", event_name(cmd),
			    strerror(errno));
		if (n == 0)
			return down(f, MILTERCONN_ECLOSED,
			    "read reply to %s: the filter closed the "
			    "connection", event_name(cmd));
		s->inpos = 0;
		s->inlen = (size_t)n;
	}
}

/* A new exchange: nothing held from the last one. */
static void
exchange_start(struct milter_set *s)
{
	s->inpos = s->inlen = 0;
	milter_parser_init(&s->parser);
}

/* Octets after a final reply: the filter is out of step. */
static int
exchange_end(struct milter_set *s, struct milter_filter *f, int cmd)
{
	if (s->inpos < s->inlen)
		return down(f, MILTERCONN_EPROTO,
		    "reply to %s: octets after the final reply",
		    event_name(cmd));
	return 0;
}

static void
trace(struct milter_set *s, struct milter_filter *f, int cmd,
    const struct milter_reply *r, int sent)
{
	if (s->trace != NULL)
		s->trace(s->trace_arg, (size_t)(f - s->f), cmd, r, sent);
}

/* --- negotiation --- */

static uint32_t
offered_actions(const struct milter_mods *m)
{
	uint32_t a = SMFIF_SETSYMLIST;

	if (m == NULL)
		return a;
	if (m->add_header != NULL && m->insert_header != NULL)
		a |= SMFIF_ADDHDRS;
	if (m->change_header != NULL)
		a |= SMFIF_CHGHDRS;
	if (m->replace_body != NULL)
		a |= SMFIF_CHGBODY;
	if (m->change_from != NULL)
		a |= SMFIF_CHGFROM;
	if (m->add_rcpt != NULL)
		a |= SMFIF_ADDRCPT | SMFIF_ADDRCPT_PAR;
	if (m->delete_rcpt != NULL)
		a |= SMFIF_DELRCPT;
	if (m->quarantine != NULL)
		a |= SMFIF_QUARANTINE;
	return a;
}

/* The macros of ours a filter's list names ("{a} b"), as bits. */
static uint32_t
wanted(const char *list)
{
	const char *p = list, *e;
	size_t len, k;
	uint32_t bits = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != ','; e++)
			;
		len = (size_t)(e - p);
		if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
			p++;
			len -= 2;
		}
		for (k = 0; k < MACROS; k++)
			if (strlen(macro_tab[k].name) == len &&
			    strncmp(macro_tab[k].name, p, len) == 0)
				bits |= BIT(k);
		p = e;
	}
	return bits;
}

static int
negotiate(struct milter_set *s, struct milter_filter *f)
{
	struct milter_reply r;
	uint32_t actions = offered_actions(s->mods);
	long long deadline = fd_deadline((long)s->t.command * 1000);
	const char *err;
	char text[160];
	size_t len, k;

	exchange_start(s);
	len = milter_enc_optneg(s->out, sizeof(s->out), MILTER_VERSION,
	    actions, OFFERED_STEPS);
	if (put_all(f, SMFIC_OPTNEG, s->out, len, deadline) == -1 ||
	    get_reply(s, f, SMFIC_OPTNEG, deadline, &r) == -1)
		return -1;
	trace(s, f, SMFIC_OPTNEG, &r, 1);
	if (milter_negotiate(&r, actions, OFFERED_STEPS, &f->neg,
	    &err) == -1) {
		milter_reply_text(&r, text, sizeof(text));
		return down(f, MILTERCONN_EPROTO, "optneg: %s (%s)", err,
		    text);
	}
	for (k = 0; k < MILTER_STAGES; k++) {
		f->want[k] = stage_default[k];
		if (r.macros[k] != NULL) {
			f->want[k] = wanted(r.macros[k]);
			f->listed |= BIT(k);
		}
	}
	if (exchange_end(s, f, SMFIC_OPTNEG) == -1)
		return -1;
	f->negotiated = 1;
	return 0;
}

/* --- events --- */

/* What an event carries, for encode(). */
struct ev {
	const char		*host;
	int			 family;
	unsigned		 port;
	const char		*addr;
	const char *const	*args;
	size_t			 nargs;
	const char		*name;
	const char		*value;
};

/* A header field for f: the value as f wants it, cut to fit a packet. */
static size_t
encode_header(struct milter_set *s, struct milter_filter *f,
    const struct ev *e)
{
	const char *v = milter_header_value(&f->neg, e->value);
	size_t n, nlen = strlen(e->name), room;

	if ((n = milter_enc_header(s->out, sizeof(s->out), e->name, v)) > 0)
		return n;
	/* data: the name, its NUL, the value, its NUL */
	if (nlen + 2 >= MILTER_PACKET_MAX - 1)
		return 0;
	room = MILTER_PACKET_MAX - 1 - nlen - 2;
	memcpy(s->scratch, v, room);
	s->scratch[room] = '\0';
	return milter_enc_header(s->out, sizeof(s->out), e->name, s->scratch);
}

static size_t
encode(struct milter_set *s, struct milter_filter *f, int cmd,
    const struct ev *e)
{
	switch (cmd) {
	case SMFIC_CONNECT:
		return milter_enc_connect(s->out, sizeof(s->out), e->host,
		    e->family, e->port, e->addr);
	case SMFIC_HELO:
		return milter_enc_helo(s->out, sizeof(s->out), e->name);
	case SMFIC_MAIL:
		return milter_enc_mail(s->out, sizeof(s->out), e->addr,
		    e->args, e->nargs);
	case SMFIC_RCPT:
		return milter_enc_rcpt(s->out, sizeof(s->out), e->addr,
		    e->args, e->nargs);
	case SMFIC_HEADER:
		return encode_header(s, f, e);
	case SMFIC_BODY:
		return milter_enc_body(s->out, sizeof(s->out), s->body,
		    s->bodylen);
	}
	return milter_enc_empty(s->out, sizeof(s->out), cmd);
}

/* The stage's macros that have a value, if any, before the event. */
static int
send_macros(struct milter_set *s, struct milter_filter *f, int cmd,
    long long deadline)
{
	const char *nv[2 * MACROS], *v;
	int stage = stage_of(cmd);
	size_t k, n = 0, len;

	if (stage < 0 || s->macros == NULL)
		return 0;
	for (k = 0; k < MACROS; k++) {
		if ((f->want[stage] & BIT(k)) == 0)
			continue;
		v = *(const char *const *)((const char *)s->macros +
		    macro_tab[k].off);
		if (v == NULL || *v == '\0')
			continue;
		nv[2 * n] = macro_tab[k].wire;
		nv[2 * n + 1] = v;
		n++;
	}
	if (n == 0)
		return 0;
	/* values too long for one packet are the caller's error: none */
	if ((len = milter_enc_macro(s->out, sizeof(s->out), cmd, nv, n)) == 0)
		return 0;
	return put_all(f, SMFIC_MACRO, s->out, len, deadline);
}

/* A header value as the callbacks take it: the space put back. */
static const char *
header_text(struct milter_set *s, const struct milter_filter *f,
    const char *value)
{
	size_t len;

	if ((f->neg.protocol & SMFIP_HDR_LEADSPC) != 0)
		return value;
	len = strlen(value);
	if (len + 2 > sizeof(s->scratch))
		len = sizeof(s->scratch) - 2;
	s->scratch[0] = ' ';
	memcpy(s->scratch + 1, value, len);
	s->scratch[len + 1] = '\0';
	return s->scratch;
}

/* One change at eom to the caller's callback: 0, or -1 when it failed. */
static int
modify(struct milter_set *s, const struct milter_filter *f,
    const struct milter_reply *r, int *first_body)
{
	const struct milter_mods *m = s->mods;
	int first;

	if (m == NULL)
		return -1;
	switch (r->cmd) {
	case SMFIR_ADDHEADER:
		return m->add_header == NULL ? -1 : m->add_header(m->arg,
		    r->name, header_text(s, f, r->value));
	case SMFIR_INSHEADER:
		return m->insert_header == NULL ? -1 :
		    m->insert_header(m->arg, r->index, r->name,
		    header_text(s, f, r->value));
	case SMFIR_CHGHEADER:
		/* Sendmail takes index 0 as 1, as Postfix does */
		return m->change_header == NULL ? -1 :
		    m->change_header(m->arg, r->index == 0 ? 1 : r->index,
		    r->name, *r->value == '\0' ? "" :
		    header_text(s, f, r->value));
	case SMFIR_REPLBODY:
		first = *first_body;
		*first_body = 0;
		return m->replace_body == NULL ? -1 :
		    m->replace_body(m->arg, r->body, r->bodylen, first);
	case SMFIR_CHGFROM:
		return m->change_from == NULL ? -1 :
		    m->change_from(m->arg, r->addr, r->args);
	case SMFIR_ADDRCPT:
	case SMFIR_ADDRCPT_PAR:
		return m->add_rcpt == NULL ? -1 :
		    m->add_rcpt(m->arg, r->addr, r->args);
	case SMFIR_DELRCPT:
		return m->delete_rcpt == NULL ? -1 :
		    m->delete_rcpt(m->arg, r->addr);
	case SMFIR_QUARANTINE:
		return m->quarantine == NULL ? -1 :
		    m->quarantine(m->arg, r->text);
	}
	return -1;
}

/*
 * A REPLYCODE's text into d, cut at the end of a line when it is too
 * long, that line then made the last ("DDD-" to "DDD ").
 */
static void
reply_text(struct milter_decision *d, const char *text)
{
	size_t len = strlen(text), cut;
	const char *p;

	if (len < sizeof(d->text)) {
		memcpy(d->text, text, len + 1);
		return;
	}
	cut = sizeof(d->text) - 1;
	for (p = text + cut; p > text + 4; p--)
		if (p[0] == '\r' && p[1] == '\n')
			break;
	if (p > text + 4)
		cut = (size_t)(p - text);
	memcpy(d->text, text, cut);
	d->text[cut] = '\0';
	if ((p = strrchr(d->text, '\n')) == NULL)
		p = d->text;
	else
		p++;
	if (strlen(p) > 3 && p[3] == '-')
		d->text[p - d->text + 3] = ' ';
}

/* The filter's final reply r to cmd as the event's outcome. */
static void
decide(struct milter_filter *f, int i, int cmd,
    const struct milter_reply *r, struct milter_decision *d)
{
	enum milterconn_verdict v;

	switch (r->cmd) {
	case SMFIR_ACCEPT:
		if (in_message(cmd))
			f->accepted_msg = 1;
		else
			f->accepted_con = 1;
		return;
	case SMFIR_SKIP:
		f->skip_body = 1;
		return;
	case SMFIR_REJECT:
		v = MILTERCONN_REJECT;
		break;
	case SMFIR_TEMPFAIL:
		v = MILTERCONN_TEMPFAIL;
		break;
	case SMFIR_DISCARD:
		v = MILTERCONN_DISCARD;
		f->accepted_msg = 1;
		break;
	case SMFIR_REPLYCODE:
		v = MILTERCONN_REPLY;
		d->code = r->code;
		reply_text(d, r->text);
		break;
	case SMFIR_SHUTDOWN:
	case SMFIR_CONN_FAIL:
		v = MILTERCONN_SHUTDOWN;
		break;
	default:	/* CONTINUE */
		return;
	}
	d->verdict = v;
	d->filter = i;
	if (!in_message(cmd) || v == MILTERCONN_SHUTDOWN)
		f->sticky = v != MILTERCONN_REPLY ? (int)v : r->code >= 500 ?
		    MILTERCONN_REJECT : MILTERCONN_TEMPFAIL;
}

/* Tell filter i of the event cmd and take its answer into d. */
static void
one(struct milter_set *s, size_t i, int cmd, const struct ev *e,
    struct milter_decision *d)
{
	struct milter_filter *f = &s->f[i];
	struct milter_reply r;
	unsigned secs = cmd == SMFIC_BODY || cmd == SMFIC_BODYEOB ?
	    s->t.content : s->t.command;
	long long deadline = fd_deadline((long)secs * 1000);
	const char *why;
	char text[160];
	size_t len;
	int first_body = 1, failed = 0;

	exchange_start(s);
	if (send_macros(s, f, cmd, deadline) == -1)
		return;
	if (!milter_sends(&f->neg, cmd)) {
		trace(s, f, cmd, NULL, 0);
		return;
	}
	if ((len = encode(s, f, cmd, e)) == 0) {
		/* ours, not the filter's: a field name over 64 KiB */
		d->verdict = MILTERCONN_TEMPFAIL;
		d->local = 1;
		return;
	}
	if (put_all(f, cmd, s->out, len, deadline) == -1)
		return;
	if (!milter_replies(&f->neg, cmd)) {
		trace(s, f, cmd, NULL, 1);
		return;
	}
	for (;;) {
		if (get_reply(s, f, cmd, deadline, &r) == -1)
			return;
		trace(s, f, cmd, &r, 1);
		if ((why = milter_allowed(&f->neg, cmd, &r)) != NULL) {
			milter_reply_text(&r, text, sizeof(text));
			down(f, MILTERCONN_EPROTO, "reply to %s: %s (%s)",
			    event_name(cmd), why, text);
			return;
		}
		if (r.cmd == SMFIR_PROGRESS) {
			deadline = fd_deadline((long)secs * 1000);
			continue;
		}
		if (milter_final(&r))
			break;
		/* a change at eom: after a failed one, only read */
		if (!failed && modify(s, f, &r, &first_body) == -1)
			failed = 1;
	}
	if (exchange_end(s, f, cmd) == -1)
		return;
	if (cmd == SMFIC_BODYEOB)
		f->in_msg = 0;
	decide(f, (int)i, cmd, &r, d);
	if (failed && (d->verdict == MILTERCONN_CONTINUE ||
	    d->verdict == MILTERCONN_ACCEPT)) {
		d->verdict = MILTERCONN_TEMPFAIL;
		d->filter = (int)i;
		d->local = 1;
	}
}

/* A filter that has no say in the event; its verdict, if sticky, in d. */
static int
left_out(struct milter_set *s, size_t i, int cmd, struct milter_decision *d)
{
	struct milter_filter *f = &s->f[i];

	if (f->fault != MILTERCONN_UP) {
		if (s->policy == MILTERCONN_DEFAULT_TEMPFAIL) {
			d->verdict = MILTERCONN_TEMPFAIL;
			d->filter = (int)i;
			d->by_default = 1;
		}
		return 1;
	}
	if (f->sticky) {
		d->verdict = (enum milterconn_verdict)f->sticky;
		d->filter = (int)i;
		return 1;
	}
	return f->fd == -1 || !f->negotiated || f->accepted_con ||
	    (in_message(cmd) && f->accepted_msg) ||
	    (cmd == SMFIC_BODY && f->skip_body);
}

/* The filters that are up, as bits. */
static unsigned
up_mask(const struct milter_set *s)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->f[i].fault == MILTERCONN_UP)
			bits |= BIT(i);
	return bits;
}

/* The event cmd to each filter in order, until one decides. */
static void
fanout(struct milter_set *s, int cmd, const struct ev *e,
    struct milter_decision *d)
{
	unsigned up = up_mask(s);
	size_t i;

	for (i = 0; i < s->n && d->verdict == MILTERCONN_CONTINUE; i++) {
		if (left_out(s, i, cmd, d))
			continue;
		one(s, i, cmd, e, d);
		if (s->f[i].fault != MILTERCONN_UP)
			(void)left_out(s, i, cmd, d);
	}
	d->down |= up & ~up_mask(s);
}

static void
decision_init(struct milter_decision *d)
{
	d->verdict = MILTERCONN_CONTINUE;
	d->filter = -1;
	d->by_default = 0;
	d->local = 0;
	d->down = 0;
	d->code = 0;
	d->text[0] = '\0';
}

/* CONTINUE made ACCEPT when no filter is left to ask. */
static enum milterconn_verdict
finish(struct milter_set *s, int cmd, struct milter_decision *d)
{
	size_t i;

	if (d->verdict != MILTERCONN_CONTINUE)
		return d->verdict;
	for (i = 0; i < s->n; i++) {
		struct milter_filter *f = &s->f[i];

		if (f->fault == MILTERCONN_UP && !f->accepted_con &&
		    !(in_message(cmd) && f->accepted_msg))
			return d->verdict;
	}
	d->verdict = MILTERCONN_ACCEPT;
	return d->verdict;
}

/* ABORT to each filter with a message open; the message is over. */
static void
abort_open(struct milter_set *s)
{
	long long deadline = fd_deadline((long)s->t.command * 1000);
	size_t i, len;

	len = milter_enc_empty(s->out, sizeof(s->out), SMFIC_ABORT);
	for (i = 0; i < s->n; i++) {
		struct milter_filter *f = &s->f[i];

		if (f->in_msg && f->fault == MILTERCONN_UP && f->fd != -1)
			(void)put_all(f, SMFIC_ABORT, s->out, len, deadline);
		f->in_msg = 0;
		f->accepted_msg = 0;
		f->skip_body = 0;
	}
	s->bodylen = 0;
}

enum milterconn_verdict
milterconn_connect(struct milter_set *s, const char *host, int family,
    unsigned port, const char *addr, struct milter_decision *d)
{
	struct ev e = { .host = host, .family = family, .port = port,
	    .addr = addr };
	unsigned up = up_mask(s);
	size_t i;

	decision_init(d);
	for (i = 0; i < s->n; i++) {
		struct milter_filter *f = &s->f[i];

		if (f->fault != MILTERCONN_UP || f->negotiated)
			continue;
		if (f->fd == -1 && dial(s, f) == -1)
			continue;
		(void)negotiate(s, f);
	}
	d->down = up & ~up_mask(s);
	fanout(s, SMFIC_CONNECT, &e, d);
	return finish(s, SMFIC_CONNECT, d);
}

enum milterconn_verdict
milterconn_helo(struct milter_set *s, const char *name,
    struct milter_decision *d)
{
	struct ev e = { .name = name };

	decision_init(d);
	fanout(s, SMFIC_HELO, &e, d);
	return finish(s, SMFIC_HELO, d);
}

enum milterconn_verdict
milterconn_mail(struct milter_set *s, const char *addr,
    const char *const *args, size_t nargs, struct milter_decision *d)
{
	struct ev e = { .addr = addr, .args = args, .nargs = nargs };
	unsigned up = up_mask(s);
	size_t i;

	decision_init(d);
	/* a message the caller left open is ended first */
	abort_open(s);
	/* a new message: what the last one's filters said is forgotten */
	for (i = 0; i < s->n; i++) {
		struct milter_filter *f = &s->f[i];

		f->accepted_msg = 0;
		f->skip_body = 0;
		f->in_msg = f->fault == MILTERCONN_UP && f->negotiated &&
		    !f->sticky && !f->accepted_con;
	}
	fanout(s, SMFIC_MAIL, &e, d);
	d->down |= up & ~up_mask(s);
	return finish(s, SMFIC_MAIL, d);
}

enum milterconn_verdict
milterconn_rcpt(struct milter_set *s, const char *addr,
    const char *const *args, size_t nargs, struct milter_decision *d)
{
	struct ev e = { .addr = addr, .args = args, .nargs = nargs };

	decision_init(d);
	fanout(s, SMFIC_RCPT, &e, d);
	return finish(s, SMFIC_RCPT, d);
}

static enum milterconn_verdict
simple(struct milter_set *s, int cmd, struct milter_decision *d)
{
	struct ev e = { .host = NULL };

	decision_init(d);
	fanout(s, cmd, &e, d);
	return finish(s, cmd, d);
}

enum milterconn_verdict
milterconn_data(struct milter_set *s, struct milter_decision *d)
{
	return simple(s, SMFIC_DATA, d);
}

enum milterconn_verdict
milterconn_header(struct milter_set *s, const char *name, const char *value,
    struct milter_decision *d)
{
	struct ev e = { .name = name, .value = value };

	decision_init(d);
	fanout(s, SMFIC_HEADER, &e, d);
	return finish(s, SMFIC_HEADER, d);
}

enum milterconn_verdict
milterconn_eoh(struct milter_set *s, struct milter_decision *d)
{
	return simple(s, SMFIC_EOH, d);
}

/* The body gathered so far, as one chunk. */
static void
flush_body(struct milter_set *s, struct milter_decision *d)
{
	struct ev e = { .host = NULL };

	if (s->bodylen == 0)
		return;
	fanout(s, SMFIC_BODY, &e, d);
	s->bodylen = 0;
}

enum milterconn_verdict
milterconn_body(struct milter_set *s, const char *data, size_t len,
    struct milter_decision *d)
{
	size_t n;

	decision_init(d);
	while (len > 0 && d->verdict == MILTERCONN_CONTINUE) {
		n = sizeof(s->body) - s->bodylen;
		if (n > len)
			n = len;
		memcpy(s->body + s->bodylen, data, n);
		s->bodylen += n;
		data += n;
		len -= n;
		if (s->bodylen == sizeof(s->body))
			flush_body(s, d);
	}
	/*
	 * Nothing sent, or all sent: a filter down (under milter-default
	 * tempfail) or with a verdict for the session still says so, as
	 * at every other event.
	 */
	for (n = 0; n < s->n && d->verdict == MILTERCONN_CONTINUE; n++)
		(void)left_out(s, n, SMFIC_BODY, d);
	return finish(s, SMFIC_BODY, d);
}

enum milterconn_verdict
milterconn_eom(struct milter_set *s, struct milter_decision *d)
{
	struct ev e = { .host = NULL };
	unsigned up = up_mask(s);

	decision_init(d);
	flush_body(s, d);
	if (d->verdict == MILTERCONN_CONTINUE)
		fanout(s, SMFIC_BODYEOB, &e, d);
	/* before abort_open() forgets which filters accepted */
	finish(s, SMFIC_BODYEOB, d);
	abort_open(s);
	d->down |= up & ~up_mask(s);
	return d->verdict;
}

void
milterconn_abort(struct milter_set *s, struct milter_decision *d)
{
	unsigned up = up_mask(s);

	decision_init(d);
	abort_open(s);
	d->down = up & ~up_mask(s);
}

void
milterconn_quit(struct milter_set *s, struct milter_decision *d)
{
	long long deadline = fd_deadline((long)s->t.command * 1000);
	unsigned up = up_mask(s);
	size_t i, len;

	decision_init(d);
	abort_open(s);
	len = milter_enc_empty(s->out, sizeof(s->out), SMFIC_QUIT);
	for (i = 0; i < s->n; i++) {
		struct milter_filter *f = &s->f[i];

		if (f->fd == -1)
			continue;
		if (f->fault == MILTERCONN_UP)
			(void)put_all(f, SMFIC_QUIT, s->out, len, deadline);
		if (f->fd != -1)
			close(f->fd);
		f->fd = -1;
		f->negotiated = 0;
	}
	d->down = up & ~up_mask(s);
}

const char *
milterconn_verdict_name(enum milterconn_verdict v)
{
	switch (v) {
	case MILTERCONN_CONTINUE:	return "continue";
	case MILTERCONN_ACCEPT:		return "accept";
	case MILTERCONN_REJECT:		return "reject";
	case MILTERCONN_TEMPFAIL:	return "tempfail";
	case MILTERCONN_DISCARD:	return "discard";
	case MILTERCONN_REPLY:		return "reply";
	case MILTERCONN_SHUTDOWN:	return "shutdown";
	}
	return "unknown";
}

const char *
milterconn_fault_name(enum milterconn_fault f)
{
	switch (f) {
	case MILTERCONN_UP:		return "up";
	case MILTERCONN_EUNREACH:	return "unreachable";
	case MILTERCONN_ETIMEOUT:	return "timeout";
	case MILTERCONN_ECLOSED:	return "closed";
	case MILTERCONN_EIO:		return "io";
	case MILTERCONN_EPROTO:		return "protocol";
	}
	return "unknown";
}
