#!/usr/bin/env bash
# xrt: a routing daemon's UDP sockets over the shim: BIRD 2 RIPng on an xrt router (UDP 521, ff02::9, link-local sources by IPV6_PKTINFO, IPV6_RECVPKTINFO, SO_BINDTODEVICE, multicast options) against a kernel BIRD; routes both ways, the learned one mirrored into xrt and forwarded, withdrawn on timeout (topology: bird_shim.sh).
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xn}
source "$(dirname "$0")/lib.sh"
BIRD_RTS=RTS_RIP
bird_proto() { # NAME IFACE STUB
	cat <<CONF
protocol rip ng $1 {
	ipv6 { import all; export where source = RTS_DEVICE; };
	interface "$2" { update time 2; timeout time 10; };
}
CONF
}
source "$(dirname "$0")/bird_shim.sh"
in0=$(sk_stat Udp6InDatagrams) out0=$(sk_stat Udp6OutDatagrams)
# What r's BIRD sends, seen on a's side of the wire.
xrt_capture_start $A "$IF_AR" 1 ip6 and udp and src host "$LL_R" and dst host ff02::9
bird_start_both
xrt_capture_wait 20
xrt_log "r's BIRD on the wire: $(echo "$XRT_CAP_OUT" | grep -A1 ripng | tr -s ' \n' ' ')"
assert_contains "$XRT_CAP_OUT" "$LL_R.521 > ff02::9.521" "from r's link-local, port 521 to port 521, to ff02::9 (RFC 2080 2.4.2)"
assert_contains "$XRT_CAP_OUT" "hlim 255" "hop limit 255 (RFC 2080 2.4.2)"
assert_contains "$XRT_CAP_OUT" "class 0xc0" "BIRD's traffic class (IPV6_TCLASS, internet control)"
bird_check_routes RIPng
assert_ge "$(($(sk_stat Udp6InDatagrams) - in0))" 1 "RIPng datagrams into xrt's UDP (Udp6InDatagrams)"
assert_ge "$(($(sk_stat Udp6OutDatagrams) - out0))" 1 "RIPng datagrams out of xrt's UDP (Udp6OutDatagrams)"
xrt_pass "BIRD RIPng over the shim: routes both ways with a kernel BIRD, the learned one in xrt's FIB and forwarded; withdrawn on timeout"
