#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check of the DKMS packaging: add this tree to DKMS as
# svmx/<version from dkms.conf>, build it for the test machines' kernel,
# check that svmx.ko came out, and remove it again. Prints one line in
# parse-results.sh's format: PASS host/dkms-build | FAIL host/dkms-build: why
#
# usage: dkms-check.sh KVER
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$1
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/dkms.conf")
src=/usr/src/svmx-$ver
log=$ROOT/build/testvm/out/dkms.log

cleanup() {
	dkms remove "svmx/$ver" --all > /dev/null 2>&1
	rm -rf "$src"
}
cleanup
mkdir -p "$src"
tar -C "$ROOT" --exclude=./build --exclude=./.git -c . | tar -x -C "$src"
if dkms add "svmx/$ver" > "$log" 2>&1 &&
   dkms build "svmx/$ver" -k "$KVER" >> "$log" 2>&1 &&
   [ -f "/var/lib/dkms/svmx/$ver/$KVER/x86_64/module/svmx.ko" ]; then
	echo "PASS host/dkms-build"
else
	echo "FAIL host/dkms-build: dkms could not build svmx/$ver for $KVER (see $log)"
fi
cleanup
