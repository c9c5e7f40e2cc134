#!/usr/bin/env bats
# Regressions found by the robustness runs (README "Robustness"): each case
# is one bug, reduced.  They run the programs of the top directory under
# valgrind when a case is about memory (skipped without valgrind).

load lib

setup() { common_setup; }
teardown() { common_teardown; }

# Under make check-asan the programs are ASan's, which valgrind cannot run;
# LeakSanitizer checks the same there.
need_valgrind() {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	[ -z "${SAMOTOP_BINDIR:-}" ] ||
		skip "programs of another build (LeakSanitizer checks them)"
}

# vg ARG...: samotop-smtpd ARG... under valgrind; status 99 on a definite leak
vg() {
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 "$SMTPD_BIN" "$@"
}

# make check-asan: every `samotop-smtpd -n` (config.bats, tls.bats) died of
# LeakSanitizer, "107096 bytes in 1 object allocated from main
# samotop-smtpd.c:97": the struct conf (and the file text) are not freed
# when main() returns after -n or after a configuration that does not load.
@test "regress: samotop-smtpd -n frees its configuration (a good file, a bad file)" {
	need_valgrind
	write_conf "route * /bin/true"
	run vg -n -c "$CONF"
	[ "$status" -eq 0 ]
	echo "bogus directive" >"$T/bad.conf"
	run vg -n -c "$T/bad.conf"
	[ "$status" -eq 78 ]
}

@test "regress: a configuration that does not load: 421, and nothing leaked" {
	need_valgrind
	echo "bogus directive" >"$T/bad.conf"
	run vg -c "$T/bad.conf" </dev/null
	[ "$status" -eq 78 ]
	assert_contains "$output" "421"
}
