#!/usr/bin/env bash
# xrt: the TCP benchmark (tools/bench/sock.sh) tells the truth: every mode moves the whole file over the stack it names, a short transfer is refused, nothing is left behind.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD BUILD=$PWD/build BPF=$PWD/bpf
WORK=$(mktemp -d /tmp/xtbt-XXXXXX)
RES=$WORK/results
ROUNDS=1 QUICK=1
log() { echo "$*" >>"$WORK/log"; }
put() { echo "$1 $2" >>"$RES"; }
get() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$RES"; }
median() { awk -v k="$1" '$1 == k { print $2 }' "$RES" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
. tools/bench/sock.sh
SOCK_PID=
cleanup() {
	[ -n "$SOCK_PID" ] && kill "$SOCK_PID" 2>/dev/null && wait "$SOCK_PID"
	sk_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; [ -e "$WORK/log" ] && tail -20 "$WORK/log"; exit 1; }
for f in "$BUILD/xrtd" "$BUILD/xrt" "$BUILD/libxrt-sock.so" "$BPF/xrt_fwd.bpf.o" "$ROOT/tests/netns/xdp_pass.bpf.o"; do
	[ -e "$f" ] || fail "$f missing (make)"
done
command -v socat >/dev/null || fail "socat missing (make deps)"

# 1. The section run alone, one quick round: every transfer verified (the
#    script fails a mode otherwise), all four xrt rows carry a figure and a
#    ratio, and its namespaces, bpffs and files are gone afterwards.
BENCH_QUICK=1 BENCH_ROUNDS=1 bash tools/bench/sock.sh >"$WORK/section.md" 2>"$WORK/section.log" &
SOCK_PID=$!
wait "$SOCK_PID"
rc=$?
pid=$SOCK_PID
SOCK_PID=
[ "$rc" = 0 ] || fail "sock.sh exited $rc: $(tail -5 "$WORK/section.log")"
for mode in $SK_MODES; do
	grep -q "^bench:   $mode: 16777216 bytes in " "$WORK/section.log" || fail "no verified transfer for $mode"
done
rows=$(grep -cE '^\| .* \| [0-9.]+ MB/s \| [0-9.]+ MB/s \| [0-9.]+x \| [0-9.]+ \| [0-9]+ / [0-9]+ \| [0-9]+ \|$' "$WORK/section.md")
[ "$rows" = 4 ] || fail "$rows of the 4 xrt rows have figures: $(cat "$WORK/section.md")"
grep -q 'not measured' "$WORK/section.md" && fail "a mode was not measured"
for n in /run/netns/xtb${pid}h /run/netns/xtb${pid}r /run/xtb-$pid /dev/shm/xtb$pid-src; do
	[ -e "$n" ] && fail "$n left behind"
done
echo "ok: 7 modes measured and verified, 4 ratios, nothing left behind"

# 2. A transfer that does not deliver what was announced is refused, and
#    kernel and xrt transfers are told apart by xrt's own counters.
sk_topo_up || fail "topology: $(cat "$WORK/log")"
SK_BYTES=$((1 << 20))
head -c "$SK_BYTES" /dev/urandom >"$SK_SRC"
sk_xfer kin || fail "1 MiB kernel transfer"
sk_xfer xin || fail "1 MiB transfer to xrt"
SK_BYTES=$((SK_BYTES + 1))  # the file is one byte shorter than announced
sk_xfer kin && fail "a short transfer was accepted"
grep -q "received 1048576 bytes, not the 1048577 sent" "$WORK/log" || fail "short transfer: $(tail -1 "$WORK/log")"
SK_BYTES=$((SK_BYTES - 1))
# xrt's TCP must not be the one counting during a kernel transfer, and must
# count the file's segments during an xrt one: stop xrtd's TCP from being
# reachable and the xrt mode fails instead of falling back to the kernel.
kill "$SK_XRTD_PID" && wait "$SK_XRTD_PID" 2>/dev/null
SK_XRTD_PID=
sk_xfer xin && fail "a transfer to xrt succeeded with xrtd stopped"
echo "ok: short transfer refused, no xrt figure without xrtd"
echo "PASS t_bench_sock"
