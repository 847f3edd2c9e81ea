#!/usr/bin/env bash
# xrt: frames not addressed to the router are not forwarded (the kernel's
# PACKET_OTHERHOST drop in ip6_rcv_core). The router's interface towards A is
# promiscuous (as on a hub, a flooding switch, or a bridge port), so it
# receives frames A sends to another host's MAC; their IPv6 destination (B)
# has a route and a resolved neighbour. Capture at B must show none of them,
# drop:otherhost counts each, and the same frames to the router's MAC are
# forwarded. A kernel router with the same promiscuous port, side by side,
# must not forward them either.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-sn}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
xrt_require_xrt

N=20
OTHER_MAC=02:00:00:00:0e:0e # a host on A's segment that is not the router

# send NS IF SRC_MAC DST_MAC PORT: N UDP datagrams from A to B (port PORT).
send() {
	xrt_exec "$1" "$XRT_PY" -c '
import sys
from scapy.all import Ether, IPv6, UDP, Raw, sendp
ifname, smac, dmac, port, n = sys.argv[1:4] + [int(sys.argv[4]), int(sys.argv[5])]
sendp([Ether(src=smac, dst=dmac) / IPv6(src="2001:db8:1::2", dst="2001:db8:2::2", hlim=64) /
       UDP(sport=40000, dport=port) / Raw(b"otherhost") for _ in range(n)],
      iface=ifname, verbose=0)
' "$2" "$3" "$4" "$5" "$N"
}

# count_at_b B IF_BR PORT: datagrams to PORT seen at B so far.
count_at_b() { grep -c "> 2001:db8:2::2\.$3:" "$XRT_TMP/capb-$1.log" || true; }

# one KIND: the line topology with an xrt or kernel router; prints
# "other=N own=M" (datagrams B saw, sent to OTHER_MAC / to the router's MAC).
one() {
	local kind=$1 tag
	tag=${kind:0:1}
	ROUTER_KIND=$kind xrt_topo_line "o$tag"
	if [ "$kind" = xrt ]; then
		xrt_xrtd_start "$TOPO_R"
		xrt_topo_line_program
	fi
	ip -n "$(xrt_ns "$TOPO_R")" link set dev "$IF_RA" promisc on
	xrt_bg "$TOPO_B" "capb-$kind" tcpdump -l -n -i "$IF_BR" 'udp and (dst port 7001 or dst port 7002)'
	local cap=$XRT_LAST_PID
	xrt_wait_for "grep -q 'listening on' '$XRT_TMP/capb-$kind.log'" 20 ||
		xrt_fail "tcpdump in $TOPO_B did not start"
	if [ "$kind" = xrt ]; then
		OH0=$(xrt_fp_stat "$TOPO_R" drop:otherhost)
		RX0=$(xrt_fp_stat "$TOPO_R" Ip6InReceives)
	fi
	send "$TOPO_A" "$IF_AR" "$MAC_AR" "$OTHER_MAC" 7001
	send "$TOPO_A" "$IF_AR" "$MAC_AR" "$MAC_RA" 7002
	# The frames to the router's MAC come last: once they all arrived,
	# anything of the first batch would have too.
	xrt_wait_for "[ \$(count_at_b $kind $IF_BR 7002) -ge $N ]" 10 ||
		xrt_fail "$kind: B saw $(count_at_b "$kind" "$IF_BR" 7002) of $N datagrams sent to the router's MAC"
	if [ "$kind" = xrt ]; then
		OH=$(($(xrt_fp_stat "$TOPO_R" drop:otherhost) - OH0))
		RX=$(($(xrt_fp_stat "$TOPO_R" Ip6InReceives) - RX0))
	fi
	xrt_stop "$cap"
	OTHER=$(count_at_b "$kind" "$IF_BR" 7001)
	OWN=$(count_at_b "$kind" "$IF_BR" 7002)
}

one xrt
X_OTHER=$OTHER X_OWN=$OWN
one kernel
K_OTHER=$OTHER K_OWN=$OWN

printf '%-44s %8s %8s\n' "$N frames each, promiscuous router port" xrt kernel >&2
printf '%-44s %8s %8s\n' "to another host's MAC: forwarded to B" "$X_OTHER" "$K_OTHER" >&2
printf '%-44s %8s %8s\n' "to the router's MAC: forwarded to B" "$X_OWN" "$K_OWN" >&2
# (Ip6InReceives also counts the hosts' own ND and MLD meanwhile; that the
# dropped frames are not in it is tests/bpf's drop::other_host_mac.)
xrt_log "xrt: drop:otherhost +$OH, Ip6InReceives +$RX (the $N frames for the router's MAC, ND, MLD)"

assert_eq "$X_OTHER" 0 "xrt: no frame for another host's MAC reaches B"
assert_eq "$OH" "$N" "xrt: drop:otherhost counts each of them"
assert_eq "$X_OWN" "$N" "xrt: the same frames to the router's MAC are forwarded"
assert_eq "$K_OTHER" 0 "kernel: no frame for another host's MAC reaches B"
xrt_pass "promiscuous port: $N frames to another MAC dropped (drop:otherhost $OH), $N to the router forwarded; kernel: $K_OTHER and $K_OWN"
