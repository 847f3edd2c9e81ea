#!/usr/bin/env bash
# xrt: IPv4 ECMP in the fast path (fib_multipath_hash): every flow stays on
# one next hop, the one `xrt route get` predicts, and many flows use both.
#
#          +-- m1 --+
#   a -- r |        | b      r: xrt, route 203.0.113.0/24 over m1 and m2
#          +-- m2 --+        m1, m2: kernel routers (they count what they get)
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_ecmp
ra=$(xrt_if r a)
ip -n "$(xrt_ns a)" addr add 192.0.2.2/24 dev "$(xrt_if a r)"
ip -n "$(xrt_ns a)" route add default via 192.0.2.1
ip -n "$(xrt_ns a)" neigh replace 192.0.2.1 lladdr "$(xrt_mac r "$ra")" dev "$(xrt_if a r)" nud permanent
xrt_cli_ok r addr add 192.0.2.1/24 dev "$ra"
xrt_cli_ok r neigh add 192.0.2.2 lladdr "$(xrt_mac a "$(xrt_if a r)")" dev "$ra"
for m in m1 m2; do
	i=${m#m} mns=$(xrt_ns "$m") rm=$(xrt_if r "$m")
	xrt_exec "$m" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$mns" addr add "10.1$i.0.2/24" dev "$(xrt_if "$m" r)"
	ip -n "$mns" addr add "10.2$i.0.1/24" dev "$(xrt_if "$m" b)"
	ip -n "$mns" route add 203.0.113.0/24 via "10.2$i.0.2"
	ip -n "$mns" route add 192.0.2.0/24 via "10.1$i.0.1"
	ip -n "$mns" neigh replace "10.1$i.0.1" lladdr "$(xrt_mac r "$rm")" dev "$(xrt_if "$m" r)" nud permanent
	ip -n "$(xrt_ns b)" addr add "10.2$i.0.2/24" dev "$(xrt_if b "$m")"
	xrt_cli_ok r addr add "10.1$i.0.1/24" dev "$rm"
	xrt_cli_ok r neigh add "10.1$i.0.2" lladdr "$(xrt_mac "$m" "$(xrt_if "$m" r)")" dev "$rm"
done
ip -n "$(xrt_ns b)" addr add 203.0.113.1/32 dev lo
ip -n "$(xrt_ns b)" route add default via 10.21.0.1 # replies via m1
xrt_cli_ok r route add 203.0.113.0/24 \
	nexthop via 10.11.0.2 dev "$(xrt_if r m1)" weight 1 \
	nexthop via 10.12.0.2 dev "$(xrt_if r m2)" weight 1
xrt_bg b udp4-sink socat -u "UDP4-RECV:9,bind=203.0.113.1" OPEN:/dev/null
xrt_wait_for "xrt_exec b ss -Huln | grep -q '203.0.113.1:9 '" 5 || xrt_fail "UDP sink on B did not start"

out=$(xrt_exec a ping -4 -c 3 -i 0.2 -W 2 203.0.113.1) || xrt_fail "ping A -> B over IPv4 ECMP failed: $out"
assert_contains "$out" "ttl=62" "TTL decremented by r (XDP) and by m1 or m2"

# The kernel's IPv4 forwarding counter of a kernel router (m1, m2).
fwd() {
	xrt_exec "$1" awk '$1 == "Ip:" { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == "ForwDatagrams") c = i; h = 1 } else print $c }' /proc/net/snmp
}
PER_FLOW=40
for sport in 40001 40002 40003 40004 40005 40006; do
	xrt_ecmp_flow fwd 203.0.113.1 "$sport" "$PER_FLOW"
	took=$ECMP_TOOK d1=$ECMP_D1 d2=$ECMP_D2
	got=$(xrt_cli r route get 203.0.113.1 from 192.0.2.2 ipproto udp sport "$sport" dport 9)
	assert_contains "$got" "dev $(xrt_if r "$took") " "xrt route get for IPv4 flow $sport (carried by $took)"
	xrt_log "flow $sport: m1 $d1, m2 $d2; route get: $got"
done

# 64 flows: both next hops carry some (all on one: probability 2^-63).
m1a=$(fwd m1) m2a=$(fwd m2)
xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" 203.0.113.1 9 41000 64 2
xrt_wait_for "[ \$((\$(fwd m1) - $m1a + \$(fwd m2) - $m2a)) -ge 128 ]" 10 ||
	xrt_fail "64 flows: only $(($(fwd m1) - m1a + $(fwd m2) - m2a)) of 128 packets reached m1/m2"
d1=$(($(fwd m1) - m1a)) d2=$(($(fwd m2) - m2a))
assert_ge "$d1" 1 "packets of 64 IPv4 flows via m1"
assert_ge "$d2" 1 "packets of 64 IPv4 flows via m2"
xrt_pass "6 IPv4 flows each kept on one next hop (as xrt route get predicts); 64 flows spread m1 $d1 / m2 $d2"
