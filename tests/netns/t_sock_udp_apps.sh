#!/usr/bin/env bash
# xrt: iperf3 over UDP (-u -6, 50 Mbit/s for 3 s) with its server on the router through the LD_PRELOAD shim against a kernel client, both directions: the loss iperf3 reports is bounded and xrt's UDP counters carried the datagrams; then IPV6_PKTINFO and IPV6_HOPLIMIT ancillary data on send (on the wire) and receive.
# XRT_UDP_RATE (iperf3 -b, default 50M) measures other rates; the loss bound is for 50M.
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xu}
source "$(dirname "$0")/lib.sh"
xrt_require_cmd iperf3
# a -- r -- b, xrtd on r with 2001:db8:1::1 (lib.sh).
xrt_sock_topo
sk_stat() { xrt_cli $R stats | awk -v k="$1" '$1 == k {print $2}'; }
# The counters that moved during a run whose names say a loss (drops,
# errors, full queues, budgets): where the lost datagrams went.
losses() { # BEFORE AFTER
	awk 'NR == FNR {b[$1] = $2; next}
	     $2 ~ /^[0-9]+$/ && $2 != b[$1] && tolower($1) ~ /drop|err|full|budget|shed|over/ {
		printf "%s +%d ", $1, $2 - b[$1] }' "$1" "$2"
}

# iperf3 server on the router, kernel client; UDP at a bounded rate
# (-b 50M -t 3), 1200-byte datagrams (below the 1280 IPv6 minimum MTU).
iperf_udp() { # PORT LABEL [-R]: sets pkts, lost, pct, bytes
	local port=$1 label=$2 json=$XRT_TMP/iperf-c-$1.json
	shift 2
	xrt_iperf_shim $R $A 2001:db8:1::1 "$port" "$label" "$json" -u -b "${XRT_UDP_RATE:-50M}" -l 1200 -t 3 "$@"
	read -r pkts lost pct bytes < <("$XRT_PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
s = j["end"]["sum"]
print(s["packets"], s["lost_packets"], "%.2f" % s["lost_percent"], s["bytes"])' "$json")
}
in0=$(sk_stat Udp6InDatagrams) out0=$(sk_stat Udp6OutDatagrams)
xrt_cli $R stats >"$XRT_TMP/st0"
iperf_udp 5201 upload
xrt_cli $R stats >"$XRT_TMP/st1"
xrt_log "upload: loss counters that moved: $(losses "$XRT_TMP/st0" "$XRT_TMP/st1")"
xrt_log "iperf3 -u kernel client -> server on the router: $pkts datagrams, $lost lost ($pct %), $bytes bytes"
assert_ge "$pkts" 10000 "iperf3 -u upload: 50 Mbit/s for 3 s is about 15600 datagrams of 1200 bytes"
assert_le "$lost" "$((pkts / 10))" "iperf3 -u upload: loss at most 10 % (0 on an idle host; a shared host lost 5 % once)"
assert_ge "$(($(sk_stat Udp6InDatagrams) - in0))" "$((pkts - lost))" "xrt's UDP received the datagrams (Udp6InDatagrams)"
iperf_udp 5202 download -R
xrt_cli $R stats >"$XRT_TMP/st2"
xrt_log "download: loss counters that moved: $(losses "$XRT_TMP/st1" "$XRT_TMP/st2")"
xrt_log "iperf3 -u server on the router -> kernel client (-R): $pkts datagrams, $lost lost ($pct %), $bytes bytes"
assert_ge "$pkts" 10000 "iperf3 -u download: about 15600 datagrams"
assert_le "$lost" "$((pkts / 10))" "iperf3 -u download: loss at most 10 %"
assert_ge "$(($(sk_stat Udp6OutDatagrams) - out0))" "$pkts" "xrt's UDP sent the datagrams (Udp6OutDatagrams)"

# Ancillary data through the shim (RFC 3542 6.1, 6.3): a datagram sent with
# IPV6_PKTINFO (source 2001:db8:1::1) and IPV6_HOPLIMIT 9 leaves with them;
# one from a's kernel arrives with IPV6_PKTINFO (our address, the
# interface) then IPV6_HOPLIMIT (64), the kernel's order.
cat >"$XRT_TMP/anc.py" <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 5300))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
pi = struct.pack("=16sI", socket.inet_pton(socket.AF_INET6, "2001:db8:1::1"), 0)
s.sendmsg([b"anc"], [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, pi),
                     (socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT, struct.pack("i", 9))],
          0, ("2001:db8:1::2", 5301))
print("ready", flush=True)
s.settimeout(10)
data, anc, flags, src = s.recvmsg(100, 256)
out = []
for lvl, typ, d in anc:
    if typ == socket.IPV6_PKTINFO:
        a, i = socket.inet_ntop(socket.AF_INET6, d[:16]), struct.unpack("=I", d[16:20])[0]
        out.append("pktinfo=%s%%%d" % (a, i))
    elif typ == socket.IPV6_HOPLIMIT:
        out.append("hoplimit=%d" % struct.unpack("i", d[:4])[0])
print("got", " ".join(out), data.decode(), flush=True)
PY
xrt_capture_start $A "$IF_AR" 1 ip6 and udp dst port 5301
xrt_bg $R anc env LD_PRELOAD="$SHIM" "$XRT_PY" "$XRT_TMP/anc.py"
apid=$XRT_LAST_PID
xrt_wait_for "grep -q ready '$XRT_TMP/anc.log'" 10 || xrt_fail "ancillary data probe: $(cat "$XRT_TMP/anc.log")"
xrt_capture_wait 10
assert_match "$XRT_CAP_OUT" 'hlim 9,.*2001:db8:1::1\.5300 > 2001:db8:1::2\.5301' "IPV6_HOPLIMIT 9 and IPV6_PKTINFO's source on the wire"
xrt_exec $A "$XRT_PY" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"back", ("2001:db8:1::1", 5300))'
xrt_wait_pid "$apid" 10 || xrt_fail "ancillary data probe did not receive: $(cat "$XRT_TMP/anc.log")"
assert_contains "$(cat "$XRT_TMP/anc.log")" "got pktinfo=2001:db8:1::1%$(xrt_ifindex $R "$IF_RA") hoplimit=64 back" \
	"IPV6_PKTINFO (destination, interface) then IPV6_HOPLIMIT on receive"
kill -0 "$(xrt_xrtd_pid $R)" || xrt_fail "xrtd died"
xrt_pass "iperf3 -u both ways at 50 Mbit/s over xrt's UDP; IPV6_PKTINFO and IPV6_HOPLIMIT ancillary data both ways"
