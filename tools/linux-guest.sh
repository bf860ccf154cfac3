#!/usr/bin/env bash
# Fetch Debian 12's current cloud kernel and busybox-static and build the Linux guest kit
# in build/linux/: vmlinuz, initrd.img (busybox, the virtio modules, guest-linux/init and
# /bin/bvwork, built from guest-linux/bvwork.c with the host's gcc), VERSION.
# usage: tools/linux-guest.sh        (make linux-guest)
#   Cached: with the kit present it only says so; a changed guest-linux/init or bvwork.c
#   rebuilds initrd.img.
#   env LINUX_GUEST_REFRESH=1 downloads again (the metapackage may point at a newer kernel).
# Exit status: 0 = kit built or up to date, 1 = download or build failed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/linux
meta=linux-image-cloud-amd64
init=$root/guest-linux/init
bvwork=$root/guest-linux/bvwork.c
# Load order, from the kernel's modules.dep: each needs only those before it.
modules=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_balloon virtio_mem)

die() {
	echo "linux-guest: $*" >&2
	exit 1
}
# apt's own explanation from $log, on one line: its first error, else its first warning.
reason() {
	local r
	r=$(grep -m1 '^E:' "$log" || grep -m1 '^W:' "$log") || true
	r=${r#?: }
	echo "${r:0:240}"
}
cannot() {
	die "cannot download $meta from Debian's mirrors: $1; check the network and apt's sources," \
		"or bring your own kernel (docs/LINUX-KIT.md)"
}
# The package lists, as tools/deps.sh updates them: as root, or with sudo.
apt_update() {
	local as_root=() why
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || cannot "apt-get update needs root (run it as root once)"
		as_root=(sudo -n)
	fi
	echo "linux-guest: apt-get update"
	if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1; then
		why=$(reason)
		cannot "${why:-apt-get update failed}"
	fi
}
# The versioned kernel package the metapackage depends on now, e.g. linux-image-6.1.0-57-cloud-amd64.
kernel_package() {
	{ apt-cache depends "$meta" 2>/dev/null || true; } |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}
download() {
	rm -rf "$out/debs"
	mkdir -p "$out/debs"
	(cd "$out/debs" && apt-get download -q "$@") >"$log" 2>&1
}

fetch() {
	local kpkg why
	command -v apt-get >/dev/null || die "needs Debian's apt-get (or bring your own kernel: docs/LINUX-KIT.md)"
	: >"$log"
	# apt knows nothing on a fresh machine before its first update.
	if ! apt-cache show "$meta" >/dev/null 2>&1; then apt_update; fi
	kpkg=$(kernel_package)
	why=$(reason)
	[[ -n $kpkg ]] || cannot "${why:-apt has no such package (is this Debian 12?)}"
	echo "linux-guest: downloading $kpkg and busybox-static"
	if ! download "$kpkg" busybox-static; then
		# Old package lists name a version the mirror has dropped: update once and retry.
		apt_update
		kpkg=$(kernel_package)
		if ! download "$kpkg" busybox-static; then
			why=$(reason)
			cannot "${why:-apt-get download failed}"
		fi
	fi
	rm -rf "$out/root-kernel" "$out/root-busybox"
	dpkg -x "$out"/debs/"$kpkg"_*.deb "$out/root-kernel"
	dpkg -x "$out"/debs/busybox-static_*.deb "$out/root-busybox"

	local mods=("$out"/root-kernel/lib/modules/*/)
	local rel
	rel=$(basename "${mods[0]}")
	[[ -f $out/root-kernel/boot/vmlinuz-$rel ]] || die "$kpkg has no /boot/vmlinuz-$rel"
	cp "$out/root-kernel/boot/vmlinuz-$rel" "$out/vmlinuz"
	{
		echo "package=$kpkg"
		echo "version=$(dpkg-deb -f "$out"/debs/"$kpkg"_*.deb Version)"
		echo "release=$rel"
		echo "busybox=$(dpkg-deb -f "$out"/debs/busybox-static_*.deb Version)"
	} >"$out/VERSION"
}

# The memory workload, a static program: the initramfs has no libc. -s: a smaller initrd.
build_bvwork() {
	command -v gcc >/dev/null || die "gcc not found: bvwork is built with the host's gcc (run tools/deps.sh)"
	[[ $(gcc -print-file-name=libc.a) == /* ]] ||
		die "libc.a not found: bvwork is linked statically and needs libc6-dev (run tools/deps.sh)"
	if [[ ! -x $out/bvwork || $bvwork -nt $out/bvwork || ${BASH_SOURCE[0]} -nt $out/bvwork ]]; then
		gcc -static -O2 -Wall -Wextra -s -o "$out/bvwork.tmp" "$bvwork" || die "cannot build bvwork"
		mv "$out/bvwork.tmp" "$out/bvwork"
	fi
}

# A gzip'd newc cpio: busybox and its applet links, the virtio modules, /init, /bin/bvwork.
# /dev/console is not needed: the kernel's built-in initramfs has it, and this one is
# unpacked over it.
build_initrd() {
	local st=$out/initramfs rel m f
	command -v cpio >/dev/null || die "cpio not found (run tools/deps.sh)"
	rel=$(sed -n 's/^release=//p' "$out/VERSION")
	rm -rf "$st"
	mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,lib/modules}
	cp "$out/root-busybox/bin/busybox" "$st/bin/busybox"
	# What `busybox --install -s` would do at boot, done once here (bin/sh, sbin/insmod, ...).
	"$st/bin/busybox" --list-full | while read -r f; do
		[[ -e $st/$f ]] || ln -s /bin/busybox "$st/$f"
	done
	for m in "${modules[@]}"; do
		f=$(find "$out/root-kernel/lib/modules/$rel" -name "$m.ko*" -print -quit)
		if [[ -z $f ]]; then
			echo "linux-guest: warning: $m is not a module of $rel; the initramfs goes without it" >&2
			continue
		fi
		cp "$f" "$st/lib/modules/"
	done
	install -m 0755 "$init" "$st/init"
	build_bvwork
	install -m 0755 "$out/bvwork" "$st/bin/bvwork"
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -9 -n >"$out/initrd.img.tmp"
	mv "$out/initrd.img.tmp" "$out/initrd.img"
}

mkdir -p "$out"
log=$out/apt.log
# initrd.img follows guest-linux/init, bvwork.c and this script; kernel and busybox are
# fetched only when missing, or to refresh.
stale=0 get=0
if [[ ! -s $out/initrd.img || $init -nt $out/initrd.img || $bvwork -nt $out/initrd.img ||
	${BASH_SOURCE[0]} -nt $out/initrd.img ]]; then
	stale=1
fi
if [[ ${LINUX_GUEST_REFRESH:-0} == 1 || ! -s $out/VERSION || ! -s $out/vmlinuz ]]; then get=1; fi
if ((stale)) && [[ ! -x $out/root-busybox/bin/busybox || ! -d $out/root-kernel/lib/modules ]]; then
	get=1
fi
if ((get)); then fetch; fi
summary="$(sed -n 's/^package=//p' "$out/VERSION") $(sed -n 's/^version=//p' "$out/VERSION")"
if ((get || stale)); then
	build_initrd
	echo "linux-guest: built ${out#"$root"/}: vmlinuz, initrd.img ($(($(stat -c %s "$out/initrd.img") / 1024)) KiB), $summary"
else
	echo "linux-guest: ${out#"$root"/} is up to date ($summary); LINUX_GUEST_REFRESH=1 fetches again"
fi
