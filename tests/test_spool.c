/*
 * test_spool.c: the message spool (spool.h): what goes in comes out,
 * and the disk never sees the plaintext, a name, or a reused key.
 */
/* memmem(3) is a GNU extension. */
#define _GNU_SOURCE

#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"
#include "unit.h"

#define MiB	(1024 * 1024)

static char dir[64];
static struct cryptolib lib;

static void
scratch(void)
{
	snprintf(dir, sizeof(dir), "/tmp/samotop-spool.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
}

/* Entries in dir, "." and ".." aside. */
static int
entries(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
randomize(unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = getrandom(p, len, 0)) <= 0) {
			CHECK(n > 0);
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Write data in chunks of the sizes in wchunk, in turn. */
static int
put(struct spool *s, const unsigned char *data, size_t len,
    const size_t *wchunk, size_t nw)
{
	size_t off = 0, n, i = 0;

	while (off < len) {
		n = wchunk[i++ % nw];
		if (n > len - off)
			n = len - off;
		if (spool_write(s, data + off, n) != SPOOL_OK)
			return -1;
		off += n;
	}
	return 0;
}

/* Rewind and read it all back in chunks of the sizes in rchunk: equal? */
static int
same(struct spool *s, const unsigned char *data, size_t len,
    const size_t *rchunk, size_t nr)
{
	unsigned char *back;
	size_t off = 0, i = 0, want;
	ssize_t n;
	int ok = 1;

	if ((back = malloc(len + 1)) == NULL || spool_rewind(s) != SPOOL_OK) {
		free(back);
		return 0;
	}
	for (;;) {
		want = rchunk[i++ % nr];
		if (want > len + 1 - off)
			want = len + 1 - off;
		if ((n = spool_read(s, back + off, want)) <= 0)
			break;
		off += (size_t)n;
	}
	if (n != 0 || off != len || memcmp(back, data, len) != 0)
		ok = 0;
	free(back);
	return ok;
}

/* The file's bytes, as anyone who can open /proc/PID/fd/N sees them. */
static unsigned char *
file_bytes(const struct spool *s, size_t *len)
{
	unsigned char *p;
	char path[64];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || (p = malloc(st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	n = pread(fd, p, st.st_size, 0);
	close(fd);
	if (n != st.st_size) {
		free(p);
		return NULL;
	}
	*len = (size_t)n;
	return p;
}

/*
 * Was the file ever named?  The kernel's name for it tells: O_TMPFILE's
 * is "#inode", the fallback's ".samotop-spool.XXXXXX".
 */
static int
was_named(const struct spool *s)
{
	char path[64], name[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	if ((n = readlink(path, name, sizeof(name) - 1)) == -1)
		return -1;
	name[n] = '\0';
	return strstr(name, "/.samotop-spool.") != NULL;
}

/* Does this file system give O_TMPFILE? */
static int
has_tmpfile(void)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);

	if (fd == -1)
		return 0;
	close(fd);
	return 1;
}

static void
test_ctr_vector(void)
{
	/* NIST SP 800-38A F.5.5, CTR-AES256.Encrypt, two blocks. */
	static const unsigned char key[32] = {
		0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73,
		0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07,
		0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14,
		0xdf, 0xf4 };
	static const unsigned char iv[16] = {
		0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
		0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff };
	static const unsigned char pt[32] = {
		0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d,
		0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a, 0xae, 0x2d, 0x8a, 0x57,
		0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf,
		0x8e, 0x51 };
	static const unsigned char ct[32] = {
		0x60, 0x1e, 0xc3, 0x13, 0x77, 0x57, 0x89, 0xa5, 0xb7, 0xa7,
		0xf5, 0x04, 0xbb, 0xf3, 0xd2, 0x28, 0xf4, 0x43, 0xe3, 0xca,
		0x4d, 0x62, 0xb5, 0x9a, 0xca, 0x84, 0xe9, 0x90, 0xca, 0xca,
		0xf5, 0xc5 };
	unsigned char out[32];
	EVP_CIPHER_CTX *c;

	CHECK((c = cryptolib_ctr_new(&lib)) != NULL);
	/* Cut where blocks are not: the stream goes on across calls. */
	CHECK(cryptolib_ctr_start(&lib, c, key, iv) == 0);
	CHECK(cryptolib_ctr(&lib, c, out, pt, 1) == 0);
	CHECK(cryptolib_ctr(&lib, c, out + 1, pt + 1, 20) == 0);
	CHECK(cryptolib_ctr(&lib, c, out + 21, pt + 21, 11) == 0);
	CHECK(memcmp(out, ct, sizeof(ct)) == 0);
	/* Wiped, then started again, the same stream decrypts, in place. */
	CHECK(cryptolib_ctr_wipe(&lib, c) == 0);
	CHECK(cryptolib_ctr_start(&lib, c, key, iv) == 0);
	CHECK(cryptolib_ctr(&lib, c, out, out, sizeof(out)) == 0);
	CHECK(memcmp(out, pt, sizeof(pt)) == 0);
	cryptolib_ctr_free(&lib, c);
}

static void
round_trip(size_t len)
{
	static const size_t wchunk[] = { 1, 7, 4093, 65537, 3, 100003 };
	static const size_t rchunk[] = { 8191, 2, 65536, 13, 1000000 };
	static const size_t whole[] = { 20 * MiB };
	unsigned char *data;
	struct spool s;
	struct stat st;
	char why[256];

	scratch();
	CHECK((data = malloc(len + 1)) != NULL);
	randomize(data, len);
	CHECK(spool_open(&s, dir, &lib, 20 * MiB, why, sizeof(why)) == 0);
	CHECK(put(&s, data, len, wchunk, 6) == 0);
	CHECK(spool_size(&s) == (off_t)len);
	CHECK(same(&s, data, len, rchunk, 5));
	/* Again, read another way. */
	CHECK(same(&s, data, len, whole, 1));
	if (len <= SPOOL_MEM)
		/* A small message never touches the disk. */
		CHECK(s.fd == -1);
	else {
		CHECK(s.fd != -1);
		CHECK(fstat(s.fd, &st) == 0);
		CHECK(st.st_nlink == 0);
		CHECK((st.st_mode & 0777) == 0600);
		/* What is on disk is whole blocks of the buffer. */
		CHECK(st.st_size > 0 && st.st_size % SPOOL_MEM == 0);
	}
	CHECK(entries() == 0);
	spool_close(&s);
	free(data);
	unit_rmtree(dir);
}

static void test_size_0(void) { round_trip(0); }
static void test_size_1(void) { round_trip(1); }
static void test_size_mem(void) { round_trip(SPOOL_MEM); }
static void test_size_mem_plus_1(void) { round_trip(SPOOL_MEM + 1); }
static void test_size_10mib(void) { round_trip(10 * MiB); }

/* One spool, two messages: the second, shorter, is all that comes back. */
static void
test_reset(void)
{
	static const size_t chunk[] = { 5000 };
	unsigned char *one, *two;
	struct spool s;
	struct stat st;
	char why[256];

	scratch();
	CHECK((one = malloc(MiB)) != NULL && (two = malloc(MiB)) != NULL);
	randomize(one, MiB);
	randomize(two, 300000);
	CHECK(spool_open(&s, dir, &lib, MiB, why, sizeof(why)) == 0);
	CHECK(put(&s, one, MiB, chunk, 1) == 0);
	CHECK(same(&s, one, MiB, chunk, 1));
	CHECK(spool_reset(&s) == SPOOL_OK);
	CHECK(spool_size(&s) == 0);
	CHECK(fstat(s.fd, &st) == 0 && st.st_size == 0);
	CHECK(put(&s, two, 300000, chunk, 1) == 0);
	CHECK(spool_size(&s) == 300000);
	CHECK(same(&s, two, 300000, chunk, 1));
	/* And an empty third. */
	CHECK(spool_reset(&s) == SPOOL_OK);
	CHECK(same(&s, two, 0, chunk, 1));
	spool_close(&s);
	free(one);
	free(two);
	unit_rmtree(dir);
}

/*
 * A distinctive plaintext of 1 MiB: no 16-octet window of it is in the
 * file, which has no link and no entry in the directory.
 */
static void
no_plaintext(int no_tmpfile)
{
	static const char pat[] = "Subject: samotop spool secret 0123456789\r\n";
	static const size_t chunk[] = { 999 };
	size_t len = MiB, plen = sizeof(pat) - 1, flen = 0, i;
	unsigned char *data, *file;
	struct spool s;
	struct stat st;
	char why[256];

	scratch();
	CHECK((data = malloc(len)) != NULL);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)pat[i % plen];
	CHECK(spool_open(&s, dir, &lib, 2 * MiB, why, sizeof(why)) == 0);
	s.no_tmpfile = no_tmpfile;
	CHECK(put(&s, data, len, chunk, 1) == 0);
	CHECK(s.fd != -1);
	CHECK(fstat(s.fd, &st) == 0);
	CHECK(st.st_nlink == 0);
	CHECK(entries() == 0);
	if (no_tmpfile)
		CHECK(was_named(&s) == 1);
	else if (has_tmpfile())
		CHECK(was_named(&s) == 0);
	else
		printf("# %s: no O_TMPFILE here\n", dir);
	CHECK((file = file_bytes(&s, &flen)) != NULL);
	CHECK(flen >= len - SPOOL_MEM);
	/* The plaintext repeats pat: its windows are those of pat twice. */
	for (i = 0; file != NULL && i < plen; i++)
		CHECK(memmem(file, flen, data + i, 16) == NULL);
	/* The scan can see: the plaintext itself is found. */
	CHECK(memmem(data, len, data + 7, 16) != NULL);
	CHECK(same(&s, data, len, chunk, 1));
	spool_close(&s);
	free(file);
	free(data);
	unit_rmtree(dir);
}

static void test_no_plaintext(void) { no_plaintext(0); }
/* Without O_TMPFILE: mkstemp(3), and the name is gone at once. */
static void test_no_plaintext_mkstemp(void) { no_plaintext(1); }

/* Two spools, or two messages in one, never share a key stream. */
static void
test_keys_differ(void)
{
	static const size_t chunk[] = { 65536 };
	unsigned char *data, *f1 = NULL, *f2 = NULL, *f3 = NULL;
	size_t len = 4 * SPOOL_MEM, l1 = 0, l2 = 0, l3 = 0;
	struct spool a, b;
	char why[256];

	scratch();
	CHECK((data = calloc(1, len)) != NULL);
	CHECK(spool_open(&a, dir, &lib, len, why, sizeof(why)) == 0);
	CHECK(spool_open(&b, dir, &lib, len, why, sizeof(why)) == 0);
	CHECK(put(&a, data, len, chunk, 1) == 0);
	CHECK(put(&b, data, len, chunk, 1) == 0);
	CHECK((f1 = file_bytes(&a, &l1)) != NULL);
	CHECK((f2 = file_bytes(&b, &l2)) != NULL);
	CHECK(l1 == l2 && l1 >= 3 * SPOOL_MEM);
	CHECK(f1 != NULL && f2 != NULL && memcmp(f1, f2, l1) != 0);
	/* The same spool's next message has a key of its own. */
	CHECK(spool_reset(&a) == SPOOL_OK);
	CHECK(put(&a, data, len, chunk, 1) == 0);
	CHECK((f3 = file_bytes(&a, &l3)) != NULL);
	CHECK(l3 == l1);
	CHECK(f1 != NULL && f3 != NULL && memcmp(f1, f3, l1) != 0);
	CHECK(same(&a, data, len, chunk, 1));
	CHECK(same(&b, data, len, chunk, 1));
	spool_close(&a);
	spool_close(&b);
	free(f1);
	free(f2);
	free(f3);
	free(data);
	unit_rmtree(dir);
}

/* The limit refuses a write whole, and takes what still fits. */
static void
test_limit(void)
{
	static const size_t chunk[] = { 1000 };
	unsigned char data[SPOOL_MEM + 1000];
	struct spool s;
	char why[256];

	scratch();
	memset(data, 'x', sizeof(data));
	CHECK(spool_open(&s, dir, &lib, sizeof(data), why, sizeof(why)) == 0);
	CHECK(spool_write(&s, data, SPOOL_MEM) == SPOOL_OK);
	CHECK(spool_write(&s, data, 1001) == SPOOL_TOOBIG);
	CHECK(spool_size(&s) == SPOOL_MEM);
	CHECK(s.fd == -1);
	CHECK(spool_error(&s) == SPOOL_OK);
	CHECK(spool_write(&s, data, 1000) == SPOOL_OK);
	CHECK(spool_write(&s, data, 1) == SPOOL_TOOBIG);
	CHECK(spool_size(&s) == (off_t)sizeof(data));
	CHECK(same(&s, data, sizeof(data), chunk, 1));
	spool_close(&s);
	unit_rmtree(dir);
}

/* A file size limit (RLIMIT_FSIZE) is "no room", with EFBIG, never ok. */
static void
test_efbig(void)
{
	static const size_t chunk[] = { 4096 };
	unsigned char *data, b[16];
	struct rlimit old, small;
	enum spool_error e = SPOOL_OK;
	struct spool s;
	char why[256];
	size_t off;
	int errnum = 0;

	scratch();
	CHECK((data = malloc(MiB)) != NULL);
	randomize(data, MiB);
	CHECK(spool_open(&s, dir, &lib, MiB, why, sizeof(why)) == 0);
	CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	small = old;
	small.rlim_cur = 100000;
	signal(SIGXFSZ, SIG_IGN);
	CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
	for (off = 0; off < MiB && e == SPOOL_OK; off += 4096)
		if ((e = spool_write(&s, data + off, 4096)) != SPOOL_OK)
			errnum = errno;
	CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
	signal(SIGXFSZ, SIG_DFL);
	CHECK(e == SPOOL_NOROOM);
	CHECK(errnum == EFBIG);
	CHECK(spool_error(&s) == SPOOL_NOROOM);
	CHECK(spool_errno(&s) == EFBIG);
	CHECK_STR(spool_strerror(spool_error(&s)), "no room on the spool");
	/* Broken: nothing more goes in or comes out. */
	CHECK(spool_write(&s, data, 1) == SPOOL_NOROOM);
	CHECK(spool_rewind(&s) == SPOOL_NOROOM);
	CHECK(spool_read(&s, b, sizeof(b)) == -1);
	CHECK(errno == EFBIG);
	/* Until the reset: then a message goes through. */
	CHECK(spool_reset(&s) == SPOOL_OK);
	CHECK(put(&s, data, 300000, chunk, 1) == 0);
	CHECK(same(&s, data, 300000, chunk, 1));
	spool_close(&s);
	free(data);
	unit_rmtree(dir);
}

/* A directory that is not there: the first overflow says so. */
static void
test_no_dir(void)
{
	static unsigned char data[SPOOL_MEM + 1];
	struct spool s;
	char why[256];

	CHECK(spool_open(&s, "/nonexistent/samotop", &lib, MiB, why,
	    sizeof(why)) == 0);
	CHECK(spool_write(&s, data, SPOOL_MEM) == SPOOL_OK);
	CHECK(spool_write(&s, data, 1) == SPOOL_CREATE);
	CHECK(spool_errno(&s) == ENOENT);
	spool_close(&s);
}

/* No write after a rewind until the reset. */
static void
test_order(void)
{
	static const size_t chunk[] = { 10 };
	unsigned char b[16];
	struct spool s;
	char why[256];

	CHECK(spool_open(&s, "/nonexistent", &lib, MiB, why,
	    sizeof(why)) == 0);
	CHECK(spool_read(&s, b, sizeof(b)) == -1);
	CHECK(spool_error(&s) == SPOOL_MISUSE);
	CHECK(spool_reset(&s) == SPOOL_OK);
	CHECK(spool_write(&s, "abc", 3) == SPOOL_OK);
	CHECK(spool_rewind(&s) == SPOOL_OK);
	CHECK(spool_write(&s, "def", 3) == SPOOL_MISUSE);
	CHECK(spool_reset(&s) == SPOOL_OK);
	CHECK(spool_write(&s, "ghi", 3) == SPOOL_OK);
	CHECK(same(&s, (const unsigned char *)"ghi", 3, chunk, 1));
	spool_close(&s);
	spool_close(&s);
}

int
main(void)
{
	char why[256];

	if (cryptolib_open(&lib, why, sizeof(why)) == -1) {
		printf("# %s\n", why);
		return 1;
	}
	TEST(test_ctr_vector);
	TEST(test_size_0);
	TEST(test_size_1);
	TEST(test_size_mem);
	TEST(test_size_mem_plus_1);
	TEST(test_size_10mib);
	TEST(test_reset);
	TEST(test_no_plaintext);
	TEST(test_no_plaintext_mkstemp);
	TEST(test_keys_differ);
	TEST(test_limit);
	TEST(test_efbig);
	TEST(test_no_dir);
	TEST(test_order);
	return UNIT_DONE();
}
