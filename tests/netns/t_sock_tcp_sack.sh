#!/usr/bin/env bash
# xrt: kernel-class TCP in xrtd's socket layer against the kernel's TCP through the LD_PRELOAD shim: SACK and timestamps negotiated (TCP_INFO), transfers over a lossy link byte-exact both ways with SACK used by both sides and fewer timeouts than with the host's SACK off, socket options round-tripping (unknown ones ENOPROTOOPT), IPV6_TCLASS and TCP_MAXSEG on the wire, keepalive probes and the reset after TCP_KEEPCNT.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat tcpdump tc nstat
xrt_require_xrt
source "$(dirname "$0")/tcp_bridge.sh"
tcp_bridge_up
host_stat() { xrt_exec $A nstat -az "$1" | awk -v k="$1" '$1 == k {print $2}'; }

SIZE=${SOCK_TCP_SACK_BYTES:-4000000}
src=$XRT_TMP/src
head -c "$SIZE" /dev/urandom >"$src"

# 1. Options through the shim, on an unconnected and a connected socket:
# what is implemented reads back what was set, the rest is refused.
xrt_bg $A ka-listen socat -u TCP6-LISTEN:8100,reuseaddr,fork OPEN:/dev/null
xrt_wait_for "xrt_exec $A ss -Htln | grep -q ':8100 '" 5 || xrt_fail "host listener 8100"
res=$(on_router timeout --foreground 20 "$XRT_PY" - "$IF_RM" <<'EOF'
import errno, socket, struct, sys
ifname = sys.argv[1].encode()
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
out = []
def rt(level, name, val, label):
    s.setsockopt(level, name, val)
    got = s.getsockopt(level, name)
    out.append(label + ("=ok" if got == val else "=%r" % got))
rt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1, "keepalive")
rt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, "reuseaddr")
rt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1, "nodelay")
rt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1000, "maxseg")
rt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 30, "keepidle")
rt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 7, "keepintvl")
rt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 4, "keepcnt")
rt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x28, "tclass")
rt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 9, "hops")
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname)
out.append("bindtodevice=" + ("ok" if s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16).rstrip(b"\0") == ifname else "bad"))
try:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"nosuchdev0")
    out.append("bad-device-accepted")
except OSError as e:
    out.append("nodev=" + errno.errorcode[e.errno])
out.append("type=%d" % s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE))
rt(socket.IPPROTO_TCP, socket.TCP_CORK, 1, "cork")
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
for level, name, label in ((socket.IPPROTO_TCP, socket.TCP_CONGESTION, "congestion"),
                           (socket.IPPROTO_TCP, socket.TCP_QUICKACK, "quickack"),
                           (socket.SOL_SOCKET, socket.SO_PRIORITY, "priority"),
                           (socket.SOL_SOCKET, socket.SO_OOBINLINE, "oobinline")):
    try:
        s.setsockopt(level, name, 1)
        out.append(label + "-accepted")
    except OSError as e:
        out.append(label + "=" + errno.errorcode[e.errno])
s.connect(("2001:db8:1::2", 8100))
s.sendall(b"x" * 3000)
ti = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
state, ca, rtx, probes, backoff, options = struct.unpack_from("6B", ti)
snd_mss, = struct.unpack_from("I", ti, 16)
out.append("info state=%d sack=%d ts=%d ws=%d mss=%d" % (state, options & 2 != 0, options & 1 != 0, options & 4 != 0, snd_mss))
out.append("err=%d" % s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
s.close()
print(" ".join(out))
EOF
) || xrt_fail "options: $res"
xrt_log "options: $res"
for want in keepalive=ok reuseaddr=ok nodelay=ok maxseg=ok keepidle=ok keepintvl=ok keepcnt=ok \
	tclass=ok hops=ok bindtodevice=ok nodev=ENODEV type=1 cork=ok congestion=ENOPROTOOPT \
	quickack=ENOPROTOOPT priority=ENOPROTOOPT oobinline=ENOPROTOOPT "info state=1 sack=1 ts=1 ws=1 mss=988" err=0; do
	assert_contains "$res" "$want" "socket option through the shim: $want"
done

# 2. IPV6_TCLASS and TCP_MAXSEG on the wire: the SYN the router sends.
xrt_capture_start $A "$IF_AM" 1 tcp and src 2001:db8:1::1 and 'ip6[53] & 2 != 0'
on_router timeout --foreground 10 "$XRT_PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x28)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1000)
s.connect(("2001:db8:1::2", 8100)); s.close()' || xrt_fail "TCLASS connect"
xrt_capture_wait 5
assert_contains "$XRT_CAP_OUT" "class 0x28" "IPV6_TCLASS in the SYN's traffic class"
assert_contains "$XRT_CAP_OUT" "mss 1000" "TCP_MAXSEG caps the MSS offered"
assert_contains "$XRT_CAP_OUT" "sackOK" "SACK permitted offered"
assert_contains "$XRT_CAP_OUT" "TS val" "timestamps offered"

