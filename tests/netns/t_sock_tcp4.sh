#!/usr/bin/env bash
# xrt: AF_INET TCP and dual-stack sockets through xrtd's socket layer, the router's kernel without any IPv4 address: a kernel client to socat on the router (LD_PRELOAD shim) and back, 20 MB byte-exact each way; socat on the router connecting out to a kernel server; a dual-stack listener (IPV6_V6ONLY 0) taking both families (getpeername ::ffff:...); iperf3 -4; an established IPv4 connection not policed by the LOCAL punt budget; a closed port answered by a reset; the MSS lowered by a kernel hop's Fragmentation Needed; SYN-ACK and RST compared with the kernel's.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-x5}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat iperf3 tcpdump
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

xrt_topo_line
R=$TOPO_R A=$TOPO_A
xrt_xrtd_start $R
xrt_topo_line_program
xrt_exec $R sysctl -qw net.ipv4.ip_forward=0
xrt_cli_ok $R addr add 192.0.2.1/24 dev "$IF_RA"
ans=$(xrt_ns $A)
ip -n "$ans" addr add 192.0.2.2/24 dev "$IF_AR"
assert_eq "$(xrt_exec $R ip -4 -o addr show scope global | wc -l)" 0 \
	"the router's kernel has no IPv4 address: xrtd's stack answers"
on_router() { xrt_exec $R env LD_PRELOAD="$SHIM" "$@"; }
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }
in0=$(sk_stat TcpInSegs)

SIZE=${SOCK_TCP4_BYTES:-20000000}
src=$XRT_TMP/src
head -c "$SIZE" /dev/urandom >"$src"

# transfer LABEL PORT up|down: socat on the router (shim, TCP4-LISTEN:
# bind, listen, accept with sockaddr_in) and a kernel client move $src one
# way, byte for byte.
transfer() {
	local label=$1 port=$2 out=$XRT_TMP/$1.out spid
	local rcv="OPEN:$out,creat,trunc" peer="TCP4:192.0.2.1:$2,retry=50,interval=0.1"
	if [ "$3" = up ]; then
		xrt_bg $R "$label" env LD_PRELOAD="$SHIM" socat -u "TCP4-LISTEN:$port" "$rcv"
		spid=$XRT_LAST_PID
		xrt_exec $A timeout 60 socat -u "OPEN:$src" "$peer" || xrt_fail "$label: the kernel client could not send"
	else
		xrt_bg $R "$label" env LD_PRELOAD="$SHIM" socat -u "OPEN:$src" "TCP4-LISTEN:$port"
		spid=$XRT_LAST_PID
		xrt_exec $A timeout 60 socat -u "$peer" "$rcv" || xrt_fail "$label: the kernel client could not receive"
	fi
	xrt_wait_pid "$spid" 30 || xrt_fail "$label: socat on the router did not finish"
	cmp -s "$src" "$out" || xrt_fail "$label: $(stat -c %s "$out") bytes, not the $SIZE sent"
}

# 1. Kernel client -> AF_INET server on the router, and back.
transfer h2r 8001 up
xrt_log "kernel client -> AF_INET server on the router: $SIZE bytes identical"
transfer r2h 8002 down
xrt_log "AF_INET server on the router -> kernel client: $SIZE bytes identical"

# 2. A client on the router connects out (tcp_v4_connect: source picked
# from the route, ephemeral port) to a kernel server.
out=$XRT_TMP/out.out
xrt_bg $A tcp4-server socat -u TCP4-LISTEN:8003,reuseaddr "OPEN:$out,creat,trunc"
hpid=$XRT_LAST_PID
xrt_wait_for "xrt_exec $A ss -Htln | grep -q ':8003 '" 5 || xrt_fail "host listener 8003"
on_router timeout 60 socat -u "OPEN:$src" TCP4:192.0.2.2:8003 || xrt_fail "socat on the router could not connect out"
xrt_wait_pid "$hpid" 30 || xrt_fail "router client: the host did not see the end of the stream"
cmp -s "$src" "$out" || xrt_fail "router client -> kernel server: bytes differ"
xrt_log "AF_INET client on the router -> kernel server: $SIZE bytes identical"

