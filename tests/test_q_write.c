/*
 * test_q_write.c: the enqueue in a temporary queue directory: the files
 * a commit leaves, what an abort and a failure leave, the listing and
 * the removal.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "q_dir.h"
#include "q_env.h"
#include "q_write.h"
#include "unit.h"

static char dir[] = "/tmp/test_q_write.XXXXXX";
static struct q_writer w;
static char rcpt[Q_RCPT_MAX][ADDR_MAX + 1];

/* files in DIR/sub */
static int
count(const char *sub)
{
	char path[256];
	DIR *d;
	struct dirent *de;
	int n = 0;

	q_dir_path(path, sizeof(path), dir, sub, NULL);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
envelope(struct q_env *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->from, "alice@example.org");
	e->rcpt = rcpt;
	strcpy(rcpt[0], "bob@example.net");
	strcpy(rcpt[1], "carol@example.net");
	e->nrcpt = 2;
}

static void
test_commit(void)
{
	struct q_env e, r;
	char path[256], buf[256], big[100000];
	static char rr[Q_RCPT_MAX][ADDR_MAX + 1];
	struct stat st;
	int fd;
	ssize_t n;

	envelope(&e);
	CHECK(q_write_open(&w, dir, 1700000000) == 0);
	CHECK(count("tmp") == 1);
	CHECK(q_write_data(&w, "Subject: x\r\n\r\n", 14) == 0);
	CHECK(q_write_data(&w, "body\r\n", 6) == 0);
	CHECK(count("mess") == 0 && count("env") == 0);
	CHECK(q_write_commit(&w, &e) == 0);
	CHECK(strcmp(e.id, w.id) == 0 && e.time == 1700000000);
	CHECK(strncmp(w.id, "1700000000-", 11) == 0);
	CHECK(count("tmp") == 0 && count("mess") == 1 && count("env") == 1);
	q_dir_path(path, sizeof(path), dir, "mess", w.id);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK(n == 20 && memcmp(buf, "Subject: x\r\n\r\nbody\r\n", 20) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0640 &
	    ~(mode_t)022));
	CHECK(q_env_read(dir, w.id, &r, rr, Q_RCPT_MAX) == Q_ENV_OK);
	CHECK(r.nrcpt == 2 && strcmp(r.from, "alice@example.org") == 0);
	CHECK_STR(r.rcpt[1], "carol@example.net");
	/* larger than the buffer */
	memset(big, 'a', sizeof(big));
	CHECK(q_write_open(&w, dir, 1700000001) == 0);
	CHECK(q_write_data(&w, big, sizeof(big)) == 0);
	CHECK(q_write_data(&w, big, sizeof(big)) == 0);
	CHECK(w.size == 2 * sizeof(big));
	CHECK(q_write_commit(&w, &e) == 0);
	q_dir_path(path, sizeof(path), dir, "mess", w.id);
	CHECK(stat(path, &st) == 0 && st.st_size == 2 * sizeof(big));
	CHECK(count("env") == 2);
}

static void
test_abort(void)
{
	struct q_env e;

	envelope(&e);
	CHECK(q_write_open(&w, dir, 1700000002) == 0);
	CHECK(q_write_data(&w, "x\r\n", 3) == 0);
	q_write_abort(&w);
	CHECK(count("tmp") == 0 && count("env") == 2);
	q_write_abort(&w);	/* harmless twice */
	CHECK(q_write_data(&w, "x", 1) == -1 && w.err == Q_WRITE_ESTATE);
	/* a bad envelope: nothing queued */
	CHECK(q_write_open(&w, dir, 1700000003) == 0);
	strcpy(rcpt[0], "a\nb");
	CHECK(q_write_commit(&w, &e) == -1);
	CHECK(w.err == Q_WRITE_EENV && w.err_env == Q_ENV_ECONTROL);
	CHECK(count("tmp") == 0 && count("mess") == 2 && count("env") == 2);
	/* no queue directory */
	CHECK(q_write_open(&w, "/nonexistent/queue", 1) == -1);
	CHECK(w.err == Q_WRITE_ESYS && w.err_errno == ENOENT);
}

