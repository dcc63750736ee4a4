#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install and fetch everything the test machines need, then write
# build/testvm/env.sh describing it. Safe to run again: it only installs what
# is missing and only downloads what is not there yet.
#
#   - Debian packages: emulators, busybox, ISO tools, sparse, linux-source;
#   - the Debian kernel the machines boot: linux-headers-6.1.0-N-amd64 (to
#     build the module) and linux-image-6.1.0-N-amd64-unsigned (extracted, not
#     installed), N taken from the current linux-headers-amd64 unless
#     SVMX_TEST_KVER names one (e.g. SVMX_TEST_KVER=6.1.0-56-amd64);
#   - from linux-source-6.1: the kselftest harness, checkpatch.pl and the KVM
#     API document, extracted into build/linux-source/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build
TV=$BUILD/testvm
mkdir -p "$TV"

log() { echo "deps: $*" >&2; }

PKGS=(qemu-system-x86 bochs bochs-term bochsbios vgabios busybox-static kmod
      cpio isolinux syslinux-common xorriso sparse linux-source-6.1 gcc make
      libc6-dev xz-utils util-linux bsdutils dkms)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

apt_updated=0
apt_update() {
	if [ $apt_updated = 0 ]; then
		log "apt-get update"
		apt-get update -qq >&2
		apt_updated=1
	fi
}
apt_install() {
	apt_update
	log "installing: $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" >&2
}

[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# The kernel version the test machines boot.
KVER=${SVMX_TEST_KVER:-}
if [ -z "$KVER" ]; then
	KVER=$(apt-cache depends linux-headers-amd64 2>/dev/null |
	       sed -n 's/.*Depends: linux-headers-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' |
	       head -n1)
	if [ -z "$KVER" ]; then
		apt_update
		KVER=$(apt-cache depends linux-headers-amd64 |
		       sed -n 's/.*Depends: linux-headers-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' |
		       head -n1)
	fi
fi
[ -n "$KVER" ] || { log "cannot tell which linux-headers-6.1.0-N-amd64 is current"; exit 1; }

KDIR=/usr/src/linux-headers-$KVER
[ -f "$KDIR/Module.symvers" ] || apt_install "linux-headers-$KVER"

KIMAGE=$TV/kimage-$KVER
if [ ! -f "$KIMAGE/boot/vmlinuz-$KVER" ]; then
	apt_update
	tmp=$(mktemp -d)
	log "downloading linux-image-$KVER-unsigned"
	(cd "$tmp" && apt-get download -qq "linux-image-$KVER-unsigned" >&2) 2>/dev/null ||
		(cd "$tmp" && apt-get download "linux-image-$KVER-unsigned" >&2)
	rm -rf "$KIMAGE.part"
	mkdir -p "$KIMAGE.part"
	dpkg-deb -x "$tmp"/linux-image-*.deb "$KIMAGE.part"
	rm -rf "$tmp" "$KIMAGE"
	mv "$KIMAGE.part" "$KIMAGE"
fi

# Files from Debian's linux-source-6.1 (GPL-2.0), used as they are.
LSRC=$BUILD/linux-source
if [ ! -f "$LSRC/.done" ]; then
	log "extracting the kselftest harness, checkpatch and api.rst from linux-source-6.1"
	rm -rf "$LSRC"
	mkdir -p "$LSRC"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$LSRC" --strip-components=1 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/Documentation/virt/kvm/api.rst
	touch "$LSRC/.done"
fi

cat > "$TV/env.sh" <<ENV
# Written by tools/testvm/deps.sh
KVER=$KVER
KDIR=$KDIR
KIMAGE=$KIMAGE
VMLINUZ=$KIMAGE/boot/vmlinuz-$KVER
KSELFTEST_DIR=$LSRC/tools/testing/selftests
ENV
log "kernel $KVER ready"
