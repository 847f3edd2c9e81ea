#!/usr/bin/env bash
# xrt: deploy/demo.sh (what `make demo` runs) works end to end: it exits 0
# and shows each thing it promises; run under a unique prefix.
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

prefix=${XRT_PREFIX}d
out=$(DEMO_PREFIX=$prefix timeout --foreground 120 "$XRT_ROOT/deploy/demo.sh" 2>&1) ||
	xrt_fail "deploy/demo.sh failed: $(tail -n 30 <<<"$out")"
assert_contains "$out" "3 packets transmitted, 3 received" "demo: ping6 A -> B"
assert_match "$out" "^ 1  2001:db8:1::1 " "demo: traceroute6 hop 1 (xrtd's Time Exceeded)"
assert_match "$out" "^ 2  2001:db8:b::1 " "demo: traceroute6 reaches B"
assert_contains "$out" "Packet too big: mtu=1280" "demo: Packet Too Big"
assert_contains "$out" "pmtu 1280" "demo: tracepath learns the path MTU"
assert_contains "$out" "20 MB received intact" "demo: TCP transfer"
assert_match "$out" "^Ip6OutForwDatagrams[[:space:]]+[1-9]" "demo: xrt stats"
if ip netns list | grep -q "^$prefix-"; then
	xrt_fail "demo left namespaces behind: $(ip netns list | grep "^$prefix-" | tr '\n' ' ')"
fi
[ ! -e "/run/$prefix-xrtd.pid" ] || xrt_fail "demo left /run/$prefix-xrtd.pid behind"

# KEEP=1 leaves it running (namespaces, xrtd) until `demo.sh clean`.
out=$(KEEP=1 DEMO_PREFIX=$prefix timeout --foreground 120 "$XRT_ROOT/deploy/demo.sh" 2>&1) ||
	xrt_fail "KEEP=1 deploy/demo.sh failed: $(tail -n 30 <<<"$out")"
assert_contains "$out" "deploy/demo.sh clean" "KEEP=1 says how to clean up"
demo_pid=$(cat "/run/$prefix-xrtd.pid" 2>/dev/null) || xrt_fail "KEEP=1 left no xrtd pid file"
# Clean up after this test even if what follows fails.
trap 'DEMO_PREFIX=$prefix "$XRT_ROOT/deploy/demo.sh" clean >/dev/null 2>&1; xrt_cleanup' EXIT
assert_eq "$(cat "/proc/$demo_pid/comm" 2>/dev/null)" xrtd "process in the pid file"
out=$(ip netns exec "$prefix-a" ping -6 -c 2 -i 0.2 -W 2 2001:db8:2::2) ||
	xrt_fail "ping through the kept demo failed: $out"
out=$(DEMO_PREFIX=$prefix "$XRT_ROOT/deploy/demo.sh" clean 2>&1) || xrt_fail "demo.sh clean failed: $out"
xrt_wait_for "! kill -0 $demo_pid" 10 || xrt_fail "xrtd $demo_pid still running after demo.sh clean"
if ip netns list | grep -q "^$prefix-"; then
	xrt_fail "demo.sh clean left namespaces: $(ip netns list | grep "^$prefix-" | tr '\n' ' ')"
fi
for d in /run/"$prefix"-*; do
	[ -e "$d" ] && xrt_fail "demo.sh clean left $d"
done
xrt_pass "deploy/demo.sh: ping6, traceroute6, Packet Too Big, TCP, stats, and a clean teardown; KEEP=1 then clean"
