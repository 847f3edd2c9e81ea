#!/usr/bin/env bash
# xrt: upgrades without loss. One paced UDP flow A -> B through r runs the
# whole time while xrtd is (a) restarted on the same object, (b) restarted
# on an object whose map layouts changed (tests/netns/xrt_fwd_upgrade.bpf.c:
# xrt_neigh6's max_entries, xrt_stats' value size), (c) started on an
# object the kernel refuses and on a configuration with an error. Every
# datagram must arrive, in order; routes, neighbours and counters are kept;
# a failed start leaves the running program and pins untouched and says why.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd socat ss bpftool
xrt_require_xrt
UPG_OBJ=$XRT_ROOT/tests/netns/xrt_fwd_upgrade.bpf.o
BAD_OBJ=$XRT_ROOT/tests/netns/xrt_fwd_bad.bpf.o
xrt_require_file "$UPG_OBJ"
xrt_require_file "$BAD_OBJ"

PPS=400 SIZE=200 SECS=${XRT_UPGRADE_FLOW_SECS:-60} PORT=5555

xrt_topo_line
# The fast path outlives a stopped daemon where `ip link` attached it (xrtd
# takes off what it attached itself on SIGTERM; t_ops_upgrade_keep stops it
# with SIGUSR2 instead).
xrt_ip_attach r "$IF_RA"
xrt_ip_attach r "$IF_RB"
conf=$XRT_TMP/xrt.conf
xrt_topo_line_conf "$conf"
xrt_xrtd_start r -c "$conf"
pins=$(xrt_pin_dir r)

# A pinned map's field (id, max_entries, bytes_value) as bpftool shows it.
pin_field() {
	bpftool -j map show pinned "$pins/$1" |
		"$XRT_PY" -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}
log_r() { cat "$XRT_TMP/xrtd-r.log"; }
# The swap window and the whole commit, as xrtd measured them (for the log).
swap_time() { xrt_log "$1: $(grep -o '[0-9]* interface(s) swapped in .*' "$XRT_TMP/xrtd-r.log")"; }
# A counter read from the pinned map never goes back.
monotone() {
	local name=$1 before=$2 after
	after=$(xrt_fp_stat r "$name")
	assert_ge "$after" "$before" "$name across $3 (monotone)"
	echo "$after"
}

# ---- the flow: SECS seconds at PPS datagrams/s, every byte checked at the end
xrt_flow_start a b 2001:db8:b::1 "$PORT" "$PPS" "$SIZE" "$SECS"

routes0=$(xrt_cli r route show)
neigh0=$(xrt_cli r neigh show | grep -c PERMANENT || true)
assert_ge "$neigh0" 2 "static neighbours before the upgrades"
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
assert_ge "$fwd0" "$PPS" "Ip6OutForwDatagrams with the flow running"

# ---- (a) restart on the same object
prog_a0=$(xrt_xdp_prog_id r "$IF_RA")
fib_a0=$(pin_field xrt_fib6_dp id)
xrt_xrtd_stop r
assert_eq "$(xrt_xdp_prog_id r "$IF_RA")" "$prog_a0" "program on $IF_RA while no daemon runs"
xrt_flow_progresses "xrtd stopped"
xrt_xrtd_start r -c "$conf"
xrt_flow_running "the restart"
assert_contains "$(log_r)" "upgrade: same map layouts as the pinned set" "restart log"
assert_contains "$(log_r)" "upgrade: 2 interface(s) swapped" "restart swapped both links"
swap_time restart
assert_ne "$(xrt_xdp_prog_id r "$IF_RA")" "$prog_a0" "program on $IF_RA replaced by the new run's"
assert_ne "$(pin_field xrt_fib6_dp id)" "$fib_a0" "xrt_fib6_dp pin is the new run's map"
assert_eq "$(xrt_cli r route show)" "$routes0" "xrt route show after the restart"
fwd1=$(monotone Ip6OutForwDatagrams "$fwd0" "the restart")
xrt_flow_progresses "the restart"

# ---- (b) an object whose map layouts changed
neigh_max=$(sed -n 's/^#define XRT_MAX_NEIGH \([0-9]*\).*/\1/p' "$XRT_ROOT/include/xrt/limits.h")
neigh_upg=$(sed -n 's/^#define XRT_MAX_NEIGH \([0-9]*\).*/\1/p' "$XRT_ROOT/tests/netns/xrt_fwd_upgrade.bpf.c")
assert_eq "$(pin_field xrt_neigh6 max_entries)" "$neigh_max" "xrt_neigh6 before"
stats_bytes=$(pin_field xrt_stats bytes_value)
xrt_xrtd_stop r
xrt_xrtd_start r -c "$conf" --obj "$UPG_OBJ"
xrt_flow_running "the layout upgrade"
assert_contains "$(log_r)" "upgrade: xrt_neigh6: max_entries $neigh_max -> $neigh_upg" "layout report"
assert_contains "$(log_r)" "upgrade: xrt_stats: value_size $stats_bytes -> $((stats_bytes + 64))" \
	"layout report"
