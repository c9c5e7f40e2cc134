/*
 * test_sandbox: the tables of sandbox_policy.c hold together.  A helper
 * runs inside samotop-smtpd's filter as well as its own, so a call its
 * own table allows but smtpd's does not would kill it anyway; and no
 * table may allow what the sandbox exists to forbid.
 */
#include <stddef.h>

#include <seccomp.h>

#include "sandbox.h"
#include "unit.h"

/* Whether prog's table has a rule (any) for call nr. */
static int
has(enum sandbox_prog prog, int nr)
{
	const struct sandbox_group *const *g;
	size_t i;

	for (g = sandbox_policy(prog); g != NULL && *g != NULL; g++)
		for (i = 0; i < (*g)->ncalls; i++)
			if ((*g)->calls[i].nr == nr &&
			    (*g)->calls[i].how != SANDBOX_ERRNO)
				return 1;
	return 0;
}

static void
every_program_has_a_table(void)
{
	int p;

	for (p = 0; p < SANDBOX__COUNT; p++)
		CHECK(sandbox_policy((enum sandbox_prog)p) != NULL);
	CHECK(sandbox_policy(SANDBOX__COUNT) == NULL);
}

static void
helpers_fit_inside_smtpd(void)
{
	const struct sandbox_group *const *g;
	size_t i;
	int p;

	for (p = 0; p < SANDBOX__COUNT; p++)
		for (g = sandbox_policy((enum sandbox_prog)p); *g != NULL; g++)
			for (i = 0; i < (*g)->ncalls; i++)
				if (!has(SANDBOX_SMTPD, (*g)->calls[i].nr) &&
				    (*g)->calls[i].how != SANDBOX_ERRNO) {
					printf("#   program %d, group %s: call "
					    "%d not in smtpd's table\n", p,
					    (*g)->name, (*g)->calls[i].nr);
					CHECK(0);
				}
}

static void
forbidden_stays_forbidden(void)
{
	static const int never[] = {
		SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
		SCMP_SYS(process_vm_writev), SCMP_SYS(mount),
		SCMP_SYS(umount2), SCMP_SYS(unshare), SCMP_SYS(setns),
		SCMP_SYS(bpf), SCMP_SYS(init_module), SCMP_SYS(finit_module),
		SCMP_SYS(kexec_load), SCMP_SYS(keyctl), SCMP_SYS(add_key),
		SCMP_SYS(perf_event_open), SCMP_SYS(io_uring_setup),
		SCMP_SYS(userfaultfd), SCMP_SYS(reboot), SCMP_SYS(swapon),
		SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(personality),
	};
	size_t i;
	int p;

	for (p = 0; p < SANDBOX__COUNT; p++)
		for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
			CHECK(!has((enum sandbox_prog)p, never[i]));
}

static void
the_helpers_that_execute_nothing_cannot(void)
{
	CHECK(!has(SANDBOX_MAILDIR, SCMP_SYS(execve)));
	CHECK(!has(SANDBOX_MAILDIR, SCMP_SYS(clone)));
	CHECK(!has(SANDBOX_QUEUE, SCMP_SYS(execve)));
	CHECK(!has(SANDBOX_QUEUE, SCMP_SYS(connect)) ||
	    !has(SANDBOX_QUEUE, SCMP_SYS(bind)));
	CHECK(has(SANDBOX_SMTPD, SCMP_SYS(execve)));
}

static void
template_roots(void)
{
	char out[32];

	CHECK(sandbox_template_root("/var/mail/%d/%u", out, sizeof(out)) == 0);
	CHECK_STR(out, "/var/mail");
	CHECK(sandbox_template_root("/srv/mail-%d/%u", out, sizeof(out)) == 0);
	CHECK_STR(out, "/srv");
	CHECK(sandbox_template_root("/%u", out, sizeof(out)) == 0);
	CHECK_STR(out, "/");
	CHECK(sandbox_template_root("%u/Maildir", out, sizeof(out)) == 0);
	CHECK_STR(out, ".");
	CHECK(sandbox_template_root("/var/mail/all", out, sizeof(out)) == 0);
	CHECK_STR(out, "/var/mail/all");
	/* %% is a '%' too: the root is only shorter, never wider */
	CHECK(sandbox_template_root("/a/b%%c/d", out, sizeof(out)) == 0);
	CHECK_STR(out, "/a");
	CHECK(sandbox_template_root("/a/very/long/fixed/part/%u", out,
	    8) == -1);
}

int
main(void)
{
	TEST(every_program_has_a_table);
	TEST(helpers_fit_inside_smtpd);
	TEST(forbidden_stays_forbidden);
	TEST(the_helpers_that_execute_nothing_cannot);
	TEST(template_roots);
	return UNIT_DONE();
}
