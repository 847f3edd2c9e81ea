#!/usr/bin/env bash
# xrt: xrtd as a background daemon (no -f), the way an init script starts
# it: the shell gets its exit status once it is ready, the detached daemon
# answers pings to its addresses through AF_XDP (sockets opened after the
# fork), forwards, reloads a config given by a relative path on SIGHUP, and
# stops on SIGTERM.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
cat >"$XRT_TMP/xrtd.conf" <<CONF
link attach dev $IF_RA
link attach dev $IF_RB
addr add 2001:db8:1::1/64 dev $IF_RA
addr add 2001:db8:2::1/64 dev $IF_RB
route add 2001:db8:b::/64 via 2001:db8:2::2
CONF
xrt_bpffs r
(cd "$XRT_TMP" && xrt_exec r "$XRT_BUILD/xrtd" -c xrtd.conf --bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ") \
	>"$XRT_TMP/xrtd-r.log" 2>&1 || xrt_fail "xrtd did not start: $(cat "$XRT_TMP/xrtd-r.log")"
pid=$(ip netns pids "$(xrt_ns r)")
[ -n "$pid" ] || xrt_fail "no daemon running in r"
XRT_PIDS+=("$pid")
[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" != "$$" ] || xrt_fail "xrtd did not detach"

echo0=$(xrt_cli r stats | awk '$1 == "Icmp6OutEchoReplies" {print $2}')
out=$(xrt_exec a ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:1::1) || xrt_fail "ping to the daemon's address: $out"
assert_ge "$(($(xrt_cli r stats | awk '$1 == "Icmp6OutEchoReplies" {print $2}') - echo0))" 3 "echo replies sent by the daemon"
out=$(xrt_exec a ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:b::1) || xrt_fail "ping through the router: $out"

echo "route add blackhole 2001:db8:dead::/48" >>"$XRT_TMP/xrtd.conf"
kill -HUP "$pid"
xrt_wait_for "xrt_cli r route show | grep -q 'blackhole 2001:db8:dead::/48'" 5 ||
	xrt_fail "SIGHUP reload with a relative config path: $(cat "$XRT_TMP/xrtd-r.log")"
kill -TERM "$pid"
xrt_wait_for "! kill -0 $pid" 5 || xrt_fail "xrtd ignored SIGTERM"
assert_not_contains "$(ip -n "$(xrt_ns r)" link show dev "$IF_RA")" " xdp" "XDP detached at shutdown"
xrt_pass "background xrtd: ready status, AF_XDP echo, forwarding, SIGHUP reload, SIGTERM"
