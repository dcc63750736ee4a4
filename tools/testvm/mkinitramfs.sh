#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test machines' initramfs:
#   /bin            busybox-static and its applet links
#   /init           tools/testvm/init
#   /lib/modules    the stock kvm, kvm-amd, kvm-intel, msr and zram (the
#                   swap device) modules and their dependencies from the
#                   Debian kernel, with modules.dep
#   /payload        svmx.ko, the svmx tool (/payload/svmx), the selftests
#                   (/payload/tests) and the guest images svmx_run_test
#                   boots (/payload/guests)
#
# usage: mkinitramfs.sh OUT.cpio.gz KIMAGE KVER
set -euo pipefail

OUT=$1 KIMAGE=$2 KVER=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,tmp,payload/tests,payload/guests,lib/modules/"$KVER"}
cp /bin/busybox "$STAGE/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$STAGE/bin/$applet"
done
install -m 0755 "$ROOT/tools/testvm/init" "$STAGE/init"

# Stock modules, with what they depend on.
SRC=$KIMAGE/lib/modules/$KVER
want=(kvm-amd kvm-intel msr zram)
declare -A seen=()
copy_module() {
	local name=$1 path dep
	[ -n "${seen[$name]:-}" ] && return
	seen[$name]=1
	path=$(cd "$SRC" && find kernel -name "$name.ko*" | head -n1)
	[ -n "$path" ] || path=$(cd "$SRC" && find kernel -name "${name//_/-}.ko*" | head -n1)
	[ -n "$path" ] || { echo "mkinitramfs: module $name not found" >&2; exit 1; }
	mkdir -p "$STAGE/lib/modules/$KVER/$(dirname "$path")"
	cp "$SRC/$path" "$STAGE/lib/modules/$KVER/$path"
	for dep in $(modinfo -F depends "$SRC/$path" | tr ',' ' '); do
		copy_module "$dep"
	done
}
for m in "${want[@]}"; do
	copy_module "$m"
done
cp "$SRC"/modules.order "$SRC"/modules.builtin* "$STAGE/lib/modules/$KVER/"
depmod -b "$STAGE" "$KVER"

cp "$ROOT/module/svmx.ko" "$STAGE/payload/"
cp "$ROOT/userspace/svmx" "$STAGE/payload/"
for t in $(make -s -C "$ROOT/selftests" list); do
	cp "$ROOT/selftests/$t" "$STAGE/payload/tests/"
done
for g in $(make -s -C "$ROOT/selftests/guests" list); do
	cp "$ROOT/selftests/guests/$g" "$STAGE/payload/guests/"
done

(cd "$STAGE" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT"