assert_contains "$(log_r)" "upgrade: xrt_stats: counters carried section by section" "stats converter"
swap_time "layout upgrade"
assert_eq "$(pin_field xrt_neigh6 max_entries)" "$neigh_upg" "xrt_neigh6 pin is the new layout"
assert_eq "$(pin_field xrt_stats bytes_value)" "$((stats_bytes + 64))" "xrt_stats pin is the new layout"
assert_eq "$(xrt_cli r route show)" "$routes0" "xrt route show after the layout upgrade"
assert_eq "$(xrt_cli r neigh show | grep -c PERMANENT || true)" "$neigh0" \
	"static neighbours after the layout upgrade"
fwd2=$(monotone Ip6OutForwDatagrams "$fwd1" "the layout upgrade")
# xrt stats (the daemon, reading the longer value) agrees with the pin.
stats_cli=$(xrt_cli r stats | awk '$1 == "Ip6OutForwDatagrams" {print $2}')
assert_ge "$stats_cli" "$fwd2" "xrt stats Ip6OutForwDatagrams after the layout upgrade"
xrt_flow_progresses "the layout upgrade"

# ---- (c) starts that fail leave the running generation as it was
prog_c0=$(xrt_xdp_prog_id r "$IF_RA")
fib_c0=$(pin_field xrt_fib6_dp id)
xrt_xrtd_stop r
rc=0
out=$(timeout --foreground 60 ip netns exec "$(xrt_ns r)" "$XRT_BUILD/xrtd" -f \
	--bpffs "$(xrt_bpffs_dir r)" --obj "$BAD_OBJ" -c "$conf" 2>&1) || rc=$?
assert_ne "$rc" 0 "xrtd on an object the verifier refuses"
assert_contains "$out" "xrt_fwd_bad.bpf.o: load failed: " "the error names the object"
assert_contains "$out" "prog 'xrt_bad'" "the error names the program the kernel refused"
assert_contains "$out" "(verifier: " "the error gives the verifier's reason"
xrt_log "refused object: $(grep 'load failed' <<<"$out")"
assert_contains "$out" "the running fast path is unchanged" "the error says what still runs"
assert_eq "$(xrt_xdp_prog_id r "$IF_RA")" "$prog_c0" "program on $IF_RA after the refused object"
assert_eq "$(pin_field xrt_fib6_dp id)" "$fib_c0" "pins after the refused object"
xrt_flow_progresses "the refused object"

# A configuration error stops the start before the commit, too.
bad_conf=$XRT_TMP/bad.conf
{ cat "$conf"; echo "route add 2001:db8:c::/64 via 2001:db8:2::99 dev nosuchdev"; } >"$bad_conf"
rc=0
out=$(timeout --foreground 60 ip netns exec "$(xrt_ns r)" "$XRT_BUILD/xrtd" -f \
	--bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ" -c "$bad_conf" 2>&1) || rc=$?
assert_ne "$rc" 0 "xrtd with a configuration error"
assert_contains "$out" "nosuchdev" "the error names the bad word"
assert_eq "$(xrt_xdp_prog_id r "$IF_RA")" "$prog_c0" "program on $IF_RA after the configuration error"
assert_eq "$(pin_field xrt_fib6_dp id)" "$fib_c0" "pins after the configuration error"
xrt_flow_running "the failed starts"
xrt_flow_progresses "the failed starts"

# Back to the product object: a downgrade is one more migration.
xrt_xrtd_start r -c "$conf"
assert_contains "$(log_r)" "upgrade: xrt_neigh6: max_entries $neigh_upg -> $neigh_max" "downgrade report"
assert_eq "$(xrt_cli r route show)" "$routes0" "xrt route show after the downgrade"
monotone Ip6OutForwDatagrams "$fwd2" "the downgrade" >/dev/null

# ---- every byte arrived, in order
xrt_flow_finish
xrt_pass "restart, layout upgrade, downgrade and two refused starts under a $((SECS * PPS))-datagram flow: 0 lost; routes, neighbours, counters kept"
