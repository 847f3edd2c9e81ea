#!/usr/bin/env bash
# xrt: IPv4 forwarded by xrt's fast path on xrt's own FIB (bpf/ip_rcv.h,
# ip_route_input.h, ip_forward.h, ip_finish_output2.h): the routes, addresses
# and ARP entries come from the xrt CLI, the router's kernel has no IPv4
# address, route or forwarding at all. What XDP does not forward reaches
# xrtd, counted by reason (ARP, TTL 1, too big with and without DF, no
# route, no neighbour), and a blackhole drops; IPv6 keeps working alongside.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xv4}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
rns=$(xrt_ns r) ans=$(xrt_ns a) bns=$(xrt_ns b)
xrt_exec r sysctl -qw net.ipv4.ip_forward=0
xrt_cli_ok r addr add 192.0.2.1/24 dev "$IF_RA"
xrt_cli_ok r addr add 198.51.100.1/24 dev "$IF_RB"
xrt_cli_ok r route add 203.0.113.0/24 via 198.51.100.2 dev "$IF_RB"
xrt_cli_ok r route add blackhole 10.66.0.0/16
ip -n "$ans" addr add 192.0.2.2/24 dev "$IF_AR"
ip -n "$ans" route add default via 192.0.2.1
ip -n "$bns" addr add 198.51.100.2/24 dev "$IF_BR"
ip -n "$bns" addr add 203.0.113.1/32 dev lo
ip -n "$bns" route add default via 198.51.100.1
assert_eq "$(ip -n "$rns" -4 route show table all | grep -v '^local 127\.\|^broadcast 127\.' || true)" "" \
	"the router's kernel holds no IPv4 route"

# The kernel's own IPv4 forwarding counter in the router (nstat's
# IpForwDatagrams, /proc/net/snmp "Ip: ... ForwDatagrams").
kernel_forw() {
	xrt_exec r awk '$1 == "Ip:" { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == "ForwDatagrams") c = i; h = 1 } else print $c }' /proc/net/snmp
}
stat() { xrt_fp_stat r "$1"; }

# 1. ARP is xrtd's (punt arp), never the kernel's: a host resolving the
# router's address is counted there. The hosts then get static entries and
# the router static ARP entries (xrt neigh), so the rest runs on them.
a0=$(stat punt:arp)
xrt_exec a ping -4 -c 1 -W 1 198.51.100.2 >/dev/null 2>&1 || true
assert_ge "$(($(stat punt:arp) - a0))" 1 "host A's ARP request punted to xrtd (punt arp)"
ip -n "$ans" neigh replace 192.0.2.1 lladdr "$MAC_RA" dev "$IF_AR" nud permanent
ip -n "$bns" neigh replace 198.51.100.1 lladdr "$MAC_RB" dev "$IF_BR" nud permanent
xrt_cli_ok r neigh add 192.0.2.2 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok r neigh add 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB"

# 2. Every packet of the flow is forwarded in XDP, via the connected route
# and via a gateway route: xrt counts 2 x 20 each, the kernel nothing.
for dst in 198.51.100.2 203.0.113.1; do
	x0=$(stat IpForwDatagrams) k0=$(kernel_forw)
	out=$(xrt_exec a ping -4 -c 20 -i 0.05 -W 2 "$dst") ||
		xrt_fail "IPv4 ping A -> $dst failed: $out"
	assert_contains "$out" "20 received" "IPv4 ping A -> $dst"
	assert_contains "$out" "ttl=63" "TTL decremented once, by XDP ($dst)"
	assert_eq "$(($(stat IpForwDatagrams) - x0))" 40 "xrt IpForwDatagrams, 20 requests + 20 replies to $dst"
	assert_eq "$(($(kernel_forw) - k0))" 0 "kernel ForwDatagrams during the XDP-forwarded flow to $dst"
done
stats=$(xrt_cli r stats) || xrt_fail "xrt stats failed"
assert_match "$stats" "IpForwDatagrams[[:space:]]+[1-9]" "xrt stats shows IpForwDatagrams"

# 3. The outcomes XDP leaves to xrtd, each counted by its reason; the ICMP
# answers are the stack's (Time Exceeded, Fragmentation Needed,
# Destination Unreachable).
expect_punt() { # REASON EXPECTED_DELTA MESSAGE PING_ARGS...
	local reason=$1 want=$2 msg=$3 p0
	shift 3
	p0=$(stat "punt:$reason")
	xrt_exec a ping -4 -c 1 -W 1 "$@" >/dev/null 2>&1 || true
	assert_eq "$(($(stat "punt:$reason") - p0))" "$want" "$msg (punt $reason)"
}
expect_punt hop_limit 1 "TTL 1" -t 1 198.51.100.2
n0=$(stat IpExtInNoRoutes)
expect_punt no_route 1 "no route" 100.64.0.1
assert_eq "$(($(stat IpExtInNoRoutes) - n0))" 1 "IpExtInNoRoutes"
expect_punt neigh_miss 1 "connected destination without an ARP entry" 198.51.100.3
b0=$(stat drop:blackhole)
xrt_exec a ping -4 -c 2 -i 0.1 -W 1 10.66.0.1 >/dev/null 2>&1 || true
assert_eq "$(($(stat drop:blackhole) - b0))" 2 "blackhole route drops"

# 4. Link R-B with MTU 1400: 1478 bytes are punted with DF (FragFails, the
# stack sends Fragmentation Needed) and without (the stack fragments).
xrt_cli_ok r link set dev "$IF_RB" mtu 1400
ip -n "$bns" link set dev "$IF_BR" mtu 1400
# Without DF first: the DF probe's Fragmentation Needed (from the stack)
# teaches A the path MTU, and A would then fragment the next one itself.
ff0=$(stat IpFragFails)
expect_punt too_big 1 "packet without DF above the egress MTU" -M dont -s 1450 198.51.100.2
assert_eq "$(($(stat IpFragFails) - ff0))" 0 "no FragFails without DF"
ff0=$(stat IpFragFails)
expect_punt too_big 1 "DF packet above the egress MTU" -M do -s 1450 198.51.100.2
assert_eq "$(($(stat IpFragFails) - ff0))" 1 "IpFragFails for the DF packet"
out=$(xrt_exec a ping -4 -c 3 -i 0.1 -M do -s 1372 -W 2 198.51.100.2) ||
	xrt_fail "ping at exactly the egress MTU failed: $out"
assert_contains "$out" "3 received" "1400 bytes still forwarded"

# 5. IPv6 alongside, still forwarded by xrt.
f6=$(stat Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -c 3 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "IPv6 ping alongside IPv4 failed: $out"
assert_eq "$(($(stat Ip6OutForwDatagrams) - f6))" 6 "IPv6 requests and replies forwarded by xrt"
xrt_pass "IPv4 forwarded in XDP on xrt's FIB (kernel without IPv4 routes); ARP, TTL 1, no route, no neighbour, too big punted to xrtd; blackhole dropped; IPv6 alongside"
