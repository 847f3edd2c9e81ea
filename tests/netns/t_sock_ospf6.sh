#!/usr/bin/env bash
# xrt: a routing daemon's raw sockets over the shim: BIRD 2 OSPFv3 on an xrt router (raw IPPROTO_OSPF 89, ff02::5, IPV6_CHECKSUM 12, IPV6_PKTINFO link-local sources) against a kernel BIRD on a point-to-point link; the adjacency forms, routes go both ways, the learned one mirrored into xrt and forwarded, withdrawn when a's OSPF stops (topology: bird_shim.sh).
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xo}
source "$(dirname "$0")/lib.sh"
BIRD_RTS=RTS_OSPF
bird_proto() { # NAME IFACE STUB
	cat <<CONF
protocol ospf v3 $1 {
	ipv6 { import all; export none; };
	area 0 {
		interface "$2" { type ptp; hello 1; dead 4; };
		interface "$3" { stub yes; };
	};
}
CONF
}
source "$(dirname "$0")/bird_shim.sh"
in0=$(sk_stat Raw6InDelivers) out0=$(sk_stat Raw6OutRequests)
xrt_capture_start $A "$IF_AR" 1 ip6 and ip6[6] == 89 and src host "$LL_R" and dst host ff02::5
bird_start_both
xrt_capture_wait 20
xrt_log "r's BIRD on the wire: $(echo "$XRT_CAP_OUT" | grep -A3 OSPFv3 | tr -s ' \n\t' ' ')"
assert_contains "$XRT_CAP_OUT" "$LL_R > ff02::5: OSPFv3, Hello" "a Hello from r's link-local to AllSPFRouters (RFC 5340 A.1)"
assert_contains "$XRT_CAP_OUT" "hlim 1," "hop limit 1 (RFC 5340 A.1)"
xrt_wait_for "birdc_at $A show ospf neighbors proto1 | grep -q Full" 30 ||
	xrt_fail "no Full adjacency: $(birdc_at $A show ospf neighbors proto1; birdc_at $R show ospf neighbors proto1)"
assert_contains "$(birdc_at $R show ospf neighbors proto1)" "Full" "r's side of the adjacency"
bird_check_routes OSPFv3
assert_ge "$(($(sk_stat Raw6InDelivers) - in0))" 3 "OSPFv3 packets into xrt's raw sockets (Raw6InDelivers)"
assert_ge "$(($(sk_stat Raw6OutRequests) - out0))" 3 "OSPFv3 packets out of xrt's raw sockets (Raw6OutRequests)"
xrt_pass "BIRD OSPFv3 over the shim: adjacency Full with a kernel BIRD, routes both ways, the learned one in xrt's FIB and forwarded; withdrawn when a's OSPF stops"
