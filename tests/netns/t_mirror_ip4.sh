#!/usr/bin/env bash
# xrt: the kernel mirror follows IPv4 as it follows IPv6, driven by plain
# `ip`: addresses (local, broadcast and connected routes in xrt), routes of
# every kind (gateway, default, blackhole/unreachable/prohibit, multipath,
# another table), ARP neighbours, deletions, an RFC 5549 route (skipped),
# the dump at start, `sync kernel off`, and a bulk load.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_topo_mirror
ipr -4 addr add 10.1.0.1/24 dev "$RA"
ipr -4 route add 10.5.0.0/16 via 10.1.0.2 metric 77
xrt_xrtd_start r
xrt_cli_ok r sync kernel on
xrt_cli_ok r link attach dev "$RA"
# The dump at attach picks up what the kernel had before.
routes=$(xrt_cli r route show)
assert_contains "$routes" "10.5.0.0/16 via 10.1.0.2 dev $RA metric 77" "route present before attach"
assert_contains "$routes" "10.1.0.0/24 dev $RA metric 0" "connected route of a kernel address"
assert_contains "$(xrt_cli r route show table local)" "broadcast 10.1.0.255 table local metric 0" "broadcast of a kernel address"
assert_contains "$(xrt_cli r addr show dev "$RA")" "inet 10.1.0.1/24 brd 10.1.0.255 scope global" "kernel address mirrored"

# Events.
xrt_cli_ok r link attach dev "$RB"
ipr -4 addr add 10.2.0.1/24 dev "$RB"
ipr -4 route add 10.9.0.0/16 via 10.2.0.2
ipr -4 route add default via 10.2.0.2 metric 10
ipr -4 route add blackhole 10.66.0.0/16
ipr -4 route add unreachable 10.67.0.0/16
ipr -4 route add prohibit 10.68.0.0/16
ipr -4 route add 10.70.0.0/16 nexthop via 10.1.0.2 dev "$RA" weight 3 nexthop via 10.2.0.2 dev "$RB"
ipr -4 route add 10.71.0.0/16 dev "$RB" table 10
ipr -4 route add 10.72.0.0/16 via inet6 fe80::1 dev "$RB" # RFC 5549: skipped
ipr -4 neigh replace 10.2.0.2 lladdr 02:00:00:00:00:22 dev "$RB" nud permanent
# IPv6 inside ::ffff:0:0/96 would be IPv4 below the CLI: skipped.
ipr -6 route add ::ffff:10.9.1.0/120 dev "$RA"
ipr -6 route add ::ffff:0.0.0.0/96 dev "$RA" metric 1
xrt_want "10.2.0.0/24 dev $RB metric 0" route show
xrt_want "10.9.0.0/16 via 10.2.0.2 dev $RB metric 0" route show
xrt_want "default via 10.2.0.2 dev $RB metric 10" route show
xrt_want "blackhole 10.66.0.0/16 metric 0" route show
xrt_want "unreachable 10.67.0.0/16 metric 0" route show
xrt_want "prohibit 10.68.0.0/16 metric 0" route show
xrt_want "	nexthop via 10.1.0.2 dev $RA weight 3" route show
xrt_want "	nexthop via 10.2.0.2 dev $RB weight 1" route show
xrt_want "10.71.0.0/16 dev $RB table 10 metric 0" route show table 10
xrt_want "10.2.0.2 dev $RB lladdr 02:00:00:00:00:22 PERMANENT" neigh show
shown=$(xrt_cli r route show)
assert_not_contains "$shown" "10.72.0.0" "RFC 5549 route skipped"
assert_not_contains "$shown" "10.9.1.0/24" "IPv6 route inside ::ffff:0:0/96 skipped"
assert_not_contains "$shown" "default dev $RA metric 1" "IPv6 ::ffff:0:0/96 not taken as IPv4's default"
assert_eq "$(xrt_cli r route get 10.9.1.1)" \
	"10.9.1.1 via 10.2.0.2 dev $RB table main metric 0 route 10.9.0.0/16 mtu 1500 neigh PERMANENT lladdr 02:00:00:00:00:22" \
	"route get on a mirrored route"
# The IPv4 default never answers for IPv6.
assert_contains "$(xrt_cli r route get 2001:db8:77::1 2>&1)" "no route to 2001:db8:77::1" "IPv4 default does not route IPv6"

