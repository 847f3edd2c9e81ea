#!/usr/bin/env bash
# xrt bench: `make bench`, every benchmark in one run, results written to BENCHMARKS.md.
#
# Every figure is printed next to a baseline measured in the same run, in
# interleaved rounds (A B A B ...), median of BENCH_ROUNDS. The machine is
# shared, so absolute numbers drift; the ratios are the result.
#
# Environment: BENCH_ROUNDS (default 5), BENCH_OUT (default BENCHMARKS.md),
# BENCH_QUICK=1 (fewer routes and frames: a smoke test, not a result).
set -u
# XRT_ROOT lets a copy of this script run against a tree that is being edited
# (bash reads a running script as it goes).
cd "${XRT_ROOT:-$(dirname "$0")/../..}" || exit 1
ROOT=$PWD
BUILD=$ROOT/build
BPF=$ROOT/bpf
XB=xb$$
ROUNDS=${BENCH_ROUNDS:-5}
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
QUICK=${BENCH_QUICK:-0}
WORK=$(mktemp -d /tmp/xb-bench-XXXXXX)
RES=$WORK/results  # "key value" lines, one per measurement
XRTD_PID=
XB_K=${XB}k
XB_X=${XB}x
XB_F=${XB}f

. "$ROOT/tools/bench/lib.sh"
. "$ROOT/tools/bench/control.sh"
. "$ROOT/tools/bench/slowpath.sh"
. "$ROOT/tools/bench/sock.sh"
. "$ROOT/tools/bench/memory.sh"

cleanup() {
	if [ -n "$XRTD_PID" ] && kill -0 "$XRTD_PID" 2>/dev/null; then
		kill "$XRTD_PID"
		for _ in $(seq 50); do kill -0 "$XRTD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$XRTD_PID" 2>/dev/null
	fi
	cp_cleanup
	sk_cleanup
	mem_cleanup
	XB=$XB_K xb_topo_down
	XB=$XB_X xb_topo_down
	XB=$XB_F xb_topo_down
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }
put() { echo "$1 $2" >>"$RES"; }   # key value
get() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$RES"; }
# median of the values recorded under key
median() {
	awk -v k="$1" '$1 == k { print $2 }' "$RES" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

for f in "$BUILD/pktgen" "$BUILD/fpcost" "$BUILD/xrtd" "$BUILD/xrt" "$BPF/xrt_fwd.bpf.o" \
	"$PKTGEN_OBJ" "$SINK_OBJ" "$FLOOR_OBJ" "$FPCOST_DIR/bench_fib.bpf.o" \
	"$FPCOST_DIR/bench_lpm.bpf.o" "$FPCOST_DIR/bench_maps.bpf.o" "$FPCOST_DIR/bench_notrace.bpf.o" \
	"$FPCOST_DIR/bench_nopolicy.bpf.o"; do
	[ -e "$f" ] || die "$f missing: run make first"
done
command -v trafgen >/dev/null || die "trafgen missing (netsniff-ng): make deps"
[ "$(id -u)" = 0 ] || die "needs root (namespaces, XDP)"

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date +%s)

