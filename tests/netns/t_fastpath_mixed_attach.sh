#!/usr/bin/env bash
# xrt: mixed attach: one router interface attached by hand with
# `TC_BPF_MNT=DIR ip link set dev X xdp obj bpf/xrt_fwd.bpf.o sec xdp`, the
# other by xrtd; both programs share one set of pinned maps and traffic is
# forwarded between them by XDP in both directions.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping socat ss bpftool xdp-loader
xrt_require_xrt

xrt_topo_line
# By hand first: iproute2 creates the pins, the daemon takes them over.
xrt_ip_attach r "$IF_RA"
pins=$(xrt_pin_dir r)
[ -e "$pins/xrt_fib6_dp" ] || xrt_fail "ip link attach did not pin xrt_fib6_dp under $pins"
pinned_fib_id() {
	bpftool -j map show pinned "$pins/xrt_fib6_dp" | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
ip_fib_id=$(pinned_fib_id)

# xrtd takes the set over (README "Upgrades"): its own maps, pinned in
# place of ip link's, and its program in place of ip link's on IF_RA.
xrt_xrtd_start r
fib_id=$(pinned_fib_id)
assert_ne "$fib_id" "$ip_fib_id" "xrtd pinned its own xrt_fib6_dp in place of ip link's"
xrt_topo_line_program # adopts IF_RA, attaches IF_RB

# The program on each interface, and the maps it uses.
prog_maps() {
	local id
	id=$(ip -j -n "$(xrt_ns r)" link show dev "$1" |
		"$XRT_PY" -c 'import json,sys; l=json.load(sys.stdin)[0]; print(l["xdp"]["prog"]["id"])') ||
		xrt_fail "no XDP program on $1"
	bpftool -j prog show id "$id" |
		"$XRT_PY" -c 'import json,sys; print(" ".join(map(str, json.load(sys.stdin).get("map_ids", []))))'
}
# xrtd adopted ip link's program: `xrt link show` names it as the kernel
# and xdp-loader do.
for i in "$IF_RA" "$IF_RB"; do
	kid=$(ip -j -n "$(xrt_ns r)" link show dev "$i" |
		"$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')
	assert_contains "$(xrt_cli r link show dev "$i")" "prog/xdp xrt_fwd id $kid mode native" \
		"xrt link show on $i"
	assert_eq "$(xrt_exec r xdp-loader status "$i" 2>/dev/null | awk -v i="$i" '$1 == i { print $2, $3, $4 }')" \
		"xrt_fwd native $kid" "xdp-loader status on $i"
done
assert_contains "$(xrt_cli r link show dev "$IF_RA")" "xdp adopted" "ip link's program adopted"
maps_a=$(prog_maps "$IF_RA")
maps_b=$(prog_maps "$IF_RB")
assert_contains " $maps_a " " $fib_id " "xrt_fib6_dp (map id $fib_id) used by the program on the link ip link attached"
assert_contains " $maps_b " " $fib_id " "xrt_fib6_dp (map id $fib_id) used by the program attached by xrtd"
assert_eq "$(pinned_fib_id)" "$fib_id" "pinned xrt_fib6_dp is still the daemon's"

fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
# Punts the flow could cause; MLD reports (hop-by-hop, link-scoped
# multicast) from the hosts are not part of it.
punt0=$(xrt_fp_stat r 'punt:*-mcast_link-hopopts')
out=$(xrt_exec a ping -6 -c 10 -i 0.05 -W 2 2001:db8:b::1) ||
	xrt_fail "ping A -> B across the mixed attach failed: $out"
assert_contains "$out" "10 received" "ping A -> B"
out=$(xrt_exec b ping -6 -c 10 -i 0.05 -W 2 2001:db8:1::2) ||
	xrt_fail "ping B -> A across the mixed attach failed: $out"
assert_contains "$out" "10 received" "ping B -> A"
xrt_udp_stream a b 2001:db8:b::1 5000 100 256
xrt_udp_stream b a 2001:db8:1::2 5001 100 256
fwd=$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))
assert_ge "$fwd" $((40 + 200)) "fast path Ip6OutForwDatagrams increase"
assert_eq "$(($(xrt_fp_stat r 'punt:*-mcast_link-hopopts') - punt0))" 0 "fast path punts during the flows"
assert_eq "$(xrt_exec r sysctl -n net.ipv6.conf.all.forwarding)" 0 "router kernel forwarding"
xrt_pass "ip-link-attached $IF_RA and xrtd-attached $IF_RB share map $fib_id; $fwd packets forwarded by XDP both ways"
