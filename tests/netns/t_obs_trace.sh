#!/usr/bin/env bash
# xrt: `xrt trace` follows packets (IPv6 and IPv4) through the fast path's stages by their kernel names to the verdict (forwarded, punted), text and -j; count and timeout end it, one session at a time, and tracing stops when the CLI goes away.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-ot}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt
xrt_require_cmd bpftool

xrt_topo_line
R=r
xrt_xrtd_start $R
xrt_topo_line_program
M=$XRT_TMP
PIN=$(xrt_pin_dir $R)
trace() { timeout --foreground 20 ip netns exec "$(xrt_ns $R)" "$XRT_BUILD/xrt" "$@"; }
# The fast path's switch, as the kernel holds it (bpftool: "on": N).
cfg_on() { bpftool map dump pinned "$PIN/xrt_trace_cfg" | grep -o '"on": [0-9]*' | head -1 | awk '{print $2}'; }
assert_eq "$(cfg_on)" 0 "tracing is off before any session"

# Pings through the router the whole time (b's 2001:db8:b::1 via 2001:db8:2::2).
xrt_bg a ping ping -6 -i 0.1 -c 400 2001:db8:b::1
PING=$XRT_LAST_PID

# 1. Exactly 3 packets, each with every stage and the egress.
out=$(trace trace to 2001:db8:b::/64 count 3) || xrt_fail "xrt trace failed: $out"
printf '%s\n' "$out"
assert_eq "$(grep -c '^packet [0-9]*: ' <<<"$out")" 3 "3 packets"
assert_eq "$(grep -c "^  eth_type_trans: next\$" <<<"$out")" 3 "eth_type_trans"
assert_eq "$(grep -c "^  ipv6_rcv: next\$" <<<"$out")" 3 "ipv6_rcv"
assert_eq "$(grep -c "^  ip6_route_input: next (fib6_lookup: route 2001:db8:b::/64 nexthop [0-9]* via 2001:db8:2::2 dev $IF_RB)\$" <<<"$out")" 3 "ip6_route_input with the route"
assert_eq "$(grep -c "^  ip6_forward: next\$" <<<"$out")" 3 "ip6_forward"
assert_eq "$(grep -c "^  ip6_finish_output2: redirect\$" <<<"$out")" 3 "ip6_finish_output2"
assert_eq "$(grep -c "^  forwarded out dev $IF_RB via 2001:db8:2::2\$" <<<"$out")" 3 "verdict"
assert_eq "$(grep -c "^packet [0-9]: dev $IF_RA len [0-9]* 2001:db8:1::2 > 2001:db8:b::1 icmpv6 hlim 64\$" <<<"$out")" 3 "packet line"
assert_contains "$out" "3 packets traced (count), 0 records lost (ring full)" "summary"
assert_eq "$(cfg_on)" 0 "tracing off after the session"

# 2. -j: one object per packet, then the end.
xrt_cli $R -j trace to 2001:db8:b::1 proto icmpv6 count 2 >"$M/trace.json" || xrt_fail "xrt -j trace: $(cat $M/trace.json)"
"$XRT_PY" - "$M/trace.json" "$IF_RA" "$IF_RB" <<'PY' || xrt_fail "-j trace: $(cat $M/trace.json)"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
pk = [o for o in objs if o["type"] == "packet"]
assert len(pk) == 2, objs
for o in pk:
    assert [s["stage"] for s in o["stages"]] == ["eth_type_trans", "ipv6_rcv", "ip6_rpf", "nf_hook_prerouting", "ip6_route_input", "ip6_forward", "nf_hook_forward", "ip6_finish_output2"], o
    assert o["stages"][-1]["decision"] == "redirect", o
    assert o["dev"] == sys.argv[2] and o["oif"] == sys.argv[3], o
    assert o["route"] == "2001:db8:b::/64" and o["via"] == "2001:db8:2::2", o
    assert o["verdict"] == "forwarded" and o["src"] == "2001:db8:1::2" and o["proto"] == "icmpv6", o
assert objs[-1] == {"type": "end", "packets": 2, "lost": 0, "reason": "count"}, objs[-1]
PY

