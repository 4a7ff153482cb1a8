/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The string functions the firmware runtime provides (firmware/lib/string.c).
 * This header shadows the C library's for firmware builds, so libfdt_env.h
 * picks it up; nothing else from a libc is available.
 */
#ifndef FW_STRING_H
#define FW_STRING_H

#include <stddef.h>

void *memchr(const void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
char *strchr(const char *s, int c);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
char *strrchr(const char *s, int c);

#endif
