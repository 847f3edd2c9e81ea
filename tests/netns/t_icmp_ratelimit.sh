#!/usr/bin/env bash
# xrt: the ICMPv6 error rate limit (RFC 4443 2.4 (f)) set from the
# configuration file and the CLI. A burst of hop-limit-1 probes through the
# router gets at most burst + rate * t Time Exceeded back (counted with
# tcpdump on the sender) under a low configured rate, every one of them with
# the limit off (rate 0), and at most burst + rate * t again under a low
# global limit; another host's probe is answered while the first one is
# limited (per-destination buckets); a reload of a file without the icmp
# line restores the defaults.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xr}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
xrt_require_xrt

PROBES=100 # per round; bounded, and below the default global burst (500)
RATE=5 BURST=10

xrt_topo_line
conf=$XRT_TMP/xrtd.conf
write_conf() { # EXTRA_LINES...
	{
		echo "link attach dev $IF_RA"
		echo "link attach dev $IF_RB"
		echo "addr add 2001:db8:1::1/64 dev $IF_RA"
		echo "addr add 2001:db8:2::1/64 dev $IF_RB"
		echo "route add 2001:db8:b::/64 via 2001:db8:2::2"
		echo "neigh add 2001:db8:1::2 lladdr $MAC_AR dev $IF_RA"
		echo "neigh add 2001:db8:2::2 lladdr $MAC_BR dev $IF_RB"
		# The fast path's own punt budget for hop-limit-1 packets must not
		# be what limits this test: it is the stack's limit under test.
		echo "punt set hop_limit rate 0"
		printf '%s\n' "$@"
	} >"$conf"
}
write_conf "icmp ratelimit $RATE burst $BURST"

