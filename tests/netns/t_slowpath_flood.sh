#!/usr/bin/env bash
# xrt: floods at the slow path (hop limit 1, incomplete fragments, NS from
# many sources), bounded counts sent by host c, leave a concurrent forwarded
# flow a -> b untouched, keep xrtd's memory bounded, and are answered
# within the ICMPv6 rate limit. Figures go to the log. The flood comes in
# by its own link: on one veth the flood and the flow would share the veth's
# 256-slot ring, which is the wire being saturated, not the router.
XRT_PREFIX_BASE=xs
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
# A forwarded flow a -> b -> a alongside each flood: 3000 echoes of 1000
# bytes at 1000/s (paced, so a loss means the router lost it, not b's socket
# buffer). Every one must come back.
flow_check() {
	local out
	out=$(xrt_exec $A ping -6 -n -q -i 0.001 -c 3000 -s 1000 -W 2 2001:db8:b::1 2>&1) ||
		xrt_fail "forwarded flow during the $1 flood: $out"
	assert_contains "$out" "3000 received, 0% packet loss" "forwarded flow during the $1 flood"
}
# flood_bg KIND COUNT DST: host c floods in the background; FLOOD_PID.
flood_bg() {
	xrt_bg c "flood-$1" "$XRT_PY" "$XRT_ROOT/tests/netns/slowpath_flood.py" "$1" "$2" \
		"$IF_CR" "$MAC_RC" 2001:db8:3::2 "$3"
	FLOOD_PID=$XRT_LAST_PID
}

# Warm up: resolve neighbours, let the allocator settle.
out=$(xrt_exec $A ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:b::1 2>&1) || xrt_fail "ping: $out"
out=$(xrt_exec c ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:3::1 2>&1) || xrt_fail "ping: $out"
rss0=$(rss)

# 1. Hop-limit-1 flood (20000 packets) with a forwarded UDP flow alongside.
te0=$(sstat Icmp6OutTimeExcds)
flood_bg hl1 20000 2001:db8:b::1
flow_check hop-limit
xrt_wait_pid "$FLOOD_PID" 120 || xrt_fail "hop-limit flood did not finish"
te1=$(sstat Icmp6OutTimeExcds)
rl=$(sstat Icmp6OutRateLimitHost)
punted=$(xrt_fp_stat $R punt:hop_limit)
limited=$(xrt_fp_stat $R drop:punt_limit)
xrt_log "hop-limit-1 flood: 20000 sent, $punted punted, $limited dropped by the punt budget, $(sstat XskKernRxRingFull) lost on a full XSK ring, $((te1 - te0)) Time Exceeded sent, $rl rate-limited; 3000 forwarded echoes of 1000 B all answered"
assert_ge $((te1 - te0)) 1 "Time Exceeded answered during the flood"
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

# 2. Fragment flood: 6000 first fragments that never complete (7 MB offered,
# reassembly keeps at most 4 MiB), with the UDP flow alongside.
flood_bg frag 6000 2001:db8:3::1
flow_check fragment
xrt_wait_pid "$FLOOD_PID" 120 || xrt_fail "fragment flood did not finish"
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

# 3. NS flood: 5000 solicitations from distinct sources (each wants a
# neighbour entry and an NA).
na0=$(sstat Icmp6OutNeighborAdvertisements)
flood_bg ns 5000 2001:db8:3::1
flow_check NS
xrt_wait_pid "$FLOOD_PID" 120 || xrt_fail "NS flood did not finish"
na1=$(sstat Icmp6OutNeighborAdvertisements)
full=$(sstat sp_neigh_table_full)
evicted=$(sstat sp_neigh_evicted)
xrt_log "NS flood: 5000 sent, $((na1 - na0)) NA sent, $evicted STALE entries evicted, $full refused"
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
