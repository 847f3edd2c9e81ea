#!/usr/bin/env bash
# xrt: path MTU discovery through the router: B's side of the router has a
# 1280-byte MTU that neither host knows about (both links look like 1500 to
# them, so TCP's MSS does not help); A's TCP stream must shrink on the
# Packet Too Big the router sends and complete intact. The kernel router in
# the same topology is the reference.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat ss
xrt_require_xrt
BYTES=5000000

run_case() { # SUFFIX: after the topology and router are configured
	local s=$1 out
	xrt_tcp_transfer "a$s" "b$s" 2001:db8:b::1 7000 "$BYTES"
	out=$(xrt_exec "a$s" ip -6 route get 2001:db8:b::1)
	assert_contains "$out" "mtu 1280" "a$s's path MTU to B after the transfer"
}

ROUTER_KIND=kernel xrt_topo_line k
ip -n "$(xrt_ns rk)" link set dev "$IF_RB" mtu 1280
run_case k
xrt_log "kernel router: $BYTES bytes, path MTU 1280 learnt"

xrt_topo_line
ip -n "$(xrt_ns r)" link set dev "$IF_RB" mtu 1280
xrt_xrtd_start r
xrt_topo_line_program
tb0=$(xrt_fp_stat r punt:too_big)
run_case ""
assert_ge "$(($(xrt_fp_stat r punt:too_big) - tb0))" 1 "fast path punt:too_big"
assert_ge "$(xrt_cli r stats | awk '$1 == "Icmp6OutPktTooBigs" {print $2}')" 1 "daemon Icmp6OutPktTooBigs"
xrt_pass "TCP A -> B through a hidden 1280 MTU: Packet Too Big from xrt, PMTU learnt, $BYTES bytes intact (kernel reference too)"
