#!/usr/bin/env bash
# Checks a package built by packaging/build-deb.sh the way a clean Debian machine would see it:
#   1. its contents (binary, unit, conffile, man page, completions, docs);
#   2. the binary links no Swift library (ldd shows libc and friends only);
#   3. `dpkg --root` installs it into an empty root; the binary then runs in a chroot that holds
#      only the package and the shared libraries ldd names, i.e. no Swift toolchain at all:
#      `floatip --help`, `floatip version`, and `floatip check-config /etc/floatip/floatip.yaml`
#      on the packaged example config.
#   packaging/check-deb.sh out/floatip_0.1.0_amd64.deb        (root, for dpkg --root and chroot)
set -euo pipefail
deb=${1:?usage: packaging/check-deb.sh FLOATIP.deb}
fail() { printf 'check-deb: FAIL: %b\n' "$*" >&2; exit 1; }

contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/floatip ./usr/lib/systemd/system/floatip.service ./etc/floatip/floatip.yaml \
    ./usr/share/man/man8/floatip.8.gz ./usr/share/bash-completion/completions/floatip \
    ./usr/share/zsh/vendor-completions/_floatip ./usr/share/fish/vendor_completions.d/floatip.fish \
    ./usr/share/doc/floatip/README.md ./usr/share/doc/floatip/operations.md; do
    grep -q " $path\$" <<< "$contents" || fail "$path is not in the package"
done
grep -q ' root/root .* ./usr/bin/floatip$' <<< "$contents" || fail "files must belong to root"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/floatip/floatip.yaml ] || fail "conffiles"
# The unit's SupplementaryGroups=floatip needs the group: the postinst creates it.
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst | grep -q 'addgroup --system floatip' \
    || fail "the postinst does not create group floatip (the unit's SupplementaryGroups)"
echo "contents: ok ($(wc -l <<< "$contents") entries)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status"
# libc6 & co. are not in the empty root: their absence is expected (--force-depends); the
# maintainer scripts run outside it and see DPKG_ROOT.
dpkg --root="$root" --force-depends --force-script-chrootless --log=/dev/null -i "$deb" >"$work/dpkg.log" 2>&1 \
    || fail "dpkg --root -i: $(cat "$work/dpkg.log")"
dpkg --root="$root" -s floatip | grep -q '^Status: install ok installed' || fail "dpkg --root did not install it"
echo "dpkg --root: installed ($(dpkg --root="$root" -s floatip | sed -n 's/^Depends: //p'))"

libs=$(ldd "$root/usr/bin/floatip")
if grep -Eiq 'swift|libFoundation|libdispatch|libBlocksRuntime|icu' <<< "$libs"; then
    fail "the binary links toolchain libraries:\n$libs"
fi
grep -q 'not found' <<< "$libs" && fail "unresolved libraries:\n$libs"
echo "ldd: $(awk '{ print $1 }' <<< "$libs" | paste -sd' ')"

# The chroot: the package, the libraries ldd names (and the loader), /dev/null and /dev/urandom.
for lib in $(awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }' <<< "$libs"); do
    install -D "$lib" "$root$lib"
    real=$(readlink -f "$lib")
    [ "$real" = "$lib" ] || install -D "$real" "$root$real"
done
mkdir -p "$root/dev" "$root/tmp"
mknod -m 666 "$root/dev/null" c 1 3
mknod -m 444 "$root/dev/urandom" c 1 9
head -c 32 /dev/urandom | base64 > "$root/etc/floatip/secret"
chmod 600 "$root/etc/floatip/secret"
mkdir -p "$root/proc"
chroot=$(PATH="$PATH:/usr/sbin:/sbin" command -v chroot) || fail "chroot not found (coreutils)"
# Swift reads its arguments from /proc/self/cmdline: mount /proc, in a mount namespace of the
# command's own (unshare), so nothing is left mounted whatever happens.
in_root() {
    unshare --mount --propagation private -- bash -c \
        'mount -t proc proc "$0/proc" && exec env -i PATH=/usr/bin:/bin "$1" "$0" "${@:2}"' "$root" "$chroot" "$@"
}
help=$(in_root /usr/bin/floatip --help) || fail "floatip --help in the chroot"
grep -q 'SUBCOMMANDS:' <<< "$help" || fail "floatip --help in the chroot: $help"
usage=$(in_root /usr/bin/floatip check-config --help) || fail "floatip check-config --help in the chroot"
grep -q 'USAGE: floatip check-config' <<< "$usage" || fail "floatip check-config --help in the chroot: $usage"
version=$(in_root /usr/bin/floatip version)
# A package is built from a git checkout: its binary names the commit and the build date.
grep -Eq '^floatip [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{12}(-dirty)?, built [0-9]{4}-[0-9]{2}-[0-9]{2}T' <<< "$version" \
    || fail "floatip version is not stamped: $version"
echo "chroot: $version"
checked=$(in_root /usr/bin/floatip check-config /etc/floatip/floatip.yaml 2>&1) || fail "check-config: $checked"
echo "chroot: $checked"
echo "check-deb: ok"
