/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printf-style formatting, pure (no I/O, no globals) so the host unit tests
 * can drive it. Supports %d %i %u %x %X %o %p %s %c %%, the flags '-',
 * '0' and '#' (for %x), a width and a precision (digits or '*'), and the
 * length modifiers hh h l ll z.
 */
#ifndef FW_FMT_H
#define FW_FMT_H

#include <stdarg.h>
#include <vsva/types.h>

/* Calls put(ctx, c) for each output character; returns how many. */
int fmt__vformat(void (*put)(void *ctx, char c), void *ctx,
		 const char *fmt, va_list ap);

/* Like vsnprintf(): always NUL-terminates when size > 0 and returns the
 * length the whole output would have had. */
int fmt__vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt__snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
