#!/usr/bin/env bash
# xrt: demo topology (hosts on both sides of an xrt router) showing ping6,
# traceroute6, IPv4 ping and traceroute, Packet Too Big, a TCP transfer and `xrt stats` in a minute.
#
#   host A ---- xrt router (xrtd) ---- host B
#   2001:db8:1::2/64        |          2001:db8:2::2/64
#                           | MTU 1280
#                         host C 2001:db8:3::2/64
#
# Usage (as root, after `make`):
#   deploy/demo.sh          build, configure, show, tear down
#   KEEP=1 deploy/demo.sh   leave it running to play with, e.g.
#                           ip netns exec xrtdemo-r build/xrt route show
#                           ip netns exec xrtdemo-a ping 2001:db8:2::2
#   deploy/demo.sh clean    tear down a topology left by KEEP=1
#
# Namespaces are xrtdemo-a, -r, -b, -c; the router's bpffs is
# /run/xrtdemo-r. The router namespace has kernel forwarding off: what
# crosses it is forwarded by xrt's XDP program or its daemon.
# DEMO_PREFIX may be overridden (tests run the demo under a unique one).
DEMO_PREFIX=${DEMO_PREFIX:-xrtdemo}
DEMO_PIDFILE=/run/$DEMO_PREFIX-xrtd.pid

demo_clean() {
	local pid ns d
	if [ -s "$DEMO_PIDFILE" ]; then
		pid=$(cat "$DEMO_PIDFILE")
		# Only the xrtd this demo started (recorded in its pid file).
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = xrtd ]; then
			kill -TERM "$pid"
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		fi
		rm -f "$DEMO_PIDFILE"
	fi
	for ns in $(ip netns list | awk '{print $1}' | grep "^$DEMO_PREFIX-"); do
		ip netns del "$ns"
	done
	for d in /run/"$DEMO_PREFIX"-*; do
		[ -d "$d" ] || continue
		mountpoint -q "$d" && umount "$d"
		rmdir "$d"
	done
	echo "xrt demo removed"
}

if [ "${1:-}" = clean ]; then
	demo_clean
	exit 0
fi
if compgen -G "/run/netns/$DEMO_PREFIX-*" >/dev/null; then
	echo "a demo topology is already up; remove it with: $0 clean" >&2
	exit 1
fi

XRT_PREFIX=$DEMO_PREFIX
[ -n "${KEEP:-}" ] && XRT_KEEP_TMP=1
# shellcheck source=../tests/netns/lib.sh
source "$(dirname "$0")/../tests/netns/lib.sh"
xrt_require_xrt
xrt_require_cmd ping traceroute traceroute6 tracepath socat sha256sum
XRT="$XRT_BUILD/xrt"
T0=$(date +%s)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { # show NS CMD...: print the command as typed in NS, run it, bounded
	local n=$1
	shift
	printf '%s$ %s\n' "$n" "$*"
	timeout --foreground 20 ip netns exec "$(xrt_ns "$n")" "$@"
}
note() { printf '   (%s)\n' "$*"; }

step "topology: A - xrt router - B, and C behind a 1280-byte MTU link"
# Neighbours are found with ND (answered and sent by xrtd) unless
# STATIC_NEIGH=1 asks for static entries on every side.
[ -n "${STATIC_NEIGH:-}" ] || XRT_TOPO_ND=1
xrt_topo_line
xrt_host_ns c
xrt_link r c
IF_RC=$(xrt_if r c) IF_CR=$(xrt_if c r)
ip -n "$(xrt_ns r)" link set dev "$IF_RC" mtu 1280
ip -n "$(xrt_ns c)" link set dev "$IF_CR" mtu 1280
MAC_RC=$(xrt_mac r "$IF_RC") MAC_CR=$(xrt_mac c "$IF_CR")
xrt_host c "$IF_CR" 2001:db8:3::2/64 2001:db8:3::1
[ -z "${STATIC_NEIGH:-}" ] || xrt_static_neigh c "$IF_CR" 2001:db8:3::1 "$MAC_RC"
ip netns list | grep "^$DEMO_PREFIX-" | sed 's/^/   /'

step "configuration (the style of deploy/xrt.conf), loaded by xrtd -c"
CONF=$XRT_TMP/xrt.conf
cat >"$CONF" <<EOF
link attach dev $IF_RA
link attach dev $IF_RB
link attach dev $IF_RC
addr add 2001:db8:1::1/64 dev $IF_RA
addr add 2001:db8:2::1/64 dev $IF_RB
addr add 2001:db8:3::1/64 dev $IF_RC
route add 2001:db8:b::/64 via 2001:db8:2::2 dev $IF_RB
addr add 10.1.0.1/24 dev $IF_RA
addr add 10.2.0.1/24 dev $IF_RB
route add 10.9.0.0/24 via 10.2.0.2 dev $IF_RB
EOF
# IPv4 on the hosts; the router's kernel has none (xrt answers ARP itself).
ip -n "$(xrt_ns a)" addr add 10.1.0.2/24 dev "$IF_AR"
ip -n "$(xrt_ns a)" route add default via 10.1.0.1
ip -n "$(xrt_ns b)" addr add 10.2.0.2/24 dev "$IF_BR"
ip -n "$(xrt_ns b)" addr add 10.9.0.1/32 dev lo
ip -n "$(xrt_ns b)" route add default via 10.2.0.1
if [ -n "${STATIC_NEIGH:-}" ]; then
	cat >>"$CONF" <<EOF
