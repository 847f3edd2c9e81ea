#!/usr/bin/env bash
# xrt: source-specific routes beyond the fast path's bound go to the kernel.
#
#   a -- r -- p   (ISP1)     a: source S1 2001:db8:1::2
#        |                   p, q: count what reaches them (Udp6NoPorts)
#        +--- q   (ISP2)
#
# r's kernel forwards (forwarding on) and holds, in `ip -6 route ... from`,
# ten destinations 2001:db8:5N::/48 from 2001:db8:1::/48 via ISP1 beside a
# plain default via ISP2; xrtd mirrors them. XRT_FIB6_SUBTREES (8) fit in
# the fast path; for the other two xrt's own default would send S1's
# traffic to ISP2, where the kernel sends it to ISP1. xrt must hand it to
# the kernel instead (pass src_route_unsupported, in `xrt stats` and `xrt
# trace`), list the destinations in `xrt sync`, name them in `route get`,
# export the counts on the metrics endpoint, and take them back once
# deleted routes free room. Then the CLI's refused add and a config reload
# refused by the bound (taken back whole: nothing waits).
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

S1=2001:db8:1::2 S3=2001:db8:3::2
xrt_host_ns a; xrt_host_ns p; xrt_host_ns q
xrt_kernel_router_ns r
xrt_link a r; xrt_link r p; xrt_link r q
xrt_host a "$(xrt_if a r)" 2001:db8:f::2/64 2001:db8:f::1
for h in $S1 $S3; do ip -n "$(xrt_ns a)" -6 addr add "$h/128" dev "$(xrt_if a r)" nodad; done
xrt_static_neigh a "$(xrt_if a r)" 2001:db8:f::1 "$(xrt_mac r "$(xrt_if r a)")"
xrt_host p "$(xrt_if p r)" 2001:db8:e1::2/64
xrt_host q "$(xrt_if q r)" 2001:db8:e2::2/64
for h in p q; do
	for i in 0 1 2 3 4 5 6 7 8 9; do ip -n "$(xrt_ns $h)" -6 addr add "2001:db8:5$i::1/128" dev lo; done
done
R=$(xrt_ns r) RF=$(xrt_if r a) RP=$(xrt_if r p) RQ=$(xrt_if r q)
ip -n "$R" -6 addr add 2001:db8:f::1/64 dev "$RF" nodad
ip -n "$R" -6 addr add 2001:db8:e1::1/64 dev "$RP" nodad
ip -n "$R" -6 addr add 2001:db8:e2::1/64 dev "$RQ" nodad
xrt_static_neigh r "$RP" 2001:db8:e1::2 "$(xrt_mac p "$(xrt_if p r)")"
xrt_static_neigh r "$RQ" 2001:db8:e2::2 "$(xrt_mac q "$(xrt_if q r)")"
assert_eq "$(xrt_exec r sysctl -n net.ipv6.conf.all.forwarding)" 1 "r's kernel forwards"
PORT=9471
CONF=$XRT_TMP/xrtd-r.conf
: >"$CONF"
xrt_xrtd_start r --metrics $PORT -c "$CONF"
xrt_cli_ok r sync kernel on
for h in "$RF" "$RP" "$RQ"; do xrt_cli_ok r link attach dev "$h"; done
ip -n "$R" -6 route add default via 2001:db8:e2::2
for i in 0 1 2 3 4 5 6 7 8 9; do
	ip -n "$R" -6 route add "2001:db8:5$i::/48" from 2001:db8:1::/48 via 2001:db8:e1::2
done
xrt_wait_for "[ \$(xrt_cli r route show | grep -c ' from ') -eq 8 ]" 5 ||
	xrt_fail "the source routes never reached xrt: $(xrt_cli r route show)"

# which SRC DST: the upstream (p or q) that 5 datagrams SRC -> DST reach.
which() {
	local got
	got=$(xrt_udp_reaches a "$1" "$2" p q)
	case $got in p) echo ISP1 ;; q) echo ISP2 ;; *) echo "$got" ;; esac
}
pass() { xrt_fp_stat r pass:src_route_unsupported; }
kfwd() { xrt_snmp6 r Ip6OutForwDatagrams; }

