#!/usr/bin/env bash
# xrt: blackhole, unreachable and prohibit routes, and no route at all, as
# seen by ping from A, compared line by line with a kernel router given the
# same routes (RFC 4443 3.1: unreachable / no route = code 0, prohibit =
# code 1, blackhole = silence).
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

# What ping prints for one probe to DST from namespace A: the "From ..."
# error line with its icmp_seq, or "silence" when nothing came back.
probe() {
	local out line
	out=$(xrt_exec "$1" ping -6 -n -c 1 -W 3 "$2" 2>&1) || true
	line=$(grep -m1 '^From ' <<<"$out" || true)
	if [ -n "$line" ]; then echo "$line"; elif grep -q ' 1 received' <<<"$out"; then echo reply; else echo silence; fi
}
declare -A DEST=(
	[blackhole]=2001:db8:dead::1
	[unreachable]=2001:db8:bad::1
	[prohibit]=2001:db8:f00::1
	[noroute]=2001:db8:99::1
)

# Reference: the kernel.
ROUTER_KIND=kernel xrt_topo_line k
for t in blackhole unreachable prohibit; do
	ip -n "$(xrt_ns rk)" -6 route add "$t" "${DEST[$t]%::1}::/64"
done
# The errors themselves as A receives them (type, code, source, size),
# minus timestamp and flow label.
errors() {
	sed -n 's/^[0-9:.]* IP6 (\(flowlabel [^,]*, \)\{0,1\}//p' "$XRT_CAP_LOG" | sort
}
declare -A KERNEL
xrt_capture_start ak "$(xrt_if ak rk)" 3 icmp6 and 'ip6[40] == 1'
for t in "${!DEST[@]}"; do
	KERNEL[$t]=$(probe ak "${DEST[$t]}")
	xrt_log "kernel  $t: ${KERNEL[$t]}"
done
xrt_capture_wait 10
KERNEL_ERRORS=$(errors)
# The reference must itself show the distinctions, or the comparison is void.
assert_eq "${KERNEL[blackhole]}" silence "kernel blackhole route"
assert_contains "${KERNEL[unreachable]}" "No route" "kernel unreachable route"
assert_contains "${KERNEL[prohibit]}" "Administratively prohibited" "kernel prohibit route"
assert_contains "${KERNEL[noroute]}" "No route" "kernel without a route"

# xrt.
xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
for t in blackhole unreachable prohibit; do
	xrt_cli_ok r route add "$t" "${DEST[$t]%::1}::/64"
done
bh0=$(xrt_fp_stat r drop:blackhole)
declare -A XRT
xrt_capture_start a "$IF_AR" 3 icmp6 and 'ip6[40] == 1'
for t in "${!DEST[@]}"; do
	XRT[$t]=$(probe a "${DEST[$t]}")
	xrt_log "xrt     $t: ${XRT[$t]}"
done
xrt_capture_wait 10
XRT_ERRORS=$(errors)
xrt_log "kernel errors:"$'\n'"$KERNEL_ERRORS"
xrt_log "xrt errors:"$'\n'"$XRT_ERRORS"
assert_eq "$XRT_ERRORS" "$KERNEL_ERRORS" "ICMPv6 errors received by A: xrt vs kernel"
for t in "${!DEST[@]}"; do
	assert_eq "${XRT[$t]}" "${KERNEL[$t]}" "ping to a $t destination: xrt vs kernel"
done
assert_ge "$(($(xrt_fp_stat r drop:blackhole) - bh0))" 1 "fast path drop:blackhole"
xrt_pass "blackhole/unreachable/prohibit/no-route answered as the kernel does"
