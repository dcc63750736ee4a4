#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel + initramfs in Bochs, emulating an Intel corei7_skylake_x
# (VMX with EPT, unrestricted guest and VPID): the only emulator here that
# offers VMX.
#
# usage: run-bochs.sh --kernel VMLINUZ --initrd INITRD --append CMDLINE
#                     --cpus N --mem MIB --out DIR --timeout SECONDS
#
# Bochs has no -kernel: the kernel and initramfs go on an isolinux ISO.
# Debian's Bochs is built with its debugger (it stops at the first
# instruction unless told `c`), has no headless display but `term`, which
# needs a terminal with a size (hence `script`), and its sound thread aborts
# unless sound is the dummy driver.
#
# The guest's COM1 (ttyS0) goes to DIR/console.log and COM2 (ttyS1) to
# DIR/results.log; Bochs's own log to DIR/bochs.log and its screen to
# DIR/screen.log. Bochs does not exit on every way a guest can end, so this
# script watches: TESTVM-END on COM2 means the guest is powering off; a
# panic or reboot message on the console means it will not finish.
# Exit status: 0 when the guest reached TESTVM-END, 124 on timeout, 1 when
# it panicked, rebooted or Bochs failed.
set -euo pipefail

kernel= initrd= append= cpus=1 mem=512 out= timeout=600
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) echo "run-bochs.sh: unknown argument '$1'" >&2; exit 1 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$initrd" ] && [ -n "$out" ] ||
	{ echo "run-bochs.sh: --kernel, --initrd and --out are required" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
: > "$out/console.log"
: > "$out/results.log"

# The boot ISO.
iso_root=$out/iso
rm -rf "$iso_root"
mkdir -p "$iso_root/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	"$iso_root/isolinux/"
cp "$kernel" "$iso_root/vmlinuz"
cp "$initrd" "$iso_root/initrd.gz"
cat > "$iso_root/isolinux/isolinux.cfg" <<EOF
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz $append
EOF
xorriso -as mkisofs -quiet -o "$out/boot.iso" -b isolinux/isolinux.bin \
	-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
	"$iso_root" 2> "$out/xorriso.log"

cat > "$out/bochsrc" <<EOF
megs: $mem
cpu: model=corei7_skylake_x, count=$cpus, ips=100000000, reset_on_triple_fault=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
pci: enabled=1, chipset=i440fx
ata0-master: type=cdrom, path=$out/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$out/console.log
com2: enabled=1, mode=file, dev=$out/results.log
display_library: term
sound: driver=dummy
speaker: enabled=0
mouse: enabled=0
clock: sync=none, time0=local
log: $out/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
EOF
echo c > "$out/bochs.rc"

# Bochs in its own session so that it and its children can be killed.
setsid script -q -e -c "stty cols 80 rows 25; exec bochs -q -f '$out/bochsrc' -rc '$out/bochs.rc'" \
	/dev/null < /dev/null > "$out/screen.log" 2>&1 &
pid=$!

stop() {
	kill -TERM -- -"$pid" 2> /dev/null || true
	for _ in 1 2 3 4 5; do
		kill -0 "$pid" 2> /dev/null || return 0
		sleep 1
	done
	kill -KILL -- -"$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
}

# The term display opens a pseudo-terminal of its own for the emulated
# screen ('Bochs connected to screen "/dev/pts/N"') and writes to it; with
# nobody reading it, its buffer fills after some minutes and Bochs blocks.
# Read and drop it (the VGA screen holds nothing the tests need).
drain=
start_drain() {
	local pts

	pts=$(sed -n 's/^Bochs connected to screen "\(\/dev\/pts\/[0-9]*\)".*/\1/p' \
		"$out/screen.log" | head -n1)
	[ -n "$pts" ] || return 0
	cat "$pts" > /dev/null 2>&1 &
	drain=$!
}

deadline=$(( $(date +%s) + timeout ))
status=
while [ -z "$status" ]; do
	sleep 2
	[ -n "$drain" ] || start_drain
	if grep -q '^TESTVM-END' "$out/results.log"; then
		# Let the guest finish powering off; Bochs may or may not exit.
		for _ in $(seq 15); do
			kill -0 "$pid" 2> /dev/null || break
			sleep 1
		done
		status=0
	elif grep -qE 'Kernel panic - not syncing|reboot: Restarting system' \
			"$out/console.log"; then
		echo "run-bochs.sh: the guest panicked or rebooted (see $out/console.log)" >&2
		status=1
	elif ! kill -0 "$pid" 2> /dev/null; then
		# Bochs writes its serial files buffered: its exit may have
		# just flushed TESTVM-END.
		if grep -q '^TESTVM-END' "$out/results.log"; then
			status=0
		else
			echo "run-bochs.sh: bochs exited before the guest finished (see $out/bochs.log)" >&2
			status=1
		fi
	elif [ "$(date +%s)" -ge "$deadline" ]; then
		status=124
	fi
done
stop
[ -z "$drain" ] || kill "$drain" 2> /dev/null || true
exit "$status"