# ------------------------------------------------------------------ 1. fast path cost
if [ "$QUICK" = 1 ]; then FP_ROUTES=1,10k; FP_REPEAT=100000; else FP_ROUTES=1,10k,200k,1M; FP_REPEAT=1000000; fi
FP_ROUNDS=$((ROUNDS < 3 ? 3 : ROUNDS))
FP_CMD="build/fpcost --routes $FP_ROUTES --stages --repeat $FP_REPEAT --rounds $FP_ROUNDS"
# fp_run NAME FPCOST_ARGS...: run fpcost into $WORK/NAME.out and keep its
# RESULT lines: routes=N prog=P pkt=K ns=X verdict=V -> fp.N.P.K X (the
# IPv4 programs of --ipv4 are named floor4, fib4, lpm4, xrt4).
fp_run() {
	local name=$1
	shift
	"$BUILD/fpcost" "$@" --repeat "$FP_REPEAT" --rounds "$FP_ROUNDS" --bpf-dir "$BPF" \
		--bench-dir "$FPCOST_DIR" >"$WORK/$name.out" 2>"$WORK/$name.err" ||
		die "fpcost $* failed: $(cat "$WORK/$name.err")"
	sed -n 's/.*RESULT //p' "$WORK/$name.out" | awk '
	{ delete kv; for (i = 1; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] } }
	("prog" in kv) { print "fp." kv["routes"] "." kv["prog"] "." kv["pkt"], kv["ns"];
			 print "fpv." kv["routes"] "." kv["prog"] "." kv["pkt"], kv["verdict"] }
	("kernel_install_rps" in kv) { print "fp." kv["routes"] ".kernel_rps", kv["kernel_install_rps"];
				       print "fp." kv["routes"] ".kernel_slab_kb", kv["kernel_slab_delta_kb"] }
	("lookup_iface_ns" in kv) { print "fp." kv["routes"] ".lookup_iface", kv["lookup_iface_ns"];
				    print "fp." kv["routes"] ".lookup_neigh", kv["lookup_neigh_ns"];
				    print "fp." kv["routes"] ".lookup_nh", kv["lookup_nh_ns"];
				    print "fp." kv["routes"] ".lookup_stats", kv["lookup_stats_ns"] }
	{ for (k in kv) if (k ~ /^stage4?_.*_ns$/) { s = k; sub(/_ns$/, "", s);
						      print "fp." kv["routes"] "." s, kv[k] } }
	("xrt_install_rps" in kv) { print "fp." kv["routes"] ".xrt_rps", kv["xrt_install_rps"];
				    print "fp." kv["routes"] ".xrt_fib_bytes", kv["xrt_fib_bytes"] }
	("xrt4_install_rps" in kv) { print "fp." kv["routes"] ".xrt4_rps", kv["xrt4_install_rps"];
				     print "fp." kv["routes"] ".xrt4_fib_bytes", kv["xrt4_fib_bytes"] }
' >>"$RES"
}
log "fast path cost: $FP_CMD"
fp_run fpcost --routes "$FP_ROUTES" --stages
FP_COUNTS=$(sed -n 's/.*RESULT routes=\([0-9]*\) prog=floor pkt=forward.*/\1/p' "$WORK/fpcost.out")
# The same programs on IPv4, next to IPv6 where the route count is the same.
if [ "$QUICK" = 1 ]; then FP4_ROUTES=1,10k; else FP4_ROUTES=1,10k,500k; fi
FP4_CMD="build/fpcost --ipv4 --routes $FP4_ROUTES --stages --repeat $FP_REPEAT --rounds $FP_ROUNDS"
log "fast path cost, IPv4: $FP4_CMD"
fp_run fpcost4 --ipv4 --routes "$FP4_ROUTES" --stages
FP4_COUNTS=$(sed -n 's/.*RESULT routes=\([0-9]*\) prog=floor4 pkt=forward.*/\1/p' "$WORK/fpcost4.out")
# The ACL's classifier: xrt's forward cost with 0, 10, 100, 1000 prerouting
# rules that all miss, beside the plain pipeline (fpcost --acl) -> fp.acl.N,
# fp.acl.plain, fp.acl.notrace
"$BUILD/fpcost" --routes 1 --acl 0,10,100,1000 --repeat "$FP_REPEAT" --rounds $((ROUNDS < 3 ? 3 : ROUNDS)) \
	--bpf-dir "$BPF" --bench-dir "$FPCOST_DIR" >"$WORK/fpcost_acl.out" 2>"$WORK/fpcost_acl.err" ||
	die "fpcost --acl failed: $(cat "$WORK/fpcost_acl.err")"
