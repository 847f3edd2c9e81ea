#!/usr/bin/env bash
# xrt: two xrt routers in series, each with its own daemon and bpffs:
# A - r1 - r2 - B. XDP redirects from one router straight into the next
# one's XDP program; each hop decrements the hop limit once and counts only
# its own packets in its own maps.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping tcpdump socat ss
xrt_require_xrt

xrt_host_ns a
xrt_router_ns r1
xrt_router_ns r2
xrt_host_ns b
xrt_link a r1
xrt_link r1 r2
xrt_link r2 b
mac() { xrt_mac "$1" "$(xrt_if "$1" "$2")"; }
xrt_host a "$(xrt_if a r1)" 2001:db8:1::2/64 2001:db8:1::1
xrt_host b "$(xrt_if b r2)" 2001:db8:2::2/64 2001:db8:2::1
xrt_static_neigh a "$(xrt_if a r1)" 2001:db8:1::1 "$(mac r1 a)"
xrt_static_neigh b "$(xrt_if b r2)" 2001:db8:2::1 "$(mac r2 b)"

xrt_xrtd_start r1
xrt_xrtd_start r2
[ "$(xrt_bpffs_dir r1)" != "$(xrt_bpffs_dir r2)" ] || xrt_fail "routers share a bpffs"
# r1: A's link, the transit link (2001:db8:12::/64), B's prefix via r2.
xrt_cli_ok r1 link attach dev "$(xrt_if r1 a)"
xrt_cli_ok r1 link attach dev "$(xrt_if r1 r2)"
xrt_cli_ok r1 addr add 2001:db8:1::1/64 dev "$(xrt_if r1 a)"
xrt_cli_ok r1 addr add 2001:db8:12::1/64 dev "$(xrt_if r1 r2)"
xrt_cli_ok r1 route add 2001:db8:2::/64 via 2001:db8:12::2 dev "$(xrt_if r1 r2)"
xrt_cli_ok r1 neigh add 2001:db8:1::2 lladdr "$(mac a r1)" dev "$(xrt_if r1 a)"
xrt_cli_ok r1 neigh add 2001:db8:12::2 lladdr "$(mac r2 r1)" dev "$(xrt_if r1 r2)"
# r2: the mirror image.
xrt_cli_ok r2 link attach dev "$(xrt_if r2 r1)"
xrt_cli_ok r2 link attach dev "$(xrt_if r2 b)"
xrt_cli_ok r2 addr add 2001:db8:12::2/64 dev "$(xrt_if r2 r1)"
xrt_cli_ok r2 addr add 2001:db8:2::1/64 dev "$(xrt_if r2 b)"
xrt_cli_ok r2 route add 2001:db8:1::/64 via 2001:db8:12::1 dev "$(xrt_if r2 r1)"
xrt_cli_ok r2 neigh add 2001:db8:2::2 lladdr "$(mac b r2)" dev "$(xrt_if r2 b)"
xrt_cli_ok r2 neigh add 2001:db8:12::1 lladdr "$(mac r1 r2)" dev "$(xrt_if r2 r1)"

f1=$(xrt_fp_stat r1 Ip6OutForwDatagrams) f2=$(xrt_fp_stat r2 Ip6OutForwDatagrams)
xrt_capture_start b "$(xrt_if b r2)" 10 icmp6 and 'ip6[40] == 128'
out=$(xrt_exec a ping -6 -c 10 -i 0.05 -W 2 -t 64 2001:db8:2::2) || xrt_fail "ping A -> B over two routers failed: $out"
assert_contains "$out" "10 received" "ping A -> B over two xrt routers"
assert_contains "$out" "ttl=62" "echo reply hop limit at A (two hops)"
xrt_capture_wait 10
assert_eq "$(grep -c 'hlim 62,' <<<"$XRT_CAP_OUT")" 10 "echo requests at B with hlim 62 (A sent 64)"
xrt_udp_stream a b 2001:db8:2::2 5000 200 512
d1=$(($(xrt_fp_stat r1 Ip6OutForwDatagrams) - f1)) d2=$(($(xrt_fp_stat r2 Ip6OutForwDatagrams) - f2))
# 10 requests + 10 replies + 200 datagrams through each router, each
# counted once, in that router's own map.
assert_eq "$d1" 220 "r1 fast path Ip6OutForwDatagrams"
assert_eq "$d2" 220 "r2 fast path Ip6OutForwDatagrams"
xrt_pass "two xrt routers in series: hop limit -2, 220 packets forwarded by each, counted apart"
