// SPDX-License-Identifier: GPL-2.0
/* The firmware's printf formatting (firmware/lib/fmt.c) against the C
 * library's snprintf() for the conversions it supports. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "firmware/lib/fmt.c"

#define SAME(...)							\
	do {								\
		char want[128], got[128];				\
		int nw = snprintf(want, sizeof(want), __VA_ARGS__);	\
		int ng = fmt__snprintf(got, sizeof(got), __VA_ARGS__);	\
		cr_assert_str_eq(got, want, "format %s", #__VA_ARGS__);	\
		cr_assert_eq(ng, nw, "length for %s", #__VA_ARGS__);	\
	} while (0)

Test(fw_fmt, integers)
{
	SAME("%d %d %d", 0, -1, 2147483647);
	SAME("%d", (int)0x80000000);
	SAME("%i|%u", -42, 4294967295u);
	SAME("%ld %lu", -9000000000L, 18000000000UL);
	SAME("%lld %llu", -9223372036854775807LL - 1, 18446744073709551615ULL);
	SAME("%x %X %lx %llx", 0xdeadbeef, 0xabcu, 0x123456789aUL,
	     0xffffffffffffffffULL);
	SAME("%o", 8);
	SAME("%zu %zx", (size_t)123, (size_t)0xfff);
}

/* Without a format attribute, to pass what the compiler would warn about. */
static int raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt__vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

Test(fw_fmt, short_lengths_truncate)
{
	char buf[64];

	raw(buf, sizeof(buf), "%hx %hhx %hd %hhd", 0x12345, 0x1ff, 70000, 200);
	cr_assert_str_eq(buf, "2345 ff 4464 -56");
}

Test(fw_fmt, width_precision_flags)
{
	SAME("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
	SAME("[%08x] [%8x] [%-8x|]", 0xbeef, 0xbeef, 0xbeef);
	SAME("[%02x:%02x.%x]", 0, 31, 7);
	SAME("[%#x] [%#x] [%#010x] [%#X]", 0x1f, 0, 0x1f, 0xab);
	SAME("[%.3d] [%6.3d] [%.0d] [%.0x]", 7, 7, 0, 0);
	SAME("[%*d] [%-*d] [%*d]", 6, 1, 6, 1, -6, 1);
	SAME("[%3d]", 12345);
}

Test(fw_fmt, strings_chars_pointers)
{
	SAME("[%s] [%8s] [%-8s] [%.2s] [%.*s]", "abc", "abc", "abc", "abc",
	     1, "xyz");
	SAME("[%c%c] [%3c] [%-3c]", 'o', 'k', 'x', 'y');
	SAME("%p", (void *)0x1234abcd);
	SAME("100%% %s", "done");
}

Test(fw_fmt, truncation_and_unknown)
{
	char buf[8];

	cr_assert_eq(fmt__snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	cr_assert_str_eq(buf, "0123456");
	cr_assert_eq(fmt__snprintf(buf, 1, "abc"), 3);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(fmt__snprintf(NULL, 0, "%d", 12345), 5);
	raw(buf, sizeof(buf), "%q%");
	cr_assert_str_eq(buf, "%q%");
	raw(buf, sizeof(buf), "%s", NULL);
	cr_assert_str_eq(buf, "(null)");
}
