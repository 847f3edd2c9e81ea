#!/usr/bin/env bash
# xrt: the deployment files work as shipped: deploy/xrt.conf loads into xrtd
# (interface names substituted) and gives the routes it promises, and
# deploy/xrtd.service passes systemd-analyze verify.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd systemd-analyze
xrt_require_xrt

# The unit, with ExecStart pointing at this build instead of /usr/local.
unit=$XRT_TMP/xrtd.service
sed "s|/usr/local/sbin/|$XRT_BUILD/|" "$XRT_ROOT/deploy/xrtd.service" >"$unit"
# Its Documentation= names man pages: verify resolves them from deploy/man.
mkdir -p "$XRT_TMP/man/man5" "$XRT_TMP/man/man8"
cp "$XRT_ROOT"/deploy/man/*.8 "$XRT_TMP/man/man8/"
cp "$XRT_ROOT"/deploy/man/*.5 "$XRT_TMP/man/man5/"
out=$(MANPATH=$XRT_TMP/man systemd-analyze verify "$unit" 2>&1) ||
	xrt_fail "systemd-analyze verify xrtd.service: $out"
assert_eq "$out" "" "systemd-analyze verify warnings"
assert_contains "$(grep '^ExecStart=' "$XRT_ROOT/deploy/xrtd.service")" "-c /etc/xrt/xrt.conf" "unit ExecStart"
unit_text=$(cat "$XRT_ROOT/deploy/xrtd.service")
for want in "Type=notify" "ExecReload=/usr/local/sbin/xrt config reload" "ProtectSystem=strict" \
	"ReadWritePaths=/run/xrt" "NoNewPrivileges=yes" "CAP_NET_ADMIN CAP_NET_RAW CAP_BPF"; do
	assert_contains "$unit_text" "$want" "deploy/xrtd.service"
done

# The example configuration on a router whose eth0/eth1 are our veths.
xrt_topo_line
conf=$XRT_TMP/xrt.conf
sed -e "s/\beth0\b/$IF_RA/g" -e "s/\beth1\b/$IF_RB/g" "$XRT_ROOT/deploy/xrt.conf" >"$conf"
xrt_xrtd_start r -c "$conf"
links=$(xrt_cli r link show)
assert_contains "$links" "$IF_RA:" "link attached from xrt.conf"
assert_contains "$links" "$IF_RB:" "link attached from xrt.conf"
routes=$(xrt_cli r route show)
for want in "2001:db8:1::/64 dev $IF_RA" "2001:db8:2::/64 dev $IF_RB" \
	"2001:db8:100::/48 via 2001:db8:2::2 dev $IF_RB" \
	"default via 2001:db8:1::fffe dev $IF_RA metric 1024" \
	"blackhole 2001:db8:dead::/48" "unreachable 2001:db8:bad::/48" "prohibit 2001:db8:f00::/48"; do
	assert_contains "$routes" "$want" "route from xrt.conf"
done
# And it forwards: A reaches B through the connected routes.
xrt_cli_ok r neigh add 2001:db8:1::2 lladdr "$MAC_AR" dev "$IF_RA"
xrt_cli_ok r neigh add 2001:db8:2::2 lladdr "$MAC_BR" dev "$IF_RB"
out=$(xrt_exec a ping -6 -c 3 -i 0.1 -W 2 2001:db8:2::2) || xrt_fail "ping A -> B with xrt.conf failed: $out"
xrt_pass "deploy/xrt.conf loads and forwards; deploy/xrtd.service verifies"