neigh add 2001:db8:1::2 lladdr $MAC_AR dev $IF_RA
neigh add 2001:db8:2::2 lladdr $MAC_BR dev $IF_RB
neigh add 2001:db8:3::2 lladdr $MAC_CR dev $IF_RC
EOF
fi
sed 's/^/   /' "$CONF"
xrt_xrtd_start r -c "$CONF"
echo "$(xrt_xrtd_pid r)" >"$DEMO_PIDFILE"
xrt_exec r sysctl net.ipv6.conf.all.forwarding | sed 's/^/   router kernel: /'
show r "$XRT" link show
show r "$XRT" route show
show r "$XRT" route summary

failed=()
step "ping6 A -> B (the first packets resolve neighbours through xrtd, then XDP forwards)"
show a ping -6 -c 3 -i 0.2 -W 2 2001:db8:b::1 || failed+=(ping)
show r "$XRT" neigh show
show a ip -6 neigh show dev "$IF_AR"

step "traceroute6 A -> B (hop 1 answers from the xrt daemon: Time Exceeded)"
if out=$(show a traceroute6 -n -q 1 -w 1 -m 4 2001:db8:b::1 2>&1); then
	echo "$out"
	if ! grep -q '^ 1  2001:db8:1::1' <<<"$out"; then
		note "hop 1 did not answer with Time Exceeded"
		failed+=(traceroute6-hop1)
	fi
else
	echo "$out"
	failed+=(traceroute6)
fi

step "IPv4 A -> B (xrt's own FIB and ARP; the router's kernel has no IPv4 address)"
show r "$XRT" -4 route show
show a ping -4 -c 3 -i 0.2 -W 2 10.9.0.1 || failed+=(ping4)
if out=$(show a traceroute -4 -n -q 1 -w 1 -m 4 10.9.0.1 2>&1); then
	echo "$out"
	grep -q '^ 1  10.1.0.1' <<<"$out" || { note "IPv4 hop 1 did not answer"; failed+=(traceroute4-hop1); }
else
	echo "$out"
	failed+=(traceroute4)
fi
printf '   router kernel IPv4 addresses (lo excluded): %s\n' "$(ip -n "$(xrt_ns r)" -4 -o addr show | grep -vc ' lo ' || true)"

step "Packet Too Big: 1400-byte packets from A to C (link MTU 1280)"
show a ping -6 -c 1 -W 2 -M do -s 1400 2001:db8:3::2 || true
if show a tracepath -6 -n -m 4 2001:db8:3::2 | tee "$XRT_TMP/tracepath.out"; then :; fi
if ! grep -q 'pmtu 1280' "$XRT_TMP/tracepath.out"; then
	note "no Packet Too Big seen"
	failed+=(packet-too-big)
fi
show a ping -6 -c 2 -i 0.2 -W 2 -s 1200 2001:db8:3::2 || failed+=(ping-c)

step "TCP transfer A -> B: 20 MB, kernel TCP on both hosts"
head -c 20000000 /dev/urandom >"$XRT_TMP/tcp.src"
xrt_bg b tcp-recv socat -u "TCP6-LISTEN:7000,bind=[2001:db8:b::1]" "OPEN:$XRT_TMP/tcp.dst,creat,trunc"
rpid=$XRT_LAST_PID
xrt_wait_for "xrt_exec b ss -Htln | grep -q ':7000 '" 5 || xrt_fail "TCP receiver did not start"
t1=$(date +%s%N)
printf 'b$ socat -u TCP6-LISTEN:7000,bind=[2001:db8:b::1] OPEN:tcp.dst &\n'
printf 'a$ socat -u OPEN:tcp.src TCP6:[2001:db8:b::1]:7000\n'
if timeout --foreground 30 ip netns exec "$(xrt_ns a)" socat -u "OPEN:$XRT_TMP/tcp.src" "TCP6:[2001:db8:b::1]:7000" &&
	xrt_wait_pid "$rpid" 10 && cmp -s "$XRT_TMP/tcp.src" "$XRT_TMP/tcp.dst"; then
	ms=$((($(date +%s%N) - t1) / 1000000))
	echo "   20 MB received intact in ${ms} ms ($(sha256sum <"$XRT_TMP/tcp.dst" | cut -c1-16)...)"
else
	failed+=(tcp)
	echo "   TCP transfer failed"
fi

step "xrt stats (counters that are not zero)"
printf 'r$ %s stats\n' "$XRT"
if timeout --foreground 10 ip netns exec "$(xrt_ns r)" "$XRT" stats >"$XRT_TMP/stats.out"; then
	awk '$NF != 0' "$XRT_TMP/stats.out"
else
	failed+=(stats)
fi

echo
echo "demo ran in $(($(date +%s) - T0)) s"
if [ -n "${KEEP:-}" ]; then
	XRT_CLEANED=1 # leave everything up
	echo "left running (KEEP=1). Try:"
	echo "   ip netns exec $(xrt_ns r) $XRT stats"
	echo "   ip netns exec $(xrt_ns a) ping 2001:db8:2::2"
	echo "remove it with: $0 clean"
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}" >&2
	exit 1
fi
[ -n "${KEEP:-}" ] || rm -f "$DEMO_PIDFILE"
exit 0
