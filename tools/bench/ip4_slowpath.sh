#!/usr/bin/env bash
# xrt bench: IPv4 through xrtd's stack vs a kernel router, side by side in one run: ping RTT to the router, across it, 4000-byte pings to the router (reassembled), and a flood of 3000-byte pings without DF across a 1280 link (fragmented by the router).
#
# Usage: sudo tools/bench/ip4_slowpath.sh (run.sh runs it for section 4b).
# Prints "ip4.ROUTER.KEY VALUE" lines, one set per round, the two routers
# interleaved in every round, then xrtd's counters for the whole run
# (ip4.xrt.ctr.NAME VALUE). IP4_ROUNDS (default 3) rounds, IP4_FLOOD_S
# (default 3) seconds of flood per router and round.
# Topology per router: A 192.0.2.2/24 - R - B 198.51.100.2/24, R-B MTU 1280;
# the xrt router's kernel has no IPv4 address. Uses tests/netns/lib.sh for
# namespaces and cleanup.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xb}
source "$(dirname "$0")/../../tests/netns/lib.sh"
IP4_ROUNDS=${IP4_ROUNDS:-3}
IP4_FLOOD_S=${IP4_FLOOD_S:-3}

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

# ping's summary -> "avg_ms loss_pct transmitted received" (ping exits
# nonzero on any loss: that is a figure here, not a failure)
ping_sum() {
	awk '/packets transmitted/ { tx = $1; rx = $4; for (i = 1; i <= NF; i++) if ($i ~ /%$/) { l = $i; sub("%", "", l) } }
	     /^(rtt|round-trip)/ { split($4, v, "/"); avg = v[2] }
	     END { printf "%s %s %s %s\n", (avg == "" ? "n/a" : avg), l, tx, rx }'
}
ping_a() { xrt_exec "$1" ping -4 -q "${@:2}" 2>/dev/null || true; }

for who in kernel xrt; do
	a=${who}_a
	ping_a "${!a}" -c 3 -W 1 198.51.100.2 >/dev/null
done
for round in $(seq "$IP4_ROUNDS"); do
	for who in kernel xrt; do
		a=${who}_a
		a=${!a}
		read -r avg _ _ _ < <(ping_a "$a" -c 300 -i 0.002 -W 1 192.0.2.1 | ping_sum)
		echo "ip4.$who.rtt_router $avg"
		read -r avg _ _ _ < <(ping_a "$a" -c 300 -i 0.002 -W 1 198.51.100.2 | ping_sum)
		echo "ip4.$who.rtt_across $avg"
		read -r avg loss _ _ < <(ping_a "$a" -c 200 -i 0.002 -W 1 -s 4000 192.0.2.1 | ping_sum)
		echo "ip4.$who.rtt_big $avg"
		echo "ip4.$who.loss_big $loss"
		read -r _ loss tx rx < <(ping_a "$a" -f -w "$IP4_FLOOD_S" -M dont -s 3000 198.51.100.2 | ping_sum)
		echo "ip4.$who.flood_tx $tx"
		echo "ip4.$who.flood_rx $rx"
		echo "ip4.$who.flood_loss $loss"
	done
done
xrt_cli "$TOPO_R" stats |
	awk '$1 ~ /^(punt\.too_big|punt\.local|drop\.punt_limit|IpFragOKs|IpFragCreates|IpReasmOKs|IpReasmFails)$/ { print "ip4.xrt.ctr." $1, $2 }'
xrt_pass "IPv4 slow path measured"
