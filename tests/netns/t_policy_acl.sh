#!/usr/bin/env bash
# xrt: the stateless ACL end to end: a prerouting rule dropping one UDP port
# and passing another, a forward rule dropping one TCP port (nc), a local
# input rule refusing ping to the router (evaluated in xrtd), per-rule
# counters, and rule changes under a running flow that never lose a packet
# (the rule set is replaced by one flip).
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping nc socat
xrt_require_xrt

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
B=2001:db8:b::1

# Grammar errors name the offending word.
out=$(xrt_cli r acl add dport 22 action drop 2>&1) && xrt_fail "dport without ipproto accepted"
assert_contains "$out" "need ipproto tcp or udp" "dport without a protocol"
out=$(xrt_cli r acl add ipproto udp dport 9-3 action drop 2>&1) && xrt_fail "reversed range accepted"
assert_contains "$out" "9-3" "reversed port range"
out=$(xrt_cli r acl add ipproto udp 2>&1) && xrt_fail "rule without action accepted"
assert_contains "$out" "action pass|drop" "missing action"
out=$(xrt_cli r acl add dev nosuchdev action drop 2>&1) && xrt_fail "unknown dev accepted"
assert_contains "$out" "nosuchdev" "unknown device"

# 1. Prerouting (dir in, XDP): UDP 5001 dropped, UDP 5000 untouched.
xrt_cli_ok r acl add dev "$IF_RA" dir in ipproto udp dport 5001 action drop
drop0=$(xrt_fp_stat r drop:acl_in)
xrt_udp_stream a b "$B" 5000 200 100
xrt_bg b udp-5001 socat -u "UDP6-RECV:5001,bind=[$B]" "OPEN:$XRT_TMP/u5001,creat,append"
xrt_wait_for "xrt_exec b ss -Huln | grep -q ':5001 '" 5 || xrt_fail "UDP receiver on 5001"
for i in 1 2 3 4 5; do
	echo "datagram $i" | xrt_exec a socat -u - "UDP6-SENDTO:[$B]:5001"
done
xrt_wait_for '[ "$(($(xrt_fp_stat r drop:acl_in) - drop0))" -ge 5 ]' 5 ||
	xrt_fail "drop:acl_in: $(($(xrt_fp_stat r drop:acl_in) - drop0)) of 5 datagrams to 5001"
assert_eq "$(stat -c %s "$XRT_TMP/u5001")" 0 "bytes that reached UDP port 5001 on b"
assert_eq "$(xrt_acl_pkts r dir=in dport_min=5001)" 5 "packets counter of the 5001 rule"

# 2. Forward (dir out on b's side, XDP): TCP 6001 refused, TCP 6000 connects.
xrt_cli_ok r acl add dev "$IF_RB" dir out ipproto tcp dport 6001 action drop
for p in 6000 6001; do
	xrt_bg b "tcp-$p" socat "TCP6-LISTEN:$p,bind=[$B],reuseaddr,fork" /dev/null
	xrt_wait_for "xrt_exec b ss -Htln | grep -q ':$p '" 5 || xrt_fail "TCP listener on $p"
done
xrt_exec a nc -6 -z -w 3 "$B" 6000 || xrt_fail "nc to TCP 6000 through the router failed"
xrt_exec a nc -6 -z -w 2 "$B" 6001 && xrt_fail "nc to TCP 6001 connected through a drop rule"
assert_ge "$(xrt_acl_pkts r dir=out dport_min=6001)" 1 "packets counter of the 6001 rule"
assert_ge "$(xrt_fp_stat r drop:acl_out)" 1 "drop:acl_out"

# 3. Local input (dir local, xrtd): ping to the router refused and counted,
# ping through it still answered.
xrt_exec a ping -6 -n -c 1 -W 3 2001:db8:1::1 >/dev/null || xrt_fail "ping to the router before the rule"
xrt_cli_ok r acl add dir local ipproto icmpv6 icmp-type echo-request action drop
xrt_exec a ping -6 -n -c 3 -i 0.2 -W 1 2001:db8:1::1 >/dev/null &&
	xrt_fail "ping to the router answered through a local drop rule"
assert_eq "$(xrt_acl_pkts r dir=local icmp_type=128)" 3 "packets counter of the local rule"
xrt_exec a ping -6 -n -c 1 -W 3 "$B" >/dev/null || xrt_fail "ping through the router refused"
assert_contains "$(xrt_cli r stats)" "sp_nf_drop" "xrtd counts its acl drops"

