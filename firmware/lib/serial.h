/* SPDX-License-Identifier: GPL-2.0 */
/* 8250/16550 UART output by polling, at an I/O port. */
#ifndef FW_SERIAL_H
#define FW_SERIAL_H

#include <vsva/types.h>

#define SERIAL_DEFAULT_PORT	0x3f8

/* Programs 115200 8N1 at port. Before this runs, output goes to the
 * default port unprogrammed, so early panics still print. */
void serial__init(u16 port);
void serial__putc(char c);

#endif
