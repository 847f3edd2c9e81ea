#!/usr/bin/env bash
# xrt: an upgrade of an xrtd that attached the fast path itself (`link
# attach` in its configuration, no `ip link`). SIGTERM takes its programs
# off (a restart would lose the flow); SIGUSR2 stops it for an upgrade:
# the programs stay attached and keep forwarding, no final RA is sent, and
# the next xrtd replaces them with its own. A paced UDP flow loses nothing.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat ss
xrt_require_xrt

xrt_topo_line
conf=$XRT_TMP/xrt.conf
xrt_topo_line_conf "$conf"
xrt_xrtd_start r -c "$conf"
xrt_flow_start a b 2001:db8:b::1 5556 400 200 "${XRT_UPGRADE_FLOW_SECS:-30}"
routes0=$(xrt_cli r route show)
prog0=$(xrt_xdp_prog_id r "$IF_RA")
assert_ne "$prog0" 0 "xrtd attached $IF_RA"

# Stop for an upgrade: the programs stay, the flow goes on without a daemon.
pid=$(xrt_xrtd_pid r)
kill -USR2 "$pid"
xrt_wait_pid "$pid" 10 || xrt_fail "xrtd did not stop on SIGUSR2"
assert_contains "$(cat "$XRT_TMP/xrtd-r.log")" "stopping for an upgrade" "SIGUSR2 logged"
assert_eq "$(xrt_xdp_prog_id r "$IF_RA")" "$prog0" "program on $IF_RA after SIGUSR2"
xrt_flow_progresses "xrtd stopped with SIGUSR2"

xrt_xrtd_start r -c "$conf"
xrt_flow_running "the upgrade"
assert_contains "$(cat "$XRT_TMP/xrtd-r.log")" "upgrade: 2 interface(s) swapped" "both links swapped"
prog1=$(xrt_xdp_prog_id r "$IF_RA")
assert_ne "$prog1" "$prog0" "the new xrtd's program on $IF_RA"
assert_eq "$(xrt_cli r route show)" "$routes0" "xrt route show after the upgrade"
xrt_flow_progresses "the upgrade"
xrt_flow_finish

# The new xrtd found the programs attached: it adopted them (README
# "Upgrades"), so its SIGTERM leaves them, as for `ip link`'s.
xrt_xrtd_term r
assert_eq "$(xrt_xdp_prog_id r "$IF_RA")" "$prog1" \
	"after an upgrade the links count as adopted: SIGTERM leaves them"
xrt_pass "SIGUSR2 then a new xrtd: programs attached by xrtd replaced, $((${XRT_UPGRADE_FLOW_SECS:-30} * 400)) datagrams, 0 lost"
