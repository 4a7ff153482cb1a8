/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stdlib subset of the firmware runtime (firmware/lib/string.c);
 * shadows the C library's header for firmware builds.
 */
#ifndef FW_STDLIB_H
#define FW_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
