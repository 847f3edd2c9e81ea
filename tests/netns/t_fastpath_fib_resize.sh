#!/usr/bin/env bash
# xrt: the fast path's FIB grows and shrinks with the table
# (dataplane/ip6_fib.c fib6_resize, dataplane/loader.c fib_resize). An idle
# router's FIB maps take under 2 MB; routes added in batches move the trie
# to larger maps at least twice and removing them moves it back to smaller
# ones, each move a program swap on both links. A paced UDP flow A -> B runs
# the whole time and every datagram must arrive, in order; after every
# batch, addresses behind B reached through routes added before, between
# and after the resizes still answer (their next hop is B, the bulk routes'
# is a gateway that never answers), and the pinned maps are the new ones.
# The ceiling is a setting (xrtd --max-routes): an add beyond it fails with
# its name and is counted, and nothing else changes.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat ss bpftool
xrt_require_xrt

PPS=400 SIZE=200 SECS=${XRT_FIB_RESIZE_FLOW_SECS:-45} PORT=5557
STEPS=4 STEP=1500 # 6000 bulk routes: 1024 records at start, so 3 grows
MAX=6100          # xrtd --max-routes: room for the bulk routes and a few

xrt_topo_line
xrt_xrtd_start r --max-routes "$MAX"
xrt_topo_line_program
pins=$(xrt_pin_dir r)
bns=$(xrt_ns b)

