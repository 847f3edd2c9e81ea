#!/usr/bin/env bash
# xrt: thc-ipv6 attack tools against an xrt router, each bounded in time and
# aimed only at this test's namespaces (attacker c on its own link to r).
# For every attack: the tool started and put at least a given number of
# frames on the router's interface, and exited as expected (killed by its
# time limit, or finished on its own); a forwarded flow a -> b ran while the
# attack's frames were arriving and lost nothing beyond FLOW_MIN; xrtd
# stays up; every punted frame is accounted for; and the attack's own
# counters show what the router had to do with it (budget drops, parsed
# and refused headers, answers within the ICMPv6 rate limit, no error about
# an error, no state taken from spoofed RAs or NAs). At the end xrtd's RSS
# has stayed bounded.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xk}
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

# The ICMPv6 error rate limit (per destination: every error here goes to c).
read -r _ RL_RATE _ RL_BURST _ <<<"$(xrt_cli $R icmp show)"
[[ "$RL_RATE" =~ ^[0-9]+$ && "$RL_BURST" =~ ^[0-9]+$ && "$RL_RATE" -gt 0 ]] ||
	xrt_fail "unexpected 'xrt icmp show': $(xrt_cli $R icmp show)"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# delta_of NAME: a counter's change in the last attack's delta (0 if none).
delta_of() { awk -v k="$1" '$1 == k {sub(/^\+/, "", $2); v = $2} END {print v + 0}' <<<"$delta"; }
stat_now() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2 + 0}'; }

# attack NAME SECONDS RC MIN_FRAMES OVERLAP_MIN CHECKS CMD...: run CMD in c
# for at most SECONDS (then SIGINT, SIGKILL 3 s later), with the flow
# alongside once c's frames arrive at the router. RC: the exit status
# expected from `timeout` (124: the tool ran until its time limit; 0: it
# finished by itself). MIN_FRAMES: frames the router's interface must have
# received from c. OVERLAP_MIN: of those, how many must have arrived while
# the flow ran. CHECKS: space-separated "COUNTER>=N", "COUNTER<=N" or
# "COUNTER=N" on the counters' change in `xrt stats`, the cost this attack
# must show; N may be "icmp_limit" (the rate limit's burst + rate x the
# attack's seconds).
attack() {
	local name=$1 secs=$2 want_rc=$3 min_frames=$4 overlap_min=$5 checks=$6
	local rx0 w0 w1 t0 rc lost before=$XRT_TMP/st-$1-0 after=$XRT_TMP/st-$1-1 cost c k op n v
	shift 6
	stats_snap "$before"
	rx0=$(rx_packets) t0=$(now_ms)
	xrt_bg c "atk-$name" timeout -s INT -k 3 "$secs" "$@"
	local apid=$XRT_LAST_PID
	# The tool has started when its frames arrive (tools first resolve the
	# router with ND): bounded wait, and a tool that never sends fails.
	local first=$((min_frames / 20 < 20 ? min_frames / 20 + 1 : 20))
	xrt_wait_for "[ \$(rx_packets) -ge $((rx0 + first)) ]" 10 ||
		xrt_fail "$name: no traffic from the tool within 10 s ($(($(rx_packets) - rx0)) frames): $(tail -5 "$XRT_TMP/atk-$name.log")"
	w0=$(rx_packets)
	flow_check "$name"
	w1=$(rx_packets)
	rc=0
	xrt_wait_pid "$apid" $((secs + 10)) || rc=$?
	assert_eq "$rc" "$want_rc" "$name: exit status of timeout $secs $1 (124: ran until the limit)"
	kill -0 "$pid" 2>/dev/null || xrt_fail "xrtd died during $name"
	xrt_cli $R link show >/dev/null || xrt_fail "xrtd stopped answering after $name"
	local secs_run=$(((($(now_ms) - t0) + 999) / 1000))
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
		echo "== $name: $sent frames from c ($((w1 - w0)) during the flow), exit $rc, flow $FLOW_RCV/1000, RSS $(rss) kB, cost counters +$cost, punted but uncounted $lost"
		grep -v '^COST\|^LOST' <<<"$delta" | sort -t+ -k2 -rn | head -14 | sed 's/^/   /'
	} >>"$XRT_TMP/report.txt"
	report+=("$name: $sent frames, flow $FLOW_RCV/1000, cost +$cost, uncounted $lost")
	assert_ge "$sent" "$min_frames" "$name: frames from c at the router's interface"
	assert_ge $((w1 - w0)) "$overlap_min" "$name: frames from c while the flow ran"
	for c in $checks; do
		[[ "$c" =~ ^([A-Za-z0-9_.]+)(\>=|\<=|=)([a-z_0-9]+)$ ]] || xrt_fail "bad check '$c'"
		k=${BASH_REMATCH[1]} op=${BASH_REMATCH[2]} n=${BASH_REMATCH[3]}
		[ "$n" = icmp_limit ] && n=$((RL_BURST + RL_RATE * secs_run))
		v=$(delta_of "$k")
		case $op in
		'>=') assert_ge "$v" "$n" "$name: $k rose by" ;;
		'<=') assert_le "$v" "$n" "$name: $k rose by" ;;
		'=') assert_eq "$v" "$n" "$name: $k changed by" ;;
		esac
	done
	# Every punted frame is accounted for; a few may still sit in the
	# sockets' rings at the snapshot (1024 slots each).
	assert_le "${lost#-}" "$LOST_MAX" "$name: punted frames neither delivered nor counted as dropped"
}
LOST_MAX=${LOST_MAX:-2048}

