#!/usr/bin/env bash
# xrt: policy routing end to end (`xrt rule`, both families): traffic from
# two sources of host a through one router takes tables 100 and 100000 (a
# 32-bit id) to uplinks b and c, proven by the echo requests each uplink
# receives; `xrt route get ... from` predicts the uplink; unreachable and
# prohibit rules answer with the kernel's ICMP codes; blackhole drops,
# counted; del, flush, `xrt monitor rule`, configuration reload (kept,
# swept, taken back on failure); the kernel mirror follows `ip rule` and
# `ip -6 rule`, a rule with an fwmark sends its traffic to the kernel.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_host_ns a
xrt_router_ns r
xrt_host_ns b
xrt_host_ns c
xrt_link a r
xrt_link r b
xrt_link r c
IF_AR=$(xrt_if a r) IF_RA=$(xrt_if r a) IF_RB=$(xrt_if r b) IF_BR=$(xrt_if b r)
IF_RC=$(xrt_if r c) IF_CR=$(xrt_if c r)
A=$(xrt_ns a) B=$(xrt_ns b) C=$(xrt_ns c)

xrt_host a "$IF_AR" 2001:db8:1::2/64 2001:db8:1::1
ip -n "$A" -6 addr add 2001:db8:1::3/64 dev "$IF_AR" nodad
ip -n "$A" addr add 10.1.0.2/24 dev "$IF_AR"
ip -n "$A" addr add 10.1.0.3/24 dev "$IF_AR"
ip -n "$A" route add default via 10.1.0.1
for h in b:2:"$IF_BR" c:3:"$IF_CR"; do
	IFS=: read -r n i dev <<<"$h"
	xrt_host "$n" "$dev" "2001:db8:$i::2/64" "2001:db8:$i::1"
	ip -n "$(xrt_ns "$n")" addr add "10.$i.0.2/24" dev "$dev"
	ip -n "$(xrt_ns "$n")" route add default via "10.$i.0.1"
	# The same destination behind both uplinks: only the rules tell
	# which one a packet takes.
	ip -n "$(xrt_ns "$n")" -6 addr add 2001:db8:d::1/128 dev lo
	ip -n "$(xrt_ns "$n")" addr add 10.9.9.9/32 dev lo
done

CONF=$XRT_TMP/xrt.conf
printf 'rule add to 2001:db8:77::/64 prohibit priority 300\n' >"$CONF"
xrt_xrtd_start r -c "$CONF"
for i in "$IF_RA" "$IF_RB" "$IF_RC"; do xrt_cli_ok r link attach dev "$i"; done
xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok r addr add 2001:db8:2::1/64 dev "$IF_RB"
xrt_cli_ok r addr add 2001:db8:3::1/64 dev "$IF_RC"
xrt_cli_ok r addr add 10.1.0.1/24 dev "$IF_RA"
xrt_cli_ok r addr add 10.2.0.1/24 dev "$IF_RB"
xrt_cli_ok r addr add 10.3.0.1/24 dev "$IF_RC"
xrt_cli_ok r route add 2001:db8:d::/64 via 2001:db8:2::2 dev "$IF_RB" table 100
xrt_cli_ok r route add 2001:db8:d::/64 via 2001:db8:3::2 dev "$IF_RC" table 100000
xrt_cli_ok r route add 10.9.9.0/24 via 10.2.0.2 dev "$IF_RB" table 100
xrt_cli_ok r route add 10.9.9.0/24 via 10.3.0.2 dev "$IF_RC" table 100000

# `xrt monitor rule` streams rule changes (as `ip monitor rule`).
xrt_bg r mon-rule "$XRT_BUILD/xrt" monitor rule
mons() { xrt_exec r ss -Hxp | grep -c '"xrt",pid' || true; }
xrt_wait_for '[ "$(mons)" -ge 1 ]' 5 || xrt_fail "the rule monitor did not connect"

assert_contains "$(xrt_cli r -6 rule show)" "300:	from all to 2001:db8:77::/64 prohibit" "rule from the file"

# Grammar and errors (iproute2's words).
out=$(xrt_cli r rule add from 2001:db8:1::2 lookup nosuchtable 2>&1) && xrt_fail "bad table accepted"
assert_contains "$out" 'argument "nosuchtable" is wrong: invalid table ID' "bad table"
out=$(xrt_cli r rule add from 2001:db8:1::2 bogus 2>&1) && xrt_fail "bad word accepted"
assert_contains "$out" 'argument "bogus" is wrong: Failed to parse rule type' "bad word"
out=$(xrt_cli r rule del priority 4242 2>&1) && xrt_fail "del of a missing rule"
assert_contains "$out" "No such file or directory" "del of a missing rule"

