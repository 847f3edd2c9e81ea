#!/usr/bin/env bash
# xrt: ICMPv4 errors reach xrtd's UDP sockets (__udp4_lib_err) and IP_TTL / IP_TOS shape what they send: one Python program runs through the LD_PRELOAD shim on the router and, as the reference, on a kernel host whose datagrams the router forwards; both meet host a's kernel Port Unreachable. Compared line for line: recv errno and SO_ERROR of a connected AF_INET socket, the IP_RECVERR error queue (SOL_IP/IP_RECVERR, sock_extended_err with SO_EE_ORIGIN_ICMP, type/code, offender, the datagram's destination and payload) of an AF_INET socket and of a dual-stack AF_INET6 one (IPV6_RECVERR cmsg, IPv4-mapped offender), IPV6_RECVERR alone queueing nothing for IPv4, and the IP_TTL / IP_TOS getsockopt values; then the TTL and TOS bytes of UDP and TCP on the wire at a.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
xrt_sock_topo
ans=$(xrt_ns $A) bns=$(xrt_ns $TOPO_B)
xrt_exec $R sysctl -qw net.ipv4.ip_forward=0
xrt_cli_ok $R addr add 192.0.2.1/24 dev "$IF_RA"
xrt_cli_ok $R addr add 198.51.100.1/24 dev "$IF_RB"
ip -n "$ans" addr add 192.0.2.2/24 dev "$IF_AR"
ip -n "$ans" route add default via 192.0.2.1
ip -n "$bns" addr add 198.51.100.2/24 dev "$IF_BR"
ip -n "$bns" route add default via 198.51.100.1
# Every probe gets its Port Unreachable (no per-destination token bucket).
xrt_exec $A sysctl -qw net.ipv4.icmp_ratelimit=0
on_router() { xrt_exec $R env LD_PRELOAD="$SHIM" "$@"; }
xrt_wait_for "xrt_exec $TOPO_B ping -4 -c 1 -W 1 192.0.2.2 >/dev/null" 10 ||
	xrt_fail "b cannot reach a through the router"

cat >"$XRT_TMP/udp4err.py" <<'PY'
import errno, socket, struct, sys, time
IP_RECVERR, IPV6_RECVERR, MSG_ERRQUEUE = 11, 25, 0x2000  # linux/in.h, in6.h, bits/socket.h
A, PORT = "192.0.2.2", 7999

def name(e):
    return errno.errorcode.get(e, str(e))

def errqueue(s):
    deadline = time.time() + 3
    while True:
        try:
            return s.recvmsg(2000, 512, MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            if time.time() > deadline:
                return None
            time.sleep(0.05)

def show_queue(tag, s):
    r = errqueue(s)
    if r is None:
        print(tag, "no error queued")
        return
    data, anc, flags, addr = r
    lvl, typ, val = anc[0]
    ee_errno, origin, t, c, pad, info, edata = struct.unpack("=IBBBBII", val[:16])
    fam = struct.unpack("=H", val[16:18])[0]
    if fam == socket.AF_INET:
        off = "%s len %d" % (socket.inet_ntop(socket.AF_INET, val[20:24]), len(val))
    elif fam == socket.AF_INET6:
        off = "%s len %d" % (socket.inet_ntop(socket.AF_INET6, val[24:40]), len(val))
    else:
        off = "family %d" % fam
    print(tag, data.decode(), "cmsg", lvl, typ, name(ee_errno), "origin", origin, "type", t,
          "code", c, "info", info, "offender", off, "to", addr[0], addr[1],
          bool(flags & MSG_ERRQUEUE), "more", len(anc))
    s.setblocking(False)
    try:
        s.recv(100); print(tag, "then recv: data")
    except OSError as e:
        print(tag, "then recv:", name(e.errno))
    print(tag, "then SO_ERROR:", name(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)))

if sys.argv[1:] == ["frag"]:
    # Fragmentation Needed about a connected IP_RECVERR socket's datagram.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
    s.connect((A, 7996)); s.send(b"frag-probe")
    show_queue("frag", s)
    sys.exit(0)
