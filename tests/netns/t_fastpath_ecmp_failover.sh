#!/usr/bin/env bash
# xrt: an ECMP member's link disappears (its veth is deleted): xrtd notices,
# takes the member out of the group, and every flow, including those that
# used it, is forwarded by the remaining next hop, none lost.
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_topo_ecmp
fwd() { xrt_snmp6 "$1" Ip6OutForwDatagrams; }
NFLOWS=64

m1a=$(fwd m1) m2a=$(fwd m2)
xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" 2001:db8:b::1 9 43000 "$NFLOWS" 2
xrt_wait_for "[ \$((\$(fwd m1) - $m1a + \$(fwd m2) - $m2a)) -ge $((2 * NFLOWS)) ]" 10 ||
	xrt_fail "before: only $(($(fwd m1) - m1a + $(fwd m2) - m2a)) of $((2 * NFLOWS)) packets arrived"
before_m1=$(($(fwd m1) - m1a))
assert_ge "$before_m1" 1 "packets via m1 before its link goes"

# The link r - m1 goes away.
ip -n "$(xrt_ns r)" link del "$(xrt_if r m1)"
xrt_wait_for "xrt_cli_lacks r '$(xrt_if r m1)' route show" 10 ||
	xrt_fail "xrtd still routes over the deleted $(xrt_if r m1): $(xrt_cli r route show)"

m2a=$(fwd m2)
drops0=$(xrt_fp_stat r 'drop:*')
xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" 2001:db8:b::1 9 43000 "$NFLOWS" 2
xrt_wait_for "[ \$((\$(fwd m2) - $m2a)) -ge $((2 * NFLOWS)) ]" 10 ||
	xrt_fail "after: only $(($(fwd m2) - m2a)) of $((2 * NFLOWS)) packets went via m2"
assert_eq "$(($(fwd m2) - m2a))" $((2 * NFLOWS)) "packets of all $NFLOWS flows via m2"
assert_eq "$(($(xrt_fp_stat r 'drop:*') - drops0))" 0 "fast path drops after the failover"
xrt_pass "m1's link deleted: its flows ($before_m1 packets before) moved to m2, $((2 * NFLOWS)) of $((2 * NFLOWS)) delivered"
