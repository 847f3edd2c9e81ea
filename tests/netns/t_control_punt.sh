#!/usr/bin/env bash
# xrt: punt budgets. xrtd programs a budget for every punt reason at start
# (`xrt punt show`, text and JSON); `xrt punt set` and the configuration file
# change them. A hop-limit-1 flood above the budget is cut to it (the rest
# counted as drop punt_limit and as the reason's "limited") while a
# concurrent forwarded flow loses nothing; same-interface forwarding beyond
# the REDIRECT budget stays in the fast path (XDP_TX), proven by its
# counters.
#
#   a -- r -- b      r: xrt (line topology); 2001:db8:c::/64 routed back out
#                    of the interface towards a (a Redirect case)
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xd}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt
xrt_require_cmd socat

xrt_topo_line
R=r
echo "punt set neigh_miss rate 5000 burst 400" >"$XRT_TMP/xrtd.conf"
xrt_xrtd_start $R -c "$XRT_TMP/xrtd.conf"
xrt_topo_line_program
# Leaves by the interface it came in on: the fast path wants a Redirect.
xrt_cli_ok $R route add 2001:db8:c::/64 via 2001:db8:1::3 dev "$IF_RA"
xrt_cli_ok $R neigh add 2001:db8:1::3 lladdr "$MAC_AR" dev "$IF_RA"

pj() { # REASON FIELD: one field of `xrt -j punt show`
	xrt_cli $R -j punt show | "$XRT_PY" -c \
		"import json,sys; print({e['reason']: e for e in json.load(sys.stdin)}['$1']['$2'])"
}

# Every reason has a budget from the start; the configuration file's wins.
show=$(xrt_cli $R punt show)
assert_eq "$(grep -c . <<<"$show")" 14 "punt show: a header and 13 reasons (arp included)"
assert_not_contains "$show" "unlimited" "no reason is unlimited by default"
assert_match "$show" "hop_limit +2000 +200 " "hop_limit default"
assert_match "$show" "redirect +20 +6 " "redirect default"
assert_match "$show" "neigh_miss +5000 +400 " "neigh_miss from the configuration file"
assert_eq "$(xrt_cli $R -j punt show | "$XRT_PY" -c 'import json,sys; d=json.load(sys.stdin); print(len(d), sorted(d[0]))')" \
	"13 ['burst', 'limited', 'punted', 'rate', 'reason']" "punt show -j shape"
assert_eq "$(xrt_cli $R punt show local | tail -n +2 | awk '{print $1}')" "local" "punt show REASON"

# Errors name the bad word and change nothing.
out=$(xrt_cli $R punt set hop_limt rate 5 2>&1) && xrt_fail "unknown reason accepted"
assert_contains "$out" 'unknown punt reason "hop_limt"' "punt set: unknown reason"
out=$(xrt_cli $R punt set hop_limit burst 0 2>&1) && xrt_fail "burst 0 accepted"
assert_contains "$out" "burst" "punt set: burst 0"
out=$(xrt_cli $R punt set hop_limit 2>&1) && xrt_fail "punt set without values accepted"
out=$(xrt_cli $R punt set hop_limit rate 2>&1) && xrt_fail "rate without a value accepted"
assert_eq "$out" 'Error: missing value after "rate"' "punt set: rate without a value"
out=$(xrt_cli $R punt set hop_limit rate 5 bogus 2>&1) && xrt_fail "unknown word accepted"
assert_eq "$out" 'Error: unknown word "bogus"' "punt set: unknown word"
assert_eq "$(pj hop_limit rate) $(pj hop_limit burst)" "2000 200" "budget unchanged after the errors"

# rate 0 = unlimited, shown as such; then a small budget for the flood.
xrt_cli_ok $R punt set hop_limit rate 0
assert_match "$(xrt_cli $R punt show hop_limit)" "hop_limit +unlimited " "rate 0 is unlimited"
RATE=100 BURST=10 N=3000
xrt_cli_ok $R punt set hop_limit rate $RATE burst $BURST

