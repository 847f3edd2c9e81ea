# xrt: the network-namespace test harness; every tests/netns/t_*.sh sources it.
#
# Usage in a test (an executable bash script, exit 0 = pass, anything else =
# fail; there is no "skip": a missing tool or binary is a failure):
#
#   #!/usr/bin/env bash
#   source "$(dirname "$0")/lib.sh"
#   xrt_host_ns a; xrt_router_ns r; xrt_host_ns b
#   xrt_link a r; xrt_link r b
#   xrt_host a "$(xrt_if a r)" 2001:db8:1::2/64 2001:db8:1::1
#   ...
#   xrt_pass "what was proven"
#
# Names: every namespace is "$XRT_PREFIX-NAME" and every veth
# "$XRT_PREFIX-PEER" (or an explicit name that gets the prefix), with
# XRT_PREFIX = $XRT_PREFIX_BASE + 4 random hex digits (set XRT_PREFIX_BASE
# before sourcing to use your own two letters; default xn), so tests and
# benchmarks can run side by side. Veths are created directly inside their
# namespaces, so the root namespace never holds one. Use the short names
# (a, r, b) with the helpers; `xrt_ns a` gives the real namespace name.
#
# What is here, by section:
#   messages    xrt_log, xrt_fail, xrt_pass
#   waiting     xrt_wait_for "CMD" TIMEOUT (bounded poll, never a bare sleep)
#   needs       xrt_require_cmd, xrt_require_file, xrt_require_xrt
#   namespaces  xrt_ns, xrt_exec, xrt_ns_add, xrt_host_ns, xrt_router_ns,
#               xrt_kernel_router_ns
#   links       xrt_link, xrt_if, xrt_mac, xrt_ifindex, xrt_lladdr,
#               xrt_xdp_pass, xrt_host, xrt_static_neigh
#   bpffs       xrt_bpffs, xrt_bpffs_dir, xrt_pin_dir, xrt_ip_attach
#   processes   xrt_bg, xrt_stop, xrt_wait_pid
#   upgrades    xrt_topo_line_conf (the line topology as an xrtd -c file),
#               xrt_flow_start (+ _running, _progresses, _finish: a paced
#               flow across an operation), xrt_xdp_prog_id
#   xrtd        xrt_xrtd_start, xrt_xrtd_stop, xrt_xrtd_term (SIGTERM, clean
#               exit), xrt_xrtd_pid, xrt_cli, xrt_cli_ok, xrt_cli_lacks,
#               xrt_sock_path
#   counters    xrt_fp_stat (fast path, from the pinned map), xrt_snmp6
#   asserts     assert_eq/ne/ge/le/contains/not_contains/match/ok/fails
#   capture     xrt_capture_start, xrt_capture_wait (tcpdump -v)
#   topologies  xrt_topo_line (+ xrt_topo_line_program), xrt_topo_ecmp,
#               xrt_topo_mirror (+ ipr, xrt_want, xrt_mirror_bulk)
#   traffic     xrt_udp_stream, xrt_tcp_transfer, xrt_udp_reaches
#   policy      xrt_topo_line_ip4, xrt_acl_pkts, xrt_nf_drops, xrt_scapy_send
#
# Cleanup runs on every exit path (normal exit, failure, ctrl-C, SIGTERM
# from tests/netns/run's timeout): kills the PIDs this test started (and any
# process left inside its own namespaces), deletes its namespaces (which
# deletes their veths), unmounts and removes its bpffs directories.

set -Eeuo pipefail

XRT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XRT_BUILD=${XRT_BUILD:-$XRT_ROOT/build}
XRT_BPF_DIR=${XRT_BPF_DIR:-$XRT_ROOT/bpf}
XRT_FWD_OBJ=${XRT_FWD_OBJ:-$XRT_BPF_DIR/xrt_fwd.bpf.o}
XRT_PASS_OBJ=${XRT_PASS_OBJ:-$XRT_ROOT/tests/netns/xdp_pass.bpf.o}
XRT_PY=/usr/bin/python3 # the one with scapy; the pyenv python3 on PATH has none
XRT_TEST_NAME=$(basename "$0" .sh)

XRT_NSES=()     # short names of namespaces this test made
XRT_PIDS=()     # PIDs of background processes this test started
XRT_MOUNTS=()   # bpffs directories this test mounted
XRT_CLEANED=0

_xrt_pick_prefix() {
	local p i
	for i in 1 2 3 4 5 6 7 8; do
		p=${XRT_PREFIX_BASE:-xn}$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
		# A glob on /run/netns: `ip netns list | grep -q` can fail either
		# way (grep -q closing the pipe early under pipefail, or an error
		# when someone else deletes a namespace meanwhile).
		if ! compgen -G "/run/netns/$p-*" >/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "lib.sh: could not find a free namespace prefix" >&2
	return 1
}
XRT_PREFIX=${XRT_PREFIX:-$(_xrt_pick_prefix)}
XRT_TMP=$(mktemp -d "/tmp/$XRT_PREFIX-$XRT_TEST_NAME.XXXXXX")
# tests/netns/run checks after the test that nothing with this prefix is left.
[ -z "${XRT_PREFIX_FILE:-}" ] || echo "$XRT_PREFIX" >"$XRT_PREFIX_FILE"
# iproute2 pins by-name maps under $TC_BPF_MNT/tc/globals; never let it touch
# /sys/fs/bpf. Per-router directories come from xrt_bpffs.
XRT_RUN_BPFFS=/run/$XRT_PREFIX-bpffs

# ---------------------------------------------------------------- messages

xrt_log() { printf '[%s %s] %s\n' "$XRT_TEST_NAME" "$(date +%T)" "$*" >&2; }

# Print the reason and exit nonzero; the EXIT trap cleans up.
xrt_fail() {
	printf '[%s] FAIL: %s\n' "$XRT_TEST_NAME" "$*" >&2
	_xrt_dump_logs
	exit 1
}

xrt_pass() {
	printf '[%s] PASS: %s\n' "$XRT_TEST_NAME" "$*" >&2
	exit 0
}

