#!/usr/bin/env bash
# xrt: the slow path end to end on a - r - b with no neighbour configured on r:
# ping to the router, ND resolution then fast-path forwarding, traceroute and
# tracepath, DU code 3, 4000-byte echo (reassembly + fragmentation), fragment
# overlap, every Parameter Problem code, Packet Too Big and the learned PMTU.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping traceroute tracepath
xrt_require_xrt

xrt_topo_line
R=$TOPO_R A=$TOPO_A B=$TOPO_B
xrt_xrtd_start $R
xrt_cli_ok $R link attach dev "$IF_RA"
xrt_cli_ok $R link attach dev "$IF_RB"
xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok $R addr add 2001:db8:2::1/64 dev "$IF_RB"
xrt_cli_ok $R route add 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB"

# 1. The router answers ping on each of its addresses.
for dst in 2001:db8:1::1 2001:db8:2::1; do
	out=$(xrt_exec $A ping -6 -n -c 2 -i 0.2 -W 2 $dst 2>&1) || xrt_fail "ping $dst: $out"
	assert_contains "$out" "2 received" "ping to router address $dst"
done
# Figures (logged, not asserted): RTT of an echo answered by the daemon
# (fast path punt -> AF_XDP -> stack -> AF_XDP TX), and a flood ping's rate.
out=$(xrt_exec $A ping -6 -n -q -c 200 -i 0.005 -W 2 2001:db8:1::1 2>&1) || xrt_fail "ping: $out"
xrt_log "echo to the router through the daemon: $(grep -o 'rtt.*' <<<"$out")"
t0=$(date +%s%N)
out=$(xrt_exec $A ping -6 -n -q -f -c 5000 -W 2 2001:db8:1::1 2>&1) || xrt_fail "ping -f: $out"
t1=$(date +%s%N)
assert_contains "$out" "5000 received" "flood ping to the router"
sent=$(xrt_cli $R stats | awk '$1 == "Icmp6OutEchoReplies" {print $2}')
assert_ge "$sent" 5204 "echo replies counted by the daemon's ICMPv6 MIB"
assert_eq "$(xrt_snmp6 $R Icmp6OutEchoReplies)" 0 "the router's kernel answered none"
xrt_log "flood ping to the router: 5000 echoes in $(((t1 - t0) / 1000000)) ms ($((5000 * 1000000000 / (t1 - t0))) replies/s, one outstanding)"
ll=$(xrt_lladdr $R "$IF_RA")
out=$(xrt_exec $A ping -6 -n -c 2 -i 0.2 -W 2 "$ll%$IF_AR" 2>&1) || xrt_fail "ping $ll: $out"
assert_contains "$out" "2 received" "ping to the router's link-local"

# 2. A host with no neighbour entry on r is reached: the daemon resolves it
# with NS, forwards what it held, and the flow then stays in XDP.
out=$(xrt_exec $A ping -6 -n -c 3 -i 0.2 -W 2 2001:db8:2::2 2>&1) || xrt_fail "ping b: $out"
assert_contains "$out" "3 received" "ping through r without static neighbours"
neigh=$(xrt_cli $R neigh show)
assert_contains "$neigh" "2001:db8:2::2 dev $IF_RB lladdr $MAC_BR" "b resolved by ND"
assert_contains "$neigh" "2001:db8:1::2 dev $IF_RA lladdr $MAC_AR" "a resolved by ND"
fwd0=$(xrt_fp_stat $R Ip6OutForwDatagrams)
miss0=$(xrt_fp_stat $R punt:neigh_miss)
out=$(xrt_exec $A ping -6 -n -c 50 -i 0.01 -W 2 2001:db8:2::2 2>&1) || xrt_fail "ping b: $out"
assert_contains "$out" "50 received" "50 pings through r"
fwd1=$(xrt_fp_stat $R Ip6OutForwDatagrams)
miss1=$(xrt_fp_stat $R punt:neigh_miss)
assert_ge $((fwd1 - fwd0)) 100 "echo requests and replies forwarded by XDP"
assert_eq "$miss1" "$miss0" "no neighbour-miss punts once resolved"
xrt_log "fast path forwarded $((fwd1 - fwd0)) packets of 100; neigh_miss punts stayed at $miss0"
# Flushing the neighbours removes them from the fast path too: the next
# packet is punted again and resolution starts over.
xrt_cli_ok $R neigh flush dev "$IF_RB"
shown=$(xrt_cli $R neigh show dev "$IF_RB")
assert_not_contains "$shown" "2001:db8:2::2" "flushed"
out=$(xrt_exec $A ping -6 -n -c 2 -i 0.3 -W 3 2001:db8:2::2 2>&1) || xrt_fail "ping after flush: $out"
assert_contains "$out" "2 received" "b reached again after a neighbour flush"
assert_ge $(($(xrt_fp_stat $R punt:neigh_miss) - miss1)) 1 "the flush sent the flow back through the daemon"
assert_contains "$(xrt_cli $R neigh show dev "$IF_RB")" "2001:db8:2::2 dev $IF_RB lladdr $MAC_BR" "b resolved again"

