#!/usr/bin/env bash
# xrt: IPv4 end to end with xrt as the only IPv4 router: the router's kernel
# has no IPv4 address and net.ipv4.ip_forward=0. Hosts resolve the router
# by ARP (answered by xrtd's stack) and the router resolves the hosts by ARP
# (no static entries). Ping both ways, traceroute (Time Exceeded from the
# stack, from the ingress interface's address), tracepath over the MTU 1280
# link (Fragmentation Needed with the next-hop MTU), a ping without DF
# fragmented by the stack across that link, a 4000-byte ping to the router
# (reassembled, answered in fragments), a 20 MB TCP transfer byte-exact,
# Port Unreachable from the router; the kernel's IPv4 forwarding counter
# stays 0 throughout.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-x4}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping traceroute tracepath socat

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
rns=$(xrt_ns r) ans=$(xrt_ns a) bns=$(xrt_ns b)
xrt_exec r sysctl -qw net.ipv4.ip_forward=0
assert_eq "$(ip -n "$rns" -4 addr show | grep -c 'inet ' || true)" 1 "router kernel: only 127.0.0.1"

# The R-B link carries at most 1280 bytes (both ends).
xrt_cli_ok r link set dev "$IF_RB" mtu 1280
ip -n "$bns" link set dev "$IF_BR" mtu 1280
xrt_cli_ok r addr add 192.0.2.1/24 dev "$IF_RA"
xrt_cli_ok r addr add 198.51.100.1/24 dev "$IF_RB"
xrt_cli_ok r route add 203.0.113.0/24 via 198.51.100.2 dev "$IF_RB"
ip -n "$ans" addr add 192.0.2.2/24 dev "$IF_AR"
ip -n "$ans" route add default via 192.0.2.1
ip -n "$bns" addr add 198.51.100.2/24 dev "$IF_BR"
ip -n "$bns" addr add 203.0.113.1/32 dev lo
ip -n "$bns" route add default via 198.51.100.1

kernel_forw() {
	xrt_exec r awk '$1 == "Ip:" { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == "ForwDatagrams") c = i; h = 1 } else print $c }' /proc/net/snmp
}
xstat() { # the daemon's counter NAME (xrt stats: fast path, then slow.NAME / NAME)
	xrt_cli r stats | awk -v n="$1" '$1 == n || $1 == "slow." n { s += $2 } END { print s + 0 }'
}
k0=$(kernel_forw)

# 1. ARP both ways, ping the router and across it, both directions.
out=$(xrt_exec a ping -4 -c 3 -i 0.2 -W 2 192.0.2.1) || xrt_fail "ping A -> router failed: $out"
assert_contains "$out" "3 received" "ping to the router's address (echo from xrtd)"
assert_match "$(ip -n "$ans" neigh show 192.0.2.1)" "$MAC_RA" "A learnt the router's MAC by ARP"
out=$(xrt_exec a ping -4 -c 5 -i 0.2 -W 2 198.51.100.2) || xrt_fail "ping A -> B failed: $out"
assert_contains "$out" "5 received" "ping A -> B through xrt (ARP resolved by xrtd)"
assert_contains "$out" "ttl=63" "one hop"
out=$(xrt_exec b ping -4 -c 5 -i 0.2 -W 2 192.0.2.2) || xrt_fail "ping B -> A failed: $out"
assert_contains "$out" "5 received" "ping B -> A through xrt"
out=$(xrt_cli r neigh show dev "$IF_RB")
assert_match "$out" "198\.51\.100\.2 .*$MAC_BR" "xrtd learnt B by ARP: $out"
assert_ge "$(xstat sp_arp_out_replies)" 1 "xrtd answered A's ARP request"
assert_ge "$(xstat sp_arp_out_requests)" 1 "xrtd resolved a host by ARP"

