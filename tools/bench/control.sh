# xrt bench: control-plane figures (sourced by run.sh): route install and memory, xrt vs kernel.
#
# Three namespaces built alike (one veth pair, 2001:db8:3::1/64, gateway
# 2001:db8:3::2): ${XB}c loads the table with `xrt -batch` into an xrtd
# without kernel mirroring, ${XB}q with `ip -6 -batch` into the kernel (the
# baseline), ${XB}m with `ip -6 -batch` into a kernel that an xrtd
# --sync-kernel mirrors into its fast path. Same table in all three: fpcost's
# random realistic routes.

CP_PIDS=""

cp_cleanup() {
	local p n
	for p in $CP_PIDS; do
		kill "$p" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	CP_PIDS=""
	for n in c q m; do ip netns del "${XB}$n" 2>/dev/null; done
	for n in c q m; do
		if mountpoint -q "/run/${XB}/cp$n" 2>/dev/null; then umount "/run/${XB}/cp$n"; fi
		rmdir "/run/${XB}/cp$n" 2>/dev/null
	done
	rmdir "/run/${XB}" 2>/dev/null
	return 0
}

cp_ns_up() { # suffix
	local ns=${XB}$1
	ip netns add "$ns" || return 1
	ip -n "$ns" link add "${XB}$1a" type veth peer name "${XB}$1b" || return 1
	ip -n "$ns" link set lo up && ip -n "$ns" link set "${XB}$1a" up &&
		ip -n "$ns" link set "${XB}$1b" up || return 1
	ip -n "$ns" -6 neigh replace 2001:db8:3::2 lladdr 02:00:00:00:03:02 nud permanent \
		dev "${XB}$1a" 2>/dev/null
	return 0
}

# xrtd in namespace suffix $1 with bpffs /run/$XB/cp$1, extra args after.
cp_xrtd() {
	local s=$1
	shift
	# Mounted here, in our mount namespace, so the pins stay visible to us
	# (xrtd would mount its own inside `ip netns exec`'s private one).
	mkdir -p "/run/${XB}/cp$s"
	mountpoint -q "/run/${XB}/cp$s" || mount -t bpf bpf "/run/${XB}/cp$s" || return 1
	ip netns exec "${XB}$s" "$BUILD/xrtd" -f --bpffs "/run/${XB}/cp$s" --obj "$BPF/xrt_fwd.bpf.o" \
		"$@" >"$WORK/xrtd-$s.log" 2>&1 &
	CP_PIDS="$CP_PIDS $!"
	CP_LAST_PID=$!
	for _ in $(seq 100); do
		ip netns exec "${XB}$s" "$BUILD/xrt" link show >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	log "xrtd in ${XB}$s did not start: $(cat "$WORK/xrtd-$s.log")"
	return 1
}

cp_rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
cp_slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
cp_now() { date +%s.%N; }
cp_trie_bytes() { # netns: the FIB trie's cells in use (its arrays are preallocated)
	ip netns exec "$1" "$BUILD/xrt" -j route summary 2>/dev/null |
		sed -n 's/.*"bytes": *\([0-9]*\).*/\1/p'
}

bench_control() {
	local n=$1 t0 t1 rss0 rss1 slab0 slab1 trie0 trie1 pid
	"$BUILD/fpcost" --dump-routes "$n" >"$WORK/cp.routes" || return 1
	for s in c q m; do cp_ns_up "$s" || return 1; done

	# xrt: xrt -batch into the daemon's RIB and maps.
	cp_xrtd c || return 1
	pid=$CP_LAST_PID
	local xc="ip netns exec ${XB}c $BUILD/xrt"
	$xc link attach dev "${XB}ca" && $xc addr add 2001:db8:3::1/64 dev "${XB}ca" &&
		$xc neigh add 2001:db8:3::2 lladdr 02:00:00:00:03:02 dev "${XB}ca" || return 1
	awk -v d="${XB}ca" '{ print "route replace " $1 " via 2001:db8:3::2 dev " d }' \
		"$WORK/cp.routes" >"$WORK/cp.xrt.batch"
	rss0=$(cp_rss_kb "$pid"); trie0=$(cp_trie_bytes "${XB}c")
	t0=$(cp_now)
	$xc -batch "$WORK/cp.xrt.batch" >/dev/null || { log "xrt -batch failed"; return 1; }
	t1=$(cp_now)
	rss1=$(cp_rss_kb "$pid"); trie1=$(cp_trie_bytes "${XB}c")
	put cp.routes "$n"
	put cp.xrt_secs "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
	put cp.xrt_rps "$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.0f", n / (b - a) }')"
	put cp.xrtd_bytes_per_route "$(awk -v a="$rss0" -v b="$rss1" -v n="$n" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')"
	put cp.trie_bytes_per_route "$(awk -v a="${trie0:-0}" -v b="${trie1:-0}" -v n="$n" 'BEGIN { if (b > 0) printf "%.0f", (b - a) / n; else print "n/a" }')"
	log "  xrt -batch: $n routes in $(get cp.xrt_secs) s"

	# Kernel baseline: the same lines through ip -batch.
	ip -n "${XB}q" -6 addr add 2001:db8:3::1/64 dev "${XB}qa" nodad || return 1
	awk -v d="${XB}qa" '{ print "route replace " $1 " via 2001:db8:3::2 dev " d }' \
		"$WORK/cp.routes" >"$WORK/cp.q.batch"
	slab0=$(cp_slab_kb)
	t0=$(cp_now)
	ip -n "${XB}q" -6 -batch "$WORK/cp.q.batch" || { log "ip -batch failed"; return 1; }
	t1=$(cp_now)
	slab1=$(cp_slab_kb)
	put cp.kernel_secs "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
	put cp.kernel_rps "$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.0f", n / (b - a) }')"
	put cp.kernel_bytes_per_route "$(awk -v a="$slab0" -v b="$slab1" -v n="$n" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')"
	log "  ip -batch: $n routes in $(get cp.kernel_secs) s"

	# Netlink mirror: ip -batch into a kernel that xrtd --sync-kernel follows.
	ip -n "${XB}m" -6 addr add 2001:db8:3::1/64 dev "${XB}ma" nodad || return 1
	cp_xrtd m --sync-kernel || return 1
	local xm="ip netns exec ${XB}m $BUILD/xrt"
	$xm link attach dev "${XB}ma" || return 1
	local base
	base=$($xm route show | wc -l)
	awk -v d="${XB}ma" '{ print "route replace " $1 " via 2001:db8:3::2 dev " d }' \
		"$WORK/cp.routes" >"$WORK/cp.m.batch"
	local want
	# Duplicates in the random table replace each other: count what the kernel has.
	t0=$(cp_now)
	ip -n "${XB}m" -6 -batch "$WORK/cp.m.batch" || { log "ip -batch (mirror) failed"; return 1; }
	want=$(($(ip -n "${XB}m" -6 route show | grep -c via) + base))
	local got=0 deadline=$(($(date +%s) + 180))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		got=$($xm route show | wc -l)
		[ "$got" -ge "$want" ] && break
		sleep 0.2
	done
	t1=$(cp_now)
	if [ "$got" -ge "$want" ]; then
		put cp.mirror_rps "$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.0f", n / (b - a) }')"
		log "  mirror: $n routes in the fast path $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s after ip -batch started"
	else
		log "  mirror: only $got of $want routes after 180 s"
		put cp.mirror_rps "incomplete($got/$want)"
	fi
	cp_cleanup
}
