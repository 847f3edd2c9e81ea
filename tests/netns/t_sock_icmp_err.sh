#!/usr/bin/env bash
# xrt: ICMPv6 errors reach xrtd's sockets (icmpv6_notify): a connected UDP socket on the router (LD_PRELOAD shim) gets ECONNREFUSED from a kernel host's Port Unreachable, on recv, on its next send and through SO_ERROR; an IPV6_RECVERR socket reads the error queue (MSG_ERRQUEUE) exactly as a kernel socket does; a TCP connect meeting Administratively Prohibited fails at once (RFC 1122 4.2.3.9 hard error); a TCP transfer through a kernel router whose next link has a smaller MTU shrinks its MSS on Packet Too Big and resends in smaller segments (RFC 8201 4): byte-exact, and no IPv6 fragment on the wire.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat tcpdump
xrt_sock_topo

# a is a kernel router between r and c; its link to c has MTU 1280 on a's
# side only, so c still offers an MSS of 1440.
xrt_host_ns c
xrt_link $A c
IF_AC=$(xrt_if $A c) IF_CA=$(xrt_if c $A)
ip -n "$(xrt_ns $A)" -6 addr add 2001:db8:c::1/64 dev "$IF_AC" nodad
xrt_xdp_pass $A "$IF_AC"
xrt_host c "$IF_CA" 2001:db8:c::2/64 2001:db8:c::1
xrt_exec $A sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$(xrt_ns $A)" link set dev "$IF_AC" mtu 1280
ip -n "$(xrt_ns $A)" -6 route add prohibit 2001:db8:d::/64
xrt_cli_ok $R route add 2001:db8:c::/64 via 2001:db8:1::2 dev "$IF_RA"
xrt_cli_ok $R route add 2001:db8:d::/64 via 2001:db8:1::2 dev "$IF_RA"
on_router() { xrt_exec $R env LD_PRELOAD="$SHIM" "$@"; }
sp_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {v = $2} END {print v}'; }

# 1. Connected UDP to a closed port on a kernel host.
res=$(on_router "$XRT_PY" - <<'PY'
import errno, socket, time
def sock():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.connect(("2001:db8:1::2", 7999))
    s.send(b"anyone?")
    return s
out = []
s = sock()  # on recv
s.settimeout(3)
try:
    s.recv(100)
    out.append("answered")
except ConnectionRefusedError:
    out.append("recv:ECONNREFUSED")
except socket.timeout:
    out.append("recv:timeout")
s = sock()  # through SO_ERROR, once
deadline = time.time() + 3
e = 0
while not e and time.time() < deadline:
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if not e:
        time.sleep(0.05)
out.append("so_error:" + errno.errorcode.get(e, str(e)))
out.append("again:" + str(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)))
s = sock()  # on a later send (sock_alloc_send_skb's sk_err)
deadline = time.time() + 3
while True:
    try:
        s.send(b"poll")
    except ConnectionRefusedError:
        out.append("send:ECONNREFUSED")
        break
    if time.time() > deadline:
        out.append("send:none")
        break
    time.sleep(0.05)
print(" ".join(out))
PY
) || xrt_fail "UDP client: $res"
assert_eq "$res" "recv:ECONNREFUSED so_error:ECONNREFUSED again:0 send:ECONNREFUSED" \
	"connected UDP socket sees the Port Unreachable (as a kernel socket does)"
assert_ge "$(sp_stat sp_sock_icmp_err)" 3 "errors delivered to the socket counted"

