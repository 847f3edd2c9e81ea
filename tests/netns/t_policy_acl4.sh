#!/usr/bin/env bash
# xrt: the stateless ACL for IPv4 end to end: a prerouting rule with IPv4
# prefixes dropping one UDP port and passing another, an IPv6 rule
# that never sees IPv4, a forward rule dropping ICMP echo requests to b, a
# local input rule refusing ping to the router (evaluated in xrtd), a TCP
# connection to the router refused by a local rule, per-rule counters, and
# -4/-6 on show and flush.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping nc socat
xrt_require_xrt

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
xrt_topo_line_ip4
B=$B4

# Grammar: the family's own ICMP, one family per rule.
out=$(xrt_cli r acl add from 10.0.0.0/8 to 2001:db8::/32 action drop 2>&1) &&
	xrt_fail "a rule with both families accepted"
assert_contains "$out" "2001:db8::/32" "mixed families"
out=$(xrt_cli r acl add from 10.0.0.0/8 ipproto icmpv6 action drop 2>&1) &&
	xrt_fail "icmpv6 in an IPv4 rule accepted"
assert_contains "$out" "icmpv6" "icmpv6 in an IPv4 rule"
out=$(xrt_cli r acl add to 192.0.2.1 icmp-type packet-too-big action drop 2>&1) &&
	xrt_fail "an ICMPv6 type name in an IPv4 rule accepted"
assert_contains "$out" "packet-too-big" "ICMPv6 type name in an IPv4 rule"

# 1. Prerouting (dir in, XDP): UDP 5353 from a's network dropped, UDP 5354
# passes; an IPv6 rule dropping every UDP 5354 datagram does not see IPv4.
xrt_cli_ok r acl add dir in from 192.0.2.0/24 to 203.0.113.0/24 ipproto udp dport 5353 action drop
xrt_cli_ok r -6 acl add dir in ipproto udp dport 5354 action drop
for p in 5353 5354; do
	: >"$XRT_TMP/u$p"
	xrt_bg b "udp-$p" socat -u "UDP4-RECV:$p,bind=$B" "OPEN:$XRT_TMP/u$p,creat,append"
	xrt_wait_for "xrt_exec b ss -Huln | grep -q ':$p '" 5 || xrt_fail "UDP receiver on $p"
done
drop0=$(xrt_fp_stat r drop:acl_in)
for i in 1 2 3 4 5; do
	for p in 5353 5354; do
		echo "datagram $i" | xrt_exec a socat -u - "UDP4-SENDTO:$B:$p"
	done
done
xrt_wait_for '[ "$(wc -l <"$XRT_TMP/u5354")" -ge 5 ]' 5 ||
	xrt_fail "UDP 5354: $(wc -l <"$XRT_TMP/u5354") of 5 datagrams arrived"
xrt_wait_for '[ "$(($(xrt_fp_stat r drop:acl_in) - drop0))" -ge 5 ]' 5 ||
	xrt_fail "drop:acl_in: $(($(xrt_fp_stat r drop:acl_in) - drop0)) of 5 datagrams to 5353"
assert_eq "$(stat -c %s "$XRT_TMP/u5353")" 0 "bytes that reached UDP port 5353 on b"
assert_eq "$(xrt_acl_pkts r family=inet dport_min=5353)" 5 "packets counter of the 5353 rule"
assert_eq "$(xrt_acl_pkts r family=inet6 dport_min=5354)" 0 "the IPv6 rule saw no IPv4 datagram"

# 2. Forward (dir out on b's side, XDP): echo requests to b dropped, a TCP
# connection to b still made.
xrt_exec a ping -4 -n -c 1 -W 3 "$B" >/dev/null || xrt_fail "ping a -> b before the rule"
xrt_cli_ok r acl add dev "$IF_RB" dir out ipproto icmp icmp-type echo-request action drop
out0=$(xrt_fp_stat r drop:acl_out)
xrt_exec a ping -4 -n -c 3 -i 0.2 -W 1 "$B" >/dev/null && xrt_fail "ping a -> b through a forward drop rule"
assert_eq "$(($(xrt_fp_stat r drop:acl_out) - out0))" 3 "drop:acl_out"
assert_eq "$(xrt_acl_pkts r dir=out icmp_type=8)" 3 "packets counter of the forward rule"
xrt_bg b tcp-6000 socat "TCP4-LISTEN:6000,bind=$B,reuseaddr,fork" /dev/null
xrt_wait_for "xrt_exec b ss -Htln | grep -q ':6000 '" 5 || xrt_fail "TCP listener on 6000"
xrt_exec a nc -4 -z -w 3 "$B" 6000 || xrt_fail "nc to TCP 6000 through the router failed"