# Which ten went in: the mirror's order is the kernel's; two were refused.
sync=$(xrt_cli r sync)
assert_eq "$(grep -c 'src route unsupported (to the kernel)' <<<"$sync")" 2 "sync lists two destinations: $sync"
mapfile -t PASSED < <(sed -n 's|^src route unsupported (to the kernel): \(2001:db8:5[0-9]::\)/48 table 254: 1 source routes refused.*|\1|p' <<<"$sync")
assert_eq "${#PASSED[@]}" 2 "sync names each destination, its table and why"
assert_contains "$sync" "at most 8 destinations with source routes" "sync says why"
INSTALLED=()
for i in 0 1 2 3 4 5 6 7 8 9; do
	[[ " ${PASSED[*]} " == *" 2001:db8:5$i:: "* ]] || INSTALLED+=("2001:db8:5$i::")
done
assert_eq "${#INSTALLED[@]}" 8 "eight destinations in the fast path"
out=$(xrt_cli r route get "${PASSED[0]}1" from $S1 2>&1) && xrt_fail "route get through a handed-over destination: $out"
assert_contains "$out" "${PASSED[0]}/48 has source routes xrt could not all install (the fast path passes to the kernel: src_route_unsupported" "route get names it"
assert_contains "$(xrt_cli r route get "${INSTALLED[0]}1" from $S1)" "route ${INSTALLED[0]}/48 from 2001:db8:1::/48" "route get of an installed one"

# A handed-over destination: the kernel forwards it to ISP1, counted (and
# `xrt trace` names why).
xrt_bg r trace "$XRT_BUILD/xrt" trace to "${PASSED[0]}/48" count 1 timeout 20
TRACE=$XRT_LAST_PID
trace_on() { bpftool map dump pinned "$(xrt_pin_dir r)/xrt_trace_cfg" | grep -o '"on": [0-9]*' | head -1 | awk '{print $2}'; }
xrt_wait_for "[ \"\$(trace_on)\" = 1 ]" 5 || xrt_fail "xrt trace never started: $(cat "$XRT_TMP/trace.log")"
p0=$(pass) k0=$(kfwd)
assert_eq "$(which $S1 "${PASSED[0]}1")" ISP1 "S1 -> ${PASSED[0]}1 goes where the kernel sends it"
xrt_wait_pid "$TRACE" 20 || xrt_fail "xrt trace did not end: $(cat "$XRT_TMP/trace.log")"
assert_contains "$(cat "$XRT_TMP/trace.log")" "src_route_unsupported" "xrt trace names the pass reason"
assert_eq "$(($(pass) - p0))" 5 "pass:src_route_unsupported counts each packet"
assert_ge "$(($(kfwd) - k0))" 5 "the kernel forwarded them"
# Every source: the whole destination goes to the kernel (S3 takes its default).
assert_eq "$(which $S3 "${PASSED[1]}1")" ISP2 "S3 -> ${PASSED[1]}1: the kernel's default"
assert_eq "$(($(pass) - p0))" 10 "other sources of the destination pass too"
# An installed destination: xrt's fast path, the kernel does not see it.
p0=$(pass) k0=$(kfwd)
assert_eq "$(which $S1 "${INSTALLED[0]}1")" ISP1 "S1 -> ${INSTALLED[0]}1 through xrt"
assert_eq "$(pass)" "$p0" "an installed destination does not pass"
assert_eq "$(kfwd)" "$k0" "an installed destination is not the kernel's"

# xrt stats, sync -j and the metrics endpoint carry it.
assert_contains "$(xrt_cli r stats)" "src_route_unsupported" "xrt stats names the pass reason"
assert_contains "$(xrt_cli r -j sync)" "\"src_route_unsupported\":[{\"dst\":\"${PASSED[0]}/48\",\"table\":254,\"waiting\":1" "sync -j"
metric() {
	xrt_exec r "$XRT_PY" "$XRT_ROOT/tests/netns/metrics_scrape.py" scrape 127.0.0.1 $PORT |
		"$XRT_PY" -c 'import json, sys; print(int(float(json.load(sys.stdin)[sys.argv[1]])))' "$1"
}
xrt_wait_for "metric xrt_fib_subtrees >/dev/null" 5 || xrt_fail "no metrics on 127.0.0.1:$PORT"
assert_eq "$(metric xrt_fib_subtrees)" 8 "metric: subtrees in use"
assert_eq "$(metric xrt_fib_subtrees_refused_total)" 2 "metric: refused source routes"
assert_eq "$(metric xrt_fib_subtrees_passed)" 2 "metric: destinations handed to the kernel"
assert_eq "$(metric xrt_fib_subtrees_waiting)" 2 "metric: routes waiting"
assert_eq "$(metric "xrt_fastpath_passes_total{interface=\"$RF\",reason=\"src_route_unsupported\"}")" "$(pass)" "metric: packets passed"

