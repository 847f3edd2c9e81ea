#!/usr/bin/env bash
# xrt: reverse-path filtering for IPv4 (RFC 3704, the kernel's rp_filter 1
# and 2): strict drops a spoofed source and an asymmetric one, loose accepts
# the asymmetric path but drops sources with no route, a blackhole route or
# the router's own address; 0.0.0.0 (DHCP) is exempt; packets with IP
# options, punted before the fast path's check, are checked by xrtd; every
# drop is counted by reason. b's IcmpInEchos counts what got through.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
ans=$(xrt_ns a) bns=$(xrt_ns b)
B=203.0.113.1
xrt_cli_ok r addr add 192.0.2.1/24 dev "$IF_RA"
xrt_cli_ok r addr add 198.51.100.1/24 dev "$IF_RB"
xrt_cli_ok r route add 203.0.113.0/24 via 198.51.100.2 dev "$IF_RB"
xrt_cli_ok r neigh add 192.0.2.2 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok r neigh add 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB"
ip -n "$ans" addr add 192.0.2.2/24 dev "$IF_AR"
ip -n "$ans" route add default via 192.0.2.1
ip -n "$ans" neigh replace 192.0.2.1 lladdr "$MAC_RA" dev "$IF_AR" nud permanent
ip -n "$bns" addr add 198.51.100.2/24 dev "$IF_BR"
ip -n "$bns" addr add "$B/32" dev lo
ip -n "$bns" route add default via 198.51.100.1
ip -n "$bns" neigh replace 198.51.100.1 lladdr "$MAC_RB" dev "$IF_BR" nud permanent
# a's other sources: one inside b's link (spoofed), one r routes back via b
# (asymmetric), one r has no route to, one r blackholes, r's own address.
for s in 198.51.100.99 203.0.113.99 10.77.0.2 10.66.0.2 198.51.100.1; do
	ip -n "$ans" addr add "$s/32" dev lo
done
xrt_cli_ok r route add blackhole 10.66.0.0/16

# snmp NS PROTO FIELD: a kernel IPv4 MIB counter (/proc/net/snmp).
snmp() {
	xrt_exec "$1" awk -v p="$2:" -v f="$3" '$1 == p { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == f) c = i; h = 1 } else print $c }' /proc/net/snmp
}
echos() { snmp b Icmp InEchos; }
# through SRC: how many of 3 echo requests from source SRC reached b.
through() {
	local e0
	e0=$(echos)
	xrt_exec a ping -4 -n -c 3 -i 0.2 -W 1 -I "$1" "$B" >/dev/null 2>&1 || true
	echo $(($(echos) - e0))
}
nf_drops() { xrt_cli r stats | awk '$1 == "sp_nf_drop" {print $2 + 0}'; }

# Off: everything passes.
assert_eq "$(through 198.51.100.99)" 3 "rpf off: spoofed source"

# Strict.
xrt_cli_ok r link set dev "$IF_RA" rpf strict
s0=$(xrt_fp_stat r drop:rpf_strict)
assert_eq "$(through 192.0.2.2)" 3 "strict: a's own source"
assert_eq "$(through 198.51.100.99)" 0 "strict: source on b's link"
assert_eq "$(through 203.0.113.99)" 0 "strict: asymmetric source"
assert_eq "$(($(xrt_fp_stat r drop:rpf_strict) - s0))" 6 "drop:rpf_strict"
# IPv6 on the same link keeps its own check: a's source passes.
xrt_exec a ping -6 -n -c 1 -W 3 2001:db8:b::1 >/dev/null || xrt_fail "strict: IPv6 from a's own source"

# 0.0.0.0 is exempt (a DHCP DISCOVER to the limited broadcast): delivered
# to xrtd, never counted as an rpf drop.
s0=$(xrt_fp_stat r drop:rpf_strict) l0=$(xrt_fp_stat r punt:local)
xrt_exec a "$XRT_PY" -c '
import sys
from scapy.all import Ether, IP, UDP, sendp, conf
conf.verb = 0
sendp([Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") /
       UDP(sport=68, dport=67) / b"discover"] * 3, iface=sys.argv[1])' "$IF_AR"
xrt_wait_for '[ "$(($(xrt_fp_stat r punt:local) - l0))" -ge 3 ]' 5 ||
	xrt_fail "strict: 0.0.0.0 to the limited broadcast was not delivered"
assert_eq "$(($(xrt_fp_stat r drop:rpf_strict) - s0))" 0 "strict: 0.0.0.0 exempt"

# Packets with IP options are punted before the fast path's check: xrtd
# checks them (sp_nf_drop). 3 UDP datagrams with a Router Alert option
# each from a's own source and from the spoofed one; b counts what
# reached it (no listener: UDP NoPorts).
opts() { # SRC: datagrams that reached b
	local n0
	n0=$(snmp b Udp NoPorts)
	xrt_exec a "$XRT_PY" -c '
import sys
from scapy.all import Ether, IP, IPOption_Router_Alert, UDP, sendp, conf
conf.verb = 0
p = (Ether(dst=sys.argv[2]) / IP(src=sys.argv[1], dst=sys.argv[3], options=[IPOption_Router_Alert()]) /
     UDP(sport=4000, dport=7777) / b"opts")
sendp([p] * 3, iface=sys.argv[4])' "$1" "$MAC_RA" "$B" "$IF_AR"
	xrt_wait_for '[ "$(($(snmp b Udp NoPorts) - n0))" -ge 3 ]' 3 || true
	echo $(($(snmp b Udp NoPorts) - n0))
}
nf0=$(nf_drops)
assert_eq "$(opts 192.0.2.2)" 3 "strict, options: a's own source"
assert_eq "$(opts 198.51.100.99)" 0 "strict, options: spoofed source (checked by xrtd)"
assert_eq "$(($(nf_drops) - nf0))" 3 "sp_nf_drop"

# Loose.
xrt_cli_ok r link set dev "$IF_RA" rpf loose
l0=$(xrt_fp_stat r drop:rpf_loose)
assert_eq "$(through 198.51.100.99)" 3 "loose: source on b's link"
assert_eq "$(through 203.0.113.99)" 3 "loose: asymmetric source"
assert_eq "$(through 10.77.0.2)" 0 "loose: source without a route"
assert_eq "$(through 10.66.0.2)" 0 "loose: source with a blackhole route"
assert_eq "$(through 198.51.100.1)" 0 "loose: the router's own address as source"
assert_eq "$(($(xrt_fp_stat r drop:rpf_loose) - l0))" 9 "drop:rpf_loose"

xrt_cli_ok r link set dev "$IF_RA" rpf off
assert_eq "$(through 10.77.0.2)" 3 "rpf off again: source without a route"
xrt_pass "rpf4: IPv4 strict and loose verdicts as the kernel's fib_validate_source, counted"