# 3. Local input (dir local, xrtd): ping to the router refused and counted
# (sp_nf_drop), IPv6 ping to the router still answered.
xrt_exec a ping -4 -n -c 1 -W 3 192.0.2.1 >/dev/null || xrt_fail "ping to the router before the rule"
xrt_cli_ok r acl add dir local to 192.0.2.1 icmp-type echo-request action drop
nf0=$(xrt_nf_drops r)
xrt_exec a ping -4 -n -c 3 -i 0.2 -W 1 192.0.2.1 >/dev/null &&
	xrt_fail "ping to the router answered through a local drop rule"
assert_eq "$(xrt_acl_pkts r dir=local icmp_type=8)" 3 "packets counter of the local rule"
assert_eq "$(($(xrt_nf_drops r) - nf0))" 3 "sp_nf_drop"
xrt_exec a ping -6 -n -c 1 -W 3 2001:db8:1::1 >/dev/null || xrt_fail "IPv6 ping to the router refused"
# UDP and TCP to the router: a rule without addresses is IPv6's unless -4
# says otherwise (what such a rule meant before IPv4 rules existed).
xrt_cli_ok r -4 acl add dir local ipproto udp dport 7 action drop
u0=$(xrt_acl_pkts r dir=local dport_min=7)
echo x | xrt_exec a socat -u - "UDP4-SENDTO:192.0.2.1:7"
xrt_wait_for '[ "$(xrt_acl_pkts r dir=local dport_min=7)" -gt "$u0" ]' 5 ||
	xrt_fail "UDP to the router's port 7 not counted by the local rule"
# A local rule dropping TCP 22 leaves the SYN unanswered: no RST, nc
# times out instead of being refused.
xrt_cli_ok r -4 acl add dir local ipproto tcp dport 22 action drop
xrt_exec a nc -4 -z -w 2 192.0.2.1 22 2>/dev/null && xrt_fail "TCP 22 to the router connected"
assert_ge "$(xrt_acl_pkts r dir=local dport_min=22)" 1 "packets counter of the TCP rule"

# 4. Text output, -4/-6 on show and flush.
show=$(xrt_cli r acl show)
assert_contains "$show" "dir local from 0.0.0.0/0 to 192.0.2.1 ipproto icmp icmp-type 8 action drop packets 3" "acl show"
assert_contains "$show" "dir in from 192.0.2.0/24 to 203.0.113.0/24 ipproto udp dport 5353 action drop packets 5" "acl show"
# del finds an IPv4 rule by the same words; the ping is answered again.
xrt_cli_ok r acl del dir local to 192.0.2.1 icmp-type echo-request action drop
xrt_exec a ping -4 -n -c 1 -W 3 192.0.2.1 >/dev/null || xrt_fail "ping to the router after del"
out=$(xrt_cli r -6 acl del dir local icmp-type echo-request action drop 2>&1) &&
	xrt_fail "an IPv6 del removed an IPv4 rule"
assert_contains "$out" "no such rule" "del of the other family's rule"
assert_not_contains "$(xrt_cli r -4 acl show)" "5354" "acl -4 show: no IPv6 rule"
assert_eq "$(xrt_cli r -6 acl show | grep -c .)" 1 "acl -6 show: the IPv6 rule alone"
xrt_cli_ok r -4 acl flush
assert_eq "$(xrt_cli r -4 acl show)" "" "acl -4 flush removed the IPv4 rules"
assert_contains "$(xrt_cli r acl show)" "dport 5354" "acl -4 flush kept the IPv6 rule"
# UDP 5353 arrives now.
echo after-flush | xrt_exec a socat -u - "UDP4-SENDTO:$B:5353"
xrt_wait_for '[ -s "$XRT_TMP/u5353" ]' 5 || xrt_fail "UDP 5353 still dropped after acl -4 flush"
xrt_pass "acl4: IPv4 rules in XDP (prerouting, forward) and xrtd (local), families apart, counters"
