#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel + initramfs in QEMU with TCG (no host virtualization needed).
#
# usage: run-qemu.sh --cpu MODEL --kernel VMLINUZ --initrd INITRD
#                    --append CMDLINE --cpus N --mem MIB --out DIR
#                    --timeout SECONDS [--numa NODES]
#
# --numa 2: the RAM in NODES equal NUMA nodes (an SRAT from QEMU), every CPU
# on node 0, the other nodes memory only.
#
# The guest's ttyS0 goes to DIR/console.log and ttyS1 to DIR/results.log,
# both written as the guest writes them. A guest reboot or
# panic ends QEMU (-no-reboot).
#
# TCG runs single-threaded: with multi-threaded TCG the stock kvm-amd hung
# (both vCPUs spinning, no guest output) in a loop of VM creations in three
# of four runs; single-threaded, never.
#
# Exit status: 0 when the guest powered off,
# 124 on timeout, 1 otherwise.
set -euo pipefail

cpu= kernel= initrd= append= cpus=1 mem=512 out= timeout=600 numa=1
while [ $# -gt 0 ]; do
	case "$1" in
	--cpu) cpu=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--numa) numa=$2; shift 2 ;;
	*) echo "run-qemu.sh: unknown argument '$1'" >&2; exit 1 ;;
	esac
done
[ -n "$cpu" ] && [ -n "$kernel" ] && [ -n "$initrd" ] && [ -n "$out" ] ||
	{ echo "run-qemu.sh: --cpu, --kernel, --initrd and --out are required" >&2; exit 1; }
mkdir -p "$out"
numa_args=()
if [ "$numa" -gt 1 ]; then
	for ((n = 0; n < numa; n++)); do
		numa_args+=(-object "memory-backend-ram,id=ram$n,size=$((mem / numa))M")
		if [ $n = 0 ]; then
			numa_args+=(-numa "node,nodeid=0,cpus=0-$((cpus - 1)),memdev=ram0")
		else
			numa_args+=(-numa "node,nodeid=$n,memdev=ram$n")
		fi
	done
fi
: > "$out/console.log"
: > "$out/results.log"

set +e
timeout --kill-after=10 "$timeout" \
	qemu-system-x86_64 -accel tcg,thread=single -cpu "$cpu" -smp "$cpus" \
	-m "$mem" "${numa_args[@]}" -nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-serial "file:$out/console.log" -serial "file:$out/results.log" \
	2> "$out/emulator.log" < /dev/null
rc=$?
set -e
case $rc in
0) exit 0 ;;
124|137) exit 124 ;;
*) echo "run-qemu.sh: qemu exited with $rc (see $out/emulator.log)" >&2; exit 1 ;;
esac
