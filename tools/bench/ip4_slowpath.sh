#!/usr/bin/env bash
# xrt bench: IPv4 through xrtd's stack vs a kernel router, side by side in one run: ping RTT to the router, across it, 4000-byte pings to the router (reassembled), and a 3 s flood of 3000-byte pings without DF across a 1280 link (fragmented by the router).
#
# Usage: sudo tools/bench/ip4_slowpath.sh   (prints one block per router)
# Topology per router: A 192.0.2.2/24 - R - B 198.51.100.2/24, R-B MTU 1280;
# the xrt router's kernel has no IPv4 address. Uses tests/netns/lib.sh for
# namespaces and cleanup.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xb}
source "$(dirname "$0")/../../tests/netns/lib.sh"

hosts() {
	local a b
	a=$(xrt_ns "$TOPO_A") b=$(xrt_ns "$TOPO_B")
	ip -n "$a" addr add 192.0.2.2/24 dev "$IF_AR"
	ip -n "$a" route add default via 192.0.2.1
	ip -n "$b" addr add 198.51.100.2/24 dev "$IF_BR"
	ip -n "$b" route add default via 198.51.100.1
	ip -n "$b" link set dev "$IF_BR" mtu 1280
}

ROUTER_KIND=kernel xrt_topo_line 1
kr=$(xrt_ns "$TOPO_R")
xrt_exec "$TOPO_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
ip -n "$kr" addr add 192.0.2.1/24 dev "$IF_RA"
ip -n "$kr" addr add 198.51.100.1/24 dev "$IF_RB"
ip -n "$kr" link set dev "$IF_RB" mtu 1280
hosts
kernel_a=$TOPO_A

xrt_topo_line 2
xrt_xrtd_start "$TOPO_R"
xrt_topo_line_program
xrt_cli_ok "$TOPO_R" link set dev "$IF_RB" mtu 1280
xrt_cli_ok "$TOPO_R" addr add 192.0.2.1/24 dev "$IF_RA"
xrt_cli_ok "$TOPO_R" addr add 198.51.100.1/24 dev "$IF_RB"
hosts
xrt_a=$TOPO_A

for who in kernel xrt; do
	a=${who}_a
	a=${!a}
	xrt_exec "$a" ping -4 -c 3 -W 1 198.51.100.2 >/dev/null || true
	echo "== $who router"
	echo "rtt to router:   $(xrt_exec "$a" ping -4 -q -c 300 -i 0.002 192.0.2.1 | tail -1)"
	echo "rtt across:      $(xrt_exec "$a" ping -4 -q -c 300 -i 0.002 198.51.100.2 | tail -1)"
	echo "4000 B to router: $(xrt_exec "$a" ping -4 -q -c 200 -i 0.002 -s 4000 192.0.2.1 | tail -2 | tr '\n' ' ')"
	echo "3000 B flood 3 s: $(xrt_exec "$a" ping -4 -q -f -w 3 -M dont -s 3000 198.51.100.2 | tail -2 | tr '\n' ' ')"
done
echo "== xrt counters"
xrt_cli "$TOPO_R" stats | grep -E "^punt\.too_big|^drop\.punt_limit|^IpFragOKs|^IpFragCreates|^IpReasmOKs"
xrt_pass "IPv4 slow path measured"