_xrt_dump_logs() {
	local f
	[ -z "${_XRT_DUMPED:-}" ] || return 0
	_XRT_DUMPED=1
	for f in "$XRT_TMP"/*.log; do
		[ -s "$f" ] || continue
		printf -- '--- last lines of %s\n' "$(basename "$f")" >&2
		tail -n 20 "$f" >&2
	done
}

_xrt_on_err() {
	local rc=$? line=$1 cmd=$2
	printf '[%s] FAIL: command exited %d at line %s: %s\n' \
		"$XRT_TEST_NAME" "$rc" "$line" "$cmd" >&2
	_xrt_dump_logs
	exit 1
}
trap '_xrt_on_err $LINENO "$BASH_COMMAND"' ERR

# ---------------------------------------------------------------- cleanup

xrt_cleanup() {
	[ "$XRT_CLEANED" = 1 ] && return 0
	XRT_CLEANED=1
	set +e
	trap - ERR
	local pid n ns d
	for pid in "${XRT_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${XRT_PIDS[@]}"; do
		_xrt_wait_pid_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null
	done
	# Anything still running inside our own namespaces was started by this
	# test (e.g. a child of a tool we ran); end it so the namespace dies.
	for n in "${XRT_NSES[@]}"; do
		ns=$XRT_PREFIX-$n
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		# The socket directory of a killed xrtd (a clean one removes
		# its own): /run/xrt/net-<inode of the namespace>.
		d=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null) && rm -rf "/run/xrt/net-$d"
		ip netns del "$ns" 2>/dev/null
	done
	# Also any /run/<prefix>-* mount a subshell made without recording it.
	for d in "${XRT_MOUNTS[@]}" /run/"$XRT_PREFIX"-*; do
		[ -d "$d" ] || continue
		mountpoint -q "$d" && umount "$d" 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	if [ -n "${XRT_KEEP_TMP:-}" ]; then
		echo "logs kept in $XRT_TMP" >&2
	else
		rm -rf "$XRT_TMP"
	fi
}
trap 'xrt_cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Poll (every 0.1 s, at most TENTHS polls) until PID has exited.
_xrt_wait_pid_gone() {
	local pid=$1 tenths=$2 i
	for ((i = 0; i < tenths; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- waiting

# xrt_wait_for "CMD" TIMEOUT_SECONDS: run CMD (a shell string) every 0.1 s
# until it succeeds; returns 1 if it never did within the timeout.
xrt_wait_for() {
	local cmd=$1 timeout=${2:-5} deadline
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	while :; do
		if (eval "$cmd") >/dev/null 2>&1; then
			return 0
		fi
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# ---------------------------------------------------------------- requirements

# A missing dependency is a failure, never a skip.
xrt_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			xrt_fail "required command '$c' not found (run: make deps)"
	done
}

xrt_require_file() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || xrt_fail "required file $f is missing (run: make)"
	done
}

# The daemon, the CLI and the fast path object.
xrt_require_xrt() {
	xrt_require_file "$XRT_BUILD/xrtd" "$XRT_BUILD/xrt" "$XRT_FWD_OBJ"
}

[ "$(id -u)" = 0 ] || xrt_fail "netns tests must run as root"
xrt_require_cmd ip od timeout
xrt_require_file "$XRT_PASS_OBJ"

# ---------------------------------------------------------------- namespaces

xrt_ns() { echo "$XRT_PREFIX-$1"; }

# Run a command inside namespace NAME (short name).
xrt_exec() {
	local n=$1
	shift
	ip netns exec "$XRT_PREFIX-$n" "$@"
}

# xrt_ns_add NAME: a namespace with lo up, DAD off (addresses usable at
# once), no router solicitations, and IPv6 forwarding off.
xrt_ns_add() {
	local n=$1 ns=$XRT_PREFIX-$1
	ip netns add "$ns" || xrt_fail "ip netns add $ns failed"
	XRT_NSES+=("$n")
	ip -n "$ns" link set lo up
	local k
	for k in all default; do
		xrt_exec "$n" sysctl -qw \
			"net.ipv6.conf.$k.accept_dad=0" \
			"net.ipv6.conf.$k.router_solicitations=0" \
			"net.ipv6.conf.$k.accept_ra=0" \
			"net.ipv6.conf.$k.forwarding=0"
	done
}

# A host: a plain namespace (forwarding off).
xrt_host_ns() { xrt_ns_add "$1"; }

# An xrt router: a namespace whose kernel never forwards (forwarding=0), so
# anything that crosses it was forwarded by xrt.
xrt_router_ns() { xrt_ns_add "$1"; }

# A kernel router for reference runs: forwarding on.
xrt_kernel_router_ns() {
	xrt_ns_add "$1"
	xrt_exec "$1" sysctl -qw net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.default.forwarding=1
}

# ---------------------------------------------------------------- links

# Name of the veth in namespace A that leads to namespace B.
xrt_if() { echo "$XRT_PREFIX-$2"; }

# xrt_link A B [IF_A IF_B]: a veth pair between namespaces A and B, both ends
# up. Default names: xrt_if A B and xrt_if B A. Explicit names get the
# prefix too ("$XRT_PREFIX-IF"); at most 15 characters in all.
xrt_link() {
	local a=$1 b=$2
	local ifa=$XRT_PREFIX-${3:-$b} ifb=$XRT_PREFIX-${4:-$a}
	[ ${#ifa} -le 15 ] || xrt_fail "veth name $ifa is longer than 15 characters"
	[ ${#ifb} -le 15 ] || xrt_fail "veth name $ifb is longer than 15 characters"
	ip link add "$ifa" netns "$XRT_PREFIX-$a" type veth \
		peer name "$ifb" netns "$XRT_PREFIX-$b" ||
		xrt_fail "could not create veth $ifa ($a) <-> $ifb ($b)"
	# veth "offloads" TX checksums: a TCP/UDP packet leaves with only the
	# pseudo-header sum (CHECKSUM_PARTIAL), finished by whoever builds a
	# real frame. XDP_REDIRECT/XDP_TX forward the bytes as they are, so the
	# far host would see a bad checksum and drop the packet. A real NIC
	# computes it in hardware; on veth the sender must compute it itself.
	xrt_require_cmd ethtool
	ip netns exec "$XRT_PREFIX-$a" ethtool -K "$ifa" tx off >/dev/null
	ip netns exec "$XRT_PREFIX-$b" ethtool -K "$ifb" tx off >/dev/null
	ip -n "$XRT_PREFIX-$a" link set "$ifa" up
	ip -n "$XRT_PREFIX-$b" link set "$ifb" up
}

xrt_mac() { ip -n "$XRT_PREFIX-$1" -br link show dev "$2" | awk '{print $3}'; }
xrt_ifindex() { ip -n "$XRT_PREFIX-$1" -o link show dev "$2" | cut -d: -f1; }
xrt_lladdr() {
	ip -n "$XRT_PREFIX-$1" -6 -o addr show dev "$2" scope link |
		awk '{sub(/\/.*/, "", $4); print $4; exit}'
}

# Attach the XDP_PASS program to NS's IF: a veth that receives frames a peer
# sent with XDP_TX or XDP_REDIRECT drops them silently without one.
xrt_xdp_pass() {
	local n=$1 ifname=$2
	xrt_bpffs_run
	TC_BPF_MNT=$XRT_RUN_BPFFS ip -n "$XRT_PREFIX-$n" link set dev "$ifname" \
		xdp obj "$XRT_PASS_OBJ" sec xdp ||
		xrt_fail "could not attach $XRT_PASS_OBJ to $ifname in $n"
}

