#!/usr/bin/env bash
# xrt: `xrt monitor` streams link (attach, up, down, mtu from the CLI and the kernel), address, route and neighbour changes (text and -j), each as it happens, and the number of monitors is bounded.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-ob}
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
# Link changes, from the CLI and from the kernel (the link watch), each
# with the link's state after it.
xrt_cli_ok $R link set dev "$IF_RA" mtu 1400
xrt_wait_for "grep -q '^link $IF_RA up mtu 1400\$' $M/mon-all.log" 5 || xrt_fail "no mtu event: $(cat $M/mon-all.log)"
xrt_cli_ok $R link set dev "$IF_RA" down
xrt_wait_for "grep -q '^link $IF_RA down mtu 1400\$' $M/mon-all.log" 5 || xrt_fail "no down event: $(cat $M/mon-all.log)"
assert_eq "$(ip -n "$(xrt_ns $R)" -o link show dev "$IF_RA" | grep -c '[<,]UP[,>]' || true)" 0 "xrt link set down set the kernel's IFF_UP"
assert_contains "$(xrt_cli $R link show dev "$IF_RA")" " down" "link show says down"
ip -n "$(xrt_ns $R)" link set dev "$IF_RA" up
xrt_wait_for "grep -q '^link $IF_RA up mtu 1400\$' <(grep -A100 '^link $IF_RA down' $M/mon-all.log)" 5 ||
	xrt_fail "no up event from the link watch: $(cat $M/mon-all.log)"
ip -n "$(xrt_ns $R)" link set dev "$IF_RA" mtu 1500
xrt_wait_for "grep -q '^link $IF_RA up mtu 1500\$' $M/mon-all.log" 5 || xrt_fail "no mtu event from the link watch: $(cat $M/mon-all.log)"
xrt_cli_ok $R link set dev "$IF_RA" up # already up: no event
lk=$(grep "^link $IF_RA " $M/mon-all.log)
assert_eq "$lk" "$(printf 'link %s up mtu 1400\nlink %s down mtu 1400\nlink %s up mtu 1400\nlink %s up mtu 1500' "$IF_RA" "$IF_RA" "$IF_RA" "$IF_RA")" "link events in order, one per change"
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
# A reader that falls behind: its output is a FIFO nobody reads (the pipe,
# then the CLI's socket, then xrtd's queue of 256 fill up) while 30000 routes
# are added; once it reads again it is told how many events it lost, in
# the place where they were lost, and ctl_monitor_lost counts them.
mkfifo "$M/slow.fifo"
xrt_bg $R mon-slow sh -c "exec '$XRT_BUILD/xrt' monitor route 1<>'$M/slow.fifo'"
xrt_wait_for '[ "$(mons)" -ge 8 ]' 5 || xrt_fail "the slow monitor did not connect"
"$XRT_PY" -c '
for i in range(30000):
    print("route add 2001:%x:%x::/48 via 2001:db8:2::2 dev IFRB" % (0x1000 + (i >> 16), i & 0xffff))' |
	sed "s/IFRB/$IF_RB/" >"$M/routes.batch"
xrt_cli_ok $R -batch "$M/routes.batch"
xrt_bg $R slow-reader cat "$M/slow.fifo"
xrt_wait_for "grep -q '^lost [0-9]* events\$' $M/slow-reader.log" 10 ||
	xrt_fail "no 'lost N events' line: $(tail -3 $M/slow-reader.log)"
xrt_cli_ok $R route add 2001:db8:f::/64 via 2001:db8:2::2 dev "$IF_RB"
xrt_wait_for "grep -q '^2001:db8:f::/64 via' $M/slow-reader.log" 10 ||
	xrt_fail "the slow monitor never caught up: $(tail -3 $M/slow-reader.log)"
gap=$(grep '^lost [0-9]* events$' "$M/slow-reader.log")
assert_eq "$(wc -l <<<"$gap")" 1 "one 'lost N events' line: $gap"
n=$(cut -d' ' -f2 <<<"$gap")
assert_ge "$n" 1 "events lost"
assert_eq "$(($(grep -c '^2001:' "$M/slow-reader.log") + n))" 30001 "events seen + lost = routes added"
# The gap sits where the events were lost: after the oldest 30000 - N, before the newest route.
assert_eq "$(grep -n '' "$M/slow-reader.log" | grep ':lost ' | cut -d: -f1)" "$((30000 - n + 1))" "line of the gap"
assert_eq "$(tail -1 "$M/slow-reader.log" | cut -d' ' -f1)" "2001:db8:f::/64" "the newest event comes after the gap"
lost=$(xrt_cli $R -j stats | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["local"]["ctl_monitor_lost"])')
assert_ge "$lost" "$n" "ctl_monitor_lost counts them"
xrt_pass "monitor: link attach/up/down/mtu (CLI and link watch), addr/route/neigh add and delete streamed in order, filters, -j one object per line, 8 monitors at most (counted), a slow reader told how many events it lost"
