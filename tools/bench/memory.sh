# xrt bench: memory (sourced by run.sh): an idle router with one interface, then 10k..2M routes, beside the kernel's slab.
#
# One namespace built as control.sh's (one veth pair, 2001:db8:3::1/64,
# gateway 2001:db8:3::2), ${XB}y, runs xrtd (no kernel mirroring) and gets
# fpcost's random table by `xrt -batch` in steps (10k, then up to 200k, 1M,
# 2M). xrtd's figures are tools/bench/memfig's (resident pages plus BPF map
# memlock, nothing twice). The kernel's are section 1's: fpcost installs
# the same routes (same seed) into the kernel and records how Slab grew
# (fp.N.kernel_slab_kb, per step); loading them again here would cost
# minutes (25-45k routes/s on this machine). Results: mem.* keys.

MEM_PID=""
# The bound t_mem_idle checks too.
XRT_MEM_IDLE_MAX_KB=$(awk '$2 == "XRT_MEM_IDLE_MAX_KB" { print $3 }' "$ROOT/include/xrt/limits.h")

mem_cleanup() {
	if [ -n "$MEM_PID" ]; then
		kill "$MEM_PID" 2>/dev/null
		# a table of millions of routes takes a while to free
		for _ in $(seq 200); do kill -0 "$MEM_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$MEM_PID" 2>/dev/null
		MEM_PID=""
	fi
	local s
	ip netns del "${XB}y" 2>/dev/null
	if mountpoint -q "/run/${XB}/cpy" 2>/dev/null; then umount "/run/${XB}/cpy"; fi
	rmdir "/run/${XB}/cpy" "/run/${XB}" 2>/dev/null
	return 0
}

# mem_fig KEY: memfig of xrtd into mem.KEY.{rss,map_rss,memlock,total}_kb
mem_fig() {
	local f k
	f=$("$ROOT/tools/bench/memfig" "$MEM_PID") || return 1
	for k in rss_kb map_rss_kb memlock_kb total_kb; do
		put "mem.$1.$k" "$(tr ' ' '\n' <<<"$f" | sed -n "s/^$k=//p")"
	done
}

# mem_summary FIELD: a field of `xrt -j route summary` in ${XB}y
mem_summary() {
	ip netns exec "${XB}y" "$BUILD/xrt" -j route summary 2>/dev/null |
		sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"
}

bench_memory() { # steps, e.g. "10000 200000 1000000 2000000"
	local steps=$1 last n prev=0 t0 t1 out
	last=$(tr ' ' '\n' <<<"$steps" | tail -1)
	cp_ns_up y || return 1
	cp_xrtd y || return 1
	MEM_PID=$CP_LAST_PID
	local xy="ip netns exec ${XB}y $BUILD/xrt"
	$xy link attach dev "${XB}ya" && $xy addr add 2001:db8:3::1/64 dev "${XB}ya" &&
		$xy neigh add 2001:db8:3::2 lladdr 02:00:00:00:03:02 dev "${XB}ya" || return 1
	mem_fig idle || return 1
	put mem.idle.trie_bytes "$(mem_summary bytes)"
	put mem.idle.umem_frames "$($xy stats | awk '$1 == "XskUmemFrames" { print $2 }')"
	"$BUILD/fpcost" --dump-routes "$last" >"$WORK/mem.routes" || return 1
	put mem.steps "$(tr ' ' , <<<"$steps")"
	for n in $steps; do
		# A failed step is reported, not fatal; the steps after it are
		# not tried.
		sed -n "$((prev + 1)),${n}p" "$WORK/mem.routes" |
			awk -v d="${XB}ya" '{ print "route replace " $1 " via 2001:db8:3::2 dev " d }' \
				>"$WORK/mem.batch"
		t0=$(cp_now)
		if ! out=$($xy -batch "$WORK/mem.batch" 2>&1); then
			put mem.xrt_failed_at "$n"
			put mem.xrt_alive "$(kill -0 "$MEM_PID" 2>/dev/null && echo yes || echo no)"
			tr '\n|' '  ' <<<"$out" | cut -c1-200 |
				sed -E 's|Command failed [^:]*:([0-9]+): (.*)|\2 at line \1 of the step|' >"$WORK/mem.xrt_error"
			log "  memory: xrt -batch up to $n routes failed: $(cat "$WORK/mem.xrt_error")"
			break
		fi
		t1=$(cp_now)
		put "mem.$n.xrt_secs" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
		mem_fig "$n" || return 1
		put "mem.$n.routes" "$(mem_summary routes)"
		put "mem.$n.trie_bytes" "$(mem_summary bytes)"
		log "  memory: $n routes: xrtd $(get "mem.$n.total_kb") kB in all"
		prev=$n
	done
	put mem.xrt_pid_kept "$(kill -0 "$MEM_PID" 2>/dev/null && echo yes || echo no)"
	mem_cleanup
}

