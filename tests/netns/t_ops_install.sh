#!/usr/bin/env bash
# xrt: `make install DESTDIR=D PREFIX=/usr` lays out exactly the expected
# files; the installed xrt/xrtd print VERSION; the man pages render without
# warnings; the installed unit verifies; the bash completion completes; the
# installed xrtd finds its object beside its sbin/ and serves `xrt link show`.
source "$(dirname "$0")/lib.sh"
xrt_require_cmd make groff man systemd-analyze
xrt_require_file /usr/share/bash-completion/bash_completion

version=$(cat "$XRT_ROOT/VERSION")
dest=$XRT_TMP/dest
out=$(make -s --no-print-directory -C "$XRT_ROOT" install DESTDIR="$dest" PREFIX=/usr 2>&1) ||
	xrt_fail "make install failed: $out"

expected="./etc/xrt/xrt.conf
./usr/lib/systemd/system/xrtd.service
./usr/lib/xrt/libxrt-sock.so
./usr/lib/xrt/xrt_fwd.bpf.o
./usr/sbin/xrt
./usr/sbin/xrtd
./usr/share/bash-completion/completions/xrt
./usr/share/doc/xrt/README.md
./usr/share/doc/xrt/examples/xrt.conf
./usr/share/man/man5/xrt.conf.5
./usr/share/man/man8/xrt.8
./usr/share/man/man8/xrtd.8"
got=$(cd "$dest" && find . ! -type d | sort)
assert_eq "$got" "$expected" "files installed by make install"
assert_eq "$(stat -c %a "$dest/usr/sbin/xrtd")" 755 "xrtd mode"
assert_eq "$(stat -c %a "$dest/usr/lib/systemd/system/xrtd.service")" 644 "unit mode"

# An edited /etc/xrt/xrt.conf survives a second install.
echo "# mine" >"$dest/etc/xrt/xrt.conf"
make -s --no-print-directory -C "$XRT_ROOT" install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 ||
	xrt_fail "second make install failed"
assert_eq "$(cat "$dest/etc/xrt/xrt.conf")" "# mine" "existing /etc/xrt/xrt.conf kept"

assert_eq "$("$dest/usr/sbin/xrtd" --version)" "xrtd $version" "xrtd --version"
assert_eq "$("$dest/usr/sbin/xrt" --version)" "xrt $version" "xrt --version"
assert_eq "$("$dest/usr/sbin/xrt" -V)" "xrt $version" "xrt -V"

# Man pages: no groff warning, and man(1) renders each one.
for m in man8/xrt.8 man8/xrtd.8 man5/xrt.conf.5; do
	out=$(groff -man -ww -z "$dest/usr/share/man/$m" 2>&1) || xrt_fail "groff $m: $out"
	assert_eq "$out" "" "groff -man -ww warnings in $m"
	out=$(MANWIDTH=80 man -l "$dest/usr/share/man/$m" 2>&1 >/dev/null)
	assert_eq "$out" "" "man -l warnings in $m"
done
assert_contains "$(MANWIDTH=80 man -l "$dest/usr/share/man/man8/xrt.8" 2>/dev/null)" \
	"route summary" "xrt(8) documents route summary"

# The installed unit: PREFIX substituted, verifies, its man: links resolve.
unit=$dest/usr/lib/systemd/system/xrtd.service
assert_contains "$(grep '^ExecStart=' "$unit")" "/usr/sbin/xrtd -f -c /etc/xrt/xrt.conf" "unit ExecStart"
assert_contains "$(grep '^ExecReload=' "$unit")" "/usr/sbin/xrt config reload" "unit ExecReload"
assert_not_contains "$(cat "$unit")" "/usr/local" "unit without /usr/local"
vunit=$XRT_TMP/xrtd.service
sed "s|/usr/sbin/|$dest/usr/sbin/|g" "$unit" >"$vunit"
out=$(MANPATH=$dest/usr/share/man systemd-analyze verify "$vunit" 2>&1) ||
	xrt_fail "systemd-analyze verify installed unit: $out"
assert_eq "$out" "" "systemd-analyze verify warnings"

# Bash completion: objects, verbs, and `dev` completes interface names.
comp() {
	bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _xrt; echo "${COMPREPLY[*]}"' \
		_ "$dest/usr/share/bash-completion/completions/xrt" "$@"
}
assert_eq "$(comp xrt "")" "link addr route neigh stats sync punt ra icmp config monitor trace acl rule" "completion: objects"
assert_eq "$(comp xrt -j ro "")" "add del replace show get flush summary" "completion: route verbs"
assert_eq "$(comp xrt link attach dev l)" "lo" "completion: dev"
assert_contains "$(comp xrt --so)" "--socket" "completion: --socket"

# The installed xrtd, without --obj, in a namespace of its own.
xrt_router_ns r
xrt_bpffs r
xrt_bg r xrtd-r "$dest/usr/sbin/xrtd" -f --bpffs "$(xrt_bpffs_dir r)"
pid=$XRT_LAST_PID
xrt_wait_for "ip netns exec $(xrt_ns r) $dest/usr/sbin/xrt link show" 10 ||
	xrt_fail "installed xrtd did not answer: $(cat "$XRT_TMP/xrtd-r.log")"
assert_contains "$(cat "$XRT_TMP/xrtd-r.log")" "obj $dest/usr/sbin/../lib/xrt/xrt_fwd.bpf.o" \
	"installed xrtd loads the object beside its sbin/"
xrt_stop "$pid"
xrt_pass "make install lays out $(wc -l <<<"$expected") files; --version, man pages, unit, completion and the installed xrtd work"
