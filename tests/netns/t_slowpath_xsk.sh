#!/usr/bin/env bash
# xrt: the AF_XDP layer on its own (userspace/xsk): in copy mode on veth the
# punt metadata written with bpf_xdp_adjust_meta arrives just before the
# frame in the UMEM, frames transmitted on the port reach the peer, and the
# port closes cleanly (a second open on the same queue works) and gives its
# UMEM back. Each socket has a UMEM of its own, fill + tx ring frames
# (xsk_rings.h): run 3 has another process with an AF_XDP socket in the
# namespace, which changes nothing.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xs}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd clang gcc ping tcpdump

dir=$XRT_ROOT/tests/netns/slowpath
clang -O2 -g -target bpf -I"$XRT_ROOT/include" -I/usr/include/"$(gcc -print-multiarch)" \
	-c "$dir/xsk_meta_probe.bpf.c" -o "$XRT_TMP/probe.bpf.o"
gcc -O2 -std=gnu11 -Wall -Wextra -Werror -I"$XRT_ROOT/include" -I"$XRT_ROOT/userspace" \
	"$dir/xsk_meta_probe.c" "$XRT_BUILD/libxrt.a" -o "$XRT_TMP/probe" -lxdp -lbpf -lelf -lz

xrt_host_ns a
xrt_host_ns b
xrt_link a b
IF_A=$(xrt_if a b) IF_B=$(xrt_if b a)
ip -n "$(xrt_ns a)" -6 addr add 2001:db8:9::1/64 dev "$IF_A" nodad
ip -n "$(xrt_ns b)" -6 addr add 2001:db8:9::2/64 dev "$IF_B" nodad
MAC_B=$(xrt_mac b "$IF_B")
xrt_static_neigh a "$IF_A" 2001:db8:9::2 "$MAC_B"
# a receives what the probe transmits back from b's XSK.
xrt_xdp_pass a "$IF_A"

# fill-ring + tx-ring frames at the default sizes, from the header.
RING=$(awk '$2 == "XSK_RING_DEFAULT" { sub("u$", "", $3); print $3 }' "$XRT_ROOT/userspace/xsk/xsk_rings.h")
FRAMES=$((2 * RING))

# A second link for the other AF_XDP user of run 3 (it waits for frames that never come).
xrt_link a b a2 b2
for run in 1 2 3; do
	if [ $run = 3 ]; then
		xrt_bg b holder "$XRT_TMP/probe" "$XRT_TMP/probe.bpf.o" "$XRT_PREFIX-b2" 1
		xrt_wait_for "grep -q ready '$XRT_TMP/holder.log'" 10 || xrt_fail "holder did not start"
	fi
	xrt_capture_start a "$IF_A" 3 icmp6 and src host 2001:db8:9::1 and ether src "$MAC_B"
	xrt_bg b "probe$run" "$XRT_TMP/probe" "$XRT_TMP/probe.bpf.o" "$IF_B" 3
	ppid=$XRT_LAST_PID
	xrt_wait_for "grep -q ready '$XRT_TMP/probe$run.log'" 10 || xrt_fail "probe did not start: $(cat "$XRT_TMP/probe$run.log")"
	xrt_exec a ping -6 -n -c 3 -i 0.2 -W 1 2001:db8:9::2 >/dev/null 2>&1 || true
	xrt_wait_pid "$ppid" 15 || xrt_fail "probe run $run failed: $(cat "$XRT_TMP/probe$run.log")"
	log=$(cat "$XRT_TMP/probe$run.log")
	ifindex_b=$(xrt_ifindex b "$IF_B")
	assert_contains "$log" "meta=yes reason=7 ifindex=$ifindex_b mtu=1234" "metadata before the frame (run $run)"
	assert_contains "$log" "got=3 echoed=3 tx=3 with_meta=3 umem_frames=$FRAMES" \
		"all frames carried metadata and were sent back, one UMEM of fill + tx frames (run $run)"
	assert_contains "$log" "closed umem_frames=0" "closing the port gave its UMEM back (run $run)"
	# The echoed frames (MACs swapped) arrive at a: TX works.
	xrt_capture_wait 5
	assert_contains "$XRT_CAP_OUT" "3 packets captured" "frames transmitted on the XSK reached the peer (run $run)"
done
xrt_pass "copy-mode metadata, XSK TX, close and reopen, a UMEM per socket"
