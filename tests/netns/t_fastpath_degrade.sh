#!/usr/bin/env bash
# xrt: graceful degradation. With the fast path attached by `ip link` (so it
# outlives the daemon), stop xrtd: an already-resolved flow keeps being
# forwarded by XDP, and what would be punted falls back to the kernel
# (XDP_PASS, counted pass:no_daemon) instead of being blackholed.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
xrt_ip_attach r "$IF_RA"
xrt_ip_attach r "$IF_RB"
xrt_xrtd_start r
xrt_topo_line_program
# The router kernel holds the same addresses, so it can answer for them once
# the daemon is gone (as a router running xrt with kernel addresses would).
ip -n "$(xrt_ns r)" -6 addr add 2001:db8:1::1/64 dev "$IF_RA" nodad

out=$(xrt_exec a ping -6 -c 5 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "ping A -> B with xrtd running failed: $out"
# SIGTERM: xrtd must exit by itself, cleanly (not be killed).
xrt_xrtd_term r 5
# Nothing to assert on XDP attach state beyond the forwarding itself, but a
# missing program would make the next ping fail with kernel forwarding off.
assert_eq "$(xrt_exec r sysctl -n net.ipv6.conf.all.forwarding)" 0 "router kernel forwarding"

fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -c 20 -i 0.05 -W 2 2001:db8:b::1) ||
	xrt_fail "ping A -> B after xrtd stopped failed: $out"
assert_contains "$out" "20 received" "resolved flow after xrtd stopped"
assert_ge "$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))" 40 \
	"fast path Ip6OutForwDatagrams after xrtd stopped"

# A ping to the router itself is a LOCAL punt; no daemon socket is bound, so
# the fast path passes it to the kernel, which answers.
nd0=$(xrt_fp_stat r pass:no_daemon)
out=$(xrt_exec a ping -6 -c 3 -i 0.2 -W 2 2001:db8:1::1) ||
	xrt_fail "ping A -> router address after xrtd stopped failed: $out"
assert_contains "$out" "3 received" "router address answered by the kernel"
assert_ge "$(($(xrt_fp_stat r pass:no_daemon) - nd0))" 3 "fast path pass:no_daemon"
xrt_pass "xrtd stopped: forwarding continued in XDP, punts fell back to the kernel"
