#!/usr/bin/env bash
# xrt: the source address of ICMPv6 errors (RFC 6724 section 5, RFC 4443
# 2.2), side by side with a kernel router. From host A: a link-local source
# leaving its link (Destination Unreachable code 2) and a link-local source
# with hop limit 1 (Time Exceeded) must be answered from the router's
# link-local on A's link; a global source with hop limit 1 from the router's
# global on A's link; and once that interface has no global address left,
# from a global of another interface (rule 2 before rule 5), never from a
# link-local the next router would drop. Every answer must equal the
# kernel's.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-sn}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

# probe ROUTER_TAG A IF_AR MAC_AR MAC_RA: one line per probe, "name type/code
# source" with the router's link-local on A's link written router-ll.
probe() {
	local a=$1 ifa=$2 amac=$3 rmac=$4 rll=$5 hll
	hll=$(xrt_lladdr "$a" "$ifa")
	xrt_exec "$a" "$XRT_PY" -c '
import sys
from scapy.all import Ether, IPv6, UDP, Raw, srp1, conf
conf.verb = 0
ifname, amac, rmac, hll, rll, which = sys.argv[1:7]
probes = {
    "ll_beyond_scope": IPv6(src=hll, dst="2001:db8:b::1", hlim=64),
    "ll_hop_limit": IPv6(src=hll, dst="2001:db8:b::1", hlim=1),
    "global_hop_limit": IPv6(src="2001:db8:1::2", dst="2001:db8:b::1", hlim=1),
}
for name in which.split(","):
    p = Ether(src=amac, dst=rmac) / probes[name] / UDP(sport=40000, dport=33434) / Raw(b"saddr")
    r = srp1(p, iface=ifname, timeout=2)
    if r is None or IPv6 not in r:
        print(name, "none", "-")
        continue
    src = r[IPv6].src
    print(name, "%d/%d" % (r[IPv6].payload.type, r[IPv6].payload.code),
          "router-ll" if src == rll else src)
' "$ifa" "$amac" "$rmac" "$hll" "$rll" "$6"
}

ALL=ll_beyond_scope,ll_hop_limit,global_hop_limit

# Kernel router.
ROUTER_KIND=kernel xrt_topo_line k
KR=$TOPO_R KA=$TOPO_A KIF_AR=$IF_AR KIF_RA=$IF_RA KMAC_AR=$MAC_AR KMAC_RA=$MAC_RA
xrt_exec "$KR" sysctl -qw net.ipv6.icmp.ratelimit=0
KRLL=$(xrt_lladdr "$KR" "$IF_RA")

# xrt router.
xrt_topo_line x
XR=$TOPO_R
xrt_xrtd_start "$XR"
xrt_topo_line_program
XRLL=$(xrt_lladdr "$XR" "$IF_RA")

K1=$(probe "$KA" "$KIF_AR" "$KMAC_AR" "$KMAC_RA" "$KRLL" "$ALL")
X1=$(probe "$TOPO_A" "$IF_AR" "$MAC_AR" "$MAC_RA" "$XRLL" "$ALL")

# A's side of the router without a global address (the prefix stays on-link).
ip -n "$(xrt_ns "$KR")" -6 addr del 2001:db8:1::1/64 dev "$KIF_RA"
ip -n "$(xrt_ns "$KR")" -6 route replace 2001:db8:1::/64 dev "$KIF_RA"
xrt_cli_ok "$XR" addr del 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok "$XR" route add 2001:db8:1::/64 dev "$IF_RA"
K2=$(probe "$KA" "$KIF_AR" "$KMAC_AR" "$KMAC_RA" "$KRLL" global_hop_limit | sed 's/^/no_global_/')
X2=$(probe "$TOPO_A" "$IF_AR" "$MAC_AR" "$MAC_RA" "$XRLL" global_hop_limit | sed 's/^/no_global_/')

printf '%-28s %-8s %-22s %-22s\n' probe answer xrt kernel >&2
ok=1
while read -r name ans src && read -r kname kans ksrc <&3; do
	printf '%-28s %-8s %-22s %-22s\n' "$name" "$ans" "$src" "$ksrc" >&2
	[ "$name" = "$kname" ] && [ "$ans" = "$kans" ] && [ "$src" = "$ksrc" ] || ok=0
done < <(printf '%s\n%s\n' "$X1" "$X2") 3< <(printf '%s\n%s\n' "$K1" "$K2")

assert_contains "$X1" "ll_beyond_scope 1/2 router-ll" "xrt: code 2 to a link-local comes from the router's link-local"
assert_contains "$X1" "ll_hop_limit 3/0 router-ll" "xrt: Time Exceeded to a link-local comes from the router's link-local"
assert_contains "$X1" "global_hop_limit 3/0 2001:db8:1::1" "xrt: Time Exceeded to a global comes from the ingress global"
assert_contains "$X2" "no_global_global_hop_limit 3/0 2001:db8:2::1" \
	"xrt: an ingress without a global answers a global from another interface's global"
[ $ok = 1 ] || xrt_fail "xrt and the kernel chose different sources (table above)"
xrt_pass "ICMPv6 error sources equal the kernel's for link-local and global destinations, with and without an ingress global"
