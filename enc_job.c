/*
 * enc_job.c: a worker's copy; see enc_job.h.
 *
 * Memory is bounded whatever the size of the message: the header
 * section (at most ENC_HDR_MAX), its two rewritten forms, and one read
 * buffer.  The plaintext is never written anywhere but into the library
 * that encrypts it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enc_job.h"
#include "enc_mime.h"
#include "fdio.h"

struct src {
	struct enc_job	*j;
	const char	*seg[2];	/* protected header, then the body */
	size_t		 seglen[2];	/* read so far */
	size_t		 nseg, at;
	int		 eof;		/* the pipe ended */
	int		 aborted;	/* ... without the commit octet */
	int		 failed;	/* reading failed */
};

struct sink {
	struct enc_job	*j;
	int		 cr;		/* the last octet was a CR */
	unsigned long long octets;	/* written to the helper */
	int		 failed;
};

/* After the pipe ended: whether the parent said the message is whole. */
static int
committed(struct enc_job *j)
{
	char c;

	return fd_read_some(j->commit, &c, 1) == 1;
}

/* Up to size octets from the pipe; 0 at its end. */
static ssize_t
pipe_read(struct src *s, char *buf, size_t size)
{
	ssize_t n;

	if (s->eof)
		return 0;
	n = fd_read_some(s->j->in, buf, size);
	if (n == -1) {
		s->failed = 1;
		return -1;
	}
	if (n == 0) {
		s->eof = 1;
		if (!committed(s->j)) {
			s->aborted = 1;
			return -1;
		}
	}
	return n;
}

/* enc_read_fn: the protected header, the body read with it, the rest. */
static ssize_t
src_read(void *ctx, char *buf, size_t size)
{
	struct src *s = ctx;
	size_t n;

	while (s->at < s->nseg) {
		n = s->seglen[s->at];
		if (n == 0) {
			s->at++;
			continue;
		}
		if (n > size)
			n = size;
		memcpy(buf, s->seg[s->at], n);
		s->seg[s->at] += n;
		s->seglen[s->at] -= n;
		return (ssize_t)n;
	}
	return pipe_read(s, buf, size);
}

static int
send_out(struct sink *k, const char *buf, size_t len)
{
	if (helper_write(k->j->h, buf, len, k->j->timeout) == -1) {
		k->failed = 1;
		return -1;
	}
	k->octets += len;
	return 0;
}

/*
 * enc_write_fn: to the helper with CRLF line ends (the armor and base64
 * may end lines with a bare LF), dot-stuffed by helper_write().
 */
static int
sink_write(void *ctx, const char *buf, size_t len)
{
	struct sink *k = ctx;
	const char *lf, *start = buf, *p = buf, *end = buf + len;

	/* Whole runs go out at once; only a bare LF splits them. */
	while ((lf = memchr(p, '\n', end - p)) != NULL) {
		if (lf == start ? !k->cr : lf[-1] != '\r') {
			if (send_out(k, buf, lf - buf) == -1 ||
			    send_out(k, "\r\n", 2) == -1)
				return -1;
			buf = lf + 1;
		}
		p = lf + 1;
	}
	if (len > 0)
		k->cr = end[-1] == '\r';
	return buf < end ? send_out(k, buf, end - buf) : 0;
}

static void
fail_log(struct enc_job *j, const char *why)
{
	log_event(j->log, LVL_ERROR, "encrypt", "msgid", j->msgid, "to",
	    j->rcpt, "result", "failed", "reason", why, NULL);
}

/* The message is encrypted already: it goes on as it came. */
static int
pass_through(struct enc_job *j, struct src *s, const char *buf, size_t len,
    char *rbuf)
{
	struct sink k = { j, 0, 0, 0 };
	char octets[24];
	ssize_t n;

	if (send_out(&k, buf, len) == -1) {
		fail_log(j, j->h->why);
		return ENC_EXIT_FAIL;
	}
	while ((n = pipe_read(s, rbuf, ENC_READ_SIZE)) > 0)
		if (send_out(&k, rbuf, (size_t)n) == -1) {
			fail_log(j, j->h->why);
			return ENC_EXIT_FAIL;
		}
	if (n == -1)
		return s->aborted ? ENC_EXIT_ABORT : ENC_EXIT_FAIL;
	if (helper_end_data(j->h, j->timeout) == -1) {
		fail_log(j, j->h->why);
		return ENC_EXIT_FAIL;
	}
	snprintf(octets, sizeof(octets), "%llu", k.octets);
	log_event(j->log, LVL_INFO, "encrypt", "msgid", j->msgid, "to",
	    j->rcpt, "kind", "passthrough", "reason", "already encrypted",
	    "octets", octets, NULL);
	return ENC_EXIT_OK;
}