# 2. traceroute (UDP probes): hop 1 is the router's address on A's link
# (Time Exceeded from the stack), hop 2 is B (its Port Unreachable).
out=$(xrt_exec a traceroute -4 -n -q 1 -w 2 -m 4 203.0.113.1) || xrt_fail "traceroute failed: $out"
xrt_log "traceroute: $out"
assert_match "$out" " 1  192\.0\.2\.1 " "traceroute hop 1 is the ingress address: $out"
assert_match "$out" " 2  203\.0\.113\.1 " "traceroute reaches B: $out"
assert_ge "$(xstat IcmpOutTimeExcds)" 1 "IcmpOutTimeExcds"

# 3. tracepath: DF probes of 1500 bytes meet the 1280 link: Fragmentation
# Needed with the next-hop MTU from the router.
f0=$(xstat IcmpOutDestUnreachs)
out=$(xrt_exec a tracepath -4 -n -m 4 203.0.113.1) || true
xrt_log "tracepath: $out"
assert_match "$out" "pmtu 1280" "tracepath learns the 1280 path MTU: $out"
assert_ge "$(($(xstat IcmpOutDestUnreachs) - f0))" 1 "Fragmentation Needed sent"
xrt_exec a ip route flush cache >/dev/null 2>&1 || true

# 4. A 3000-byte ping without DF crosses the 1280 link in fragments made by
# the stack (the reply is fragmented by B).
c0=$(xstat IpFragCreates)
out=$(xrt_exec a ping -4 -c 3 -i 0.2 -W 2 -M dont -s 3000 198.51.100.2) ||
	xrt_fail "fragmented ping failed: $out"
assert_contains "$out" "3 received" "3000-byte ping without DF across the 1280 link"
assert_ge "$(($(xstat IpFragCreates) - c0))" 9 "the stack cut each request into 3 fragments"

# 5. A 4000-byte ping to the router: reassembled, answered in fragments.
r0=$(xstat IpReasmOKs)
out=$(xrt_exec a ping -4 -c 3 -i 0.2 -W 2 -s 4000 192.0.2.1) || xrt_fail "4000-byte ping failed: $out"
assert_contains "$out" "3 received" "4000-byte ping to the router"
assert_eq "$(($(xstat IpReasmOKs) - r0))" 3 "IpReasmOKs"

# 6. Port Unreachable from the router for UDP to a closed port.
out=$(xrt_exec a traceroute -4 -n -q 1 -w 2 -m 2 192.0.2.1) || xrt_fail "traceroute to the router failed: $out"
assert_match "$out" " 1  192\.0\.2\.1 " "the router answers UDP with Port Unreachable: $out"

# 7. 20 MB of TCP from A to B, byte-exact (path MTU 1280 learnt by A).
src=$XRT_TMP/tcp-src out=$XRT_TMP/tcp-out
head -c 20000000 /dev/urandom >"$src"
xrt_bg b tcp-recv socat -u TCP4-LISTEN:5001,bind=203.0.113.1 "OPEN:$out,creat,trunc"
rpid=$XRT_LAST_PID
xrt_wait_for "xrt_exec b ss -Htln | grep -q ':5001 '" 5 || xrt_fail "TCP receiver did not start"
t0=$(date +%s%N)
timeout --foreground 60 ip netns exec "$ans" socat -u "OPEN:$src" TCP4:203.0.113.1:5001 ||
	xrt_fail "TCP sender failed"
xrt_wait_pid "$rpid" 20 || xrt_fail "TCP receiver did not finish"
xrt_log "20 MB over TCP in $((($(date +%s%N) - t0) / 1000000)) ms"
cmp -s "$src" "$out" || xrt_fail "TCP transfer: $(stat -c %s "$out") of 20000000 bytes, or they differ"

assert_eq "$(($(kernel_forw) - k0))" 0 "the router's kernel forwarded no IPv4 datagram"
xrt_pass "IPv4 through xrt alone: ARP both ways, ping both ways, traceroute, tracepath PMTU 1280, stack fragmentation, 4000-byte ping reassembled, 20 MB TCP byte-exact, kernel ForwDatagrams 0"
