#!/usr/bin/env bash
# xrt: IPv4 forwarded by xrt's fast path is byte for byte what the kernel
# router forwards: the same crafted packets (TOS, DF, IDs, fragments, an
# unknown protocol, Ethernet padding, TTL 2) are sent through a kernel router
# and through xrt, and host B's captures (every IP header field, TTL and
# checksum included, and the payload) must be identical.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
xrt_require_xrt

# ip4_hosts: IPv4 on TOPO_A and TOPO_B, static ARP entries for the router.
ip4_hosts() {
	ip -n "$(xrt_ns "$TOPO_A")" addr add 192.0.2.2/24 dev "$IF_AR"
	ip -n "$(xrt_ns "$TOPO_A")" route add default via 192.0.2.1
	ip -n "$(xrt_ns "$TOPO_A")" neigh replace 192.0.2.1 lladdr "$MAC_RA" dev "$IF_AR" nud permanent
	ip -n "$(xrt_ns "$TOPO_B")" addr add 198.51.100.2/24 dev "$IF_BR"
	ip -n "$(xrt_ns "$TOPO_B")" route add default via 198.51.100.1
	ip -n "$(xrt_ns "$TOPO_B")" neigh replace 198.51.100.1 lladdr "$MAC_RB" dev "$IF_BR" nud permanent
}

# The packets, A -> B, sent as frames to the router's MAC.
send_probes() { # HOST IFACE ROUTER_MAC
	xrt_exec "$1" "$XRT_PY" - "$2" "$3" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, TCP, ICMP, Raw, Padding, sendp
iface, rmac = sys.argv[1], sys.argv[2]
src, dst = "192.0.2.2", "198.51.100.2"
pkts = [
    IP(src=src, dst=dst, tos=0xb8, id=0xfeff, flags="DF", ttl=64) / UDP(sport=1234, dport=7) / Raw(b"u" * 50),
    IP(src=src, dst=dst, id=1, ttl=2) / ICMP(id=7, seq=1) / Raw(b"p" * 24),
    IP(src=src, dst=dst, id=0x1234, ttl=200) / TCP(sport=40000, dport=7, flags="S", seq=1),
    IP(src=src, dst=dst, id=77, flags="MF", frag=0, ttl=64, proto=17) / Raw(b"f" * 64),
    IP(src=src, dst=dst, id=77, frag=8, ttl=64, proto=17) / Raw(b"g" * 16),
    IP(src=src, dst=dst, id=0, ttl=33, proto=47) / Raw(b"\x00\x00\x08\x00" + b"e" * 20),
    IP(src=src, dst=dst, id=5, ttl=64) / UDP(sport=5, dport=7) / Padding(b"\xaa" * 18),
]
sendp([Ether(dst=rmac) / p for p in pkts], iface=iface, verbose=False, inter=0.05)
PY
}

# run KIND SUFFIX: build a line topology with that router, send, capture at
# B into $XRT_TMP/KIND.seen (in this shell: its namespaces are cleaned up).
run() {
	local kind=$1 s=$2
	ROUTER_KIND=$kind xrt_topo_line "$s"
	ip4_hosts
	if [ "$kind" = kernel ]; then
		local rns
		rns=$(xrt_ns "$TOPO_R")
		xrt_exec "$TOPO_R" sysctl -qw net.ipv4.ip_forward=1
		ip -n "$rns" addr add 192.0.2.1/24 dev "$IF_RA"
		ip -n "$rns" addr add 198.51.100.1/24 dev "$IF_RB"
		ip -n "$rns" neigh replace 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB" nud permanent
	else
		xrt_xrtd_start "$TOPO_R"
		xrt_cli_ok "$TOPO_R" link attach dev "$IF_RA"
		xrt_cli_ok "$TOPO_R" link attach dev "$IF_RB"
		xrt_cli_ok "$TOPO_R" addr add 192.0.2.1/24 dev "$IF_RA"
		xrt_cli_ok "$TOPO_R" addr add 198.51.100.1/24 dev "$IF_RB"
		xrt_cli_ok "$TOPO_R" neigh add 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB"
	fi
	XRT_CAP_FLAGS="-t -x" xrt_capture_start "$TOPO_B" "$IF_BR" 7 ip and src host 192.0.2.2
	send_probes "$TOPO_A" "$IF_AR" "$MAC_RA"
	xrt_capture_wait 10
	# The packets as B received them: the -v decode and the hex of each IP
	# packet, nothing that names the interface.
	grep -v 'listening on\|packets \(captured\|received\|dropped\)' <<<"$XRT_CAP_OUT" >"$XRT_TMP/$kind.seen"
}

run kernel k
run xrt ""
kernel=$(cat "$XRT_TMP/kernel.seen") xrt=$(cat "$XRT_TMP/xrt.seen")
# The 7 probes, and B's answers to some of them on their way back.
assert_ge "$(xrt_fp_stat r IpForwDatagrams)" 7 "the 7 probes forwarded by xrt's fast path"
[ -n "$kernel" ] || xrt_fail "nothing captured behind the kernel router"
if [ "$kernel" != "$xrt" ]; then
	diff <(echo "$kernel") <(echo "$xrt") >&2 || true
	xrt_fail "B received different bytes through xrt than through the kernel router"
fi
assert_contains "$xrt" "ttl 1," "TTL 2 forwarded with TTL 1, as the kernel does"
xrt_pass "7 IPv4 packets (TOS, DF, fragments, GRE, padding, TTL 2) arrive byte for byte as through the kernel router"
