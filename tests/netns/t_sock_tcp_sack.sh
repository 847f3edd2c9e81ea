#!/usr/bin/env bash
# xrt: kernel-class TCP in xrtd's socket layer against the kernel's TCP through the LD_PRELOAD shim: SACK and timestamps negotiated (TCP_INFO), transfers over a lossy link byte-exact both ways with SACK used by both sides and fewer timeouts than with the host's SACK off, socket options round-tripping (unknown ones ENOPROTOOPT), IPV6_TCLASS and TCP_MAXSEG on the wire, keepalive probes and the reset after TCP_KEEPCNT.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat tcpdump tc nstat
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

# a - m - r: m is a plain bridge where loss is injected on its ports'
# ingress (as in t_sock_tcp: no netem on this kernel, a cls_bpf filter).
A=a R=r M=m
xrt_host_ns $A
xrt_router_ns $R
xrt_ns_add $M
xrt_link $A $M
xrt_link $M $R
IF_AM=$(xrt_if $A $M) IF_MA=$(xrt_if $M $A) IF_MR=$(xrt_if $M $R) IF_RM=$(xrt_if $R $M)
BR=$XRT_PREFIX-br
xrt_exec $M ip link add "$BR" type bridge
xrt_exec $M ip link set "$IF_MA" master "$BR"
xrt_exec $M ip link set "$IF_MR" master "$BR"
xrt_exec $M ip link set "$BR" up
xrt_xdp_pass $M "$IF_MR"
xrt_host $A "$IF_AM" 2001:db8:1::2/64 2001:db8:1::1
MAC_RM=$(xrt_mac $R "$IF_RM") MAC_AM=$(xrt_mac $A "$IF_AM")
xrt_static_neigh $A "$IF_AM" 2001:db8:1::1 "$MAC_RM"
xrt_xrtd_start $R
xrt_cli_ok $R link attach dev "$IF_RM"
xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RM"
xrt_cli_ok $R neigh add 2001:db8:1::2 lladdr "$MAC_AM" dev "$IF_RM"
on_router() { xrt_exec $R env LD_PRELOAD="$SHIM" "$@"; }
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }
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
for level, name, label in ((socket.IPPROTO_TCP, socket.TCP_CORK, "cork"),
                           (socket.IPPROTO_TCP, socket.TCP_CONGESTION, "congestion"),
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
	tclass=ok hops=ok bindtodevice=ok nodev=ENODEV type=1 cork=ENOPROTOOPT congestion=ENOPROTOOPT \
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

# router_to_host PORT / host_to_router PORT: the file one way, compared.
router_to_host() {
	local port=$1 out=$XRT_TMP/r2a-$1
	xrt_bg $A "r2a-$port" socat -u "TCP6-LISTEN:$port,reuseaddr" "OPEN:$out,creat,trunc"
	local lpid=$XRT_LAST_PID
	xrt_wait_for "xrt_exec $A ss -Htln | grep -q ':$port '" 5 || xrt_fail "host listener $port"
	on_router timeout --foreground 90 socat -u "OPEN:$src" "TCP6:[2001:db8:1::2]:$port" ||
		xrt_fail "port $port: socat on the router failed"
	xrt_wait_pid "$lpid" 90 || xrt_fail "port $port: the host did not see the end of the stream"
	cmp -s "$src" "$out" || xrt_fail "port $port: host got $(stat -c %s "$out") bytes, not $SIZE"
}
host_to_router() {
	local port=$1 out=$XRT_TMP/a2r-$1
	xrt_bg $R "a2r-$port" env LD_PRELOAD="$SHIM" socat -u "TCP6-LISTEN:$port" "OPEN:$out,creat,trunc"
	local lpid=$XRT_LAST_PID
	xrt_exec $A timeout --foreground 90 socat -u "OPEN:$src" "TCP6:[2001:db8:1::1]:$port,retry=50,interval=0.1" ||
		xrt_fail "port $port: the host's socat could not send"
	xrt_wait_pid "$lpid" 90 || xrt_fail "port $port: socat on the router did not see the end"
	cmp -s "$src" "$out" || xrt_fail "port $port: router got $(stat -c %s "$out") bytes, not $SIZE"
}

# 3. Lossy link: 5% of the frames entering m lost each way (ld rand;
# jge 2^32/20 -> pass; ret SHOT; ret OK). The same transfers with the
# host's SACK on, then off (the host then neither offers nor answers it).
LOSS_BPF='4,32 0 0 4294963256,53 1 0 214748365,6 0 0 2,6 0 0 0'
for i in "$IF_MA" "$IF_MR"; do
	xrt_exec $M tc qdisc add dev "$i" clsact
	xrt_exec $M tc filter add dev "$i" ingress bpf da bytecode "$LOSS_BPF"
done
ROUNDS=${SOCK_TCP_SACK_ROUNDS:-2}
declare -A RTO HRTO XSACK HSACK
port=8200
for sack in 1 0; do
	xrt_exec $A sysctl -qw net.ipv4.tcp_sack=$sack
	x_rto0=$(sk_stat TcpExtTCPTimeouts) x_sr0=$(sk_stat TcpExtTCPSackRecovery)
	h_rto0=$(host_stat TcpExtTCPTimeouts) h_sr0=$(host_stat TcpExtTCPSackRecovery)
	for round in $(seq "$ROUNDS"); do
		router_to_host $((port++))
		host_to_router $((port++))
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
for i in "$IF_MA" "$IF_MR"; do
	xrt_exec $M tc qdisc del dev "$i" clsact
done
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
