#!/usr/bin/env bash
# xrt: ARP cache exhaustion (SECURITY.md N4, the IPv4 side of RFC 6583): host
# A sends one UDP datagram to each of 20000 addresses of the router's on-link
# 10.200.0.0/16 (nobody answers ARP for them) while pinging host B across
# the router. The INCOMPLETE entries stay within their per-interface bound
# (recycled, counted), B's entry is never evicted, and the ping loses under
# 5%. The router's kernel has no IPv4 and forwards nothing.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-sa}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
R=$TOPO_R
xrt_xrtd_start $R
xrt_topo_line_program
xrt_exec $R sysctl -qw net.ipv4.ip_forward=0
xrt_cli_ok $R addr add 192.0.2.1/24 dev "$IF_RA"
xrt_cli_ok $R addr add 10.200.0.1/16 dev "$IF_RB"
ans=$(xrt_ns a) bns=$(xrt_ns b)
ip -n "$ans" addr add 192.0.2.2/24 dev "$IF_AR"
ip -n "$ans" route add default via 192.0.2.1
ip -n "$bns" addr add 10.200.0.2/16 dev "$IF_BR"
ip -n "$bns" route add default via 10.200.0.1
stat_of() { xrt_cli $R stats | awk -v k="$1" '$1 == k { print $2 }'; }

out=$(xrt_exec a ping -4 -c 2 -i 0.2 -W 2 10.200.0.2) || xrt_fail "ping A -> B before the scan: $out"

# The flow (100/s for 6 s) and the scan (20000 addresses, as fast as
# A's kernel sends; the neigh_miss punt budget bounds what reaches xrtd).
xrt_bg a flow ping -4 -q -c 600 -i 0.01 -W 2 10.200.0.2
fpid=$XRT_LAST_PID
xrt_exec a "$XRT_PY" - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.time()
for i in range(20000):
    a = "10.200.%d.%d" % (1 + i // 250, 1 + i % 250)
    try:
        s.sendto(b"scan", (a, 9))
    except OSError:
        pass
    if i % 2000 == 1999:  # about 10k/s, so the scan lasts the flow's 6 s
        while time.time() < t0 + (i + 1) / 10000.0:
            time.sleep(0.001)
PY
peak=$(stat_of sp_neigh_incomplete)
xrt_wait_pid "$fpid" 20 || xrt_fail "the ping flow did not finish"
flow=$(cat "$XRT_TMP"/flow.log 2>/dev/null || true)
xrt_log "flow: $(grep -o '[0-9]* received, [0-9.]*% packet loss' <<<"$flow" || echo "$flow")"
loss=$(grep -o '[0-9.]*% packet loss' <<<"$flow" | cut -d% -f1)
[ -n "$loss" ] || xrt_fail "no ping summary: $flow"
assert_le "${loss%.*}" 4 "ping A -> B during the ARP scan loses under 5%"
assert_le "$peak" 1024 "INCOMPLETE entries within the per-interface bound"
assert_ge "$(stat_of sp_neigh_incomplete_evicted)" 1 "INCOMPLETE entries recycled (counted)"
assert_le "$(stat_of sp_neigh_entries)" 4096 "neighbour table within its bound"
out=$(xrt_cli $R neigh show dev "$IF_RB")
assert_match "$out" "10\.200\.0\.2 " "B's ARP entry survived the scan"
xrt_log "arp requests sent: $(stat_of sp_arp_out_requests), punt_limit drops: $(stat_of drop.punt_limit)"
xrt_pass "ARP scan of an on-link /16: INCOMPLETE bounded and recycled, B kept, flow loss ${loss}%"
