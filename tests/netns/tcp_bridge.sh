# xrt tests: the a - m - r topology of the TCP tests (m a bridge where loss is injected), and file transfers both ways through the shim; sourced by t_sock_tcp.sh and t_sock_tcp_sack.sh after lib.sh.
#
# tcp_bridge_up: namespaces a (kernel host, 2001:db8:1::2), r (xrtd,
# 2001:db8:1::1) and m (a plain bridge between them, so loss can be
# injected on its ports' ingress: a frame dropped there is lost on the wire
# for both senders; a drop on the sending host itself would be retried
# locally). Sets A R M, IF_AM IF_MA IF_MR IF_RM, SHIM, on_router, sk_stat.
tcp_bridge_up() {
	A=a R=r M=m
	SHIM=$XRT_BUILD/libxrt-sock.so
	xrt_require_file "$SHIM"
	xrt_host_ns $A
	xrt_router_ns $R
	xrt_ns_add $M
	xrt_link $A $M
	xrt_link $M $R
	IF_AM=$(xrt_if $A $M) IF_MA=$(xrt_if $M $A) IF_MR=$(xrt_if $M $R) IF_RM=$(xrt_if $R $M)
	local br=$XRT_PREFIX-br
	xrt_exec $M ip link add "$br" type bridge
	xrt_exec $M ip link set "$IF_MA" master "$br"
	xrt_exec $M ip link set "$IF_MR" master "$br"
	xrt_exec $M ip link set "$br" up
	xrt_xdp_pass $M "$IF_MR" # frames the router sends with XDP_TX / redirect
	xrt_host $A "$IF_AM" 2001:db8:1::2/64 2001:db8:1::1
	MAC_AM=$(xrt_mac $A "$IF_AM") MAC_RM=$(xrt_mac $R "$IF_RM")
	xrt_static_neigh $A "$IF_AM" 2001:db8:1::1 "$MAC_RM"
	xrt_xrtd_start $R
	xrt_cli_ok $R link attach dev "$IF_RM"
	xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RM"
	xrt_cli_ok $R neigh add 2001:db8:1::2 lladdr "$MAC_AM" dev "$IF_RM"
}
on_router() { xrt_exec $R env LD_PRELOAD="$SHIM" "$@"; }
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }

# tcp_bridge_loss on|off: 5% of the frames entering m lost each way. This
# kernel has neither netem nor matchall/gact, so a classic BPF filter
# (cls_bpf, direct action) drops a frame when a random u32 falls below
# 2^32/20:  ld rand; jge #214748365 -> pass; ret SHOT (2); ret OK (0)
tcp_bridge_loss() {
	local i
	for i in "$IF_MA" "$IF_MR"; do
		if [ "$1" = on ]; then
			xrt_exec $M tc qdisc add dev "$i" clsact
			xrt_exec $M tc filter add dev "$i" ingress bpf da bytecode \
				'4,32 0 0 4294963256,53 1 0 214748365,6 0 0 2,6 0 0 0'
		else
			xrt_exec $M tc qdisc del dev "$i" clsact
		fi
	done
}

# router_to_host PORT LABEL: socat on the router connects to the host's
# kernel listener and sends $src; the host writes what it got.
router_to_host() {
	local port=$1 label=$2 out=$XRT_TMP/r2a-$1
	xrt_bg $A "r2a-$port" socat -u "TCP6-LISTEN:$port,reuseaddr" "OPEN:$out,creat,trunc"
	local lpid=$XRT_LAST_PID
	xrt_wait_for "xrt_exec $A ss -Htln | grep -q ':$port '" 5 || xrt_fail "host listener $port"
	on_router timeout --foreground 90 socat -u "OPEN:$src" "TCP6:[2001:db8:1::2]:$port" ||
		xrt_fail "$label: socat on the router failed"
	xrt_wait_pid "$lpid" 90 || xrt_fail "$label: the host's socat did not see the end of the stream"
	cmp -s "$src" "$out" || xrt_fail "$label: host got $(stat -c %s "$out") bytes, not the $(stat -c %s "$src") sent"
	xrt_log "$label: router -> host $(stat -c %s "$src") bytes identical"
}

# host_to_router PORT LABEL: socat on the router listens; the host's kernel
# TCP connects (retrying until the listener is up) and sends $src.
host_to_router() {
	local port=$1 label=$2 out=$XRT_TMP/a2r-$1
	xrt_bg $R "a2r-$port" env LD_PRELOAD="$SHIM" socat -u "TCP6-LISTEN:$port" "OPEN:$out,creat,trunc"
	local lpid=$XRT_LAST_PID
	xrt_exec $A timeout --foreground 90 socat -u "OPEN:$src" "TCP6:[2001:db8:1::1]:$port,retry=50,interval=0.1" ||
		xrt_fail "$label: the host's socat could not send"
	xrt_wait_pid "$lpid" 90 || xrt_fail "$label: socat on the router did not see the end of the stream"
	cmp -s "$src" "$out" || xrt_fail "$label: router got $(stat -c %s "$out") bytes, not the $(stat -c %s "$src") sent"
	xrt_log "$label: host -> router $(stat -c %s "$src") bytes identical"
}