# xrt_host NS IF ADDR/PLEN [GATEWAY]: address on IF, default route via
# GATEWAY, and xdp_pass on IF (its peer is expected to be an xrt router).
xrt_host() {
	local n=$1 ifname=$2 addr=$3 gw=${4:-}
	ip -n "$XRT_PREFIX-$n" -6 addr add "$addr" dev "$ifname" nodad
	if [ -n "$gw" ]; then
		ip -n "$XRT_PREFIX-$n" -6 route add default via "$gw" dev "$ifname"
	fi
	xrt_xdp_pass "$n" "$ifname"
}

# xrt_static_neigh NS IF ADDR MAC: a permanent kernel neighbour entry, so a
# host never needs ND to reach its router.
xrt_static_neigh() {
	ip -n "$XRT_PREFIX-$1" -6 neigh replace "$3" lladdr "$4" dev "$2" nud permanent
}

# ---------------------------------------------------------------- bpffs

# Mount a bpffs at DIR unless one is there. Call it in the test's shell,
# never inside $(...), so the mount is recorded for cleanup.
_xrt_mount_bpffs() {
	local d=$1
	if ! mountpoint -q "$d"; then
		mkdir -p "$d"
		mount -t bpf bpf "$d" || xrt_fail "mount -t bpf on $d failed"
		XRT_MOUNTS+=("$d")
	fi
}

# A bpffs for things that are not a router (xdp_pass objects).
xrt_bpffs_run() { _xrt_mount_bpffs "$XRT_RUN_BPFFS"; }

# xrt_bpffs ROUTER: mount the router's own bpffs in the root mount namespace
# (so `ip netns exec` sees it); xrt_bpffs_dir ROUTER names it.
xrt_bpffs_dir() { echo "/run/$XRT_PREFIX-$1"; }
xrt_bpffs() { _xrt_mount_bpffs "$(xrt_bpffs_dir "$1")"; }

# The pinned map directory of ROUTER (shared by xrtd and `ip link ... xdp`).
xrt_pin_dir() { echo "$(xrt_bpffs_dir "$1")/tc/globals"; }

# Attach the fast path to ROUTER's IF by hand, as a user would with iproute2;
# its maps land in (or are reused from) the router's bpffs.
xrt_ip_attach() {
	local n=$1 ifname=$2
	xrt_bpffs "$n"
	TC_BPF_MNT=$(xrt_bpffs_dir "$n") ip -n "$XRT_PREFIX-$n" link set dev "$ifname" \
		xdp obj "$XRT_FWD_OBJ" sec xdp ||
		xrt_fail "ip link set dev $ifname xdp obj $XRT_FWD_OBJ failed in $n"
}

# ---------------------------------------------------------------- processes

# xrt_bg NS LOGNAME CMD...: start CMD inside NS in the background, output to
# $XRT_TMP/LOGNAME.log; the PID is recorded (killed at cleanup) and stored in
# XRT_LAST_PID.
xrt_bg() {
	local n=$1 logname=$2
	shift 2
	ip netns exec "$XRT_PREFIX-$n" "$@" >"$XRT_TMP/$logname.log" 2>&1 &
	XRT_LAST_PID=$!
	XRT_PIDS+=("$XRT_LAST_PID")
}

# A foreground command with its own time limit must use `timeout
# --foreground`: plain timeout moves the command into a process group of its
# own, so tests/netns/run's SIGTERM (sent to the test's group) never reaches
# it, bash defers the test's TERM trap until it exits, and after 15 s the
# test is SIGKILLed with no cleanup (namespaces and mounts left behind).

# Stop one PID this test started and wait (bounded) until it has gone.
xrt_stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	_xrt_wait_pid_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

# Wait (bounded, seconds) for a PID this test started to exit; returns its
# exit status (128+N if signal N killed it), or 124 on timeout. A PID that
# is not a child of this shell (xrtd found by its pid file, a grandchild, a
# child of the parent when called in a subshell) has a status no one here
# can read: it returns 0 once that process has gone. A child's own 127
# (command not found under env, timeout, setpriv) is a failure like any
# other status.
xrt_wait_pid() {
	local pid=$1 timeout=${2:-10} rc=0 ppid
	ppid=$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ') || true
	_xrt_wait_pid_gone "$pid" $((timeout * 10)) || return 124
	# Still there when we looked, with another parent: not ours to wait.
	[ -z "$ppid" ] || [ "$ppid" = "$BASHPID" ] || return 0
	# Gone before we looked: a child's status is kept by bash; anything
	# else is not a child, which wait reports as 127 with this message.
	wait "$pid" 2>"$XRT_TMP/.wait-$pid" || rc=$?
	if [ "$rc" = 127 ] && grep -q 'is not a child of this shell' "$XRT_TMP/.wait-$pid"; then
		rc=0
	fi
	rm -f "$XRT_TMP/.wait-$pid"
	return "$rc"
}

# ---------------------------------------------------------------- xrtd

# xrt_sock_path ROUTER [NAME]: the filesystem path of xrtd's socket NAME
# (default xrt; xrt-sock = the socket layer) in ROUTER's namespace:
# /run/xrt/net-<inode of the namespace>/NAME (userspace/ctl/unix_sock.h).
xrt_sock_path() {
	echo "/run/xrt/net-$(xrt_exec "$1" stat -L -c %i /proc/self/ns/net)/${2:-xrt}"
}

# xrt_cli ROUTER ARGS...: the xrt CLI inside ROUTER's namespace (the control
# socket is root's /run/xrt/net-<inode>/xrt, one per network namespace).
xrt_cli() {
	local n=$1
	shift
	ip netns exec "$XRT_PREFIX-$n" "$XRT_BUILD/xrt" "$@"
}

# xrt_cli_lacks ROUTER REGEX ARGS...: `xrt ARGS` succeeds and no line of its
# output matches the extended REGEX. For negative polls (xrt_wait_for
# "xrt_cli_lacks r dead route show"): `! xrt_cli ... | grep -q` also passes
# when the CLI fails (no daemon), proving nothing.
xrt_cli_lacks() {
	local n=$1 re=$2 out
	shift 2
	out=$(xrt_cli "$n" "$@") || return 2
	! grep -qE -- "$re" <<<"$out"
}

# xrt_xrtd_start ROUTER [XRTD ARGS...]: start xrtd in the foreground mode
# inside ROUTER with its own bpffs, wait until the CLI answers.
xrt_xrtd_start() {
	local n=$1
	shift
	xrt_require_xrt
	xrt_bpffs "$n"
	xrt_bg "$n" "xrtd-$n" "$XRT_BUILD/xrtd" -f --bpffs "$(xrt_bpffs_dir "$n")" --obj "$XRT_FWD_OBJ" "$@"
	eval "XRTD_PID_$n=$XRT_LAST_PID"
	xrt_wait_for "xrt_cli $n link show" 10 ||
		xrt_fail "xrtd in $n did not answer 'xrt link show' within 10 s"
	kill -0 "$XRT_LAST_PID" 2>/dev/null || xrt_fail "xrtd in $n exited at start"
}