summary() { # FIELD of `xrt -j route summary`
	xrt_cli r -j route summary | "$XRT_PY" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
pin_field() {
	bpftool -j map show pinned "$pins/$1" |
		"$XRT_PY" -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}
# Every 2001:db8:cK::1 (K < $1) answers from b through r, forwarded by the
# fast path's FIB: a lookup that misses there is punted (no_route) and the
# daemon's slow path would still forward it by the RIB.
reach() {
	local k miss
	miss=$(xrt_fp_stat r punt:no_route)
	for ((k = 0; k < $1; k++)); do
		xrt_exec a ping -6 -c1 -W2 "2001:db8:c$k::1" >/dev/null ||
			xrt_fail "2001:db8:c$k::1 unreachable $2"
	done
	assert_eq "$(xrt_fp_stat r punt:no_route)" "$miss" "fast-path FIB misses $2"
}
# The pins and the program follow the resize: the pinned xrt_fib6_rec is as
# large as the trie's writer says.
pins_follow() {
	assert_eq "$(pin_field xrt_fib6_rec max_entries)" "$(summary capacity_records)" \
		"pinned xrt_fib6_rec size $1"
}

cap0=$(summary capacity_bytes)
assert_le "$cap0" $((2 * 1024 * 1024)) "FIB maps of an idle router (bytes)"
xrt_log "measured: idle FIB maps $cap0 bytes; $(xrt_cli r route summary | tail -1)"
prog0=$(xrt_xdp_prog_id r "$IF_RA")

for ((k = 0; k < STEPS; k++)); do
	ip -n "$bns" -6 addr add "2001:db8:c$k::1/128" dev lo
done
"$XRT_PY" - "$STEPS" "$STEP" "$IF_RB" "$XRT_TMP" <<'PY'
import random, sys
steps, step, dev, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rnd = random.Random(7)
seen = set()
for k in range(steps):
    add, dele = [], []
    # The route to b's address K: its own /48, added with the batch.
    add.append(f"route add 2001:db8:c{k}::/48 via 2001:db8:2::2 dev {dev}")
    while len(add) <= step:
        p = "3fff:%x:%x:%x::/64" % (rnd.getrandbits(12), rnd.getrandbits(16), rnd.getrandbits(16))
        if p in seen:
            continue
        seen.add(p)
        add.append(f"route add {p} via 2001:db8:2::99 dev {dev}")
        dele.append(f"route del {p}")
    open(f"{tmp}/add{k}", "w").write("\n".join(add) + "\n")
    open(f"{tmp}/del{k}", "w").write("\n".join(dele) + "\n")
over = [f"route add 3ffe:{i:x}::/32 via 2001:db8:2::99 dev {dev}" for i in range(200)]
open(f"{tmp}/over", "w").write("\n".join(over) + "\n")
PY

xrt_flow_start a b 2001:db8:b::1 "$PORT" "$PPS" "$SIZE" "$SECS"

for ((k = 0; k < STEPS; k++)); do
	xrt_cli_ok r -batch "$XRT_TMP/add$k"
	xrt_flow_running "batch $k"
	reach $((k + 1)) "after adding batch $k"
	pins_follow "after adding batch $k"
	xrt_flow_progresses "batch $k"
done
grows=$(summary grows)
xrt_log "measured: $(summary routes) routes: $(xrt_cli r route summary | tail -1)"
assert_ge "$grows" 2 "resizes to larger maps"
assert_eq "$(summary resize_failures)" 0 "failed resizes"
assert_ne "$(xrt_xdp_prog_id r "$IF_RA")" "$prog0" "program on $IF_RA swapped by the resizes"

# `xrt trace` follows the swapped program (its switch and ring are the
# running set's, shared by the copy): the flow's packets, by the trie.
out=$(xrt_cli r trace to 2001:db8:b::/64 count 2 timeout 10) || xrt_fail "xrt trace: $out"
assert_contains "$out" "2 packets traced (count)" "trace after the resizes"
assert_contains "$out" "fib6_lookup: route 2001:db8:b::/64" "trace shows the FIB's answer"

# The ceiling: the batch stops at the first route beyond it.
n0=$(summary routes)
rc=0
out=$(xrt_cli r -batch "$XRT_TMP/over" 2>&1) || rc=$?
assert_ne "$rc" 0 "adds beyond --max-routes $MAX"
assert_contains "$out" "routing table is full ($MAX routes, xrtd --max-routes)" "the error names the setting"
assert_eq "$(summary ceiling_hits)" 1 "adds refused at the ceiling (route summary)"
assert_eq "$(summary max_routes)" "$MAX" "the ceiling route summary shows"
assert_eq "$(summary resize_failures)" 0 "failed resizes"
xrt_flow_running "the ceiling"
reach "$STEPS" "at the ceiling"
extra=$(($(summary routes) - n0))
assert_ge "$extra" 1 "routes the batch added before the ceiling"
for ((i = 0; i < extra; i++)); do echo "route del 3ffe:$(printf %x "$i")::/32"; done >"$XRT_TMP/over-del"
xrt_cli_ok r -batch "$XRT_TMP/over-del"
assert_eq "$(summary routes)" "$n0" "routes after taking the extra ones back"
assert_ge "$(summary capacity_bytes)" $((cap0 + 1)) "FIB maps with the bulk routes (bytes)"

for ((k = 0; k < STEPS; k++)); do
	xrt_cli_ok r -batch "$XRT_TMP/del$k"
	xrt_flow_running "removal $k"
	reach "$STEPS" "after removing batch $k"
	pins_follow "after removing batch $k"
done
xrt_log "measured: back to $(summary routes) routes: $(xrt_cli r route summary | tail -1)"
assert_ge "$(summary shrinks)" 1 "resizes to smaller maps"
assert_eq "$(summary grows)" "$grows" "no grow while removing"
assert_eq "$(summary capacity_bytes)" "$cap0" "FIB maps after the removals: the idle size (bytes)"
assert_eq "$(summary resize_failures)" 0 "failed resizes"
reach "$STEPS" "at the end"
xrt_flow_finish

# A start on a configuration holding the bulk routes grows the FIB while
# the previous run's set still forwards (a staged load, dataplane/migrate.h):
# the commit then swaps in and pins the grown maps.
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$(xrt_xrtd_pid r)/status")
xrt_log "measured: xrtd VmRSS ${rss} kB with the FIB's maps back at $(summary capacity_bytes) bytes"
conf=$XRT_TMP/xrt.conf
xrt_topo_line_conf "$conf"
cat "$XRT_TMP"/add* >>"$conf"
xrt_xrtd_stop r
xrt_xrtd_start r -c "$conf" --metrics 127.0.0.1:9417
assert_ge "$(summary grows)" 2 "resizes while the configuration loaded"
# The same counters for Prometheus (strict text format check).
metric() {
	xrt_exec r "$XRT_PY" "$XRT_ROOT/tests/netns/metrics_scrape.py" scrape 127.0.0.1 9417 |
		"$XRT_PY" -c "import json,sys; print(int(json.load(sys.stdin)['$1']))"
}
assert_eq "$(metric 'xrt_fib_resizes_total{direction="grow"}')" "$(summary grows)" "grows in /metrics"
assert_eq "$(metric xrt_fib_capacity_bytes)" "$(summary capacity_bytes)" "FIB maps' bytes in /metrics"
assert_eq "$(metric xrt_fib_resize_failures_total)" 0 "failed resizes in /metrics"
assert_eq "$(summary routes)" "$n0" "routes after the start"
reach "$STEPS" "after a start that grew the FIB before its commit"
pins_follow "after the commit"
xrt_pass "$((STEPS * STEP)) routes added and removed in batches under a $((SECS * PPS))-datagram flow: $grows grows, $(summary shrinks) shrinks, 0 lost, next hops right after each"