/* The outer header, the PGP/MIME parts, the ciphertext, the close. */
static int
encrypt(struct enc_job *j, struct src *s, const char *hdr, size_t hlen,
    char *outer, size_t osize)
{
	struct sink k = { j, 0, 0, 0 };
	unsigned char rnd[16];
	char b[ENC_BOUNDARY_MAX], mime[512], part[1024], octets[24];
	const char *why = "the header does not fit";
	size_t n;
	int rc;

	if (getentropy(rnd, sizeof(rnd)) == -1) {
		fail_log(j, strerror(errno));
		return ENC_EXIT_FAIL;
	}
	enc_mime_boundary(rnd, b);
	if (j->key->kind == ENC_PGP)
		n = enc_mime_pgp_fields(b, mime, sizeof(mime));
	else
		n = (size_t)snprintf(mime, sizeof(mime),
		    "MIME-Version: 1.0\r\nContent-Type: %s\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "Content-Disposition: attachment; "
		    "filename=\"smime.p7m\"\r\n",
		    smime_content_type(j->cipher));
	if (n == 0 || n >= sizeof(mime) ||
	    (n = enc_mime_outer(hdr, hlen, j->keep_subject, mime, outer,
	    osize)) == 0) {
		fail_log(j, why);
		return ENC_EXIT_FAIL;
	}
	if (send_out(&k, outer, n) == -1)
		goto helper_failed;
	if (j->key->kind == ENC_PGP) {
		n = enc_mime_pgp_open(b, part, sizeof(part));
		if (send_out(&k, part, n) == -1)
			goto helper_failed;
		rc = pgp_encrypt(j->key->pgp, src_read, s, sink_write, &k,
		    &why);
	} else
		rc = smime_encrypt(j->key->smime, j->cipher, src_read, s,
		    sink_write, &k, &why);
	if (s->aborted)
		return ENC_EXIT_ABORT;	/* not an error of ours: no log */
	if (k.failed)
		goto helper_failed;
	if (rc == -1) {
		fail_log(j, s->failed ? strerror(errno) : why);
		return ENC_EXIT_FAIL;
	}
	if (j->key->kind == ENC_PGP) {
		n = enc_mime_pgp_close(b, part, sizeof(part));
		if (send_out(&k, part, n) == -1)
			goto helper_failed;
	}
	if (helper_end_data(j->h, j->timeout) == -1)
		goto helper_failed;
	snprintf(octets, sizeof(octets), "%llu", k.octets);
	log_event(j->log, LVL_INFO, "encrypt", "msgid", j->msgid, "to",
	    j->rcpt, "kind", j->key->kind == ENC_PGP ? "openpgp" : "smime",
	    "octets", octets, NULL);
	return ENC_EXIT_OK;
helper_failed:
	fail_log(j, j->h->why);
	return ENC_EXIT_FAIL;
}

/* The header section, and the part of the body read with it. */
static int
read_header(struct enc_job *j, struct src *s, char *buf, size_t *len,
    size_t *hlen, size_t *body)
{
	ssize_t n;

	*len = 0;
	for (;;) {
		if (enc_mime_split(buf, *len, s->eof, hlen, body))
			return ENC_EXIT_OK;
		if (*len == ENC_HDR_MAX) {
			log_event(j->log, LVL_WARN, "encrypt", "msgid",
			    j->msgid, "to", j->rcpt, "result", "refused",
			    "reason", "header section too large to encrypt",
			    NULL);
			return ENC_EXIT_HEADER;
		}
		n = pipe_read(s, buf + *len, ENC_HDR_MAX - *len);
		if (n == -1)
			return s->aborted ? ENC_EXIT_ABORT : ENC_EXIT_FAIL;
		*len += (size_t)n;
	}
}

int
enc_job_run(struct enc_job *j)
{
	struct src s;
	char *buf, *prot = NULL, *outer = NULL;
	size_t len, hlen, body, plen, osize;
	int rc;

	memset(&s, 0, sizeof(s));
	s.j = j;
	if ((buf = malloc(ENC_HDR_MAX + ENC_READ_SIZE)) == NULL) {
		fail_log(j, strerror(errno));
		return ENC_EXIT_FAIL;
	}
	if ((rc = read_header(j, &s, buf, &len, &hlen, &body)) != ENC_EXIT_OK)
		goto done;
	if (enc_mime_is_encrypted(buf, hlen)) {
		rc = pass_through(j, &s, buf, len, buf + ENC_HDR_MAX);
		goto done;
	}
	osize = hlen + 1024;
	if ((prot = malloc(hlen + ENC_MIME_EXTRA)) == NULL ||
	    (outer = malloc(osize)) == NULL) {
		fail_log(j, strerror(errno));
		rc = ENC_EXIT_FAIL;
		goto done;
	}
	plen = enc_mime_protect(buf, hlen, prot, hlen + ENC_MIME_EXTRA);
	s.seg[0] = prot;
	s.seglen[0] = plen;
	s.seg[1] = buf + body;
	s.seglen[1] = len - body;
	s.nseg = 2;
	rc = encrypt(j, &s, buf, hlen, outer, osize);
done:
	free(outer);
	free(prot);
	free(buf);
	return rc;
}
