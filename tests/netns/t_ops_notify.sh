#!/usr/bin/env bash
# xrt: xrtd speaks sd_notify(3)'s protocol as a Type=notify service needs:
# READY=1 reaches $NOTIFY_SOCKET (a path, or an "@" abstract name) only once
# the control socket accepts and the configuration is applied, STOPPING=1 on
# SIGTERM; without NOTIFY_SOCKET nothing changes. `xrt config reload` (the
# unit's ExecReload) exits non-zero when the reload fails.
source "$(dirname "$0")/lib.sh"
xrt_require_xrt
xrt_require_cmd "$XRT_PY"

xrt_router_ns r
xrt_host_ns a
xrt_link a r
xrt_bpffs r
IF=$(xrt_if r a)
conf=$XRT_TMP/xrt.conf
printf 'link attach dev %s\naddr add 2001:db8:1::1/64 dev %s\n' "$IF" "$IF" >"$conf"
ctl=$XRT_TMP/ctl.sock

# notify_run NOTIFY_SOCKET: xrtd with it, the listener in the test's root
# namespace (a Unix socket path works across network namespaces).
notify_run() {
	local ns_addr=$1 out=$XRT_TMP/notify.$2
	xrt_bg r "listen-$2" "$XRT_PY" "$XRT_ROOT/tests/netns/notify_listen.py" "$ns_addr" "$ctl" "$out" 20
	local lpid=$XRT_LAST_PID
	xrt_wait_for "[ -s '$out' ]" 5 || xrt_fail "notify listener did not start"
	xrt_bg r "xrtd-$2" env NOTIFY_SOCKET="$ns_addr" "$XRT_BUILD/xrtd" -f --socket "$ctl" -c "$conf" \
		--bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ"
	local pid=$XRT_LAST_PID
	xrt_wait_for "grep -q '^msg READY=1' '$out'" 10 ||
		xrt_fail "no READY=1 on $ns_addr: $(cat "$out" "$XRT_TMP/xrtd-$2.log")"
	assert_contains "$(cat "$out")" "ctl accepts" "control socket accepts when READY=1 arrives"
	# The configuration is applied before READY=1.
	assert_contains "$(xrt_exec r "$XRT_BUILD/xrt" --socket "$ctl" route show)" "2001:db8:1::/64 dev $IF" \
		"configuration applied at READY=1"
	xrt_stop "$pid"
	xrt_wait_for "grep -q '^msg STOPPING=1' '$out'" 5 || xrt_fail "no STOPPING=1: $(cat "$out")"
	xrt_wait_pid "$lpid" 5 || xrt_fail "notify listener exited with status $?: $(cat "$XRT_TMP/listen-$2.log")"
	assert_contains "$(cat "$XRT_TMP/xrtd-$2.log")" "xrtd: ready on $ctl (version $(cat "$XRT_ROOT/VERSION")," \
		"ready line on stderr"
}
notify_run "$XRT_TMP/notify.sock" path
notify_run "@$XRT_PREFIX-notify" abstract

# Without NOTIFY_SOCKET, and the reload's exit status.
xrt_bg r xrtd-r "$XRT_BUILD/xrtd" -f --socket "$ctl" -c "$conf" --bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ"
pid=$XRT_LAST_PID
xrt_wait_for "xrt_exec r '$XRT_BUILD/xrt' --socket '$ctl' link show" 10 || xrt_fail "xrtd did not answer on $ctl"
out=$(xrt_exec r "$XRT_BUILD/xrt" --socket "$ctl" config reload 2>&1) || xrt_fail "config reload: $out"
echo "route add 2001:db8:9::/48 via 2001:db8:1::99 dev nosuchdev0" >>"$conf"
rc=0
out=$(xrt_exec r "$XRT_BUILD/xrt" --socket "$ctl" config reload 2>&1) || rc=$?
assert_ne "$rc" 0 "xrt config reload exit status on a failed reload"
assert_contains "$out" "nosuchdev0" "failed reload names the word"
xrt_stop "$pid"
xrt_pass "READY=1 after the control socket accepts (path and abstract), STOPPING=1, failed reload exits $rc"
