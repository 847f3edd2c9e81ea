#!/usr/bin/env bash
# xrt: xrtd logs through syslog(3) with facility LOG_DAEMON and a priority
# per message (<PRI> = facility * 8 + severity, RFC 3164 4.1.1): ready and
# shutdown at LOG_INFO, a failed start at LOG_ERR. /dev/log is a listener of
# the test's, in a private mount namespace over a tmpfs /dev. With
# JOURNAL_STREAM naming its stderr (systemd.exec(5)), xrtd leaves stderr to
# the journal's syslog copy instead of printing each line twice.
source "$(dirname "$0")/lib.sh"
xrt_require_xrt
xrt_require_cmd unshare mknod "$XRT_PY"

xrt_router_ns r
xrt_bpffs r
log=$XRT_TMP/syslog.txt
err=$XRT_TMP/stderr.txt

# with_devlog CMD...: CMD inside r, in a mount namespace whose /dev holds
# null, urandom and a /dev/log the listener reads (until 10 s of silence).
with_devlog() {
	: >"$log"
	xrt_exec r unshare -m --propagation private bash -c '
		set -e
		mount -t tmpfs -o mode=0755 xrtdev /dev
		mknod -m 666 /dev/null c 1 3
		mknod -m 444 /dev/urandom c 1 9
		"$1" "$2" /dev/log "$3" 10 &
		for i in $(seq 50); do grep -q listening "$3" && break; sleep 0.1; done
		shift 3
		"$@"
	' _ "$XRT_PY" "$XRT_ROOT/tests/netns/syslog_listen.py" "$log" "$@"
}
bad=$XRT_TMP/bad.conf
echo "route add 2001:db8::/64 dev nosuchdev0" >"$bad"
good=$XRT_TMP/good.conf
: >"$good"

# A failed start: LOG_DAEMON|LOG_ERR = <27>, and on stderr as before.
rc=0
with_devlog timeout --foreground 20 "$XRT_BUILD/xrtd" -f --socket "$XRT_TMP/ctl.sock" -c "$bad" \
	--bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ" 2>"$err" || rc=$?
assert_eq "$rc" 1 "xrtd exit status with a failing configuration"
xrt_wait_for "grep -q nosuchdev0 '$log'" 5 || xrt_fail "no syslog message: $(cat "$log")"
assert_match "$(cat "$log")" '^<27>.*xrtd\[[0-9]+\]: .*nosuchdev0' "start failure at LOG_DAEMON|LOG_ERR"
assert_contains "$(cat "$err")" "xrtd: $bad:1" "start failure on stderr"

# A clean start and stop: LOG_DAEMON|LOG_INFO = <30>; stderr is "the
# journal", so it stays quiet. xrtd stops itself here on SIGTERM from
# timeout(1) after 3 s.
: >"$err"
journal=$(stat -c '%d:%i' "$err")
rc=0
with_devlog env JOURNAL_STREAM="$journal" timeout --foreground -s TERM 3 "$XRT_BUILD/xrtd" -f \
	--socket "$XRT_TMP/ctl.sock" -c "$good" --bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ" \
	2>>"$err" || rc=$?
assert_eq "$rc" 124 "xrtd stopped by timeout's SIGTERM"
xrt_wait_for "grep -q 'shutting down' '$log'" 5 || xrt_fail "no shutdown message: $(cat "$log")"
assert_match "$(cat "$log")" '^<30>.*xrtd\[[0-9]+\]: ready on .*version ' "ready at LOG_DAEMON|LOG_INFO"
assert_match "$(cat "$log")" '^<30>.*xrtd\[[0-9]+\]: shutting down' "shutdown at LOG_DAEMON|LOG_INFO"
assert_not_contains "$(cat "$err")" "ready on" "stderr quiet when it is the journal"
xrt_pass "syslog(3): LOG_DAEMON with LOG_ERR/LOG_INFO priorities; stderr left to the journal when JOURNAL_STREAM is its own"
