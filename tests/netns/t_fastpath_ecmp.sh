#!/usr/bin/env bash
# xrt: ECMP across two next hops: every flow stays on one path, and many
# flows use both.
#
#          +-- m1 --+
#   a -- r |        | b      r: xrt, route 2001:db8:b::/64 over m1 and m2
#          +-- m2 --+        m1, m2: kernel routers (they count what they get)
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_ecmp

out=$(xrt_exec a ping -6 -c 3 -i 0.2 -W 2 2001:db8:b::1) || xrt_fail "ping A -> B over ECMP failed: $out"

fwd() { xrt_snmp6 "$1" Ip6OutForwDatagrams; }
# One flow at a time: all of its packets leave by one next hop.
PER_FLOW=50
for sport in 40001 40002 40003 40004 40005 40006; do
	xrt_ecmp_flow fwd 2001:db8:b::1 "$sport" "$PER_FLOW"
	took=$ECMP_TOOK d1=$ECMP_D1 d2=$ECMP_D2
	# The control plane's prediction for this flow names the same member.
	got=$(xrt_cli r route get 2001:db8:b::1 from 2001:db8:1::2 ipproto udp \
		sport "$sport" dport 9 flowlabel 0)
	assert_contains "$got" "dev $(xrt_if r "$took") " "xrt route get for flow $sport (carried by $took)"
	xrt_log "flow $sport: m1 $d1, m2 $d2; route get: $got"
done

# 64 flows: both next hops carry some (all on one: probability 2^-63).
m1a=$(fwd m1) m2a=$(fwd m2)
xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" 2001:db8:b::1 9 41000 64 2
xrt_wait_for "[ \$((\$(fwd m1) - $m1a + \$(fwd m2) - $m2a)) -ge 128 ]" 10 ||
	xrt_fail "64 flows: only $(($(fwd m1) - m1a + $(fwd m2) - m2a)) of 128 packets reached m1/m2"
d1=$(($(fwd m1) - m1a)) d2=$(($(fwd m2) - m2a))
assert_ge "$d1" 1 "packets of 64 flows via m1"
assert_ge "$d2" 1 "packets of 64 flows via m2"
spread="m1 $d1 / m2 $d2"

# Weights 1:3 over 400 flows: about a quarter via m1 (the hash is
# deterministic for these fixed flows; the bounds only allow for its bias).
xrt_cli_ok r route replace 2001:db8:b::/64 \
	nexthop via 2001:db8:11::2 dev "$(xrt_if r m1)" weight 1 \
	nexthop via 2001:db8:12::2 dev "$(xrt_if r m2)" weight 3
m1a=$(fwd m1) m2a=$(fwd m2)
xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" 2001:db8:b::1 9 42000 400 1
xrt_wait_for "[ \$((\$(fwd m1) - $m1a + \$(fwd m2) - $m2a)) -ge 400 ]" 10 ||
	xrt_fail "400 flows: only $(($(fwd m1) - m1a + $(fwd m2) - m2a)) of 400 packets reached m1/m2"
w1=$(($(fwd m1) - m1a)) w2=$(($(fwd m2) - m2a))
assert_eq $((w1 + w2)) 400 "packets of 400 flows through m1 + m2"
assert_ge "$w1" 60 "flows via m1 with weight 1 of 4 (expected ~100)"
assert_le "$w1" 140 "flows via m1 with weight 1 of 4 (expected ~100)"
xrt_pass "6 flows each kept on one next hop (as xrt route get predicts); 64 flows spread $spread; weights 1:3 gave m1 $w1 / m2 $w2 of 400"
