#!/usr/bin/env bash
# xrt: `make deb` builds a Debian package whose control file and contents
# are as intended; dpkg installs it into a scratch root (never /), and the
# installed xrtd prints VERSION, starts in a namespace with its own bpffs,
# answers `xrt link show` and attaches a link.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd make dpkg dpkg-deb

version=$(cat "$XRT_ROOT/VERSION")
arch=$(dpkg --print-architecture)
out=$(make -s --no-print-directory -C "$XRT_ROOT" deb 2>&1) || xrt_fail "make deb failed: $out"
deb=$XRT_ROOT/build/xrt_${version}_${arch}.deb
xrt_require_file "$deb"

assert_eq "$(dpkg-deb -f "$deb" Package)" xrt "Package"
assert_eq "$(dpkg-deb -f "$deb" Version)" "$version" "Version"
assert_eq "$(dpkg-deb -f "$deb" Architecture)" "$arch" "Architecture"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libbpf1 libxdp1 libelf1 zlib1g libmnl0 libjson-c5 iproute2; do
	assert_contains "$depends" "$lib" "Depends"
done
assert_contains "$(dpkg-deb -I "$deb")" "conffiles" "control archive has conffiles"
assert_eq "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" "/etc/xrt/xrt.conf" "conffiles"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/sbin/xrtd ./usr/sbin/xrt ./usr/lib/xrt/xrt_fwd.bpf.o ./usr/lib/xrt/libxrt-sock.so \
	./usr/lib/systemd/system/xrtd.service ./etc/xrt/xrt.conf ./usr/share/man/man8/xrt.8 \
	./usr/share/man/man8/xrtd.8 ./usr/share/man/man5/xrt.conf.5 \
	./usr/share/bash-completion/completions/xrt ./usr/share/doc/xrt/examples/xrt.conf; do
	assert_match "$contents" " $f\$" "dpkg-deb -c lists $f"
done
assert_not_contains "$contents" "/usr/local" "nothing under /usr/local"
assert_match "$contents" "root/root +[0-9]+ .* \./usr/sbin/xrtd$" "files owned by root"

# Install into a scratch root with its own dpkg database: the run-time
# libraries are the host's, so dependencies are not checked there.
root=$XRT_TMP/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
out=$(dpkg --root="$root" --force-not-root --force-depends --log=/dev/null -i "$deb" 2>&1) ||
	xrt_fail "dpkg --root -i failed: $out"
assert_contains "$(dpkg --root="$root" -s xrt 2>&1)" "Status: install ok installed" "dpkg -s in the scratch root"
assert_contains "$(dpkg --root="$root" -L xrt)" "/usr/sbin/xrtd" "dpkg -L"
assert_eq "$("$root/usr/sbin/xrtd" --version)" "xrtd $version" "installed xrtd --version"
assert_eq "$("$root/usr/sbin/xrt" --version)" "xrt $version" "installed xrt --version"
x=$XRT_TMP/x
dpkg -x "$deb" "$x"
cmp -s "$x/usr/sbin/xrtd" "$root/usr/sbin/xrtd" || xrt_fail "dpkg -x and dpkg -i give different xrtd"

# Smoke: the packaged daemon and CLI in a router namespace.
xrt_router_ns r
xrt_host_ns a
xrt_link a r
xrt_bpffs r
xrt_bg r xrtd-r "$root/usr/sbin/xrtd" -f --bpffs "$(xrt_bpffs_dir r)"
pid=$XRT_LAST_PID
pxrt() { ip netns exec "$(xrt_ns r)" "$root/usr/sbin/xrt" "$@"; }
xrt_wait_for "pxrt link show" 10 || xrt_fail "packaged xrtd did not answer: $(cat "$XRT_TMP/xrtd-r.log")"
assert_contains "$(cat "$XRT_TMP/xrtd-r.log")" "obj $root/usr/sbin/../lib/xrt/xrt_fwd.bpf.o" "packaged object used"
out=$(pxrt link attach dev "$(xrt_if r a)" 2>&1) || xrt_fail "packaged xrt link attach: $out"
assert_contains "$(pxrt link show)" "$(xrt_if r a)" "packaged xrt link show"
xrt_stop "$pid"
out=$(dpkg --root="$root" --force-not-root --log=/dev/null -P xrt 2>&1) || xrt_fail "dpkg -P: $out"
[ ! -e "$root/usr/sbin/xrtd" ] || xrt_fail "dpkg -P left /usr/sbin/xrtd"
xrt_pass "make deb: control, contents, dpkg --root install/purge and the packaged xrtd work"
