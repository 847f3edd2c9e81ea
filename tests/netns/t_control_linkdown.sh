#!/usr/bin/env bash
# xrt: an attached link goes administratively down (ip link set down), as
# the kernel's fib6_ifdown: its ECMP members are taken out of their groups
# (no flow lost), a route whose only next hop is on it behaves as no route
# (a shorter prefix answers), the routes stay listed "dead linkdown", and
# everything comes back when the link is up again.
#
#          +-- m1 --+
#   a -- r |        | b      r: xrt, 2001:db8:b::/64 over m1 and m2 (1:1)
#          +-- m2 --+        m1, m2: kernel routers
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xd}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_topo_ecmp
fwd() { xrt_snmp6 "$1" Ip6OutForwDatagrams; }
NFLOWS=64
IF_M1=$(xrt_if r m1)
# A /80 only over m1; its covering /64 is the ECMP route.
xrt_cli_ok r route add 2001:db8:b:0:1::/80 via 2001:db8:11::2 dev "$IF_M1"
flows() { # DST: NFLOWS flows of 2 packets, counted at m1 + m2
	local m1a m2a
	m1a=$(fwd m1) m2a=$(fwd m2)
	xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" "$1" 9 43000 "$NFLOWS" 2
	xrt_wait_for "[ \$((\$(fwd m1) - $m1a + \$(fwd m2) - $m2a)) -ge $((2 * NFLOWS)) ]" 5 || true
	D1=$(($(fwd m1) - m1a)) D2=$(($(fwd m2) - m2a))
}

flows 2001:db8:b::1
assert_eq "$((D1 + D2))" $((2 * NFLOWS)) "before: packets delivered"
assert_ge "$D1" 1 "before: packets via m1"
assert_ge "$D2" 1 "before: packets via m2"

# Down: m1's members are dead; the fast path drops nothing.
ip -n "$(xrt_ns r)" link set dev "$IF_M1" down
xrt_wait_for "xrt_cli r link show dev $IF_M1 | grep -q ' down$'" 5 ||
	xrt_fail "xrtd did not see $IF_M1 go down: $(xrt_cli r link show dev "$IF_M1")"
routes=$(xrt_cli r route show)
assert_contains "$routes" "	nexthop via 2001:db8:11::2 dev $IF_M1 weight 1 dead linkdown" "dead ECMP member listed"
assert_contains "$routes" "2001:db8:b:0:1::/80 via 2001:db8:11::2 dev $IF_M1 metric 1024 dead linkdown" "dead route listed"
assert_contains "$(xrt_cli r route get 2001:db8:b:0:1::1)" "route 2001:db8:b::/64" "a dead route gives way to its covering prefix"
assert_eq "$(xrt_cli r -j route show | "$XRT_PY" -c '
import json, sys
for r in json.load(sys.stdin):
    if r["dst"] == "2001:db8:b::/64":
        print(sorted((n["dev"][-2:], n["dead"]) for n in r["nexthops"]))
    if r["dst"] == "2001:db8:b:0:1::/80":
        print(r["dead"])')" "[('m1', True), ('m2', False)]
True" "route show -j: dead next hops"
for sport in 43000 43001 43002 43003; do
	assert_contains "$(xrt_cli r route get 2001:db8:b::1 ipproto udp sport $sport dport 9)" "dev $(xrt_if r m2)" \
		"route get: flow $sport by the live member"
done
drops0=$(xrt_fp_stat r 'drop:*')
flows 2001:db8:b::1
assert_eq "$D1" 0 "down: packets via m1"
assert_eq "$D2" $((2 * NFLOWS)) "down: packets of all $NFLOWS flows via m2"
flows 2001:db8:b:0:1::1
assert_eq "$D2" $((2 * NFLOWS)) "down: the /80's packets take the /64 via m2"
assert_eq "$(($(xrt_fp_stat r 'drop:*') - drops0))" 0 "fast path drops while m1 is down"

# Up: the members and the /80 are back.
ip -n "$(xrt_ns r)" link set dev "$IF_M1" up
xrt_wait_for "xrt_cli_lacks r dead route show" 5 ||
	xrt_fail "routes still dead after $IF_M1 came up: $(xrt_cli r route show)"
assert_contains "$(xrt_cli r route get 2001:db8:b:0:1::1)" "route 2001:db8:b:0:1::/80" "the /80 is back"
flows 2001:db8:b::1
assert_eq "$((D1 + D2))" $((2 * NFLOWS)) "up: packets delivered"
assert_ge "$D1" 1 "up: packets via m1 again"
assert_ge "$D2" 1 "up: packets via m2"
flows 2001:db8:b:0:1::1
assert_eq "$D1" $((2 * NFLOWS)) "up: the /80's packets via m1"
xrt_pass "admin down: m1's members and its /80 dead, $((2 * NFLOWS)) of $((2 * NFLOWS)) via m2; up: restored"
