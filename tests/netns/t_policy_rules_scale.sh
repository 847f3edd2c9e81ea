#!/usr/bin/env bash
# xrt: policy rules at scale and their kernel semantics end to end: a rule
# naming a device that does not exist yet matches once it is created
# (fib_rules_event); rpf looks the source up through the rules
# (fib_validate_source's fib_lookup on the reverse flow, a rule sending the
# way back to another table), in XDP and in xrtd; hundreds of rules keep
# the traffic, `xrt route get ... from S iif D` and the fast path agreeing;
# the full list (1024) is refused with iproute2's style of error, counted,
# nothing changed.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_host_ns a
xrt_router_ns r
xrt_host_ns b
xrt_host_ns c
xrt_host_ns e
xrt_link a r
xrt_link r b
xrt_link r c
IF_AR=$(xrt_if a r) IF_RA=$(xrt_if r a) IF_RB=$(xrt_if r b) IF_BR=$(xrt_if b r)
IF_RC=$(xrt_if r c) IF_CR=$(xrt_if c r)
IF_RE=$(xrt_if r e) IF_ER=$(xrt_if e r) # created later
A=$(xrt_ns a) R=$(xrt_ns r)

xrt_host a "$IF_AR" 2001:db8:1::2/64 2001:db8:1::1
ip -n "$A" -6 addr add 2001:db8:5::2/128 dev "$IF_AR" nodad
for h in b:2:"$IF_BR" c:3:"$IF_CR"; do
	IFS=: read -r n i dev <<<"$h"
	xrt_host "$n" "$dev" "2001:db8:$i::2/64" "2001:db8:$i::1"
	# The same destination behind both uplinks.
	ip -n "$(xrt_ns "$n")" -6 addr add 2001:db8:d::1/128 dev lo
done

xrt_xrtd_start r
for i in "$IF_RA" "$IF_RB" "$IF_RC"; do xrt_cli_ok r link attach dev "$i"; done
xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok r addr add 2001:db8:2::1/64 dev "$IF_RB"
xrt_cli_ok r addr add 2001:db8:3::1/64 dev "$IF_RC"
xrt_cli_ok r route add 2001:db8:d::/64 via 2001:db8:2::2 dev "$IF_RB"
xrt_cli_ok r route add 2001:db8:d::/64 via 2001:db8:3::2 dev "$IF_RC" table 100
xrt_cli_ok r route add 2001:db8:5::/64 via 2001:db8:1::2 dev "$IF_RA" table 200

# echos NS: IPv6 echo requests NS's kernel received.
echos() { xrt_exec "$1" awk '$1 == "Icmp6InEchos" {print $2}' /proc/net/snmp6; }
# via SRC UPLINK OTHER: 3 pings from SRC to d::1 answered, all through UPLINK.
via() {
	local src=$1 up=$2 other=$3 ns=${4:-a} u0 o0
	u0=$(echos "$up") o0=$(echos "$other")
	xrt_exec "$ns" ping -6 -n -c 3 -i 0.2 -W 2 -I "$src" 2001:db8:d::1 >/dev/null ||
		xrt_fail "ping 2001:db8:d::1 from $src"
	assert_eq "$(($(echos "$up") - u0))" 3 "echo requests from $src at $up"
	assert_eq "$(($(echos "$other") - o0))" 0 "echo requests from $src at $other"
}
via 2001:db8:1::2 b c

# 1. A rule for a device that does not exist yet: kept, shown detached,
# matching nothing; the device created and attached, its traffic matches.
xrt_cli_ok r rule add iif "$IF_RE" to 2001:db8:d::/64 table 100 priority 100
assert_contains "$(xrt_cli r -6 rule show)" "iif $IF_RE [detached] lookup 100" "rule for a missing device"
xrt_link e r
xrt_host e "$IF_ER" 2001:db8:e::2/64 2001:db8:e::1
xrt_wait_for "! xrt_cli r -6 rule show | grep -qF '[detached]'" 5 ||
	xrt_fail "the rule did not follow the new device: $(xrt_cli r -6 rule show)"
xrt_cli_ok r link attach dev "$IF_RE"
xrt_cli_ok r addr add 2001:db8:e::1/64 dev "$IF_RE"
xrt_cli_ok r route add 2001:db8:e::/64 dev "$IF_RE" table 100
via 2001:db8:e::2 c b e
assert_contains "$(xrt_cli r route get 2001:db8:d::1 from 2001:db8:e::2 iif "$IF_RE")" "dev $IF_RC" "route get from the new device"
# a's traffic is not from that device: main, uplink b.
via 2001:db8:1::2 b c

