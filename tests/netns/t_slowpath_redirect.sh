#!/usr/bin/env bash
# xrt: ND Redirect (RFC 4861 8.2). Hosts a and g and router r share a LAN (a
# bridge); r's route to 2001:db8:77::/64 points back into the LAN at g. A
# packet from a to that prefix leaves r by the interface it came in on: r
# forwards it anyway and tells a, with a Redirect, to use g directly; a's
# kernel accepts it and its next packets go to g.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping tcpdump
xrt_require_xrt

xrt_host_ns sw
xrt_host_ns a
xrt_host_ns g
xrt_router_ns r
ip -n "$(xrt_ns sw)" link add br0 type bridge
ip -n "$(xrt_ns sw)" link set br0 up
for n in a g r; do
	xrt_link sw $n
	ip -n "$(xrt_ns sw)" link set "$(xrt_if sw $n)" master br0
done
IF_A=$(xrt_if a sw) IF_G=$(xrt_if g sw) IF_R=$(xrt_if r sw)
# r answers with XDP_TX: the bridge port that receives it needs XDP too.
xrt_xdp_pass sw "$(xrt_if sw r)"
ip -n "$(xrt_ns a)" -6 addr add 2001:db8:1::2/64 dev "$IF_A" nodad
ip -n "$(xrt_ns g)" -6 addr add 2001:db8:1::3/64 dev "$IF_G" nodad
ip -n "$(xrt_ns g)" -6 addr add 2001:db8:77::1/128 dev lo
xrt_exec a sysctl -qw "net.ipv6.conf.$IF_A.accept_redirects=1"
LL_R=$(xrt_lladdr r "$IF_R") LL_G=$(xrt_lladdr g "$IF_G")
[ -n "$LL_R" ] && [ -n "$LL_G" ] || xrt_fail "no link-local addresses"
# A Redirect is accepted only from the current first hop, named by its
# link-local address (RFC 4861 8.1).
ip -n "$(xrt_ns a)" -6 route add default via "$LL_R" dev "$IF_A"
ip -n "$(xrt_ns g)" -6 route add 2001:db8:1::/64 dev "$IF_G" 2>/dev/null || true

xrt_xrtd_start r
xrt_cli_ok r link attach dev "$IF_R"
xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$IF_R"
xrt_cli_ok r route add 2001:db8:77::/64 via "$LL_G" dev "$IF_R"

out=$(xrt_exec a ip -6 route get 2001:db8:77::1)
assert_contains "$out" "via $LL_R" "a first routes through r"
out=$(xrt_exec a ping -6 -n -c 3 -i 0.3 -W 2 2001:db8:77::1 2>&1) || xrt_fail "ping g via r: $out"
assert_contains "$out" "3 received" "packets that turn back into the LAN are still forwarded"
red=$(xrt_cli r stats | awk '$1 == "Icmp6OutRedirects" {print $2}')
assert_ge "$red" 1 "r sent a Redirect"
out=$(xrt_exec a ip -6 route get 2001:db8:77::1)
assert_contains "$out" "via $LL_G" "a took the Redirect: g is its first hop now"
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:77::1 2>&1) || xrt_fail "ping g direct: $out"
assert_contains "$out" "3 received" "g reached directly"
assert_eq "$(xrt_fp_stat r Ip6OutForwDatagrams)" "$fwd0" "r no longer forwards a's packets to g"
xrt_pass "Redirect sent, packet still forwarded, host switched to the better first hop"
