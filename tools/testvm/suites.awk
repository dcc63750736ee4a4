# SPDX-License-Identifier: GPL-2.0
#
# Turn a results channel (format in tools/testvm/init) into one line per
# check: PASS <name> | FAIL <name>: <why> | SKIP <name>: <why>, with names
# <m>/<phase>/<test>/<case> for the TAP of each suite and <m>/<name> for
# TESTVM-RESULT lines. Used for the test machines (parse-results.sh) and for
# the host's unit tests (check.sh, `make -C selftests unit-check`).
#
# usage: awk -v m=MACHINE -f suites.awk RESULTS_LOG
function emit(kind, name, why) {
	if (why != "")
		printf "%s %s: %s\n", kind, name, why
	else
		printf "%s %s\n", kind, name
}
/^TESTVM-SUITE-END / {
	split($4, a, "=")
	rc = a[2] + 0
	suite = m "/" $2 "/" $3
	if (ncases == 0 && rc != 0)
		emit("FAIL", suite, "exited with status " rc " before reporting a result")
	else if (rc != 0 && rc != 4 && nfail == 0)
		emit("FAIL", suite, "exited with status " rc " although no case failed")
	insuite = 0
	next
}
/^TESTVM-SUITE / { insuite = 1; phase = $2; test = $3; ncases = 0; nfail = 0; next }
# "#  RUN           fixture.case ...": the 6.1 harness omits the name of a
# skipped case from its "ok N # SKIP" line, so remember it here.
insuite && /^#  RUN / { running = $3; next }
insuite && /^(not )?ok [0-9]+ / {
	line = $0
	ok = (line ~ /^ok /)
	sub(/^(not )?ok [0-9]+ /, "", line)
	name = line; why = ""
	if (line ~ /^# /) {
		name = running
		why = substr(line, 3)
	} else if (match(line, / # /)) {
		name = substr(line, 1, RSTART - 1)
		why = substr(line, RSTART + 3)
	}
	full = m "/" phase "/" test "/" name
	ncases++
	if (ok && why ~ /^SKIP/) {
		sub(/^SKIP ?/, "", why)
		emit("SKIP", full, why)
	} else if (ok) {
		emit("PASS", full, "")
	} else {
		nfail++
		emit("FAIL", full, "see " m "/results.log")
	}
	next
}
/^TESTVM-RESULT / {
	line = $0
	sub(/^TESTVM-RESULT /, "", line)
	ok = (line ~ /^ok /)
	sub(/^(not )?ok /, "", line)
	name = line; why = ""
	if (match(line, / # /)) {
		name = substr(line, 1, RSTART - 1)
		why = substr(line, RSTART + 3)
	}
	if (ok && why ~ /^SKIP/) {
		sub(/^SKIP ?/, "", why)
		emit("SKIP", m "/" name, why)
	} else
		emit(ok ? "PASS" : "FAIL", m "/" name, ok ? "" : why)
}
