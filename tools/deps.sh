#!/usr/bin/env bash
# Install the build and test dependencies from Debian's apt when some are missing.
# usage: tools/deps.sh        (silent and fast when everything is installed: runs at every make run/test)
#   env SKIP_DEPS=1 skips the check (non-Debian hosts with the tools installed by hand).
set -euo pipefail

# libc6-dev: gcc only recommends it, and --no-install-recommends would leave the unit tests
# without libc headers, and tools/linux-guest.sh without the libc.a that links the guest's
# bvwork statically. bochs-sdl gives the sdl2 display that runs headless with SDL_VIDEODRIVER=dummy.
# python3: tools/bvrelay (every emulator run goes through it) and tools/bvctl.
# cpio: tools/linux-guest.sh packs the Linux guest's initramfs with it (gzip and dpkg-deb are essential).
# clang, libclang-rt-14-dev: the libFuzzer harnesses (tests/fuzz/); libFuzzer's runtime is in the
# second, which clang only recommends.
pkgs=(gcc libc6-dev binutils make grub-pc-bin grub-common xorriso mtools
	bochs bochsbios vgabios bochs-sdl qemu-system-x86 libcmocka-dev coreutils
	python3 python3-matplotlib cpio clang libclang-rt-14-dev)

if [[ ${SKIP_DEPS:-0} == 1 ]]; then
	exit 0
fi
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "deps: not a Debian system (no dpkg-query/apt-get); install the equivalents of:" >&2
	echo "deps:   ${pkgs[*]}" >&2
	echo "deps: then run with SKIP_DEPS=1" >&2
	exit 1
fi

# One dpkg-query for all: "ii" = installed and configured; unknown names print nothing.
declare -A ok=()
while read -r name status; do
	if [[ $status == ii ]]; then ok[$name]=1; fi
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	if [[ -z ${ok[$p]:-} ]]; then missing+=("$p"); fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

echo "deps: installing ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
	as_root=()
elif command -v sudo >/dev/null; then
	# -n without a terminal (CI): fail instead of waiting for a password nobody can type.
	if [[ -t 0 ]]; then as_root=(sudo); else as_root=(sudo -n); fi
else
	echo "deps: not root and no sudo; as root, run:" >&2
	echo "deps:   apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
# env: sudo would drop DEBIAN_FRONTEND from the environment.
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
	! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
	echo "deps: apt-get failed; install by hand: ${missing[*]}" >&2
	exit 1
fi
