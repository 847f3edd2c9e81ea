#!/usr/bin/env bash
# xrt: a routing daemon's protocol sockets over the shim. BIRD 2 runs RIPng
# on an xrt router under LD_PRELOAD (UDP port 521, ff02::9, link-local
# sources by IPV6_PKTINFO, IPV6_RECVPKTINFO, SO_BINDTODEVICE, multicast
# options) against a kernel-side BIRD; routes go both ways. The router's
# BIRD writes what it learns into the kernel table (protocol kernel), which
# xrtd --sync-kernel mirrors into xrt: the learned prefix is forwarded by
# xrt's fast path: b pings a's stub network across r, kernel forwarding
# off. When a's BIRD stops, the route times out of BIRD and of xrt.
#   a (kernel, BIRD, stub 2001:db8:a::/64) --- r (xrt, BIRD over the shim) --- b (2001:db8:77::/64)
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xn}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd bird birdc ping
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

A=a R=r B=b
xrt_host_ns $A
xrt_router_ns $R
xrt_host_ns $B
xrt_link $A $R
xrt_link $R $B
IF_AR=$(xrt_if $A $R) IF_RA=$(xrt_if $R $A) IF_RB=$(xrt_if $R $B) IF_BR=$(xrt_if $B $R)
NA=$(xrt_ns $A) NR=$(xrt_ns $R)
ip -n "$NA" -6 addr add 2001:db8:1::2/64 dev "$IF_AR" nodad
xrt_xdp_pass $A "$IF_AR"
ip -n "$NR" -6 addr add 2001:db8:1::1/64 dev "$IF_RA" nodad
# a's stub network: a veth pair inside the namespace (no dummy module on
# every test host). r's is the link to b.
ip -n "$NA" link add stub type veth peer name stubp
ip -n "$NA" link set stubp up && ip -n "$NA" link set stub up
ip -n "$NA" -6 addr add 2001:db8:a::1/64 dev stub nodad
ip -n "$NR" -6 addr add 2001:db8:77::1/64 dev "$IF_RB" nodad
xrt_host $B "$IF_BR" 2001:db8:77::2/64 2001:db8:77::1
xrt_static_neigh $B "$IF_BR" 2001:db8:77::1 "$(xrt_mac $R "$IF_RB")"
# Both link-locals usable (BIRD's RIPng waits for one).
xrt_wait_for "ip -n '$NA' -6 addr show dev '$IF_AR' scope link | grep -qv tentative && ip -n '$NA' -6 addr show dev '$IF_AR' scope link | grep -q fe80" 10 ||
	xrt_fail "a: no link-local address"
xrt_wait_for "ip -n '$NR' -6 addr show dev '$IF_RA' scope link | grep -q fe80 && ! ip -n '$NR' -6 addr show dev '$IF_RA' | grep -q tentative" 10 ||
	xrt_fail "r: no link-local address"

xrt_xrtd_start $R --sync-kernel
xrt_cli_ok $R link attach dev "$IF_RA"
xrt_cli_ok $R link attach dev "$IF_RB"
xrt_wait_for "xrt_cli $R addr show | grep -q '2001:db8:1::1/64'" 5 || xrt_fail "kernel address not mirrored"
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }
in0=$(sk_stat Udp6InDatagrams) out0=$(sk_stat Udp6OutDatagrams)

bird_start() { # NS IFACE STUB ID [LD_PRELOAD]
	local conf=$XRT_TMP/bird-$1.conf
	cat >"$conf" <<CONF
log stderr all;
router id $4;
protocol device { scan time 1; }
protocol direct { ipv6; interface "$3"; }
protocol kernel { ipv6 { import none; export where source = RTS_RIP; }; scan time 2; }
protocol rip ng rip1 {
	ipv6 { import all; export where source = RTS_DEVICE; };
	interface "$2" { update time 2; timeout time 10; };
}
CONF
	xrt_bg "$1" "bird-$1" env ${5:+LD_PRELOAD=$5} bird -f -c "$conf" -s "$XRT_TMP/bird-$1.ctl" -P "$XRT_TMP/bird-$1.pid"
}
# What r's BIRD sends, seen on a's side of the wire.
LL_R=$(ip -n "$NR" -6 addr show dev "$IF_RA" scope link | awk '/inet6/ {sub("/.*", "", $2); print $2; exit}')
xrt_capture_start $A "$IF_AR" 1 ip6 and udp and src host "$LL_R" and dst host ff02::9
bird_start $R "$IF_RA" "$IF_RB" 10.0.0.1 "$SHIM"
bird_start $A "$IF_AR" stub 10.0.0.2
birdc_at() { local n=$1; shift; xrt_exec "$n" birdc -s "$XRT_TMP/bird-$n.ctl" "$@"; }

