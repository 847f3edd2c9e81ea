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
xrt_xrtd_start r
xrt_topo_line_program
B=2001:db8:b::1
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

assert_eq "$(xrt_cli r -j link show dev "$IF_RA" | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["rpf"])')" off "rpf by default"
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
