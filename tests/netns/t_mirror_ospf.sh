#!/usr/bin/env bash
# xrt: kernel FIB mirroring with a real routing daemon. Two xrt routers run
# BIRD (OSPFv3) in their kernels; xrtd --sync-kernel follows the kernel's
# addresses, routes and neighbours. OSPF packets still reach BIRD (local
# traffic goes up to the kernel), the learned routes land in xrt's fast
# path, and A pings B across both routers with kernel forwarding off
# everywhere. When OSPF withdraws the route, xrt drops it too.
#   a --- r1 ===(ptp, OSPFv3)=== r2 --- b
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping bird birdc
xrt_require_xrt

xrt_host_ns a; xrt_router_ns r1; xrt_router_ns r2; xrt_host_ns b
xrt_link a r1; xrt_link r1 r2; xrt_link r2 b
IF_A=$(xrt_if a r1) IF_R1A=$(xrt_if r1 a) IF_R1R2=$(xrt_if r1 r2)
IF_R2R1=$(xrt_if r2 r1) IF_R2B=$(xrt_if r2 b) IF_B=$(xrt_if b r2)
xrt_host a "$IF_A" 2001:db8:1::2/64 2001:db8:1::1
xrt_host b "$IF_B" 2001:db8:2::2/64 2001:db8:2::1
xrt_static_neigh a "$IF_A" 2001:db8:1::1 "$(xrt_mac r1 "$IF_R1A")"
xrt_static_neigh b "$IF_B" 2001:db8:2::1 "$(xrt_mac r2 "$IF_R2B")"
# The kernel owns the routers' addresses in mirror mode.
ip -n "$(xrt_ns r1)" -6 addr add 2001:db8:1::1/64 dev "$IF_R1A" nodad
ip -n "$(xrt_ns r1)" -6 addr add 2001:db8:12::1/64 dev "$IF_R1R2" nodad
ip -n "$(xrt_ns r2)" -6 addr add 2001:db8:12::2/64 dev "$IF_R2R1" nodad
ip -n "$(xrt_ns r2)" -6 addr add 2001:db8:2::1/64 dev "$IF_R2B" nodad

# xrtd first, so BIRD's adjacency has to form through xrt's fast path.
for r in r1 r2; do
	xrt_xrtd_start $r --sync-kernel
done
xrt_cli_ok r1 link attach dev "$IF_R1A"
xrt_cli_ok r1 link attach dev "$IF_R1R2"
xrt_cli_ok r2 link attach dev "$IF_R2R1"
xrt_cli_ok r2 link attach dev "$IF_R2B"
assert_contains "$(xrt_cli r1 addr show dev "$IF_R1A")" "2001:db8:1::1/64" "kernel address mirrored"
assert_contains "$(xrt_cli r1 sync)" "kernel on" "sync state"

bird_start() { # ROUTER ID CORE_IF STUB_IF
	local conf=$XRT_TMP/bird-$1.conf
	cat >"$conf" <<CONF
router id $2;
protocol device { scan time 1; }
protocol kernel { ipv6 { import none; export where source = RTS_OSPF; }; scan time 2; }
protocol ospf v3 ospf1 {
	ipv6 { import all; export none; };
	area 0 {
		interface "$3" { type ptp; hello 1; dead 4; };
		interface "$4" { stub yes; };
	};
}
CONF
	xrt_bg "$1" "bird-$1" bird -f -c "$conf" -s "$XRT_TMP/bird-$1.ctl" -P "$XRT_TMP/bird-$1.pid"
}
bird_start r1 10.0.0.1 "$IF_R1R2" "$IF_R1A"
bird_start r2 10.0.0.2 "$IF_R2R1" "$IF_R2B"
birdc_r1() { xrt_exec r1 birdc -s "$XRT_TMP/bird-r1.ctl" "$@"; }

xrt_wait_for "birdc_r1 show ospf neighbors | grep -q Full" 30 ||
	xrt_fail "OSPFv3 adjacency did not form through xrt: $(birdc_r1 show ospf neighbors)"
xrt_wait_for "xrt_cli r1 route show | grep -q '^2001:db8:2::/64 via fe80'" 20 ||
	xrt_fail "r1's xrt never learned 2001:db8:2::/64: $(xrt_cli r1 route show; ip -n "$(xrt_ns r1)" -6 route)"
xrt_wait_for "xrt_cli r2 route show | grep -q '^2001:db8:1::/64 via fe80'" 20 ||
	xrt_fail "r2's xrt never learned 2001:db8:1::/64: $(xrt_cli r2 route show)"
