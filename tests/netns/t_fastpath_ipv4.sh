#!/usr/bin/env bash
# xrt: IPv4 through an xrt router behaves like the kernel router, with the
# forwarded flows in XDP (bpf/ip_rcv.h, bpf/ip_forward.h on bpf_fib_lookup)
# and everything else passed to the kernel: ARP first, Time Exceeded,
# Fragmentation Needed and fragmentation. IPv6 keeps working alongside.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xv4}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping

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

# The kernel's own IPv4 forwarding counter in the router (nstat's
# IpForwDatagrams, /proc/net/snmp "Ip: ... ForwDatagrams").
kernel_forw() {
	xrt_exec r awk '$1 == "Ip:" { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == "ForwDatagrams") c = i; h = 1 } else print $c }' /proc/net/snmp
}

# 1. ARP: the router has no neighbour for B yet, so the first request goes
# to the kernel (pass ip4_no_neigh), which resolves B and forwards it.
nn0=$(xrt_fp_stat r pass:ip4_no_neigh)
out=$(xrt_exec a ping -4 -c 3 -i 0.2 -W 2 198.51.100.2) ||
	xrt_fail "first IPv4 ping A -> B failed: $out"
assert_contains "$out" "3 received" "first IPv4 ping A -> B"
assert_ge "$(($(xrt_fp_stat r pass:ip4_no_neigh) - nn0))" 1 \
	"first packet without an ARP entry passed to the kernel (ip4_no_neigh)"
xrt_exec r ip -4 neigh show dev "$IF_RB" | grep -q "198.51.100.2 lladdr" ||
	xrt_fail "the router's kernel did not resolve B with ARP"

# 2. With both neighbours resolved every packet of the flow is forwarded in
# XDP: xrt counts 2 x 20, the kernel nothing.
x0=$(xrt_fp_stat r IpForwDatagrams) k0=$(kernel_forw)
out=$(xrt_exec a ping -4 -c 20 -i 0.05 -W 2 198.51.100.2) ||
	xrt_fail "IPv4 ping A -> B failed: $out"
assert_contains "$out" "20 received" "IPv4 ping A -> B"
assert_contains "$out" "ttl=63" "TTL decremented once, by XDP"
assert_eq "$(($(xrt_fp_stat r IpForwDatagrams) - x0))" 40 "xrt IpForwDatagrams for 20 requests + 20 replies"
assert_eq "$(($(kernel_forw) - k0))" 0 "kernel ForwDatagrams during the XDP-forwarded flow"
stats=$(xrt_cli r stats) || xrt_fail "xrt stats failed"
assert_match "$stats" "IpForwDatagrams[[:space:]]+[1-9]" "xrt stats shows IpForwDatagrams"
assert_match "$stats" "pass\.ip4_no_neigh[[:space:]]+[1-9]" "xrt stats shows the pass reason"

# 3. TTL 1: the kernel (via XDP_PASS, ip4_ttl) sends Time Exceeded.
t0=$(xrt_fp_stat r pass:ip4_ttl)
out=$(xrt_exec a ping -4 -c 1 -t 1 -W 2 198.51.100.2 2>&1) || true
assert_match "$out" "From 192\.0\.2\.1.*Time to live exceeded" "Time Exceeded from the router"
assert_eq "$(($(xrt_fp_stat r pass:ip4_ttl) - t0))" 1 "TTL 1 passed to the kernel"

# 4. Link R-B with MTU 1400 (both ends, as on a real link): a DF packet of
# 1478 bytes gets Fragmentation Needed from the kernel; without DF the
# kernel fragments it and B answers (its fragments forwarded by XDP).
ip -n "$rns" link set dev "$IF_RB" mtu 1400
ip -n "$(xrt_ns b)" link set dev "$IF_BR" mtu 1400
f0=$(xrt_fp_stat r pass:ip4_frag_needed)
out=$(xrt_exec a ping -4 -c 1 -M do -s 1450 -W 2 198.51.100.2 2>&1) || true
assert_match "$out" "From 192\.0\.2\.1.*Frag needed and DF set \(mtu = 1400\)" \
	"Fragmentation Needed from the router"
# A learned the path MTU from the ICMP: forget it, so that the router and
# not A fragments the next packet.
ip -n "$(xrt_ns a)" route flush cache
out=$(xrt_exec a ping -4 -c 1 -M dont -s 1450 -W 2 198.51.100.2 2>&1) ||
	xrt_fail "ping without DF across the smaller MTU failed: $out"
assert_contains "$out" "1 received" "ping without DF, fragmented by the kernel"
assert_eq "$(($(xrt_fp_stat r pass:ip4_frag_needed) - f0))" 2 \
	"both large packets passed to the kernel (ip4_frag_needed)"

# 5. IPv6 alongside, still forwarded by xrt.
f6=$(xrt_fp_stat r Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -c 3 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "IPv6 ping alongside IPv4 failed: $out"
assert_eq "$(($(xrt_fp_stat r Ip6OutForwDatagrams) - f6))" 6 "IPv6 requests and replies forwarded by xrt"
xrt_pass "IPv4 forwarded in XDP on the kernel's FIB and ARP; ARP, TTL 1, Frag Needed and fragmentation by the kernel; IPv6 by xrt"
