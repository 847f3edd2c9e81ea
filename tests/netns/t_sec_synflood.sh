#!/usr/bin/env bash
# xrt: a spoofed SYN flood (10k SYN/s from random sources for 5 s, tests/netns/synflood.py) against a TCP listener on xrtd's socket layer: with SYN cookies (the default) a legitimate kernel TCP client still connects and exchanges data within 1 s, request socks stay at the backlog and xrtd's RSS stays bounded; with cookies off (XRT_TCP_SYNCOOKIES=0, the negative control) the same flood denies the service.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-st}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

RATE=${SYNFLOOD_PPS:-10000}    # spoofed SYNs per second
SECS=${SYNFLOOD_SECS:-5}
COUNT=$((RATE * SECS))
PORT=8080
RSS_GROWTH_MAX_KB=16384        # xrtd's VmRSS may grow by 16 MiB at most
PROBE_MAX_MS=1000              # a legitimate connection + echo under the flood

# a (legitimate client) - r (xrtd) - f (flooder). The spoofed sources are
# 2001:db8:ff::/64, which r routes back to f: the SYN-ACKs stay inside the
# test's namespaces, and f (forwarding off, none of those addresses) drops
# them silently, as a network with spoofed sources would.
A=a R=r F=f
xrt_host_ns $A
xrt_host_ns $F
xrt_router_ns $R
xrt_link $A $R
xrt_link $F $R
IF_AR=$(xrt_if $A $R) IF_RA=$(xrt_if $R $A) IF_FR=$(xrt_if $F $R) IF_RF=$(xrt_if $R $F)
xrt_host $A "$IF_AR" 2001:db8:1::2/64 2001:db8:1::1
xrt_host $F "$IF_FR" 2001:db8:f::2/64 2001:db8:f::1
MAC_AR=$(xrt_mac $A "$IF_AR") MAC_RA=$(xrt_mac $R "$IF_RA")
MAC_FR=$(xrt_mac $F "$IF_FR") MAC_RF=$(xrt_mac $R "$IF_RF")
xrt_static_neigh $A "$IF_AR" 2001:db8:1::1 "$MAC_RA"
xrt_static_neigh $F "$IF_FR" 2001:db8:f::1 "$MAC_RF"

# utime + stime of xrtd, in clock ticks (proc(5)).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(xrt_xrtd_pid $R)/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$(xrt_xrtd_pid $R)/status"; }
stat_of() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }

# One legitimate connection from a: connect, 1000 bytes out, the echo back.
# Prints the milliseconds it took, or "fail REASON".
probe() {
	xrt_exec $A timeout --foreground 10 "$XRT_PY" - "$PORT" <<'PY'
import socket, sys, time
t0 = time.monotonic()
try:
    s = socket.create_connection(("2001:db8:1::1", int(sys.argv[1])), timeout=2)
    s.settimeout(2)
    data = bytes(range(250)) * 4
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        b = s.recv(4096)
        if not b:
            break
        got += b
    s.close()
    if got != data:
        print("fail echo", len(got)); sys.exit(0)
    print(int((time.monotonic() - t0) * 1000))
except OSError as e:
    print("fail", type(e).__name__)
PY
}

