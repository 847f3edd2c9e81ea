#!/usr/bin/env bash
# xrt: bulk loading with `xrt -batch`: 200k routes over one connection land
# in the RIB and the fast path (and steer traffic); a bad line stops the
# batch at that line (or is skipped with -force) and names FILE:LINE.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

N=${XRT_BATCH_ROUTES:-200000}
xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
xrt_cli_ok r route del 2001:db8:b::/64

batch=$XRT_TMP/routes.batch
"$XRT_PY" - "$N" >"$batch" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print("route add 2001:%x:%x::/48 via 2001:db8:2::2" % (0x1000 + (i >> 16), i & 0xffff))
print("route add 2001:db8:b::/64 via 2001:db8:2::2 dev %s" % "IFRB")
PY
sed -i "s/IFRB/$IF_RB/" "$batch"
base=$(xrt_cli r route show | wc -l)
pid=$(xrt_xrtd_pid r)
rss0=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status)
t0=$(date +%s%N)
xrt_cli_ok r -batch "$batch"
t1=$(date +%s%N)
rss1=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status)
xrt_log "measured: $((N + 1)) routes by -batch in $(((t1 - t0) / 1000000)) ms; xrtd RSS ${rss0} kB -> ${rss1} kB"
assert_eq "$(xrt_cli r route show | wc -l)" "$((base + N + 1))" "routes in the RIB after the batch"
# Spot checks in the fast path's own decision and in real forwarding.
for i in 0 4242 $((N - 1)); do
	dst=$(printf '2001:%x:%x::9' $((0x1000 + (i >> 16))) $((i & 0xffff)))
	assert_contains "$(xrt_cli r route get "$dst")" "via 2001:db8:2::2 dev $IF_RB" "route get $dst"
