#!/usr/bin/env bash
# xrt: how xrt shares an interface's XDP hook: `link attach ... mode generic`
# forwards and punts like native (ping through, ping to the router and a
# traceroute hop over AF_XDP in copy mode); a device without native XDP (a
# bridge) is refused in native mode with a message naming its driver and
# works in generic mode; an interface where another program (not a libxdp
# dispatcher) runs is refused with that program's name and id; and
# `xdp-loader status` agrees with `xrt link show` on program, id and mode.
# (The kernel here cannot load libxdp's dispatcher, so libxdp falls back to
# attaching xrt's program alone.)
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-om}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping traceroute xdp-loader
xrt_require_xrt

xrt_topo_line
r=$TOPO_R
rns=$(xrt_ns "$r")
# From the configuration file: IF_RA in generic mode, IF_RB native (the
# default).
conf=$XRT_TMP/xrtd.conf
write_conf() { # MODE_OF_IF_RA
	{
		echo "link attach dev $IF_RA mode $1"
		echo "link attach dev $IF_RB"
		echo "addr add 2001:db8:1::1/64 dev $IF_RA"
		echo "addr add 2001:db8:2::1/64 dev $IF_RB"
		echo "route add 2001:db8:b::/64 via 2001:db8:2::2 dev $IF_RB"
		echo "neigh add 2001:db8:1::2 lladdr $MAC_AR dev $IF_RA"
		echo "neigh add 2001:db8:2::2 lladdr $MAC_BR dev $IF_RB"
	} >"$conf"
}
write_conf generic
# libxdp keeps a dispatcher's state on a bpffs at /sys/fs/bpf (`ip netns
# exec` remounts /sys without one): give xrtd one, in its own mount
# namespace, so that libxdp tries the dispatcher and falls back for the
# reason of this kernel, as it would on a host.
xrt_bpffs "$r"
xrt_bg "$r" "xrtd-$r" sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$@"' xrtd \
	"$XRT_BUILD/xrtd" -f --bpffs "$(xrt_bpffs_dir "$r")" --obj "$XRT_FWD_OBJ" -c "$conf"
xrtd_log=$XRT_TMP/xrtd-$r.log
xrt_wait_for "xrt_cli $r link show" 10 || xrt_fail "xrtd did not answer: $(cat "$xrtd_log")"
assert_contains "$(cat "$xrtd_log")" "Falling back to loading single prog without dispatcher" \
	"libxdp fell back to a single program"

# What the kernel says runs on each (ip link: xdpgeneric vs xdp).
ip_xdp() { # IF -> "MODE ID"
	ip -j -n "$rns" link show dev "$1" | "$XRT_PY" -c '
import json, sys
l = json.load(sys.stdin)[0]["xdp"]
print({1: "native", 2: "generic"}.get(l["mode"], l["mode"]), l["prog"]["id"])'
}
# What xrt says: mode and program id from `xrt -j link show`.
xrt_xdp() { # IF -> "MODE ID"
	xrt_cli "$r" -j link show dev "$1" | "$XRT_PY" -c '
import json, sys
l = json.load(sys.stdin)[0]
print(l["mode"], l["prog_id"])'
}
# And name, mode and id as xdp-loader prints them.
xrt_xdp_named() { # IF -> "NAME MODE ID"
	xrt_cli "$r" -j link show dev "$1" | "$XRT_PY" -c '
import json, sys
l = json.load(sys.stdin)[0]
print(l["prog_name"], l["mode"], l["prog_id"])'
}
# What xdp-loader says: "NAME MODE ID" (it calls generic "skb").
loader_xdp() { # IF
	xrt_exec "$r" xdp-loader status "$1" 2>/dev/null |
		awk -v i="$1" '$1 == i { m = $3 == "skb" ? "generic" : $3; print $2, m, $4 }'
}
for i in "$IF_RA" "$IF_RB"; do
	read -r kmode kid < <(ip_xdp "$i")
	read -r xmode xid < <(xrt_xdp "$i")
	assert_eq "$xmode $xid" "$kmode $kid" "xrt link show vs ip link on $i"
	assert_eq "$(loader_xdp "$i")" "xrt_fwd $kmode $kid" "xdp-loader status on $i"
	assert_eq "$(xrt_xdp_named "$i")" "$(loader_xdp "$i")" "xrt link show vs xdp-loader status on $i"
	assert_contains "$(xrt_cli "$r" link show dev "$i")" "prog/xdp xrt_fwd id $kid mode $kmode" \
		"xrt link show text on $i"
done
assert_eq "$(ip_xdp "$IF_RA" | cut -d' ' -f1)" generic "$IF_RA attached in generic mode"
assert_eq "$(ip_xdp "$IF_RB" | cut -d' ' -f1)" native "$IF_RB attached in native mode"
assert_contains "$(xrt_cli "$r" link show dev "$IF_RA")" "mode generic" "xrt link show $IF_RA"

# Forwarded both ways through the generic-mode ingress/egress.
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -c 5 -i 0.05 -W 2 2001:db8:b::1) ||
	xrt_fail "ping A -> B through a generic-mode link failed: $out"
assert_contains "$out" "5 received" "ping A -> B"
fwd=$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))
assert_ge "$fwd" 10 "fast path Ip6OutForwDatagrams (requests and replies)"

