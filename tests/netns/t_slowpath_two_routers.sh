#!/usr/bin/env bash
# xrt: traceroute6 and tracepath -6 through two xrt routers (a - r1 - r2 - b)
# show each hop by the address of the interface the probe came in by, with
# every neighbour resolved by ND (no static entries on the routers).
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping traceroute tracepath
xrt_require_xrt

xrt_host_ns a
xrt_router_ns r1
xrt_router_ns r2
xrt_host_ns b
xrt_link a r1
xrt_link r1 r2
xrt_link r2 b
IF_A=$(xrt_if a r1) IF_B=$(xrt_if b r2)
xrt_host a "$IF_A" 2001:db8:1::2/64 2001:db8:1::1
xrt_host b "$IF_B" 2001:db8:2::2/64 2001:db8:2::1

xrt_xrtd_start r1
xrt_xrtd_start r2
xrt_cli_ok r1 link attach dev "$(xrt_if r1 a)"
xrt_cli_ok r1 link attach dev "$(xrt_if r1 r2)"
xrt_cli_ok r1 addr add 2001:db8:1::1/64 dev "$(xrt_if r1 a)"
xrt_cli_ok r1 addr add 2001:db8:12::1/64 dev "$(xrt_if r1 r2)"
xrt_cli_ok r1 route add 2001:db8:2::/64 via 2001:db8:12::2 dev "$(xrt_if r1 r2)"
xrt_cli_ok r2 link attach dev "$(xrt_if r2 r1)"
xrt_cli_ok r2 link attach dev "$(xrt_if r2 b)"
xrt_cli_ok r2 addr add 2001:db8:12::2/64 dev "$(xrt_if r2 r1)"
xrt_cli_ok r2 addr add 2001:db8:2::1/64 dev "$(xrt_if r2 b)"
xrt_cli_ok r2 route add 2001:db8:1::/64 via 2001:db8:12::1 dev "$(xrt_if r2 r1)"

out=$(xrt_exec a ping -6 -n -c 3 -i 0.2 -W 3 2001:db8:2::2 2>&1) || xrt_fail "ping a -> b: $out"
assert_contains "$out" "3 received" "ping across two routers"

out=$(xrt_exec a traceroute -6 -n -q 1 -w 2 -m 5 2001:db8:2::2 2>&1) || xrt_fail "traceroute: $out"
xrt_log "$out"
assert_contains "$(sed -n 2p <<<"$out")" " 1  2001:db8:1::1 " "hop 1 is r1 by its a-side address"
assert_contains "$(sed -n 3p <<<"$out")" " 2  2001:db8:12::2 " "hop 2 is r2 by its r1-side address"
assert_contains "$(sed -n 4p <<<"$out")" " 3  2001:db8:2::2 " "hop 3 is b"
assert_eq "$(wc -l <<<"$out")" 4 "traceroute stops at b"

# Reverse direction, ICMP probes.
out=$(xrt_exec b traceroute -6 -I -n -q 1 -w 2 -m 5 2001:db8:1::2 2>&1) || xrt_fail "traceroute -I: $out"
assert_contains "$(sed -n 2p <<<"$out")" " 1  2001:db8:2::1 " "reverse hop 1 is r2 by its b-side address"
assert_contains "$(sed -n 3p <<<"$out")" " 2  2001:db8:12::1 " "reverse hop 2 is r1 by its r2-side address"
assert_contains "$(sed -n 4p <<<"$out")" " 3  2001:db8:1::2 " "reverse hop 3 is a"

out=$(xrt_exec a tracepath -6 -n -m 5 2001:db8:2::2 2>&1) || true
xrt_log "$out"
assert_contains "$out" "2001:db8:1::1" "tracepath hop r1"
assert_contains "$out" "2001:db8:12::2" "tracepath hop r2"
assert_contains "$out" "reached" "tracepath reaches b"
assert_contains "$out" "pmtu 1500" "tracepath path MTU"

xrt_pass "traceroute (UDP and ICMP) and tracepath through two xrt routers name every hop"