static void
test_enospc(void)
{
	struct q_env e;
	char full[] = "/dev/full";

	/* a full disk, as /dev/full shows one: the error is ENOSPC */
	envelope(&e);
	CHECK(q_write_open(&w, dir, 1700000004) == 0);
	close(w.fd);
	if ((w.fd = open(full, O_WRONLY)) == -1) {
		printf("# skip: no %s\n", full);
		q_write_abort(&w);
		return;
	}
	CHECK(q_write_data(&w, "x\r\n", 3) == 0);
	CHECK(q_write_commit(&w, &e) == -1);
	CHECK(w.err == Q_WRITE_ENOSPC && w.err_errno == ENOSPC);
	CHECK(strcmp(q_write_strerror(w.err), "disk full") == 0);
	CHECK(count("tmp") == 0 && count("mess") == 2 && count("env") == 2);
}

static int
collect(const char *id, void *arg)
{
	char *s = arg;

	strcat(s, id);
	strcat(s, " ");
	return strncmp(id, "1700000001", 10) == 0 ? 7 : 0;
}

static void
test_list_remove(void)
{
	char got[512] = "", path[256];
	FILE *f;

	/* not an ID: skipped */
	q_dir_path(path, sizeof(path), dir, "env", "junk");
	f = fopen(path, "w");
	fclose(f);
	CHECK(q_dir_list(dir, "env", collect, got) == 7);
	CHECK(strncmp(got, "1700000000-", 11) == 0);
	CHECK(strstr(got, "1700000001-") != NULL);
	CHECK(q_dir_list("/nonexistent", "env", collect, got) == -1);
	got[0] = '\0';
	CHECK(q_dir_list(dir, "env", collect, got) == 7);
	strchr(got, ' ')[0] = '\0';
	CHECK(q_dir_remove(dir, got) == 0);
	CHECK(count("env") == 2 && count("mess") == 1);
	CHECK(q_dir_remove(dir, got) == 0);	/* gone already */
	CHECK(q_dir_remove(dir, "../x") == -1 && errno == EINVAL);
}

/* q_write_prepend: fields before what was written, then more after. */
static void
test_prepend(void)
{
	static char big[100000], want[sizeof(big) + 64], got[sizeof(want)];
	const char *sig = "DKIM-Signature: v=1\r\n";
	char path[256];
	struct q_env e;
	size_t slen = strlen(sig), n;
	int fd, env = count("env");

	envelope(&e);
	memset(big, 'b', sizeof(big));
	CHECK(q_write_open(&w, dir, 1700000010) == 0);
	CHECK(q_write_data(&w, big, sizeof(big)) == 0);
	CHECK(q_write_prepend(&w, sig, slen) == 0);
	CHECK(count("tmp") == 1);		/* no tmp/ID.pre left */
	CHECK(q_write_data(&w, "end\r\n", 5) == 0);
	CHECK(w.size == slen + sizeof(big) + 5);
	CHECK(q_write_commit(&w, &e) == 0);
	CHECK(count("tmp") == 0 && count("env") == env + 1);
	memcpy(want, sig, slen);
	memcpy(want + slen, big, sizeof(big));
	memcpy(want + slen + sizeof(big), "end\r\n", 5);
	q_dir_path(path, sizeof(path), dir, "mess", w.id);
	fd = open(path, O_RDONLY);
	n = 0;
	for (ssize_t k; (k = read(fd, got + n, sizeof(got) - n)) > 0;)
		n += (size_t)k;
	close(fd);
	CHECK(n == slen + sizeof(big) + 5 && memcmp(got, want, n) == 0);
	/* given up after a prepend: nothing left in tmp/ */
	CHECK(q_write_open(&w, dir, 1700000011) == 0);
	CHECK(q_write_data(&w, "x\r\n", 3) == 0);
	CHECK(q_write_prepend(&w, sig, slen) == 0);
	q_write_abort(&w);
	CHECK(count("tmp") == 0 && count("env") == env + 1);
	/* not open */
	CHECK(q_write_prepend(&w, sig, slen) == -1 && w.err == Q_WRITE_ESTATE);
}

int
main(void)
{
	umask(022);
	if (mkdtemp(dir) == NULL || q_dir_ensure(dir, 0750) == -1) {
		perror(dir);
		return 1;
	}
	TEST(test_commit);
	TEST(test_abort);
	TEST(test_enospc);
	TEST(test_list_remove);
	TEST(test_prepend);
	unit_rmtree(dir);
	return UNIT_DONE();
}
