#!/usr/bin/env bash
# tests/asan.bash: the bats suite against instrumented programs.
#
#   bash tests/asan.bash asan      # make check-asan: tests/*.bats but
#                                  # docs and install, against
#                                  # build-asan/ (ASan + UBSan)
#   bash tests/asan.bash valgrind  # make check-valgrind: a subset against
#                                  # wrappers that run shared builds of the
#                                  # programs (build-valgrind/bin) under
#                                  # valgrind
#
# tests/lib.bash takes the programs from $SAMOTOP_BINDIR when it is set.
# ASan builds do not seal themselves (sandbox.h: the leak check needs
# ptrace); under valgrind the wrappers turn the sandbox off.
# The sanitizers and valgrind write their reports to files in
# $BINDIR/logs/ (and never to fd 2, which the tests read); the run fails
# when the suite fails or when any report was written.  $BATS_FILES
# chooses other test files; $CC (with the sanitizer flags) builds what a
# test compiles itself (tests/dns.bats).
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
mode=${1:-asan}

case $mode in
asan)
	BINDIR=$TOP/build-asan
	# all but the two that test the source tree and make install, not
	# the programs (they build with the plain compiler; make check runs
	# them)
	files=${BATS_FILES:-$(ls tests/*.bats | grep -v -e '/docs\.bats$' \
	    -e '/install\.bats$')}
	;;
valgrind)
	BINDIR=$TOP/build-valgrind
	files=${BATS_FILES:-tests/smtp_basic.bats tests/smtp_data.bats tests/maildir.bats}
	command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
	;;
*)
	echo "usage: $0 asan|valgrind" >&2
	exit 2
	;;
esac
LOGS=$BINDIR/logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

if [ "$mode" = valgrind ]; then
	# a wrapper per program, so that the helpers smtpd starts run under
	# valgrind too; errors (and definite or possible leaks) go to a file
	# (the shared builds in build-valgrind/bin: valgrind cannot follow
	# the malloc of the static helpers)
	for p in samotop-smtpd samotop-maildir samotop-lmtp samotop-pipe; do
		[ -x "$BINDIR/bin/$p" ] || { echo "$p is not built" >&2; exit 1; }
		# (valgrind makes system calls of its own: no sandbox, see
		# samotop.conf(5) SANDBOX)
		cat >"$BINDIR/$p" <<EOF
#!/bin/sh
SAMOTOP_SANDBOX=no exec valgrind -q --error-exitcode=99 --leak-check=full \\
    --errors-for-leak-kinds=definite,possible --child-silent-after-fork=yes \\
    --log-file=$LOGS/vg.$p.%p "$BINDIR/bin/$p" "\$@"
EOF
		chmod +x "$BINDIR/$p"
	done
else
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$LOGS/asan"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/ubsan"
	# libraries' own leaks (tests/lsan.supp); no file for a clean run
	export LSAN_OPTIONS="log_path=$LOGS/lsan:suppressions=$TOP/tests/lsan.supp:print_suppressions=0"
fi
export SAMOTOP_BINDIR=$BINDIR
ulimit -c 0

tap=$BINDIR/bats.tap
start=$(date +%s)
# shellcheck disable=SC2086
bats --tap $files >"$tap" 2>&1
rc=$?
secs=$(($(date +%s) - start))
grep '^not ok' "$tap"
passed=$(grep -c '^ok ' "$tap")
failed=$(grep -c '^not ok ' "$tap")
skipped=$(grep -c '^ok .* # skip' "$tap")

# valgrind leaves an empty file behind for every clean run
find "$LOGS" -type f -empty -delete
# A file without an error line is not a report: LeakSanitizer's tracer
# writes one ("Unable to get registers from thread N") when the process
# it checks at exit is killed under it, as a helper past its deadline is.
ERRORS='ERROR|fatal error|runtime error|Invalid|uninitialised|definitely lost|possibly lost'
reports=
for r in $(find "$LOGS" -type f | sort); do
	if grep -q -E "$ERRORS" "$r"; then
		reports="$reports $r"
	else
		echo "$mode: note, not a report: $r: $(head -c 200 "$r" | tr '\n' ' ')"
	fi
done
echo "$mode: $passed passed ($skipped skipped), $failed failed in ${secs}s; bats output in $tap"
if [ -n "$reports" ]; then
	# one example of each kind: the error line and the first frame in
	# samotop's sources
	echo "$mode: $(echo $reports | wc -w) report(s) written, by kind:"
	for r in $reports; do
		sig=$(grep -m1 -E "$ERRORS" "$r" |
			sed -e 's/^==[0-9]*==//' -e 's/[0-9,]* bytes/N bytes/g' -e 's/0x[0-9a-f]*//g')
		frame=$(grep -m1 -E "$TOP/[a-z_-]+\.c:[0-9]+|\([a-z_-]+\.c:[0-9]+\)" "$r" |
			sed -e 's/^==[0-9]*==//' -e 's/0x[0-9a-fA-F]*//g')
		printf '%s\t%s\t%s\n' "$sig" "$frame" "$r"
	done | sort | awk -F '\t' '
		{ key = $1 FS $2; n[key]++; if (!(key in ex)) ex[key] = $3 }
		END { for (k in n) { split(k, a, FS)
			printf "  %d x %s\n      at %s\n      e.g. %s\n", n[k], a[1], a[2], ex[k] } }'
	exit 1
fi
echo "$mode: no report written"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
