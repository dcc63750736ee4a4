# SPDX-License-Identifier: GPL-2.0
#
# The emulated test machines (sourced by check.sh and run.sh).
#
#   svm     QEMU TCG, an AMD CPU with SVM and nested paging, 2 CPUs
#   vmx     Bochs, Intel corei7_skylake_x (VMX, EPT, unrestricted guest)
#   novirt  QEMU TCG, an AMD CPU with neither VMX nor SVM: svmx must refuse
#           to load
#   novirt-intel  the same with an Intel CPU (the VMX backend's refusal)
#
# machine_config NAME sets: EMU (qemu|bochs), CPU (QEMU -cpu model), CPUS,
# MEM (MiB), TIMEOUT (seconds, the machine's whole run), DESC, ARGS
# (extra kernel command line) and NUMA (QEMU: the number of NUMA nodes).

# NUMA (QEMU only, for page_migration_test): the svm machine's RAM is two
# nodes, both CPUs on node 0, node 1 memory only. Automatic NUMA balancing
# stays off: it would move the tests' pages (and unmap them for its hinting
# faults) on its own schedule. Bochs has no NUMA, and the kernel's NUMA
# emulation (numa=fake=2) is no substitute there: it puts CPU 1 on node 1
# although Bochs's CPUID says the CPUs share their L3, and the scheduler
# WARNs (topology_sane(), "llc-sibling ... is not on the same node").

machine_config() {
	ARGS= NUMA=1
	case "$1" in
	svm)
		# SVMX_QEMU_CPU: another model for a one-off run, e.g.
		# qemu64,+svm,+npt,+xsave,+avx for the tests' YMM paths.
		EMU=qemu CPU=${SVMX_QEMU_CPU:-qemu64,+svm,+npt} CPUS=2 MEM=1024 TIMEOUT=900
		DESC="QEMU TCG, AMD SVM + NPT"
		NUMA=2 ARGS="numa_balancing=disable"
		;;
	vmx)
		EMU=bochs CPU= CPUS=${SVMX_BOCHS_CPUS:-2} MEM=1024 TIMEOUT=3600
		DESC="Bochs, Intel corei7_skylake_x VMX + EPT"
		# Bochs 2.7 reports the standard-format XSAVE area size (2688)
		# in CPUID.(EAX=0DH,ECX=1):EBX where the compacted size (2432)
		# belongs; Linux then WARNs in fpu__init_system_xstate() and
		# boots without XSAVE. noxsave reaches the same state quietly.
		ARGS=noxsave
		;;
	novirt)
		EMU=qemu CPU=qemu64,-svm,-vmx CPUS=1 MEM=512 TIMEOUT=300
		DESC="QEMU TCG, AMD CPU without VMX or SVM"
		;;
	novirt-intel)
		EMU=qemu CPU=qemu64,vendor=GenuineIntel,-svm,-vmx CPUS=1 MEM=512
		TIMEOUT=300 DESC="QEMU TCG, Intel CPU without VMX or SVM"
		;;
	*)
		echo "unknown machine '$1' (known: svm vmx novirt novirt-intel)" >&2
		return 1
		;;
	esac
}

# machine_mode NAME: what the machine's /init does (see tools/testvm/init).
machine_mode() {
	case "$1" in
	novirt*) echo novirt ;;
	*) echo tests ;;
	esac
}

# run_machine NAME MODE INITRD OUTDIR: boot it; returns the runner's status.
run_machine() {
	local name=$1 mode=$2 initrd=$3 out=$4 here
	here=$(dirname "${BASH_SOURCE[0]}")
	machine_config "$name" || return 1
	local append="console=ttyS0 ignore_loglevel panic=-1 testvm.mode=$mode testvm.emu=$EMU $ARGS"
	# SVMX_TESTS="a_test b_test": a developer's partial run (see init).
	[ -z "${SVMX_TESTS:-}" ] || append="$append testvm.only=$(echo $SVMX_TESTS | tr ' ' ,)"
	if [ "$EMU" = qemu ]; then
		"$here/run-qemu.sh" --cpu "$CPU" --kernel "$VMLINUZ" --initrd "$initrd" \
			--append "$append" --cpus "$CPUS" --mem "$MEM" --out "$out" \
			--timeout "$TIMEOUT" --numa "$NUMA"
	else
		"$here/run-bochs.sh" --kernel "$VMLINUZ" --initrd "$initrd" \
			--append "$append" --cpus "$CPUS" --mem "$MEM" --out "$out" \
			--timeout "$TIMEOUT"
	fi
}
