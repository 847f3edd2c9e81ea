#!/usr/bin/env bash
# xrt: source-specific routes (the kernel's IPv6 subtrees, RFC 8678
# multihoming) side by side with a kernel router given the same routes.
#
#   a -- r -- p   (ISP1)     a: sources S1 2001:db8:1::2, S2 2001:db8:2::2,
#        |                      S3 2001:db8:3::2 (in neither prefix)
#        +--- q   (ISP2)     p, q: count what reaches them (Udp6NoPorts)
#
# Three such topologies: r an xrt router configured with `xrt route ...
# from` (x), a kernel router with forwarding on and `ip -6 route ... from`
# (k), and an xrt router whose kernel (forwarding off) holds the `ip -6
# route ... from` routes that xrtd mirrors (m). The routes:
#   default from 2001:db8:1::/48 via ISP1      (S1's upstream)
#   default from 2001:db8:2::/48 via ISP2      (S2's upstream)
#   default via ISP2                           (everyone else)
#   2001:db8:300::/48 via ISP1                 (plain, more specific)
#   2001:db8:100::/48 from 2001:db8:2::/48 via ISP1  (only a source route:
#   2001:db8:100::/48 via ISP1                  the plain one beside it is
#                                               never used, fib6_node_lookup_1;
#                                               other sources backtrack to ::/0)
source "$(dirname "$0")/lib.sh"
xrt_require_xrt
xrt_require_cmd ping

S1=2001:db8:1::2 S2=2001:db8:2::2 S3=2001:db8:3::2
ROUTES=(
	"default from 2001:db8:1::/48 via 2001:db8:e1::2"
	"default from 2001:db8:2::/48 via 2001:db8:e2::2"
	"default via 2001:db8:e2::2"
	"2001:db8:300::/48 via 2001:db8:e1::2"
	"2001:db8:100::/48 from 2001:db8:2::/48 via 2001:db8:e1::2"
	"2001:db8:100::/48 via 2001:db8:e1::2"
)

# topo N KIND: namespaces aN rN pN qN; KIND xrt, kernel or mirror.
topo() {
	local n=$1 kind=$2 a=a$1 r=r$1 p=p$1 q=q$1 h
	xrt_host_ns "$a"; xrt_host_ns "$p"; xrt_host_ns "$q"
	if [ "$kind" = kernel ]; then xrt_kernel_router_ns "$r"; else xrt_router_ns "$r"; fi
	xrt_link "$a" "$r"; xrt_link "$r" "$p"; xrt_link "$r" "$q"
	xrt_host "$a" "$(xrt_if "$a" "$r")" 2001:db8:f::2/64 2001:db8:f::1
	for h in $S1 $S2 $S3; do
		ip -n "$(xrt_ns "$a")" -6 addr add "$h/128" dev "$(xrt_if "$a" "$r")" nodad
	done
	xrt_static_neigh "$a" "$(xrt_if "$a" "$r")" 2001:db8:f::1 "$(xrt_mac "$r" "$(xrt_if "$r" "$a")")"
	xrt_host "$p" "$(xrt_if "$p" "$r")" 2001:db8:e1::2/64
	xrt_host "$q" "$(xrt_if "$q" "$r")" 2001:db8:e2::2/64
	for h in "$p" "$q"; do
		ip -n "$(xrt_ns "$h")" -6 addr add 2001:db8:100::1/128 dev lo
		ip -n "$(xrt_ns "$h")" -6 addr add 2001:db8:200::1/128 dev lo
		ip -n "$(xrt_ns "$h")" -6 addr add 2001:db8:300::1/128 dev lo
	done
	local rf=$(xrt_if "$r" "$a") rp=$(xrt_if "$r" "$p") rq=$(xrt_if "$r" "$q")
	local mp=$(xrt_mac "$p" "$(xrt_if "$p" "$r")") mq=$(xrt_mac "$q" "$(xrt_if "$q" "$r")")
	local rns=$(xrt_ns "$r") line
	case $kind in
	kernel)
		ip -n "$rns" -6 addr add 2001:db8:f::1/64 dev "$rf" nodad
		ip -n "$rns" -6 addr add 2001:db8:e1::1/64 dev "$rp" nodad
		ip -n "$rns" -6 addr add 2001:db8:e2::1/64 dev "$rq" nodad
		xrt_static_neigh "$r" "$rp" 2001:db8:e1::2 "$mp"
		xrt_static_neigh "$r" "$rq" 2001:db8:e2::2 "$mq"
		for line in "${ROUTES[@]}"; do
			# shellcheck disable=SC2086
			ip -n "$rns" -6 route add $line || xrt_fail "kernel: ip -6 route add $line"
		done
		;;
	xrt) # the configuration file (xrtd -c) carries the routes
		CONF=$XRT_TMP/xrtd-$r.conf
		{
			for h in "$rf" "$rp" "$rq"; do echo "link attach dev $h"; done
			echo "addr add 2001:db8:f::1/64 dev $rf"
			echo "addr add 2001:db8:e1::1/64 dev $rp"
			echo "addr add 2001:db8:e2::1/64 dev $rq"
			echo "neigh add 2001:db8:e1::2 lladdr $mp dev $rp"
			echo "neigh add 2001:db8:e2::2 lladdr $mq dev $rq"
			for line in "${ROUTES[@]}"; do echo "route add $line"; done
		} >"$CONF"
		xrt_xrtd_start "$r" -c "$CONF"
		;;
	mirror)
		assert_eq "$(xrt_exec "$r" sysctl -n net.ipv6.conf.all.forwarding)" 0 "mirror: kernel forwarding"
		ip -n "$rns" -6 addr add 2001:db8:f::1/64 dev "$rf" nodad
		ip -n "$rns" -6 addr add 2001:db8:e1::1/64 dev "$rp" nodad
		ip -n "$rns" -6 addr add 2001:db8:e2::1/64 dev "$rq" nodad
		xrt_static_neigh "$r" "$rp" 2001:db8:e1::2 "$mp"
		xrt_static_neigh "$r" "$rq" 2001:db8:e2::2 "$mq"
		xrt_xrtd_start "$r"
		xrt_cli_ok "$r" sync kernel on
		for h in "$rf" "$rp" "$rq"; do xrt_cli_ok "$r" link attach dev "$h"; done
		for line in "${ROUTES[@]}"; do
			# shellcheck disable=SC2086
			ip -n "$rns" -6 route add $line || xrt_fail "mirror: ip -6 route add $line"
		done
		xrt_wait_for "[ \$(xrt_cli $r route show | grep -c ' from ') -eq 3 ]" 5 ||
			xrt_fail "mirror: the source routes never reached xrt: $(xrt_cli "$r" route show)"
		;;
	esac
}

