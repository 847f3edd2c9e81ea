#!/usr/bin/env bash
# xrt: the harness's helpers report what happened: xrt_wait_pid returns a
# background command's own exit status (127, command not found, is a
# failure), 128+N when a signal killed it, 124 when it outlives the bound,
# and 0 for a process that is not this shell's child once it has gone;
# xrt_cli_lacks fails when the CLI fails; xrt_capture_wait fails when
# tcpdump dies; xrt_xrtd_term fails when xrtd does not exit cleanly on
# SIGTERM.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd sh sleep setsid tcpdump

xrt_host_ns a

# wait_rc PID TIMEOUT: xrt_wait_pid's status in RC (in this shell: a
# command substitution is a subshell, whose children these are not).
wait_rc() {
	RC=0
	xrt_wait_pid "$1" "$2" || RC=$?
}

xrt_bg a ok true
wait_rc "$XRT_LAST_PID" 5
assert_eq "$RC" 0 "a command that succeeds"
xrt_bg a three sh -c 'exit 3'
wait_rc "$XRT_LAST_PID" 5
assert_eq "$RC" 3 "a command that exits 3"
xrt_bg a notfound env "xrt-no-such-command-$XRT_PREFIX"
wait_rc "$XRT_LAST_PID" 5
assert_eq "$RC" 127 "a command that is not found"
assert_contains "$(cat "$XRT_TMP/notfound.log")" "No such file or directory" "env's own error"

xrt_bg a slow sleep 30
slow=$XRT_LAST_PID
wait_rc "$slow" 1
assert_eq "$RC" 124 "a command still running at the bound"
kill -KILL "$slow"
wait_rc "$slow" 5
assert_eq "$RC" 137 "a command killed by SIGKILL"

# Not a child of this shell: a grandchild whose parent is gone. Its status
# is unknowable here; once it has gone, that is all xrt_wait_pid can say.
setsid sh -c 'sleep 0.3 & echo $! >"$1"' sh "$XRT_TMP/grandchild.pid"
gc=$(cat "$XRT_TMP/grandchild.pid")
kill -0 "$gc" 2>/dev/null || xrt_fail "the grandchild ended before the wait (make it longer)"
wait_rc "$gc" 5
assert_eq "$RC" 0 "a process that is not a child, once gone"
kill -0 "$gc" 2>/dev/null && xrt_fail "xrt_wait_pid returned while the grandchild still ran"
# A child of this shell waited for in a subshell (still running when the
# subshell began): not the subshell's child either.
xrt_bg a sub sleep 0.5
sub=$XRT_LAST_PID
assert_eq "$(xrt_wait_pid "$sub" 5; echo $?)" 0 "this shell's child, waited for in a subshell"
kill -0 "$sub" 2>/dev/null && xrt_fail "xrt_wait_pid in a subshell returned while the process still ran"

# xrt_cli_lacks: a negative check a failing CLI cannot pass (a stand-in
# xrt printing two lines, then one that fails with no output).
mkdir "$XRT_TMP/fake"
printf '#!/bin/sh\nprintf "route one\\nroute two\\n"\n' >"$XRT_TMP/fake/xrt"
chmod +x "$XRT_TMP/fake/xrt"
XRT_BUILD=$XRT_TMP/fake xrt_cli_lacks a three route show || xrt_fail "xrt_cli_lacks: 'three' is not in the output"
XRT_BUILD=$XRT_TMP/fake xrt_cli_lacks a 'one|six' route show && xrt_fail "xrt_cli_lacks: 'one' is in the output"
printf '#!/bin/sh\nexit 1\n' >"$XRT_TMP/fake/xrt"
rc=0
XRT_BUILD=$XRT_TMP/fake xrt_cli_lacks a three route show || rc=$?
assert_eq "$rc" 2 "xrt_cli_lacks when the CLI fails"

# xrt_capture_wait reports a tcpdump that died instead of taking its
# partial output (in a subshell that starts the capture, as xrt_fail exits).
ip -n "$(xrt_ns a)" link set lo up
out=$( (
	xrt_capture_start a lo 1 udp
	kill -KILL "$XRT_CAP_PID"
	xrt_capture_wait 5
) 2>&1) && xrt_fail "xrt_capture_wait passed a tcpdump killed by SIGKILL"
assert_contains "$out" "tcpdump exited with status 137" "xrt_capture_wait on a killed tcpdump"

# xrt_xrtd_term on stand-ins for xrtd, each run in a subshell (xrt_fail
# exits it) that starts the stand-in itself, so it is that shell's child.
# term_out STANDIN_CMD...: what xrt_xrtd_term printed; fails if it passed.
term_out() {
	local out
	out=$( (
		xrt_bg a xrtd-a "$@"
		XRTD_PID_a=$XRT_LAST_PID
		xrt_wait_for "[ -n \"\$(ps -o pid= --ppid $XRT_LAST_PID)\" ]" 5 || xrt_fail "the stand-in did not start"
		xrt_xrtd_term a 1
	) 2>&1) && xrt_fail "xrt_xrtd_term passed: $*"
	echo "$out"
}
assert_contains "$(term_out sh -c 'trap "" TERM; sleep 30; sleep 30')" "still running 1 s after SIGTERM" \
	"xrt_xrtd_term on a process that ignores SIGTERM"
assert_contains "$(term_out sh -c 'sleep 30; exit 0')" "killed by signal 15" \
	"xrt_xrtd_term on a process without a SIGTERM handler"
assert_contains "$(term_out sh -c 'trap "exit 2" TERM; while :; do sleep 0.1; done')" "exited with status 2" \
	"xrt_xrtd_term on a process that fails on SIGTERM"
# ... and on one that exits 0 on SIGTERM: passes.
xrt_bg a xrtd-a sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
XRTD_PID_a=$XRT_LAST_PID
xrt_wait_for "[ -n \"\$(ps -o pid= --ppid $XRTD_PID_a)\" ]" 5 || xrt_fail "the stand-in did not start"
xrt_xrtd_term a 5
xrt_pass "xrt_wait_pid: 0, 3, 127 (not found), 124 (bound), 137 (SIGKILL), 0 (gone non-child); xrt_cli_lacks; xrt_capture_wait: killed tcpdump; xrt_xrtd_term: ignored, killed, failed, clean"
