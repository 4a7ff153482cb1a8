/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_TERM_H
#define VSVA_TERM_H

#include <vsva/vm.h>

/*
 * The terminal: stdin in raw mode when it is a tty (restored on every exit
 * path), output to stdout.  Ctrl-A x quits (as in QEMU); Ctrl-A Ctrl-A
 * sends a Ctrl-A.
 */
int term__init(struct vm *vm, void (*input)(void *opaque, const u8 *buf,
					    size_t len), void *opaque);
/* Send the input to another sink from now on (one sink at a time). */
void term__set_input(void (*input)(void *opaque, const u8 *buf, size_t len),
		     void *opaque);
void term__restore(void);
void term__write(const u8 *buf, size_t len);

#endif
