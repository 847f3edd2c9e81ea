#!/usr/bin/env bash
# xrt: malformed IPv6 frames from a real interface: each one is dropped by
# the fast path with the counter of its reason (one drop in all, nothing
# forwarded), none reaches B; a frame to :: is punted as having no route; a
# padded frame is trimmed and forwarded at its true length.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
xrt_require_xrt
"$XRT_PY" -c 'import scapy' 2>/dev/null || xrt_fail "scapy missing for $XRT_PY (python3-scapy)"

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
send() { xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/badframes.py" "$IF_AR" "$MAC_RA" "$1"; }

# Every B-bound packet in this test is an echo request carrying this id.
XRT_CAP_FLAGS=-e xrt_capture_start b "$IF_BR" 2 icmp6 and 'ip6[40] == 128' and 'ip6[44:2] == 0x7872'

# KIND:COUNTER pairs: the drop reason each malformed frame must bump by one.
for pair in short:drop:short version:drop:version truncated:drop:truncated \
	dst_loopback:drop:dst_loopback \
	src_mcast:drop:src_mcast mcast:drop:mcast; do
	kind=${pair%%:*} counter=${pair#*:}
	before=$(xrt_fp_stat r "$counter")
	fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
	drops0=$(xrt_fp_stat r 'drop:*')
	send "$kind"
	xrt_wait_for "[ \$(xrt_fp_stat r $counter) -gt $before ]" 10 ||
		xrt_fail "$kind frame: $counter did not rise"
	assert_eq "$(($(xrt_fp_stat r "$counter") - before))" 1 "$kind frame: $counter increase"
	assert_eq "$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))" 0 "$kind frame: forwarded"
	assert_eq "$(($(xrt_fp_stat r 'drop:*') - drops0))" 1 "$kind frame: drops of any reason"
	xrt_log "$kind: $counter +1"
done

# A frame to :: is not malformed: it is routed as ip6_rcv_core routes it,
# and without a route punted for the Destination Unreachable, counted
# InAddrErrors as ip6_pkt_drop counts it (CONFORMANCE.md E1).
nr0=$(xrt_fp_stat r punt:no_route) ae0=$(xrt_fp_stat r Ip6InAddrErrors)
send dst_unspec
xrt_wait_for "[ \$(xrt_fp_stat r punt:no_route) -gt $nr0 ]" 10 || xrt_fail "dst_unspec frame: not punted as no_route"
assert_eq "$(($(xrt_fp_stat r Ip6InAddrErrors) - ae0))" 1 "dst_unspec frame: InAddrErrors increase"

# The well-formed ones: a good frame and a padded one, both forwarded; the
# 20 bytes of padding are trimmed, so B gets two identical 75-byte frames
# (14 Ethernet + 40 IPv6 + 21 ICMPv6).
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
send good
send padded
xrt_capture_wait 10
# Two echo requests to B and B's two replies back to A.
xrt_wait_for "[ \$((\$(xrt_fp_stat r Ip6OutForwDatagrams) - $fwd0)) -ge 4 ]" 10 || true
assert_eq "$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))" 4 "good + padded requests and their replies forwarded"
assert_eq "$(grep -c 'ethertype IPv6 (0x86dd), length 75: (hlim 63, next-header ICMPv6 (58) payload length: 21)' <<<"$XRT_CAP_OUT")" 2 \
	"75-byte frames at B with payload length 21 and hop limit 63"
xrt_pass "6 malformed frames dropped, each counted under its own reason; :: punted as no route; padded frame trimmed and forwarded"
