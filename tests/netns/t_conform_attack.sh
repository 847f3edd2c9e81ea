#!/usr/bin/env bash
# xrt: thc-ipv6 attack tools against an xrt router, each bounded in time and
# aimed only at this test's namespaces (attacker c on its own link to r):
# xrtd stays up, its RSS stays bounded, a concurrent forwarded flow a -> b
# keeps flowing, and what the attacks cost is counted in `xrt stats`.
XRT_PREFIX_BASE=xk
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping timeout atk6-flood_router26 atk6-flood_solicitate6 \
	atk6-flood_advertise6 atk6-ndpexhaust26 atk6-flood_unreach6 atk6-denial6 \
	atk6-fragmentation6 atk6-implementation6
xrt_require_xrt

xrt_topo_line
R=$TOPO_R A=$TOPO_A B=$TOPO_B
xrt_host_ns c
xrt_link c $R
IF_CR=$(xrt_if c $R) IF_RC=$(xrt_if $R c)
xrt_host c "$IF_CR" 2001:db8:3::2/64 2001:db8:3::1
xrt_xrtd_start $R
xrt_topo_line_program
xrt_cli_ok $R link attach dev "$IF_RC"
xrt_cli_ok $R addr add 2001:db8:3::1/64 dev "$IF_RC"
pid=$(xrt_xrtd_pid $R)

rss() { awk '/^VmRSS/ {print $2}' /proc/"$pid"/status; }
rx_packets() { xrt_exec $R cat "/sys/class/net/$IF_RC/statistics/rx_packets"; }
# All of `xrt stats` as "name value" lines (per-interface lines included).
stats_snap() { xrt_cli $R stats | awk 'NF >= 2 && $2 ~ /^[0-9]+$/ {print $1, $2}' | sort >"$1"; }
# Counters that say a packet was refused or cost something: drops, punt
# budget, ICMPv6 rate limit, reassembly and neighbour table bounds.
COST_RE='^(drop\.[a-z_]+|(slow\.)?Ip6(InDiscards|InHdrErrors|InAddrErrors|InTruncatedPkts|InNoRoutes|ReasmFails)|Icmp6InErrors|Icmp6OutRateLimitHost|sp_[a-z_]+|XskKernRx(Dropped|RingFull))$'
# stats_delta BEFORE AFTER: changed counters, then "COST n" (the sum of the
# cost counters) and "LOST n": frames the fast path punted that neither
# reached the daemon's AF_XDP socket nor were counted by the kernel as
# dropped at the socket (XDP_STATISTICS). Frames the punt budget refused
# (drop.punt_limit) are never counted as punted, so they are not subtracted.
GAUGES='^sp_[a-z_]*(bytes|entries)$' # levels, not counts: never a cost
stats_delta() {
	join "$1" "$2" | awk -v re="$COST_RE" -v GAUGES="$GAUGES" '$3 != $2 {d = $3 - $2; print $1 " +" d
			if ($1 ~ re && $1 !~ GAUGES) s += d}
		$1 ~ /^punt\./ {p += $3 - $2} $1 == "XskRxFrames" {x = $3 - $2}
		$1 == "XskKernRxDropped" || $1 == "XskKernRxRingFull" {k += $3 - $2}
		END {print "COST", s + 0; print "LOST", p - x - k}'
}

# The forwarded flow: 1000 echoes of 200 bytes a -> b at 500/s. Ping's
# replies cross the router twice, so one loss is one packet the router
# dropped under attack.
FLOW_MIN=${FLOW_MIN:-950}
flow_check() {
	local out rcv
	out=$(xrt_exec $A ping -6 -n -q -i 0.002 -c 1000 -s 200 -W 2 2001:db8:b::1 2>&1) || true
	rcv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	FLOW_RCV=${rcv:-0}
	assert_ge "$FLOW_RCV" "$FLOW_MIN" "forwarded flow during $1 (of 1000 echoes)"
}

out=$(xrt_exec $A ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:b::1 2>&1) || xrt_fail "ping: $out"
out=$(xrt_exec c ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:3::1 2>&1) || xrt_fail "ping from c: $out"
rss0=$(rss)
report=()

