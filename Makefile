# SPDX-License-Identifier: GPL-2.0
#
# svmx top-level Makefile.
#
#   make              module/svmx.ko, userspace/svmx and the selftests
#   make run          boot the svm test machine, load svmx, show it working
#   make check        run the whole test matrix in the emulated machines
#   make lint         checkpatch.pl and sparse on the module
#   make clean
#
# KDIR is the kernel build tree the module is built against: by default the
# running kernel's, else the newest Debian 6.1 headers in /usr/src. Override
# it with `make KDIR=/path/to/linux-headers-X`.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.0-*-amd64))))
# The kselftest harness headers (from Debian's linux-source-6.1).
KSELFTEST_DIR ?= $(CURDIR)/build/linux-source/tools/testing/selftests
MACHINES ?= svm vmx novirt novirt-intel
MACHINE ?= svm

export KSELFTEST_DIR

.PHONY: all module userspace selftests run check lint clean help

all: module userspace selftests

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace:
	$(MAKE) -C userspace

selftests: $(KSELFTEST_DIR)/kselftest_harness.h
	$(MAKE) -C selftests

$(KSELFTEST_DIR)/kselftest_harness.h:
	tools/testvm/deps.sh

run:
	tools/testvm/run.sh $(MACHINE)

check:
	tools/testvm/check.sh $(MACHINES)

lint:
	tools/lint.sh $(KDIR)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build/testvm/out

help:
	@sed -n '3,14p' Makefile
