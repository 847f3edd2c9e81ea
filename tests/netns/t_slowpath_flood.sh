#!/usr/bin/env bash
# xrt: floods at the slow path (hop limit 1, incomplete fragments, NS from
# many sources), sent by host c at a paced rate for as long as a forwarded
# flow a -> b runs (at most 60 s each), leave that flow untouched (the
# overlap is measured, not assumed), keep xrtd's memory and tables bounded,
# and the hop-limit flood's Time Exceeded stay within the ICMPv6 rate limit
# configured (burst + rate x the flood's seconds). Figures go to the log.
# The flood comes in by its own link: on one veth the flood and the flow
# would share the veth's 256-slot ring, which is the wire being saturated,
# not the router.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
R=$TOPO_R A=$TOPO_A B=$TOPO_B
xrt_host_ns c
xrt_link c $R
IF_CR=$(xrt_if c $R) IF_RC=$(xrt_if $R c)
xrt_host c "$IF_CR" 2001:db8:3::2/64 2001:db8:3::1
MAC_RC=$(xrt_mac $R "$IF_RC")
xrt_static_neigh c "$IF_CR" 2001:db8:3::1 "$MAC_RC"
xrt_xrtd_start $R
xrt_topo_line_program
xrt_cli_ok $R link attach dev "$IF_RC"
xrt_cli_ok $R addr add 2001:db8:3::1/64 dev "$IF_RC"
pid=$(xrt_xrtd_pid $R)
rss() { awk '/^VmRSS/ {print $2}' /proc/"$pid"/status; }
sstat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }
rx_c() { xrt_exec $R cat "/sys/class/net/$IF_RC/statistics/rx_packets"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# flood_with_flow KIND COUNT DST: host c floods the router (at least COUNT
# frames) while a forwarded flow a -> b -> a runs: 3000 echoes of 1000 bytes
# at 1000/s (paced, so a loss means the router lost it, not b's socket
# buffer), every one of which must come back. The overlap is proven, not
# assumed: the flow starts only once the flood's frames are arriving at the
# router's interface, the flood keeps sending until the flow has ended (it
# runs until a stop file appears), and the router's interface counter must
# have moved by thousands of frames inside the flow's window. Sets
# FLOOD_T0 (wall clock in ms just before the flood's first frame) and
# FLOOD_SENT.
FLOW_WINDOW_MIN=${FLOW_WINDOW_MIN:-2000} # flood frames inside the flow's window, at least
flood_with_flow() {
	local kind=$1 count=$2 dst=$3 stop=$XRT_TMP/stop-$1 rx0 w0 w1 f0 f1 out fpid
	rx0=$(rx_c)
	xrt_bg c "flood-$kind" "$XRT_PY" "$XRT_ROOT/tests/netns/slowpath_flood.py" "$kind" "$count" \
		"$IF_CR" "$MAC_RC" 2001:db8:3::2 "$dst" "$stop" 60
	fpid=$XRT_LAST_PID
	xrt_wait_for "grep -q '^sending' '$XRT_TMP/flood-$kind.log' && [ \$(rx_c) -gt $((rx0 + 100)) ]" 60 ||
		xrt_fail "$kind flood never reached the router: $(cat "$XRT_TMP/flood-$kind.log")"
	w0=$(rx_c) f0=$(now_ms)
	FLOOD_T0=$(awk '$1 == "sending" {print $2}' "$XRT_TMP/flood-$kind.log")
	out=$(xrt_exec $A ping -6 -n -q -i 0.001 -c 3000 -s 1000 -W 2 2001:db8:b::1 2>&1) ||
		xrt_fail "forwarded flow during the $kind flood: $out"
	w1=$(rx_c) f1=$(now_ms)
	kill -0 "$fpid" 2>/dev/null || xrt_fail "the $kind flood ended before the flow did: $(cat "$XRT_TMP/flood-$kind.log")"
	touch "$stop"
	xrt_wait_pid "$fpid" 60 || xrt_fail "$kind flood did not finish: $(cat "$XRT_TMP/flood-$kind.log")"
	assert_contains "$out" "3000 received, 0% packet loss" "forwarded flow during the $kind flood"
	assert_ge $((w1 - w0)) "$FLOW_WINDOW_MIN" "$kind flood frames at the router during the flow's window"
	FLOOD_SENT=$(awk '$1 == "sent" {print $2}' "$XRT_TMP/flood-$kind.log")
	assert_ge "${FLOOD_SENT:-0}" "$count" "$kind flood frames sent"
	# Every frame c wrote reached the router's interface (c's own ND may add a few).
	xrt_wait_for "[ \$(rx_c) -ge $((rx0 + FLOOD_SENT)) ]" 5 ||
		xrt_fail "$kind flood: $FLOOD_SENT frames sent, $(($(rx_c) - rx0)) received by the router"
	xrt_log "$kind flood: $FLOOD_SENT frames in $(awk '$1 == "sent" {print $3}' "$XRT_TMP/flood-$kind.log") s, $((w1 - w0)) of them during the flow's $((f1 - f0)) ms; 3000 forwarded echoes of 1000 B all answered"
}

# Warm up: resolve neighbours, let the allocator settle.
out=$(xrt_exec $A ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:b::1 2>&1) || xrt_fail "ping: $out"
out=$(xrt_exec c ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:3::1 2>&1) || xrt_fail "ping: $out"
rss0=$(rss)

# 1. Hop-limit-1 flood (at least 20000 packets) with the forwarded flow
# alongside. Every Time Exceeded goes to one destination (c), so the
# per-destination bucket of the ICMPv6 rate limit (`xrt icmp show`: rate
# R/s, burst B) bounds them: at most B + R per started second of the
# flood's window.
read -r _ rl_rate _ rl_burst _ <<<"$(xrt_cli $R icmp show)"
[[ "$rl_rate" =~ ^[0-9]+$ && "$rl_burst" =~ ^[0-9]+$ && "$rl_rate" -gt 0 ]] ||
	xrt_fail "unexpected 'xrt icmp show': $(xrt_cli $R icmp show)"
te0=$(sstat Icmp6OutTimeExcds)
rl0=$(sstat Icmp6OutRateLimitHost)
flood_with_flow hl1 20000 2001:db8:b::1
te1=$(sstat Icmp6OutTimeExcds)
secs=$((($(now_ms) - FLOOD_T0 + 999) / 1000))
rl=$(($(sstat Icmp6OutRateLimitHost) - rl0))
punted=$(xrt_fp_stat $R punt:hop_limit)
limited=$(xrt_fp_stat $R drop:punt_limit)
max_te=$((rl_burst + rl_rate * secs))
xrt_log "hop-limit-1 flood: $FLOOD_SENT sent, $punted punted, $limited dropped by the punt budget, $(sstat XskKernRxRingFull) lost on a full XSK ring, $((te1 - te0)) Time Exceeded sent (limit $rl_rate/s burst $rl_burst over ${secs} s: at most $max_te), $rl rate-limited"
assert_ge $((te1 - te0)) "$rl_burst" "Time Exceeded answered during the flood (the limiter's burst at least)"
assert_le $((te1 - te0)) "$max_te" "Time Exceeded within the ICMPv6 rate limit (burst $rl_burst + $rl_rate/s x ${secs} s)"
assert_ge "$rl" 1 "the ICMPv6 rate limit refused answers (Icmp6OutRateLimitHost)"
# Every punt is accounted for: received by the daemon or counted by the
# kernel as an AF_XDP drop (ring full, no free frame).
allpunt=$(xrt_fp_stat $R 'punt:*')
xrt_wait_for "[ \$((\$(sstat XskRxFrames) + \$(sstat XskKernRxRingFull) + \$(sstat XskKernRxFillEmpty) + \$(sstat XskKernRxDropped))) -ge $allpunt ]" 3 || true
acc=$(($(sstat XskRxFrames) + $(sstat XskKernRxRingFull) + $(sstat XskKernRxFillEmpty) + $(sstat XskKernRxDropped)))
xrt_log "punts: $allpunt by the fast path; $(sstat XskRxFrames) received, $(sstat XskKernRxRingFull) ring full, $(sstat XskKernRxFillEmpty) fill empty, $(sstat XskKernRxDropped) other drops"
assert_ge "$acc" "$allpunt" "every punt received or counted as an AF_XDP drop"
# A traceroute from another host gets its hop right after the flood.
out=$(xrt_exec $A traceroute -6 -n -q 1 -w 2 -m 2 2001:db8:b::1 2>&1) || true
assert_contains "$(sed -n 2p <<<"$out")" " 1  2001:db8:1::1 " "traceroute answered right after the flood"

# 2. Fragment flood: 6000+ first fragments that never complete (7 MB+ offered,
# reassembly keeps at most 4 MiB), with the UDP flow alongside.
flood_with_flow frag 6000 2001:db8:3::1
fm=$(sstat sp_frag_mem)
rq=$(sstat slow.Ip6ReasmReqds)
rb=$(sstat sp_reasm_bytes)
rqs=$(sstat sp_reasm_queues)
xrt_log "fragment flood: $rq fragments reached reassembly, $fm datagrams evicted by the bounds, $rqs queues / $rb bytes held after it"
assert_le "$rb" $((4 << 20)) "reassembly memory within its 4 MiB bound"
assert_le "$rqs" 256 "reassembly queues within their bound"
assert_ge "$fm" 1 "the reassembly memory bound was hit and counted"
out=$(xrt_exec $A ping -6 -n -c 2 -i 0.3 -s 3000 -W 3 2001:db8:1::1 2>&1) || xrt_fail "ping -s 3000 after flood: $out"
assert_contains "$out" "2 received" "reassembly still works after the flood"

# 3. NS flood: 5000+ solicitations from distinct sources (each wants a
# neighbour entry and an NA).
na0=$(sstat Icmp6OutNeighborAdvertisements)
flood_with_flow ns 5000 2001:db8:3::1
na1=$(sstat Icmp6OutNeighborAdvertisements)
full=$(sstat sp_neigh_table_full)
evicted=$(sstat sp_neigh_evicted)
xrt_log "NS flood: $FLOOD_SENT sent, $((na1 - na0)) NA sent, $evicted STALE entries evicted, $full refused"
assert_ge $((na1 - na0)) 1 "NS answered during the flood"
assert_eq "$full" 0 "the flood never locked the neighbour table"
ne=$(sstat sp_neigh_entries)
xrt_log "neighbour table after the NS flood: $ne entries, $(sstat sp_neigh_hold_bytes) bytes held"
assert_le "$ne" 4096 "neighbour table within its bound"
# A neighbour never seen before is still resolved after the flood.
ip -n "$(xrt_ns $B)" -6 addr add 2001:db8:2::3/64 dev "$IF_BR" nodad
out=$(xrt_exec $A ping -6 -n -c 2 -i 0.3 -W 3 2001:db8:2::3 2>&1) || xrt_fail "ping new neighbour: $out"
assert_contains "$out" "2 received" "new neighbour resolved after the NS flood"

rss1=$(rss)
xrt_log "xrtd RSS: ${rss0} kB before the floods, ${rss1} kB after"
assert_le $((rss1 - rss0)) 32768 "xrtd memory growth bounded (kB)"
kill -0 "$pid" || xrt_fail "xrtd died"
out=$(xrt_exec $A ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:b::1 2>&1) || xrt_fail "ping after floods: $out"
assert_contains "$out" "3 received" "forwarding after the floods"
xrt_pass "hop-limit-1, fragment and NS floods: concurrent forwarded flow lossless, memory bounded, answers rate-limited"
