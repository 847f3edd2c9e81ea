#!/usr/bin/env bash
# xrt: reverse-path filtering for IPv4 (RFC 3704, the kernel's rp_filter 1
# and 2): strict drops a spoofed source and an asymmetric one, loose accepts
# the asymmetric path but drops sources with no route, a blackhole route or
# the router's own address; 0.0.0.0 (DHCP) is exempt; packets with IP
# options, punted before the fast path's check, are checked by xrtd; every
# drop is counted by reason. b's IcmpInEchos counts what got through; the
# same pings through a kernel router with rp_filter 0/1/2 give the same.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
xrt_topo_line_ip4
B=$B4
# a's other sources: one inside b's link (spoofed), one r routes back via b
# (asymmetric), one r has no route to, one r blackholes, r's own address.
more_sources() {
	local s
	for s in 198.51.100.99 203.0.113.99 10.77.0.2 10.66.0.2 198.51.100.1; do
		ip -n "$(xrt_ns "$TOPO_A")" addr add "$s/32" dev lo
	done
}
more_sources
xrt_cli_ok r route add blackhole 10.66.0.0/16

# snmp NS PROTO FIELD: a kernel IPv4 MIB counter (/proc/net/snmp).
snmp() {
	xrt_exec "$1" awk -v p="$2:" -v f="$3" '$1 == p { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == f) c = i; h = 1 } else print $c }' /proc/net/snmp
}
echos() { snmp "$TOPO_B" Icmp InEchos; }
# through SRC: how many of 3 echo requests from source SRC reached b (of
# the current line topology).
through() {
	local e0
	e0=$(echos)
	xrt_exec "$TOPO_A" ping -4 -n -c 3 -i 0.2 -W 1 -I "$1" "$B" >/dev/null 2>&1 || true
	echo $(($(echos) - e0))
}

# rpf_case MODE SRC=N...: with rpf MODE on a's link, N of 3 pings from
# each SRC reach b; MODE's drop counter counts exactly the others. Each case
# is kept for the kernel's run at the end.
CASES=()
rpf_case() {
	local mode=$1 c0=0 lost=0 s
	CASES+=("$*")
	shift
	xrt_cli_ok r link set dev "$IF_RA" rpf "$mode"
	[ "$mode" = off ] || c0=$(xrt_fp_stat r "drop:rpf_$mode")
	for s in "$@"; do
		assert_eq "$(through "${s%=*}")" "${s#*=}" "rpf $mode: source ${s%=*}"
		lost=$((lost + 3 - ${s#*=}))
	done
	[ "$mode" = off ] || assert_eq "$(($(xrt_fp_stat r "drop:rpf_$mode") - c0))" "$lost" "drop:rpf_$mode"
}

# Off: everything passes.
rpf_case off 198.51.100.99=3
# Strict: a's own source only; one on b's link (spoofed) and one routed
# back via b (asymmetric) are dropped.
rpf_case strict 192.0.2.2=3 198.51.100.99=0 203.0.113.99=0
# IPv6 on the same link keeps its own check: a's source passes.
xrt_exec a ping -6 -n -c 1 -W 3 2001:db8:b::1 >/dev/null || xrt_fail "strict: IPv6 from a's own source"

# 0.0.0.0 is exempt (a DHCP DISCOVER to the limited broadcast): delivered
# to xrtd, never counted as an rpf drop.
s0=$(xrt_fp_stat r drop:rpf_strict) l0=$(xrt_fp_stat r punt:local)
xrt_scapy_send a "$IF_AR" 3 'Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) / b"discover"'
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
	xrt_scapy_send a "$IF_AR" 3 \
		'Ether(dst=a[1]) / IP(src=a[0], dst=a[2], options=[IPOption_Router_Alert()]) / UDP(sport=4000, dport=7777) / b"opts"' \
		"$1" "$MAC_RA" "$B"
	xrt_wait_for '[ "$(($(snmp b Udp NoPorts) - n0))" -ge 3 ]' 3 || true
	echo $(($(snmp b Udp NoPorts) - n0))
}
nf0=$(xrt_nf_drops r)
assert_eq "$(opts 192.0.2.2)" 3 "strict, options: a's own source"
assert_eq "$(opts 198.51.100.99)" 0 "strict, options: spoofed source (checked by xrtd)"
assert_eq "$(($(xrt_nf_drops r) - nf0))" 3 "sp_nf_drop"

# Loose: any unicast route back; none, a blackhole or the router's own
# address as source are dropped.
rpf_case loose 198.51.100.99=3 203.0.113.99=3 10.77.0.2=0 10.66.0.2=0 198.51.100.1=0
rpf_case off 10.77.0.2=3
# The kernel is the reference: the same cases through a kernel router with
# rp_filter 0, 1 (strict) and 2 (loose) on the ingress give the same counts.
ROUTER_KIND=kernel xrt_topo_line k
ROUTER_KIND=kernel xrt_topo_line_ip4
more_sources
ip -n "$(xrt_ns "$TOPO_R")" route add blackhole 10.66.0.0/16
declare -A RP_FILTER=([off]=0 [strict]=1 [loose]=2)
for c in "${CASES[@]}"; do
	set -- $c
	xrt_exec "$TOPO_R" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		"net.ipv4.conf.$IF_RA.rp_filter=${RP_FILTER[$1]}"
	for s in "${@:2}"; do
		assert_eq "$(through "${s%=*}")" "${s#*=}" "kernel rp_filter=${RP_FILTER[$1]}: source ${s%=*}"
	done
done
xrt_pass "rpf4: IPv4 strict and loose verdicts equal the kernel's rp_filter 1 and 2, counted"
