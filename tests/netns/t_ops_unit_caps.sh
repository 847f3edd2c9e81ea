#!/usr/bin/env bash
# xrt: xrtd runs with exactly the capabilities deploy/xrtd.service bounds it to
# (CapabilityBoundingSet, read from the unit): it starts, forwards, answers
# ping and serves the CLI; with any one of them taken away it refuses to start
# or fails its first attach, with an error naming the step. (systemd is not
# PID 1 on the CI machines, so the unit itself is checked by
# `systemd-analyze verify` in t_ops_install; this proves its capability set.)
source "$(dirname "$0")/lib.sh"
xrt_require_xrt
xrt_require_cmd setpriv capsh

unit=$XRT_ROOT/deploy/xrtd.service
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[ -n "$caps" ] || xrt_fail "no CapabilityBoundingSet in $unit"
# Capabilities this machine's root lacks cannot be given (some container
# hosts withhold CAP_SYS_RESOURCE): they are named and left out.
have=$(capsh --decode="$(awk '/^CapBnd:/ {print $2}' /proc/self/status)" | sed 's/.*=//')
avail=
for c in $caps; do
	if [[ ",$have," == *",${c,,},"* ]]; then
		avail="$avail $c"
	else
		echo "note: $c is not in this machine's bounding set; not checked"
	fi
done
caps=$avail
# setpriv's form: -all,+net_admin,+bpf,...
bset=-all
for c in $caps; do
	c=${c#CAP_}
	bset="$bset,+${c,,}"
done

xrt_topo_line
xrt_bpffs "$TOPO_R"
conf=$XRT_TMP/xrtd.conf
xrt_topo_line_conf "$conf"

# start_bounded BSET NAME: xrtd under `setpriv --bounding-set BSET` (root's
# effective set after exec is its bounding set).
start_bounded() {
	xrt_bg "$TOPO_R" "$2" setpriv --bounding-set "$1" --inh-caps -all \
		"$XRT_BUILD/xrtd" -f -c "$conf" --bpffs "$(xrt_bpffs_dir "$TOPO_R")" --obj "$XRT_FWD_OBJ"
}

start_bounded "$bset" xrtd-bounded
pid=$XRT_LAST_PID
xrt_wait_for "xrt_cli $TOPO_R link show" 10 ||
	xrt_fail "xrtd with the unit's capabilities did not answer: $(cat "$XRT_TMP/xrtd-bounded.log")"
# The process really runs with only those capabilities.
eff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
want=$(capsh --decode="$eff" | sed 's/.*=//')
for c in $caps; do
	assert_contains "$want" "${c,,}" "CapEff holds $c"
done
assert_not_contains "$want" "cap_sys_module" "CapEff has no CAP_SYS_MODULE"
assert_not_contains "$want" "cap_dac_override" "CapEff has no CAP_DAC_OVERRIDE"
# It forwards in XDP and answers through AF_XDP (the slow path).
xrt_exec "$TOPO_A" ping -6 -c 3 -i 0.2 -W 2 2001:db8:b::1 >/dev/null ||
	xrt_fail "no forwarding with the unit's capabilities"
xrt_exec "$TOPO_A" ping -6 -c 2 -i 0.2 -W 2 2001:db8:1::1 >/dev/null ||
	xrt_fail "the router does not answer ping with the unit's capabilities"
assert_contains "$(xrt_cli "$TOPO_R" route show)" "2001:db8:b::/64 via 2001:db8:2::2" "CLI with the unit's capabilities"
xrt_stop "$pid"

# Each capability is needed: without it xrtd fails at start, with an error
# (negative controls: the set is not larger than it must be, as far as a
# start, an attach and a ping can show).
needed=0
for c in $caps; do
	c=${c#CAP_}
	less=${bset/,+${c,,}/}
	start_bounded "$less" "xrtd-no-${c,,}"
	p=$XRT_LAST_PID
	rc=0
	xrt_wait_pid "$p" 10 || rc=$?
	if [ "$rc" != 124 ]; then
		# Exited at start: with an error status and a message.
		[ "$rc" != 0 ] || xrt_fail "xrtd without CAP_$c exited 0 at start: $(cat "$XRT_TMP/xrtd-no-${c,,}.log")"
		[ -s "$XRT_TMP/xrtd-no-${c,,}.log" ] || xrt_fail "xrtd without CAP_$c exited $rc and said nothing"
		needed=$((needed + 1))
		continue
	fi
	# Still running: it must at least have failed to serve a router.
	if ! xrt_exec "$TOPO_A" ping -6 -c 2 -i 0.2 -W 1 2001:db8:1::1 >/dev/null 2>&1; then
		needed=$((needed + 1))
	else
		echo "note: xrtd runs and answers without CAP_$c (start, attach, ping)"
	fi
	xrt_stop "$p"
done
assert_ge "$needed" 3 "capabilities whose removal breaks xrtd"
xrt_pass "xrtd with exactly the unit's $(wc -w <<<"$caps") capabilities starts, forwards, answers ping and serves the CLI; $needed of them are each needed"
