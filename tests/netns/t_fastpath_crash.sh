#!/usr/bin/env bash
# xrt: the daemon dies (SIGKILL, no cleanup): the XDP programs it attached
# stay, forwarding of resolved flows continues, punts fall back to the
# kernel; a restarted xrtd with the same configuration takes over again.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
CONF=$XRT_TMP/xrt.conf
xrt_topo_line_conf "$CONF"
xrt_xrtd_start r -c "$CONF"
ping_n() { # ping_n COUNT DST: all COUNT echo requests answered
	local out
	out=$(xrt_exec a ping -6 -c "$1" -i 0.05 -W 2 "$2" 2>&1) && grep -q " $1 received" <<<"$out"
}
ping_n 5 2001:db8:b::1 || xrt_fail "ping A -> B with xrtd running failed"
ping_n 3 2001:db8:1::1 || xrt_fail "ping A -> router (xrtd answers) failed"

pid=$(xrt_xrtd_pid r)
kill -KILL "$pid"
rc=0
xrt_wait_pid "$pid" 5 || rc=$?
assert_eq "$rc" $((128 + 9)) "xrtd's status: killed by SIGKILL (not gone before, not still running)"
for i in "$IF_RA" "$IF_RB"; do
	assert_contains "$(ip -n "$(xrt_ns r)" link show dev "$i")" "prog/xdp" "XDP program on $i after xrtd died"
done
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
ping_n 20 2001:db8:b::1 || xrt_fail "ping A -> B after xrtd died failed"
assert_ge "$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))" 40 "fast path forwarding after xrtd died"
# Punted traffic is the kernel's now: the router kernel, with the address
# configured, answers the ping xrtd used to answer.
ip -n "$(xrt_ns r)" -6 addr add 2001:db8:1::1/64 dev "$IF_RA" nodad
nd0=$(xrt_fp_stat r pass:no_daemon)
ping_n 3 2001:db8:1::1 || xrt_fail "ping A -> router after xrtd died (kernel fallback) failed"
assert_ge "$(($(xrt_fp_stat r pass:no_daemon) - nd0))" 3 "fast path pass:no_daemon"
ip -n "$(xrt_ns r)" -6 addr del 2001:db8:1::1/64 dev "$IF_RA"

# Restart with the same configuration: it adopts the attached programs.
xrt_xrtd_start r -c "$CONF"
nd0=$(xrt_fp_stat r pass:no_daemon)
ping_n 10 2001:db8:b::1 || xrt_fail "ping A -> B after xrtd restarted failed"
ping_n 3 2001:db8:1::1 || xrt_fail "ping A -> router after xrtd restarted failed"
assert_eq "$(($(xrt_fp_stat r pass:no_daemon) - nd0))" 0 "packets left to the kernel once xrtd is back"
xrt_pass "xrtd SIGKILLed: XDP kept forwarding, punts went to the kernel; restarted xrtd took over"
