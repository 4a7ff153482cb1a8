// SPDX-License-Identifier: GPL-2.0
/* printf() and friends on top of the serial port. */
#include "console.h"
#include "fmt.h"
#include "serial.h"

static void console_put(void *ctx, char c)
{
	serial__putc(c);
}

int vprintf(const char *fmt, va_list ap)
{
	return fmt__vformat(console_put, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int putchar(int c)
{
	serial__putc((char)c);
	return (unsigned char)c;
}

int puts(const char *s)
{
	int n = 0;

	while (s[n])
		serial__putc(s[n++]);
	serial__putc('\n');
	return n + 1;
}