# Forwarded in XDP on routes and neighbours that came from the kernel, the
# router's kernel not forwarding, as BIRD or FRR would drive it: the
# neighbours resolved by the kernel's own ARP on xrtd's request.
AR=$(xrt_if a r) BR=$(xrt_if b r)
xrt_xdp_pass a "$AR"
xrt_xdp_pass b "$BR"
ip -n "$(xrt_ns a)" addr add 10.1.0.2/24 dev "$AR"
ip -n "$(xrt_ns a)" route add default via 10.1.0.1
ip -n "$(xrt_ns a)" neigh replace 10.1.0.1 lladdr "$(xrt_mac r "$RA")" dev "$AR" nud permanent
ip -n "$(xrt_ns b)" addr add 10.2.0.2/24 dev "$BR"
ip -n "$(xrt_ns b)" addr add 10.9.1.1/32 dev lo
ip -n "$(xrt_ns b)" route add default via 10.2.0.1
ip -n "$(xrt_ns b)" neigh replace 10.2.0.1 lladdr "$(xrt_mac r "$RB")" dev "$BR" nud permanent
ipr -4 neigh del 10.2.0.2 dev "$RB"
xrt_wait_for "xrt_cli_lacks r '10\.2\.0\.2 .*PERMANENT' neigh show" 5 || xrt_fail "static ARP entry stayed"
assert_eq "$(xrt_exec r sysctl -n net.ipv4.ip_forward)" 0 "the router's kernel does not forward"
f0=$(xrt_fp_stat r IpForwDatagrams)
xrt_wait_for "xrt_exec a ping -4 -n -c 1 -W 1 10.9.1.1 >/dev/null" 10 ||
	xrt_fail "ping through mirrored IPv4 routes: $(xrt_cli r neigh show); $(xrt_cli r sync)"
out=$(xrt_exec a ping -4 -n -c 3 -i 0.1 -W 2 10.9.1.1) || xrt_fail "ping through mirrored IPv4 routes: $out"
assert_contains "$out" "ttl=63" "forwarded once"
assert_ge "$(($(xrt_fp_stat r IpForwDatagrams) - f0))" 6 "forwarded in XDP"
assert_contains "$(xrt_cli r neigh show dev "$RB")" "10.2.0.2 dev $RB lladdr $(xrt_mac b "$BR")" "neighbour learned through the kernel"

# Deletions follow.
ipr -4 route del 10.9.0.0/16
ipr -4 route del 10.70.0.0/16
ipr -4 route del default
ipr -4 neigh flush dev "$RB"
ipr -4 addr del 10.2.0.1/24 dev "$RB"
xrt_wait_for "xrt_cli_lacks r '10\.9\.0\.0|10\.70\.0\.0|default|10\.2\.0\.' route show table all" 5 ||
	xrt_fail "deleted kernel routes stayed: $(xrt_cli r route show table all)"
xrt_wait_for "xrt_cli_lacks r '10\.2\.0\.2' neigh show" 5 || xrt_fail "deleted neighbour stayed"
shown=$(xrt_cli r addr show)
assert_not_contains "$shown" "10.2.0.1" "deleted address"

# sync kernel off removes only what came from the kernel.
xrt_cli_ok r route add 10.99.0.0/16 via 10.1.0.2
xrt_cli_ok r sync kernel off
routes=$(xrt_cli r route show)
assert_contains "$routes" "10.99.0.0/16" "static route after sync off"
assert_not_contains "$routes" "10.5.0.0/16" "kernel route after sync off"
shown=$(xrt_cli r route show table local)
assert_not_contains "$shown" "10.1.0." "kernel address routes after sync off"

# Bulk: N kernel routes by `ip -batch`, mirrored (time logged, not asserted).
N=${XRT_MIRROR_ROUTES:-20000}
xrt_cli_ok r sync kernel on
seq 0 $((N - 1)) | awk -v dev="$RA" \
	'{ printf "route add 10.%d.%d.0/24 via 10.1.0.2 dev %s proto static\n", 128 + int($1 / 256), $1 % 256, dev }' \
	>"$XRT_TMP/kroutes"
xrt_mirror_bulk 4 "$XRT_TMP/kroutes"
assert_contains "$(xrt_cli r route get 10.128.66.1)" "via 10.1.0.2 dev $RA" "a bulk route in the fast path's view"
kill -0 "$(xrt_xrtd_pid r)" || xrt_fail "xrtd died"
xrt_pass "IPv4 kernel addresses, routes of every kind, ARP neighbours, deletions, RFC 5549 skipped, sync off, $N-route bulk load mirrored"
