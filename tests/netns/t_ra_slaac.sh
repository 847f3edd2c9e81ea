#!/usr/bin/env bash
# xrt: Router Advertisements (RFC 4861 6.2) from the configuration file reach
# a kernel host doing SLAAC (accept_ra=2, autoconf=1): it forms an address
# from the advertised prefix, takes the router's link-local address as its
# default gateway and the advertised MTU, then pings a host behind the router
# through xrt. A Router Solicitation is answered (6.2.6); `ra set ... off`
# sends a final RA with router lifetime 0 and the host drops its default
# route (6.2.5); a config reload without the ra line, a link detach and
# xrtd's shutdown do the same.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xr}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping tcpdump
xrt_require_xrt

xrt_host_ns a
xrt_router_ns r
xrt_host_ns b
xrt_link a r
xrt_link r b
IF_AR=$(xrt_if a r) IF_RA=$(xrt_if r a) IF_RB=$(xrt_if r b) IF_BR=$(xrt_if b r)
MAC_BR=$(xrt_mac b "$IF_BR") MAC_RB=$(xrt_mac r "$IF_RB")
LL_RA=$(xrt_lladdr r "$IF_RA")
[ -n "$LL_RA" ] || xrt_fail "no link-local address on $IF_RA"

# b: an ordinary host behind the router (static, as in the other tests).
xrt_host b "$IF_BR" 2001:db8:2::2/64 2001:db8:2::1
xrt_static_neigh b "$IF_BR" 2001:db8:2::1 "$MAC_RB"
# a: nothing but SLAAC. accept_ra=2 takes RAs even if forwarding were on.
xrt_exec a sysctl -qw "net.ipv6.conf.$IF_AR.accept_ra=2" \
	"net.ipv6.conf.$IF_AR.autoconf=1" "net.ipv6.conf.$IF_AR.accept_ra_defrtr=1" \
	"net.ipv6.conf.$IF_AR.accept_ra_pinfo=1" "net.ipv6.conf.$IF_AR.accept_ra_mtu=1"
xrt_xdp_pass a "$IF_AR" # a receives frames the router redirects

conf=$XRT_TMP/xrtd.conf
write_conf() { # EXTRA_LINES...
	{
		echo "link attach dev $IF_RA"
		echo "link attach dev $IF_RB"
		echo "addr add 2001:db8:1::1/64 dev $IF_RA"
		echo "addr add 2001:db8:2::1/64 dev $IF_RB"
		echo "neigh add 2001:db8:2::2 lladdr $MAC_BR dev $IF_RB"
		printf '%s\n' "$@"
	} >"$conf"
}
# A long interval: after the first RA the next unsolicited one is 16 s
# away (RFC 4861 6.2.4), so an RA sooner than that answers our RS.
write_conf "ra set dev $IF_RA on interval 1800 min-interval 1350 lifetime 1800 mtu 1400 prefix 2001:db8:1::/64 valid 3600 preferred 1800"