# 2. rpf through the rules. a's 2001:db8:5::2 has no route back in main:
# strict rpf drops it (XDP); with a rule sending the way back to table
# 200 (through a's link) it passes, in XDP and in xrtd.
xrt_cli_ok r link set dev "$IF_RA" rpf strict
d0=$(xrt_fp_stat r drop:rpf_strict)
xrt_exec a ping -6 -n -c 2 -i 0.2 -W 1 -I 2001:db8:5::2 2001:db8:d::1 >/dev/null &&
	xrt_fail "ping from a source without a way back passed rpf"
assert_ge "$(($(xrt_fp_stat r drop:rpf_strict) - d0))" 2 "drop:rpf_strict without the rule"
xrt_cli_ok r rule add to 2001:db8:5::/64 table 200 priority 50
d0=$(xrt_fp_stat r drop:rpf_strict)
via 2001:db8:5::2 b c
assert_eq "$(($(xrt_fp_stat r drop:rpf_strict) - d0))" 0 "drop:rpf_strict with the rule"
# xrtd's own check (a packet with a hop-by-hop header is punted before the
# fast path's): the same answer.
HBH="Ether(dst=a[0])/IPv6(src='2001:db8:5::2', dst='2001:db8:d::1')/IPv6ExtHdrHopByHop()/ICMPv6EchoRequest()"
n0=$(xrt_nf_drops r) e0=$(echos b)
xrt_scapy_send a "$IF_AR" 2 "$HBH" "$(xrt_mac r "$IF_RA")"
xrt_wait_for '[ "$(($(echos b) - e0))" -ge 2 ]' 5 ||
	xrt_fail "xrtd did not forward the hop-by-hop echoes with the rule"
assert_eq "$(($(xrt_nf_drops r) - n0))" 0 "xrtd's rpf drops with the rule"
xrt_cli_ok r -6 rule del priority 50
xrt_scapy_send a "$IF_AR" 2 "$HBH" "$(xrt_mac r "$IF_RA")"
xrt_wait_for '[ "$(($(xrt_nf_drops r) - n0))" -ge 2 ]' 5 ||
	xrt_fail "xrtd's rpf: $(($(xrt_nf_drops r) - n0)) drops without the rule, want 2"
xrt_cli_ok r link set dev "$IF_RA" rpf off

# 3. Hundreds of rules: 400 that match none of the test's traffic, spread
# through the priorities, around the ones that do; the paths and route get
# stay as they were, and agree.
{
	for i in $(seq 1 400); do
		printf -- '-6 rule add from 2001:db8:%x::/64 ipproto udp dport %d table 100 priority %d\n' $((0x100 + i)) "$i" $((1000 + i * 10))
	done
	echo "-6 rule add from 2001:db8:1::2 table 100 priority 2500"
} >"$XRT_TMP/many.batch"
xrt_cli_ok r -batch "$XRT_TMP/many.batch"
via 2001:db8:1::2 c b
assert_contains "$(xrt_cli r route get 2001:db8:d::1 from 2001:db8:1::2 iif "$IF_RA")" "dev $IF_RC" "route get agrees (rule 2500)"
via 2001:db8:e::2 c b e
xrt_cli_ok r rule del from 2001:db8:1::2 table 100 priority 2500
via 2001:db8:1::2 b c
assert_contains "$(xrt_cli r route get 2001:db8:d::1 from 2001:db8:1::2 iif "$IF_RA")" "dev $IF_RB" "route get agrees (main)"

# 4. The bound: 1024 rules in all; the next is refused with one line
# naming the limit, counted, and the list is unchanged.
nrules() { echo $(($(xrt_cli r -6 rule show | grep -c '^[0-9]') + $(xrt_cli r -4 rule show | grep -c '^[0-9]'))); }
have=$(nrules)
{
	for i in $(seq 1 $((1024 - have))); do
		printf -- '-6 rule add from 2001:db8:%x::/64 table 100 priority %d\n' $((0x1000 + i)) $((20000 + i))
	done
} >"$XRT_TMP/fill.batch"
xrt_cli_ok r -batch "$XRT_TMP/fill.batch"
out=$(xrt_cli r -6 rule add from 2001:db8:ffff::/64 table 100 2>&1) && xrt_fail "rule 1025 accepted"
assert_contains "$out" "rule: full (1024 rules); delete one first" "the bound's error"
assert_not_contains "$(xrt_cli r -6 rule show)" "2001:db8:ffff::" "the refused rule"
assert_eq "$(nrules)" 1024 "rules in a full list"
assert_contains "$(xrt_cli r -6 rule show)" "# refused: 1 adds" "refused adds counted"
# A full list still forwards by the right rule.
via 2001:db8:e::2 c b e
xrt_pass