# A bad icmp line stops xrtd at start with FILE:LINE and names the word.
bad=$XRT_TMP/bad.conf
echo "icmp ratelimit fast" >"$bad"
xrt_bpffs r
out=$(xrt_exec r "$XRT_BUILD/xrtd" -f -c "$bad" --bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "xrtd started with a bad icmp line"
assert_contains "$out" "$bad:1: rate (messages/s, 0 = off) \"fast\" is invalid" "bad icmp line"

xrt_xrtd_start r -c "$conf"
assert_eq "$(xrt_cli r icmp show)" "ratelimit $RATE burst $BURST global 5000 burst 500" "icmp show from the config"
js=$(xrt_cli r -j icmp show)
assert_eq "$js" "{\"ratelimit\":{\"rate\":$RATE,\"burst\":$BURST},\"global\":{\"rate\":5000,\"burst\":500}}" "icmp show -j"

sp_stat() { xrt_cli r stats | awk -v k="$1" '$1 == k {print $2}'; }

# round NAME [GAP_S]: send PROBES hop-limit-1 UDP probes from a through r
# in one burst (or GAP_S seconds apart); wait (bounded) until the stack accounted for every one (sent a
# Time Exceeded or counted it rate limited) and tcpdump on a saw every Time
# Exceeded the stack sent. Sets GOT (Time Exceeded received by a) and
# SPAN_S (seconds from the first probe sent to the last one accounted,
# rounded up: an upper bound on the time the buckets had to refill).
round() {
	local name=$1 gap=${2:-0} te0 rl0 t0 t1 cap
	te0=$(sp_stat Icmp6OutTimeExcds) rl0=$(sp_stat Icmp6OutRateLimitHost)
	xrt_bg a "te-$name" tcpdump -l -n -i "$IF_AR" 'icmp6 and ip6[40] == 3'
	cap=$XRT_LAST_PID
	xrt_wait_for "grep -q 'listening on' '$XRT_TMP/te-$name.log'" 20 || xrt_fail "tcpdump did not start"
	t0=$(date +%s%N)
	xrt_exec a "$XRT_PY" -c '
import sys
from scapy.all import Ether, IPv6, UDP, Raw, sendp
ifname, src_mac, dst_mac, n, gap = sys.argv[1:4] + [int(sys.argv[4]), float(sys.argv[5])]
probes = [Ether(src=src_mac, dst=dst_mac) /
          IPv6(src="2001:db8:1::2", dst="2001:db8:b::1", hlim=1) /
          UDP(sport=40000, dport=33434 + i) / Raw(b"probe") for i in range(n)]
sendp(probes, iface=ifname, inter=gap, verbose=0)
' "$IF_AR" "$MAC_AR" "$MAC_RA" "$PROBES" "$gap"
	xrt_wait_for "[ \$((\$(sp_stat Icmp6OutTimeExcds) - $te0 + \$(sp_stat Icmp6OutRateLimitHost) - $rl0)) -ge $PROBES ]" 20 ||
		xrt_fail "$name: the stack accounted for $(($(sp_stat Icmp6OutTimeExcds) - te0 + $(sp_stat Icmp6OutRateLimitHost) - rl0)) of $PROBES probes"
	t1=$(date +%s%N)
	SENT=$(($(sp_stat Icmp6OutTimeExcds) - te0))
	LIMITED=$(($(sp_stat Icmp6OutRateLimitHost) - rl0))
	assert_eq $((SENT + LIMITED)) "$PROBES" "$name: every probe answered or counted rate limited"
	xrt_wait_for "[ \$(grep -c 'time exceeded' '$XRT_TMP/te-$name.log') -ge $SENT ]" 10 ||
		xrt_fail "$name: a saw $(grep -c 'time exceeded' "$XRT_TMP/te-$name.log") Time Exceeded, the stack sent $SENT"
	xrt_stop "$cap"
	GOT=$(grep -c 'time exceeded' "$XRT_TMP/te-$name.log" || true)
	SPAN_S=$(((t1 - t0 + 999999999) / 1000000000))
	xrt_log "$name: $GOT Time Exceeded of $PROBES probes ($LIMITED rate limited) in <= ${SPAN_S}s"
}

# 1. Per-destination limit from the config: burst, then RATE a second.
round limited
max=$((BURST + RATE * SPAN_S))
assert_le "$GOT" "$max" "Time Exceeded under ratelimit $RATE burst $BURST over ${SPAN_S}s"
assert_ge "$GOT" "$BURST" "a full bucket lets the burst through"
assert_eq "$GOT" "$SENT" "tcpdump saw what the stack sent"
assert_ge "$LIMITED" $((PROBES - max)) "Icmp6OutRateLimitHost"

# 1b. The same limit with the probes spread over about 4 s: the bucket
# refills at RATE a second, so more than the burst gets through, and still
# no more than burst + rate * t.
xrt_cli_ok r icmp ratelimit $RATE burst $BURST # a fresh, full bucket
PROBES=40 round paced 0.1
assert_le "$GOT" $((BURST + RATE * SPAN_S)) "Time Exceeded under ratelimit $RATE burst $BURST over ${SPAN_S}s (paced)"
assert_ge "$GOT" $((BURST + 1)) "the bucket refills between paced probes"

# 1c. Per destination: a's flood empties a's bucket, not b's, so b's
# traceroute still gets its Time Exceeded (a shared 1/s bucket would not).
xrt_cli_ok r icmp ratelimit 1 burst 1
round drain
assert_le "$GOT" $((1 + SPAN_S)) "Time Exceeded to a under ratelimit 1 burst 1"
out=$(xrt_exec b ping -6 -n -c 1 -t 1 -W 2 2001:db8:1::2 2>&1) || true
assert_contains "$out" "Time exceeded" "b's hop-limit-1 probe answered while a is rate limited"

# 2. Off (rate 0), from the CLI: every probe gets its Time Exceeded.
xrt_cli_ok r icmp ratelimit 0
assert_eq "$(xrt_cli r icmp show)" "ratelimit 0 burst 0 global 5000 burst 500" "icmp show after off"
round off
assert_eq "$GOT" "$PROBES" "Time Exceeded with the limit off"
assert_eq "$LIMITED" 0 "nothing rate limited with the limit off"

# 3. The global bucket alone (per destination still off).
xrt_cli_ok r icmp ratelimit global $RATE burst $BURST
assert_eq "$(xrt_cli r icmp show)" "ratelimit 0 burst 0 global $RATE burst $BURST" "icmp show global"
round global
assert_le "$GOT" $((BURST + RATE * SPAN_S)) "Time Exceeded under global $RATE burst $BURST over ${SPAN_S}s"
assert_ge "$GOT" "$BURST" "a full global bucket lets the burst through"

# Bad input: a clear error naming the word, nothing changed.
out=$(xrt_cli r icmp ratelimit 10 burst 0 2>&1) && xrt_fail "burst 0 accepted"
assert_contains "$out" 'burst "0" is invalid' "burst 0"
out=$(xrt_cli r icmp ratelimit 10 bogus 2>&1) && xrt_fail "unknown word accepted"
assert_contains "$out" '"bogus"' "unknown word"
assert_eq "$(xrt_cli r icmp show)" "ratelimit 0 burst 0 global $RATE burst $BURST" "failed commands changed nothing"

# A reload keeps what the CLI set; once the file sets the limit, a reload
# without the line restores the defaults.
xrt_cli_ok r config reload
assert_eq "$(xrt_cli r icmp show)" "ratelimit $RATE burst $BURST global $RATE burst $BURST" "reload re-applies the file's line"
write_conf
xrt_cli_ok r config reload
assert_eq "$(xrt_cli r icmp show)" "ratelimit 100 burst 50 global 5000 burst 500" "reload without the icmp line: defaults"
kill -0 "$(xrt_xrtd_pid r)" || xrt_fail "xrtd died"
xrt_pass "Time Exceeded for $PROBES hop-limit-1 probes: <= burst + rate*t under per-destination and global limits, all $PROBES with the limit off; config, CLI, reload"