xrt_xrtd_pid() { eval "echo \${XRTD_PID_$1:-}"; }

# Stop ROUTER's xrtd with SIGTERM (its clean shutdown) and wait for it.
xrt_xrtd_stop() {
	local pid
	pid=$(xrt_xrtd_pid "$1")
	[ -n "$pid" ] || xrt_fail "no xrtd started in $1"
	xrt_stop "$pid"
}

# xrt_xrtd_term ROUTER [TIMEOUT]: SIGTERM ROUTER's xrtd and fail unless it
# exits by itself within TIMEOUT seconds (default 5) with status 0 (its
# clean shutdown): still running, killed by a signal or an error exit all
# fail. xrt_xrtd_stop cannot tell these apart (it kills and reaps).
xrt_xrtd_term() {
	local pid timeout=${2:-5} rc=0
	pid=$(xrt_xrtd_pid "$1")
	[ -n "$pid" ] || xrt_fail "no xrtd started in $1"
	kill -TERM "$pid" 2>/dev/null || xrt_fail "xrtd in $1 had gone before SIGTERM"
	xrt_wait_pid "$pid" "$timeout" || rc=$?
	case $rc in
	0) ;;
	124)
		xrt_stop "$pid"
		xrt_fail "xrtd in $1 still running $timeout s after SIGTERM"
		;;
	*)
		[ "$rc" -le 128 ] || xrt_fail "xrtd in $1 was killed by signal $((rc - 128)) after SIGTERM"
		xrt_fail "xrtd in $1 exited with status $rc after SIGTERM"
		;;
	esac
}

# ---------------------------------------------------------------- counters

# xrt_fp_stat ROUTER NAME: a fast-path counter summed over every interface
# slot and CPU, read straight from the pinned xrt_stats map (bpftool + BTF),
# so the proof does not depend on the daemon. NAME is a MIB name
# (Ip6OutForwDatagrams), or punt:REASON, drop:REASON, pass:REASON,
# or punt:* for the sum of all punt reasons, punt:*-mcast_link etc.
xrt_fp_stat() {
	"$XRT_PY" "$XRT_ROOT/tests/netns/fpstat.py" \
		"$XRT_ROOT/include/xrt/counters.h" "$(xrt_pin_dir "$1")/xrt_stats" "$2"
}

# xrt_snmp6 NS NAME: a kernel IPv6 MIB counter inside NS (/proc/net/snmp6).
xrt_snmp6() {
	xrt_exec "$1" awk -v k="$2" '$1 == k {print $2}' /proc/net/snmp6
}

# ---------------------------------------------------------------- policy

# xrt_topo_line_ip4: IPv4 on the line topology (after xrt_topo_line_program,
# or on its own with ROUTER_KIND=kernel: the kernel router configured with
# ip, forwarding on): r 192.0.2.1/24 on a's link and 198.51.100.1/24 on
# b's, a 192.0.2.2 and b 198.51.100.2 with default routes via r and static
# neighbours both ways, b's 203.0.113.1/32 ($B4) on lo routed by r via b.
xrt_topo_line_ip4() {
	local ans bns rns
	ans=$(xrt_ns "$TOPO_A") bns=$(xrt_ns "$TOPO_B") rns=$(xrt_ns "$TOPO_R")
	B4=203.0.113.1
	if [ "${ROUTER_KIND:-xrt}" = kernel ]; then
		xrt_exec "$TOPO_R" sysctl -qw net.ipv4.ip_forward=1
		ip -n "$rns" addr add 192.0.2.1/24 dev "$IF_RA"
		ip -n "$rns" addr add 198.51.100.1/24 dev "$IF_RB"
		ip -n "$rns" route add 203.0.113.0/24 via 198.51.100.2 dev "$IF_RB"
		ip -n "$rns" neigh replace 192.0.2.2 lladdr "$MAC_AR" dev "$IF_RA" nud permanent
		ip -n "$rns" neigh replace 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB" nud permanent
	else
		xrt_cli_ok "$TOPO_R" addr add 192.0.2.1/24 dev "$IF_RA"
		xrt_cli_ok "$TOPO_R" addr add 198.51.100.1/24 dev "$IF_RB"
		xrt_cli_ok "$TOPO_R" route add 203.0.113.0/24 via 198.51.100.2 dev "$IF_RB"
		xrt_cli_ok "$TOPO_R" neigh add 192.0.2.2 lladdr "$MAC_AR" dev "$IF_RA"
		xrt_cli_ok "$TOPO_R" neigh add 198.51.100.2 lladdr "$MAC_BR" dev "$IF_RB"
	fi
	ip -n "$ans" addr add 192.0.2.2/24 dev "$IF_AR"
	ip -n "$ans" route add default via 192.0.2.1
	ip -n "$ans" neigh replace 192.0.2.1 lladdr "$MAC_RA" dev "$IF_AR" nud permanent
	ip -n "$bns" addr add 198.51.100.2/24 dev "$IF_BR"
	ip -n "$bns" addr add "$B4/32" dev lo
	ip -n "$bns" route add default via 198.51.100.1
	ip -n "$bns" neigh replace 198.51.100.1 lladdr "$MAC_RB" dev "$IF_BR" nud permanent
}

# xrt_acl_pkts ROUTER KEY=VALUE...: the packet counter of the first ACL rule
# whose `acl show -j` object has every KEY=VALUE ("none" if no rule has).
xrt_acl_pkts() {
	local r=$1
	shift
	xrt_cli "$r" -j acl show | "$XRT_PY" -c '
import json, sys
sel = dict(kv.split("=", 1) for kv in sys.argv[1:])
for r in json.load(sys.stdin):
    if all(str(r.get(k)) == v for k, v in sel.items()):
        print(r["packets"]); break
else:
    print("none")' "$@"
}

# xrt_nf_drops ROUTER: what xrtd's rpf and ACL dropped (sp_nf_drop).
xrt_nf_drops() { xrt_cli "$1" stats | awk '$1 == "sp_nf_drop" {print $2 + 0}'; }

# xrt_scapy_send NS IFACE COUNT PKT [ARG...]: send COUNT copies of the scapy
# expression PKT (scapy.all imported; ARG... in a[0], a[1], ...) on IFACE.
xrt_scapy_send() {
	local ns=$1
	shift
	xrt_exec "$ns" "$XRT_PY" -c '
import sys
from scapy.all import *
conf.verb = 0
ifc, n, pkt, a = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
sendp([eval(pkt)] * n, iface=ifc)' "$@"
}

# ---------------------------------------------------------------- asserts

