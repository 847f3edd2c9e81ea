# xrt bench: TCP throughput through xrt's socket layer vs kernel TCP (sourced by run.sh; or run it alone: bash tools/bench/sock.sh).
#
# Two namespaces, ${SK}h (a host: kernel TCP only) and ${SK}r (the router,
# running xrtd), joined by three veth pairs:
#   h0 - r0  xrt: r0 attached to xrtd, which owns 2001:db8:1::1; the
#            program on the router reaches xrt's TCP through
#            LD_PRELOAD=build/libxrt-sock.so, unmodified.
#   h1 - r1  the baseline: kernel TCP on both ends, the link configured as
#            h0 - r0 (TX checksum offload off on both ends, which xrt needs
#            since its punted frames carry the checksum the sender left, and
#            which also turns TSO off; xdp_pass on the host's end).
#   h2 - r2  context only: kernel TCP with veth's default offloads (TSO,
#            checksum offload, GRO), what two namespaces get out of the box.
# Each transfer sends the same random file (SK_BYTES) once: socat reads it
# from tmpfs and sends it, tools/bench/tcprecv.py receives it into tmpfs and
# times it from accept to the end of the stream. A figure is kept only when
# both ends exited 0, the receiver got exactly SK_BYTES and its file is
# byte for byte the one sent (cmp, after the clock stopped).
#
# Everything runs on one CPU (the first this script may use): sender,
# receiver and xrtd (single-threaded) are pinned to it, and the kernel's
# own work for both stacks runs in softirq on the sending CPU. Left to the
# scheduler, the kernel baseline came out at one of two speeds about 2x
# apart from round to round (receiver on the sender's CPU or not), and xrt
# at one of two speeds 1.4x apart; pinned, rounds agree within a few %.
# With xrtd pinned to the other CPU instead, xrt was no faster (about 5%
# slower). So each figure is what one CPU moves, and the ratio compares the
# two stacks' cost per byte. xrtd's CPU time is recorded next to each figure.
#
# Modes, interleaved in every round (A B A B), median of ROUNDS:
#   kin       host -> router, kernel to kernel (h1 - r1)
#   xin       host (kernel) -> router (xrt receives), default punt budget
#   xin_lift  the same with the budget of the 'local' punt reason lifted
#   kout      router -> host, kernel to kernel
#   xout      router (xrt sends) -> host (kernel), default punt budget
#   xout_lift the same, budget lifted
#   kdef      host -> router, kernel to kernel with default offloads (h2 - r2)
# Every segment xrt receives is a 'local' punt, policed by the fast path
# (`xrt punt show`): the default budget is a policy a user may keep, the
# lifted one shows what the socket layer itself can do.
#
# Needs from the caller: ROOT, BUILD, BPF, WORK, RES, ROUNDS, QUICK, log, put,
# get, median, ratio. Names: namespaces and veths xtb$$..., bpffs /run/xtb-$$.

SK=xtb$$
SK_RUN=/run/xtb-$$
SK_SHIM=$BUILD/libxrt-sock.so
SK_XRTD_PID=
SK_MODES=${SK_MODES:-"kin xin xin_lift kout xout xout_lift kdef"} # SK_MODES="kin xin" runs those rows only
SK_TIMEOUT=30    # seconds, one transfer (64 MiB takes about 2 s at the slowest)
SK_DEADLINE=150  # seconds: no new round starts after this
SK_PORT=9000
SK_SRC=/dev/shm/$SK-src
SK_OUT=/dev/shm/$SK-out
# the host's side of each pair and the router's address on it
SK_XRT_ADDR=2001:db8:1::1
SK_XHOST_ADDR=2001:db8:1::2
# the CPU that sender, receiver and xrtd run on: the first one we may use
SK_CPU=$(taskset -pc $$ 2>/dev/null | awk -F': ' '{ split($2, c, /[,-]/); print c[1] }')

sk_h() { ip netns exec "${SK}h" "$@"; }
sk_r() { ip netns exec "${SK}r" "$@"; }
sk_xrt() { sk_r "$BUILD/xrt" "$@"; }
sk_mac() { ip netns exec "${SK}$1" cat "/sys/class/net/${SK}$2/address"; }