# 1. Connected AF_INET: recv, then SO_ERROR once.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((A, PORT)); s.send(b"one"); s.settimeout(3)
try:
    s.recv(100); print("recv: data")
except OSError as e:
    print("recv:", name(e.errno) if e.errno else "timeout")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((A, PORT)); s.send(b"two")
deadline, e = time.time() + 3, 0
while not e and time.time() < deadline:
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    time.sleep(0.05)
print("so_error:", name(e), "again:", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
# 2. Unconnected AF_INET with IP_RECVERR: the error queue.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
print("ip_recverr:", s.getsockopt(socket.SOL_IP, IP_RECVERR))
s.sendto(b"probe-v4", (A, PORT))
show_queue("inet", s)
# 3. Dual-stack AF_INET6 with IP_RECVERR, to the mapped address.
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
s.sendto(b"probe-mapped", ("::ffff:" + A, PORT))
show_queue("inet6", s)
# 4. IPV6_RECVERR alone: IPv4 errors are not queued (inet->recverr).
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
s.sendto(b"probe-v6only", ("::ffff:" + A, PORT))
r = errqueue(s)
print("ipv6_recverr only:", "queued" if r else "nothing")
# 5. IP_TTL / IP_TOS as getsockopt reports them.
for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, typ)
    v = [s.getsockopt(socket.SOL_IP, socket.IP_TTL)]
    s.setsockopt(socket.SOL_IP, socket.IP_TTL, 33)
    s.setsockopt(socket.SOL_IP, socket.IP_TOS, 0xbb)
    v += [s.getsockopt(socket.SOL_IP, socket.IP_TTL), hex(s.getsockopt(socket.SOL_IP, socket.IP_TOS))]
    s.setsockopt(socket.SOL_IP, socket.IP_TTL, -1)
    v.append(s.getsockopt(socket.SOL_IP, socket.IP_TTL))
    try:
        s.setsockopt(socket.SOL_IP, socket.IP_TTL, 0); v.append("ttl0 ok")
    except OSError as e:
        v.append("ttl0 " + name(e.errno))
    print("opts", typ, *v)
PY

ref=$(xrt_exec $TOPO_B "$XRT_PY" "$XRT_TMP/udp4err.py") || xrt_fail "kernel reference: $ref"
res=$(on_router "$XRT_PY" "$XRT_TMP/udp4err.py") || xrt_fail "through the shim: $res"
printf 'kernel:\n%s\nxrt:\n%s\n' "$ref" "$res" >&2
assert_contains "$ref" "inet probe-v4 cmsg 0 11 ECONNREFUSED origin 2 type 3 code 3 info 0 offender 192.0.2.2 len 32 to 192.0.2.2 7999 True" \
	"kernel reference: AF_INET error queue"
assert_eq "$res" "$ref" "what the program sees through xrt is what a kernel socket shows"

# The bytes: UDP and a TCP SYN with IP_TTL 33 and IP_TOS 0xbb, captured at a.
CAP=$XRT_TMP/ttl.pcap
xrt_bg $A cap-ttl tcpdump -U -n -i "$IF_AR" -w "$CAP" "ip and (udp port 7998 or tcp port 7997)"
cpid=$XRT_LAST_PID
xrt_wait_for "grep -q 'listening on' '$XRT_TMP/cap-ttl.log'" 10 || xrt_fail "tcpdump did not start"
cat >"$XRT_TMP/ttl.py" <<'PY'
import socket
for typ, port in ((socket.SOCK_DGRAM, 7998), (socket.SOCK_STREAM, 7997)):
    s = socket.socket(socket.AF_INET, typ)
    s.setsockopt(socket.SOL_IP, socket.IP_TTL, 33)
    s.setsockopt(socket.SOL_IP, socket.IP_TOS, 0xbb)
    s.settimeout(3)
    try:
        s.connect(("192.0.2.2", port)); s.send(b"ttl")
    except OSError:
        pass
