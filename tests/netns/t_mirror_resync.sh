#!/usr/bin/env bash
# xrt: the kernel mirror survives lost events. xrtd is stopped (SIGSTOP)
# while the kernel changes far more than its netlink buffer holds: routes
# deleted, routes added, an address removed. When it runs again the overrun
# (ENOBUFS) makes it re-dump and sweep, and xrt matches the kernel exactly.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_router_ns r; xrt_host_ns a
xrt_link r a
RA=$(xrt_if r a)
ipr() { ip -n "$(xrt_ns r)" "$@"; }
ipr -6 addr add 2001:db8:1::1/64 dev "$RA" nodad
ipr -6 addr add 2001:db8:9::1/64 dev "$RA" nodad
xrt_xrtd_start r --sync-kernel
xrt_cli_ok r link attach dev "$RA"
gen() { # OP FIRST COUNT
	"$XRT_PY" - "$@" "$RA" <<'PY'
import sys
op, first, n, dev = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for i in range(first, first + n):
    print("route %s 2001:%x:%x::/48 via 2001:db8:1::2 dev %s proto static" % (op, 0x1000 + (i >> 16), i & 0xffff, dev))
PY
}
count() { xrt_cli r route show | grep -c '^2001:1' || true; }
N=60000
gen add 0 $N >"$XRT_TMP/add1"
ipr -6 -batch "$XRT_TMP/add1"
xrt_wait_for "[ \$(count) -eq $N ]" 30 || xrt_fail "first $N routes not mirrored: $(count)"
resyncs0=$(xrt_cli r -j sync | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["resyncs"])')

pid=$(xrt_xrtd_pid r)
kill -STOP "$pid"
gen del 0 $((N / 2)) >"$XRT_TMP/del"
gen add $N $N >"$XRT_TMP/add2"
ipr -6 -batch "$XRT_TMP/del"
ipr -6 -batch "$XRT_TMP/add2"
ipr -6 addr del 2001:db8:9::1/64 dev "$RA"
kill -CONT "$pid"
# Kernel now: routes N/2 .. 2N-1.
xrt_wait_for "[ \$(count) -eq $((N + N / 2)) ]" 60 ||
	xrt_fail "after the overrun xrt has $(count) routes, the kernel $((N + N / 2)): $(xrt_cli r sync)"
resyncs=$(xrt_cli r -j sync | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["resyncs"])')
assert_ge "$resyncs" $((resyncs0 + 1)) "a resync happened (the buffer overran)"
out=$(xrt_cli r route get 2001:1000:1::1 2>&1) && xrt_fail "a route deleted during the overrun survived: $out"
assert_contains "$(xrt_cli r route get 2001:1001:1::1)" "via 2001:db8:1::2" "a route added during the overrun"
shown=$(xrt_cli r addr show)
assert_not_contains "$shown" "2001:db8:9::1" "address removed during the overrun"
shown=$(xrt_cli r route show)
assert_not_contains "$shown" "2001:db8:9::" "its routes"
assert_contains "$(xrt_cli r addr show)" "2001:db8:1::1/64" "address kept"
xrt_pass "after a netlink overrun xrt re-dumped ($((resyncs - resyncs0)) resyncs) and matches the kernel: $((N + N / 2)) routes"
