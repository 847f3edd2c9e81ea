# xrt tests: BIRD 2 on an xrt router over the LD_PRELOAD shim against a kernel-side BIRD (sourced by t_sock_ripng, t_sock_ospf6 after lib.sh).
#   a (kernel, BIRD, stub 2001:db8:a::/64) --- r (xrt --sync-kernel, BIRD over the shim) --- b (2001:db8:77::/64)
# r's BIRD runs the protocol with a; what it learns goes into r's kernel
# table (protocol kernel, netlink: not intercepted), which xrtd mirrors
# into xrt. The caller defines bird_proto NAME IFACE STUB (the protocol's
# configuration) and sets BIRD_RTS (RTS_RIP, RTS_OSPF).

xrt_require_cmd bird birdc ping
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

A=a R=r B=b
xrt_host_ns $A
xrt_router_ns $R
xrt_host_ns $B
xrt_link $A $R
xrt_link $R $B
IF_AR=$(xrt_if $A $R) IF_RA=$(xrt_if $R $A) IF_RB=$(xrt_if $R $B) IF_BR=$(xrt_if $B $R)
NA=$(xrt_ns $A) NR=$(xrt_ns $R)
ip -n "$NA" -6 addr add 2001:db8:1::2/64 dev "$IF_AR" nodad
xrt_xdp_pass $A "$IF_AR"
ip -n "$NR" -6 addr add 2001:db8:1::1/64 dev "$IF_RA" nodad
# a's stub network: a veth pair inside the namespace (no dummy module on
# every test host). r's is the link to b.
ip -n "$NA" link add stub type veth peer name stubp
ip -n "$NA" link set stubp up && ip -n "$NA" link set stub up
ip -n "$NA" -6 addr add 2001:db8:a::1/64 dev stub nodad
ip -n "$NR" -6 addr add 2001:db8:77::1/64 dev "$IF_RB" nodad
xrt_host $B "$IF_BR" 2001:db8:77::2/64 2001:db8:77::1
xrt_static_neigh $B "$IF_BR" 2001:db8:77::1 "$(xrt_mac $R "$IF_RB")"
# Both link-locals usable (BIRD waits for one).
for n in "$NA:$IF_AR" "$NR:$IF_RA"; do
	xrt_wait_for "ip -n '${n%%:*}' -6 addr show dev '${n#*:}' scope link | grep -q fe80 && ! ip -n '${n%%:*}' -6 addr show dev '${n#*:}' | grep -q tentative" 10 ||
		xrt_fail "${n%%:*}: no link-local address on ${n#*:}"
done
LL_R=$(ip -n "$NR" -6 addr show dev "$IF_RA" scope link | awk '/inet6/ {sub("/.*", "", $2); print $2; exit}')

xrt_xrtd_start $R --sync-kernel
xrt_cli_ok $R link attach dev "$IF_RA"
xrt_cli_ok $R link attach dev "$IF_RB"
xrt_wait_for "xrt_cli $R addr show | grep -q '2001:db8:1::1/64'" 5 || xrt_fail "kernel address not mirrored"
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }

bird_start() { # NS IFACE STUB ID [LD_PRELOAD]
	local conf=$XRT_TMP/bird-$1.conf
	{
		cat <<CONF
log stderr all;
router id $4;
protocol device { scan time 1; }
protocol direct { ipv6; interface "$3"; }
protocol kernel { ipv6 { import none; export where source = $BIRD_RTS; }; scan time 2; }
CONF
		bird_proto proto1 "$2" "$3"
	} >"$conf"
	xrt_bg "$1" "bird-$1" env ${5:+LD_PRELOAD=$5} bird -f -c "$conf" -s "$XRT_TMP/bird-$1.ctl" -P "$XRT_TMP/bird-$1.pid"
}
birdc_at() { local n=$1; shift; xrt_exec "$n" birdc -s "$XRT_TMP/bird-$n.ctl" "$@"; }
bird_start_both() {
	bird_start $R "$IF_RA" "$IF_RB" 10.0.0.1 "$SHIM"
	bird_start $A "$IF_AR" stub 10.0.0.2
}

# bird_check_routes WHAT: r's BIRD learned a's stub through xrt's socket
# layer, a's kernel learned b's network from r's BIRD (what r sent left
# with a source and checksum a accepts), r's kernel route is in xrt and
# the fast path forwards b -> a's stub on it; then a's BIRD stops and the
# route leaves xrt.
bird_check_routes() {
	local what=$1
	xrt_wait_for "birdc_at $R show route protocol proto1 | grep -q '2001:db8:a::/64'" 30 ||
		xrt_fail "r's BIRD never learned 2001:db8:a::/64: $(birdc_at $R show protocols all proto1; tail -20 "$XRT_TMP/bird-$R.log")"
	xrt_log "r's BIRD: $(birdc_at $R show route protocol proto1 | grep -A1 2001:db8:a:: | tr -s ' \n' ' ')"
	assert_contains "$(birdc_at $R show route protocol proto1)" "via fe80::" "learned from a's link-local"
	xrt_wait_for "ip -n '$NA' -6 route show 2001:db8:77::/64 | grep -q 'proto bird'" 30 ||
		xrt_fail "a never learned 2001:db8:77::/64 from r: $(birdc_at $A show protocols all proto1; ip -n "$NA" -6 route)"
	xrt_log "a's kernel: $(ip -n "$NA" -6 route show 2001:db8:77::/64)"
	xrt_wait_for "xrt_cli $R route show | grep -q '^2001:db8:a::/64 via fe80'" 20 ||
		xrt_fail "xrt never got 2001:db8:a::/64: $(ip -n "$NR" -6 route; xrt_cli $R route show)"
	xrt_log "xrt: $(xrt_cli $R route show | grep '^2001:db8:a::/64')"
	assert_eq "$(xrt_exec $R sysctl -n net.ipv6.conf.all.forwarding)" 0 "r's kernel does not forward"
	local f0 out
	f0=$(xrt_fp_stat $R Ip6OutForwDatagrams)
	out=$(xrt_exec $B ping -6 -n -c 10 -i 0.1 -W 2 2001:db8:a::1) || xrt_fail "ping b -> a's stub: $out"
	assert_contains "$out" "10 received" "ping b -> 2001:db8:a::1 over the $what routes"
	assert_ge "$(($(xrt_fp_stat $R Ip6OutForwDatagrams) - f0))" 18 "xrt's fast path forwarded the echoes and replies"
	birdc_at $A disable proto1 >/dev/null
	xrt_wait_for "! xrt_cli $R route show | grep -q '^2001:db8:a::/64'" 40 ||
		xrt_fail "2001:db8:a::/64 still in xrt after a's $what stopped: $(xrt_cli $R route show)"
	kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
}
