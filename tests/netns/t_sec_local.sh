#!/usr/bin/env bash
# xrt: local attackers (unprivileged users on the router) against xrtd: squatted socket names, an impostor listener, held connections, socket and descriptor exhaustion, source spoofing and hop limits through the socket layer, lost link events; xrtd must start, serve root and stay idle.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-sl}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd setpriv prlimit tcpdump stat getconf
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"
ATK=$XRT_ROOT/tests/netns/sec_local.py
NOBODY=65534
UID_MAX=256 # XRT_SOCK_UID_MAX (userspace/sock/server.h)

# as UID CMD...: run CMD as an unprivileged user (no groups, no capabilities).
as() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}
# as_bg NS NAME UID CMD...: the same, in the background, logged as NAME.
as_bg() {
	local n=$1 name=$2 uid=$3
	shift 3
	xrt_bg "$n" "$name" setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}
# First line of a background command's log, waited for (bounded).
first_line() {
	xrt_wait_for "[ -s '$XRT_TMP/$1.log' ]" 20 || xrt_fail "$1 printed nothing"
	head -n 1 "$XRT_TMP/$1.log"
}
# xrtd's CPU time (utime + stime, clock ticks) from /proc/PID/stat.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
stat_of() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }

xrt_topo_line
R=$TOPO_R A=$TOPO_A
# The attackers need a directory they may write and the test's files.
chmod 711 "$XRT_TMP"
PUB=$XRT_TMP/pub
mkdir -m 1777 "$PUB"
TICK=$(getconf CLK_TCK)

# 1. Before xrtd: an unprivileged user squats the old abstract names and
# tries the new paths. Only root can write /run, so the paths stay free.
as_bg $R squat $NOBODY "$XRT_PY" "$ATK" squat "$PUB/squat.count" @xrt @xrt-sock "$PUB/evil" "$PUB/evil-sock"
assert_eq "$(first_line squat)" "ready" "squatter listening on @xrt, @xrt-sock and $PUB/evil"
CTL_PATH=$(xrt_sock_path $R xrt) SOCK_PATH=$(xrt_sock_path $R xrt-sock)
out=$(xrt_exec $R setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$XRT_PY" "$ATK" trypaths "$CTL_PATH" "$SOCK_PATH")
assert_not_contains "$out" "ok" "the squatter could not bind the new paths ($out)"

# 2. Impersonation: root's CLI and a preloaded application refuse a
# listener that is not root's, before sending anything (SO_PEERCRED).
# (Bounded: a client that did talk to it would wait for an answer forever.)
out=$(xrt_exec $R timeout --foreground 5 "$XRT_BUILD/xrt" --socket "$PUB/evil" link show 2>&1) &&
	xrt_fail "CLI talked to the impostor: $out"
assert_contains "$out" "not by root" "CLI names the impostor"
out=$(xrt_exec $R timeout --foreground 5 env XRT_SOCK="$PUB/evil-sock" LD_PRELOAD="$SHIM" "$XRT_PY" -c '
import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0)); print("kernel socket")' 2>&1) ||
	xrt_fail "preloaded application with an impostor: $out"
assert_eq "$out" "kernel socket" "the shim fell back to the kernel"
# The impostor's count is alive: 8 bytes sent to it straight after must be
# all it ever counts (a bounded poll instead of a grace period).
xrt_exec $R "$XRT_PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1]); s.send(b"liveness")' "$PUB/evil"
xrt_wait_for "[ \"\$(cat '$PUB/squat.count')\" -ge 8 ] 2>/dev/null" 5 ||
	xrt_fail "the impostor never counted the 8-byte probe: $(cat "$PUB/squat.count")"
assert_eq "$(cat "$PUB/squat.count")" 8 "the impostor received nothing from the CLI or the shim (8: the probe)"