# 1. The router's BIRD hears the kernel-side one through xrt's UDP.
xrt_wait_for "birdc_at $R show route protocol rip1 | grep -q '2001:db8:a::/64'" 30 ||
	xrt_fail "r's BIRD never learned 2001:db8:a::/64: $(birdc_at $R show rip interfaces; birdc_at $R show rip neighbors; tail -20 "$XRT_TMP/bird-$R.log")"
xrt_log "r's BIRD: $(birdc_at $R show route protocol rip1 | grep -A1 2001:db8:a:: | tr -s ' \n' ' ')"
assert_contains "$(birdc_at $R show route protocol rip1)" "via fe80::" "learned from a's link-local (RFC 2080 2.4.2)"
xrt_capture_wait 10
xrt_log "r's BIRD on the wire: $(echo "$XRT_CAP_OUT" | grep -A1 ripng | tr -s ' \n' ' ')"
assert_contains "$XRT_CAP_OUT" "$LL_R.521 > ff02::9.521" "from r's link-local, port 521 to port 521, to ff02::9 (RFC 2080 2.4.2)"
assert_contains "$XRT_CAP_OUT" "hlim 255" "hop limit 255 (RFC 2080 2.4.2)"
assert_contains "$XRT_CAP_OUT" "class 0xc0" "BIRD's traffic class (IPV6_TCLASS, internet control)"
# 2. The kernel-side BIRD hears the router's: R's sends left with the
# link-local source BIRD asked for (IPV6_PKTINFO), else a drops them.
xrt_wait_for "ip -n '$NA' -6 route show 2001:db8:77::/64 | grep -q 'proto bird'" 30 ||
	xrt_fail "a never learned 2001:db8:77::/64 from r: $(birdc_at $A show rip neighbors; ip -n "$NA" -6 route)"
xrt_log "a's kernel: $(ip -n "$NA" -6 route show 2001:db8:77::/64)"
# 3. r's BIRD -> r's kernel table -> xrt (the mirror): the fast path forwards.
xrt_wait_for "xrt_cli $R route show | grep -q '^2001:db8:a::/64 via fe80'" 20 ||
	xrt_fail "xrt never got 2001:db8:a::/64: $(ip -n "$NR" -6 route; xrt_cli $R route show)"
xrt_log "xrt: $(xrt_cli $R route show | grep '^2001:db8:a::/64')"
assert_ge "$(($(sk_stat Udp6InDatagrams) - in0))" 1 "RIPng datagrams into xrt's UDP (Udp6InDatagrams)"
assert_ge "$(($(sk_stat Udp6OutDatagrams) - out0))" 1 "RIPng datagrams out of xrt's UDP (Udp6OutDatagrams)"
assert_eq "$(xrt_exec $R sysctl -n net.ipv6.conf.all.forwarding)" 0 "r's kernel does not forward"

# 4. b -> a's stub across r on the RIP-learned routes (both directions).
f0=$(xrt_fp_stat $R Ip6OutForwDatagrams)
out=$(xrt_exec $B ping -6 -n -c 10 -i 0.1 -W 2 2001:db8:a::1) || xrt_fail "ping b -> a's stub: $out"
assert_contains "$out" "10 received" "ping b -> 2001:db8:a::1 over the RIPng routes"
assert_ge "$(($(xrt_fp_stat $R Ip6OutForwDatagrams) - f0))" 18 "xrt's fast path forwarded the echoes and replies"

# 5. a's BIRD stops announcing: the route times out (timeout time 10 s)
# in r's BIRD, which removes it from the kernel, and so from xrt.
birdc_at $A disable rip1 >/dev/null
xrt_wait_for "! xrt_cli $R route show | grep -q '^2001:db8:a::/64'" 40 ||
	xrt_fail "2001:db8:a::/64 still in xrt after a's RIPng stopped: $(xrt_cli $R route show)"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "BIRD RIPng over the shim: routes both ways with a kernel BIRD, the learned one in xrt's FIB and forwarded; withdrawn on timeout"