sed -n 's/.*RESULT routes=[0-9]* acl_rules=\([0-9a-z]*\) ns=\([0-9.]*\).*/fp.acl.\1 \2/p' "$WORK/fpcost_acl.out" >>"$RES"
# The same walk with IPv4 rules and packets (fpcost --acl --ipv4), run
# right after the IPv6 one -> fp.acl4.N
"$BUILD/fpcost" --routes 1 --acl 0,10,100 --ipv4 --repeat "$FP_REPEAT" --rounds $((ROUNDS < 3 ? 3 : ROUNDS)) \
	--bpf-dir "$BPF" --bench-dir "$FPCOST_DIR" >"$WORK/fpcost_acl4.out" 2>"$WORK/fpcost_acl4.err" ||
	die "fpcost --acl --ipv4 failed: $(cat "$WORK/fpcost_acl4.err")"
sed -n 's/.*RESULT routes=[0-9]* acl_rules=\([0-9]*\) ns=\([0-9.]*\).*/fp.acl4.\1 \2/p' "$WORK/fpcost_acl4.out" >>"$RES"
# The policy rules: 0 (the default rules: no walk), 10, 100, 1000 rules,
# all but the last missing, beside the plain pipeline (fpcost --rules)
# -> fp.rules.N, fp.rules.plain, fp.rules.notrace
"$BUILD/fpcost" --routes 1 --rules 0,10,100,1000 --repeat "$FP_REPEAT" --rounds $((ROUNDS < 3 ? 3 : ROUNDS)) \
	--bpf-dir "$BPF" --bench-dir "$FPCOST_DIR" >"$WORK/fpcost_rules.out" 2>"$WORK/fpcost_rules.err" ||
	die "fpcost --rules failed: $(cat "$WORK/fpcost_rules.err")"
sed -n 's/.*RESULT routes=[0-9]* fib_rules=\([0-9a-z]*\) ns=\([0-9.]*\).*/fp.rules.\1 \2/p' "$WORK/fpcost_rules.out" >>"$RES"
# Source-specific routes: a destination with a source subtree beside a
# plain one, same rounds (fpcost --src-routes) -> fp.src.N.{0,1}
"$BUILD/fpcost" --routes 1,10k --src-routes --repeat "$FP_REPEAT" --rounds $((ROUNDS < 3 ? 3 : ROUNDS)) \
	--bpf-dir "$BPF" --bench-dir "$FPCOST_DIR" >"$WORK/fpcost_src.out" 2>"$WORK/fpcost_src.err" ||
	die "fpcost --src-routes failed: $(cat "$WORK/fpcost_src.err")"
sed -n 's/.*RESULT routes=\([0-9]*\) src_subtree=\([01]\) ns=\([0-9.]*\).*/fp.src.\1.\2 \3/p' "$WORK/fpcost_src.out" >>"$RES"

# ------------------------------------------------------------------ 2. end to end
# Three copies of one topology, built by the same code: XB_K forwards with
# the kernel, XB_X with xrt, XB_F with the redirect-only floor program.
# (Flipping one router between kernel and xrt with `xrt link detach/attach`
# fails on re-attach: XSK bind ENOMEM.) Measurements alternate.
log "end to end: topologies $XB_K{g,r,s} (kernel), $XB_X{g,r,s} (xrt), $XB_F{g,r,s} (floor)"
XB=$XB_K xb_topo_up || die "topology setup failed"
XB=$XB_X xb_topo_up || die "topology setup failed"
XB=$XB_F xb_topo_up || die "topology setup failed"
ip netns exec "${XB_F}r" "$BUILD/pktgen" floor "${XB_F}r0" "${XB_F}r1" \
	"$(xb_mac "${XB_F}s" "${XB_F}s0")" "$FLOOR_OBJ" || die "floor router setup failed"