assert_eq() { # ACTUAL EXPECTED MESSAGE
	[ "$1" = "$2" ] || xrt_fail "$3: got '$1', expected '$2'"
}
assert_ne() {
	[ "$1" != "$2" ] || xrt_fail "$3: got '$1', expected anything else"
}
assert_ge() { # ACTUAL MIN MESSAGE
	[ "$1" -ge "$2" ] 2>/dev/null || xrt_fail "$3: got $1, expected >= $2"
}
assert_le() { # ACTUAL MAX MESSAGE
	[ "$1" -le "$2" ] 2>/dev/null || xrt_fail "$3: got $1, expected <= $2"
}
assert_contains() { # HAYSTACK NEEDLE MESSAGE
	case $1 in
	*"$2"*) ;;
	*) xrt_fail "$3: '$2' not found in: $1" ;;
	esac
}
assert_match() { # HAYSTACK EXTENDED_REGEX MESSAGE
	grep -Eq -- "$2" <<<"$1" || xrt_fail "$3: /$2/ does not match: $1"
}
# A negative check (assert_not_contains, assert_eq with "") on a command's
# output: capture it in an assignment first (shown=$(cmd)), which fails the
# test if cmd fails; inside "$(...)" as an argument a failing command goes
# unnoticed and its empty output passes.
assert_not_contains() {
	case $1 in
	*"$2"*) xrt_fail "$3: '$2' unexpectedly found in: $1" ;;
	esac
}
assert_ok() { # MESSAGE CMD...
	local msg=$1 out
	shift
	out=$("$@" 2>&1) || xrt_fail "$msg: '$*' failed: $out"
}
assert_fails() { # MESSAGE CMD...
	local msg=$1
	shift
	if "$@" >/dev/null 2>&1; then
		xrt_fail "$msg: '$*' succeeded but should have failed"
	fi
}

# ---------------------------------------------------------------- capture

# xrt_capture_start NS IF COUNT FILTER...: tcpdump -v on IF inside NS until
# COUNT packets matched; returns once tcpdump is listening. Read the result
# with xrt_capture_wait. XRT_CAP_FLAGS adds tcpdump options (e.g. -e).
xrt_capture_start() {
	local n=$1 ifname=$2 count=$3
	shift 3
	xrt_require_cmd tcpdump
	# shellcheck disable=SC2086 # XRT_CAP_FLAGS is a list of options
	xrt_bg "$n" "cap-$n-$ifname" tcpdump -l -n -v ${XRT_CAP_FLAGS:-} -i "$ifname" -c "$count" "$@"
	XRT_CAP_PID=$XRT_LAST_PID
	XRT_CAP_LOG=$XRT_TMP/cap-$n-$ifname.log
	xrt_wait_for "grep -q 'listening on' '$XRT_CAP_LOG'" 20 ||
		xrt_fail "tcpdump on $ifname in $n did not start"
}

# xrt_capture_wait [TIMEOUT]: wait (bounded) for the capture to see its
# COUNT packets, then leave what it printed in XRT_CAP_OUT. Fails if it did
# not see them all, or if tcpdump failed. Call it in the test's shell, not
# inside $(...).
xrt_capture_wait() {
	local timeout=${1:-5} rc=0
	xrt_wait_pid "$XRT_CAP_PID" "$timeout" || rc=$?
	if [ "$rc" = 124 ]; then
		xrt_stop "$XRT_CAP_PID"
		xrt_fail "capture did not see the expected packets within ${timeout}s: $(cat "$XRT_CAP_LOG")"
	fi
	[ "$rc" = 0 ] || xrt_fail "tcpdump exited with status $rc: $(cat "$XRT_CAP_LOG")"
	XRT_CAP_OUT=$(cat "$XRT_CAP_LOG")
}

# ---------------------------------------------------------------- topologies

# xrt_sock_topo: the line topology with xrtd running and programmed on r,
# for tests of the socket layer through the LD_PRELOAD shim. Sets SHIM (the
# shim's path, checked), R and A (short names of the router and host a).
xrt_sock_topo() {
	xrt_require_xrt
	SHIM=$XRT_BUILD/libxrt-sock.so
	xrt_require_file "$SHIM"
	xrt_topo_line
	R=$TOPO_R A=$TOPO_A
	xrt_xrtd_start "$R"
	xrt_topo_line_program
}

# xrt_topo_line [SUFFIX]: host a - router r - host b (namespaces aSUFFIX,
# rSUFFIX, bSUFFIX, so one test can build two), no xrt configuration yet.
#   a: 2001:db8:1::2/64, default via 2001:db8:1::1 (r)
#   b: 2001:db8:2::2/64, default via 2001:db8:2::1 (r), and 2001:db8:b::1/128
#      on lo (a prefix behind b, reached through a gateway route on r)
# Hosts get static neighbour entries for r (they never need ND; with
# XRT_TOPO_ND=1 they resolve r with ND instead) and xdp_pass on their veths. Sets TOPO_A TOPO_R TOPO_B (short namespace names), IF_AR
# IF_RA IF_RB IF_BR (veth names: IF_XY is X's veth towards Y) and MAC_AR
# MAC_RA MAC_RB MAC_BR. ROUTER_KIND=kernel makes r a kernel router (addresses,
# routes and neighbours configured with ip) for reference runs.
xrt_topo_line() {
	local s=${1:-} kind=${ROUTER_KIND:-xrt}
	TOPO_A=a$s TOPO_R=r$s TOPO_B=b$s
	xrt_host_ns "$TOPO_A"
	if [ "$kind" = kernel ]; then
		xrt_kernel_router_ns "$TOPO_R"
	else
		xrt_router_ns "$TOPO_R"
	fi
	xrt_host_ns "$TOPO_B"
	xrt_link "$TOPO_A" "$TOPO_R"
	xrt_link "$TOPO_R" "$TOPO_B"
	IF_AR=$(xrt_if "$TOPO_A" "$TOPO_R") IF_RA=$(xrt_if "$TOPO_R" "$TOPO_A")
	IF_RB=$(xrt_if "$TOPO_R" "$TOPO_B") IF_BR=$(xrt_if "$TOPO_B" "$TOPO_R")
	MAC_AR=$(xrt_mac "$TOPO_A" "$IF_AR") MAC_RA=$(xrt_mac "$TOPO_R" "$IF_RA")
	MAC_RB=$(xrt_mac "$TOPO_R" "$IF_RB") MAC_BR=$(xrt_mac "$TOPO_B" "$IF_BR")
	xrt_host "$TOPO_A" "$IF_AR" 2001:db8:1::2/64 2001:db8:1::1
	xrt_host "$TOPO_B" "$IF_BR" 2001:db8:2::2/64 2001:db8:2::1
	ip -n "$(xrt_ns "$TOPO_B")" -6 addr add 2001:db8:b::1/128 dev lo
	if [ -z "${XRT_TOPO_ND:-}" ]; then
		xrt_static_neigh "$TOPO_A" "$IF_AR" 2001:db8:1::1 "$MAC_RA"
		xrt_static_neigh "$TOPO_B" "$IF_BR" 2001:db8:2::1 "$MAC_RB"
	fi
	if [ "$kind" = kernel ]; then
		local rns
		rns=$(xrt_ns "$TOPO_R")
		ip -n "$rns" -6 addr add 2001:db8:1::1/64 dev "$IF_RA" nodad
		ip -n "$rns" -6 addr add 2001:db8:2::1/64 dev "$IF_RB" nodad
		ip -n "$rns" -6 route add 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB"
		xrt_static_neigh "$TOPO_R" "$IF_RA" 2001:db8:1::2 "$MAC_AR"
		xrt_static_neigh "$TOPO_R" "$IF_RB" 2001:db8:2::2 "$MAC_BR"
	fi
}

