/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the L2 guest's test programs (l2-init.c, l2-io.c) share: reading a
 * small file, kernel command-line parameters, and the verdict's list of
 * failures.  Each program is one static binary, so these are static.
 */
#ifndef L2_COMMON_H
#define L2_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Up to @size - 1 bytes of @path, NUL-terminated: the length or -errno. */
static int l2__read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/* The value of key= in @cmdline (into @out), or NULL. */
static const char *l2__param(const char *cmdline, const char *key, char *out,
			     size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\n')
			p++;
		n = strcspn(p, " \n");
		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(out, size, "%.*s", (int)(n - klen - 1),
				 p + klen + 1);
			return out;
		}
		p += n;
	}
	return NULL;
}

/* Appends one failure to the "; "-separated list in @errors. */
static void l2__vfail(char *errors, size_t size, const char *fmt, va_list ap)
{
	size_t len = strlen(errors);

	if (len)
		len += snprintf(errors + len, size - len, "; ");
	if (len >= size)
		return;
	vsnprintf(errors + len, size - len, fmt, ap);
}

#endif
