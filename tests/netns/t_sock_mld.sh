#!/usr/bin/env bash
# xrt: MLDv2 (RFC 3810) on the wire: xrtd reports its own groups (the solicited-node groups of its addresses, all-routers) when a link is attached and an address added, robustness-times, from its link-local address with hop limit 1 and Router Alert; it queries as the link's querier; a kernel host's General Query is answered with a Current State Report; an address removed is left.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
xrt_require_xrt

xrt_topo_line
R=$TOPO_R A=$TOPO_A
xrt_xrtd_start $R
sp_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {v = $2} END {print v}'; }

# Capture what the router sends on a's link: MLD (ICMPv6 after an 8-byte
# hop-by-hop header: type at ip6[48]) from anything but a itself.
ALL=$XRT_TMP/all.cap
xrt_bg $A cap-all tcpdump -U -n -i "$IF_AR" -w "$ALL" 'ip6[6] == 0 and ip6[40] == 58 and (ip6[48] == 143 or ip6[48] == 130)'
capall=$XRT_LAST_PID
xrt_wait_for "grep -q 'listening on' '$XRT_TMP/cap-all.log'" 10 || xrt_fail "tcpdump did not start"

xrt_topo_line_program
RLL=$(xrt_lladdr $R "$IF_RA")
[ -n "$RLL" ] || xrt_fail "router has no link-local on $IF_RA"
# Solicited-node group of an address (RFC 4291 2.7.1).
sn() { "$XRT_PY" -c "import ipaddress,sys; a=ipaddress.IPv6Address(sys.argv[1]).packed; print(ipaddress.IPv6Address(bytes.fromhex('ff0200000000000000000001ff')+a[13:]))" "$1"; }
SN_LL=$(sn "$RLL") SN_GL=$(sn 2001:db8:1::1)

decode() { tcpdump -n -vv -r "$ALL" "src host $RLL" 2>/dev/null; }
# 4 groups on a's link (ff02::2, the two solicited-node groups and the
# Subnet-Router anycast's), each reported twice (Robustness Variable).
joined() { local g; for g in ff02::2 "$SN_GL" ff02::1:ff00:0; do [ "$(decode | grep -c "gaddr $g to_ex")" -ge 2 ] || return 1; done; }
xrt_wait_for joined 10 ||
	xrt_fail "unsolicited reports: $(decode)"
out=$(decode)
# The router namespace's kernel owns the same link-local and reports its
# solicited-node group too: that group is seen at least twice; the groups
# only xrtd has exactly twice.
for g in ff02::2 "$SN_GL" ff02::1:ff00:0; do
	n=$(grep -c "gaddr $g to_ex" <<<"$out" || true)
	assert_eq "$n" 2 "state change reports for $g (join, robustness 2)"
done
assert_ge "$(grep -c "gaddr $SN_LL to_ex" <<<"$out" || true)" 2 "reports for the link-local's group"
assert_not_contains "$out" "gaddr ff02::1 " "ff02::1 is never reported (RFC 3810 6)"
assert_contains "$out" "$RLL > ff02::16" "reports from the link-local to all MLDv2 routers"
assert_contains "$out" "hlim 1" "hop limit 1"
assert_contains "$out" "HBH (rtalert: 0x0000)" "Router Alert (MLD) hop-by-hop option"
assert_contains "$out" "multicast listener query v2" "the router queries as the link's querier"
assert_contains "$out" "$RLL > ff02::1:" "General Query to all nodes"

# A kernel host's General Query (scapy: MLDv2, Maximum Response Delay 1 s):
# one Current State Report with every group, within the delay.
xrt_exec $A "$XRT_PY" - "$IF_AR" <<'PY' || xrt_fail "scapy query"
import sys
from scapy.all import Ether, IPv6, IPv6ExtHdrHopByHop, RouterAlert, ICMPv6MLQuery2, sendp, conf
conf.verb = 0
q = (Ether(dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=1) /
     IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)]) / ICMPv6MLQuery2(mrd=1000))
sendp(q, iface=sys.argv[1])
PY
xrt_wait_for "decode | grep -q 'gaddr $SN_GL is_ex'" 5 ||
	xrt_fail "no answer to the General Query: $(decode | tail -5)"
out=$(decode)
for g in ff02::2 "$SN_LL" "$SN_GL" ff02::1:ff00:0; do
	assert_contains "$out" "gaddr $g is_ex" "Current State Report names $g"
done
assert_contains "$out" "4 group record(s) [gaddr" "one report with every group"
assert_ge "$(sp_stat Icmp6InGroupMembQueries)" 1 "the query was counted"
assert_ge "$(sp_stat Icmp6OutMLDv2Reports)" 9 "reports counted"

# Neighbour discovery of the router (to the solicited-node group it
# reported) still works from the kernel host.
xrt_exec $A ip -6 neigh flush dev "$IF_AR"
xrt_exec $A ping -6 -c 1 -W 2 2001:db8:1::1 >/dev/null || xrt_fail "host a cannot reach the router after ND"

# An address removed: its solicited-node group is left (to_in {}).
t_add=$(date +%s.%N)
xrt_cli_ok $R addr add 2001:db8:1::77/64 dev "$IF_RA"
SN_77=$(sn 2001:db8:1::77)
xrt_wait_for "[ \$(decode | grep -c 'gaddr $SN_77 to_ex') -ge 2 ]" 5 || xrt_fail "new address not joined: $(decode | tail -3)"
t_rep=$(tcpdump -n -tt -vv -r "$ALL" "src host $RLL" 2>/dev/null | grep "gaddr $SN_77 to_ex" | head -1 | cut -d' ' -f1)
xrt_log "address added -> first report on the wire: $(awk -v a="$t_add" -v b="$t_rep" 'BEGIN {printf "%.0f ms", (b - a) * 1000}')"
xrt_cli_ok $R addr del 2001:db8:1::77/64 dev "$IF_RA"
xrt_wait_for "[ \$(decode | grep -c 'gaddr $SN_77 to_in') -ge 2 ]" 5 || xrt_fail "removed address not left: $(decode | tail -3)"
xrt_stop "$capall"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "MLDv2 reports for xrtd's own groups on attach, on address add and remove; General Query answered; querier queries"