# xrt_topo_line_program: configure the line topology's router through the
# xrt CLI (xrtd must run in TOPO_R): attach both interfaces (an interface
# already attached with `ip link ... xdp obj` is adopted by the daemon),
# addresses, the gateway route to 2001:db8:b::/64, static neighbours for
# both hosts.
xrt_topo_line_program() {
	local r=$TOPO_R i
	for i in "$IF_RA" "$IF_RB"; do
		xrt_cli_ok "$r" link attach dev "$i"
	done
	xrt_cli_ok "$r" addr add 2001:db8:1::1/64 dev "$IF_RA"
	xrt_cli_ok "$r" addr add 2001:db8:2::1/64 dev "$IF_RB"
	xrt_cli_ok "$r" route add 2001:db8:b::/64 via 2001:db8:2::2 dev "$IF_RB"
	xrt_cli_ok "$r" neigh add 2001:db8:1::2 lladdr "$MAC_AR" dev "$IF_RA"
	xrt_cli_ok "$r" neigh add 2001:db8:2::2 lladdr "$MAC_BR" dev "$IF_RB"
}

# xrt_topo_line_conf FILE: what xrt_topo_line_program does, as an xrtd -c
# configuration file (for tests that restart xrtd on it).
xrt_topo_line_conf() {
	cat >"$1" <<EOF
link attach dev $IF_RA
link attach dev $IF_RB
addr add 2001:db8:1::1/64 dev $IF_RA
addr add 2001:db8:2::1/64 dev $IF_RB
route add 2001:db8:b::/64 via 2001:db8:2::2 dev $IF_RB
neigh add 2001:db8:1::2 lladdr $MAC_AR dev $IF_RA
neigh add 2001:db8:2::2 lladdr $MAC_BR dev $IF_RB
EOF
}

# xrt_cli_ok ROUTER ARGS...: the CLI must succeed; its output is shown on
# failure.
xrt_cli_ok() {
	local n=$1 out
	shift
	out=$(xrt_cli "$n" "$@" 2>&1) || xrt_fail "xrt $* (in $n) failed: $out"
	[ -z "$out" ] || printf '%s\n' "$out"
}

# ---------------------------------------------------------------- traffic

# xrt_udp_reaches A SRC DST P Q: which of namespaces P and Q the 5 UDP
# datagrams A sends from SRC to DST port 9 reach (counted by their kernel's
# Udp6NoPorts): prints P, Q, "none" (fewer than 5 within 5 s) or
# "split:NP/NQ".
xrt_udp_reaches() {
	local a=$1 src=$2 dst=$3 p=$4 q=$5 p0 q0 p1 q1
	p0=$(xrt_snmp6 "$p" Udp6NoPorts) q0=$(xrt_snmp6 "$q" Udp6NoPorts)
	xrt_exec "$a" "$XRT_PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for _ in range(5):
    s.sendto(b"probe", (sys.argv[2], 9))' "$src" "$dst"
	xrt_wait_for "[ \$((\$(xrt_snmp6 $p Udp6NoPorts) + \$(xrt_snmp6 $q Udp6NoPorts) - $p0 - $q0)) -ge 5 ]" 5 ||
		{ echo "none"; return 0; }
	p1=$(xrt_snmp6 "$p" Udp6NoPorts) q1=$(xrt_snmp6 "$q" Udp6NoPorts)
	if [ $((p1 - p0)) -eq 5 ] && [ "$q1" -eq "$q0" ]; then echo "$p"
	elif [ $((q1 - q0)) -eq 5 ] && [ "$p1" -eq "$p0" ]; then echo "$q"
	else echo "split:$((p1 - p0))/$((q1 - q0))"; fi
}

# xrt_udp_stream FROM TO_NS DST PORT COUNT SIZE: COUNT datagrams of SIZE
# bytes from FROM to [DST]:PORT, received by socat in TO_NS; fails unless
# every byte arrives, in order and intact. The sender (udp_paced.py) keeps at
# most XRT_UDP_WINDOW (16) datagrams ahead of what the receiver has written,
# so the receiving socket never overflows however slow the machine is: a
# missing datagram is a real loss, reported after 10 s without progress.
xrt_udp_stream() {
	local from=$1 to=$2 dst=$3 port=$4 count=$5 size=$6
	local src=$XRT_TMP/udp-src-$port out=$XRT_TMP/udp-out-$port
	xrt_require_cmd socat ss
	head -c $((count * size)) /dev/urandom >"$src"
	: >"$out"
	# A frame that went through XDP on veth is charged a whole page, so the
	# default 208 KB receive buffer holds only ~50 of them: the window
	# stays well below that.
	xrt_bg "$to" "udp-recv-$port" socat -u \
		"UDP6-RECV:$port,bind=[$dst]" "OPEN:$out,append"
	local rpid=$XRT_LAST_PID
	xrt_wait_for "xrt_exec $to ss -Huln | grep -q ':$port '" 5 ||
		xrt_fail "UDP receiver on port $port in $to did not start"
	xrt_exec "$from" "$XRT_PY" "$XRT_ROOT/tests/netns/udp_paced.py" "$src" "$dst" "$port" \
		"$size" "${XRT_UDP_WINDOW:-16}" "$out" 10 ||
		xrt_fail "UDP stream to [$dst]:$port: not every datagram arrived (receiver Udp6RcvbufErrors: $(xrt_snmp6 "$to" Udp6RcvbufErrors))"
	xrt_stop "$rpid"
	cmp -s "$src" "$out" || xrt_fail "UDP stream: received bytes differ from sent bytes"
}