# The kernel's default rules, per family.
assert_eq "$(xrt_cli r rule show)" "$(printf '0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default')" "IPv4 default rules"
assert_contains "$(xrt_cli r -6 rule show)" "32766:	from all lookup main" "IPv6 default rules"

xrt_cli_ok r rule add from 2001:db8:1::2 table 100
xrt_cli_ok r rule add from 2001:db8:1::3 table 100000
xrt_cli_ok r rule add from 10.1.0.2 lookup 100
xrt_cli_ok r -4 rule add from 10.1.0.3 table 100000 priority 200
show=$(xrt_cli r -6 rule show)
# Auto priority: one below the second rule's (fib_default_rule_pref),
# here the file's rule 300; IPv4's list has no such rule: 32765.
assert_contains "$show" "299:	from 2001:db8:1::2 lookup 100" "first auto priority"
assert_contains "$show" "298:	from 2001:db8:1::3 lookup 100000" "second auto priority"
assert_contains "$(xrt_cli r rule show)" "32765:	from 10.1.0.2 lookup 100" "IPv4 auto priority"
assert_contains "$(xrt_cli r rule show)" "200:	from 10.1.0.3 lookup 100000" "explicit priority"
MON=$XRT_TMP/mon-rule.log
xrt_wait_for "grep -qF '200:	from 10.1.0.3 lookup 100000' $MON" 5 ||
	xrt_fail "no rule event: $(cat "$MON")"
j=$(xrt_cli r -6 -j rule show | "$XRT_PY" -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x.get("table") == "100000"][0]
print(r["priority"], r["src"], r["srclen"])')
assert_eq "$j" "298 2001:db8:1::3 128" "rule show -j"
out=$(xrt_cli r rule add from 10.1.0.2 lookup 100 priority 32765 2>&1) && xrt_fail "duplicate accepted"
assert_contains "$out" "File exists" "duplicate rule"

# route get predicts the uplink.
assert_contains "$(xrt_cli r route get 2001:db8:d::1 from 2001:db8:1::2 iif "$IF_RA")" "dev $IF_RB" "route get from ::2"
assert_contains "$(xrt_cli r route get 2001:db8:d::1 from 2001:db8:1::3 iif "$IF_RA")" "dev $IF_RC table 100000" "route get from ::3"
assert_contains "$(xrt_cli r route get 10.9.9.9 from 10.1.0.3 iif "$IF_RA")" "dev $IF_RC" "route get from 10.1.0.3"

# echos NS: echo requests NS's kernel received (IPv6 and IPv4 summed).
echos() {
	xrt_exec "$1" "$XRT_PY" -c '
v6 = dict(l.split() for l in open("/proc/net/snmp6"))["Icmp6InEchos"]
rows = [l.split() for l in open("/proc/net/snmp") if l.startswith("Icmp:")]
print(int(v6) + int(dict(zip(rows[0], rows[1]))["InEchos"]))'
}
# send SRC DST UPLINK OTHER: 5 pings from SRC answered, all through UPLINK.
send() {
	local src=$1 dst=$2 up=$3 other=$4 u0 o0
	u0=$(echos "$up") o0=$(echos "$other")
	xrt_exec a ping -n -c 5 -i 0.2 -W 2 -I "$src" "$dst" >/dev/null ||
		xrt_fail "ping $dst from $src through the rules"
	assert_eq "$(($(echos "$up") - u0))" 5 "echo requests from $src at uplink $up"
	assert_eq "$(($(echos "$other") - o0))" 0 "echo requests from $src at uplink $other"
}
send 2001:db8:1::2 2001:db8:d::1 b c
send 2001:db8:1::3 2001:db8:d::1 c b
send 10.1.0.2 10.9.9.9 b c
send 10.1.0.3 10.9.9.9 c b
# The fast path forwarded them: 20 IPv6 echoes and replies, less the few
# that waited in xrtd for the uplinks' neighbour discovery.
assert_ge "$(xrt_fp_stat r Ip6OutForwDatagrams)" 15 "IPv6 forwarded in XDP"

