#!/usr/bin/env bash
# xrt: the CLI grammar end to end against xrtd: link/addr/route/neigh/stats,
# -j JSON shape, errors that name the bad word and change nothing, root-only
# socket, -s, and routes that really steer forwarded traffic.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping bpftool setpriv
xrt_require_xrt

xrt_topo_line
R=r

# Before the daemon runs, the CLI says so in one line.
out=$(xrt_cli $R link show 2>&1) && xrt_fail "CLI succeeded without a daemon: $out"
assert_eq "$(wc -l <<<"$out")" 1 "one-line message without a daemon"
assert_contains "$out" "xrtd is not running" "CLI without a daemon"

xrt_xrtd_start $R
# A second daemon in the namespace stops before touching the first one's maps.
out=$(xrt_exec $R "$XRT_BUILD/xrtd" -f --bpffs "$(xrt_bpffs_dir $R)" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "a second xrtd started"
assert_contains "$out" "is another xrtd running?" "second xrtd"
out=$(xrt_exec $R "$XRT_BUILD/xrtd" -f --socket @xc-other -c /nonexistent.conf --bpffs "$XRT_TMP/nobpffs" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "xrtd started with a missing config file"
assert_contains "$out" "/nonexistent.conf: No such file or directory" "missing config file"
# A malformed file is reported by line before the fast path is loaded and
# before any AF_XDP socket is opened.
printf '# comment\nroute add 2001:db8::/32 dev nowhere metric x\n' >"$XRT_TMP/syntax.conf"
out=$(xrt_exec $R "$XRT_BUILD/xrtd" -f --socket @xc-other -c "$XRT_TMP/syntax.conf" --bpffs "$XRT_TMP/nobpffs" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "xrtd started with a malformed config file"
assert_contains "$out" "syntax.conf:2: " "malformed config file names its line"
assert_not_contains "$out" "AF_XDP" "config checked before AF_XDP"
json() { xrt_cli $R -j "$@" | "$XRT_PY" -m json.tool >/dev/null || xrt_fail "xrt -j $* is not JSON"; }
# Routes the fast path's FIB holds, summed over the tables of the pinned xrt_fib6_tbl.
fib_count() { bpftool -j map dump pinned "$(xrt_pin_dir $R)/xrt_fib6_tbl" | "$XRT_PY" -c 'import json,sys; print(sum(e["formatted"]["value"]["routes"] for e in json.load(sys.stdin)))'; }

# Links.
xrt_cli_ok $R link attach dev "$IF_RA"
xrt_cli_ok $R link attach dev "$IF_RB" forwarding on
out=$(xrt_cli $R link show)
assert_contains "$out" "$IF_RA: mtu 1500 forwarding on table main" "link show $IF_RA"
assert_contains "$out" "$IF_RB: mtu 1500 forwarding on table main" "link show $IF_RB"
assert_contains "$(ip -n "$(xrt_ns $R)" link show dev "$IF_RA")" "xdp" "XDP attached to $IF_RA"
json link show
assert_eq "$(xrt_cli $R -j link show | "$XRT_PY" -c 'import json,sys; print(sorted(l["ifname"] for l in json.load(sys.stdin)))')" \
	"['$IF_RA', '$IF_RB']" "link show -j names"
out=$(xrt_cli $R link attach dev "$IF_RA" 2>&1) && xrt_fail "double attach accepted"
assert_contains "$out" "\"$IF_RA\" is already attached" "double attach"

# Addresses: local /128 and connected prefix, like the kernel; the
# kernel's link-local was learned as the first address.
ll=$(xrt_lladdr $R "$IF_RA")
xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok $R addr add 2001:db8:2::1/64 dev "$IF_RB"
out=$(xrt_cli $R addr show dev "$IF_RA")
assert_contains "$out" "inet6 $ll/64 scope link" "learned link-local"
assert_contains "$out" "inet6 2001:db8:1::1/64 scope global" "added address"
json addr show
routes=$(xrt_cli $R route show)
assert_contains "$routes" "local 2001:db8:1::1 metric 0" "local route of the address"
assert_contains "$routes" "2001:db8:1::/64 dev $IF_RA metric 256" "connected route of the address"
assert_contains "$routes" "local $ll metric 0" "local route of the link-local"

# Neighbours and a gateway route: traffic flows A -> B.
xrt_cli_ok $R neigh add 2001:db8:1::2 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok $R neigh add 2001:db8:2::2 lladdr "$MAC_BR" dev "$IF_RB"
assert_contains "$(xrt_cli $R neigh show dev "$IF_RB")" "2001:db8:2::2 dev $IF_RB lladdr $MAC_BR PERMANENT" "neigh show"
json neigh show
xrt_cli_ok $R route add 2001:db8:b::/64 via 2001:db8:2::2
assert_contains "$(xrt_cli $R route show)" "2001:db8:b::/64 via 2001:db8:2::2 dev $IF_RB metric 1024" \
	"gateway resolved to its connected interface"
out=$(xrt_cli $R route get 2001:db8:b::1)
assert_eq "$out" "2001:db8:b::1 via 2001:db8:2::2 dev $IF_RB table main metric 1024 route 2001:db8:b::/64 mtu 1500 neigh PERMANENT lladdr $MAC_BR" "route get"
assert_eq "$(xrt_cli $R -j route get 2001:db8:b::1 | "$XRT_PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["type"], d["gateway"], d["dev"], d["neigh"]["state"])')" \
	"unicast 2001:db8:2::2 $IF_RB PERMANENT" "route get -j"
fwd0=$(xrt_fp_stat $R Ip6OutForwDatagrams)
out=$(xrt_exec a ping -6 -n -c 3 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "ping A -> B: $out"
assert_ge "$(($(xrt_fp_stat $R Ip6OutForwDatagrams) - fwd0))" 6 "forwarded by the fast path"
assert_ge "$(xrt_cli $R stats | awk '$1 == "Ip6OutForwDatagrams" {print $2}')" 6 "xrt stats Ip6OutForwDatagrams"
assert_ge "$(xrt_cli $R stats dev "$IF_RA" | awk '$1 == "Ip6InReceives" {print $2}')" 3 "xrt stats dev: Ip6InReceives"
json stats
assert_eq "$(xrt_cli $R stats | awk '$1 == "RibRoutes" {print $2}')" "$(xrt_cli $R route show table all | grep -vc '^	')" "RibRoutes counts the routes"
assert_eq "$(xrt_cli $R -j stats | "$XRT_PY" -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d), sorted(d["interfaces"]), "drop" in d["total"])')" \
	"['interfaces', 'local', 'rib', 'slowpath', 'total'] ['$IF_RA', '$IF_RB'] True" "stats -j shape"

# link set: MTU follows into next hops (and the kernel), forwarding off stops
# transit from that ingress in the fast path.
xrt_cli_ok $R link set dev "$IF_RB" mtu 1400
assert_contains "$(xrt_cli $R route get 2001:db8:b::1)" " mtu 1400 " "next hop MTU follows the link"
assert_contains "$(ip -n "$(xrt_ns $R)" link show dev "$IF_RB")" "mtu 1400" "kernel MTU set"
out=$(xrt_exec a ping -6 -n -c 1 -W 2 -s 1452 -M do 2001:db8:b::1 2>&1) && xrt_fail "1500-byte packet crossed a 1400 MTU: $out"
assert_contains "$out" "mtu=1400" "Packet Too Big with the new MTU"
xrt_cli_ok $R link set dev "$IF_RB" mtu 1500
fd0=$(xrt_fp_stat $R drop:fwd_disabled)
xrt_cli_ok $R link set dev "$IF_RA" forwarding off
assert_contains "$(xrt_cli $R link show dev "$IF_RA")" "forwarding off" "link show after set"
assert_contains "$(xrt_cli $R route get 2001:db8:b::1 iif "$IF_RA")" "dropped: forwarding off on $IF_RA" "route get iif with forwarding off"
xrt_exec a ping -6 -n -c 2 -i 0.1 -W 1 2001:db8:b::1 >/dev/null 2>&1 && xrt_fail "forwarded with forwarding off"
assert_ge "$(($(xrt_fp_stat $R drop:fwd_disabled) - fd0))" 2 "fast path drop:fwd_disabled"
xrt_cli_ok $R link set dev "$IF_RA" forwarding on
out=$(xrt_exec a ping -6 -n -c 1 -W 2 2001:db8:b::1) || xrt_fail "forwarding back on: $out"

# Replace with a blackhole: the same flow now dies in the fast path.
bh0=$(xrt_fp_stat $R drop:blackhole)
xrt_cli_ok $R route replace blackhole 2001:db8:b::/64
assert_contains "$(xrt_cli $R route get 2001:db8:b::1)" "blackhole 2001:db8:b::1" "route get after replace"
xrt_exec a ping -6 -n -c 2 -i 0.1 -W 1 2001:db8:b::1 >/dev/null 2>&1 && xrt_fail "ping crossed a blackhole"
assert_ge "$(($(xrt_fp_stat $R drop:blackhole) - bh0))" 2 "fast path drop:blackhole"
# A better metric wins; deleting it falls back to the blackhole's route.
xrt_cli_ok $R route add 2001:db8:b::/64 via 2001:db8:2::2 metric 10
out=$(xrt_exec a ping -6 -n -c 2 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "metric 10 route not used: $out"
xrt_cli_ok $R route del 2001:db8:b::/64 metric 10
assert_contains "$(xrt_cli $R route get 2001:db8:b::1)" "blackhole" "fallback to the metric 1024 route"
xrt_cli_ok $R route del 2001:db8:b::/64
out=$(xrt_cli $R route get 2001:db8:b::1 2>&1) && xrt_fail "route get found a deleted route"
assert_contains "$out" "no route to 2001:db8:b::1" "route get without a route"

# Types and ECMP show up as written.
xrt_cli_ok $R route add unreachable 2001:db8:e::/48
xrt_cli_ok $R route add prohibit 2001:db8:f::/48 table 10
xrt_cli_ok $R route add 2001:db8:c::/48 nexthop via 2001:db8:1::2 dev "$IF_RA" weight 3 nexthop via 2001:db8:2::2 dev "$IF_RB"
routes=$(xrt_cli $R route show)
assert_contains "$routes" "unreachable 2001:db8:e::/48 metric 1024" "unreachable route"
assert_not_contains "$routes" "2001:db8:f::" "table 10 hidden from the main table"
assert_contains "$(xrt_cli $R route show table 10)" "prohibit 2001:db8:f::/48 table 10 metric 1024" "route show table 10"
assert_contains "$routes" "	nexthop via 2001:db8:1::2 dev $IF_RA weight 3" "ECMP member 1"
assert_contains "$routes" "	nexthop via 2001:db8:2::2 dev $IF_RB weight 1" "ECMP member 2"
json route show table all
assert_eq "$(xrt_cli $R -j route show | "$XRT_PY" -c 'import json,sys; print([len(r["nexthops"]) for r in json.load(sys.stdin) if r["dst"] == "2001:db8:c::/48"])')" \
	"[2]" "route show -j nexthops"

# Errors name the offending word and change nothing.
before=$(xrt_cli $R route show table all)
nfib=$(fib_count)
check_err() { # EXPECTED_MESSAGE ARGS...
	local want=$1 out
	shift
	out=$(xrt_cli $R "$@" 2>&1) && xrt_fail "xrt $* succeeded"
	assert_eq "$out" "Error: $want" "xrt $*"
}
check_err 'unknown route command "adx" (add, del, replace, show, get, flush, summary)' route adx 2001:db8:9::/48 dev "$IF_RA"
check_err 'unknown object "routes" (link, addr, route, neigh, stats, sync, punt, ra, icmp, config, acl, rule)' routes add 2001:db8:9::/48
check_err '"2001:db8::g/48" is not an IPv6 prefix' route add 2001:db8::g/48 dev "$IF_RA"
check_err '2001:db8::1/64 has host bits set' route add 2001:db8::1/64 dev "$IF_RA"
check_err 'unknown interface "nosuch0"' route add 2001:db8:9::/48 dev nosuch0
check_err 'interface "lo" is not attached (xrt link attach dev lo)' route add 2001:db8:9::/48 dev lo
check_err 'route 2001:db8:e::/48 metric 1024 already exists' route add 2001:db8:e::/48 via 2001:db8:1::2
check_err 'unknown word "bogus"' route add 2001:db8:9::/48 dev "$IF_RA" bogus
check_err 'gateway 2001:db8:77::1 is not on a connected prefix; say "dev"' route add 2001:db8:9::/48 via 2001:db8:77::1
check_err "address 2001:db8:1::1 is already on $IF_RA" addr add 2001:db8:1::1/64 dev "$IF_RA"
check_err 'no such route 2001:db8:9::/48' route del 2001:db8:9::/48
assert_eq "$(xrt_cli $R route show table all)" "$before" "routes after the errors"
assert_eq "$(fib_count)" "$nfib" "fib6 entries after the errors"
check_err 'route summary takes no arguments' route summary table 10
# route summary: the trie the fast path walks holds what the pinned map counts.
assert_eq "$(xrt_cli $R -j route summary | "$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["routes"])')" \
	"$nfib" "route summary -j routes"
assert_contains "$(xrt_cli $R route summary)" "fib: $nfib routes in 2 tables; trie: " "route summary"

# Flush, addr del, neigh del/flush, link detach.
xrt_cli_ok $R route flush table 10
shown=$(xrt_cli $R route show table 10)
assert_eq "$shown" "" "flush table 10"
xrt_cli_ok $R addr del 2001:db8:2::1/64 dev "$IF_RB"
shown=$(xrt_cli $R route show)
assert_not_contains "$shown" "2001:db8:2::/64" "connected route gone with its address"
xrt_cli_ok $R neigh del 2001:db8:1::2 dev "$IF_RA"
shown=$(xrt_cli $R neigh show)
assert_not_contains "$shown" "2001:db8:1::2 " "neigh del"
xrt_cli_ok $R neigh flush nud all
shown=$(xrt_cli $R neigh show)
assert_eq "$shown" "" "neigh flush"
xrt_cli_ok $R link detach dev "$IF_RB"
shown=$(xrt_cli $R link show)
assert_not_contains "$shown" "$IF_RB" "link detach"
shown=$(xrt_cli $R route show)
assert_not_contains "$shown" "$IF_RB" "routes through a detached link"
assert_contains "$(xrt_cli $R route show)" "2001:db8:c::/48 via 2001:db8:1::2 dev $IF_RA metric 1024" \
	"ECMP route keeps its member on the remaining link"
assert_not_contains "$(ip -n "$(xrt_ns $R)" link show dev "$IF_RB")" " xdp" "XDP detached from $IF_RB"

# The kernel side of an attached link is followed: an MTU set with ip
# reaches the next hops; a deleted device is detached with its routes.
ip -n "$(xrt_ns $R)" link set dev "$IF_RA" mtu 1450
xrt_wait_for "xrt_cli $R link show dev $IF_RA | grep -q 'mtu 1450 '" 5 || xrt_fail "kernel MTU change not followed"
xrt_wait_for "xrt_cli $R route get 2001:db8:1::2 | grep -q ' mtu 1450 '" 5 || xrt_fail "next hop MTU not updated"
ip -n "$(xrt_ns $R)" link set dev "$IF_RA" mtu 1500
ip -n "$(xrt_ns $R)" link add "$XRT_PREFIX-x1" type veth peer name "$XRT_PREFIX-x2"
ip -n "$(xrt_ns $R)" link set "$XRT_PREFIX-x1" up
ip -n "$(xrt_ns $R)" link set "$XRT_PREFIX-x2" up
xrt_cli_ok $R link attach dev "$XRT_PREFIX-x1"
xrt_cli_ok $R route add 2001:db8:77::/48 dev "$XRT_PREFIX-x1"
ip -n "$(xrt_ns $R)" link del "$XRT_PREFIX-x1"
xrt_wait_for "xrt_cli_lacks $R '$XRT_PREFIX-x1' link show" 5 || xrt_fail "deleted device still attached"
shown=$(xrt_cli $R route show)
assert_not_contains "$shown" "2001:db8:77::" "route through a deleted device"

# Garbage on the socket gets an error answer; the daemon keeps serving.
out=$(XRT_CTL_PATH=$(xrt_sock_path $R) xrt_exec $R "$XRT_PY" - <<'PY'
import os, socket, struct
def ask(payload):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(os.environ["XRT_CTL_PATH"])
    s.send(payload)
    r = s.recv(70000)
    s.close()
    magic, flags, status, ndone = struct.unpack("=IIiI", r[:16])
    return status, r[16:].decode()
hdr = struct.pack("=IHHI", 0x78727463, 1, 0, 2)
print(ask(b"hello"))
print(ask(hdr + struct.pack("=I", 3) + b"route\0show\0"))      # words cut short
print(ask(hdr + struct.pack("=I", 100000)))                      # absurd word count
print(ask(struct.pack("=IHHI", 0x78727463, 9, 0, 1)))            # wrong version
PY
)
assert_eq "$(grep -c "malformed request" <<<"$out")" 4 "malformed requests answered: $out"
assert_contains "$(xrt_cli $R link show)" "$IF_RA" "daemon alive after garbage"

# Only root may talk to the daemon.
out=$(xrt_exec $R setpriv --reuid=65534 --regid=65534 --clear-groups "$XRT_BUILD/xrt" link show 2>&1) &&
	xrt_fail "non-root CLI accepted: $out"
assert_contains "$out" "permission denied" "non-root CLI"

# A second daemon on another socket path (--socket), in another router.
xrt_router_ns r2
xrt_bpffs r2
xrt_bg r2 xrtd-r2 "$XRT_BUILD/xrtd" -f --socket "$XRT_TMP/xrt.sock" --bpffs "$(xrt_bpffs_dir r2)" --obj "$XRT_FWD_OBJ"
xrt_wait_for "xrt_exec r2 '$XRT_BUILD/xrt' --socket '$XRT_TMP/xrt.sock' link show" 10 ||
	xrt_fail "xrtd --socket did not answer on $XRT_TMP/xrt.sock"
out=$(xrt_exec r2 "$XRT_BUILD/xrt" link show 2>&1) && xrt_fail "default socket answered in r2: $out"
out=$(xrt_exec r2 "$XRT_BUILD/xrt" "--socket=$XRT_TMP/xrt.sock" link show 2>&1) ||
	xrt_fail "xrt --socket=PATH: $out"
# ip(8)'s -s is statistics: xrt refuses it and names the socket option, and
# xrtd keeps -s as its short socket option.
rc=0
out=$(xrt_exec r2 "$XRT_BUILD/xrt" -s "$XRT_TMP/xrt.sock" link show 2>&1) || rc=$?
assert_eq "$rc" 1 "xrt -s exit status"
assert_contains "$out" "--socket SOCKET" "xrt -s names --socket"
assert_contains "$out" "xrt stats" "xrt -s names xrt stats"

# Without -f xrtd detaches into the background once it is ready, and still
# obeys SIGTERM there.
xrt_router_ns r3
xrt_bpffs r3
echo "route add 2001:db8::1/64 dev nowhere" >"$XRT_TMP/bad.conf"
out=$(xrt_exec r3 "$XRT_BUILD/xrtd" -c "$XRT_TMP/bad.conf" --bpffs "$(xrt_bpffs_dir r3)" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "background xrtd with a bad config reported success"
assert_contains "$out" "bad.conf:1: 2001:db8::1/64 has host bits set" "background start error reaches the shell"
assert_eq "$(ip netns pids "$(xrt_ns r3)")" "" "nothing left running after a failed start"
xrt_exec r3 "$XRT_BUILD/xrtd" --bpffs "$(xrt_bpffs_dir r3)" --obj "$XRT_FWD_OBJ" >"$XRT_TMP/xrtd-r3.log" 2>&1 ||
	xrt_fail "background xrtd failed to start: $(cat "$XRT_TMP/xrtd-r3.log")"
bgpid=$(ip netns pids "$(xrt_ns r3)")
[ -n "$bgpid" ] || xrt_fail "no background xrtd in r3"
XRT_PIDS+=("$bgpid")
assert_ok "CLI to the background xrtd" xrt_cli r3 link show
kill -TERM "$bgpid"
xrt_wait_for "! kill -0 $bgpid" 5 || xrt_fail "background xrtd ignored SIGTERM"

# SIGTERM: clean exit, XDP detached from the interface xrtd attached.
xrt_xrtd_term $R
assert_not_contains "$(ip -n "$(xrt_ns $R)" link show dev "$IF_RA")" " xdp" "XDP detached at shutdown"
xrt_pass "link/addr/route/neigh/stats commands, JSON, errors, root-only socket, -s"