# Bytes per route over the idle figure: (KEY.N - KEY.idle) * 1024 / N
mem_per_route() { # key n
	awk -v a="$(get "mem.$2.$1")" -v b="$(get "mem.idle.$1")" -v n="$2" \
		'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.0f", (a - b) * 1024 / n }'
}
mem_mb() { awk -v k="$1" 'BEGIN { if (k == "") print "n/a"; else printf "%.1f", k / 1024 }'; }
# FIB trie cells per route in the fast path: growth over idle / routes held
mem_trie_per_route() { # n
	awk -v a="$(get "mem.$1.trie_bytes")" -v b="$(get mem.idle.trie_bytes)" -v r="$(get "mem.$1.routes")" \
		'BEGIN { if (a == "" || b == "" || r + 0 == 0) print "n/a"; else printf "%.1f", (a - b) / r }'
}
# The kernel's slab growth up to N routes: section 1's per-step figures
# (fp.M.kernel_slab_kb for every M <= N), summed; empty unless section 1
# measured N itself.
mem_kernel_slab_kb() { # n
	local m sum=0 seen=""
	for m in $FP_COUNTS; do
		[ "$m" -le "$1" ] || continue
		sum=$((sum + $(get "fp.$m.kernel_slab_kb")))
		[ "$m" = "$1" ] && seen=1
	done
	[ -n "$seen" ] && echo "$sum"
}
mem_kernel_cells() { # n: "slab growth | per route" of the kernel, or why not
	local kb
	kb=$(mem_kernel_slab_kb "$1")
	if [ -z "$kb" ]; then
		echo "not measured (section 1 stops at $(tail -1 <<<"$FP_COUNTS")) |"
	else
		echo "$(mem_mb "$kb") MB | $(awk -v k="$kb" -v n="$1" 'BEGIN { printf "%.0f B", k * 1024 / n }')"
	fi
}

# Target rows for report.sh's table.
mem_target_rows() {
	local idle last steps
	steps=$(get mem.steps)
	last=$(tr , '\n' <<<"${steps:-2000000}" | tail -1)
	idle=$(mem_mb "$(get mem.idle.total_kb)")
	echo "| idle router with one interface under $((XRT_MEM_IDLE_MAX_KB / 1024)) MB in all (resident + map memlock) | $idle MB | $(verdict_le "$idle" $((XRT_MEM_IDLE_MAX_KB / 1024))) |"
	echo "| FIB trie <= 57 bytes per route at 1000000 routes | $(mem_trie_per_route 1000000) B | $(verdict_le "$(mem_trie_per_route 1000000)" 57) |"
	if [ -z "$steps" ]; then
		echo "| $last routes load without a restart | not measured | not measured |"
	elif [ -n "$(get mem.xrt_failed_at)" ]; then
		echo "| $last routes load without a restart | failed in the step to $(get mem.xrt_failed_at) routes (xrtd still running: $(get mem.xrt_alive)) | **miss** |"
	else
		echo "| $last routes load without a restart | $(get "mem.$last.routes") routes in the FIB, same xrtd: $(get mem.xrt_pid_kept) | $([ "$(get mem.xrt_pid_kept)" = yes ] && echo '**hit**' || echo '**miss**') |"
	fi
}

report_memory() {
	if [ -z "$(get mem.idle.total_kb)" ]; then
		printf '\n## 7. Memory\n\nNot measured in this run (tools/bench/memory.sh failed; see the run log).\n'
		return 0
	fi
	cat <<EOF

## 7. Memory

An xrt router (one veth attached, one address, one neighbour) idle, then
with the same random table as section 1 loaded by \`xrt -batch\` in steps,
beside the kernel holding the same routes (section 1's install). xrtd's
figures are \`tools/bench/memfig PID\`: its resident pages (VmRSS, the
AF_XDP UMEM included: $(get mem.idle.umem_frames) frames of 4 KiB at the default rings) plus the
memlock of every BPF map it holds (/proc/PID/fdinfo), the maps it has
mapped counted once. The kernel's figure is how much Slab
(/proc/meminfo) grew while fpcost installed the routes in section 1:
noisy, other jobs share the machine. "Per route" is the growth over the idle router divided by the
routes of the step; the trie's is divided by the routes the FIB holds
(\`xrt route summary\`; the random table repeats a few prefixes).

| routes | xrtd resident | BPF maps (memlock) | xrt in all | xrt per route, in all | of which FIB trie cells | kernel slab growth | kernel per route | \`xrt -batch\` of the step |
|---|---|---|---|---|---|---|---|---|
| idle | $(mem_mb "$(get mem.idle.rss_kb)") MB | $(mem_mb "$(get mem.idle.memlock_kb)") MB | $(mem_mb "$(get mem.idle.total_kb)") MB | | | | | |
EOF
	local n
	for n in $(tr , ' ' <<<"$(get mem.steps)"); do
		if [ -n "$(get "mem.$n.total_kb")" ]; then
			echo "| $n | $(mem_mb "$(get "mem.$n.rss_kb")") MB | $(mem_mb "$(get "mem.$n.memlock_kb")") MB | $(mem_mb "$(get "mem.$n.total_kb")") MB | $(mem_per_route total_kb "$n") B | $(mem_trie_per_route "$n") B | $(mem_kernel_cells "$n") | $(get "mem.$n.xrt_secs") s |"
		else
			local why="not tried (a step before failed)"
			[ "$n" = "$(get mem.xrt_failed_at)" ] && why="failed: $(cat "$WORK/mem.xrt_error")"
			echo "| $n | $why | | | | | $(mem_kernel_cells "$n") | |"
		fi
	done
	cat <<EOF

Reproduce: tools/bench/run.sh, part 7 (tools/bench/memory.sh). One
process's figure: \`tools/bench/memfig PID\`; its maps, largest first:
\`tools/bench/memfig --maps PID\`. README "Sizing" says what each part
costs and which options change it.
EOF
}