D=2001:db8:3::1
# What a flood must cost: the fast path's punt budget cut it (drop.punt_limit).
FLOOD="drop.punt_limit>=1000"
# RAs from random routers: parsed by xrtd, which as a router takes neither
# routes nor addresses from them (RFC 4861 6.2.7: routers do not use what
# other routers advertise; the kernel ignores RAs with forwarding=1).
routes0=$(xrt_cli $R route show) addrs0=$(xrt_cli $R addr show)
attack flood_router26 5 124 10000 1000 "$FLOOD Icmp6InRouterAdvertisements>=100" \
	atk6-flood_router26 "$IF_CR"
assert_eq "$(xrt_cli $R route show)" "$routes0" "routes after the RA flood"
assert_eq "$(xrt_cli $R addr show)" "$addrs0" "addresses after the RA flood"
# NSs from random sources: answered, and the neighbour table stays within
# its bound (entries are recycled, never refused: sp_neigh_table_full).
attack flood_solicitate6 5 124 10000 1000 "$FLOOD Icmp6OutNeighborAdvertisements>=100 sp_neigh_table_full=0" \
	atk6-flood_solicitate6 "$IF_CR" "$D"
assert_le "$(stat_now sp_neigh_entries)" 4096 "neighbour entries after the NS flood (NEIGH_TABLE_SIZE)"
# Unsolicited NAs for unknown neighbours: parsed and discarded, no entry
# created (RFC 4861 7.2.5: "If no entry exists, the advertisement SHOULD be
# silently discarded").
attack flood_advertise6 5 124 10000 1000 "$FLOOD Icmp6InNeighborAdvertisements>=100 sp_neigh_entries<=0" \
	atk6-flood_advertise6 "$IF_CR" "$D"
# Echoes to random addresses on b's /64: one neighbour resolution each; the
# INCOMPLETE entries are recycled (sp_neigh_incomplete_evicted) and their
# Destination Unreachables stay within the rate limit.
attack ndpexhaust26 5 124 10000 1000 \
	"$FLOOD punt.neigh_miss>=100 Icmp6OutNeighborSolicits>=100 sp_neigh_incomplete_evicted>=1 Icmp6OutDestUnreachs<=icmp_limit" \
	atk6-ndpexhaust26 -p "$IF_CR" 2001:db8:2::/64