# Unreachable and prohibit rules: the kernel's ICMP (RFC 4443 3.1 codes 0
# and 1; RFC 1812 5.2.7.1 host unreachable and code 13).
xrt_cli_ok r rule add to 2001:db8:e::/64 unreachable priority 10
xrt_cli_ok r rule add to 2001:db8:f::/64 prohibit priority 11
xrt_cli_ok r rule add to 10.8.0.0/24 unreachable priority 10
xrt_cli_ok r rule add to 10.7.0.0/24 prohibit priority 11
out=$(xrt_exec a ping -n -c 1 -W 2 2001:db8:e::1 2>&1) && xrt_fail "ping through an unreachable rule"
assert_contains "$out" "Destination unreachable: No route" "IPv6 unreachable rule"
out=$(xrt_exec a ping -n -c 1 -W 2 2001:db8:f::1 2>&1) && xrt_fail "ping through a prohibit rule"
assert_contains "$out" "Destination unreachable: Administratively prohibited" "IPv6 prohibit rule"
out=$(xrt_exec a ping -n -c 1 -W 2 10.8.0.1 2>&1) && xrt_fail "ping through an IPv4 unreachable rule"
assert_contains "$out" "Destination Host Unreachable" "IPv4 unreachable rule"
out=$(xrt_exec a ping -n -c 1 -W 2 10.7.0.1 2>&1) && xrt_fail "ping through an IPv4 prohibit rule"
assert_contains "$out" "Packet filtered" "IPv4 prohibit rule"
out=$(xrt_cli r route get 2001:db8:e::1 2>&1) && xrt_fail "route get through an unreachable rule"
assert_contains "$out" "rule 10 is unreachable" "route get names the rule"

# Blackhole: dropped in XDP and counted.
xrt_cli_ok r rule add from 2001:db8:1::3 to 2001:db8:d::/64 blackhole priority 5
d0=$(xrt_fp_stat r drop:blackhole)
xrt_exec a ping -n -c 3 -i 0.2 -W 1 -I 2001:db8:1::3 2001:db8:d::1 >/dev/null &&
	xrt_fail "ping through a blackhole rule"
assert_ge "$(($(xrt_fp_stat r drop:blackhole) - d0))" 3 "drop:blackhole"

# Deleting rules: traffic from ::2 without its rule finds no route in main.
# Without -6 and an address a rule command is IPv4's (iproute2).
out=$(xrt_cli r rule del priority 5 2>&1) && xrt_fail "IPv4 del found the IPv6 rule"
xrt_cli_ok r -6 rule del priority 5
xrt_wait_for "grep -qF 'Deleted 5:	from 2001:db8:1::3 to 2001:db8:d::/64 blackhole' $MON" 5 ||
	xrt_fail "no rule deletion event: $(cat "$MON")"
xrt_cli_ok r rule del from 2001:db8:1::2 table 100
xrt_exec a ping -n -c 1 -W 2 -I 2001:db8:1::2 2001:db8:d::1 >/dev/null &&
	xrt_fail "ping from ::2 after its rule went"
send 2001:db8:1::3 2001:db8:d::1 c b

# Flush keeps priority 0 only, per family.
xrt_cli_ok r -6 rule flush
assert_eq "$(xrt_cli r -6 rule show)" "$(printf '0:\tfrom all lookup local')" "after -6 rule flush"
assert_contains "$(xrt_cli r rule show)" "from 10.1.0.3 lookup 100000" "IPv4 rules stay"

# The kernel is the reference: the same commands in host b's kernel
# (ip -6 rule) and in xrt (-batch) give the same list, priorities chosen
# the same way, printed the same way.
ip -n "$B" -6 rule flush
cat >"$XRT_TMP/rules.batch" <<EOB
-6 rule add table main priority 32766
-6 rule add table default priority 32767
-6 rule add from 2001:db8:1::/64 table 100
-6 rule add from 2001:db8:2::/64 table 100000
-6 rule add to 2001:db8:f::/64 unreachable priority 10
-6 rule add from 2001:db8:3::/64 ipproto udp dport 53 prohibit
-6 rule add from 2001:db8:7::/64 ipproto tcp sport 1000-2000 blackhole
-6 rule add iif lo table 300
-6 rule add to 2001:db8:9::1 table main priority 7
EOB
sed 's/^-6 //' "$XRT_TMP/rules.batch" | ip -n "$B" -6 -batch - || xrt_fail "the kernel refused the rules"
xrt_cli_ok r -batch "$XRT_TMP/rules.batch"
assert_eq "$(xrt_cli r -6 rule show)" "$(ip -n "$B" -6 rule show)" "xrt -6 rule show vs the kernel's"
ip -n "$B" -6 rule del priority 10
xrt_cli_ok r -6 rule del priority 10
ip -n "$B" -6 rule del from 2001:db8:1::/64
xrt_cli_ok r -6 rule del from 2001:db8:1::/64
assert_eq "$(xrt_cli r -6 rule show)" "$(ip -n "$B" -6 rule show)" "after del, vs the kernel"
ip -n "$B" -6 rule flush
xrt_cli_ok r -6 rule flush
assert_eq "$(xrt_cli r -6 rule show)" "$(ip -n "$B" -6 rule show)" "after flush, vs the kernel"
# b is a host again: its main table answers the pings below.
ip -n "$B" -6 rule add table main priority 32766