# getsockname / getpeername of an AF_INET socket on the router are sockaddr_in.
xrt_bg $A tcp4-names socat TCP4-LISTEN:8004,reuseaddr PIPE
xrt_wait_for "xrt_exec $A ss -Htln | grep -q ':8004 '" 5 || xrt_fail "host listener 8004"
res=$(on_router timeout 10 "$XRT_PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("192.0.2.2", 8004))
s.sendall(b"ping4")
print(s.family == socket.AF_INET, s.getsockname()[0], s.getpeername(), s.recv(5))') ||
	xrt_fail "AF_INET client names: $res"
assert_eq "$res" "True 192.0.2.1 ('192.0.2.2', 8004) b'ping4'" "AF_INET socket: getsockname/getpeername are sockaddr_in, data echoed"

# 3. A dual-stack listener (IPV6_V6ONLY 0 on an AF_INET6 socket bound to
# ::) takes an IPv4 and an IPv6 client; the IPv4 peer shows as
# ::ffff:192.0.2.2 (RFC 4291 2.5.5.2), as with the kernel.
xrt_bg $R dual env LD_PRELOAD="$SHIM" timeout 30 "$XRT_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 8005))
s.listen(4)
print("v6only", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), flush=True)
for i in range(2):
    c, a = s.accept()
    data = c.recv(16)
    print("peer", c.getpeername()[0], "local", c.getsockname()[0], data.decode(), flush=True)
    c.sendall(data)
    c.close()