# 1b. IPV6_RECVERR on an unconnected socket: the error queue
# (recvmsg(MSG_ERRQUEUE): struct sock_extended_err, the offender, the
# datagram's destination and payload), then no pending error; the same
# program on a kernel host (b, through the router) is the reference.
cat >"$XRT_TMP/recverr.py" <<'PY'
import errno, socket, struct, sys, time
IPV6_RECVERR, MSG_ERRQUEUE = 25, 0x2000  # linux/in6.h, bits/socket.h
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
s.sendto(b"probe-recverr", ("2001:db8:1::2", 7999))
deadline = time.time() + 3
while True:
    try:
        data, anc, flags, addr = s.recvmsg(2000, 512, MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        break
    except BlockingIOError:
        if time.time() > deadline:
            print("no error queued"); sys.exit(0)
        time.sleep(0.05)
lvl, typ, val = anc[0]
ee_errno, origin, t, c = struct.unpack("=IBBB", val[:7])
off = socket.inet_ntop(socket.AF_INET6, val[24:40])  # sockaddr_in6 after the 16-byte ee
print(data.decode(), lvl == socket.IPPROTO_IPV6 and typ == IPV6_RECVERR,
      errno.errorcode[ee_errno], "origin", origin, "type", t, "code", c, "from", off,
      "to", addr[0], addr[1], bool(flags & MSG_ERRQUEUE))
s.setblocking(False)
try:
    s.recv(100); print("then recv: data")
except ConnectionRefusedError:
    print("then recv: ECONNREFUSED")
except BlockingIOError:
    print("then recv: EAGAIN")
PY
ref=$(xrt_exec $TOPO_B "$XRT_PY" "$XRT_TMP/recverr.py") || xrt_fail "kernel reference: $ref"
res=$(on_router "$XRT_PY" "$XRT_TMP/recverr.py") || xrt_fail "IPV6_RECVERR client: $res"
assert_contains "$ref" "probe-recverr True ECONNREFUSED origin 3 type 1 code 4 from 2001:db8:1::2" "kernel reference"
assert_eq "$res" "$ref" "IPV6_RECVERR error queue as the kernel's"
xrt_log "IPV6_RECVERR: $(tr '\n' ' ' <<<"$res")"

# 2. TCP connect answered by Administratively Prohibited: a hard error.
# A blocking connect (a timeout would make Python poll a non-blocking one).
res=$(on_router timeout 30 "$XRT_PY" - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t = time.time()
try:
    s.connect(("2001:db8:d::1", 80))
    print("connected")
except PermissionError:
    print("EACCES", "fast" if time.time() - t < 3 else "slow")
except Exception as e:
    print(type(e).__name__)
PY
) || xrt_fail "TCP client: $res"
assert_eq "$res" "EACCES fast" "connect aborted by the hard error at once"

# 3. TCP from the router to c through a's 1280-byte link.
BYTES=300000
head -c $BYTES /dev/urandom >"$XRT_TMP/src"
xrt_bg c tcp-sink socat -u TCP6-LISTEN:8000,reuseaddr "OPEN:$XRT_TMP/out,creat,trunc"
spid=$XRT_LAST_PID
xrt_wait_for "xrt_exec c ss -Htln | grep -q ':8000 '" 5 || xrt_fail "sink did not start"
CAP=$XRT_TMP/tcp.cap
xrt_bg $A cap-tcp tcpdump -U -n -s 128 -i "$IF_AR" -w "$CAP" ip6
xrt_wait_for "grep -q 'listening on' '$XRT_TMP/cap-tcp.log'" 10 || xrt_fail "tcpdump did not start"
red0=$(sp_stat sp_tcp_mtu_reduced)
on_router socat -u "OPEN:$XRT_TMP/src" "TCP6:[2001:db8:c::2]:8000" || xrt_fail "socat on the router failed"
xrt_wait_pid "$spid" 10 || xrt_fail "sink did not finish"
cmp -s "$XRT_TMP/src" "$XRT_TMP/out" || xrt_fail "c received other bytes ($(stat -c %s "$XRT_TMP/out") of $BYTES)"
assert_ge "$(($(sp_stat sp_tcp_mtu_reduced) - red0))" 1 "the connection's MSS was lowered"
xrt_wait_for "[ \$(tcpdump -r '$CAP' 2>/dev/null | grep -c 'packet too big') -ge 1 ]" 5 ||
	xrt_fail "no Packet Too Big on the wire"
res=$("$XRT_PY" - "$CAP" <<'PY'
import sys
from scapy.all import rdpcap, IPv6, IPv6ExtHdrFragment, ICMPv6PacketTooBig, TCP
last_ptb = None
frags = 0
big = []
for i, p in enumerate(rdpcap(sys.argv[1])):
    if IPv6 not in p:
        continue
    ip = p[IPv6]
    if IPv6ExtHdrFragment in p:
        frags += 1
    if ICMPv6PacketTooBig in p:
        last_ptb = i
    if ip.src == "2001:db8:1::1" and TCP in p and ip.plen + 40 > 1280:
        big.append(i)
after = sum(1 for i in big if last_ptb is not None and i > last_ptb)
print(f"ptb={last_ptb is not None} frags={frags} big={len(big)} big_after_last_ptb={after}")
PY
) || xrt_fail "pcap check: $res"
assert_contains "$res" "ptb=True frags=0 " "no IPv6 fragment on the wire"
assert_contains "$res" "big_after_last_ptb=0" "no segment over 1280 bytes once the Packet Too Big was seen"
big=$(sed 's/.* big=\([0-9]*\) .*/\1/' <<<"$res")
assert_le "$big" 10 "only the first flight (initial window, RFC 6928) was cut for the old MSS"
xrt_log "TCP: $BYTES bytes intact through the 1280-byte link; $res"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "ICMPv6 errors reach sockets: UDP ECONNREFUSED (recv, send, SO_ERROR), IPV6_RECVERR error queue as the kernel's, TCP hard error aborts connect, Packet Too Big shrinks the MSS without fragments"
