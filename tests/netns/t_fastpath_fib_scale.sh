#!/usr/bin/env bash
# xrt: the FIB trie at scale, end to end. 200k random routes (half via one
# of 8 next hops on B's link, each with its own MAC, half blackhole,
# /32../64, some nested with another answer than the prefix covering them)
# go in with `xrt -batch`; frames to 400 destinations spread over them (half
# inside nested prefixes) each take the route a longest match over the same
# list names: each forwarded one leaves for exactly its next hop's MAC (not
# the covering prefix's), the blackholed ones are counted as drops.
# Deleting every route returns the trie to the cells it used before (no
# garbage), and the pinned route count follows.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd tcpdump bpftool
xrt_require_xrt

N=${FIB_SCALE_ROUTES:-200000}
PROBES=400
NH=8 # next hops 2001:db8:2::a1..a8, MAC 02:00:00:00:0a:01..08, on B's link

xrt_topo_line
xrt_xrtd_start r
xrt_topo_line_program
for k in $(seq 1 $NH); do
	xrt_cli_ok r neigh add "2001:db8:2::a$k" lladdr "02:00:00:00:0a:0$k" dev "$IF_RB"
done

summary() { xrt_cli r -j route summary; }
field() { "$XRT_PY" -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
s0=$(summary)

# Routes, probes and the longest-match answer for each probe: "nhK" or
# "blackhole", and whether it differs from the answer of the next shorter
# route covering the probe ("nested").
"$XRT_PY" - "$N" "$PROBES" "$XRT_TMP" "$IF_RB" "$NH" <<'PY' || xrt_fail "route generator failed"
import ipaddress, random, sys
n, probes, tmp, dev, nh = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
rnd = random.Random(11)
lens = [32, 36, 40, 44, 47, 48, 48, 48, 52, 56, 63, 64]
routes, inner = {}, []
while len(routes) < n:
    hi = (0x2 << 60) | rnd.getrandbits(60)              # 2000::/4
    if hi >> 32 == 0x20010db8:
        continue
    if routes and rnd.random() < 0.05:                   # nest some inside others
        base = rnd.choice(list(routes)[-1000:])
        hi = (int(base.network_address) >> 64) | rnd.getrandbits(16)
        net = ipaddress.IPv6Network((hi << 64, rnd.choice(lens)), strict=False)
        if net not in routes:
            inner.append(net)
    else:
        net = ipaddress.IPv6Network((hi << 64, rnd.choice(lens)), strict=False)
    i = len(routes)
    routes.setdefault(net, f"nh{1 + i // 2 % nh}" if i % 2 == 0 else "blackhole")
with open(f"{tmp}/routes.batch", "w") as f, open(f"{tmp}/routes.del", "w") as g:
    for net, kind in routes.items():
        f.write(f"route add {net} via 2001:db8:2::a{kind[2:]} dev {dev}\n" if kind != "blackhole"
                else f"route add blackhole {net}\n")
        g.write(f"route del {net}\n")
plens = sorted({net.prefixlen for net in routes}, reverse=True)
def matches(dst):
    return [routes[m] for m in (ipaddress.IPv6Network((dst, p), strict=False) for p in plens) if m in routes]
nets = list(routes)
nested = [net for net in inner if len(matches(net.network_address)) > 1]
with open(f"{tmp}/probes", "w") as f:
    for i in range(probes):
        net = rnd.choice(nested if i % 2 else nets)
        dst = ipaddress.IPv6Address(int(net.network_address) | rnd.getrandbits(128 - net.prefixlen))
        m = matches(dst)
        f.write(f"{dst} {m[0]} {'nested' if len(m) > 1 and m[1] != m[0] else '-'}\n")
PY
vias=$(awk '$2 != "blackhole"' "$XRT_TMP/probes" | wc -l)
holes=$(awk '$2 == "blackhole"' "$XRT_TMP/probes" | wc -l)
nested=$(awk '$3 == "nested" && $2 != "blackhole"' "$XRT_TMP/probes" | wc -l)
[ "$vias" -gt 50 ] && [ "$holes" -gt 50 ] || xrt_fail "probe mix: $vias via, $holes blackhole"
# Probes forwarded where the covering prefix would answer otherwise: the
# proof that the longest match, not any match, chose the next hop.
[ "$nested" -gt 30 ] || xrt_fail "probe mix: only $nested forwarded probes inside nested prefixes"
for k in $(seq 1 $NH); do
	[ "$(awk -v k="nh$k" '$2 == k' "$XRT_TMP/probes" | wc -l)" -gt 5 ] || xrt_fail "probe mix: next hop $k hardly used"
done

xrt_cli r -batch "$XRT_TMP/routes.batch" >"$XRT_TMP/batch.out" 2>&1 ||
	xrt_fail "xrt -batch of $N routes: $(tail -3 "$XRT_TMP/batch.out")"
s1=$(summary)
assert_eq "$(field routes <<<"$s1")" "$(($(field routes <<<"$s0") + N))" "route summary: routes after the batch"
pinned=$(bpftool -j map lookup pinned "$(xrt_pin_dir r)/xrt_fib6_tbl" key 254 0 0 0 |
	"$XRT_PY" -c 'import json,sys; print(json.load(sys.stdin)["formatted"]["value"]["routes"])')
assert_eq "$pinned" "$(field routes <<<"$s1")" "xrt_fib6_tbl[main].routes"

# Every forwarded probe reaches B's link (UDP to port 9) addressed to its
# next hop's MAC with hop limit 63; none of the blackholed.
fwd0=$(xrt_fp_stat r Ip6OutForwDatagrams) bh0=$(xrt_fp_stat r drop:blackhole)
XRT_CAP_FLAGS=-e xrt_capture_start b "$IF_BR" "$vias" udp dst port 9 and ip6 src 2001:db8:1::2
xrt_exec a "$XRT_PY" - "$XRT_TMP/probes" "$IF_AR" "$MAC_RA" <<'PY' || xrt_fail "probe sender failed"
import sys
from scapy.all import Ether, IPv6, UDP, Raw, sendp
dsts = [line.split()[0] for line in open(sys.argv[1])]
frames = [Ether(dst=sys.argv[3]) / IPv6(src="2001:db8:1::2", dst=d, hlim=64) /
          UDP(sport=40000 + i, dport=9) / Raw(b"xrt") for i, d in enumerate(dsts)]
sendp(frames, iface=sys.argv[2], verbose=False)
PY
xrt_capture_wait 20
# "DST nhK" for each frame B's link saw (tcpdump -e -v: MACs, then hop
# limit, then addresses), and for each forwarded probe.
got=$("$XRT_PY" - "$MAC_RB" "$XRT_CAP_LOG" <<'PY'
import re, sys
mac_rb, cap = sys.argv[1].lower(), open(sys.argv[2]).read()
for m in re.finditer(r"([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype IPv6.*?hlim (\d+),.*?> ([0-9a-f:]+)\.9: ",
                     cap, re.S):
    src, dst, hlim, addr = m.groups()
    k = int(dst.split(":")[5], 16) if dst.startswith("02:00:00:00:0a:") else 0
    print(addr, f"nh{k}" if src == mac_rb and hlim == "63" else f"bad:{src}>{dst},hlim{hlim}")
PY
)
got=$(sort -u <<<"$got")
want=$(awk '$2 != "blackhole" { print $1, $2 }' "$XRT_TMP/probes" | sort -u)
[ "$(wc -l <<<"$got")" = "$vias" ] || xrt_fail "parsed $(wc -l <<<"$got") frames of $vias from the capture"
[ "$got" = "$want" ] ||
	xrt_fail "probes left for another next hop than their longest match's (want < > got): $(diff <(echo "$want") <(echo "$got") | head -8)"
xrt_wait_for "[ \$((\$(xrt_fp_stat r drop:blackhole) - $bh0)) -ge $holes ]" 5 || true
assert_eq "$(($(xrt_fp_stat r drop:blackhole) - bh0))" "$holes" "blackholed probes counted as drops"
assert_eq "$(($(xrt_fp_stat r Ip6OutForwDatagrams) - fwd0))" "$vias" "forwarded probes"

# Deleting them all leaves the trie as it was before.
xrt_cli r -batch "$XRT_TMP/routes.del" >"$XRT_TMP/del.out" 2>&1 ||
	xrt_fail "deleting the routes: $(tail -3 "$XRT_TMP/del.out")"
s2=$(summary)
for f in routes nodes records bytes; do
	assert_eq "$(field $f <<<"$s2")" "$(field $f <<<"$s0")" "route summary $f after deleting every route"
done
xrt_pass "$N routes via $NH next hops: $vias probes forwarded to exactly their longest-match next hop ($nested inside a nested prefix with another answer), $holes blackholed; $(field nodes <<<"$s1") nodes + $(field records <<<"$s1") records, $(field bytes <<<"$s1") B; all gone after deleting"