# 3. A packet for the router itself: punted to xrtd (LOCAL), and what the
#    slow path did with it (the counters stack_rx moved): an echo reply.
xrt_bg a ping-local ping -6 -i 0.1 -c 100 2001:db8:1::1
out=$(trace trace to 2001:db8:1::1/128 count 1) || xrt_fail "xrt trace (local) failed: $out"
printf '%s\n' "$out"
assert_contains "$out" "  ip6_route_input: punt local" "the route stage punts"
assert_contains "$out" "  punted: local" "verdict"
assert_match "$(grep '^  stack_rx: ' <<<"$out")" "Icmp6InEchos.*Icmp6OutEchoReplies" "the slow path answered the echo"
xrt_stop "$XRT_LAST_PID"
# Hop limit 1 on the way through: punted by ip6_forward, Time Exceeded sent.
xrt_stop "$PING"
xrt_bg a ping-hl ping -6 -t 1 -i 0.1 -c 100 2001:db8:b::1
out=$(trace trace to 2001:db8:b::/64 count 1) || xrt_fail "xrt trace (hop limit) failed: $out"
printf '%s\n' "$out"
assert_contains "$out" "  ip6_forward: punt hop_limit" "ip6_forward punts"
assert_match "$(grep '^  stack_rx: ' <<<"$out")" "Icmp6OutTimeExcds.*sp_fwd_hop_limit" "the slow path sent Time Exceeded"
xrt_stop "$XRT_LAST_PID"
xrt_bg a ping ping -6 -i 0.1 -c 400 2001:db8:b::1
PING=$XRT_LAST_PID

# 4. Nothing matches: the timeout ends it.
t0=$(date +%s)
out=$(trace trace to 2001:db8:99::/64 count 5 timeout 1) || xrt_fail "xrt trace (timeout) failed: $out"
assert_contains "$out" "0 packets traced (timeout)" "timeout"
assert_le "$(($(date +%s) - t0))" 3 "ended by its 1 s timeout"

# 5. One session at a time; the second is refused and counted; the first's
#    CLI going away turns tracing off and frees the place.
xrt_bg $R trace-long "$XRT_BUILD/xrt" trace to 2001:db8:99::/64 count 1000 timeout 60
LONG=$XRT_LAST_PID
xrt_wait_for '[ "$(cfg_on)" = 1 ]' 5 || xrt_fail "the first session did not start: $(cat $M/trace-long.log)"
out=$(trace trace count 1 2>&1) && xrt_fail "a second trace was accepted: $out"
assert_contains "$out" "Error: trace: another xrt trace is running (one at a time)" "second session refused"
assert_eq "$(xrt_cli $R -j stats | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["local"]["trace_refused"])')" 1 "trace_refused"
xrt_stop "$LONG"
xrt_wait_for '[ "$(cfg_on)" = 0 ]' 5 || xrt_fail "tracing still on after the CLI went away"
out=$(trace trace to 2001:db8:b::/64 count 1) || xrt_fail "no trace after the first went away: $out"
assert_eq "$(grep -c '^packet ' <<<"$out")" 1 "a new session after the first went away"

# 6. A reader that stops reading (its output a FIFO nobody reads) never
#    stalls xrtd: the CLI answers, the records that pile up in the full
#    ring are counted, and its end turns tracing off.
mkfifo "$M/stuck.fifo"
xrt_bg $R trace-stuck sh -c "exec '$XRT_BUILD/xrt' trace to 2001:db8:b::/64 count 1000 timeout 60 1<>'$M/stuck.fifo'"
STUCK=$XRT_LAST_PID
xrt_wait_for '[ "$(cfg_on)" = 1 ]' 5 || xrt_fail "the stuck session did not start"
xrt_exec a ping -6 -q -f -c 20000 -s 1000 2001:db8:b::1 >/dev/null 2>&1 || true
tlost() { xrt_cli $R -j stats | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["local"]["trace_lost"])'; }
t0=$(date +%s%N)
xrt_cli_ok $R link show >/dev/null
assert_le "$((($(date +%s%N) - t0) / 1000000))" 1000 "xrtd answers at once while a trace reader is stuck"
kill -0 "$STUCK" || xrt_fail "the stuck reader's CLI exited"
assert_eq "$(cfg_on)" 1 "the stuck session is still on (its 1000 packets never reached the reader)"
xrt_stop "$STUCK"
xrt_wait_for '[ "$(cfg_on)" = 0 ]' 5 || xrt_fail "tracing still on after the stuck reader went away"
assert_ge "$(tlost)" 1 "records the full ring refused are counted (trace_lost)"

