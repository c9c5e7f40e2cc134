/*
 * test_trace.c: leave-no-trace's key file and keyed hashes (trace.h).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"
#include "unit.h"

static char dir[64];

static void
scratch(void)
{
	snprintf(dir, sizeof(dir), "/tmp/samotop-trace.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	CHECK(fd != -1);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
	CHECK(chmod(path, mode) == 0);
}

/* RFC 4231 test case 2, through the dlopen(3)ed libcrypto. */
static void
test_hmac_vector(void)
{
	static const unsigned char want[CRYPTO_SHA256_LEN] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04,
		0x24, 0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08,
		0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec,
		0x38, 0x43 };
	static const char data[] = "what do ya want for nothing?";
	unsigned char md[CRYPTO_SHA256_LEN];
	struct cryptolib lib;
	char why[256];

	memset(&lib, 0, sizeof(lib));
	CHECK(cryptolib_open(&lib, why, sizeof(why)) == 0);
	CHECK(cryptolib_hmac_sha256(&lib, "Jefe", 4, data, strlen(data),
	    md) == 0);
	CHECK(memcmp(md, want, sizeof(md)) == 0);
}

/* Created once, 0600, 32 octets; read back the same. */
static void
test_key_created(void)
{
	unsigned char a[TRACE_KEY_LEN], b[TRACE_KEY_LEN];
	char path[128], why[256];
	struct stat st;

	scratch();
	snprintf(path, sizeof(path), "%s/key", dir);
	CHECK(trace_key_check(path, why, sizeof(why)) == 0);
	CHECK(access(path, F_OK) == -1);	/* -n creates nothing */
	umask(022);
	CHECK(trace_key(path, a, why, sizeof(why)) == 0);
	CHECK(stat(path, &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
	CHECK(st.st_size == TRACE_KEY_LEN);
	CHECK(trace_key(path, b, why, sizeof(why)) == 0);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	CHECK(trace_key_check(path, why, sizeof(why)) == 0);
	/* no temporary file is left behind */
	snprintf(path, sizeof(path), "test $(ls -A %s | wc -l) -eq 1", dir);
	CHECK(system(path) == 0);
	unit_rmtree(dir);
}

/* Sessions that start together agree on one key. */
static void
test_key_race(void)
{
	unsigned char mine[TRACE_KEY_LEN], theirs[TRACE_KEY_LEN];
	char path[128], why[256];
	int p[2], i, status;
	pid_t pid[8];

	scratch();
	snprintf(path, sizeof(path), "%s/key", dir);
	CHECK(pipe(p) == 0);
	for (i = 0; i < 8; i++) {
		if ((pid[i] = fork()) == 0) {
			if (trace_key(path, mine, why, sizeof(why)) == -1)
				_exit(1);
			_exit(write(p[1], mine, sizeof(mine)) !=
			    sizeof(mine));
		}
		CHECK(pid[i] > 0);
	}
	close(p[1]);
	CHECK(read(p[0], mine, sizeof(mine)) == sizeof(mine));
	for (i = 1; i < 8; i++) {
		CHECK(read(p[0], theirs, sizeof(theirs)) == sizeof(theirs));
		CHECK(memcmp(mine, theirs, sizeof(mine)) == 0);
	}
	for (i = 0; i < 8; i++) {
		CHECK(waitpid(pid[i], &status, 0) == pid[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(p[0]);
	unit_rmtree(dir);
}

/* A wrong size, a wide mode or a directory is an error that says so. */
static void
test_key_bad(void)
{
	unsigned char key[TRACE_KEY_LEN];
	char path[128], why[256];

	scratch();
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, "short", 5, 0600);
	CHECK(trace_key(path, key, why, sizeof(why)) == -1);
	CHECK(strstr(why, "not a key") != NULL);
	CHECK(trace_key_check(path, why, sizeof(why)) == -1);
	write_file(path, "0123456789abcdef0123456789abcdef", 32, 0644);
	CHECK(trace_key(path, key, why, sizeof(why)) == -1);
	CHECK(strstr(why, "chmod 600") != NULL);
	unlink(path);
	CHECK(mkdir(path, 0700) == 0);
	CHECK(trace_key(path, key, why, sizeof(why)) == -1);
	CHECK(strncmp(why, path, strlen(path)) == 0);
	snprintf(path, sizeof(path), "%s/none/key", dir);
	CHECK(trace_key(path, key, why, sizeof(why)) == -1);
	CHECK(trace_key_check(path, why, sizeof(why)) == -1);
	unit_rmtree(dir);
}

static time_t fake_now;

static time_t
now(time_t *t)
{
	(void)t;
	return fake_now;
}

/* Log hashes: stable within a UTC day, different the next. */
static void
test_log_hash(void)
{
	char a[TRACE_LOG_HEX + 1], b[TRACE_LOG_HEX + 1], c[TRACE_LOG_HEX + 1];
	char path[128], why[256];
	struct trace t;

	scratch();
	snprintf(path, sizeof(path), "%s/key", dir);
	memset(&t, 0, sizeof(t));	/* as a calloc'd session has it */
	trace_log_hash(&t, "127.0.0.1", a, sizeof(a));
	CHECK_STR(a, "");		/* not open: no hash */
	trace_init(&t);
	t.now = now;
	CHECK(trace_open(&t, path, why, sizeof(why)) == 0);
	fake_now = 86400 * 100 + 10;
	trace_log_hash(&t, "127.0.0.1", a, sizeof(a));
	CHECK(strlen(a) == TRACE_LOG_HEX);
	CHECK(strspn(a, "0123456789abcdef") == TRACE_LOG_HEX);
	fake_now = 86400 * 101 - 1;
	trace_log_hash(&t, "127.0.0.1", b, sizeof(b));
	CHECK_STR(a, b);
	trace_log_hash(&t, "127.0.0.2", c, sizeof(c));
	CHECK(strcmp(a, c) != 0);
	fake_now = 86400 * 101;
	trace_log_hash(&t, "127.0.0.1", b, sizeof(b));
	CHECK(strcmp(a, b) != 0);
	unit_rmtree(dir);
}

/* Store hashes: the whole HMAC, the same whatever the day. */
static void
test_store_hash(void)
{
	char a[TRACE_STORE_HEX + 1], b[TRACE_STORE_HEX + 1];
	char path[128], why[256];
	struct trace t, u;

	scratch();
	snprintf(path, sizeof(path), "%s/key", dir);
	trace_init(&t);
	trace_init(&u);
	CHECK(trace_store_hash(&t, "greylist", "x", a, sizeof(a)) == -1);
	CHECK(trace_open(&t, path, why, sizeof(why)) == 0);
	CHECK(trace_open(&u, path, why, sizeof(why)) == 0);
	CHECK(trace_store_hash(&t, "greylist", "127.0.0.0/24", a,
	    sizeof(a)) == 0);
	CHECK(trace_store_hash(&u, "greylist", "127.0.0.0/24", b,
	    sizeof(b)) == 0);
	CHECK(strlen(a) == TRACE_STORE_HEX);
	CHECK_STR(a, b);
	CHECK(trace_store_hash(&u, "other", "127.0.0.0/24", b,
	    sizeof(b)) == 0);
	CHECK(strcmp(a, b) != 0);
	CHECK(trace_store_hash(&t, "greylist", "x", a, TRACE_STORE_HEX) ==
	    -1);
	unit_rmtree(dir);
}

/* A shared store's key: the same for every host, asked for once. */
static int	fetches;
static int	fetch_fails;

static int
fetch(void *arg, unsigned char key[TRACE_KEY_LEN])
{
	(void)arg;
	fetches++;
	if (fetch_fails)
		return -1;
	memset(key, 0x5a, TRACE_KEY_LEN);
	return 0;
}

/*
 * Two hosts with their own key files hash a store value alike once
 * the key is the store's; their log hashes stay their own.  The key
 * is fetched at the first store hash only, and once.
 */
static void
test_store_hash_shared(void)
{
	char a[TRACE_STORE_HEX + 1], b[TRACE_STORE_HEX + 1];
	char la[TRACE_LOG_HEX + 1], lb[TRACE_LOG_HEX + 1];
	char path[128], why[256];
	struct trace t, u;

	scratch();
	trace_init(&t);
	trace_init(&u);
	snprintf(path, sizeof(path), "%s/key1", dir);
	CHECK(trace_open(&t, path, why, sizeof(why)) == 0);
	snprintf(path, sizeof(path), "%s/key2", dir);
	CHECK(trace_open(&u, path, why, sizeof(why)) == 0);
	CHECK(trace_store_hash(&t, "greylist", "127.0.0.0/24", a,
	    sizeof(a)) == 0);
	CHECK(trace_store_hash(&u, "greylist", "127.0.0.0/24", b,
	    sizeof(b)) == 0);
	CHECK(strcmp(a, b) != 0);	/* the files' keys: they differ */
	fetches = fetch_fails = 0;
	trace_shared(&t, fetch, NULL);
	trace_shared(&u, fetch, NULL);
	trace_log_hash(&t, "127.0.0.1", la, sizeof(la));
	trace_log_hash(&u, "127.0.0.1", lb, sizeof(lb));
	CHECK(strcmp(la, lb) != 0);
	CHECK(fetches == 0);		/* nothing hashed into the store */
	CHECK(trace_store_hash(&t, "greylist", "127.0.0.0/24", a,
	    sizeof(a)) == 0);
	CHECK(trace_store_hash(&t, "limit", "127.0.0.0/24", b,
	    sizeof(b)) == 0);
	CHECK(fetches == 1);
	CHECK(trace_store_hash(&u, "greylist", "127.0.0.0/24", b,
	    sizeof(b)) == 0);
	CHECK(fetches == 2);
	CHECK_STR(a, b);
	/* a store that failed is not asked again, and nothing is hashed */
	fetches = 0;
	fetch_fails = 1;
	trace_shared(&t, fetch, NULL);
	CHECK(trace_store_hash(&t, "greylist", "x", a, sizeof(a)) == -1);
	CHECK(trace_store_hash(&t, "greylist", "x", a, sizeof(a)) == -1);
	CHECK(fetches == 1);
	unit_rmtree(dir);
}

static void
test_round(void)
{
	CHECK(trace_round(86400 * 5 + 4000, 86400) == 86400 * 5);
	CHECK(trace_round(86400 * 5 + 4000, 3600) == 86400 * 5 + 3600);
	CHECK(trace_round(17, 1) == 17);
	CHECK(trace_round(17, 0) == 17);
}

int
main(void)
{
	TEST(test_hmac_vector);
	TEST(test_key_created);
	TEST(test_key_race);
	TEST(test_key_bad);
	TEST(test_log_hash);
	TEST(test_store_hash);
	TEST(test_store_hash_shared);
	TEST(test_round);
	return UNIT_DONE();
}
