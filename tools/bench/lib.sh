# xrt bench: shared shell helpers, the gen -> router -> sink veth topology.
# Sourced by run.sh and the experiment scripts. Needs: XB (unique prefix),
# BUILD, BPF (paths: build/ and bpf/, the product's xrt_fwd.bpf.o). Names: ${XB}g / ${XB}r / ${XB}s namespaces,
# ${XB}g0-${XB}r0 and ${XB}r1-${XB}s0 veth pairs, ${XB}k0-${XB}k1 an idle
# pair in the generator for pktgen --keep-dev.

# The bench's own XDP programs, built beside the tool that loads them.
XB_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKTGEN_OBJ=$XB_TOOLS/pktgen/pktgen.bpf.o
SINK_OBJ=$XB_TOOLS/pktgen/xrt_sink.bpf.o
FPCOST_DIR=$XB_TOOLS/fpcost # bench_*.bpf.o: fpcost --bench-dir
FLOOR_OBJ=$FPCOST_DIR/bench_redirect.bpf.o

GEN_ADDR=2001:db8:1::2
R0_ADDR=2001:db8:1::1
R1_ADDR=2001:db8:2::1
SINK_ADDR=2001:db8:2::2
DST_NET=2001:db8:100::/48
DST_BASE=2001:db8:100::1

xb_ns_gen() { echo "${XB}g"; }
xb_ns_rtr() { echo "${XB}r"; }
xb_ns_sink() { echo "${XB}s"; }
xb_g() { ip netns exec "${XB}g" "$@"; }
xb_r() { ip netns exec "${XB}r" "$@"; }
xb_s() { ip netns exec "${XB}s" "$@"; }

xb_mac() { # ns dev
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}

# Build the three namespaces and the links; the router forwards with the
# kernel until something attaches XDP to it.
xb_topo_up() {
	local n
	for n in g r s; do ip netns add "${XB}$n" || return 1; done
	ip link add "${XB}g0" netns "${XB}g" type veth peer name "${XB}r0" netns "${XB}r" || return 1
	ip link add "${XB}r1" netns "${XB}r" type veth peer name "${XB}s0" netns "${XB}s" || return 1
	ip link add "${XB}k0" netns "${XB}g" type veth peer name "${XB}k1" netns "${XB}g" || return 1
	xb_g ip link set lo up && xb_r ip link set lo up && xb_s ip link set lo up || return 1
	for d in g0 k0 k1; do xb_g ip link set "${XB}$d" up || return 1; done
	for d in r0 r1; do xb_r ip link set "${XB}$d" up || return 1; done
	xb_s ip link set "${XB}s0" up || return 1
	xb_g ip -6 addr add "$GEN_ADDR/64" dev "${XB}g0" nodad || return 1
	xb_r ip -6 addr add "$R0_ADDR/64" dev "${XB}r0" nodad || return 1
	xb_r ip -6 addr add "$R1_ADDR/64" dev "${XB}r1" nodad || return 1
	xb_s ip -6 addr add "$SINK_ADDR/64" dev "${XB}s0" nodad || return 1
	xb_r sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	# The sink drops everything in XDP, ND included: resolve it statically.
	xb_r ip -6 neigh replace "$SINK_ADDR" lladdr "$(xb_mac "${XB}s" "${XB}s0")" \
		nud permanent dev "${XB}r1" || return 1
	xb_g ip -6 neigh replace "$R0_ADDR" lladdr "$(xb_mac "${XB}r" "${XB}r0")" \
		nud permanent dev "${XB}g0" || return 1
	xb_r ip -6 neigh replace "$GEN_ADDR" lladdr "$(xb_mac "${XB}g" "${XB}g0")" \
		nud permanent dev "${XB}r0" || return 1
	xb_s ip -6 neigh replace "$R1_ADDR" lladdr "$(xb_mac "${XB}r" "${XB}r1")" \
		nud permanent dev "${XB}s0" || return 1
	xb_r ip -6 route add "$DST_NET" via "$SINK_ADDR" dev "${XB}r1" || return 1
	# Return paths, for the ping measurements (ND is static everywhere).
	xb_g ip -6 route add default via "$R0_ADDR" dev "${XB}g0" || return 1
	xb_s ip -6 route add default via "$R1_ADDR" dev "${XB}s0" || return 1
	xb_g ip -6 route add "$DST_NET" via "$R0_ADDR" dev "${XB}g0" || return 1
	# The router's ingress receives XDP frames from pktgen: without an XDP
	# program of its own it needs NAPI, which GRO turns on.
	xb_r ethtool -K "${XB}r0" gro on >/dev/null || return 1
	# Likewise the generator's veth, for replies an XDP router redirects back.
	xb_g ethtool -K "${XB}g0" gro on >/dev/null || return 1
	mkdir -p "/run/${XB}" && mount -t bpf bpf "/run/${XB}" || return 1
	xb_s "$BUILD/pktgen" sink attach "${XB}s0" "/run/${XB}/sink" "$SINK_OBJ" || return 1
}

xb_topo_down() {
	local n
	for n in g r s; do ip netns del "${XB}$n" 2>/dev/null; done
	if mountpoint -q "/run/${XB}" 2>/dev/null; then umount "/run/${XB}"; fi
	rmdir "/run/${XB}" 2>/dev/null
	return 0
}

xb_sink_count() {
	"$BUILD/pktgen" sink read "/run/${XB}/sink" | awk '{print $2}'
}
