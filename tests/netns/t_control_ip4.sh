#!/usr/bin/env bash
# xrt: IPv4 in the control plane end to end against xrtd: the family
# inferred from the address as iproute2 does (addr, route, neigh, route get),
# -4/-6 filters and iproute2's refusals, what an IPv4 address installs (local
# and broadcast in table local, the connected prefix in main, as
# fib_add_ifaddr), lookups that never cross families, -j, -batch, the
# configuration file and its reload.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xc}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt

xrt_topo_line
R=r
conf=$XRT_TMP/xrt.conf
cat >"$conf" <<EOF
link attach dev $IF_RA
link attach dev $IF_RB
addr add 10.1.0.1/24 dev $IF_RA
neigh add 10.1.0.2 lladdr $MAC_AR dev $IF_RA
route add 10.8.0.0/16 via 10.1.0.2
-4 route add 10.88.0.0/16 via 10.1.0.2 metric 5
EOF
xrt_xrtd_start $R -c "$conf"

check_err() { # EXPECTED_MESSAGE ARGS...
	local want=$1 out
	shift
	out=$(xrt_cli $R "$@" 2>&1) && xrt_fail "xrt $* succeeded"
	assert_eq "$out" "Error: $want" "xrt $*"
}
jq_py() { "$XRT_PY" -c "import json,sys; d=json.load(sys.stdin); $1"; }

# The configuration file: address, neighbour and routes, IPv4 metric 0.
routes=$(xrt_cli $R route show)
assert_contains "$routes" "10.1.0.0/24 dev $IF_RA metric 0" "connected route from the config"
assert_contains "$routes" "10.8.0.0/16 via 10.1.0.2 dev $IF_RA metric 0" "config route, IPv4 metric 0"
assert_contains "$routes" "10.88.0.0/16 via 10.1.0.2 dev $IF_RA metric 5" "config route with -4"

# xrt monitor shows IPv4 addresses as `ip monitor` does.
xrt_bg $R mon-addr "$XRT_BUILD/xrt" monitor addr
xrt_wait_for '[ "$(xrt_exec $R ss -Hxp | grep -c "\"xrt\",pid")" -ge 1 ]' 5 || xrt_fail "the monitor did not connect"
# An address: local and subnet broadcast in table local, connected in main;
# no broadcast route for the network address (kernel 6.x: none either).
xrt_cli_ok $R addr add 10.2.0.1/24 dev "$IF_RB"
assert_contains "$(xrt_cli $R addr show dev "$IF_RB")" "inet 10.2.0.1/24 brd 10.2.0.255 scope global" "addr show"
xrt_wait_for "grep -qx 'dev $IF_RB inet 10.2.0.1/24' $XRT_TMP/mon-addr.log" 5 ||
	xrt_fail "no IPv4 address event: $(cat "$XRT_TMP/mon-addr.log")"
assert_eq "$(xrt_cli $R -j addr show dev "$IF_RB" | jq_py 'print([(a["family"], a["local"], a["prefixlen"], a["broadcast"]) for a in d[0]["addr_info"] if a["family"] == "inet"])')" \
	"[('inet', '10.2.0.1', 24, '10.2.0.255')]" "addr show -j"
local_tbl=$(xrt_cli $R route show table local)
assert_contains "$local_tbl" "local 10.2.0.1 table local metric 0" "local route in table local"
assert_contains "$local_tbl" "broadcast 10.2.0.255 table local metric 0" "subnet broadcast route"
assert_not_contains "$local_tbl" "10.2.0.0 " "no network-address broadcast"
assert_contains "$(xrt_cli $R route show)" "10.2.0.0/24 dev $IF_RB metric 0" "connected route"
# /31 (RFC 3021) and /32: no broadcast; /32 no connected route either.
xrt_cli_ok $R addr add 10.3.0.0/31 dev "$IF_RB"
xrt_cli_ok $R addr add 10.4.0.1/32 dev "$IF_RB"
local_tbl=$(xrt_cli $R route show table local)
assert_contains "$local_tbl" "local 10.3.0.0 table local" "/31 local"
assert_not_contains "$local_tbl" "broadcast 10.3.0.1" "no /31 broadcast"
assert_contains "$local_tbl" "local 10.4.0.1 table local" "/32 local"
assert_contains "$(xrt_cli $R route show)" "10.3.0.0/31 dev $IF_RB metric 0" "/31 connected"
shown=$(xrt_cli $R route show)
assert_not_contains "$shown" "10.4.0.1" "/32 has no connected route"
assert_contains "$(xrt_cli $R addr show dev "$IF_RB")" "inet 10.4.0.1/32 scope global" "/32 without brd"

