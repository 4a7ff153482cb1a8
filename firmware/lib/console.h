/* SPDX-License-Identifier: GPL-2.0 */
/* Console output (the serial port); '\n' is sent as is, without '\r'. */
#ifndef FW_CONSOLE_H
#define FW_CONSOLE_H

#include <stdarg.h>

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* Prints s and a newline. */
int puts(const char *s);
int putchar(int c);

#endif
