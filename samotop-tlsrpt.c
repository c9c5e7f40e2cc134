/*
 * samotop-tlsrpt: SMTP TLS Reporting (RFC 8460) for outgoing mail, run
 * once a day (samotop-tlsrpt(8)).
 *
 *	samotop-tlsrpt [-anV] [-c CONF] [-C CAFILE] [-d DIR]
 *
 * samotop-remote appends a line per TLS session attempt to a day file
 * per policy domain in the tlsrpt directory (tlsrpt_day.h).  Here, each
 * day file of a day that is over (-a: today's too) is aggregated into
 * one JSON report (tlsrpt.h), gzipped, and sent where the domain's
 * _smtp._tls TXT record says: each mailto: address gets a message
 * queued (q_write.h, as samotop-sendmail queues), each https: URI a
 * POST (tlsrpt_post.h).  Only then is the day file removed: a crash or
 * a failure leaves it for the next run, which sends the whole report
 * again (a duplicate, with the same report-id, is better than a
 * loss).  A mailed report whose sender's domain has dkim-sign keys is
 * signed, as RFC 8460 section 5.3 asks; a signature that fails keeps
 * the day file too.  A day file that could not be sent for KEEP_DAYS days is
 * dropped, said in the log.  -n prints the reports and sends nothing.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <arpa/nameser.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "address.h"
#include "conf.h"
#include "dkims.h"
#include "fdio.h"
#include "log.h"
#include "q_conf.h"
#include "q_dir.h"
#include "q_write.h"
#include "tlsrpt.h"
#include "tlsrpt_day.h"
#include "tlsrpt_mail.h"
#include "tlsrpt_post.h"
#include "version.h"

#define KEEP_DAYS	7	/* a report not sent by then is dropped */
#define ANSWER_MAX	8192
#define CTYPE		"application/tlsrpt+gzip"

struct run {
	struct logger	 lg;
	struct conf	*conf;
	const char	*dir;
	const char	*cafile;	/* -C: https rua's CAs */
	int		 all;		/* -a: today's file too */
	int		 dry;		/* -n: print, send nothing */
	time_t		 now;
	char		 from[ADDR_MAX + 1];
	struct tlsrpt_agg *agg;
	char		*json;		/* TLSRPT_JSON_MAX */
	unsigned char	*gz;		/* compressBound(TLSRPT_JSON_MAX) */
	char		*mail;		/* TLSRPT_MAIL_MAX(of gz) */
	size_t		 gzmax, mailmax;
};

static void
usage(void)
{
	fprintf(stderr, "usage: samotop-tlsrpt [-anV] [-c conf] "
	    "[-C cafile] [-d dir]\n");
	exit(EX_USAGE);
}

/* A day file into r->agg, read in blocks (it may be large); 0, or -1. */
static int
aggregate(struct run *r, const char *path, const char *domain)
{
	static char buf[65536];
	size_t have = 0, used;
	ssize_t n;
	char *nl;
	int fd;

	tlsrpt_agg_init(r->agg, domain);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if ((n = read(fd, buf + have, sizeof(buf) - have)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		have += (size_t)n;
		/* the whole lines; a longer one than buf is skipped */
		for (nl = buf + have; nl > buf && nl[-1] != '\n'; nl--)
			;
		if (nl > buf) {
			nl--;
			used = (size_t)(nl - buf) + 1;
			tlsrpt_agg_text(r->agg, buf, used);
			memmove(buf, buf + used, have - used);
			have -= used;
		} else if (have == sizeof(buf)) {
			r->agg->skipped++;
			have = 0;
		}
		if (n == 0)
			break;
	}
	close(fd);
	return 0;
}

/* json[0..len) gzipped into r->gz (RFC 8460 §5.2); its length, or 0. */
static size_t
gzip(struct run *r, const char *json, size_t len)
{
	z_stream z;
	size_t out;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip header and trailer, not zlib's */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)(uintptr_t)json;
	z.avail_in = (uInt)len;
	z.next_out = r->gz;
	z.avail_out = (uInt)r->gzmax;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		return 0;
	}
	out = z.total_out;
	deflateEnd(&z);
	return out;
}

/*
 * The domain's report addresses (_smtp._tls TXT): 1, 0 when it takes
 * none, -1 when the look-up failed (try again next time).
 */
