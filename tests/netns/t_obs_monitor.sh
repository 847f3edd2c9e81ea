#!/usr/bin/env bash
# xrt: `xrt monitor` streams link, address, route and neighbour changes (text and -j), each as it happens, and the number of monitors is bounded.
XRT_PREFIX_BASE=ob
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_topo_line
R=r
xrt_xrtd_start $R
M=$XRT_TMP
xrt_bg $R mon-all "$XRT_BUILD/xrt" monitor
MON_ALL=$XRT_LAST_PID
xrt_bg $R mon-route "$XRT_BUILD/xrt" -j monitor route
xrt_bg $R mon-neigh "$XRT_BUILD/xrt" monitor neigh addr
# Each monitor sends its request as soon as it is connected: wait until
# xrtd holds the three connections.
mons() { xrt_exec $R ss -Hxp | grep -c '"xrt",pid' || true; }
xrt_wait_for '[ "$(mons)" -ge 3 ]' 5 || xrt_fail "the monitors did not connect: $(xrt_exec $R ss -xp)"
xrt_cli_ok $R link attach dev "$IF_RA"
xrt_wait_for "grep -q '^link $IF_RA\$' $M/mon-all.log" 5 || xrt_fail "no link event: $(cat $M/mon-all.log)"
xrt_cli_ok $R link attach dev "$IF_RB"
xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok $R addr add 2001:db8:2::1/64 dev "$IF_RB"
xrt_cli_ok $R route add 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB"
xrt_cli_ok $R neigh add 2001:db8:2::2 lladdr "$MAC_BR" dev "$IF_RB"
xrt_cli_ok $R route del 2001:db8:b::/64
xrt_cli_ok $R neigh del 2001:db8:2::2 dev "$IF_RB"
xrt_cli_ok $R addr del 2001:db8:1::1/64 dev "$IF_RA"
xrt_wait_for "grep -q '^Deleted dev $IF_RA inet6 2001:db8:1::1/64\$' $M/mon-all.log" 5 ||
	xrt_fail "no address deletion: $(cat $M/mon-all.log)"
all=$(cat $M/mon-all.log)
assert_contains "$all" "dev $IF_RA inet6 2001:db8:1::1/64" "addr add"
assert_contains "$all" "2001:db8:b::/64 via 2001:db8:2::2 dev $IF_RB metric" "route add"
assert_contains "$all" "Deleted 2001:db8:b::/64 via 2001:db8:2::2 dev $IF_RB metric" "route del"
assert_contains "$all" "local 2001:db8:1::1 metric 0" "the address's local route"
assert_contains "$all" "2001:db8:2::2 dev $IF_RB lladdr $MAC_BR PERMANENT" "neigh add"
assert_contains "$all" "Deleted 2001:db8:2::2 dev $IF_RB" "neigh del"
# Order: the route was added before it was deleted, the neighbour after it.
add=$(grep -n '^2001:db8:b::/64 via' $M/mon-all.log | head -1 | cut -d: -f1)
del=$(grep -n '^Deleted 2001:db8:b::/64' $M/mon-all.log | head -1 | cut -d: -f1)
assert_ge "$del" "$((add + 1))" "route add before route del"
nb=$(cat $M/mon-neigh.log)
assert_not_contains "$nb" "2001:db8:b::/64" "monitor neigh addr shows no routes"
assert_contains "$nb" "lladdr $MAC_BR PERMANENT" "monitor neigh addr shows neighbours"
assert_contains "$nb" "inet6 2001:db8:2::1/64" "monitor neigh addr shows addresses"
# -j: one JSON object per line, routes only.
"$XRT_PY" - "$M/mon-route.log" "$IF_RB" <<'PY' || xrt_fail "monitor -j route: $(cat $M/mon-route.log)"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert objs and all(o["type"] == "route" for o in objs), objs
b = [o for o in objs if o.get("dst") == "2001:db8:b::/64"]
assert [o["deleted"] for o in b] == [False, True], b
assert b[0]["gateway"] == "2001:db8:2::2" and b[0]["dev"] == sys.argv[2], b[0]
PY
# Bounded: 8 monitors (3 above + 5), the 9th is refused and counted.
for i in 1 2 3 4 5; do xrt_bg $R mon-x$i "$XRT_BUILD/xrt" monitor link; done
xrt_wait_for '[ "$(mons)" -ge 8 ]' 5 || xrt_fail "8 monitors did not connect"
out=$(timeout --foreground 5 ip netns exec "$(xrt_ns $R)" "$XRT_BUILD/xrt" monitor 2>&1) && xrt_fail "9th monitor accepted"
assert_contains "$out" "monitors already running" "9th monitor"
assert_eq "$(xrt_cli $R -j stats | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["local"]["ctl_monitors_refused"])')" 1 "ctl_monitors_refused"
# A monitor that goes away frees its place.
xrt_stop "$MON_ALL"
# (accepted: it is still listening when timeout ends it, status 124)
ninth() { timeout --foreground 1 ip netns exec "$(xrt_ns $R)" "$XRT_BUILD/xrt" monitor link >/dev/null 2>&1; [ $? -eq 124 ]; }
xrt_wait_for ninth 5 || xrt_fail "a monitor's place was not freed when it exited"
xrt_pass "monitor: link/addr/route/neigh add and delete streamed in order, filters, -j one object per line, 8 monitors at most (counted)"
