#!/usr/bin/env bash
# xrt: egress == ingress: the fast path sends the packet back out of the
# interface it came in on (XDP_TX) and the daemon sends an ND Redirect, so
# the host then talks to the better first hop directly. A kernel router on
# the same kind of link is the reference.
#
#   a ---+
#        |  sw (a bridge: one link shared by a, r and g)
#   r ---+          r: the router a uses by default
#        |          g: a kernel router on the same link, the better first
#   g ---+             hop to 2001:db8:9::/64 (2001:db8:9::1 on its lo)
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping tcpdump
xrt_require_xrt

# topo SUFFIX KIND: build the shared link; sets R_IF, R_LL, G_LL, G_MAC.
topo() {
	local s=$1 kind=$2 n
	xrt_host_ns "sw$s"
	ip -n "$(xrt_ns "sw$s")" link add br0 type bridge
	ip -n "$(xrt_ns "sw$s")" link set br0 up
	xrt_host_ns "a$s"
	if [ "$kind" = kernel ]; then xrt_kernel_router_ns "r$s"; else xrt_router_ns "r$s"; fi
	xrt_kernel_router_ns "g$s"
	for n in "a$s" "r$s" "g$s"; do
		xrt_link "$n" "sw$s"
		ip -n "$(xrt_ns "sw$s")" link set "$(xrt_if "sw$s" "$n")" master br0
		# Frames r sends with XDP_TX arrive on the bridge's port.
		xrt_xdp_pass "sw$s" "$(xrt_if "sw$s" "$n")"
	done
	R_IF=$(xrt_if "r$s" "sw$s")
	R_LL=$(xrt_lladdr "r$s" "$R_IF")
	[ -n "$R_LL" ] || xrt_fail "no link-local address on $R_IF"
	# a's default router is r's link-local address, as with router
	# advertisements: RFC 4861 8.1 has hosts accept a Redirect only from the
	# link-local address of the first hop it replaces.
	xrt_host "a$s" "$(xrt_if "a$s" "sw$s")" 2001:db8:1::2/64
	ip -n "$(xrt_ns "a$s")" -6 route add default via "$R_LL" dev "$(xrt_if "a$s" "sw$s")"
	xrt_exec "a$s" sysctl -qw "net.ipv6.conf.all.accept_redirects=1"
	xrt_host "g$s" "$(xrt_if "g$s" "sw$s")" 2001:db8:1::3/64
	ip -n "$(xrt_ns "g$s")" -6 addr add 2001:db8:9::1/128 dev lo
	G_MAC=$(xrt_mac "g$s" "$(xrt_if "g$s" "sw$s")")
	# The better first hop is named by its link-local address: a Redirect's
	# target must be one (RFC 4861 8.2), the kernel sends none otherwise.
	G_LL=$(xrt_lladdr "g$s" "$(xrt_if "g$s" "sw$s")")
	[ -n "$G_LL" ] || xrt_fail "no link-local address on g$s"
	if [ "$kind" = kernel ]; then
		ip -n "$(xrt_ns "r$s")" -6 addr add 2001:db8:1::1/64 dev "$R_IF" nodad
		ip -n "$(xrt_ns "r$s")" -6 route add 2001:db8:9::/64 via "$G_LL" dev "$R_IF"
	fi
}

# probe SUFFIX: ping the prefix behind g from a, catching the Redirect;
# prints a's route to it afterwards ("via ..." names the first hop in use).
probe() {
	local s=$1
	xrt_capture_start "a$s" "$(xrt_if "a$s" "sw$s")" 1 icmp6 and 'ip6[40] == 137'
	out=$(xrt_exec "a$s" ping -6 -c 5 -i 0.2 -W 2 2001:db8:9::1) ||
		xrt_fail "ping A -> 2001:db8:9::1 (r$s) failed: $out"
	assert_contains "$out" "5 received" "ping through r$s and g$s"
	xrt_capture_wait 10
	assert_match "$XRT_CAP_OUT" "ICMP6, redirect, length [0-9]+, 2001:db8:9::1 to $G_LL\$" "Redirect seen at A (r$s)"
	ROUTE=$(xrt_exec "a$s" ip -6 route get 2001:db8:9::1)
}

topo k kernel
probe k
assert_contains "$ROUTE" "via $G_LL" "reference: a's first hop after the kernel's Redirect"
xrt_log "kernel: $(grep -m1 'redirect' <<<"$XRT_CAP_OUT")"

topo "" xrt
xrt_xrtd_start r
xrt_cli_ok r link attach dev "$R_IF"
xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$R_IF"
xrt_cli_ok r route add 2001:db8:9::/64 via "$G_LL" dev "$R_IF"
xrt_cli_ok r neigh add "$G_LL" lladdr "$G_MAC" dev "$R_IF"
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
red0=$(xrt_fp_stat r punt:redirect)
probe ""
xrt_log "xrt: $(grep -m1 'redirect' <<<"$XRT_CAP_OUT")"
assert_contains "$ROUTE" "via $G_LL" "a's first hop after xrt's Redirect"
assert_contains "$XRT_CAP_OUT" "$R_LL > 2001:db8:1::2" "Redirect sent from r's link-local address"
assert_ge "$(($(xrt_fp_stat r punt:redirect) - red0))" 1 "fast path punt:redirect"
assert_ge "$(($(xrt_fp_stat r Ip6OutForwDatagrams) + $(xrt_exec r "$XRT_BUILD/xrt" stats | awk '$1 == "slow.Ip6OutForwDatagrams" {print $2}') - fwd0))" 1 \
	"packets forwarded back out of the ingress interface (fast + slow path)"

# A host that ignores Redirects keeps sending through r: every packet must
# still go back out of the link it came in on (punted for a Redirect while
# the REDIRECT punt budget lasts, XDP_TX after), none lost.
xrt_exec a sysctl -qw net.ipv6.conf.all.accept_redirects=0 \
	"net.ipv6.conf.$(xrt_if a sw).accept_redirects=0"
xrt_exec a ip -6 route flush cache
assert_not_contains "$(xrt_exec a ip -6 route get 2001:db8:9::1)" "via $G_LL" "a's route after flushing the Redirect"
fast0=$(xrt_fp_stat r Ip6OutForwDatagrams)
slow0=$(xrt_cli r stats | awk '$1 == "slow.Ip6OutForwDatagrams" {print $2}')
out=$(xrt_exec a ping -6 -c 20 -i 0.05 -W 2 2001:db8:9::1) ||
	xrt_fail "ping A -> 2001:db8:9::1 ignoring Redirects failed: $out"
assert_contains "$out" "20 received" "ping through r back out of its ingress, Redirects ignored"
fast=$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fast0))
slow=$(($(xrt_cli r stats | awk '$1 == "slow.Ip6OutForwDatagrams" {print $2}') - slow0))
assert_ge $((fast + slow)) 20 "echo requests forwarded back out of the ingress (fast $fast + slow $slow)"
xrt_pass "egress == ingress: forwarded and redirected like the kernel (a then uses g directly); 20 more with Redirects ignored: fast $fast + slow $slow"