# The kernel mirror: `ip rule add` and `ip -6 rule add` in r's kernel
# become xrt rules (dump, then events); a rule with a selector xrt cannot
# evaluate (fwmark) is listed by `xrt sync` and its traffic goes to the
# kernel, counted; `ip rule del` removes it again.
R=$(xrt_ns r)
ip -n "$R" -6 rule add from 2001:db8:1::2 table 100 pref 50
xrt_cli_ok r sync kernel on
xrt_wait_for "xrt_cli r -6 rule show | grep -qF '50:	from 2001:db8:1::2 lookup 100'" 5 ||
	xrt_fail "the dump did not bring ip -6 rule: $(xrt_cli r -6 rule show)"
ip -n "$R" rule add from 10.1.0.2 table 100000 pref 51
xrt_wait_for "xrt_cli r rule show | grep -qF '51:	from 10.1.0.2 lookup 100000'" 5 ||
	xrt_fail "ip rule add was not mirrored: $(xrt_cli r rule show)"
send 2001:db8:1::2 2001:db8:d::1 b c
send 10.1.0.2 10.9.9.9 c b
ip -n "$R" -6 rule add from 2001:db8:1::2 fwmark 7 table 100000 pref 40
xrt_wait_for "xrt_cli r sync | grep -qF 'unsupported rules (to the kernel): inet6/40'" 5 ||
	xrt_fail "the fwmark rule is not listed as unsupported: $(xrt_cli r sync)"
assert_contains "$(xrt_cli r -6 rule show)" "40:	from 2001:db8:1::2 [unsupported: to the kernel] lookup 100000" "rule show marks it"
p0=$(xrt_fp_stat r pass:rule_unsupported)
xrt_exec a ping -n -c 2 -i 0.2 -W 1 -I 2001:db8:1::2 2001:db8:d::1 >/dev/null || true
assert_ge "$(($(xrt_fp_stat r pass:rule_unsupported) - p0))" 2 "pass:rule_unsupported"
out=$(xrt_cli r route get 2001:db8:d::1 from 2001:db8:1::2 2>&1) && xrt_fail "route get through the fwmark rule"
assert_contains "$out" "rule 40 has a selector xrt cannot evaluate" "route get names the unsupported rule"
ip -n "$R" -6 rule del pref 40
xrt_wait_for "! xrt_cli r -6 rule show | grep -qF '40:'" 5 || xrt_fail "ip rule del was not mirrored"
send 2001:db8:1::2 2001:db8:d::1 b c
xrt_cli_ok r sync kernel off
assert_not_contains "$(xrt_cli r -6 rule show)" "50:" "mirrored rules go with sync kernel off"

# The configuration file: a reload keeps the rules it still names (an
# auto-priority one is not added twice), removes the others, and a file
# that fails changes nothing.
printf 'rule add to 2001:db8:78::/64 unreachable\n' >"$CONF"
xrt_cli_ok r config reload
assert_contains "$(xrt_cli r -6 rule show)" "to 2001:db8:78::/64 unreachable" "rule the file names now"
xrt_cli_ok r config reload
assert_eq "$(xrt_cli r -6 rule show | grep -c '2001:db8:78::')" 1 "an auto-priority rule after a second reload"
printf 'rule add to 2001:db8:79::/64 prohibit priority 400\n' >"$CONF"
xrt_cli_ok r config reload
show=$(xrt_cli r -6 rule show)
assert_not_contains "$show" "2001:db8:78::" "rule the file no longer names"
assert_contains "$show" "400:	from all to 2001:db8:79::/64 prohibit" "rule the file names now"
printf 'rule add to 2001:db8:7b::/64 blackhole\nrule add to 2001:db8:7a::/64 frob\n' >"$CONF"
out=$(xrt_cli r config reload 2>&1) && xrt_fail "a reload with a bad rule succeeded"
assert_contains "$out" 'argument "frob" is wrong' "reload error"
assert_eq "$(xrt_cli r -6 rule show)" "$show" "rules after a failed reload"
# Fails when applied (the CLI's rule 200 exists): the rule added before it
# is taken back.
printf 'rule add to 2001:db8:7b::/64 blackhole\n-4 rule add from 10.1.0.3 table 100000 priority 200\n' >"$CONF"
out=$(xrt_cli r config reload 2>&1) && xrt_fail "a reload with an existing rule succeeded"
assert_contains "$out" "File exists" "reload error when applied"
assert_eq "$(xrt_cli r -6 rule show)" "$show" "rules after a reload taken back"

xrt_pass "rules pick tables per source (100 and 100000) in XDP for IPv6 and IPv4; route get agrees; unreachable/prohibit answer with the kernel's ICMP; blackhole drops; del and flush; the kernel mirror follows ip rule / ip -6 rule, unsupported selectors go to the kernel"