# 7. IPv4 (forwarded on xrt's own FIB; the router's kernel has no IPv4
#    address): the IPv4 stages, the route and the egress (B is on-link: no
#    gateway). "proto icmp" leaves ICMPv6 out, "dev" the echo replies.
xrt_cli_ok $R addr add 192.0.2.1/24 dev $IF_RA
xrt_cli_ok $R addr add 198.51.100.1/24 dev $IF_RB
for v in "a $IF_AR 192.0.2.2/24 192.0.2.1" "b $IF_BR 198.51.100.2/24 198.51.100.1"; do
	read -r ns dev addr gw <<<"$v"
	ip -n "$(xrt_ns "$ns")" addr add "$addr" dev "$dev"
	ip -n "$(xrt_ns "$ns")" route add default via "$gw"
done
# The first packets resolve ARP through xrtd.
xrt_wait_for "xrt_exec a ping -4 -c 1 -W 1 198.51.100.2 >/dev/null" 10 || xrt_fail "no IPv4 through the router"
xrt_bg a ping4 ping -4 -i 0.1 -c 200 198.51.100.2
out=$(trace trace dev "$IF_RA" proto icmp count 2) || xrt_fail "xrt trace proto icmp failed: $out"
printf '%s\n' "$out"
xrt_stop "$XRT_LAST_PID"
assert_eq "$(grep -Ec "^packet [0-9]: dev $IF_RA len [0-9]+ 192\.0\.2\.2 > 198\.51\.100\.2 icmp hlim 64\$" <<<"$out")" 2 "IPv4 packet lines"
assert_eq "$(grep -c "^  eth_type_trans: next\$" <<<"$out")" 2 "eth_type_trans"
assert_eq "$(grep -c "^  ip_rcv: next\$" <<<"$out")" 2 "ip_rcv"
# rpf and the nf hooks run for IPv4 too, in the IPv6 order.
assert_eq "$(grep -c "^  ip_rpf: next\$" <<<"$out")" 2 "ip_rpf"
assert_eq "$(grep -c "^  nf_hook_prerouting: next\$" <<<"$out")" 2 "nf_hook_prerouting (IPv4)"
assert_eq "$(grep -c "^  nf_hook_forward: next\$" <<<"$out")" 2 "nf_hook_forward (IPv4)"
assert_eq "$(awk '/^packet/ {n++; next} n == 1 && /: / {sub(/:.*/, ""); sub(/^ */, ""); printf "%s ", $0}' <<<"$out")" \
	"eth_type_trans ip_rcv ip_rpf nf_hook_prerouting ip_route_input ip_forward nf_hook_forward ip_finish_output2 " "IPv4 stage order"
assert_eq "$(grep -Ec "^  ip_route_input: next \(fib_lookup: route 198\.51\.100\.0/24 nexthop [0-9]+ dev $IF_RB\)\$" <<<"$out")" 2 "ip_route_input"
assert_eq "$(grep -c "^  ip_forward: next\$" <<<"$out")" 2 "ip_forward"
assert_eq "$(grep -c "^  ip_finish_output2: redirect\$" <<<"$out")" 2 "ip_finish_output2"
assert_eq "$(grep -c "^  forwarded out dev $IF_RB\$" <<<"$out")" 2 "IPv4 verdict"

# Bad words are refused with the word named.
out=$(trace trace count 1001 2>&1) && xrt_fail "count 1001 accepted"
assert_contains "$out" 'count "1001" is invalid (1..1000)' "count bound"
out=$(trace trace bogus 2>&1) && xrt_fail "a bad word accepted"
assert_contains "$out" 'unknown word "bogus"' "bad word"
xrt_stop "$PING"
xrt_pass "trace: 3 forwarded packets with every stage, route and egress; -j; a punt; timeout; one session at a time (refusal counted); off when the CLI goes away; a stuck reader stalls nothing and the full ring is counted; IPv4 stages and egress; the slow path's outcome of punts (echo reply, Time Exceeded)"