# attack NAME SECONDS MUST_COST CMD...: run CMD in c for at most SECONDS (then
# SIGINT, SIGKILL 3 s later) with the flow alongside once c's traffic has
# started; xrtd must survive. MUST_COST=1: the attack must show up in the
# cost counters.
attack() {
	local name=$1 secs=$2 must=$3 rx0 lost before=$XRT_TMP/st-$1-0 after=$XRT_TMP/st-$1-1 delta cost
	shift 3
	stats_snap "$before"
	rx0=$(rx_packets)
	xrt_bg c "atk-$name" timeout -s INT -k 3 "$secs" "$@"
	local apid=$XRT_LAST_PID
	# Bounded wait for the attack to put packets on the wire (tools first
	# resolve the router with ND); a tool that sends little still has its
	# flow run alongside.
	xrt_wait_for "[ \$(rx_packets) -gt $((rx0 + 20)) ]" 6 || true
	flow_check "$name"
	xrt_wait_pid "$apid" $((secs + 10)) || true
	kill -0 "$pid" 2>/dev/null || xrt_fail "xrtd died during $name"
	xrt_cli $R link show >/dev/null || xrt_fail "xrtd stopped answering after $name"
	# The daemon reads the sockets' kernel drop counters periodically, so
	# the last of them may lag the fast path's live ones: poll (bounded)
	# until the books balance or 5 s have passed.
	local i
	for ((i = 0; i < 25; i++)); do
		stats_snap "$after"
		delta=$(stats_delta "$before" "$after")
		lost=$(awk '$1 == "LOST" {print $2}' <<<"$delta")
		[ "${lost#-}" -le "$LOST_MAX" ] && break
		sleep 0.2
	done
	cost=$(awk '$1 == "COST" {print $2}' <<<"$delta")
	local sent=$(($(rx_packets) - rx0))
	{
		echo "== $name: $sent frames from c, flow $FLOW_RCV/1000, RSS $(rss) kB, cost counters +$cost, punted but uncounted $lost"
		grep -v '^COST\|^LOST' <<<"$delta" | sort -t+ -k2 -rn | head -14 | sed 's/^/   /'
	} >>"$XRT_TMP/report.txt"
	report+=("$name: $sent frames, flow $FLOW_RCV/1000, cost +$cost, uncounted $lost")
	[ "$must" = 0 ] || assert_ge "$cost" 1 "$name shows up in xrt stats drop/limit counters"
	# Every punted frame is accounted for; a few may still sit in the
	# sockets' rings at the snapshot (1024 slots each).
	assert_le "${lost#-}" "$LOST_MAX" "$name: punted frames neither delivered nor counted as dropped"
}
LOST_MAX=${LOST_MAX:-2048}

D=2001:db8:3::1
# RAs, NSs and NAs from random sources, flooding the link.
attack flood_router26 5 0 atk6-flood_router26 "$IF_CR"
attack flood_solicitate6 5 1 atk6-flood_solicitate6 "$IF_CR" "$D"
attack flood_advertise6 5 0 atk6-flood_advertise6 "$IF_CR" "$D"
# Echoes to random addresses on b's /64: one neighbour resolution each.
attack ndpexhaust26 5 1 atk6-ndpexhaust26 -p "$IF_CR" 2001:db8:2::/64
attack flood_unreach6 5 0 atk6-flood_unreach6 "$IF_CR" "$D"
# denial6: 7 header-heavy cases at the router, 5 s each after the 3 s
# pause the tool takes before the cases that "affect all routers".
for tc in 1 2 3 4 5 6 7; do
	attack "denial6_$tc" 8 0 atk6-denial6 "$IF_CR" "$D" "$tc"
done
# Fragment implementation checks (one pass each, no initial/final ping),
# then the generic implementation checks; each bounded.
attack fragmentation6 30 1 atk6-fragmentation6 -p -n 1 "$IF_CR" "$D"
attack implementation6 45 0 atk6-implementation6 -p "$IF_CR" "$D"

rss1=$(rss)
cat "$XRT_TMP/report.txt" >&2
xrt_log "xrtd RSS: ${rss0} kB before, ${rss1} kB after"
assert_le $((rss1 - rss0)) 32768 "xrtd memory growth bounded (kB)"
out=$(xrt_exec $A ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:b::1 2>&1) || xrt_fail "ping after the attacks: $out"
assert_contains "$out" "3 received" "forwarding after the attacks"
out=$(xrt_exec c ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:3::1 2>&1) || xrt_fail "ping the router after the attacks: $out"
assert_contains "$out" "3 received" "the router answers after the attacks"
xrt_pass "${#report[@]} thc-ipv6 attacks, xrtd up, RSS +$((rss1 - rss0)) kB; $(IFS=';'; echo "${report[*]}")"
