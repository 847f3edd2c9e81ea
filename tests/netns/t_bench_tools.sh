#!/usr/bin/env bash
# xrt: the benchmark tools tell the truth: pktgen's frames all arrive, spread over flows, with valid UDP checksums; fpcost runs.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=$PWD/build
BPF=$PWD/bpf
XB=xbt$$
. tools/bench/lib.sh
CAP_PID=
cleanup() {
	[ -n "$CAP_PID" ] && kill "$CAP_PID" 2>/dev/null
	xb_topo_down
	rm -f "/tmp/$XB.cap" "/tmp/$XB.cap.err" "/tmp/$XB.dsts"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
for f in "$BUILD/pktgen" "$BUILD/fpcost" "$PKTGEN_OBJ" "$SINK_OBJ" "$FPCOST_DIR/bench_redirect.bpf.o"; do
	[ -e "$f" ] || fail "$f missing (make)"
done
command -v tcpdump >/dev/null || fail "tcpdump missing (make deps)"

xb_topo_up || fail "topology"
RMAC=$(xb_mac "${XB}r" "${XB}r0")
pktgen() { xb_g "$BUILD/pktgen" tx --dev "${XB}g0" --keep-dev "${XB}k0" --dst-mac "$RMAC" \
	--src "$GEN_ADDR" --dst "$DST_BASE" --obj "$PKTGEN_OBJ" "$@"; }

# 1. Every frame of a 300k-frame live-frames run through the kernel router
#    reaches the sink, in one call and in many (recycled pages included).
for call in 300000 4096; do
	before=$(xb_sink_count)
	pktgen --count 300000 --call "$call" --flows 1000 >/dev/null || fail "pktgen --call $call"
	"$BUILD/pktgen" sink settle "/run/${XB}/sink" 5000 >/dev/null
	got=$(($(xb_sink_count) - before))
	[ "$got" -eq 300000 ] || fail "--call $call: sink counted $got of 300000"
	echo "ok: --call $call: 300000 of 300000 frames at the sink"
done

# 2. Flows differ by destination and port, and every UDP checksum is valid:
#    capture what the router transmits (the kernel forwards, so tcpdump on
#    r1 sees it) and let tcpdump verify the checksums.
xb_r tcpdump -i "${XB}r1" -nn -vv -c 200 -l --immediate-mode udp port 9 \
	>"/tmp/$XB.cap" 2>"/tmp/$XB.cap.err" &
CAP_PID=$!
for _ in $(seq 200); do grep -q 'listening on' "/tmp/$XB.cap.err" 2>/dev/null && break; sleep 0.1; done
grep -q 'listening on' "/tmp/$XB.cap.err" || fail "tcpdump did not start"
pktgen --count 400 --call 16 --rate 4000 --flows 100 --size 128 >/dev/null || fail "pktgen flows"
for _ in $(seq 200); do kill -0 "$CAP_PID" 2>/dev/null || break; sleep 0.1; done
kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; CAP_PID=
out=$(cat "/tmp/$XB.cap")
n=$(grep -c 'udp sum ok' <<<"$out")
bad=$(grep -c 'bad udp cksum' <<<"$out")
[ "$n" -ge 100 ] && [ "$bad" -eq 0 ] || fail "checksums: $n ok, $bad bad ($(tail -3 "/tmp/$XB.cap.err"))"
dsts=$(grep -o '> 2001:db8:100::[0-9a-f]*\.[0-9]*' <<<"$out" | sort -u | wc -l)
[ "$dsts" -ge 50 ] || fail "only $dsts distinct destination:port pairs in $n frames"
grep -q 'hlim 63' <<<"$out" || fail "no forwarded hop limit 63 seen"
echo "ok: $n captured frames, all UDP checksums valid, $dsts distinct destination:port pairs"

# 2b. The same with whole destinations from a file (--dst-file), each with
#     its own precomputed checksum.
for i in $(seq 50); do printf '2001:db8:100:%x::%x\n' $((i * 7)) $((i * 13)); done >"/tmp/$XB.dsts"
xb_r tcpdump -i "${XB}r1" -nn -vv -c 100 -l --immediate-mode udp port 9 \
	>"/tmp/$XB.cap" 2>"/tmp/$XB.cap.err" &
CAP_PID=$!
for _ in $(seq 200); do grep -q 'listening on' "/tmp/$XB.cap.err" 2>/dev/null && break; sleep 0.1; done
grep -q 'listening on' "/tmp/$XB.cap.err" || fail "tcpdump did not start"
pktgen --count 200 --call 16 --rate 4000 --dst-file "/tmp/$XB.dsts" --size 100 >/dev/null ||
	fail "pktgen --dst-file"
for _ in $(seq 200); do kill -0 "$CAP_PID" 2>/dev/null || break; sleep 0.1; done
kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; CAP_PID=
out=$(cat "/tmp/$XB.cap")
n=$(grep -c 'udp sum ok' <<<"$out")
bad=$(grep -c 'bad udp cksum' <<<"$out")
[ "$n" -ge 100 ] && [ "$bad" -eq 0 ] || fail "--dst-file checksums: $n ok, $bad bad"
dsts=$(grep -o '> 2001:db8:100:[0-9a-f:]*\.9:' <<<"$out" | sort -u | wc -l)
[ "$dsts" -eq 50 ] || fail "--dst-file: $dsts distinct destinations of 50"
echo "ok: --dst-file: $n frames, all UDP checksums valid, all 50 destinations"

# 3. fpcost measures the floor, bpf_fib_lookup and xrt and checks each
#    forwards its packet (it fails otherwise).
out=$("$BUILD/fpcost" --routes 1,1000 --repeat 1000 --rounds 1 --bpf-dir "$BPF" --bench-dir "$FPCOST_DIR" 2>&1) ||
	fail "fpcost: $out"
grep -q 'prog=xrt pkt=forward .*verdict=REDIRECT' <<<"$out" || fail "fpcost: xrt did not forward: $out"
grep -q 'prog=xrt pkt=drop .*verdict=DROP' <<<"$out" || fail "fpcost: xrt did not drop the blackholed packet"
echo "ok: fpcost"
echo "PASS t_bench_tools"