done
out=$(xrt_exec a ping -6 -n -c 3 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "ping through the batch-loaded route: $out"
assert_contains "$(xrt_cli r stats)" "Ip6OutForwDatagrams" "stats after the batch"

# Route change to fast path: the CLI returns after the map write, so its
# wall time bounds the latency (measured, not asserted).
t0=$(date +%s%N)
for i in $(seq 100); do
	xrt_cli r route replace 2001:db8:b::/64 via 2001:db8:2::2 metric $((2000 + i % 2)) >/dev/null
done
t1=$(date +%s%N)
xrt_log "measured: route replace via the CLI, process start to map written: $(((t1 - t0) / 100000)) us per change (100 runs)"
# The same over one connection, one request per change: the reply leaves
# after the map write, so the round trip is the change-to-fast-path time.
rt=$(XRT_CTL_PATH=$(xrt_sock_path r) xrt_exec r "$XRT_PY" - <<'PY'
import os, socket, struct, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(os.environ["XRT_CTL_PATH"])
N = 2000
t0 = time.perf_counter()
for i in range(N):
    words = ["route", "replace", "2001:db8:b::/64", "via", "2001:db8:2::2", "metric", str(2000 + i % 2)]
    body = struct.pack("=I", len(words)) + b"".join(w.encode() + b"\0" for w in words)
    s.send(struct.pack("=IHHI", 0x78727463, 1, 0, 1) + body)
    r = s.recv(70000)
    assert struct.unpack("=IIiI", r[:16])[2] == 0, r
print(int((time.perf_counter() - t0) / N * 1e6))
PY
)
xrt_log "measured: route replace round trip on one connection (reply after the map write): ${rt} us per change ($((2000)) changes)"

# Flush them all again: only the address routes are left.
xrt_cli_ok r route flush table main metric 1024
xrt_cli_ok r route flush table main metric 2000
xrt_cli_ok r route flush table main metric 2001
assert_eq "$(xrt_cli r route show | wc -l)" "$base" "routes after flushing the batch"

# A full table is a clear error that changes nothing: distinct gateways
# until the next-hop array (XRT_MAX_NEXTHOPS - 1 ids) runs out.
NH_MAX=$(awk '$2 == "XRT_MAX_NEXTHOPS" { print $3 }' "$XRT_ROOT/include/xrt/limits.h")
"$XRT_PY" - "$NH_MAX" >"$XRT_TMP/nh.batch" <<'PY'
import sys
for i in range(2, int(sys.argv[1]) + 2):
    print("route add 2001:eee:%x::/48 via 2001:db8:2::%x:%x metric 3000" % (i, i >> 16, i & 0xffff))
PY
before=$(xrt_cli r route show | wc -l)
out=$(xrt_cli r -batch "$XRT_TMP/nh.batch" 2>&1) && xrt_fail "$NH_MAX distinct next hops fitted"
assert_contains "$out" ": next-hop table is full ($((NH_MAX - 1)) next hops)" "next-hop table full"
line=$(sed -n 's/^Command failed [^:]*:\([0-9]*\):.*/\1/p' <<<"$out")
assert_eq "$(($(xrt_cli r route show | wc -l) - before))" "$((line - 1))" "routes before the full table stayed, the failing one not added"
xrt_cli_ok r route flush table main metric 3000
assert_eq "$(xrt_cli r route show | wc -l)" "$before" "flushed"
xrt_cli_ok r route add 2001:eee:1::/48 via 2001:db8:2::9 metric 3000
xrt_cli_ok r route del 2001:eee:1::/48 metric 3000

# A bad line stops the batch there: lines before it are applied, after not.
bad=$XRT_TMP/bad.batch
printf '%s\n' "route add 2001:db8:a1::/48 via 2001:db8:2::2" "# a comment" \
	"route add 2001:db8:a2::1/48 via 2001:db8:2::2" "route add 2001:db8:a3::/48 via 2001:db8:2::2" >"$bad"
out=$(xrt_cli r -batch "$bad" 2>&1) && xrt_fail "bad batch succeeded"
assert_eq "$out" "Command failed $bad:3: 2001:db8:a2::1/48 has host bits set" "batch error"
routes=$(xrt_cli r route show)
assert_contains "$routes" "2001:db8:a1::/48" "line before the error applied"
assert_not_contains "$routes" "2001:db8:a3::/48" "line after the error not applied"
# -force reports and goes on; stdin works as FILE "-".
xrt_cli_ok r route del 2001:db8:a1::/48
out=$(xrt_cli r -force -batch - <"$bad" 2>&1) && xrt_fail "bad batch with -force succeeded"
assert_eq "$out" "Command failed -:3: 2001:db8:a2::1/48 has host bits set" "batch -force error"
routes=$(xrt_cli r route show)
assert_contains "$routes" "2001:db8:a1::/48" "-force: line 1"
assert_contains "$routes" "2001:db8:a3::/48" "-force: line 4 after the error"
# A line too long to read whole is refused, not split into two commands.
"$XRT_PY" -c "print('route add 2001:db8:a9::/48 via 2001:db8:2::2 ' + 'metric 5 ' * 1000)" >"$XRT_TMP/long.batch"
out=$(xrt_cli r -batch "$XRT_TMP/long.batch" 2>&1) && xrt_fail "an over-long line was accepted"
assert_eq "$out" "Command failed $XRT_TMP/long.batch:1: line longer than 8190 bytes" "over-long batch line"
shown=$(xrt_cli r route show)
assert_not_contains "$shown" "2001:db8:a9::" "nothing of the long line applied"
# Packing: lines of ~7.6 KB (a metric written with 7500 leading zeros) fill
# a request to just under the old 60 KiB headroom, where one more line
# would cross the daemon's 64 KiB limit; each line goes in only if its
# encoding fits. A bad line after the first message is blamed by its own
# number.
big=$XRT_TMP/big.batch
"$XRT_PY" - "$big" <<'PY'
import sys
zeros = "0" * 7500
with open(sys.argv[1], "w") as f:
    for i in range(20):
        f.write("route add 2001:db8:b%x::/48 via 2001:db8:2::2 metric %s7\n" % (i, zeros))
PY
out=$(xrt_cli r -batch "$big" 2>&1) || xrt_fail "batch of 20 lines of 7.6 KB: $out"
assert_eq "$(xrt_cli r route show | grep -c ' metric 7$')" 20 "every long line applied"
xrt_cli_ok r route flush table main metric 7
sed -i '15s/2001:db8:be::/2001:db8:be::1/' "$big"
out=$(xrt_cli r -batch "$big" 2>&1) && xrt_fail "bad long line accepted"
assert_eq "$out" "Command failed $big:15: 2001:db8:be::1/48 has host bits set" "bad line in the second message"
assert_eq "$(xrt_cli r route show | grep -c ' metric 7$')" 14 "lines before the bad one applied"
xrt_cli_ok r route flush table main metric 7
# Output of show commands in a batch, JSON included.
printf '%s\n' "route show table main" "link show" >"$XRT_TMP/show.batch"
assert_contains "$(xrt_cli r -batch "$XRT_TMP/show.batch")" "$IF_RB: mtu" "show output in a batch"
xrt_cli r -j -batch - <<<"route get 2001:db8:a3::1" | "$XRT_PY" -m json.tool >/dev/null ||
	xrt_fail "-j -batch output is not JSON"
xrt_pass "$((N + 1)) routes by -batch in $(((t1 - t0) / 1000000)) ms (RSS ${rss1} kB), errors by FILE:LINE, -force, stdin"
