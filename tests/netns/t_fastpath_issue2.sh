#!/usr/bin/env bash
# xrt: issue 2 end to end: host A - xrt router - host B, static routes and
# neighbours; ping6 and a UDP stream forwarded entirely by XDP, proven by the
# fast-path counters, the router kernel's own counters and the hop limit at B.
# A kernel router in the same run is the reference.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping tcpdump socat ss bpftool
xrt_require_xrt

PINGS=20
UDP_COUNT=200
UDP_SIZE=512

# --- reference: the same probes through a kernel-forwarding router
ROUTER_KIND=kernel xrt_topo_line k
out=$(xrt_exec ak ping -6 -c 3 -i 0.2 -W 2 2001:db8:b::1) ||
	xrt_fail "reference: ping through the kernel router failed: $out"
assert_contains "$out" "ttl=63" "reference: echo reply hop limit at A"
xrt_udp_stream ak bk 2001:db8:b::1 5001 "$UDP_COUNT" "$UDP_SIZE"
xrt_log "reference kernel router: ping and UDP stream OK"

# --- xrt router
xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
assert_eq "$(xrt_exec r sysctl -n net.ipv6.conf.all.forwarding)" 0 \
	"kernel forwarding in the xrt router namespace"

fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
# Punts the flow could cause; MLD reports (hop-by-hop, link-scoped
# multicast) from the hosts are not part of it.
punt0=$(xrt_fp_stat r 'punt:*-mcast_link-hopopts')
nodaemon0=$(xrt_fp_stat r pass:no_daemon)
allpunt0=$(xrt_fp_stat r 'punt:*')
xsk_rx() { xrt_cli r stats | awk '$1 == "XskRxFrames" {print $2}'; }
xskrx0=$(xsk_rx)
kfwd0=$(xrt_snmp6 r Ip6OutForwDatagrams)

# Echo requests arrive at B with hop limit 64 - 1; the prefix behind B is
# reached through the gateway route, B's own address through the connected
# route.
xrt_capture_start b "$IF_BR" "$PINGS" icmp6 and 'ip6[40] == 128'
out=$(xrt_exec a ping -6 -c "$PINGS" -i 0.05 -W 2 -t 64 2001:db8:b::1) ||
	xrt_fail "ping A -> 2001:db8:b::1 through xrt failed: $out"
assert_contains "$out" "$PINGS received" "ping A -> B (gateway route)"
assert_contains "$out" "ttl=63" "echo reply hop limit at A (B sent 64)"
assert_not_contains "$out" "ttl=64" "echo reply not decremented"
xrt_capture_wait 5
assert_eq "$(grep -c 'hlim 63,' <<<"$XRT_CAP_OUT")" "$PINGS" \
	"echo requests seen at B with hlim 63 (A sent 64)"
out=$(xrt_exec a ping -6 -c 3 -i 0.2 -W 2 2001:db8:2::2) ||
	xrt_fail "ping A -> 2001:db8:2::2 (connected route) failed: $out"
assert_contains "$out" "3 received" "ping A -> B (connected route)"

xrt_udp_stream a b 2001:db8:b::1 5000 "$UDP_COUNT" "$UDP_SIZE"

fwd=$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))
punt=$(($(xrt_fp_stat r 'punt:*-mcast_link-hopopts') - punt0))
nodaemon=$(($(xrt_fp_stat r pass:no_daemon) - nodaemon0))
kfwd=$(($(xrt_snmp6 r Ip6OutForwDatagrams) - kfwd0))
# Requests and replies of both pings, plus the datagrams.
assert_ge "$fwd" $((2 * PINGS + 6 + UDP_COUNT)) "fast path Ip6OutForwDatagrams increase"
assert_eq "$punt" 0 "fast path punts for the flow (reasons other than mcast_link, hopopts)"
assert_eq "$nodaemon" 0 "packets left to the kernel (pass:no_daemon)"
assert_eq "$kfwd" 0 "router kernel's own Ip6OutForwDatagrams increase"
# The daemon received exactly what the fast path punted (MLD reports at
# most), so none of the flows' packets went through it.
allpunt=$(($(xrt_fp_stat r 'punt:*') - allpunt0))
xrt_wait_for "[ \$((\$(xsk_rx) - $xskrx0)) -ge $allpunt ]" 3 || true
assert_eq "$(($(xsk_rx) - xskrx0))" "$allpunt" "frames the daemon received (XskRxFrames) vs all fast-path punts"

xrt_pass "ping6 and $UDP_COUNT UDP datagrams forwarded by XDP ($fwd forwarded, 0 punted, kernel forwarding off), hop limit -1 at B; kernel reference OK"
