/*
 * enc_job.h: one encrypted copy, made by a worker process that
 * samotop-encrypt forks per copy at DATA (after the next helper answered
 * 354).  librnp and OpenSSL's CMS pull their input, while lmtp.c pushes
 * content: the parent writes each chunk of plaintext into the worker's
 * pipe, and the worker reads it, wraps it (enc_mime.h), encrypts it and
 * writes the result, dot-stuffed, straight to its helper, then the final
 * dot.
 *
 * The plaintext pipe ending is not enough to tell the end of the message
 * from the death of the parent (a killed samotop-encrypt closes it too):
 * the parent writes one octet into a second pipe, commit, once the
 * message is whole.  Without it the worker ends without the final dot,
 * so that the helper delivers nothing.
 */
#ifndef SAMOTOP_ENC_JOB_H
#define SAMOTOP_ENC_JOB_H

#include "deliver.h"
#include "enc_lookup.h"
#include "log.h"

/* The worker's exit status. */
#define ENC_EXIT_OK	0	/* the copy and the final dot were sent */
#define ENC_EXIT_FAIL	1	/* encryption or the helper failed: 451 */
#define ENC_EXIT_HEADER	2	/* header section over ENC_HDR_MAX: 552 */
#define ENC_EXIT_ABORT	3	/* the message did not end: nothing sent */

#define ENC_READ_SIZE	65536	/* octets read from the pipe at a time */

struct enc_job {
	int			 in;		/* the plaintext pipe */
	int			 commit;	/* its end-of-message octet */
	struct helper		*h;		/* the worker's copy of the
						 * helper, inside DATA */
	const struct enc_keyref	*key;		/* ENC_PGP or ENC_SMIME */
	enum smime_cipher	 cipher;
	int			 keep_subject;	/* -S */
	unsigned		 timeout;	/* per write to the helper */
	const struct logger	*log;
	const char		*rcpt;		/* for log lines */
	const char		*msgid;		/* samotop-smtpd's, or NULL */
};

/*
 * In the worker: make the copy.  Returns an ENC_EXIT_* status, a
 * failure logged.  A message that is already encrypted (enc_mime.h)
 * is sent as it is.
 */
int	enc_job_run(struct enc_job *j);

#endif