# Room frees: a deleted kernel source route lets one waiting destination in.
ip -n "$R" -6 route del "${INSTALLED[0]}/48" from 2001:db8:1::/48
xrt_wait_for "[ \$(xrt_cli r sync | grep -c 'src route unsupported') -eq 1 ]" 5 ||
	xrt_fail "a freed subtree did not take a waiting destination: $(xrt_cli r sync)"
sync=$(xrt_cli r sync)
if grep -qF "${PASSED[0]}/48" <<<"$sync"; then NOW=${PASSED[1]} STILL=${PASSED[0]}; else NOW=${PASSED[0]} STILL=${PASSED[1]}; fi
assert_contains "$(xrt_cli r route show)" "$NOW/48 from 2001:db8:1::/48 via 2001:db8:e1::2" "the waiting route is installed"
p0=$(pass) k0=$(kfwd)
assert_eq "$(which $S1 "${NOW}1")" ISP1 "S1 -> ${NOW}1 through xrt once installed"
assert_eq "$(pass)" "$p0" "the pass stops once installed"
assert_eq "$(kfwd)" "$k0" "the kernel no longer forwards it"
assert_eq "$(which $S1 "${STILL}1")" ISP1 "S1 -> ${STILL}1 still the kernel's"
assert_eq "$(($(pass) - p0))" 5 "still counted"
# The kernel deletes the still-waiting route: nothing waits, nothing passes.
ip -n "$R" -6 route del "${STILL}/48" from 2001:db8:1::/48
xrt_wait_for "! xrt_cli r sync | grep -q 'src route unsupported'" 5 ||
	xrt_fail "a deleted waiting route kept its destination at the kernel: $(xrt_cli r sync)"
p0=$(pass)
assert_eq "$(which $S1 "${STILL}1")" ISP2 "S1 -> ${STILL}1: its source route is gone, the default"
assert_eq "$(pass)" "$p0" "no pass once nothing waits"
assert_eq "$(metric xrt_fib_subtrees_passed)" 0 "metric: none handed over"

# The CLI: a refused add hands its destination over and waits (the error
# says so); deleting the waiting route takes the destination back.
out=$(xrt_cli r route add 2001:db8:5f::/48 from 2001:db8:1::/48 via 2001:db8:e1::2 2>&1) &&
	xrt_fail "a ninth destination was accepted"
assert_contains "$out" "from: at most 8 destinations" "the bound's error"
assert_contains "$(xrt_cli r sync)" "2001:db8:5f::/48 table 254: 1 source routes refused" "sync lists the CLI's"
xrt_cli_ok r route del 2001:db8:5f::/48 from 2001:db8:1::/48
assert_not_contains "$(xrt_cli r sync)" "src route unsupported" "route del of a waiting route"
# A reload refused by the bound is taken back whole: nothing waits.
echo "route add 2001:db8:5e::/48 from 2001:db8:1::/48 via 2001:db8:e1::2" >"$CONF"
out=$(xrt_cli r config reload 2>&1) && xrt_fail "a reload past the bound succeeded"
assert_contains "$out" "from: at most 8 destinations" "the reload's error"
assert_not_contains "$(xrt_cli r sync)" "src route unsupported" "a failed reload leaves nothing waiting"
xrt_pass "10 mirrored source-route destinations: 8 in the fast path, 2 handed to the kernel (5/5 packets each way counted as pass src_route_unsupported, reaching the kernel's upstream), listed in xrt sync; a freed subtree installs a waiting one and its pass stops; a deleted waiting route clears it"
