#!/bin/sh
# tests/queue_put.sh DIR TIME SENDER RCPT...: queue a message by writing
# the queue's files directly, in the fixed format of samotop-send(8)
# (mess/ID first, env/ID last: the commit point), as samotop-queue does
# but without fsync.  TIME: the epoch it was queued ("now": now).  The
# message is stdin, or when that is empty a small one naming its ID; LF
# line ends become CRLF.  Prints the ID.
set -eu
dir=$1 time=$2 from=$3
shift 3
[ "$time" = now ] && time=$(date +%s)
id="$time-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$dir/tmp" "$dir/mess" "$dir/env" "$dir/state"
cat >"$dir/tmp/$id.in"
[ -s "$dir/tmp/$id.in" ] ||
	printf 'Received: from test\nSubject: message %s\n\nbody of %s\n' "$id" "$id" >"$dir/tmp/$id.in"
sed 's/\r$//; s/$/\r/' <"$dir/tmp/$id.in" >"$dir/tmp/$id.mess"
rm "$dir/tmp/$id.in"
mv "$dir/tmp/$id.mess" "$dir/mess/$id"
{
	printf 'samotop-queue 1\nid %s\ntime %s\nfrom %s\n' "$id" "$time" "$from"
	for r in "$@"; do printf 'rcpt %s\n' "$r"; done
} >"$dir/tmp/$id.env"
mv "$dir/tmp/$id.env" "$dir/env/$id"
echo "$id"
