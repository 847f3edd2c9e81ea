#!/usr/bin/env bash
# xrt: multicast through xrtd's socket layer: unmodified Python on the router (LD_PRELOAD shim) joins a link-scope group (IPV6_JOIN_GROUP and MCAST_JOIN_GROUP, two sockets on one port), xrtd reports the group with MLDv2, and both sockets receive a kernel host's datagrams to it byte for byte; the router sends to a group a kernel host joined (IPV6_MULTICAST_IF, hop limit 1 by default) and loops a copy to its own member (IPV6_MULTICAST_LOOP); leaving is reported.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump
xrt_sock_topo
IDX_RA=$(xrt_ifindex $R "$IF_RA") IDX_AR=$(xrt_ifindex $A "$IF_AR")
G1=ff02::4242 G2=ff02::4343 N=${XRT_MCAST_N:-60}

CAP=$XRT_TMP/mld.cap
xrt_bg $A cap-mld tcpdump -U -n -i "$IF_AR" -w "$CAP" 'ip6[6] == 0 and ip6[40] == 58 and ip6[48] == 143'
xrt_wait_for "grep -q 'listening on' '$XRT_TMP/cap-mld.log'" 10 || xrt_fail "tcpdump did not start"
mld() { tcpdump -n -vv -r "$CAP" 2>/dev/null; }

# Receiver on the router: two sockets on port 9000 (SO_REUSEPORT), one
# joined with IPV6_JOIN_GROUP, the other with MCAST_JOIN_GROUP (RFC 3678).
cat >"$XRT_TMP/mrecv.py" <<'PY'
import select, socket, struct, sys
group, port, ifidx, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
MCAST_JOIN_GROUP = 42
socks = []
for how in ("ipv6_join_group", "mcast_join_group"):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("::", port))
    if how == "ipv6_join_group":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                     socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", ifidx))
    else:
        sin6 = struct.pack("@HHI16sI", socket.AF_INET6, 0, 0, socket.inet_pton(socket.AF_INET6, group), 0)
        s.setsockopt(socket.IPPROTO_IPV6, MCAST_JOIN_GROUP,
                     struct.pack("@I4x", ifidx) + sin6.ljust(128, b"\0"))
    socks.append(s)
print("joined", flush=True)
files = [open(f"{out}.{k}", "wb") for k in range(len(socks))]
left = [n] * len(socks)
while any(left):  # both sockets read as datagrams come (select)
    ready, _, _ = select.select([s for k, s in enumerate(socks) if left[k]], [], [], 15)
    if not ready:
        sys.exit("timeout, still expecting %s" % left)
    for s in ready:
        k = socks.index(s)
        data, src = s.recvfrom(4000)
        files[k].write(data)
        left[k] -= 1
for f in files:
    f.close()
print("done", flush=True)
PY
# Sender on a kernel host: N datagrams of varied sizes to group:port.
cat >"$XRT_TMP/msend.py" <<'PY'
import socket, sys, time
group, port, ifidx, n, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifidx)
data = open(src, "rb").read()
off = 0
for i in range(n):
    l = 1 + (i * 97) % 1200
    s.sendto(data[off:off + l], (group, port, 0, ifidx))
    off += l
    if i % 10 == 9:
        time.sleep(0.002)  # paced: 10 datagrams per 2 ms
print(off)
PY
head -c $((N * 1300)) /dev/urandom >"$XRT_TMP/src"

# 1. Host -> router.
xrt_bg $R mrecv env LD_PRELOAD="$SHIM" "$XRT_PY" "$XRT_TMP/mrecv.py" $G1 9000 "$IDX_RA" $N "$XRT_TMP/r"
rpid=$XRT_LAST_PID
xrt_wait_for "grep -q joined '$XRT_TMP/mrecv.log'" 10 || xrt_fail "router receiver: $(cat "$XRT_TMP/mrecv.log")"
xrt_wait_for "mld | grep -q 'gaddr $G1 to_ex'" 5 || xrt_fail "no MLDv2 report for $G1: $(mld | tail -3)"
t0=$(date +%s%N)
sent=$(xrt_exec $A "$XRT_PY" "$XRT_TMP/msend.py" $G1 9000 "$IDX_AR" $N "$XRT_TMP/src") || xrt_fail "sender: $sent"
xrt_wait_for "grep -q done '$XRT_TMP/mrecv.log'" 10 || xrt_fail "router receiver: $(cat "$XRT_TMP/mrecv.log")"
ms=$((($(date +%s%N) - t0) / 1000000))
head -c "$sent" "$XRT_TMP/src" >"$XRT_TMP/expect"
for k in 0 1; do
	cmp -s "$XRT_TMP/expect" "$XRT_TMP/r.$k" || xrt_fail "socket $k received other bytes ($(stat -c %s "$XRT_TMP/r.$k") of $sent)"
done
# It exits by itself, cleanly, having closed both sockets (through the shim).
xrt_wait_pid "$rpid" 5 || xrt_fail "router receiver exited with status $?: $(cat "$XRT_TMP/mrecv.log")"
# The receiver closed: both memberships dropped, the group left (to_in {}).
xrt_wait_for "mld | grep -q 'gaddr $G1 to_in'" 5 || xrt_fail "group not left after close: $(mld | tail -3)"
xrt_log "host -> router: $N datagrams, $sent bytes in $ms ms, identical on both member sockets"