# A bad ra line stops xrtd at start with FILE:LINE and names the word.
bad=$XRT_TMP/bad.conf
printf '%s\n' "ra set dev $IF_RA on prefix 2001:db8:1::/48" >"$bad"
xrt_bpffs r
out=$(xrt_exec r "$XRT_BUILD/xrtd" -f -c "$bad" --bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "xrtd started with a bad ra line"
assert_contains "$out" "$bad:1: prefix 2001:db8:1::/48: autonomous (SLAAC) needs a /64" "bad ra line"

xrt_xrtd_start r -c "$conf"

# The host forms 2001:db8:1::/64 + EUI-64 and a default route via r's fe80.
slaac_addr() {
	ip -n "$(xrt_ns a)" -6 -o addr show dev "$IF_AR" scope global |
		awk '$4 ~ /^2001:db8:1:0?:/ || $4 ~ /^2001:db8:1::/ {sub(/\/.*/, "", $4); print $4; exit}'
}
xrt_wait_for '[ -n "$(slaac_addr)" ]' 20 ||
	xrt_fail "no SLAAC address on a: $(ip -n "$(xrt_ns a)" -6 addr show dev "$IF_AR")"
A_ADDR=$(slaac_addr)
xrt_log "a formed $A_ADDR"
assert_match "$(ip -n "$(xrt_ns a)" -6 -o addr show dev "$IF_AR" scope global)" \
	"inet6 2001:db8:1:0:[0-9a-f:]+/64 scope global dynamic.*valid_lft 3[56][0-9][0-9]sec preferred_lft 1[78][0-9][0-9]sec" \
	"SLAAC address from the advertised prefix, with its valid/preferred lifetimes"
xrt_wait_for "ip -n $(xrt_ns a) -6 route show default | grep -q 'via $LL_RA dev $IF_AR'" 10 ||
	xrt_fail "no default route via $LL_RA: $(ip -n "$(xrt_ns a)" -6 route show)"
defrt=$(ip -n "$(xrt_ns a)" -6 route show default)
assert_contains "$defrt" "proto ra" "default route learned from the RA"
# Router lifetime 1800: the route expires within 1800 s.
exp=$(sed -n 's/.*expires \([0-9]*\)sec.*/\1/p' <<<"$defrt")
assert_le "${exp:-99999}" 1800 "default route lifetime"
assert_ge "${exp:-0}" 1 "default route lifetime"
# MTU option 1400.
assert_eq "$(xrt_exec a sysctl -n "net.ipv6.conf.$IF_AR.mtu")" 1400 "MTU from the RA's MTU option"

# ra show, text and JSON, says what is advertised.
out=$(xrt_cli r ra show dev "$IF_RA")
assert_contains "$out" "$IF_RA: ra on min-interval 1350 interval 1800 lifetime 1800 mtu 1400" "ra show"
assert_contains "$out" "prefix 2001:db8:1::/64 onlink autonomous valid 3600 preferred 1800" "ra show prefix"
out=$(xrt_cli r ra show dev "$IF_RB")
assert_eq "$out" "$IF_RB: ra off" "ra show of a link without RA"
js=$(xrt_cli r -j ra show)
ok=$("$XRT_PY" -c '
import json, sys
v = {x["ifname"]: x for x in json.loads(sys.argv[1])}
a, b = v[sys.argv[2]], v[sys.argv[3]]
p = a["prefixes"][0]
print(a["ra"] and not b["ra"] and a["lifetime"] == 1800 and a["mtu"] == 1400
      and a["max_interval"] == 1800 and a["prefixes_from"] == "config"
      and p == {"prefix": "2001:db8:1::/64", "onlink": True, "autonomous": True,
                "valid": 3600, "preferred": 1800})' "$js" "$IF_RA" "$IF_RB")
assert_eq "$ok" True "ra show -j: $js"

# Through xrt to b and back: r resolves a's new address with ND itself.
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:2::2) || xrt_fail "ping from the SLAAC host: $out"
assert_contains "$out" "3 received" "ping through xrt"
assert_contains "$(xrt_cli r neigh show dev "$IF_RA")" "$A_ADDR" "r learned a's SLAAC address"
fwd1=$(xrt_fp_stat r Ip6OutForwDatagrams)
assert_ge $((fwd1 - fwd0)) 3 "forwarded by the fast path"

# RFC 4861 6.2.6: a Router Solicitation is answered well before the next
# scheduled RA (16 s after the first one).
ra_out() { xrt_cli r stats | awk '$1 == "Icmp6OutRouterAdvertisements" {print $2}'; }
rs_in() { xrt_cli r stats | awk '$1 == "Icmp6InRouterSolicits" {print $2}'; }
n_ra=$(ra_out) n_rs=$(rs_in)
assert_ge "$n_ra" 1 "RAs sent so far"
xrt_capture_start a "$IF_AR" 1 icmp6 and 'ip6[40] == 134'
xrt_exec a "$XRT_PY" -c '
import sys
from scapy.all import Ether, IPv6, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, sendp
ifname, ll, mac = sys.argv[1:4]
sendp(Ether(src=mac, dst="33:33:00:00:00:02") / IPv6(src=ll, dst="ff02::2", hlim=255) /
      ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac), iface=ifname, verbose=0)
' "$IF_AR" "$(xrt_lladdr a "$IF_AR")" "$(xrt_mac a "$IF_AR")"
xrt_capture_wait 10
assert_contains "$XRT_CAP_OUT" "router advertisement" "RA after the RS"
assert_contains "$XRT_CAP_OUT" "router lifetime 1800s" "RA's router lifetime"
assert_contains "$XRT_CAP_OUT" "prefix info option" "RA's prefix information option"
assert_contains "$XRT_CAP_OUT" "mtu option" "RA's MTU option"
assert_contains "$XRT_CAP_OUT" "source link-address option" "RA's source link-layer option"
assert_contains "$XRT_CAP_OUT" "Flags [onlink, auto]" "PIO flags L and A"
assert_eq "$(rs_in)" $((n_rs + 1)) "Icmp6InRouterSolicits"
assert_eq "$(ra_out)" $((n_ra + 1)) "one RA answered the RS (the scheduled one is 16 s away)"

# Router lifetime 0: still the prefixes, but no longer a default router.
xrt_cli_ok r ra set dev "$IF_RA" on lifetime 0 prefix 2001:db8:1::/64
xrt_wait_for "! ip -n $(xrt_ns a) -6 route show default | grep -q via" 10 ||
	xrt_fail "default route still there after lifetime 0: $(ip -n "$(xrt_ns a)" -6 route show default)"
