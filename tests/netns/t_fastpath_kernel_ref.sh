#!/usr/bin/env bash
# xrt: reference run: host A - kernel router - host B, the baseline xrt's
# fast-path scenarios are compared with (ping works, hop limit -1 exactly).
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping tcpdump

xrt_host_ns a
xrt_kernel_router_ns k
xrt_host_ns b
xrt_link a k
xrt_link k b
ip -n "$(xrt_ns k)" -6 addr add 2001:db8:1::1/64 dev "$(xrt_if k a)" nodad
ip -n "$(xrt_ns k)" -6 addr add 2001:db8:2::1/64 dev "$(xrt_if k b)" nodad
xrt_host a "$(xrt_if a k)" 2001:db8:1::2/64 2001:db8:1::1
xrt_host b "$(xrt_if b k)" 2001:db8:2::2/64 2001:db8:2::1

# Echo requests from A arrive at B with hop limit 64 - 1.
xrt_capture_start b "$(xrt_if b k)" 3 icmp6 and 'ip6[40] == 128'
out=$(xrt_exec a ping -6 -c 3 -i 0.2 -W 2 -t 64 2001:db8:2::2) ||
	xrt_fail "ping through the kernel router failed: $out"
assert_contains "$out" "3 received" "ping A -> B via kernel router"
# Replies from B (hop limit 64) arrive at A decremented once.
assert_contains "$out" "ttl=63" "echo reply hop limit seen at A"
xrt_capture_wait 10
assert_eq "$(grep -c 'hlim 63' <<<"$XRT_CAP_OUT")" 3 "echo requests with hlim 63 at B"
assert_ge "$(xrt_snmp6 k Ip6OutForwDatagrams)" 6 "kernel router Ip6OutForwDatagrams"
xrt_pass "kernel router forwards A <-> B, hop limit decremented by exactly one"
