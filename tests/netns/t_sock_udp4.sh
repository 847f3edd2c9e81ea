#!/usr/bin/env bash
# xrt: AF_INET UDP through xrtd's socket layer: unmodified socat on the router
# (LD_PRELOAD shim) talks IPv4 to the kernel on a host, whose router kernel
# has no IPv4 address: router -> host byte-exact (sendto, 200 x 1000 bytes,
# and 3000-byte datagrams the stack fragments), host -> router echoed back
# (UDP4-LISTEN: recvfrom, connect, read, write), Port Unreachable once the
# socket is closed.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-x4}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat
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
on_router() { xrt_exec $R env LD_PRELOAD="$SHIM" "$@"; }

# 1. Router -> host: 200 datagrams of 1000 bytes, then 20 of 3000 bytes
# (each leaves in 3 fragments, reassembled by the host's kernel).
for size in 1000 3000; do
	n=$((size == 1000 ? 200 : 20))
	src=$XRT_TMP/r2a-$size.src out=$XRT_TMP/r2a-$size.out
	head -c $((n * size)) /dev/urandom >"$src"
	: >"$out"
	xrt_bg $A "udp-recv-$size" socat -u "UDP4-RECV:7001,bind=192.0.2.2,rcvbuf=4194304" "OPEN:$out,append"
	rpid=$XRT_LAST_PID
	xrt_wait_for "xrt_exec $A ss -Huln | grep -q ':7001 '" 5 || xrt_fail "host receiver did not start"
	on_router socat -b $size -u "OPEN:$src" "UDP4-SENDTO:192.0.2.2:7001" ||
		xrt_fail "socat on the router (shim, AF_INET) could not send"
	xrt_wait_for "[ \$(stat -c %s '$out') -ge $((n * size)) ]" 10 ||
		xrt_fail "router -> host, $size-byte datagrams: $(stat -c %s "$out") of $((n * size)) bytes arrived"
	xrt_stop "$rpid"
	cmp -s "$src" "$out" || xrt_fail "router -> host ($size): received bytes differ"
	xrt_log "router -> host: $n datagrams of $size bytes, identical"
done

# 2. Host -> router and back: socat UDP4-LISTEN echoes each datagram.
xrt_bg $R udp-echo env LD_PRELOAD="$SHIM" socat -T 10 UDP4-LISTEN:7002 PIPE
epid=$XRT_LAST_PID
out=$(xrt_exec $A "$XRT_PY" "$(dirname "$0")/udp_echo_check.py" 192.0.2.1 7002) ||
	xrt_fail "host -> router echo: $out"
assert_eq "$out" "echoed 67850 67850" "AF_INET socat on the router echoes 100 datagrams byte for byte"
xrt_stop "$epid"

# 3. Nothing listens any more: the stack answers Port Unreachable.
unreach() { xrt_cli $R stats | awk '$1 == "IcmpOutDestUnreachs" { print $2 }'; }
u0=$(unreach)
xrt_exec $A "$XRT_PY" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 7002))'
xrt_wait_for "[ \$(unreach) -gt $u0 ]" 5 || xrt_fail "closed port: no Port Unreachable (IcmpOutDestUnreachs stayed $u0)"

xrt_pass "AF_INET UDP through the shim: router -> host byte-exact (1000 and 3000-byte datagrams), host -> router echo, Port Unreachable when closed"
