#!/usr/bin/env bash
# xrt: the same slow-path probes against a Linux kernel router and against
# xrt, side by side: every Parameter Problem code and pointer, fragments,
# traceroute hops, Destination Unreachable code 3 and Packet Too Big must read
# the same (the kernel is the reference behaviour).
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping traceroute
xrt_require_xrt

ROUTER_KIND=kernel xrt_topo_line k
K_A=$TOPO_A K_R=$TOPO_R K_B=$TOPO_B K_IF_AR=$IF_AR K_IF_RB=$IF_RB K_IF_BR=$IF_BR K_MAC_RA=$MAC_RA
xrt_topo_line x
X_A=$TOPO_A X_R=$TOPO_R X_B=$TOPO_B X_IF_AR=$IF_AR X_IF_RB=$IF_RB X_IF_BR=$IF_BR X_MAC_RA=$MAC_RA
xrt_xrtd_start $X_R
xrt_topo_line_program
# The kernel router resolves 2001:db8:c:: through a next hop nobody has.
ip -n "$(xrt_ns $K_R)" -6 route add 2001:db8:c::/64 via 2001:db8:2::99 dev "$K_IF_RB"
xrt_cli_ok $X_R route add 2001:db8:c::/64 via 2001:db8:2::99 dev "$X_IF_RB"

probe() { # NS IF MAC CASE
	xrt_exec "$1" "$XRT_PY" "$XRT_ROOT/tests/netns/slowpath_probe.py" "$4" "$2" "$3" \
		2001:db8:1::2 2001:db8:1::1 2>&1
}
for c in pp0 pp1 pp2 pp3 frag overlap; do
	k=$(probe $K_A "$K_IF_AR" "$K_MAC_RA" $c)
	x=$(probe $X_A "$X_IF_AR" "$X_MAC_RA" $c)
	xrt_log "$c: kernel '$k', xrt '$x'"
	assert_eq "$x" "$k" "probe $c: xrt answers like the kernel"
done

hops() { xrt_exec "$1" traceroute -6 -n -q 1 -w 2 -m 4 "$2" 2>&1 | awk 'NR > 1 {print $1, $2}' | tr '\n' ' '; }
k=$(hops $K_A 2001:db8:b::1)
x=$(hops $X_A 2001:db8:b::1)
xrt_log "traceroute: kernel '$k', xrt '$x'"
assert_eq "$x" "$k" "traceroute hops"

du() { xrt_exec "$1" ping -6 -n -c 1 -W 8 2001:db8:c::1 2>&1 | grep -o "From .*" || true; }
t0=$(date +%s%N)
k=$(du $K_A)
t1=$(date +%s%N)
x=$(du $X_A)
t2=$(date +%s%N)
xrt_log "unresolvable next hop: kernel '$k' after $(((t1 - t0) / 1000000)) ms, xrt '$x' after $(((t2 - t1) / 1000000)) ms"
assert_eq "$x" "$k" "Destination Unreachable for an unresolvable next hop"

for r in "$K_R:$K_IF_RB:$K_B:$K_IF_BR" "$X_R:$X_IF_RB:$X_B:$X_IF_BR"; do
	IFS=: read -r rn rif bn bif <<<"$r"
	ip -n "$(xrt_ns "$rn")" link set dev "$rif" mtu 1280
	ip -n "$(xrt_ns "$bn")" link set dev "$bif" mtu 1280
done
xrt_cli_ok $X_R link set dev "$X_IF_RB" mtu 1280
ptb() { xrt_exec "$1" ping -6 -n -c 1 -s 1452 -M do -W 2 2001:db8:2::2 2>&1 | grep -o "From .*" || true; }
k=$(ptb $K_A)
x=$(ptb $X_A)
xrt_log "too big: kernel '$k', xrt '$x'"
assert_eq "$x" "$k" "Packet Too Big"
xrt_pass "Parameter Problem 0-3, fragments, traceroute, DU 3 and PTB read the same as the kernel's"