xrt_log "r1 routes: $(xrt_cli r1 route show | tr '\n' ';')"
assert_contains "$(xrt_cli r1 -j route show | "$XRT_PY" -c 'import json,sys; print([r["protocol"] for r in json.load(sys.stdin) if r["dst"] == "2001:db8:2::/64"])')" \
	"kernel" "learned route's origin"

for r in r1 r2; do
	assert_eq "$(xrt_exec $r sysctl -n net.ipv6.conf.all.forwarding)" 0 "$r kernel forwarding"
done
f1=$(xrt_fp_stat r1 Ip6OutForwDatagrams)
f2=$(xrt_fp_stat r2 Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -n -c 10 -i 0.1 -W 2 2001:db8:2::2) || xrt_fail "ping A -> B across two xrt routers: $out"
assert_contains "$out" "10 received" "ping A -> B"
# Every echo and reply crosses both routers' fast paths (the first one or
# two may wait in the slow path for neighbour resolution).
assert_ge "$(($(xrt_fp_stat r1 Ip6OutForwDatagrams) - f1))" 18 "r1 fast path forwarded"
assert_ge "$(($(xrt_fp_stat r2 Ip6OutForwDatagrams) - f2))" 18 "r2 fast path forwarded"
assert_contains "$(xrt_cli r1 neigh show dev "$IF_R1R2")" "fe80::" "r2's link-local resolved through the kernel"
# OSPF kept flowing to BIRD: it went up to the kernel, not to xrtd.
assert_ge "$(xrt_fp_stat r1 pass:kernel_local)" 1 "OSPF/ND handed to the kernel"

# Withdraw: BIRD on r2 stops OSPF; r1's kernel loses the route, and xrt too.
# Every negative check below first proves xrtd is alive and its CLI answered:
# a dead daemon or a failing CLI must fail the test, not satisfy "not found".
r1_pid=$(xrt_xrtd_pid r1)
r1_routes() { # r1's `xrt route show`, or exit 1 if xrtd is gone or the CLI failed
	kill -0 "$r1_pid" 2>/dev/null || xrt_fail "r1's xrtd died"
	xrt_cli r1 route show || xrt_fail "xrt route show failed on r1"
}
r1_lost_b() {
	local r
	r=$(r1_routes) || return 1
	! grep -q '^2001:db8:2::/64' <<<"$r"
}
nr0=$(xrt_fp_stat r1 Ip6InNoRoutes)
xrt_exec r2 birdc -s "$XRT_TMP/bird-r2.ctl" disable ospf1 >/dev/null
xrt_wait_for "! ip -n '$(xrt_ns r1)' -6 route show 2001:db8:2::/64 | grep -q ." 20 ||
	xrt_fail "r1's kernel kept 2001:db8:2::/64 after OSPF withdrew it: $(ip -n "$(xrt_ns r1)" -6 route)"
xrt_wait_for r1_lost_b 20 ||
	xrt_fail "r1's xrt kept 2001:db8:2::/64 after OSPF withdrew it: $(r1_routes)"
routes=$(r1_routes)
xrt_log "r1 routes after the withdrawal: $(tr '\n' ';' <<<"$routes")"
# What is left is exactly what r1's kernel still has: its own connected
# prefixes, while the learned one is gone.
assert_match "$routes" '^2001:db8:1::/64 dev '"$IF_R1A" "r1 keeps its connected prefix towards a"
assert_match "$routes" '^2001:db8:12::/64 dev '"$IF_R1R2" "r1 keeps its connected prefix towards r2"
assert_not_contains "$routes" "2001:db8:2::" "the withdrawn prefix is gone from r1"
out=$(xrt_cli r1 route get 2001:db8:2::2 2>&1) && xrt_fail "route get still finds a route: $out"
assert_contains "$out" "no route to 2001:db8:2::2" "route get after the withdrawal"
kill -0 "$r1_pid" 2>/dev/null || xrt_fail "r1's xrtd died"
# On the wire: a's ping now gets r1's Destination Unreachable (no route),
# counted by r1's fast path, instead of echo replies.
out=$(xrt_exec a ping -6 -n -c 1 -W 2 2001:db8:2::2 2>&1) && xrt_fail "ping A -> B still answered: $out"
assert_contains "$out" "From 2001:db8:1::1 icmp_seq=1 Destination unreachable: No route" "ping A -> B after the withdrawal"
assert_ge "$(($(xrt_fp_stat r1 Ip6InNoRoutes) - nr0))" 1 "r1's fast path counted the packet without a route"
xrt_pass "OSPFv3 through xrt, learned routes mirrored into the fast path, forwarding across two routers, withdrawal followed"
