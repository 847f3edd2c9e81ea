#!/usr/bin/env bash
# xrt: xrtd --metrics: a Prometheus scrape of forwarded traffic matches `xrt stats -j` exactly, parses as the text exposition format 0.0.4, answers only GET /metrics, and an idle flood neither blocks a scrape nor goes uncounted.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-ob}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

PORT=9469
SCRAPE="$XRT_ROOT/tests/netns/metrics_scrape.py"
xrt_topo_line
R=r
xrt_xrtd_start $R --metrics $PORT
xrt_topo_line_program
scrape() { xrt_exec $R "$XRT_PY" "$SCRAPE" scrape "$1" $PORT; }
# Without an address: both loopbacks, and nothing else.
xrt_wait_for "scrape 127.0.0.1 >/dev/null" 5 || xrt_fail "no scrape on 127.0.0.1:$PORT"
scrape ::1 >/dev/null || xrt_fail "no scrape on [::1]:$PORT"
ss=$(xrt_exec $R ss -Htln "sport = :$PORT")
assert_eq "$(wc -l <<<"$ss")" 2 "two listeners: $ss"
assert_contains "$ss" "127.0.0.1:$PORT" "IPv4 loopback listener"
assert_contains "$ss" "[::1]:$PORT" "IPv6 loopback listener"

# A wrong --metrics stops xrtd before it loads anything (the first xrtd
# keeps running untouched).
other() { xrt_exec $R "$XRT_BUILD/xrtd" -f -s ob-other --bpffs "$XRT_TMP/nobpffs" --obj "$XRT_FWD_OBJ" --metrics "$1" 2>&1; }
out=$(other 1.2.3:80) && xrt_fail "xrtd started with --metrics 1.2.3:80"
assert_contains "$out" '"1.2.3" is not an IP address' "bad address"
out=$(other 2001:db8::1:80) && xrt_fail "xrtd started with an unbracketed IPv6 address"
assert_contains "$out" "[ADDR]:PORT" "IPv6 needs brackets"
out=$(other 127.0.0.1:$PORT) && xrt_fail "xrtd started on a port in use"
assert_contains "$out" "metrics 127.0.0.1:$PORT: Address already in use" "port in use"
assert_not_contains "$out" "AF_XDP" "checked before AF_XDP"

# Forwarded traffic both ways (a -> b and the replies).
xrt_exec a ping -c 10 -i 0.1 -W 2 2001:db8:2::2 >/dev/null || xrt_fail "ping a -> b through xrt"

scrape 127.0.0.1 >"$XRT_TMP/m.json"
xrt_cli $R -j stats >"$XRT_TMP/s.json"
xrt_cli $R -j route show >"$XRT_TMP/r.json"
"$XRT_PY" - "$XRT_TMP/m.json" "$XRT_TMP/s.json" "$XRT_TMP/r.json" "$IF_RA" "$IF_RB" <<'PY' || xrt_fail "metrics differ from xrt stats -j"
import json, sys
m = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2])); routes = json.load(open(sys.argv[3]))
ra, rb = sys.argv[4], sys.argv[5]
def eq(key, want):
    got = m.get(key)
    if got != want:
        sys.exit("%s = %r, xrt stats says %r" % (key, got, want))
    print("ok %s = %d" % (key, want))
fwd = "xrt_fastpath_ip6_out_forw_datagrams_total"
for dev in (ra, rb):
    eq('%s{interface="%s"}' % (fwd, dev), s["interfaces"][dev]["Ip6OutForwDatagrams"])
    eq('xrt_fastpath_ip6_in_receives_total{interface="%s"}' % dev, s["interfaces"][dev]["Ip6InReceives"])
    eq('xrt_fastpath_drops_total{interface="%s",reason="otherhost"}' % dev, s["interfaces"][dev]["drop"]["otherhost"])
if s["interfaces"][ra]["Ip6OutForwDatagrams"] < 10 or s["interfaces"][rb]["Ip6OutForwDatagrams"] < 10:
    sys.exit("fewer than 10 forwarded each way: %r" % s["interfaces"])