# 3. traceroute and tracepath show the router by its ingress address.
out=$(xrt_exec $A traceroute -6 -n -q 1 -w 2 -m 4 2001:db8:b::1 2>&1) || xrt_fail "traceroute: $out"
assert_contains "$(sed -n 2p <<<"$out")" " 1  2001:db8:1::1 " "traceroute hop 1"
assert_contains "$(sed -n 3p <<<"$out")" " 2  2001:db8:b::1 " "traceroute hop 2"
out=$(xrt_exec $A tracepath -6 -n -m 4 2001:db8:b::1 2>&1) || true
assert_contains "$out" "2001:db8:1::1" "tracepath shows the router"
assert_contains "$out" "reached" "tracepath reaches the destination"
# Traceroute to the router itself: Port Unreachable from it.
out=$(xrt_exec $A traceroute -6 -n -q 1 -w 2 -m 3 2001:db8:2::1 2>&1) || xrt_fail "traceroute r: $out"
assert_contains "$(sed -n 2p <<<"$out")" " 1  2001:db8:2::1 " "traceroute to the router"

# 4. A next hop that never answers: DU code 3 (address unreachable) after
# the three solicitations.
xrt_cli_ok $R route add 2001:db8:c::/64 via 2001:db8:2::99 dev "$IF_RB"
out=$(xrt_exec $A ping -6 -n -c 1 -W 8 2001:db8:c::1 2>&1) || true
assert_contains "$out" "From 2001:db8:1::1 icmp_seq=1 Destination unreachable: Address unreachable" \
	"DU code 3 for an unresolvable next hop"

# 5. 4000-byte echo to the router: reassembled, answered, fragmented back.
out=$(xrt_exec $A ping -6 -n -c 2 -i 0.3 -s 4000 -W 3 2001:db8:1::1 2>&1) || xrt_fail "ping -s 4000: $out"
assert_contains "$out" "2 received" "4000-byte echo to the router"
assert_contains "$out" "4008 bytes from 2001:db8:1::1" "full-size reply"

# 6. Fragments: good ones are reassembled, overlapping ones give nothing.
probe() { xrt_exec $A "$XRT_PY" "$XRT_ROOT/tests/netns/slowpath_probe.py" "$1" "$IF_AR" "$MAC_RA" 2001:db8:1::2 "$2" 2>&1; }
assert_eq "$(probe frag 2001:db8:1::1)" "129 0 -" "echo in three fragments"
assert_eq "$(probe overlap 2001:db8:1::1)" "none" "overlapping fragments are discarded"

# 7. Parameter Problem, each code with its pointer.
assert_eq "$(probe pp0 2001:db8:1::1)" "4 0 42" "routing header type 0: code 0 at the type"
assert_eq "$(probe pp1 2001:db8:1::1)" "4 1 6" "unknown next header: code 1"
assert_eq "$(probe pp2 2001:db8:1::1)" "4 2 42" "unknown option 10xxxxxx: code 2"
assert_eq "$(probe pp3 2001:db8:1::1)" "4 3 0" "incomplete first fragment: code 3"

# 8. 1500-byte packets into a 1280 link: Packet Too Big with 1280, and the
# sender learns the path MTU.
ip -n "$(xrt_ns $R)" link set dev "$IF_RB" mtu 1280
ip -n "$(xrt_ns $B)" link set dev "$IF_BR" mtu 1280
xrt_cli_ok $R link set dev "$IF_RB" mtu 1280
out=$(xrt_exec $A ping -6 -n -c 1 -s 1452 -M do -W 2 2001:db8:2::2 2>&1) || true
assert_contains "$out" "From 2001:db8:1::1 icmp_seq=1 Packet too big: mtu=1280" "Packet Too Big"
out=$(xrt_exec $A ip -6 route get 2001:db8:2::2)
assert_contains "$out" "mtu 1280" "sender learned the path MTU"
out=$(xrt_exec $A ping -6 -n -c 2 -i 0.3 -s 1452 -W 2 2001:db8:2::2 2>&1) || xrt_fail "ping after PMTU: $out"
assert_contains "$out" "2 received" "sender fragments to the learned MTU and gets through"

# Detaching and re-attaching the first interface (whose socket was opened
# first) gives it a working AF_XDP socket again.
for i in "$IF_RA" "$IF_RB"; do
	xrt_cli_ok $R link detach dev "$i"
	xrt_cli_ok $R link attach dev "$i"
done
xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok $R addr add 2001:db8:2::1/64 dev "$IF_RB"
out=$(xrt_exec $A ping -6 -n -c 2 -i 0.2 -W 2 2001:db8:2::1 2>&1) || xrt_fail "ping after re-attach: $out"
assert_contains "$out" "2 received" "the daemon answers after detach and re-attach"

xrt_pass "ping to router, ND resolution + XDP takeover, traceroute/tracepath, DU 3, reassembly, overlap, PP 0-3, PTB + PMTU"