# xrt_topo_ecmp: a - r - {m1, m2} - b, r an xrt router (xrtd started and
# configured) with 2001:db8:b::/64 over m1 and m2 (weights 1:1), m1 and m2
# kernel routers whose Ip6OutForwDatagrams count each path's packets. a sends
# flow label 0 (so `xrt route get` can be given a whole flow key); b has
# 2001:db8:b::1 on lo, replies via m1, and a UDP sink on port 9 (so it sends
# no Port Unreachable through m1).
xrt_topo_ecmp() {
	local m i
	xrt_host_ns a
	xrt_router_ns r
	xrt_kernel_router_ns m1
	xrt_kernel_router_ns m2
	xrt_host_ns b
	xrt_link a r
	xrt_link r m1
	xrt_link r m2
	xrt_link m1 b
	xrt_link m2 b

	# a: flow label 0 on every packet, so `xrt route get` can be given the whole
	# flow key and predict the member.
	xrt_exec a sysctl -qw net.ipv6.auto_flowlabels=0
	xrt_host a "$(xrt_if a r)" 2001:db8:1::2/64 2001:db8:1::1
	xrt_static_neigh a "$(xrt_if a r)" 2001:db8:1::1 "$(xrt_mac r "$(xrt_if r a)")"
	# m1, m2: receive frames redirected by r, so they need xdp_pass on that side.
	for m in m1 m2; do
		i=${m#m}
		xrt_xdp_pass "$m" "$(xrt_if "$m" r)"
		ip -n "$(xrt_ns "$m")" -6 addr add "2001:db8:1$i::2/64" dev "$(xrt_if "$m" r)" nodad
		ip -n "$(xrt_ns "$m")" -6 addr add "2001:db8:2$i::1/64" dev "$(xrt_if "$m" b)" nodad
		ip -n "$(xrt_ns "$m")" -6 route add 2001:db8:b::/64 via "2001:db8:2$i::2"
		ip -n "$(xrt_ns "$m")" -6 route add 2001:db8:1::/64 via "2001:db8:1$i::1"
		xrt_static_neigh "$m" "$(xrt_if "$m" r)" "2001:db8:1$i::1" "$(xrt_mac r "$(xrt_if r "$m")")"
		ip -n "$(xrt_ns b)" -6 addr add "2001:db8:2$i::2/64" dev "$(xrt_if b "$m")" nodad
	done
	ip -n "$(xrt_ns b)" -6 addr add 2001:db8:b::1/128 dev lo
	ip -n "$(xrt_ns b)" -6 route add default via 2001:db8:21::1 # replies via m1

	xrt_xrtd_start r
	for i in a m1 m2; do xrt_cli_ok r link attach dev "$(xrt_if r "$i")"; done
	xrt_cli_ok r addr add 2001:db8:1::1/64 dev "$(xrt_if r a)"
	xrt_cli_ok r addr add 2001:db8:11::1/64 dev "$(xrt_if r m1)"
	xrt_cli_ok r addr add 2001:db8:12::1/64 dev "$(xrt_if r m2)"
	xrt_cli_ok r neigh add 2001:db8:1::2 lladdr "$(xrt_mac a "$(xrt_if a r)")" dev "$(xrt_if r a)"
	xrt_cli_ok r neigh add 2001:db8:11::2 lladdr "$(xrt_mac m1 "$(xrt_if m1 r)")" dev "$(xrt_if r m1)"
	xrt_cli_ok r neigh add 2001:db8:12::2 lladdr "$(xrt_mac m2 "$(xrt_if m2 r)")" dev "$(xrt_if r m2)"
	xrt_cli_ok r route add 2001:db8:b::/64 \
		nexthop via 2001:db8:11::2 dev "$(xrt_if r m1)" weight 1 \
		nexthop via 2001:db8:12::2 dev "$(xrt_if r m2)" weight 1

	# Something listens on B's port 9, so B sends no Port Unreachable back
	# through m1 (that would count as m1 traffic).
	xrt_bg b udp-sink socat -u "UDP6-RECV:9,bind=[2001:db8:b::1]" OPEN:/dev/null
	xrt_wait_for "xrt_exec b ss -Huln | grep -q ':9 '" 5 || xrt_fail "UDP sink on B did not start"
}

# xrt_ecmp_flow FWD DST SPORT N: one UDP flow of N datagrams from a (source
# port SPORT) to DST port 9 through xrt_topo_ecmp; `FWD m` prints kernel
# router m's forwarding counter. All N must pass m1 or m2, never both; sets
# ECMP_TOOK (m1 or m2), ECMP_D1 and ECMP_D2 (packets via each).
xrt_ecmp_flow() {
	local fwd=$1 dst=$2 sport=$3 n=$4 m1a m2a
	m1a=$($fwd m1) m2a=$($fwd m2)
	xrt_exec a "$XRT_PY" "$XRT_ROOT/tests/netns/udpflows.py" "$dst" 9 "$sport" 1 "$n"
	xrt_wait_for "[ \$((\$($fwd m1) - $m1a + \$($fwd m2) - $m2a)) -ge $n ]" 10 ||
		xrt_fail "flow $sport: only $(($($fwd m1) - m1a)) + $(($($fwd m2) - m2a)) of $n packets reached m1/m2"
	ECMP_D1=$(($($fwd m1) - m1a)) ECMP_D2=$(($($fwd m2) - m2a))
	assert_eq $((ECMP_D1 + ECMP_D2)) "$n" "packets of flow $sport through m1 + m2"
	if [ "$ECMP_D1" -ne 0 ] && [ "$ECMP_D2" -ne 0 ]; then
		xrt_fail "flow from port $sport was split: $ECMP_D1 packets via m1, $ECMP_D2 via m2"
	fi
	if [ "$ECMP_D1" -ne 0 ]; then ECMP_TOOK=m1; else ECMP_TOOK=m2; fi
}

# xrt_topo_mirror: router r (xrtd not started) with veths to hosts a and b,
# for the kernel-mirror tests: RA, RB are r's interfaces; ipr runs `ip` in r;
# xrt_want TEXT XRT_ARGS... waits (5 s) until `xrt XRT_ARGS` in r shows TEXT.
xrt_topo_mirror() {
	xrt_router_ns r; xrt_host_ns a; xrt_host_ns b
	xrt_link r a; xrt_link r b
	RA=$(xrt_if r a) RB=$(xrt_if r b)
}
ipr() { ip -n "$(xrt_ns r)" "$@"; }
xrt_want() {
	local text=$1
	shift
	xrt_wait_for "xrt_cli r $* | grep -qF -- '$text'" 5 || xrt_fail "xrt never showed '$text': $(xrt_cli r "$@")"
}
# xrt_mirror_bulk 4|6 FILE: `ip -4|-6 -batch FILE` (one route a line) in r's
# kernel, then wait (60 s) until `xrt -4|-6 route show` in r lists that many
# more routes; the time is logged, not asserted.
xrt_mirror_bulk() {
	local fam=$1 file=$2 n base t0 t1
	n=$(wc -l <"$file")
	base=$(xrt_cli r "-$fam" route show | wc -l)
	t0=$(date +%s%N)
	ipr "-$fam" -batch "$file"
	xrt_wait_for "[ \$(xrt_cli r -$fam route show | wc -l) -ge $((base + n)) ]" 60 ||
		xrt_fail "only $(($(xrt_cli r "-$fam" route show | wc -l) - base)) of $n kernel routes mirrored: $(xrt_cli r sync)"
	t1=$(date +%s%N)
	xrt_log "measured: $n IPv$fam kernel routes (ip -batch) mirrored into xrt in $(((t1 - t0) / 1000000)) ms; $(xrt_cli r sync)"
}

# xrt_tcp_transfer FROM TO DST PORT BYTES: kernel TCP on both hosts; BYTES
# random bytes from FROM to [DST]:PORT (socat listening in TO); fails unless
# they all arrive intact within 30 s.
xrt_tcp_transfer() {
	local from=$1 to=$2 dst=$3 port=$4 bytes=$5
	local src=$XRT_TMP/tcp-src-$port out=$XRT_TMP/tcp-out-$port rpid
	xrt_require_cmd socat ss
	head -c "$bytes" /dev/urandom >"$src"
	xrt_bg "$to" "tcp-recv-$port" socat -u "TCP6-LISTEN:$port,bind=[$dst]" "OPEN:$out,creat,trunc"
	rpid=$XRT_LAST_PID
	xrt_wait_for "xrt_exec $to ss -Htln | grep -q ':$port '" 5 ||
		xrt_fail "TCP receiver on port $port in $to did not start"
	timeout --foreground 30 ip netns exec "$XRT_PREFIX-$from" socat -u "OPEN:$src" "TCP6:[$dst]:$port" ||
		xrt_fail "TCP sender in $from to [$dst]:$port failed"
	xrt_wait_pid "$rpid" 10 || xrt_fail "TCP receiver on port $port did not finish"
	cmp -s "$src" "$out" ||
		xrt_fail "TCP transfer: $(stat -c %s "$out") bytes received of $bytes, or they differ"
}

# A paced flow that spans an operation (an xrtd restart, an upgrade):
# xrt_flow_start FROM TO DST PORT PPS SIZE SECS sends SECS * PPS datagrams of
# SIZE bytes from FROM to [DST]:PORT in the background (udp_paced.py: at
# most PPS per second, 16 ahead of the receiver, so a lost datagram stalls
# the window instead of passing unseen). xrt_flow_running MSG: it has not
# ended yet (else it proved nothing about MSG); xrt_flow_progresses MSG:
# more bytes arrive after MSG (bounded wait); xrt_flow_finish: wait for the
# end and compare every byte. One flow per test.
xrt_flow_start() {
	local from=$1 to=$2 dst=$3 port=$4 pps=$5 size=$6 secs=$7
	xrt_require_cmd socat ss
	XRT_FLOW_TOTAL=$((secs * pps * size)) XRT_FLOW_SECS=$secs
	head -c "$XRT_FLOW_TOTAL" /dev/urandom >"$XRT_TMP/flow-src"
	: >"$XRT_TMP/flow-out"
	xrt_bg "$to" flow-recv socat -u "UDP6-RECV:$port,bind=[$dst],rcvbuf=1048576" \
		"OPEN:$XRT_TMP/flow-out,append"
	XRT_FLOW_RECV=$XRT_LAST_PID
	xrt_wait_for "xrt_exec $to ss -Huln | grep -q ':$port '" 5 ||
		xrt_fail "UDP receiver on port $port in $to did not start"
	xrt_bg "$from" flow-send "$XRT_PY" "$XRT_ROOT/tests/netns/udp_paced.py" \
		"$XRT_TMP/flow-src" "$dst" "$port" "$size" 16 "$XRT_TMP/flow-out" 10 "$pps"
	XRT_FLOW_SEND=$XRT_LAST_PID
	xrt_wait_for "[ \$(xrt_flow_got) -gt $((pps * size)) ]" 10 || xrt_fail "the flow did not start"
}
xrt_flow_got() { stat -c %s "$XRT_TMP/flow-out"; }
xrt_flow_running() {
	[ "$(xrt_flow_got)" -lt "$XRT_FLOW_TOTAL" ] ||
		xrt_fail "the flow ended before $1 (make it longer)"
	kill -0 "$XRT_FLOW_SEND" 2>/dev/null ||
		xrt_fail "the sender exited before $1: $(cat "$XRT_TMP/flow-send.log")"
}
xrt_flow_progresses() {
	local before
	before=$(xrt_flow_got)
	xrt_wait_for "[ \$(xrt_flow_got) -gt $before ]" 10 || xrt_fail "the flow stopped after $1"
}
xrt_flow_finish() {
	xrt_wait_pid "$XRT_FLOW_SEND" $((XRT_FLOW_SECS + 30)) ||
		xrt_fail "the flow lost datagrams: $(cat "$XRT_TMP/flow-send.log")"
	xrt_stop "$XRT_FLOW_RECV"
	cmp -s "$XRT_TMP/flow-src" "$XRT_TMP/flow-out" ||
		xrt_fail "the flow: received bytes differ from sent bytes"
}

# xrt_xdp_prog_id NS IF: the id of the XDP program on IF in NS (0: none).
xrt_xdp_prog_id() {
	ip -n "$XRT_PREFIX-$1" -j link show dev "$2" | "$XRT_PY" -c \
		'import json,sys; l=json.load(sys.stdin)[0]; print(l.get("xdp",{}).get("prog",{}).get("id",0))'
}

# xrt_iperf_shim ROUTER HOST ADDR PORT LABEL JSON CLIENT_ARGS...: an iperf3
# server on ROUTER through the LD_PRELOAD shim ($SHIM) bound to ADDR:PORT
# for one test, the kernel's client on HOST with CLIENT_ARGS writing -J
# output to JSON; fails unless both finish.
xrt_iperf_shim() {
	local r=$1 h=$2 addr=$3 port=$4 label=$5 json=$6 spid
	shift 6
	xrt_bg "$r" "iperf-$port" env LD_PRELOAD="$SHIM" iperf3 -6 -s -1 --forceflush -B "$addr" -p "$port"
	spid=$XRT_LAST_PID
	xrt_wait_for "grep -q 'Server listening' '$XRT_TMP/iperf-$port.log'" 10 ||
		xrt_fail "$label: iperf3 server did not start: $(cat "$XRT_TMP/iperf-$port.log")"
	xrt_exec "$h" timeout --foreground 30 iperf3 -6 -c "$addr" -p "$port" -J "$@" >"$json" ||
		xrt_fail "$label: iperf3 client failed: $(tail -5 "$json"; tail -5 "$XRT_TMP/iperf-$port.log")"
	xrt_wait_pid "$spid" 10 || xrt_fail "$label: iperf3 server did not finish"
}
