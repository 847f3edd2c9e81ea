#!/usr/bin/env bash
# xrt: IPv4 answers compared with the Linux kernel's: the same probes
# (ip4_conform_probe.py, scapy in host A) through a kernel router and through
# xrt in one run, same addresses and routes; every probe must get the same
# answer, line and bytes (ip4_conform_probe.py lists what is masked), except
# the differences CONFORMANCE.md (IPv4) explains.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
probe_py=$(dirname "$0")/ip4_conform_probe.py

# The hosts: A 192.0.2.2/24, B 198.51.100.2/24 with 203.0.113.1 on lo.
hosts() {
	local a=$(xrt_ns "$TOPO_A") b=$(xrt_ns "$TOPO_B")
	ip -n "$a" addr add 192.0.2.2/24 dev "$IF_AR"
	ip -n "$a" route add default via 192.0.2.1
	ip -n "$b" addr add 198.51.100.2/24 dev "$IF_BR"
	ip -n "$b" addr add 203.0.113.1/32 dev lo
	ip -n "$b" route add default via 198.51.100.1
	ip -n "$b" link set dev "$IF_BR" mtu 1400
}

# 1. The kernel router (rate limits off so no probe is silenced by another).
ROUTER_KIND=kernel xrt_topo_line 1
kr=$(xrt_ns "$TOPO_R")
xrt_exec "$TOPO_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 \
	net.ipv4.conf.all.send_redirects=1
ip -n "$kr" addr add 192.0.2.1/24 dev "$IF_RA"
ip -n "$kr" addr add 198.51.100.1/24 dev "$IF_RB"
ip -n "$kr" link set dev "$IF_RB" mtu 1400
ip -n "$kr" route add 203.0.113.0/24 via 198.51.100.2 dev "$IF_RB"
ip -n "$kr" route add 203.0.114.0/24 via 192.0.2.3 dev "$IF_RA"
ip -n "$kr" route add unreachable 10.62.0.0/16
ip -n "$kr" route add prohibit 10.63.0.0/16
ip -n "$kr" route add blackhole 10.66.0.0/16
ip -n "$kr" neigh replace 192.0.2.2 lladdr "$MAC_AR" dev "$IF_RA" nud permanent
ip -n "$kr" neigh replace 192.0.2.3 lladdr "$MAC_AR" dev "$IF_RA" nud permanent
ip -n "$kr" neigh replace 198.51.100.2 lladdr "$MAC_BR" dev "$IF_BR" nud permanent 2>/dev/null ||
	ip -n "$kr" neigh replace 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB" nud permanent
hosts
ka=$TOPO_A kif=$IF_AR kmac=$MAC_RA

# 2. xrt, configured through its CLI; its kernel has no IPv4.
xrt_topo_line 2
xrt_xrtd_start "$TOPO_R"
xrt_topo_line_program
xr=$TOPO_R
xrt_exec "$xr" sysctl -qw net.ipv4.ip_forward=0
xrt_cli_ok "$xr" link set dev "$IF_RB" mtu 1400
xrt_cli_ok "$xr" addr add 192.0.2.1/24 dev "$IF_RA"
xrt_cli_ok "$xr" addr add 198.51.100.1/24 dev "$IF_RB"
xrt_cli_ok "$xr" route add 203.0.113.0/24 via 198.51.100.2 dev "$IF_RB"
xrt_cli_ok "$xr" route add 203.0.114.0/24 via 192.0.2.3 dev "$IF_RA"
xrt_cli_ok "$xr" route add unreachable 10.62.0.0/16
xrt_cli_ok "$xr" route add prohibit 10.63.0.0/16
xrt_cli_ok "$xr" route add blackhole 10.66.0.0/16
xrt_cli_ok "$xr" neigh add 192.0.2.2 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok "$xr" neigh add 192.0.2.3 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok "$xr" neigh add 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB"
hosts
xa=$TOPO_A xif=$IF_AR xmac=$MAC_RA

# The announcement xrtd makes for each new address must not land in a probe.
xrt_wait_for "[ \$(xrt_cli $xr stats | awk '\$1 == \"sp_arp_out_announces\" { print \$2 }') -ge 4 ]" 10 ||
	xrt_fail "xrtd did not announce its IPv4 addresses"

kout=$(xrt_exec "$ka" "$XRT_PY" "$probe_py" "$kif" "$kmac") || xrt_fail "probes through the kernel failed"
xout=$(xrt_exec "$xa" "$XRT_PY" "$probe_py" "$xif" "$xmac") || xrt_fail "probes through xrt failed"
xrt_log "kernel:"$'\n'"$kout"
xrt_log "xrt:"$'\n'"$xout"

# Differences on purpose (CONFORMANCE.md, IPv4): xrt answers ARP only for
# the addresses of the interface asked (the kernel's arp_ignore=1).
declare -A expected_diff=([arp_other_if]=1)
fails=0
while IFS= read -r kline; do
	name=${kline%%:*}
	xline=$(grep "^${kline%%: *}: " <<<"$xout" || true)
	if [ "$kline" = "$xline" ]; then
		continue
	fi
	name=${name% bytes}
	if [ -n "${expected_diff[$name]:-}" ]; then
		xrt_log "expected difference: $kline | $xline"
		continue
	fi
	xrt_log "DIFFERS: kernel '$kline' xrt '$xline'"
	fails=$((fails + 1))
done <<<"$kout"
assert_eq "$fails" 0 "IPv4 probes answered as the kernel answers them"

# The reference itself: every kernel line must be the kernel column of its
# row in CONFORMANCE.md's IPv4 table (a probe that stopped provoking what it
# did, or another kernel, fails instead of passing on both routers).
ref=$(awk '/^## /{t = ($0 ~ /^## IPv4 slow path/)} t && /^\| `/' "$XRT_ROOT/CONFORMANCE.md")
while IFS= read -r kline; do
	case $kline in *" bytes: "*) continue ;; esac
	name=${kline%%:*}
	row=$(grep -F "\`$name\`" <<<"$ref" || true)
	[ -n "$row" ] || { xrt_log "no row for $name in CONFORMANCE.md's IPv4 table"; fails=$((fails + 1)); continue; }
	want=$(awk -F' *\\| *' '{print $4}' <<<"$row")
	[ "$want" = "${kline#*: }" ] && continue
	xrt_log "REFERENCE: $name: kernel now '${kline#*: }', CONFORMANCE.md says '$want'"
	fails=$((fails + 1))
done <<<"$kout"
assert_eq "$fails" 0 "kernel answers equal to CONFORMANCE.md's IPv4 reference"
xrt_pass "IPv4: $(grep -vc ' bytes: ' <<<"$kout") probes answered as the kernel does, bytes included (differences on purpose listed)"