sk_cleanup() {
	local p n
	if [ -n "$SK_XRTD_PID" ] && kill -0 "$SK_XRTD_PID" 2>/dev/null; then
		kill "$SK_XRTD_PID"
		for _ in $(seq 50); do kill -0 "$SK_XRTD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$SK_XRTD_PID" 2>/dev/null
	fi
	SK_XRTD_PID=
	# Whatever a failed transfer left running in our own namespaces.
	for n in h r; do
		for p in $(ip netns pids "${SK}$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	for n in h r; do ip netns del "${SK}$n" 2>/dev/null; done
	if mountpoint -q "$SK_RUN" 2>/dev/null; then umount "$SK_RUN"; fi
	rmdir "$SK_RUN" 2>/dev/null
	rm -f "$SK_SRC" "$SK_OUT" "/dev/shm/$SK-ready"
	return 0
}

sk_topo_up() {
	local n i
	for n in h r; do ip netns add "${SK}$n" || return 1; done
	for i in 0 1 2; do
		ip link add "${SK}h$i" netns "${SK}h" type veth peer name "${SK}r$i" netns "${SK}r" || return 1
	done
	for n in h r; do
		ip -n "${SK}$n" link set lo up || return 1
		for i in 0 1; do sk_$n ethtool -K "${SK}$n$i" tx off >/dev/null || return 1; done
		for i in 0 1 2; do ip -n "${SK}$n" link set "${SK}$n$i" up || return 1; done
	done
	ip -n "${SK}h" -6 addr add "$SK_XHOST_ADDR/64" dev "${SK}h0" nodad || return 1
	for i in 1 2; do
		ip -n "${SK}h" -6 addr add "2001:db8:$((i + 1))::2/64" dev "${SK}h$i" nodad || return 1
		ip -n "${SK}r" -6 addr add "2001:db8:$((i + 1))::1/64" dev "${SK}r$i" nodad || return 1
		# static neighbours: no ND anywhere near a measurement
		ip -n "${SK}h" -6 neigh replace "2001:db8:$((i + 1))::1" lladdr "$(sk_mac r "r$i")" \
			nud permanent dev "${SK}h$i" || return 1
		ip -n "${SK}r" -6 neigh replace "2001:db8:$((i + 1))::2" lladdr "$(sk_mac h "h$i")" \
			nud permanent dev "${SK}r$i" || return 1
	done
	ip -n "${SK}h" -6 neigh replace "$SK_XRT_ADDR" lladdr "$(sk_mac r r0)" nud permanent \
		dev "${SK}h0" || return 1
	mkdir -p "$SK_RUN" && mount -t bpf bpf "$SK_RUN" && mkdir -p "$SK_RUN/xrt" || return 1
	# The host's veths receive what the router sends as XDP frames.
	for i in 0 1; do
		TC_BPF_MNT=$SK_RUN ip -n "${SK}h" link set dev "${SK}h$i" xdp obj "$ROOT/tests/netns/xdp_pass.bpf.o" sec xdp ||
			return 1
	done
	# ip netns exec itself, not the sk_r function: a function sent to the
	# background is a subshell, and its PID would not be xrtd's.
	ip netns exec "${SK}r" taskset -c "$SK_CPU" "$BUILD/xrtd" -f --bpffs "$SK_RUN/xrt" --obj "$BPF/xrt_fwd.bpf.o" \
		>"$WORK/sk-xrtd.log" 2>&1 &
	SK_XRTD_PID=$!
	for _ in $(seq 100); do sk_xrt link show >/dev/null 2>&1 && break; sleep 0.1; done
	sk_xrt link show >/dev/null 2>&1 || { log "xrtd did not start: $(cat "$WORK/sk-xrtd.log")"; return 1; }
	sk_xrt link attach dev "${SK}r0" && sk_xrt addr add "$SK_XRT_ADDR/64" dev "${SK}r0" &&
		sk_xrt neigh add "$SK_XHOST_ADDR" lladdr "$(sk_mac h h0)" dev "${SK}r0" >/dev/null ||
		{ log "programming xrt failed"; return 1; }
}

# The 'local' punt budget: "default" (what xrtd started with) or "lift".
SK_BUDGET=default
sk_budget() {
	[ "$1" = "$SK_BUDGET" ] && return 0
	if [ "$1" = lift ]; then
		sk_xrt punt set local rate 0 >/dev/null || return 1
	else
		sk_xrt punt set local rate "$SK_LOCAL_RATE" >/dev/null || return 1
	fi
	SK_BUDGET=$1
}

# Counters around one transfer, as "name value" lines: for the host's and
# the router's kernels (h., r.) and xrt (x.), the retransmitted segments
# (rtx) and retransmission timeouts (rto) of a sender; for xrt also its
# policed punts (limited), out-of-order segments held (ofo) and segments in
# and out.
sk_kstat() { # namespace file table field
	ip netns exec "$1" awk -v t="$3" -v f="$4" '
		$1 == t { if (!c) { for (i = 2; i <= NF; i++) if ($i == f) c = i } else { print $c; exit } }' "$2"
}
sk_counters() {
	local n
	for n in h r; do
		echo "$n.rtx $(sk_kstat "${SK}$n" /proc/net/snmp Tcp: RetransSegs)"
		echo "$n.rto $(sk_kstat "${SK}$n" /proc/net/netstat TcpExt: TCPTimeouts)"
	done
	sk_xrt stats | awk '$1 == "TcpRetransSegs" { print "x.rtx", $2 } $1 == "TcpExtTCPTimeouts" { print "x.rto", $2 }
		$1 == "drop.punt_limit" { print "x.limited", $2 } $1 == "TcpExtTCPOFOQueue" { print "x.ofo", $2 }
		$1 == "TcpInSegs" { print "x.in", $2 } $1 == "TcpOutSegs" { print "x.out", $2 }'
	# xrtd's CPU time in clock ticks (utime + stime; the name has no spaces)
	awk '{ print "x.cpu", $14 + $15 }' "/proc/$SK_XRTD_PID/stat" 2>/dev/null
}
sk_delta() { # name: its growth from $WORK/sk-c0 to $WORK/sk-c1
	awk -v k="$1" '$1 == k { v[FILENAME] = $2 } END { print v[ARGV[2]] - v[ARGV[1]] }' "$WORK/sk-c0" "$WORK/sk-c1"
}

# One transfer in MODE; records sk.MODE.r (MB/s) and adds to the mode's
# counter totals. Returns 1 (with the reason logged) if the transfer did
# not deliver exactly the file sent.
sk_xfer() {
	local mode=$1 rns sns addr pre_r="" pre_s="" port rpid rc_s rc_r line bytes secs
	case $mode in
	kin) rns=r sns=h addr=2001:db8:2::1 ;;
	kdef) rns=r sns=h addr=2001:db8:3::1 ;;
	kout) rns=h sns=r addr=2001:db8:2::2 ;;
	xin | xin_lift) rns=r sns=h addr=$SK_XRT_ADDR pre_r=LD_PRELOAD=$SK_SHIM ;;
	xout | xout_lift) rns=h sns=r addr=$SK_XHOST_ADDR pre_s=LD_PRELOAD=$SK_SHIM ;;
	esac
	case $mode in
	*_lift) sk_budget lift || { log "xrt punt set failed"; return 1; } ;;
	x*) sk_budget default || { log "xrt punt set failed"; return 1; } ;;
	esac
	SK_PORT=$((SK_PORT + 1))
	port=$SK_PORT
	rm -f "$SK_OUT" "/dev/shm/$SK-ready"
	ip netns exec "${SK}$rns" timeout --foreground "$SK_TIMEOUT" taskset -c "$SK_CPU" env ${pre_r:+"$pre_r"} /usr/bin/python3 \
		"$ROOT/tools/bench/tcprecv.py" "$addr" "$port" "$SK_OUT" "/dev/shm/$SK-ready" \
		>"$WORK/sk-recv.out" 2>"$WORK/sk-recv.err" &
	rpid=$!
	for _ in $(seq 100); do [ -e "/dev/shm/$SK-ready" ] && break; sleep 0.05; done
	if [ ! -e "/dev/shm/$SK-ready" ]; then
		kill "$rpid" 2>/dev/null
		wait "$rpid"
		log "  $mode: the receiver did not listen: $(tail -2 "$WORK/sk-recv.err")"
		return 1
	fi
	sk_counters >"$WORK/sk-c0"
	ip netns exec "${SK}$sns" timeout --foreground "$SK_TIMEOUT" taskset -c "$SK_CPU" env ${pre_s:+"$pre_s"} socat -u \
		"OPEN:$SK_SRC" "TCP6:[$addr]:$port" 2>"$WORK/sk-send.err"
	rc_s=$?
	# The sender may exit before its last bytes left (kernel send buffer):
	# the receiver's end of stream is the end of the transfer.
	wait "$rpid"
	rc_r=$?
	sk_counters >"$WORK/sk-c1"
	line=$(cat "$WORK/sk-recv.out")
	bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' <<<"$line")
	secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")
	if [ "$rc_s" != 0 ] || [ "$rc_r" != 0 ]; then
		log "  $mode: sender exit $rc_s, receiver exit $rc_r (124 = timeout after ${SK_TIMEOUT}s): $(tail -1 "$WORK/sk-send.err") $(tail -1 "$WORK/sk-recv.err"); received ${bytes:-?} of $SK_BYTES bytes"
		return 1
	fi
	if [ "$bytes" != "$SK_BYTES" ] || ! cmp -s "$SK_SRC" "$SK_OUT"; then
		log "  $mode: received ${bytes:-?} bytes, not the $SK_BYTES sent, or different ones: $(cmp "$SK_SRC" "$SK_OUT" 2>&1 | head -1)"
		return 1
	fi
	# Which stack carried it: xrt's TCP counts every data segment (at most
	# 1440 payload bytes each at MTU 1500) in the xrt modes, and nothing in
	# the kernel ones (a shim that fell back to the kernel would fail here).
	local xin xout least=$((SK_BYTES / 1440))
	xin=$(sk_delta x.in)
	xout=$(sk_delta x.out)
	case $mode in
	xin*) [ "$xin" -ge "$least" ] || { log "  $mode: xrt's TCP received $xin segments, not the $least+ of the file"; return 1; } ;;
	xout*) [ "$xout" -ge "$least" ] || { log "  $mode: xrt's TCP sent $xout segments, not the $least+ of the file"; return 1; } ;;
	*) [ $((xin + xout)) = 0 ] || { log "  $mode: xrt's TCP counted $xin in, $xout out during a kernel transfer"; return 1; } ;;
	esac
	local mbps sender rtx rto limited
	mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", b / s / 1e6 }')
	put "sk.$mode.r" "$mbps"
	put "sk.$mode.secs" "$secs"
	# Totals over the rounds: the sender's retransmissions and timeouts,
	# xrt's policed punts and out-of-order segments.
	case $mode in
	kin | kdef | xin*) sender=h ;;
	kout) sender=r ;;
	xout*) sender=x ;;
	esac
	rtx=$(sk_delta "$sender.rtx")
	rto=$(sk_delta "$sender.rto")
	limited=$(sk_delta x.limited)
	put "sk.$mode.rtx" "$rtx"
	put "sk.$mode.rto" "$rto"
	put "sk.$mode.limited" "$limited"
	put "sk.$mode.ofo" "$(sk_delta x.ofo)"
	put "sk.$mode.cpu" "$(awk -v t="$(sk_delta x.cpu)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }')"
	log "  $mode: $bytes bytes in ${secs}s, $mbps MB/s; sender: $rtx segments retransmitted, $rto timeouts; xrt punts policed: $limited"
}

