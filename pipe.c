/*
 * pipe.c: samotop-pipe's pure parts: environment, replies, reply text,
 * line ends.
 */
#include <stdio.h>
#include <string.h>

#include "pipe.h"

/* What a command inherits of samotop's environment, by name. */
static const char *const inherited[] = {
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TZ", "LANG", "TMPDIR",
	"SAMOTOP_SID", "SAMOTOP_LEAVE_NO_TRACE",
};
#define NINHERITED	(sizeof(inherited) / sizeof(inherited[0]))
#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"

void
pipe_env_init(struct pipe_env *e)
{
	e->n = 0;
	e->len = 0;
	e->envp[0] = NULL;
}

/* The entry for name, or e->n when there is none. */
static size_t
find(const struct pipe_env *e, const char *name, size_t nlen)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strncmp(e->envp[i], name, nlen) == 0 &&
		    e->envp[i][nlen] == '=')
			break;
	return i;
}

int
pipe_env_set(struct pipe_env *e, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value), i;
	char *p;

	i = find(e, name, nlen);
	if (i == e->n && e->n + 1 >= PIPE_ENV_MAX)
		return -1;
	if (nlen + vlen + 2 > sizeof(e->buf) - e->len)
		return -1;
	p = e->buf + e->len;
	memcpy(p, name, nlen);
	p[nlen] = '=';
	memcpy(p + nlen + 1, value, vlen + 1);
	e->len += nlen + vlen + 2;
	e->envp[i] = p;
	if (i == e->n)
		e->envp[++e->n] = NULL;
	return 0;
}

static int
is_inherited(const char *var)
{
	size_t i, n;

	if (strncmp(var, "LC_", 3) == 0)
		return strchr(var, '=') != NULL;
	for (i = 0; i < NINHERITED; i++) {
		n = strlen(inherited[i]);
		if (strncmp(var, inherited[i], n) == 0 && var[n] == '=')
			return 1;
	}
	return 0;
}

int
pipe_env_inherit(struct pipe_env *e, char *const *environ_)
{
	char name[64];
	const char *eq;
	size_t n;

	if (pipe_env_set(e, "PATH", DEFAULT_PATH) == -1)
		return -1;
	for (; environ_ != NULL && *environ_ != NULL; environ_++) {
		if (!is_inherited(*environ_))
			continue;
		eq = strchr(*environ_, '=');
		if ((n = eq - *environ_) >= sizeof(name))
			continue;
		memcpy(name, *environ_, n);
		name[n] = '\0';
		if (pipe_env_set(e, name, eq + 1) == -1)
			return -1;
	}
	return 0;
}

static void
lowercase(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/* CLIENT_IP and the others; all "" when x is NULL. */
static int
env_client(struct pipe_env *e, const struct xforward *x)
{
	static const struct xforward none;

	if (x == NULL)
		x = &none;
	if (pipe_env_set(e, "CLIENT_IP", x->addr) == -1 ||
	    pipe_env_set(e, "CLIENT_HOST", x->name) == -1 ||
	    pipe_env_set(e, "HELO", x->helo) == -1 ||
	    pipe_env_set(e, "PROTOCOL", x->proto) == -1 ||
	    pipe_env_set(e, "MESSAGE_ID", x->ident) == -1 ||
	    pipe_env_set(e, "TLS", x->tls) == -1)
		return -1;
	return 0;
}

int
pipe_env_envelope(struct pipe_env *e, const char *sender,
    const struct mailbox *rcpt, int delim, const struct xforward *x)
{
	char addr[ADDR_MAX + 1], local[ADDR_LOCAL_MAX + 1];
	char ext[ADDR_LOCAL_MAX + 1], domain[ADDR_DOMAIN_MAX + 1];
	char rpath[ADDR_MAX + 3], dto[ADDR_MAX + 3];

	mailbox_format(rcpt, addr, sizeof(addr));
	if (mailbox_split(rcpt, delim, local, sizeof(local), ext,
	    sizeof(ext)) == -1)
		return -1;
	snprintf(domain, sizeof(domain), "%s", rcpt->domain);
	lowercase(domain);
	/* the fields' values, as samotop-maildir writes them */
	snprintf(rpath, sizeof(rpath), "<%s>", sender);
	snprintf(dto, sizeof(dto), "<%s>", addr);
	if (pipe_env_set(e, "SENDER", sender) == -1 ||
	    pipe_env_set(e, "RECIPIENT", addr) == -1 ||
	    pipe_env_set(e, "RETURN_PATH", rpath) == -1 ||
	    pipe_env_set(e, "DELIVERED_TO", dto) == -1 ||
	    pipe_env_set(e, "LOCAL", local) == -1 ||
	    pipe_env_set(e, "DOMAIN", domain) == -1 ||
	    pipe_env_set(e, "EXTENSION", ext) == -1)
		return -1;
	return env_client(e, x);
}

const char *
pipe_status(enum pipe_end how, int code)
{
	if (how != PIPE_EXITED)
		return "451 4.3.0";
	switch (code) {
	case 0:
		return "250 2.0.0";
	case PIPE_EX_TEMPFAIL:
		return "451 4.3.0";
	case PIPE_EX_NOUSER:
		return "550 5.1.1";
	case PIPE_EX_NOPERM:
		return "550 5.7.1";
	}
	return "554 5.3.0";
}

/* What happened, for a reply without the command's own text. */
static void
default_text(char *buf, size_t size, enum pipe_end how, int code)
{
	const char *what = "Delivery failed";

	switch (how) {
	case PIPE_SIGNALED:
		snprintf(buf, size, "Command killed by signal %d", code);
		return;
	case PIPE_TIMEOUT:
		snprintf(buf, size, "Command timed out after %d s",
		    code);
		return;
	case PIPE_NOSTART:
		snprintf(buf, size, "Command could not be started: %s",
		    strerror(code));
		return;
	case PIPE_EXITED:
		break;
	}
	if (code == 0) {
		snprintf(buf, size, "Delivered");
		return;
	}
	if (code == PIPE_EX_TEMPFAIL)
		what = "Temporary failure";
	else if (code == PIPE_EX_NOUSER)
		what = "No such user";
	else if (code == PIPE_EX_NOPERM)
		what = "Permission denied";
	snprintf(buf, size, "%s (exit %d)", what, code);
}

void
pipe_reply(char *reply, size_t size, enum pipe_end how, int code,
    const char *text)
{
	char dflt[128];

	if (how != PIPE_EXITED || text == NULL || text[0] == '\0') {
		default_text(dflt, sizeof(dflt), how, code);
		text = dflt;
	}
	snprintf(reply, size, "%s %s", pipe_status(how, code), text);
}

size_t
pipe_text(char *out, size_t size, const char *in, size_t len)
{
	size_t i, n = 0, max = size - 1;
	unsigned char ch;

	if (max > PIPE_TEXT_MAX)
		max = PIPE_TEXT_MAX;
	for (i = 0; i < len && n < max; i++) {
		ch = in[i];
		if (ch == '\r' || ch == '\n')
			break;
		if (ch == '\t')
			ch = ' ';
		else if (ch < 0x20 || ch > 0x7e)
			ch = '?';
		if (ch == ' ' && n == 0)
			continue;
		out[n++] = ch;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n;
}
