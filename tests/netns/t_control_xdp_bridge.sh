#!/usr/bin/env bash
# xrt: forwarding through a bridge, a device without native XDP, attached in
# generic mode. With the other link native, xrtd warns that frames that link
# forwards into the bridge need ndo_xdp_xmit, which a bridge lacks (the
# kernel drops them in xdp_do_redirect); with every link generic, pings
# cross both ways (dev_map_generic_redirect sends skbs) and the router
# answers on the bridge through AF_XDP.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-om}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
r=$TOPO_R
rns=$(xrt_ns "$r")
br=$XRT_PREFIX-br
# B's side of the router is a bridge with IF_RB as its port, carrying the
# MAC the hosts' neighbour entries know.
ip -n "$rns" link add "$br" type bridge
ip -n "$rns" link set "$IF_RB" master "$br"
ip -n "$rns" link set "$br" address "$MAC_RB"
ip -n "$rns" link set "$br" up
xrt_xrtd_start "$r"
xrtd_log=$XRT_TMP/xrtd-$r.log

xrt_cli_ok "$r" link attach dev "$IF_RA"
out=$(xrt_cli "$r" link attach dev "$br" 2>&1) && xrt_fail "native attach on a bridge: $out"
assert_contains "$out" 'driver "bridge" has no native XDP' "native refused on the bridge"
xrt_cli_ok "$r" link attach dev "$br" mode generic
assert_contains "$(cat "$xrtd_log")" "$br runs in generic mode and $IF_RA in native mode" \
	"mixed modes warned about"

# Every link generic: forwarded both ways through the bridge.
xrt_cli_ok "$r" link detach dev "$IF_RA"
xrt_cli_ok "$r" link attach dev "$IF_RA" mode generic
xrt_cli_ok "$r" addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok "$r" addr add 2001:db8:2::1/64 dev "$br"
xrt_cli_ok "$r" route add 2001:db8:b::/64 via 2001:db8:2::2 dev "$br"
xrt_cli_ok "$r" neigh add 2001:db8:1::2 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok "$r" neigh add 2001:db8:2::2 lladdr "$MAC_BR" dev "$br"
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -c 5 -i 0.05 -W 2 2001:db8:b::1) || xrt_fail "ping A -> B via the bridge: $out"
assert_contains "$out" "5 received" "ping A -> B"
out=$(xrt_exec b ping -6 -c 5 -i 0.05 -W 2 -I 2001:db8:b::1 2001:db8:1::2) ||
	xrt_fail "ping B -> A via the bridge: $out"
assert_contains "$out" "5 received" "ping B -> A"
fwd=$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))
assert_ge "$fwd" 20 "fast path Ip6OutForwDatagrams"
out=$(xrt_exec b ping -6 -c 3 -i 0.1 -W 2 2001:db8:2::1) || xrt_fail "ping B -> router on the bridge: $out"
assert_contains "$out" "3 received" "the router answers on the bridge (AF_XDP, generic mode)"
assert_eq "$(xrt_exec r sysctl -n net.ipv6.conf.all.forwarding)" 0 "router kernel forwarding"
xrt_pass "bridge in generic mode: native refused by driver name, mixed modes warned about, all-generic forwards $fwd packets both ways and answers pings"
