# xrt bench: slow-path figures (sourced by run.sh): punts/s, ICMPv6 errors/s, ping RTT, xrt vs kernel.
#
# Runs in run.sh's two end-to-end topologies (XB_K: kernel router, XB_X:
# xrt router with xrtd) after the throughput runs; uses run.sh's helpers.

sp_ping_avg() { # netns destination -> average RTT in ms
	ip netns exec "$1" ping -6 -n -c 50 -i 0.02 -q "$2" 2>/dev/null | awk -F/ '/^rtt/ { print $5 }'
}
sp_xrt_stat() { xrtc stats | awk -v k="$1" '$1 == k { print $2 }'; }
sp_snmp6() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6; }

# Hop-limit-1 frames from pktgen: every one is a punt (xrt) or an
# ip6_forward Time Exceeded decision (kernel).
sp_send_expiring() { # topology prefix, count, extra pktgen args
	local XB=$1 n=$2
	shift 2
	xb_g "$BUILD/pktgen" tx --dev "${XB}g0" --keep-dev "${XB}k0" \
		--dst-mac "$(xb_mac "${XB}r" "${XB}r0")" --src "$GEN_ADDR" --dst "$DST_BASE" \
		--hop-limit 1 --count "$n" --call 64 --obj "$PKTGEN_OBJ" "$@" |
		sed -n 's/^RESULT .*seconds=\([0-9.]*\).*/\1/p'
}

SP_RATES=${SP_RATES:-"25000 50000 100000 200000 400000"}

# Ping DESTINATION from the kernel topology's generator and from xrt's,
# ROUNDS times each, interleaved; the medians go to sp.KERNEL_KEY and
# sp.XRT_KEY.
sp_rtt_rounds() { # kernel_key xrt_key destination
	local round
	for round in $(seq "$ROUNDS"); do
		put "sp.$1_r" "$(sp_ping_avg "${XB_K}g" "$3")"
		put "sp.$2_r" "$(sp_ping_avg "${XB_X}g" "$3")"
	done
	put "sp.$1" "$(median "sp.$1_r")"
	put "sp.$2" "$(median "sp.$2_r")"
}

bench_slowpath() {
	# Ping RTT to the router's own address: xrtd answers (punt, AF_XDP,
	# userspace ICMPv6, AF_XDP TX) vs the kernel answering.
	sp_rtt_rounds rtt_kernel rtt_daemon "$R0_ADDR"
	log "  ping the router: kernel $(get sp.rtt_kernel) ms, xrtd $(get sp.rtt_daemon) ms"

	# Punts: expiring frames offered at a paced rate for half a second each,
	# rising. xrt: every one is punted, and what xrtd takes off its bounded
	# AF_XDP ring (XskRxFrames) is handled, the rest dropped at the ring.
	# Kernel: Ip6InHdrErrors (ip6_forward's Time Exceeded decision). The
	# sustained punt rate is the highest offered rate up to which xrtd
	# handled >= 99% at every step.
	local rate cnt rx0 rx last te0 te he0 he kte0 kte sustained=0 failed=0 secs
	# The hop_limit punt budget (xrt punt show) would cap this at its rate:
	# lift it so the figure is the daemon's capacity, not the policy.
	xrtc punt set hop_limit rate 0 >/dev/null || { log "xrt punt set failed"; return 1; }
	for rate in $SP_RATES; do
		cnt=$((rate / 2))
		rx0=$(sp_xrt_stat XskRxFrames); te0=$(sp_xrt_stat Icmp6OutTimeExcds)
		secs=$(sp_send_expiring "$XB_X" "$cnt" --rate "$rate")
		[ -n "$secs" ] || { log "pktgen failed (xrt punts)"; return 1; }
		put "sp.actual.$rate" "$(awk -v n="$cnt" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
		last=-1
		for _ in $(seq 50); do # until the daemon's count stops moving (<= 5 s)
			rx=$(sp_xrt_stat XskRxFrames)
			[ "$rx" = "$last" ] && break
			last=$rx
			sleep 0.1
		done
		te=$(sp_xrt_stat Icmp6OutTimeExcds)
		he0=$(sp_snmp6 "${XB_K}r" Ip6InHdrErrors); kte0=$(sp_snmp6 "${XB_K}r" Icmp6OutTimeExcds)
		sp_send_expiring "$XB_K" "$cnt" --rate "$rate" >/dev/null || { log "pktgen failed (kernel expiring)"; return 1; }
		he=$(sp_snmp6 "${XB_K}r" Ip6InHdrErrors); kte=$(sp_snmp6 "${XB_K}r" Icmp6OutTimeExcds)
		put "sp.offered.$rate" "$cnt"
		put "sp.handled.$rate" "$((rx - rx0))"
		put "sp.xrt_te.$rate" "$((te - te0))"
		put "sp.kernel_handled.$rate" "$((he - he0))"
		put "sp.kernel_te.$rate" "$((kte - kte0))"
		if [ $failed = 0 ] && [ $((100 * (rx - rx0))) -ge $((99 * cnt)) ]; then
			sustained=$rate
		else
			failed=1
		fi
		log "  punts at $rate/s: xrtd took $((rx - rx0)) of $cnt (Time Exceeded sent $((te - te0))); kernel handled $((he - he0)) (sent $((kte - kte0)))"
	done
	put sp.punt_pps "$sustained"

	# Ping through the router (fast path vs kernel forwarding): the sink must
	# answer, so its counting XDP program goes (this comes last).
	local XB
	for XB in "$XB_K" "$XB_X"; do
		xb_s ip link set dev "${XB}s0" xdp off || return 1
		xb_s ethtool -K "${XB}s0" gro on >/dev/null || return 1
	done
	sp_rtt_rounds rtt_fast_kernel rtt_fast_xrt "$SINK_ADDR"
	log "  ping through the router: kernel $(get sp.rtt_fast_kernel) ms, xrt $(get sp.rtt_fast_xrt) ms"
	[ -n "$(get sp.rtt_fast_xrt)" ] && [ -n "$(get sp.rtt_daemon)" ]
}