static int
lookup(const char *domain, struct tlsrpt_rua *rua)
{
	unsigned char msg[ANSWER_MAX];
	char name[TLSRPT_NAME_MAX + 16];
	int l, k;

	snprintf(name, sizeof(name), "_smtp._tls.%s", domain);
	if ((l = res_query(name, C_IN, T_TXT, msg, (int)sizeof(msg))) < 0)
		return h_errno == HOST_NOT_FOUND || h_errno == NO_DATA ? 0 :
		    -1;
	k = tlsrpt_txt_answer(msg, (size_t)l < sizeof(msg) ? (size_t)l :
	    sizeof(msg), rua);
	return k < 0 ? -1 : k;
}

/*
 * The DKIM-Signature: fields of the report msg[0..len) when the domain
 * of its sender has dkim-sign keys: into fields, *flen octets (0: not
 * signed).  0, or -1 (logged): then nothing is queued.
 */
static int
sign(struct run *r, const char *msg, size_t len, const char *id,
    char *fields, size_t size, size_t *flen)
{
	static struct dkims_signer signer;
	static int opened;
	struct dkims_failure why;
	struct dkims_msg dm;
	char domain[256], text[512];

	*flen = 0;
	memset(&why, 0, sizeof(why));
	if (r->conf->ndkim_sign == 0 ||
	    dkims_from_domain(r->from, domain, sizeof(domain)) == -1 ||
	    dkims_keys_for(r->conf, domain) == 0)
		return 0;
	if (!opened && dkims_open(&signer, r->conf, &why) == -1)
		goto bad;
	opened = 1;
	if (dkims_begin(&dm, &signer, domain, id, &why) == -1)
		goto bad;
	dkims_data(&dm, msg, len);
	if (dkims_end(&dm, fields, size, flen, &why) == 0)
		return 0;
bad:
	log_event(&r->lg, LVL_ERROR, "tlsrpt-mail", "dkim-sign", domain,
	    "error", dkims_strerror(&why, text, sizeof(text)), NULL);
	return -1;
}

/* The report mailed to one address: queued (0), or -1. */
static int
queue_mail(struct run *r, const char *to, const struct tlsrpt_mail *m,
    size_t len)
{
	static struct q_writer w;
	static char rcpt[1][ADDR_MAX + 1];
	static char fields[DKIMS_FIELDS_MAX];
	struct q_env e;
	size_t flen;
	struct mailbox mb;

	if (addr_parse_mailbox(to, strlen(to), 0, &mb) != ADDR_OK ||
	    mailbox_format(&mb, rcpt[0], sizeof(rcpt[0])) == 0) {
		log_event(&r->lg, LVL_WARN, "tlsrpt-mail", "domain",
		    m->domain, "to", to, "error", "not an address", NULL);
		return 0;		/* never sendable: not retried */
	}
	q_write_init(&w);
	memset(&e, 0, sizeof(e));
	snprintf(e.from, sizeof(e.from), "%s", r->from);
	e.nrcpt = 1;
	e.rcpt = rcpt;
	if (q_write_open(&w, r->conf->queue_dir, r->now) == -1)
		goto bad;
	if (sign(r, r->mail, len, w.id, fields, sizeof(fields), &flen) ==
	    -1) {
		q_write_abort(&w);
		return -1;
	}
	if (q_write_data(&w, fields, flen) == -1 ||
	    q_write_data(&w, r->mail, len) == -1 ||
	    q_write_commit(&w, &e) == -1) {
bad:
		log_event(&r->lg, LVL_ERROR, "tlsrpt-mail", "domain",
		    m->domain, "to", to, "error", w.err == Q_WRITE_EENV ?
		    q_env_strerror(w.err_env) : strerror(w.err_errno), NULL);
		q_write_abort(&w);
		return -1;
	}
	log_event(&r->lg, LVL_INFO, "tlsrpt-mail", "domain", m->domain,
	    "to", to, "id", w.id, "report_id", m->report_id, NULL);
	return 0;
}

/*
 * One day file: its report sent to every rua; 0 when it may go (sent,
 * or nobody wants it), -1 when it is to be tried again.
 */
