#!/usr/bin/env bash
# xrt: real servers on the router through the LD_PRELOAD shim against kernel clients: iperf3 (TCP, both directions, what the receiver read matches what was sent) and OpenSSH's sshd (a public-key login, then scp of 50 MB byte-exact).
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xp}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd iperf3 ssh scp ssh-keygen /usr/sbin/sshd
xrt_require_xrt
SHIM=$XRT_BUILD/libxrt-sock.so
xrt_require_file "$SHIM"

A=a R=r
xrt_host_ns $A
xrt_router_ns $R
xrt_link $A $R
IF_AR=$(xrt_if $A $R) IF_RA=$(xrt_if $R $A)
xrt_host $A "$IF_AR" 2001:db8:1::2/64 2001:db8:1::1
xrt_static_neigh $A "$IF_AR" 2001:db8:1::1 "$(xrt_mac $R "$IF_RA")"
xrt_xrtd_start $R
xrt_cli_ok $R link attach dev "$IF_RA"
xrt_cli_ok $R addr add 2001:db8:1::1/64 dev "$IF_RA"
xrt_cli_ok $R neigh add 2001:db8:1::2 lladdr "$(xrt_mac $A "$IF_AR")" dev "$IF_RA"
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }
in0=$(sk_stat TcpInSegs)

# 1. iperf3 server on the router (-6 keeps this test IPv6-only;
# t_sock_tcp4 runs it dual-stack with -4 clients), kernel client, 2 s
# each way (time-based: what was in flight when the time was up is sent
# but not counted as received).
iperf_run() { # PORT LABEL [-R]: sets sent, recv, mbps
	local port=$1 label=$2 json=$XRT_TMP/iperf-c-$1.json
	shift 2
	xrt_iperf_shim $R $A 2001:db8:1::1 "$port" "$label" "$json" -t 2 "$@"
	read -r sent recv mbps < <("$XRT_PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
s, r = j["end"]["sum_sent"]["bytes"], j["end"]["sum_received"]["bytes"]
print(s, r, "%.0f" % (j["end"]["sum_received"]["bits_per_second"] / 1e6))' "$json")
}
iperf_run 5201 upload
xrt_log "iperf3 kernel client -> server on the router: sent $sent, received $recv bytes, $mbps Mbit/s"
assert_ge "$recv" 10000000 "iperf3 upload moved at least 10 MB"
assert_le "$((sent - recv))" 8000000 "iperf3 upload: unread at the end at most what the buffers on the way hold (kernel send buffer 4 MiB, xrt 2 x 256 KiB, socketpair 1 MiB)"
iperf_run 5202 download -R
xrt_log "iperf3 server on the router -> kernel client (-R): sent $sent, received $recv bytes, $mbps Mbit/s"
assert_ge "$recv" 10000000 "iperf3 download moved at least 10 MB"
assert_le "$((sent - recv))" 8000000 "iperf3 download: unread at the end at most what the buffers on the way hold (kernel send buffer 4 MiB, xrt 2 x 256 KiB, socketpair 1 MiB)"

# 2. sshd on the router: its own host key and one authorized key, all in
# this test's directory; a login runs a command, scp copies 50 MB.
K=$XRT_TMP/ssh
mkdir -p "$K" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$K/host"
ssh-keygen -q -t ed25519 -N '' -f "$K/user"
cp "$K/user.pub" "$K/authorized_keys"
cat >"$K/sshd_config" <<EOF
Port 2222
ListenAddress 2001:db8:1::1
HostKey $K/host
PidFile $K/sshd.pid
AuthorizedKeysFile $K/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
xrt_bg $R sshd env LD_PRELOAD="$SHIM" /usr/sbin/sshd -D -e -f "$K/sshd_config"
xrt_wait_for "grep -q 'Server listening' '$XRT_TMP/sshd.log'" 10 ||
	xrt_fail "sshd did not start: $(cat "$XRT_TMP/sshd.log")"
SSHO=(-i "$K/user" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR)
res=$(xrt_exec $A timeout --foreground 30 ssh "${SSHO[@]}" -p 2222 root@2001:db8:1::1 \
	'echo login-ok "$SSH_CONNECTION"') || xrt_fail "ssh login failed: $res"
assert_contains "$res" "login-ok" "ssh login with a key, command run on the router"
head -c 50000000 /dev/urandom >"$XRT_TMP/big"
t0=$(date +%s%N)
xrt_exec $A timeout --foreground 120 scp "${SSHO[@]}" -P 2222 "$XRT_TMP/big" \
	"root@[2001:db8:1::1]:$XRT_TMP/big.copy" || xrt_fail "scp failed"
ms=$((($(date +%s%N) - t0) / 1000000))
cmp -s "$XRT_TMP/big" "$XRT_TMP/big.copy" || xrt_fail "scp: the copy differs"
xrt_log "scp of 50 MB to sshd on the router: identical, ${ms} ms"
assert_ge $(($(sk_stat TcpInSegs) - in0)) 30000 "xrt's TCP carried the traffic (TcpInSegs)"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "iperf3 both ways, sshd login and scp of 50 MB byte-exact, all over xrt's TCP"
