#!/usr/bin/env bash
# xrt bench: what `xrt trace` costs the forwarding path (fpcost --trace): compiled out, off, on but not matching, on and matching; prints its section of BENCHMARKS.md (run.sh appends it; or run it alone: tools/bench/trace.sh).
#
# BPF_PROG_TEST_RUN of one forwarded 64-byte frame, via a gateway, in calls
# of 250 repetitions; the four variants interleaved in every round, median
# of TRACE_ROUNDS. "compiled out" is tools/fpcost/bench_notrace.bpf.o (the
# product built with XRT_TRACE_COMPILED_OUT) on the product's own maps;
# "on and matching" drains the ring between calls, so each packet writes
# its record (fpcost checks the count) instead of finding the ring full.
set -u
cd "${XRT_ROOT:-$(dirname "$0")/../..}" || exit 1
ROUTES=${TRACE_ROUTES:-1,1M}
REPEAT=${TRACE_REPEAT:-1000000}
ROUNDS=${TRACE_ROUNDS:-5}
out=$(build/fpcost --trace --routes "$ROUTES" --repeat "$REPEAT" --rounds "$ROUNDS" \
	--bpf-dir bpf --bench-dir tools/fpcost) || { echo "trace bench: fpcost --trace failed" >&2; exit 1; }
val() { sed -n "s/.*RESULT routes=$1 prog=$2 pkt=forward ns=\([0-9.]*\).*/\1/p" <<<"$out"; }
d() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f ns", a - b }'; }
cat <<EOF

## 6. What \`xrt trace\` costs the fast path

\`tools/bench/trace.sh\` ($(date -u '+%Y-%m-%d %H:%M UTC'); \`build/fpcost --trace --routes $ROUTES --repeat $REPEAT --rounds $ROUNDS\`):
forward ns/packet, median of $ROUNDS interleaved rounds. Off, the fast path
pays one load of a global (\`xrt_trace.on\`) and a branch: the pipeline is
compiled twice (bpf/xrt_fwd.bpf.c), and the copy every packet runs has no
trace code. On but not matching adds the filter on the raw headers;
matching runs the traced copy and writes one record to the ring.

| routes | compiled out | off | on, not matching | on, matching | off - out | not matching - out | matching - out |
|---|---|---|---|---|---|---|---|
EOF
for n in $(sed -n 's/.*RESULT routes=\([0-9]*\) prog=trace_out .*/\1/p' <<<"$out"); do
	o=$(val "$n" trace_out) f=$(val "$n" trace_off) nm=$(val "$n" trace_nomatch) m=$(val "$n" trace_match)
	echo "| $n | $o ns | $f ns | $nm ns | $m ns | $(d "$f" "$o") | $(d "$nm" "$o") | $(d "$m" "$o") |"
done
printf '\n```\n%s\n```\n' "$(sed 's/  RESULT.*//' <<<"$out")"