# Routes, neighbours and the printed forms.
xrt_cli_ok $R route add 10.9.0.0/16 via 10.2.0.2 dev "$IF_RB"
xrt_cli_ok $R route add blackhole 10.66.0.0/16
xrt_cli_ok $R route add unreachable 10.67.0.0/16
xrt_cli_ok $R route add prohibit 10.68.0.0/16 metric 7
xrt_cli_ok $R neigh add 10.2.0.2 lladdr "$MAC_BR" dev "$IF_RB"
routes=$(xrt_cli $R route show)
assert_contains "$routes" "10.9.0.0/16 via 10.2.0.2 dev $IF_RB metric 0" "gateway route"
assert_contains "$routes" "blackhole 10.66.0.0/16 metric 0" "blackhole"
assert_contains "$routes" "unreachable 10.67.0.0/16 metric 0" "unreachable"
assert_contains "$routes" "prohibit 10.68.0.0/16 metric 7" "prohibit"
assert_contains "$(xrt_cli $R neigh show dev "$IF_RB")" "10.2.0.2 dev $IF_RB lladdr $MAC_BR PERMANENT" "neigh show"
assert_eq "$(xrt_cli $R -j neigh show dev "$IF_RB" | jq_py 'print([n["dst"] for n in d if "." in n["dst"]])')" \
	"['10.2.0.2']" "neigh show -j"
assert_eq "$(xrt_cli $R -j route show | jq_py 'print([(r["dst"], r["gateway"], r["metric"]) for r in d if r["dst"] == "10.9.0.0/16"])')" \
	"[('10.9.0.0/16', '10.2.0.2', 0)]" "route show -j"
assert_eq "$(xrt_cli $R route get 10.9.1.1)" \
	"10.9.1.1 via 10.2.0.2 dev $IF_RB table main metric 0 route 10.9.0.0/16 mtu 1500 neigh PERMANENT lladdr $MAC_BR" \
	"route get through a gateway"
assert_contains "$(xrt_cli $R route get 10.9.1.1 from 10.1.0.2 iif "$IF_RA")" "via 10.2.0.2 dev $IF_RB" "route get from iif"
assert_eq "$(xrt_cli $R route get 10.2.0.1)" "local 10.2.0.1 table local metric 0 route 10.2.0.1" "route get a local address"
assert_eq "$(xrt_cli $R route get 10.2.0.255)" "broadcast 10.2.0.255 table local metric 0 route 10.2.0.255" "route get the broadcast"
assert_eq "$(xrt_cli $R route get 10.66.3.3)" "blackhole 10.66.3.3 table main metric 0 route 10.66.0.0/16" "route get blackhole"
# What the fast path decides before its lookup (bpf/ip_route_input.h).
assert_eq "$(xrt_cli $R route get 224.0.0.5)" "224.0.0.5 link-local multicast: delivered here (punt mcast_link)" "route get 224.0.0.5"
assert_eq "$(xrt_cli $R route get 239.1.1.1)" "239.1.1.1 multicast: dropped, there is no multicast routing (drop mcast)" "route get 239.1.1.1"
assert_eq "$(xrt_cli $R route get 255.255.255.255)" "255.255.255.255 limited broadcast: delivered here, never forwarded (punt local)" "route get 255.255.255.255"
assert_eq "$(xrt_cli $R route get 127.0.0.1)" "127.0.0.1 martian destination: dropped (drop ip4_martian_dst)" "route get 127.0.0.1"
assert_eq "$(xrt_cli $R -j route get 10.9.1.1 | jq_py 'print(d["type"], d["gateway"], d["dev"], d["neigh"]["state"])')" \
	"unicast 10.2.0.2 $IF_RB PERMANENT" "route get -j"