# 3. xrtd starts anyway (with a low soft descriptor limit, which it raises),
# root's CLI works, and a stale socket file left by a killed xrtd is taken
# over while a live xrtd is refused with a clear message.
ulimit -Sn 1024
xrt_xrtd_start $R
PID=$(xrt_xrtd_pid $R)
assert_eq "$(stat -c '%U %a' "$CTL_PATH")" "root 600" "control socket mode"
assert_eq "$(stat -c '%U %a' "$SOCK_PATH")" "root 666" "socket layer mode"
assert_eq "$(stat -c '%U %a' "$(dirname "$CTL_PATH")")" "root 755" "namespace directory mode"
nofile=$(awk '/Max open files/ {print $4}' "/proc/$PID/limits")
assert_ge "$nofile" 4096 "xrtd raised its RLIMIT_NOFILE soft limit (from 1024)"
out=$(xrt_exec $R "$XRT_BUILD/xrtd" -f --bpffs "$(xrt_bpffs_dir $R)" --obj "$XRT_FWD_OBJ" 2>&1) &&
	xrt_fail "a second xrtd started"
assert_contains "$out" "is another xrtd running?" "second xrtd refused"
kill -KILL "$PID"
rc=0
xrt_wait_pid "$PID" 5 || rc=$?
assert_eq "$rc" $((128 + 9)) "xrtd's status: killed by SIGKILL"
[ -S "$CTL_PATH" ] || xrt_fail "no stale socket file after SIGKILL"
# Two xrtd at once over the stale files: exactly one takes over (flock on
# PATH.lock), the other says why.
xrt_bpffs $R
for i in 1 2; do
	xrt_bg $R "xrtd-race$i" "$XRT_BUILD/xrtd" -f --bpffs "$(xrt_bpffs_dir $R)" --obj "$XRT_FWD_OBJ"
	RACE[$i]=$XRT_LAST_PID
done
xrt_wait_for "xrt_cli $R link show" 10 || xrt_fail "neither racing xrtd answered"
xrt_wait_for "! kill -0 ${RACE[1]} 2>/dev/null || ! kill -0 ${RACE[2]} 2>/dev/null" 10 ||
	xrt_fail "two xrtd run on the same socket"
if kill -0 "${RACE[1]}" 2>/dev/null; then PID=${RACE[1]} loser=2; else PID=${RACE[2]} loser=1; fi
assert_contains "$(cat "$XRT_TMP/xrtd-race$loser.log")" "is another xrtd running?" "the loser of the race"
eval "XRTD_PID_$R=$PID"
xrt_topo_line_program
ulimit -Sn "$(ulimit -Hn)"

# 4. A preloaded application of root reaches the real xrtd: it can bind the
# router's xrt address, which the router's kernel does not have.
app() {
	xrt_exec $R env LD_PRELOAD="$SHIM" "$XRT_PY" -c '
import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("2001:db8:1::1", 0))
s.sendto(b"x", ("2001:db8:1::2", 9)); print("xrt socket")' 2>&1
}
assert_eq "$(app)" "xrt socket" "root's preloaded application on xrtd's stack"

# 5. Starvation by connections: a user holding 100 connections to each
# socket (with CAP_DAC_OVERRIDE for the root-only control socket, as a
# group-readable deployment would allow) does not lock root out.
xrt_bg $R hold-ctl setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	--inh-caps=+dac_override --ambient-caps=+dac_override "$XRT_PY" "$ATK" hold "$CTL_PATH" 100
ctl_out=$(first_line hold-ctl)
as_bg $R hold-sock $NOBODY "$XRT_PY" "$ATK" hold "$SOCK_PATH" 100
out=$(first_line hold-sock)
assert_contains "$out" "connected 100" "socket-layer connections held ($out)"
assert_ok "root's CLI with 100 connections held" xrt_cli $R link show
assert_contains "$ctl_out" "open 0" "refused control connections are closed at once ($ctl_out)"
assert_ge "$(stat_of ctl_refused_uid)" 100 "ctl_refused_uid"

# 6. Starvation by sockets: five unprivileged users open all the sockets
# they can. Each is capped by its quota (the held connections count), all
# of them together leave root its reserve.
ATTACKERS=()
for u in $NOBODY 40001 40002 40003 40004; do
	xrt_bg $R "socks-$u" setpriv --reuid=$u --regid=$u --clear-groups \
		env LD_PRELOAD="$SHIM" "$XRT_PY" "$ATK" sockets 2000
	ATTACKERS+=("$XRT_LAST_PID")
	# One at a time: the first meets its quota, the last the full table.
	first_line "socks-$u" >/dev/null
