#!/usr/bin/env bash
# xrt: IPv6 forwarded by xrt is byte for byte what the kernel router
# forwards: the same crafted packets (traffic class and flow label, hop limit
# 2, TCP, both kinds of fragment, an unknown next header, a destination
# options header, Ethernet padding, one via the gateway route) are sent
# through a kernel router and through xrt, and host B's captures (every
# IPv6 header field, hop limit included, and the payload) must be identical.
# Then ping through each: the hop limit drops by exactly one both ways.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping tcpdump
xrt_require_xrt

NPROBES=9

# The packets, A -> B, sent as frames to the router's MAC.
send_probes() { # HOST IFACE ROUTER_MAC
	xrt_exec "$1" "$XRT_PY" - "$2" "$3" <<'PY'
import sys
from scapy.all import (Ether, IPv6, IPv6ExtHdrFragment, IPv6ExtHdrDestOpt, PadN, UDP, TCP,
                       ICMPv6EchoRequest, Raw, Padding, sendp)
iface, rmac = sys.argv[1], sys.argv[2]
src, dst, far = "2001:db8:1::2", "2001:db8:2::2", "2001:db8:b::1"
pkts = [
    IPv6(src=src, dst=dst, tc=0xb8, fl=0x12345, hlim=64) / UDP(sport=1234, dport=7) / Raw(b"u" * 50),
    IPv6(src=src, dst=dst, hlim=2) / ICMPv6EchoRequest(id=7, seq=1) / Raw(b"p" * 24),
    IPv6(src=src, dst=dst, hlim=200) / TCP(sport=40000, dport=7, flags="S", seq=1),
    IPv6(src=src, dst=dst, hlim=64) / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=77) / Raw(b"f" * 64),
    IPv6(src=src, dst=dst, hlim=64) / IPv6ExtHdrFragment(nh=17, offset=8, m=0, id=77) / Raw(b"g" * 16),
    IPv6(src=src, dst=dst, nh=253, hlim=33) / Raw(b"e" * 20),
    IPv6(src=src, dst=dst, hlim=64) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00" * 4)]) /
    UDP(sport=5, dport=7) / Raw(b"d" * 8),
    IPv6(src=src, dst=dst, hlim=64, plen=8) / UDP(sport=6, dport=7, len=8) / Padding(b"\xaa" * 4),
    IPv6(src=src, dst=far, hlim=64) / UDP(sport=8, dport=7) / Raw(b"w" * 30),
]
sendp([Ether(dst=rmac) / p for p in pkts], iface=iface, verbose=False, inter=0.05)
PY
}

# run KIND SUFFIX: build a line topology with that router, send, capture at
# B into $XRT_TMP/KIND.seen (in this shell: its namespaces are cleaned up),
# then ping through it.
run() {
	local kind=$1 s=$2 out fwd
	ROUTER_KIND=$kind xrt_topo_line "$s"
	if [ "$kind" = kernel ]; then
		FWD0=$(xrt_snmp6 "$TOPO_R" Ip6OutForwDatagrams)
	else
		xrt_xrtd_start "$TOPO_R"
		xrt_topo_line_program
		FWD0=$(xrt_fp_stat "$TOPO_R" Ip6OutForwDatagrams)
	fi
	XRT_CAP_FLAGS="-t -x" xrt_capture_start "$TOPO_B" "$IF_BR" $NPROBES ip6 and src host 2001:db8:1::2
	send_probes "$TOPO_A" "$IF_AR" "$MAC_RA"
	xrt_capture_wait 10
	# The packets as B received them: the -v decode and the hex of each
	# IPv6 packet, nothing that names the interface.
	grep -v 'listening on\|packets \(captured\|received\|dropped\)' <<<"$XRT_CAP_OUT" >"$XRT_TMP/$kind.seen"
	# Echo requests from A (hop limit 64) and B's replies each lose one.
	out=$(xrt_exec "$TOPO_A" ping -6 -c 3 -i 0.2 -W 2 -t 64 2001:db8:2::2) ||
		xrt_fail "ping A -> B through the $kind router failed: $out"
	assert_contains "$out" "3 received" "ping A -> B through the $kind router"
	assert_eq "$(grep -c 'ttl=63' <<<"$out")" 3 "echo replies at A with hop limit 63 through the $kind router"
	# The probes and 3 echo requests and replies, counted as forwarded.
	if [ "$kind" = kernel ]; then
		fwd=$(xrt_snmp6 "$TOPO_R" Ip6OutForwDatagrams)
	else
		fwd=$(xrt_fp_stat "$TOPO_R" Ip6OutForwDatagrams)
	fi
	assert_ge "$((fwd - FWD0))" $((NPROBES + 6)) "$kind router Ip6OutForwDatagrams"
}

run kernel k
run xrt ""
kernel=$(cat "$XRT_TMP/kernel.seen") xrt=$(cat "$XRT_TMP/xrt.seen")
[ -n "$kernel" ] || xrt_fail "nothing captured behind the kernel router"
if [ "$kernel" != "$xrt" ]; then
	diff <(echo "$kernel") <(echo "$xrt") >&2 || true
	xrt_fail "B received different bytes through xrt than through the kernel router"
fi
assert_contains "$xrt" "hlim 1," "hop limit 2 forwarded with hop limit 1, as the kernel does"
assert_contains "$xrt" "flowlabel 0x12345" "flow label carried"
xrt_pass "$NPROBES IPv6 packets (class, flow label, hop limit 2, fragments, unknown header, destination options, padding, via a gateway) arrive byte for byte as through the kernel router; ping hop limit -1 both ways"
