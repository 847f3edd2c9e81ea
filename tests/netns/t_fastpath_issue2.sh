#!/usr/bin/env bash
# xrt: forwarding end to end: host A - xrt router - host B, static routes and
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
xrt_capture_wait 10
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
# Every punt since xrtd started is accounted for. The only punts here are
# the hosts' MLD reports, which come whenever their kernels send them, so
# there is no quiet moment to take a baseline at: compare totals instead.
# A punt counted by the fast path was either left to the kernel (no socket
# bound yet: pass:no_daemon), received by the daemon (XskRxFrames), or
# dropped by the kernel's AF_XDP layer, which counts it (XskKernRxDropped:
# no free frame; XskKernRxRingFull: RX ring full). A punt may still be in
# flight when the counters are read, so poll (bounded) until they agree: if
# one is really lost they never do.
# punt_balance: writes "PUNTS ACCOUNTED RX KDROP KFULL" to $XRT_TMP/balance
# (xrt_wait_for runs it in a subshell) and succeeds if PUNTS = ACCOUNTED.
punt_balance() {
	local punts nod st
	punts=$(xrt_fp_stat r 'punt:*')
	nod=$(xrt_fp_stat r pass:no_daemon)
	st=$(xrt_cli r stats) || return 1
	awk -v p="$punts" -v n="$nod" '
		$1 == "XskRxFrames" { rx = $2 }
		$1 == "XskKernRxDropped" { kd = $2 }
		$1 == "XskKernRxRingFull" { kf = $2 }
		END { printf "%d %d %d %d %d\n", p - n, rx + kd + kf, rx, kd, kf }' \
		<<<"$st" >"$XRT_TMP/balance"
	read -r punts accounted _ <"$XRT_TMP/balance"
	[ "$punts" = "$accounted" ]
}
xrt_wait_for punt_balance 10 || true
read -r punts accounted rx kdrop kfull <"$XRT_TMP/balance"
assert_eq "$accounted" "$punts" "punts to the daemon (fast path punt:* - pass:no_daemon) vs received ($rx) + kernel AF_XDP drops ($kdrop no frame, $kfull ring full)"
xrt_log "punts: $punts, received by xrtd $rx, AF_XDP drops $kdrop + $kfull"

xrt_pass "ping6 and $UDP_COUNT UDP datagrams forwarded by XDP ($fwd forwarded, 0 punted, kernel forwarding off), hop limit -1 at B; kernel reference OK"
