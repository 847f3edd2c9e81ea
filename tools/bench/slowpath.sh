# xrt bench: slow-path figures (sourced by run.sh): punts/s, ICMPv6 errors/s, ping RTT, xrt vs kernel.
#
# Runs in run.sh's two end-to-end topologies (XB_K: kernel router, XB_X:
# xrt router with xrtd) after the throughput runs; uses run.sh's helpers.

sp_ping_avg() { # netns destination -> average RTT in ms
	ip netns exec "$1" ping -6 -n -c 50 -i 0.02 -q "$2" 2>/dev/null | awk -F/ '/^rtt/ { print $5 }'
}
sp_xrt_stat() { xrtc stats | awk -v k="$1" '$1 == k { print $2 }'; }
sp_snmp6() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6; }
sp_now() { date +%s.%N; }

# Hop-limit-1 frames from pktgen: every one is a punt (xrt) or an
# ip6_forward Time Exceeded decision (kernel).
sp_send_expiring() { # topology prefix, count
	local XB=$1
	xb_g "$BUILD/pktgen" tx --dev "${XB}g0" --keep-dev "${XB}k0" \
		--dst-mac "$(xb_mac "${XB}r" "${XB}r0")" --src "$GEN_ADDR" --dst "$DST_BASE" \
		--hop-limit 1 --count "$2" --call "$2" --obj "$BPF/pktgen.bpf.o" |
		sed -n 's/^RESULT .*seconds=\([0-9.]*\).*/\1/p'
}

bench_slowpath() {
	local n=$1 round
	# Ping RTT to the router's own address: xrtd answers (punt, AF_XDP,
	# userspace ICMPv6, AF_XDP TX) vs the kernel answering.
	for round in $(seq "$ROUNDS"); do
		put sp.rtt_kernel_r "$(sp_ping_avg "${XB_K}g" "$R0_ADDR")"
		put sp.rtt_daemon_r "$(sp_ping_avg "${XB_X}g" "$R0_ADDR")"
	done
	put sp.rtt_kernel "$(median sp.rtt_kernel_r)"
	put sp.rtt_daemon "$(median sp.rtt_daemon_r)"
	log "  ping the router: kernel $(get sp.rtt_kernel) ms, xrtd $(get sp.rtt_daemon) ms"

	# Punts: n expiring frames at full speed. xrt: frames the daemon took off
	# its AF_XDP ring per second, until the count stops moving; the rest are
	# dropped at the full ring (bounded). Kernel: Time Exceeded decisions/s.
	local rx0 te0 t0 secs last t_last rx te deadline
	rx0=$(sp_xrt_stat XskRxFrames); te0=$(sp_xrt_stat Icmp6OutTimeExcds)
	t0=$(sp_now)
	secs=$(sp_send_expiring "$XB_X" "$n")
	[ -n "$secs" ] || { log "pktgen failed (xrt punts)"; return 1; }
	last=-1; t_last=$t0
	deadline=$(($(date +%s) + 20))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		rx=$(sp_xrt_stat XskRxFrames)
		if [ "$rx" = "$last" ]; then break; fi
		last=$rx; t_last=$(sp_now)
		sleep 0.2
	done
	te=$(sp_xrt_stat Icmp6OutTimeExcds)
	put sp.punts_offered "$n"
	put sp.punts_handled "$((rx - rx0))"
	put sp.punt_pps "$(awk -v d="$((rx - rx0))" -v a="$t0" -v b="$t_last" 'BEGIN { printf "%.0f", d / (b - a) }')"
	put sp.xrt_te "$((te - te0))"
	put sp.xrt_te_ps "$(awk -v d="$((te - te0))" -v a="$t0" -v b="$t_last" 'BEGIN { printf "%.0f", d / (b - a) }')"
	log "  punts: $n offered, xrtd took $((rx - rx0)), sent $((te - te0)) Time Exceeded"

	local he0 he kte0 kte
	he0=$(sp_snmp6 "${XB_K}r" Ip6InHdrErrors); kte0=$(sp_snmp6 "${XB_K}r" Icmp6OutTimeExcds)
	secs=$(sp_send_expiring "$XB_K" "$n")
	[ -n "$secs" ] || { log "pktgen failed (kernel expiring)"; return 1; }
	he=$(sp_snmp6 "${XB_K}r" Ip6InHdrErrors); kte=$(sp_snmp6 "${XB_K}r" Icmp6OutTimeExcds)
	put sp.kernel_te_pps "$(awk -v d="$((he - he0))" -v s="$secs" 'BEGIN { printf "%.0f", d / s }')"
	put sp.kernel_te "$((kte - kte0))"
	put sp.kernel_te_ps "$(awk -v d="$((kte - kte0))" -v s="$secs" 'BEGIN { printf "%.0f", d / s }')"
	log "  kernel: $((he - he0)) expiring frames handled, $((kte - kte0)) Time Exceeded sent"

	# Ping through the router (fast path vs kernel forwarding): the sink must
	# answer, so its counting XDP program goes (this comes last).
	local XB
	for XB in "$XB_K" "$XB_X"; do
		xb_s ip link set dev "${XB}s0" xdp off || return 1
		xb_s ethtool -K "${XB}s0" gro on >/dev/null || return 1
	done
	for round in $(seq "$ROUNDS"); do
		put sp.rtt_fast_kernel_r "$(sp_ping_avg "${XB_K}g" "$SINK_ADDR")"
		put sp.rtt_fast_xrt_r "$(sp_ping_avg "${XB_X}g" "$SINK_ADDR")"
	done
	put sp.rtt_fast_kernel "$(median sp.rtt_fast_kernel_r)"
	put sp.rtt_fast_xrt "$(median sp.rtt_fast_xrt_r)"
	log "  ping through the router: kernel $(get sp.rtt_fast_kernel) ms, xrt $(get sp.rtt_fast_xrt) ms"
	[ -n "$(get sp.rtt_fast_xrt)" ] && [ -n "$(get sp.rtt_daemon)" ]
}