# End to end with the IPv4 fast path and stack: a host reaches the
# router's address (local route, table local) and, through the gateway
# route above, an address behind B; the router's kernel has no IPv4.
ans=$(xrt_ns a) bns=$(xrt_ns b)
ip -n "$ans" addr add 10.1.0.2/24 dev "$IF_AR"
ip -n "$ans" route add default via 10.1.0.1
ip -n "$ans" neigh replace 10.1.0.1 lladdr "$MAC_RA" dev "$IF_AR" nud permanent
ip -n "$bns" addr add 10.2.0.2/24 dev "$IF_BR"
ip -n "$bns" addr add 10.9.1.1/32 dev lo
ip -n "$bns" route add default via 10.2.0.1
ip -n "$bns" neigh replace 10.2.0.1 lladdr "$MAC_RB" dev "$IF_BR" nud permanent
assert_not_contains "$(ip -n "$(xrt_ns $R)" -4 addr show)" "inet 10." "the router's kernel holds no IPv4 address"
l0=$(xrt_fp_stat $R punt:local)
out=$(xrt_exec a ping -4 -n -c 2 -i 0.2 -W 2 10.1.0.1) || xrt_fail "ping the router's IPv4 address: $out"
assert_contains "$out" "2 received" "the router answers on its IPv4 address"
assert_ge "$(($(xrt_fp_stat $R punt:local) - l0))" 2 "the fast path finds it in table local (punt local)"
# A /32 address has no connected route: only table local holds it, which
# fib_lookup consults before the ingress table (its default rules), so a
# default route does not carry its packets away.
xrt_cli_ok $R route add default via 10.2.0.2
l0=$(xrt_fp_stat $R punt:local)
out=$(xrt_exec a ping -4 -n -c 2 -i 0.2 -W 2 10.4.0.1) || xrt_fail "ping the router's /32 address: $out"
assert_ge "$(($(xrt_fp_stat $R punt:local) - l0))" 2 "the /32 address delivered locally (punt local)"
xrt_cli_ok $R route del default via 10.2.0.2
out=$(xrt_exec a ping -4 -n -c 3 -i 0.1 -W 2 10.9.1.1) || xrt_fail "ping through the IPv4 gateway route: $out"
assert_contains "$out" "ttl=63" "forwarded once through 10.9.0.0/16 via 10.2.0.2"

# The families never match each other: an IPv6 default does not route
# IPv4, an IPv4 default does not route IPv6.
xrt_cli_ok $R addr add 2001:db8:2::1/64 dev "$IF_RB"
xrt_cli_ok $R route add default via 2001:db8:2::2
check_err "no route to 10.77.0.1 in table main (the fast path punts: no_route)" route get 10.77.0.1
xrt_cli_ok $R route del default via 2001:db8:2::2
xrt_cli_ok $R route add default via 10.2.0.2
assert_contains "$(xrt_cli $R route show)" "default via 10.2.0.2 dev $IF_RB metric 0" "IPv4 default"
assert_contains "$(xrt_cli $R route get 10.77.0.1)" "route default" "IPv4 default matches IPv4"
check_err "no route to 2001:db8:77::1 in table main (the fast path punts: no_route)" route get 2001:db8:77::1