# Hop-limit-1 flood from a, with a forwarded UDP stream from a to b at the
# same time.
p0=$(xrt_fp_stat $R punt:hop_limit) l0=$(pj hop_limit limited) d0=$(xrt_fp_stat $R drop:punt_limit)
te0=$(xrt_snmp6 a Icmp6InTimeExcds)
xrt_bg a flood "$XRT_PY" "$XRT_ROOT/tests/netns/punt_flood.py" 2001:db8:b::1 33434 $N 1
flood=$XRT_LAST_PID
xrt_udp_stream a b 2001:db8:b::1 7001 400 1000
xrt_wait_pid $flood 30 || xrt_fail "flood sender failed: $(cat "$XRT_TMP/flood.log")"
sent=$(cat "$XRT_TMP/flood.log")
assert_eq "$sent" $N "flood datagrams sent"
punted=$(($(xrt_fp_stat $R punt:hop_limit) - p0)) limited=$(($(pj hop_limit limited) - l0))
assert_eq "$((punted + limited))" $N "every flood packet punted or limited"
assert_eq "$(($(xrt_fp_stat $R drop:punt_limit) - d0))" "$limited" "drop punt_limit counts the limited"
# The bucket holds BURST per CPU and refills at RATE overall: far below N
# unless sending 3000 datagrams took the sender more than 10 s.
assert_ge "$punted" "$BURST" "the burst went through"
assert_le "$punted" $((N / 3)) "flood cut to the budget"
# The stack has its own ICMPv6 rate limit: at most one per punt.
xrt_wait_for "[ \$((\$(xrt_snmp6 a Icmp6InTimeExcds) - $te0)) -ge 1 ]" 5 ||
	xrt_fail "a got no Time Exceeded for $punted punts"
assert_le "$(($(xrt_snmp6 a Icmp6InTimeExcds) - te0))" "$punted" "Time Exceeded at most one per punt"

# Same-interface forwarding: the first packets (the REDIRECT burst) go to
# the daemon, which forwards them and sends Redirects; the rest are
# forwarded by the fast path with XDP_TX.
NR=1000
rp0=$(xrt_fp_stat $R punt:redirect) rl0=$(pj redirect limited) f0=$(xrt_fp_stat $R Ip6OutForwDatagrams)
d0=$(xrt_fp_stat $R drop:punt_limit)
sent=$(xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/punt_flood.py" 2001:db8:c::1 9 $NR 64)
assert_eq "$sent" $NR "same-interface datagrams sent"
rpunted=$(($(xrt_fp_stat $R punt:redirect) - rp0))
fast=$(($(xrt_fp_stat $R Ip6OutForwDatagrams) - f0))
assert_ge "$rpunted" 1 "the first same-interface packets punted for a Redirect"
assert_le "$rpunted" $((NR / 3)) "punts for Redirects cut to the budget"
assert_eq "$((fast + rpunted))" $NR "every packet XDP_TX'ed or punted"
assert_eq "$(($(pj redirect limited) - rl0))" "$fast" "redirect limited = forwarded with XDP_TX"
assert_eq "$(($(xrt_fp_stat $R drop:punt_limit) - d0))" 0 "over the REDIRECT budget nothing is dropped"

# Reload: a budget the file no longer sets goes back to its default; one
# the file now sets is applied.
echo "punt set redirect rate 50 burst 8" >"$XRT_TMP/xrtd.conf"
xrt_cli_ok $R config reload
assert_eq "$(pj neigh_miss rate) $(pj neigh_miss burst)" "5000 250" "neigh_miss back to its default"
assert_eq "$(pj redirect rate) $(pj redirect burst)" "50 8" "redirect from the reloaded file"
assert_eq "$(pj hop_limit rate)" "$RATE" "a CLI budget is kept by the reload"
xrt_pass "punt budgets: hop_limit flood $punted of $N punted, $limited limited, stream intact; redirect $rpunted punted, $fast XDP_TX"
