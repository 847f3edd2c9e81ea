#!/usr/bin/env bash
# xrt: TCP through xrtd's socket layer against the kernel's TCP: unmodified socat on the router (LD_PRELOAD shim) as client and as server, an echo in both directions at once, RST for a closed port, abortive close (SO_LINGER 0), and the same transfers over a link losing 5% each way.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xq}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat nc tcpdump tc ping
xrt_require_xrt
source "$(dirname "$0")/tcp_bridge.sh"
tcp_bridge_up
xrtd_fds() { ls "/proc/$(xrt_xrtd_pid $R)/fd" | wc -l; }
FDS0=$(xrtd_fds)
IF_AR=$IF_AM

SIZE=${SOCK_TCP_BYTES:-1000000}
src=$XRT_TMP/src
head -c "$SIZE" /dev/urandom >"$src"

# echo_both PORT LABEL: socat PIPE on the router echoes; the host writes and
# reads at the same time and compares.
echo_both() {
	local port=$1 label=$2 out
	xrt_bg $R "echo-$port" env LD_PRELOAD="$SHIM" socat "TCP6-LISTEN:$port" PIPE
	out=$(xrt_exec $A timeout 60 "$XRT_PY" - "$port" <<'EOF'
import hashlib, os, socket, sys, threading, time
port = int(sys.argv[1])
deadline = time.time() + 10
while True:
    try:
        s = socket.create_connection(("2001:db8:1::1", port), timeout=30)
        break
    except ConnectionRefusedError:
        if time.time() > deadline:
            print("refused"); sys.exit(1)
        time.sleep(0.1)
data = os.urandom(300000)
def writer():
    for i in range(0, len(data), 7000):
        s.sendall(data[i:i + 7000])
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=writer); t.start()
got = bytearray()
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
t.join()
print("echo", len(got), hashlib.sha256(got).digest() == hashlib.sha256(data).digest())
EOF
) || xrt_fail "$label: echo client: $out"
	assert_eq "$out" "echo 300000 True" "$label: 300000 bytes echoed in both directions at once"
	xrt_log "$label: $out"
}

# 1. Clean link.
router_to_host 8001 clean
host_to_router 8002 clean
echo_both 8003 clean

# The same with OpenBSD nc on the router, as client and as server.
nc_out=$XRT_TMP/nc-out
xrt_bg $A nc-recv socat -u TCP6-LISTEN:8005,reuseaddr "OPEN:$nc_out,creat,trunc"
ncpid=$XRT_LAST_PID
xrt_wait_for "xrt_exec $A ss -Htln | grep -q ':8005 '" 5 || xrt_fail "host listener 8005"
on_router timeout 30 nc -6 -N 2001:db8:1::2 8005 <"$src" || xrt_fail "nc client on the router failed"
xrt_wait_pid "$ncpid" 30 || xrt_fail "nc client: the host did not see the end of the stream"
cmp -s "$src" "$nc_out" || xrt_fail "nc client: the host got different bytes"
xrt_bg $R nc-listen env LD_PRELOAD="$SHIM" timeout 30 nc -6 -l -N 2001:db8:1::1 8006
ncpid=$XRT_LAST_PID
xrt_exec $A timeout 30 socat -u "OPEN:$src" "TCP6:[2001:db8:1::1]:8006,retry=50,interval=0.1" ||
	xrt_fail "the host could not send to nc on the router"
xrt_wait_pid "$ncpid" 30 || xrt_fail "nc server on the router did not see the end of the stream"
cmp -s "$src" "$XRT_TMP/nc-listen.log" || xrt_fail "nc server: the router got different bytes"
xrt_log "nc on the router: client and server, $SIZE bytes each, identical"

# 40 concurrent connections to socat fork (children inherit the accepted
# socket; the daemon releases it when the last copy closes), each echoed
# byte for byte. A full backlog drops SYNs (counted), the clients retry.
xrt_bg $R echo-fork env LD_PRELOAD="$SHIM" socat TCP6-LISTEN:8008,fork,reuseaddr PIPE
res=$(xrt_exec $A timeout 60 "$XRT_PY" - <<'EOF'
import os, socket, threading, time
ok = []
def one(i):
    for attempt in range(100):
        try:
            s = socket.create_connection(("2001:db8:1::1", 8008), timeout=20)
            break
        except ConnectionRefusedError:
            time.sleep(0.1)
    data = os.urandom(20000 + i)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    ok.append(got == data)
ts = [threading.Thread(target=one, args=(i,)) for i in range(40)]
[t.start() for t in ts]
[t.join() for t in ts]
print("echoed", sum(ok))
EOF
) || xrt_fail "concurrent connections: $res"
assert_eq "$res" "echoed 40" "40 concurrent connections through socat fork"
xrt_stop "$XRT_LAST_PID"