done
total=0
for u in $NOBODY 40001 40002 40003 40004; do
	out=$(first_line "socks-$u")
	n=${out%% *}
	assert_le "$n" "$UID_MAX" "uid $u got $n sockets (quota $UID_MAX)"
	assert_match "$out" ' (ENOBUFS|ENFILE)$' "uid $u refused with ENOBUFS (quota) or ENFILE (table): $out"
	total=$((total + n))
done
xrt_log "unprivileged sockets: $total held; quota refusals $(stat_of sock_refused_quota), full $(stat_of sock_refused_full)"
assert_ge "$(stat_of sock_refused_quota)" 1 "sock_refused_quota"
assert_eq "$total" $((960 - 100)) "the users hold all but root's reserve (64) and nobody's 100 connections"
assert_eq "$(app)" "xrt socket" "root's preloaded application under the attack"
assert_ok "root's CLI under the attack" xrt_cli $R link show

# 7. xrtd is idle while all that is held.
c0=$(cpu_ticks "$PID")
sleep 3
c1=$(cpu_ticks "$PID")
xrt_log "xrtd CPU while attacked: $((c1 - c0)) ticks in 3 s (CLK_TCK $TICK)"
assert_le $((c1 - c0)) $((TICK * 3 / 20)) "xrtd CPU under the held attack (<= 5% of a core)"

# 8. At its descriptor limit (lowered here: a user alone cannot get there)
# xrtd sheds new connections instead of spinning on the listeners.
# A fresh user (its connections are within quota, so they take descriptors).
# The limit bounds descriptor numbers, not their count (getrlimit(2)): a
# gap below it (a descriptor closed earlier) would take a connection, which
# the full quota then closes again, so EMFILE would never come. So the soft
# limit is the lowest free number: every accept meets EMFILE, and only the
# spare descriptor xrtd opened first thing at start (below any gap) lets it
# shed. The soft limit only: root may raise it back.
low=$(ls "/proc/$PID/fd" | sort -n | awk 'BEGIN { n = 0 } $1 == n { n++ } END { print n }')
prlimit --pid "$PID" --nofile="$low":
as_bg $R hold-emfile 40009 "$XRT_PY" "$ATK" hold "$SOCK_PATH" 50
first_line hold-emfile >/dev/null
c0=$(cpu_ticks "$PID")
sleep 3
c1=$(cpu_ticks "$PID")
xrt_log "xrtd CPU at EMFILE: $((c1 - c0)) ticks in 3 s"
prlimit --pid "$PID" --nofile="$nofile":
assert_le $((c1 - c0)) $((TICK * 3 / 10)) "xrtd CPU at EMFILE (<= 10% of a core)"
assert_ge "$(stat_of sock_accept_shed)" 1 "sock_accept_shed"
assert_eq "$(app)" "xrt socket" "root's preloaded application after EMFILE"
# The attackers go: their sockets are released (the probe needs room).
for p in "${ATTACKERS[@]}"; do xrt_stop "$p"; done

# 9. The socket layer as the kernel: unprivileged users cannot bind a port
# below 1024 or open raw sockets, options xrt lacks fail, a bound multicast
# address is never a source, hop limits are the socket's (64 unicast
# default, 1 multicast default, IPV6_UNICAST_HOPS honoured).
ifr=$(xrt_ifindex $R "$(xrt_if $R $A)")
xrt_capture_start $A "$(xrt_if $A $R)" 3 udp
sk_send_err0=$(xrt_cli $R stats | awk '$1 == "sp_sock_send_errors" {print $2}')
out=$(xrt_exec $R setpriv --reuid=40010 --regid=40010 --clear-groups \
	env LD_PRELOAD="$SHIM" "$XRT_PY" "$ATK" probe "$ifr" 2001:db8:1::2 2>&1) || xrt_fail "probe: $out"
