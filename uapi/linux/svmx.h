/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmx additions to the KVM API.
 *
 * svmx serves the KVM API exactly as <linux/kvm.h> defines it; everything
 * svmx offers beyond it is declared here and only here, with fixed-width
 * fields, reserved padding and _IOR/_IOW/_IOWR of the struct type.
 */
#ifndef _UAPI_SVMX_H
#define _UAPI_SVMX_H

/* The misc device: /dev/svmx. */
#define SVMX_DEVICE_NAME	"svmx"
#define SVMX_DEVICE_PATH	"/dev/" SVMX_DEVICE_NAME

#endif /* _UAPI_SVMX_H */
