#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the kernel's checkpatch.pl (from Debian's linux-source-6.1) on
# every module source file, then sparse (make C=2) where it is installed.
#
# usage: lint.sh KDIR
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KDIR=${1:?usage: lint.sh KDIR}
CHECKPATCH=$ROOT/build/linux-source/scripts/checkpatch.pl
[ -f "$CHECKPATCH" ] || "$ROOT/tools/testvm/deps.sh"

status=0
echo "== checkpatch.pl"
# --no-tree: not inside a kernel tree; spelling.txt sits beside the script.
perl "$CHECKPATCH" --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
	-f $(ls "$ROOT"/module/*.[ch] | grep -v "\.mod\.c$") "$ROOT"/uapi/linux/*.h || status=1

if command -v sparse > /dev/null; then
	echo "== sparse"
	out=$(make -s -C "$KDIR" M="$ROOT" C=2 W=1 modules 2>&1 | grep -v '^  ' || true)
	if echo "$out" | grep -qE 'warning|error'; then
		echo "$out"
		status=1
	else
		echo "clean"
	fi
else
	echo "== sparse: not installed (apt-get install sparse), skipped"
fi
exit $status