PY
on_router "$XRT_PY" "$XRT_TMP/ttl.py" || xrt_fail "IP_TTL sender through the shim failed"
xrt_exec $TOPO_B "$XRT_PY" "$XRT_TMP/ttl.py" || xrt_fail "IP_TTL sender on b failed"
xrt_wait_for "[ \$(tcpdump -r '$CAP' 2>/dev/null | wc -l) -ge 4 ]" 5 || xrt_fail "expected 4 packets at a"
xrt_stop "$cpid"
wire=$("$XRT_PY" - "$CAP" <<'PY'
import sys
from scapy.all import rdpcap, IP, UDP, TCP
for p in rdpcap(sys.argv[1]):
    ip = p[IP]
    who = {"192.0.2.1": "xrt", "198.51.100.2": "kernel"}.get(ip.src, "a")
    proto = "udp" if UDP in p else "tcp-syn" if TCP in p and p[TCP].flags & 2 else "tcp"
    print(who, proto, "ttl", ip.ttl, "tos", hex(ip.tos))
PY
) || xrt_fail "pcap: $wire"
xrt_log "$(tr '\n' ';' <<<"$wire")"
assert_contains "$wire" "xrt udp ttl 33 tos 0xbb" "UDP: IP_TTL and the whole IP_TOS byte (ECN bits too) on the wire"
assert_contains "$wire" "xrt tcp-syn ttl 33 tos 0xb8" "TCP: IP_TTL, IP_TOS without its ECN bits"
# The kernel's came one hop further (forwarded by xrt): TTL 32, same TOS.
assert_contains "$wire" "kernel udp ttl 32 tos 0xbb" "kernel reference, UDP"
assert_contains "$wire" "kernel tcp-syn ttl 32 tos 0xb8" "kernel reference, TCP"
# Fragmentation Needed (MTU 1200) from a about each sender's datagram:
# EMSGSIZE, ee_info 1200 in the error queue, as a kernel socket shows it.
cat >"$XRT_TMP/fragneed.py" <<'PY'
import socket, sys
from scapy.all import IP, ICMP, conf, send, sniff
conf.verb = 0
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # no Port Unreachable
sink.bind(("0.0.0.0", 7996))
p = sniff(iface=sys.argv[1], filter="udp and dst port 7996", count=1, timeout=15,
          started_callback=lambda: print("ready", flush=True))
if not p:
    sys.exit(1)
ip = p[0][IP]
send(IP(src=ip.dst, dst=ip.src) / ICMP(type=3, code=4, nexthopmtu=1200) / bytes(ip), iface=sys.argv[1])
PY
frag_run() { # WHO: the frag case of the program on the router (shim) or b
	xrt_bg $A "fragneed-$1" "$XRT_PY" "$XRT_TMP/fragneed.py" "$IF_AR"
	local fpid=$XRT_LAST_PID
	xrt_wait_for "grep -q ready '$XRT_TMP/fragneed-$1.log'" 15 || xrt_fail "sniffer on a did not start"
	if [ "$1" = xrt ]; then
		on_router "$XRT_PY" "$XRT_TMP/udp4err.py" frag
	else
		xrt_exec $TOPO_B "$XRT_PY" "$XRT_TMP/udp4err.py" frag
	fi
	xrt_wait_pid "$fpid" 20 || xrt_fail "sniffer on a saw no datagram from $1"
}
fref=$(frag_run kernel) || xrt_fail "kernel reference (frag): $fref"
fres=$(frag_run xrt) || xrt_fail "through the shim (frag): $fres"
printf 'kernel:\n%s\nxrt:\n%s\n' "$fref" "$fres" >&2
assert_contains "$fref" "frag frag-probe cmsg 0 11 EMSGSIZE origin 2 type 3 code 4 info 1200" \
	"kernel reference: Fragmentation Needed"
assert_eq "$fres" "$fref" "Fragmentation Needed reaches the socket as on a kernel socket"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "ICMPv4 errors reach UDP sockets as the kernel's (ECONNREFUSED, SO_ERROR, IP_RECVERR queue on AF_INET and dual-stack, Fragmentation Needed as EMSGSIZE), IP_TTL/IP_TOS on UDP and TCP bytes"
