#!/usr/bin/env bash
# xrt: UDP and raw ICMPv6 through xrtd's socket layer: unmodified socat on the router (LD_PRELOAD shim) against the kernel on a host, both directions, byte-exact; bad checksums dropped and counted; Port Unreachable for closed ports.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xq}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat tcpdump
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

xrt_topo_line
R=$TOPO_R A=$TOPO_A
xrt_xrtd_start $R
xrt_topo_line_program
xrtd_fds() { ls "/proc/$(xrt_xrtd_pid $R)/fd" | wc -l; }
FDS0=$(xrtd_fds)

# An application on the router: socat with the shim, inside r's namespace
# (the daemon's application socket is /run/xrt/net-<inode>/xrt-sock, one
# per namespace).
on_router() { xrt_exec $R env LD_PRELOAD="$SHIM" "$@"; }
sp_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }

# 1. Router -> host: unconnected sendto of 200 datagrams of 1000 bytes.
src=$XRT_TMP/r2a.src out=$XRT_TMP/r2a.out
head -c 200000 /dev/urandom >"$src"
: >"$out"
xrt_bg $A udp-recv socat -u "UDP6-RECV:7001,bind=[2001:db8:1::2],rcvbuf=4194304" "OPEN:$out,append"
rpid=$XRT_LAST_PID
xrt_wait_for "xrt_exec $A ss -Huln | grep -q ':7001 '" 5 || xrt_fail "host receiver did not start"
on_router socat -b 1000 -u "OPEN:$src" "UDP6-SENDTO:[2001:db8:1::2]:7001" ||
	xrt_fail "socat on the router (shim) could not send"
xrt_wait_for "[ \$(stat -c %s '$out') -ge 200000 ]" 10 ||
	xrt_fail "router -> host: $(stat -c %s "$out") of 200000 bytes arrived"
xrt_stop "$rpid"
cmp -s "$src" "$out" || xrt_fail "router -> host: received bytes differ"
xrt_log "router -> host: 200 datagrams, 200000 bytes, identical"

# 2. Host -> router and back: socat UDP6-LISTEN (recvfrom MSG_PEEK, connect,
# read, write) echoes every datagram; the host's kernel socket checks each
# echo byte for byte. Until socat has bound the port the router answers
# Port Unreachable, which the client sees as ECONNREFUSED and retries.
xrt_bg $R udp-echo env LD_PRELOAD="$SHIM" socat -T 10 UDP6-LISTEN:7002 PIPE
epid=$XRT_LAST_PID
out=$(xrt_exec $A "$XRT_PY" "$(dirname "$0")/udp_echo_check.py" 2001:db8:1::1 7002) || xrt_fail "UDP echo through the router's socat: $out"
assert_eq "$out" "echoed 67850 67850" "100 datagrams echoed byte for byte"
xrt_stop "$epid"
xrt_log "host -> router -> host: $out"

# 3. A datagram with a bad checksum to a bound port is dropped and counted,
# never delivered; the same datagram with a good checksum is delivered.
rout=$XRT_TMP/csum.out
: >"$rout"
xrt_bg $R udp-csum env LD_PRELOAD="$SHIM" socat -u UDP6-RECV:7003 "OPEN:$rout,append"
cpid=$XRT_LAST_PID
# Ready once a probe got through (the listener may still be starting).
for i in 1 2 3 4 5 6 7 8 9 10; do
	xrt_exec $A "$XRT_PY" -c "
import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b'READY', ('2001:db8:1::1', 7003))"
	xrt_wait_for "grep -q READY '$rout'" 1 && break
done
grep -q READY "$rout" || xrt_fail "UDP listener on the router never received a probe"
csum0=$(sp_stat sp_udp_csum)
res=$(xrt_exec $A "$XRT_PY" - "$IF_AR" "$MAC_RA" <<'EOF'
import sys
from scapy.all import Ether, IPv6, UDP, Raw, sendp, conf
conf.verb = 0
iface, mac = sys.argv[1], sys.argv[2]
def frame(payload, chksum=None):
    u = UDP(sport=40000, dport=7003)
    if chksum is not None:
        u.chksum = chksum
    return Ether(dst=mac) / IPv6(src="2001:db8:1::2", dst="2001:db8:1::1") / u / Raw(payload)
# Bad checksums first, then a good one: in order on one veth.
sendp([frame(b"BADBADBAD", chksum=0x1234), frame(b"BADZERO!!", chksum=0), frame(b"GOOD")],
      iface=iface)
print("sent")
EOF
) || xrt_fail "scapy: $res"
xrt_wait_for "grep -q GOOD '$rout'" 5 || xrt_fail "good datagram never delivered"
assert_not_contains "$(cat "$rout")" "BAD" "datagrams with a bad checksum are not delivered"
csum1=$(sp_stat sp_udp_csum)
assert_eq "$((csum1 - csum0))" 2 "sp_udp_csum counts exactly the two bad datagrams"
xrt_stop "$cpid"

# 4. Closed port: ICMPv6 Port Unreachable reaches the host's socket
# (ECONNREFUSED) and the wire shows it.
xrt_capture_start $A "$IF_AR" 1 icmp6 and 'ip6[40] == 1' and 'ip6[41] == 4'
res=$(xrt_exec $A "$XRT_PY" - <<'EOF'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect(("2001:db8:1::1", 7999))
s.settimeout(2)
s.send(b"anyone?")
try:
    s.recv(100)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
EOF
)
assert_eq "$res" "refused" "closed UDP port: the host's socket sees Port Unreachable"
xrt_capture_wait 5
assert_contains "$XRT_CAP_OUT" "2001:db8:1::1 > 2001:db8:1::2" "Port Unreachable from the router's address"
assert_contains "$XRT_CAP_OUT" "unreachable port" "ICMPv6 Destination Unreachable code 4"

# 5. Malformed requests on the application socket get an error answer
# (EPROTO, EBADF) and the daemon keeps serving (step 6 needs it).
res=$(XRT_SOCK_PATH=$(xrt_sock_path $R xrt-sock) xrt_exec $R "$XRT_PY" - <<'EOF'
import errno, os, socket, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(os.environ["XRT_SOCK_PATH"])
s.settimeout(3)
def ask(msg):
    s.send(msg)
    r = s.recv(100)
    magic, err = struct.unpack("=Ii", r[:8])
    return errno.errorcode.get(err, str(err))
req = lambda magic, op: struct.pack("=II3i", magic, op, 0, 0, 0) + bytes(28)
print(ask(b"junk!"), ask(req(0x12345678, 1)), ask(req(0x78736f6b, 2)), ask(req(0x78736f6b, 99)))
EOF
) || xrt_fail "malformed requests: $res"
assert_eq "$res" "EPROTO EPROTO EBADF EBADF" "malformed requests answered with errors"

# 6. Raw ICMPv6: unmodified ping on the router (SOCK_RAW through the shim)
# reaches the host and reads the replies from its raw socket.
out=$(on_router ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:1::2 2>&1) || xrt_fail "ping through the shim: $out"
assert_contains "$out" "3 received" "ping (raw ICMPv6 socket in xrtd) to the host"

kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
# Every application socket closed: the daemon holds no descriptor for them.
xrt_wait_for "[ \$(xrtd_fds) -le $FDS0 ]" 10 ||
	xrt_fail "xrtd holds $(xrtd_fds) descriptors, $FDS0 before the applications ran"
xrt_pass "UDP both directions byte-exact through the shim, checksums verified, Port Unreachable, raw ICMPv6 ping"
