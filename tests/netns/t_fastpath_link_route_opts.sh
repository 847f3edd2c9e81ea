#!/usr/bin/env bash
# xrt: per-interface forwarding switch, per-interface routing table and
# route MTU, end to end through the fast path (route MTU compared with the
# kernel given the same route).
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

# Reference: the kernel with a route MTU of 1300 towards 2001:db8:b::/64.
ROUTER_KIND=kernel xrt_topo_line k
ip -n "$(xrt_ns rk)" -6 route replace 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB" mtu 1300
kernel_ptb=$(xrt_exec ak ping -6 -n -c 1 -W 3 -M do -s 1300 2001:db8:b::1 2>&1 | grep -m1 '^From' || true)
assert_contains "$kernel_ptb" "Packet too big: mtu=1300" "reference: kernel route mtu 1300"

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
ping_ok() { xrt_exec a ping -6 -c 2 -i 0.1 -W 3 2001:db8:b::1 >/dev/null 2>&1; }
ping_ok || xrt_fail "baseline ping A -> B failed"

# 1. Forwarding off on the ingress interface: dropped and counted.
xrt_cli_ok r link set dev "$IF_RA" forwarding off
d0=$(xrt_fp_stat r drop:fwd_disabled)
if ping_ok; then xrt_fail "ping A -> B succeeded with forwarding off on $IF_RA"; fi
assert_ge "$(($(xrt_fp_stat r drop:fwd_disabled) - d0))" 2 "fast path drop:fwd_disabled"
xrt_cli_ok r link set dev "$IF_RA" forwarding on
ping_ok || xrt_fail "ping A -> B failed after forwarding on again"

# 2. IF_RA looks up table 100 (like a VRF, its connected and local routes
# move there): the main table's routes no longer serve packets from A.
xrt_cli_ok r link set dev "$IF_RA" table 100
# B's replies arrive on IF_RB (main table): give main a way back to A.
xrt_cli_ok r route add 2001:db8:1::/64 dev "$IF_RA"
out=$(xrt_exec a ping -6 -n -c 1 -W 3 2001:db8:b::1 2>&1 || true)
assert_contains "$out" "Destination unreachable: No route" "A with no route to B in table 100"
xrt_cli_ok r route add 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB" table 100
ping_ok || xrt_fail "ping A -> B via table 100 failed"
# Without the main table's route to B, A still reaches it through table 100.
xrt_cli_ok r route del 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB"
ping_ok || xrt_fail "ping A -> B via table 100 failed once the main route was gone"
xrt_cli_ok r route del 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB" table 100
xrt_cli_ok r route del 2001:db8:1::/64 dev "$IF_RA"
xrt_cli_ok r link set dev "$IF_RA" table main

# 3. Route MTU 1300: larger packets get Packet Too Big mtu=1300, as from the kernel.
xrt_cli_ok r route add 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB" mtu 1300
xrt_exec a ping -6 -c 1 -W 3 -s 1200 2001:db8:b::1 >/dev/null || xrt_fail "1248-byte ping under the route MTU failed"
xrt_ptb=$(xrt_exec a ping -6 -n -c 1 -W 3 -M do -s 1300 2001:db8:b::1 2>&1 | grep -m1 '^From' || true)
assert_eq "$xrt_ptb" "$kernel_ptb" "ping -M do -s 1300 over a route with mtu 1300: xrt vs kernel"
xrt_pass "forwarding off drops (fwd_disabled), table 100 isolates the ingress, route mtu 1300 gives the kernel's Packet Too Big"