static int
report(struct run *r, const char *path, const char *name, time_t day,
    const char *domain)
{
	static struct tlsrpt_rua rua;
	struct tlsrpt_meta meta;
	struct tlsrpt_mail m;
	char id[TLSRPT_NAME_MAX + sizeof(r->conf->hostname) + 16];
	char file[2 * TLSRPT_NAME_MAX + 64], period[16], why[256];
	size_t jlen, glen, mlen, i;
	int k, bad = 0;

	if (aggregate(r, path, domain) == -1) {
		log_event(&r->lg, LVL_ERROR, "tlsrpt", "file", path, "error",
		    strerror(errno), NULL);
		return -1;
	}
	if (r->agg->lines == 0) {
		log_event(&r->lg, LVL_WARN, "tlsrpt", "domain", domain,
		    "skipped", "all", NULL);
		return 0;
	}
	/* the day file's name is unique per domain and day: so is this */
	snprintf(id, sizeof(id), "%s@%s", name, r->conf->hostname);
	memset(&meta, 0, sizeof(meta));
	meta.org = r->conf->tlsrpt_org != NULL ? r->conf->tlsrpt_org :
	    r->conf->hostname;
	meta.contact = r->from;
	meta.report_id = id;
	meta.start = day;
	meta.end = day + 86399;
	if ((jlen = tlsrpt_json(r->agg, &meta, r->json, TLSRPT_JSON_MAX)) ==
	    0) {
		log_event(&r->lg, LVL_ERROR, "tlsrpt", "domain", domain,
		    "error", "the report cannot be written", NULL);
		return -1;
	}
	if (r->dry) {
		fwrite(r->json, 1, jlen, stdout);
		return -1;			/* kept: nothing was sent */
	}
	if ((k = lookup(domain, &rua)) <= 0) {
		log_event(&r->lg, k == 0 ? LVL_INFO : LVL_WARN, "tlsrpt",
		    "domain", domain, "rua", k == 0 ? "none" : NULL, "error",
		    k == -1 ? "the _smtp._tls TXT look-up failed" : NULL,
		    NULL);
		return k == 0 ? 0 : -1;
	}
	if ((glen = gzip(r, r->json, jlen)) == 0) {
		log_event(&r->lg, LVL_ERROR, "tlsrpt", "domain", domain,
		    "error", "gzip failed", NULL);
		return -1;
	}
	/* RFC 8460 §5.1's name: sender!policy-domain!begin!end.json.gz */
	snprintf(file, sizeof(file), "%s!%s!%lld!%lld.json.gz",
	    r->conf->hostname, domain, (long long)day,
	    (long long)day + 86399);
	snprintf(period, sizeof(period), "%.10s", name);
	memset(&m, 0, sizeof(m));
	m.from = r->from;
	m.domain = domain;
	m.submitter = r->conf->hostname;
	m.report_id = id;
	m.date = r->now;
	m.period = period;
	m.filename = file;
	m.ctype = CTYPE;
	m.report = r->gz;
	m.len = glen;
	for (i = 0; i < rua.nmailto; i++) {
		m.to = rua.mailto[i];
		if ((mlen = tlsrpt_mail(&m, r->mail, r->mailmax)) == 0) {
			log_event(&r->lg, LVL_WARN, "tlsrpt-mail", "domain",
			    domain, "to", m.to, "error", "not a header value",
			    NULL);
			continue;
		}
		if (queue_mail(r, m.to, &m, mlen) == -1)
			bad = 1;
	}
	for (i = 0; i < rua.nhttps; i++) {
		if (tlsrpt_post(rua.https[i], r->cafile, CTYPE, r->gz, glen,
		    why, sizeof(why)) == -1) {
			log_event(&r->lg, LVL_WARN, "tlsrpt-post", "domain",
			    domain, "url", rua.https[i], "error", why, NULL);
			bad = 1;
			continue;
		}
		log_event(&r->lg, LVL_INFO, "tlsrpt-post", "domain", domain,
		    "url", rua.https[i], "report_id", id, NULL);
	}
	return bad ? -1 : 0;
}