# which N SRC DST: the upstream (p or q) that 5 datagrams SRC -> DST reach.
which() {
	local got
	got=$(xrt_udp_reaches "a$1" "$2" "$3" "p$1" "q$1")
	case $got in "p$1") echo ISP1 ;; "q$1") echo ISP2 ;; *) echo "$got" ;; esac
}

topo x xrt
topo k kernel
topo m mirror

# What the kernel's semantics give (longest destination, then longest
# source, backtracking to a shorter destination when no source matches).
declare -A WANT=(
	[$S1,2001:db8:200::1]=ISP1 [$S2,2001:db8:200::1]=ISP2 [$S3,2001:db8:200::1]=ISP2
	[$S1,2001:db8:300::1]=ISP1 [$S2,2001:db8:300::1]=ISP1 [$S3,2001:db8:300::1]=ISP1
	[$S1,2001:db8:100::1]=ISP1 [$S2,2001:db8:100::1]=ISP1 [$S3,2001:db8:100::1]=ISP2
)
DEV=([1]=p [2]=q)
summary=
for key in "${!WANT[@]}"; do
	src=${key%,*} dst=${key#*,}
	kgot=$(which k "$src" "$dst")
	assert_eq "$kgot" "${WANT[$key]}" "kernel router: $src -> $dst"
	for n in x m; do
		got=$(which $n "$src" "$dst")
		assert_eq "$got" "$kgot" "xrt ($n) beside the kernel: $src -> $dst"
		# route get agrees with the kernel's (same upstream device).
		isp=${kgot#ISP}
		g=$(xrt_cli "r$n" route get "$dst" from "$src" iif "$(xrt_if "r$n" "a$n")")
		assert_contains "$g" "$dst from $src via " "xrt ($n) route get: the flow as iproute2 writes it"
		assert_contains "$g" "dev $(xrt_if "r$n" "${DEV[$isp]}$n") " "xrt ($n) route get $dst from $src"
	done
	kg=$(ip -n "$(xrt_ns rk)" -6 route get "$dst" from "$src" iif "$(xrt_if rk ak)")
	assert_contains "$kg" "dev $(xrt_if rk "${DEV[${kgot#ISP}]}k") " "ip -6 route get $dst from $src"
	summary+=" ${src%::2}->${dst%::1}:$kgot"
done

# show prints `from` where iproute2 does; -j carries it as ip -j does.
show=$(xrt_cli rx route show)
assert_contains "$show" "2001:db8:100::/48 from 2001:db8:2::/48 via 2001:db8:e1::2 dev $(xrt_if rx px) metric 1024" "route show"
assert_contains "$(ip -n "$(xrt_ns rk)" -6 route show)" "2001:db8:100::/48 from 2001:db8:2::/48 via 2001:db8:e1::2 dev $(xrt_if rk pk) metric 1024" "ip -6 route show"
assert_contains "$(xrt_cli rx -j route show)" '"dst":"default","from":"2001:db8:1::/48"' "route show -j"
assert_contains "$(xrt_cli rm route show)" "default from 2001:db8:1::/48 via 2001:db8:e1::2 dev $(xrt_if rm pm) metric 1024" "mirrored source route"

# A reload of the file without one source route takes that one away only.
grep -v "default from 2001:db8:2::/48" "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
xrt_cli_ok rx config reload
routes=$(xrt_cli rx route show) # an assignment: a failing CLI fails the test
assert_contains "$routes" "default from 2001:db8:1::/48" "reload: route show"
assert_not_contains "$routes" "default from 2001:db8:2::/48" "reload: the dropped source route"
assert_contains "$(xrt_cli rx route show)" "default from 2001:db8:1::/48" "reload: the kept source route"
assert_eq "$(which x $S2 2001:db8:200::1)" ISP2 "reload: S2 through the plain default"
xrt_cli_ok rx route add default from 2001:db8:2::/48 via 2001:db8:e2::2

# Same (dst, src) is the same route: EEXIST, replace in place.
out=$(xrt_cli rx route add default from 2001:db8:1::/48 via 2001:db8:e2::2 2>&1) &&
	xrt_fail "a second route with the same dst, src and metric was accepted"
assert_contains "$out" "already exists" "duplicate source route"
xrt_cli_ok rx route replace default from 2001:db8:1::/48 via 2001:db8:e2::2
assert_eq "$(which x $S1 2001:db8:200::1)" ISP2 "after replace, S1's default"
# Deleting the source route of 2001:db8:100::/48 brings its plain route back.
xrt_cli_ok rx route del 2001:db8:100::/48 from 2001:db8:2::/48
ip -n "$(xrt_ns rk)" -6 route del 2001:db8:100::/48 from 2001:db8:2::/48
assert_eq "$(which k $S3 2001:db8:100::1)" ISP1 "kernel: plain 2001:db8:100::/48 once the subtree is gone"
assert_eq "$(which x $S3 2001:db8:100::1)" ISP1 "xrt: plain 2001:db8:100::/48 once the subtree is gone"
# The mirror follows a kernel delete.
ip -n "$(xrt_ns rm)" -6 route del default from 2001:db8:2::/48
xrt_wait_for "routes=\$(xrt_cli rm route show) && ! grep -q 'from 2001:db8:2::/48 via 2001:db8:e2' <<<\"\$routes\"" 5 ||
	xrt_fail "mirror: deleted source route stayed"
assert_eq "$(which m $S2 2001:db8:200::1)" ISP2 "mirror: S2 falls back to the plain default"

# Bad input: named in the error, nothing changed.
before=$(xrt_cli rx route show)
for bad in "from zz::/48" "from 2001:db8:1::1/48" "from 10.0.0.0/8" "from 2001:db8::/129"; do
	# shellcheck disable=SC2086
	out=$(xrt_cli rx route add 2001:db8:400::/48 $bad via 2001:db8:e1::2 2>&1) &&
		xrt_fail "route add ... $bad was accepted"
	assert_contains "$out" "${bad#from }" "error for '$bad' names the word"
done
after=$(xrt_cli rx route show)
assert_eq "$after" "$before" "routes after refused commands"

# The bound: XRT_FIB6_SUBTREES (8) destinations with source routes; ::/0
# holds one. The ninth is refused, counted, and changes nothing.
for i in 1 2 3 4 5 6 7; do
	echo "route add 2001:db8:5$i::/48 from 2001:db8:1::/48 via 2001:db8:e1::2"
done >"$XRT_TMP/batch"
xrt_cli_ok rx -batch "$XRT_TMP/batch"
assert_eq "$(xrt_cli rx route show | grep -c 'from 2001:db8:1::/48 via')" 8 "routes from -batch"

assert_contains "$(xrt_cli rx route summary)" "source subtrees: 8 of 8 in use, 0 source routes refused" "route summary, full"
before=$(xrt_cli rx route show)
out=$(xrt_cli rx route add 2001:db8:59::/48 from 2001:db8:1::/48 via 2001:db8:e1::2 2>&1) &&
	xrt_fail "a ninth destination with source routes was accepted"
assert_contains "$out" "from: at most 8 destinations" "the bound's error"
assert_contains "$(xrt_cli rx route summary)" "8 of 8 in use, 1 source routes refused" "route summary counts the refusal"
after=$(xrt_cli rx route show)
assert_eq "$after" "$before" "routes after the refusal"
# A source route of a destination that has some already is not a new subtree.
xrt_cli_ok rx route add 2001:db8:51::/48 from 2001:db8:2::/48 via 2001:db8:e2::2
assert_contains "$(xrt_cli rx route get 2001:db8:51::1 from $S2)" "dev $(xrt_if rx qx) " "a second source of a full bound's destination"

# The mirror meets the bound: the kernel's ninth destination with source
# routes is not mirrored and counts as a mirror error (`xrt sync`).
errs() { xrt_cli rm -j sync | "$XRT_PY" -c 'import json, sys; print(json.load(sys.stdin)["errors"])'; }
e0=$(errs)
for i in 1 2 3 4 5 6 7; do
	ip -n "$(xrt_ns rm)" -6 route add "2001:db8:6$i::/48" from 2001:db8:1::/48 via 2001:db8:e1::2
done
xrt_wait_for "[ \$(errs) -ge $((e0 + 1)) ]" 5 || xrt_fail "mirror: the refused source route was not counted ($(errs) errors)"
assert_eq "$(errs)" $((e0 + 1)) "mirror errors: only the ninth destination"
assert_contains "$(xrt_cli rm route summary)" "8 of 8 in use" "mirror: subtrees in use"
routes=$(xrt_cli rm route show)
assert_contains "$routes" "2001:db8:66::/48 from 2001:db8:1::/48" "mirror: the eighth destination"
assert_not_contains "$routes" "2001:db8:67::/48" "mirror: the refused route"

# Through a policy rule (the fast path walks the rules, then the table with
# the packet's source), the same answers as the kernel's rule lookup.
xrt_cli_ok rx route replace default from 2001:db8:1::/48 via 2001:db8:e1::2
xrt_cli_ok rx rule add to 2001:db8:200::/48 table main pref 100
ip -n "$(xrt_ns rk)" -6 rule add to 2001:db8:200::/48 table main pref 100
for s in $S1 $S3; do
	assert_eq "$(which x "$s" 2001:db8:200::1)" "$(which k "$s" 2001:db8:200::1)" "through a rule: $s -> 2001:db8:200::1"
done
assert_eq "$(which x $S1 2001:db8:200::1)" ISP1 "through a rule: S1's source route"

# IPv4: the kernel's fib4 never reads RTA_SRC, `from` is accepted and ignored.
ip -n "$(xrt_ns rk)" addr add 192.0.2.1/24 dev "$(xrt_if rk pk)"
ip -n "$(xrt_ns rk)" route add 198.51.100.0/24 from 203.0.113.0/24 dev "$(xrt_if rk pk)"
assert_contains "$(ip -n "$(xrt_ns rk)" route show)" "198.51.100.0/24 dev $(xrt_if rk pk) scope link" "kernel: IPv4 from ignored"
xrt_cli_ok rx route add 198.51.100.0/24 from 203.0.113.0/24 dev "$(xrt_if rx px)"
assert_contains "$(xrt_cli rx route show)" "198.51.100.0/24 dev $(xrt_if rx px) metric 0" "xrt: IPv4 from ignored"
xrt_pass "9 (source, destination) cases reach the kernel router's upstream through xrt (CLI and mirrored), route get agrees:$summary; EEXIST/replace/delete restore the fallback; bad 'from' refused, the 8-subtree bound refused and counted (CLI, -batch, config reload, mirror), IPv4 'from' ignored as by the kernel"
