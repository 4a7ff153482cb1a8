// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the L2 Linux guest the lab boots under vsva (and under the
 * reference QEMU).  It checks what the VMM was asked to provide, prints one
 * verdict line and powers off:
 *
 *	L2-INIT-OK cpus=N mem=KIB rng=virtioN hwrng=BYTES
 *	L2-INIT-FAIL <reason>[; <reason>...]
 *
 * Expectations come from the kernel command line (l2_cpus=N, l2_mem=MIB;
 * defaults 2 and 256): exactly N CPUs online, MemTotal in
 * (MIB - 56 MiB, MIB], a virtio device of type 4 (entropy) on the virtio
 * bus, and, when /dev/hwrng is there, 32 bytes read from it that are not
 * all equal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "l2-common.h"

static char l2_init__errors[1024];

static void l2_init__fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void l2_init__fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l2__vfail(l2_init__errors, sizeof(l2_init__errors), fmt, ap);
	va_end(ap);
}

static void l2_init__say(const char *line)
{
	size_t len = strlen(line);

	if (write(STDOUT_FILENO, line, len) < 0)
		return;
}

static long l2_init__cmdline_long(const char *key, long def)
{
	char cmdline[4096], v[64];

	if (l2__read_file("/proc/cmdline", cmdline, sizeof(cmdline)) <= 0 ||
	    !l2__param(cmdline, key, v, sizeof(v)))
		return def;
	return strtol(v, NULL, 0);
}

/* Counts the CPUs in a list such as "0-1" or "0,2-3". */
static int l2_init__count_cpus(const char *list)
{
	const char *p = list;
	long lo, hi;
	char *end;
	int n = 0;

	while (*p && *p != '\n') {
		lo = strtol(p, &end, 10);
		if (end == p)
			return -1;
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				return -1;
		}
		n += hi - lo + 1;
		p = end;
		if (*p == ',')
			p++;
	}
	return n;
}

static int l2_init__check_cpus(long want)
{
	char buf[256];
	long sc;
	int n;

	if (l2__read_file("/sys/devices/system/cpu/online", buf,
			       sizeof(buf)) <= 0) {
		l2_init__fail("cannot read /sys/devices/system/cpu/online");
		return -1;
	}
	n = l2_init__count_cpus(buf);
	sc = sysconf(_SC_NPROCESSORS_ONLN);
	if (n != want || sc != want)
		l2_init__fail("cpus: online=%d sysconf=%ld, want %ld", n, sc,
			      want);
	return n;
}

static long l2_init__check_mem(long want_mib)
{
	char buf[4096], *p;
	long kib;

	if (l2__read_file("/proc/meminfo", buf, sizeof(buf)) <= 0) {
		l2_init__fail("cannot read /proc/meminfo");
		return -1;
	}
	p = strstr(buf, "MemTotal:");
	if (!p) {
		l2_init__fail("no MemTotal in /proc/meminfo");
		return -1;
	}
	kib = strtol(p + 9, NULL, 10);
	if (kib <= (want_mib - 56) * 1024 || kib > want_mib * 1024)
		l2_init__fail("MemTotal %ld kB not in (%ld, %ld] MiB", kib,
			      want_mib - 56, want_mib);
	return kib;
}

/* Returns the name of the virtio entropy device (virtioN) or NULL. */
static const char *l2_init__find_rng(char *name, size_t size)
{
	char path[300], buf[32];
	struct dirent *de;
	DIR *dir;

	dir = opendir("/sys/bus/virtio/devices");
	if (!dir) {
		l2_init__fail("no /sys/bus/virtio/devices");
		return NULL;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device",
			 de->d_name);
		if (l2__read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		if (strtol(buf, NULL, 0) == 4) {
			snprintf(name, size, "%s", de->d_name);
			closedir(dir);
			return name;
		}
	}
	closedir(dir);
	l2_init__fail("no virtio device of type 4 (entropy)");
	return NULL;
}

static void l2_init__alarm(int sig)
{
	(void)sig;
}

/* Reads 32 bytes from /dev/hwrng; returns how many, or -1 if absent. */
static int l2_init__read_hwrng(void)
{
	struct sigaction sa = { .sa_handler = l2_init__alarm };
	unsigned char bytes[32];
	int fd, got = 0, same = 1;
	ssize_t n;

	fd = open("/dev/hwrng", O_RDONLY);
	if (fd < 0)
		return -1;
	/* A device that never answers must not hang the guest. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(10);
	while (got < (int)sizeof(bytes)) {
		n = read(fd, bytes + got, sizeof(bytes) - got);
		if (n <= 0)
			break;
		got += n;
	}
	alarm(0);
	close(fd);
	if (got < (int)sizeof(bytes)) {
		l2_init__fail("/dev/hwrng gave %d of %zu bytes", got,
			      sizeof(bytes));
		return got;
	}
	for (int i = 1; i < got; i++)
		if (bytes[i] != bytes[0])
			same = 0;
	if (same)
		l2_init__fail("/dev/hwrng bytes all 0x%02x", bytes[0]);
	return got;
}

int main(void)
{
	char line[1400], rng[NAME_MAX + 1] = "none";
	long want_cpus, want_mib, kib;
	int cpus, hw, fd;

	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}

	want_cpus = l2_init__cmdline_long("l2_cpus", 2);
	want_mib = l2_init__cmdline_long("l2_mem", 256);
	cpus = l2_init__check_cpus(want_cpus);
	kib = l2_init__check_mem(want_mib);
	if (!l2_init__find_rng(rng, sizeof(rng)))
		snprintf(rng, sizeof(rng), "none");
	hw = l2_init__read_hwrng();

	if (l2_init__errors[0])
		snprintf(line, sizeof(line), "\nL2-INIT-FAIL %s\n",
			 l2_init__errors);
	else
		snprintf(line, sizeof(line),
			 "\nL2-INIT-OK cpus=%d mem=%ldkB rng=%s hwrng=%d\n",
			 cpus, kib, rng, hw);
	l2_init__say(line);
	sync();
	reboot(RB_POWER_OFF);
	l2_init__say("L2-INIT: power-off failed\n");
	for (;;)
		pause();
}