assert_contains "$(xrt_cli r ra show dev "$IF_RA")" "lifetime 0" "ra show lifetime 0"
[ -n "$(slaac_addr)" ] || xrt_fail "the SLAAC address went away with lifetime 0"
xrt_cli_ok r ra set dev "$IF_RA" on interval 1800 min-interval 1350 lifetime 1800
xrt_wait_for "ip -n $(xrt_ns a) -6 route show default | grep -q 'via $LL_RA'" 10 ||
	xrt_fail "no default route after lifetime 1800 again"

# Turning RA off sends a final RA with router lifetime 0 (RFC 4861 6.2.5):
# the host drops the default route at once.
xrt_cli_ok r ra set dev "$IF_RA" off
xrt_wait_for "! ip -n $(xrt_ns a) -6 route show default | grep -q via" 10 ||
	xrt_fail "default route still there after ra off: $(ip -n "$(xrt_ns a)" -6 route show default)"
assert_eq "$(xrt_cli r ra show dev "$IF_RA")" "$IF_RA: ra off" "ra show after off"

# On again from the CLI with the interface's own /64 (no prefix words);
# then a reload of a file without the ra line leaves the CLI's setting.
xrt_cli_ok r ra set dev "$IF_RA" on lifetime 900
xrt_wait_for "ip -n $(xrt_ns a) -6 route show default | grep -q 'via $LL_RA'" 10 ||
	xrt_fail "no default route after ra on"
out=$(xrt_cli r ra show dev "$IF_RA")
assert_contains "$out" "prefix 2001:db8:1::/64 onlink autonomous valid 2592000 preferred 604800 (from addresses)" "auto prefix"
assert_contains "$out" "mtu 1500 (auto)" "auto MTU"
# New contents go out at once (RFC 4861 6.2.4), not at the next interval.
defrt_expires() {
	ip -n "$(xrt_ns a)" -6 route show default | sed -n 's/.*expires \([0-9]*\)sec.*/\1/p'
}
xrt_wait_for '[ "$(defrt_expires)" -gt 600 ]' 10 || xrt_fail "lifetime 900 not learned: $(defrt_expires)"
xrt_cli_ok r ra set dev "$IF_RA" on interval 200 lifetime 300
xrt_wait_for '[ "$(defrt_expires)" -le 300 ]' 10 ||
	xrt_fail "changed lifetime not advertised at once: expires $(defrt_expires)"
write_conf
xrt_cli_ok r config reload
assert_contains "$(xrt_cli r ra show dev "$IF_RA")" "ra on" "reload keeps what the CLI set"

# What the file set, a reload without it turns off (final RA, lifetime 0).
write_conf "ra set dev $IF_RA on lifetime 600"
xrt_cli_ok r config reload
assert_contains "$(xrt_cli r ra show dev "$IF_RA")" "lifetime 600" "reload applies the file's ra line"
write_conf
xrt_cli_ok r config reload
assert_eq "$(xrt_cli r ra show dev "$IF_RA")" "$IF_RA: ra off" "reload without the ra line"
xrt_wait_for "! ip -n $(xrt_ns a) -6 route show default | grep -q via" 10 ||
	xrt_fail "default route still there after the reload turned RA off"

# Bad input: a clear error naming the word, nothing changed.
out=$(xrt_cli r ra set dev "$IF_RA" on interval 2 2>&1) && xrt_fail "interval 2 accepted"
assert_contains "$out" 'interval "2" is invalid' "bad interval"
out=$(xrt_cli r ra set dev nosuch0 on 2>&1) && xrt_fail "unknown dev accepted"
assert_contains "$out" "nosuch0" "unknown dev"
assert_eq "$(xrt_cli r ra show dev "$IF_RA")" "$IF_RA: ra off" "failed commands changed nothing"
kill -0 "$(xrt_xrtd_pid r)" || xrt_fail "xrtd died"

# Detaching the link, and stopping xrtd, each send the final RA too.
has_defrt() { ip -n "$(xrt_ns a)" -6 route show default | grep -q "via $LL_RA"; }
xrt_cli_ok r ra set dev "$IF_RA" on
xrt_wait_for has_defrt 10 || xrt_fail "no default route after ra on"
xrt_cli_ok r link detach dev "$IF_RA"
xrt_wait_for '! has_defrt' 10 || xrt_fail "default route still there after link detach"
xrt_cli_ok r link attach dev "$IF_RA"
assert_eq "$(xrt_cli r ra show dev "$IF_RA")" "$IF_RA: ra off" "a re-attached link starts without RA"
xrt_cli_ok r ra set dev "$IF_RA" on
xrt_wait_for has_defrt 10 || xrt_fail "no default route after ra on (re-attached)"
xrt_xrtd_stop r
xrt_wait_for '! has_defrt' 10 || xrt_fail "default route still there after xrtd stopped"
xrt_pass "SLAAC host got $A_ADDR and a default route via $LL_RA (MTU 1400) from xrt's RAs, pinged through xrt; RS answered; off and reload send lifetime 0"