# 2. Router -> host (and loopback to a member on the router). The host's
# kernel joins G2; the router's sender uses IPV6_MULTICAST_IF.
cat >"$XRT_TMP/hrecv.py" <<'PY'
import socket, struct, sys
group, port, ifidx, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
s.bind(("::", port))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
             socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", ifidx))
s.settimeout(15)
print("joined", flush=True)
hops = set()
with open(out, "wb") as f:
    for i in range(n):
        data, anc, flags, src = s.recvmsg(4000, 64)
        f.write(data)
        for lvl, typ, val in anc:
            if typ == socket.IPV6_HOPLIMIT:
                hops.add(struct.unpack("@i", val)[0])
print("done hops", sorted(hops), flush=True)
PY
xrt_bg $A hrecv "$XRT_PY" "$XRT_TMP/hrecv.py" $G2 9001 "$IDX_AR" $N "$XRT_TMP/h"
hpid=$XRT_LAST_PID
xrt_bg $R mloop env LD_PRELOAD="$SHIM" "$XRT_PY" "$XRT_TMP/mrecv.py" $G2 9001 "$IDX_RA" $N "$XRT_TMP/l"
lpid=$XRT_LAST_PID
xrt_wait_for "grep -q joined '$XRT_TMP/hrecv.log'" 10 || xrt_fail "host receiver: $(cat "$XRT_TMP/hrecv.log")"
xrt_wait_for "grep -q joined '$XRT_TMP/mloop.log'" 10 || xrt_fail "router member: $(cat "$XRT_TMP/mloop.log")"
sent=$(xrt_exec $R env LD_PRELOAD="$SHIM" "$XRT_PY" "$XRT_TMP/msend.py" $G2 9001 "$IDX_RA" $N "$XRT_TMP/src") ||
	xrt_fail "router sender: $sent"
xrt_wait_for "grep -q done '$XRT_TMP/hrecv.log'" 10 || xrt_fail "host receiver: $(cat "$XRT_TMP/hrecv.log")"
cmp -s "$XRT_TMP/expect" "$XRT_TMP/h" || xrt_fail "host received other bytes ($(stat -c %s "$XRT_TMP/h") of $sent)"
assert_contains "$(cat "$XRT_TMP/hrecv.log")" "done hops [1]" "hop limit 1 by default (RFC 3493 5.2)"
xrt_wait_for "grep -q done '$XRT_TMP/mloop.log'" 10 || xrt_fail "loopback member: $(cat "$XRT_TMP/mloop.log")"
for k in 0 1; do
	cmp -s "$XRT_TMP/expect" "$XRT_TMP/l.$k" || xrt_fail "looped copy $k differs"
done
xrt_log "router -> host: $N datagrams byte-exact, hop limit 1; looped to both local members"
# 3. A site-scope group (ff05::/16): the fast path drops it until a socket
# joins it on the interface (xrt_local6), then punts it to the members.
G3=ff05::4545
d0=$(xrt_fp_stat $R drop:mcast)
xrt_exec $A "$XRT_PY" "$XRT_TMP/msend.py" $G3 9002 "$IDX_AR" 5 "$XRT_TMP/src" >/dev/null
xrt_wait_for "[ \$(xrt_fp_stat $R drop:mcast) -ge $((d0 + 5)) ]" 5 || xrt_fail "site-scope group not dropped before any join"
xrt_bg $R msite env LD_PRELOAD="$SHIM" "$XRT_PY" "$XRT_TMP/mrecv.py" $G3 9002 "$IDX_RA" $N "$XRT_TMP/s"
spid=$XRT_LAST_PID
xrt_wait_for "grep -q joined '$XRT_TMP/msite.log'" 10 || xrt_fail "site-scope receiver: $(cat "$XRT_TMP/msite.log")"
xrt_wait_for "mld | grep -q 'gaddr $G3 to_ex'" 5 || xrt_fail "no MLDv2 report for $G3"
sent=$(xrt_exec $A "$XRT_PY" "$XRT_TMP/msend.py" $G3 9002 "$IDX_AR" $N "$XRT_TMP/src") || xrt_fail "sender: $sent"
xrt_wait_for "grep -q done '$XRT_TMP/msite.log'" 10 || xrt_fail "site-scope receiver: $(cat "$XRT_TMP/msite.log")"
for k in 0 1; do
	cmp -s "$XRT_TMP/expect" "$XRT_TMP/s.$k" || xrt_fail "site-scope socket $k received other bytes"
done
xrt_wait_pid "$spid" 5 || xrt_fail "site-scope receiver exited with status $?: $(cat "$XRT_TMP/msite.log")"
xrt_wait_for "mld | grep -q 'gaddr $G3 to_in'" 5 || xrt_fail "$G3 not left after close"
d1=$(xrt_fp_stat $R drop:mcast)
xrt_exec $A "$XRT_PY" "$XRT_TMP/msend.py" $G3 9002 "$IDX_AR" 5 "$XRT_TMP/src" >/dev/null
xrt_wait_for "[ \$(xrt_fp_stat $R drop:mcast) -ge $((d1 + 5)) ]" 5 || xrt_fail "site-scope group still punted after the last member left"
xrt_log "site-scope group $G3: dropped before the join, $N datagrams byte-exact after, dropped again once left"

kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "multicast both ways through the shim: joins reported by MLDv2 (link and site scope), every member socket served byte-exact, loopback, leave on close"