/* Every finished day file of r->dir; the exit status. */
static int
walk(struct run *r)
{
	char path[TLSRPT_PATH_MAX], domain[TLSRPT_NAME_MAX + 1];
	time_t today = r->now - r->now % 86400, day;
	struct dirent *de;
	DIR *d;
	int rc = EX_OK;

	if ((d = opendir(r->dir)) == NULL) {
		if (errno == ENOENT)
			return EX_OK;		/* nothing recorded yet */
		fprintf(stderr, "samotop-tlsrpt: %s: %s\n", r->dir,
		    strerror(errno));
		return EX_IOERR;
	}
	while ((de = readdir(d)) != NULL) {
		if (tlsrpt_day_parse(de->d_name, &day, domain) == -1 ||
		    (day >= today && !r->all))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", r->dir,
		    de->d_name) >= sizeof(path))
			continue;
		if (report(r, path, de->d_name, day, domain) == 0) {
			if (unlink(path) == -1)
				log_event(&r->lg, LVL_ERROR, "tlsrpt", "file",
				    path, "error", strerror(errno), NULL);
			continue;
		}
		if (r->dry)
			continue;
		if (day + KEEP_DAYS * 86400 <= today) {
			log_event(&r->lg, LVL_WARN, "tlsrpt", "domain", domain,
			    "file", path, "error", "not sent in a week: "
			    "dropped", NULL);
			(void)unlink(path);
			continue;
		}
		rc = EX_TEMPFAIL;		/* the next run tries again */
	}
	closedir(d);
	return rc;
}

/*
 * One run at a time: two would send each report twice.  The lock is
 * DIR/.lock, held until exit; -1 when another run holds it (or the
 * directory does not exist yet: nothing to do either).
 */
static int
lock(struct run *r)
{
	char path[TLSRPT_PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/.lock", r->dir) >=
	    sizeof(path) || (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return errno == ENOENT ? -1 : 0;	/* walk() will say */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		log_event(&r->lg, LVL_INFO, "tlsrpt", "dir", r->dir, "error",
		    "another samotop-tlsrpt is running", NULL);
		close(fd);
		return -1;
	}
	return 0;			/* fd stays open: the lock */
}

int
main(int argc, char *argv[])
{
	static struct run r;
	const char *conf_path = NULL;
	char *text = NULL, msg[300];
	int ch, rc;

	signal(SIGPIPE, SIG_IGN);
	log_init_helper(&r.lg, "samotop-tlsrpt");
	while ((ch = getopt(argc, argv, "aC:c:d:nV")) != -1) {
		switch (ch) {
		case 'a':
			r.all = 1;
			break;
		case 'C':
			r.cafile = optarg;
			break;
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			r.dir = optarg;
			break;
		case 'n':
			r.dry = 1;
			break;
		case 'V':
			version_exit("samotop-tlsrpt");
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	umask(027);
	r.gzmax = compressBound(TLSRPT_JSON_MAX) + 64;
	r.mailmax = TLSRPT_MAIL_MAX(r.gzmax);
	if ((r.conf = malloc(sizeof(*r.conf))) == NULL ||
	    (r.agg = malloc(sizeof(*r.agg))) == NULL ||
	    (r.json = malloc(TLSRPT_JSON_MAX)) == NULL ||
	    (r.gz = malloc(r.gzmax)) == NULL ||
	    (r.mail = malloc(r.mailmax)) == NULL) {
		fprintf(stderr, "samotop-tlsrpt: %s\n", strerror(errno));
		return EX_OSERR;
	}
	if (q_conf_load(r.conf, conf_path, &text, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "samotop-tlsrpt: %s\n", msg);
		return EX_CONFIG;
	}
	if (r.dir == NULL && (r.dir = r.conf->tlsrpt_dir) == NULL) {
		fprintf(stderr, "samotop-tlsrpt: no tlsrpt directory (the "
		    "tlsrpt directive, or -d)\n");
		return EX_CONFIG;
	}
	snprintf(r.from, sizeof(r.from), "%s", r.conf->tlsrpt_from != NULL ?
	    r.conf->tlsrpt_from : "");
	if (r.from[0] == '\0')
		snprintf(r.from, sizeof(r.from), "postmaster@%s",
		    r.conf->hostname);
	if (!r.dry && q_dir_ensure(r.conf->queue_dir,
	    q_conf_dir_mode(r.conf)) == -1) {
		fprintf(stderr, "samotop-tlsrpt: %s: %s\n",
		    r.conf->queue_dir, strerror(errno));
		return EX_CANTCREAT;
	}
	r.now = time(NULL);
	if (!r.dry && lock(&r) == -1) {
		free(text);
		return EX_OK;		/* another run is at it */
	}
	rc = walk(&r);
	free(text);
	return rc;
}
