/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace shim for the kernel sources that the unit tests compile
 * (module/emulate.c): the kernel's <linux/types.h> names and the compiler
 * attributes the kernel's build adds to every file. The system's own
 * <linux/types.h> (the uapi one) comes first.
 */
#ifndef SVMX_UNIT_SHIM_TYPES_H
#define SVMX_UNIT_SHIM_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif

#endif