# Text output and delete.
show=$(xrt_cli r acl show)
assert_contains "$show" "dir local ipproto icmpv6 icmp-type 128 action drop packets 3" "acl show"
xrt_cli_ok r acl del dir local ipproto icmpv6 icmp-type echo-request action drop
xrt_exec a ping -6 -n -c 1 -W 3 2001:db8:1::1 >/dev/null || xrt_fail "ping to the router after del"
out=$(xrt_cli r acl del dir local ipproto icmpv6 action drop 2>&1) && xrt_fail "del of a missing rule"
assert_contains "$out" "no such rule" "del of a missing rule"

# 4. Atomic replace: a pass rule for UDP 7000 in front of a drop-all-UDP
# rule, while another client adds and deletes rules in front of both. A
# packet that saw half a change (a count from one bank, rules from the
# other) would hit the drop rule: the stream must arrive whole.
xrt_cli_ok r acl flush
cat >"$XRT_TMP/acl.batch" <<EOB
acl add dir in ipproto udp dport 7000 priority 10 action pass
acl add dir in ipproto udp priority 20 action drop
EOB
xrt_cli_ok r -batch "$XRT_TMP/acl.batch"
(
	for i in $(seq 1 40); do
		xrt_cli r acl add dir in from "2001:db8:100:$i::/64" ipproto udp priority 5 action drop >/dev/null
		xrt_cli r acl add dir in ipproto tcp dport "$((8000 + i))" priority 15 action drop >/dev/null
		[ $((i % 3)) -ne 0 ] || xrt_cli r acl del dir in from "2001:db8:100:$i::/64" ipproto udp action drop >/dev/null
	done
) &
churn=$!
XRT_PIDS+=("$churn")
xrt_udp_stream a b "$B" 7000 2000 200
xrt_wait_pid "$churn" 60 || xrt_fail "rule churn did not finish"
assert_eq "$(xrt_acl_pkts r priority=20)" 0 "packets of the flow that met the drop-all rule"
assert_ge "$(xrt_acl_pkts r priority=10)" 2000 "packets counted by the pass rule"
n=$(xrt_cli r -j acl show | "$XRT_PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
assert_eq "$n" $((2 + 40 + 40 - 13)) "rules after the churn"

# 5. The bound (far past the old 128): a clear error when full, counted,
# the refused rule not there; the last rule of a full list still decides.
have=$(xrt_cli r -j acl show | "$XRT_PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
{
	for i in $(seq 1 1100); do echo "acl add dir out ipproto tcp dport $((10000 + i)) action drop"; done
} >"$XRT_TMP/full.batch"
out=$(xrt_cli r -batch "$XRT_TMP/full.batch" 2>&1) && xrt_fail "1100 more rules fitted"
assert_contains "$out" "acl: full (1024 rules)" "error when the ACL is full"
assert_contains "$(xrt_cli r acl show)" "adds refused (full)" "refused adds counted"
n=$(xrt_cli r -j acl show | "$XRT_PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
assert_eq "$n" 1024 "rules in a full list"
last=$((10000 + 1024 - have))
assert_contains "$(xrt_cli r acl show)" "dport $last action drop" "the list's last rule"
assert_not_contains "$(xrt_cli r acl show)" "dport $((last + 1)) action" "the refused rule"
# TCP: the prerouting drop-all rule above is UDP's.
d0=$(xrt_fp_stat r drop:acl_out)
xrt_exec a nc -6 -z -w 1 "$B" "$last" || true
xrt_wait_for '[ "$(($(xrt_fp_stat r drop:acl_out) - d0))" -ge 1 ]' 5 ||
	xrt_fail "TCP $last was not dropped by the full list's last rule"
assert_ge "$(xrt_acl_pkts r dport_min=$last)" 1 "the last rule's packet counter"

# 6. A restarted xrtd starts with no rules, in the fast path too (the maps
# stay pinned): UDP 5000, dropped by the drop-all-UDP rule now, arrives.
d0=$(xrt_fp_stat r drop:acl_in)
echo lost | xrt_exec a nc -6 -u -w 0 "$B" 5000 || true
xrt_wait_for '[ "$(($(xrt_fp_stat r drop:acl_in) - d0))" -ge 1 ]' 5 ||
	xrt_fail "UDP 5000 was not dropped by the drop-all-UDP rule"
xrt_xrtd_stop r
xrt_xrtd_start r
xrt_topo_line_program
assert_eq "$(xrt_cli r acl show)" "" "acl after a restart"
xrt_udp_stream a b "$B" 5000 100 100
xrt_pass "acl: prerouting/forward drops in XDP, local input in xrtd, counters, atomic replace, bound"
