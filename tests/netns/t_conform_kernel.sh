#!/usr/bin/env bash
# xrt: side by side with the kernel: the same probes (conform_probe.py) through
# a kernel router (ak - rk - bk) and an xrt router (ax - rx - bx), answers at
# A and frames at B compared field by field; every difference must be a
# documented exception in CONFORMANCE.md (conform_compare.py).
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xk}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump ethtool
xrt_require_xrt
xrt_require_file "$XRT_ROOT/CONFORMANCE.md"

# The routes both routers get besides the line topology's own.
extra_routes() { # CMD... (ip -6 route / xrt route prefix)
	"$@" add blackhole 2001:db8:f1::/64
	"$@" add unreachable 2001:db8:f2::/64
	"$@" add prohibit 2001:db8:f3::/64
	"$@" add 2001:db8:c::/64 via 2001:db8:2::2 dev "$IF_RB" mtu 1400
	# A next hop that never answers ND (Destination Unreachable code 3).
	"$@" add 2001:db8:d::/64 via 2001:db8:2::99 dev "$IF_RB"
	# A next hop on A's own link: in and out of one interface (Redirect).
	"$@" add 2001:db8:e::/64 via 2001:db8:1::3 dev "$IF_RA"
}

# Kernel router. Its ICMPv6 rate limit is off so that a later probe is never
# silenced by an earlier one (xrt's per-destination burst is 50, more than
# the probe count per window).
ROUTER_KIND=kernel xrt_topo_line k
KR=$TOPO_R KA=$TOPO_A KB=$TOPO_B KIF_AR=$IF_AR KIF_BR=$IF_BR KMAC_RA=$MAC_RA
KIF_RA=$IF_RA
xrt_exec $KR sysctl -qw net.ipv6.icmp.ratelimit=0
extra_routes ip -n "$(xrt_ns $KR)" -6 route
xrt_static_neigh $KR "$IF_RA" 2001:db8:1::3 "$MAC_AR"
xrt_static_neigh $KR "$IF_RA" 2001:db8:1::5 "$MAC_AR"

# xrt router.
xrt_topo_line x
XR=$TOPO_R XA=$TOPO_A XB=$TOPO_B
xrt_xrtd_start $XR
xrt_topo_line_program
extra_routes xrt_cli_ok $XR route
xrt_cli_ok $XR neigh add 2001:db8:1::3 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok $XR neigh add 2001:db8:1::5 lladdr "$MAC_AR" dev "$IF_RA"

# The two routers are probed at the same time (separate namespaces), which
# halves the test's time: every probe listens WINDOW seconds, and most of
# the 81 expect silence.
# capture_start TAG B IF_BR: what the router forwards to B, in TAG-b.pcap.
capture_start() {
	local tag=$1 b=$2 ifb=$3
	xrt_bg "$b" "capb-$tag" tcpdump -U -n -i "$ifb" -w "$XRT_TMP/$tag-b.pcap" ip6
	CAP_PID=$XRT_LAST_PID
	xrt_wait_for "grep -q 'listening on' '$XRT_TMP/capb-$tag.log'" 20 ||
		xrt_fail "tcpdump in $b did not start"
}
# probe_start TAG A IF_AR RMAC RLL: the probe list from A, in the background.
probe_start() {
	local tag=$1 a=$2 ifa=$3 rmac=$4 rll=$5 hll
	hll=$(xrt_lladdr "$a" "$ifa")
	xrt_bg "$a" "probe-$tag" timeout --foreground 240 "$XRT_PY" \
		"$XRT_ROOT/tests/netns/conform_probe.py" "$XRT_TMP/$tag.json" "$ifa" "$rmac" \
		"$rll" "$hll" ${PROBES:-}
	PROBE_PID=$XRT_LAST_PID
}

capture_start kernel $KB "$KIF_BR"; kcap=$CAP_PID
capture_start xrt $XB "$IF_BR"; xcap=$CAP_PID
probe_start kernel $KA "$KIF_AR" "$KMAC_RA" "$(xrt_lladdr $KR "$KIF_RA")"; kprobe=$PROBE_PID
probe_start xrt $XA "$IF_AR" "$MAC_RA" "$(xrt_lladdr $XR "$IF_RA")"; xprobe=$PROBE_PID
for tag in kernel xrt; do
	pid=$kprobe
	[ "$tag" = xrt ] && pid=$xprobe
	xrt_wait_pid "$pid" 250 ||
		xrt_fail "probes through the $tag router failed: $(tail -5 "$XRT_TMP/probe-$tag.log")"
done
xrt_stop "$kcap"
xrt_stop "$xcap"
kill -0 "$(xrt_xrtd_pid $XR)" || xrt_fail "xrtd died during the probes"
xrt_cli $XR stats >"$XRT_TMP/xrt-stats.txt" 2>&1 || true

table=()
[ -z "${CONFORM_TABLE:-}" ] || table=(--table)
out=$("$XRT_PY" "$XRT_ROOT/tests/netns/conform_compare.py" "$XRT_ROOT/CONFORMANCE.md" \
	"$XRT_TMP/kernel.json" "$XRT_TMP/kernel-b.pcap" "$XRT_TMP/xrt.json" "$XRT_TMP/xrt-b.pcap" \
	"${table[@]}" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" >&2
[ "$rc" = 0 ] || xrt_fail "xrt differs from the kernel beyond CONFORMANCE.md"
summary=$(tail -n 1 <<<"$out")
xrt_pass "$summary"