# Punts on the generic-mode link reach xrtd over AF_XDP (XDP_SKB path,
# copy mode): the router answers a ping and is traceroute's first hop.
out=$(xrt_exec a ping -6 -c 3 -i 0.1 -W 2 2001:db8:1::1) ||
	xrt_fail "ping A -> router over a generic-mode link failed: $out"
assert_contains "$out" "3 received" "ping to the router"
out=$(xrt_exec a traceroute -6 -n -q 1 -w 2 -m 3 2001:db8:b::1 2>&1) ||
	xrt_fail "traceroute failed: $out"
assert_match "$out" '^ *1 +2001:db8:1::1 ' "traceroute hop 1 is xrtd"

# A bridge has no native XDP (no ndo_bpf): a clear refusal, then generic.
ip -n "$rns" link add "$XRT_PREFIX-br" type bridge
ip -n "$rns" link set "$XRT_PREFIX-br" up
out=$(xrt_cli "$r" link attach dev "$XRT_PREFIX-br" 2>&1) &&
	xrt_fail "native attach on a bridge succeeded: $out"
assert_contains "$out" 'driver "bridge" has no native XDP' "native refusal names the driver"
assert_contains "$out" 'mode generic' "native refusal suggests generic"
assert_eq "$(ip -j -n "$rns" link show dev "$XRT_PREFIX-br" | "$XRT_PY" -c 'import json,sys; print("xdp" in json.load(sys.stdin)[0])')" \
	False "nothing left on the bridge after the refusal"
xrt_cli_ok "$r" link attach dev "$XRT_PREFIX-br" mode generic
read -r kmode kid < <(ip_xdp "$XRT_PREFIX-br")
assert_eq "$kmode" generic "bridge attached in generic mode"
assert_eq "$(xrt_xdp "$XRT_PREFIX-br")" "generic $kid" "xrt link show on the bridge"
assert_eq "$(loader_xdp "$XRT_PREFIX-br")" "xrt_fwd generic $kid" "xdp-loader status on the bridge"
assert_eq "$(xrt_xdp_named "$XRT_PREFIX-br")" "xrt_fwd generic $kid" "xrt link show on the bridge, named"
xrt_cli_ok "$r" link detach dev "$XRT_PREFIX-br"
assert_eq "$(ip -j -n "$rns" link show dev "$XRT_PREFIX-br" | "$XRT_PY" -c 'import json,sys; print("xdp" in json.load(sys.stdin)[0])')" \
	False "detach emptied the bridge's hook"

# Someone else's program (not a dispatcher): refused by name and id.
ip -n "$rns" link add "$XRT_PREFIX-x0" type veth peer name "$XRT_PREFIX-x1"
ip -n "$rns" link set "$XRT_PREFIX-x0" up
ip -n "$rns" link set "$XRT_PREFIX-x1" up
xrt_xdp_pass "$r" "$XRT_PREFIX-x0"
read -r _ pid < <(ip_xdp "$XRT_PREFIX-x0")
out=$(xrt_cli "$r" link attach dev "$XRT_PREFIX-x0" 2>&1) &&
	xrt_fail "attach over xdp_pass succeeded: $out"
assert_contains "$out" "\"xdp_pass\" (id $pid, native mode)" "refusal names the program"
assert_contains "$out" "not a libxdp dispatcher" "refusal says why"
assert_eq "$(ip_xdp "$XRT_PREFIX-x0")" "native $pid" "xdp_pass still runs"

# The mode cannot change under a running link, by command or by reload.
out=$(xrt_cli "$r" link set dev "$IF_RA" mode native 2>&1) &&
	xrt_fail "link set mode succeeded: $out"
assert_contains "$out" "detach" "link set mode"
write_conf native
out=$(xrt_cli "$r" config reload 2>&1) && xrt_fail "reload changing the mode succeeded: $out"
assert_contains "$out" "runs in generic mode: detach it to change the mode to native" \
	"reload changing the mode"
assert_eq "$(ip_xdp "$IF_RA" | cut -d' ' -f1)" generic "$IF_RA still generic after the refused reload"
write_conf generic
xrt_cli_ok "$r" config reload

# Detach takes our program off through libxdp; the generic hook is empty.
xrt_cli_ok "$r" link detach dev "$IF_RA"
assert_eq "$(ip -j -n "$rns" link show dev "$IF_RA" | "$XRT_PY" -c 'import json,sys; print("xdp" in json.load(sys.stdin)[0])')" \
	False "generic-mode link detached"
assert_contains "$(cat "$xrtd_log")" "Compatibility check for dispatcher program failed" \
	"libxdp tried the dispatcher first"
xrt_log "libxdp in xrtd's log: $(grep -E '^libxdp' "$xrtd_log" | sort | uniq -c | tr -s ' \n' ' ')"
# `xrt link show` reads the hook each time: a program taken off by hand shows.
ip -n "$rns" link set dev "$IF_RB" xdp off
assert_contains "$(xrt_cli "$r" link show dev "$IF_RB")" "prog/xdp none" "link show after ip link xdp off"
xrt_pass "generic and native links forward and punt ($fwd forwarded); bridge: native refused naming its driver, generic attached; xdp_pass (id $pid) refused by name; xdp-loader status, ip link and xrt link show agree"
