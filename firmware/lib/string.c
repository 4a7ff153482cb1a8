// SPDX-License-Identifier: GPL-2.0
/*
 * The libc subset the firmware and Debian's libfdt.a need. The bulk
 * copies use `rep movsq`/`rep stosq` and then `rep movsb`/`rep stosb` for
 * the tail: few instructions for the host's instruction emulator (whose
 * string instructions cost per iteration: a 4 KiB `rep stosq` takes about
 * a seventh of the time of a `rep stosb`), and nothing the compiler could
 * turn back into a call to ourselves.
 */
#include <string.h>
#include <stdlib.h>
#include <stdbool.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	size_t words = n / 8, bytes = n % 8;
	void *d = dst;

	asm volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
		     : "+D"(d), "+S"(src), "+c"(words) : "r"(bytes)
		     : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	d += n - 1;
	s += n - 1;
	asm volatile("std; rep movsb; cld"
		     : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *s, int c, size_t n)
{
	unsigned long long v = 0x0101010101010101ULL * (unsigned char)c;
	size_t words = n / 8, bytes = n % 8;
	void *d = s;

	asm volatile("rep stosq\n\tmov %3, %%rcx\n\trep stosb"
		     : "+D"(d), "+c"(words), "+a"(v) : "r"(bytes)
		     : "memory");
	return s;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* C semantics, including base 0 and a "0x" prefix; saturates on overflow. */
unsigned long strtoul(const char *s, char **end, int base)
{
	const char *p = s, *digits;
	unsigned long v = 0;
	bool overflow = false, neg = false;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	digits = p;
	if (base >= 2 && base <= 36) {
		for (; digit_value(*p) < base; p++) {
			unsigned long d = digit_value(*p);

			if (v > (~0UL - d) / base)
				overflow = true;
			v = v * base + d;
		}
	}
	if (end)
		*end = (char *)(p == digits ? s : p);
	if (overflow)
		return ~0UL;
	return neg ? -v : v;
}
