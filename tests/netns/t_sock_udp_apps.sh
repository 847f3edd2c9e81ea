#!/usr/bin/env bash
# xrt: iperf3 over UDP (-u -6, 50 Mbit/s for 3 s) with its server on the router through the LD_PRELOAD shim against a kernel client, both directions: the datagrams counted received match what was sent within the loss iperf3 reports, and xrt's UDP counters carried them.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xu}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd iperf3
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

A=a R=r
xrt_host_ns $A
xrt_router_ns $R
xrt_link $A $R
IF_AR=$(xrt_if $A $R) IF_RA=$(xrt_if $R $A)
xrt_host $A "$IF_AR" 2001:db8:1::2/64 2001:db8:1::1
xrt_static_neigh $A "$IF_AR" 2001:db8:1::1 "$(xrt_mac $R "$IF_RA")"
xrt_xrtd_start $R
xrt_cli_ok $R link attach dev "$IF_RA"
xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok $R neigh add 2001:db8:1::2 lladdr "$(xrt_mac $A "$IF_AR")" dev "$IF_RA"
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }
# The counters that moved during a run whose names say a loss (drops,
# errors, full queues, budgets): where the lost datagrams went.
losses() { # BEFORE AFTER
	awk 'NR == FNR {b[$1] = $2; next}
	     $2 ~ /^[0-9]+$/ && $2 != b[$1] && tolower($1) ~ /drop|err|full|budget|shed|over/ {
		printf "%s +%d ", $1, $2 - b[$1] }' "$1" "$2"
}

# iperf3 server on the router, kernel client; UDP at a bounded rate
# (-b 50M -t 3), 1200-byte datagrams (below the 1280 IPv6 minimum MTU).
iperf_udp() { # PORT LABEL [-R]: sets pkts, lost, pct, bytes
	local port=$1 label=$2 json=$XRT_TMP/iperf-c-$1.json
	shift 2
	xrt_bg $R "iperf-$port" env LD_PRELOAD="$SHIM" iperf3 -6 -s -1 --forceflush -B 2001:db8:1::1 -p "$port"
	local spid=$XRT_LAST_PID
	xrt_wait_for "grep -q 'Server listening' '$XRT_TMP/iperf-$port.log'" 10 ||
		xrt_fail "$label: iperf3 server did not start: $(cat "$XRT_TMP/iperf-$port.log")"
	xrt_exec $A timeout --foreground 30 iperf3 -6 -u -b 50M -l 1200 -c 2001:db8:1::1 -p "$port" -t 3 -J "$@" >"$json" ||
		xrt_fail "$label: iperf3 client failed: $(tail -5 "$json"; tail -5 "$XRT_TMP/iperf-$port.log")"
	xrt_wait_pid "$spid" 10 || xrt_fail "$label: iperf3 server did not finish"
	read -r pkts lost pct bytes < <("$XRT_PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
s = j["end"]["sum"]
print(s["packets"], s["lost_packets"], "%.2f" % s["lost_percent"], s["bytes"])' "$json")
}
in0=$(sk_stat Udp6InDatagrams) out0=$(sk_stat Udp6OutDatagrams)
xrt_cli $R stats >"$XRT_TMP/st0"
iperf_udp 5201 upload
xrt_cli $R stats >"$XRT_TMP/st1"
xrt_log "upload: loss counters that moved: $(losses "$XRT_TMP/st0" "$XRT_TMP/st1")"
xrt_log "iperf3 -u kernel client -> server on the router: $pkts datagrams, $lost lost ($pct %), $bytes bytes"
assert_ge "$pkts" 10000 "iperf3 -u upload: 50 Mbit/s for 3 s is about 15600 datagrams of 1200 bytes"
assert_le "$lost" "$((pkts / 10))" "iperf3 -u upload: loss at most 10 % (0 on an idle host; a shared host lost 5 % once)"
assert_ge "$(($(sk_stat Udp6InDatagrams) - in0))" "$((pkts - lost))" "xrt's UDP received the datagrams (Udp6InDatagrams)"
iperf_udp 5202 download -R
xrt_cli $R stats >"$XRT_TMP/st2"
xrt_log "download: loss counters that moved: $(losses "$XRT_TMP/st1" "$XRT_TMP/st2")"
xrt_log "iperf3 -u server on the router -> kernel client (-R): $pkts datagrams, $lost lost ($pct %), $bytes bytes"
assert_ge "$pkts" 10000 "iperf3 -u download: about 15600 datagrams"
assert_le "$lost" "$((pkts / 10))" "iperf3 -u download: loss at most 10 %"
assert_ge "$(($(sk_stat Udp6OutDatagrams) - out0))" "$pkts" "xrt's UDP sent the datagrams (Udp6OutDatagrams)"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "iperf3 -u both ways at 50 Mbit/s over xrt's UDP"
