// SPDX-License-Identifier: GPL-2.0
/* hello: prints what the device tree describes, then exits 0. */
#include "console.h"
#include "dt.h"
#include "fw.h"
#include "pci.h"
#include "tsc.h"

#define MIB	(1024 * 1024)

static void print_memory(const void *fdt)
{
	struct dt_region r[DT_MAX_REGIONS];
	int n = dt__memory(fdt, r, DT_MAX_REGIONS);
	u64 total = 0;

	for (int i = 0; i < n; i++)
		total += r[i].size;
	printf("memory: %llu MiB in %d region%s\n",
	       (unsigned long long)(total / MIB), n, n == 1 ? "" : "s");
	for (int i = 0; i < n; i++)
		printf("  [0x%012llx - 0x%012llx] %llu MiB\n",
		       (unsigned long long)r[i].base,
		       (unsigned long long)(r[i].base + r[i].size - 1),
		       (unsigned long long)(r[i].size / MIB));
}

static void print_pci(const void *fdt)
{
	struct dt_pci_dev dev;
	int node = -1, n = 0;

	if (dt__pci_node(fdt) < 0) {
		printf("pci: no /pci node\n");
		return;
	}
	printf("pci devices:\n");
	while ((node = dt__pci_next(fdt, node, &dev)) >= 0) {
		printf("  %02x:%02x.%x %04x:%04x class %06x %s\n",
		       PCI_BUS(dev.bdf), PCI_DEV(dev.bdf), PCI_FN(dev.bdf),
		       dev.vendor, dev.device, dev.class_code,
		       dev.name[0] ? dev.name : "-");
		n++;
	}
	printf("pci: %d device%s\n", n, n == 1 ? "" : "s");
}

int payload__main(const void *fdt)
{
	puts("vsva hello firmware");
	print_memory(fdt);
	printf("cpus: %d\n", dt__cpu_count(fdt));
	printf("tsc: %llu kHz%s\n", (unsigned long long)tsc__khz(),
	       tsc__guessed() ? " (guessed: CPUID does not say)" : "");
	print_pci(fdt);
	puts("hello: ok");
	return 0;
}