mkdir -p "/run/${XB_X}/xrt"
# xrt owns the router's configuration (no kernel mirroring), as in production:
# then the daemon, not the kernel, answers for the router's own addresses.
ip netns exec "${XB_X}r" "$BUILD/xrtd" -f --bpffs "/run/${XB_X}/xrt" --obj "$BPF/xrt_fwd.bpf.o" \
	>"$WORK/xrtd.log" 2>&1 &
XRTD_PID=$!
xrtc() { ip netns exec "${XB_X}r" "$BUILD/xrt" "$@"; }
for _ in $(seq 100); do xrtc link show >/dev/null 2>&1 && break; sleep 0.1; done
xrtc link show >/dev/null 2>&1 || die "xrtd did not start: $(cat "$WORK/xrtd.log")"
xrt_program() {
	local XB=$XB_X
	xrtc link attach dev "${XB}r0" && xrtc link attach dev "${XB}r1" &&
		xrtc addr add "$R0_ADDR/64" dev "${XB}r0" && xrtc addr add "$R1_ADDR/64" dev "${XB}r1" &&
		xrtc neigh add "$GEN_ADDR" lladdr "$(xb_mac "${XB}g" "${XB}g0")" dev "${XB}r0" &&
		xrtc neigh add "$SINK_ADDR" lladdr "$(xb_mac "${XB}s" "${XB}s0")" dev "${XB}r1" &&
		xrtc route add "$DST_NET" via "$SINK_ADDR" dev "${XB}r1"
}
xrt_program || die "programming xrt failed"
xrtc route get "$DST_BASE" 2>/dev/null | grep -q "${XB_X}r1" ||
	die "xrt has no route to $DST_BASE: $(xrtc route show 2>&1)"

kernel_fwd() { xb_r awk '$1 == "Ip6OutForwDatagrams" { print $2 }' /proc/net/snmp6; }
# XDP frames refused by a full veth ring, counted on the sending side:
# g0 (into r0) and r1 (into s0); plus skbs the sink's veth dropped.
ring_drops() {
	local a b c
	a=$(xb_g ethtool -S "${XB}g0" | awk '/xdp_xmit_errors/ { s += $2 } END { print s + 0 }')
	b=$(xb_r ethtool -S "${XB}r1" | awk '/xdp_xmit_errors/ { s += $2 } END { print s + 0 }')
	c=$(xb_s cat "/sys/class/net/${XB}s0/statistics/rx_dropped")
	echo $((a + b + c))
}

