/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: one VM on a KVM-API device: its fds, RAM slots, io-buses,
 * devices and the request to stop.
 */
#ifndef SVMX_VM_H
#define SVMX_VM_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "guest_mem.h"
#include "iobus.h"

#define VM_MAX_VCPUS	1
#define VM_MAX_DEVICES	8

struct kvm_run;

struct vm {
	const char *dev;	/* device path */
	int sys_fd;		/* the device */
	int vm_fd;
	int run_size;		/* bytes of a vCPU's mmap */
	int ncpus;
	struct guest_mem *mem;
	struct iobus pio, mmio;
	int console_in, console_out;	/* the UART's terminal */

	void *dev_state[VM_MAX_DEVICES];	/* devices.c */
	int ndevs;

	struct kvm_run *runs[VM_MAX_VCPUS];	/* for immediate_exit */
	atomic_bool stop;
	atomic_int exit_status;
};

/*
 * Open @dev, check it speaks the KVM API, create the VM and give it @mem.
 * 0, or -1 after pr_err().
 */
int vm_open(struct vm *vm, const char *dev, struct guest_mem *mem);
void vm_close(struct vm *vm);

/* A device asks every vCPU to stop; the first status asked for wins. */
void vm_request_exit(struct vm *vm, int status);
/* Should the vCPUs stop? */
bool vm_stopping(struct vm *vm);

/*
 * For a SIGINT/SIGTERM handler (async-signal-safe): stop the VM run by
 * vm_watch_signals(); vm_signalled() returns the signal, or 0.
 */
void vm_watch_signals(struct vm *vm);
int vm_signalled(void);

#endif
