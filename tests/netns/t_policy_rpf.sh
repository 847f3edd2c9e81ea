#!/usr/bin/env bash
# xrt: reverse-path filtering (RFC 3704) on the ingress: strict drops a
# spoofed source and an asymmetric one, loose accepts the asymmetric path
# but drops sources with no route or a blackhole route, link-local sources
# are exempt, and every drop is counted by reason. b's Icmp6InEchos counts
# what got through.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
B=2001:db8:b::1
# The configuration file sets rpf and an acl rule (on links the CLI
# attached); a reload applies it, a later one changes both.
conf=$XRT_TMP/xrtd.conf
write_conf() { # RPF ACL_LINE
	printf 'link set dev %s rpf %s\n%s\n' "$IF_RA" "$1" "$2" >"$conf"
}
echo "# empty at start" >"$conf"
xrt_xrtd_start r -c "$conf"
xrt_topo_line_program
write_conf strict "acl add dir local ipproto udp dport 9999 priority 3 action drop"
xrt_cli_ok r config reload
rpf_of() { xrt_cli r -j link show dev "$IF_RA" | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["rpf"])'; }
assert_eq "$(rpf_of)" strict "rpf from the configuration file"
assert_eq "$(xrt_cli r -j link show dev "$IF_RB" | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["rpf"])')" off "rpf by default"
assert_contains "$(xrt_cli r acl show)" "priority 3 dir local ipproto udp dport 9999 action drop" "acl from the file"
# A reload that keeps the rule keeps it once; one without it removes it.
xrt_cli_ok r config reload
assert_eq "$(xrt_cli r acl show | grep -c 9999)" 1 "acl rule after a reload that keeps it"
write_conf off ""
xrt_cli_ok r config reload
assert_eq "$(rpf_of)" off "rpf after the reload"
assert_eq "$(xrt_cli r acl show)" "" "acl after a reload without it"
# a's other sources: one inside b's link (spoofed), one routed back by r via
# b (asymmetric), one r has no route to, one r blackholes.
for s in 2001:db8:2::99 2001:db8:99::2 2001:db8:77::2 2001:db8:66::2; do
	ip -n "$(xrt_ns a)" -6 addr add "$s/128" dev lo
done
xrt_cli_ok r route add 2001:db8:99::/64 via 2001:db8:2::2 dev "$IF_RB"
xrt_cli_ok r route add blackhole 2001:db8:66::/64

echos() { xrt_snmp6 b Icmp6InEchos; }
# through SRC: how many of 3 echo requests from source SRC reached b.
through() {
	local e0
	e0=$(echos)
	xrt_exec a ping -6 -n -c 3 -i 0.2 -W 1 -I "$1" "$B" >/dev/null 2>&1 || true
	echo $(($(echos) - e0))
}

# Off: everything passes.
assert_eq "$(through 2001:db8:2::99)" 3 "rpf off: spoofed source"

# Strict.
xrt_cli_ok r link set dev "$IF_RA" rpf strict
assert_contains "$(xrt_cli r link show dev "$IF_RA")" "rpf strict" "link show"
s0=$(xrt_fp_stat r drop:rpf_strict)
assert_eq "$(through 2001:db8:1::2)" 3 "strict: a's own source"
assert_eq "$(through 2001:db8:2::99)" 0 "strict: source on b's link"
assert_eq "$(through 2001:db8:99::2)" 0 "strict: asymmetric source"
assert_eq "$(($(xrt_fp_stat r drop:rpf_strict) - s0))" 6 "drop:rpf_strict"
# Link-local sources are exempt (the router's own link-local answers).
LL_R=$(xrt_lladdr r "$IF_RA")
xrt_exec a ping -6 -n -c 1 -W 3 "$LL_R%$IF_AR" >/dev/null ||
	xrt_fail "strict: ping from a link-local source to the router"

# Hop-by-hop packets are punted before the fast path's check: xrtd checks
# them (sp_nf_drop). 3 UDP datagrams with a hop-by-hop header each from
# the spoofed source and from a's own; b counts what reached it (no
# listener: Udp6NoPorts).
hbh() { # SRC: datagrams that reached b
	local n0
	n0=$(xrt_snmp6 b Udp6NoPorts)
	xrt_exec a "$XRT_PY" -c '
import sys
from scapy.all import Ether, IPv6, IPv6ExtHdrHopByHop, PadN, UDP, sendp, conf
conf.verb = 0
p = (Ether(dst=sys.argv[2]) / IPv6(src=sys.argv[1], dst=sys.argv[3]) /
     IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)]) / UDP(sport=4000, dport=7777) / b"hbh")
sendp([p] * 3, iface=sys.argv[4])' "$1" "$MAC_RA" "$B" "$IF_AR"
	xrt_wait_for '[ "$(($(xrt_snmp6 b Udp6NoPorts) - n0))" -ge 3 ]' 3 || true
	echo $(($(xrt_snmp6 b Udp6NoPorts) - n0))
}
nf0=$(xrt_cli r stats | awk '$1 == "sp_nf_drop" {print $2}')
assert_eq "$(hbh 2001:db8:1::2)" 3 "strict, hop-by-hop: a's own source"
assert_eq "$(hbh 2001:db8:2::99)" 0 "strict, hop-by-hop: spoofed source (checked by xrtd)"
assert_eq "$(($(xrt_cli r stats | awk '$1 == "sp_nf_drop" {print $2}') - nf0))" 3 "sp_nf_drop"

# Loose.
xrt_cli_ok r link set dev "$IF_RA" rpf loose
l0=$(xrt_fp_stat r drop:rpf_loose)
assert_eq "$(through 2001:db8:2::99)" 3 "loose: source on b's link"
assert_eq "$(through 2001:db8:99::2)" 3 "loose: asymmetric source"
assert_eq "$(through 2001:db8:77::2)" 0 "loose: source without a route"
assert_eq "$(through 2001:db8:66::2)" 0 "loose: source with a blackhole route"
assert_eq "$(($(xrt_fp_stat r drop:rpf_loose) - l0))" 6 "drop:rpf_loose"

# Bad words are named.
out=$(xrt_cli r link set dev "$IF_RA" rpf maybe 2>&1) && xrt_fail "rpf maybe accepted"
assert_contains "$out" '"maybe"' "bad rpf mode"
xrt_cli_ok r link set dev "$IF_RA" rpf off
assert_eq "$(through 2001:db8:77::2)" 3 "rpf off again: source without a route"
xrt_pass "rpf: strict and loose verdicts as the kernel's fib_validate_source, counted"