xrt_log "probe: $out"
assert_contains "$out" "bind80=EACCES" "unprivileged bind to port 80"
assert_match "$out" 'raw=(EPERM|EACCES)' "unprivileged raw socket"
assert_contains "$out" "tclass=ok" "IPV6_TCLASS on UDP"
assert_contains "$out" "rthdr=ENOPROTOOPT" "unimplemented option refused"
assert_contains "$out" "prio7=EPERM" "SO_PRIORITY above 6 needs CAP_NET_ADMIN (root)"
assert_contains "$out" "bind521=EACCES" "RIPng's port 521 is root's (CAP_NET_BIND_SERVICE)"
assert_contains "$out" "pktinfo_spoof=ok" "the spoofing datagram left the application"
assert_contains "$out" "mbind=ok" "multicast bind (to receive) as the kernel"
assert_contains "$out" "mcast_src=ok" "send from a multicast-bound socket"
assert_contains "$out" "hops=ok hops_get=7 hops_send=ok" "IPV6_UNICAST_HOPS"
assert_contains "$out" "mhops_get=1" "IPV6_MULTICAST_HOPS default (RFC 3493 5.2)"
xrt_capture_wait 5
assert_not_contains "$XRT_CAP_OUT" "ff02::1.5001 >" "no datagram with a multicast source"
xrt_wait_for "[ \$(xrt_cli $R stats | awk '\$1 == \"sp_sock_send_errors\" {print \$2}') -gt $sk_send_err0 ]" 5 ||
	xrt_fail "IPV6_PKTINFO with a source not ours: no counted drop"
assert_match "$XRT_CAP_OUT" 'hlim 64,.*2001:db8:1::1\.5001 > 2001:db8:1::2\.5002' \
	"the multicast-bound socket sent from the router's address with hop limit 64"
assert_match "$XRT_CAP_OUT" 'hlim 7,.*2001:db8:1::1\.5001 > 2001:db8:1::2\.5003' "IPV6_UNICAST_HOPS 7 on the wire"
assert_match "$XRT_CAP_OUT" 'hlim 1,.* fe80::[0-9a-f:]*\.5001 > ff02::1\.5004' "multicast leaves with hop limit 1"
# IPV6_RECVHOPLIMIT delivers the hop limit (RFC 3542 6.3): ping shows it.
out=$(xrt_exec $R env LD_PRELOAD="$SHIM" ping -6 -n -c 1 -W 2 2001:db8:1::2 2>&1) || xrt_fail "ping through the shim: $out"
assert_contains "$out" "ttl=64" "the echo reply's hop limit reached ping"

# 10. Lost link events: with xrtd stopped, far more link events than its
# netlink socket holds, the last one (down) lost; xrtd must notice the
# loss (ENOBUFS) and read the links again.
IF=$(xrt_if $R $A)
# (Each flap queues RTM_NEWLINK messages of a few KiB of buffer each; 2000
# flaps overflow even a 4 MiB net.core.rmem_default.)
for i in $(seq 2000); do
	echo "link set dev $IF down"
	echo "link set dev $IF up"
done >"$XRT_TMP/flap.batch"
echo "link set dev $IF down" >>"$XRT_TMP/flap.batch"
kill -STOP "$PID"
ip -n "$(xrt_ns $R)" -batch "$XRT_TMP/flap.batch"
kill -CONT "$PID"
xrt_wait_for "xrt_cli $R link show | grep -q '$IF.*down'" 10 ||
	xrt_fail "xrtd missed the last link-down: $(xrt_cli $R link show)"
assert_ge "$(stat_of linkwatch_enobufs)" 1 "linkwatch_enobufs"
assert_ge "$(stat_of linkwatch_resyncs)" 1 "linkwatch_resyncs"
ip -n "$(xrt_ns $R)" link set dev "$IF" up

kill -0 "$PID" || xrt_fail "xrtd died"
xrt_pass "squatters, an impostor, 100 held connections, 5 users exhausting sockets, EMFILE, spoofed sources and lost link events: xrtd started, served root, stayed idle"