# -4 and -6: filters, and iproute2's refusals of the other family.
v4=$(xrt_cli $R -4 route show)
v6=$(xrt_cli $R -6 route show)
all=$(xrt_cli $R route show)
assert_contains "$v4" "10.9.0.0/16" "-4 route show lists IPv4"
assert_not_contains "$v4" "2001:db8:" "-4 route show lists no IPv6"
assert_contains "$v6" "2001:db8:2::/64" "-6 route show lists IPv6"
assert_not_contains "$v6" "10.9.0.0" "-6 route show lists no IPv4"
assert_eq "$all" "$v6
$v4" "route show lists both families, IPv6 first"
shown=$(xrt_cli $R -4 addr show dev "$IF_RB")
assert_not_contains "$shown" "inet6" "-4 addr show"
shown=$(xrt_cli $R -6 addr show dev "$IF_RB")
assert_not_contains "$shown" "inet 10." "-6 addr show"
assert_eq "$(xrt_cli $R -f inet route show table local | grep -c '^local 10\.')" 4 "-f inet"
check_err 'inet prefix is expected rather than "2001:db8:9::/48"' -4 route add 2001:db8:9::/48 dev "$IF_RB"
check_err 'inet6 prefix is expected rather than "10.5.0.1/24"' -6 addr add 10.5.0.1/24 dev "$IF_RB"
check_err 'inet address is expected rather than "2001:db8:2::2"' -4 neigh add 2001:db8:2::2 lladdr "$MAC_BR" dev "$IF_RB"
check_err 'inet6 address is expected rather than "10.2.0.2"' route add 2001:db8:9::/48 via 10.2.0.2
check_err 'inet address is expected rather than "2001:db8:2::2"' route add 10.10.0.0/16 via 2001:db8:2::2 dev "$IF_RB"
check_err 'inet address is expected rather than "2001:db8::1"' route get 10.9.1.1 from 2001:db8::1
check_err '"::ffff:10.0.0.0/104" is inside ::ffff:0:0/96, IPv4-mapped (RFC 4291 2.5.5.2): write it as IPv4' route add ::ffff:10.0.0.0/104 dev "$IF_RB"
check_err '"::ffff:10.0.0.5/120" is inside ::ffff:0:0/96, IPv4-mapped (RFC 4291 2.5.5.2): write it as IPv4' addr add ::ffff:10.0.0.5/120 dev "$IF_RB"
check_err '10.9.0.1/16 has host bits set' route add 10.9.0.1/16 dev "$IF_RB"
check_err '"10.0.0.0/33" is not an IPv4 prefix (length must be 0..32)' route add 10.0.0.0/33 dev "$IF_RB"
check_err '"10.1.2/24" is not an IPv4 prefix' route add 10.1.2/24 dev "$IF_RB"
check_err 'mtu "576000" is invalid (68..65535)' route add 10.11.0.0/16 dev "$IF_RB" mtu 576000
check_err 'route 10.9.0.0/16 metric 0 already exists' route add 10.9.0.0/16 via 10.2.0.2
out=$(xrt_cli $R -f inet5 route show 2>&1) && xrt_fail "-f inet5 accepted"
assert_eq "$out" 'xrt: family "inet5" is invalid (inet, inet6)' "-f with a bad family"
check_err "address 10.2.0.1 is already on $IF_RB" addr add 10.2.0.1/24 dev "$IF_RA"
check_err "prefix 10.2.0.0/24 is already connected on $IF_RB" addr add 10.2.0.7/24 dev "$IF_RA"
check_err "address 10.2.0.1/25 is not on $IF_RB" addr del 10.2.0.1/25 dev "$IF_RB"
xrt_cli_ok $R route add 10.11.0.0/16 dev "$IF_RB" mtu 1400
assert_contains "$(xrt_cli $R route show)" "10.11.0.0/16 dev $IF_RB metric 0 mtu 1400" "IPv4 route mtu"
# IPv4 routes may go below IPv6's 1280 (RFC 791: 68), down to the fast path.
xrt_cli_ok $R route add 10.12.0.0/16 dev "$IF_RB" mtu 576
assert_contains "$(xrt_cli $R route show)" "10.12.0.0/16 dev $IF_RB metric 0 mtu 576" "IPv4 route mtu 576"

# -batch with -4: every line gets the family; a line of the other family
# fails with its line number.
printf 'route add 10.20.0.0/16 via 10.2.0.2\nroute add 10.21.0.0/16 via 10.2.0.2 metric 9\n' >"$XRT_TMP/ok.batch"
xrt_cli_ok $R -4 -batch "$XRT_TMP/ok.batch"
assert_contains "$(xrt_cli $R -4 route show)" "10.21.0.0/16 via 10.2.0.2 dev $IF_RB metric 9" "-4 -batch"
printf 'route add 10.22.0.0/16 via 10.2.0.2\nroute add 2001:db8:22::/48 via 2001:db8:2::2\n' >"$XRT_TMP/bad.batch"
out=$(xrt_cli $R -4 -batch "$XRT_TMP/bad.batch" 2>&1) && xrt_fail "-4 -batch with an IPv6 line succeeded"
assert_eq "$out" "Command failed $XRT_TMP/bad.batch:2: inet prefix is expected rather than \"2001:db8:22::/48\"" "-4 -batch error"