'
dpid=$XRT_LAST_PID
xrt_wait_for "grep -q v6only '$XRT_TMP/dual.log'" 10 || xrt_fail "dual-stack listener: $(cat "$XRT_TMP/dual.log")"
for dst in 192.0.2.1 2001:db8:1::1; do
	res=$(xrt_exec $A timeout 10 "$XRT_PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 8005), timeout=5)
s.sendall(b"hello")
print(s.recv(16).decode())' "$dst") || xrt_fail "dual-stack listener, client to $dst: $res"
	assert_eq "$res" "hello" "dual-stack listener echoes the client to $dst"
done
xrt_wait_pid "$dpid" 10 || xrt_fail "dual-stack listener did not finish: $(cat "$XRT_TMP/dual.log")"
log=$(cat "$XRT_TMP/dual.log")
assert_contains "$log" "v6only 0" "IPV6_V6ONLY reads back 0"
assert_contains "$log" "peer ::ffff:192.0.2.2 local ::ffff:192.0.2.1 hello" "the IPv4 peer as an IPv4-mapped address"
assert_contains "$log" "peer 2001:db8:1::2 local 2001:db8:1::1 hello" "the IPv6 peer on the same listener"

# An AF_INET listener bound to 0.0.0.0 takes IPv4 only: an IPv6 client is
# refused (the kernel's AF_INET sockets never see IPv6).
xrt_bg $R v4only env LD_PRELOAD="$SHIM" timeout 30 "$XRT_PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("0.0.0.0", 8007))
s.listen(4)
print("listening", s.getsockname(), flush=True)
c, a = s.accept()
print("accepted", a, flush=True)
c.close()
'
vpid=$XRT_LAST_PID
xrt_wait_for "grep -q listening '$XRT_TMP/v4only.log'" 10 || xrt_fail "AF_INET listener: $(cat "$XRT_TMP/v4only.log")"
res=$(xrt_exec $A "$XRT_PY" -c '
import socket, sys
for dst in ("2001:db8:1::1", "192.0.2.1"):
    try:
        socket.create_connection((dst, 8007), timeout=5).close(); print(dst, "connected")
    except ConnectionRefusedError: print(dst, "refused")')
assert_eq "$res" "2001:db8:1::1 refused
192.0.2.1 connected" "AF_INET listener: IPv6 refused, IPv4 accepted"
xrt_wait_pid "$vpid" 10 || xrt_fail "AF_INET listener did not finish"
assert_contains "$(cat "$XRT_TMP/v4only.log")" "listening ('0.0.0.0', 8007)" "getsockname of an AF_INET listener"
assert_contains "$(cat "$XRT_TMP/v4only.log")" "accepted ('192.0.2.2'," "accept gives a sockaddr_in"

# 4. iperf3 without -6 on the router (it asks for IPV6_V6ONLY 0), kernel
# clients with -4, both directions against one server: between tests it
# closes its listener and binds the port again while the last test's
# connections linger (SO_REUSEADDR on both, inet_bind_conflict).
xrt_bg $R iperf env LD_PRELOAD="$SHIM" iperf3 -s --forceflush -p 5201
ipid=$XRT_LAST_PID
xrt_wait_for "grep -q 'Server listening' '$XRT_TMP/iperf.log'" 10 ||
	xrt_fail "iperf3 server did not start: $(cat "$XRT_TMP/iperf.log")"
for dir in up down; do
	json=$XRT_TMP/iperf-c-$dir.json
	xrt_exec $A timeout --foreground 30 iperf3 -4 -c 192.0.2.1 -p 5201 -t 2 -J \
		$([ $dir = down ] && echo -R) >"$json" || xrt_fail "iperf3 -4 ($dir): $(tail -5 "$json")"
	read -r recv mbps < <("$XRT_PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(j["end"]["sum_received"]["bytes"], "%.0f" % (j["end"]["sum_received"]["bits_per_second"] / 1e6))' "$json")
	xrt_log "iperf3 -4 ($dir): received $recv bytes, $mbps Mbit/s"
	assert_ge "$recv" 10000000 "iperf3 -4 ($dir) moved at least 10 MB"
done
kill -0 "$ipid" || xrt_fail "iperf3 server died: $(tail -3 "$XRT_TMP/iperf.log")"
assert_not_contains "$(cat "$XRT_TMP/iperf.log")" "Address already in use" "iperf3 rebinds its port between tests"
xrt_stop "$ipid"

# 5. The LOCAL punt budget cut to 200 packets/s: the handshake fits in it,
# the established connection's segments skip it (xrt_tcp_estab keyed by
# the IPv4-mapped addresses) and nothing is dropped for the budget.
xrt_cli_ok $R punt set local rate 200 burst 200
pl0=$(xrt_fp_stat $R drop:punt_limit)
lo0=$(xrt_fp_stat $R punt:local)
t0=$(date +%s%N)
transfer budget 8006 up
ms=$((($(date +%s%N) - t0) / 1000000))
punted=$(($(xrt_fp_stat $R punt:local) - lo0))
limited=$(($(xrt_fp_stat $R drop:punt_limit) - pl0))
xrt_log "LOCAL budget 200/s: $SIZE bytes in $ms ms, $punted segments punted, $limited dropped for the budget"
assert_ge "$punted" $((SIZE / 1500)) "every segment of the transfer was punted to xrtd"
assert_eq "$limited" 0 "no segment of the established IPv4 connection dropped for the LOCAL budget"

# 6. Closed port: the kernel's connect is refused by xrt's reset.
xrt_capture_start $A "$IF_AR" 1 tcp and src 192.0.2.1 and 'tcp[13] & 4 != 0'
res=$(xrt_exec $A "$XRT_PY" -c '
import socket
try:
    socket.create_connection(("192.0.2.1", 8999), timeout=3); print("connected")
except ConnectionRefusedError: print("refused")
except socket.timeout: print("timeout")')
assert_eq "$res" "refused" "closed IPv4 TCP port"
xrt_capture_wait 5
assert_contains "$XRT_CAP_OUT" "192.0.2.1.8999 > 192.0.2.2" "RST from the closed port"
assert_contains "$XRT_CAP_OUT" "Flags [R.]" "RST+ACK answering a SYN (RFC 9293 3.10.7.1)"

# 7. Path MTU (RFC 1191): host A forwards (its kernel) to C over a link of
# MTU 1200 and answers the router's full-sized DF segments with
# Fragmentation Needed; tcp_v4_err lowers the MSS (C offered 1460) and the
# transfer completes byte for byte.
xrt_host_ns c
xrt_link $A c
IF_AC=$(xrt_if $A c) IF_CA=$(xrt_if c $A)
cns=$(xrt_ns c)
ip -n "$ans" link set "$IF_AC" mtu 1200
ip -n "$ans" addr add 198.51.100.1/24 dev "$IF_AC"
ip -n "$cns" addr add 198.51.100.2/24 dev "$IF_CA"
ip -n "$cns" route add default via 198.51.100.1
xrt_exec $A sysctl -qw net.ipv4.ip_forward=1
xrt_cli_ok $R route add 198.51.100.0/24 via 192.0.2.2 dev "$IF_RA"
m0=$(sk_stat sp_tcp_mtu_reduced)
out=$XRT_TMP/pmtu.out
xrt_bg c pmtu-server socat -u TCP4-LISTEN:8010,reuseaddr "OPEN:$out,creat,trunc"
cpid=$XRT_LAST_PID
xrt_wait_for "xrt_exec c ss -Htln | grep -q ':8010 '" 5 || xrt_fail "listener on C"
on_router timeout 60 socat -u "OPEN:$src" TCP4:198.51.100.2:8010 || xrt_fail "pmtu: socat on the router failed"
xrt_wait_pid "$cpid" 30 || xrt_fail "pmtu: C did not see the end of the stream"
cmp -s "$src" "$out" || xrt_fail "pmtu: C got $(stat -c %s "$out") bytes, not the $SIZE sent"
assert_ge "$(($(sk_stat sp_tcp_mtu_reduced) - m0))" 1 "Fragmentation Needed lowered the connection's MSS"
xrt_log "path MTU 1200 behind a kernel hop: $SIZE bytes identical after Fragmentation Needed"

# 8. The kernel as the reference: the same SYN (MSS 1460, SACK permitted,
# timestamps, window scale) to a listener on the router and to one on C's
# kernel; both SYN-ACKs carry the same options in the same order and MSS
# (the window scale value follows each side's buffer), and a SYN to a
# closed port draws the same RST+ACK from both.
xrt_bg $R ref-listen env LD_PRELOAD="$SHIM" timeout 30 socat TCP4-LISTEN:8011 PIPE
xrt_bg c ref-listen-k timeout 30 socat TCP4-LISTEN:8011 PIPE
xrt_wait_for "xrt_exec c ss -Htln | grep -q ':8011 '" 5 || xrt_fail "listener on C"
ref=$(xrt_exec $A timeout 30 "$XRT_PY" - <<'PYEOF'
import time
from scapy.all import IP, TCP, sr1, conf
conf.verb = 0
def probe(dst, port, sport):
    for _ in range(20):
        r = sr1(IP(dst=dst) / TCP(sport=sport, dport=port, flags="S", seq=1000,
                options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)),
                         ("WScale", 7)]), timeout=1)
        if r is not None and TCP in r:
            t = r[TCP]
            kinds = [o[0] for o in t.options]
            mss = dict((o[0], o[1]) for o in t.options).get("MSS")
            return "%s %s mss=%s ack=%d" % (t.flags, ",".join(kinds), mss, t.ack)
        time.sleep(0.1)
    return "none"
for port, sp in ((8011, 40100), (8999, 40150)):
    x, k = probe("192.0.2.1", port, sp), probe("198.51.100.2", port, sp + 1)
    print("port", port, "xrt", x, "kernel", k, "same" if x == k else "differ")
PYEOF
) || xrt_fail "reference probe: $ref"
xrt_log "$ref"
assert_contains "$ref" "port 8011 xrt SA MSS,SAckOK,Timestamp,NOP,WScale mss=1460 ack=1001 kernel SA MSS,SAckOK,Timestamp,NOP,WScale mss=1460 ack=1001 same" "SYN-ACK as the kernel's"
assert_contains "$ref" "port 8999 xrt RA  mss=None ack=1001 kernel RA  mss=None ack=1001 same" "RST+ACK for a closed port as the kernel's"

assert_ge $(($(sk_stat TcpInSegs) - in0)) 40000 "xrt's TCP carried the IPv4 traffic (TcpInSegs)"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "AF_INET TCP over the shim: 20 MB byte-exact both ways and out, sockaddr_in names, dual-stack listener with ::ffff: peers, iperf3 -4 both ways, established IPv4 not policed by the LOCAL budget, RST on a closed port, path MTU from Fragmentation Needed, SYN-ACK and RST as the kernel's"
