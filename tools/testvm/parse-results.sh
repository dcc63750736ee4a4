#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Judge one test machine's run. Reads DIR/results.log (the results channel,
# format in tools/testvm/init) and DIR/console.log (the kernel log), writes
# one line per check to DIR/results.txt:
#   PASS <name> | FAIL <name>: <why> | SKIP <name>: <why>
# and prints "<passed> <failed> <skipped>".
#
# usage: parse-results.sh MACHINE DIR EMULATOR_STATUS
#
# Besides every test case, three checks of the machine itself:
#   <machine>/finished      the run reached TESTVM-END and powered off
#   <machine>/kernel-log    no oops, BUG, WARNING, lockdep, KASAN, UBSAN,
#                           panic, soft/hard lockup, hung task or RCU stall
#   <machine>/taint         no taint but out-of-tree (O) and unsigned (E)
set -euo pipefail

machine=$1 dir=$2 emu_rc=$3
res=$dir/results.log
con=$dir/console.log
txt=$dir/results.txt

awk -v m="$machine" -f "$(dirname "$0")/suites.awk" "$res" > "$txt"

# The machine finished: TESTVM-END seen and the emulator powered off.
if grep -q '^TESTVM-END' "$res" && [ "$emu_rc" = 0 ]; then
	echo "PASS $machine/finished" >> "$txt"
elif [ "$emu_rc" = 124 ]; then
	echo "FAIL $machine/finished: timed out (last kernel lines: $(tail -n 3 "$con" | tr '\n' '|'))" >> "$txt"
else
	echo "FAIL $machine/finished: no TESTVM-END, emulator status $emu_rc" >> "$txt"
fi

# The kernel log. A kernel warning (WARN, lockdep, RCU) starts its message
# with "WARNING:"; a subsystem's advisory such as "RETBleed: WARNING: ..."
# (the CPU lacks a mitigation) does not, and is no fault of the test.
bad='(Oops|BUG:|kernel BUG at|(^|\] )WARNING:|Call Trace:|general protection fault|'
bad+='Kernel panic|KASAN|UBSAN|possible circular locking|lockdep|'
bad+='possible recursive locking|inconsistent lock state|soft lockup|'
bad+='hard LOCKUP|blocked for more than|rcu.*stall|double fault|'
bad+='unable to handle|segfault at .* in svmx)'
if hits=$(grep -E "$bad" "$con" | head -n 5) && [ -n "$hits" ]; then
	echo "FAIL $machine/kernel-log: $(echo "$hits" | tr '\n' '|')" >> "$txt"
else
	echo "PASS $machine/kernel-log" >> "$txt"
fi

# Taint: only O (4096, out-of-tree) and E (8192, unsigned module) allowed.
taint=$(sed -n 's/^TESTVM-TAINT \([0-9]*\).*/\1/p' "$res" | tail -n 1)
if [ -z "$taint" ]; then
	echo "FAIL $machine/taint: the machine did not report its taint" >> "$txt"
elif [ $(( taint & ~(4096 | 8192) )) -ne 0 ]; then
	echo "FAIL $machine/taint: /proc/sys/kernel/tainted is $taint" >> "$txt"
else
	echo "PASS $machine/taint" >> "$txt"
fi

echo "$(grep -c '^PASS' "$txt" || true) $(grep -c '^FAIL' "$txt" || true) $(grep -c '^SKIP' "$txt" || true)"