# The interfaces' series add up to the total (slot 0 and detached slots in ":unattached").
tot = sum(v for k, v in m.items() if k.startswith(fwd + "{"))
eq(fwd + " summed", s["total"]["Ip6OutForwDatagrams"]) if tot != s["total"]["Ip6OutForwDatagrams"] else print("ok sum = total %d" % tot)
eq("xrt_local_ctl_refused_uid_total", s["local"]["ctl_refused_uid"])
eq("xrt_xsk_tx_no_port_total", s["slowpath"]["xsk"]["XskTxNoPort"])
eq('xrt_slowpath_drops_total{reason="no_route"}', s["slowpath"]["drop"]["sp_no_route"])
eq("xrt_rib_nexthops", s["rib"]["nexthops"])
eq("xrt_rib_prefixes", s["rib"]["prefixes"])
eq('xrt_rib_routes{table="254"}', s["rib"]["routes"])
eq('xrt_rib_routes{table="254"}', len(routes))
eq("xrt_links", 2)
PY

# Only GET /metrics; the request size bound is answered and counted.
get() { xrt_exec $R "$XRT_PY" "$SCRAPE" get 127.0.0.1 $PORT "$1"; }
assert_eq "$(get 'GET / HTTP/1.0\r\n\r\n')" "HTTP/1.0 404 Not Found" "GET /"
assert_eq "$(get 'POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n')" "HTTP/1.0 405 Method Not Allowed" "POST /metrics"
assert_eq "$(get 'GET /metrics\r\n\r\n')" "HTTP/1.0 400 Bad Request" "HTTP/0.9 request line"
big=$(printf 'X-Junk: %01000d\\r\\n' 0 1 2 3 4)
assert_eq "$(get "GET /metrics HTTP/1.0\\r\\n$big\\r\\n")" "HTTP/1.0 431 Request Header Fields Too Large" "5 KB of headers"
bad=$(scrape 127.0.0.1 | "$XRT_PY" -c 'import json,sys; print(int(json.load(sys.stdin)["xrt_local_metrics_bad_requests_total"]))')
assert_eq "$bad" 2 "metrics_bad_requests (HTTP/0.9 and 5 KB)"

# 200 idle connections: the scrape made while they are open succeeds, each
# connection beyond the 16 slots evicted the oldest idle one, and those
# still idle after the 5 s read timeout are closed and counted.
out=$(xrt_exec $R "$XRT_PY" "$SCRAPE" flood 127.0.0.1 $PORT 200 6) || xrt_fail "scrape during an idle flood failed: $out"
xrt_log "flood: $out"
"$XRT_PY" - "$out" <<'PY' || xrt_fail "flood counters: $out"
import json, sys
f = json.loads(sys.argv[1])
assert f["connected"] >= 150, "only %d of 200 connected" % f["connected"]
assert f["during_series"] > 100, "scrape during the flood was short"
assert f["evicted"] >= f["connected"] - 16, "evicted %d of %d" % (f["evicted"], f["connected"])
assert 1 <= f["timeouts"] <= 16, "timeouts %d" % f["timeouts"]
PY
local_json=$(xrt_cli $R -j stats)
assert_eq "$("$XRT_PY" -c 'import json,sys; print(json.loads(sys.argv[1])["local"]["metrics_evicted_idle"])' "$local_json")" \
	"$("$XRT_PY" -c 'import json,sys; print(int(json.loads(sys.argv[1])["evicted"]))' "$out")" "xrt stats -j shows metrics_evicted_idle as scraped"
# Renders are rate limited (10/s, burst 10): 30 back to back get some 503s,
# each counted.
out=$(xrt_exec $R "$XRT_PY" "$SCRAPE" burst 127.0.0.1 $PORT 30) || xrt_fail "burst: $out"
xrt_log "burst: $out"
limited=$("$XRT_PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert set(d) <= {"HTTP/1.0 200 OK", "HTTP/1.0 503 Service Unavailable"}, d; print(d.get("HTTP/1.0 503 Service Unavailable", 0))' "$out")
assert_ge "$limited" 1 "503 answers in a burst of 30"
assert_eq "$("$XRT_PY" -c 'import json,sys; print(json.loads(sys.argv[1])["local"]["metrics_rate_limited"])' "$(xrt_cli $R -j stats)")" \
	"$limited" "metrics_rate_limited counts every 503"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "metrics: scrape equals xrt stats -j (forwarding per interface, drops, xsk, local, RIB), strict 0.0.4 parse, GET /metrics only, request bound, idle flood evicted and timed out, render rate limit, each with its counter"
