/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The firmware runtime as a payload sees it. The entry code sets up a
 * stack, the stack-protector canary and .bss, then fw__start() sets up the
 * console, exit port, PCI access and page allocator from the device tree
 * and calls payload__main(); its return value is the exit code.
 */
#ifndef FW_FW_H
#define FW_FW_H

#include <vsva/types.h>

#define FW_EXIT_DEFAULT_PORT	0x510
#define FW_EXIT_PANIC		0x7f

/* Defined by each payload. */
int payload__main(const void *fdt);

/* The device tree vsva handed over (already checked by fw__start()). */
const void *fw__fdt(void);

/* Stops the VM with `code` via the exit port; never returns. */
void fw__exit(int code) __attribute__((noreturn));
void fw__set_exit_port(u16 port);

/* Prints "PANIC: ..." and exits with FW_EXIT_PANIC. */
void panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#define assert(cond)							\
	do {								\
		if (unlikely(!(cond)))					\
			panic("assertion failed: %s (%s:%d)", #cond,	\
			      __FILE__, __LINE__);			\
	} while (0)

/* Image bounds, from the linker script. */
extern char __image_start[], __image_end[];

#endif