# phase COOKIES: xrtd with net.ipv4.tcp_syncookies = COOKIES, socat echo
# (default backlog 5) through the shim, the flood, three probes during it.
# Sets PROBES (their results), RSS0/RSS_MAX, SENT_PPS, RCVD_PPS.
phase() {
	local cookies=$1
	export XRT_TCP_SYNCOOKIES=$cookies
	xrt_xrtd_start $R
	unset XRT_TCP_SYNCOOKIES
	xrt_cli_ok $R link attach dev "$IF_RA"
	xrt_cli_ok $R link attach dev "$IF_RF"
	xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RA"
	xrt_cli_ok $R addr add 2001:db8:f::1/64 dev "$IF_RF"
	xrt_cli_ok $R neigh add 2001:db8:1::2 lladdr "$MAC_AR" dev "$IF_RA"
	xrt_cli_ok $R neigh add 2001:db8:f::2 lladdr "$MAC_FR" dev "$IF_RF"
	xrt_cli_ok $R route add 2001:db8:ff::/64 via 2001:db8:f::2 dev "$IF_RF"
	xrt_bg $R "echo-$cookies" env LD_PRELOAD="$SHIM" socat "TCP6-LISTEN:$PORT,fork,reuseaddr" PIPE
	local echo_pid=$XRT_LAST_PID
	xrt_wait_for '[ "$(probe)" -ge 0 ]' 10 || xrt_fail "echo service not up before the flood"
	xrt_log "cookies=$cookies probe before the flood: $(probe) ms"
	RSS0=$(rss_kb)
	RSS_MAX=$RSS0
	local in0 t0 t1
	in0=$(stat_of TcpInSegs)
	# The frames are built first (about 2 s), then sent paced: the
	# flood starts when segments start arriving.
	xrt_bg $F "flood-$cookies" timeout --foreground $((SECS + 30)) \
		"$XRT_PY" "$XRT_ROOT/tests/netns/synflood.py" "$IF_FR" "$MAC_RF" "$MAC_FR" \
		2001:db8:ff:: 2001:db8:1::1 "$PORT" "$RATE" "$COUNT"
	local flood_pid=$XRT_LAST_PID
	xrt_wait_for '[ "$(stat_of TcpInSegs)" -ge $((in0 + 100)) ]' 20 ||
		xrt_fail "the flood did not reach xrtd ($(stat_of TcpInSegs) segments in)"
	t0=$(date +%s%N)
	local cpu0
	cpu0=$(cpu_ticks)
	# Three probes, 1, 2.5 and 4 s into the flood.
	PROBES=()
	local i r at
	for at in 1000 2500 4000; do
		xrt_wait_for "[ \$(date +%s%N) -ge $((t0 + at * 1000000)) ]" 6 || true
		r=$(probe)
		PROBES+=("$r")
		xrt_log "cookies=$cookies probe at $at ms into the flood: $r ms; request socks $(stat_of sp_tcp_reqsk), RSS $(rss_kb) kB"
		r=$(rss_kb)
		[ "$r" -le "$RSS_MAX" ] || RSS_MAX=$r
	done
	xrt_wait_pid "$flood_pid" $((SECS + 35)) || xrt_fail "the flood generator did not finish"
	t1=$(date +%s%N)
	local cpu_pct=$((($(cpu_ticks) - cpu0) * 100 * 1000 / $(getconf CLK_TCK) / ((t1 - t0) / 1000000)))
	local sent
	sent=$(cat "$XRT_TMP/flood-$cookies.log")
	xrt_log "cookies=$cookies generator: $sent"
	r=$(rss_kb)
	[ "$r" -le "$RSS_MAX" ] || RSS_MAX=$r
	local ms=$(((t1 - t0) / 1000000)) in
	in=$(($(stat_of TcpInSegs) - in0))
	local gen_ms=${sent##* in }
	gen_ms=${gen_ms%% ms}
	SENT_PPS=$((COUNT * 1000 / gen_ms))
	RCVD_PPS=$((in * 1000 / ms))
	xrt_log "cookies=$cookies: $COUNT spoofed SYNs: $SENT_PPS/s sent, $RCVD_PPS/s reached the socket layer (TcpInSegs, $in in $ms ms); xrtd used ${cpu_pct}% of a CPU"
	xrt_cli $R stats | grep -E '^(TcpExt(Syncookies|ListenOverflows|ListenDrops|TCPReqQFull)|sp_tcp_reqsk|TcpPassiveOpens)' >&2 || true
	xrt_cli $R stats >"$XRT_TMP/stats-$cookies.txt"
	# Where the flood went, if not to the socket layer.
	awk '$2 != 0 && $1 ~ /^(Xsk|punt|drop|sp_|TcpIn|Ip6In)/' "$XRT_TMP/stats-$cookies.txt" >&2 || true
	kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died under the flood"
	xrt_stop "$echo_pid"
}

# 1. SYN cookies on (the default).
phase 1
for r in "${PROBES[@]}"; do
	[[ $r =~ ^[0-9]+$ ]] || xrt_fail "with SYN cookies a legitimate connection failed under the flood: $r"
	assert_le "$r" "$PROBE_MAX_MS" "connect + 1000-byte echo under the flood (ms)"
done
assert_ge "$(stat_of TcpExtSyncookiesSent)" $((COUNT / 2)) "TcpExtSyncookiesSent: the flood was answered with cookies"
assert_ge "$(stat_of TcpExtTCPReqQFullDoCookies)" $((COUNT / 2)) "TcpExtTCPReqQFullDoCookies"
assert_ge "$(stat_of TcpExtSyncookiesRecv)" 1 "TcpExtSyncookiesRecv: legitimate clients came in by cookie"
assert_le "$(stat_of sp_tcp_reqsk)" 5 "request socks bounded by socat's backlog (5)"
assert_le $((RSS_MAX - RSS0)) "$RSS_GROWTH_MAX_KB" "xrtd RSS growth under the flood (kB)"
assert_ge "$RCVD_PPS" $((RATE / 2)) "the flood reached the socket layer at half the rate at least (SYN/s)"
COOKIE_PROBES="${PROBES[*]}" COOKIE_RSS="$RSS0 -> $RSS_MAX kB" COOKIE_PPS="$SENT_PPS sent, $RCVD_PPS received"
xrt_xrtd_stop $R

# 2. Negative control, cookies off: the same flood fills the request queue
# and every legitimate SYN is dropped (TcpExtTCPReqQFullDrop): the flood is
# strong enough that phase 1 proves the mitigation, not a weak flood.
phase 0
failed=0
for r in "${PROBES[@]}"; do
	if ! [[ $r =~ ^[0-9]+$ ]] || [ "$r" -gt "$PROBE_MAX_MS" ]; then
		failed=$((failed + 1))
	fi
done
assert_ge "$failed" 2 "without cookies the flood denies (or delays past 1 s) legitimate connections"
assert_ge "$(stat_of TcpExtTCPReqQFullDrop)" $((COUNT / 2)) "TcpExtTCPReqQFullDrop: SYNs dropped at the full queue"
assert_eq "$(stat_of TcpExtSyncookiesSent)" 0 "no cookies when they are off"
xrt_xrtd_stop $R

xrt_pass "SYN flood $COOKIE_PPS SYN/s: with cookies every legitimate connect+echo took ${COOKIE_PROBES// /, } ms, RSS $COOKIE_RSS; without cookies $failed of 3 failed (${PROBES[*]})"
