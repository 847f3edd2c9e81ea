#!/usr/bin/env bash
# xrt: xrtd -c FILE runs the CLI grammar at start; SIGHUP and `xrt config
# reload` apply only the difference (routes still named keep their next hop
# untouched, vanished ones go, new ones come) without losing a forwarded
# packet; a bad file names FILE:LINE and changes nothing, whether its bad
# line does not parse or fails when applied (the lines before it are
# taken back).
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd ping
xrt_require_xrt

xrt_topo_line
conf=$XRT_TMP/xrtd.conf
write_conf() { # EXTRA_LINES...
	{
		echo "# xrtd configuration: the commands of the xrt CLI"
		echo "link attach dev $IF_RA"
		echo "link attach dev $IF_RB"
		echo "addr add 2001:db8:1::1/64 dev $IF_RA"
		echo "addr add 2001:db8:2::1/64 dev $IF_RB"
		echo "neigh add 2001:db8:1::2 lladdr $MAC_AR dev $IF_RA"
		echo "neigh add 2001:db8:2::2 lladdr $MAC_BR dev $IF_RB"
		echo "route add 2001:db8:b::/64 via 2001:db8:2::2"
		printf '%s\n' "$@"
	} >"$conf"
}

# A config that fails stops xrtd at start with FILE:LINE.
write_conf "route add 2001:db8:c::1/48 via 2001:db8:2::2"
xrt_bpffs r
out=$(xrt_exec r "$XRT_BUILD/xrtd" -f -c "$conf" --bpffs "$(xrt_bpffs_dir r)" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "xrtd started with a bad config"
assert_contains "$out" "$conf:9: 2001:db8:c::1/48 has host bits set" "bad config at start"

write_conf "route add 2001:db8:c::/48 via 2001:db8:2::2" "route add blackhole 2001:db8:d::/48" \
	"route add 2001:db8:e::/48 via 2001:db8:2::2 metric 10"
xrt_xrtd_start r -c "$conf"
routes=$(xrt_cli r route show)
assert_contains "$routes" "2001:db8:b::/64 via 2001:db8:2::2 dev $IF_RB metric 1024" "config route"
assert_contains "$routes" "blackhole 2001:db8:d::/48" "config blackhole"
out=$(xrt_exec a ping -6 -n -c 2 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "ping with the config: $out"
nh_of() { xrt_cli r -j route show | "$XRT_PY" -c "import json,sys; print([r.get('nh_id') for r in json.load(sys.stdin) if r['dst'] == '$1'][0])"; }
nh_b=$(nh_of 2001:db8:b::/64)

# Change the file: drop the blackhole, change one route's metric, add one.
write_conf "route add 2001:db8:c::/48 via 2001:db8:2::2" \
	"route add 2001:db8:e::/48 via 2001:db8:2::2 metric 20" "route add 2001:db8:f::/48 via 2001:db8:1::2"
# A steady flow crosses the router while it reloads twice.
xrt_bg a ping ping -6 -n -c 200 -i 0.01 -W 2 2001:db8:b::1
ping_pid=$XRT_LAST_PID
xrt_wait_for "grep -q 'icmp_seq=20 ' '$XRT_TMP/ping.log'" 10 || xrt_fail "ping did not start"
kill -HUP "$(xrt_xrtd_pid r)"
xrt_wait_for "grep -q 'configuration reloaded' '$XRT_TMP/xrtd-r.log'" 5 || xrt_fail "SIGHUP reload not logged"
xrt_cli_ok r config reload
xrt_wait_pid "$ping_pid" 20 || xrt_fail "ping during reload: $(tail -3 "$XRT_TMP/ping.log")"
assert_contains "$(cat "$XRT_TMP/ping.log")" "200 received" "no packet lost across two reloads"

routes=$(xrt_cli r route show)
assert_not_contains "$routes" "2001:db8:d::/48" "route removed from the file"
assert_contains "$routes" "2001:db8:e::/48 via 2001:db8:2::2 dev $IF_RB metric 20" "changed metric"
assert_eq "$(grep -c " metric 10$" <<<"$routes" || true)" 0 "old metric gone"
assert_contains "$routes" "2001:db8:f::/48 via 2001:db8:1::2 dev $IF_RA metric 1024" "route added to the file"
assert_eq "$(nh_of 2001:db8:b::/64)" "$nh_b" "unchanged route kept its next hop"
assert_contains "$(xrt_cli r addr show)" "2001:db8:2::1/64" "addresses kept"
# Routes added by the CLI are not the file's: reload leaves them alone.
xrt_cli_ok r route add 2001:db8:99::/48 via 2001:db8:1::2
# A file that breaks half way changes nothing.
cp "$conf" "$conf.good"
write_conf "route add 2001:db8:c::/48 via 2001:db8:2::2" "route add 2001:db8:zz::/48 via 2001:db8:2::2"
before=$(xrt_cli r route show)
out=$(xrt_cli r config reload 2>&1) && xrt_fail "reload of a bad file succeeded"
assert_eq "$out" "Error: $conf:10: \"2001:db8:zz::/48\" is not an IPv6 prefix" "bad reload message"
assert_eq "$(xrt_cli r route show)" "$before" "routes after a failed reload"
# All or nothing. The state a failed reload must leave exactly as it was:
state() {
	local o
	for o in "route show" "addr show" "link show" "ra show" "icmp show"; do
		echo "== $o"
		# shellcheck disable=SC2086
		xrt_cli r $o
	done | sed 's/\(prog\/xdp xrt_fwd\) id [0-9]*/\1/' # a FIB resize swaps the program (fib6_resize)
	xrt_cli r punt show hop_limit | cut -c1-34 # reason, rate, burst (not the counters)
	xrt_cli r neigh show | grep PERMANENT || true
}
cp "$conf.good" "$conf"
xrt_cli_ok r config reload
before=$(state)
changes=("route add 2001:db8:c::/48 via 2001:db8:1::2" "route add 2001:db8:77::/48 via 2001:db8:2::2"
	"route del 2001:db8:e::/48 metric 20" "icmp ratelimit 5 burst 5" "punt set hop_limit rate 7"
	"link set dev $IF_RB mtu 1400 forwarding off" "addr add 2001:db8:5::1/64 dev $IF_RA claim"
	"neigh add 2001:db8:1::9 lladdr 02:00:00:00:00:09 dev $IF_RA" "ra set dev $IF_RA on"
	"neigh add 2001:db8:2::2 lladdr 02:00:00:00:00:22 dev $IF_RB" "addr add 2001:db8:2::1/64 dev $IF_RB claim")
# A line that does not parse (line 23): the lines before it are not applied.
write_conf "${changes[@]}" "route add 2001:db8:c::/48 via 2001:db8:2::2" "route add 2001:db8:e::/48 via 2001:db8:2::2 metric 20" \
	"route add 2001:db8:f::/48 via 2001:db8:1::2" "route add 2001:db8:99::/48 via fe80::1 metric nine"
out=$(xrt_cli r config reload 2>&1) && xrt_fail "reload of a file with a bad word succeeded"
assert_eq "$out" "Error: $conf:23: metric \"nine\" is invalid (0..4294967295)" "parse error names FILE:LINE and the word"
assert_eq "$(state)" "$before" "state after a reload whose line 23 does not parse"
# A line that parses but fails when applied (an interface xrtd does not
# have): the lines before it, applied by then, are taken back.
write_conf "${changes[@]}" "route add 2001:db8:c::/48 via 2001:db8:2::2" "route add 2001:db8:e::/48 via 2001:db8:2::2 metric 20" \
	"route add 2001:db8:f::/48 via 2001:db8:1::2" "route add 2001:db8:98::/48 via 2001:db8:2::2 dev xcnosuch0"
out=$(xrt_cli r config reload 2>&1) && xrt_fail "reload through a missing interface succeeded"
assert_contains "$out" "Error: $conf:23: " "apply error names FILE:LINE"
assert_contains "$out" "xcnosuch0" "apply error names the interface"
assert_eq "$(state)" "$before" "state after a reload whose line 23 failed when applied"
# A full table part way: a gateway per route until the next-hop table
# (XRT_MAX_NEXTHOPS - 1 ids) runs out.
write_conf "${changes[@]}"
NH_MAX=$(awk '$2 == "XRT_MAX_NEXTHOPS" { print $3 }' "$XRT_ROOT/include/xrt/limits.h")
"$XRT_PY" - "$conf" "$NH_MAX" <<'PY'
import sys
p = sys.argv[1]
body = open(p).read()
extra = "".join("route add 2001:eee:%x:%x::/64 via 2001:db8:2::%x:%x\n" % (i >> 16, i & 0xffff, i >> 16, i & 0xffff)
                for i in range(2, int(sys.argv[2]) + 2))
open(p, "w").write(body + extra)
PY
out=$(xrt_cli r config reload 2>&1) && xrt_fail "$NH_MAX distinct next hops fitted in a reload"
assert_contains "$out" "next-hop table is full" "full table in a reload"
assert_eq "$(state)" "$before" "state after a reload that filled the next-hop table"
out=$(xrt_exec a ping -6 -n -c 2 -i 0.1 -W 2 2001:db8:b::1) || xrt_fail "ping after the failed reloads: $out"
cp "$conf.good" "$conf"
# Removing interfaces and addresses from the file detaches and deletes them.
{
	echo "link attach dev $IF_RA"
	echo "addr add 2001:db8:1::1/64 dev $IF_RA"
} >"$conf"
xrt_cli_ok r config reload
shown=$(xrt_cli r link show)
assert_not_contains "$shown" "$IF_RB" "link removed from the file"
routes=$(xrt_cli r route show)
assert_not_contains "$routes" "2001:db8:c::/48" "file routes through the detached link"
shown=$(xrt_cli r neigh show)
assert_not_contains "$shown" "PERMANENT" "static neighbours the file no longer names"
assert_contains "$routes" "2001:db8:99::/48" "CLI route kept"
xrt_pass "config at start, diffing reload by SIGHUP and CLI without loss, bad files change nothing"
