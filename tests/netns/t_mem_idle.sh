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
[ "$total" -le "$MAX_KB" ] || xrt_log "maps, kB: $("$MEMFIG" --maps "$(xrt_xrtd_pid r)" | head -8 | paste -sd,)"
assert_le "$total" "$MAX_KB" "idle router with one interface: memory in all (kB)"
umem() { xrt_cli r stats | awk '$1 == "XskUmemFrames" { print $2 }'; }
ring=$(awk '$2 == "XSK_RING_DEFAULT" { sub("u$", "", $3); print $3 }' "$XRT_ROOT/userspace/xsk/xsk_rings.h")
assert_eq "$(umem)" "$((2 * ring))" "one queue attached: one UMEM of fill + tx frames"
xrt_xrtd_stop r

# 2. Ring sizes that cannot work are refused before anything is loaded.
bad() { # want-in-message xrtd-args...
	local want=$1 out
	shift
	out=$(xrt_exec r timeout --foreground 10 "$XRT_BUILD/xrtd" -f --bpffs /nonexistent "$@" 2>&1) &&
		xrt_fail "xrtd $* started"
	assert_contains "$out" "$want" "xrtd $*"
}
bad "xrtd: --xsk-rx-ring 100: want a power of two in 32..4096" --xsk-rx-ring 100
bad "xrtd: --xsk-fill-ring \"lots\": not a number" --xsk-fill-ring lots
bad "xrtd: --xsk-comp-ring 32 smaller than tx-ring 64: completions would be lost" --xsk-tx-ring 64 --xsk-comp-ring 32

# 3. The smallest rings: the AF_XDP path still answers ping and carries a
# TCP stream to a socket on the router (the shim, socat).
min=$(awk '$2 == "XSK_RING_MIN" { sub("u$", "", $3); print $3 }' "$XRT_ROOT/userspace/xsk/xsk_rings.h")
xrt_xrtd_start r --xsk-rx-ring "$min" --xsk-tx-ring "$min" --xsk-fill-ring "$min" --xsk-comp-ring "$min"
xrt_cli_ok r link attach dev "$IF_RA"
xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$IF_RA"
assert_eq "$(umem)" "$((2 * min))" "rings of $min: a UMEM of $((2 * min)) frames"
out=$(xrt_exec a ping -6 -n -c 20 -i 0.05 -W 2 2001:db8:1::1) || xrt_fail "ping with rings of $min: $out"
assert_contains "$out" "20 received" "20 pings answered through rings of $min"
src=$XRT_TMP/src dst=$XRT_TMP/dst
head -c 2000000 /dev/urandom >"$src"
xrt_bg r tcp-srv env LD_PRELOAD="$SHIM" socat -u TCP6-LISTEN:8001 "OPEN:$dst,creat,trunc"
lpid=$XRT_LAST_PID
xrt_exec a timeout --foreground 90 socat -u "OPEN:$src" "TCP6:[2001:db8:1::1]:8001,retry=50,interval=0.1" ||
	xrt_fail "the host's socat could not send to the router"
xrt_wait_pid "$lpid" 90 || xrt_fail "socat on the router did not see the end of the stream"
cmp -s "$src" "$dst" || xrt_fail "router got $(stat -c %s "$dst") bytes, not the 2000000 sent"
xrt_log "rings of $min: 2000000 bytes by TCP identical; $(xrt_cli r stats | awk '/^Xsk(KernRxFillEmpty|TxRingFull|TxNoFrame)/ { printf "%s %s ", $1, $2 }')"
xrt_log "rings of $min: $("$MEMFIG" "$(xrt_xrtd_pid r)")"
xrt_xrtd_stop r
xrt_pass "idle router under ${MAX_KB} kB with one interface; bad ring sizes refused; ping and TCP through rings of $min"
