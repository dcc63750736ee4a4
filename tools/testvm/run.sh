#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: boot one test machine (svm by default, or vmx), load svmx there
# and show it working: the kernel's messages, the module parameters,
# `svmx info` (API version, capabilities, a VM created and destroyed) and
# the VMX/SVM state of each CPU.
#
# usage: run.sh [svm|vmx]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tools/testvm
machine=${1:-svm}

"$HERE/deps.sh"
# shellcheck source=/dev/null
. "$ROOT/build/testvm/env.sh"
. "$HERE/machines.sh"
machine_config "$machine"

make -s -C "$ROOT" module KDIR="$KDIR"
make -s -C "$ROOT" userspace selftests
OUT=$ROOT/build/testvm/run-$machine
mkdir -p "$OUT"
"$HERE/mkinitramfs.sh" "$OUT/initramfs.cpio.gz" "$KIMAGE" "$KVER"

echo "== booting the $machine machine ($DESC, $CPUS CPUs) with Debian's $KVER"
start=$(date +%s)
set +e
run_machine "$machine" demo "$OUT/initramfs.cpio.gz" "$OUT"
rc=$?
set -e
grep -v '^TESTVM-' "$OUT/results.log" || true
echo "== the machine ran for $(( $(date +%s) - start ))s; its kernel log is $OUT/console.log"
if [ $rc != 0 ] || ! grep -q '^TESTVM-END' "$OUT/results.log"; then
	echo "the machine did not finish (status $rc)" >&2
	exit 1
fi