assert_le "$(stat_now sp_neigh_entries)" 4096 "neighbour entries after the address scan (NEIGH_TABLE_SIZE)"
# The scan's last resolutions fail 3 s after it (RFC 4861 7.2.2), releasing
# what they held with their Destination Unreachables: wait for that, so the
# next attack's counters are its own.
xrt_wait_for "[ \$(stat_now sp_neigh_hold_bytes) -eq 0 ]" 15 ||
	xrt_fail "packets still held for resolution 15 s after the scan: $(stat_now sp_neigh_hold_bytes) bytes"
# Destination Unreachables at the router: received, and never answered by an
# error (RFC 4443 2.4 (e.1)).
attack flood_unreach6 5 124 10000 1000 \
	"$FLOOD Icmp6InDestUnreachs>=100 Icmp6OutDestUnreachs=0 Icmp6OutParmProblems=0" \
	atk6-flood_unreach6 "$IF_CR" "$D"
# denial6: 7 header-heavy cases at the router, 5 s each after the 3 s
# pause the tool takes before the cases that "affect all routers"; it sends
# until its time limit.
PP_LIMITED="Icmp6OutParmProblems>=1 Icmp6OutParmProblems<=icmp_limit Icmp6OutRateLimitHost>=100"
# 1, 7: oversized hop-by-hop headers of unknown options, dropped as the
# kernel's 8-option limit does (see hbh_9_unknown); 2: the same as
# destination options; 3: router alert + 180 headers, ends in No Next
# Header; 4: + ping, answered; 5: AH + ping, Parameter Problem code 1
# within the rate limit; 6: first fragments with router alert, invalid,
# Parameter Problem within the rate limit.
for tc_checks in \
	"1|drop.punt_limit>=1 sp_tlv_malformed>=100 slow.Ip6InHdrErrors>=100" \
	"2|sp_tlv_malformed>=100 slow.Ip6InHdrErrors>=100" \
	"3|drop.punt_limit>=1 sp_no_next_header>=100" \
	"4|drop.punt_limit>=1 Icmp6OutEchoReplies>=100" \
	"5|sp_no_proto>=100 $PP_LIMITED" \
	"6|drop.punt_limit>=1 sp_frag_invalid>=100 $PP_LIMITED" \
	"7|drop.punt_limit>=1 sp_tlv_malformed>=100 slow.Ip6InHdrErrors>=100"; do
	tc=${tc_checks%%|*}
	attack "denial6_$tc" 8 124 2000 500 "${tc_checks#*|}" atk6-denial6 "$IF_CR" "$D" "$tc"
done
# Fragment implementation checks (one pass each, no initial/final ping):
# reassembled where valid. Then the generic implementation checks: echoes
# answered, bad headers refused with Parameter Problem.
attack fragmentation6 30 124 200 0 "slow.Ip6ReasmReqds>=200 slow.Ip6ReasmOKs>=100" \
	atk6-fragmentation6 -p -n 1 "$IF_CR" "$D"
attack implementation6 45 124 90 0 "Icmp6OutEchoReplies>=5 Icmp6OutParmProblems>=5 slow.Ip6ReasmReqds>=20" \
	atk6-implementation6 -p "$IF_CR" "$D"

rss1=$(rss)
cat "$XRT_TMP/report.txt" >&2
xrt_log "xrtd RSS: ${rss0} kB before, ${rss1} kB after"
assert_le $((rss1 - rss0)) 32768 "xrtd memory growth bounded (kB)"
out=$(xrt_exec $A ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:b::1 2>&1) || xrt_fail "ping after the attacks: $out"
assert_contains "$out" "3 received" "forwarding after the attacks"
out=$(xrt_exec c ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:3::1 2>&1) || xrt_fail "ping the router after the attacks: $out"
assert_contains "$out" "3 received" "the router answers after the attacks"
xrt_pass "${#report[@]} thc-ipv6 attacks, xrtd up, RSS +$((rss1 - rss0)) kB; $(IFS=';'; echo "${report[*]}")"
