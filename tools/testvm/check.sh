#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build everything against the test machines' kernel, run the
# unit tests on the host, boot each emulated machine, run the tests there,
# judge the results and the kernel log, and print per-machine results and
# the closing line "N passed, N failed, N skipped".
#
# usage: check.sh [MACHINE...]   (default: svm vmx novirt novirt-intel)
# Logs: build/testvm/out/<machine>/{console,results}.log and results.txt;
# the unit tests' in build/testvm/out/host/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tools/testvm
[ $# -gt 0 ] || set -- svm vmx novirt novirt-intel

"$HERE/deps.sh"
# shellcheck source=/dev/null
. "$ROOT/build/testvm/env.sh"
. "$HERE/machines.sh"
for m in "$@"; do
	machine_config "$m" > /dev/null
done

echo "== building against $KVER"
make -s -C "$ROOT" module KDIR="$KDIR"
make -s -C "$ROOT" userspace selftests

OUT=$ROOT/build/testvm/out
rm -rf "$OUT"
mkdir -p "$OUT"
INITRD=$OUT/initramfs.cpio.gz
"$HERE/mkinitramfs.sh" "$INITRD" "$KIMAGE" "$KVER" 2> "$OUT/mkinitramfs.log"

total_pass=0 total_fail=0 total_skip=0

# The host's unit tests (selftests/unit/), counted like a machine's suites.
echo "== host: unit tests"
mkdir -p "$OUT/host"
make -s -C "$ROOT/selftests" unit-check > "$OUT/host/results.log" 2>&1 || true
awk -v m=host -f "$HERE/suites.awk" "$OUT/host/results.log" > "$OUT/host/results.txt"
grep -q . "$OUT/host/results.txt" ||
	echo "FAIL host/unit: the unit tests reported nothing (see host/results.log)" \
		>> "$OUT/host/results.txt"
p=$(grep -c '^PASS' "$OUT/host/results.txt" || true)
f=$(grep -c '^FAIL' "$OUT/host/results.txt" || true)
s=$(grep -c '^SKIP' "$OUT/host/results.txt" || true)
total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
total_skip=$((total_skip + s))
echo "   host: $p passed, $f failed, $s skipped"
grep '^SKIP' "$OUT/host/results.txt" | sed 's/^/   /' || true
if [ "$f" -gt 0 ]; then
	grep '^FAIL' "$OUT/host/results.txt" | sed 's/^/   /'
	echo "   --- the unit tests' output (without passed cases)"
	grep -v '^ok ' "$OUT/host/results.log" | sed -n '1,200s/^/   | /p'
fi

for m in "$@"; do
	machine_config "$m"
	echo "== $m: $DESC, $CPUS CPU(s), time limit ${TIMEOUT}s"
	start=$(date +%s)
	set +e
	run_machine "$m" "$(machine_mode "$m")" "$INITRD" "$OUT/$m"
	rc=$?
	set -e
	secs=$(( $(date +%s) - start ))
	read -r p f s < <("$HERE/parse-results.sh" "$m" "$OUT/$m" "$rc")
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	echo "   $m: $p passed, $f failed, $s skipped (${secs}s)"
	grep '^SKIP' "$OUT/$m/results.txt" | sed 's/^/   /' || true
	if [ "$f" -gt 0 ]; then
		grep '^FAIL' "$OUT/$m/results.txt" | sed 's/^/   /'
		# The output of each suite with a failure, for the CI log.
		for suite in $(sed -n 's|^FAIL '"$m"'/\([a-z]*\)/\([a-z_]*_test\).*|\1/\2|p' \
				"$OUT/$m/results.txt" | sort -u); do
			echo "   --- $suite"
			sed -n "\|^TESTVM-SUITE ${suite%/*} ${suite#*/}\$|,\|^TESTVM-SUITE-END ${suite%/*} ${suite#*/} |p" \
				"$OUT/$m/results.log" | sed 's/^/   | /'
		done
		if grep -q "^FAIL $m/\(finished\|kernel-log\)" "$OUT/$m/results.txt"; then
			echo "   --- last 40 lines of the kernel log"
			tail -n 40 "$OUT/$m/console.log" | sed 's/^/   | /'
		fi
	fi
done

echo "== host: DKMS packaging"
line=$("$HERE/dkms-check.sh" "$KVER")
echo "   $line"
case "$line" in
PASS*) total_pass=$((total_pass + 1)) ;;
*) total_fail=$((total_fail + 1)) ;;
esac

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
