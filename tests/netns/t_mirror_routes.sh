#!/usr/bin/env bash
# xrt: kernel mirroring in detail, driven by plain `ip`: route kinds
# (gateway, dev, blackhole/unreachable/prohibit, multipath with weights,
# mtu, other tables), deletions, addresses, neighbours, routes of a link
# attached later, `sync kernel off`, and a bulk load through the kernel.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_topo_mirror
ipr -6 addr add 2001:db8:1::1/64 dev "$RA" nodad
ipr -6 route add 2001:db8:5::/48 via 2001:db8:1::2 metric 77
xrt_xrtd_start r
xrt_cli_ok r sync kernel on
xrt_cli_ok r link attach dev "$RA"
# The dump at attach picks up what the kernel had before.
routes=$(xrt_cli r route show)
assert_contains "$routes" "2001:db8:5::/48 via 2001:db8:1::2 dev $RA metric 77" "route present before attach"
assert_contains "$routes" "local 2001:db8:1::1 metric 0" "address present before attach"
assert_contains "$(xrt_cli r link show)" "$RA" "attached"
assert_contains "$(xrt_cli r link show dev "$RA")" "kernel-local" "mirror mode: local traffic to the kernel"

# Events: every kind of route.
xrt_cli_ok r link attach dev "$RB"
ipr -6 addr add 2001:db8:2::1/64 dev "$RB" nodad
ipr -6 route add blackhole 2001:db8:6::/48
ipr -6 route add unreachable 2001:db8:7::/48
ipr -6 route add prohibit 2001:db8:8::/48
ipr -6 route add 2001:db8:9::/48 nexthop via 2001:db8:1::2 dev "$RA" weight 3 nexthop via 2001:db8:2::2 dev "$RB"
ipr -6 route add 2001:db8:a::/48 via 2001:db8:2::2 mtu 1400
ipr -6 route add 2001:db8:c::/48 dev "$RB" table 10
ipr -6 route add 2001:db8:d::/48 dev lo # not through an attached link: skipped
ipr -6 neigh replace 2001:db8:2::2 lladdr 02:00:00:00:00:22 dev "$RB" nud permanent
xrt_want "2001:db8:2::/64 dev $RB metric 256" route show
xrt_want "blackhole 2001:db8:6::/48 metric 1024" route show
xrt_want "unreachable 2001:db8:7::/48 metric 1024" route show
xrt_want "prohibit 2001:db8:8::/48 metric 1024" route show
xrt_want "	nexthop via 2001:db8:1::2 dev $RA weight 3" route show
xrt_want "	nexthop via 2001:db8:2::2 dev $RB weight 1" route show
xrt_want "2001:db8:a::/48 via 2001:db8:2::2 dev $RB metric 1024 mtu 1400" route show
xrt_want "2001:db8:c::/48 dev $RB table 10 metric 1024" route show table 10
xrt_want "2001:db8:2::2 dev $RB lladdr 02:00:00:00:00:22 PERMANENT" neigh show
assert_not_contains "$(xrt_cli r route show)" "2001:db8:d::" "route through an unattached link"
assert_contains "$(xrt_cli r route get 2001:db8:a::1)" "mtu 1400 neigh PERMANENT lladdr 02:00:00:00:00:22" "route get on a mirrored route"
assert_contains "$(xrt_cli r link show dev "$RA")" "$RA" "link still there"

# Deletions follow.
ipr -6 route del 2001:db8:6::/48
ipr -6 route del 2001:db8:9::/48
ipr -6 neigh del 2001:db8:2::2 dev "$RB"
ipr -6 addr del 2001:db8:2::1/64 dev "$RB"
xrt_wait_for "xrt_cli_lacks r '2001:db8:6::|2001:db8:9::|2001:db8:2::/64' route show" 5 ||
	xrt_fail "deleted kernel routes stayed: $(xrt_cli r route show)"
xrt_wait_for "xrt_cli_lacks r 2001:db8:2::2 neigh show" 5 || xrt_fail "deleted neighbour stayed"
assert_not_contains "$(xrt_cli r addr show)" "2001:db8:2::1" "deleted address"

# A static xrt route is not the kernel's: mirroring leaves it alone, and
# `sync kernel off` removes only what came from the kernel.
xrt_cli_ok r route add 2001:db8:99::/48 via 2001:db8:1::2
xrt_cli_ok r sync kernel off
routes=$(xrt_cli r route show)
assert_contains "$routes" "2001:db8:99::/48" "static route after sync off"
assert_not_contains "$routes" "2001:db8:5::/48" "kernel route after sync off"
assert_not_contains "$routes" "2001:db8:1::1" "kernel address routes after sync off"
assert_not_contains "$(xrt_cli r link show dev "$RA")" "kernel-local" "local traffic is xrtd's again"

# Bulk: N kernel routes by `ip -batch`, mirrored (time logged, not asserted).
N=${XRT_MIRROR_ROUTES:-50000}
xrt_cli_ok r sync kernel on
"$XRT_PY" - "$N" "$RA" >"$XRT_TMP/kroutes" <<'PY'
import sys
n, dev = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print("route add 2001:%x:%x::/48 via 2001:db8:1::2 dev %s proto static" % (0x1000 + (i >> 16), i & 0xffff, dev))
PY
xrt_mirror_bulk 6 "$XRT_TMP/kroutes"
assert_contains "$(xrt_cli r route get 2001:1000:4242::1)" "via 2001:db8:1::2 dev $RA" "a bulk route in the fast path's view"
xrt_pass "kernel routes of every kind, deletions, addresses, neighbours, late attach, sync off, $N-route bulk load mirrored"