sk_sum() { awk -v k="$1" '$1 == k { s += $2; n++ } END { if (n) print s }' "$RES"; }

bench_sock() {
	local t0 round mode failed=""
	t0=$(date +%s)
	if [ "$QUICK" = 1 ]; then SK_BYTES=$((16 << 20)); else SK_BYTES=$((64 << 20)); fi
	[ -e "$SK_SHIM" ] || { log "$SK_SHIM missing: run make"; return 1; }
	command -v socat >/dev/null || { log "socat missing: make deps"; return 1; }
	[ -n "$SK_CPU" ] || { log "taskset found no CPU to pin to"; return 1; }
	put sk.cpu "$SK_CPU"
	sk_topo_up || { log "TCP topology setup failed"; return 1; }
	SK_LOCAL_RATE=$(sk_xrt punt show | awk '$1 == "local" { print ($2 == "unlimited" ? 0 : $2) }')
	[ -n "$SK_LOCAL_RATE" ] || { log "no 'local' punt reason in xrt punt show"; return 1; }
	head -c "$SK_BYTES" /dev/urandom >"$SK_SRC" || return 1
	put sk.bytes "$SK_BYTES"
	put sk.local_rate "$SK_LOCAL_RATE"
	put sk.local_burst "$(sk_xrt punt show | awk '$1 == "local" { print $3 }')"
	for round in $(seq "$ROUNDS"); do
		if [ $(($(date +%s) - t0)) -gt "$SK_DEADLINE" ]; then
			log "TCP: stopping after $((round - 1)) rounds (over ${SK_DEADLINE}s)"
			break
		fi
		for mode in $SK_MODES; do
			case " $failed " in *" $mode "*) continue ;; esac
			# One retry; a mode that fails twice is dropped and reported
			# as not measured, with the reason from the log.
			sk_xfer "$mode" || sk_xfer "$mode" || {
				failed="$failed $mode"
				put "sk.$mode.failed" 1
			}
		done
		put sk.rounds "$round"
		log "TCP round $round/$ROUNDS done ($(($(date +%s) - t0)) s)"
	done
	sk_budget default
	for mode in $SK_MODES; do
		[ -n "$(median "sk.$mode.r")" ] || continue
		put "sk.$mode" "$(median "sk.$mode.r")"
		put "sk.$mode.rtx_sum" "$(sk_sum "sk.$mode.rtx")"
		put "sk.$mode.rto_sum" "$(sk_sum "sk.$mode.rto")"
		put "sk.$mode.secs_sum" "$(sk_sum "sk.$mode.secs" | awk '{ printf "%.1f", $1 }')"
		# xrtd's CPU time over the transfers' time: the share of a CPU it kept busy
		put "sk.$mode.xrtd_cpu" "$(ratio "$(sk_sum "sk.$mode.cpu")" "$(sk_sum "sk.$mode.secs")")"
		put "sk.$mode.limited_sum" "$(sk_sum "sk.$mode.limited")"
		put "sk.$mode.ofo_sum" "$(sk_sum "sk.$mode.ofo")"
	done
	kill -0 "$SK_XRTD_PID" 2>/dev/null || { log "xrtd died during the TCP runs"; put sk.xrtd_died 1; }
	sk_cleanup
	put sk.seconds "$(($(date +%s) - t0))"
	log "  TCP host -> router: kernel $(get sk.kin) MB/s, xrt $(get sk.xin) MB/s (budget lifted $(get sk.xin_lift)); router -> host: kernel $(get sk.kout), xrt $(get sk.xout) (lifted $(get sk.xout_lift)); kernel default offloads $(get sk.kdef)"
	# The baseline must be there for any ratio.
	[ -n "$(get sk.kin)" ] && [ -n "$(get sk.kout)" ]
}