# One measurement: MODE GEN SIZE FLOWS. Records e2e.MODE.GEN.SIZE.FLOWS pps.
# The kernel's Ip6OutForwDatagrams proves who forwarded: it must grow by
# the frame count under the kernel and stay put under xrt.
measure() {
	local mode=$1 gen=$2 size=$3 flows=$4 n before after fwd0 fwd1 secs out
	local XB=$XB_K RMAC GMAC
	[ "$mode" = xrt ] && XB=$XB_X
	[ "$mode" = floor ] && XB=$XB_F
	RMAC=$(xb_mac "${XB}r" "${XB}r0")
	GMAC=$(xb_mac "${XB}g" "${XB}g0")
	if [ "$gen" = trafgen ]; then n=$TRAFGEN_COUNT; else n=$PKTGEN_COUNT; fi
	local ring0 ring1
	before=$(xb_sink_count)
	fwd0=$(kernel_fwd)
	ring0=$(ring_drops)
	if [ "$gen" = pktgen ] || [ "$gen" = table ]; then
		local spread=(--flows "$flows")
		[ "$gen" = table ] && spread=(--dst-file "$WORK/table.dsts")
		out=$(xb_g "$BUILD/pktgen" tx --dev "${XB}g0" --keep-dev "${XB}k0" --dst-mac "$RMAC" \
			--src "$GEN_ADDR" --dst "$DST_BASE" --size "$size" "${spread[@]}" \
			--count "$n" --call 1000000 --obj "$PKTGEN_OBJ" 2>&1) ||
			{ log "pktgen failed: $(tail -3 <<<"$out")"; return 1; }
		secs=$(sed -n 's/^RESULT .*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
	else
		local sp="sp=0xc000"
		[ "$flows" -gt 1 ] && sp="sp=dinc(0xc000, $((0xc000 + flows - 1)), 1)"
		echo "{ eth(da=$RMAC, sa=$GMAC, type=0x86dd), ipv6(sa=$GEN_ADDR, da=$DST_BASE, hl=64)," \
			"udp($sp, dp=9), fill(0x5a, $((size - 62))) }" >"$WORK/trafgen.cfg"
		out=$(xb_g trafgen -i "$WORK/trafgen.cfg" -o "${XB}g0" -n "$n" --cpus 1 2>&1) ||
			{ log "trafgen failed: $(tr -d '\r' <<<"$out" | grep -v '^ *$' | tail -3)"; return 1; }
		# "0 sec, 294558 usec on CPU0 (300000 packets)": trafgen's own send time.
		secs=$(tr -d '\r' <<<"$out" | awk '/usec on CPU/ { printf "%.6f", $1 + $3 / 1e6 }')
	fi
	"$BUILD/pktgen" sink settle "/run/${XB}/sink" 5000 >/dev/null
	after=$(xb_sink_count)
	fwd1=$(kernel_fwd)
	ring1=$(ring_drops)
	local got=$((after - before)) kfwd=$((fwd1 - fwd0))
	if [ "$mode" = kernel ] && [ "$kfwd" -lt "$got" ]; then
		log "kernel mode but the kernel forwarded $kfwd of $got"; return 1
	fi
	if [ "$mode" != kernel ] && [ "$kfwd" -gt $((n / 100)) ]; then
		log "$mode mode but the kernel forwarded $kfwd of $got"; return 1
	fi
	[ -n "$secs" ] || { log "no send time from $gen: $out"; return 1; }
	local pps
	pps=$(awk -v g="$got" -v s="$secs" 'BEGIN { printf "%.0f", g / s }')
	put "e2e.$mode.$gen.$size.$flows" "$pps"
	put "loss.$mode.$gen.$size.$flows" "$((n - got))"
	put "ringloss.$mode.$gen.$size.$flows" "$((ring1 - ring0))"
	log "  $mode $gen ${size}B $flows flows: sent $n, received $got in ${secs}s: $pps pps"
}

if [ "$QUICK" = 1 ]; then PKTGEN_COUNT=200000; TRAFGEN_COUNT=100000; else PKTGEN_COUNT=2000000; TRAFGEN_COUNT=500000; fi
for round in $(seq "$ROUNDS"); do
	for gen in pktgen trafgen; do
		for size in 64 1500; do
			for flows in 1 1000; do
				for mode in kernel xrt floor; do
					# One retry: a generator can fail transiently on a busy machine.
					measure "$mode" "$gen" "$size" "$flows" ||
						measure "$mode" "$gen" "$size" "$flows" || die "measurement failed"
				done
			done
		done
	done
	log "end to end round $round/$ROUNDS done ($(($(date +%s) - T0)) s)"
done

# With an Internet-sized table in both routers: the same random routes as
# fpcost's, all via the sink, and 1000 destinations spread over them.
if [ "$QUICK" = 1 ]; then TABLE_N=20000; else TABLE_N=1000000; fi
log "end to end with $TABLE_N routes"
"$BUILD/fpcost" --dump-routes "$TABLE_N" >"$WORK/table.routes" || die "fpcost --dump-routes failed"
awk -v d="${XB_K}r1" -v gw="$SINK_ADDR" '{ print "route replace " $1 " via " gw " dev " d }' \
	"$WORK/table.routes" >"$WORK/table.kernel"
awk -v d="${XB_X}r1" -v gw="$SINK_ADDR" '{ print "route replace " $1 " via " gw " dev " d }' \
	"$WORK/table.routes" >"$WORK/table.xrt"
# Every 1000th prefix, host ::1 in it (prefixes of /32../64 print with a trailing ::).
awk -v step=$((TABLE_N / 1000)) 'NR % step == 1 { sub("/.*", ""); print $0 "1" }' \
	"$WORK/table.routes" >"$WORK/table.dsts"
ip -n "${XB_K}r" -6 -batch "$WORK/table.kernel" || die "ip -batch of the table failed"
xrtc -batch "$WORK/table.xrt" >/dev/null || die "xrt -batch of the table failed"
for round in $(seq "$ROUNDS"); do
	for mode in kernel xrt; do
		measure "$mode" table 64 1000 || measure "$mode" table 64 1000 || die "measurement failed"
	done
done
put table.routes "$TABLE_N"
put table.dsts "$(wc -l <"$WORK/table.dsts")"

# Fixed cost of one live-frames call: 64-frame calls (repeat > 1 is what
# brings the dispatcher in), with and without --keep-dev.
call_ms() { # extra pktgen args...
	local XB=$XB_K
	xb_g "$BUILD/pktgen" tx --dev "${XB}g0" --dst-mac "$(xb_mac "${XB}r" "${XB}r0")" \
		--src "$GEN_ADDR" --dst "$DST_BASE" --obj "$PKTGEN_OBJ" "$@" |
		awk '/^RESULT/ { split($3, s, "="); split($5, c, "="); printf "%.2f", s[2] * 1000 / c[2] }'
}
put pktgen.call_ms "$(call_ms --count 1280 --call 64 --keep-dev "${XB_K}k0")"
put pktgen.call_nokeep_ms "$(call_ms --count 320 --call 64)"

# With threaded NAPI on the router's ingress, the router runs in a kthread
# and the generator outruns it: the surplus is dropped at r0's ring and
# counted on the generator's veth (tx_queue_0_xdp_xmit_errors).
threaded_run() {
	local XB=$XB_K before got out errs errs0
	xmit_errors() { xb_g ethtool -S "${XB}g0" | awk '/xdp_xmit_errors/ { s += $2 } END { print s + 0 }'; }
	xb_r sh -c "echo 1 > /sys/class/net/${XB}r0/threaded" || return 1
	before=$(xb_sink_count)
	errs0=$(xmit_errors)
	out=$(xb_g "$BUILD/pktgen" tx --dev "${XB}g0" --keep-dev "${XB}k0" --dst-mac "$(xb_mac "${XB}r" "${XB}r0")" \
		--src "$GEN_ADDR" --dst "$DST_BASE" --count 1000000 --call 1000000 --obj "$PKTGEN_OBJ")
	"$BUILD/pktgen" sink settle "/run/${XB}/sink" 5000 >/dev/null
	got=$(($(xb_sink_count) - before))
	errs=$(($(xmit_errors) - errs0))
	xb_r sh -c "echo 0 > /sys/class/net/${XB}r0/threaded"
	put threaded.sent_pps "$(sed -n 's/^RESULT .*pps=\([0-9]*\).*/\1/p' <<<"$out")"
	put threaded.got "$got"
	put threaded.xmit_errors "$errs"
}
threaded_run || log "threaded NAPI run failed"

# ------------------------------------------------------------------ 4. slow path
log "slow path: ping RTT, punts"
bench_slowpath || { log "slow path measurement failed; reported as not measured"; sed -i '/^sp\./d' "$RES"; }

# ------------------------------------------------------------------ 3. control plane
if [ "$QUICK" = 1 ]; then CP_N=20000; else CP_N=200000; fi
log "control plane: $CP_N routes"
bench_control "$CP_N" || { log "control plane measurement failed; reported as not measured"; sed -i '/^cp\./d' "$RES"; }
cp_cleanup

# ------------------------------------------------------------------ 5. TCP through the socket layer
log "TCP: xrt's socket layer vs kernel TCP"
bench_sock || { log "TCP measurement failed; reported as not measured"; sed -i '/^sk\./d' "$RES"; }
sk_cleanup
# 5a: the same receive rows with the established-connection exemption from
# the LOCAL punt budget turned off in xrtd (XRT_TCP_ESTAB_EXEMPT=0), its own
# kernel baseline beside it; results under sk_off.* (its own results file,
# so that section 5's keys stay those of the default xrtd).
log "TCP, the established-connection exemption off (XRT_TCP_ESTAB_EXEMPT=0)"
(
	export XRT_TCP_ESTAB_EXEMPT=0
	RES=$WORK/results.sk_off SK_MODES="kin xin"
	bench_sock # fails for want of the sending rows' baseline, which it does not run
)
sed -n 's/^sk\.\(kin\|xin\|xin\.limited_sum\|rounds\|bytes\) /sk_off.\1 /p' "$WORK/results.sk_off" >>"$RES"
[ -n "$(get sk_off.xin)" ] && [ -n "$(get sk_off.kin)" ] ||
	log "TCP with the exemption off failed; reported as not measured"
sk_cleanup

# ------------------------------------------------------------------ 4b. IPv4 through xrtd's stack
if [ "$QUICK" = 1 ]; then IP4_ROUNDS=1 IP4_FLOOD_S=1; else IP4_ROUNDS=3 IP4_FLOOD_S=3; fi
IP4_CMD="IP4_ROUNDS=$IP4_ROUNDS IP4_FLOOD_S=$IP4_FLOOD_S tools/bench/ip4_slowpath.sh"
log "IPv4 slow path: $IP4_CMD"
# bounded: the script's own work is about (2 x (1.5 + IP4_FLOOD_S) s) per round
IP4_ROUNDS=$IP4_ROUNDS IP4_FLOOD_S=$IP4_FLOOD_S XRT_PREFIX_BASE=xb4 \
	timeout -s TERM $((60 + IP4_ROUNDS * 30)) "$ROOT/tools/bench/ip4_slowpath.sh" \
	>"$WORK/ip4.out" 2>"$WORK/ip4.err" &&
	grep '^ip4\.' "$WORK/ip4.out" >>"$RES" ||
	log "IPv4 slow path measurement failed; reported as not measured: $(tail -3 "$WORK/ip4.err")"

# ------------------------------------------------------------------ 6. xrt trace
log "xrt trace cost: tools/bench/trace.sh"
if [ "$QUICK" = 1 ]; then TRACE_ROUTES=1,10k TRACE_REPEAT=100000; else TRACE_ROUTES=$FP_ROUTES TRACE_REPEAT=$FP_REPEAT; fi
TRACE_ROUNDS=$ROUNDS TRACE_ROUTES=$TRACE_ROUTES TRACE_REPEAT=$TRACE_REPEAT \
	"$ROOT/tools/bench/trace.sh" >"$WORK/trace.md" ||
	echo "(not measured in this run: tools/bench/trace.sh failed)" >"$WORK/trace.md"

# ------------------------------------------------------------------ 7. memory
if [ "$QUICK" = 1 ]; then MEM_STEPS="10000 20000"; else MEM_STEPS="10000 200000 1000000 2000000"; fi
log "memory: idle, then $MEM_STEPS routes (tools/bench/memory.sh)"
bench_memory "$MEM_STEPS" || { log "memory measurement failed; reported as not measured"; sed -i '/^mem\./d' "$RES"; }
mem_cleanup

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
BENCH_SECS=$(($(date +%s) - T0))
. "$ROOT/tools/bench/report.sh"
{ bench_report && cat "$WORK/trace.md" && report_memory; } >"$OUT" || die "report failed"
log "wrote $OUT in $(($(date +%s) - T0)) s"
