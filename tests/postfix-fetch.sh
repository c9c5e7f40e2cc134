#!/bin/sh
# tests/postfix-fetch.sh [DIR]: Debian's postfix package, extracted with
# dpkg -x into DIR (default tests/.postfix, git-ignored), for the tests
# that use Postfix as a remote MX (tests/postfix.bash).  Postfix is never
# installed as the system MTA: it conflicts with every other
# mail-transport-agent.  Its programs run from DIR with LD_LIBRARY_PATH
# naming DIR/usr/lib/postfix (its libpostfix-*.so); the other shared
# libraries it needs (its Depends: lib*) are installed as packages when we
# are root.  Run by ./setup (check, deps) and by the tests' set-up; does
# nothing when the tree is there and its smtp-sink finds every library.
# Needs the network the first time.  Exit 0 when ready, 1 otherwise.
set -u
dir=${1:-$(cd "$(dirname "$0")" && pwd)/.postfix}

ready() {
	[ -x "$dir/usr/sbin/smtp-sink" ] && [ -x "$dir/usr/sbin/postfix" ] &&
	    [ -x "$dir/usr/lib/postfix/sbin/master" ] || return 1
	! LD_LIBRARY_PATH=$dir/usr/lib/postfix ldd "$dir/usr/sbin/smtp-sink" \
	    "$dir/usr/lib/postfix/sbin/smtpd" 2>&1 | grep -q 'not found'
}

ready && exit 0

export DEBIAN_FRONTEND=noninteractive
# the package lists may be empty on a fresh machine: update once
lists_updated=
update_lists() {
	[ -z "$lists_updated" ] || return 1
	[ "$(id -u)" -eq 0 ] || return 1
	lists_updated=1
	apt-get update -qq >&2
}

if [ ! -x "$dir/usr/sbin/smtp-sink" ] || [ ! -x "$dir/usr/sbin/postfix" ] ||
    [ ! -x "$dir/usr/lib/postfix/sbin/master" ]; then
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download postfix >/dev/null 2>&1) ||
	    { update_lists && (cd "$tmp" && apt-get download postfix >&2); } || {
		echo "postfix-fetch: apt-get download postfix failed" >&2
		exit 1
	}
	# extracted beside, then moved into place: an interrupted run
	# leaves no half tree that looks complete
	dpkg -x "$tmp"/postfix_*.deb "$tmp/tree" || exit 1
	rm -rf "$dir"
	mv "$tmp/tree" "$dir" || exit 1
fi

# its shared libraries (libdb, libicu, libnsl, libsasl2, libssl), by
# name from its own Depends, so that no Debian release is written here
libs=$(apt-cache depends postfix 2>/dev/null |
    sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p')
want=
for p in $libs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || want="$want $p"
done
if [ -n "$want" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "postfix-fetch: missing Debian packages:$want" >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $want >&2 ||
	    { update_lists &&
	    apt-get install -y -qq --no-install-recommends $want >&2; } ||
	    exit 1
fi
ready || {
	echo "postfix-fetch: $dir/usr/sbin/smtp-sink still lacks a library" >&2
	exit 1
}
