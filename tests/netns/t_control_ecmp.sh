#!/usr/bin/env bash
# xrt: `route get` on an ECMP route names the member the fast path really
# takes for a flow (same hash, the group's buckets as programmed): for each
# UDP flow, the predicted next hop is the one whose router counts it. The
# next hops are resolved by ND, so each member's first flow is punted
# (neigh_miss): the slow path must forward it by the member the fast path
# chose, or that member's neighbour would never be resolved.
#
#          +-- m1 --+
#   a -- r |        | b      r: xrt, 2001:db8:b::/64 over m1 (weight 2) and m2
#          +-- m2 --+        m1, m2: kernel routers
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_host_ns a; xrt_router_ns r; xrt_kernel_router_ns m1; xrt_kernel_router_ns m2; xrt_host_ns b
xrt_link a r; xrt_link r m1; xrt_link r m2; xrt_link m1 b; xrt_link m2 b
ns() { xrt_ns "$1"; }
xrt_host a "$(xrt_if a r)" 2001:db8:1::2/64 2001:db8:1::1
xrt_static_neigh a "$(xrt_if a r)" 2001:db8:1::1 "$(xrt_mac r "$(xrt_if r a)")"
# The hash includes the flow label; a's kernel would pick one per socket.
xrt_exec a sysctl -qw net.ipv6.auto_flowlabels=0
for m in m1 m2; do
	i=${m#m}
	xrt_xdp_pass "$m" "$(xrt_if "$m" r)"
	ip -n "$(ns "$m")" -6 addr add "2001:db8:1$i::2/64" dev "$(xrt_if "$m" r)" nodad
	ip -n "$(ns "$m")" -6 addr add "2001:db8:2$i::1/64" dev "$(xrt_if "$m" b)" nodad
	ip -n "$(ns "$m")" -6 route add 2001:db8:b::/64 via "2001:db8:2$i::2"
	ip -n "$(ns b)" -6 addr add "2001:db8:2$i::2/64" dev "$(xrt_if b "$m")" nodad
done
ip -n "$(ns b)" -6 addr add 2001:db8:b::1/128 dev lo

xrt_xrtd_start r
for i in a m1 m2; do xrt_cli_ok r link attach dev "$(xrt_if r "$i")"; done
xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$(xrt_if r a)"
xrt_cli_ok r addr add 2001:db8:11::1/64 dev "$(xrt_if r m1)"
xrt_cli_ok r addr add 2001:db8:12::1/64 dev "$(xrt_if r m2)"
xrt_cli_ok r route add 2001:db8:b::/64 \
	nexthop via 2001:db8:11::2 dev "$(xrt_if r m1)" weight 2 \
	nexthop via 2001:db8:12::2 dev "$(xrt_if r m2)"

fwd() { xrt_snmp6 "$1" Ip6OutForwDatagrams; }
PER_FLOW=8 # at most the slow path's hold queue per unresolved neighbour
declare -A seen=()
for sport in $(seq 42001 42012); do
	pred=$(xrt_cli r route get 2001:db8:b::1 from 2001:db8:1::2 ipproto udp sport "$sport" dport 9)
	case $pred in
	*"dev $(xrt_if r m1) "*) want=m1 ;;
	*"dev $(xrt_if r m2) "*) want=m2 ;;
	*) xrt_fail "route get named no member: $pred" ;;
	esac
	seen[$want]=1
	m1a=$(fwd m1) m2a=$(fwd m2)
	xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" 2001:db8:b::1 9 "$sport" 1 "$PER_FLOW"
	xrt_wait_for "[ \$((\$(fwd m1) - $m1a + \$(fwd m2) - $m2a)) -ge $PER_FLOW ]" 5 ||
		xrt_fail "flow $sport: packets did not reach m1/m2"
	d1=$(($(fwd m1) - m1a)) d2=$(($(fwd m2) - m2a))
	got=m1
	[ "$d2" -gt 0 ] && got=m2
	[ "$d1" -gt 0 ] && [ "$d2" -gt 0 ] && xrt_fail "flow $sport split: m1 $d1, m2 $d2"
	assert_eq "$got" "$want" "flow from port $sport: route get predicted $want"
done
[ ${#seen[@]} -eq 2 ] || xrt_fail "12 flows all predicted on one member: ${!seen[*]}"
assert_ge "$(xrt_fp_stat r punt:neigh_miss)" 2 "both members were first resolved through the slow path"
for m in m1 m2; do
	assert_contains "$(xrt_cli r neigh show dev "$(xrt_if r $m)")" "REACHABLE" "$m resolved by ND"
done
# Link-local and multicast destinations are decided before the lookup.
assert_contains "$(xrt_cli r route get fe80::1)" "never forwarded" "route get link-local"
assert_contains "$(xrt_cli r route get ff05::1)" "dropped" "route get site multicast"
xrt_pass "route get predicted the fast path's ECMP member for 12 of 12 flows"
