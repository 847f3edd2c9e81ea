#!/usr/bin/env bash
# xrt: mirror mode (sync kernel on) gives local traffic to the kernel, except
# for the addresses xrtd claims (`xrt addr add ADDR/PLEN dev D claim`, an
# xrt_local6 entry): a packet to a claimed address is punted LOCAL and
# answered by xrtd, one to the kernel's address goes to the kernel
# (pass kernel_local); `addr del` releases the claim.
#
#   a -- r      r: kernel owns 2001:db8:1::1; xrtd claims 2001:db8:1::99
XRT_PREFIX_BASE=${XRT_PREFIX_BASE:-xd}
source "$(dirname "$0")/lib.sh"
xrt_require_xrt
xrt_require_cmd ping

xrt_router_ns r; xrt_host_ns a
xrt_link a r
RA=$(xrt_if r a) AR=$(xrt_if a r)
MAC_RA=$(xrt_mac r "$RA") MAC_AR=$(xrt_mac a "$AR")
xrt_host a "$AR" 2001:db8:1::2/64
ip -n "$(xrt_ns r)" -6 addr add 2001:db8:1::1/64 dev "$RA" nodad
# No ND needed either way: the neighbour is mirrored into xrt too.
xrt_static_neigh r "$RA" 2001:db8:1::2 "$MAC_AR"
xrt_static_neigh a "$AR" 2001:db8:1::1 "$MAC_RA"
xrt_static_neigh a "$AR" 2001:db8:1::99 "$MAC_RA"
xrt_xrtd_start r --sync-kernel
xrt_cli_ok r link attach dev "$RA"
assert_contains "$(xrt_cli r link show dev "$RA")" "kernel-local" "mirror mode"
xrt_wait_for "xrt_cli r addr show | grep -q '2001:db8:1::1/64'" 5 || xrt_fail "kernel address not mirrored"

xrt_cli_ok r addr add 2001:db8:1::99/64 dev "$RA" claim
assert_contains "$(xrt_cli r addr show dev "$RA")" "inet6 2001:db8:1::99/64 scope global claim" "addr show: claim"
assert_not_contains "$(xrt_cli r addr show dev "$RA" | grep '2001:db8:1::1/')" "claim" "kernel address not claimed"
assert_eq "$(xrt_cli r -j addr show dev "$RA" | "$XRT_PY" -c 'import json,sys; print([a["local"] for a in json.load(sys.stdin)[0]["addr_info"] if a["claim"]])')" \
	"['2001:db8:1::99']" "addr show -j: claim"
out=$(xrt_cli r addr del 2001:db8:1::99/64 dev "$RA" claim 2>&1) && xrt_fail "claim accepted on del"
assert_contains "$out" '"claim" goes with addr add' "claim on del"

# The kernel's address: passed to the kernel, which answers.
local0=$(xrt_fp_stat r punt:local) kl0=$(xrt_fp_stat r pass:kernel_local)
kin0=$(xrt_snmp6 r Icmp6InEchos)
out=$(xrt_exec a ping -6 -n -c 3 -i 0.1 -W 2 2001:db8:1::1) || xrt_fail "ping to the kernel's address: $out"
assert_ge "$(($(xrt_fp_stat r pass:kernel_local) - kl0))" 3 "to the kernel's address: pass kernel_local"
assert_eq "$(($(xrt_fp_stat r punt:local) - local0))" 0 "to the kernel's address: no LOCAL punt"
assert_eq "$(($(xrt_snmp6 r Icmp6InEchos) - kin0))" 3 "the kernel got the echoes"

# The claimed address: punted LOCAL, answered by xrtd, the kernel sees none.
local0=$(xrt_fp_stat r punt:local) kl0=$(xrt_fp_stat r pass:kernel_local)
kin0=$(xrt_snmp6 r Icmp6InEchos)
sout0=$(xrt_cli r stats | awk '$1 == "Icmp6OutEchoReplies" {print $2}')
out=$(xrt_exec a ping -6 -n -c 3 -i 0.1 -W 2 2001:db8:1::99) || xrt_fail "ping to the claimed address: $out"
assert_eq "$(($(xrt_fp_stat r punt:local) - local0))" 3 "to the claimed address: punt LOCAL"
assert_eq "$(($(xrt_fp_stat r pass:kernel_local) - kl0))" 0 "to the claimed address: nothing to the kernel"
assert_eq "$(($(xrt_snmp6 r Icmp6InEchos) - kin0))" 0 "the kernel got no echo"
sout=$(xrt_cli r stats | awk '$1 == "Icmp6OutEchoReplies" {print $2}')
assert_eq "$((sout - sout0))" 3 "xrtd answered the echoes"

# Released: the xrt_local6 entry goes with the address.
l6() { bpftool -j map dump pinned "$(xrt_pin_dir r)/xrt_local6" | "$XRT_PY" -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
assert_eq "$(l6)" 1 "one claim in xrt_local6"
xrt_cli_ok r addr del 2001:db8:1::99/64 dev "$RA"
assert_eq "$(l6)" 0 "addr del released the claim"
local0=$(xrt_fp_stat r punt:local)
xrt_exec a ping -6 -n -c 2 -i 0.1 -W 1 2001:db8:1::99 >/dev/null 2>&1 && xrt_fail "a released address answered"
assert_eq "$(($(xrt_fp_stat r punt:local) - local0))" 0 "released: no LOCAL punt"

# From a configuration file: a reload makes the file's "claim" the truth,
# releasing the claim of an address the file keeps without it.
xrt_xrtd_stop r
CONF=$XRT_TMP/xrt.conf
printf 'link attach dev %s\naddr add 2001:db8:1::99/64 dev %s claim\n' "$RA" "$RA" >"$CONF"
xrt_xrtd_start r --sync-kernel -c "$CONF"
assert_contains "$(xrt_cli r addr show dev "$RA")" "2001:db8:1::99/64 scope global claim" "claimed from the file"
assert_eq "$(l6)" 1 "the file's claim in xrt_local6"
printf 'link attach dev %s\naddr add 2001:db8:1::99/64 dev %s\n' "$RA" "$RA" >"$CONF"
xrt_cli_ok r config reload
assert_eq "$(l6)" 0 "reload released the claim the file dropped"
assert_contains "$(xrt_cli r addr show dev "$RA")" "2001:db8:1::99/64 scope global" "the address stays"
assert_not_contains "$(xrt_cli r addr show dev "$RA" | grep '2001:db8:1::99/')" "claim" "no claim shown"
printf 'link attach dev %s\naddr add 2001:db8:1::99/64 dev %s claim\n' "$RA" "$RA" >"$CONF"
xrt_cli_ok r config reload
assert_eq "$(l6)" 1 "reload claimed it again"
xrt_pass "mirror mode: claimed address punted LOCAL and answered by xrtd, kernel address passed to the kernel, claim released by addr del and by a reload that drops it"