# 2. Closed port: the host's connect is refused by a RST from the router.
xrt_capture_start $A "$IF_AR" 1 tcp and src 2001:db8:1::1 and 'ip6[53] & 4 != 0'
res=$(xrt_exec $A "$XRT_PY" -c '
import socket
try:
    socket.create_connection(("2001:db8:1::1", 8999), timeout=3); print("connected")
except ConnectionRefusedError: print("refused")
except socket.timeout: print("timeout")')
assert_eq "$res" "refused" "closed TCP port"
xrt_capture_wait 5
assert_contains "$XRT_CAP_OUT" "2001:db8:1::1.8999 > 2001:db8:1::2" "RST from the closed port"
assert_contains "$XRT_CAP_OUT" "Flags [R.]" "RST+ACK answering a SYN (RFC 9293 3.10.7.1)"
assert_ge "$(sk_stat sp_tcp_no_sock)" 1 "sp_tcp_no_sock counts the segment for no socket"

# 3. Abortive close: SO_LINGER 0 closes with a RST after the data; orderly
# close (the transfers above) ended with FIN.
res=$(xrt_exec $A timeout 20 "$XRT_PY" - "$SHIM" "$(xrt_ns $R)" <<'EOF'
import os, socket, subprocess, sys
shim, rns = sys.argv[1], sys.argv[2]
l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("2001:db8:1::2", 8004)); l.listen(1)
# A program on the router (python, through the shim) sends 5 bytes and
# closes with SO_LINGER {1, 0} (socat shuts down writing first, which sends
# a FIN before the reset, as the kernel would too).
app = """
import socket, struct
s = socket.create_connection(("2001:db8:1::2", 8004))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.sendall(b"hello")
s.close()
"""
p = subprocess.Popen(["ip", "netns", "exec", rns, "env", "LD_PRELOAD=" + shim,
    "/usr/bin/python3", "-c", app])
c, _ = l.accept(); c.settimeout(10)
p.wait(10)
got = b""
try:
    while True:
        b = c.recv(100)
        if not b:
            print("fin", got); break
        got += b
except ConnectionResetError:
    print("reset", got)
EOF
) || xrt_fail "abortive close: $res"
assert_eq "$res" "reset b'hello'" "SO_LINGER 0 close: the data, then a reset"

# 3b. The peer resets: the application on the router reads the end of the
# stream and its next write fails (EPIPE) instead of blocking forever.
res=$(xrt_exec $A timeout 20 "$XRT_PY" - "$SHIM" "$(xrt_ns $R)" <<'EOF'
import socket, struct, subprocess, sys
shim, rns = sys.argv[1], sys.argv[2]
l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("2001:db8:1::2", 8007)); l.listen(1)
app = """
import socket, sys
s = socket.create_connection(("2001:db8:1::2", 8007))
s.settimeout(10)
s.sendall(b"x")
got = s.recv(10)  # the host resets after reading "x"
try:
    for i in range(400):
        s.sendall(bytes(65536))  # 26 MB: more than every buffer on the way
    print("app: wrote into a reset connection", got)
except (BrokenPipeError, ConnectionResetError) as e:
    print("app:", type(e).__name__, got)
"""
p = subprocess.Popen(["ip", "netns", "exec", rns, "env", "LD_PRELOAD=" + shim,
    "/usr/bin/python3", "-c", app], stdout=subprocess.PIPE, text=True)
c, _ = l.accept()
c.recv(1)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
out, _ = p.communicate(timeout=15)
print(out.strip())
EOF
) || xrt_fail "reset by the peer: $res"
assert_eq "$res" "app: BrokenPipeError b''" "after a reset: EOF, then EPIPE on write"

# 4. Lossy link: 5% of the frames lost each way in the bridge m.
tcp_bridge_loss on
out=$(xrt_exec $A ping -6 -n -q -c 400 -i 0.005 -W 1 2001:db8:1::1 2>&1) || true
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
xrt_log "ping over the lossy link: ${loss}% lost (about 10% expected: 5% each way)"
assert_ge "${loss%.*}" 4 "the lossy link loses packets"
rtx0=$(sk_stat TcpRetransSegs) fast0=$(sk_stat TcpExtTCPFastRetrans) ofo0=$(sk_stat TcpExtTCPOFOQueue)
router_to_host 8011 lossy
host_to_router 8012 lossy
echo_both 8013 lossy
rtx=$(($(sk_stat TcpRetransSegs) - rtx0)) fast=$(($(sk_stat TcpExtTCPFastRetrans) - fast0))
ofo=$(($(sk_stat TcpExtTCPOFOQueue) - ofo0))
xrt_log "xrt TCP over the lossy link: $rtx segments retransmitted ($fast fast retransmits), $ofo out-of-order segments held"
assert_ge "$rtx" 1 "xrt's TCP retransmitted lost segments"
assert_ge "$fast" 1 "fast retransmit happened"
assert_ge "$ofo" 1 "out-of-order segments were held, not dropped"
for i in "$IF_MA" "$IF_MR"; do
	xrt_log "lossy link: $(xrt_exec $M tc -s qdisc show dev "$i" | grep -o 'dropped [0-9]*' | tail -n 1) of the frames entering m by $i"
done

kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
# Every application socket closed: the daemon holds no descriptor for them.
xrt_wait_for "[ \$(xrtd_fds) -le $FDS0 ]" 10 ||
	xrt_fail "xrtd holds $(xrtd_fds) descriptors, $FDS0 before the applications ran"
xrt_pass "TCP with the kernel both ways, echo, RST for closed port, abortive close, 5% loss each way (ping loss ${loss}%)"