# Run alone: this section only, printed as it appears in BENCHMARKS.md.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cd "$(dirname "$0")/../.." || exit 1
	ROOT=$PWD BUILD=$PWD/build BPF=$PWD/bpf
	SK_SHIM=$BUILD/libxrt-sock.so
	ROUNDS=${BENCH_ROUNDS:-5} QUICK=${BENCH_QUICK:-0}
	WORK=$(mktemp -d /tmp/xtb-sock-XXXXXX)
	RES=$WORK/results
	log() { echo "bench: $*" >&2; }
	put() { echo "$1 $2" >>"$RES"; }
	get() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$RES"; }
	median() {
		awk -v k="$1" '$1 == k { print $2 }' "$RES" | sort -g |
			awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
	}
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
	trap 'sk_cleanup; rm -rf "$WORK"' EXIT
	trap 'exit 130' INT TERM
	[ "$(id -u)" = 0 ] || { log "needs root (namespaces, XDP)"; exit 1; }
	for f in "$BUILD/xrtd" "$BUILD/xrt" "$SK_SHIM" "$BPF/xrt_fwd.bpf.o" "$ROOT/tests/netns/xdp_pass.bpf.o"; do
		[ -e "$f" ] || { log "$f missing: run make first"; exit 1; }
	done
	bench_sock || exit 1
	. "$ROOT/tools/bench/report.sh"
	report_sock
fi