# Reload: the file's IPv4 route changes, its address stays.
sed -i 's|^route add 10.8.0.0/16 via 10.1.0.2$|route add 10.7.0.0/16 via 10.1.0.2|' "$conf"
xrt_cli_ok $R config reload
routes=$(xrt_cli $R route show)
assert_contains "$routes" "10.7.0.0/16 via 10.1.0.2 dev $IF_RA metric 0" "reload added the new route"
assert_not_contains "$routes" "10.8.0.0/16" "reload removed the old route"
assert_contains "$(xrt_cli $R route show table local)" "broadcast 10.1.0.255 table local" "config address kept by reload"

# Bulk: N IPv4 routes by -batch over one connection (time logged, not
# asserted), every one in the RIB and the fast path's view.
N=${XRT_BATCH_ROUTES4:-20000}
seq 0 $((N - 1)) | awk '{ printf "route add 10.%d.%d.0/24 via 10.2.0.2\n", 128 + int($1 / 256), $1 % 256 }' \
	>"$XRT_TMP/bulk.batch"
base=$(xrt_cli $R -4 route show | wc -l)
t0=$(date +%s%N)
xrt_cli_ok $R -batch "$XRT_TMP/bulk.batch"
t1=$(date +%s%N)
assert_eq "$(xrt_cli $R -4 route show | wc -l)" "$((base + N))" "IPv4 routes after the batch"
xrt_log "measured: $N IPv4 routes by -batch in $(((t1 - t0) / 1000000)) ms"
assert_contains "$(xrt_cli $R route get 10.200.77.1)" "via 10.2.0.2 dev $IF_RB" "a bulk route in the fast path's view"

# neigh del, and its error naming the address as it was written.
xrt_cli_ok $R neigh add 10.2.0.9 lladdr 02:00:00:00:00:09 dev "$IF_RB"
xrt_cli_ok $R neigh del 10.2.0.9 dev "$IF_RB"
shown=$(xrt_cli $R neigh show)
assert_not_contains "$shown" "10.2.0.9" "neigh del"
check_err "no neighbour 10.2.0.9 on $IF_RB" neigh del 10.2.0.9 dev "$IF_RB"

# Flush by family: IPv4 routes and ARP entries go, IPv6 ones stay.
xrt_cli_ok $R neigh add 2001:db8:2::2 lladdr "$MAC_BR" dev "$IF_RB"
assert_eq "$(xrt_cli $R -j -4 neigh flush nud all)" '{"flushed":2}' "-4 neigh flush"
shown=$(xrt_cli $R neigh show)
assert_not_contains "$shown" "10.2.0.2" "ARP entry flushed"
assert_contains "$(xrt_cli $R neigh show)" "2001:db8:2::2 dev $IF_RB" "ND entry kept"
xrt_cli_ok $R -4 route flush
shown=$(xrt_cli $R -4 route show)
assert_eq "$shown" "" "-4 route flush empties IPv4 main"
assert_contains "$(xrt_cli $R -6 route show)" "2001:db8:2::/64 dev $IF_RB metric 256" "IPv6 kept by -4 flush"
assert_contains "$(xrt_cli $R route show table local)" "broadcast 10.2.0.255" "table local untouched by a main flush"

# Deleting the address takes its local, connected and broadcast routes.
xrt_cli_ok $R addr del 10.2.0.1/24 dev "$IF_RB"
shown=$(xrt_cli $R route show table all)
assert_not_contains "$shown" "10.2.0." "routes of a deleted address"

kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "IPv4 addresses, routes, neighbours, -4/-6, -j, -batch and the configuration file"