# 3. Lossy link: 5% of the frames entering m lost each way. The same
# transfers with the host's SACK on, then off (the host then neither offers
# nor answers it).
tcp_bridge_loss on
ROUNDS=${SOCK_TCP_SACK_ROUNDS:-2}
declare -A RTO HRTO XSACK HSACK
port=8200
for sack in 1 0; do
	xrt_exec $A sysctl -qw net.ipv4.tcp_sack=$sack
	x_rto0=$(sk_stat TcpExtTCPTimeouts) x_sr0=$(sk_stat TcpExtTCPSackRecovery)
	h_rto0=$(host_stat TcpExtTCPTimeouts) h_sr0=$(host_stat TcpExtTCPSackRecovery)
	for round in $(seq "$ROUNDS"); do
		router_to_host $((port++)) "SACK $sack"
		host_to_router $((port++)) "SACK $sack"
	done
	RTO[$sack]=$(($(sk_stat TcpExtTCPTimeouts) - x_rto0))
	HRTO[$sack]=$(($(host_stat TcpExtTCPTimeouts) - h_rto0))
	XSACK[$sack]=$(($(sk_stat TcpExtTCPSackRecovery) - x_sr0))
	HSACK[$sack]=$(($(host_stat TcpExtTCPSackRecovery) - h_sr0))
	xrt_log "host SACK $sack: $ROUNDS x $SIZE bytes each way identical; timeouts: xrt sending ${RTO[$sack]}, host sending ${HRTO[$sack]}; SACK recoveries: xrt ${XSACK[$sack]}, host ${HSACK[$sack]}"
done
assert_ge "${XSACK[1]}" 1 "xrt recovered with the kernel's SACK blocks (TcpExtTCPSackRecovery)"
assert_ge "${HSACK[1]}" 1 "the kernel recovered with xrt's SACK blocks"
assert_eq "${XSACK[0]}" 0 "no SACK recovery when the host does not offer SACK"
total1=$((RTO[1] + HRTO[1])) total0=$((RTO[0] + HRTO[0]))
[ "$total1" -lt "$total0" ] ||
	xrt_fail "with SACK $total1 retransmission timeouts, without $total0: not fewer"
xrt_log "retransmission timeouts: $total1 with SACK, $total0 without"
tcp_bridge_loss off
xrt_exec $A sysctl -qw net.ipv4.tcp_sack=1

# 4. Keepalive: the host goes silent (every frame from it dropped in m);
# the router's application, idle with SO_KEEPALIVE, TCP_KEEPIDLE 1,
# TCP_KEEPINTVL 1 and TCP_KEEPCNT 2, sees ETIMEDOUT after 2 probes.
ka0=$(sk_stat TcpExtTCPKeepAlive)
res=$(on_router timeout --foreground 30 "$XRT_PY" - "$(xrt_ns $M)" "$IF_MA" <<'EOF'
import errno, socket, subprocess, sys, time
mns, ifma = sys.argv[1], sys.argv[2]
s = socket.create_connection(("2001:db8:1::2", 8100))
for name, v in ((socket.TCP_KEEPIDLE, 1), (socket.TCP_KEEPINTVL, 1), (socket.TCP_KEEPCNT, 2)):
    s.setsockopt(socket.IPPROTO_TCP, name, v)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
def m(*a):
    subprocess.run(["ip", "netns", "exec", mns, "tc"] + list(a), check=True)
m("qdisc", "add", "dev", ifma, "clsact")
m("filter", "add", "dev", ifma, "ingress", "bpf", "da", "bytecode", "1,6 0 0 2")
t0 = time.time()
s.settimeout(20)
try:
    b = s.recv(10)
    what = "eof" if not b else "data"
except OSError as e:
    what = errno.errorcode.get(e.errno, str(e))
err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
print("%s after %.0f s, so_error %s" % (what, time.time() - t0, errno.errorcode.get(err, err)))
m("qdisc", "del", "dev", ifma, "clsact")
EOF
) || xrt_fail "keepalive: $res"
xrt_log "keepalive: $res"
assert_match "$res" "^eof after [2-5] s" "the silent peer is given up after idle + 2 probes (1 + 2 x 1 s)"
assert_ge $(($(sk_stat TcpExtTCPKeepAlive) - ka0)) 2 "keepalive probes counted"
assert_ge "$(sk_stat TcpExtTCPAbortOnTimeout)" 1 "the reset after TCP_KEEPCNT counted"

kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "SACK/timestamps negotiated; ${ROUNDS} x $SIZE bytes each way over 5% loss byte-exact, SACK recoveries xrt ${XSACK[1]} / kernel ${HSACK[1]}, timeouts $total1 with SACK vs $total0 without; options, TCLASS, MAXSEG, keepalive"
