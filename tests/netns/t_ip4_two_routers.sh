#!/usr/bin/env bash
# xrt: IPv4 through two xrt routers (a - r1 - r2 - b) whose kernels have no
# IPv4, the r1-r2 link at MTU 1280, every neighbour resolved by ARP:
# traceroute (UDP and ICMP) names each hop by the address of the interface
# the probe came in by; tracepath learns pmtu 1280 from r1's Fragmentation
# Needed; a 3000-byte ping without DF is fragmented by r1's stack.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-x2}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping traceroute tracepath
xrt_require_xrt

xrt_host_ns a
xrt_router_ns r1
xrt_router_ns r2
xrt_host_ns b
xrt_link a r1
xrt_link r1 r2
xrt_link r2 b
IF_A=$(xrt_if a r1) IF_B=$(xrt_if b r2)
IF_12=$(xrt_if r1 r2) IF_21=$(xrt_if r2 r1)
ip -n "$(xrt_ns a)" addr add 192.0.2.2/24 dev "$IF_A"
ip -n "$(xrt_ns a)" route add default via 192.0.2.1
ip -n "$(xrt_ns b)" addr add 198.51.100.2/24 dev "$IF_B"
ip -n "$(xrt_ns b)" route add default via 198.51.100.1
xrt_xdp_pass a "$IF_A" # XDP_TX'd frames reach a veth peer only if it runs XDP
xrt_xdp_pass b "$IF_B"

for r in r1 r2; do
	xrt_xrtd_start $r
	xrt_exec $r sysctl -qw net.ipv4.ip_forward=0
done
xrt_cli_ok r1 link attach dev "$(xrt_if r1 a)"
xrt_cli_ok r1 link attach dev "$IF_12"
xrt_cli_ok r1 link set dev "$IF_12" mtu 1280
xrt_cli_ok r1 addr add 192.0.2.1/24 dev "$(xrt_if r1 a)"
xrt_cli_ok r1 addr add 10.12.0.1/24 dev "$IF_12"
xrt_cli_ok r1 route add 198.51.100.0/24 via 10.12.0.2 dev "$IF_12"
xrt_cli_ok r2 link attach dev "$IF_21"
xrt_cli_ok r2 link attach dev "$(xrt_if r2 b)"
xrt_cli_ok r2 link set dev "$IF_21" mtu 1280
xrt_cli_ok r2 addr add 10.12.0.2/24 dev "$IF_21"
xrt_cli_ok r2 addr add 198.51.100.1/24 dev "$(xrt_if r2 b)"
xrt_cli_ok r2 route add 192.0.2.0/24 via 10.12.0.1 dev "$IF_21"

out=$(xrt_exec a ping -4 -n -c 3 -i 0.2 -W 3 198.51.100.2 2>&1) || xrt_fail "ping a -> b: $out"
assert_contains "$out" "3 received" "ping across two routers"
assert_contains "$out" "ttl=62" "two hops"

out=$(xrt_exec a traceroute -4 -n -q 1 -w 2 -m 5 198.51.100.2 2>&1) || xrt_fail "traceroute: $out"
xrt_log "$out"
assert_contains "$(sed -n 2p <<<"$out")" " 1  192.0.2.1 " "hop 1 is r1 by its a-side address"
assert_contains "$(sed -n 3p <<<"$out")" " 2  10.12.0.2 " "hop 2 is r2 by its r1-side address"
assert_contains "$(sed -n 4p <<<"$out")" " 3  198.51.100.2 " "hop 3 is b"

out=$(xrt_exec b traceroute -4 -I -n -q 1 -w 2 -m 5 192.0.2.2 2>&1) || xrt_fail "traceroute -I: $out"
assert_contains "$(sed -n 2p <<<"$out")" " 1  198.51.100.1 " "reverse hop 1 is r2 by its b-side address"
assert_contains "$(sed -n 3p <<<"$out")" " 2  10.12.0.1 " "reverse hop 2 is r1 by its r2-side address"
assert_contains "$(sed -n 4p <<<"$out")" " 3  192.0.2.2 " "reverse hop 3 is a"

out=$(xrt_exec a tracepath -4 -n -m 5 198.51.100.2 2>&1) || true
xrt_log "$out"
assert_contains "$out" "pmtu 1280" "tracepath learns the 1280 link between the routers"
assert_contains "$out" "reached" "tracepath reaches b"

xrt_exec a ip route flush cache >/dev/null 2>&1 || true
c0=$(xrt_cli r1 stats | awk '$1 == "IpFragCreates" { print $2 }')
out=$(xrt_exec a ping -4 -c 3 -i 0.2 -W 2 -M dont -s 3000 198.51.100.2) || xrt_fail "fragmented ping: $out"
assert_contains "$out" "3 received" "3000-byte ping without DF across the 1280 link"
c1=$(xrt_cli r1 stats | awk '$1 == "IpFragCreates" { print $2 }')
assert_ge "$((c1 - c0))" 3 "r1's stack fragmented the requests"
xrt_pass "IPv4 through two xrt routers: ARP everywhere, traceroute both ways names every hop, tracepath pmtu 1280 between the routers, fragmentation by r1"
