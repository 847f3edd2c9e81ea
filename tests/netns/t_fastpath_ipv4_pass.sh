#!/usr/bin/env bash
# xrt: until IPv4 is supported, non-IPv6 frames (ARP, IPv4) are left to the
# kernel (XDP_PASS, counted pass:not_ip6), so a router running xrt for IPv6
# still forwards IPv4 with the kernel.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
rns=$(xrt_ns r)
xrt_exec r sysctl -qw net.ipv4.ip_forward=1
ip -n "$rns" addr add 192.0.2.1/24 dev "$IF_RA"
ip -n "$rns" addr add 198.51.100.1/24 dev "$IF_RB"
ip -n "$(xrt_ns a)" addr add 192.0.2.2/24 dev "$IF_AR"
ip -n "$(xrt_ns a)" route add default via 192.0.2.1
ip -n "$(xrt_ns b)" addr add 198.51.100.2/24 dev "$IF_BR"
ip -n "$(xrt_ns b)" route add default via 198.51.100.1

p0=$(xrt_fp_stat r pass:not_ip6)
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
out=$(xrt_exec a ping -4 -c 5 -i 0.1 -W 2 198.51.100.2) || xrt_fail "IPv4 ping A -> B through the router failed: $out"
assert_contains "$out" "5 received" "IPv4 ping A -> B"
assert_contains "$out" "ttl=63" "IPv4 TTL decremented once by the kernel"
# 5 requests, 5 replies, plus the ARP exchanges.
assert_ge "$(($(xrt_fp_stat r pass:not_ip6) - p0))" 10 "fast path pass:not_ip6"
assert_eq "$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))" 0 "IPv6 forwarding counter during IPv4 traffic"
out=$(xrt_exec a ping -6 -c 3 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "IPv6 ping alongside IPv4 failed: $out"
xrt_pass "IPv4 and ARP passed to the kernel (pass:not_ip6) and forwarded by it; IPv6 still by xrt"
