#!/usr/bin/env bash
# Builds build/bench/native: the native benchmark of the reclaim path (bench/native.c)
# against the hypervisor's own pure sources, -O2, same include flags as the Makefile's
# UCFLAGS minus the sanitizers, plus -DHOST_TEST.
#
# The pure sources call memset/memcpy; in the hypervisor those are kernel/string.c
# (rep stosq / rep movsq). So that the benchmark zeroes frames the way the hypervisor
# does, they are built with those calls renamed to bv_* and kernel/string.c is built
# with the same renaming. BENCH_LIBC_STRING=1 builds them against glibc instead.
#   usage: bench/build.sh        (env: CC, BENCH_LIBC_STRING)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CC=${CC:-gcc}
out=build/bench
obj=$out/obj
mkdir -p "$obj"

CFLAGS=(-std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra -Werror
	-Wno-unused-parameter -Iinclude -Iarch/x86/include -Iarch/x86 -DHOST_TEST)
# Every function kernel/string.c defines, so none of them clashes with glibc's.
RENAME=()
for f in memset memcpy memmove memcmp strlen strnlen strcmp strncmp strchr; do
	RENAME+=("-D$f=bv_$f")
done
# No _FORTIFY_SOURCE: its inline wrappers would call glibc's functions behind the renaming.
PURE_FLAGS=(-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=0)
if [[ ${BENCH_LIBC_STRING:-0} == 1 ]]; then
	BENCH_FLAGS=(-DBENCH_LIBC_STRING)
else
	PURE_FLAGS+=("${RENAME[@]}")
	BENCH_FLAGS=()
fi

# mm/dynmem*.c: dynmem may be split into several files
PURE=(mm/pmm.c mm/pt_walk.c mm/pt_range.c arch/x86/vmx/ept.c devices/virtqueue.c
	devices/virtio_mem_dev.c devices/virtio_balloon_req.c devices/con_limit.c mm/dynmem*.c)
objs=()
for src in "${PURE[@]}"; do
	o=$obj/$(echo "${src%.c}" | tr / _).o
	"$CC" "${CFLAGS[@]}" "${PURE_FLAGS[@]}" -c "$src" -o "$o"
	objs+=("$o")
done
# The hypervisor's string functions, freestanding as in the kernel build, renamed.
"$CC" -std=gnu11 -O2 -g -ffreestanding -fno-builtin -Wall -Wextra -Werror \
	-Iinclude/libc "${RENAME[@]}" -c kernel/string.c -o "$obj/kernel_string.o"
objs+=("$obj/kernel_string.o")
# Listed, not globbed: other benchmarks share bench/.
for src in bench/native.c bench/native_env.c bench/native_vq.c bench/native_measure.c \
	bench/native_limits.c bench/native_report.c bench/native_lazy.c bench/native_worst.c; do
	o=$obj/bench_$(basename "${src%.c}").o
	"$CC" "${CFLAGS[@]}" "${BENCH_FLAGS[@]}" -c "$src" -o "$o"
	objs+=("$o")
done
"$CC" -o "$out/native" "${objs[@]}"
echo "  built $out/native"
